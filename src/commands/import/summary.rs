//! The import summary: a readable report per file, or the JSON array of `--format json`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::render::data::TidyCell;

use super::{FileOutcome, Missing, Normalisation};

/// Kinds worth a reader's attention before anything else.
const WARNINGS: &[&str] = &[
    "edition_year_mismatch",
    "edition_mixed",
    "body_mismatch",
    "edition_from_year",
    "body_from_site",
    "nonstandard_row",
    "unmatched_label",
    "subtotal_ignored",
    "value_outside_row",
    "blank_table",
];

/// Kinds listed as one line with a count and the source lines.
fn bulk_title(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "blank_as_zero" => "原文空白按 0（表格已填写）",
        "blank_total" => "原文空白的总计不写，由 gongkai 计算",
        "wu_as_zero" => "「无」按 0",
        "dash_as_zero" => "横线按 0",
        "padding" => "去掉数字两侧的全角空格或不换行空格",
        "half_width_punctuation" => "栏目名中的半角标点按全角识别",
        "label_spaces" => "去掉栏目名中的空格",
        "label_joined" => "拼接断开的栏目名",
        "traditional" => "繁体字按简体识别",
        "lines_joined" => "PDF 断行连成段落",
        "page_furniture_dropped" => "网页栏目信息未放入正文",
        "archive_header" => "存档说明行未导入",
        "full_width" => "全角数字改为半角",
        _ => return None,
    })
}

/// Lines as `第 3、5–9 行` (at most 24 numbers shown).
fn lines_text(lines: &[usize]) -> String {
    let mut sorted: Vec<usize> = lines.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.is_empty() {
        return String::new();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    let mut shown = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(if end == start {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        shown += 1;
        i += 1;
        if shown >= 24 && i < sorted.len() {
            parts.push("…".into());
            break;
        }
    }
    format!("第 {} 行", parts.join("、"))
}

fn missing_text(m: &Missing) -> String {
    let mut path: Vec<String> = vec![format!("{}、", m.part)];
    path[0] = match m.part.as_str() {
        "二" => "二、主动公开政府信息情况".into(),
        "三" => "三、收到和处理政府信息公开申请情况".into(),
        "四" => "四、政府信息公开行政复议、行政诉讼情况".into(),
        p => p.to_string(),
    };
    path.extend(m.row.iter().cloned());
    path.extend(m.column.iter().cloned());
    format!("{}：{}", path.join(" › "), m.reason)
}

/// The human summary of a run.
pub(crate) fn human(outcomes: &[FileOutcome]) -> String {
    let mut s = String::new();
    for o in outcomes {
        let a = match &o.analysis {
            Ok(a) => a,
            Err(e) => {
                let _ = writeln!(s, "✗ {}：{e}\n", o.file);
                continue;
            }
        };
        let target = format!("content/{}/", a.year);
        let _ = writeln!(s, "── {} → {target}", o.file);
        let _ = writeln!(
            s,
            "  机关：{}（{}）",
            if a.body.is_empty() {
                "原文未写明"
            } else {
                &a.body
            },
            a.body_evidence
        );
        let _ = writeln!(s, "  年度：{}（{}）", a.year, a.year_evidence);
        let _ = writeln!(
            s,
            "  格式：{}（{}）— 依据：{}",
            a.edition.name, a.edition.notice, a.edition_evidence
        );
        if a.word {
            let _ = writeln!(s, "  原文：Word 文件（.docx）；行号按段落和表格行计数");
        } else {
            let _ = writeln!(
                s,
                "  原文：{}，{} 编码",
                if a.html { "网页" } else { "文本" },
                a.encoding
            );
        }
        let _ = writeln!(s, "  标题：{}", a.title);
        let _ = writeln!(
            s,
            "  发布日期：{}",
            a.published.as_deref().unwrap_or("原文未载明")
        );
        if !a.contact.is_empty() {
            let c: Vec<String> = a.contact.iter().map(|(w, v)| format!("{w} {v}")).collect();
            let _ = writeln!(s, "  联系方式：{}", c.join("；"));
        }
        let _ = writeln!(
            s,
            "  正文：{}",
            if a.parts.is_empty() {
                "没有找到各部分的标题".to_string()
            } else {
                a.parts.join("、")
            }
        );
        let _ = writeln!(s, "  表格：");
        for t in &a.tables {
            let state = if t.cells == 0 {
                "缺失".to_string()
            } else if t.cells == t.of {
                format!("{} 个数值，完整", t.cells)
            } else {
                format!("{}/{} 个数值", t.cells, t.of)
            };
            let _ = writeln!(s, "    {}：{state}", t.name);
        }
        if a.missing.is_empty() {
            let _ = writeln!(s, "  缺失：无");
        } else {
            let _ = writeln!(
                s,
                "  缺失（{} 项，未填写，gongkai check 会报告）：",
                a.missing.len()
            );
            for m in a.missing.iter().take(60) {
                let _ = writeln!(s, "    - {}", missing_text(m));
            }
            if a.missing.len() > 60 {
                let _ = writeln!(
                    s,
                    "    - ……另有 {} 项（--format json 列出全部）",
                    a.missing.len() - 60
                );
            }
        }
        let warnings: Vec<&Normalisation> = a
            .normalisations
            .iter()
            .filter(|n| WARNINGS.contains(&n.kind.as_str()))
            .collect();
        if !warnings.is_empty() {
            let _ = writeln!(s, "  注意：");
            for n in warnings {
                let at = n.line.map(|l| format!("第 {l} 行：")).unwrap_or_default();
                let _ = writeln!(s, "    - {at}{}", n.message);
            }
        }
        let others: Vec<&Normalisation> = a
            .normalisations
            .iter()
            .filter(|n| !WARNINGS.contains(&n.kind.as_str()))
            .collect();
        if !others.is_empty() {
            let _ = writeln!(s, "  规范化（{} 处）：", others.len());
            // Bulk kinds: one line each, in order of first appearance.
            let mut kinds: Vec<&str> = Vec::new();
            for n in &others {
                if bulk_title(&n.kind).is_some() && !kinds.contains(&n.kind.as_str()) {
                    kinds.push(&n.kind);
                }
            }
            for k in kinds {
                let lines: Vec<usize> = others
                    .iter()
                    .filter(|n| n.kind == k)
                    .filter_map(|n| n.line)
                    .collect();
                let count = others.iter().filter(|n| n.kind == k).count();
                let _ = writeln!(
                    s,
                    "    - {}（{count} 处）：{}",
                    bulk_title(k).unwrap_or(k),
                    lines_text(&lines)
                );
            }
            // The rest: grouped by message.
            let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
            for n in others.iter().filter(|n| bulk_title(&n.kind).is_none()) {
                match groups.iter_mut().find(|(m, _)| *m == n.message) {
                    Some((_, lines)) => lines.extend(n.line),
                    None => groups.push((&n.message, n.line.into_iter().collect())),
                }
            }
            for (message, lines) in groups {
                let at = lines_text(&lines);
                if at.is_empty() {
                    let _ = writeln!(s, "    - {message}");
                } else {
                    let _ = writeln!(s, "    - {at}：{message}");
                }
            }
        }
        match (&o.refused, o.written.is_empty()) {
            (Some(why), _) => {
                let _ = writeln!(s, "  未写入：{why}");
            }
            (None, false) => {
                let names: Vec<String> = o
                    .written
                    .iter()
                    .filter_map(|p| {
                        p.file_name()
                            .map(|n| format!("{target}{}", n.to_string_lossy()))
                    })
                    .collect();
                let _ = writeln!(s, "  已写入：{}", names.join("、"));
            }
            (None, true) => {}
        }
        s.push('\n');
    }
    s
}

#[derive(Serialize)]
struct FileJson<'a> {
    file: &'a str,
    body: &'a str,
    year: u16,
    edition: &'a str,
    cells: &'a [TidyCell],
    missing: &'a [Missing],
    normalisations: &'a [Normalisation],
}

#[derive(Serialize)]
struct FailedJson<'a> {
    file: &'a str,
    body: Option<&'a str>,
    year: Option<u16>,
    edition: Option<&'a str>,
    cells: [TidyCell; 0],
    missing: [Missing; 0],
    normalisations: [Normalisation; 0],
    error: &'a str,
}

/// The JSON array of a run: one object per file.
pub(crate) fn json(outcomes: &[FileOutcome]) -> String {
    let items: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| match &o.analysis {
            Ok(a) => {
                let mut v = serde_json::to_value(FileJson {
                    file: &o.file,
                    body: &a.body,
                    year: a.year,
                    edition: &a.edition.id,
                    cells: &a.cells,
                    missing: &a.missing,
                    normalisations: &a.normalisations,
                })
                .unwrap_or(serde_json::Value::Null);
                if let (Some(why), Some(map)) = (&o.refused, v.as_object_mut()) {
                    map.insert("error".into(), serde_json::Value::String(why.clone()));
                }
                v
            }
            Err(e) => serde_json::to_value(FailedJson {
                file: &o.file,
                body: None,
                year: None,
                edition: None,
                cells: [],
                missing: [],
                normalisations: [],
                error: e,
            })
            .unwrap_or(serde_json::Value::Null),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges() {
        assert_eq!(lines_text(&[3, 5, 6, 7, 9]), "第 3、5–7、9 行");
        assert_eq!(lines_text(&[]), "");
    }
}
