//! Matching the labels a report prints against the labels of an edition's tables.
//!
//! A printed label matches when its folded form ([`normalize::fold`]) equals an official label
//! or alias. Real reports also write instructions after a label (`规章（设区的市、自治州人民政府
//! 应提供相关数据）`, the Wuhan variant) or a unit (`采购总金额（万元）`): the label before the
//! bracket matches and the bracketed note is reported. A piece of a label broken across cells
//! (`本年新` / `公开数量`) is a fragment, joined by the caller. OCR noise of one character in a
//! label of four or more characters matches when exactly one label is that close.

use crate::format::{ColumnNode, Edition, RowNode};

use super::extract::Normalisation;
use super::normalize::{fold, has_traditional, has_year_brackets};

/// What a label names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// A part title (a table's title row repeating the part heading).
    PartTitle(usize),
    /// A part-二 caption `第二十条第（一）项`.
    Caption(usize),
    /// The row-label header `信息内容`.
    RowHeader(usize),
    /// The corner note of table 三.
    Corner(usize),
    /// A column (leaf or group) of a table.
    Column {
        table: usize,
        node: &'static ColumnNode,
    },
    /// A row (data row or group) of a table.
    Row {
        table: usize,
        node: &'static RowNode,
    },
}

impl Target {
    /// The table the target belongs to, if any.
    pub(crate) fn table(&self) -> Option<usize> {
        match *self {
            Target::PartTitle(_) => None,
            Target::Caption(t) | Target::RowHeader(t) | Target::Corner(t) => Some(t),
            Target::Column { table, .. } | Target::Row { table, .. } => Some(table),
        }
    }
}

/// How a label matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum How {
    /// The official label, possibly in another width, with spaces, in traditional characters.
    Exact,
    /// An accepted alias (e.g. 规范性文件 for 行政规范性文件 in a 2021-edition table).
    Alias,
    /// The label followed by a bracketed note, which was dropped.
    WithNote(String),
    /// One character off (OCR noise).
    Fuzzy,
    /// The start of a label (broken across cells, or truncated).
    Fragment,
}

/// A match: every target with this label (labels repeat in table 四) and the official label.
#[derive(Debug, Clone)]
pub(crate) struct LabelMatch {
    pub targets: Vec<Target>,
    pub how: How,
    pub official: &'static str,
}

struct Entry {
    folded: String,
    target: Target,
    official: &'static str,
    alias: bool,
}

/// The labels of some tables of one edition.
pub(crate) struct Matcher {
    entries: Vec<Entry>,
}

impl Matcher {
    /// Labels of the given tables; `parts` adds the part titles and variants.
    pub(crate) fn new(edition: &'static Edition, tables: &[usize], parts: bool) -> Self {
        let mut entries = Vec::new();
        let mut push =
            |label: &'static str, target: Target, alias: bool, official: &'static str| {
                entries.push(Entry {
                    folded: fold(label),
                    target,
                    official,
                    alias,
                });
            };
        if parts {
            for (i, p) in edition.parts.iter().enumerate() {
                push(&p.title, Target::PartTitle(i), false, &p.title);
                for v in &p.variants {
                    push(v, Target::PartTitle(i), false, &p.title);
                }
            }
        }
        for &ti in tables {
            let t = &edition.tables[ti];
            if let Some(c) = &t.caption {
                push(c, Target::Caption(ti), false, c);
            }
            if let Some(h) = &t.row_header {
                push(h, Target::RowHeader(ti), false, h);
            }
            if let Some(c) = &t.corner {
                push(c, Target::Corner(ti), false, c);
                // The corner note is often printed without its brackets.
                let bare: &'static str = c.trim_matches(['（', '）']);
                push(bare, Target::Corner(ti), false, c);
            }
            fn columns(
                nodes: &'static [ColumnNode],
                ti: usize,
                push: &mut dyn FnMut(&'static str, Target, bool, &'static str),
            ) {
                for n in nodes {
                    let target = Target::Column { table: ti, node: n };
                    push(&n.label, target, false, &n.label);
                    for a in &n.aliases {
                        push(a, target, true, &n.label);
                    }
                    columns(&n.children, ti, push);
                }
            }
            fn rows(
                nodes: &'static [RowNode],
                ti: usize,
                push: &mut dyn FnMut(&'static str, Target, bool, &'static str),
            ) {
                for n in nodes {
                    let target = Target::Row { table: ti, node: n };
                    push(&n.label, target, false, &n.label);
                    for a in &n.aliases {
                        // Short forms of a long label (（二）部分公开) are the same label, not an
                        // alias of another edition.
                        let alias = !n.label.starts_with(a.as_str());
                        push(a, target, alias, &n.label);
                    }
                    rows(&n.children, ti, push);
                }
            }
            columns(&t.columns, ti, &mut push);
            rows(&t.rows, ti, &mut push);
        }
        Matcher { entries }
    }

    fn exact(&self, folded: &str) -> Option<LabelMatch> {
        let hits: Vec<&Entry> = self.entries.iter().filter(|e| e.folded == folded).collect();
        let first = hits.first()?;
        let mut targets: Vec<Target> = Vec::new();
        for h in &hits {
            if !targets.iter().any(|t| same(t, &h.target)) {
                targets.push(h.target);
            }
        }
        Some(LabelMatch {
            targets,
            how: if hits.iter().all(|h| h.alias) {
                How::Alias
            } else {
                How::Exact
            },
            official: first.official,
        })
    }

    /// Match one printed label (not a fragment join: see [`Matcher::is_prefix`]).
    pub(crate) fn classify(&self, text: &str) -> Option<LabelMatch> {
        let f = fold(text);
        if f.is_empty() {
            return None;
        }
        if let Some(m) = self.exact(&f) {
            return Some(m);
        }
        // A label followed by a bracketed note: try every opening bracket after the start.
        for (i, _) in f.match_indices('（').filter(|(i, _)| *i > 0) {
            // The note is the rest of the cell: closed at its end, or cut off (never followed
            // by more cells, e.g. the numbers of a space-separated row).
            let note = &f[i..];
            let whole = note.ends_with('）')
                || (!note.contains('）') && !note.ends_with(|c: char| c.is_ascii_digit()));
            if !whole {
                continue;
            }
            if let Some(mut m) = self.exact(&f[..i]) {
                m.how = How::WithNote(f[i..].to_string());
                return Some(m);
            }
        }
        if self.is_prefix(&f) && f.chars().count() >= 2 {
            let targets: Vec<Target> = self
                .entries
                .iter()
                .filter(|e| e.folded.starts_with(&f))
                .map(|e| e.target)
                .fold(Vec::new(), |mut acc, t| {
                    if !acc.iter().any(|a| same(a, &t)) {
                        acc.push(t);
                    }
                    acc
                });
            let official = self
                .entries
                .iter()
                .find(|e| e.folded.starts_with(&f))
                .map_or("", |e| e.official);
            return Some(LabelMatch {
                targets,
                how: How::Fragment,
                official,
            });
        }
        let chars: Vec<char> = f.chars().collect();
        if chars.len() >= 4 {
            let close: Vec<&Entry> = self
                .entries
                .iter()
                .filter(|e| {
                    let ec: Vec<char> = e.folded.chars().collect();
                    ec.len() >= 4 && within_one(&chars, &ec)
                })
                .collect();
            let distinct: Vec<&str> = close.iter().fold(Vec::new(), |mut acc, e| {
                if !acc.contains(&e.official) {
                    acc.push(e.official);
                }
                acc
            });
            if distinct.len() == 1 {
                let mut m = self.exact(&close[0].folded)?;
                m.how = How::Fuzzy;
                return Some(m);
            }
        }
        None
    }

    /// Whether a folded text is the start of some label.
    pub(crate) fn is_prefix(&self, folded: &str) -> bool {
        !folded.is_empty() && self.entries.iter().any(|e| e.folded.starts_with(folded))
    }

    /// Whether a folded text is exactly a label.
    pub(crate) fn is_label(&self, folded: &str) -> bool {
        self.entries.iter().any(|e| e.folded == folded)
    }
}

fn same(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Column { node: x, .. }, Target::Column { node: y, .. }) => std::ptr::eq(*x, *y),
        (Target::Row { node: x, .. }, Target::Row { node: y, .. }) => std::ptr::eq(*x, *y),
        (Target::PartTitle(x), Target::PartTitle(y))
        | (Target::Caption(x), Target::Caption(y))
        | (Target::RowHeader(x), Target::RowHeader(y))
        | (Target::Corner(x), Target::Corner(y)) => x == y,
        _ => false,
    }
}

/// Edit distance of at most one.
fn within_one(a: &[char], b: &[char]) -> bool {
    match a.len().abs_diff(b.len()) {
        0 => a.iter().zip(b).filter(|(x, y)| x != y).count() <= 1,
        1 => {
            let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
            let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

/// The normalisations a matched label took, for the import summary.
pub(crate) fn label_notes(
    original: &str,
    m: &LabelMatch,
    line: usize,
    joined: bool,
) -> Vec<Normalisation> {
    let mut out = Vec::new();
    let shown: String = original.trim().to_string();
    let official = m.official;
    let mut push = |kind: &str, message: String| {
        out.push(Normalisation::new(
            Some(line),
            kind,
            shown.clone(),
            official,
            message,
        ));
    };
    if joined {
        push("label_joined", format!("断开的栏目名拼接为「{official}」"));
    } else if original.trim().chars().any(super::normalize::is_space)
        && !matches!(m.how, How::WithNote(_))
    {
        push(
            "label_spaces",
            format!("去掉栏目名中的空格：「{official}」"),
        );
    }
    if original.contains('\\') {
        push("backslash", "「\\」改为「/」".to_string());
    }
    if has_traditional(original) {
        push("traditional", format!("繁体字栏目名按「{official}」识别"));
    }
    if has_year_brackets(original) {
        push(
            "year_in_label",
            format!("去掉栏目名中插入的年份：「{official}」"),
        );
    }
    if original.chars().any(|c| "(),:;".contains(c))
        && official.chars().any(|c| "（），：；".contains(c))
    {
        push(
            "half_width_punctuation",
            format!("半角标点按全角识别：「{official}」"),
        );
    }
    match &m.how {
        How::Exact => {}
        How::Alias => push(
            "label_alias",
            format!("「{shown}」按格式栏目「{official}」识别"),
        ),
        How::WithNote(note) => push(
            "label_note",
            format!("栏目名后的说明文字「{note}」已略去，按「{official}」识别"),
        ),
        How::Fuzzy => push(
            "fuzzy_label",
            format!("「{shown}」与「{official}」只差一个字（疑为识别错误），按「{official}」识别"),
        ),
        How::Fragment if m.targets.len() > 1 => push(
            "label_fragment",
            format!(
                "栏目名「{shown}」不完整，可能是 {} 个栏目之一",
                m.targets.len()
            ),
        ),
        How::Fragment => push(
            "label_fragment",
            format!("栏目名「{shown}」不完整，按「{official}」识别"),
        ),
    }
    out
}

/// The leaf columns of a column node, in order.
pub(crate) fn leaves_of(node: &ColumnNode) -> Vec<usize> {
    let mut out = Vec::new();
    fn walk(n: &ColumnNode, out: &mut Vec<usize>) {
        if let Some(i) = n.leaf {
            out.push(i);
        }
        for c in &n.children {
            walk(c, out);
        }
    }
    walk(node, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format;

    fn m2019() -> (Matcher, &'static Edition) {
        let e = format::builtin().by_id("2019").unwrap();
        let tables: Vec<usize> = (0..e.tables.len()).collect();
        (Matcher::new(e, &tables, true), e)
    }

    #[test]
    fn exact_note_fragment_fuzzy() {
        let (m, _) = m2019();
        assert_eq!(m.classify("本年增\\减").unwrap().how, How::Exact);
        let note = m.classify("上一年项目数量 (指2019年事项数)").unwrap();
        assert_eq!(note.official, "上一年项目数量");
        assert!(matches!(note.how, How::WithNote(_)));
        let unit = m.classify("采购总金额(万元)").unwrap();
        assert_eq!(unit.how, How::WithNote("（万元）".into()));
        let frag = m.classify("本年新").unwrap();
        assert_eq!(frag.how, How::Fragment);
        assert_eq!(frag.targets.len(), 2);
        assert_eq!(m.classify("规范性文仵").unwrap().how, How::Fuzzy);
        assert!(m.classify("其他主动公开文件(含以本单位名义)").is_none());
        assert!(m.classify("行政检查").is_none());
        assert_eq!(m.classify("结果维持").unwrap().targets.len(), 3);
        assert_eq!(
            m.classify("(二)部分公开(区分处理的,只计这一情形,不计其他情形)")
                .unwrap()
                .how,
            How::Exact
        );
    }
}
