//! Consistency checks (勾稽关系): the edition's rules applied to one report, to a report and its
//! predecessor, and to what the narrative says about the tables.
//!
//! Totals (R3.2, R3.3, R4.1), value domains (R2.1, R3.5, R4.2) and group rows (R3.4) are checked
//! while loading ([`crate::load::report`]); everything else is declared in the edition's `rules` and
//! in the shared narrative `claims`, and evaluated here.

use std::ops::Range;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::format::{self, CellRef, Claim, Edition, Op, Rule, RuleInstance, RuleKind};
use crate::load::narrative::Narrative;
use crate::load::report::Report;
use crate::number::Decimal;

/// Apply every rule of the report's edition. `previous` is the report of the year before, if
/// the site has one; `body_kind` is the kind of body from site.toml.
pub fn check_report(
    report: &Report,
    previous: Option<&Report>,
    body_kind: &str,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for rule in &report.edition.rules {
        if rule.unless_body_kind.iter().any(|k| k == body_kind) {
            continue;
        }
        let prev = if rule.is_cross_year() {
            match previous {
                Some(p)
                    if p.year + 1 == report.year
                        && rule.previous_editions.contains(&p.edition.id) =>
                {
                    Some(p)
                }
                _ => continue,
            }
        } else {
            None
        };
        for instance in &rule.instances {
            if let Some(d) = check_instance(rule, instance, report, prev) {
                diags.push(d);
            }
        }
    }
    diags
}

/// Values of a term: the sum of its cells, or `None` if one is missing.
fn term_value(report: &Report, prev: Option<&Report>, term: &CellRef) -> Option<Decimal> {
    let mut sum = Decimal::ZERO;
    for &(row, col) in &term.cells {
        let cell = if term.previous {
            prev?.cell_like(report.edition, term.table, row, col)?
        } else {
            report.cell(term.table, row, col)?
        };
        sum = sum.plus(cell.value);
    }
    Some(sum.times(term.sign))
}

fn side_value(report: &Report, prev: Option<&Report>, terms: &[CellRef]) -> Option<Decimal> {
    terms.iter().try_fold(Decimal::ZERO, |acc, t| {
        Some(acc.plus(term_value(report, prev, t)?))
    })
}

fn check_instance(
    rule: &Rule,
    inst: &RuleInstance,
    report: &Report,
    prev: Option<&Report>,
) -> Option<Diagnostic> {
    if let Some(w) = &inst.when_positive
        && !term_value(report, prev, w)?.is_positive()
    {
        return None;
    }
    let left = side_value(report, prev, &inst.left)?;
    let right = side_value(report, prev, &inst.right)?;
    let holds = match rule.kind {
        RuleKind::BothOrNeither => left.is_positive() == right.is_positive(),
        RuleKind::Compare | RuleKind::UnsignedDecrease => match rule.op {
            Op::Eq => left == right,
            Op::Ne => left != right,
            Op::Le => left <= right,
            Op::Ge => left >= right,
        },
    };
    if holds {
        return None;
    }
    let edition = report.edition;
    let (side, term_index, cell) = primary_cell(rule, inst, report)?;
    let term = if side == Side::Left {
        &inst.left[term_index]
    } else {
        &inst.right[term_index]
    };
    let table = &edition.tables[term.table];
    let c = report.cell(term.table, cell.0, cell.1)?;
    let span = c.span.clone()?;
    let found = c.value;

    let common = common_of(inst);
    let left_text = describe(edition, &inst.left, report, prev, common);
    let right_text = describe(edition, &inst.right, report, prev, common);
    let op_text = match (rule.kind, rule.op) {
        (RuleKind::BothOrNeither, _) => "与",
        (_, Op::Eq) => "≠",
        (_, Op::Ne) => "=",
        (_, Op::Le) => ">",
        (_, Op::Ge) => "<",
    };
    let label = format!("{left_text} {op_text} {right_text}");
    let mut d = Diagnostic::new(rule.severity, &rule.id, &rule.title)
        .at(&report.source, span)
        .label(label)
        .path(table.label_path(edition, cell.0, cell.1))
        .hint(rule.hint.clone());
    match (rule.kind, rule.op) {
        (RuleKind::Compare, Op::Eq) => {
            // The value this cell would need, the others unchanged.
            let diff = left.minus(right);
            let expected = if side == Side::Left {
                found.minus(diff.times(term.sign))
            } else {
                found.plus(diff.times(term.sign))
            };
            let mut expected_text = expected.to_string();
            if let Some(p) = prev
                && inst.right.iter().chain(&inst.left).any(|t| t.previous)
            {
                expected_text.push_str(&format!("（按{}年度报告 {} 推算）", p.year, p.source.name));
            }
            d = d.expected_found(expected_text, found.to_string());
        }
        (RuleKind::UnsignedDecrease, _) => {
            d = d.expected_found(format!("-{}", found.abs()), found.to_string());
        }
        _ => {}
    }
    // Show the other cells of this report that take part (at most three).
    let mut shown = 0;
    for t in inst.left.iter().chain(&inst.right) {
        if t.previous {
            continue;
        }
        for &(r, col) in &t.cells {
            if (t.table, r, col) == (term.table, cell.0, cell.1) {
                continue;
            }
            if let Some(other) = report.cell(t.table, r, col)
                && let Some(s) = &other.span
                && shown < 3
                && (t.cells.len() == 1 || !other.value.is_zero())
            {
                d = d.related(s.clone(), other.value.to_string());
                shown += 1;
            }
        }
    }
    Some(d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// The written cell a violation is reported at (see the module documentation of the rules).
fn primary_cell(
    rule: &Rule,
    inst: &RuleInstance,
    report: &Report,
) -> Option<(Side, usize, (usize, usize))> {
    let written =
        |terms: &[CellRef], side: Side, rev: bool| -> Option<(Side, usize, (usize, usize))> {
            let mut items: Vec<(usize, &CellRef)> = terms.iter().enumerate().collect();
            if rev {
                items.reverse();
            }
            items.into_iter().find_map(|(i, t)| {
                if t.previous {
                    return None;
                }
                t.cells
                    .iter()
                    .find(|&&(r, c)| report.cell(t.table, r, c).is_some_and(|x| !x.is_computed()))
                    .map(|&cell| (side, i, cell))
            })
        };
    if let Some(w) = &inst.when_positive {
        // Point at the cell the condition is about: find it among the terms.
        for (i, t) in inst.left.iter().enumerate() {
            if t.table == w.table && t.cells == w.cells {
                return Some((Side::Left, i, t.cells[0]));
            }
        }
    }
    if rule.is_cross_year() {
        return written(&inst.left, Side::Left, false)
            .or_else(|| written(&inst.right, Side::Right, false));
    }
    written(&inst.right, Side::Right, false).or_else(|| written(&inst.left, Side::Left, true))
}

/// `一 ＋ 二 = 5` for a side of a rule. Row or column names shared by every term of the rule
/// instance are left out (`common`), so a per-column rule reads `一 ＋ 二` rather than repeating
/// the column.
fn describe(
    edition: &Edition,
    terms: &[CellRef],
    report: &Report,
    prev: Option<&Report>,
    common: Common,
) -> String {
    if terms.is_empty() {
        return "0".into();
    }
    let mut text = String::new();
    for (i, t) in terms.iter().enumerate() {
        let name = term_name(edition, t, prev, common);
        let sign = match (t.sign < 0, i) {
            (true, 0) => "－",
            (true, _) => " － ",
            (false, 0) => "",
            (false, _) => " ＋ ",
        };
        text.push_str(sign);
        text.push_str(&name);
    }
    match side_value(report, prev, terms) {
        Some(v) if terms.len() > 1 => format!("{text} = {v}"),
        Some(v) => format!("{text}（{v}）"),
        None => text,
    }
}

/// What all terms of a rule instance share.
#[derive(Debug, Clone, Copy)]
struct Common {
    row: bool,
    col: bool,
}

fn common_of(inst: &RuleInstance) -> Common {
    let cells: Vec<(usize, usize, usize)> = inst
        .left
        .iter()
        .chain(&inst.right)
        .flat_map(|t| t.cells.iter().map(move |&(r, c)| (t.table, r, c)))
        .collect();
    let Some(&(t0, r0, c0)) = cells.first() else {
        return Common {
            row: false,
            col: false,
        };
    };
    let same_table = cells.iter().all(|c| c.0 == t0);
    Common {
        row: same_table && cells.iter().all(|c| c.1 == r0),
        col: same_table && cells.iter().all(|c| c.2 == c0) && !cells.is_empty(),
    }
}

fn term_name(edition: &Edition, t: &CellRef, prev: Option<&Report>, common: Common) -> String {
    let table = &edition.tables[t.table];
    let (row, col) = t.cells[0];
    let same_row = t.cells.iter().all(|c| c.0 == row);
    let same_col = t.cells.iter().all(|c| c.1 == col);
    let row_name = if table.single_row() || common.row {
        String::new()
    } else if same_row {
        short_row(
            table.leaf_rows[row]
                .path
                .last()
                .map(String::as_str)
                .unwrap_or(""),
        )
    } else {
        // A group: name the deepest common ancestor.
        let first = &table.leaf_rows[row].path;
        let shared = (0..first.len())
            .take_while(|&k| {
                t.cells
                    .iter()
                    .all(|c| table.leaf_rows[c.0].path.get(k) == first.get(k))
            })
            .count();
        short_row(
            first
                .get(shared.saturating_sub(1))
                .map(String::as_str)
                .unwrap_or(""),
        )
    };
    let col_name = if same_col && !common.col {
        table.leaf_columns[col].display_path.join("·")
    } else {
        String::new()
    };
    let mut name = match (row_name.is_empty(), col_name.is_empty()) {
        (false, false) => format!("{row_name}·{col_name}"),
        (false, true) => row_name,
        (true, false) => col_name,
        (true, true) if common.row || common.col => table.leaf_columns[col].display_path.join("·"),
        (true, true) => table.caption_text(),
    };
    if t.previous {
        let year = prev.map_or(String::from("上年"), |p| format!("{}年", p.year));
        name = format!("{year}报告的{name}");
    }
    name
}

/// `一、本年新收政府信息公开申请数量` → `一`; `（七）总计` stays.
fn short_row(label: &str) -> String {
    match label.split_once('、') {
        Some((n, _)) if n.chars().count() == 1 => n.to_string(),
        _ => label.to_string(),
    }
}

/// Compare what the narrative states with the tables (R3.7, R4.3).
pub fn check_claims(report: &Report, narrative: &Narrative) -> Vec<Diagnostic> {
    let edition = report.edition;
    let mut diags = Vec::new();
    let mut used: Vec<Range<usize>> = Vec::new();
    let index = Sentences::new(narrative);
    for claim in format::builtin().claims() {
        if claim.metrics.iter().any(|m| edition.metric(m).is_none()) {
            continue;
        }
        match claim.kind {
            format::ClaimKind::Channels => channels(claim, report, narrative, &index, &mut diags),
            format::ClaimKind::Figure => {
                figure(claim, report, narrative, &index, &mut used, &mut diags)
            }
            format::ClaimKind::None => none_stated(claim, report, narrative, &index, &mut diags),
        }
    }
    diags
}

/// The sentences of each part of a narrative, split once and shared by every claim.
struct Sentences {
    /// Per part index: its sentences.
    parts: Vec<Vec<Sentence>>,
}

/// One sentence: its span in the narrative and whether it holds an ASCII digit (a figure is
/// written in ASCII digits, so only those sentences can state one).
struct Sentence {
    span: Range<usize>,
    figures: bool,
}

impl Sentences {
    /// Sentences end at 。！？；and line breaks. Found with memchr on their first bytes (`E3` for
    /// 。, `EF` for the full-width ！？；), since walking every character of the narrative for
    /// every report was a visible part of a build.
    fn new(narrative: &Narrative) -> Self {
        let parts = narrative
            .parts
            .iter()
            .map(|p| {
                let Some(p) = p else { return Vec::new() };
                let text = narrative.text(&p.body).as_bytes();
                let mut out = Vec::new();
                let mut push = |from: usize, to: usize| {
                    if to > from {
                        out.push(Sentence {
                            span: p.body.start + from..p.body.start + to,
                            figures: text[from..to].iter().any(u8::is_ascii_digit),
                        });
                    }
                };
                let mut start = 0;
                let mut at = 0;
                while let Some(i) = memchr::memchr3(0xe3, 0xef, b'\n', &text[at..]).map(|i| at + i)
                {
                    let end = match &text[i..] {
                        [b'\n', ..] => 1,
                        [0xe3, 0x80, 0x82, ..] | [0xef, 0xbc, 0x81 | 0x9f | 0x9b, ..] => 3,
                        _ => 0,
                    };
                    if end == 0 {
                        at = i + 1;
                        continue;
                    }
                    push(start, i);
                    start = i + end;
                    at = start;
                }
                push(start, text.len());
                out
            })
            .collect();
        Sentences { parts }
    }

    /// Sentences of the given parts (by number), in order.
    fn of<'a>(
        &'a self,
        edition: &'a Edition,
        parts: &'a [String],
    ) -> impl Iterator<Item = &'a Sentence> + 'a {
        parts.iter().flat_map(move |number| {
            edition
                .parts
                .iter()
                .position(|p| &p.number == number)
                .and_then(|i| self.parts.get(i))
                .into_iter()
                .flatten()
        })
    }
}

/// Paragraphs (blank-line separated blocks, and single lines) of the given parts.
fn paragraphs(edition: &Edition, narrative: &Narrative, parts: &[String]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for number in parts {
        let Some(p) = narrative.part_by_number(edition, number) else {
            continue;
        };
        let text = narrative.text(&p.body);
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if !line.trim().is_empty() {
                out.push(p.body.start + offset..p.body.start + offset + line.trim_end().len());
            }
            offset += line.len();
        }
    }
    out
}

fn captures(patterns: &[Regex], text: &str, base: usize) -> Vec<(Decimal, Range<usize>)> {
    let mut out: Vec<(Decimal, Range<usize>)> = Vec::new();
    // A figure is ASCII digits (Decimal::parse accepts nothing else), so a sentence without one
    // states none; most narrative sentences are skipped here without running a pattern.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    for re in patterns {
        for caps in re.captures_iter(text) {
            let Some(n) = caps.name("n") else {
                continue;
            };
            let Some(v) = Decimal::parse(n.as_str()) else {
                continue;
            };
            let span = base + n.start()..base + n.end();
            if !out.iter().any(|(_, s)| *s == span) {
                out.push((v, span));
            }
        }
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}

fn metric_sum(report: &Report, metrics: &[String]) -> Option<Decimal> {
    metrics
        .iter()
        .try_fold(Decimal::ZERO, |acc, m| Some(acc.plus(report.metric(m)?)))
}

fn metric_labels(report: &Report, metrics: &[String]) -> String {
    metrics
        .iter()
        .filter_map(|m| report.edition.metric(m))
        .map(|m| format!("表{}「{}」", table_number(report, m), m.label))
        .collect::<Vec<_>>()
        .join(" ＋ ")
}

fn table_number(report: &Report, m: &format::Metric) -> String {
    m.cells
        .first()
        .map(|c| report.edition.tables[c.table].number.clone())
        .unwrap_or_default()
}

fn figure(
    claim: &Claim,
    report: &Report,
    narrative: &Narrative,
    index: &Sentences,
    used: &mut Vec<Range<usize>>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(expected) = metric_sum(report, &claim.metrics) else {
        return;
    };
    for s in index.of(report.edition, &claim.parts).filter(|s| s.figures) {
        let text = &narrative.source.text[s.span.clone()];
        if !claim.context.is_empty() && !claim.context.iter().any(|w| text.contains(w.as_str())) {
            continue;
        }
        for (value, span) in captures(&claim.patterns, text, s.span.start) {
            if used
                .iter()
                .any(|u| u.start < span.end && span.start < u.end)
            {
                continue;
            }
            used.push(span.clone());
            if value != expected {
                diags.push(
                    Diagnostic::warning(&claim.id, format!("{}与表格不一致", claim.title))
                        .at(&narrative.source, span)
                        .label(format!("正文写 {value}"))
                        .path(metric_labels(report, &claim.metrics))
                        .expected_found(
                            format!("{expected}（表格数）"),
                            format!("{value}（正文数）"),
                        )
                        .hint(claim.hint.clone()),
                );
            }
        }
    }
}

fn none_stated(
    claim: &Claim,
    report: &Report,
    narrative: &Narrative,
    index: &Sentences,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(sum) = metric_sum(report, &claim.metrics) else {
        return;
    };
    if sum.is_zero() {
        return;
    }
    for s in index.of(report.edition, &claim.parts) {
        let text = &narrative.source.text[s.span.clone()];
        if let Some(m) = claim.patterns.iter().find_map(|re| re.find(text)) {
            diags.push(
                Diagnostic::warning(&claim.id, format!("{}，但表格中不为 0", claim.title))
                    .at(
                        &narrative.source,
                        s.span.start + m.start()..s.span.start + m.end(),
                    )
                    .label("正文说没有")
                    .path(metric_labels(report, &claim.metrics))
                    .expected_found("0".to_string(), format!("{sum}（表格数）"))
                    .hint(claim.hint.clone()),
            );
            return;
        }
    }
}

fn channels(
    claim: &Claim,
    report: &Report,
    narrative: &Narrative,
    index: &Sentences,
    diags: &mut Vec<Diagnostic>,
) {
    let edition = report.edition;
    let Some((total, total_span)) = narrative
        .stated_total
        .get_or_init(|| stated_total(claim, edition, narrative, index))
        .clone()
    else {
        return;
    };
    for p in paragraphs(edition, narrative, &claim.parts) {
        let text = &narrative.source.text[p.clone()];
        let found = captures(&claim.patterns, text, p.start);
        if found.len() < 2 {
            continue;
        }
        let sum = found.iter().fold(Decimal::ZERO, |acc, (v, _)| acc.plus(*v));
        if sum != total {
            let parts: Vec<String> = found.iter().map(|(v, _)| v.to_string()).collect();
            let mut d = Diagnostic::warning(&claim.id, format!("{}不一致", claim.title))
                .at(&narrative.source, total_span.clone())
                .label(format!("正文写共 {total} 条"))
                .expected_found(
                    format!("{} = {sum}（各渠道之和）", parts.join(" + ")),
                    format!("{total}"),
                )
                .hint(claim.hint.clone());
            for (v, s) in &found {
                d = d.related(s.clone(), format!("{v}"));
            }
            diags.push(d);
        }
        return;
    }
}

/// Every rule of every year of a site, including the cross-year rules and the narrative claims.
pub fn check_site(site: &crate::load::Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (i, y) in site.years.iter().enumerate() {
        let previous = i
            .checked_sub(1)
            .map(|p| &site.years[p].report)
            .filter(|p| p.year + 1 == y.year);
        diags.extend(check_report(&y.report, previous, &site.config.body.kind));
        if let Some(n) = &y.narrative {
            diags.extend(check_claims(&y.report, n));
        }
    }
    diags
}

/// The number of items proactively disclosed, as the narrative states it (the total that the
/// `channels` claim reads, e.g. 全年共发布信息 383 条). No table holds this figure; the site shows
/// it marked as taken from the text.
pub fn stated_proactive_total(report: &Report, narrative: &Narrative) -> Option<Decimal> {
    let claim = format::builtin()
        .claims()
        .iter()
        .find(|c| c.kind == format::ClaimKind::Channels)?;
    narrative
        .stated_total
        .get_or_init(|| stated_total(claim, report.edition, narrative, &Sentences::new(narrative)))
        .as_ref()
        .map(|(v, _)| *v)
}

/// The first total the text states for a `channels` claim, in reading order.
fn stated_total(
    claim: &Claim,
    edition: &Edition,
    narrative: &Narrative,
    index: &Sentences,
) -> Option<(Decimal, Range<usize>)> {
    index
        .of(edition, &claim.total_parts)
        .filter(|s| s.figures)
        .find_map(|s| {
            let text = &narrative.source.text[s.span.clone()];
            captures(&claim.total_patterns, text, s.span.start)
                .into_iter()
                .next()
        })
}

#[cfg(test)]
mod tests;
