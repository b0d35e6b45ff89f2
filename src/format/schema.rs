//! A JSON Schema of report.yaml, generated from the edition definitions, so that editors (VS Code
//! with the YAML extension, for example) can validate and complete the file as the clerk types.
//! `gongkai schema` prints it; the site publishes it as `data/report.schema.json`.

use serde_json::{Map, Value, json};

use super::{KEY_EDITION, KEY_PUBLISHED, KEY_TITLE, KEY_YEAR};
use crate::format::{self, ColumnKind, ColumnNode, Edition, PartKind, RowNode, Table};

/// The schema, as pretty JSON.
pub fn schema_json() -> String {
    serde_json::to_string_pretty(&schema()).unwrap_or_default() + "\n"
}

/// The schema, as compact JSON (published with the site).
pub fn schema_compact() -> String {
    serde_json::to_string(&schema()).unwrap_or_default() + "\n"
}

/// The schema.
pub fn schema() -> Value {
    let editions: Vec<Value> = format::builtin()
        .editions()
        .iter()
        .map(edition_schema)
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://gongkai.invalid/report.schema.json",
        "title": "gongkai report.yaml（政府信息公开工作年度报告 表格数据）",
        "description": "每个值写在格式规定的栏目名称下；「格式」决定表格的形状。",
        "oneOf": editions,
    })
}

fn edition_schema(e: &Edition) -> Value {
    let mut props = Map::new();
    let mut names: Vec<String> = vec![e.id.clone(), e.name.clone(), e.notice.clone()];
    names.extend(e.aliases.iter().cloned());
    names.dedup();
    props.insert(
        KEY_EDITION.into(),
        json!({"description": format!("报告格式：《{}》（{}）", e.title, e.notice), "enum": names}),
    );
    props.insert(
        KEY_YEAR.into(),
        json!({"description": "年度（与所在文件夹一致）", "type": "integer", "minimum": e.first_year, "maximum": e.last_year.unwrap_or(2100)}),
    );
    props.insert(
        KEY_TITLE.into(),
        json!({"description": "报告标题", "type": "string"}),
    );
    props.insert(
        KEY_PUBLISHED.into(),
        json!({"description": "发布日期，如 2021-01-29 或 2021-01-29 09:00", "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?$"}),
    );
    let mut required = vec![json!(KEY_EDITION)];
    for part in e.parts.iter().filter(|p| p.kind == PartKind::Tables) {
        let tables: Vec<&Table> = e.tables_of(&part.number).map(|(_, t)| t).collect();
        let value = if tables.len() == 1 && tables[0].key.is_none() {
            table_schema(tables[0])
        } else {
            let mut p = Map::new();
            let mut req = Vec::new();
            for t in &tables {
                if let Some(k) = &t.key {
                    p.insert(k.clone(), table_schema(t));
                    req.push(json!(k));
                }
            }
            object(p, req, &part.heading)
        };
        props.insert(part.heading.clone(), value);
        required.push(json!(part.heading));
    }
    json!({
        "title": format!("{}（{}）", e.name, e.notice),
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn object(props: Map<String, Value>, required: Vec<Value>, description: &str) -> Value {
    json!({
        "description": description,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn table_schema(t: &Table) -> Value {
    if t.single_row() {
        return columns_schema(t, &t.columns, &t.caption_text());
    }
    rows_schema(t, &t.rows, &t.caption_text())
}

fn rows_schema(t: &Table, nodes: &[RowNode], description: &str) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for n in nodes {
        let value = if n.children.is_empty() {
            columns_schema(t, &t.columns, &n.label)
        } else {
            rows_schema(t, &n.children, &n.label)
        };
        props.insert(n.label.clone(), value);
        let total = n.leaf.is_some_and(|r| t.leaf_rows[r].total.is_some());
        if !total {
            required.push(json!(n.label));
        }
    }
    object(props, required, description)
}

fn columns_schema(t: &Table, nodes: &[ColumnNode], description: &str) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    collect_columns(t, nodes, &mut props, &mut required);
    object(props, required, description)
}

fn collect_columns(
    t: &Table,
    nodes: &[ColumnNode],
    props: &mut Map<String, Value>,
    required: &mut Vec<Value>,
) {
    for n in nodes {
        if n.flatten {
            collect_columns(t, &n.children, props, required);
            continue;
        }
        match n.leaf {
            Some(i) => {
                let c = &t.leaf_columns[i];
                let mut v = match c.kind {
                    ColumnKind::Count => json!({"type": "integer", "minimum": 0}),
                    ColumnKind::Signed => {
                        json!({"type": "integer", "description": "增加为正数，减少为负数（如 -8）"})
                    }
                    ColumnKind::Money => {
                        let units = c.units.join("|");
                        json!({"anyOf": [
                            {"type": "number", "minimum": 0},
                            {"type": "string", "pattern": format!("^[0-9]+(\\.[0-9]+)?\\s*({units})$")}
                        ]})
                    }
                };
                let mut desc = c.path.join(" › ");
                if c.total.is_some() {
                    desc.push_str("（可不填，自动计算）");
                } else {
                    required.push(json!(n.label));
                }
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("description".into(), json!(desc));
                }
                props.insert(n.label.clone(), v);
            }
            None => {
                let mut p = Map::new();
                let mut r = Vec::new();
                collect_columns(t, &n.children, &mut p, &mut r);
                props.insert(n.label.clone(), object(p, r, &n.label));
                required.push(json!(n.label));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_one_branch_per_edition_with_official_labels() {
        let s = schema();
        let branches = s["oneOf"].as_array().unwrap();
        assert_eq!(branches.len(), 2);
        let three = &branches[1]["properties"]["三、收到和处理政府信息公开申请情况"];
        let other = &three["properties"]["三、本年度办理结果"]["properties"]["（六）其他处理"];
        assert_eq!(other["properties"].as_object().unwrap().len(), 3);
        let row = &three["properties"]["一、本年新收政府信息公开申请数量"];
        assert_eq!(row["properties"]["自然人"]["minimum"], 0);
        assert!(!row["required"].as_array().unwrap().contains(&json!("总计")));
        let four = &branches[0]["properties"]["四、政府信息公开行政复议、行政诉讼情况"];
        assert!(
            four["properties"]["行政诉讼"]["properties"]["复议后起诉"]["properties"]["结果维持"]
                .is_object()
        );
    }
}
