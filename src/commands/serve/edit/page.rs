//! The editor's pages: the bodies of a platform, a body's years, and a year's form.
//!
//! The form is laid out from the same edition layout as the published tables
//! ([`render::table::grid`]: the header rows with their spans, labels and ids); each data cell
//! holds an input labelled by its row and column headers (`aria-labelledby` with the header
//! ids, the `headers` list of the published cell). The pages are Tera templates embedded in the
//! binary, written compact with whitespace control like the default theme; the editor is not
//! part of the site, so themes do not override it.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use tera::{Context, Tera};

use super::model::{self, Beside, YearData};
use crate::diagnostic::{Diagnostic, Severity};
use crate::format::{ColumnKind, KEY_PUBLISHED, KEY_TITLE};
use crate::load::narrative::Section;
use crate::load::report::splice::Target;
use crate::render::table::grid;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("bodies.html", include_str!("templates/bodies.html")),
    ("years.html", include_str!("templates/years.html")),
    ("year.html", include_str!("templates/year.html")),
    ("message.html", include_str!("templates/message.html")),
];

/// The editor's stylesheet.
pub const CSS: &str = include_str!("edit.css");
/// The editor's script: live totals and checks, saving with the token.
pub const JS: &str = include_str!("edit.js");

fn tera() -> &'static Tera {
    static TERA: OnceLock<Tera> = OnceLock::new();
    TERA.get_or_init(|| {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        // The templates are part of the binary: a syntax error is a bug the tests catch.
        if let Err(e) = tera.add_raw_templates(TEMPLATES.iter().copied()) {
            panic!("editor template: {e}");
        }
        tera
    })
}

fn render(template: &str, ctx: &Context) -> String {
    tera().render(template, ctx).unwrap_or_else(|e| {
        format!(
            "<!DOCTYPE html><html lang=zh-CN><title>错误</title><p>页面生成出错：{}",
            escape(&e.to_string())
        )
    })
}

/// `& < > " '` escaped (the site's one escaper).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// A link in the breadcrumb trail (`url` empty for the current page).
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    /// Text.
    pub text: String,
    /// Relative URL, or empty.
    pub url: String,
}

/// What every editor page gets.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    /// The `<title>`.
    pub title: String,
    /// The way to `/edit/` from this page (`""`, `../`, `../../`).
    pub root: String,
    /// The token (for forms and the script).
    pub token: String,
    /// Where the page is.
    pub crumbs: Vec<Crumb>,
}

/// A message box at the top of a page.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Banner {
    /// `ok`, `error` or `conflict`.
    pub kind: String,
    /// The message.
    pub text: String,
    /// Details (one per line).
    pub items: Vec<String>,
}

fn context(frame: &Frame) -> Context {
    let mut ctx = Context::new();
    ctx.insert("frame", frame);
    ctx
}

/// A page with only a message (a refusal, an unknown year).
pub fn message(frame: &Frame, heading: &str, text: &str) -> String {
    let mut ctx = context(frame);
    ctx.insert("heading", heading);
    ctx.insert("text", text);
    render("message.html", &ctx)
}

/// One body of a platform in the list.
#[derive(Debug, Clone, Serialize)]
pub struct BodyItem {
    /// Folder.
    pub folder: String,
    /// Name.
    pub name: String,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// The bodies of a platform.
pub fn bodies(frame: &Frame, platform: &str, bodies: &[BodyItem]) -> String {
    let mut ctx = context(frame);
    ctx.insert("platform", platform);
    ctx.insert("bodies", bodies);
    render("bodies.html", &ctx)
}

/// A body's years, with the form that starts a new one.
pub fn years(
    frame: &Frame,
    body_name: &str,
    list: &[serde_json::Value],
    site_problems: (usize, usize),
    preview_root: &str,
    suggested: u16,
    banner: Option<&Banner>,
) -> String {
    let mut ctx = context(frame);
    ctx.insert("body_name", body_name);
    ctx.insert("years", list);
    ctx.insert("site_errors", &site_problems.0);
    ctx.insert("site_warnings", &site_problems.1);
    ctx.insert("preview_root", preview_root);
    ctx.insert("suggested", &suggested);
    ctx.insert("banner", &banner);
    render("years.html", &ctx)
}

/// The name of a cell's input (`c<table>-<row>-<column>`) and of a setting's.
pub fn input_name(t: Target) -> String {
    match t {
        Target::Cell { table, row, column } => format!("c{table}-{row}-{column}"),
        Target::Meta(KEY_TITLE) => "meta-title".into(),
        Target::Meta(_) => "meta-published".into(),
    }
}

/// The name of a section's text area.
pub fn section_input(s: Section) -> String {
    match s {
        Section::Lead => "n-lead".into(),
        Section::Part(i) => format!("n-{i}"),
    }
}

/// The target an input name names.
pub fn target_of(edition: &crate::format::Edition, name: &str) -> Option<Target> {
    match name {
        "meta-title" => return Some(Target::Meta(KEY_TITLE)),
        "meta-published" => return Some(Target::Meta(KEY_PUBLISHED)),
        _ => {}
    }
    let rest = name.strip_prefix('c')?;
    let mut it = rest.split('-').map(|n| n.parse::<usize>().ok());
    let (Some(Some(table)), Some(Some(row)), Some(Some(column)), None) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return None;
    };
    let t = edition.tables.get(table)?;
    (row < t.leaf_rows.len() && column < t.leaf_columns.len()).then_some(Target::Cell {
        table,
        row,
        column,
    })
}

/// The section a text area name names.
pub fn section_of(edition: &crate::format::Edition, name: &str) -> Option<Section> {
    match name.strip_prefix("n-")? {
        "lead" => Some(Section::Lead),
        i => i
            .parse::<usize>()
            .ok()
            .filter(|&i| i < edition.parts.len())
            .map(Section::Part),
    }
}

/// `169844元` → (`169844`, `元`).
pub fn split_unit(text: &str) -> (&str, Option<&'static str>) {
    for unit in ["万元", "元"] {
        if let Some(n) = text.strip_suffix(unit) {
            return (n.trim_end(), Some(unit));
        }
    }
    (text, None)
}

/// What the form shows in a cell: the text the file holds; for an omitted 总计 the computed
/// value; nothing for a missing value.
pub fn shown(data: &YearData, t: Target) -> (String, bool) {
    match data.written_text(t) {
        Some(text) => (text.to_string(), false),
        None => match data.cell(t) {
            Some(c) if c.is_computed() => (c.value.to_string(), true),
            _ => (String::new(), false),
        },
    }
}

/// A problem in the list.
#[derive(Debug, Clone, Serialize)]
struct DiagView {
    severity: &'static str,
    word: &'static str,
    rule: String,
    message: String,
    place: String,
    path: Option<String>,
    expected: Option<String>,
    found: Option<String>,
    hint: Option<String>,
    /// The input it concerns.
    href: Option<String>,
}

fn diag_view(data: &YearData, d: &Diagnostic) -> DiagView {
    let href = match data.beside(d) {
        Beside::Cell(t) => Some(format!("#{}", input_name(t))),
        Beside::Section(s) => Some(format!("#{}", section_input(s))),
        Beside::Nowhere => None,
    };
    let place = match d.line_col() {
        Some((l, c)) => format!("{}:{l}:{c}", d.file()),
        None => d.file().to_string(),
    };
    DiagView {
        severity: if d.is_error() { "error" } else { "warning" },
        word: crate::diagnostic::severity_word(d.severity),
        rule: d.rule.clone(),
        message: d.message.clone(),
        place,
        path: d.path.clone(),
        expected: d.expected.clone(),
        found: d.found.clone(),
        hint: d.hint.clone(),
        href,
    }
}

/// The short note shown beside a cell: the caret label, else the message.
fn cell_note(d: &Diagnostic) -> String {
    let word = crate::diagnostic::severity_word(d.severity);
    format!(
        "{word}：{}",
        d.label.clone().unwrap_or_else(|| d.message.clone())
    )
}

/// A section of the form: a part of the report (or the lead-in) with its text area and tables.
#[derive(Debug, Clone, Serialize)]
struct SectionView {
    id: String,
    heading: String,
    name: String,
    label: String,
    text: String,
    notes: Vec<String>,
    severity: &'static str,
    tables: Vec<String>,
    lead: bool,
}

/// The data the script needs: each input's cell name, the totals in the loader's order, which
/// totals are computed, the API and the version.
#[derive(Debug, Serialize)]
struct ScriptData<'a> {
    api: &'a str,
    cells: HashMap<String, (String, Vec<String>, Vec<String>)>,
    /// Each text area's part, as the API names it (`导语`, `一` …).
    sections: HashMap<String, String>,
    totals: Vec<(String, Vec<String>)>,
}

/// Everything the year page shows.
pub struct YearPage<'a> {
    /// The frame.
    pub frame: &'a Frame,
    /// The year, checked.
    pub data: &'a YearData,
    /// The version the form is of.
    pub hash: &'a str,
    /// The year's preview page (relative).
    pub preview: &'a str,
    /// The API of the year (relative).
    pub api: &'a str,
    /// A message (saved, refused, conflict).
    pub banner: Option<&'a Banner>,
    /// Values the clerk entered that the form shows instead of the file's, by input name.
    pub overrides: &'a HashMap<String, String>,
}

/// The year's form.
pub fn year(page: &YearPage<'_>) -> String {
    let data = page.data;
    let edition = data.edition;
    // Problems beside their cells and sections.
    let mut by_input: HashMap<String, Vec<&Diagnostic>> = HashMap::new();
    for d in &data.diagnostics {
        let name = match data.beside(d) {
            Beside::Cell(t) => input_name(t),
            Beside::Section(s) => section_input(s),
            Beside::Nowhere => continue,
        };
        by_input.entry(name).or_default().push(d);
    }
    let value_of =
        |name: &str, default: String| page.overrides.get(name).cloned().unwrap_or(default);
    let mut sections = Vec::new();
    for s in std::iter::once(Section::Lead).chain((0..edition.parts.len()).map(Section::Part)) {
        let name = section_input(s);
        let notes: Vec<&Diagnostic> = by_input.get(&name).cloned().unwrap_or_default();
        let (id, heading, label, tables, lead) = match s {
            Section::Lead => (
                "s-lead".to_string(),
                "导语".to_string(),
                "导语（报告开头的说明，可不写）".to_string(),
                Vec::new(),
                true,
            ),
            Section::Part(i) => {
                let part = &edition.parts[i];
                let tables: Vec<String> = edition
                    .tables_of(&part.number)
                    .map(|(ti, _)| table_form(page, ti, &by_input))
                    .collect();
                let label = if model::has_tables(edition, i) {
                    format!("{}：表格前的说明（可不写）", part.heading)
                } else {
                    format!("{}：正文", part.heading)
                };
                (
                    format!("s{}", i + 1),
                    data.section_heading(s),
                    label,
                    tables,
                    false,
                )
            }
        };
        sections.push(SectionView {
            id,
            heading,
            text: value_of(&name, data.section_text(s)),
            name,
            label,
            severity: severity_of(&notes),
            notes: notes.iter().map(|d| cell_note(d)).collect(),
            tables,
            lead,
        });
    }
    let meta = |t: Target| {
        let name = input_name(t);
        let notes: Vec<&Diagnostic> = by_input.get(&name).cloned().unwrap_or_default();
        serde_json::json!({
            "name": name,
            "value": value_of(&name, data.written_text(t).unwrap_or("").to_string()),
            "notes": notes.iter().map(|d| cell_note(d)).collect::<Vec<_>>(),
            "severity": severity_of(&notes),
        })
    };
    let script = ScriptData {
        api: page.api,
        cells: model::cells(edition)
            .filter_map(|t| Some((input_name(t), model::cell_name(edition, t)?)))
            .collect(),
        sections: std::iter::once(Section::Lead)
            .chain((0..edition.parts.len()).map(Section::Part))
            .map(|s| (section_input(s), model::section_name(edition, s)))
            .collect(),
        totals: model::totals(edition)
            .into_iter()
            .map(|(t, of)| (input_name(t), of.into_iter().map(input_name).collect()))
            .collect(),
    };
    // JSON inside <script>: `</` cannot end the element.
    let script_json = serde_json::to_string(&script)
        .unwrap_or_default()
        .replace("</", "<\\/");
    let (errors, warnings) = data.counts();
    let mut ctx = context(page.frame);
    ctx.insert("year", &data.year);
    ctx.insert("body_name", &data.body_name);
    ctx.insert(
        "edition",
        &format!("{}（{}）", edition.name, edition.notice),
    );
    ctx.insert("hash", page.hash);
    ctx.insert("preview", page.preview);
    ctx.insert("banner", &page.banner);
    ctx.insert("errors", &errors);
    ctx.insert("warnings", &warnings);
    ctx.insert(
        "diagnostics",
        &data
            .diagnostics
            .iter()
            .map(|d| diag_view(data, d))
            .collect::<Vec<_>>(),
    );
    ctx.insert("title_input", &meta(Target::Meta(KEY_TITLE)));
    let published = meta(Target::Meta(KEY_PUBLISHED));
    let is_date = published["value"]
        .as_str()
        .is_some_and(|v| v.is_empty() || (v.len() == 10 && crate::load::report::valid_date(v)));
    ctx.insert("published_input", &published);
    ctx.insert("published_type", if is_date { "date" } else { "text" });
    ctx.insert("sections", &sections);
    ctx.insert("script_data", &script_json);
    render("year.html", &ctx)
}

fn severity_of(notes: &[&Diagnostic]) -> &'static str {
    if notes.iter().any(|d| d.severity == Severity::Error) {
        "error"
    } else if notes.is_empty() {
        ""
    } else {
        "warning"
    }
}

/// One table of the form: the published table's grid, with an input in each data cell.
fn table_form(page: &YearPage<'_>, ti: usize, notes: &HashMap<String, Vec<&Diagnostic>>) -> String {
    let data = page.data;
    let edition = data.edition;
    let table = &edition.tables[ti];
    let (head, bodies, _) = grid(edition, ti);
    let tid = format!("t{}", table.number);
    let part_title = edition.part(&table.part).map_or("", |p| p.title.as_str());
    let caption = match &table.caption {
        Some(c) => format!("表{}　{part_title}：{c}", table.number),
        None => format!("表{}　{}", table.number, table.title),
    };
    let mut h = String::with_capacity(16 * 1024);
    h.push_str(&format!(
        "<div class=table-scroll role=region aria-labelledby={tid}-caption tabindex=0><table class=\"data-table form-table\" id={tid}><caption id={tid}-caption>{}</caption><thead>",
        escape(&caption)
    ));
    for row in &head {
        h.push_str("<tr>");
        for c in row {
            header_cell(&mut h, c);
        }
        h.push_str("</tr>");
    }
    h.push_str("</thead>");
    for body in &bodies {
        h.push_str("<tbody>");
        for row in body {
            h.push_str("<tr>");
            for c in row {
                match c.slot() {
                    Some((r, col, total)) => input_cell(page, &mut h, c, ti, r, col, total, notes),
                    None => header_cell(&mut h, c),
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody>");
    }
    h.push_str("</table></div>");
    if let Some(corner) = &table.corner {
        h.push_str(&format!(
            "<p class=table-note>{}</p>",
            escape(corner.trim_matches(['（', '）']))
        ));
    }
    h
}

fn header_cell(h: &mut String, c: &crate::render::table::CellView) {
    h.push('<');
    h.push_str(c.tag);
    if c.tag == "th" {
        h.push_str(&format!(" id={} scope={}", c.id, c.scope));
    }
    if c.colspan > 1 {
        h.push_str(&format!(" colspan={}", c.colspan));
    }
    if c.rowspan > 1 {
        h.push_str(&format!(" rowspan={}", c.rowspan));
    }
    if !c.headers.is_empty() {
        h.push_str(&format!(" headers=\"{}\"", c.headers));
    }
    h.push_str(&format!(" class={}>", c.class));
    h.push_str(&escape(&c.text));
    h.push_str("</");
    h.push_str(c.tag);
    h.push('>');
}

#[allow(clippy::too_many_arguments)]
fn input_cell(
    page: &YearPage<'_>,
    h: &mut String,
    c: &crate::render::table::CellView,
    table: usize,
    row: usize,
    column: usize,
    total: bool,
    notes: &HashMap<String, Vec<&Diagnostic>>,
) {
    let data = page.data;
    let col = &data.edition.tables[table].leaf_columns[column];
    let t = Target::Cell { table, row, column };
    let name = input_name(t);
    let (file_text, computed) = shown(data, t);
    let text = page.overrides.get(&name).cloned().unwrap_or(file_text);
    let mine: Vec<&Diagnostic> = notes.get(&name).cloned().unwrap_or_default();
    let severity = severity_of(&mine);
    let mut class = String::from("num");
    if total {
        class.push_str(" total");
    }
    if computed {
        class.push_str(" computed");
    }
    if !severity.is_empty() {
        class.push(' ');
        class.push_str(severity);
    }
    h.push_str(&format!("<td headers=\"{}\" class=\"{class}\">", c.headers));
    // The column's name, shown on phones where the header row is not (the input is named by
    // the headers either way).
    h.push_str(&format!(
        "<span class=col-label aria-hidden=true>{}{}</span>",
        escape(&col.display_path.join(" · ")),
        if computed { "（自动）" } else { "" }
    ));
    let (number, unit) = match col.kind {
        ColumnKind::Money => split_unit(&text),
        _ => (text.as_str(), None),
    };
    let inputmode = match col.kind {
        ColumnKind::Count => " inputmode=numeric",
        ColumnKind::Money => " inputmode=decimal",
        // A minus sign is not on every phone's number pad.
        ColumnKind::Signed => "",
    };
    let mut described = vec![format!("m-{name}")];
    let unit_id = format!("u-{name}");
    let fixed_unit = match col.kind {
        ColumnKind::Money => col
            .unit
            .clone()
            .or_else(|| (col.units.len() == 1).then(|| col.units[0].clone())),
        _ => None,
    };
    if fixed_unit.is_some() {
        described.push(unit_id.clone());
    }
    if computed {
        described.push("note-computed".into());
    }
    h.push_str(&format!(
        "<input id={name} name={name} value=\"{}\"{inputmode} autocomplete=off spellcheck=false aria-labelledby=\"{}\" aria-describedby=\"{}\"{}{}{}>",
        escape(number),
        c.headers,
        described.join(" "),
        if severity == "error" { " aria-invalid=true" } else { "" },
        if total { " data-total" } else { "" },
        if computed { " data-computed" } else { "" },
    ));
    match (col.kind, &fixed_unit) {
        (ColumnKind::Money, Some(u)) => {
            h.push_str(&format!(
                "<span class=unit id={unit_id}>{}</span>",
                escape(u)
            ));
        }
        (ColumnKind::Money, None) => {
            // The unit is the clerk's to state: 元 or 万元 (or, as the file has it, none).
            let chosen = page
                .overrides
                .get(&format!("u-{name}"))
                .map(String::as_str)
                .or(unit);
            h.push_str(&format!(
                "<select id={unit_id} name={unit_id} class=unit aria-labelledby=\"{} unit-word\">",
                c.headers
            ));
            if chosen.is_none() {
                h.push_str("<option value=\"\" selected>（未注明）</option>");
            }
            for u in &col.units {
                let selected = if chosen == Some(u.as_str()) {
                    " selected"
                } else {
                    ""
                };
                h.push_str(&format!("<option{selected}>{}</option>", escape(u)));
            }
            h.push_str("</select>");
        }
        _ => {}
    }
    h.push_str(&format!("<span class=cell-msg id=m-{name}>"));
    if let Some(d) = mine.first() {
        h.push_str(&escape(&cell_note(d)));
    }
    h.push_str("</span></td>");
}
