//! The official tables as view data: header grid with spans, row headers, data cells with
//! `id`/`headers`, caption and notes — all derived from the edition's table definition.
//!
//! The layout follows the format as printed: column groups span their leaves, a leaf header
//! spans down to the last header row, row groups span their rows (三、本年度办理结果 rowspan 20
//! in the 2019 edition, 22 in the 2021 edition), and a row with fewer levels spans the remaining
//! row-header columns. Every `th` has `scope`; every `th` has an `id` and every `td` lists its
//! headers outer → inner, rows first (ACCESSIBILITY.md T2, T3).

use serde::Serialize;

use crate::format::{ColumnKind, ColumnNode, Edition, RowNode, Table};
use crate::load::report::Report;
use crate::render::data::{csv_string, csv_text, csv_writer};

/// One table, ready for the page: the template gets its id, caption and finished HTML.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// HTML id of the table (`t3`, `t2-1`).
    pub id: String,
    /// Number in the caption (`3`, `2-1`).
    pub number: String,
    /// Caption text, e.g. `表3　收到和处理政府信息公开申请情况（单位：件）`.
    pub caption: String,
    /// Notes under the table (referenced by `aria-describedby`).
    #[serde(skip)]
    pub notes: Vec<String>,
    /// Number of columns of the grid.
    pub width: usize,
    /// CSV download of this table: a `data:` URL.
    #[serde(skip)]
    pub csv: String,
    /// File name the download is saved under.
    pub download_name: String,
    /// What the download holds, for its link: `表3`, or `表2（表2-1至表2-4）`.
    pub download_what: String,
    /// Size of the CSV in bytes.
    pub csv_bytes: usize,
    /// The table's HTML: scroll region, table, notes and download link. Templates place it with
    /// `{{ table.html | safe }}`.
    pub html: String,
}

/// Escape `& < > " '` (pulldown-cmark's escaper: the site's one HTML escaper).
fn escape_into(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

impl TableView {
    /// The official table as compact HTML. It is generated here rather than in a template: the
    /// format fixes every row, column and span, and thousands of tables render much faster from
    /// Rust. Themes style it through CSS (`.data-table`, `.table-notes`, `.table-download`).
    /// The grid comes from the table's [`Layout`]; only captions, numbers and notes are
    /// written per report.
    fn to_html(&self, body: &str) -> String {
        let mut h = String::with_capacity(body.len() + 4096);
        let id = &self.id;
        h.push_str("<div class=table-scroll role=region");
        attr(&mut h, "aria-labelledby", &format!("{id}-caption"));
        h.push_str(" tabindex=0><table class=data-table");
        attr(&mut h, "id", id);
        attr(&mut h, "aria-describedby", &format!("{id}-note"));
        h.push_str("><caption");
        attr(&mut h, "id", &format!("{id}-caption"));
        h.push('>');
        escape_into(&mut h, &self.caption);
        h.push_str("</caption>");
        h.push_str(body);
        h.push_str("</table></div><div class=table-notes");
        attr(&mut h, "id", &format!("{id}-note"));
        h.push('>');
        for n in &self.notes {
            h.push_str("<p>");
            escape_into(&mut h, n);
            h.push_str("</p>");
        }
        h.push_str("</div>");
        // The blocks of a table printed as one share the download below the last of them.
        if self.csv.is_empty() {
            return h;
        }
        h.push_str("<p class=table-download><a");
        attr(&mut h, "href", &self.csv);
        attr(&mut h, "download", &self.download_name);
        let kb = if self.csv_bytes >= 1024 {
            self.csv_bytes / 1024 + 1
        } else {
            1
        };
        h.push_str(&format!(
            ">下载{}数据（CSV 格式，UTF-8 编码，{kb} KB）</a></p>",
            self.download_what
        ));
        h
    }
}

/// The part of a table's markup that the edition fixes: `thead` and `tbody`s with every header
/// cell, span, `id` and `headers` list, and a slot for each data cell. Worked out once per
/// edition and table ([`layouts`]), then filled with each report's numbers.
#[derive(Debug, Clone)]
pub struct Layout {
    pieces: Vec<Piece>,
    /// About the length of a filled grid (the markup plus room for each number).
    capacity: usize,
    width: usize,
    /// The CSV download's header fields (`行`, the column labels) and each data row's label,
    /// already guarded (`data::csv_text`): only the numbers are new in each report.
    csv_header: Vec<String>,
    csv_labels: Vec<String>,
}

#[derive(Debug, Clone)]
enum Piece {
    /// Markup copied as it is.
    Html(String),
    /// A data cell: `open` is `<td headers=…` up to its class attribute.
    Data {
        row: usize,
        column: usize,
        open: String,
        total: bool,
    },
}

/// The layouts of all tables of `edition`, in table order: kept for a built-in edition (they
/// are constant data, like the edition), worked out here for any other.
pub fn layouts(edition: &Edition) -> std::borrow::Cow<'static, [Layout]> {
    static LAYOUTS: std::sync::OnceLock<Vec<Vec<Layout>>> = std::sync::OnceLock::new();
    let make = |e: &Edition| (0..e.tables.len()).map(|ti| Layout::new(e, ti)).collect();
    match crate::format::derived(&LAYOUTS, edition, make) {
        Some(layouts) => std::borrow::Cow::Borrowed(layouts),
        None => std::borrow::Cow::Owned(make(edition)),
    }
}

impl Layout {
    fn new(edition: &Edition, ti: usize) -> Layout {
        let (head, bodies, width) = grid(edition, ti);
        let mut pieces = Vec::new();
        let mut h = String::with_capacity(8 * 1024);
        h.push_str("<thead>");
        for row in &head {
            h.push_str("<tr>");
            for c in row {
                cell_html(&mut h, c, true);
            }
            h.push_str("</tr>");
        }
        h.push_str("</thead>");
        for body in &bodies {
            h.push_str("<tbody>");
            for row in body {
                h.push_str("<tr>");
                for c in row {
                    match c.slot {
                        Some((row, column, total)) => {
                            let mut open = String::from("<td");
                            attr(&mut open, "headers", &c.headers);
                            pieces.push(Piece::Html(std::mem::take(&mut h)));
                            pieces.push(Piece::Data {
                                row,
                                column,
                                open,
                                total,
                            });
                        }
                        None => cell_html(&mut h, c, false),
                    }
                }
                h.push_str("</tr>");
            }
            h.push_str("</tbody>");
        }
        pieces.push(Piece::Html(h));
        pieces.retain(|p| !matches!(p, Piece::Html(s) if s.is_empty()));
        let table = &edition.tables[ti];
        let csv_header = std::iter::once("行".to_string())
            .chain(table.leaf_columns.iter().map(|c| c.path.join(" › ")))
            .map(|f| csv_text(&f).into_owned())
            .collect();
        let csv_labels = table
            .leaf_rows
            .iter()
            .map(|row| {
                if row.path.is_empty() {
                    "数量".to_string()
                } else {
                    csv_text(&row.path.join(" › ")).into_owned()
                }
            })
            .collect();
        let capacity = pieces
            .iter()
            .map(|p| match p {
                Piece::Html(s) => s.len(),
                Piece::Data { open, .. } => open.len() + 32,
            })
            .sum();
        Layout {
            pieces,
            capacity,
            width,
            csv_header,
            csv_labels,
        }
    }

    /// `thead` and `tbody`s with `report`'s numbers; true when a computed 总计 was shown.
    fn fill(&self, report: &Report, ti: usize) -> (String, bool) {
        let kinds = &report.edition.tables[ti].leaf_columns;
        let mut h = String::with_capacity(self.capacity);
        let mut computed = false;
        for p in &self.pieces {
            match p {
                Piece::Html(s) => h.push_str(s),
                Piece::Data {
                    row,
                    column,
                    open,
                    total,
                } => {
                    h.push_str(open);
                    match report.cell(ti, *row, *column) {
                        Some(cell) => {
                            h.push_str(if *total {
                                " class=\"num total\">"
                            } else {
                                " class=num>"
                            });
                            computed |= push_value(&mut h, cell, kinds[*column].kind);
                        }
                        None => h.push_str(" class=\"num missing\">—"),
                    }
                    h.push_str("</td>");
                }
            }
        }
        (h, computed)
    }
}

/// A cell's number as printed: a signed column's decrease with a minus sign (−3) and an increase
/// with its plus sign when written so, a computed total marked `*`. Returns whether it was
/// computed. The site, the portal article and the Word document all print numbers through here.
fn push_value(h: &mut String, cell: &crate::load::report::Cell, kind: ColumnKind) -> bool {
    match kind {
        ColumnKind::Signed if cell.value.is_negative() => {
            h.push('−');
            h.push_str(&cell.value.abs().to_string());
        }
        ColumnKind::Signed if cell.plus => h.push_str(&cell.value.signed_text()),
        _ => {
            use std::fmt::Write;
            let _ = write!(h, "{}", cell.value);
        }
    }
    if cell.is_computed() {
        h.push('*');
        true
    } else {
        false
    }
}

/// The text of data cell (`row`, `column`) of table `ti` as the site prints it, and whether it
/// is a computed total; `—` for a cell the report does not give.
pub(crate) fn value_text(report: &Report, ti: usize, row: usize, column: usize) -> (String, bool) {
    match report.cell(ti, row, column) {
        Some(cell) => {
            let mut s = String::new();
            let kind = report.edition.tables[ti].leaf_columns[column].kind;
            let computed = push_value(&mut s, cell, kind);
            (s, computed)
        }
        None => ("—".to_string(), false),
    }
}

/// One cell of a table as printed, for documents other than the site's pages (the portal
/// article, the Word document): the same grid as the site's, from the same layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrintedCell {
    /// A header cell (`th`) rather than a data cell.
    pub header: bool,
    /// Text: a label, or for a data cell its number as the site prints it.
    pub text: String,
    /// `col` or `row` for a header cell; empty otherwise.
    pub scope: &'static str,
    /// The header cell's id on the site (`t3-c1`), empty for other cells.
    pub id: String,
    /// Ids of the headers of a cell (space-separated), outer to inner.
    pub headers: String,
    /// Columns spanned.
    pub colspan: usize,
    /// Rows spanned.
    pub rowspan: usize,
    /// A data cell (right-aligned number) rather than a label or the corner.
    pub number: bool,
}

/// A table as printed: the header rows, then the body rows; `width` grid columns.
#[derive(Debug, Clone)]
pub(crate) struct PrintedTable {
    /// Header rows (`thead`).
    pub head: Vec<Vec<PrintedCell>>,
    /// Body rows (all `tbody`s in order).
    pub body: Vec<Vec<PrintedCell>>,
    /// Columns of the grid.
    pub width: usize,
}

/// Table `ti` of `report` as printed: the layout the site's tables are generated from, with the
/// report's numbers.
pub(crate) fn printed(report: &Report, ti: usize) -> PrintedTable {
    let (head, bodies, width) = grid(report.edition, ti);
    let convert = |c: &CellView| {
        let (text, number) = match c.slot {
            Some((row, column, _)) => (value_text(report, ti, row, column).0, true),
            None => (c.text.clone(), false),
        };
        PrintedCell {
            header: c.tag == "th",
            text,
            scope: c.scope,
            id: c.id.clone(),
            headers: c.headers.clone(),
            colspan: c.colspan,
            rowspan: c.rowspan,
            number,
        }
    };
    let head = head
        .iter()
        .map(|r| r.iter().map(convert).collect())
        .collect();
    let body = bodies
        .iter()
        .flatten()
        .map(|r| r.iter().map(convert).collect())
        .collect();
    PrintedTable { head, body, width }
}

/// ` name=value`, quoted only when the value needs it (as a minifier would write it).
fn attr(h: &mut String, name: &str, value: &str) {
    h.push(' ');
    h.push_str(name);
    h.push('=');
    // One pass over the bytes decides both: whether quotes are needed and whether anything
    // needs escaping.
    let mut bare = !value.is_empty();
    let mut escape = false;
    for b in value.bytes() {
        match b {
            b'"' | b'\'' | b'<' | b'>' | b'&' => {
                escape = true;
                break;
            }
            b' ' | b'=' | b'`' | b'\t' | b'\n' | b'\r' => bare = false,
            _ => {}
        }
    }
    if bare && !escape {
        h.push_str(value);
    } else {
        h.push('"');
        if escape {
            escape_into(h, value);
        } else {
            h.push_str(value);
        }
        h.push('"');
    }
}

fn cell_html(h: &mut String, c: &CellView, head: bool) {
    h.push('<');
    h.push_str(c.tag);
    if c.tag == "th" {
        attr(h, "id", &c.id);
        attr(h, "scope", c.scope);
    }
    if c.colspan > 1 {
        attr(h, "colspan", &c.colspan.to_string());
    }
    if c.rowspan > 1 {
        attr(h, "rowspan", &c.rowspan.to_string());
    }
    if !c.headers.is_empty() || (c.tag == "td" && !head) {
        attr(h, "headers", &c.headers);
    }
    attr(h, "class", c.class);
    h.push('>');
    escape_into(h, &c.text);
    h.push_str("</");
    h.push_str(c.tag);
    h.push('>');
}

/// One cell of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    /// `th` or `td`.
    pub tag: &'static str,
    /// Text.
    pub text: String,
    /// `id`, for header cells.
    pub id: String,
    /// `headers` (space-separated ids), empty if none.
    pub headers: String,
    /// `scope` of a header cell: `col` or `row`.
    pub scope: &'static str,
    /// Column span (1 = none).
    pub colspan: usize,
    /// Row span (1 = none).
    pub rowspan: usize,
    /// CSS class.
    pub class: &'static str,
    /// For a data cell: its row, its column and whether the column is a 总计.
    slot: Option<(usize, usize, bool)>,
}

impl CellView {
    /// For a data cell: its row, its column and whether the column is a 总计.
    pub fn slot(&self) -> Option<(usize, usize, bool)> {
        self.slot
    }

    fn header(
        text: &str,
        id: String,
        headers: String,
        scope: &'static str,
        colspan: usize,
        rowspan: usize,
        class: &'static str,
    ) -> Self {
        CellView {
            tag: "th",
            text: text.to_string(),
            id,
            headers,
            scope,
            colspan,
            rowspan,
            class,
            slot: None,
        }
    }
}

/// The header rows and the `tbody` row groups of table `ti`, with a slot for each data cell,
/// and the width of the grid. The published tables and the editor's forms are both laid out
/// from it.
#[allow(clippy::type_complexity)]
pub(crate) fn grid(
    edition: &Edition,
    ti: usize,
) -> (Vec<Vec<CellView>>, Vec<Vec<Vec<CellView>>>, usize) {
    let table: &Table = &edition.tables[ti];
    let tid = format!("t{}", table.number);
    let depth = table.header_depth();
    let label_cols = if table.single_row() {
        0
    } else {
        table.row_header_depth().max(1)
    };

    // Column header ids and the ids of each leaf's ancestors (outer → inner).
    let mut col_ids: Vec<Vec<String>> = vec![Vec::new(); table.leaf_columns.len()];
    let mut head: Vec<Vec<CellView>> = vec![Vec::new(); depth];
    let mut ids = Ids {
        tid: &tid,
        counter: 0,
    };
    ids.walk_cols(&table.columns, (0, depth), &[], &mut head, &mut col_ids);
    if label_cols > 0 {
        let corner = match &table.row_header {
            Some(text) => CellView::header(
                text,
                format!("{tid}-rh"),
                String::new(),
                "col",
                label_cols,
                depth,
                "row-head",
            ),
            None => CellView {
                tag: "td",
                text: String::new(),
                id: String::new(),
                headers: String::new(),
                scope: "",
                colspan: label_cols,
                rowspan: depth,
                class: "corner",
                slot: None,
            },
        };
        head[0].insert(0, corner);
    }

    // Body: one tbody per top-level group row, consecutive top-level data rows together.
    let mut bodies: Vec<Vec<Vec<CellView>>> = Vec::new();
    if table.single_row() {
        let mut row = Vec::new();
        for (c, ids) in col_ids.iter().enumerate() {
            row.push(data_cell(table, 0, c, ids.join(" ")));
        }
        bodies.push(vec![row]);
    } else {
        let mut current: Vec<Vec<CellView>> = Vec::new();
        let mut rows_of = RowIds {
            ids: Ids {
                tid: &tid,
                counter: 0,
            },
            table,
            label_cols,
            col_ids: &col_ids,
        };
        for n in &table.rows {
            if n.children.is_empty() {
                let mut rows = Vec::new();
                rows_of.emit(n, 0, &[], &mut rows);
                current.extend(rows);
            } else {
                if !current.is_empty() {
                    bodies.push(std::mem::take(&mut current));
                }
                let mut rows = Vec::new();
                rows_of.emit(n, 0, &[], &mut rows);
                bodies.push(rows);
            }
        }
        if !current.is_empty() {
            bodies.push(current);
        }
    }

    let width = label_cols + table.leaf_columns.len();
    (head, bodies, width)
}

/// The tables printed as one with table `ti` (table 二's blocks 2-1 … 2-4 are one table in the
/// format): their common number and their indexes. A table printed alone is a group of one.
pub fn print_group(edition: &Edition, ti: usize) -> (String, std::ops::Range<usize>) {
    let group = |n: &str| n.split('-').next().unwrap_or(n).to_string();
    let number = group(&edition.tables[ti].number);
    let mut first = ti;
    while first > 0 && group(&edition.tables[first - 1].number) == number {
        first -= 1;
    }
    let mut end = ti + 1;
    while end < edition.tables.len() && group(&edition.tables[end].number) == number {
        end += 1;
    }
    (number, first..end)
}

/// The CSV of a table as printed: table 二's blocks are one table in the format, so one CSV
/// holds them all, block after block.
pub struct PrintedCsv {
    /// The printed table's number (`2`, `3`).
    pub number: String,
    /// The edition's tables it holds.
    pub tables: std::ops::Range<usize>,
    /// UTF-8 with BOM, CRLF; a table of several blocks has each block's caption on a line of
    /// its own before it, and a blank line between blocks.
    pub csv: String,
}

/// The CSV files of `report`'s printed tables, in the edition's order.
pub fn printed_csvs(report: &Report, layouts: &[Layout]) -> Vec<PrintedCsv> {
    let edition = report.edition;
    let mut out = Vec::new();
    let mut ti = 0;
    while ti < edition.tables.len() {
        let (number, tables) = print_group(edition, ti);
        let mut csv = String::new();
        if tables.len() == 1 {
            csv = table_csv(report, ti, &layouts[ti]);
        } else {
            csv.push('\u{feff}');
            for m in tables.clone() {
                if m > tables.start {
                    csv.push_str("\r\n");
                }
                // The caption line through the same writer as every CSV (quoting, guard, CRLF).
                let mut w = csv_writer(Vec::new());
                let _ = w.write_record([csv_text(&caption(edition, m)).as_ref()]);
                csv.push_str(&csv_string(w));
                csv.push_str(table_csv(report, m, &layouts[m]).trim_start_matches('\u{feff}'));
            }
        }
        ti = tables.end;
        out.push(PrintedCsv {
            number,
            tables,
            csv,
        });
    }
    out
}

/// Table `ti`'s caption as printed on the page, without its unit: `表3　收到和处理政府信息公开申请情况`,
/// `表2-1　主动公开政府信息情况：第二十条第（一）项`.
pub fn caption(edition: &Edition, ti: usize) -> String {
    let table = &edition.tables[ti];
    let part_title = edition.part(&table.part).map_or("", |p| p.title.as_str());
    let mut caption = format!("表{}　", table.number);
    match &table.caption {
        Some(c) => caption.push_str(&format!("{part_title}：{c}")),
        None => caption.push_str(&table.title),
    }
    caption
}

/// Build the view of table `ti` of `report` from its layout. `csv` is the link to the table's
/// CSV file and `csv_bytes` its size.
pub fn table_view(
    report: &Report,
    ti: usize,
    layout: &Layout,
    csv: String,
    csv_bytes: usize,
) -> TableView {
    let edition: &Edition = report.edition;
    let table: &Table = &edition.tables[ti];
    let tid = format!("t{}", table.number);
    let (group, members) = print_group(edition, ti);
    let download_what = if members.len() > 1 {
        format!(
            "表{group}（表{}至表{}）",
            edition.tables[members.start].number,
            edition.tables[members.end - 1].number
        )
    } else {
        format!("表{group}")
    };
    let (grid_html, computed) = layout.fill(report, ti);
    let units = table.units();
    let mut caption = caption(edition, ti);
    let money_units: Vec<&str> = table
        .leaf_columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ColumnKind::Money)
        .filter_map(|(ci, c)| {
            (0..table.leaf_rows.len())
                .find_map(|r| report.cell(ti, r, ci).and_then(|x| x.unit.as_deref()))
                .or(c.unit.as_deref())
        })
        .collect();
    let has_money = table
        .leaf_columns
        .iter()
        .any(|c| c.kind == ColumnKind::Money);
    if !has_money && units.len() == 1 {
        caption.push_str(&format!("（单位：{}）", units[0]));
    } else if has_money && units.is_empty() && money_units.len() == 1 {
        caption.push_str(&format!("（单位：{}）", money_units[0]));
    }

    let mut notes = Vec::new();
    if let Some(corner) = &table.corner {
        notes.push(corner.trim_matches(['（', '）']).to_string() + "。");
    }
    if (has_money || units.len() > 1) && !(has_money && units.is_empty() && money_units.len() == 1)
    {
        let mut parts = Vec::new();
        for (ci, c) in table.leaf_columns.iter().enumerate() {
            let label = c.path.join("·");
            let unit = if c.kind == ColumnKind::Money {
                (0..table.leaf_rows.len())
                    .find_map(|r| report.cell(ti, r, ci).and_then(|x| x.unit.clone()))
                    .or(c.unit.clone())
            } else {
                c.unit.clone()
            };
            match unit {
                Some(u) => parts.push(format!("{label}为{u}")),
                None => parts.push(format!("{label}原报告未注明单位")),
            }
        }
        notes.push(format!("单位：{}。", parts.join("；")));
    }
    if table
        .leaf_columns
        .iter()
        .any(|c| c.kind == ColumnKind::Signed)
    {
        notes.push("本年增/减：增加为正数（＋），减少为负数（−）。".into());
    }
    if computed {
        notes.push("标有 * 的总计由各项相加得出，原报告未填写。".into());
    }
    notes.push("表中 0 表示没有。".into());

    let mut view = TableView {
        html: String::new(),
        id: tid,
        number: table.number.clone(),
        caption,
        notes,
        width: layout.width,
        csv,
        download_name: format!("{}年度表{group}.csv", report.year),
        download_what,
        csv_bytes,
    };
    view.html = view.to_html(&grid_html);
    view
}

/// The `id`s of a table's header cells, numbered in document order (`t3-c1`, `t3-r4` …).
struct Ids<'a> {
    tid: &'a str,
    counter: usize,
}

impl Ids<'_> {
    fn next(&mut self, kind: char) -> String {
        self.counter += 1;
        format!("{}-{kind}{}", self.tid, self.counter)
    }

    /// The column headers under `ancestors` (their ids, outer → inner), at header row `depth`
    /// of `total_depth`, into `head`; each leaf column's header ids into `col_ids`.
    fn walk_cols(
        &mut self,
        nodes: &[ColumnNode],
        (depth, total_depth): (usize, usize),
        ancestors: &[String],
        head: &mut [Vec<CellView>],
        col_ids: &mut [Vec<String>],
    ) {
        for n in nodes {
            let id = self.next('c');
            let rowspan = if n.children.is_empty() {
                total_depth - depth
            } else {
                1
            };
            head[depth].push(CellView::header(
                &n.label,
                id.clone(),
                ancestors.join(" "),
                "col",
                n.width(),
                rowspan,
                if n.children.is_empty() {
                    "col-leaf"
                } else {
                    "col-group"
                },
            ));
            let mut path = ancestors.to_vec();
            path.push(id);
            match n.leaf {
                Some(i) => col_ids[i] = path,
                None => self.walk_cols(&n.children, (depth + 1, total_depth), &path, head, col_ids),
            }
        }
    }
}

/// The body rows of a table: row headers with their ids and the data cells with the ids of
/// every header above and beside them.
struct RowIds<'a> {
    ids: Ids<'a>,
    table: &'a Table,
    label_cols: usize,
    col_ids: &'a [Vec<String>],
}

impl RowIds<'_> {
    /// The rows of `node` (at row-header depth `depth`, under `ancestors`) into `rows`.
    fn emit(
        &mut self,
        node: &RowNode,
        depth: usize,
        ancestors: &[String],
        rows: &mut Vec<Vec<CellView>>,
    ) {
        let id = self.ids.next('r');
        let mut path = ancestors.to_vec();
        path.push(id.clone());
        match node.leaf {
            Some(r) => {
                let mut row = Vec::new();
                row.push(CellView::header(
                    &node.label,
                    id,
                    ancestors.join(" "),
                    "row",
                    self.label_cols - depth,
                    1,
                    "row-leaf",
                ));
                for (c, ids) in self.col_ids.iter().enumerate() {
                    let headers = path
                        .iter()
                        .chain(ids.iter())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ");
                    row.push(data_cell(self.table, r, c, headers));
                }
                rows.push(row);
            }
            None => {
                let first = rows.len();
                for child in &node.children {
                    self.emit(child, depth + 1, &path, rows);
                }
                rows[first].insert(
                    0,
                    CellView::header(
                        &node.label,
                        id,
                        ancestors.join(" "),
                        "row",
                        1,
                        node.height(),
                        "row-group",
                    ),
                );
            }
        }
    }
}

fn data_cell(table: &Table, r: usize, c: usize, headers: String) -> CellView {
    CellView {
        tag: "td",
        text: String::new(),
        id: String::new(),
        headers,
        scope: "",
        colspan: 1,
        rowspan: 1,
        class: "num",
        slot: Some((r, c, table.leaf_columns[c].total.is_some())),
    }
}

/// CSV of one table for download: the printed grid flattened to one line per data row, with the
/// full row and column labels (UTF-8 with BOM, CRLF).
pub fn table_csv(report: &Report, ti: usize, layout: &Layout) -> String {
    use std::fmt::Write;
    let columns = report.edition.tables[ti].leaf_columns.len();
    let mut start = Vec::with_capacity(1024 + layout.csv_labels.len() * 96);
    start.extend_from_slice("\u{feff}".as_bytes());
    let mut w = csv_writer(start);
    let _ = w.write_record(&layout.csv_header);
    let mut number = String::new();
    for (r, label) in layout.csv_labels.iter().enumerate() {
        let _ = w.write_field(label);
        for c in 0..columns {
            number.clear();
            if let Some(cell) = report.cell(ti, r, c) {
                let _ = write!(number, "{}", cell.value);
            }
            let _ = w.write_field(&number);
        }
        let _ = w.write_record(None::<&[u8]>);
    }
    csv_string(w)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_replaces_exactly_the_special_bytes() {
        let mut out = String::from("x");
        super::escape_into(&mut out, "表<三>「a&b」\"'末");
        assert_eq!(out, "x表&lt;三&gt;「a&amp;b」&quot;&#39;末");
        let mut plain = String::new();
        super::escape_into(&mut plain, "（七）总计");
        assert_eq!(plain, "（七）总计");
    }
}
