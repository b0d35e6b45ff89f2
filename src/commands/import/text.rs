//! Tables flattened into text, in every layout REPORTS.md catalogues.
//!
//! The lines of a part's table material are first cut into cells:
//!
//! - a line with `|` is split at the pipes (` | ` rows, `cell |` lines); empty pieces are
//!   *soft* blanks — mostly colspan debris (`0 | ||`) — used only to complete a row printed on
//!   one line;
//! - a line of only `|` (spacer `|||`, lone `|`) and an empty line separate rows and hold no cell;
//! - a line of only whitespace (tab, `　`, no-break space) is an empty cell (the tab-indented
//!   layout of 东柳街道 2020);
//! - a line of space-separated numbers is one cell per number (PDF text: the 15 values of part
//!   四 on one line); other lines with inner spaces are one label when the whole line is a label
//!   (`其他结 果`), else one cell per word (PDF header fragments);
//! - any other line is one cell.
//!
//! Then labels are recognised (fragments broken across cells are joined: `本年新`+`公开数量`,
//! `结果`+`维持`, `(三)`+`不予公开`), and the cells are read by label: a caption starts a part-二
//! table, the header gives the column order (so a header with 总计 before 自然人 reads the
//! values in that order), a row label takes the values that follow it. Positions are counted only
//! where the layout leaves nothing else: the values after a row label, in header order, and the 15
//! values of part 四, in the format's order (its labels repeat under three groups and every
//! layout prints them in that order).

use crate::format::{ColumnNode, Edition, RowNode, Table};

use super::doc::Line;
use super::extract::{Extracted, Normalisation, RawCell};
use super::labels::{How, LabelMatch, Matcher, Target, label_notes, leaves_of};
use super::normalize::{CellText, fold, is_space, looks_like_noise, parse_value, simplify, trim};

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A number, `无` or a dash.
    Value { dash: bool },
    /// An empty cell.
    Blank,
    /// An empty piece between pipes.
    Soft,
    /// Anything else.
    Text,
}

#[derive(Debug, Clone)]
struct Cell {
    text: String,
    line: usize,
    /// Index of the physical line, to recognise a row printed on one line.
    phys: usize,
    kind: Kind,
}

fn kind_of(text: &str) -> Kind {
    match parse_value(text) {
        Some((CellText::Blank, _)) => Kind::Blank,
        Some((CellText::Dash | CellText::Wu, _)) => Kind::Value {
            dash: matches!(parse_value(text), Some((CellText::Dash, _))),
        },
        Some(_) => Kind::Value { dash: false },
        None => Kind::Text,
    }
}

/// Cut lines into cells.
fn cells(lines: &[Line], matcher: &Matcher) -> Vec<Cell> {
    let mut out = Vec::new();
    for (phys, l) in lines.iter().enumerate() {
        let text = l.text.as_str();
        if text.is_empty() || (text.chars().all(|c| c == '|' || is_space(c)) && text.contains('|'))
        {
            continue;
        }
        let mut push = |t: &str, kind: Kind| {
            out.push(Cell {
                text: t.to_string(),
                line: l.no,
                phys,
                kind,
            });
        };
        if text.contains('|') {
            let mut pieces: Vec<&str> = text.split('|').collect();
            if pieces.first().is_some_and(|p| trim(p).is_empty()) {
                pieces.remove(0);
            }
            if pieces.last().is_some_and(|p| trim(p).is_empty()) {
                pieces.pop();
            }
            for p in pieces {
                let t = trim(p);
                if t.is_empty() {
                    push(p, Kind::Soft);
                } else {
                    push(p, kind_of(p));
                }
            }
            continue;
        }
        let t = trim(text);
        if t.is_empty() {
            push(text, Kind::Blank);
            continue;
        }
        // Injected advertising stays one piece, however many words it has.
        if looks_like_noise(&simplify(t)) {
            push(text, Kind::Text);
            continue;
        }
        if t.chars().any(is_space) {
            let words = words_outside_brackets(t);
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let all_numbers = words
                .iter()
                .all(|w| matches!(kind_of(w), Kind::Value { .. }));
            let whole_label = matcher
                .classify(t)
                .is_some_and(|m| !matches!(m.how, How::Fragment));
            if all_numbers || !whole_label {
                for w in words {
                    push(w, kind_of(w));
                }
                continue;
            }
        }
        push(text, kind_of(text));
    }
    out
}

/// Words separated by spaces, keeping a bracketed note whole: `规范性文件(…通 知…) 0 0 0` is
/// four words, not six.
fn words_outside_brackets(t: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in t.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if is_space(c) && depth == 0 {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[derive(Debug, Clone)]
enum Tok {
    Label {
        m: LabelMatch,
        text: String,
        line: usize,
    },
    Val(Cell),
    Text(Cell),
}

/// Recognise labels, joining fragments broken across cells.
fn tokens(cells: &[Cell], matcher: &Matcher, ex: &mut Extracted) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let c = &cells[i];
        if c.kind != Kind::Text {
            out.push(Tok::Val(c.clone()));
            i += 1;
            continue;
        }
        // The longest run of text cells whose concatenation is a label.
        let mut acc = fold(&c.text);
        let mut best: Option<usize> = matcher.is_label(&acc).then_some(i);
        if matcher.is_prefix(&acc) {
            for (j, next) in cells.iter().enumerate().skip(i + 1).take(4) {
                if next.kind != Kind::Text {
                    break;
                }
                let joined = format!("{acc}{}", fold(&next.text));
                if !matcher.is_prefix(&joined) {
                    break;
                }
                acc = joined;
                if matcher.is_label(&acc) {
                    best = Some(j);
                }
            }
        }
        match best {
            Some(j) if j > i => {
                let original: Vec<&str> = cells[i..=j].iter().map(|c| trim(&c.text)).collect();
                let original = original.join(" / ");
                if let Some(m) = matcher.classify(&acc) {
                    for n in label_notes(&original, &m, c.line, true) {
                        ex.note(n);
                    }
                    out.push(Tok::Label {
                        m,
                        text: original,
                        line: c.line,
                    });
                }
                i = j + 1;
            }
            _ => {
                match matcher.classify(&c.text) {
                    Some(m) => {
                        for n in label_notes(&c.text, &m, c.line, false) {
                            ex.note(n);
                        }
                        out.push(Tok::Label {
                            m,
                            text: trim(&c.text).to_string(),
                            line: c.line,
                        });
                    }
                    None => out.push(Tok::Text(c.clone())),
                }
                i += 1;
            }
        }
    }
    out
}

/// A row being read: its label and the cells after it.
#[derive(Debug)]
struct RowAcc {
    node: Option<&'static RowNode>,
    label: String,
    line: usize,
    vals: Vec<Cell>,
}

#[derive(Debug, Default)]
struct Segment {
    table: Option<usize>,
    header: Vec<(LabelMatch, String, usize)>,
    rows: Vec<RowAcc>,
}

/// Read the table material of a part (二, 三 or 四) into `ex`.
pub(crate) fn read_part(edition: &'static Edition, part: &str, lines: &[Line], ex: &mut Extracted) {
    let tables: Vec<usize> = edition.tables_of(part).map(|(i, _)| i).collect();
    if tables.is_empty() {
        return;
    }
    let matcher = Matcher::new(edition, &tables, true);
    let cells = cells(lines, &matcher);
    let toks = tokens(&cells, &matcher, ex);
    if tables.len() == 1 && edition.tables[tables[0]].single_row() {
        read_single_row(edition, tables[0], &toks, ex);
        return;
    }
    let segments = segments(&tables, &toks, ex);
    for seg in segments {
        read_segment(edition, seg, ex);
    }
}

fn segments(tables: &[usize], toks: &[Tok], ex: &mut Extracted) -> Vec<Segment> {
    let initial = || Segment {
        table: (tables.len() == 1).then(|| tables[0]),
        ..Segment::default()
    };
    let mut segs = Vec::new();
    let mut seg = initial();
    for tok in toks {
        match tok {
            Tok::Label { m, text, line } => {
                // Prefer a target in the current table (labels repeat across part-二 tables).
                let target = m
                    .targets
                    .iter()
                    .find(|t| t.table().is_some() && t.table() == seg.table)
                    .or_else(|| m.targets.first())
                    .copied();
                match target {
                    None => {}
                    Some(Target::PartTitle(_)) => ex.note(Normalisation::new(
                        Some(*line),
                        "table_title_row",
                        text.clone(),
                        "",
                        "表格内重复部分标题的一行，已跳过",
                    )),
                    Some(Target::Caption(t)) => {
                        ex.saw(t, *line);
                        segs.push(std::mem::take(&mut seg));
                        seg = Segment {
                            table: Some(t),
                            ..Segment::default()
                        };
                    }
                    Some(Target::RowHeader(t) | Target::Corner(t)) => ex.saw(t, *line),
                    Some(Target::Column { table, .. }) => {
                        ex.saw(table, *line);
                        if !seg.rows.is_empty() {
                            // A new header after rows: the next table, its caption missing.
                            let next_table = if tables.len() == 1 { seg.table } else { None };
                            segs.push(std::mem::take(&mut seg));
                            seg.table = next_table;
                        }
                        seg.header.push((m.clone(), text.clone(), *line));
                    }
                    Some(Target::Row { table, node }) => {
                        ex.saw(table, *line);
                        if seg.table.is_some_and(|t| t != table) {
                            let header = if seg.rows.is_empty() {
                                std::mem::take(&mut seg.header)
                            } else {
                                Vec::new()
                            };
                            segs.push(std::mem::take(&mut seg));
                            seg.header = header;
                        }
                        seg.table = Some(table);
                        seg.rows.push(RowAcc {
                            node: Some(node),
                            label: text.clone(),
                            line: *line,
                            vals: Vec::new(),
                        });
                    }
                }
            }
            Tok::Val(cell) => match seg.rows.last_mut() {
                Some(row) => row.vals.push(cell.clone()),
                None => {
                    if matches!(cell.kind, Kind::Value { .. }) {
                        ex.note(Normalisation::new(
                            Some(cell.line),
                            "value_outside_row",
                            trim(&cell.text),
                            "",
                            format!(
                                "「{}」出现在表头中，不属于任何一行，未导入",
                                trim(&cell.text)
                            ),
                        ));
                    }
                }
            },
            Tok::Text(cell) => {
                let t = trim(&cell.text);
                if looks_like_noise(&simplify(t)) {
                    ex.note(Normalisation::new(
                        Some(cell.line),
                        "skipped_noise",
                        t,
                        "",
                        "表格中夹杂的文字（疑为镜像站插入的广告或识别噪声），已跳过，不影响栏目对应",
                    ));
                } else if !seg.rows.is_empty() {
                    seg.rows.push(RowAcc {
                        node: None,
                        label: t.to_string(),
                        line: cell.line,
                        vals: Vec::new(),
                    });
                } else {
                    ex.note(Normalisation::new(
                        Some(cell.line),
                        "unmatched_label",
                        t,
                        "",
                        format!("表头中的「{t}」不是格式中的栏目，已忽略"),
                    ));
                }
            }
        }
    }
    segs.push(seg);
    segs.retain(|s| s.table.is_some() || !s.rows.is_empty() || !s.header.is_empty());
    segs
}

fn read_segment(edition: &'static Edition, seg: Segment, ex: &mut Extracted) {
    let Some(ti) = seg.table else {
        for r in &seg.rows {
            ex.note(Normalisation::new(
                Some(r.line),
                "unmatched_label",
                r.label.clone(),
                "",
                format!("「{}」不属于格式中的任何表格，其后数值未导入", r.label),
            ));
        }
        return;
    };
    let table = &edition.tables[ti];
    let header = header_order(table, ti, &seg.header, ex);
    let mut order = match &header {
        Ok(order) => Some(order.clone()),
        Err(_) => None,
    };
    // Rows of a split standard row: the last standard row without values, and the labels of the
    // non-standard rows that follow it.
    let mut split_parent: Option<(usize, Vec<String>)> = None;
    let flush_split = |split: &mut Option<(usize, Vec<String>)>, ex: &mut Extracted| {
        if let Some((row, labels)) = split.take()
            && !labels.is_empty()
        {
            ex.set_row_reason(
                ti,
                row,
                format!(
                    "原文把这一行分成非标准的分项「{}」，没有合计数；未导入，请按格式填写合计",
                    labels.join("」「")
                ),
            );
        }
    };
    for row in &seg.rows {
        let Some(node) = row.node else {
            let values: Vec<String> = row
                .vals
                .iter()
                .filter(|c| c.kind != Kind::Soft)
                .map(|c| trim(&c.text).to_string())
                .collect();
            ex.note(Normalisation::new(
                Some(row.line),
                "nonstandard_row",
                row.label.clone(),
                "",
                format!(
                    "「{}」不是格式中的栏目（表格「{}」），其后的数值「{}」未导入",
                    row.label,
                    table.caption_text(),
                    values.join("、")
                ),
            ));
            if let Some((_, labels)) = split_parent.as_mut() {
                labels.push(row.label.clone());
            }
            continue;
        };
        flush_split(&mut split_parent, ex);
        let Some(leaf) = node.leaf else {
            if row
                .vals
                .iter()
                .any(|c| matches!(c.kind, Kind::Value { dash: false }))
            {
                ex.note(Normalisation::new(
                    Some(row.line),
                    "subtotal_ignored",
                    row.label.clone(),
                    "",
                    format!(
                        "「{}」是分组行，格式中本身不填数；原文在此写的数值未导入（由其下各项计算）",
                        node.label
                    ),
                ));
                if node.children.iter().all(|c| {
                    !seg.rows
                        .iter()
                        .any(|r| r.node.is_some_and(|n| std::ptr::eq(n, c)))
                }) {
                    for child in &node.children {
                        if let Some(l) = child.leaf {
                            ex.row_reason(
                                ti,
                                l,
                                format!("原文只给出「{}」的合计，没有分项数值", node.label),
                            );
                        }
                    }
                }
            }
            continue;
        };
        if order.is_none() {
            // No usable header: the format's order, if the row holds exactly that many values.
            let n = table.leaf_columns.len();
            if resolve(&row.vals, n).is_ok() {
                let why = header.as_ref().err().cloned().unwrap_or_default();
                ex.note(Normalisation::new(
                    Some(row.line),
                    "header_missing",
                    "",
                    "",
                    format!(
                        "「{}」{why}，各行数值按格式的栏目顺序读取",
                        table.caption_text()
                    ),
                ));
                order = Some((0..n).collect());
            }
        }
        let Some(order) = order.as_ref() else {
            ex.row_reason(ti, leaf, header.as_ref().err().cloned().unwrap_or_default());
            continue;
        };
        match resolve(&row.vals, order.len()) {
            Ok(vals) => {
                for (&col, cell) in order.iter().zip(vals) {
                    ex.cells.push(RawCell {
                        table: ti,
                        row: leaf,
                        col,
                        text: if cell.kind == Kind::Soft {
                            String::new()
                        } else {
                            cell.text.clone()
                        },
                        line: cell.line,
                    });
                }
                if row.vals.is_empty() {
                    split_parent = Some((leaf, Vec::new()));
                }
            }
            Err(reason) => {
                if row.vals.iter().all(|c| c.kind == Kind::Soft) {
                    split_parent = Some((leaf, Vec::new()));
                }
                ex.row_reason(ti, leaf, reason);
            }
        }
    }
    flush_split(&mut split_parent, ex);
}

/// Why a row with a label and nothing after it is missing.
pub(crate) const NO_VALUES: &str = "原文这一行没有数值";

/// The values of one row, `n` of them, from the cells after its label.
fn resolve(vals: &[Cell], n: usize) -> Result<Vec<&Cell>, String> {
    let droppable = |c: &Cell| matches!(c.kind, Kind::Blank | Kind::Value { dash: true });
    let mut hard: Vec<&Cell> = vals.iter().filter(|c| c.kind != Kind::Soft).collect();
    let filled = |v: &[&Cell]| {
        v.iter()
            .filter(|c| matches!(c.kind, Kind::Value { .. }))
            .count()
    };
    if hard.len() > n {
        while hard.len() > n && hard.last().is_some_and(|c| droppable(c)) {
            hard.pop();
        }
        while hard.len() > n && hard.first().is_some_and(|c| droppable(c)) {
            hard.remove(0);
        }
    }
    if hard.len() == n {
        return Ok(hard);
    }
    // A row printed on one line with empty cells between pipes.
    if hard.len() < n
        && let Some(first) = vals.first()
        && vals.iter().all(|c| c.phys == first.phys)
    {
        let mut all: Vec<&Cell> = vals.iter().collect();
        while all.len() > n && all.last().is_some_and(|c| c.kind == Kind::Soft) {
            all.pop();
        }
        if all.len() == n && filled(&all) > 0 {
            return Ok(all);
        }
    }
    let found = filled(&hard);
    if found == 0 && hard.iter().all(|c| c.kind != Kind::Blank) {
        Err(NO_VALUES.into())
    } else {
        Err(format!(
            "原文这一行有 {} 个单元格（{} 个数值），应有 {n} 个，无法确定各数值对应的栏目，未导入",
            hard.len(),
            found
        ))
    }
}

/// The leaf columns in the order the header prints them.
fn header_order(
    table: &'static Table,
    ti: usize,
    header: &[(LabelMatch, String, usize)],
    ex: &mut Extracted,
) -> Result<Vec<usize>, String> {
    let mut seq: Vec<(Vec<&'static ColumnNode>, usize, &How)> = Vec::new();
    for (m, _, line) in header {
        let nodes: Vec<&'static ColumnNode> = m
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::Column { table, node } if *table == ti => Some(*node),
                _ => None,
            })
            .collect();
        if nodes.is_empty() {
            continue;
        }
        if let How::WithNote(note) = &m.how {
            for leaf in nodes.iter().filter_map(|n| n.leaf) {
                ex.money_unit(table, ti, leaf, note, *line);
            }
        }
        seq.push((nodes, *line, &m.how));
    }
    if seq.is_empty() {
        return Err("原文没有表头".into());
    }
    let n = table.leaf_columns.len();
    if seq.iter().any(|(nodes, _, _)| nodes.len() > 1) {
        // Truncated header cells ("本年新" twice): accept only the format's own order.
        let consistent = seq.len() == n
            && seq
                .iter()
                .enumerate()
                .all(|(i, (nodes, _, _))| nodes.iter().any(|node| node.leaf == Some(i)));
        if consistent {
            ex.note(Normalisation::new(
                seq.first().map(|s| s.1),
                "truncated_header",
                "",
                "",
                format!(
                    "「{}」的表头不完整（有的栏目名只印出开头），与格式的栏目顺序一致，按格式顺序读取",
                    table.caption_text()
                ),
            ));
            return Ok((0..n).collect());
        }
        return Err("表头栏目名不完整，无法确定各列".into());
    }
    let firsts: Vec<&'static ColumnNode> = seq.iter().map(|(nodes, _, _)| nodes[0]).collect();
    let order = expand(&table.columns, &firsts);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    if sorted != order {
        let labels: Vec<String> = order
            .iter()
            .map(|&c| {
                table.leaf_columns[c]
                    .path
                    .last()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        ex.note(Normalisation::new(
            seq.first().map(|s| s.1),
            "header_order",
            "",
            labels.join("、"),
            format!(
                "「{}」表头的栏目顺序与格式不同（{}），按表头顺序读取数值",
                table.caption_text(),
                labels.join("、")
            ),
        ));
    }
    if order.is_empty() {
        return Err("原文没有表头".into());
    }
    Ok(order)
}

/// Leaves in header order: siblings by their first appearance (or their descendants'), groups
/// expanded in place.
fn expand(nodes: &'static [ColumnNode], seq: &[&'static ColumnNode]) -> Vec<usize> {
    fn contains(node: &ColumnNode, x: &ColumnNode) -> bool {
        std::ptr::eq(node, x) || node.children.iter().any(|c| contains(c, x))
    }
    let mut present: Vec<(usize, &'static ColumnNode)> = nodes
        .iter()
        .filter_map(|n| seq.iter().position(|s| contains(n, s)).map(|p| (p, n)))
        .collect();
    present.sort_by_key(|(p, _)| *p);
    let mut out = Vec::new();
    for (_, n) in present {
        match n.leaf {
            Some(l) => out.push(l),
            None => {
                let inner = expand(&n.children, seq);
                if inner.is_empty() {
                    out.extend(leaves_of(n));
                } else {
                    out.extend(inner);
                }
            }
        }
    }
    out
}

/// Part 四: one unlabelled row; the values are the cells after the last label.
fn read_single_row(edition: &'static Edition, ti: usize, toks: &[Tok], ex: &mut Extracted) {
    let table = &edition.tables[ti];
    let mut last_label = None;
    let mut scrambled: Vec<(String, usize)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Label { m, line, .. } => {
                if m.targets.iter().any(|t| t.table() == Some(ti)) {
                    ex.saw(ti, *line);
                }
                last_label = Some(i);
            }
            Tok::Text(c) => {
                let t = trim(&c.text);
                if looks_like_noise(&simplify(t)) {
                    ex.note(Normalisation::new(
                        Some(c.line),
                        "skipped_noise",
                        t,
                        "",
                        "表格中夹杂的文字（疑为镜像站插入的广告或识别噪声），已跳过",
                    ));
                    continue;
                }
                scrambled.push((t.to_string(), c.line));
                last_label = Some(i);
            }
            Tok::Val(_) => {}
        }
    }
    if let Some((_, line)) = scrambled.first() {
        let words: Vec<&str> = scrambled.iter().map(|(w, _)| w.as_str()).collect();
        ex.note(Normalisation::new(
            Some(*line),
            "scrambled_header",
            words.join(" "),
            "",
            format!(
                "「{}」的表头文字被打散（PDF 提取），「{}」等无法逐格对应，已忽略；数值按格式的栏目顺序读取",
                table.title,
                words.iter().take(6).copied().collect::<Vec<_>>().join("」「")
            ),
        ));
    }
    let vals: Vec<Cell> = toks
        .iter()
        .skip(last_label.map_or(0, |i| i + 1))
        .filter_map(|t| match t {
            Tok::Val(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    if vals.is_empty() {
        return;
    }
    ex.saw(ti, vals[0].line);
    let n = table.leaf_columns.len();
    match resolve(&vals, n) {
        Ok(cells) => {
            for (col, cell) in cells.into_iter().enumerate() {
                ex.cells.push(RawCell {
                    table: ti,
                    row: 0,
                    col,
                    text: if cell.kind == Kind::Soft {
                        String::new()
                    } else {
                        cell.text.clone()
                    },
                    line: cell.line,
                });
            }
            ex.note(Normalisation::new(
                Some(vals[0].line),
                "positional_values",
                "",
                "",
                format!(
                    "「{}」的 {n} 个数值按格式的栏目顺序读取（本表栏目名在三组下重复）",
                    table.title
                ),
            ));
        }
        Err(reason) => ex.table_reasons.push((ti, reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::import::doc::Item;
    use crate::commands::import::doc::text_items;
    use crate::format;

    fn lines(text: &str) -> Vec<Line> {
        text_items(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Line(l) => Some(l),
                Item::Grid(_) => None,
            })
            .collect()
    }

    fn value(ex: &Extracted, e: &Edition, table: &str, row: &str, col: &str) -> Option<String> {
        let ti = e.table_index(table).unwrap();
        let t = &e.tables[ti];
        let r = t
            .leaf_rows
            .iter()
            .position(|r| r.path.last().map(String::as_str) == Some(row))
            .unwrap_or(0);
        let c = t
            .leaf_columns
            .iter()
            .position(|c| c.path.last().map(String::as_str) == Some(col))
            .unwrap();
        ex.cells
            .iter()
            .find(|x| x.table == ti && x.row == r && x.col == c)
            .map(|x| trim(&x.text).to_string())
    }

    /// The part-三 header of 云林/东北塘街道 2019 puts 总计 before 自然人: values follow it.
    #[test]
    fn header_order_is_by_label() {
        let e = format::builtin().by_id("2019").unwrap();
        let text = "申请人情况\n\n总计\n\n自然人\n\n法人或\n\n其他组织\n\n商业\n\n企业\n\n科研机构\n\n社会公益组织\n\n法律服务机构\n\n其他\n\n一、本年新收政府信息公开申请数量\n\n9\n\n2\n\n3\n\n1\n\n1\n\n1\n\n1\n";
        let mut ex = Extracted::new(e);
        read_part(e, "三", &lines(text), &mut ex);
        let row = "一、本年新收政府信息公开申请数量";
        assert_eq!(value(&ex, e, "3", row, "总计").as_deref(), Some("9"));
        assert_eq!(value(&ex, e, "3", row, "自然人").as_deref(), Some("2"));
        assert_eq!(value(&ex, e, "3", row, "商业企业").as_deref(), Some("3"));
        assert_eq!(value(&ex, e, "3", row, "其他").as_deref(), Some("1"));
        assert!(ex.notes.iter().any(|n| n.kind == "header_order"));
    }

    #[test]
    fn pipe_rows_and_soft_blanks() {
        let e = format::builtin().by_id("2021").unwrap();
        let text = "第二十条第(五)项 | |||\n信息内容 | 本年处理决定数量 | ||\n行政许可 | 12 | ||\n第二十条第(一)项 | |||\n信息内容 | 本年(2023)制发件数 | 本年(2023)废止件数 | 现行有效件数 |\n规章 | 0 | 0 | 0 |\n规范性文件 | 1 | | 3 |\n";
        let mut ex = Extracted::new(e);
        read_part(e, "二", &lines(text), &mut ex);
        assert_eq!(
            value(&ex, e, "2-5", "行政许可", "本年处理决定数量").as_deref(),
            Some("12")
        );
        assert_eq!(
            value(&ex, e, "2-1", "行政规范性文件", "本年制发件数").as_deref(),
            Some("1")
        );
        assert_eq!(
            value(&ex, e, "2-1", "行政规范性文件", "本年废止件数").as_deref(),
            Some("")
        );
        assert_eq!(
            value(&ex, e, "2-1", "行政规范性文件", "现行有效件数").as_deref(),
            Some("3")
        );
    }

    #[test]
    fn space_separated_rows_keep_notes_whole() {
        assert_eq!(
            words_outside_brackets("规范性文件(意见、通 知,以及) 87 0 0"),
            ["规范性文件(意见、通 知,以及)", "87", "0", "0"]
        );
        let e = format::builtin().by_id("2019").unwrap();
        let text = "第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章(设区的市、自治州人民政府应提供相关数据) 0 0 0\n规范性文件(行政机关制定发布的决定、公告、通 知) 87 0 0\n";
        let mut ex = Extracted::new(e);
        read_part(e, "二", &lines(text), &mut ex);
        assert_eq!(
            value(&ex, e, "2-1", "规范性文件", "本年新制作数量").as_deref(),
            Some("87")
        );
        assert_eq!(
            value(&ex, e, "2-1", "规章", "对外公开总数量").as_deref(),
            Some("0")
        );
    }

    #[test]
    fn split_rows_and_noise() {
        let e = format::builtin().by_id("2019").unwrap();
        let text = "第二十条第(五)项 |\n信息内容 |\n上一年项目数量 |\n本年增/减 |\n处理决定数量 |\n行政许可 |\n澳门葡京娱乐城 www.example.com |\n5 |\n-2 |\n7 |\n其他对外管理服务事项 |\n行政检查 |\n0 |\n0 |\n0 |\n行政确认 |\n1 |\n1 |\n1 |\n";
        let mut ex = Extracted::new(e);
        read_part(e, "二", &lines(text), &mut ex);
        assert_eq!(
            value(&ex, e, "2-5", "行政许可", "本年增/减").as_deref(),
            Some("-2")
        );
        assert_eq!(
            value(&ex, e, "2-5", "行政许可", "处理决定数量").as_deref(),
            Some("7")
        );
        assert_eq!(
            value(&ex, e, "2-5", "其他对外管理服务事项", "处理决定数量"),
            None
        );
        assert!(
            ex.row_reasons
                .iter()
                .any(|(_, _, r)| r.contains("行政检查"))
        );
        assert!(ex.notes.iter().any(|n| n.kind == "skipped_noise"));
    }
}
