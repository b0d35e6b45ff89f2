//! Which edition of the format a report's tables follow (FORMAT.md §1).
//!
//! Only table labels count: a cell (a whole line, a piece between pipes, an HTML table cell)
//! that is one of an edition's `markers` — `本年新制作数量`, `上一年项目数量` … for 2019;
//! `本年制发件数`, `本年收费金额（单位：万元）` … for 2021 — after folding (width, spaces,
//! traditional characters, a year inserted in brackets, instructions after the label). The year
//! and the notice a report cites are never used: reports of 2022 still print the 2019 tables,
//! and reports citing 60号 print the 2021 ones.

use crate::format::{Edition, Formats};

use super::doc::Item;
use super::normalize::{fold, trim};

/// The outcome of edition detection.
#[derive(Debug, Clone)]
pub(crate) struct Detection {
    /// The edition whose markers were found (most distinct markers), if any.
    pub edition: Option<&'static Edition>,
    /// Markers found per edition: (edition, [(marker, line)]).
    pub found: Vec<(&'static Edition, Vec<(String, usize)>)>,
}

impl Detection {
    /// Whether markers of more than one edition were found.
    pub(crate) fn mixed(&self) -> bool {
        self.found.iter().filter(|(_, m)| !m.is_empty()).count() > 1
    }
}

/// The pieces of text that can be table cells, with their lines.
fn cells(items: &[Item]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Line(l) => {
                let t = trim(&l.text);
                if t.is_empty() || t.chars().count() > 80 {
                    continue;
                }
                if t.contains('|') {
                    out.extend(
                        t.split('|')
                            .map(trim)
                            .filter(|p| !p.is_empty())
                            .map(|p| (p.to_string(), l.no)),
                    );
                } else {
                    out.push((t.to_string(), l.no));
                    // PDF lines: several header cells separated by spaces.
                    if t.contains(char::is_whitespace) {
                        out.extend(t.split_whitespace().map(|p| (p.to_string(), l.no)));
                    }
                }
            }
            Item::Grid(g) => out.extend(g.cells.iter().map(|c| (c.text.clone(), c.line))),
        }
    }
    out
}

/// Detect the edition from the table labels of the document.
pub(crate) fn detect(formats: &'static Formats, items: &[Item]) -> Detection {
    let cells = cells(items);
    let folded: Vec<(String, usize)> = cells.iter().map(|(t, l)| (fold(t), *l)).collect();
    let mut found = Vec::new();
    for edition in formats.editions() {
        let mut hits: Vec<(String, usize)> = Vec::new();
        for marker in &edition.markers {
            let m = fold(marker);
            let hit = folded.iter().find(|(f, _)| {
                *f == m
                    || f.strip_prefix(m.as_str())
                        .is_some_and(|rest| rest.starts_with('（'))
            });
            if let Some((_, line)) = hit
                && !hits.iter().any(|(x, _)| *x == *marker)
            {
                hits.push((marker.clone(), *line));
            }
        }
        found.push((edition, hits));
    }
    let edition = found
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .max_by_key(|(e, m)| (m.len(), e.first_year))
        .map(|(e, _)| *e);
    Detection { edition, found }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::import::doc::text_items;
    use crate::format;

    #[test]
    fn labels_decide_not_the_year() {
        let formats = format::builtin();
        let d = detect(
            formats,
            &text_items(
                "2022年度报告\n根据国办公开办函〔2021〕30号\n信息内容\n本年新制作数量\n本年新\n公开数量\n",
            ),
        );
        assert_eq!(d.edition.map(|e| e.id.as_str()), Some("2019"));
        let d = detect(
            formats,
            &text_items("信息内容 | 本年(2023)制发件数 | 本年(2023)废止件数 | 现行有效件数 |"),
        );
        assert_eq!(d.edition.map(|e| e.id.as_str()), Some("2021"));
        let d = detect(formats, &text_items("上一年项目数量 (指2019年事项数) |"));
        assert_eq!(d.edition.map(|e| e.id.as_str()), Some("2019"));
        // A label quoted in a sentence is not a table cell.
        let d = detect(
            formats,
            &text_items("一、总体情况\n本年新制作数量的说明在正文里：本年新制作数量"),
        );
        assert!(d.edition.is_none());
        assert!(
            detect(formats, &text_items("一、总体情况\n正文。"))
                .edition
                .is_none()
        );
    }
}
