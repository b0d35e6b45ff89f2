//! A YAML tree that remembers where every key and value came from.
//!
//! report.yaml is keyed by the official Chinese labels of the edition it declares, so its shape
//! is data, not a Rust struct. We therefore parse it into a generic tree of [`Node`]s, each with
//! its byte span, using the event parser of serde-saphyr (`granit-parser`), and walk that tree
//! against the edition definition. The tree is deliberately plain YAML: anchors, aliases, tags
//! and multiple documents are refused with a clear message (a clerk never needs them, and
//! refusing aliases rules out expansion bombs); nesting depth and file size are bounded.

use std::ops::Range;

use serde_saphyr::granit_parser::{
    ErrorKind, Event, Marker, Options, Parser, ScalarStyle, ScanError, Span,
};

use crate::source::SourceFile;

/// Maximum nesting of mappings and sequences.
pub const MAX_DEPTH: usize = 24;

/// A YAML node with its byte span in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte span of the value in the source (for a mapping: from its first key).
    pub span: Range<usize>,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A scalar, as written (YAML escapes resolved), with how it was quoted.
    Scalar(String, Quoting),
    /// A mapping, in source order.
    Map(Vec<Entry>),
    /// A sequence.
    Seq(Vec<Node>),
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Plain (unquoted).
    Plain,
    /// `'…'` or `"…"`.
    Quoted,
    /// `|` or `>` block.
    Block,
}

/// A key and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key text.
    pub key: String,
    /// Span of the key.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The entries of a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, in Chinese, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "空值",
            Value::Scalar(..) => "单个值",
            Value::Map(_) => "下级栏目",
            Value::Seq(_) => "列表",
        }
    }
}

/// A problem found while reading YAML.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlIssue {
    /// Where.
    pub span: Range<usize>,
    /// What, in Chinese.
    pub message: String,
    /// Label at the caret.
    pub label: String,
    /// How to fix it.
    pub hint: String,
    /// A second place worth showing (the first occurrence of a duplicate key).
    pub related: Option<(Range<usize>, String)>,
}

/// Parse one YAML document. A syntax error ends parsing and is the only issue returned; other
/// issues (duplicate keys, refused features) are collected while the tree is still built.
///
/// Files in the shape `gongkai new` writes (block mappings of plain keys and plain values,
/// comments, blank lines) take a line-by-line fast path; anything else — quotes, flow or block
/// collections, sequences, anchors, unusual indentation, any error — goes to the full YAML
/// parser. Both build the same tree with the same spans (tested on every fixture and by the
/// `report` fuzz target).
pub fn parse(file: &SourceFile) -> (Option<Node>, Vec<YamlIssue>) {
    match parse_simple(file) {
        Some(done) => done,
        None => parse_full(file),
    }
}

/// The full YAML parser (serde-saphyr's `granit-parser` events).
pub fn parse_full(file: &SourceFile) -> (Option<Node>, Vec<YamlIssue>) {
    let mut options = Options::default();
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    let text: &str = &file.text;
    let mut builder = Builder::new(file);
    for event in Parser::new_from_str_with_options(text, options) {
        match event {
            Ok((event, span)) => {
                if let Err(issue) = builder.event(event, span) {
                    return (None, vec![issue]);
                }
            }
            Err(e) => return (None, vec![scan_issue(file, &e)]),
        }
    }
    (builder.root, builder.issues)
}

/// The fast path of [`parse`]: None when the file holds anything but block mappings of plain
/// scalars, comments and blank lines (or anything questionable), so that the full parser
/// decides — and reports any error — exactly as before.
pub fn parse_simple(file: &SourceFile) -> Option<(Option<Node>, Vec<YamlIssue>)> {
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

enum Frame {
    Map {
        start: usize,
        entries: Vec<Entry>,
        pending_key: Option<(String, Range<usize>)>,
    },
    Seq {
        start: usize,
        items: Vec<Node>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    stack: Vec<Frame>,
    root: Option<Node>,
    issues: Vec<YamlIssue>,
    documents: usize,
}

impl<'a> Builder<'a> {
    fn new(file: &'a SourceFile) -> Self {
        Builder {
            file,
            stack: Vec::new(),
            root: None,
            issues: Vec::new(),
            documents: 0,
        }
    }

    fn start_map(&mut self, at: Range<usize>) -> Result<(), YamlIssue> {
        self.check_depth(&at)?;
        self.stack.push(Frame::Map {
            start: at.start,
            entries: Vec::new(),
            pending_key: None,
        });
        Ok(())
    }

    fn end_map(&mut self) -> Result<(), YamlIssue> {
        match self.stack.pop() {
            Some(Frame::Map { start, entries, .. }) => {
                let end = entries.last().map_or(start, |e| e.value.span.end);
                self.push_value(Node {
                    value: Value::Map(entries),
                    span: start..end,
                })
            }
            _ => Ok(()),
        }
    }

    fn span(&self, span: &Span) -> Range<usize> {
        let a = self.offset(&span.start);
        let b = self.offset(&span.end).max(a);
        a..b
    }

    fn offset(&self, m: &Marker) -> usize {
        m.byte_offset()
            .unwrap_or_else(|| self.file.offset_of(m.line(), m.col()))
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlIssue> {
        let range = self.span(&span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(YamlIssue {
                        span: range,
                        message: "文件中有多个 YAML 文档（多个 ---）".into(),
                        label: "第二个文档从这里开始".into(),
                        hint: "report.yaml 只能有一份数据；请删除多余的 --- 分隔线及其后的内容。"
                            .into(),
                        related: None,
                    });
                }
                Ok(())
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) => Err(YamlIssue {
                span: range,
                message: "不支持 YAML 别名（*名称）".into(),
                label: "别名".into(),
                hint: "请直接写出数值，不要用 & 和 * 引用其他位置的内容。".into(),
                related: None,
            }),
            Event::Anchor(..) => Ok(()),
            #[allow(unreachable_patterns)]
            Event::Scalar(text, style, anchor, tag) => {
                refuse_properties(anchor, tag.is_some(), &range)?;
                let value = match style {
                    ScalarStyle::Plain => plain(&text),
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        Value::Scalar(text.into_owned(), Quoting::Quoted)
                    }
                    _ => Value::Scalar(text.into_owned(), Quoting::Block),
                };
                self.push_value(Node { value, span: range })
            }
            Event::SequenceStart(_, anchor, tag) => {
                refuse_properties(anchor, tag.is_some(), &range)?;
                self.check_depth(&range)?;
                self.stack.push(Frame::Seq {
                    start: range.start,
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(_, anchor, tag) => {
                refuse_properties(anchor, tag.is_some(), &range)?;
                self.start_map(range)
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq { start, items }) => {
                    let end = items.last().map_or(start, |n| n.span.end);
                    self.push_value(Node {
                        value: Value::Seq(items),
                        span: start..end,
                    })
                }
                _ => Ok(()),
            },
            Event::MappingEnd => self.end_map(),
            #[allow(unreachable_patterns)]
            _ => Ok(()),
        }
    }

    fn check_depth(&self, range: &Range<usize>) -> Result<(), YamlIssue> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlIssue {
                span: range.clone(),
                message: format!("层级过深（超过 {MAX_DEPTH} 层）"),
                label: "这里".into(),
                hint: "report.yaml 最多只有几层栏目；请检查缩进是否错位。".into(),
                related: None,
            });
        }
        Ok(())
    }

    fn push_value(&mut self, node: Node) -> Result<(), YamlIssue> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let Node { value, span } = node;
                    let key = match value {
                        Value::Scalar(s, _) => s,
                        Value::Null => String::new(),
                        _ => {
                            return Err(YamlIssue {
                                span,
                                message: "栏目名称必须是文字".into(),
                                label: "这里的名称是列表或下级栏目".into(),
                                hint: "每一行应写成「栏目名称: 数值」。".into(),
                                related: None,
                            });
                        }
                    };
                    *pending_key = Some((key, span));
                    Ok(())
                }
                Some((key, key_span)) => {
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        self.issues.push(YamlIssue {
                            span: key_span.clone(),
                            message: format!("栏目「{key}」重复出现"),
                            label: "重复的栏目".into(),
                            hint: "同一层级的栏目只能写一次；请删除其中一处，或检查缩进是否错位。"
                                .into(),
                            related: Some((first.key_span.clone(), "第一次出现在这里".into())),
                        });
                        return Ok(());
                    }
                    entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    });
                    Ok(())
                }
            },
        }
    }
}

/// A plain (unquoted) scalar: null when YAML spells it so, else text. The one rule for the
/// full parser and the fast path, for keys and values alike.
fn plain(text: &str) -> Value {
    if is_null(text) {
        Value::Null
    } else {
        Value::Scalar(text.to_string(), Quoting::Plain)
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn refuse_properties(anchor: usize, tagged: bool, range: &Range<usize>) -> Result<(), YamlIssue> {
    if anchor != 0 {
        return Err(YamlIssue {
            span: range.clone(),
            message: "不支持 YAML 锚点（&名称）".into(),
            label: "带锚点的值".into(),
            hint: "请直接写出数值，不要用 & 和 * 引用其他位置的内容。".into(),
            related: None,
        });
    }
    if tagged {
        return Err(YamlIssue {
            span: range.clone(),
            message: "不支持 YAML 标签（!!类型）".into(),
            label: "带标签的值".into(),
            hint: "请去掉 ! 开头的类型标注，直接写数值或文字。".into(),
            related: None,
        });
    }
    Ok(())
}

fn scan_issue(file: &SourceFile, e: &ScanError) -> YamlIssue {
    let m = e.marker();
    let mut at = m
        .byte_offset()
        .unwrap_or_else(|| file.offset_of(m.line(), m.col()));
    let line = file.line_text(m.line());
    let tab_kind = matches!(
        e.kind(),
        ErrorKind::TabNotAllowed
            | ErrorKind::TabInBlockIndentation
            | ErrorKind::TabInIndentation
            | ErrorKind::TabInPlainScalar
            | ErrorKind::TabAtBlockScalarStart
    );
    let text: &str = &file.text;
    at = file.clamp(at..at).start;
    if tab_kind {
        // The parser may report the start of the scalar that ran into the tab (a line
        // earlier); point at the tab itself when it follows within the next line.
        let window_end = text[at..]
            .match_indices('\n')
            .nth(1)
            .map_or(text.len(), |(i, _)| at + i);
        if let Some(i) = text.get(at..window_end).and_then(|w| w.find('\t')) {
            at += i;
        }
    }
    let tab_in_indent = {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        text[line_start..at].chars().all(|c| c == ' ' || c == '\t')
    };
    let (message, hint) = match e.kind() {
        _ if tab_kind && !tab_in_indent => (
            "这里有一个 Tab 键".to_string(),
            "YAML 中不能用 Tab 键；请把它换成空格，或删去。".to_string(),
        ),
        _ if tab_kind => (
            "缩进中使用了 Tab 键".to_string(),
            "YAML 只能用空格缩进；请把这一行开头的 Tab 换成空格（每级两个空格）。".to_string(),
        ),
        _ if line.trim_start().starts_with('\t') || line.starts_with(" \t") => (
            "缩进中使用了 Tab 键".to_string(),
            "YAML 只能用空格缩进；请把这一行开头的 Tab 换成空格（每级两个空格）。".to_string(),
        ),
        ErrorKind::InvalidIndentation
        | ErrorKind::ExpectedBlockMappingKey
        | ErrorKind::UnexpectedEofBlockMapping
        | ErrorKind::ExpectedBlockSequenceEntry => (
            format!("YAML 缩进或格式不正确（{}）", e.kind()),
            "同一层级的栏目要左对齐，下级栏目比上级多缩进两个空格；每行写成「栏目名称: 数值」，冒号后要有一个空格。"
                .to_string(),
        ),
        ErrorKind::MappingValueNotAllowed | ErrorKind::SimpleKeyExpected | ErrorKind::InvalidSimpleKey => (
            format!("YAML 格式不正确（{}）", e.kind()),
            "一行只能写一个「栏目名称: 数值」；如果文字里有冒号，请把整段文字用引号括起来。"
                .to_string(),
        ),
        ErrorKind::RecursionLimitExceeded => (
            format!("层级过深（超过 {MAX_DEPTH} 层）"),
            "report.yaml 最多只有几层栏目；请检查缩进是否错位。".to_string(),
        ),
        ErrorKind::UnexpectedEofFlowMapping
        | ErrorKind::UnexpectedEofFlowSequence
        | ErrorKind::UnclosedFlowCollection { .. }
        | ErrorKind::MismatchedFlowCollectionEnd { .. }
        | ErrorKind::MisplacedFlowCollectionEnd
        | ErrorKind::ExpectedFlowMappingSeparator
        | ErrorKind::ExpectedFlowSequenceSeparator => (
            format!("花括号或方括号没有配对（{}）", e.kind()),
            "用 { } 或 [ ] 写在一行时，括号要成对，各项之间用英文逗号分隔。".to_string(),
        ),
        ErrorKind::UnknownAnchor => (
            "不支持 YAML 别名（*名称）".to_string(),
            "请直接写出数值，不要用 & 和 * 引用其他位置的内容。".to_string(),
        ),
        other => (
            format!("YAML 语法错误（{other}）"),
            "请检查这一行及上一行：冒号后要有空格，引号要成对，缩进只用空格。".to_string(),
        ),
    };
    let flow_kind = matches!(
        e.kind(),
        ErrorKind::UnexpectedEofFlowMapping
            | ErrorKind::UnexpectedEofFlowSequence
            | ErrorKind::UnclosedFlowCollection { .. }
            | ErrorKind::ExpectedFlowMappingSeparator
            | ErrorKind::ExpectedFlowSequenceSeparator
    );
    // The parser notices an unclosed bracket only where the next item starts, often lines
    // later; point at the bracket that was left open, and show where parsing stopped.
    if flow_kind && let Some(open) = unclosed_bracket(text, at) {
        return YamlIssue {
            span: open..open + 1,
            message,
            label: "这个括号没有配对".into(),
            hint,
            related: Some((at..at, "读到这里仍未找到对应的右括号".into())),
        };
    }
    YamlIssue {
        span: at..at,
        message,
        label: "这里".into(),
        hint,
        related: None,
    }
}

/// The innermost `[` or `{` before `end` that starts a flow collection and is not closed
/// before `end` (outside quotes and comments).
fn unclosed_bracket(text: &str, end: usize) -> Option<usize> {
    let mut stack: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut chars = text[..end].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '#' if prev.is_whitespace() => {
                    while chars.peek().is_some_and(|&(_, n)| n != '\n') {
                        chars.next();
                    }
                }
                '"' | '\'' if !stack.is_empty() || matches!(prev, ' ' | ':' | '\n') => {
                    quote = Some(c);
                }
                '[' | '{' => {
                    // Only where a value starts: after `: `, `, `, `- `, another bracket or
                    // at the start of a line.
                    let before = text[..i].trim_end_matches(' ');
                    if before.is_empty() || before.ends_with([':', ',', '[', '{', '-', '\n']) {
                        stack.push(i);
                    }
                }
                ']' | '}' if !stack.is_empty() => {
                    stack.pop();
                }
                _ => {}
            },
        }
        prev = c;
    }
    stack.pop()
}

#[cfg(test)]
mod tests {
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

    fn tree(text: &str) -> (Option<Node>, Vec<YamlIssue>) {
        parse(&SourceFile::new("t.yaml", text))
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

    #[test]
    fn keys_and_values_keep_their_spans() {
        let text = "年度: 2020\n三:\n  自然人: 5\n";
        let (root, issues) = tree(text);
        assert!(issues.is_empty());
        let root = root.unwrap();
        let map = root.as_map().unwrap();
        assert_eq!(map[0].key, "年度");
        assert_eq!(&text[map[0].key_span.clone()], "年度");
        assert_eq!(&text[map[0].value.span.clone()], "2020");
        let inner = map[1].value.as_map().unwrap();
        assert_eq!(&text[inner[0].value.span.clone()], "5");
    }

    #[test]
    fn empty_values_are_null_and_quotes_are_remembered() {
        let (root, _) = tree("a:\nb: '3'\nc: ~\n");
        let root = root.unwrap();
        let map = root.as_map().unwrap();
        assert_eq!(map[0].value.value, Value::Null);
        assert_eq!(
            map[1].value.value,
            Value::Scalar("3".into(), Quoting::Quoted)
        );
        assert_eq!(map[2].value.value, Value::Null);
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let text = "a: 1\nb: 2\na: 3\n";
        let (root, issues) = tree(text);
        assert!(root.is_some());
        assert_eq!(issues.len(), 1);
        assert_eq!(&text[issues[0].span.clone()], "a");
        assert_eq!(issues[0].span.start, 10);
        assert_eq!(issues[0].related.as_ref().unwrap().0, 0..1);
    }

    #[test]
    fn aliases_anchors_and_tags_are_refused() {
        for text in ["a: &x 1\nb: *x\n", "a: !!int 3\n", "a: *x\n"] {
            let (root, issues) = tree(text);
            assert!(root.is_none(), "{text}");
            assert_eq!(issues.len(), 1, "{text}");
        }
    }

    #[test]
    fn alias_bomb_is_refused_without_expanding() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = if i == 1 {
                    String::new()
                } else {
                    (i - 1).to_string()
                }
            ));
        }
        let (root, issues) = tree(&text);
        assert!(root.is_none());
        assert!(issues[0].message.contains("锚点") || issues[0].message.contains("别名"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(200) + &"]".repeat(200);
        let (root, issues) = tree(&text);
        assert!(root.is_none());
        assert!(issues[0].message.contains("层级过深"), "{:?}", issues[0]);
        let mut block = String::new();
        for i in 0..100 {
            block.push_str(&" ".repeat(i * 2));
            block.push_str("k:\n");
        }
        let (root, issues) = tree(&block);
        assert!(root.is_none());
        assert!(issues[0].message.contains("层级过深"), "{:?}", issues[0]);
    }

    #[test]
    fn tab_indentation_is_explained() {
        let (root, issues) = tree("a:\n\tb: 1\n");
        assert!(root.is_none());
        assert!(issues[0].message.contains("Tab"), "{:?}", issues[0]);
    }

    #[test]
    fn tab_after_a_value_points_at_the_tab() {
        let text = "a:\n  b: 0\n\tc: 1\n";
        let (root, issues) = tree(text);
        assert!(root.is_none());
        assert!(issues[0].message.contains("Tab"), "{:?}", issues[0]);
        assert_eq!(issues[0].span.start, text.find('\t').unwrap());
    }

    #[test]
    fn unclosed_bracket_points_at_the_bracket() {
        let text = "a:\n  b: [12\n  # note\n  c: 3\n";
        let (root, issues) = tree(text);
        assert!(root.is_none());
        assert!(
            issues[0].message.contains("括号没有配对"),
            "{:?}",
            issues[0]
        );
        assert_eq!(issues[0].span.start, text.find('[').unwrap());
        assert!(issues[0].related.is_some());
        // Closed brackets and brackets inside quotes or comments do not count.
        assert_eq!(
            unclosed_bracket("a: [1]\nb: '[x'\n# [\nc: {d: [2", 28),
            Some(26)
        );
        assert_eq!(unclosed_bracket("a: [1, {b: 2}]\n", 15), None);
    }

    #[test]
    fn two_documents_are_refused() {
        let (root, issues) = tree("a: 1\n---\nb: 2\n");
        assert!(root.is_none());
        assert!(issues[0].message.contains("多个"));
    }
}
