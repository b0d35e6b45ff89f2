//! Site search: a static character-bigram index, written as classic scripts so that it works
//! over HTTP under any subpath and opened from `file://` alike.
//!
//! Fed by the pages as they are rendered (a body's year pages and Markdown pages, every body of
//! a platform): each page becomes one document, tokenised at once; its text goes straight out as
//! `search/t/<folder>/<n>.js` (for the result's snippet), and only its postings — term ids with a
//! weight, a few bytes each — stay in memory until [`Collector::finish`] writes the inverted index
//! in `search/i/<shard>.js` and the document table in `search/index.js`. The client is
//! `themes/default/static/search.js`: it tokenises the query the same way, loads the shards of
//! its terms, ranks, then loads the texts of the best documents to confirm and mark the match.
//!
//! Tokens (the same rules in `search.js`): text is folded (full-width ASCII to ASCII, ASCII to
//! lower case); every pair of adjacent Han characters is a term (`行政复议` → 行政 政复 复议), and
//! every run of two or more ASCII letters and digits is one (`2021`). A query of Chinese words of
//! two or more characters finds them as substrings without a dictionary, so it matches what a
//! reader types (段简, 依申请, 东柳) where a word segmenter would not; a single character finds
//! nothing (too common to rank).
//!
//! Why not a crate. Evaluated, with measurements in README.md (Site search) and
//! benches/README.md: Pagefind as a library (`pagefind` 1.6, `default-features = false`,
//! `extended`) indexes Chinese with the ICU4X word segmenter, so substrings inside a word
//! (依申请 in 依申请公开) find nothing, its client is ES modules plus WebAssembly loaded with
//! `fetch()`, which do not run from `file://`, and it adds 214 crates; elasticlunr-rs (the mdBook
//! and Zola index, `zh` through jieba) writes one index file that every query downloads whole,
//! tens of MB for a district platform; tinysearch and Stork are unmaintained or Bloom-filter
//! based. The index here is about 450 lines with the client and has none of these limits.
//!
//! Deterministic: documents are numbered by body folder and by their order in the body (years,
//! then pages), never by rendering order; terms and shards are written sorted; the version stamp
//! that keeps browsers from mixing the files of two builds is a hash of the content.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::load::markdown;

use super::Out;
use super::view::{Link, YearView};

/// Where the index lives in the output, and the search page.
pub(crate) const DIR: &str = "search";

/// How much more a term weighs in a document's title (body name, report title, year) than in its
/// text: a body's name with a year finds that body's report of that year first.
const TITLE_WEIGHT: u32 = 12;

/// Weights are stored up to this value (five bits); the client's ranking saturates long before
/// it.
const MAX_WEIGHT: u32 = 31;

/// The bits of a weight in a posting.
const WEIGHT_BITS: u32 = 5;

/// Term ids must leave room for the weight in a `u32`.
const MAX_TERMS: usize = 1 << (32 - WEIGHT_BITS);

/// Terms longer than this (long numbers, URLs) are not indexed.
const MAX_TOKEN: usize = 24;

/// The target size of a shard: the client loads one shard per query term.
const SHARD_TARGET_BYTES: usize = 12 * 1024;

/// One part of a document: an anchor on its page, the part's heading and its plain text.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Part {
    /// Fragment id on the page (`s3`; empty for the top of the page).
    pub anchor: String,
    /// The heading as shown.
    pub heading: String,
    /// Plain text.
    pub text: String,
}

/// The search page's view: the filters' choices, and the year list shown without JavaScript.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SearchView {
    /// Years with reports, newest first (the year filter).
    pub years: Vec<u16>,
    /// Kinds of body (the platform's filter; empty for a single office).
    pub kinds: Vec<String>,
    /// The year list: links relative to the search page.
    pub links: Vec<Link>,
}

/// A year page's parts for the index: the lead-in under the report's title, then the six parts
/// with their headings and narrative (the tables' numbers are not text to search).
pub(crate) fn year_parts(yv: YearView) -> Vec<Part> {
    let mut parts = Vec::with_capacity(yv.parts.len() + 1);
    // The view's texts come from the parse that rendered the page (one parse, not two).
    if !yv.lead_text.is_empty() {
        parts.push(Part {
            anchor: String::new(),
            heading: String::new(),
            text: yv.lead_text,
        });
    }
    for p in yv.parts {
        parts.push(Part {
            anchor: p.id,
            heading: p.heading,
            text: p.text,
        });
    }
    parts
}

/// A page to index.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    /// The body's folder (`""` for a single office).
    pub folder: &'a str,
    /// The page's number within the body: years in order, then Markdown pages.
    pub local: usize,
    /// The body's kind (for the platform's filter).
    pub kind: &'a str,
    /// The report's year (none for a Markdown page).
    pub year: Option<u16>,
    /// The page's path from the output root.
    pub url: String,
    /// The page's title.
    pub title: String,
    /// The body's name.
    pub body: &'a str,
    /// Other names the body goes by (its short name), weighed like the title.
    pub aliases: &'a str,
    /// The parts, in page order.
    pub parts: Vec<Part>,
}

/// The text of a result, as the client receives it (`search/t/…js`).
#[derive(Serialize)]
struct DocText<'a> {
    /// URL from the output root.
    u: &'a str,
    /// Title.
    t: &'a str,
    /// Body name.
    b: &'a str,
    /// Year (0 for none).
    y: u16,
    /// Parts: anchor, heading, text.
    p: Vec<(&'a str, &'a str, &'a str)>,
}

/// Collects the documents of a build while its pages are rendered.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    /// Whether the site has search (`search = false` in site.toml or platform.toml turns it off).
    on: bool,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Bigram (two chars packed) → term id.
    bigrams: FxHashMap<u64, u32>,
    /// ASCII token → term id.
    words: FxHashMap<Box<str>, u32>,
    /// Term id → its text.
    names: Vec<Box<str>>,
    /// Bodies by folder (sorted, so documents are numbered by folder).
    bodies: BTreeMap<String, BodyDocs>,
}

#[derive(Debug, Default)]
struct BodyDocs {
    kind: String,
    /// Documents by their number within the body.
    docs: BTreeMap<usize, DocEntry>,
}

#[derive(Debug)]
struct DocEntry {
    year: Option<u16>,
    /// (term id, weight) packed by [`posting`], in no particular order.
    postings: Vec<u32>,
    /// Hash of the document's text file (for the version stamp).
    hash: u64,
}

impl Collector {
    /// An empty collector; one that is not `on` ignores what it is given.
    pub(crate) fn new(on: bool) -> Self {
        Collector {
            on,
            state: Mutex::default(),
        }
    }

    /// Whether the site has search.
    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// Index one page: its text goes out at once, its postings stay.
    pub(crate) fn add(&self, out: &Out<'_>, doc: Doc<'_>) -> Result<(), Diagnostic> {
        if !self.on {
            return Ok(());
        }
        let text = DocText {
            u: &doc.url,
            t: &doc.title,
            b: doc.body,
            y: doc.year.unwrap_or(0),
            p: doc
                .parts
                .iter()
                .map(|p| (p.anchor.as_str(), p.heading.as_str(), p.text.as_str()))
                .collect(),
        };
        let key = text_key(doc.folder, doc.local);
        // Folder names are [a-z0-9_-] (P1); quoted as JSON all the same.
        let mut script = Vec::with_capacity(
            64 + doc
                .parts
                .iter()
                .map(|p| p.text.len() + p.heading.len() + 16)
                .sum::<usize>(),
        );
        script.extend_from_slice(b"gongkaiSearch.d(");
        serde_json::to_writer(&mut script, &key)
            .and_then(|()| {
                script.push(b',');
                serde_json::to_writer(&mut script, &text)
            })
            .map_err(|e| Diagnostic::error("F1", format!("内部错误：搜索文本无法写出：{e}")))?;
        script.extend_from_slice(b");\n");
        let hash = content_hash(&script);

        // Count the terms: the title, the body's names and the year weigh more than the text.
        // About one distinct bigram per three characters of text: sized once, never rehashed.
        let chars: usize = doc.parts.iter().map(|p| p.text.len() / 3).sum();
        let mut bigram_counts: FxHashMap<u64, u32> =
            FxHashMap::with_capacity_and_hasher(chars / 2 + 64, Default::default());
        let mut word_counts: FxHashMap<String, u32> = FxHashMap::default();
        let year = doc.year.map(|y| y.to_string()).unwrap_or_default();
        for (s, w) in [
            (doc.title.as_str(), TITLE_WEIGHT),
            (doc.body, TITLE_WEIGHT),
            (doc.aliases, TITLE_WEIGHT),
            (year.as_str(), TITLE_WEIGHT),
        ]
        .into_iter()
        .chain(
            doc.parts
                .iter()
                .flat_map(|p| [(p.heading.as_str(), 2), (p.text.as_str(), 1)]),
        ) {
            tokens(s, |t| match t {
                Token::Bigram(a, b) => {
                    *bigram_counts
                        .entry(((a as u64) << 21) | b as u64)
                        .or_insert(0) += w;
                }
                Token::Word(word) => match word_counts.get_mut(word) {
                    Some(n) => *n += w,
                    None => {
                        word_counts.insert(word.to_string(), w);
                    }
                },
            });
        }

        // The document's postings, unordered (the index is built per term, in document order,
        // so the order within a document does not matter): term id and weight in one u32.
        let mut postings: Vec<u32> = Vec::with_capacity(bigram_counts.len() + word_counts.len());
        let mut st = self
            .state
            .lock()
            .map_err(|_| Diagnostic::error("F1", "内部错误：搜索索引不可用"))?;
        let State {
            bigrams,
            words: word_ids,
            names,
            bodies,
        } = &mut *st;
        for (packed, n) in &bigram_counts {
            let id = *bigrams.entry(*packed).or_insert_with(|| {
                names.push(bigram_text(*packed).into());
                (names.len() - 1) as u32
            });
            postings.push(posting(id, *n));
        }
        for (w, n) in &word_counts {
            let id = match word_ids.get(w.as_str()) {
                Some(&id) => id,
                None => {
                    names.push(w.as_str().into());
                    let id = (names.len() - 1) as u32;
                    word_ids.insert(w.as_str().into(), id);
                    id
                }
            };
            postings.push(posting(id, *n));
        }
        if names.len() > MAX_TERMS {
            return Err(Diagnostic::error(
                "F1",
                "站内搜索的词语过多（超过一亿个），请在 platform.toml 中设置 search = false",
            ));
        }
        let body = bodies.entry(doc.folder.to_string()).or_default();
        body.kind = doc.kind.to_string();
        body.docs.insert(
            doc.local,
            DocEntry {
                year: doc.year,
                postings,
                hash,
            },
        );
        drop(st);
        out.put(format!("{DIR}/t/{key}.js"), script)
    }

    /// Forget a body's documents (before it is rendered again, or when it is gone).
    pub(crate) fn forget(&self, folder: &str) {
        if let Ok(mut st) = self.state.lock() {
            st.bodies.remove(folder);
        }
    }

    /// Write the inverted index and the document table, once every page is rendered (again
    /// after bodies were forgotten and rendered again: the result is that of a full rendering).
    pub(crate) fn finish(&self, out: &Out<'_>) -> Result<(), Diagnostic> {
        if !self.on {
            return Ok(());
        }
        let st = self
            .state
            .lock()
            .map_err(|_| Diagnostic::error("F1", "内部错误：搜索索引不可用"))?;
        let State { names, bodies, .. } = &*st;
        // Postings per term in document order, each one number in the client's alphabet (see
        // `write_number`): document gap and weight together. Two passes over the postings: the
        // first measures each term's list, the second writes the lists into one buffer (one
        // allocation instead of a growing one per term: hundreds of thousands at 10,000 reports).
        let mut bytes: Vec<u32> = vec![0; names.len()];
        let mut last: Vec<u32> = vec![0; names.len()];
        let mut seen: Vec<bool> = vec![false; names.len()];
        let mut years: Vec<u16> = bodies
            .values()
            .flat_map(|b| b.docs.values().filter_map(|d| d.year))
            .collect();
        years.sort_unstable();
        years.dedup();
        let mut kinds: Vec<&str> = bodies.values().map(|b| b.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut doc_years = String::new();
        let mut body_rows = Vec::new();
        let mut version = 0xcbf2_9ce4_8422_2325u64;
        // One number per posting: the gap to the term's previous document less one, times 32,
        // plus the weight; a term in every document costs one character a document. The first
        // gap is counted from document -1. Calls `f` with each posting's term and number.
        let numbered = |last: &mut [u32],
                        seen: &mut [bool],
                        n: u32,
                        d: &DocEntry,
                        f: &mut dyn FnMut(usize, u32)| {
            for p in &d.postings {
                let (t, w) = ((p >> WEIGHT_BITS) as usize, p & MAX_WEIGHT);
                let gap = if seen[t] { n - last[t] } else { n + 1 };
                f(t, ((gap - 1) << WEIGHT_BITS) | w);
                last[t] = n;
                seen[t] = true;
            }
        };
        let mut n: u32 = 0;
        for (folder, body) in bodies {
            let kind = kinds.iter().position(|k| *k == body.kind).unwrap_or(0);
            body_rows.push((folder.as_str(), n, kind));
            for (local, d) in &body.docs {
                // Numbers within a body are dense when every page indexed; a gap would shift the
                // client's file names, so it is refused rather than written wrong.
                if *local as u32 != n - body_rows.last().map_or(0, |b| b.1) {
                    return Err(Diagnostic::error(
                        "F1",
                        "内部错误：搜索索引的文档编号不连续",
                    ));
                }
                doc_years.push(
                    match d.year.and_then(|y| years.iter().position(|x| *x == y)) {
                        Some(i) => alphabet(i as u32),
                        None => '.',
                    },
                );
                version = (version ^ d.hash).wrapping_mul(0x100_0000_01b3);
                numbered(&mut last, &mut seen, n, d, &mut |t, v| {
                    bytes[t] += number_len(v);
                });
                n += 1;
            }
        }
        // Each term's list in `flat`: `start[t]..start[t + 1]`.
        let mut start: Vec<usize> = Vec::with_capacity(names.len() + 1);
        let mut total = 0usize;
        for b in &bytes {
            start.push(total);
            total += *b as usize;
        }
        start.push(total);
        let mut flat = vec![0u8; total];
        let mut at: Vec<usize> = start[..names.len()].to_vec();
        // The second pass sees the same terms again.
        seen.fill(false);
        for (m, d) in (0u32..).zip(bodies.values().flat_map(|b| b.docs.values())) {
            numbered(&mut last, &mut seen, m, d, &mut |t, v| {
                write_number(&mut flat, &mut at[t], v);
            });
        }
        let list = |t: usize| std::str::from_utf8(&flat[start[t]..start[t + 1]]).unwrap_or("");
        // Terms of documents that are gone (a preview's bodies rendered again) are left out.
        let used = seen.iter().filter(|s| **s).count();
        // Shards: a power of two, so that a shard holds about SHARD_TARGET_BYTES.
        let total = total + used * 10;
        let shards = (total / SHARD_TARGET_BYTES)
            .max(1)
            .next_power_of_two()
            .min(4096);
        let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); shards];
        for (t, name) in names.iter().enumerate().filter(|(t, _)| seen[*t]) {
            by_shard[(shard_hash(name) as usize) & (shards - 1)].push(t);
        }
        // Each shard goes out as soon as it is made (all of them at once were 40 MB at 10,000),
        // in parallel (the platform's own pages are all that is left beside them); the version
        // folds the shards' hashes in shard order.
        let shard_hashes = by_shard
            .par_iter_mut()
            .enumerate()
            .map(|(s, terms)| -> Result<u64, Diagnostic> {
                terms.sort_unstable_by(|a, b| names[*a].cmp(&names[*b]));
                let size: usize = terms
                    .iter()
                    .map(|t| names[*t].len() + start[*t + 1] - start[*t] + 6)
                    .sum();
                let mut js = String::with_capacity(size + 32);
                js.push_str(&format!("gongkaiSearch.s({s},{{"));
                for (k, t) in terms.iter().enumerate() {
                    if k > 0 {
                        js.push(',');
                    }
                    // Terms are Han characters, ASCII letters and digits: nothing to escape.
                    js.push('"');
                    js.push_str(&names[*t]);
                    js.push_str("\":\"");
                    js.push_str(list(*t));
                    js.push('"');
                }
                js.push_str("});\n");
                let hash = content_hash(js.as_bytes());
                out.put(format!("{DIR}/i/{s}.js"), js.into_bytes())?;
                Ok(hash)
            })
            .collect::<Result<Vec<u64>, Diagnostic>>()?;
        for hash in shard_hashes {
            version = (version ^ hash).wrapping_mul(0x100_0000_01b3);
        }
        let meta = serde_json::json!({
            "v": format!("{:016x}", version),
            "n": n,
            "shards": shards,
            "years": years,
            "kinds": kinds,
            "bodies": body_rows,
            "dy": doc_years,
        });
        out.put(
            format!("{DIR}/index.js"),
            format!("gongkaiSearch.m({meta});\n").into_bytes(),
        )
    }
}

/// The client's name for a document's text file: `<folder>/<n>` (`<n>` alone for an office).
fn text_key(folder: &str, local: usize) -> String {
    if folder.is_empty() {
        local.to_string()
    } else {
        format!("{folder}/{local}")
    }
}

/// A token of text or query.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Two adjacent Han characters.
    Bigram(char, char),
    /// A run of ASCII letters and digits (lower case), two to [`MAX_TOKEN`] long.
    Word(&'a str),
}

/// Full-width ASCII to ASCII, ASCII letters to lower case.
fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Han characters (the unified ideographs, extensions and compatibility ideographs). The
/// unified ideographs, nearly every Han character of a report, are one comparison.
fn is_han(c: char) -> bool {
    let c = c as u32;
    c.wrapping_sub(0x4E00) <= 0x9FFF - 0x4E00
        || matches!(c, 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Call `f` with every token of `text`, in order.
pub(crate) fn tokens(text: &str, mut f: impl FnMut(Token<'_>)) {
    let mut prev_han: Option<char> = None;
    let mut word = String::new();
    let flush = |word: &mut String, f: &mut dyn FnMut(Token<'_>)| {
        if (2..=MAX_TOKEN).contains(&word.len()) {
            f(Token::Word(word));
        }
        word.clear();
    };
    for c in text.chars() {
        // Folding leaves Han characters as they are and makes none: they are looked at first.
        if is_han(c) {
            if !word.is_empty() {
                flush(&mut word, &mut f);
            }
            if let Some(p) = prev_han {
                f(Token::Bigram(p, c));
            }
            prev_han = Some(c);
            continue;
        }
        prev_han = None;
        let c = fold(c);
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() {
            flush(&mut word, &mut f);
        }
    }
    flush(&mut word, &mut f);
}

fn bigram_text(packed: u64) -> String {
    let a = char::from_u32((packed >> 21) as u32).unwrap_or('\u{fffd}');
    let b = char::from_u32((packed & 0x1F_FFFF) as u32).unwrap_or('\u{fffd}');
    [a, b].iter().collect()
}

/// The shard of a term: FNV-1a over its code points, then mixed (the same in `search.js`).
pub(crate) fn shard_hash(term: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for c in term.chars() {
        h = (h ^ c as u32).wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x045d_9f3b);
    h ^ (h >> 16)
}

/// The client's 64-character alphabet: the first 32 characters end a number, the last 32
/// continue it (five bits each, lowest first). No character needs escaping in a JS string.
const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

fn alphabet(i: u32) -> char {
    ALPHABET[(i & 63) as usize] as char
}

/// Append `v` in the client's alphabet (the plain form of [`write_number`], for the tests).
#[cfg(test)]
fn push_number(out: &mut Vec<u8>, mut v: u32) {
    while v >= 32 {
        out.push(ALPHABET[(32 + (v & 31)) as usize]);
        v >>= 5;
    }
    out.push(ALPHABET[v as usize]);
}

/// How many characters [`write_number`] writes for `v`: one per five bits.
fn number_len(v: u32) -> u32 {
    let bits = 32 - v.leading_zeros();
    1 + bits.saturating_sub(1) / 5
}

/// Write `v` in the client's alphabet into `out` at `*at`, which moves past it: five bits a
/// character, lowest first, each but the last from the alphabet's second half.
fn write_number(out: &mut [u8], at: &mut usize, mut v: u32) {
    while v >= 32 {
        out[*at] = ALPHABET[(32 + (v & 31)) as usize];
        *at += 1;
        v >>= 5;
    }
    out[*at] = ALPHABET[v as usize];
    *at += 1;
}

/// A document's posting: term id and weight (capped at [`MAX_WEIGHT`]) in one number.
fn posting(id: u32, weight: u32) -> u32 {
    (id << WEIGHT_BITS) | weight.min(MAX_WEIGHT)
}

/// A hash of a file's bytes, for the version stamp (only equal builds need equal stamps).
fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// A Markdown page split at its level-2 headings: the text before the first (under the page's
/// title) and one part per heading, with the ids the rendered page gives them.
pub(crate) fn markdown_parts(md: &str, title: &str) -> Vec<Part> {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let rendered = markdown::render(
        md,
        &markdown::RenderOptions {
            id_prefix: String::new(),
            take_title: true,
            plain_text: false,
        },
    );
    let mut ids = rendered.headings.iter().filter(|h| h.level == 2);
    let mut parts = vec![Part {
        anchor: String::new(),
        heading: title.to_string(),
        text: String::new(),
    }];
    // Byte ranges of each part in the source, then their plain text.
    let mut starts = vec![0usize];
    let mut title_end = None;
    for (event, range) in Parser::new_ext(md, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if title_end.is_none() && starts.len() == 1 => title_end = Some(range.end),
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                if let Some(h) = ids.next() {
                    starts.push(range.start);
                    parts.push(Part {
                        anchor: h.id.clone(),
                        heading: h.text.clone(),
                        text: String::new(),
                    });
                }
            }
            Event::End(TagEnd::Heading(_)) => {}
            _ => {}
        }
    }
    let title_end = title_end.unwrap_or(0);
    for i in 0..parts.len() {
        let from = if i == 0 { title_end } else { starts[i] };
        let to = starts.get(i + 1).copied().unwrap_or(md.len());
        let src = md.get(from.min(to)..to).unwrap_or("");
        let mut text = markdown::plain_text(src);
        if i > 0 {
            // Drop the heading's own line.
            text = text
                .split_once('\n')
                .map_or(String::new(), |x| x.1.to_string());
        }
        parts[i].text = text;
    }
    parts.retain(|p| !p.text.is_empty() || !p.anchor.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokens(text, |t| {
            v.push(match t {
                Token::Bigram(a, b) => format!("{a}{b}"),
                Token::Word(w) => w.to_string(),
            })
        });
        v
    }

    /// [`tokens`] as first written: every character folded, then sorted.
    fn tokens_plainly(text: &str) -> Vec<String> {
        let han = |c: char| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F);
        let mut out = Vec::new();
        let mut prev: Option<char> = None;
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut Vec<String>| {
            if (2..=MAX_TOKEN).contains(&word.len()) {
                out.push(word.clone());
            }
            word.clear();
        };
        for c in text.chars() {
            let c = fold(c);
            if han(c) {
                flush(&mut word, &mut out);
                if let Some(p) = prev {
                    out.push([p, c].iter().collect());
                }
                prev = Some(c);
            } else if c.is_ascii_alphanumeric() {
                prev = None;
                word.push(c);
            } else {
                prev = None;
                flush(&mut word, &mut out);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    #[test]
    fn tokens_are_those_of_folding_every_character_first() {
        // Every kind of character at each edge of the Han ranges and of the folded ones, in
        // runs and alone, next to each other in every order.
        let kinds = [
            "东柳",
            "行政复议",
            "\u{3400}\u{4DBF}",
            "\u{33FF}\u{4DC0}",
            "\u{4DFF}\u{4E00}",
            "\u{9FFF}\u{A000}",
            "\u{F8FF}\u{F900}\u{FAFF}\u{FB00}",
            "\u{1FFFF}\u{20000}",
            "\u{3134F}\u{31350}",
            "ＡＢｃ１２",
            "\u{FF00}\u{FF01}\u{FF5E}\u{FF5F}",
            "Ab9",
            "x",
            "，",
            "。",
            " ",
            "\n",
            "2021年",
            "ä",
            "",
        ];
        let mut texts = Vec::new();
        for a in kinds {
            for b in kinds {
                texts.push(format!("{a}{b}"));
                for c in ["ｚ", "字", "-"] {
                    texts.push(format!("{a}{c}{b}"));
                }
            }
        }
        texts.push("a".repeat(MAX_TOKEN + 1) + "东柳" + &"b".repeat(MAX_TOKEN));
        for text in &texts {
            assert_eq!(all(text), tokens_plainly(text), "{text:?}");
        }
    }

    #[test]
    fn tokens_are_bigrams_and_words() {
        assert_eq!(all("行政复议"), ["行政", "政复", "复议"]);
        assert_eq!(all("东柳 2021年"), ["东柳", "2021"]);
        assert_eq!(all("２０２１年度ＡＢ"), ["2021", "年度", "ab"]);
        // Punctuation separates; a single character is no term.
        assert_eq!(all("公开、年"), ["公开"]);
        assert_eq!(all("a 1 x9"), ["x9"]);
    }

    #[test]
    fn numbers_are_as_long_as_they_are_written() {
        let mut probe = vec![0, 1, 31, 32, 33, 1023, 1024, 1025, u32::MAX, u32::MAX - 1];
        probe.extend((0..32).map(|b| 1u32 << b));
        probe.extend((1..32).map(|b| (1u32 << b) - 1));
        for v in probe {
            let mut pushed = Vec::new();
            push_number(&mut pushed, v);
            assert_eq!(number_len(v) as usize, pushed.len(), "{v}");
            let mut written = vec![0u8; pushed.len()];
            let mut at = 0;
            write_number(&mut written, &mut at, v);
            assert_eq!((written, at), (pushed.clone(), pushed.len()), "{v}");
        }
    }

    #[test]
    fn numbers_round_trip_through_the_alphabet() {
        for v in [0u32, 1, 31, 32, 1000, 123_456, u32::MAX] {
            let mut out = Vec::new();
            push_number(&mut out, v);
            // Decode as the client does.
            let mut got = 0u64;
            let mut shift = 0;
            for c in &out {
                let i = ALPHABET.iter().position(|a| a == c).unwrap() as u64;
                if i >= 32 {
                    got |= (i - 32) << shift;
                    shift += 5;
                } else {
                    got |= i << shift;
                    break;
                }
            }
            assert_eq!(got, u64::from(v), "{}", String::from_utf8_lossy(&out));
        }
    }

    #[test]
    fn shard_hash_matches_the_client() {
        // The values of search.js's shardOf hash (before the mask), computed in Node; an
        // extension-B pair checks that both sides hash code points, not UTF-16 units.
        // tests/e2e/reader.js checks in Chromium that the client loads the shards this wrote.
        assert_eq!(shard_hash("行政"), 1_747_971_481);
        assert_eq!(shard_hash("政复"), 2_291_314_771);
        assert_eq!(shard_hash("2021"), 4_105_858_371);
        assert_eq!(shard_hash("\u{20000}\u{20001}"), 615_197_987);
    }

    #[test]
    fn plain_text_joins_cjk_lines_and_drops_markup() {
        // Inline HTML's text is shown on the page (the sanitiser keeps it).
        let md = "第一行\n第二行**加粗**\n\n- 项目一\n- 项目 two\n\n<b>粗</b>体\n";
        assert_eq!(
            markdown::plain_text(md),
            "第一行第二行加粗\n项目一\n项目 two\n粗体"
        );
    }

    #[test]
    fn markdown_parts_follow_level_two_headings() {
        let md = "# 指南\n\n开头的话。\n\n## 一、公开方式\n\n网站公开。\n\n## 二、申请\n\n依申请公开。\n";
        let parts = markdown_parts(md, "指南");
        let got: Vec<(&str, &str, &str)> = parts
            .iter()
            .map(|p| (p.anchor.as_str(), p.heading.as_str(), p.text.as_str()))
            .collect();
        assert_eq!(got[0], ("", "指南", "开头的话。"));
        assert_eq!(got[1].1, "一、公开方式");
        assert_eq!(got[1].2, "网站公开。");
        assert_eq!(got[2].2, "依申请公开。");
        assert!(!got[1].0.is_empty());
    }
}
