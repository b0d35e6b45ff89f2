//! The fast path of [`parse`](super::parse): files in the shape `gongkai new` writes — block
//! mappings of plain keys and plain values, comments, blank lines — are read line by line,
//! without the full YAML parser (+26% build time without it on the 1,000-report benchmark).
//! Anything else (quotes, flow or block collections, sequences, anchors, unusual indentation,
//! very long keys, any error) is declined, and the full parser decides and reports exactly as
//! it always does.
//!
//! Guarded by a differential test: whenever the fast path accepts an input — every report.yaml
//! of the repository, a list of unusual shapes, the inputs of the official YAML test suite — its
//! tree and issues equal the full parser's; and by the `report` fuzz target, which asserts the
//! same for every input it tries.

use super::{Builder, Node, YamlIssue, plain};
use crate::source::SourceFile;

/// The longest implicit key YAML allows, in characters from the key's start to its colon (YAML
/// 1.2 §7.4: 1024). The fast path declines a key whose colon comes more than this many *bytes*
/// after its start (at least as many bytes as characters), so it never accepts a key the full
/// parser refuses.
const MAX_IMPLICIT_KEY: usize = 1024;

/// The fast path of [`parse`]: None when the file holds anything but block mappings of plain
/// scalars, comments and blank lines (or anything questionable), so that the full parser
/// decides — and reports any error — exactly as before.
pub(crate) fn parse_simple(file: &SourceFile) -> Option<(Option<Node>, Vec<YamlIssue>)> {
    let text: &str = &file.text;
    if !printable(text.as_bytes()) {
        return None;
    }
    let mut b = Builder::new(file);
    // Indentation of each open mapping, outermost first.
    let mut indents: Vec<usize> = Vec::new();
    // The last key had nothing after its colon: a nested mapping must follow.
    let mut open_key = false;
    let mut pos = 0;
    // Lines and the bytes looked for in them are found with memchr: this loop reads every line
    // of every report.
    while pos < text.len() {
        let line_end =
            memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let line_start = pos;
        pos = line_end + 1;
        let indent = line.bytes().take_while(|&c| c == b' ').count();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if memchr::memchr(b'\t', rest.as_bytes()).is_some()
            || rest.starts_with("---")
            || rest.starts_with("...")
        {
            return None;
        }
        // `key: value`, `key:` or `key:  # comment`.
        let colon = memchr::memchr(b':', rest.as_bytes())?;
        if colon > MAX_IMPLICIT_KEY {
            return None;
        }
        let after = &rest[colon + 1..];
        if !(after.is_empty() || after.starts_with(' ')) {
            return None;
        }
        let key = rest[..colon].trim_end_matches(' ');
        if !plain_ok(key) {
            return None;
        }
        let value_at = colon + 1 + (after.len() - after.trim_start_matches(' ').len());
        let mut value = &rest[value_at..];
        if value.starts_with('#') {
            value = "";
        } else if let Some(c) = comment_start(value) {
            value = &value[..c];
        }
        let value = value.trim_end_matches(' ');
        if !value.is_empty() && (!plain_ok(value) || value.ends_with(':')) {
            return None;
        }
        let key_start = line_start + indent;
        match indents.last().copied() {
            None => {
                if indent != 0 {
                    return None;
                }
                b.start_map(key_start..key_start).ok()?;
                indents.push(indent);
            }
            Some(top) if open_key => {
                if indent <= top {
                    return None;
                }
                b.start_map(key_start..key_start).ok()?;
                indents.push(indent);
            }
            Some(_) => {
                while indents.last().is_some_and(|&t| indent < t) {
                    indents.pop();
                    b.end_map().ok()?;
                }
                if indents.last() != Some(&indent) {
                    return None;
                }
            }
        }
        b.push_value(Node {
            value: plain(key),
            span: key_start..key_start + key.len(),
        })
        .ok()?;
        if value.is_empty() {
            open_key = true;
        } else {
            open_key = false;
            let at = line_start + indent + value_at;
            b.push_value(Node {
                value: plain(value),
                span: at..at + value.len(),
            })
            .ok()?;
        }
    }
    if open_key || indents.is_empty() {
        return None;
    }
    for _ in 0..indents.len() {
        b.end_map().ok()?;
    }
    Some((b.root, b.issues))
}

/// Where ` #` (a comment after a value) begins in `value`, if anywhere.
fn comment_start(value: &str) -> Option<usize> {
    memchr::memchr_iter(b'#', value.as_bytes())
        .find(|&i| i > 0 && value.as_bytes()[i - 1] == b' ')
        .map(|i| i - 1)
}

/// A key or value the fast path may read as a plain scalar: no leading indicator, no `: `,
/// ` #` or tab inside, and no trailing colon (which YAML would read as a further mapping).
/// One pass over the bytes (every key and value of every report goes through here).
fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if b.last() == Some(&b' ') {
        return false;
    }
    for (i, &c) in b.iter().enumerate() {
        let refused = match c {
            b'\t' => true,
            b':' => b.get(i + 1) == Some(&b' '),
            b'#' => i > 0 && b[i - 1] == b' ',
            _ => false,
        };
        if refused {
            return false;
        }
    }
    match first {
        b'-' => s[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.'),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' => false,
        _ => true,
    }
}

/// Whether a text holds only characters YAML allows in a document (YAML 1.2 §5.1), apart from
/// the line breaks the loader has already normalised: tab, line feed, U+0020–U+007E, U+0085,
/// U+00A0–U+D7FF, U+E000–U+FFFD and U+10000 up, but not U+FEFF.
///
/// Checked on the UTF-8 bytes (the text is valid UTF-8, so no surrogate can occur): the
/// characters left out are the ASCII controls and DEL, the C1 controls U+0080–U+009F (`C2 80`–
/// `C2 9F`) other than U+0085, U+FEFF (`EF BB BF`) and U+FFFE/U+FFFF (`EF BF BE`/`EF BF BF`).
/// A byte loop, because walking `chars()` through Chinese text was a visible part of a build.
fn printable(text: &[u8]) -> bool {
    // Blocks of 32 bytes holding none of the bytes that need a closer look are skipped whole
    // (a branch-free test the compiler vectorises).
    let suspect =
        |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') | (b == 0x7f) | (b == 0xc2) | (b == 0xef);
    const BLOCK: usize = 32;
    let mut at = 0;
    while at < text.len() {
        let end = (at + BLOCK).min(text.len());
        if text[at..end].iter().fold(false, |acc, &b| acc | suspect(b))
            && !printable_from(text, at, end)
        {
            return false;
        }
        at = end;
    }
    true
}

/// The byte-by-byte check of [`printable`] for the characters starting in `text[from..to]`.
fn printable_from(text: &[u8], from: usize, to: usize) -> bool {
    let mut i = from;
    while i < to {
        match text[i] {
            b'\t' | b'\n' | 0x20..=0x7e => {}
            0x00..=0x1f | 0x7f => return false,
            0xc2 => {
                if matches!(text.get(i + 1), Some(&(0x80..=0x84 | 0x86..=0x9f))) {
                    return false;
                }
            }
            0xef => {
                if matches!(
                    text.get(i + 1..i + 3),
                    Some([0xbb, 0xbf] | [0xbf, 0xbe | 0xbf])
                ) {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::parse_full;
    use super::*;

    /// The byte check agrees with YAML 1.2's list of printable characters for every character,
    /// alone and between others.
    #[test]
    fn printable_bytes_match_the_yaml_character_set() {
        fn by_char(c: char) -> bool {
            matches!(c, '\t' | '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
                && c != '\u{feff}'
        }
        let mut refused = 0;
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let text = format!("键{c}值");
            assert_eq!(printable(text.as_bytes()), by_char(c), "{:?}", c);
            refused += usize::from(!by_char(c));
        }
        // Across the 32-byte blocks of the fast path: a character starting in one block and
        // ending in the next, or at the end of the text.
        let fill = "a".repeat(64);
        for c in [
            '\u{85}', '\u{86}', '\u{9f}', '\u{a0}', '\u{feff}', '\u{fffd}', '\u{fffe}', '\u{1}',
            '中',
        ] {
            for k in [29, 30, 31, 32, 33, 62, 63] {
                let text = format!("{}{c}", &fill[..k]);
                assert_eq!(
                    printable(text.as_bytes()),
                    by_char(c),
                    "{c:?} after {k} bytes"
                );
                let text = format!("{}{c}{fill}", &fill[..k]);
                assert_eq!(
                    printable(text.as_bytes()),
                    by_char(c),
                    "{c:?} after {k} bytes"
                );
            }
        }
        // 31 ASCII controls besides tab and line feed, DEL, 31 C1 controls, U+FEFF, U+FFFE/F.
        assert_eq!(refused, 30 + 1 + 31 + 1 + 2);
    }

    /// Every report.yaml of the repository (bundled site, fixtures, bad inputs).
    fn repository_yaml() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["content", "tests"] {
            for e in walkdir::WalkDir::new(root.join(dir))
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if e.file_type().is_file()
                    && e.file_name() == "report.yaml"
                    && let Ok(text) = std::fs::read_to_string(e.path())
                {
                    out.push((e.path().display().to_string(), text.replace("\r\n", "\n")));
                }
            }
        }
        out
    }

    #[test]
    fn the_fast_path_builds_the_same_tree_as_the_full_parser() {
        let files = repository_yaml();
        assert!(files.len() > 20, "{}", files.len());
        let mut fast = 0;
        for (name, text) in &files {
            let file = SourceFile::new("report.yaml", text.as_str());
            if let Some(simple) = parse_simple(&file) {
                fast += 1;
                assert_eq!(simple, parse_full(&file), "{name}");
            }
        }
        // Files written the way `gongkai new` writes them take the fast path.
        assert!(fast * 2 > files.len(), "{fast} of {}", files.len());
        let bundled = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/2020/report.yaml"),
        )
        .unwrap();
        assert!(parse_simple(&SourceFile::new("report.yaml", &*bundled)).is_some());
    }

    #[test]
    fn the_fast_path_leaves_anything_unusual_to_the_full_parser() {
        let cases = [
            "a: 1\nb:\n  c: 2\n  d: 3\ne: 4\n",
            "a: 1 # note\nb: x#y\nc:   5   \n# c\n\nd: ~\ne: null\n",
            "a: -2\nb: -.5\nc: 2022-03-14\nd: 本年（单位：万元）\n",
            "a: 1\na: 2\n",
            "a:\n  b: 1\n  b: 2\nc: 3",
            "a: 'q'\n",
            "a: \"q\"\n",
            "a: [1, 2]\n",
            "a: {b: 1}\n",
            "a: |\n  x\n",
            "a: >\n  x\n",
            "a:\n  - 1\n",
            "- a\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n  b: 2\n",
            "a:\nb: 1\n",
            "a:\n",
            "  a: 1\n",
            "a:\n    b: 1\n  c: 2\n",
            "a: b: c\n",
            "a: b:\n",
            "a:b\n",
            "a: x\n  continued\n",
            "a:\t1\n",
            "\ta: 1\n",
            "a: 1\u{7f}\n",
            "? a\n: 1\n",
            "a : 1\n",
            "a: 1 #\n",
            "a: -\n",
            "a: - x\n",
            "a: %x\n",
            "a: @x\n",
            "a: `x\n",
            "a #b: 1\n",
            "#only a comment\n",
            "",
            "null: 1\n",
            "~:\n  a: 1\n",
        ];
        for text in cases {
            let file = SourceFile::new("t.yaml", text);
            if let Some(simple) = parse_simple(&file) {
                assert_eq!(simple, parse_full(&file), "{text:?}");
            }
        }
        // The plain shapes do take the fast path.
        for text in &cases[..5] {
            assert!(
                parse_simple(&SourceFile::new("t.yaml", *text)).is_some(),
                "{text:?}"
            );
        }
    }

    /// YAML limits an implicit key to 1024 characters from its start to its colon; the full
    /// parser refuses a longer one, so the fast path must not accept it (it once read `年度`,
    /// 1,023 spaces, `: 2020` as the key 年度). Around the limit both agree.
    #[test]
    fn long_implicit_keys_are_left_to_the_full_parser() {
        let text = format!("年度{}: 2020\n", " ".repeat(1023));
        let file = SourceFile::new("report.yaml", text.as_str());
        assert!(parse_simple(&file).is_none());
        assert!(parse_full(&file).0.is_none(), "the full parser refuses it");
        for n in 1015..1035 {
            for (key, pad) in [
                ("k".repeat(n), String::new()),
                ("年度".into(), " ".repeat(n)),
            ] {
                let text = format!("a: 1\n{key}{pad}: 2\nb:\n  {key}{pad}: 3\n");
                let file = SourceFile::new("report.yaml", text.as_str());
                if let Some(simple) = parse_simple(&file) {
                    assert_eq!(simple, parse_full(&file), "key of {n}");
                }
            }
        }
    }

    /// The inputs of the official YAML test suite (tests/fixtures/yaml-test-suite): the fast
    /// path declines what it does not read exactly as the full parser does.
    #[test]
    fn the_yaml_test_suite_agrees_where_the_fast_path_accepts() {
        #[derive(serde::Deserialize)]
        struct Case {
            id: String,
            yaml: String,
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/yaml-test-suite/cases.json");
        let cases: Vec<Case> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(cases.len() > 400, "{}", cases.len());
        let mut accepted = 0;
        for case in &cases {
            // The loader normalises line endings before parsing.
            let text = case.yaml.replace("\r\n", "\n").replace('\r', "\n");
            let file = SourceFile::new("in.yaml", text.as_str());
            if let Some(simple) = parse_simple(&file) {
                accepted += 1;
                assert_eq!(simple, parse_full(&file), "suite case {}", case.id);
            }
        }
        // Some of the suite is plain block mappings.
        assert!(accepted >= 5, "{accepted}");
        eprintln!(
            "yaml-test-suite: {} inputs, {accepted} on the fast path",
            cases.len()
        );
    }

    proptest::proptest! {
        /// Generated files near the fast path's shape — keys and values from a small alphabet
        /// of the characters that matter (`:`, `#`, `-`, quotes, spaces, tabs, Chinese), random
        /// indentation, comments and blank lines: wherever the fast path accepts, it agrees.
        #[test]
        fn generated_near_simple_files_agree(lines in proptest::collection::vec(
            (0usize..6, "[a中:# \\-'\"\t~]{0,6}", 0usize..3, "[a1中:# \\-'\"\t.]{0,6}", proptest::bool::ANY),
            1..12,
        )) {
            let mut text = String::new();
            for (indent, key, spaces, value, comment) in &lines {
                text.push_str(&" ".repeat(*indent));
                text.push_str(key);
                text.push(':');
                text.push_str(&" ".repeat(*spaces));
                text.push_str(value);
                if *comment {
                    text.push_str(" # note");
                }
                text.push('\n');
            }
            let file = SourceFile::new("report.yaml", text.as_str());
            if let Some(simple) = parse_simple(&file) {
                proptest::prop_assert_eq!(simple, parse_full(&file), "{:?}", text);
            }
        }
    }
}
