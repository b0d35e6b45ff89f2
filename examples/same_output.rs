//! A dev tool: whether two built output folders are the same site.
//! Files other than HTML must be byte-identical; HTML pages must give the same html5ever token
//! stream — doctype, tags with their attributes in order (and the self-closing flag), comments,
//! and text with its whitespace exact (character references decoded, so `&amp;` and `&#38;` are
//! one thing). Quoting, whitespace between attributes and the case of tag names are not
//! compared.
//!
//! ```sh
//! cargo run --example same_output -- BEFORE_DIR AFTER_DIR
//! ```
//!
//! Exits 0 when they are the same site, 1 when they differ, 2 on a usage error.
//!
//! Optional: `GONGKAI_SHOW=N` prints the first N differing pages (default 10);
//! `GONGKAI_FOLD_WS=1` compares text with whitespace runs folded to one space and trimmed next
//! to tags (a looser check, for changes that move whitespace on purpose).
//!
//! For each differing page it prints the first differing token of both sides with its line in
//! the file and the tokens before and after it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// One token of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Doctype(String),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End(String),
    Text(String),
    Comment(String),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Doctype(d) => write!(f, "<!DOCTYPE {d}>"),
            Tok::Start {
                name,
                attrs,
                self_closing,
            } => {
                write!(f, "<{name}")?;
                for (k, v) in attrs {
                    write!(f, " {k}={v:?}")?;
                }
                write!(f, "{}>", if *self_closing { "/" } else { "" })
            }
            Tok::End(name) => write!(f, "</{name}>"),
            Tok::Text(t) => write!(f, "text {:?}", shorten(t)),
            Tok::Comment(c) => write!(f, "<!--{}-->", shorten(c)),
        }
    }
}

/// Long texts in a report are cut in the middle, keeping both ends (where whitespace matters).
fn shorten(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    if chars.len() <= 120 {
        return t.to_string();
    }
    let head: String = chars[..50].iter().collect();
    let tail: String = chars[chars.len() - 50..].iter().collect();
    format!("{head} … ({} chars) … {tail}", chars.len())
}

/// A token and the line of the file it starts on.
type Located = (Tok, u64);

struct Collect {
    tokens: RefCell<Vec<Located>>,
    /// Depth of `<svg>`/`<math>`, where `title`, `style` … are not raw text.
    foreign: RefCell<usize>,
}

impl Collect {
    fn push_text(&self, s: &str, line: u64) {
        let mut tokens = self.tokens.borrow_mut();
        if let Some((Tok::Text(t), _)) = tokens.last_mut() {
            t.push_str(s);
        } else {
            tokens.push((Tok::Text(s.to_string()), line));
        }
    }
}

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(t) => self.push_text(&t, line),
            Token::NullCharacterToken => self.push_text("\0", line),
            Token::DoctypeToken(d) => {
                let part = |p: &Option<StrTendril>| p.as_deref().unwrap_or("").to_string();
                let text = format!(
                    "{} public={:?} system={:?}{}",
                    part(&d.name),
                    part(&d.public_id),
                    part(&d.system_id),
                    if d.force_quirks { " quirks" } else { "" }
                );
                self.tokens.borrow_mut().push((Tok::Doctype(text), line));
            }
            Token::CommentToken(c) => {
                self.tokens
                    .borrow_mut()
                    .push((Tok::Comment(c.to_string()), line));
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                let foreign = matches!(name.as_str(), "svg" | "math");
                let tok = if tag.kind == TagKind::StartTag {
                    if foreign && !tag.self_closing {
                        *self.foreign.borrow_mut() += 1;
                    }
                    Tok::Start {
                        name: name.clone(),
                        attrs: tag
                            .attrs
                            .iter()
                            .map(|a| (a.name.local.to_string(), a.value.to_string()))
                            .collect(),
                        self_closing: tag.self_closing,
                    }
                } else {
                    if foreign {
                        let mut depth = self.foreign.borrow_mut();
                        *depth = depth.saturating_sub(1);
                    }
                    Tok::End(name.clone())
                };
                let start = matches!(tok, Tok::Start { .. });
                self.tokens.borrow_mut().push((tok, line));
                // What the tree builder would tell the tokenizer: the content of these
                // elements is text up to their end tag.
                if start && *self.foreign.borrow() == 0 {
                    return match name.as_str() {
                        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                        "plaintext" => TokenSinkResult::Plaintext,
                        _ => TokenSinkResult::Continue,
                    };
                }
            }
            Token::ParseError(_) | Token::EOFToken => {}
        }
        TokenSinkResult::Continue
    }
}

/// The token stream of a page.
fn tokens(html: &str, fold_ws: bool) -> Vec<Located> {
    let tok = Tokenizer::new(
        Collect {
            tokens: RefCell::new(Vec::new()),
            foreign: RefCell::new(0),
        },
        TokenizerOpts::default(),
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    while let TokenizerResult::Script(_) = tok.feed(&input) {}
    tok.end();
    let mut out = tok.sink.tokens.take();
    if fold_ws {
        for (t, _) in &mut out {
            if let Tok::Text(s) = t {
                *s = s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            }
        }
        out.retain(|(t, _)| !matches!(t, Tok::Text(s) if s.is_empty()));
    }
    out
}

/// Every file under `dir` by relative path with `/`.
fn files(dir: &Path) -> BTreeMap<String, PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (rel.to_string_lossy().replace('\\', "/"), e.into_path())
        })
        .collect()
}

/// How a page differs, for printing: the first differing token and its surroundings.
fn describe(path: &str, a: &[Located], b: &[Located]) -> String {
    use std::fmt::Write;
    let at = a
        .iter()
        .zip(b)
        .position(|((x, _), (y, _))| x != y)
        .unwrap_or(a.len().min(b.len()));
    let mut s = format!(
        "── {path}: first difference at token {at} (of {} before, {} after)\n",
        a.len(),
        b.len()
    );
    for (t, _) in &a[at.saturating_sub(3)..at] {
        let _ = writeln!(s, "     same    {t}");
    }
    let side = |s: &mut String, label: &str, toks: &[Located]| {
        for (i, (t, line)) in toks.iter().enumerate().skip(at).take(3) {
            let mark = if i == at { label } else { "" };
            let _ = writeln!(s, "   {mark:>7} {t}   (line {line})");
        }
        if toks.len() <= at {
            let _ = writeln!(s, "   {label:>7} (end of page)");
        }
    };
    side(&mut s, "before", a);
    side(&mut s, "after", b);
    // Where whitespace differs, say exactly where.
    if let (Some((Tok::Text(x), _)), Some((Tok::Text(y), _))) = (a.get(at), b.get(at)) {
        let common = x
            .char_indices()
            .zip(y.chars())
            .find(|((_, c), d)| c != d)
            .map_or(x.len().min(y.len()), |((i, _), _)| i);
        let ctx = |t: &str| {
            let start = t[..common]
                .char_indices()
                .rev()
                .nth(19)
                .map_or(0, |(i, _)| i);
            t[start..].chars().take(40).collect::<String>()
        };
        let _ = writeln!(
            s,
            "           texts part at byte {common}: {:?} / {:?}",
            ctx(x),
            ctx(y)
        );
    }
    s
}

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let [before, after] = args.as_slice() else {
        eprintln!("usage: cargo run --example same_output -- BEFORE_DIR AFTER_DIR");
        return std::process::ExitCode::from(2);
    };
    let show: usize = std::env::var("GONGKAI_SHOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let fold_ws = std::env::var_os("GONGKAI_FOLD_WS").is_some_and(|v| v == "1");
    let (before, after) = (PathBuf::from(before), PathBuf::from(after));
    for dir in [&before, &after] {
        if !dir.is_dir() {
            eprintln!("{} is not a folder", dir.display());
            return std::process::ExitCode::from(2);
        }
    }
    let (a, b) = (files(&before), files(&after));

    let mut problems = Vec::new();
    for p in a.keys().filter(|p| !b.contains_key(*p)) {
        problems.push(format!("── {p}: only before"));
    }
    for p in b.keys().filter(|p| !a.contains_key(*p)) {
        problems.push(format!("── {p}: only after"));
    }
    let (mut html_same_bytes, mut same_tokens, mut html_pages, mut others) = (0, 0, 0, 0);
    let (mut bytes_before, mut bytes_after) = (0usize, 0usize);
    for (p, pa) in &a {
        let Some(pb) = b.get(p) else { continue };
        let (x, y) = (std::fs::read(pa).unwrap(), std::fs::read(pb).unwrap());
        let html = p.ends_with(".html") || p.ends_with(".htm");
        if html {
            html_pages += 1;
            bytes_before += x.len();
            bytes_after += y.len();
        } else {
            others += 1;
        }
        if x == y {
            html_same_bytes += usize::from(html);
            continue;
        }
        if !html {
            let at = x.iter().zip(&y).position(|(c, d)| c != d);
            problems.push(format!(
                "── {p}: bytes differ ({} / {} bytes, first at byte {})",
                x.len(),
                y.len(),
                at.unwrap_or(x.len().min(y.len()))
            ));
            continue;
        }
        let (Ok(x), Ok(y)) = (std::str::from_utf8(&x), std::str::from_utf8(&y)) else {
            problems.push(format!("── {p}: not UTF-8"));
            continue;
        };
        let (ta, tb) = (tokens(x, fold_ws), tokens(y, fold_ws));
        let equal = ta.len() == tb.len() && ta.iter().zip(&tb).all(|((x, _), (y, _))| x == y);
        if equal {
            same_tokens += 1;
        } else {
            problems.push(describe(p, &ta, &tb));
        }
    }
    eprintln!(
        "{} and {}:\n  {html_pages} HTML pages ({html_same_bytes} byte-identical, {same_tokens} \
         more token-equal), {others} other files, {} difference(s)\n  HTML bytes: \
         {bytes_before} before, {bytes_after} after",
        before.display(),
        after.display(),
        problems.len(),
    );
    for p in problems.iter().take(show) {
        eprintln!("{p}");
    }
    if problems.len() > show {
        eprintln!("… and {} more (GONGKAI_SHOW=N)", problems.len() - show);
    }
    if problems.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}
