//! Every consistency rule of FORMAT.md §7, broken on purpose in a copy of the multi-year fixture
//! (示例街道, 2019–2022, both editions): `check` must name the rule, the label path and the
//! line of the value, and exit 1 for errors, 0 for warnings.

use std::fs;

use crate::common::*;

/// One way to break one rule.
struct Case {
    name: &'static str,
    rule: &'static str,
    severity: &'static str,
    /// (year, label path, new value) edits of report.yaml.
    yaml: &'static [(u16, &'static [&'static str], &'static str)],
    /// (year, find, replace) text edits of report.yaml or report.md.
    text: &'static [(u16, &'static str, &'static str, &'static str)],
    /// Where the diagnostic must point: (year, file, label path or text to find).
    at: (u16, &'static str, Place),
    /// Fragment of the label path (empty for narrative claims without one).
    path: &'static str,
}

#[derive(Clone, Copy)]
enum Place {
    Yaml(&'static [&'static str]),
    Text(&'static str),
}

const Y: &str = "report.yaml";
const M: &str = "report.md";

fn cases() -> Vec<Case> {
    vec![
        // ---- hard rules, 2019 edition (year 2020) and 2021 edition (year 2022)
        Case {
            name: "R3.1 2019",
            rule: "R3.1",
            severity: "error",
            yaml: &[
                (2020, &[P3, "四、结转下年度继续办理", "自然人"], "2"),
                (2020, &[P3, "四、结转下年度继续办理", "总计"], "2"),
            ],
            text: &[],
            at: (2020, Y, Place::Yaml(&[P3, R3, "（七）总计", "自然人"])),
            path: "三、本年度办理结果 › （七）总计 › 自然人",
        },
        Case {
            name: "R3.1 2021",
            rule: "R3.1",
            severity: "error",
            yaml: &[
                (2022, &[P3, "四、结转下年度继续办理", "自然人"], "3"),
                (2022, &[P3, "四、结转下年度继续办理", "总计"], "3"),
            ],
            text: &[],
            at: (2022, Y, Place::Yaml(&[P3, R3, "（七）总计", "自然人"])),
            path: "三、本年度办理结果 › （七）总计 › 自然人",
        },
        Case {
            name: "R3.2 2019",
            rule: "R3.2",
            severity: "error",
            yaml: &[(2020, &[P3, R3, "（七）总计", "自然人"], "9")],
            text: &[],
            at: (2020, Y, Place::Yaml(&[P3, R3, "（七）总计", "自然人"])),
            path: "（七）总计 › 自然人",
        },
        Case {
            name: "R3.2 2021",
            rule: "R3.2",
            severity: "error",
            yaml: &[(2022, &[P3, R3, "（七）总计", "自然人"], "7")],
            text: &[],
            at: (2022, Y, Place::Yaml(&[P3, R3, "（七）总计", "自然人"])),
            path: "（七）总计 › 自然人",
        },
        Case {
            name: "R3.3 2019",
            rule: "R3.3",
            severity: "error",
            yaml: &[(
                2020,
                &[P3, "一、本年新收政府信息公开申请数量", "总计"],
                "10",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P3, "一、本年新收政府信息公开申请数量", "总计"]),
            ),
            path: "一、本年新收政府信息公开申请数量 › 总计",
        },
        Case {
            name: "R3.3 2021",
            rule: "R3.3",
            severity: "error",
            yaml: &[(2022, &[P3, "二、上年结转政府信息公开申请数量", "总计"], "3")],
            text: &[],
            at: (
                2022,
                Y,
                Place::Yaml(&[P3, "二、上年结转政府信息公开申请数量", "总计"]),
            ),
            path: "二、上年结转政府信息公开申请数量 › 总计",
        },
        Case {
            name: "R3.4 2019",
            rule: "R3.4",
            severity: "error",
            yaml: &[],
            text: &[(
                2020,
                Y,
                "    （三）不予公开:\n",
                "    （三）不予公开:\n      自然人: 5\n",
            )],
            at: (2020, Y, Place::Yaml(&[P3, R3, "（三）不予公开", "自然人"])),
            path: "（三）不予公开 › 自然人",
        },
        Case {
            name: "R3.4 2021",
            rule: "R3.4",
            severity: "error",
            yaml: &[],
            text: &[(
                2022,
                Y,
                "    （四）无法提供:\n",
                "    （四）无法提供:\n      总计: 2\n",
            )],
            at: (2022, Y, Place::Yaml(&[P3, R3, "（四）无法提供", "总计"])),
            path: "（四）无法提供 › 总计",
        },
        Case {
            name: "R3.5 2019",
            rule: "R3.5",
            severity: "error",
            yaml: &[(
                2020,
                &[P3, "一、本年新收政府信息公开申请数量", "商业企业"],
                "-1",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P3, "一、本年新收政府信息公开申请数量", "商业企业"]),
            ),
            path: "一、本年新收政府信息公开申请数量 › 法人或其他组织 › 商业企业",
        },
        Case {
            name: "R3.5 2021",
            rule: "R3.5",
            severity: "error",
            yaml: &[(2022, &[P3, R3, "（一）予以公开", "其他"], "-2")],
            text: &[],
            at: (2022, Y, Place::Yaml(&[P3, R3, "（一）予以公开", "其他"])),
            path: "（一）予以公开 › 法人或其他组织 › 其他",
        },
        Case {
            name: "R4.1 2019",
            rule: "R4.1",
            severity: "error",
            yaml: &[(2020, &[P4, "行政复议", "总计"], "4")],
            text: &[],
            at: (2020, Y, Place::Yaml(&[P4, "行政复议", "总计"])),
            path: "四、政府信息公开行政复议、行政诉讼情况 › 行政复议 › 总计",
        },
        Case {
            name: "R4.1 2021",
            rule: "R4.1",
            severity: "error",
            yaml: &[(2022, &[P4, "行政诉讼", "复议后起诉", "尚未审结"], "1")],
            text: &[],
            at: (
                2022,
                Y,
                Place::Yaml(&[P4, "行政诉讼", "复议后起诉", "总计"]),
            ),
            path: "行政诉讼 › 复议后起诉 › 总计",
        },
        Case {
            name: "R4.2 2019",
            rule: "R4.2",
            severity: "error",
            yaml: &[(2020, &[P4, "行政诉讼", "复议后起诉", "结果维持"], "-1")],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P4, "行政诉讼", "复议后起诉", "结果维持"]),
            ),
            path: "复议后起诉 › 结果维持",
        },
        Case {
            name: "R4.2 2021",
            rule: "R4.2",
            severity: "error",
            yaml: &[(2022, &[P4, "行政复议", "其他结果"], "-3")],
            text: &[],
            at: (2022, Y, Place::Yaml(&[P4, "行政复议", "其他结果"])),
            path: "行政复议 › 其他结果",
        },
        Case {
            name: "R2.1 2019",
            rule: "R2.1",
            severity: "error",
            yaml: &[(
                2020,
                &[P2, "第二十条第（五）项", "行政许可", "处理决定数量"],
                "-38",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P2, "第二十条第（五）项", "行政许可", "处理决定数量"]),
            ),
            path: "第二十条第（五）项 › 行政许可 › 处理决定数量",
        },
        Case {
            name: "R2.1 2021",
            rule: "R2.1",
            severity: "error",
            yaml: &[(
                2022,
                &[
                    P2,
                    "第二十条第（八）项",
                    "行政事业性收费",
                    "本年收费金额（单位：万元）",
                ],
                "-0.8",
            )],
            text: &[],
            at: (
                2022,
                Y,
                Place::Yaml(&[
                    P2,
                    "第二十条第（八）项",
                    "行政事业性收费",
                    "本年收费金额（单位：万元）",
                ]),
            ),
            path: "行政事业性收费 › 本年收费金额（单位：万元）",
        },
        Case {
            name: "R-X1 2019→2020",
            rule: "R-X1",
            severity: "error",
            yaml: &[
                (
                    2020,
                    &[P3, "二、上年结转政府信息公开申请数量", "自然人"],
                    "2",
                ),
                (2020, &[P3, "二、上年结转政府信息公开申请数量", "总计"], "3"),
                (
                    2020,
                    &[P3, "一、本年新收政府信息公开申请数量", "自然人"],
                    "7",
                ),
                (2020, &[P3, "一、本年新收政府信息公开申请数量", "总计"], "8"),
            ],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P3, "二、上年结转政府信息公开申请数量", "自然人"]),
            ),
            path: "二、上年结转政府信息公开申请数量 › 自然人",
        },
        Case {
            name: "R-X1 2020→2021 across the edition change",
            rule: "R-X1",
            severity: "error",
            yaml: &[
                (
                    2021,
                    &[P3, "二、上年结转政府信息公开申请数量", "自然人"],
                    "2",
                ),
                (2021, &[P3, "二、上年结转政府信息公开申请数量", "总计"], "2"),
                (
                    2021,
                    &[P3, "一、本年新收政府信息公开申请数量", "自然人"],
                    "11",
                ),
                (
                    2021,
                    &[P3, "一、本年新收政府信息公开申请数量", "总计"],
                    "14",
                ),
            ],
            text: &[],
            at: (
                2021,
                Y,
                Place::Yaml(&[P3, "二、上年结转政府信息公开申请数量", "自然人"]),
            ),
            path: "二、上年结转政府信息公开申请数量 › 自然人",
        },
        // ---- warnings
        Case {
            name: "R2.2 2019",
            rule: "R2.2",
            severity: "warning",
            yaml: &[(
                2020,
                &[P2, "第二十条第（一）项", "规章", "本年新制作数量"],
                "1",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P2, "第二十条第（一）项", "规章", "本年新制作数量"]),
            ),
            path: "规章 › 本年新制作数量",
        },
        Case {
            name: "R2.2 2021",
            rule: "R2.2",
            severity: "warning",
            yaml: &[(
                2022,
                &[P2, "第二十条第（一）项", "规章", "现行有效件数"],
                "2",
            )],
            text: &[],
            at: (
                2022,
                Y,
                Place::Yaml(&[P2, "第二十条第（一）项", "规章", "现行有效件数"]),
            ),
            path: "规章 › 现行有效件数",
        },
        Case {
            name: "R2.3 2021",
            rule: "R2.3",
            severity: "warning",
            yaml: &[(
                2022,
                &[P2, "第二十条第（一）项", "行政规范性文件", "本年废止件数"],
                "20",
            )],
            text: &[],
            at: (
                2022,
                Y,
                Place::Yaml(&[P2, "第二十条第（一）项", "行政规范性文件", "本年废止件数"]),
            ),
            path: "行政规范性文件 › 本年废止件数",
        },
        Case {
            name: "R2.4 2019",
            rule: "R2.4",
            severity: "warning",
            yaml: &[(
                2020,
                &[P2, "第二十条第（一）项", "规范性文件", "本年新公开数量"],
                "20",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P2, "第二十条第（一）项", "规范性文件", "对外公开总数量"]),
            ),
            path: "规范性文件 › 对外公开总数量",
        },
        Case {
            name: "R2.5 2019 negative stock",
            rule: "R2.5",
            severity: "warning",
            yaml: &[(
                2019,
                &[P2, "第二十条第（六）项", "行政强制", "本年增/减"],
                "-10",
            )],
            text: &[],
            at: (
                2019,
                Y,
                Place::Yaml(&[P2, "第二十条第（六）项", "行政强制", "本年增/减"]),
            ),
            path: "行政强制 › 本年增/减",
        },
        Case {
            name: "R2.5 2019 unsigned decrease",
            rule: "R2.5",
            severity: "warning",
            yaml: &[(
                2019,
                &[P2, "第二十条第（六）项", "行政处罚", "本年增/减"],
                "12",
            )],
            text: &[],
            at: (
                2019,
                Y,
                Place::Yaml(&[P2, "第二十条第（六）项", "行政处罚", "本年增/减"]),
            ),
            path: "行政处罚 › 本年增/减",
        },
        Case {
            name: "R2.6 2019",
            rule: "R2.6",
            severity: "warning",
            yaml: &[(
                2020,
                &[P2, "第二十条第（九）项", "政府集中采购", "采购项目数量"],
                "0",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P2, "第二十条第（九）项", "政府集中采购", "采购总金额"]),
            ),
            path: "政府集中采购 › 采购总金额",
        },
        Case {
            name: "R-X2 2019→2020",
            rule: "R-X2",
            severity: "warning",
            yaml: &[(
                2020,
                &[P2, "第二十条第（五）项", "行政许可", "上一年项目数量"],
                "21",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P2, "第二十条第（五）项", "行政许可", "上一年项目数量"]),
            ),
            path: "行政许可 › 上一年项目数量",
        },
        Case {
            name: "R-X3 2019→2020",
            rule: "R-X3",
            severity: "warning",
            yaml: &[(
                2020,
                &[P2, "第二十条第（一）项", "规范性文件", "对外公开总数量"],
                "15",
            )],
            text: &[],
            at: (
                2020,
                Y,
                Place::Yaml(&[P2, "第二十条第（一）项", "规范性文件", "对外公开总数量"]),
            ),
            path: "规范性文件 › 对外公开总数量",
        },
        Case {
            name: "R-X4 2021→2022",
            rule: "R-X4",
            severity: "warning",
            yaml: &[(
                2022,
                &[P2, "第二十条第（一）项", "行政规范性文件", "现行有效件数"],
                "11",
            )],
            text: &[],
            at: (
                2022,
                Y,
                Place::Yaml(&[P2, "第二十条第（一）项", "行政规范性文件", "现行有效件数"]),
            ),
            path: "行政规范性文件 › 现行有效件数",
        },
        Case {
            name: "R3.7 2019",
            rule: "R3.7",
            severity: "warning",
            yaml: &[],
            text: &[(
                2020,
                M,
                "共收到政府信息公开申请9件",
                "共收到政府信息公开申请19件",
            )],
            at: (2020, M, Place::Text("19件")),
            path: "本年新收申请",
        },
        Case {
            name: "R3.7 2021",
            rule: "R3.7",
            severity: "warning",
            yaml: &[],
            text: &[(2022, M, "其中予以公开5件", "其中予以公开4件")],
            at: (2022, M, Place::Text("4件，结转")),
            path: "予以公开",
        },
        Case {
            name: "R4.3 2019",
            rule: "R4.3",
            severity: "warning",
            yaml: &[],
            text: &[(
                2019,
                M,
                "2019年，本街道因政府信息公开工作被申请行政复议2件，被提起行政诉讼1件。",
                "2019年，本街道未发生因政府信息公开工作引起的行政复议、行政诉讼。",
            )],
            at: (2019, M, Place::Text("未发生因政府")),
            path: "行政复议",
        },
        Case {
            name: "R4.3 2021",
            rule: "R4.3",
            severity: "warning",
            yaml: &[],
            text: &[(
                2021,
                M,
                "2021年，本街道因政府信息公开工作被申请行政复议1件，未被提起行政诉讼。",
                "2021年，本街道没有发生行政复议和行政诉讼。",
            )],
            at: (2021, M, Place::Text("没有发生")),
            path: "行政复议",
        },
    ]
}

#[test]
fn the_multi_year_fixture_is_clean() {
    let (code, diags) = check_json(&fixture("multi-year"));
    assert_eq!(code, 0);
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn every_rule_is_caught_with_rule_path_and_line() {
    let mut failures = Vec::new();
    for case in cases() {
        let site = temp_site("multi-year");
        let dir = |y: u16| site.path().join("content").join(y.to_string());
        for (year, keys, value) in case.yaml {
            set_value(&dir(*year).join(Y), keys, value);
        }
        for (year, file, find, replace) in case.text {
            let path = dir(*year).join(file);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(find), "{}: `{find}` not in {file}", case.name);
            fs::write(&path, text.replacen(find, replace, 1)).unwrap();
        }
        let (year, file, place) = case.at;
        let path = dir(year).join(file);
        let line = match place {
            Place::Yaml(keys) => line_of(&path, keys),
            Place::Text(t) => {
                let text = fs::read_to_string(&path).unwrap();
                text[..text
                    .find(t)
                    .unwrap_or_else(|| panic!("{}: `{t}`", case.name))]
                    .matches('\n')
                    .count()
                    + 1
            }
        };
        let (code, diags) = check_json(site.path());
        let want_file = format!("content/{year}/{file}");
        let hit = diags.iter().find(|d| {
            d["rule"] == case.rule
                && d["severity"] == case.severity
                && d["file"] == want_file.as_str()
                && d["line"] == line
                && d["label_path"].as_str().unwrap_or("").contains(case.path)
        });
        let want_code = if case.severity == "error" { 1 } else { 0 };
        let other_errors = diags.iter().any(|d| d["severity"] == "error");
        if hit.is_none() || (code != want_code && !(case.severity == "warning" && other_errors)) {
            failures.push(format!(
                "{}: want {} {} at {want_file}:{line} path ~ {}; exit {code}; got:\n{}",
                case.name,
                case.severity,
                case.rule,
                case.path,
                serde_json::to_string_pretty(&diags).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_hard_rule_is_covered_in_both_editions() {
    let cases = cases();
    for rule in [
        "R3.1", "R3.2", "R3.3", "R3.4", "R3.5", "R4.1", "R4.2", "R2.1", "R-X1", "R2.2", "R3.7",
        "R4.3",
    ] {
        for edition in ["2019", "2021"] {
            let covered = cases.iter().any(|c| {
                c.rule == rule && {
                    let year = c.at.0;
                    (year <= 2020) == (edition == "2019")
                }
            });
            assert!(covered, "{rule} has no case for the {edition} edition");
        }
    }
}
