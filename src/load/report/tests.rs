//! Loading report.yaml: values under their labels, units and signs, omitted totals computed and
//! given ones checked, and the located problems of wrong keys — on the multi-year fixture's
//! reports (one per edition), edited line by line.

use super::*;
use crate::format;

const Y2020: &str = include_str!("../../../tests/fixtures/multi-year/content/2020/report.yaml");
const Y2021: &str = include_str!("../../../tests/fixtures/multi-year/content/2021/report.yaml");

fn load_text(text: &str, year: u16) -> (Option<Report>, Vec<Diagnostic>) {
    load(
        format::builtin(),
        &SourceFile::new("content/report.yaml", text),
        year,
    )
}

/// `text` with the first occurrence of `from` replaced (which must be there).
fn edited(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the fixture");
    text.replacen(from, to, 1)
}

/// The value at a label path of table `table` (row labels outer→inner, column labels).
fn value(report: &Report, table: &str, row: &[&str], col: &[&str]) -> Option<Cell> {
    let ti = report.edition.table_index(table).unwrap();
    let t = &report.edition.tables[ti];
    let r = if t.single_row() {
        0
    } else {
        let path: Vec<String> = row.iter().map(|s| s.to_string()).collect();
        format::resolve_row_path(t, &path).unwrap()[0]
    };
    let path: Vec<String> = col.iter().map(|s| s.to_string()).collect();
    let c = format::resolve_col_path(t, &path).unwrap()[0];
    report.cell(ti, r, c).cloned()
}

fn rules(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.rule.as_str()).collect()
}

#[test]
fn both_editions_load_every_cell_without_problems() {
    for (text, year, edition) in [(Y2020, 2020, "2019"), (Y2021, 2021, "2021")] {
        let (report, diags) = load_text(text, year);
        let report = report.unwrap();
        assert!(diags.iter().all(|d| !d.is_error()), "{year}: {diags:#?}");
        assert_eq!(report.edition.id, edition);
        assert_eq!(report.year, year);
        for (ti, t) in report.tables.iter().enumerate() {
            assert!(
                t.cells.iter().all(Option::is_some),
                "{year}: table {ti} has a missing cell"
            );
        }
    }
}

#[test]
fn values_land_under_their_labels_with_their_spans() {
    let (report, _) = load_text(Y2021, 2021);
    let report = report.unwrap();
    let c = value(
        &report,
        "3",
        &["一、本年新收政府信息公开申请数量"],
        &["自然人"],
    )
    .unwrap();
    assert_eq!(c.value, Decimal::from_int(12));
    let span = c.span.clone().unwrap();
    assert_eq!(&Y2021[span], "12");
    let fee = value(
        &report,
        "2-8",
        &["行政事业性收费"],
        &["本年收费金额（单位：万元）"],
    );
    // The money column of the fee table carries its fixed unit.
    let fee = fee.unwrap();
    assert_eq!(fee.value.to_string(), "1.25");
    assert_eq!(fee.unit.as_deref(), Some("万元"));
    assert_eq!(
        report.title.as_deref(),
        Some("示例街道政府信息公开工作2021年度报告")
    );
    assert_eq!(report.published.as_deref(), Some("2022-01-24"));
}

#[test]
fn an_omitted_total_is_computed_and_marked_as_such() {
    let text = edited(Y2021, "    其他: 0\n    总计: 15\n", "    其他: 0\n");
    let (report, diags) = load_text(&text, 2021);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let total = value(
        &report.unwrap(),
        "3",
        &["一、本年新收政府信息公开申请数量"],
        &["总计"],
    )
    .unwrap();
    assert_eq!(total.value, Decimal::from_int(15));
    assert!(total.is_computed());
}

#[test]
fn a_given_total_that_does_not_add_up_is_located_at_the_total() {
    let text = edited(Y2021, "    总计: 15\n", "    总计: 16\n");
    let (_, diags) = load_text(&text, 2021);
    let d = diags.iter().find(|d| d.is_error()).expect("an error");
    assert!(d.rule.starts_with("R3"), "{}", d.rule);
    assert!(d.message.contains("总计"), "{}", d.message);
    assert_eq!(&text[d.span.clone().unwrap()], "16");
    assert_eq!(d.expected.as_deref(), Some("15"));
    assert_eq!(d.found.as_deref(), Some("16"));
}

#[test]
fn signs_and_units_are_kept_as_written() {
    // 本年增/减 of the 2019 edition is signed and shown as written: -2 as is, +3 with its sign.
    let text = edited(Y2020, "      本年增/减: 1\n", "      本年增/减: +3\n");
    let (report, diags) = load_text(&text, 2020);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let report = report.unwrap();
    let plus = value(&report, "2-5", &["行政许可"], &["本年增/减"]).unwrap();
    assert!(plus.plus);
    assert_eq!(plus.value.signed_text(), "+3");
    let minus = value(&report, "2-6", &["行政处罚"], &["本年增/减"]).unwrap();
    assert!(!minus.plus);
    assert_eq!(minus.value, Decimal::from_int(-2));
    // A count written with a unit is refused, located at the value.
    let text = edited(Y2021, "    自然人: 12\n", "    自然人: 12件\n");
    let (_, diags) = load_text(&text, 2021);
    let d = diags.iter().find(|d| d.rule == "S4").expect("S4");
    assert_eq!(&text[d.span.clone().unwrap()], "12件");
}

#[test]
fn an_unknown_key_is_located_with_a_suggestion() {
    let text = edited(Y2021, "    商业企业: 3\n", "    商业企: 3\n");
    let (_, diags) = load_text(&text, 2021);
    let d = diags.iter().find(|d| d.rule == "S1").expect("S1");
    assert!(d.message.contains("商业企"), "{}", d.message);
    assert_eq!(&text[d.span.clone().unwrap()], "商业企");
    assert!(
        d.hint.as_deref().is_some_and(|h| h.contains("商业企业")),
        "{:?}",
        d.hint
    );
    // The cell left without its key is reported missing as well.
    assert!(rules(&diags).contains(&"S3"), "{diags:#?}");
}

#[test]
fn a_duplicate_key_is_one_error_pointing_at_both() {
    let text = edited(
        Y2021,
        "    商业企业: 3\n",
        "    商业企业: 3\n    商业企业: 3\n",
    );
    let (_, diags) = load_text(&text, 2021);
    let d = diags.iter().find(|d| d.rule == "S2").expect("S2");
    assert!(!d.related.is_empty());
}

#[test]
fn another_editions_labels_are_one_edition_error() {
    // Table 2-1 of the 2019 edition under a 2021 declaration.
    let part = |t: &str| {
        let a = t.find("二、主动公开政府信息情况:").unwrap();
        let b = t.find("三、收到和处理政府信息公开申请情况:").unwrap();
        t[a..b].to_string()
    };
    let text = Y2021.replacen(&part(Y2021), &part(Y2020), 1);
    let (_, diags) = load_text(&text, 2021);
    let s5: Vec<&Diagnostic> = diags.iter().filter(|d| d.rule == "S5").collect();
    assert!(!s5.is_empty(), "{diags:#?}");
    let said = format!("{} {}", s5[0].message, s5[0].hint.as_deref().unwrap_or(""));
    assert!(said.contains("格式不符") && said.contains("2019"), "{said}");
    // Not dozens of unknown keys besides.
    assert!(
        diags.iter().filter(|d| d.rule == "S1").count() <= 1,
        "{diags:#?}"
    );
}

#[test]
fn the_folder_year_and_the_declared_year_must_agree() {
    let (_, diags) = load_text(Y2021, 2022);
    assert!(diags.iter().any(|d| d.rule == "S7"), "{diags:#?}");
}

#[test]
fn metrics_sum_their_cells() {
    let (report, _) = load_text(Y2021, 2021);
    let report = report.unwrap();
    assert_eq!(report.metric("requests_new"), Some(Decimal::from_int(15)));
    assert_eq!(report.metric("no_such_metric"), None);
}

#[test]
fn suggestions_count_characters_not_bytes() {
    let candidates = vec![
        "本年新收政府信息公开申请数量".to_string(),
        "上年结转政府信息公开申请数量".to_string(),
    ];
    // Two characters wrong of fourteen: within the limit, the nearest label is suggested.
    assert_eq!(
        suggestion_hint("本年新收政府信息公开申请数目", &candidates),
        "是否应为「本年新收政府信息公开申请数量」？栏目名称要与格式完全一致。"
    );
    // Too far from every label: the list instead.
    assert_eq!(
        suggestion_hint("其他", &candidates),
        "这里可用的栏目：本年新收政府信息公开申请数量、上年结转政府信息公开申请数量。"
    );
    assert_eq!(suggestion_hint("其他", &[]), "这里不应有栏目；请检查缩进。");
}
