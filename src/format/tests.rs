use super::*;

fn ed(id: &str) -> &'static Edition {
    builtin().by_id(id).expect("edition")
}

fn labels(nodes: &[ColumnNode]) -> Vec<String> {
    nodes.iter().map(|n| n.label.clone()).collect()
}

#[test]
fn both_editions_compile_with_six_parts() {
    let f = builtin();
    assert_eq!(f.editions().len(), 2);
    for e in f.editions() {
        let headings: Vec<&str> = e.parts.iter().map(|p| p.heading.as_str()).collect();
        assert_eq!(
            headings,
            [
                "一、总体情况",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况",
                "五、存在的主要问题及改进情况",
                "六、其他需要报告的事项"
            ]
        );
    }
}

#[test]
fn editions_apply_to_their_years() {
    let f = builtin();
    assert_eq!(f.for_year(2019).unwrap().id, "2019");
    assert_eq!(f.for_year(2020).unwrap().id, "2019");
    assert_eq!(f.for_year(2021).unwrap().id, "2021");
    assert_eq!(f.for_year(2030).unwrap().id, "2021");
    assert!(f.for_year(2018).is_none());
    assert_eq!(
        f.by_declaration("国办公开办函〔2021〕30号").unwrap().id,
        "2021"
    );
    assert_eq!(f.by_declaration("2019版").unwrap().id, "2019");
    assert!(f.by_declaration("2020版").is_none());
}

#[test]
fn part_three_has_23_and_25_data_rows_of_seven_columns() {
    for (id, rows, span) in [("2019", 23, 20), ("2021", 25, 22)] {
        let t = ed(id).table("3").unwrap();
        assert_eq!(t.leaf_rows.len(), rows, "{id}");
        assert_eq!(t.row_header_depth(), 3);
        assert_eq!(t.header_depth(), 3);
        let cols: Vec<String> = t
            .leaf_columns
            .iter()
            .map(|c| c.path.last().unwrap().clone())
            .collect();
        assert_eq!(
            cols,
            [
                "自然人",
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他",
                "总计"
            ]
        );
        let results = t
            .rows
            .iter()
            .find(|r| r.label == "三、本年度办理结果")
            .unwrap();
        assert_eq!(
            results.height(),
            span,
            "{id}: rowspan of 三、本年度办理结果"
        );
        let total = t.leaf_columns.last().unwrap().total.as_ref().unwrap();
        assert_eq!(
            (total.rule.as_str(), total.of.clone()),
            ("R3.3", vec![0, 1, 2, 3, 4, 5])
        );
        let seventh = t
            .leaf_rows
            .iter()
            .position(|r| r.path.last().unwrap() == "（七）总计")
            .unwrap();
        let row_total = t.leaf_rows[seventh].total.as_ref().unwrap();
        assert_eq!(row_total.rule, "R3.2");
        assert_eq!(row_total.of.len(), span - 1);
        assert_eq!(
            t.corner.as_deref(),
            Some("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
        );
    }
    let other = ed("2021").table("3").unwrap().rows[2]
        .children
        .iter()
        .find(|r| r.label == "（六）其他处理")
        .unwrap();
    assert_eq!(other.children.len(), 3);
    assert_eq!(other.children[2].label, "3.其他");
    let other19 = ed("2019").table("3").unwrap().rows[2]
        .children
        .iter()
        .find(|r| r.label == "（六）其他处理")
        .unwrap();
    assert!(other19.children.is_empty());
}

#[test]
fn part_four_has_fifteen_columns_in_three_groups() {
    for id in ["2019", "2021"] {
        let t = ed(id).table("4").unwrap();
        assert!(t.single_row());
        assert_eq!(t.leaf_columns.len(), 15);
        assert_eq!(labels(&t.columns), ["行政复议", "行政诉讼"]);
        assert_eq!(t.columns[0].width(), 5);
        assert_eq!(t.columns[1].width(), 10);
        assert_eq!(
            labels(&t.columns[1].children),
            ["未经复议直接起诉", "复议后起诉"]
        );
        let totals: Vec<&str> = t
            .leaf_columns
            .iter()
            .filter_map(|c| c.total.as_ref())
            .map(|t| t.rule.as_str())
            .collect();
        assert_eq!(totals, ["R4.1", "R4.1", "R4.1"]);
        assert_eq!(
            t.leaf_columns[9].total.as_ref().unwrap().of,
            vec![5, 6, 7, 8]
        );
        assert_eq!(
            t.leaf_columns[7].key_path,
            ["行政诉讼", "未经复议直接起诉", "其他结果"]
        );
    }
}

#[test]
fn part_two_sub_tables_per_edition() {
    let e19 = ed("2019");
    let captions: Vec<String> = e19.tables_of("二").map(|(_, t)| t.caption_text()).collect();
    assert_eq!(
        captions,
        [
            "第二十条第（一）项",
            "第二十条第（五）项",
            "第二十条第（六）项",
            "第二十条第（八）项",
            "第二十条第（九）项"
        ]
    );
    assert_eq!(
        labels(&e19.table("2-5").unwrap().columns),
        ["上一年项目数量", "本年增/减", "处理决定数量"]
    );
    assert_eq!(
        labels(&e19.table("2-8").unwrap().columns),
        ["上一年项目数量", "本年增/减"]
    );
    assert_eq!(
        e19.table("2-5").unwrap().leaf_columns[1].kind,
        ColumnKind::Signed
    );
    let money = &e19.table("2-9").unwrap().leaf_columns[1];
    assert_eq!(
        (money.kind, money.unit.as_deref()),
        (ColumnKind::Money, None)
    );
    assert_eq!(e19.table("2-1").unwrap().number, "2-1");
    assert_eq!(e19.table("2-9").unwrap().number, "2-5");
    assert_eq!(e19.table("3").unwrap().number, "3");

    let e21 = ed("2021");
    let captions: Vec<String> = e21.tables_of("二").map(|(_, t)| t.caption_text()).collect();
    assert_eq!(
        captions,
        [
            "第二十条第（一）项",
            "第二十条第（五）项",
            "第二十条第（六）项",
            "第二十条第（八）项"
        ]
    );
    assert_eq!(
        labels(&e21.table("2-1").unwrap().columns),
        ["本年制发件数", "本年废止件数", "现行有效件数"]
    );
    let rows: Vec<&str> = e21
        .table("2-1")
        .unwrap()
        .rows
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    assert_eq!(rows, ["规章", "行政规范性文件"]);
    let fee = &e21.table("2-8").unwrap().leaf_columns[0];
    assert_eq!(
        (fee.path[0].as_str(), fee.unit.as_deref()),
        ("本年收费金额（单位：万元）", Some("万元"))
    );
}

#[test]
fn rules_resolve_to_cells() {
    let e = ed("2019");
    let r31 = e.rules.iter().find(|r| r.id == "R3.1").unwrap();
    assert_eq!(r31.instances.len(), 7);
    assert_eq!(r31.instances[0].left.len(), 2);
    assert_eq!(r31.instances[0].right[0].cells, vec![(21, 0)]);
    let x1 = e.rules.iter().find(|r| r.id == "R-X1").unwrap();
    assert!(x1.is_cross_year());
    assert!(x1.instances[3].right[0].previous);
    let e21 = ed("2021");
    let x4 = e21.rules.iter().find(|r| r.id == "R-X4").unwrap();
    assert_eq!(x4.instances.len(), 2);
    assert_eq!(x4.instances[1].right[2].sign, -1);
    // No R-X2/R-X3 across the edition change (FORMAT.md R-X5).
    assert!(e21.rules.iter().all(|r| r.id != "R-X2" && r.id != "R-X3"));
}

#[test]
fn metrics_sum_groups_without_totals() {
    let e = ed("2021");
    let refused = e.metric("refused").unwrap();
    assert_eq!(refused.cells[0].cells.len(), 8);
    let other = e.metric("other_handling").unwrap();
    assert_eq!(other.cells[0].cells.len(), 3);
    assert_eq!(
        ed("2019").metric("other_handling").unwrap().cells[0]
            .cells
            .len(),
        1
    );
}

#[test]
fn markers_detect_each_edition_only() {
    let f = builtin();
    for e in f.editions() {
        for m in &e.markers {
            let others = f.editions_with_label(m, &e.id);
            assert!(
                others.is_empty(),
                "{m} of {} also in {:?}",
                e.id,
                others.iter().map(|o| &o.id).collect::<Vec<_>>()
            );
        }
    }
}
