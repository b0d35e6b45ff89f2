//! Property tests over generated reports of both editions.
//!
//! Numbers are generated for every cell of the edition's tables so that they satisfy the rules
//! (non-negative counts, every 总计 the sum of what it totals, 表三 一 + 二 = 三（七）总计 + 四, and
//! the part-二 relations of R2.2–R2.6), written through the report writer into a site with the
//! fixture's narrative, and then:
//!
//! 1. `check` passes;
//! 2. any single count of 表三 or 表四 changed by a few makes it fail;
//! 3. the built site's `data/<year>.json` and the import of its own year page give the same
//!    cells (export → import round trip).

// The generator walks table grids by row and column index, as the format defines them.
#![allow(clippy::needless_range_loop)]

use std::fs;
use std::path::Path;

use gongkai::commands::import;
use gongkai::format::{self, ColumnKind, Edition, Table};
use gongkai::load::report::writer::{Header, Written, write_yaml};
use gongkai::number::Decimal;
use gongkai::pipeline;
use proptest::prelude::*;

/// Values of every cell: `[table][row][col]`.
type Values = Vec<Vec<Vec<Decimal>>>;

/// Raw numbers the generator draws from, in order (cycling when exhausted).
struct Raw<'a> {
    v: &'a [u32],
    i: usize,
}

impl Raw<'_> {
    fn next(&mut self) -> i64 {
        let x = self.v[self.i % self.v.len()];
        self.i += 1;
        i64::from(x)
    }
}

fn dec(v: i64) -> Decimal {
    Decimal::from_int(v)
}

fn int(d: Decimal) -> i64 {
    d.to_i64().expect("an integer")
}

fn col_label(t: &Table, c: usize) -> &str {
    t.leaf_columns[c].path.last().unwrap()
}

fn row_starts(t: &Table, r: usize, prefix: &str) -> bool {
    t.leaf_rows[r]
        .path
        .first()
        .is_some_and(|p| p.starts_with(prefix))
}

/// A free cell of part 二, given the cells to its left in the same row.
fn part2_value(t: &Table, r: usize, c: usize, row: &[Decimal], raw: &mut Raw<'_>) -> Decimal {
    let label = col_label(t, c);
    let left = |name: &str| {
        (0..c)
            .find(|&k| col_label(t, k) == name)
            .map(|k| row[k])
            .unwrap_or(Decimal::ZERO)
    };
    if t.leaf_rows[r].path.last().is_some_and(|l| l == "规章") {
        return Decimal::ZERO; // R2.2: a 街道办事处 makes no 规章
    }
    match t.leaf_columns[c].kind {
        ColumnKind::Signed => {
            // R2.5: 上一年项目数量 + 本年增/减 ≥ 0.
            let prev = int(left("上一年项目数量"));
            dec(raw.next() % (prev + 21) - prev)
        }
        ColumnKind::Money => {
            if label == "采购总金额" && left("采购项目数量").is_zero() {
                return Decimal::ZERO; // R2.6: both 0 or both positive
            }
            let cents = raw.next() * 37 + 1;
            Decimal::parse(&format!("{}.{:02}", cents / 100, cents % 100)).unwrap()
        }
        ColumnKind::Count => {
            let v = raw.next();
            match label {
                // R2.4: 本年新公开数量 ≤ 对外公开总数量.
                "对外公开总数量" => left("本年新公开数量").plus(dec(v)),
                // R2.3 (no previous year here): 废止 ≤ 制发.
                "本年废止件数" => dec(v % (int(left("本年制发件数")) + 1)),
                "采购项目数量" => dec(v % 4),
                // R2.5: a positive 本年增/减 must not read as an unsigned decrease.
                "处理决定数量" => {
                    let (prev, change) = (left("上一年项目数量"), left("本年增/减"));
                    let v = dec(v);
                    if change.is_positive() && prev.minus(change) == v {
                        v.plus(dec(1))
                    } else {
                        v
                    }
                }
                _ => dec(v),
            }
        }
    }
}

/// Generate consistent values for every cell of `edition`.
fn generate(edition: &Edition, raw: &[u32]) -> Values {
    let mut raw = Raw { v: raw, i: 0 };
    let mut out = Vec::new();
    for t in &edition.tables {
        let (nr, nc) = (t.leaf_rows.len(), t.leaf_columns.len());
        let mut v = vec![vec![Decimal::ZERO; nc]; nr];
        let is3 = t.id == "3";
        let free_col = |c: usize| t.leaf_columns[c].total.is_none();
        let (new, carried, forward) = if is3 {
            let find = |p: &str| (0..nr).find(|&r| row_starts(t, r, p)).unwrap();
            (Some(find("一、")), Some(find("二、")), Some(find("四、")))
        } else {
            (None, None, None)
        };
        // Free cells.
        for r in 0..nr {
            if t.leaf_rows[r].total.is_some() || Some(r) == new || Some(r) == carried {
                continue;
            }
            for c in (0..nc).filter(|&c| free_col(c)) {
                v[r][c] = if t.part == "二" {
                    part2_value(t, r, c, &v[r], &mut raw)
                } else {
                    dec(raw.next())
                };
            }
        }
        // Total rows ((七)总计), on the free columns.
        for r in 0..nr {
            if let Some(total) = &t.leaf_rows[r].total {
                for c in (0..nc).filter(|&c| free_col(c)) {
                    v[r][c] = total.of.iter().fold(Decimal::ZERO, |s, &k| s.plus(v[k][c]));
                }
            }
        }
        // 表三: 二 (上年结转) at most what was finished or carried forward; 一 follows (R3.1).
        if let (Some(new), Some(carried), Some(forward)) = (new, carried, forward) {
            let done = (0..nr).find(|&r| t.leaf_rows[r].total.is_some()).unwrap();
            for c in (0..nc).filter(|&c| free_col(c)) {
                let out_c = int(v[done][c]) + int(v[forward][c]);
                let carried_in = raw.next() % (out_c + 1);
                v[carried][c] = dec(carried_in);
                v[new][c] = dec(out_c - carried_in);
            }
        }
        // Total columns, for every row (twice, in case a total counts another).
        for _ in 0..2 {
            for r in 0..nr {
                for c in 0..nc {
                    if let Some(total) = &t.leaf_columns[c].total {
                        v[r][c] = total.of.iter().fold(Decimal::ZERO, |s, &k| s.plus(v[r][k]));
                    }
                }
            }
        }
        out.push(v);
    }
    out
}

/// report.yaml for the values (every cell written, totals included).
fn yaml(edition: &Edition, year: u16, values: &Values) -> String {
    let header = Header {
        comments: vec!["属性测试生成的报告".into()],
        year,
        title: format!("示例街道政府信息公开工作{year}年度报告"),
        published: Some(format!("{}-01-20", year + 1)),
        published_note: None,
    };
    write_yaml(edition, &header, &|t, r, c| {
        let table = &edition.tables[t];
        let column = &table.leaf_columns[c];
        let v = values[t][r][c];
        let text = match column.kind {
            ColumnKind::Money if column.unit.is_none() => format!("{v}元"),
            _ => v.to_string(),
        };
        Some(Written {
            text,
            comment: None,
        })
    })
}

/// The edition and year a case uses, and the fixture year whose narrative it copies.
fn edition_for(which: bool) -> (&'static Edition, u16) {
    let year = if which { 2021 } else { 2020 };
    (format::builtin().for_year(year).unwrap(), year)
}

/// A site with one year: the fixture's site.toml and report.md, the given report.yaml.
fn site(year: u16, report_yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = crate::common::fixture("multi-year");
    fs::copy(fixture.join("site.toml"), dir.path().join("site.toml")).unwrap();
    let y = dir.path().join(format!("content/{year}"));
    fs::create_dir_all(&y).unwrap();
    fs::copy(
        fixture.join(format!("content/{year}/report.md")),
        y.join("report.md"),
    )
    .unwrap();
    fs::write(y.join("report.yaml"), report_yaml).unwrap();
    dir
}

fn errors(root: &Path) -> Vec<String> {
    problems(root, false)
}

/// Errors, and with `warnings` also the warnings of the table rules and the loader (those the
/// generator satisfies); the narrative copied from the fixture may disagree with the generated
/// numbers (R3.7, R4.3), which is not a problem of the tables.
fn problems(root: &Path, warnings: bool) -> Vec<String> {
    let checked = pipeline::check(root).unwrap();
    checked
        .diagnostics()
        .filter(|d| d.is_error() || (warnings && !matches!(d.rule.as_str(), "R3.7" | "R4.3")))
        .map(|d| d.one_line())
        .collect()
}

/// `cases` cases; failing inputs are kept in tests/proptest-regressions/ and replayed first.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/proptest-regressions/properties.txt",
            ),
        )),
        ..ProptestConfig::default()
    }
}

/// Raw numbers: mostly small, some zero, a few large.
fn raw_numbers() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(
        prop_oneof![3 => 0u32..3, 3 => 0u32..40, 1 => 0u32..20_000],
        300..400,
    )
}

proptest! {
    #![proptest_config(config(64))]

    /// A report whose numbers satisfy the rules passes `check`, without a warning from the table
    /// rules either.
    #[test]
    fn consistent_reports_pass(raw in raw_numbers(), which in any::<bool>()) {
        let (edition, year) = edition_for(which);
        let values = generate(edition, &raw);
        let text = yaml(edition, year, &values);
        let dir = site(year, &text);
        let problems = problems(dir.path(), true);
        prop_assert!(problems.is_empty(), "{}\n{text}", problems.join("\n"));
    }
}

proptest! {
    #![proptest_config(config(160))]

    /// Changing any single count of 表三 or 表四 by a few makes `check` fail.
    #[test]
    fn one_changed_count_fails(
        raw in raw_numbers(),
        which in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        delta in prop_oneof![-3i64..=-1, 1i64..=3],
    ) {
        let (edition, year) = edition_for(which);
        let mut values = generate(edition, &raw);
        let cells: Vec<(usize, usize, usize)> = edition
            .tables
            .iter()
            .enumerate()
            .filter(|(_, t)| t.part == "三" || t.part == "四")
            .flat_map(|(ti, t)| {
                (0..t.leaf_rows.len())
                    .flat_map(move |r| (0..t.leaf_columns.len()).map(move |c| (ti, r, c)))
            })
            .collect();
        let (t, r, c) = cells[pick.index(cells.len())];
        let before = int(values[t][r][c]);
        let after = if before + delta < 0 { before - delta } else { before + delta };
        values[t][r][c] = dec(after);
        let text = yaml(edition, year, &values);
        let dir = site(year, &text);
        let errors = errors(dir.path());
        let table = &edition.tables[t];
        prop_assert!(
            !errors.is_empty(),
            "{} › {:?} › {:?}: {before} → {after} passed the check",
            table.id,
            table.leaf_rows[r].path,
            table.leaf_columns[c].path
        );
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// The cells of the built `data/<year>.json` come back unchanged when the built year page
    /// is imported.
    #[test]
    fn export_import_round_trip(raw in raw_numbers(), which in any::<bool>()) {
        let (edition, year) = edition_for(which);
        let values = generate(edition, &raw);
        let dir = site(year, &yaml(edition, year, &values));
        let out = dir.path().join("public");
        pipeline::build(dir.path(), Some(&out)).unwrap_or_else(|e| panic!("{e:?}"));
        let exported: serde_json::Value = serde_json::from_slice(
            &fs::read(out.join(format!("data/{year}.json"))).unwrap(),
        )
        .unwrap();
        let page = fs::read(out.join(format!("{year}/index.html"))).unwrap();
        let analysis = import::analyze("index.html", &page, None)
            .unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(analysis.year, year);
        prop_assert_eq!(&analysis.edition.id, &edition.id);
        let imported = serde_json::to_value(&analysis.cells).unwrap();
        let exported = &exported["cells"];
        prop_assert_eq!(
            exported.as_array().map(Vec::len),
            imported.as_array().map(Vec::len)
        );
        for (e, i) in exported.as_array().unwrap().iter().zip(imported.as_array().unwrap()) {
            // Including the unit of a money column the format leaves open (2019 采购总金额):
            // the page states it in the table note («单位：…采购总金额为元»), which the importer
            // reads.
            prop_assert_eq!(e, i);
        }
    }
}

/// The generator itself: values of a generated report satisfy R3.1 and the totals, so the
/// properties above test the checker and not a lenient generator.
#[test]
fn generated_reports_are_consistent() {
    let raw: Vec<u32> = (0..400).map(|i| (i * 7919 % 97) as u32).collect();
    for which in [false, true] {
        let (edition, _) = edition_for(which);
        let v = generate(edition, &raw);
        for (ti, t) in edition.tables.iter().enumerate() {
            for r in 0..t.leaf_rows.len() {
                for c in 0..t.leaf_columns.len() {
                    if let Some(total) = &t.leaf_columns[c].total {
                        let sum = total
                            .of
                            .iter()
                            .fold(Decimal::ZERO, |s, &k| s.plus(v[ti][r][k]));
                        assert_eq!(v[ti][r][c], sum, "{} row {r} col {c}", t.id);
                    }
                    assert!(
                        !v[ti][r][c].is_negative() || t.leaf_columns[c].kind == ColumnKind::Signed
                    );
                }
            }
            if t.id == "3" {
                let row = |p: &str| {
                    (0..t.leaf_rows.len())
                        .find(|&r| row_starts(t, r, p))
                        .unwrap()
                };
                let done = (0..t.leaf_rows.len())
                    .find(|&r| t.leaf_rows[r].total.is_some())
                    .unwrap();
                for c in 0..t.leaf_columns.len() {
                    let lhs = v[ti][row("一、")][c].plus(v[ti][row("二、")][c]);
                    let rhs = v[ti][done][c].plus(v[ti][row("四、")][c]);
                    assert_eq!(lhs, rhs, "R3.1 column {c}");
                }
            }
        }
    }
}
