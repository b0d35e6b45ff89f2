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
use crate::report::Report;

/// One table, ready for the page: the template gets its id, caption and finished HTML.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// HTML id of the table (`t3`, `t2-1`).
    pub id: String,
    /// Number in the caption (`3`, `2-1`).
    pub number: String,
    /// Caption text, e.g. `表3　收到和处理政府信息公开申请情况（单位：件）`.
    pub caption: String,
    /// Header rows.
    #[serde(skip)]
    pub head: Vec<Vec<CellView>>,
    /// Body row groups (`tbody`s).
    #[serde(skip)]
    pub bodies: Vec<Vec<Vec<CellView>>>,
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
    /// Size of the CSV in bytes.
    pub csv_bytes: usize,
    /// The table's HTML: scroll region, table, notes and download link. Templates place it with
    /// `{{ table.placeholder | safe }}`; the finished HTML replaces the placeholder after the
    /// page is minified (the table is compact already, so the minifier need not read it).
    #[serde(skip)]
    pub html: String,
    /// Marker that stands for the table in the rendered template.
    pub placeholder: String,
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

impl TableView {
    /// The official table as compact HTML. It is generated here rather than in a template: the
    /// format fixes every row, column and span, and thousands of tables render much faster from
    /// Rust. Themes style it through CSS (`.data-table`, `.table-notes`, `.table-download`).
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(16 * 1024);
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
        h.push_str("</caption><thead>");
        for row in &self.head {
            h.push_str("<tr>");
            for c in row {
                cell_html(&mut h, c, true);
            }
            h.push_str("</tr>");
        }
        h.push_str("</thead>");
        for body in &self.bodies {
            h.push_str("<tbody>");
            for row in body {
                h.push_str("<tr>");
                for c in row {
                    cell_html(&mut h, c, false);
                }
                h.push_str("</tr>");
            }
            h.push_str("</tbody>");
        }
        h.push_str("</table></div><div class=table-notes");
        attr(&mut h, "id", &format!("{id}-note"));
        h.push('>');
        for n in &self.notes {
            h.push_str("<p>");
            escape_into(&mut h, n);
            h.push_str("</p>");
        }
        h.push_str("</div><p class=table-download><a");
        attr(&mut h, "href", &self.csv);
        attr(&mut h, "download", &self.download_name);
        let kb = if self.csv_bytes >= 1024 {
            self.csv_bytes / 1024 + 1
        } else {
            1
        };
        h.push_str(&format!(
            ">下载表{}数据（CSV 格式，UTF-8 编码，{kb} KB）</a></p>",
            self.number
        ));
        h
    }
}

/// ` name=value`, quoted only when the value needs it (as a minifier would write it).
fn attr(h: &mut String, name: &str, value: &str) {
    h.push(' ');
    h.push_str(name);
    h.push('=');
    let bare = !value.is_empty()
        && !value.contains([' ', '"', '\'', '=', '<', '>', '`', '\t', '\n', '\r', '&']);
    if bare {
        h.push_str(value);
    } else {
        h.push('"');
        escape_into(h, value);
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
}

impl CellView {
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
        }
    }
}

/// Build the view of table `ti` of `report`. `csv` is the path of the table's CSV download.
pub fn table_view(report: &Report, ti: usize, csv: String, csv_bytes: usize) -> TableView {
    let edition: &Edition = report.edition;
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
    let mut counter = 0;
    #[allow(clippy::too_many_arguments)]
    fn walk_cols(
        nodes: &[ColumnNode],
        depth: usize,
        total_depth: usize,
        ancestors: &[String],
        tid: &str,
        counter: &mut usize,
        head: &mut [Vec<CellView>],
        col_ids: &mut [Vec<String>],
    ) {
        for n in nodes {
            *counter += 1;
            let id = format!("{tid}-c{counter}");
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
                None => walk_cols(
                    &n.children,
                    depth + 1,
                    total_depth,
                    &path,
                    tid,
                    counter,
                    head,
                    col_ids,
                ),
            }
        }
    }
    walk_cols(
        &table.columns,
        0,
        depth,
        &[],
        &tid,
        &mut counter,
        &mut head,
        &mut col_ids,
    );
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
            },
        };
        head[0].insert(0, corner);
    }

    // Body: one tbody per top-level group row, consecutive top-level data rows together.
    let mut bodies: Vec<Vec<Vec<CellView>>> = Vec::new();
    let mut computed = false;
    if table.single_row() {
        let mut row = Vec::new();
        for (c, ids) in col_ids.iter().enumerate() {
            row.push(data_cell(report, ti, 0, c, ids.join(" "), &mut computed));
        }
        bodies.push(vec![row]);
    } else {
        let mut current: Vec<Vec<CellView>> = Vec::new();
        let mut counter = 0;
        for n in &table.rows {
            if n.children.is_empty() {
                let mut rows = Vec::new();
                emit_rows(
                    n,
                    0,
                    label_cols,
                    &[],
                    &tid,
                    &mut counter,
                    report,
                    ti,
                    &col_ids,
                    &mut rows,
                    &mut computed,
                );
                current.extend(rows);
            } else {
                if !current.is_empty() {
                    bodies.push(std::mem::take(&mut current));
                }
                let mut rows = Vec::new();
                emit_rows(
                    n,
                    0,
                    label_cols,
                    &[],
                    &tid,
                    &mut counter,
                    report,
                    ti,
                    &col_ids,
                    &mut rows,
                    &mut computed,
                );
                bodies.push(rows);
            }
        }
        if !current.is_empty() {
            bodies.push(current);
        }
    }

    let units = table.units();
    let part_title = edition.part(&table.part).map_or("", |p| p.title.as_str());
    let mut caption = format!("表{}　", table.number);
    match &table.caption {
        Some(c) => caption.push_str(&format!("{part_title}：{c}")),
        None => caption.push_str(&table.title),
    }
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

    let width = label_cols + table.leaf_columns.len();
    let mut view = TableView {
        html: String::new(),
        placeholder: format!("\u{e000}{tid}\u{e001}"),
        id: tid,
        number: table.number.clone(),
        caption,
        head,
        bodies,
        notes,
        width,
        csv,
        download_name: format!("{}年度表{}.csv", report.year, table.number),
        csv_bytes,
    };
    view.html = view.to_html();
    view
}

#[allow(clippy::too_many_arguments)]
fn emit_rows(
    node: &RowNode,
    depth: usize,
    label_cols: usize,
    ancestors: &[String],
    tid: &str,
    counter: &mut usize,
    report: &Report,
    ti: usize,
    col_ids: &[Vec<String>],
    rows: &mut Vec<Vec<CellView>>,
    computed: &mut bool,
) {
    *counter += 1;
    let id = format!("{tid}-r{counter}");
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
                label_cols - depth,
                1,
                "row-leaf",
            ));
            for (c, ids) in col_ids.iter().enumerate() {
                let headers = path
                    .iter()
                    .chain(ids.iter())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                row.push(data_cell(report, ti, r, c, headers, computed));
            }
            rows.push(row);
        }
        None => {
            let first = rows.len();
            for child in &node.children {
                emit_rows(
                    child,
                    depth + 1,
                    label_cols,
                    &path,
                    tid,
                    counter,
                    report,
                    ti,
                    col_ids,
                    rows,
                    computed,
                );
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

fn data_cell(
    report: &Report,
    ti: usize,
    r: usize,
    c: usize,
    headers: String,
    computed: &mut bool,
) -> CellView {
    let col = &report.edition.tables[ti].leaf_columns[c];
    let (text, class) = match report.cell(ti, r, c) {
        Some(cell) => {
            let mut text = match col.kind {
                ColumnKind::Signed if cell.value.is_negative() => format!("−{}", cell.value.abs()),
                ColumnKind::Signed if cell.plus => cell.value.signed_text(),
                _ => cell.value.to_string(),
            };
            if cell.is_computed() {
                *computed = true;
                text.push('*');
            }
            (
                text,
                if col.total.is_some() {
                    "num total"
                } else {
                    "num"
                },
            )
        }
        None => ("—".to_string(), "num missing"),
    };
    CellView {
        tag: "td",
        text,
        id: String::new(),
        headers,
        scope: "",
        colspan: 1,
        rowspan: 1,
        class,
    }
}

/// CSV of one table for download: the printed grid flattened to one line per data row, with the
/// full row and column labels (UTF-8 with BOM, CRLF).
pub fn table_csv(report: &Report, ti: usize) -> String {
    let table = &report.edition.tables[ti];
    let mut out = String::from("\u{feff}");
    let mut header = vec!["行".to_string()];
    header.extend(table.leaf_columns.iter().map(|c| c.path.join(" › ")));
    out.push_str(&csv_line(&header));
    for (r, row) in table.leaf_rows.iter().enumerate() {
        let mut line = vec![if row.path.is_empty() {
            "数量".to_string()
        } else {
            row.path.join(" › ")
        }];
        for c in 0..table.leaf_columns.len() {
            line.push(
                report
                    .cell(ti, r, c)
                    .map(|x| x.value.to_string())
                    .unwrap_or_default(),
            );
        }
        out.push_str(&csv_line(&line));
    }
    out
}

/// CSV of a whole year: every table as printed (a caption line, a header line, one line per
/// data row), separated by blank lines — what a reader opens in Excel (UTF-8 with BOM, CRLF).
pub fn year_csv(report: &Report) -> String {
    let mut out = String::from("\u{feff}");
    for (ti, table) in report.edition.tables.iter().enumerate() {
        if ti > 0 {
            out.push_str("\r\n");
        }
        let caption = match &table.caption {
            Some(c) => format!(
                "表{}　{}：{c}",
                table.number,
                report
                    .edition
                    .part(&table.part)
                    .map_or("", |p| p.title.as_str())
            ),
            None => format!("表{}　{}", table.number, table.title),
        };
        out.push_str(&csv_line(&[caption]));
        let body = table_csv(report, ti);
        out.push_str(body.trim_start_matches('\u{feff}'));
    }
    out
}

fn csv_line(fields: &[String]) -> String {
    let mut s = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    s.push_str("\r\n");
    s
}
