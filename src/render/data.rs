//! Tidy data: every cell of a report with its official labels, as JSON and CSV.
//!
//! One cell is `{"part", "row", "column", "value", "unit"}` with the row and column labels from
//! outer to inner, exactly as the format prints them (computed totals included). The site
//! publishes it as `data/<year>.json|csv` and `data/all.json|csv`; `import --format json` prints
//! the same shape, so an imported report can be compared cell by cell.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::format::Edition;

use crate::load::report::Report;
use crate::number::Decimal;

/// One cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TidyCell {
    /// Part number (`二`, `三`, `四`).
    pub part: String,
    /// Row labels, outer to inner (for part 二 the 第二十条 caption first; empty for table 四).
    pub row: Vec<String>,
    /// Column labels, outer to inner.
    pub column: Vec<String>,
    /// The value.
    pub value: Decimal,
    /// `件`, `项`, `元`, `万元`; `null` for money whose unit the report did not state.
    pub unit: Option<String>,
}

/// One report as tidy data.
#[derive(Debug, Clone, Serialize)]
pub struct TidyReport {
    /// Name of the body.
    pub body: String,
    /// The year reported on.
    pub year: u16,
    /// Edition id (`2019`, `2021`).
    pub edition: String,
    /// Every present cell, in table order.
    pub cells: Vec<TidyCell>,
}

/// A cell present in a report: its table, row and column (leaf indices), the cell, and its unit
/// (the cell's own, else the column's).
struct Present<'a> {
    table: usize,
    row: usize,
    column: usize,
    cell: &'a crate::load::report::Cell,
    unit: Option<&'a str>,
}

/// Every present cell of a report, in the order the format prints them: the one walk shared by
/// the tidy cells and the streamed JSON.
fn present_cells(report: &Report) -> impl Iterator<Item = Present<'_>> {
    report
        .edition
        .tables
        .iter()
        .enumerate()
        .flat_map(move |(ti, table)| {
            (0..table.leaf_rows.len()).flat_map(move |ri| {
                table
                    .leaf_columns
                    .iter()
                    .enumerate()
                    .filter_map(move |(ci, col)| {
                        let cell = report.cell(ti, ri, ci)?;
                        Some(Present {
                            table: ti,
                            row: ri,
                            column: ci,
                            cell,
                            unit: cell.unit.as_deref().or(col.unit.as_deref()),
                        })
                    })
            })
        })
}

/// Every present cell of a report, in the order the format prints them.
pub fn tidy_cells(report: &Report) -> Vec<TidyCell> {
    present_cells(report)
        .map(|p| {
            let table = &report.edition.tables[p.table];
            let mut row: Vec<String> = table.caption.iter().cloned().collect();
            row.extend(table.leaf_rows[p.row].path.iter().cloned());
            TidyCell {
                part: table.part.clone(),
                row,
                column: table.leaf_columns[p.column].path.clone(),
                value: p.cell.value,
                unit: p.unit.map(str::to_string),
            }
        })
        .collect()
}

/// A report as tidy data.
pub fn tidy_report(body: &str, report: &Report) -> TidyReport {
    TidyReport {
        body: body.to_string(),
        year: report.year,
        edition: report.edition.id.clone(),
        cells: tidy_cells(report),
    }
}

/// `data/<year>.json` as UTF-8 bytes: the JSON of [`tidy_report`] and a final newline. Every
/// piece is serde_json's; what is the same for every report is serialised once per edition:
/// each cell's JSON up to its value (its part, row and column labels are most of the bytes, and
/// copying and serialising them for every cell of every report cost the 1,000-report build 17%
/// more instructions; their keys were a further 3%). The test below compares the result with
/// serde_json's serialisation of [`tidy_report`] on every fixture.
pub fn tidy_json(body: &str, report: &Report) -> Vec<u8> {
    let labels = labels_of(report.edition);
    let mut out = Vec::with_capacity(40 * 1024);
    // Strings, numbers and options of strings always serialise.
    out.extend_from_slice(b"{\"body\":");
    let _ = serde_json::to_writer(&mut out, body);
    out.extend_from_slice(b",\"year\":");
    let _ = serde_json::to_writer(&mut out, &report.year);
    out.extend_from_slice(b",\"edition\":");
    let _ = serde_json::to_writer(&mut out, &report.edition.id);
    out.extend_from_slice(b",\"cells\":[");
    for (i, p) in present_cells(report).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let table = &labels[p.table];
        out.extend_from_slice(table.cells[p.row * table.width + p.column].as_bytes());
        let _ = serde_json::to_writer(&mut out, &p.cell.value);
        out.extend_from_slice(b",\"unit\":");
        let _ = serde_json::to_writer(&mut out, &p.unit);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}\n");
    out
}

/// One table's cells as JSON up to their values, `{"part":…,"row":[…],"column":[…],"value":`,
/// by leaf row and column (row-major; the row's labels start with the caption, as in
/// [`TidyCell::row`]).
#[derive(Clone)]
struct TableLabels {
    cells: Vec<String>,
    /// Leaf columns.
    width: usize,
}

fn table_labels(edition: &Edition) -> Vec<TableLabels> {
    edition
        .tables
        .iter()
        .map(|table| {
            let part = raw(&table.part);
            let columns: Vec<Box<RawValue>> = table
                .leaf_columns
                .iter()
                .map(|col| raw(&col.path))
                .collect();
            let mut cells = Vec::with_capacity(table.leaf_rows.len() * columns.len());
            for row in &table.leaf_rows {
                let row = raw(&table.caption.iter().chain(&row.path).collect::<Vec<_>>());
                for column in &columns {
                    cells.push(format!(
                        "{{\"part\":{},\"row\":{},\"column\":{},\"value\":",
                        part.get(),
                        row.get(),
                        column.get()
                    ));
                }
            }
            TableLabels {
                cells,
                width: columns.len(),
            }
        })
        .collect()
}

/// `value` as JSON (strings and lists of strings always serialise).
fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// The labels of `edition`: kept for a built-in edition, derived here for any other.
fn labels_of(edition: &Edition) -> Cow<'static, [TableLabels]> {
    static LABELS: OnceLock<Vec<Vec<TableLabels>>> = OnceLock::new();
    match crate::format::derived(&LABELS, edition, table_labels) {
        Some(labels) => Cow::Borrowed(labels),
        None => Cow::Owned(table_labels(edition)),
    }
}

/// CSV of several years (and bodies) for Excel on Chinese Windows: UTF-8 with BOM, CRLF, every
/// field quoted when needed.
pub fn csv(reports: &[TidyReport]) -> String {
    let mut w = csv_writer(String::from("\u{feff}").into_bytes());
    let _ = w.write_record(["机关", "年度", "格式", "部分", "行", "列", "数值", "单位"]);
    for r in reports {
        let (body, year, edition) = (csv_text(&r.body), r.year.to_string(), csv_text(&r.edition));
        for c in &r.cells {
            let _ = w.write_record([
                &*body,
                year.as_str(),
                &*edition,
                &*csv_text(&c.part),
                &*csv_text(&c.row.join(" › ")),
                &*csv_text(&c.column.join(" › ")),
                c.value.to_string().as_str(),
                &*csv_text(c.unit.as_deref().unwrap_or("未注明")),
            ]);
        }
    }
    csv_string(w)
}

/// A CSV writer for Excel on Chinese Windows, after `start` (a UTF-8 BOM, or nothing): CRLF line
/// ends, and a field quoted when it holds a comma, a quote or a line break — or a `'`, so that a
/// field [`csv_text`] guarded is always quoted (`"'=cmd()"`, as OWASP advises; the crate quotes
/// its comment character wherever it occurs). Records may differ in length (a year's CSV has
/// caption lines).
pub(crate) fn csv_writer(start: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        // The writer's own buffer (zeroed on creation, 8 KiB by default) only stages bytes for
        // the Vec: a small one, as a build makes some 15 writers per report.
        .buffer_capacity(1024)
        .terminator(csv::Terminator::CRLF)
        .comment(Some(b'\''))
        .flexible(true)
        .from_writer(start)
}

/// What a [`csv_writer`] wrote, as text (every field written was text).
pub(crate) fn csv_string(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().unwrap_or_default();
    // SIMD validation and a copy cost a fraction of String::from_utf8's scalar check on
    // Chinese text.
    simdutf8::basic::from_utf8(&bytes)
        .map(str::to_owned)
        .unwrap_or_default()
}

/// Text for a CSV field, guarded against being read as a spreadsheet formula: a leading
/// `= + - @`, tab, carriage return or NUL (OWASP; ASVS 1.2.10) gets a `'` in front. Labels never
/// start with them, but a body's name or a report's text might. A number is data: text that
/// reads as one (`-8`) is left as it is, and numbers are written without the guard.
pub(crate) fn csv_text(f: &str) -> Cow<'_, str> {
    let risky = f.starts_with(['=', '+', '@', '\t', '\r', '\0'])
        || (f.starts_with('-') && f.parse::<f64>().is_err());
    if risky {
        Cow::Owned(format!("'{f}"))
    } else {
        Cow::Borrowed(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_bom_crlf_and_quotes() {
        let r = TidyReport {
            body: "示例街道办事处".into(),
            year: 2021,
            edition: "2021".into(),
            cells: vec![TidyCell {
                part: "三".into(),
                row: vec!["三、本年度办理结果".into(), "（七）总计".into()],
                column: vec!["申请人情况".into(), "自然人".into()],
                value: Decimal::from_int(-3),
                unit: Some("件".into()),
            }],
        };
        let s = csv(&[r]);
        assert!(s.starts_with("\u{feff}机关,年度"));
        assert!(s.contains("\r\n示例街道办事处,2021,2021,三,三、本年度办理结果 › （七）总计,申请人情况 › 自然人,-3,件\r\n"));
    }

    /// One field through the guard and the writer, as it appears in a file.
    fn field(text: &str) -> String {
        let mut w = csv_writer(Vec::new());
        let _ = w.write_record([&*csv_text(text), "1"]);
        let line = csv_string(w);
        line.strip_suffix(",1\r\n").unwrap().to_string()
    }

    #[test]
    fn csv_fields_are_quoted_as_needed_and_guarded_against_formulas() {
        for (text, written) in [
            ("示例街道办事处", "示例街道办事处"),
            ("a,b", "\"a,b\""),
            ("说\"明\"", "\"说\"\"明\"\"\""),
            ("两\r\n行", "\"两\r\n行\""),
            ("", ""),
            ("=cmd()", "\"'=cmd()\""),
            ("+1+cmd", "\"'+1+cmd\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("-1+cmd", "\"'-1+cmd\""),
            ("=a,\"b\"", "\"'=a,\"\"b\"\"\""),
            // OWASP lists a leading tab and carriage return too (issue 17); ASVS a NUL.
            ("\t=cmd()", "\"'\t=cmd()\""),
            ("\r=cmd()", "\"'\r=cmd()\""),
            ("\0=cmd()", "\"'\0=cmd()\""),
            // Numbers are data, not formulas.
            ("-8", "-8"),
            ("-0.5", "-0.5"),
            ("2021", "2021"),
        ] {
            assert_eq!(field(text), written, "{text:?}");
        }
    }
}

#[cfg(test)]
mod json_tests {
    use crate::format;
    use crate::source::SourceFile;

    #[test]
    fn year_json_equals_the_tidy_struct() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files = vec![format!("{root}/content/2020/report.yaml")];
        for entry in walkdir::WalkDir::new(format!("{root}/tests/fixtures")) {
            let entry = entry.unwrap();
            if entry.file_name() == "report.yaml" {
                files.push(entry.path().display().to_string());
            }
        }
        files.sort();
        let mut editions = std::collections::BTreeSet::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let year: u16 = std::path::Path::new(file)
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse().ok())
                .unwrap();
            let (report, _) = crate::load::report::load(
                format::builtin(),
                &SourceFile::new("r.yaml", text),
                year,
            );
            let Some(report) = report else { continue };
            editions.insert(report.edition.id.clone());
            let body = "东柳\"街道\\";
            let want = serde_json::to_string(&super::tidy_report(body, &report)).unwrap() + "\n";
            assert_eq!(super::tidy_json(body, &report), want.into_bytes(), "{file}");
        }
        assert_eq!(editions.len(), 2, "both editions are compared");
    }
}
