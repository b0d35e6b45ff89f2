//! The numbers of one year's report: reading `report.yaml` against its edition.
//!
//! The YAML mirrors the paper table: part → (caption) → row path → column keys, every key an
//! official label. This module walks the spanned YAML tree along the edition's definition, keeps
//! the span of every value, computes omitted totals and checks given ones, and reports every
//! problem it meets (unknown keys, missing values, malformed numbers, a table shape from another
//! edition) without stopping at the first.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::format::{
    self, ColumnKind, ColumnNode, Edition, Formats, PartKind, RowNode, Table, normalize_label,
    normalize_label_cow,
};
use crate::load::yaml::{self, Entry, Node, Quoting, Value};
use crate::number::Decimal;
use crate::source::SourceFile;

pub mod splice;
pub mod writer;

/// Largest count accepted (a street office handles thousands, a province millions).
pub const MAX_COUNT: i64 = 1_000_000_000;

use crate::format::{KEY_EDITION, KEY_PUBLISHED, KEY_TITLE, KEY_YEAR};

/// One value of a table cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The number.
    pub value: Decimal,
    /// Where it was written; `None` when computed (an omitted 总计).
    pub span: Option<Range<usize>>,
    /// Unit of a money value, when stated or fixed by the format.
    pub unit: Option<String>,
    /// Whether a positive value was written with `+` (本年增/减 is shown as written).
    pub plus: bool,
}

impl Cell {
    /// Whether the value was computed rather than written.
    pub fn is_computed(&self) -> bool {
        self.span.is_none()
    }
}

/// The values of one table, row-major over the leaf rows and columns.
#[derive(Debug, Clone)]
pub struct TableValues {
    /// `cells[row * columns + col]`; `None` when missing from the YAML.
    pub cells: Vec<Option<Cell>>,
}

/// One year's report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The year reported on.
    pub year: u16,
    /// The edition it declares (or, failing that, the one for its year).
    pub edition: &'static Edition,
    /// `标题`, if given.
    pub title: Option<String>,
    /// `发布日期` (`YYYY-MM-DD`, optionally with ` HH:MM`).
    pub published: Option<String>,
    /// Values per table, in the edition's table order.
    pub tables: Vec<TableValues>,
    /// The YAML file.
    pub source: SourceFile,
}

impl Report {
    /// The cell at (table, row, column).
    pub fn cell(&self, table: usize, row: usize, col: usize) -> Option<&Cell> {
        let t = &self.edition.tables[table];
        self.tables[table].cells[t.cell_index(row, col)].as_ref()
    }

    /// The cell with the same labels as (table, row, col) of `edition`, which may be another
    /// edition than this report's (cross-year rules across the edition change).
    pub fn cell_like(
        &self,
        edition: &Edition,
        table: usize,
        row: usize,
        col: usize,
    ) -> Option<&Cell> {
        if std::ptr::eq(edition, self.edition) {
            return self.cell(table, row, col);
        }
        let here = &edition.tables[table];
        let ti = self.edition.table_index(&here.id)?;
        let there = &self.edition.tables[ti];
        let r = if here.single_row() {
            0
        } else {
            let rows = format::resolve_row_path(there, &here.leaf_rows[row].path).ok()?;
            match rows.as_slice() {
                [r] if there.leaf_rows[*r].path.len() == here.leaf_rows[row].path.len() => *r,
                _ => return None,
            }
        };
        let cols = format::resolve_col_path(there, &here.leaf_columns[col].key_path).ok()?;
        match cols.as_slice() {
            [c] => self.cell(ti, r, *c),
            _ => None,
        }
    }

    /// Sum of a metric, if all its cells are present.
    pub fn metric(&self, id: &str) -> Option<Decimal> {
        let m = self.edition.metric(id)?;
        let mut sum = Decimal::ZERO;
        for r in &m.cells {
            for &(row, col) in &r.cells {
                sum = sum.plus(self.cell(r.table, row, col)?.value.times(r.sign));
            }
        }
        Some(sum)
    }
}

/// Read a report.yaml. Returns the report (possibly with missing cells) and its diagnostics;
/// `None` when the file is not a mapping at all.
pub fn load(
    formats: &'static Formats,
    file: &SourceFile,
    folder_year: u16,
) -> (Option<Report>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (root, issues) = yaml::parse(file);
    for issue in issues {
        let rule = if issue.message.contains("重复") {
            "S2"
        } else {
            "Y1"
        };
        let mut d = Diagnostic::error(rule, issue.message)
            .at(file, issue.span)
            .label(issue.label)
            .hint(issue.hint);
        if let Some((span, label)) = issue.related {
            d = d.related(span, label);
        }
        diags.push(d);
    }
    let Some(root) = root else {
        if diags.is_empty() {
            diags.push(
                Diagnostic::error("S3", "report.yaml 是空的")
                    .at(file, 0..0)
                    .hint("请用 `gongkai new <年度>` 生成模板，再填写数字。"),
            );
        }
        return (None, diags);
    };
    let Some(entries) = root.as_map() else {
        diags.push(
            Diagnostic::error("S4", "report.yaml 的最外层应是「栏目: 内容」的形式")
                .at(file, root.span.clone())
                .hint("请用 `gongkai new <年度>` 生成模板，再填写数字。"),
        );
        return (None, diags);
    };

    let mut loader = Loader {
        formats,
        file,
        diags,
        foreign: Vec::new(),
    };

    // 格式 first: every other key depends on the edition.
    let declared = entries.iter().find(|e| e.key == KEY_EDITION);
    let fallback = formats
        .for_year(folder_year)
        .unwrap_or_else(|| &formats.editions()[formats.editions().len() - 1]);
    let edition: &'static Edition = match declared {
        None => {
            loader.diags.push(
                Diagnostic::error("S5", "没有声明报告格式（缺少「格式」）")
                    .at(file, 0..0)
                    .hint(format!(
                        "在文件开头加一行「格式: {}」（{}年度报告适用{}，{}）。",
                        fallback.name, folder_year, fallback.name, fallback.notice
                    )),
            );
            fallback
        }
        Some(e) => match e.value.as_scalar().and_then(|v| formats.by_declaration(v)) {
            Some(ed) => {
                if !ed.applies_to(folder_year) {
                    loader.diags.push(
                        Diagnostic::warning(
                            "S5",
                            format!(
                                "{}格式适用于{}，本报告是{}年度",
                                ed.name,
                                ed.years_text(),
                                folder_year
                            ),
                        )
                        .at(file, e.value.span.clone())
                        .label("声明的格式")
                        .hint(format!(
                            "{}年度报告应使用{}（{}）。如确需沿用旧格式，可忽略本提示。",
                            folder_year, fallback.name, fallback.notice
                        )),
                    );
                }
                ed
            }
            None => {
                let names: Vec<String> = formats
                    .editions()
                    .iter()
                    .map(|e| format!("{}（{}）", e.name, e.notice))
                    .collect();
                loader.diags.push(
                    Diagnostic::error(
                        "S5",
                        format!(
                            "无法识别的报告格式「{}」",
                            e.value.as_scalar().unwrap_or("")
                        ),
                    )
                    .at(file, e.value.span.clone())
                    .label("格式")
                    .hint(format!("可填：{}", names.join("、"))),
                );
                fallback
            }
        },
    };

    let mut report = Report {
        year: folder_year,
        edition,
        title: None,
        published: None,
        tables: edition
            .tables
            .iter()
            .map(|t| TableValues {
                cells: vec![None; t.cell_count()],
            })
            .collect(),
        source: file.clone(),
    };

    let table_parts: Vec<&format::Part> = edition
        .parts
        .iter()
        .filter(|p| p.kind == PartKind::Tables)
        .collect();
    let mut seen_parts: Vec<&str> = Vec::new();
    for entry in entries {
        match entry.key.as_str() {
            KEY_EDITION => {}
            KEY_YEAR => loader.year(entry, folder_year),
            KEY_TITLE => match entry.value.as_scalar() {
                Some(t) if !t.trim().is_empty() => report.title = Some(t.trim().to_string()),
                _ => loader.diags.push(
                    Diagnostic::error("S8", "「标题」应为一行文字")
                        .at(file, entry.value.span.clone())
                        .hint("如：标题: 东柳街道政府信息公开工作2020年度报告；不写则按机关简称和年度自动生成。"),
                ),
            },
            KEY_PUBLISHED => report.published = loader.date(entry),
            key => {
                let part = table_parts.iter().find(|p| part_key_matches(p, key));
                match part {
                    Some(part) => {
                        seen_parts.push(&part.number);
                        loader.part(&mut report, part, entry);
                    }
                    None => loader.unknown_top_key(edition, entry, &table_parts),
                }
            }
        }
    }
    for part in &table_parts {
        if !seen_parts.contains(&part.number.as_str()) {
            loader.diags.push(
                Diagnostic::error("S3", format!("缺少「{}」的表格数据", part.heading))
                    .at(file, root.span.end..root.span.end)
                    .path(part.heading.clone())
                    .hint(format!(
                        "请加上「{}:」及其下的各项数字（可参照 `gongkai new` 生成的模板）。",
                        part.heading
                    )),
            );
        }
    }
    loader.report_foreign(edition);
    for (ti, table) in edition.tables.iter().enumerate() {
        complete_totals(
            table,
            &mut report.tables[ti],
            edition,
            file,
            &mut loader.diags,
        );
    }
    (Some(report), loader.diags)
}

/// Whether a top-level key names this part (numbered heading, bare title or a variant).
fn part_key_matches(part: &format::Part, key: &str) -> bool {
    let k = normalize_label(key);
    let number_prefix = format!("{}、", part.number);
    let bare = k.strip_prefix(&number_prefix).unwrap_or(&k);
    part.matches_title(bare)
}

/// The table being read: the report it fills, and its index and definition in the edition.
struct At<'r> {
    report: &'r mut Report,
    ti: usize,
    table: &'r Table,
}

struct Loader<'a> {
    formats: &'static Formats,
    file: &'a SourceFile,
    diags: Vec<Diagnostic>,
    /// Keys that belong to another edition: (span, label, edition name), one report per table.
    foreign: Vec<(Range<usize>, String, String, usize)>,
}

impl Loader<'_> {
    fn year(&mut self, entry: &Entry, folder_year: u16) {
        match entry.value.as_scalar().map(str::trim) {
            Some(y) if y == folder_year.to_string() => {}
            Some(y) => self.diags.push(
                Diagnostic::error(
                    "S7",
                    format!("「年度」写的是 {y}，但文件在 {folder_year} 文件夹中"),
                )
                .at(self.file, entry.value.span.clone())
                .label("年度")
                .expected_found(folder_year.to_string(), y.to_string())
                .hint("每个年度的报告放在 content/<年度>/ 文件夹中，两处年度应一致。"),
            ),
            None => self.diags.push(
                Diagnostic::error("S7", "「年度」应为四位数字")
                    .at(self.file, entry.value.span.clone())
                    .hint(format!("如：年度: {folder_year}")),
            ),
        }
    }

    fn date(&mut self, entry: &Entry) -> Option<String> {
        let text = entry.value.as_scalar().map(str::trim).unwrap_or("");
        if valid_date(text) {
            return Some(text.to_string());
        }
        self.diags.push(
            Diagnostic::error("S8", format!("发布日期「{text}」格式不正确"))
                .at(self.file, entry.value.span.clone())
                .label("发布日期")
                .hint("写成 2021-01-29 或 2021-01-29 09:00；尚未发布可删去这一行。"),
        );
        None
    }

    fn unknown_top_key(&mut self, edition: &Edition, entry: &Entry, parts: &[&format::Part]) {
        let mut candidates: Vec<String> = vec![
            KEY_YEAR.into(),
            KEY_EDITION.into(),
            KEY_TITLE.into(),
            KEY_PUBLISHED.into(),
        ];
        candidates.extend(parts.iter().map(|p| p.heading.clone()));
        let narrative = edition
            .parts
            .iter()
            .find(|p| p.kind == PartKind::Narrative && part_key_matches(p, &entry.key));
        let hint = if let Some(p) = narrative {
            format!(
                "「{}」是正文部分，请写在同一文件夹的 report.md 中（## {}）。",
                p.heading, p.heading
            )
        } else {
            suggestion_hint(&entry.key, &candidates)
        };
        self.diags.push(
            Diagnostic::error("S1", format!("未知栏目「{}」", entry.key))
                .at(self.file, entry.key_span.clone())
                .label("不认识的栏目")
                .hint(hint),
        );
    }

    fn part(&mut self, report: &mut Report, part: &format::Part, entry: &Entry) {
        let edition = report.edition;
        let Some(map) = self.expect_map(entry, &part.heading) else {
            return;
        };
        let tables: Vec<(usize, &Table)> = edition.tables_of(&part.number).collect();
        let shared = tables.len() > 1;
        if !shared {
            let (ti, table) = tables[0];
            self.table(report, ti, table, map, &entry.key_span);
            return;
        }
        let mut seen = vec![false; tables.len()];
        for e in map {
            let found = tables.iter().position(|(_, t)| {
                t.key
                    .as_deref()
                    .is_some_and(|k| normalize_label(k) == normalize_label(&e.key))
            });
            match found {
                Some(i) => {
                    if seen[i] {
                        continue;
                    }
                    seen[i] = true;
                    let (ti, table) = tables[i];
                    if let Some(inner) = self.expect_map(e, &table.caption_text()) {
                        self.table(report, ti, table, inner, &e.key_span);
                    }
                }
                None => {
                    let candidates: Vec<String> =
                        tables.iter().filter_map(|(_, t)| t.key.clone()).collect();
                    if self.is_foreign(edition, &e.key, &e.key_span, tables[0].0) {
                        continue;
                    }
                    self.diags.push(
                        Diagnostic::error("S1", format!("未知栏目「{}」", e.key))
                            .at(self.file, e.key_span.clone())
                            .label("不认识的栏目")
                            .path(part.heading.clone())
                            .hint(suggestion_hint(&e.key, &candidates)),
                    );
                }
            }
        }
        for (i, (ti, table)) in tables.iter().enumerate() {
            if !seen[i]
                && !self
                    .foreign
                    .iter()
                    .any(|f| f.3 == *ti || f.3 == tables[0].0)
            {
                self.diags.push(
                    Diagnostic::error("S3", format!("缺少「{}」表格", table.caption_text()))
                        .at(self.file, entry.key_span.clone())
                        .path(format!("{} › {}", part.heading, table.caption_text()))
                        .hint(format!(
                            "请在「{}」下加上「{}:」及其各行数字。",
                            part.heading,
                            table.caption_text()
                        )),
                );
            }
        }
    }

    fn expect_map<'n>(&mut self, entry: &'n Entry, what: &str) -> Option<&'n [Entry]> {
        match &entry.value.value {
            Value::Map(m) => Some(m),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        "S4",
                        format!(
                            "「{what}」下应逐项填写，而不是一个{}",
                            entry.value.kind_name()
                        ),
                    )
                    .at(self.file, entry.value.span.clone())
                    .label("这里")
                    .hint("下级栏目另起一行，比上级多缩进两个空格。".to_string()),
                );
                None
            }
        }
    }

    /// Whether a key belongs to another edition's tables; if so, remember it for one report.
    fn is_foreign(
        &mut self,
        edition: &Edition,
        key: &str,
        span: &Range<usize>,
        table: usize,
    ) -> bool {
        let others = self.formats.editions_with_label(key, &edition.id);
        if let Some(other) = others.first() {
            self.foreign
                .push((span.clone(), key.to_string(), other.name.clone(), table));
            true
        } else {
            false
        }
    }

    fn report_foreign(&mut self, edition: &Edition) {
        if self.foreign.is_empty() {
            return;
        }
        let (span, key, other, _) = self.foreign[0].clone();
        let others: Vec<String> = self.foreign.iter().skip(1).map(|f| f.1.clone()).collect();
        let mut hint = format!(
            "本报告声明的格式是{}（{}，适用于{}），表格栏目要按该格式填写；「{key}」属于{}。请核对「格式」一行，或改用{}的栏目（可用 `gongkai new` 生成模板对照）。",
            edition.name,
            edition.notice,
            edition.years_text(),
            other,
            edition.name
        );
        if !others.is_empty() {
            hint.push_str(&format!(
                "其他不属于{}的栏目：{}。",
                edition.name,
                others.join("、")
            ));
        }
        self.diags.push(
            Diagnostic::error("S5", format!("表格形状与声明的{}格式不符", edition.name))
                .at(self.file, span)
                .label(format!("{other}的栏目"))
                .hint(hint),
        );
    }

    fn table(
        &mut self,
        report: &mut Report,
        ti: usize,
        table: &Table,
        map: &[Entry],
        parent_span: &Range<usize>,
    ) {
        let foreign_before = self.foreign.len();
        let mut missing: Vec<(Range<usize>, String, Vec<String>)> = Vec::new();
        if table.single_row() {
            let mut found = Vec::new();
            let mut at = At { report, ti, table };
            self.columns(&mut at, 0, &table.columns, map, &mut found, &[]);
            let miss = missing_columns(table, &found);
            if !miss.is_empty() {
                missing.push((parent_span.clone(), String::new(), miss));
            }
        } else {
            let mut at = At { report, ti, table };
            self.rows(&mut at, &table.rows, map, parent_span, &[], &mut missing);
        }
        // A table written in another edition's shape gets one S5 error, not dozens of S3.
        if self.foreign.len() > foreign_before {
            for f in &mut self.foreign[foreign_before..] {
                f.3 = ti;
            }
            return;
        }
        for (span, row_label, cols) in missing {
            let edition = report.edition;
            let part = edition.part(&table.part).map_or("", |p| p.heading.as_str());
            let mut path = vec![part.to_string()];
            if let Some(c) = &table.caption {
                path.push(c.clone());
            }
            if !row_label.is_empty() {
                path.push(row_label.clone());
            }
            let what = if row_label.is_empty() {
                table.caption_text()
            } else {
                row_label
                    .rsplit(" › ")
                    .next()
                    .unwrap_or(&row_label)
                    .to_string()
            };
            self.diags.push(
                Diagnostic::error("S3", format!("「{what}」缺少：{}", cols.join("、")))
                    .at(self.file, span)
                    .label("这一项下缺少数值")
                    .path(path.join(" › "))
                    .hint("每个栏目都要填写数值，没有的填 0（总计可以不写，由系统计算）。"),
            );
        }
    }

    /// S1 for a key that is not a label here (or S5 later, if it is another edition's label).
    fn unknown_key(
        &mut self,
        report: &Report,
        ti: usize,
        table: &Table,
        e: &Entry,
        candidates: &[String],
        path: &[String],
    ) {
        if self.is_foreign(report.edition, &e.key, &e.key_span, ti) {
            return;
        }
        let hint =
            misplaced_hint(table, &e.key).unwrap_or_else(|| suggestion_hint(&e.key, candidates));
        let mut d = Diagnostic::error("S1", format!("未知栏目「{}」", e.key))
            .at(self.file, e.key_span.clone())
            .label("不认识的栏目")
            .hint(hint);
        if !path.is_empty() {
            d = d.path(path.join(" › "));
        }
        self.diags.push(d);
    }

    fn rows(
        &mut self,
        at: &mut At<'_>,
        nodes: &[RowNode],
        map: &[Entry],
        parent_span: &Range<usize>,
        prefix: &[String],
        missing: &mut Vec<(Range<usize>, String, Vec<String>)>,
    ) {
        let mut seen = vec![false; nodes.len()];
        let column_keys = addressable_columns(&at.table.columns);
        let mut subtotal_entries: Vec<&Entry> = Vec::new();
        for e in map {
            let key = normalize_label_cow(&e.key);
            let Some(i) = nodes.iter().position(|n| n.has_key(&key)) else {
                if !prefix.is_empty() && column_keys.iter().any(|c| c.has_key(&key)) {
                    // A subtotal written on a group row (R3.4): checked below.
                    subtotal_entries.push(e);
                    continue;
                }
                let candidates: Vec<String> = nodes.iter().map(|n| n.label.clone()).collect();
                self.unknown_key(at.report, at.ti, at.table, e, &candidates, prefix);
                continue;
            };
            if seen[i] {
                continue;
            }
            seen[i] = true;
            let node = &nodes[i];
            let mut path = prefix.to_vec();
            path.push(node.label.clone());
            let Some(inner) = self.expect_map(e, &node.label) else {
                continue;
            };
            match node.leaf {
                Some(row) => {
                    let mut found = Vec::new();
                    self.columns(at, row, &at.table.columns, inner, &mut found, &path);
                    let miss = missing_columns(at.table, &found);
                    if !miss.is_empty() {
                        missing.push((e.key_span.clone(), path.join(" › "), miss));
                    }
                }
                None => {
                    self.rows(at, &node.children, inner, &e.key_span, &path, missing);
                }
            }
        }
        for (i, node) in nodes.iter().enumerate() {
            if seen[i] {
                continue;
            }
            let is_total = node
                .leaf
                .is_some_and(|r| at.table.leaf_rows[r].total.is_some());
            if is_total {
                continue;
            }
            let mut path = prefix.to_vec();
            path.push(node.label.clone());
            missing.push((
                parent_span.clone(),
                prefix.join(" › "),
                vec![path.last().cloned().unwrap_or_default()],
            ));
        }
        if !subtotal_entries.is_empty() {
            self.subtotals(at.report, at.ti, at.table, nodes, prefix, &subtotal_entries);
        }
    }

    /// R3.4: a group row holds no numbers of its own; a subtotal written on one must equal the
    /// sum of its sub-rows.
    fn subtotals(
        &mut self,
        report: &mut Report,
        ti: usize,
        table: &Table,
        nodes: &[RowNode],
        prefix: &[String],
        entries: &[&Entry],
    ) {
        let Ok(rows) = format::resolve_row_path(table, prefix) else {
            return;
        };
        let _ = nodes;
        let columns = addressable_columns(&table.columns);
        for e in entries {
            let Some(col_node) = columns.iter().find(|c| c.is_key(&e.key)) else {
                continue;
            };
            let Some(col) = col_node.leaf else {
                continue;
            };
            let Some(value) = self.value(table, col, &e.value, &|| {
                format!("{} › {}", prefix.join(" › "), e.key)
            }) else {
                continue;
            };
            // Sum what the sub-rows hold; totals are not computed yet, so compute this column
            // only from written cells.
            let mut sum = Decimal::ZERO;
            let mut complete = true;
            for &r in &rows {
                match &report.tables[ti].cells[table.cell_index(r, col)] {
                    Some(c) => sum = sum.plus(c.value),
                    None => complete = false,
                }
            }
            if complete && sum != value.value {
                self.diags.push(
                    Diagnostic::error("R3.4", format!("「{}」的小计不等于其各分项之和", prefix.last().cloned().unwrap_or_default()))
                        .at(self.file, e.value.span.clone())
                        .label(format!("此处为 {}，各分项之和为 {sum}", value.value))
                        .path(format!("{} › {}", prefix.join(" › "), e.key))
                        .expected_found(sum.to_string(), value.value.to_string())
                        .hint("格式中的分组行（如「（三）不予公开」）本身不填数；如要写小计，必须等于其下各项之和。建议删去小计。"),
                );
            }
        }
    }

    fn columns(
        &mut self,
        at: &mut At<'_>,
        row: usize,
        nodes: &[ColumnNode],
        map: &[Entry],
        found: &mut Vec<usize>,
        row_path: &[String],
    ) {
        let keys = addressable_columns(nodes);
        let mut seen: Vec<usize> = Vec::new();
        for e in map {
            let key = normalize_label_cow(&e.key);
            let Some(i) = keys.iter().position(|n| n.has_key(&key)) else {
                let candidates: Vec<String> = keys.iter().map(|n| n.label.clone()).collect();
                self.unknown_key(at.report, at.ti, at.table, e, &candidates, row_path);
                continue;
            };
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            let node = keys[i];
            match node.leaf {
                Some(col) => {
                    if let Some(cell) = self.value(at.table, col, &e.value, &|| {
                        at.table.label_path(at.report.edition, row, col)
                    }) {
                        let idx = at.table.cell_index(row, col);
                        at.report.tables[at.ti].cells[idx] = Some(cell);
                    }
                    // Even an invalid value counts as present: its own error says what is wrong.
                    found.push(col);
                }
                None => {
                    let mut path = row_path.to_vec();
                    path.push(node.label.clone());
                    if let Some(inner) = self.expect_map(e, &node.label) {
                        self.columns(at, row, &node.children, inner, found, &path);
                    } else {
                        // Count the group's columns as present; the shape error was reported.
                        collect_leaves(node, found);
                    }
                }
            }
        }
    }

    /// Parse one value for column `col`.
    fn value(
        &mut self,
        table: &Table,
        col: usize,
        node: &Node,
        label: &dyn Fn() -> String,
    ) -> Option<Cell> {
        let column = &table.leaf_columns[col];
        let name = column.path.last().map_or("", String::as_str);
        let span = node.span.clone();
        let fail = |loader: &mut Self, rule: &str, message: String, hint: String| {
            loader.diags.push(
                Diagnostic::error(rule, message)
                    .at(loader.file, span.clone())
                    .label("这里")
                    .path(label())
                    .hint(hint),
            );
            None
        };
        let text = match &node.value {
            Value::Null => {
                return fail(
                    self,
                    "S3",
                    format!("「{name}」没有填写数值"),
                    "没有的请填 0，不要留空。".into(),
                );
            }
            Value::Scalar(t, Quoting::Quoted) => {
                if Decimal::parse(t.trim()).is_some() {
                    return fail(
                        self,
                        "S4",
                        format!("「{name}」的数值加了引号"),
                        format!("数字不要加引号，直接写 {}。", t.trim()),
                    );
                }
                t.trim().to_string()
            }
            Value::Scalar(t, _) => t.trim().to_string(),
            Value::Map(_) | Value::Seq(_) => {
                return fail(
                    self,
                    "S4",
                    format!("「{name}」应为一个数值，而不是一个{}", node.kind_name()),
                    "这一栏已经是最末一级，冒号后直接写数字。".into(),
                );
            }
        };
        match column.kind {
            ColumnKind::Count | ColumnKind::Signed => {
                let signed = column.kind == ColumnKind::Signed;
                match parse_integer(&text, signed) {
                    Ok(v) if v.abs() > MAX_COUNT => fail(
                        self,
                        "S4",
                        format!("「{name}」的数值 {text} 过大"),
                        format!("件数不应超过 {MAX_COUNT}；请核对是否多写了位数。"),
                    ),
                    Ok(v) if v < 0 && !signed => fail(
                        self,
                        &table.value_rule,
                        format!("「{name}」不能为负数"),
                        "件数都是非负整数；没有的填 0。".into(),
                    ),
                    Ok(v) => Some(Cell {
                        value: Decimal::from_int(v),
                        span: Some(span.clone()),
                        unit: None,
                        plus: signed && text.starts_with('+'),
                    }),
                    Err(problem) => fail(
                        self,
                        "S4",
                        format!("「{name}」的数值「{text}」{}", problem.0),
                        problem.1,
                    ),
                }
            }
            ColumnKind::Money => self.money(column, &text, name, &label(), span.clone()),
        }
    }

    fn money(
        &mut self,
        column: &format::LeafColumn,
        text: &str,
        name: &str,
        label: &str,
        span: Range<usize>,
    ) -> Option<Cell> {
        let (number, unit) = split_unit(text);
        let Some(value) = Decimal::parse(number) else {
            let (msg, hint) = number_problem(number, false);
            self.diags.push(
                Diagnostic::error("S4", format!("「{name}」的金额「{text}」{msg}"))
                    .at(self.file, span)
                    .label("这里")
                    .path(label.to_string())
                    .hint(format!(
                        "{hint} 金额写成数字加单位，如 169844元 或 16.98万元。"
                    )),
            );
            return None;
        };
        if value.is_negative() {
            self.diags.push(
                Diagnostic::error("R2.1", format!("「{name}」不能为负数"))
                    .at(self.file, span)
                    .label("这里")
                    .path(label.to_string())
                    .hint("金额是非负数；没有的填 0。"),
            );
            return None;
        }
        match (unit, column.unit.as_deref()) {
            (Some(u), fixed) if !column.units.iter().any(|x| x == u) => {
                let hint = match (u, fixed) {
                    ("元", Some("万元")) => format!(
                        "这一栏的单位固定为万元（见栏目名称），请换算后填写：{}",
                        value.yuan_to_wan()
                    ),
                    _ => format!("可用单位：{}。", column.units.join("、")),
                };
                self.diags.push(
                    Diagnostic::error("S6", format!("「{name}」的单位「{u}」与格式规定不符"))
                        .at(self.file, span)
                        .label("单位")
                        .path(label.to_string())
                        .hint(hint),
                );
                None
            }
            (Some(u), _) => Some(Cell {
                value,
                span: Some(span),
                unit: Some(u.to_string()),
                plus: false,
            }),
            (None, Some(fixed)) => Some(Cell {
                value,
                span: Some(span),
                unit: Some(fixed.to_string()),
                plus: false,
            }),
            (None, None) => {
                if !value.is_zero() {
                    self.diags.push(
                        Diagnostic::warning("S6", format!("「{name}」未注明金额单位"))
                            .at(self.file, span.clone())
                            .label(format!("{value} 元还是万元？"))
                            .path(label.to_string())
                            .hint(format!(
                                "格式没有规定这一栏的单位，请在数字后写明单位，如 {value}元 或 {value}万元；在此之前，页面按原样显示数字并注明「未注明单位」。"
                            )),
                    );
                }
                Some(Cell {
                    value,
                    span: Some(span),
                    unit: None,
                    plus: false,
                })
            }
        }
    }
}

/// Split `169844元` / `16.98 万元` into number and unit.
fn split_unit(text: &str) -> (&str, Option<&str>) {
    for unit in ["万元", "元"] {
        if let Some(n) = text.strip_suffix(unit) {
            return (n.trim(), Some(unit));
        }
    }
    (text, None)
}

/// Parse an integer cell; on failure, what is wrong and how to fix it.
fn parse_integer(text: &str, signed: bool) -> Result<i64, (String, String)> {
    if let Some(d) = Decimal::parse(text) {
        if text.starts_with('+') && !signed {
            return Err(("带了正号".into(), "件数直接写数字，不带 + 号。".into()));
        }
        return match d.to_i64() {
            Some(v) if !text.contains('.') => Ok(v),
            Some(v) => Err(("不是整数写法".into(), format!("件数应写成整数，如 {v}。"))),
            None if d.is_integer() => Err(("过大".into(), format!("件数不应超过 {MAX_COUNT}。"))),
            None => Err(("不是整数".into(), "件数应为整数，不能有小数。".into())),
        };
    }
    Err(number_problem(text, signed))
}

/// Explain why `text` is not a number.
fn number_problem(text: &str, signed: bool) -> (String, String) {
    let folded = normalize_label(text).replace(['－', '−'], "-");
    if text.is_empty() {
        return ("为空".into(), "没有的请填 0。".into());
    }
    if matches!(
        text,
        "无" | "—" | "-" | "－" | "——" | "/" | "／" | "空" | "不适用" | "暂无" | "零"
    ) {
        return (
            "不是数字".into(),
            "没有的请填 0（阿拉伯数字零），不要写「无」、横线或留空。".into(),
        );
    }
    if folded != text && Decimal::parse(&folded).is_some() {
        return (
            "用了全角数字或符号".into(),
            format!("请改为半角（英文输入法）数字：{folded}。"),
        );
    }
    if text.contains([',', '，']) && Decimal::parse(&text.replace([',', '，'], "")).is_some() {
        return (
            "含有千位分隔符".into(),
            format!("请去掉逗号，写成 {}。", text.replace([',', '，'], "")),
        );
    }
    let trimmed = text.trim_end_matches(['件', '条', '项', '个', '起']);
    if trimmed != text && Decimal::parse(trimmed).is_some() {
        return (
            "带了单位".into(),
            format!("单位已由表格规定，只写数字：{trimmed}。"),
        );
    }
    if signed {
        (
            "不是数字".into(),
            "本年增/减写整数，减少用负号，如 -8；增加可写 3 或 +3。".into(),
        )
    } else {
        ("不是数字".into(), "请填写阿拉伯数字，没有的填 0。".into())
    }
}

/// Valid `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
pub fn valid_date(text: &str) -> bool {
    let (date, time) = match text.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if !(1900..=2200).contains(&y) || d == 0 || d > days {
        return false;
    }
    match time {
        None => true,
        Some(t) => {
            let Some((h, min)) = t.split_once(':') else {
                return false;
            };
            h.len() == 2
                && min.len() == 2
                && h.parse::<u32>().is_ok_and(|h| h < 24)
                && min.parse::<u32>().is_ok_and(|m| m < 60)
        }
    }
}

/// The column nodes addressable at this level of the YAML: flattened groups are replaced by
/// their children.
pub fn addressable_columns(nodes: &[ColumnNode]) -> Vec<&ColumnNode> {
    let mut out = Vec::new();
    for n in nodes {
        if n.flatten {
            out.extend(addressable_columns(&n.children));
        } else {
            out.push(n);
        }
    }
    out
}

fn collect_leaves(node: &ColumnNode, out: &mut Vec<usize>) {
    if let Some(i) = node.leaf {
        out.push(i);
    }
    for c in &node.children {
        collect_leaves(c, out);
    }
}

/// Labels of the non-total columns not in `found`.
fn missing_columns(table: &Table, found: &[usize]) -> Vec<String> {
    table
        .leaf_columns
        .iter()
        .enumerate()
        .filter(|(i, c)| c.total.is_none() && !found.contains(i))
        .map(|(_, c)| c.key_path.join("›"))
        .collect()
}

/// Hint for a label that exists in this table, but at another level (wrong indentation).
fn misplaced_hint(table: &Table, key: &str) -> Option<String> {
    fn find_row<'a>(
        nodes: &'a [RowNode],
        key: &str,
        parent: Option<&'a str>,
    ) -> Option<Option<&'a str>> {
        for n in nodes {
            if n.is_key(key) {
                return Some(parent);
            }
            if let Some(p) = find_row(&n.children, key, Some(&n.label)) {
                return Some(p);
            }
        }
        None
    }
    match find_row(&table.rows, key, None) {
        Some(Some(parent)) => Some(format!(
            "「{key}」应写在「{parent}」之下（比它多缩进两个空格）。请检查缩进。"
        )),
        Some(None) => Some(format!(
            "「{key}」是表格的第一级栏目，不应缩进在其他栏目之下。请检查缩进。"
        )),
        None => {
            let is_col = table.leaf_columns.iter().any(|c| {
                c.path
                    .iter()
                    .any(|p| normalize_label(p) == normalize_label(key))
            });
            is_col.then(|| format!("「{key}」是列名，应写在某一行（如「一、本年新收政府信息公开申请数量」）之下。请检查缩进。"))
        }
    }
}

/// "Did you mean …?" from the closest candidate, else the list of candidates.
pub fn suggestion_hint(key: &str, candidates: &[String]) -> String {
    let k = normalize_label(key);
    // Levenshtein distance in characters (not bytes: the labels are Chinese).
    let best = candidates
        .iter()
        .map(|c| (strsim::levenshtein(&k, &normalize_label(c)), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= (k.chars().count() / 3).max(2) => {
            format!("是否应为「{c}」？栏目名称要与格式完全一致。")
        }
        _ if candidates.is_empty() => "这里不应有栏目；请检查缩进。".to_string(),
        _ => format!("这里可用的栏目：{}。", candidates.join("、")),
    }
}

/// Fill omitted totals and check given ones (R3.2, R3.3, R4.1).
fn complete_totals(
    table: &Table,
    values: &mut TableValues,
    edition: &Edition,
    file: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    let ncols = table.leaf_columns.len();
    let mut totals = Totals {
        table,
        values,
        edition,
        file,
        diags,
    };
    // Column totals of every non-total row first, then row totals for every column (including
    // total columns), then column totals of total rows that are still missing.
    let total_rows: Vec<usize> = (0..table.leaf_rows.len())
        .filter(|&r| table.leaf_rows[r].total.is_some())
        .collect();
    for pass in 0..2 {
        for row in 0..table.leaf_rows.len() {
            if (pass == 0) == total_rows.contains(&row) {
                continue;
            }
            for (col, c) in table.leaf_columns.iter().enumerate() {
                if let Some(total) = &c.total {
                    let parts: Vec<usize> = total.of.iter().map(|&k| row * ncols + k).collect();
                    totals.settle(&parts, &total.rule, (row, col), false);
                }
            }
        }
        if pass == 0 {
            for &row in &total_rows {
                let Some(total) = &table.leaf_rows[row].total else {
                    continue;
                };
                for col in 0..ncols {
                    let parts: Vec<usize> = total.of.iter().map(|&r| r * ncols + col).collect();
                    totals.settle(&parts, &total.rule, (row, col), true);
                }
            }
        }
    }
}

/// One table's totals being filled in and checked.
struct Totals<'a> {
    table: &'a Table,
    values: &'a mut TableValues,
    edition: &'a Edition,
    file: &'a SourceFile,
    diags: &'a mut Vec<Diagnostic>,
}

impl Totals<'_> {
    /// The total at (`row`, `col`) of `rule` over the cells `parts`: computed when omitted,
    /// checked when given. A total over an empty cell is left alone.
    fn settle(&mut self, parts: &[usize], rule: &str, (row, col): (usize, usize), row_total: bool) {
        let (table, edition, file) = (self.table, self.edition, self.file);
        let values = &mut *self.values;
        let diags = &mut *self.diags;
        let target = row * table.leaf_columns.len() + col;
        let mut sum = Decimal::ZERO;
        for &p in parts {
            match &values.cells[p] {
                Some(c) => sum = sum.plus(c.value),
                None => return,
            }
        }
        match &values.cells[target] {
            None => {
                values.cells[target] = Some(Cell {
                    value: sum,
                    span: None,
                    unit: None,
                    plus: false,
                });
            }
            Some(given) if given.span.is_some() && given.value != sum => {
                let span = given.span.clone().unwrap_or(0..0);
                let row_label = table.leaf_rows[row].path.last().cloned();
                let col_path = &table.leaf_columns[col].display_path;
                let what = if row_total {
                    format!(
                        "「{}」的「{}」不等于本列各项之和",
                        row_label.unwrap_or_default(),
                        col_path.join("›")
                    )
                } else {
                    // Name the row, or for a single-row table the column group (行政复议 …).
                    let owner = row_label
                        .unwrap_or_else(|| col_path[..col_path.len().saturating_sub(1)].join("›"));
                    format!("「{owner}」的总计不等于各项之和")
                };
                let mut d = Diagnostic::error(rule, what)
                    .at(file, span)
                    .label(format!("此处为 {}，各项之和为 {sum}", given.value))
                    .path(table.label_path(edition, row, col))
                    .expected_found(sum.to_string(), given.value.to_string())
                    .hint(if row_total {
                        "总计应等于（一）至（六）各项之和。请核对各项数字；总计也可以删去，由系统自动计算。"
                    } else {
                        "总计应等于同一行中各项之和。请核对各项数字；总计也可以删去，由系统自动计算。"
                    });
                let mut shown = 0;
                for &p in parts {
                    if let Some(c) = &values.cells[p]
                        && let Some(s) = &c.span
                        && shown < 3
                        && !c.value.is_zero()
                    {
                        d = d.related(s.clone(), format!("{}", c.value));
                        shown += 1;
                    }
                }
                diags.push(d);
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests;
