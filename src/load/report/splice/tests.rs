use super::*;
use crate::format::builtin;

fn edition(id: &str) -> &'static Edition {
    builtin().by_id(id).unwrap()
}

/// The leaf indices of the cell with these row and column labels (last labels).
fn cell(edition: &Edition, table: &str, row: &str, column: &str) -> Target {
    let ti = edition.table_index(table).unwrap();
    let t = &edition.tables[ti];
    let r = if row.is_empty() {
        0
    } else {
        t.leaf_rows
            .iter()
            .position(|r| r.path.last().is_some_and(|l| l == row))
            .unwrap_or_else(|| panic!("no row {row}"))
    };
    let c = t
        .leaf_columns
        .iter()
        .position(|c| c.key_path.join("›") == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    Target::Cell {
        table: ti,
        row: r,
        column: c,
    }
}

fn change(target: Target, text: &str) -> Change {
    Change {
        target,
        text: text.to_string(),
    }
}

fn scaffold(id: &str, year: u16) -> String {
    crate::commands::new::render_yaml(edition(id), year, "示例街道", &Vec::new(), None)
}

fn run(id: &str, raw: &str, changes: &[Change]) -> Result<String, SpliceError> {
    let stored = Stored::new("content/2021/report.yaml", raw.to_string());
    splice(edition(id), &stored, changes).map(|s| s.text)
}

/// The loaded report of a text, for the year of the edition.
fn load(id: &str, text: &str) -> super::super::Report {
    let year = edition(id).first_year;
    let file = crate::load::read::decode("report.yaml", text.as_bytes().to_vec()).unwrap();
    super::super::load(builtin(), &file, year).0.unwrap()
}

#[test]
fn one_change_replaces_only_that_value() {
    let raw = scaffold("2021", 2021);
    let e = edition("2021");
    let target = cell(e, "3", "（一）予以公开", "自然人");
    let out = run("2021", &raw, &[change(target, "12")]).unwrap();
    let at = raw.find("    （一）予以公开:\n      自然人: 0").unwrap()
        + "    （一）予以公开:\n      自然人: ".len();
    assert_eq!(out, format!("{}12{}", &raw[..at], &raw[at + 1..]));
    let Target::Cell { table, row, column } = target else {
        unreachable!()
    };
    assert_eq!(
        load("2021", &out).cell(table, row, column).unwrap().value,
        crate::number::Decimal::from_int(12)
    );
}

#[test]
fn crlf_bom_and_comments_are_kept() {
    let raw = format!("\u{feff}{}", scaffold("2019", 2020).replace('\n', "\r\n"));
    let e = edition("2019");
    let out = run(
        "2019",
        &raw,
        &[
            change(cell(e, "2-9", "政府集中采购", "采购总金额"), "16.98万元"),
            change(
                cell(e, "3", "一、本年新收政府信息公开申请数量", "商业企业"),
                "3",
            ),
        ],
    )
    .unwrap();
    assert!(out.starts_with('\u{feff}'));
    assert_eq!(out.matches("\r\n").count(), raw.matches("\r\n").count());
    assert_eq!(out.matches('\n').count(), raw.matches('\n').count());
    assert!(out.contains("采购总金额: 16.98万元  # 写明单位"), "{out}");
    assert_eq!(out.len(), raw.len() + "16.98万元".len() - 1);
}

#[test]
fn an_omitted_total_column_goes_where_the_scaffold_puts_it() {
    let e = edition("2021");
    let raw = scaffold("2021", 2021).replace("      总计: 0  # 可删去，自动计算\n", "");
    let raw = raw.replace("    总计: 0  # 可删去，自动计算\n", "");
    let target = cell(e, "3", "（一）予以公开", "总计");
    let out = run("2021", &raw, &[change(target, "7")]).unwrap();
    let expected = raw.replace(
        "    （一）予以公开:\n      自然人: 0\n      # 法人或其他组织\n      商业企业: 0\n      科研机构: 0\n      社会公益组织: 0\n      法律服务机构: 0\n      其他: 0\n",
        "    （一）予以公开:\n      自然人: 0\n      # 法人或其他组织\n      商业企业: 0\n      科研机构: 0\n      社会公益组织: 0\n      法律服务机构: 0\n      其他: 0\n      总计: 7\n",
    );
    assert_ne!(expected, raw);
    assert_eq!(out, expected);
}

#[test]
fn an_omitted_total_row_is_one_block_in_format_order() {
    let e = edition("2021");
    let scaffold = scaffold("2021", 2021);
    let start = scaffold.find("    （七）总计:\n").unwrap();
    let end = scaffold[start..].find("  四、").unwrap() + start;
    let raw = format!("{}{}", &scaffold[..start], &scaffold[end..]);
    let out = run(
        "2021",
        &raw,
        &[
            change(cell(e, "3", "（七）总计", "其他"), "2"),
            change(cell(e, "3", "（七）总计", "自然人"), "1"),
        ],
    )
    .unwrap();
    let block = "    （七）总计:\n      自然人: 1\n      其他: 2\n";
    assert_eq!(out, format!("{}{block}{}", &raw[..start], &raw[start..]));
    let r = load("2021", &out);
    let Target::Cell { table, row, column } = cell(e, "3", "（七）总计", "自然人") else {
        unreachable!()
    };
    assert!(!r.cell(table, row, column).unwrap().is_computed());
}

#[test]
fn an_entry_missing_before_its_siblings_goes_above_their_heading_comment() {
    let e = edition("2021");
    let raw = scaffold("2021", 2021);
    let line = "  一、本年新收政府信息公开申请数量:\n    自然人: 0\n";
    let without = raw.replacen(line, "  一、本年新收政府信息公开申请数量:\n", 1);
    let out = run(
        "2021",
        &without,
        &[change(
            cell(e, "3", "一、本年新收政府信息公开申请数量", "自然人"),
            "4",
        )],
    )
    .unwrap();
    assert_eq!(out, raw.replacen(line, &line.replace(": 0", ": 4"), 1));
}

#[test]
fn quoting_is_kept_for_text_and_dropped_for_a_quoted_number() {
    let e = edition("2019");
    let raw = scaffold("2019", 2020)
        .replace("采购总金额: 0", "采购总金额: \"0元\"")
        .replace("标题: 示例街道", "标题: '示例街道")
        .replace("年度报告\n", "年度报告'\n")
        .replacen("自然人: 0", "自然人: '5'", 1);
    let out = run(
        "2019",
        &raw,
        &[
            change(cell(e, "2-9", "政府集中采购", "采购总金额"), "169844元"),
            change(
                cell(e, "3", "一、本年新收政府信息公开申请数量", "自然人"),
                "7",
            ),
            change(Target::Meta(KEY_TITLE), "示例街道's 报告: 2020"),
        ],
    )
    .unwrap();
    assert!(out.contains("采购总金额: \"169844元\""), "{out}");
    assert!(out.contains("自然人: 7\n"), "{out}");
    assert!(out.contains("标题: '示例街道''s 报告: 2020'\n"), "{out}");
}

#[test]
fn values_in_flow_mappings_are_replaced_but_nothing_is_inserted_there() {
    let e = edition("2021");
    let raw = scaffold("2021", 2021).replace(
        "    （一）予以公开:\n      自然人: 0\n      # 法人或其他组织\n      商业企业: 0\n      科研机构: 0\n      社会公益组织: 0\n      法律服务机构: 0\n      其他: 0\n      总计: 0  # 可删去，自动计算\n",
        "    （一）予以公开: {自然人: 0, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0}\n",
    );
    assert!(raw.contains("{自然人: 0,"));
    let out = run(
        "2021",
        &raw,
        &[change(cell(e, "3", "（一）予以公开", "科研机构"), "9")],
    )
    .unwrap();
    assert!(
        out.contains("{自然人: 0, 商业企业: 0, 科研机构: 9,"),
        "{out}"
    );
    let refused = run(
        "2021",
        &raw,
        &[change(cell(e, "3", "（一）予以公开", "总计"), "9")],
    );
    assert!(matches!(refused, Err(SpliceError::Form(_))), "{refused:?}");
}

#[test]
fn an_empty_value_and_an_empty_row_are_filled_in() {
    let e = edition("2021");
    let raw = scaffold("2021", 2021)
        .replacen("    自然人: 0\n", "    自然人:\n", 1)
        .replace(
            "    行政许可:\n      本年处理决定数量: 0\n",
            "    行政许可:  # 待填\n",
        );
    let out = run(
        "2021",
        &raw,
        &[
            change(
                cell(e, "3", "一、本年新收政府信息公开申请数量", "自然人"),
                "3",
            ),
            change(cell(e, "2-5", "行政许可", "本年处理决定数量"), "6"),
        ],
    )
    .unwrap();
    assert!(out.contains("    自然人: 3\n"), "{out}");
    assert!(
        out.contains("    行政许可:  # 待填\n      本年处理决定数量: 6\n"),
        "{out}"
    );
}

#[test]
fn a_publication_date_goes_after_the_title() {
    let raw = scaffold("2021", 2021);
    let out = run(
        "2021",
        &raw,
        &[change(Target::Meta(KEY_PUBLISHED), "2022-01-20")],
    )
    .unwrap();
    assert!(
        out.contains("年度报告\n发布日期: 2022-01-20\n# 发布日期: 2022-01-31"),
        "{out}"
    );
    assert_eq!(load("2021", &out).published.as_deref(), Some("2022-01-20"));
}

#[test]
fn a_file_without_a_last_line_ending_gets_one_before_new_lines() {
    let e = edition("2021");
    let raw = scaffold("2021", 2021);
    let cut = raw.find("  四、结转下年度继续办理:").unwrap();
    let four = raw.find("四、政府信息公开行政复议").unwrap();
    // Table 四 is the last part; drop its last line ending and its 总计 columns.
    let mut text = raw[..four].to_string();
    text.push_str(
        &raw[four..]
            .lines()
            .filter(|l| !l.contains("总计"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    assert!(!text.ends_with('\n') && cut < four);
    let out = run(
        "2021",
        &text,
        &[change(cell(e, "4", "", "行政诉讼›复议后起诉›总计"), "0")],
    )
    .unwrap();
    assert!(out.starts_with(&text));
    assert_eq!(&out[text.len()..], "\n      总计: 0\n");
}

#[test]
fn refused_edits() {
    let e = edition("2021");
    let target = cell(e, "3", "（一）予以公开", "自然人");
    assert!(matches!(
        run("2021", "年度: [", &[change(target, "1")]),
        Err(SpliceError::NotAMap(_))
    ));
    assert!(matches!(
        run("2021", "", &[change(target, "1")]),
        Err(SpliceError::NotAMap(_))
    ));
    let raw = scaffold("2021", 2021).replace(
        "三、收到和处理政府信息公开申请情况:\n",
        "三、收到和处理政府信息公开申请情况: 5\nx:\n",
    );
    assert!(matches!(
        run("2021", &raw, &[change(target, "1")]),
        Err(SpliceError::Shape(_) | SpliceError::NotAMap(_))
    ));
    assert!(matches!(
        run(
            "2021",
            &scaffold("2021", 2021),
            &[change(target, "1"), change(target, "2")]
        ),
        Err(SpliceError::Twice(_))
    ));
}

#[test]
fn any_text_is_written_so_that_it_reads_back() {
    let e = edition("2021");
    let target = cell(e, "3", "（一）予以公开", "自然人");
    for text in [
        "1,000", "无", "-", "- 1", "a: b", "x #y", "#1", "\"", "'", "null", "~", "", " 5", "5 ",
        "[1]", "{a}", "1\n2", "\\", "@x", "é\u{7}",
    ] {
        let out = run("2021", &scaffold("2021", 2021), &[change(target, text)])
            .unwrap_or_else(|err| panic!("{text:?}: {err}"));
        let file = SourceFile::new("x", out.as_str());
        let root = tree(&file).unwrap();
        let mut flat = BTreeMap::new();
        flatten(&root, &mut Vec::new(), &mut flat);
        let value = flat
            .iter()
            .find(|(k, _)| k.len() == 4 && k[2] == "（一）予以公开" && k[3] == "自然人")
            .map(|(_, v)| v.clone());
        assert!(
            matches!(&value, Some(Leaf::Scalar(s, _)) if s == text),
            "{text:?}: {value:?}"
        );
    }
}

#[test]
fn values_are_read_as_the_loader_reads_them() {
    let e = edition("2021");
    let Target::Cell { table, row, column } = cell(e, "3", "（一）予以公开", "自然人")
    else {
        unreachable!()
    };
    let ok = read_cell(e, table, row, column, " 012 ").unwrap();
    assert_eq!(canonical(&ok, " 012 "), "12");
    let thousands = read_cell(e, table, row, column, "1,000").unwrap_err();
    assert!(thousands.contains("千位分隔符"), "{thousands}");
    let negative = read_cell(e, table, row, column, "-1").unwrap_err();
    assert!(negative.contains("不能为负数"), "{negative}");
    let empty = read_cell(e, table, row, column, "").unwrap_err();
    assert!(empty.contains("没有填写"), "{empty}");
    let e19 = edition("2019");
    let Target::Cell { table, row, column } = cell(e19, "2-9", "政府集中采购", "采购总金额")
    else {
        unreachable!()
    };
    let money = read_cell(e19, table, row, column, "16.980万元").unwrap();
    assert_eq!(canonical(&money, "16.980万元"), "16.98万元");
    assert!(read_cell(e19, table, row, column, "5美元").is_err());
    let Target::Cell { table, row, column } = cell(e19, "2-5", "行政许可", "本年增/减")
    else {
        unreachable!()
    };
    let plus = read_cell(e19, table, row, column, "+3").unwrap();
    assert_eq!(canonical(&plus, "+3"), "+3");
}
