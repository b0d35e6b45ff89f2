//! The rules of the editions applied to the multi-year fixture's reports, edited so that exactly
//! one rule breaks: the 勾稽关系 within a year (R3.1), the carry-over across years (R-X1), the
//! body-kind rule (R2.2) and the narrative's stated figures (R3.7).

use super::*;
use crate::format;
use crate::source::SourceFile;

const Y2020: &str = include_str!("../../tests/fixtures/multi-year/content/2020/report.yaml");
const Y2021: &str = include_str!("../../tests/fixtures/multi-year/content/2021/report.yaml");
const MD2021: &str = include_str!("../../tests/fixtures/multi-year/content/2021/report.md");

fn report(text: &str, year: u16) -> Report {
    let (report, diags) = crate::load::report::load(
        format::builtin(),
        &SourceFile::new(format!("content/{year}/report.yaml"), text),
        year,
    );
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    report.unwrap()
}

fn edited(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the fixture");
    text.replacen(from, to, 1)
}

fn rules(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.rule.as_str()).collect()
}

#[test]
fn the_fixture_years_pass_every_rule() {
    let prev = report(Y2020, 2020);
    let this = report(Y2021, 2021);
    let diags = check_report(&this, Some(&prev), "街道办事处");
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
}

#[test]
fn r3_1_new_plus_carried_equals_handled_plus_carried_over() {
    // One more application received from a natural person, with its total kept consistent: the
    // column no longer balances (12 + 1 + … ≠ handled + carried over).
    let text = edited(Y2021, "    自然人: 12\n", "    自然人: 13\n");
    let text = edited(&text, "    总计: 15\n", "    总计: 16\n");
    let diags = check_report(&report(&text, 2021), None, "街道办事处");
    assert_eq!(rules(&diags), ["R3.1", "R3.1"], "{diags:#?}");
    let d = &diags[0];
    assert!(d.is_error());
    // Located in this report, on the first term of the broken column.
    assert_eq!(d.file(), "content/2021/report.yaml");
    assert!(d.expected.is_some() && d.found.is_some());
}

#[test]
fn r_x1_carried_in_must_equal_last_years_carried_over() {
    let prev = report(Y2020, 2020);
    // 2021 says one application was carried in from a natural person; make it two.
    let text = edited(
        Y2021,
        "    自然人: 1  # 由2020年度报告结转\n",
        "    自然人: 2  # 由2020年度报告结转\n",
    );
    let text = edited(
        &text,
        "    总计: 1  # 由2020年度报告结转\n",
        "    总计: 2  # 由2020年度报告结转\n",
    );
    let this = report(&text, 2021);
    let diags = check_report(&this, Some(&prev), "街道办事处");
    assert!(rules(&diags).contains(&"R-X1"), "{diags:#?}");
    // Without the previous year, the cross-year rule is not applied (only R3.1 breaks).
    let alone = check_report(&this, None, "街道办事处");
    assert!(!rules(&alone).contains(&"R-X1"), "{alone:#?}");
    // Nor when the previous report is not of the year before.
    let mut older = prev.clone();
    older.year = 2019;
    let gap = check_report(&this, Some(&older), "街道办事处");
    assert!(!rules(&gap).contains(&"R-X1"), "{gap:#?}");
}

#[test]
fn r2_2_rules_for_a_street_office_not_for_a_city_government() {
    let text = edited(
        Y2021,
        "    规章:\n      本年制发件数: 0\n",
        "    规章:\n      本年制发件数: 1\n",
    );
    let text = edited(&text, "      现行有效件数: 0\n", "      现行有效件数: 1\n");
    let this = report(&text, 2021);
    let street = check_report(&this, None, "街道办事处");
    assert!(rules(&street).contains(&"R2.2"), "{street:#?}");
    assert!(
        street
            .iter()
            .find(|d| d.rule == "R2.2")
            .is_some_and(|d| !d.is_error())
    );
    let city = check_report(&this, None, "设区的市人民政府");
    assert!(!rules(&city).contains(&"R2.2"), "{city:#?}");
}

#[test]
fn r3_7_the_narratives_figures_must_match_the_tables() {
    let this = report(Y2021, 2021);
    let md = SourceFile::new("content/2021/report.md", MD2021);
    let (narrative, _) = crate::load::narrative::parse(this.edition, &md);
    let fine = check_claims(&this, &narrative);
    assert!(fine.is_empty(), "{fine:#?}");
    // The narrative says 15 applications were received; make it 16.
    let changed = edited(
        MD2021,
        "共收到政府信息公开申请15件",
        "共收到政府信息公开申请16件",
    );
    let md = SourceFile::new("content/2021/report.md", changed.as_str());
    let (narrative, _) = crate::load::narrative::parse(this.edition, &md);
    let diags = check_claims(&this, &narrative);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.file(), "content/2021/report.md");
    assert_eq!(&changed[d.span.clone().unwrap()], "16");
    assert_eq!(d.expected.as_deref(), Some("15（表格数）"));
}
