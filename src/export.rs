//! Tidy data: every cell of a report with its official labels, as JSON and CSV.
//!
//! One cell is `{"part", "row", "column", "value", "unit"}` with the row and column labels from
//! outer to inner, exactly as the format prints them (computed totals included). The site
//! publishes it as `data/<year>.json|csv` and `data/all.json|csv`; `import --format json` prints
//! the same shape, so an imported report can be compared cell by cell.

use serde::Serialize;

use crate::number::Decimal;
use crate::report::Report;

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

/// Every present cell of a report, in the order the format prints them.
pub fn tidy_cells(report: &Report) -> Vec<TidyCell> {
    let edition = report.edition;
    let mut out = Vec::new();
    for (ti, table) in edition.tables.iter().enumerate() {
        for (ri, row) in table.leaf_rows.iter().enumerate() {
            for (ci, col) in table.leaf_columns.iter().enumerate() {
                let Some(cell) = report.cell(ti, ri, ci) else {
                    continue;
                };
                let mut row_labels: Vec<String> = table.caption.iter().cloned().collect();
                row_labels.extend(row.path.iter().cloned());
                out.push(TidyCell {
                    part: table.part.clone(),
                    row: row_labels,
                    column: col.path.clone(),
                    value: cell.value,
                    unit: cell.unit.clone().or_else(|| col.unit.clone()),
                });
            }
        }
    }
    out
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

/// CSV of several years (and bodies) for Excel on Chinese Windows: UTF-8 with BOM, CRLF, every
/// field quoted when needed.
pub fn csv(reports: &[TidyReport]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("机关,年度,格式,部分,行,列,数值,单位\r\n");
    for r in reports {
        for c in &r.cells {
            let fields = [
                r.body.clone(),
                r.year.to_string(),
                r.edition.clone(),
                c.part.clone(),
                c.row.join(" › "),
                c.column.join(" › "),
                c.value.to_string(),
                c.unit.clone().unwrap_or_else(|| "未注明".into()),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

fn csv_field(f: &str) -> String {
    // A leading = + - @ would make Excel evaluate the cell; labels never start with them, but a
    // negative number is data, so only text fields are guarded.
    let risky = f.starts_with(['=', '+', '@']) || (f.starts_with('-') && f.parse::<f64>().is_err());
    if risky || f.contains([',', '"', '\n', '\r']) {
        let guarded = if risky {
            format!("'{f}")
        } else {
            f.to_string()
        };
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        f.to_string()
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
        assert_eq!(csv_field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}

/// The JSON of [`tidy_report`], written straight from the report without copying labels
/// (thousands of reports are exported in one build).
pub fn tidy_json(body: &str, report: &Report) -> String {
    use serde::ser::{SerializeSeq, SerializeStruct};

    struct Labels<'a>(Option<&'a String>, &'a [String]);
    impl Serialize for Labels<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.1.len() + usize::from(self.0.is_some())))?;
            if let Some(c) = self.0 {
                seq.serialize_element(c)?;
            }
            for l in self.1 {
                seq.serialize_element(l)?;
            }
            seq.end()
        }
    }
    struct Cells<'a>(&'a Report);
    impl Serialize for Cells<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let report = self.0;
            let mut seq = s.serialize_seq(None)?;
            for (ti, table) in report.edition.tables.iter().enumerate() {
                for (ri, row) in table.leaf_rows.iter().enumerate() {
                    for (ci, col) in table.leaf_columns.iter().enumerate() {
                        let Some(cell) = report.cell(ti, ri, ci) else {
                            continue;
                        };
                        seq.serialize_element(&CellRef {
                            part: &table.part,
                            row: Labels(table.caption.as_ref(), &row.path),
                            column: Labels(None, &col.path),
                            value: cell.value,
                            unit: cell.unit.as_deref().or(col.unit.as_deref()),
                        })?;
                    }
                }
            }
            seq.end()
        }
    }
    struct CellRef<'a> {
        part: &'a str,
        row: Labels<'a>,
        column: Labels<'a>,
        value: Decimal,
        unit: Option<&'a str>,
    }
    impl Serialize for CellRef<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("TidyCell", 5)?;
            st.serialize_field("part", self.part)?;
            st.serialize_field("row", &self.row)?;
            st.serialize_field("column", &self.column)?;
            st.serialize_field("value", &self.value)?;
            st.serialize_field("unit", &self.unit)?;
            st.end()
        }
    }
    struct Whole<'a>(&'a str, &'a Report);
    impl Serialize for Whole<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("TidyReport", 4)?;
            st.serialize_field("body", self.0)?;
            st.serialize_field("year", &self.1.year)?;
            st.serialize_field("edition", &self.1.edition.id)?;
            st.serialize_field("cells", &Cells(self.1))?;
            st.end()
        }
    }
    let mut out = serde_json::to_string(&Whole(body, report)).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod json_tests {
    use crate::format;
    use crate::source::SourceFile;

    #[test]
    fn streamed_json_equals_the_tidy_struct() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/2020/report.yaml"
        ))
        .unwrap();
        let (report, _) =
            crate::report::load(format::builtin(), &SourceFile::new("r.yaml", text), 2020);
        let report = report.unwrap();
        let want = serde_json::to_string(&super::tidy_report("东柳", &report)).unwrap() + "\n";
        assert_eq!(super::tidy_json("东柳", &report), want);
    }
}
