//! What the table readers found, and how it becomes report.yaml values.
//!
//! Both readers — [`super::text`] for flattened text and [`super::html`] for grids — report
//! the cells they could place as [`RawCell`]s (table, row, column and the cell text as printed),
//! plus why rows or tables they saw could not be placed. [`Extracted::values`] then applies the
//! one blank-cell policy for all layouts:
//!
//! - a table with at least one filled cell (a number, `无` or a dash) is *present*: its blank
//!   cells, `无` and dashes are 0 (FORMAT.md §6: zero is written blank, `无` or `0`), except a
//!   blank in the **总计 column**, which is left out so that gongkai computes it — the [SH2019]
//!   layout leaves 总计 blank on every sub-row — and a **（七）总计 row** left entirely blank,
//!   which is computed too;
//! - a table whose cells are all blank, or that has labels and no cells at all, is *missing*:
//!   nothing of it is written, and `check` reports it.
//!
//! Nothing is ever filled in that the source did not print.

use serde::Serialize;

use crate::format::{ColumnKind, Edition, Table};
use crate::load::report::writer::Written;

use super::normalize::{CellText, Fix, parse_value};

/// A cell placed by a table reader, as printed.
#[derive(Debug, Clone)]
pub(crate) struct RawCell {
    pub table: usize,
    pub row: usize,
    pub col: usize,
    pub text: String,
    pub line: usize,
}

/// A normalisation the importer applied (or a piece of the source it set aside), with the
/// source line it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Normalisation {
    /// 1-based line in the source file, when the change concerns one place.
    pub line: Option<usize>,
    /// Stable id of the kind of change (`blank_as_zero`, `label_spaces`, …).
    pub kind: String,
    /// The text as published.
    pub original: String,
    /// What the importer made of it (empty when the text was set aside).
    pub result: String,
    /// The change in words (Chinese).
    pub message: String,
}

impl Normalisation {
    pub(crate) fn new(
        line: Option<usize>,
        kind: &str,
        original: impl Into<String>,
        result: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Normalisation {
            line,
            kind: kind.to_string(),
            original: original.into(),
            result: result.into(),
            message: message.into(),
        }
    }
}

/// Everything the table readers found in one file.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub cells: Vec<RawCell>,
    /// Line of the first label seen, per table (the table is in the source, values or not).
    pub seen: Vec<Option<usize>>,
    /// Rows seen but not placed: (table, row, reason).
    pub row_reasons: Vec<(usize, usize, String)>,
    /// Tables seen but not placed: (table, reason).
    pub table_reasons: Vec<(usize, String)>,
    /// Money units taken from a header (`采购总金额（万元）`) or a unit note under the table
    /// (`单位：…采购总金额为万元。`): (table, column, unit, line).
    pub header_units: Vec<(usize, usize, String, usize)>,
    pub notes: Vec<Normalisation>,
}

impl Extracted {
    pub(crate) fn new(edition: &Edition) -> Self {
        Extracted {
            seen: vec![None; edition.tables.len()],
            ..Extracted::default()
        }
    }

    /// Record the money unit that a header (`采购总金额（万元）`) or a unit note under the table
    /// (`…采购总金额为万元`) gives column `leaf` of `table` (number `ti` of its edition): `万元` or `元`, whichever `written`
    /// names, when the column is a money column that accepts it. The first unit found for a
    /// column stands. True when it was recorded.
    pub(crate) fn money_unit(
        &mut self,
        table: &Table,
        ti: usize,
        leaf: usize,
        written: &str,
        line: usize,
    ) -> bool {
        let column = &table.leaf_columns[leaf];
        let unit = if written.contains("万元") {
            "万元"
        } else if written.contains('元') {
            "元"
        } else {
            return false;
        };
        if column.kind != ColumnKind::Money
            || !column.units.iter().any(|u| u == unit)
            || self
                .header_units
                .iter()
                .any(|(t, l, _, _)| (*t, *l) == (ti, leaf))
        {
            return false;
        }
        self.header_units.push((ti, leaf, unit.to_string(), line));
        true
    }

    /// A unit note under a table, as gongkai's own pages write it when the format fixes no
    /// unit for a money column: `单位：采购项目数量为项；采购总金额为万元。`. Each
    /// `<label>为元|万元` whose label is a money column of one of `tables` (its labels joined
    /// with `·`, as the page writes them) records that column's unit, as a unit in the header
    /// would. True when `text` (trimmed) is such a note.
    pub(crate) fn units_from_note(
        &mut self,
        edition: &Edition,
        tables: &[usize],
        text: &str,
        line: usize,
    ) -> bool {
        let Some(rest) = text.strip_prefix("单位：") else {
            return false;
        };
        let mut found = false;
        for item in rest.trim_end_matches('。').split('；') {
            let Some((label, unit)) = item.rsplit_once('为') else {
                continue;
            };
            if unit != "元" && unit != "万元" {
                continue;
            }
            for &ti in tables {
                let table = &edition.tables[ti];
                for (leaf, column) in table.leaf_columns.iter().enumerate() {
                    if column.path.join("·") == label.trim() {
                        found |= self.money_unit(table, ti, leaf, unit, line);
                    }
                }
            }
        }
        found
    }

    pub(crate) fn saw(&mut self, table: usize, line: usize) {
        if let Some(s) = self.seen.get_mut(table)
            && s.is_none()
        {
            *s = Some(line);
        }
    }

    pub(crate) fn note(&mut self, n: Normalisation) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    pub(crate) fn row_reason(&mut self, table: usize, row: usize, reason: String) {
        if !self
            .row_reasons
            .iter()
            .any(|(t, r, _)| *t == table && *r == row)
        {
            self.row_reasons.push((table, row, reason));
        }
    }

    /// The values to write, per (table, row, column), with the normalisations they took.
    /// Set the reason of a row, replacing an earlier one.
    pub(crate) fn set_row_reason(&mut self, table: usize, row: usize, reason: String) {
        self.row_reasons
            .retain(|(t, r, _)| !(*t == table && *r == row));
        self.row_reasons.push((table, row, reason));
    }

    pub(crate) fn values(&mut self, edition: &Edition) -> Values {
        let mut out = Values::default();
        for (ti, table) in edition.tables.iter().enumerate() {
            let cells: Vec<RawCell> = self
                .cells
                .iter()
                .filter(|c| c.table == ti)
                .cloned()
                .collect();
            if cells.is_empty() {
                continue;
            }
            let parsed: Vec<(RawCell, CellText, Vec<Fix>)> = cells
                .into_iter()
                .filter_map(|c| parse_value(&c.text).map(|(v, f)| (c, v, f)))
                .collect();
            if !parsed.iter().any(|(_, v, _)| v.is_filled()) {
                let line = parsed.first().map(|(c, _, _)| c.line);
                self.table_reasons
                    .push((ti, "原文表格的单元格都是空白，没有任何数值".into()));
                self.note(Normalisation::new(
                    line,
                    "blank_table",
                    "",
                    "",
                    format!(
                        "「{}」的单元格都是空白，按缺失处理（不填 0）",
                        table.caption_text()
                    ),
                ));
                continue;
            }
            let blank_rows_filled: Vec<usize> = parsed
                .iter()
                .filter(|(_, v, _)| v.is_filled())
                .map(|(c, _, _)| c.row)
                .collect();
            for (cell, value, fixes) in parsed {
                if out
                    .cells
                    .iter()
                    .any(|(t, r, c, _)| (*t, *r, *c) == (ti, cell.row, cell.col))
                {
                    continue;
                }
                let column = &table.leaf_columns[cell.col];
                let label = table.label_path(edition, cell.row, cell.col);
                // A blank total column is computed; a total row is computed only when the
                // source left all of it blank (otherwise its blanks are zeros like any cell).
                let row_all_blank = table.leaf_rows[cell.row].total.is_some()
                    && !blank_rows_filled.contains(&cell.row);
                let is_total = column.total.is_some() || row_all_blank;
                let shown = cell.text.trim_matches(|c: char| c.is_ascii_whitespace());
                let written = match value {
                    CellText::Number { digits, unit } => {
                        let (unit, comment) = match (&unit, column.kind) {
                            (Some(u), _) => (Some(u.clone()), None),
                            (None, ColumnKind::Money) => match self
                                .header_units
                                .iter()
                                .find(|(t, c, _, _)| *t == ti && *c == cell.col)
                            {
                                Some((_, _, u, l)) => {
                                    let u = u.clone();
                                    self.note(Normalisation::new(
                                        Some(cell.line),
                                        "unit_from_header",
                                        shown,
                                        format!("{digits}{u}"),
                                        format!("{label}：单位取自第 {l} 行的表头或表注（{u}）"),
                                    ));
                                    (
                                        Some(u.clone()),
                                        Some(format!("单位取自原文表头或表注（{u}）")),
                                    )
                                }
                                None if column.unit.is_none() => {
                                    (None, Some("原文未注明单位".to_string()))
                                }
                                None => (None, None),
                            },
                            _ => (None, None),
                        };
                        let text = format!("{digits}{}", unit.clone().unwrap_or_default());
                        let verbatim = super::normalize::trim(&cell.text);
                        let comment = comment.or_else(|| {
                            if fixes.iter().any(|f| f != &Fix::Padding) {
                                Some(format!("原文为「{verbatim}」"))
                            } else if unit.is_some() && column.unit.is_none() {
                                Some("单位照录原文".to_string())
                            } else {
                                None
                            }
                        });
                        Written { text, comment }
                    }
                    CellText::Wu => {
                        self.note(Normalisation::new(
                            Some(cell.line),
                            "wu_as_zero",
                            shown,
                            "0",
                            format!("{label}：「无」按 0"),
                        ));
                        Written {
                            text: "0".into(),
                            comment: Some("原文为「无」".into()),
                        }
                    }
                    CellText::Dash => {
                        self.note(Normalisation::new(
                            Some(cell.line),
                            "dash_as_zero",
                            shown,
                            "0",
                            format!("{label}：「{shown}」按 0"),
                        ));
                        Written {
                            text: "0".into(),
                            comment: Some(format!("原文为「{shown}」")),
                        }
                    }
                    CellText::Blank if is_total => {
                        self.note(Normalisation::new(
                            Some(cell.line),
                            "blank_total",
                            "",
                            "",
                            format!("{label}：原文空白，总计不填，由 gongkai 计算"),
                        ));
                        continue;
                    }
                    CellText::Blank => {
                        self.note(Normalisation::new(
                            Some(cell.line),
                            "blank_as_zero",
                            "",
                            "0",
                            format!("{label}：原文空白，表格已填写，按 0"),
                        ));
                        Written {
                            text: "0".into(),
                            comment: None,
                        }
                    }
                };
                for fix in &fixes {
                    let message = match fix {
                        Fix::Padding => "去掉数字两侧的全角空格或不换行空格",
                        Fix::FullWidth => "全角数字改为半角",
                        Fix::CountUnit => "去掉数字后的单位（单位由表格规定）",
                        Fix::PlusSign => "去掉正号",
                        Fix::MinusSign => "负号改为半角「-」",
                        Fix::Thousands => "去掉千位分隔符",
                    };
                    self.note(Normalisation::new(
                        Some(cell.line),
                        fix.id(),
                        shown,
                        written.text.clone(),
                        format!("{label}：{message}"),
                    ));
                }
                out.cells.push((ti, cell.row, cell.col, written));
            }
        }
        out
    }
}

/// Values to write.
#[derive(Debug, Default)]
pub(crate) struct Values {
    pub cells: Vec<(usize, usize, usize, Written)>,
}

impl Values {
    pub(crate) fn get(&self, table: usize, row: usize, col: usize) -> Option<Written> {
        self.cells
            .iter()
            .find(|(t, r, c, _)| (*t, *r, *c) == (table, row, col))
            .map(|(_, _, _, w)| w.clone())
    }
}
