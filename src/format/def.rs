//! The serde shape of the edition definition files (`editions/*.yaml`).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EditionDef {
    pub id: String,
    pub name: String,
    pub title: String,
    pub notice: String,
    pub first_year: u16,
    #[serde(default)]
    pub last_year: Option<u16>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub markers: Vec<String>,
    pub parts: Vec<PartDef>,
    pub tables: Vec<TableDef>,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    #[serde(default)]
    pub metrics: Vec<MetricDef>,
    #[serde(default)]
    pub key_metrics: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PartDef {
    pub number: String,
    pub title: String,
    pub kind: PartKind,
    #[serde(default)]
    pub variants: Vec<String>,
}

/// What a part holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// Narrative text only (一, 五, 六).
    Narrative,
    /// Tables, optionally preceded by text (二, 三, 四).
    Tables,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TableDef {
    pub id: String,
    pub part: String,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub row_header: Option<String>,
    #[serde(default)]
    pub corner: Option<String>,
    pub value_rule: String,
    pub columns: Vec<ColumnDef>,
    #[serde(default)]
    pub rows: Vec<RowDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ColumnDef {
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub kind: ColumnKind,
    #[serde(default)]
    pub total: Option<String>,
    #[serde(default)]
    pub flatten: bool,
    #[serde(default = "yes")]
    pub in_path: bool,
    #[serde(default)]
    pub children: Vec<ColumnDef>,
}

fn yes() -> bool {
    true
}

/// The value domain of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A non-negative integer count.
    #[default]
    Count,
    /// An integer change that may be negative (本年增/减).
    Signed,
    /// A non-negative decimal amount of money with a unit (元/万元).
    Money,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RowDef {
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub total: Option<String>,
    #[serde(default)]
    pub children: Vec<RowDef>,
}

/// A reference to cells in a rule or metric definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellRefDef {
    /// Table id; defaults to the `for_each` binding.
    #[serde(default)]
    pub table: Option<String>,
    /// Row path; defaults to the binding.
    #[serde(default)]
    pub row: Option<Vec<String>>,
    /// Column key path; defaults to the binding.
    #[serde(default)]
    pub col: Option<Vec<String>>,
    /// −1 to subtract.
    #[serde(default)]
    pub sign: Option<i8>,
    /// Read the previous year's report.
    #[serde(default)]
    pub previous: bool,
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The report is inconsistent with the format; `check` fails.
    Error,
    /// Worth a look; `check` still passes.
    Warning,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal.
    Eq,
    /// Not equal (used by heuristic rules that fire on a suspicious equality).
    Ne,
    /// Less than or equal.
    Le,
    /// Greater than or equal.
    Ge,
}

/// How a rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `sum(left) op sum(right)` must hold.
    #[default]
    Compare,
    /// `sum(left) op sum(right)` must hold; when it does not, the figures suggest that a
    /// decrease was written as a positive number.
    UnsignedDecrease,
    /// `sum(left) > 0` exactly when `sum(right) > 0`.
    BothOrNeither,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleDef {
    pub id: String,
    pub severity: Severity,
    #[serde(default)]
    pub kind: RuleKind,
    pub title: String,
    #[serde(default)]
    pub for_each: Option<ForEachDef>,
    #[serde(default)]
    pub left: Vec<CellRefDef>,
    #[serde(default = "op_eq")]
    pub op: Op,
    #[serde(default)]
    pub right: Vec<CellRefDef>,
    #[serde(default)]
    pub when_positive: Option<CellRefDef>,
    #[serde(default)]
    pub previous_editions: Vec<String>,
    #[serde(default)]
    pub unless_body_kind: Vec<String>,
    pub hint: String,
}

fn op_eq() -> Op {
    Op::Eq
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ForEachDef {
    #[serde(default)]
    pub table: Option<String>,
    /// `all`: one instance per data column of `table`.
    #[serde(default)]
    pub columns: Option<String>,
    /// One instance per row.
    #[serde(default)]
    pub rows: Vec<RowBindingDef>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum RowBindingDef {
    Path(Vec<String>),
    InTable { table: String, row: Vec<String> },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MetricDef {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub cells: Vec<CellRefDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaimsDef {
    pub claims: Vec<ClaimDef>,
}

/// How a narrative claim is compared with the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// The text states a figure; it must equal the sum of the metrics.
    Figure,
    /// The text says there were none; the metrics must be 0.
    None,
    /// The text states a total and, elsewhere, the figures per channel; they must add up.
    Channels,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaimDef {
    pub id: String,
    pub kind: ClaimKind,
    pub title: String,
    #[serde(default)]
    pub metrics: Vec<String>,
    pub parts: Vec<String>,
    #[serde(default)]
    pub context: Vec<String>,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub total_patterns: Vec<String>,
    #[serde(default)]
    pub total_parts: Vec<String>,
    pub hint: String,
}
