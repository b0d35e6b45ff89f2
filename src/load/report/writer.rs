//! Writing report.yaml: the one layout `new` scaffolds and `import` fills.
//!
//! The YAML lists every value under its official label in the order the format prints the
//! tables. Values come from a callback; a value it does not supply is left out, and a row or
//! table with no values at all becomes a comment saying so, so that `check` reports it as
//! missing rather than anyone reading an invented 0.

use std::fmt::Write as _;

use crate::format::{ColumnKind, ColumnNode, Edition, PartKind, RowNode, Table};

/// A value to write, with an optional trailing comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The YAML scalar, e.g. `14`, `-8`, `169844元`.
    pub text: String,
    /// Comment after the value (without `#`).
    pub comment: Option<String>,
}

/// The top of the file.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// Comment lines at the very top (without `# `).
    pub comments: Vec<String>,
    /// 年度.
    pub year: u16,
    /// 标题.
    pub title: String,
    /// 发布日期, if known.
    pub published: Option<String>,
    /// Comment after the 发布日期 line, or the line itself when the date is unknown.
    pub published_note: Option<String>,
}

/// Render report.yaml. `value(table, row, col)` supplies each value; `None` leaves it out.
pub fn write_yaml(
    edition: &Edition,
    header: &Header,
    value: &dyn Fn(usize, usize, usize) -> Option<Written>,
) -> String {
    let mut y = String::new();
    for c in &header.comments {
        let _ = writeln!(y, "# {c}");
    }
    let _ = writeln!(y, "年度: {}", header.year);
    let _ = writeln!(y, "格式: {}  # {}", edition.name, edition.notice);
    let _ = writeln!(y, "标题: {}", yaml_scalar(&header.title));
    match (&header.published, &header.published_note) {
        (Some(d), Some(n)) => {
            let _ = writeln!(y, "发布日期: {d}  # {n}");
        }
        (Some(d), None) => {
            let _ = writeln!(y, "发布日期: {d}");
        }
        (None, Some(n)) => {
            let _ = writeln!(y, "# {n}");
        }
        (None, None) => {}
    }
    for part in edition.parts.iter().filter(|p| p.kind == PartKind::Tables) {
        y.push('\n');
        let tables: Vec<(usize, &Table)> = edition.tables_of(&part.number).collect();
        let any = tables.iter().any(|(ti, t)| table_has_values(*ti, t, value));
        if !any {
            let _ = writeln!(y, "# 缺少「{}」的表格数据", part.heading);
            continue;
        }
        let _ = writeln!(y, "{}:", part.heading);
        for (ti, table) in &tables {
            let indent = if let Some(key) = &table.key {
                if !table_has_values(*ti, table, value) {
                    let _ = writeln!(y, "  # 缺少「{key}」表格");
                    continue;
                }
                let _ = writeln!(y, "  {}:", yaml_key(key));
                4
            } else {
                2
            };
            if let Some(corner) = &table.corner {
                let _ = writeln!(
                    y,
                    "{}# {}",
                    " ".repeat(indent),
                    corner.trim_matches(['（', '）'])
                );
            }
            let w = Walker {
                table,
                ti: *ti,
                value,
            };
            if table.single_row() {
                w.columns(&mut y, &table.columns, 0, indent);
            } else {
                w.rows(&mut y, &table.rows, indent);
            }
        }
    }
    y
}

fn table_has_values(
    ti: usize,
    table: &Table,
    value: &dyn Fn(usize, usize, usize) -> Option<Written>,
) -> bool {
    (0..table.leaf_rows.len())
        .any(|r| (0..table.leaf_columns.len()).any(|c| value(ti, r, c).is_some()))
}

struct Walker<'a> {
    table: &'a Table,
    ti: usize,
    value: &'a dyn Fn(usize, usize, usize) -> Option<Written>,
}

impl Walker<'_> {
    fn row_has_values(&self, node: &RowNode) -> bool {
        match node.leaf {
            Some(r) => {
                (0..self.table.leaf_columns.len()).any(|c| (self.value)(self.ti, r, c).is_some())
            }
            None => node.children.iter().any(|c| self.row_has_values(c)),
        }
    }

    fn rows(&self, y: &mut String, nodes: &[RowNode], indent: usize) {
        let pad = " ".repeat(indent);
        for n in nodes {
            if !self.row_has_values(n) {
                let total = n
                    .leaf
                    .is_some_and(|r| self.table.leaf_rows[r].total.is_some());
                if !total {
                    let _ = writeln!(y, "{pad}# 缺少「{}」", n.label);
                }
                continue;
            }
            let _ = writeln!(y, "{pad}{}:", yaml_key(&n.label));
            match n.leaf {
                Some(row) => self.columns(y, &self.table.columns, row, indent + 2),
                None => self.rows(y, &n.children, indent + 2),
            }
        }
    }

    fn columns(&self, y: &mut String, nodes: &[ColumnNode], row: usize, indent: usize) {
        let pad = " ".repeat(indent);
        for n in nodes {
            if n.flatten {
                if n.in_path {
                    let _ = writeln!(y, "{pad}# {}", n.label);
                }
                self.columns(y, &n.children, row, indent);
                continue;
            }
            match n.leaf {
                Some(col) => {
                    let Some(w) = (self.value)(self.ti, row, col) else {
                        continue;
                    };
                    let c = &self.table.leaf_columns[col];
                    let comment = w.comment.or_else(|| {
                        if c.kind == ColumnKind::Money && c.unit.is_none() {
                            Some("写明单位，如 169844元 或 16.98万元".into())
                        } else if c.kind == ColumnKind::Signed {
                            Some("减少用负数，如 -8".into())
                        } else if c.total.is_some() {
                            Some("可删去，自动计算".into())
                        } else {
                            None
                        }
                    });
                    let comment = comment.map(|c| format!("  # {c}")).unwrap_or_default();
                    let _ = writeln!(y, "{pad}{}: {}{comment}", yaml_key(&n.label), w.text);
                }
                None => {
                    let has = leaf_indices(n)
                        .iter()
                        .any(|&c| (self.value)(self.ti, row, c).is_some());
                    if !has {
                        let _ = writeln!(y, "{pad}# 缺少「{}」", n.label);
                        continue;
                    }
                    let _ = writeln!(y, "{pad}{}:", yaml_key(&n.label));
                    self.columns(y, &n.children, row, indent + 2);
                }
            }
        }
    }
}

fn leaf_indices(n: &ColumnNode) -> Vec<usize> {
    let mut out = Vec::new();
    fn walk(n: &ColumnNode, out: &mut Vec<usize>) {
        if let Some(i) = n.leaf {
            out.push(i);
        }
        for c in &n.children {
            walk(c, out);
        }
    }
    walk(n, &mut out);
    out
}

/// A label as a YAML key: plain when safe, otherwise double-quoted.
pub fn yaml_key(label: &str) -> String {
    yaml_scalar(label)
}

/// A string as a YAML scalar: plain when it reads back unchanged as a string, else quoted.
pub fn yaml_scalar(text: &str) -> String {
    let plain_ok = !text.is_empty()
        && !text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ',
        ])
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains('\n')
        && !text.ends_with([':', ' '])
        && !matches!(
            text,
            "~" | "null" | "Null" | "NULL" | "true" | "false" | "yes" | "no"
        )
        && text.parse::<f64>().is_err();
    if plain_ok {
        text.to_string()
    } else {
        format!(
            "\"{}\"",
            text.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    }
}
