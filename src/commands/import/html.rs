//! Saved HTML pages: text and tables, then the tables mapped by label.
//!
//! The page is tokenised with html5ever (entities, attributes, `<script>`/`<style>` raw text and
//! source line numbers as browsers see them). Text outside tables becomes one line per block.
//! Each `<table>` becomes a [`Grid`] with every rowspan/colspan expanded, so that a cell's grid
//! columns can be compared with the header's: real reports span data cells differently from the
//! header cells above them (FORMAT.md §3a), so a value is placed by the header label over the
//! grid columns it covers, never by its index in the row. Layout tables (a table holding another
//! table, or a single cell) are unwrapped into their content.

use std::cell::RefCell;

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::format::{ColumnNode, Edition, RowNode, Table};

use super::doc::{Grid, Item, Line};
use super::extract::{Extracted, Normalisation, RawCell};
use super::labels::{How, LabelMatch, Matcher, Target, label_notes};
use super::normalize::{CellText, looks_like_noise, parse_value};

/// A document as a tree: text and tables whose cells hold text and tables (a saved page, or a
/// Word document, [`super::docx`]), before layout tables are unwrapped ([`flatten`]).
#[derive(Debug)]
pub(crate) enum Node {
    /// A line of text.
    Text(Line),
    /// A table.
    Table(TableNode),
}

/// A table of the tree.
#[derive(Debug, Default)]
pub(crate) struct TableNode {
    /// Source line of the table.
    pub line: usize,
    /// Rows of cells, as written (spans not expanded).
    pub rows: Vec<Vec<CellNode>>,
}

/// A cell of the tree.
#[derive(Debug)]
pub(crate) struct CellNode {
    /// Source line of the cell.
    pub line: usize,
    /// Rows spanned.
    pub rowspan: usize,
    /// Columns spanned.
    pub colspan: usize,
    /// What the cell holds.
    pub content: Vec<Node>,
}

#[derive(Debug, Default)]
struct Frame {
    table: TableNode,
    row_open: bool,
    cell: Option<CellNode>,
}

#[derive(Default)]
struct Builder {
    root: Vec<Node>,
    stack: Vec<Frame>,
    text: String,
    text_line: usize,
    /// Inside `<script>`, `<style>`, `<noscript>`, `<template>`: text is dropped.
    skipping: Option<String>,
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "hr",
    "title",
    "caption",
    "center",
    "form",
    "address",
    "figure",
    "figcaption",
    "tbody",
    "thead",
    "tfoot",
    "body",
    "html",
    "head",
];

impl Builder {
    fn container(&mut self) -> &mut Vec<Node> {
        for frame in self.stack.iter_mut().rev() {
            if let Some(cell) = frame.cell.as_mut() {
                return &mut cell.content;
            }
        }
        &mut self.root
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.text);
        let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if t.is_empty() && !text.contains('\u{a0}') {
            return;
        }
        let line = Line {
            no: self.text_line.max(1),
            text: t.to_string(),
        };
        self.container().push(Node::Text(line));
    }

    fn close_cell(&mut self) {
        if let Some(frame) = self.stack.last_mut()
            && let Some(cell) = frame.cell.take()
        {
            if !frame.row_open {
                frame.table.rows.push(Vec::new());
                frame.row_open = true;
            }
            if let Some(row) = frame.table.rows.last_mut() {
                row.push(cell);
            }
        }
    }

    fn tag(&mut self, tag: &Tag, line: usize) {
        let name: &str = &tag.name;
        let start = tag.kind == TagKind::StartTag;
        if let Some(skipped) = &self.skipping {
            if !start && name == skipped {
                self.skipping = None;
            }
            return;
        }
        match name {
            "table" => {
                self.flush();
                if start {
                    self.stack.push(Frame {
                        table: TableNode {
                            line,
                            rows: Vec::new(),
                        },
                        ..Frame::default()
                    });
                } else if !self.stack.is_empty() {
                    self.close_cell();
                    if let Some(frame) = self.stack.pop() {
                        self.container().push(Node::Table(frame.table));
                    }
                }
            }
            "tr" => {
                self.flush();
                if self.stack.is_empty() {
                    return;
                }
                self.close_cell();
                if let Some(frame) = self.stack.last_mut() {
                    if start {
                        frame.table.rows.push(Vec::new());
                        frame.row_open = true;
                    } else {
                        frame.row_open = false;
                    }
                }
            }
            "td" | "th" => {
                self.flush();
                if self.stack.is_empty() {
                    return;
                }
                self.close_cell();
                if start && let Some(frame) = self.stack.last_mut() {
                    let span = |attr: &str| -> usize {
                        tag.attrs
                            .iter()
                            .find(|a| &*a.name.local == attr)
                            .and_then(|a| {
                                let digits: String = a
                                    .value
                                    .trim()
                                    .chars()
                                    .take_while(char::is_ascii_digit)
                                    .collect();
                                digits.parse::<usize>().ok()
                            })
                            .unwrap_or(1)
                            .min(10_000)
                    };
                    if !frame.row_open {
                        frame.table.rows.push(Vec::new());
                        frame.row_open = true;
                    }
                    frame.cell = Some(CellNode {
                        line,
                        rowspan: span("rowspan"),
                        colspan: span("colspan").max(1),
                        content: Vec::new(),
                    });
                }
            }
            "br" => {
                // A line break inside a cell joins the pieces of a label ("本年新<br/>制作数量").
                self.flush();
            }
            "script" | "style" | "noscript" | "template" | "textarea" | "select"
                if start && !tag.self_closing =>
            {
                self.flush();
                self.skipping = Some(name.to_string());
            }
            "script" | "style" | "noscript" | "template" | "textarea" | "select" => {}
            _ if BLOCKS.contains(&name) => self.flush(),
            _ => {}
        }
    }

    fn chars(&mut self, text: &str, line: usize) {
        if self.skipping.is_some() {
            return;
        }
        if self.text.is_empty() {
            self.text_line = line;
        }
        // Collapse ASCII whitespace as browsers do; keep no-break and full-width spaces, which
        // mark empty cells and padding.
        for c in text.chars() {
            if c.is_ascii_whitespace() {
                if !self.text.ends_with(' ') && !self.text.is_empty() {
                    self.text.push(' ');
                }
            } else {
                self.text.push(c);
            }
        }
    }

    fn finish(mut self) -> Vec<Node> {
        self.flush();
        while !self.stack.is_empty() {
            self.close_cell();
            if let Some(frame) = self.stack.pop() {
                self.container().push(Node::Table(frame.table));
            }
        }
        self.root
    }
}

struct Sink(RefCell<Builder>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let line = usize::try_from(line_number).unwrap_or(usize::MAX);
        let mut b = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                b.tag(&tag, line);
                if tag.kind == TagKind::StartTag && !tag.self_closing {
                    match &*tag.name {
                        "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" | "noscript" | "template" => {
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                        "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => {}
                    }
                }
            }
            Token::CharacterTokens(t) => b.chars(&t, line),
            Token::NullCharacterToken
            | Token::CommentToken(_)
            | Token::DoctypeToken(_)
            | Token::ParseError(_)
            | Token::EOFToken => {}
        }
        TokenSinkResult::Continue
    }
}

/// Parse a page into lines and grids, in reading order.
pub(crate) fn parse(text: &str) -> Vec<Item> {
    let sink = Sink(RefCell::new(Builder::default()));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(text));
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
    tokenizer.end();
    let nodes = tokenizer.sink.0.into_inner().finish();
    let mut items = Vec::new();
    flatten(nodes, &mut items);
    items
}

/// The tree in reading order: data tables as grids (spans expanded), layout tables (a table
/// holding another table, a single cell, or a cell of prose) unwrapped into their content.
pub(crate) fn flatten(nodes: Vec<Node>, out: &mut Vec<Item>) {
    for node in nodes {
        match node {
            Node::Text(l) => out.push(Item::Line(l)),
            Node::Table(t) => {
                let cells: usize = t.rows.iter().map(Vec::len).sum();
                let nested = t
                    .rows
                    .iter()
                    .flatten()
                    .any(|c| c.content.iter().any(|n| matches!(n, Node::Table(_))));
                // Report tables never hold sentences; a cell with prose is page layout.
                let prose = t.rows.iter().flatten().any(|c| {
                    c.content.iter().any(|n| {
                        matches!(n, Node::Text(l) if l.text.contains('。') && l.text.chars().count() > 40)
                    })
                });
                if nested || cells <= 1 || prose {
                    for cell in t.rows.into_iter().flatten() {
                        flatten(cell.content, out);
                    }
                } else {
                    let rows = t
                        .rows
                        .into_iter()
                        .map(|row| {
                            row.into_iter()
                                .map(|c| {
                                    let text: Vec<String> = c
                                        .content
                                        .into_iter()
                                        .filter_map(|n| match n {
                                            Node::Text(l) => Some(l.text),
                                            Node::Table(_) => None,
                                        })
                                        .collect();
                                    (text.join("\n"), c.line, c.rowspan, c.colspan)
                                })
                                .collect()
                        })
                        .collect();
                    out.push(Item::Grid(Grid::expand(t.line, rows)));
                }
            }
        }
    }
}

// ── Mapping grids by label ────────────────────────────────────────────────────────────────────

/// How one grid cell reads.
struct Read {
    value: Option<CellText>,
    label: Option<LabelMatch>,
}

/// Read the data of one grid into `ex`. Returns whether the grid holds anything of the format
/// (a caption, a header or a row label); if not, the caller reads it as text.
pub(crate) fn read_grid(edition: &'static Edition, grid: &Grid, ex: &mut Extracted) -> bool {
    let tables: Vec<usize> = (0..edition.tables.len()).collect();
    let matcher = Matcher::new(edition, &tables, true);
    let reads: Vec<Read> = grid
        .cells
        .iter()
        .map(|c| {
            let value = parse_value(&c.text).map(|(v, _)| v);
            let label = if value.is_none() {
                matcher.classify(&c.text)
            } else {
                None
            };
            Read { value, label }
        })
        .collect();
    // Label normalisations, once per printed label.
    for (id, r) in reads.iter().enumerate() {
        if let Some(m) = &r.label {
            let cell = &grid.cells[id];
            let joined = cell.text.contains('\n');
            for n in label_notes(&cell.text.replace('\n', " "), m, cell.line, joined) {
                ex.note(n);
            }
        }
    }
    let mut recognised = false;
    let mut header_rows: Vec<usize> = Vec::new();
    let mut last_was_header = false;
    let mut realigned: Vec<usize> = Vec::new();
    for r in 0..grid.slots.len() {
        let ids = grid.row_cells(r);
        let starts: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|&id| grid.cells[id].row == r)
            .collect();
        let targets = |id: usize| -> &[Target] {
            reads[id]
                .label
                .as_ref()
                .map_or(&[], |m| m.targets.as_slice())
        };
        // A caption row starts a part-二 table.
        if let Some(t) = starts.iter().find_map(|&id| {
            targets(id).iter().find_map(|t| match t {
                Target::Caption(t) => Some(*t),
                _ => None,
            })
        }) {
            ex.saw(t, grid.cells[starts[0]].line);
            recognised = true;
            header_rows.clear();
            last_was_header = false;
            continue;
        }
        let row_labels: Vec<(usize, &'static RowNode, usize)> = ids
            .iter()
            .flat_map(|&id| {
                targets(id).iter().filter_map(move |t| match t {
                    Target::Row { table, node } => Some((*table, *node, id)),
                    _ => None,
                })
            })
            .collect();
        let filled = starts
            .iter()
            .any(|&id| reads[id].value.as_ref().is_some_and(CellText::is_filled));
        let column_labels = starts.iter().any(|&id| {
            targets(id).iter().any(|t| {
                matches!(
                    t,
                    Target::Column { .. } | Target::Corner(_) | Target::RowHeader(_)
                )
            })
        });
        let leaf = row_labels
            .iter()
            .filter(|(_, n, _)| n.leaf.is_some())
            .max_by_key(|(_, n, _)| n.depth);
        if let Some(&(ti, node, _)) = leaf {
            recognised = true;
            last_was_header = false;
            ex.saw(
                ti,
                grid.cells[starts.first().copied().unwrap_or(ids[0])].line,
            );
            let label_ids: Vec<usize> = row_labels.iter().map(|x| x.2).collect();
            let values: Vec<usize> = ids
                .iter()
                .copied()
                .filter(|id| !label_ids.contains(id) && reads[*id].value.is_some())
                .collect();
            let row = node.leaf.unwrap_or(0);
            let sheet = Sheet {
                edition,
                grid,
                reads: &reads,
            };
            read_row(&sheet, (ti, row), &values, &header_rows, ex, &mut realigned);
            continue;
        }
        if column_labels && !filled {
            recognised = true;
            if !last_was_header {
                header_rows.clear();
            }
            header_rows.push(r);
            last_was_header = true;
            for &id in &starts {
                for t in targets(id) {
                    if let Some(ti) = t.table() {
                        ex.saw(ti, grid.cells[id].line);
                    }
                }
            }
            continue;
        }
        last_was_header = false;
        if !filled {
            continue;
        }
        if let Some((_, group, id)) = row_labels.first() {
            ex.note(Normalisation::new(
                Some(grid.cells[*id].line),
                "subtotal_ignored",
                grid.cells[*id].text.clone(),
                "",
                format!(
                    "「{}」是分组行，格式中本身不填数；原文在此写的数值未导入（由其下各项计算）",
                    group.label
                ),
            ));
            continue;
        }
        // A row with numbers and no row label: table 四 (one unlabelled row), or a row whose
        // label is not in the format.
        let text_label = starts.iter().find(|&&id| {
            reads[id].value.is_none()
                && reads[id].label.is_none()
                && !grid.cells[id].text.trim().is_empty()
        });
        if let Some(&id) = text_label {
            let cell = &grid.cells[id];
            let t = cell.text.replace('\n', "");
            let kind = if looks_like_noise(&t) {
                "skipped_noise"
            } else {
                "nonstandard_row"
            };
            ex.note(Normalisation::new(
                Some(cell.line),
                kind,
                t.clone(),
                "",
                format!(
                    "第 {} 行表格行「{t}」不是格式中的栏目，其数值未导入",
                    cell.line
                ),
            ));
            continue;
        }
        let single = header_tables(grid, &reads, &header_rows)
            .into_iter()
            .find(|&ti| edition.tables[ti].single_row());
        if let Some(ti) = single {
            let values: Vec<usize> = ids
                .iter()
                .copied()
                .filter(|id| reads[*id].value.is_some())
                .collect();
            let sheet = Sheet {
                edition,
                grid,
                reads: &reads,
            };
            read_row(&sheet, (ti, 0), &values, &header_rows, ex, &mut realigned);
        }
    }
    recognised
}

/// Tables whose column labels the header rows carry.
fn header_tables(grid: &Grid, reads: &[Read], header_rows: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for &r in header_rows {
        for id in grid.row_cells(r) {
            if let Some(m) = &reads[id].label {
                for t in &m.targets {
                    if let Target::Column { table, .. } = t
                        && !out.contains(table)
                    {
                        out.push(*table);
                    }
                }
            }
        }
    }
    out
}

/// For each grid column, the leaf column of table `ti` its header cells name.
fn column_map(
    table: &'static Table,
    ti: usize,
    grid: &Grid,
    reads: &[Read],
    header_rows: &[usize],
    ex: &mut Extracted,
) -> Vec<Option<usize>> {
    let paths: Vec<Vec<&'static ColumnNode>> = (0..table.leaf_columns.len())
        .map(|leaf| path_nodes(&table.columns, leaf).unwrap_or_default())
        .collect();
    let mut out = vec![None; grid.width()];
    for (c, slot) in out.iter_mut().enumerate() {
        let mut stacked: Vec<usize> = Vec::new();
        for &r in header_rows {
            if let Some(id) = grid.slots[r][c]
                && !stacked.contains(&id)
            {
                stacked.push(id);
            }
        }
        let nodes_of = |id: usize| -> Vec<&'static ColumnNode> {
            reads[id].label.as_ref().map_or(Vec::new(), |m| {
                m.targets
                    .iter()
                    .filter_map(|t| match t {
                        Target::Column { table, node } if *table == ti => Some(*node),
                        _ => None,
                    })
                    .collect()
            })
        };
        let mut best: Option<(usize, usize)> = None;
        let mut tie = false;
        for (leaf, path) in paths.iter().enumerate() {
            let Some(own) = path.last() else { continue };
            if !stacked
                .iter()
                .any(|&id| nodes_of(id).iter().any(|n| std::ptr::eq(*n, *own)))
            {
                continue;
            }
            let score = stacked
                .iter()
                .filter(|&&id| {
                    nodes_of(id)
                        .iter()
                        .any(|n| path.iter().any(|p| std::ptr::eq(*p, *n)))
                })
                .count();
            match best {
                Some((_, s)) if s > score => {}
                Some((_, s)) if s == score => tie = true,
                _ => {
                    best = Some((leaf, score));
                    tie = false;
                }
            }
        }
        if let Some((leaf, _)) = best
            && !tie
        {
            *slot = Some(leaf);
            // A unit in the header: 采购总金额（万元）.
            for &id in &stacked {
                if let Some(m) = &reads[id].label
                    && let How::WithNote(note) = &m.how
                {
                    ex.money_unit(table, ti, leaf, note, grid.cells[id].line);
                }
            }
        }
    }
    out
}

/// The column nodes from the top header row down to a leaf.
fn path_nodes(nodes: &'static [ColumnNode], leaf: usize) -> Option<Vec<&'static ColumnNode>> {
    for n in nodes {
        if n.leaf == Some(leaf) {
            return Some(vec![n]);
        }
        if let Some(mut rest) = path_nodes(&n.children, leaf) {
            rest.insert(0, n);
            return Some(rest);
        }
    }
    None
}

/// A table grid being read: the edition it is read against, the grid, and what each cell reads
/// as.
struct Sheet<'a> {
    edition: &'static Edition,
    grid: &'a Grid,
    reads: &'a [Read],
}

/// Place the value cells of one data row (table `ti`, row `row`) under the header's columns.
fn read_row(
    sheet: &Sheet<'_>,
    (ti, row): (usize, usize),
    values: &[usize],
    header_rows: &[usize],
    ex: &mut Extracted,
    realigned: &mut Vec<usize>,
) {
    let Sheet {
        edition,
        grid,
        reads,
    } = *sheet;
    let table = &edition.tables[ti];
    let map = column_map(table, ti, grid, reads, header_rows, ex);
    let mut leaves: Vec<usize> = Vec::new();
    for l in map.iter().flatten() {
        if !leaves.contains(l) {
            leaves.push(*l);
        }
    }
    let push = |ex: &mut Extracted, id: usize, col: usize| {
        let cell = &grid.cells[id];
        ex.cells.push(RawCell {
            table: ti,
            row,
            col,
            text: cell.text.clone(),
            line: cell.line,
        });
    };
    if leaves.is_empty() {
        // No header for this table: the format's order, if the row has exactly its columns.
        let n = table.leaf_columns.len();
        let line = values.first().map(|&id| grid.cells[id].line);
        if values.len() == n {
            ex.note(Normalisation::new(
                line,
                "header_missing",
                "",
                "",
                format!(
                    "「{}」没有表头，各行数值按格式的栏目顺序读取",
                    table.caption_text()
                ),
            ));
            for (col, &id) in values.iter().enumerate() {
                push(ex, id, col);
            }
        } else {
            ex.row_reason(
                ti,
                row,
                format!(
                    "原文表格没有表头，这一行有 {} 个单元格，应有 {n} 个，无法确定对应的栏目",
                    values.len()
                ),
            );
        }
        return;
    }
    // Each value cell and the leaf columns its grid columns fall under.
    let mut cells: Vec<(usize, Vec<usize>)> = Vec::new();
    for &id in values {
        let mut under: Vec<usize> = Vec::new();
        for c in grid.cols_of(id) {
            if let Some(l) = map[c]
                && !under.contains(&l)
            {
                under.push(l);
            }
        }
        if !under.is_empty() {
            cells.push((id, under));
        }
    }
    cells.sort_by_key(|(id, _)| grid.cells[*id].col);
    let misaligned = cells.iter().any(|(_, u)| u.len() > 1)
        || leaves
            .iter()
            .any(|l| cells.iter().filter(|(_, u)| u.contains(l)).count() > 1);
    let mut assigned: Vec<(usize, usize)> = Vec::new();
    if cells.len() == leaves.len() && cells.iter().zip(&leaves).all(|((_, u), l)| u.contains(l)) {
        for ((id, _), &l) in cells.iter().zip(&leaves) {
            assigned.push((*id, l));
        }
    } else {
        // Unambiguous pairs only: a cell under one leaf that no other cell covers.
        for &l in &leaves {
            let under: Vec<&(usize, Vec<usize>)> =
                cells.iter().filter(|(_, u)| u.contains(&l)).collect();
            if let [(id, u)] = under.as_slice()
                && u.len() == 1
            {
                assigned.push((*id, l));
            }
        }
        for &l in &leaves {
            if !assigned.iter().any(|(_, x)| *x == l) {
                ex.row_reason(
                    ti,
                    row,
                    format!(
                        "原文这一行的单元格与表头栏目对不齐（{} 个单元格，{} 个栏目），无法确定「{}」",
                        cells.len(),
                        leaves.len(),
                        table.leaf_columns[l].path.join("›")
                    ),
                );
            }
        }
    }
    if misaligned && !assigned.is_empty() && !realigned.contains(&ti) {
        realigned.push(ti);
        let line = grid.cells[assigned[0].0].line;
        ex.note(Normalisation::new(
            Some(line),
            "colspan_realigned",
            "",
            "",
            format!(
                "「{}」数据单元格的跨列与表头不一致，已按表头栏目所覆盖的网格列对齐",
                table.caption_text()
            ),
        ));
    }
    for (id, l) in assigned {
        push(ex, id, l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_tables() {
        let html = "<html><head><title>某街道2020年政府信息公开工作年度报告</title>\n<style>p{color:red}</style><script>var a='<table>';</script></head>\n<body><p>一、总体情况</p>\n<p>2020年，&ldquo;双随机&rdquo;<br>第二行</p>\n<table><tr><td colspan=\"2\">第二十条第（一）项</td></tr>\n<tr><td>规章<td>&nbsp;</tr></table></body></html>";
        let items = parse(html);
        let lines: Vec<(usize, String)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Line(l) => Some((l.no, l.text.clone())),
                Item::Grid(_) => None,
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, "某街道2020年政府信息公开工作年度报告".to_string()),
                (3, "一、总体情况".to_string()),
                (4, "2020年，“双随机”".to_string()),
                (4, "第二行".to_string()),
            ]
        );
        let Some(Item::Grid(g)) = items.last() else {
            panic!("{items:?}")
        };
        assert_eq!(g.width(), 2);
        assert_eq!(g.cells.len(), 3);
        assert_eq!(g.cells[2].text, "\u{a0}");
        assert_eq!((g.cells[1].line, g.cells[1].row, g.cells[1].col), (6, 1, 0));
    }

    #[test]
    fn prose_tables_are_layout() {
        let html = "<table><tr><td><a href=\"/\">首页</a></td><td><p>一、总体情况</p><p>2020年，本街道认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政务公开工作，取得了新成效。</p></td></tr></table>";
        let items = parse(html);
        assert!(
            items.iter().all(|i| matches!(i, Item::Line(_))),
            "{items:?}"
        );
        assert!(matches!(&items[1], Item::Line(l) if l.text == "一、总体情况"));
    }

    #[test]
    fn layout_tables_are_unwrapped() {
        let html = "<table><tr><td><p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table>";
        let items = parse(html);
        assert!(matches!(&items[0], Item::Line(l) if l.text == "一、总体情况"));
        assert!(matches!(&items[1], Item::Grid(g) if g.cells.len() == 2));
    }
}
