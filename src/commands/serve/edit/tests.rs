use super::model::*;
use crate::format::builtin;
use crate::load::narrative::Section;
use crate::load::report::splice::Target;

fn change(part: &str, row: &[&str], column: &[&str], value: serde_json::Value) -> ChangeIn {
    ChangeIn {
        part: Some(part.into()),
        row: Some(row.iter().map(|s| s.to_string()).collect()),
        column: Some(column.iter().map(|s| s.to_string()).collect()),
        value: Some(value),
        ..ChangeIn::default()
    }
}

#[test]
fn changes_are_named_as_in_the_data_downloads() {
    let e = builtin().by_id("2021").unwrap();
    let ok = resolve(
        e,
        &[
            change(
                "三",
                &["三、本年度办理结果", "（一）予以公开"],
                &["申请人情况", "自然人"],
                12.into(),
            ),
            change(
                "二",
                &["第二十条第（八）项", "行政事业性收费"],
                &["本年收费金额（单位：万元）"],
                "1.50".into(),
            ),
            ChangeIn {
                part: Some("一".into()),
                text: Some("概述".into()),
                ..ChangeIn::default()
            },
            ChangeIn {
                part: Some("导语".into()),
                text: Some("导语".into()),
                ..ChangeIn::default()
            },
        ],
        Mode::Save,
    )
    .unwrap();
    assert_eq!(ok.cells.len(), 2);
    assert_eq!(ok.cells[0].text, "12");
    assert_eq!(ok.cells[1].text, "1.5");
    assert_eq!(
        ok.narrative,
        vec![
            (Section::Part(0), "概述".into()),
            (Section::Lead, "导语".into())
        ]
    );
    // Every cell's API name finds it again.
    for t in cells(e) {
        let (p, r, c) = cell_name(e, t).unwrap();
        let rr: Vec<&str> = r.iter().map(String::as_str).collect();
        let cc: Vec<&str> = c.iter().map(String::as_str).collect();
        let got = resolve(e, &[change(&p, &rr, &cc, 0.into())], Mode::Save).unwrap();
        assert_eq!(got.cells[0].target, t);
    }
}

#[test]
fn unknown_cells_and_invalid_values_are_refused_with_the_loaders_words() {
    let e = builtin().by_id("2021").unwrap();
    let unknown = resolve(
        e,
        &[change("三", &["不存在"], &["自然人"], 1.into())],
        Mode::Save,
    )
    .unwrap_err();
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.message.contains("没有「三 › 不存在 › 自然人」"),
        "{}",
        unknown.message
    );
    let bad = change(
        "三",
        &["一、本年新收政府信息公开申请数量"],
        &["申请人情况", "自然人"],
        "1,000".into(),
    );
    let err = resolve(e, std::slice::from_ref(&bad), Mode::Save).unwrap_err();
    assert!(err.message.contains("千位分隔符"), "{}", err.message);
    assert_eq!(err.details["change"], 0);
    // A check writes it for the loader to report.
    let checked = resolve(e, &[bad], Mode::Check).unwrap();
    assert_eq!(checked.cells[0].text, "1,000");
    let date = resolve(
        e,
        &[ChangeIn {
            meta: Some("发布日期".into()),
            value: Some("2022-13-01".into()),
            ..ChangeIn::default()
        }],
        Mode::Save,
    )
    .unwrap_err();
    assert!(date.message.contains("发布日期"), "{}", date.message);
}

#[test]
fn totals_follow_the_loaders_order() {
    let e = builtin().by_id("2021").unwrap();
    let totals = totals(e);
    let t3 = e.table_index("3").unwrap();
    let table = &e.tables[t3];
    let total_row = table
        .leaf_rows
        .iter()
        .position(|r| r.total.is_some())
        .unwrap();
    let total_col = table
        .leaf_columns
        .iter()
        .position(|c| c.total.is_some())
        .unwrap();
    let corner = Target::Cell {
        table: t3,
        row: total_row,
        column: total_col,
    };
    // The corner is first a row total (of the column 总计 above it), then a column total.
    let at: Vec<usize> = totals
        .iter()
        .enumerate()
        .filter(|(_, (t, _))| *t == corner)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2);
    let (_, of) = &totals[at[0]];
    assert!(
        of.iter()
            .all(|t| matches!(t, Target::Cell { column, .. } if *column == total_col))
    );
}
