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

pub(crate) mod fast;

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
    match fast::parse_simple(file) {
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

pub(super) struct Builder<'a> {
    file: &'a SourceFile,
    stack: Vec<Frame>,
    pub(super) root: Option<Node>,
    pub(super) issues: Vec<YamlIssue>,
    documents: usize,
}

impl<'a> Builder<'a> {
    pub(super) fn new(file: &'a SourceFile) -> Self {
        Builder {
            file,
            stack: Vec::new(),
            root: None,
            issues: Vec::new(),
            documents: 0,
        }
    }

    pub(super) fn start_map(&mut self, at: Range<usize>) -> Result<(), YamlIssue> {
        self.check_depth(&at)?;
        self.stack.push(Frame::Map {
            start: at.start,
            entries: Vec::new(),
            pending_key: None,
        });
        Ok(())
    }

    pub(super) fn end_map(&mut self) -> Result<(), YamlIssue> {
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

    pub(super) fn push_value(&mut self, node: Node) -> Result<(), YamlIssue> {
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
pub(super) fn plain(text: &str) -> Value {
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

    fn tree(text: &str) -> (Option<Node>, Vec<YamlIssue>) {
        parse(&SourceFile::new("t.yaml", text))
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
