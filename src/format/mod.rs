//! The national report format as data.
//!
//! Each edition of 《中华人民共和国政府信息公开工作年度报告格式》 is one YAML file in
//! `src/format/editions/`, embedded in the binary and compiled here into an [`Edition`]: the six
//! parts, the tables (row and column trees, header spans, units), the consistency rules and the
//! key metrics. Everything else — the loader, the validator, the scaffold, the HTML tables, the
//! CSV/JSON export, the JSON Schema and the importer — reads the edition; none of them names a
//! label of its own. A new edition is a new YAML file plus tests.

mod def;
pub mod label;
pub(crate) mod schema;

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use def::{CellRefDef, ClaimKind, ColumnKind, Op, RuleKind, Severity};
use def::{ColumnDef, EditionDef, ForEachDef, RowDef, RuleDef, TableDef};
/// The top-level metadata keys of report.yaml, beside the parts: the year.
pub const KEY_YEAR: &str = "年度";
/// The edition declaration.
pub const KEY_EDITION: &str = "格式";
/// The report title.
pub const KEY_TITLE: &str = "标题";
/// The publication date.
pub const KEY_PUBLISHED: &str = "发布日期";

pub use label::normalize as normalize_label;
pub use label::normalize_cow as normalize_label_cow;

/// The embedded edition definitions, oldest first.
const EDITION_SOURCES: &[(&str, &str)] = &[
    ("2019.yaml", include_str!("editions/2019.yaml")),
    ("2021.yaml", include_str!("editions/2021.yaml")),
];

/// The narrative claims shared by all editions (FORMAT.md R3.7, R4.3).
const CLAIMS_SOURCE: &str = include_str!("editions/claims.yaml");

/// All known editions plus the narrative claims.
#[derive(Debug)]
pub struct Formats {
    editions: Vec<Edition>,
    claims: Vec<Claim>,
}

/// The built-in formats, compiled once from the embedded definitions.
///
/// The definitions are constant data, so this is immutable process-wide state; a definition that
/// does not compile is a bug caught by the unit tests, hence the panic.
pub fn builtin() -> &'static Formats {
    static FORMATS: OnceLock<Formats> = OnceLock::new();
    FORMATS.get_or_init(|| match Formats::compile_builtin() {
        Ok(formats) => formats,
        Err(e) => panic!("embedded format definition is invalid: {e}"),
    })
}

/// Data derived from a built-in edition (table layouts, tidy-JSON labels), computed for every
/// built-in edition on first use and kept, like the editions themselves. `None` for an edition
/// that is not built in (tests may compile their own); the caller then derives it itself.
pub fn derived<T: Send + Sync>(
    cache: &'static OnceLock<Vec<T>>,
    edition: &Edition,
    make: impl Fn(&Edition) -> T,
) -> Option<&'static T> {
    let editions = builtin().editions();
    let at = editions.iter().position(|e| std::ptr::eq(e, edition))?;
    cache
        .get_or_init(|| editions.iter().map(make).collect())
        .get(at)
}

impl Formats {
    fn compile_builtin() -> Result<Self, String> {
        let mut editions = Vec::new();
        for (name, text) in EDITION_SOURCES {
            let def: EditionDef =
                serde_saphyr::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            editions.push(Edition::compile(def).map_err(|e| format!("{name}: {e}"))?);
        }
        let claims_def: def::ClaimsDef =
            serde_saphyr::from_str(CLAIMS_SOURCE).map_err(|e| format!("claims.yaml: {e}"))?;
        let claims = claims_def
            .claims
            .into_iter()
            .map(Claim::compile)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("claims.yaml: {e}"))?;
        for claim in &claims {
            for metric in &claim.metrics {
                if !editions.iter().any(|e| e.metric(metric).is_some()) {
                    return Err(format!("claims.yaml: unknown metric `{metric}`"));
                }
            }
        }
        // The narrative keeps the one stated total it was read for (Narrative::stated_total).
        if claims
            .iter()
            .filter(|c| c.kind == ClaimKind::Channels)
            .count()
            > 1
        {
            return Err("claims.yaml: more than one claim of kind `channels`".into());
        }
        Ok(Formats { editions, claims })
    }

    /// Every edition, oldest first.
    pub fn editions(&self) -> &[Edition] {
        &self.editions
    }

    /// The edition with this id (`"2019"`, `"2021"`).
    pub fn by_id(&self, id: &str) -> Option<&Edition> {
        self.editions.iter().find(|e| e.id == id)
    }

    /// The edition a `格式:` value in report.yaml names (id, name, notice or alias).
    pub fn by_declaration(&self, value: &str) -> Option<&Edition> {
        let wanted = normalize_label(value);
        self.editions.iter().find(|e| {
            std::iter::once(&e.id)
                .chain([&e.name, &e.notice])
                .chain(e.aliases.iter())
                .any(|a| normalize_label(a) == wanted)
        })
    }

    /// The edition that applies to reports of `year`.
    pub fn for_year(&self, year: u16) -> Option<&Edition> {
        self.editions.iter().find(|e| e.applies_to(year))
    }

    /// Claims the narrative may make about the tables.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// Editions other than `except` that use `label` as a table label (to explain a shape
    /// mismatch: "this column belongs to the 2019 edition").
    pub fn editions_with_label(&self, label: &str, except: &str) -> Vec<&Edition> {
        let wanted = normalize_label(label);
        self.editions
            .iter()
            .filter(|e| e.id != except && e.has_label(&wanted))
            .collect()
    }
}

/// One edition of the format.
#[derive(Debug)]
pub struct Edition {
    /// Short id, `"2019"` or `"2021"`.
    pub id: String,
    /// Display name, e.g. `2019版`.
    pub name: String,
    /// Full title of the format document.
    pub title: String,
    /// The notice that issued it, e.g. `国办公开办函〔2019〕60号`.
    pub notice: String,
    /// First report year it applies to.
    pub first_year: u16,
    /// Last report year it applies to, if superseded.
    pub last_year: Option<u16>,
    /// Other spellings accepted in `格式:`.
    pub aliases: Vec<String>,
    /// Labels only this edition's tables carry (used by the importer to detect the edition).
    pub markers: Vec<String>,
    /// The six parts, in order.
    pub parts: Vec<Part>,
    /// The tables, in the order the format prints them.
    pub tables: Vec<Table>,
    /// Consistency rules beyond the per-table totals and value domains.
    pub rules: Vec<Rule>,
    /// Key figures (sums of cells) used by the index, comparison pages and narrative checks.
    pub metrics: Vec<Metric>,
    /// Metrics shown as key figures on the home page, in order.
    pub key_metrics: Vec<String>,
}

impl Edition {
    /// Whether this edition applies to reports of `year`.
    pub fn applies_to(&self, year: u16) -> bool {
        year >= self.first_year && self.last_year.is_none_or(|last| year <= last)
    }

    /// The years this edition applies to, in words.
    pub fn years_text(&self) -> String {
        match self.last_year {
            Some(last) => format!("{}—{}年度报告", self.first_year, last),
            None => format!("{}年度起的报告", self.first_year),
        }
    }

    /// The table with this id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// Index of the table with this id.
    pub fn table_index(&self, id: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.id == id)
    }

    /// The tables of one part, in order.
    pub fn tables_of<'a>(&'a self, part: &'a str) -> impl Iterator<Item = (usize, &'a Table)> + 'a {
        self.tables
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.part == part)
    }

    /// The part with this number (`一` … `六`).
    pub fn part(&self, number: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.number == number)
    }

    /// The metric with this id.
    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }

    fn has_label(&self, normalized: &str) -> bool {
        self.tables.iter().any(|t| {
            t.caption.as_deref().map(normalize_label).as_deref() == Some(normalized)
                || t.columns.iter().any(|c| c.matches(normalized))
                || t.rows.iter().any(|r| r.matches(normalized))
        })
    }

    fn compile(def: EditionDef) -> Result<Self, String> {
        let parts: Vec<Part> = def
            .parts
            .into_iter()
            .map(|p| Part {
                heading: format!("{}、{}", p.number, p.title),
                number: p.number,
                title: p.title,
                kind: p.kind,
                variants: p.variants,
            })
            .collect();
        if parts.len() != 6 {
            return Err(format!("expected six parts, found {}", parts.len()));
        }
        let mut tables = Vec::new();
        let mut numbering: BTreeMap<String, usize> = BTreeMap::new();
        let part_tables: BTreeMap<String, usize> =
            def.tables.iter().fold(BTreeMap::new(), |mut acc, t| {
                *acc.entry(t.part.clone()).or_default() += 1;
                acc
            });
        for t in def.tables {
            let part = parts
                .iter()
                .find(|p| p.number == t.part)
                .ok_or_else(|| format!("table {}: unknown part {}", t.id, t.part))?;
            let shared = part_tables.get(&t.part).copied().unwrap_or(0) > 1;
            let seq = numbering.entry(t.part.clone()).or_default();
            *seq += 1;
            let number = if shared {
                format!("{}-{}", part_digit(&part.number), seq)
            } else {
                part_digit(&part.number).to_string()
            };
            tables.push(Table::compile(t, part, shared, number)?);
        }
        let mut edition = Edition {
            id: def.id,
            name: def.name,
            title: def.title,
            notice: def.notice,
            first_year: def.first_year,
            last_year: def.last_year,
            aliases: def.aliases,
            markers: def.markers,
            parts,
            tables,
            rules: Vec::new(),
            metrics: Vec::new(),
            key_metrics: def.key_metrics,
        };
        let rules = def
            .rules
            .into_iter()
            .map(|r| Rule::compile(r, &edition))
            .collect::<Result<Vec<_>, _>>()?;
        let metrics = def
            .metrics
            .into_iter()
            .map(|m| {
                let cells = m
                    .cells
                    .iter()
                    .map(|c| resolve_ref(&edition, c, None, None))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Metric {
                    id: m.id,
                    label: m.label,
                    unit: m.unit,
                    cells,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        for k in &edition.key_metrics {
            if !metrics.iter().any(|m| &m.id == k) {
                return Err(format!("key metric `{k}` is not defined"));
            }
        }
        edition.rules = rules;
        edition.metrics = metrics;
        Ok(edition)
    }
}

/// The arabic digit of a part number, for table numbering (`表3`).
pub fn part_digit(number: &str) -> u8 {
    match number {
        "一" => 1,
        "二" => 2,
        "三" => 3,
        "四" => 4,
        "五" => 5,
        "六" => 6,
        _ => 0,
    }
}

/// One of the six parts.
#[derive(Debug)]
pub struct Part {
    /// `一` … `六`.
    pub number: String,
    /// The format's wording, e.g. `总体情况`.
    pub title: String,
    /// `一、总体情况`.
    pub heading: String,
    /// Narrative only, or tables (optionally preceded by text).
    pub kind: def::PartKind,
    /// Other wordings seen in real reports (条例第五十条).
    pub variants: Vec<String>,
}

pub use def::PartKind;

impl Part {
    /// Whether `title` (without its number) is this part's wording or an accepted variant.
    pub fn matches_title(&self, title: &str) -> bool {
        let t = normalize_label(title);
        normalize_label(&self.title) == t || self.variants.iter().any(|v| normalize_label(v) == t)
    }
}

/// A column leaf or group of a table header.
#[derive(Debug, Clone)]
pub struct ColumnNode {
    /// Label as printed.
    pub label: String,
    /// Other accepted spellings of the YAML key.
    pub aliases: Vec<String>,
    /// Children (empty for a leaf).
    pub children: Vec<ColumnNode>,
    /// In report.yaml, the children's keys sit directly in the parent mapping.
    pub flatten: bool,
    /// Whether the label appears in diagnostic label paths.
    pub in_path: bool,
    /// Index into [`Table::leaf_columns`] for a leaf.
    pub leaf: Option<usize>,
    /// The label and aliases, normalised (computed once).
    pub keys: Vec<String>,
}

impl ColumnNode {
    fn matches(&self, normalized: &str) -> bool {
        self.has_key(normalized) || self.children.iter().any(|c| c.matches(normalized))
    }

    /// Whether this node's own label or aliases match `key`.
    pub fn is_key(&self, key: &str) -> bool {
        self.has_key(&normalize_label(key))
    }

    /// Whether the node's label or an alias equals an already normalised key.
    pub fn has_key(&self, normalized: &str) -> bool {
        self.keys.iter().any(|k| k == normalized)
    }

    /// Number of leaf columns under this node.
    pub fn width(&self) -> usize {
        if self.children.is_empty() {
            1
        } else {
            self.children.iter().map(ColumnNode::width).sum()
        }
    }
}

/// A row leaf or group of a table.
#[derive(Debug, Clone)]
pub struct RowNode {
    /// Label as printed.
    pub label: String,
    /// Other accepted spellings of the YAML key.
    pub aliases: Vec<String>,
    /// Sub-rows (empty for a data row). A group row holds no numbers of its own (R3.4).
    pub children: Vec<RowNode>,
    /// Index into [`Table::leaf_rows`] for a data row.
    pub leaf: Option<usize>,
    /// Depth (0 = outermost).
    pub depth: usize,
    /// The label and aliases, normalised (computed once).
    pub keys: Vec<String>,
}

impl RowNode {
    fn matches(&self, normalized: &str) -> bool {
        self.has_key(normalized) || self.children.iter().any(|c| c.matches(normalized))
    }

    /// Whether the node's label or an alias equals an already normalised key.
    pub fn has_key(&self, normalized: &str) -> bool {
        self.keys.iter().any(|k| k == normalized)
    }

    /// Whether this node's own label or aliases match `key`.
    pub fn is_key(&self, key: &str) -> bool {
        self.has_key(&normalize_label(key))
    }

    /// Number of data rows under this node.
    pub fn height(&self) -> usize {
        if self.children.is_empty() {
            1
        } else {
            self.children.iter().map(RowNode::height).sum()
        }
    }
}

/// A data column: the leaf of the column tree.
#[derive(Debug, Clone)]
pub struct LeafColumn {
    /// Labels from the top header row down to this column.
    pub path: Vec<String>,
    /// Labels shown in diagnostics (groups with `in_path: false` left out).
    pub display_path: Vec<String>,
    /// Keys that lead to this value in report.yaml (flattened groups left out).
    pub key_path: Vec<String>,
    /// Unit of the values (`件`, `项`) — for money columns, the fixed unit if there is one.
    pub unit: Option<String>,
    /// Units a money value may state.
    pub units: Vec<String>,
    /// Value domain.
    pub kind: ColumnKind,
    /// Set for a 总计 column: the rule id and the leaf columns it sums.
    pub total: Option<Total>,
}

/// A data row: the leaf of the row tree.
#[derive(Debug, Clone)]
pub struct LeafRow {
    /// Labels from the outermost group down to this row (also the keys in report.yaml).
    pub path: Vec<String>,
    /// Set for a 总计 row: the rule id and the leaf rows it sums.
    pub total: Option<Total>,
}

/// A total column or row: `rule` says that it equals the sum of `of`.
#[derive(Debug, Clone)]
pub struct Total {
    /// Rule id, e.g. `R3.3`.
    pub rule: String,
    /// Indices of the leaves summed.
    pub of: Vec<usize>,
}

/// One table of the format.
#[derive(Debug)]
pub struct Table {
    /// Stable id within the edition (`2-1`, `3`, `4`); used in HTML ids and cell references.
    pub id: String,
    /// Part number (`二`, `三`, `四`).
    pub part: String,
    /// Caption row printed in the format (`第二十条第（一）项`), for the part-二 sub-tables.
    pub caption: Option<String>,
    /// Table title (the part title for parts 三 and 四).
    pub title: String,
    /// Number for the caption: `3` or `2-1`.
    pub number: String,
    /// Key of the table in report.yaml under its part (the caption when a part has several tables).
    pub key: Option<String>,
    /// Header of the row-label column (`信息内容`).
    pub row_header: Option<String>,
    /// Text of the top-left corner (the 勾稽关系 note of table 三).
    pub corner: Option<String>,
    /// Rule id of the value domain check (non-negative integers etc.).
    pub value_rule: String,
    /// Column tree.
    pub columns: Vec<ColumnNode>,
    /// Row tree; empty for a table with a single unlabelled row (table 四).
    pub rows: Vec<RowNode>,
    /// Data columns in order.
    pub leaf_columns: Vec<LeafColumn>,
    /// Data rows in order (one unnamed row when `rows` is empty).
    pub leaf_rows: Vec<LeafRow>,
}

impl Table {
    /// Number of header rows.
    pub fn header_depth(&self) -> usize {
        fn depth(nodes: &[ColumnNode]) -> usize {
            nodes
                .iter()
                .map(|n| 1 + depth(&n.children))
                .max()
                .unwrap_or(0)
        }
        depth(&self.columns)
    }

    /// Number of row-label columns.
    pub fn row_header_depth(&self) -> usize {
        fn depth(nodes: &[RowNode]) -> usize {
            nodes
                .iter()
                .map(|n| 1 + depth(&n.children))
                .max()
                .unwrap_or(0)
        }
        depth(&self.rows)
    }

    /// Whether this table has one unlabelled data row (table 四).
    pub fn single_row(&self) -> bool {
        self.rows.is_empty()
    }

    /// Number of cells.
    pub fn cell_count(&self) -> usize {
        self.leaf_rows.len() * self.leaf_columns.len()
    }

    /// Index of the cell at (row, column).
    pub fn cell_index(&self, row: usize, col: usize) -> usize {
        row * self.leaf_columns.len() + col
    }

    /// The caption title, e.g. `收到和处理政府信息公开申请情况` or `第二十条第（一）项`.
    pub fn caption_text(&self) -> String {
        match &self.caption {
            Some(c) => c.clone(),
            None => self.title.clone(),
        }
    }

    /// Label path of a cell for diagnostics: part heading, caption, row path and column path.
    pub fn label_path(&self, edition: &Edition, row: usize, col: usize) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(p) = edition.part(&self.part) {
            parts.push(&p.heading);
        }
        if let Some(c) = &self.caption {
            parts.push(c);
        }
        parts.extend(self.leaf_rows[row].path.iter().map(String::as_str));
        parts.extend(
            self.leaf_columns[col]
                .display_path
                .iter()
                .map(String::as_str),
        );
        parts.join(" › ")
    }

    /// Every distinct unit of the table's columns, in column order.
    pub fn units(&self) -> Vec<&str> {
        let mut units: Vec<&str> = Vec::new();
        for c in &self.leaf_columns {
            if let Some(u) = c.unit.as_deref()
                && !units.contains(&u)
            {
                units.push(u);
            }
        }
        units
    }

    fn compile(def: TableDef, part: &Part, shared: bool, number: String) -> Result<Self, String> {
        let mut leaf_columns = Vec::new();
        let columns = compile_columns(def.columns, &[], &[], &[], &mut leaf_columns)?;
        if leaf_columns.is_empty() {
            return Err(format!("table {} has no columns", def.id));
        }
        // Totals of columns: the sibling leaves under the same parent.
        fill_totals(&columns, &mut leaf_columns);

        let mut leaf_rows = Vec::new();
        let mut row_totals: Vec<(usize, String)> = Vec::new();
        let rows = compile_rows(def.rows, &[], 0, &mut leaf_rows, &mut row_totals)?;
        if rows.is_empty() {
            leaf_rows.push(LeafRow {
                path: Vec::new(),
                total: None,
            });
        }
        for (i, rule) in row_totals {
            leaf_rows[i].total = Some(Total {
                rule,
                of: Vec::new(),
            });
        }
        fill_totals(&rows, &mut leaf_rows);

        let title = def.title.unwrap_or_else(|| part.title.clone());
        Ok(Table {
            key: if shared { def.caption.clone() } else { None },
            id: def.id,
            part: def.part,
            caption: def.caption,
            title,
            number,
            row_header: def.row_header,
            corner: def.corner,
            value_rule: def.value_rule,
            columns,
            rows,
            leaf_columns,
            leaf_rows,
        })
    }
}

/// A node of a column or row tree.
trait TreeNode {
    fn leaf(&self) -> Option<usize>;
    fn children(&self) -> &[Self]
    where
        Self: Sized;
}

impl TreeNode for ColumnNode {
    fn leaf(&self) -> Option<usize> {
        self.leaf
    }
    fn children(&self) -> &[Self] {
        &self.children
    }
}

impl TreeNode for RowNode {
    fn leaf(&self) -> Option<usize> {
        self.leaf
    }
    fn children(&self) -> &[Self] {
        &self.children
    }
}

/// A leaf that may be a total.
trait HasTotal {
    fn total_mut(&mut self) -> Option<&mut Total>;
    fn is_total(&self) -> bool;
}

impl HasTotal for LeafColumn {
    fn total_mut(&mut self) -> Option<&mut Total> {
        self.total.as_mut()
    }
    fn is_total(&self) -> bool {
        self.total.is_some()
    }
}

impl HasTotal for LeafRow {
    fn total_mut(&mut self) -> Option<&mut Total> {
        self.total.as_mut()
    }
    fn is_total(&self) -> bool {
        self.total.is_some()
    }
}

/// Set what each total sums: the non-total leaves under the same parent, at any depth.
fn fill_totals<N: TreeNode, L: HasTotal>(nodes: &[N], leaves: &mut [L]) {
    fn collect<N: TreeNode, L: HasTotal>(n: &N, out: &mut Vec<usize>, leaves: &[L]) {
        match n.leaf() {
            Some(i) if !leaves[i].is_total() => out.push(i),
            Some(_) => {}
            None => n.children().iter().for_each(|c| collect(c, out, leaves)),
        }
    }
    let mut of = Vec::new();
    for n in nodes {
        collect(n, &mut of, leaves);
    }
    for n in nodes {
        if let Some(i) = n.leaf()
            && let Some(t) = leaves[i].total_mut()
        {
            t.of = of.clone();
        }
        fill_totals(n.children(), leaves);
    }
}

fn compile_columns(
    defs: Vec<ColumnDef>,
    path: &[String],
    display: &[String],
    keys: &[String],
    leaves: &mut Vec<LeafColumn>,
) -> Result<Vec<ColumnNode>, String> {
    let mut out = Vec::new();
    for d in defs {
        let mut p = path.to_vec();
        p.push(d.label.clone());
        let mut disp = display.to_vec();
        if d.in_path {
            disp.push(d.label.clone());
        }
        let mut k = keys.to_vec();
        if !d.flatten {
            k.push(d.label.clone());
        }
        let (children, leaf) = if d.children.is_empty() {
            if d.flatten {
                return Err(format!(
                    "column {} is a leaf and cannot be flattened",
                    d.label
                ));
            }
            let kind = d.kind;
            let (unit, units) = match kind {
                ColumnKind::Money => match d.units.as_slice() {
                    [only] => (Some(only.clone()), d.units.clone()),
                    [] => return Err(format!("money column {} has no units", d.label)),
                    _ => (None, d.units.clone()),
                },
                _ => (
                    Some(
                        d.unit
                            .clone()
                            .ok_or_else(|| format!("column {} has no unit", d.label))?,
                    ),
                    Vec::new(),
                ),
            };
            leaves.push(LeafColumn {
                path: p.clone(),
                display_path: disp.clone(),
                key_path: k.clone(),
                unit,
                units,
                kind,
                total: d.total.clone().map(|rule| Total {
                    rule,
                    of: Vec::new(),
                }),
            });
            (Vec::new(), Some(leaves.len() - 1))
        } else {
            (compile_columns(d.children, &p, &disp, &k, leaves)?, None)
        };
        let keys = std::iter::once(&d.label)
            .chain(&d.aliases)
            .map(|k| normalize_label(k))
            .collect();
        out.push(ColumnNode {
            keys,
            label: d.label,
            aliases: d.aliases,
            children,
            flatten: d.flatten,
            in_path: d.in_path,
            leaf,
        });
    }
    Ok(out)
}

fn compile_rows(
    defs: Vec<RowDef>,
    path: &[String],
    depth: usize,
    leaves: &mut Vec<LeafRow>,
    totals: &mut Vec<(usize, String)>,
) -> Result<Vec<RowNode>, String> {
    let mut out = Vec::new();
    for d in defs {
        let mut p = path.to_vec();
        p.push(d.label.clone());
        let (children, leaf) = if d.children.is_empty() {
            leaves.push(LeafRow {
                path: p.clone(),
                total: None,
            });
            if let Some(rule) = d.total {
                totals.push((leaves.len() - 1, rule));
            }
            (Vec::new(), Some(leaves.len() - 1))
        } else {
            if d.total.is_some() {
                return Err(format!("group row {} cannot be a total", d.label));
            }
            (
                compile_rows(d.children, &p, depth + 1, leaves, totals)?,
                None,
            )
        };
        let keys = std::iter::once(&d.label)
            .chain(&d.aliases)
            .map(|k| normalize_label(k))
            .collect();
        out.push(RowNode {
            keys,
            label: d.label,
            aliases: d.aliases,
            children,
            leaf,
            depth,
        });
    }
    Ok(out)
}

/// A set of cells of one table, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRef {
    /// Index of the table in the edition.
    pub table: usize,
    /// (row, column) leaf indices.
    pub cells: Vec<(usize, usize)>,
    /// +1 or −1.
    pub sign: i8,
    /// Whether the value comes from the previous year's report.
    pub previous: bool,
}

/// Resolve a reference against an edition, filling in the binding of `for_each`.
fn resolve_ref(
    edition: &Edition,
    r: &CellRefDef,
    bound_table: Option<&str>,
    bound: Option<&Binding>,
) -> Result<CellRef, String> {
    let table_id = r
        .table
        .as_deref()
        .or(bound.and_then(|b| b.table.as_deref()))
        .or(bound_table)
        .ok_or_else(|| format!("reference {r:?} names no table"))?;
    let ti = edition
        .table_index(table_id)
        .ok_or_else(|| format!("unknown table {table_id}"))?;
    let table = &edition.tables[ti];
    let rows: Vec<usize> = match (&r.row, bound.and_then(|b| b.row.as_ref())) {
        (Some(path), _) | (None, Some(path)) => resolve_row_path(table, path)?,
        (None, None) => {
            if table.single_row() {
                vec![0]
            } else {
                return Err(format!("reference {r:?} names no row of table {table_id}"));
            }
        }
    };
    let cols: Vec<usize> = match (&r.col, bound.and_then(|b| b.col.as_ref())) {
        (Some(path), _) | (None, Some(path)) => resolve_col_path(table, path)?,
        (None, None) => return Err(format!("reference {r:?} names no column")),
    };
    let mut cells = Vec::new();
    for &row in &rows {
        for &col in &cols {
            cells.push((row, col));
        }
    }
    Ok(CellRef {
        table: ti,
        cells,
        sign: r.sign.unwrap_or(1),
        previous: r.previous,
    })
}

/// Rows named by a path of labels: a data row, or every non-total data row of a group.
pub fn resolve_row_path(table: &Table, path: &[String]) -> Result<Vec<usize>, String> {
    let mut nodes = &table.rows;
    let mut found: Option<&RowNode> = None;
    for label in path {
        let n = nodes
            .iter()
            .find(|n| n.is_key(label))
            .ok_or_else(|| format!("table {}: no row {label}", table.id))?;
        found = Some(n);
        nodes = &n.children;
    }
    let node = found.ok_or_else(|| format!("table {}: empty row path", table.id))?;
    let mut out = Vec::new();
    fn collect(n: &RowNode, table: &Table, out: &mut Vec<usize>) {
        if let Some(i) = n.leaf {
            out.push(i);
        } else {
            for c in &n.children {
                if c.leaf.is_none_or(|i| table.leaf_rows[i].total.is_none()) {
                    collect(c, table, out);
                }
            }
        }
    }
    collect(node, table, &mut out);
    Ok(out)
}

/// Columns named by a key path: a data column, or every non-total column of a group.
pub fn resolve_col_path(table: &Table, path: &[String]) -> Result<Vec<usize>, String> {
    let keys: Vec<String> = path.iter().map(|p| normalize_label(p)).collect();
    let exact: Vec<usize> = table
        .leaf_columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.key_path.len() == keys.len()
                && c.key_path
                    .iter()
                    .zip(&keys)
                    .all(|(a, b)| normalize_label(a) == *b || column_alias_matches(table, a, b))
        })
        .map(|(i, _)| i)
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    // A group: every non-total leaf whose key path starts with `path`.
    let group: Vec<usize> = table
        .leaf_columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.total.is_none()
                && c.key_path.len() > keys.len()
                && c.key_path
                    .iter()
                    .zip(&keys)
                    .all(|(a, b)| normalize_label(a) == *b)
        })
        .map(|(i, _)| i)
        .collect();
    if group.is_empty() {
        Err(format!("table {}: no column {}", table.id, path.join("/")))
    } else {
        Ok(group)
    }
}

fn column_alias_matches(table: &Table, label: &str, key: &str) -> bool {
    fn find<'a>(nodes: &'a [ColumnNode], label: &str) -> Option<&'a ColumnNode> {
        nodes.iter().find_map(|n| {
            if n.label == label {
                Some(n)
            } else {
                find(&n.children, label)
            }
        })
    }
    find(&table.columns, label).is_some_and(|n| n.aliases.iter().any(|a| normalize_label(a) == key))
}

#[derive(Debug, Clone)]
struct Binding {
    table: Option<String>,
    row: Option<Vec<String>>,
    col: Option<Vec<String>>,
}

/// A consistency rule compiled against its edition: one instance per `for_each` binding.
#[derive(Debug)]
pub struct Rule {
    /// Rule id, e.g. `R3.1`.
    pub id: String,
    /// Error or warning.
    pub severity: Severity,
    /// What the check compares.
    pub kind: RuleKind,
    /// The problem, in Chinese.
    pub title: String,
    /// How to fix it, in Chinese.
    pub hint: String,
    /// The comparison.
    pub op: Op,
    /// Editions the previous year's report may be in; empty for a rule within one report.
    pub previous_editions: Vec<String>,
    /// The rule does not apply to bodies of these kinds.
    pub unless_body_kind: Vec<String>,
    /// One instance per binding of `for_each`.
    pub instances: Vec<RuleInstance>,
}

impl Rule {
    /// Whether the rule compares against the previous year's report.
    pub fn is_cross_year(&self) -> bool {
        !self.previous_editions.is_empty()
    }

    fn compile(def: RuleDef, edition: &Edition) -> Result<Self, String> {
        let bindings = expand_for_each(edition, def.for_each.as_ref())?;
        let mut instances = Vec::new();
        let table_hint = def.for_each.as_ref().and_then(|f| f.table.as_deref());
        for b in &bindings {
            let resolve = |terms: &[CellRefDef]| -> Result<Vec<CellRef>, String> {
                terms
                    .iter()
                    .map(|t| resolve_ref(edition, t, table_hint, Some(b)))
                    .collect()
            };
            let when_positive = def
                .when_positive
                .as_ref()
                .map(|t| resolve_ref(edition, t, table_hint, Some(b)))
                .transpose()?;
            instances.push(RuleInstance {
                left: resolve(&def.left)?,
                right: resolve(&def.right)?,
                when_positive,
            });
        }
        let any_previous = instances
            .iter()
            .any(|i| i.left.iter().chain(&i.right).any(|r| r.previous));
        if any_previous == def.previous_editions.is_empty() {
            return Err(format!(
                "rule {}: `previous_editions` must be set exactly when a term reads the previous year",
                def.id
            ));
        }
        Ok(Rule {
            id: def.id,
            severity: def.severity,
            kind: def.kind,
            title: def.title,
            hint: def.hint,
            op: def.op,
            previous_editions: def.previous_editions,
            unless_body_kind: def.unless_body_kind,
            instances,
        })
    }
}

/// One binding of a rule: `sum(left) op sum(right)`.
#[derive(Debug)]
pub struct RuleInstance {
    /// Left terms.
    pub left: Vec<CellRef>,
    /// Right terms.
    pub right: Vec<CellRef>,
    /// Only check when this cell is positive.
    pub when_positive: Option<CellRef>,
}

fn expand_for_each(edition: &Edition, f: Option<&ForEachDef>) -> Result<Vec<Binding>, String> {
    let Some(f) = f else {
        return Ok(vec![Binding {
            table: None,
            row: None,
            col: None,
        }]);
    };
    let mut out = Vec::new();
    if f.columns.as_deref() == Some("all") {
        let tid = f.table.as_deref().ok_or("for_each.columns needs a table")?;
        let table = edition
            .table(tid)
            .ok_or_else(|| format!("unknown table {tid}"))?;
        for c in &table.leaf_columns {
            out.push(Binding {
                table: Some(tid.to_string()),
                row: None,
                col: Some(c.key_path.clone()),
            });
        }
    } else if let Some(other) = &f.columns {
        return Err(format!("for_each.columns: unknown value {other}"));
    }
    for r in &f.rows {
        let (table, row) = match r {
            def::RowBindingDef::Path(path) => (
                f.table
                    .clone()
                    .ok_or("for_each.rows as paths needs a table")?,
                path.clone(),
            ),
            def::RowBindingDef::InTable { table, row } => (table.clone(), row.clone()),
        };
        out.push(Binding {
            table: Some(table),
            row: Some(row),
            col: None,
        });
    }
    if out.is_empty() {
        return Err("for_each binds nothing".into());
    }
    Ok(out)
}

/// A key figure: the sum of some cells.
#[derive(Debug)]
pub struct Metric {
    /// Stable id; the same id in two editions means the figures are comparable across them.
    pub id: String,
    /// Chinese label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// The cells summed.
    pub cells: Vec<CellRef>,
}

/// A figure the narrative states, to compare with the tables (R3.7, R4.3).
#[derive(Debug)]
pub struct Claim {
    /// Rule id.
    pub id: String,
    /// How the stated figure is compared.
    pub kind: def::ClaimKind,
    /// Metrics whose sum the figure states (kind `figure`) or which must be 0 (kind `none`).
    pub metrics: Vec<String>,
    /// Parts whose text is searched.
    pub parts: Vec<String>,
    /// A sentence must contain one of these words to be considered.
    pub context: Vec<String>,
    /// Patterns; the figure is the capture group `n`.
    pub patterns: Vec<regex::Regex>,
    /// For kind `channels`: patterns of the stated total.
    pub total_patterns: Vec<regex::Regex>,
    /// For kind `channels`: parts searched for the total.
    pub total_parts: Vec<String>,
    /// Description of what is stated, e.g. `本年新收政府信息公开申请数`.
    pub title: String,
    /// How to fix it.
    pub hint: String,
}

impl Claim {
    fn compile(d: def::ClaimDef) -> Result<Self, String> {
        let compile = |ps: &[String]| -> Result<Vec<regex::Regex>, String> {
            ps.iter()
                .map(|p| regex::Regex::new(p).map_err(|e| format!("claim {}: {e}", d.title)))
                .collect()
        };
        Ok(Claim {
            patterns: compile(&d.patterns)?,
            total_patterns: compile(&d.total_patterns)?,
            id: d.id,
            kind: d.kind,
            metrics: d.metrics,
            parts: d.parts,
            context: d.context,
            total_parts: d.total_parts,
            title: d.title,
            hint: d.hint,
        })
    }
}

#[cfg(test)]
mod tests;
