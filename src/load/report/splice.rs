//! Editing report.yaml without rewriting it: splice, don't rewrite (EDITING.md).
//!
//! Form editors for static-site data parse the file into plain values and write the whole file
//! back, so comments, key order, quoting and number types are lost. gongkai's YAML tree keeps
//! the span of every key and value, so an edit here replaces exactly the bytes of the values
//! that change and nothing else:
//!
//! 1. every change is located along the edition's labels (part → table → row path → column
//!    path, or a metadata key), with the same key matching as the loader (aliases, label
//!    folding);
//! 2. a value in the file is replaced within its span, in the file's own quoting where that is
//!    still right; a value that is not in the file (a 总计 left out to be computed) is inserted
//!    as a new line where the scaffold (`writer.rs`) would put it — after the entries that come
//!    before it in the format, with their indentation and the file's line endings;
//! 3. the result is parsed again and its tree compared with the intended one (every edited path
//!    holds its new value, every other path and comment-free value is as it was); otherwise the
//!    edit is refused.
//!
//! Spans are byte offsets into the text as the loader reads it (BOM dropped, line endings `\n`);
//! [`Stored`] maps them back to the file as stored, so a CRLF file stays CRLF and a BOM stays.
//!
//! Why not a lossless YAML editor crate (yaml-edit 0.3, a rowan tree with insertion by field
//! order; noyalib's `cst`, 0.0.x; yaml-rt 0.1): each is a second parser beside the loader's,
//! whose keys, spans and errors would have to agree with it, and none knows the edition's labels
//! (aliases, label folding, flattened column groups). Here the loader's own tree locates every
//! value and the loader's own parse checks the result; yaml-edit's tests keep lists of known
//! edit failures, CRLF files among them.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use super::{Cell, Loader, addressable_columns, part_key_matches};
use crate::format::{
    self, ColumnNode, Edition, KEY_EDITION, KEY_PUBLISHED, KEY_TITLE, KEY_YEAR, Part, PartKind,
    RowNode, normalize_label,
};
use crate::load::yaml::{self, Node, Quoting, Value};
use crate::source::SourceFile;

/// A text file as stored (its BOM and line endings as written) and as the loader reads it.
#[derive(Debug, Clone)]
pub struct Stored {
    raw: String,
    /// Length of the BOM (0 or 3).
    bom: usize,
    /// Offsets in the loader's text of each `\n` that was `\r\n` in the file.
    crlf: Vec<usize>,
    /// The text as the loader reads it.
    pub file: SourceFile,
}

impl Stored {
    /// `raw`, the file's text as stored, known to the loader as `name`.
    pub fn new(name: &str, raw: String) -> Stored {
        let bom = if raw.starts_with('\u{feff}') { 3 } else { 0 };
        let mut text = String::with_capacity(raw.len());
        let mut crlf = Vec::new();
        let body = &raw[bom..];
        let mut rest = body;
        // The same normalisation as `read::decode`: `\r\n` → `\n`, a lone `\r` → `\n`.
        while let Some(i) = rest.find('\r') {
            text.push_str(&rest[..i]);
            if rest[i + 1..].starts_with('\n') {
                crlf.push(text.len());
                rest = &rest[i + 1..];
            } else {
                text.push('\n');
                rest = &rest[i + 1..];
            }
        }
        text.push_str(rest);
        Stored {
            raw,
            bom,
            crlf,
            file: SourceFile::new(name.to_string(), text),
        }
    }

    /// The file as stored.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The offset in the stored file of an offset in the loader's text.
    pub fn to_raw(&self, offset: usize) -> usize {
        self.bom + offset + self.crlf.partition_point(|&at| at < offset)
    }

    /// The line ending of the line at `offset` (the loader's text), as stored: that line's own,
    /// or for a last line without one, the file's usual one.
    pub fn eol_at(&self, offset: usize) -> &'static str {
        let text: &str = &self.file.text;
        match text[offset.min(text.len())..].find('\n') {
            Some(i) => {
                let at = offset + i;
                if self.crlf.binary_search(&at).is_ok() {
                    "\r\n"
                } else if self.raw.as_bytes().get(self.to_raw(at)) == Some(&b'\r') {
                    "\r"
                } else {
                    "\n"
                }
            }
            None if !self.crlf.is_empty() => "\r\n",
            None => "\n",
        }
    }

    /// Apply edits given in the loader's offsets to the stored text; `\n` in their text becomes
    /// the line ending of the place they go. Edits must not overlap; at one offset they go in
    /// the order given.
    pub fn apply(&self, edits: &[Edit]) -> Result<Spliced, SpliceError> {
        let mut raw_edits: Vec<Edit> = edits
            .iter()
            .map(|e| {
                let eol = self.eol_at(e.range.start);
                Edit {
                    range: self.to_raw(e.range.start)..self.to_raw(e.range.end),
                    text: if eol == "\n" {
                        e.text.clone()
                    } else {
                        e.text.replace('\n', eol)
                    },
                }
            })
            .collect();
        // Stable: insertions at one offset keep their order.
        raw_edits.sort_by_key(|e| (e.range.start, e.range.end));
        let mut out = String::with_capacity(self.raw.len() + 256);
        let mut at = 0;
        for e in &raw_edits {
            if e.range.start < at {
                return Err(SpliceError::Overlap);
            }
            out.push_str(&self.raw[at..e.range.start]);
            out.push_str(&e.text);
            at = e.range.end;
        }
        out.push_str(&self.raw[at..]);
        Ok(Spliced {
            text: out,
            edits: raw_edits,
        })
    }
}

/// One edit: replace `range` by `text` (an insertion has an empty range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced.
    pub range: Range<usize>,
    /// What replaces it.
    pub text: String,
}

/// The edited file: its text as stored, and the edits in the stored file's offsets, in order.
#[derive(Debug, Clone)]
pub struct Spliced {
    /// The new text of the file.
    pub text: String,
    /// What changed: ranges of the old file and what took their place.
    pub edits: Vec<Edit>,
}

/// What a change sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A cell: table, row and column, as leaf indices of the edition.
    Cell {
        /// Table index.
        table: usize,
        /// Leaf row.
        row: usize,
        /// Leaf column.
        column: usize,
    },
    /// `标题` or `发布日期`.
    Meta(&'static str),
}

/// One change: the target and the scalar text it should hold (as the loader reads it, without
/// YAML quoting; quotes are added where YAML needs them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What is set.
    pub target: Target,
    /// The new text.
    pub text: String,
}

/// Why an edit was refused. Nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpliceError {
    /// The file is not a YAML mapping (a syntax error, or empty): it must be fixed by hand.
    NotAMap(String),
    /// The place of a value holds something else (a list, a single value where rows go).
    Shape(String),
    /// The value would go into a one-line `{ … }` mapping or a `|` block.
    Form(String),
    /// The same value is changed twice.
    Twice(String),
    /// Two edits overlap (a bug).
    Overlap,
    /// The edited file does not read back as intended (a bug, or an unusual file).
    Mismatch(String),
}

impl fmt::Display for SpliceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpliceError::NotAMap(why) => write!(
                f,
                "report.yaml 现在无法读取（{why}），编辑器不能在其中修改数字。请先用文本编辑器改正，或运行 gongkai check 查看问题。"
            ),
            SpliceError::Shape(path) => write!(
                f,
                "「{path}」在 report.yaml 中的写法与格式不符（应逐项填写），编辑器无法修改。请先用文本编辑器改正。"
            ),
            SpliceError::Form(path) => write!(
                f,
                "「{path}」在 report.yaml 中写成了一行的 {{ … }} 或多行文本块，编辑器无法在其中增加栏目。请改为每项一行后再保存。"
            ),
            SpliceError::Twice(path) => write!(f, "「{path}」被修改了两次；每个栏目只能改一次。"),
            SpliceError::Overlap => write!(f, "修改的位置相互重叠，未保存。"),
            SpliceError::Mismatch(what) => write!(
                f,
                "修改后的文件读回来与预期不符（{what}），为避免损坏数据，未保存。"
            ),
        }
    }
}

/// One key on the way to a value, matched as the loader matches it.
#[derive(Debug, Clone, Copy)]
enum Key<'e> {
    Meta(&'static str),
    Part(&'e Part),
    Table(&'e str),
    Row(&'e RowNode),
    Column(&'e ColumnNode),
}

impl Key<'_> {
    fn matches(&self, key: &str) -> bool {
        match self {
            Key::Meta(k) => key == *k,
            Key::Part(p) => part_key_matches(p, key),
            Key::Table(k) => normalize_label(k) == normalize_label(key),
            Key::Row(n) => n.is_key(key),
            Key::Column(n) => n.is_key(key),
        }
    }

    /// The key as the scaffold writes it.
    fn label(&self) -> &str {
        match self {
            Key::Meta(k) => k,
            Key::Part(p) => &p.heading,
            Key::Table(k) => k,
            Key::Row(n) => &n.label,
            Key::Column(n) => &n.label,
        }
    }
}

/// One level of the way: the key, and its siblings in the format's order (where it goes).
#[derive(Debug, Clone)]
struct Step<'e> {
    key: Key<'e>,
    order: usize,
    siblings: Vec<Key<'e>>,
}

/// The top-level keys in the scaffold's order.
fn top_keys(edition: &Edition) -> Vec<Key<'_>> {
    let mut keys = vec![
        Key::Meta(KEY_YEAR),
        Key::Meta(KEY_EDITION),
        Key::Meta(KEY_TITLE),
        Key::Meta(KEY_PUBLISHED),
    ];
    keys.extend(
        edition
            .parts
            .iter()
            .filter(|p| p.kind == PartKind::Tables)
            .map(Key::Part),
    );
    keys
}

fn step_among<'e>(siblings: Vec<Key<'e>>, order: usize) -> Step<'e> {
    Step {
        key: siblings[order],
        order,
        siblings,
    }
}

/// The keys leading to `target`, outermost first.
fn steps(edition: &Edition, target: Target) -> Option<Vec<Step<'_>>> {
    let top = top_keys(edition);
    match target {
        Target::Meta(k) => {
            let order = top
                .iter()
                .position(|t| matches!(t, Key::Meta(m) if *m == k))?;
            Some(vec![step_among(top, order)])
        }
        Target::Cell { table, row, column } => {
            let t = edition.tables.get(table)?;
            if row >= t.leaf_rows.len() || column >= t.leaf_columns.len() {
                return None;
            }
            let order = top
                .iter()
                .position(|k| matches!(k, Key::Part(p) if p.number == t.part))?;
            let mut out = vec![step_among(top, order)];
            let of_part: Vec<(usize, &format::Table)> = edition.tables_of(&t.part).collect();
            if of_part.len() > 1 {
                let keys: Vec<Key<'_>> = of_part
                    .iter()
                    .map(|(_, x)| Key::Table(x.key.as_deref().unwrap_or("")))
                    .collect();
                let order = of_part.iter().position(|(i, _)| *i == table)?;
                out.push(step_among(keys, order));
            }
            if !t.single_row() && !row_steps(&t.rows, row, &mut out) {
                return None;
            }
            column_steps(&t.columns, column, &mut out).then_some(out)
        }
    }
}

fn row_steps<'e>(nodes: &'e [RowNode], row: usize, out: &mut Vec<Step<'e>>) -> bool {
    fn holds(n: &RowNode, row: usize) -> bool {
        n.leaf == Some(row) || n.children.iter().any(|c| holds(c, row))
    }
    let Some(i) = nodes.iter().position(|n| holds(n, row)) else {
        return false;
    };
    out.push(step_among(nodes.iter().map(Key::Row).collect(), i));
    nodes[i].leaf == Some(row) || row_steps(&nodes[i].children, row, out)
}

fn column_steps<'e>(nodes: &'e [ColumnNode], column: usize, out: &mut Vec<Step<'e>>) -> bool {
    fn holds(n: &ColumnNode, column: usize) -> bool {
        n.leaf == Some(column) || n.children.iter().any(|c| holds(c, column))
    }
    let keys = addressable_columns(nodes);
    let Some(i) = keys.iter().position(|n| holds(n, column)) else {
        return false;
    };
    out.push(step_among(keys.iter().map(|n| Key::Column(n)).collect(), i));
    keys[i].leaf == Some(column) || column_steps(&keys[i].children, column, out)
}

/// Where a change goes.
#[derive(Debug)]
enum Place {
    /// A scalar in the file.
    Scalar {
        span: Range<usize>,
        quoting: Quoting,
        path: Vec<String>,
    },
    /// `key:` with nothing after the colon: the value goes after it.
    Empty { colon: usize, path: Vec<String> },
    /// Not in the file from `steps[depth]` on: new lines at `at`, indented by `indent`.
    Missing {
        depth: usize,
        at: usize,
        indent: usize,
        /// The path of the keys that are in the file.
        path: Vec<String>,
        /// The last of them had no value (`key:` alone), so it becomes a mapping.
        was_empty: bool,
    },
}

/// The start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Just after the end of the line holding `offset` (after its `\n`), or the end of the text.
fn after_line(text: &str, offset: usize) -> usize {
    text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The indentation of the key starting at `key_start`, if it begins its line (block style).
fn block_indent(text: &str, key_start: usize) -> Option<usize> {
    let start = line_start(text, key_start);
    text[start..key_start]
        .bytes()
        .all(|b| b == b' ')
        .then_some(key_start - start)
}

fn locate(text: &str, root: &Node, steps: &[Step<'_>]) -> Result<Place, SpliceError> {
    let shown = |depth: usize| -> String {
        steps[..=depth.min(steps.len() - 1)]
            .iter()
            .map(|s| s.key.label().to_string())
            .collect::<Vec<_>>()
            .join(" › ")
    };
    let mut node = root;
    let mut holder: Option<&yaml::Entry> = None;
    let mut path: Vec<String> = Vec::new();
    for (depth, step) in steps.iter().enumerate() {
        match &node.value {
            Value::Map(entries) => {
                if let Some(e) = entries.iter().find(|e| step.key.matches(&e.key)) {
                    path.push(e.key.clone());
                    holder = Some(e);
                    node = &e.value;
                    continue;
                }
                let mut indent = None;
                for e in entries {
                    match block_indent(text, e.key_span.start) {
                        Some(i) if indent.is_none_or(|x| x == i) => indent = Some(i),
                        _ => return Err(SpliceError::Form(shown(depth))),
                    }
                }
                let indent = indent.unwrap_or(0);
                let position = |e: &yaml::Entry| {
                    step.siblings
                        .iter()
                        .position(|k| k.matches(&e.key))
                        .unwrap_or(usize::MAX)
                };
                let before = entries
                    .iter()
                    .filter(|e| position(e) < step.order)
                    .map(|e| e.key_span.end.max(e.value.span.end))
                    .max();
                let after = entries
                    .iter()
                    .filter(|e| (step.order + 1..usize::MAX).contains(&position(e)))
                    .map(|e| e.key_span.start)
                    .min();
                let at = match (before, after) {
                    (Some(end), _) => after_line(text, end),
                    (None, Some(start)) => above_comments(text, line_start(text, start), indent),
                    (None, None) => entries
                        .iter()
                        .map(|e| e.key_span.end.max(e.value.span.end))
                        .max()
                        .map_or(text.len(), |end| after_line(text, end)),
                };
                return Ok(Place::Missing {
                    depth,
                    at,
                    indent,
                    path,
                    was_empty: false,
                });
            }
            Value::Null => {
                let Some(e) = holder else {
                    return Err(SpliceError::NotAMap("文件是空的".into()));
                };
                let Some(indent) = block_indent(text, e.key_span.start) else {
                    return Err(SpliceError::Form(shown(depth)));
                };
                return Ok(Place::Missing {
                    depth,
                    at: after_line(text, e.key_span.end),
                    indent: indent + 2,
                    path,
                    was_empty: true,
                });
            }
            _ if holder.is_none() => {
                return Err(SpliceError::NotAMap("最外层不是「栏目: 内容」".into()));
            }
            _ => return Err(SpliceError::Shape(shown(depth.saturating_sub(1)))),
        }
    }
    match &node.value {
        Value::Scalar(_, Quoting::Block) => Err(SpliceError::Form(shown(steps.len()))),
        Value::Scalar(_, quoting) => Ok(Place::Scalar {
            span: node.span.clone(),
            quoting: *quoting,
            path,
        }),
        Value::Null => {
            let e = holder.ok_or_else(|| SpliceError::NotAMap("文件是空的".into()))?;
            let colon = text[e.key_span.end..]
                .find(':')
                .map(|i| e.key_span.end + i + 1)
                .ok_or_else(|| SpliceError::Shape(shown(steps.len())))?;
            Ok(Place::Empty { colon, path })
        }
        _ => Err(SpliceError::Shape(shown(steps.len()))),
    }
}

/// Move an insertion point at a line start up over the comment lines right above it at the same
/// indentation (`# 法人或其他组织` heads the entries below it, so a new entry goes above it).
fn above_comments(text: &str, mut at: usize, indent: usize) -> usize {
    while at > 0 {
        let prev = line_start(text, at - 1);
        let line = &text[prev..at - 1];
        let body = line.trim_start_matches(' ');
        if body.starts_with('#') && line.len() - body.len() == indent {
            at = prev;
        } else {
            break;
        }
    }
    at
}

/// Whether `text` can be written as a plain YAML value and read back as the same text.
fn plain_value_ok(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let second = text.chars().nth(1);
    let indicator = matches!(
        first,
        '?' | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    ) || (first == '-' && second.is_none_or(|c| c == ' '));
    !indicator
        && !text.starts_with([' ', '\t'])
        && !text.ends_with([' ', '\t', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains(['\n', '\r', '\t'])
        && !text.chars().any(char::is_control)
        && !matches!(text, "~" | "null" | "Null" | "NULL")
}

/// `text` in double quotes, escaped.
fn double_quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if c.is_control() => s.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// How the new value is written: in the quotes the old one had when it was a quoted text (a
/// quoted number is an error the edit fixes), plain when that reads back the same, else in
/// double quotes.
fn as_written(text: &str, old: Option<(&str, Quoting)>) -> (String, Quoting) {
    if let Some((old_text, Quoting::Quoted)) = old
        && crate::number::Decimal::parse(text.trim()).is_none()
    {
        if old_text.starts_with('\'') && !text.contains(['\n', '\r']) {
            return (format!("'{}'", text.replace('\'', "''")), Quoting::Quoted);
        }
        return (double_quoted(text), Quoting::Quoted);
    }
    if plain_value_ok(text) {
        (text.to_string(), Quoting::Plain)
    } else {
        (double_quoted(text), Quoting::Quoted)
    }
}

/// A key as the scaffold writes it.
fn written_key(label: &str) -> String {
    super::writer::yaml_key(label)
}

/// One leaf of a tree for comparison: a scalar with its quoting, nothing, or an empty
/// collection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Leaf {
    Scalar(String, bool),
    Null,
    Empty,
}

fn flatten(node: &Node, path: &mut Vec<String>, out: &mut BTreeMap<Vec<String>, Leaf>) {
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => {
            for e in entries {
                path.push(e.key.clone());
                flatten(&e.value, path, out);
                path.pop();
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for (i, n) in items.iter().enumerate() {
                path.push(format!("\u{0}{i}"));
                flatten(n, path, out);
                path.pop();
            }
        }
        Value::Map(_) | Value::Seq(_) => {
            out.insert(path.clone(), Leaf::Empty);
        }
        Value::Null => {
            out.insert(path.clone(), Leaf::Null);
        }
        Value::Scalar(s, q) => {
            out.insert(path.clone(), Leaf::Scalar(s.clone(), *q == Quoting::Quoted));
        }
    }
}

/// The whole tree of a text, or why it has none.
fn tree(file: &SourceFile) -> Result<Node, SpliceError> {
    let (root, issues) = yaml::parse(file);
    match root {
        Some(root) => Ok(root),
        None => Err(SpliceError::NotAMap(
            issues
                .first()
                .map_or_else(|| "文件是空的".to_string(), |i| i.message.clone()),
        )),
    }
}

/// New lines to insert at one place: a tree of keys in the format's order, values at leaves.
#[derive(Debug, Default)]
struct Block {
    children: BTreeMap<(usize, String), Block>,
    value: Option<String>,
}

impl Block {
    fn write(&self, indent: usize, out: &mut String) {
        for ((_, label), child) in &self.children {
            out.push_str(&" ".repeat(indent));
            out.push_str(&written_key(label));
            out.push(':');
            match &child.value {
                Some(v) => {
                    out.push(' ');
                    out.push_str(v);
                    out.push('\n');
                }
                None => {
                    out.push('\n');
                    child.write(indent + 2, out);
                }
            }
        }
    }
}

/// Apply `changes` to the report.yaml in `stored`, read against `edition`: only the bytes of
/// the changed values change, values not in the file are inserted where the scaffold puts them,
/// and the result is read back and compared with the intended tree before it is returned.
pub fn splice(
    edition: &Edition,
    stored: &Stored,
    changes: &[Change],
) -> Result<Spliced, SpliceError> {
    let text: &str = &stored.file.text;
    let root = tree(&stored.file)?;
    let mut expected = BTreeMap::new();
    flatten(&root, &mut Vec::new(), &mut expected);
    let mut edits: Vec<Edit> = Vec::new();
    // Insertions by place: (offset, deeper first) → the new keys.
    let mut blocks: BTreeMap<(usize, std::cmp::Reverse<usize>), Block> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for change in changes {
        let steps = steps(edition, change.target)
            .ok_or_else(|| SpliceError::Shape(format!("{:?}", change.target)))?;
        let label = || {
            steps
                .iter()
                .map(|s| s.key.label())
                .collect::<Vec<_>>()
                .join(" › ")
        };
        if !seen.insert(change.target) {
            return Err(SpliceError::Twice(label()));
        }
        match locate(text, &root, &steps)? {
            Place::Scalar {
                span,
                quoting,
                path,
            } => {
                let (new, q) = as_written(&change.text, Some((&text[span.clone()], quoting)));
                expected.insert(
                    path,
                    Leaf::Scalar(change.text.clone(), q == Quoting::Quoted),
                );
                edits.push(Edit {
                    range: span,
                    text: new,
                });
            }
            Place::Empty { colon, path } => {
                let (new, q) = as_written(&change.text, None);
                expected.insert(
                    path,
                    Leaf::Scalar(change.text.clone(), q == Quoting::Quoted),
                );
                edits.push(Edit {
                    range: colon..colon,
                    text: format!(" {new}"),
                });
            }
            Place::Missing {
                depth,
                at,
                indent,
                mut path,
                was_empty,
            } => {
                if was_empty {
                    expected.remove(&path);
                }
                let (new, q) = as_written(&change.text, None);
                let mut block = blocks.entry((at, std::cmp::Reverse(indent))).or_default();
                for step in &steps[depth..] {
                    path.push(step.key.label().to_string());
                    block = block
                        .children
                        .entry((step.order, step.key.label().to_string()))
                        .or_default();
                }
                if !block.children.is_empty() || block.value.is_some() {
                    return Err(SpliceError::Twice(label()));
                }
                block.value = Some(new);
                expected.insert(
                    path,
                    Leaf::Scalar(change.text.clone(), q == Quoting::Quoted),
                );
            }
        }
    }
    for ((at, std::cmp::Reverse(indent)), block) in &blocks {
        let mut lines = String::new();
        // A last line without a line ending gets one before the new lines.
        if *at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            lines.push('\n');
        }
        block.write(*indent, &mut lines);
        edits.push(Edit {
            range: *at..*at,
            text: lines,
        });
    }
    let spliced = stored.apply(&edits)?;
    // Read back: the intended tree, nothing more, nothing less.
    let back = Stored::new(&stored.file.name, spliced.text.clone());
    let new_root = tree(&back.file)?;
    let mut got = BTreeMap::new();
    flatten(&new_root, &mut Vec::new(), &mut got);
    if got != expected {
        let differs = got
            .iter()
            .find(|(k, v)| expected.get(*k) != Some(*v))
            .map(|(k, _)| k.join(" › "))
            .or_else(|| {
                expected
                    .keys()
                    .find(|k| !got.contains_key(*k))
                    .map(|k| k.join(" › "))
            })
            .unwrap_or_default();
        return Err(SpliceError::Mismatch(format!("「{differs}」")));
    }
    Ok(spliced)
}

/// Every cell of `edition` (and `标题`, `发布日期`) as written in `file`: the span of its value
/// and its text (`None` for `key:` with nothing after it). What is not written is left out; an
/// unreadable file gives nothing.
pub fn written(
    edition: &Edition,
    file: &SourceFile,
) -> Vec<(Target, Range<usize>, Option<String>)> {
    let Ok(root) = tree(file) else {
        return Vec::new();
    };
    let text: &str = &file.text;
    let mut targets = vec![Target::Meta(KEY_TITLE), Target::Meta(KEY_PUBLISHED)];
    for (ti, t) in edition.tables.iter().enumerate() {
        for row in 0..t.leaf_rows.len() {
            for column in 0..t.leaf_columns.len() {
                targets.push(Target::Cell {
                    table: ti,
                    row,
                    column,
                });
            }
        }
    }
    targets
        .into_iter()
        .filter_map(|target| {
            let steps = steps(edition, target)?;
            match locate(text, &root, &steps).ok()? {
                Place::Scalar { span, .. } => {
                    let value = value_at(&root, &steps).unwrap_or_default();
                    Some((target, span, Some(value)))
                }
                Place::Empty { colon, .. } => Some((target, colon..colon, None)),
                Place::Missing { .. } => None,
            }
        })
        .collect()
}

/// The scalar text along `steps`.
fn value_at(root: &Node, steps: &[Step<'_>]) -> Option<String> {
    let mut node = root;
    for step in steps {
        node = &node
            .as_map()?
            .iter()
            .find(|e| step.key.matches(&e.key))?
            .value;
    }
    node.as_scalar().map(str::to_string)
}

/// Read one value for (table, row, column) of `edition` as the loader reads it: the cell, or
/// the loader's own message (S4 malformed number, S6 unit, R3.5 negative count …).
pub fn read_cell(
    edition: &'static Edition,
    table: usize,
    row: usize,
    column: usize,
    text: &str,
) -> Result<Cell, String> {
    let file = SourceFile::new("report.yaml", text);
    let mut loader = Loader {
        formats: format::builtin(),
        file: &file,
        diags: Vec::new(),
        foreign: Vec::new(),
    };
    let t = &edition.tables[table];
    let node = Node {
        value: if text.trim().is_empty() {
            Value::Null
        } else {
            Value::Scalar(text.to_string(), Quoting::Plain)
        },
        span: 0..text.len(),
    };
    let cell = loader.value(t, column, &node, &|| t.label_path(edition, row, column));
    let message = |diags: &[crate::diagnostic::Diagnostic]| {
        diags
            .iter()
            .find(|d| d.is_error())
            .map(|d| match &d.hint {
                Some(h) => format!("{}。{h}", d.message),
                None => d.message.clone(),
            })
            .unwrap_or_default()
    };
    match cell {
        Some(c) if !loader.diags.iter().any(|d| d.is_error()) => Ok(c),
        _ => Err(message(&loader.diags)),
    }
}

/// The canonical text of a value the loader accepted: digits as the format writes them (`12`,
/// `-8`, `+3` when written with a plus), money with the unit as written (`169844元`).
pub fn canonical(cell: &Cell, text: &str) -> String {
    let number = if cell.plus {
        cell.value.signed_text()
    } else {
        cell.value.to_string()
    };
    let t = text.trim();
    match ["万元", "元"].into_iter().find(|u| t.ends_with(u)) {
        Some(unit) => format!("{number}{unit}"),
        None => number,
    }
}

#[cfg(test)]
mod tests;
