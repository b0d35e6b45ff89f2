//! The editor's model of a year: the year's files with the clerk's changes applied, checked by
//! the pipeline every command uses ([`Body::check_with`]: the loader, the edition's rules, the
//! narrative claims), and what the form and the API show of it.
//!
//! Cells are named as in `data/<year>.json`: the part number, the row labels outer → inner (for
//! part 二 the 第二十条 caption first; none for table 四) and the column labels outer → inner.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::store::{self, Version};
use crate::diagnostic::{Diagnostic, JsonDiagnostic};
use crate::format::{self, Edition, KEY_PUBLISHED, KEY_TITLE, PartKind, normalize_label};
use crate::load::narrative::{self, Narrative, Section};
use crate::load::report::splice::{self, Change, Spliced, Stored, Target};
use crate::load::report::{self, Report};
use crate::load::{REPORT_MD, REPORT_YAML};
use crate::number::Decimal;
use crate::project::{Body, YearTexts};

/// A body of the project: the project's root and the body's folder (`""` for a single office).
#[derive(Debug, Clone)]
pub struct BodyAt {
    /// The project root.
    pub project: PathBuf,
    /// The body's folder (`""` for a single office).
    pub folder: String,
}

impl BodyAt {
    /// The body's site folder.
    pub fn root(&self) -> PathBuf {
        if self.folder.is_empty() {
            self.project.clone()
        } else {
            self.project.join(&self.folder)
        }
    }

    /// How the project names the body's files: `""` or `folder/`.
    pub fn prefix(&self) -> String {
        if self.folder.is_empty() {
            String::new()
        } else {
            format!("{}/", self.folder)
        }
    }
}

/// A refused or failed request: the HTTP status, a Chinese message and details for the API.
#[derive(Debug, Clone)]
pub struct Problem {
    /// HTTP status.
    pub status: u16,
    /// What happened and what to do.
    pub message: String,
    /// More, for the API (`changed` of a 409, `change` of a 422).
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// A problem without details.
    pub fn new(status: u16, message: impl Into<String>) -> Problem {
        Problem {
            status,
            message: message.into(),
            details: serde_json::Map::new(),
        }
    }

    /// Add a detail.
    pub fn with(mut self, key: &str, value: serde_json::Value) -> Problem {
        self.details.insert(key.to_string(), value);
        self
    }
}

/// One change as the API receives it: a cell (`part`, `row`, `column`, `value`), a part of the
/// narrative (`part` — `导语` for the lead-in — and `text`), or a report setting (`meta`:
/// `标题` or `发布日期`, and `value`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    /// Part number (`二`, `三`, `四`; any part or `导语` with `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Row labels, outer → inner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<Vec<String>>,
    /// Column labels, outer → inner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<Vec<String>>,
    /// A number, or a string with its unit (`"169844元"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// The Markdown of a part of the narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `标题` or `发布日期`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<String>,
}

/// Changes resolved against an edition: for report.yaml and for report.md.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Values, as they will be written.
    pub cells: Vec<Change>,
    /// Narrative sections.
    pub narrative: Vec<(Section, String)>,
}

/// Whether values must be valid (a save) or may be anything the check should see (a check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Checking: any text is written for the loader to judge.
    Check,
    /// Saving: a value the loader would refuse is a 422.
    Save,
}

/// The name of the narrative's lead-in in the API.
pub const LEAD: &str = "导语";

/// The API name of a cell: part, row labels, column labels.
pub fn cell_name(edition: &Edition, target: Target) -> Option<(String, Vec<String>, Vec<String>)> {
    let Target::Cell { table, row, column } = target else {
        return None;
    };
    let t = edition.tables.get(table)?;
    let mut rows: Vec<String> = t.caption.iter().cloned().collect();
    rows.extend(t.leaf_rows.get(row)?.path.iter().cloned());
    Some((
        t.part.clone(),
        rows,
        t.leaf_columns.get(column)?.path.clone(),
    ))
}

/// Every cell of an edition, in the order the format prints them.
pub fn cells(edition: &Edition) -> impl Iterator<Item = Target> + '_ {
    edition.tables.iter().enumerate().flat_map(|(ti, t)| {
        (0..t.leaf_rows.len()).flat_map(move |row| {
            (0..t.leaf_columns.len()).map(move |column| Target::Cell {
                table: ti,
                row,
                column,
            })
        })
    })
}

fn folded(labels: &[String]) -> Vec<String> {
    labels.iter().map(|l| normalize_label(l)).collect()
}

/// The cell an API name names.
fn find_cell(edition: &Edition, part: &str, row: &[String], column: &[String]) -> Option<Target> {
    let (part, row, column) = (normalize_label(part), folded(row), folded(column));
    cells(edition).find(|&t| {
        cell_name(edition, t).is_some_and(|(p, r, c)| {
            normalize_label(&p) == part && folded(&r) == row && folded(&c) == column
        })
    })
}

/// The section an API part names (`导语`, `一` … `六`, or a part's heading).
pub fn find_section(edition: &Edition, part: &str) -> Option<Section> {
    if part == LEAD {
        return Some(Section::Lead);
    }
    edition
        .parts
        .iter()
        .position(|p| p.number == part || normalize_label(&p.heading) == normalize_label(part))
        .map(Section::Part)
}

/// The API name of a section.
pub fn section_name(edition: &Edition, section: Section) -> String {
    match section {
        Section::Lead => LEAD.to_string(),
        Section::Part(i) => edition.parts[i].number.clone(),
    }
}

/// A value as text: a number as JSON writes it, a string as given.
fn value_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value {
        None | Some(serde_json::Value::Null) => Some(String::new()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => None,
    }
}

/// Resolve API changes against `edition`. Unknown cells and parts, malformed changes and (when
/// saving) invalid values are a 422 naming the change, with the loader's own message.
pub fn resolve(
    edition: &'static Edition,
    changes: &[ChangeIn],
    mode: Mode,
) -> Result<Resolved, Problem> {
    let mut out = Resolved::default();
    for (i, c) in changes.iter().enumerate() {
        let refuse = |message: String| {
            Problem::new(422, format!("第 {} 项修改：{message}", i + 1))
                .with("change", serde_json::Value::from(i))
        };
        if let Some(meta) = &c.meta {
            let key = match meta.as_str() {
                KEY_TITLE => KEY_TITLE,
                KEY_PUBLISHED => KEY_PUBLISHED,
                other => {
                    return Err(refuse(format!(
                        "「{other}」不是可以修改的报告信息（可改：{KEY_TITLE}、{KEY_PUBLISHED}）。"
                    )));
                }
            };
            let text = value_text(c.value.as_ref()).ok_or_else(|| refuse("值应为文字。".into()))?;
            if mode == Mode::Save {
                if key == KEY_TITLE && (text.is_empty() || text.contains(['\n', '\r'])) {
                    return Err(refuse("「标题」应为一行文字，不能为空。".into()));
                }
                if key == KEY_PUBLISHED && !report::valid_date(&text) {
                    return Err(refuse(format!(
                        "发布日期「{text}」格式不正确：写成 2021-01-29 或 2021-01-29 09:00。"
                    )));
                }
            }
            out.cells.push(Change {
                target: Target::Meta(key),
                text,
            });
            continue;
        }
        let Some(part) = &c.part else {
            return Err(refuse("缺少 part（部分）。".into()));
        };
        if let Some(text) = &c.text {
            if c.row.is_some() || c.column.is_some() || c.value.is_some() {
                return Err(refuse("正文的修改只写 part 和 text。".into()));
            }
            let section = find_section(edition, part).ok_or_else(|| {
                refuse(format!(
                    "「{part}」不是报告的部分（可写 {LEAD} 或 一 至 六）。"
                ))
            })?;
            out.narrative.push((section, text.clone()));
            continue;
        }
        let (Some(row), Some(column)) = (&c.row, &c.column) else {
            return Err(refuse(
                "表格数值的修改要写明 part、row、column 和 value。".into(),
            ));
        };
        let target = find_cell(edition, part, row, column).ok_or_else(|| {
            refuse(format!(
                "{}中没有「{}」这一栏（栏目名称与 data/<年度>.json 相同）。",
                edition.name,
                [part.as_str()]
                    .into_iter()
                    .chain(row.iter().map(String::as_str))
                    .chain(column.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" › ")
            ))
        })?;
        let Some(text) = value_text(c.value.as_ref()) else {
            return Err(refuse(
                "数值应为数字，或带单位的文字（如 \"169844元\"）。".into(),
            ));
        };
        let Target::Cell { table, row, column } = target else {
            unreachable!("find_cell finds cells")
        };
        let text = match splice::read_cell(edition, table, row, column, &text) {
            Ok(cell) => splice::canonical(&cell, &text),
            Err(message) if mode == Mode::Save => {
                // The loader names the column; the whole label path says which cell.
                let label = edition.tables[table].label_path(edition, row, column);
                let name = edition.tables[table].leaf_columns[column]
                    .path
                    .last()
                    .map_or(String::new(), |n| format!("「{n}」"));
                let message = match message.strip_prefix(name.as_str()) {
                    Some(rest) if !name.is_empty() => format!("「{label}」{rest}"),
                    _ => format!("「{label}」：{message}"),
                };
                return Err(refuse(message).with("label_path", label.into()));
            }
            Err(_) => text,
        };
        out.cells.push(Change { target, text });
    }
    Ok(out)
}

/// The edition a year's report.yaml declares (else the one for its year).
pub fn edition_of(year: u16, version: &Version) -> &'static Edition {
    let formats = format::builtin();
    let fallback = || {
        formats
            .for_year(year)
            .unwrap_or_else(|| &formats.editions()[formats.editions().len() - 1])
    };
    match &version.yaml {
        Some(raw) => {
            let stored = Stored::new("report.yaml", raw.clone());
            report::load(formats, &stored.file, year)
                .0
                .map_or_else(fallback, |r| r.edition)
        }
        None => fallback(),
    }
}

/// A year with changes applied and checked.
pub struct YearData {
    /// The year.
    pub year: u16,
    /// Its edition.
    pub edition: &'static Edition,
    /// The body's name.
    pub body_name: String,
    /// The report, if report.yaml could be read.
    pub report: Option<Report>,
    /// The narrative, if report.md could be read.
    pub narrative: Option<Narrative>,
    /// The problems of this year (its files, site.toml, and the next year's carry-over rules).
    pub diagnostics: Vec<Diagnostic>,
    /// Every value as written: span and text.
    pub written: HashMap<Target, (Range<usize>, Option<String>)>,
    /// How the project names report.yaml and report.md.
    yaml_name: String,
    md_name: String,
}

/// The edited files, when a change changed them.
pub struct Edited {
    /// report.yaml.
    pub yaml: Option<Spliced>,
    /// report.md.
    pub md: Option<Spliced>,
}

/// Apply `changes` to `version` of the year's files (nothing is written) and check the result
/// with the rest of the body as it is on disk.
pub fn year_data(
    body: &BodyAt,
    year: u16,
    version: &Version,
    changes: &Resolved,
) -> Result<(YearData, Edited), Problem> {
    let yaml_rel = format!("content/{year}/{REPORT_YAML}");
    let md_rel = format!("content/{year}/{REPORT_MD}");
    let Some(yaml_raw) = &version.yaml else {
        return Err(Problem::new(
            404,
            format!(
                "{}content/{year} 中没有 report.yaml。可在「所有年度」页新建年度，或运行 gongkai new {year}。",
                body.prefix()
            ),
        ));
    };
    let edition = edition_of(year, version);
    let stored = Stored::new(&yaml_rel, yaml_raw.clone());
    let (yaml, yaml_spliced) = if changes.cells.is_empty() {
        (stored, None)
    } else {
        let spliced = splice::splice(edition, &stored, &changes.cells)
            .map_err(|e| Problem::new(422, e.to_string()))?;
        (Stored::new(&yaml_rel, spliced.text.clone()), Some(spliced))
    };
    let md_stored = match &version.md {
        Some(raw) => Some(Stored::new(&md_rel, raw.clone())),
        None if !changes.narrative.is_empty() => Some(Stored::new(&md_rel, String::new())),
        None => None,
    };
    let (md, md_spliced) = match md_stored {
        Some(stored) if !changes.narrative.is_empty() => {
            let spliced = narrative::splice(edition, &stored, &changes.narrative)
                .map_err(|m| Problem::new(422, m))?;
            (
                Some(Stored::new(&md_rel, spliced.text.clone())),
                Some(spliced),
            )
        }
        other => (other, None),
    };
    let texts = YearTexts {
        year,
        yaml: yaml.file.clone(),
        md: md.as_ref().map(|m| m.file.clone()),
    };
    let checked = Body::check_with(&body.root(), &body.folder, Some(&texts));
    let prefix = body.prefix();
    let yaml_name = format!("{prefix}{yaml_rel}");
    let md_name = format!("{prefix}{md_rel}");
    let folder = format!("{prefix}content/{year}");
    let next = format!("{prefix}content/{}/", year + 1);
    let site_toml = format!("{prefix}site.toml");
    let diagnostics: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| {
            let f = d.file();
            f == folder
                || f.starts_with(&format!("{folder}/"))
                || f == site_toml
                || (f.starts_with(&next) && d.rule.starts_with("R-X"))
        })
        .cloned()
        .collect();
    let year_report = checked
        .site
        .as_ref()
        .and_then(|s| s.years.iter().find(|y| y.year == year));
    let report = year_report.map(|y| y.report.clone());
    let narrative = year_report.and_then(|y| y.narrative.clone());
    let written = splice::written(edition, &yaml.file)
        .into_iter()
        .map(|(t, span, text)| (t, (span, text)))
        .collect();
    Ok((
        YearData {
            year,
            edition: report.as_ref().map_or(edition, |r| r.edition),
            body_name: checked.name(),
            report,
            narrative,
            diagnostics,
            written,
            yaml_name,
            md_name,
        },
        Edited {
            yaml: yaml_spliced,
            md: md_spliced,
        },
    ))
}

/// Where a problem is shown: beside a cell, beside a part of the narrative, or only in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beside {
    /// A cell (or `标题`/`发布日期`).
    Cell(Target),
    /// A section of the narrative.
    Section(Section),
    /// The list only.
    Nowhere,
}

impl YearData {
    /// Where a problem is shown: by its place in the file, else by its label path.
    pub fn beside(&self, d: &Diagnostic) -> Beside {
        let file = d.file();
        if file == self.yaml_name {
            if let Some(span) = &d.span {
                let hit = self.written.iter().find(|(_, (s, _))| {
                    (s.start <= span.start && span.start < s.end)
                        || (s.is_empty() && s.start == span.start)
                });
                if let Some((t, _)) = hit {
                    return Beside::Cell(*t);
                }
            }
            if let Some(path) = &d.path {
                let edition = self.edition;
                if let Some(t) = cells(edition).find(|&t| {
                    let Target::Cell { table, row, column } = t else {
                        return false;
                    };
                    edition.tables[table].label_path(edition, row, column) == *path
                }) {
                    return Beside::Cell(t);
                }
            }
        }
        if file == self.md_name
            && let Some(n) = &self.narrative
        {
            if let Some(span) = &d.span {
                if span.start < n.lead.end && n.lead.start <= span.start {
                    return Beside::Section(Section::Lead);
                }
                for (i, p) in n.parts.iter().enumerate() {
                    if let Some(p) = p
                        && p.heading_span.start <= span.start
                        && span.start <= p.body.end
                        && !(span.start == p.body.end && d.rule == "M1")
                    {
                        return Beside::Section(Section::Part(i));
                    }
                }
            }
            if let Some(path) = &d.path
                && let Some(i) = self.edition.parts.iter().position(|p| p.heading == *path)
            {
                return Beside::Section(Section::Part(i));
            }
        }
        Beside::Nowhere
    }

    /// (errors, warnings).
    pub fn counts(&self) -> (usize, usize) {
        crate::diagnostic::counts(&self.diagnostics)
    }

    /// The diagnostics as the API returns them.
    pub fn diagnostics_json(&self) -> Vec<DiagnosticOut<'_>> {
        self.diagnostics
            .iter()
            .map(|d| {
                let (cell, part) = match self.beside(d) {
                    Beside::Cell(t) => (self.cell_ref(t), None),
                    Beside::Section(s) => (None, Some(section_name(self.edition, s))),
                    Beside::Nowhere => (None, None),
                };
                DiagnosticOut {
                    diagnostic: d.to_json(),
                    label: d.label.as_deref(),
                    cell,
                    section: part,
                }
            })
            .collect()
    }

    fn cell_ref(&self, t: Target) -> Option<CellRef> {
        match t {
            Target::Meta(k) => Some(CellRef {
                part: None,
                row: None,
                column: None,
                meta: Some(k.to_string()),
            }),
            Target::Cell { .. } => cell_name(self.edition, t).map(|(part, row, column)| CellRef {
                part: Some(part),
                row: Some(row),
                column: Some(column),
                meta: None,
            }),
        }
    }

    /// The text a cell holds in the file, `None` when it is not written.
    pub fn written_text(&self, t: Target) -> Option<&str> {
        self.written
            .get(&t)
            .map(|(_, text)| text.as_deref().unwrap_or(""))
    }

    /// The value of a cell as read (computed for an omitted 总计).
    pub fn cell(&self, t: Target) -> Option<&report::Cell> {
        let Target::Cell { table, row, column } = t else {
            return None;
        };
        self.report.as_ref()?.cell(table, row, column)
    }

    /// The text a section of the narrative shows.
    pub fn section_text(&self, s: Section) -> String {
        self.narrative
            .as_ref()
            .map(|n| n.section_text(s))
            .unwrap_or_default()
    }

    /// The heading a section is shown under: as written, else the format's.
    pub fn section_heading(&self, s: Section) -> String {
        match s {
            Section::Lead => LEAD.to_string(),
            Section::Part(i) => self.narrative.as_ref().and_then(|n| n.part(i)).map_or_else(
                || self.edition.parts[i].heading.clone(),
                |p| p.heading.clone(),
            ),
        }
    }

    /// The year as `GET /api/<year>` returns it.
    pub fn to_json(&self, hash: &str) -> YearOut<'_> {
        let edition = self.edition;
        let cells = cells(edition)
            .filter_map(|t| {
                let (part, row, column) = cell_name(edition, t)?;
                let Target::Cell {
                    table, column: c, ..
                } = t
                else {
                    return None;
                };
                let read = self.cell(t);
                let col = &edition.tables[table].leaf_columns[c];
                Some(CellOut {
                    part,
                    row,
                    column,
                    value: read.map(|x| x.value),
                    unit: read
                        .and_then(|x| x.unit.clone())
                        .or_else(|| col.unit.clone()),
                    text: self.written_text(t).map(str::to_string),
                    computed: read.is_some_and(report::Cell::is_computed),
                })
            })
            .collect();
        let narrative = std::iter::once(Section::Lead)
            .chain((0..edition.parts.len()).map(Section::Part))
            .map(|s| SectionOut {
                part: section_name(edition, s),
                heading: self.section_heading(s),
                text: self.section_text(s),
                written: match s {
                    Section::Lead => self.narrative.is_some(),
                    Section::Part(i) => {
                        self.narrative.as_ref().is_some_and(|n| n.part(i).is_some())
                    }
                },
            })
            .collect();
        YearOut {
            year: self.year,
            edition: edition.id.clone(),
            hash: hash.to_string(),
            title: self
                .written_text(Target::Meta(KEY_TITLE))
                .map(str::to_string),
            published: self
                .written_text(Target::Meta(KEY_PUBLISHED))
                .map(str::to_string),
            cells,
            narrative,
            diagnostics: self.diagnostics_json(),
        }
    }
}

/// A cell, or a report setting, a problem concerns.
#[derive(Debug, Clone, Serialize)]
pub struct CellRef {
    /// Part number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Row labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<Vec<String>>,
    /// Column labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<Vec<String>>,
    /// `标题` or `发布日期`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<String>,
}

/// A problem: the shape of `check --format json`, and where the editor shows it.
#[derive(Debug, Serialize)]
pub struct DiagnosticOut<'a> {
    /// As `check --format json` prints it.
    #[serde(flatten)]
    pub diagnostic: JsonDiagnostic<'a>,
    /// The short note at the place (what `check` prints under the caret), shown beside the cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    /// The cell it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<CellRef>,
    /// The part of the narrative it concerns (`导语`, `一` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// One cell of `GET /api/<year>`.
#[derive(Debug, Serialize)]
pub struct CellOut {
    /// Part number.
    pub part: String,
    /// Row labels.
    pub row: Vec<String>,
    /// Column labels.
    pub column: Vec<String>,
    /// The value as read (`null` when missing or not a valid value).
    pub value: Option<Decimal>,
    /// Its unit.
    pub unit: Option<String>,
    /// What the file holds (`null` when it is not written).
    pub text: Option<String>,
    /// An omitted 总计, computed.
    pub computed: bool,
}

/// One section of the narrative.
#[derive(Debug, Serialize)]
pub struct SectionOut {
    /// `导语`, `一` … `六`.
    pub part: String,
    /// The heading as written, else the format's.
    pub heading: String,
    /// Its Markdown (empty when only the scaffold's guide comment is there).
    pub text: String,
    /// Whether report.md has it.
    pub written: bool,
}

/// `GET /api/<year>`.
#[derive(Debug, Serialize)]
pub struct YearOut<'a> {
    /// The year.
    pub year: u16,
    /// Edition id.
    pub edition: String,
    /// The version's fingerprint, for saving.
    pub hash: String,
    /// `标题` as written.
    pub title: Option<String>,
    /// `发布日期` as written.
    pub published: Option<String>,
    /// Every cell of the edition.
    pub cells: Vec<CellOut>,
    /// The lead-in and the six parts.
    pub narrative: Vec<SectionOut>,
    /// This year's problems.
    pub diagnostics: Vec<DiagnosticOut<'a>>,
}

/// What changed between two versions of a year, for a 409: each cell, setting and part of the
/// narrative whose text differs, with both texts.
pub fn changed(year: u16, base: &Version, now: &Version) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let edition = edition_of(year, now);
    let written = |v: &Version| -> HashMap<Target, Option<String>> {
        v.yaml
            .as_ref()
            .map(|raw| {
                let stored = Stored::new("report.yaml", raw.clone());
                splice::written(edition, &stored.file)
                    .into_iter()
                    .map(|(t, _, text)| (t, text))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (was, is) = (written(base), written(now));
    let mut targets: Vec<Target> = was.keys().chain(is.keys()).copied().collect();
    targets.sort();
    targets.dedup();
    for t in targets {
        let (a, b) = (
            was.get(&t).cloned().flatten(),
            is.get(&t).cloned().flatten(),
        );
        if a != b {
            let what = match t {
                Target::Meta(k) => k.to_string(),
                Target::Cell { table, row, column } => {
                    edition.tables[table].label_path(edition, row, column)
                }
            };
            out.push(serde_json::json!({"what": what, "was": a, "now": b}));
        }
    }
    let sections = |v: &Version| -> Option<Narrative> {
        let raw = v.md.as_ref()?;
        let stored = Stored::new("report.md", raw.clone());
        Some(narrative::parse(edition, &stored.file).0)
    };
    let (na, nb) = (sections(base), sections(now));
    for s in std::iter::once(Section::Lead).chain((0..edition.parts.len()).map(Section::Part)) {
        let a = na.as_ref().map(|n| n.section_text(s)).unwrap_or_default();
        let b = nb.as_ref().map(|n| n.section_text(s)).unwrap_or_default();
        if a != b {
            let what = match s {
                Section::Lead => format!("正文 › {LEAD}"),
                Section::Part(i) => format!("正文 › {}", edition.parts[i].heading),
            };
            out.push(serde_json::json!({"what": what, "was": a, "now": b}));
        }
    }
    if out.is_empty() && base.hash != now.hash {
        out.push(
            serde_json::json!({"what": "文件格式（空行、注释或换行符）", "was": null, "now": null}),
        );
    }
    out
}

/// The years of a body as `GET /api/years` lists them: every year folder, its edition and the
/// number of its errors and warnings.
pub fn years(body: &BodyAt) -> (Body, Vec<YearSummary>) {
    let checked = Body::check(&body.root(), &body.folder);
    let prefix = body.prefix();
    let mut list = Vec::new();
    let content = body.root().join("content");
    let mut folders: Vec<u16> = std::fs::read_dir(&content)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().is_dir())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name.len() == 4)
                        .then(|| name.parse::<u16>().ok())
                        .flatten()
                        .filter(|y| crate::load::YEARS.contains(y))
                })
                .collect()
        })
        .unwrap_or_default();
    folders.sort_unstable();
    for year in folders {
        let edition = checked
            .site
            .as_ref()
            .and_then(|s| s.years.iter().find(|y| y.year == year))
            .map(|y| y.report.edition)
            .or_else(|| format::builtin().for_year(year));
        let folder = format!("{prefix}content/{year}");
        let mine: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.file() == folder || d.file().starts_with(&format!("{folder}/")))
            .cloned()
            .collect();
        let (errors, warnings) = crate::diagnostic::counts(&mine);
        list.push(YearSummary {
            year,
            edition: edition.map(|e| e.id.clone()).unwrap_or_default(),
            edition_name: edition.map(|e| e.name.clone()).unwrap_or_default(),
            errors,
            warnings,
        });
    }
    (checked, list)
}

/// One year of `GET /api/years`.
#[derive(Debug, Clone, Serialize)]
pub struct YearSummary {
    /// The year.
    pub year: u16,
    /// Edition id.
    pub edition: String,
    /// Edition name (`2021版`), for the page.
    #[serde(skip)]
    pub edition_name: String,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// The totals of an edition's tables, in the order the loader settles them (see
/// `load::report::complete_totals`): for each, the cell and the cells it sums. The form keeps
/// its 总计 cells up to date with them while the clerk types.
pub fn totals(edition: &Edition) -> Vec<(Target, Vec<Target>)> {
    let mut out = Vec::new();
    for (ti, table) in edition.tables.iter().enumerate() {
        let cell = |row, column| Target::Cell {
            table: ti,
            row,
            column,
        };
        let total_rows: Vec<usize> = (0..table.leaf_rows.len())
            .filter(|&r| table.leaf_rows[r].total.is_some())
            .collect();
        let column_totals = |row: usize, out: &mut Vec<(Target, Vec<Target>)>| {
            for (col, c) in table.leaf_columns.iter().enumerate() {
                if let Some(total) = &c.total {
                    out.push((
                        cell(row, col),
                        total.of.iter().map(|&k| cell(row, k)).collect(),
                    ));
                }
            }
        };
        for row in (0..table.leaf_rows.len()).filter(|r| !total_rows.contains(r)) {
            column_totals(row, &mut out);
        }
        for &row in &total_rows {
            if let Some(total) = &table.leaf_rows[row].total {
                for col in 0..table.leaf_columns.len() {
                    out.push((
                        cell(row, col),
                        total.of.iter().map(|&r| cell(r, col)).collect(),
                    ));
                }
            }
        }
        for &row in &total_rows {
            column_totals(row, &mut out);
        }
    }
    out
}

/// Whether a part holds tables.
pub fn has_tables(edition: &Edition, part: usize) -> bool {
    edition.parts[part].kind == PartKind::Tables
}

/// The body's root for a request path's folder.
pub fn body_at(project: &Path, folder: &str) -> BodyAt {
    BodyAt {
        project: project.to_path_buf(),
        folder: folder.to_string(),
    }
}

/// Read a version of the year's files, as a problem when they cannot be read.
pub fn read_version(body: &BodyAt, year: u16) -> Result<Version, Problem> {
    store::read_version(&body.root(), year).map_err(|m| Problem::new(500, m))
}
