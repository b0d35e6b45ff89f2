//! Property tests of the splice writer (`load::report::splice`): random changes to random cells
//! of every report.yaml in the repository and of generated ones — written in the scaffold's
//! layout, then disguised the ways clerks' files differ: CRLF line endings, a BOM, blank lines,
//! comments between and after entries, quoted values, totals left out to be computed.
//!
//! For every edit:
//!
//! 1. the output is the input with exactly the returned edits applied, and each edit either
//!    replaces the bytes of one value (the span the loader reads it from) or inserts whole lines
//!    (or ` value` after an empty `key:`), in the file's line endings;
//! 2. comments, blank lines, the BOM, line endings and the order of the keys are kept;
//! 3. loading the output gives exactly the intended cells: each changed cell holds its new
//!    value, every other cell that was written holds its old one, nothing else appears.

use std::fs;
use std::path::PathBuf;

use gongkai::format::{self, ColumnKind, Edition, KEY_PUBLISHED, KEY_TITLE};
use gongkai::load::report::splice::{self, Change, SpliceError, Spliced, Stored, Target};
use gongkai::load::report::writer::{Header, Written, write_yaml};
use gongkai::load::report::{self, Report};
use proptest::prelude::*;

use crate::common::repo;

/// Every report.yaml in the repository (the bundled site and the fixtures).
fn fixture_reports() -> Vec<(PathBuf, u16)> {
    let mut out = Vec::new();
    for root in ["content", "tests/fixtures"] {
        for e in walkdir::WalkDir::new(repo().join(root)).sort_by_file_name() {
            let e = e.unwrap();
            if e.file_name() != "report.yaml" || e.path().to_string_lossy().contains("bad_inputs") {
                continue;
            }
            let year = e
                .path()
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse::<u16>().ok());
            if let Some(year) = year {
                out.push((e.path().to_path_buf(), year));
            }
        }
    }
    assert!(out.len() >= 8, "{out:?}");
    out
}

fn load(name: &str, raw: &str, year: u16) -> Option<Report> {
    let stored = Stored::new(name, raw.to_string());
    report::load(format::builtin(), &stored.file, year).0
}

fn all_cells(edition: &Edition) -> Vec<Target> {
    let mut out = Vec::new();
    for (table, t) in edition.tables.iter().enumerate() {
        for row in 0..t.leaf_rows.len() {
            for column in 0..t.leaf_columns.len() {
                out.push(Target::Cell { table, row, column });
            }
        }
    }
    out
}

/// A valid value for a cell, from a random number.
fn value_for(edition: &Edition, target: Target, n: u32) -> String {
    match target {
        Target::Meta(KEY_TITLE) => format!("示例街道政府信息公开工作年度报告（第{n}稿）"),
        Target::Meta(_) => format!("20{:02}-0{}-1{}", 20 + n % 10, 1 + n % 9, n % 10),
        Target::Cell { table, column, .. } => {
            let c = &edition.tables[table].leaf_columns[column];
            match c.kind {
                ColumnKind::Count => (n % 100_000).to_string(),
                ColumnKind::Signed => match n % 3 {
                    0 => format!("-{}", n % 50),
                    1 => format!("+{}", n % 50 + 1),
                    _ => (n % 50).to_string(),
                },
                ColumnKind::Money => {
                    let number = format!("{}.{:02}", n % 10_000, n % 97);
                    if c.units.len() == 1 && c.unit.is_some() || c.units == ["万元"] {
                        number
                    } else if n.is_multiple_of(2) {
                        format!("{number}元")
                    } else {
                        format!("{number}万元")
                    }
                }
            }
        }
    }
}

/// The changes picked by `picks`: distinct targets (cells, now and then 标题 or 发布日期).
fn changes_for(edition: &Edition, picks: &[(u32, u32)]) -> Vec<Change> {
    let cells = all_cells(edition);
    let mut out: Vec<Change> = Vec::new();
    for &(at, n) in picks {
        let target = match at % 40 {
            0 => Target::Meta(KEY_TITLE),
            1 => Target::Meta(KEY_PUBLISHED),
            _ => cells[at as usize % cells.len()],
        };
        if out.iter().any(|c| c.target == target) {
            continue;
        }
        let text = value_for(edition, target, n);
        out.push(Change { target, text });
    }
    out
}

/// Apply edits (in the stored file's offsets) to `raw`.
fn apply(raw: &str, edits: &[splice::Edit]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        assert!(
            e.range.start >= at,
            "edits overlap or are out of order: {edits:?}"
        );
        out.push_str(&raw[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&raw[at..]);
    out
}

fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| l.trim_start().starts_with('#'))
        .collect()
}

/// The properties of one splice; `must` says the file is one the editor must always edit (a
/// block-style file in the scaffold's shape).
fn check_one(edition: &'static Edition, year: u16, raw: &str, changes: &[Change], must: bool) {
    let name = format!("content/{year}/report.yaml");
    let stored = Stored::new(&name, raw.to_string());
    let result = splice::splice(edition, &stored, changes);
    let Spliced { text: out, edits } = match result {
        Ok(s) => s,
        Err(e @ (SpliceError::NotAMap(_) | SpliceError::Shape(_) | SpliceError::Form(_)))
            if !must =>
        {
            // Refused as a whole, with a reason: the editor writes nothing.
            let _ = e.to_string();
            return;
        }
        Err(e) => panic!("refused: {e}\nchanges: {changes:?}\n{raw}"),
    };
    // 1. Exactly the edits.
    assert_eq!(
        apply(raw, &edits),
        out,
        "the output is the input with the edits"
    );
    let crlf = raw.contains("\r\n");
    let eol = if crlf { "\r\n" } else { "\n" };
    let before = load(&name, raw, year);
    for e in &edits {
        if e.range.is_empty() {
            let start = e.range.start;
            let after_colon = raw[..start].ends_with(':');
            let at_line_start = start == 0 || raw[..start].ends_with('\n');
            let at_end = start == raw.len();
            assert!(
                after_colon || at_line_start || at_end,
                "an insertion mid-line: {e:?}"
            );
            if after_colon {
                assert!(e.text.starts_with(' ') && !e.text.contains('\n'), "{e:?}");
            } else {
                assert!(e.text.ends_with('\n'), "whole lines: {e:?}");
                if crlf {
                    assert_eq!(
                        e.text.matches('\n').count(),
                        e.text.matches("\r\n").count(),
                        "CRLF kept: {e:?}"
                    );
                } else {
                    assert!(!e.text.contains('\r'), "{e:?}");
                }
                for line in e.text.split(eol).filter(|l| !l.is_empty()) {
                    let body = line.trim_start_matches(' ');
                    assert!(
                        body.contains(':') && !body.starts_with('#'),
                        "a new line is one entry: {line:?}"
                    );
                }
            }
        } else {
            // A replaced value: on one line, and exactly where the loader read the old value.
            let old = &raw[e.range.clone()];
            assert!(!old.contains('\n') && !e.text.contains('\n'), "{e:?}");
            if let Some(r) = &before {
                for c in changes {
                    if let Target::Cell { table, row, column } = c.target
                        && let Some(span) = r.cell(table, row, column).and_then(|x| x.span.clone())
                        && stored.to_raw(span.start) == e.range.start
                    {
                        assert_eq!(stored.to_raw(span.end), e.range.end, "the value's span");
                    }
                }
            }
        }
    }
    // 2. Comments, BOM, line endings, key order.
    assert_eq!(comments(raw), comments(&out), "comments kept");
    assert_eq!(raw.starts_with('\u{feff}'), out.starts_with('\u{feff}'));
    if crlf && !raw.replace("\r\n", "").contains('\n') {
        assert!(
            !out.replace("\r\n", "").contains('\n'),
            "every line ends in CRLF"
        );
    }
    if !raw.contains('\r') {
        assert!(!out.contains('\r'));
    }
    let order = |text: &str| -> Vec<Target> {
        let s = Stored::new(&name, text.to_string());
        let mut w = splice::written(edition, &s.file);
        w.sort_by_key(|(_, span, _)| span.start);
        w.into_iter().map(|(t, _, _)| t).collect()
    };
    let (old_order, new_order) = (order(raw), order(&out));
    let kept: Vec<&Target> = new_order.iter().filter(|t| old_order.contains(t)).collect();
    assert_eq!(kept, old_order.iter().collect::<Vec<_>>(), "key order kept");
    // New values go where the scaffold puts them: a file in the format's order stays in it.
    let rank = |t: &Target| match t {
        Target::Meta(KEY_TITLE) => (0, 0, 0, 0),
        Target::Meta(_) => (1, 0, 0, 0),
        Target::Cell { table, row, column } => (2, *table, *row, *column),
    };
    let sorted = |v: &[Target]| v.windows(2).all(|w| rank(&w[0]) < rank(&w[1]));
    if sorted(&old_order) {
        assert!(
            sorted(&new_order),
            "new values in the format's order: {new_order:?}"
        );
    }
    // 3. Exactly the intended cells.
    let after = load(&name, &out, year).expect("the output loads");
    for t in all_cells(edition) {
        let Target::Cell { table, row, column } = t else {
            unreachable!()
        };
        let new = after.cell(table, row, column);
        match changes.iter().find(|c| c.target == t) {
            Some(c) => {
                let want = splice::read_cell(edition, table, row, column, &c.text).unwrap();
                let got = new.unwrap_or_else(|| panic!("{t:?} not read back"));
                assert_eq!(
                    (got.value, &got.unit, got.plus),
                    (want.value, &want.unit, want.plus),
                    "{t:?}"
                );
                assert!(got.span.is_some(), "{t:?} is written");
            }
            None => {
                let old = before.as_ref().and_then(|r| r.cell(table, row, column));
                match old.filter(|o| o.span.is_some()) {
                    Some(o) => {
                        let n = new.unwrap_or_else(|| panic!("{t:?} lost"));
                        assert_eq!(
                            (n.value, &n.unit, n.plus),
                            (o.value, &o.unit, o.plus),
                            "{t:?} unchanged"
                        );
                        assert!(n.span.is_some());
                    }
                    None => assert!(new.is_none_or(|n| n.span.is_none()), "{t:?} appeared"),
                }
            }
        }
    }
    for c in changes {
        match c.target {
            Target::Meta(KEY_TITLE) => assert_eq!(after.title.as_deref(), Some(c.text.as_str())),
            Target::Meta(_) => assert_eq!(after.published.as_deref(), Some(c.text.as_str())),
            Target::Cell { .. } => {}
        }
    }
}

/// How a generated file is disguised.
#[derive(Debug, Clone)]
struct Style {
    crlf: bool,
    bom: bool,
    /// Per line: 0 nothing, 1 a blank line before, 2 a comment line before, 3 a trailing comment.
    noise: Vec<u8>,
    /// Per value: wrap it in quotes (0 no, 1 double, 2 single).
    quotes: Vec<u8>,
    /// Per cell: leave a total out.
    omit: Vec<bool>,
}

fn style() -> impl Strategy<Value = Style> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(prop::sample::select(vec![0u8, 0, 0, 0, 0, 1, 2, 3]), 300),
        prop::collection::vec(prop::sample::select(vec![0u8, 0, 0, 0, 0, 0, 1, 2]), 300),
        prop::collection::vec(any::<bool>(), 300),
    )
        .prop_map(|(crlf, bom, noise, quotes, omit)| Style {
            crlf,
            bom,
            noise,
            quotes,
            omit,
        })
}

/// A report.yaml of `edition` in the scaffold's layout, disguised by `style`.
fn generated(edition: &Edition, year: u16, values: &[u32], style: &Style) -> String {
    let header = Header {
        comments: vec!["生成的报告".into()],
        year,
        title: format!("示例街道政府信息公开工作{year}年度报告"),
        published: None,
        published_note: Some("发布日期: 待定".into()),
    };
    let mut i = 0usize;
    let text = write_yaml(edition, &header, &|t, r, c| {
        // The same decision every time the writer asks about a cell.
        let k = t * 1009 + r * 53 + c;
        let table = &edition.tables[t];
        let col = &table.leaf_columns[c];
        let total = col.total.is_some() || table.leaf_rows[r].total.is_some();
        if total && style.omit[k % style.omit.len()] {
            return None;
        }
        let n = values[k % values.len()];
        let text = value_for(
            edition,
            Target::Cell {
                table: t,
                row: r,
                column: c,
            },
            n,
        );
        let text = match style.quotes[k % style.quotes.len()] {
            1 => format!("\"{text}\""),
            2 => format!("'{text}'"),
            _ => text,
        };
        Some(Written {
            text,
            comment: None,
        })
    });
    let mut out = String::new();
    for line in text.lines() {
        let noise = style.noise[i % style.noise.len()];
        i += 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        match noise {
            1 => out.push('\n'),
            2 => out.push_str(&format!("{}# 注释{i}\n", " ".repeat(indent))),
            _ => {}
        }
        out.push_str(line);
        if noise == 3 && !line.contains('#') && !line.trim().is_empty() {
            out.push_str(&format!("  # 行尾注释{i}"));
        }
        out.push('\n');
    }
    if style.crlf {
        out = out.replace('\n', "\r\n");
    }
    if style.bom {
        out.insert(0, '\u{feff}');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_changes_to_the_fixture_reports(
        which in any::<prop::sample::Index>(),
        picks in prop::collection::vec((any::<u32>(), any::<u32>()), 1..12),
        crlf in any::<bool>(),
    ) {
        let reports = fixture_reports();
        let (path, year) = &reports[which.index(reports.len())];
        let raw = fs::read_to_string(path).unwrap();
        let raw = if crlf { raw.replace("\r\n", "\n").replace('\n', "\r\n") } else { raw };
        let edition = load("x", &raw, *year).map_or_else(|| format::builtin().for_year(*year).unwrap(), |r| r.edition);
        let changes = changes_for(edition, &picks);
        // The bundled site and the consistent fixtures are in the scaffold's shape: always edited.
        let must = !path.to_string_lossy().contains("fixtures/errors");
        check_one(edition, *year, &raw, &changes, must);
    }

    #[test]
    fn random_changes_to_generated_reports(
        new_edition in any::<bool>(),
        values in prop::collection::vec(any::<u32>(), 50..300),
        style in style(),
        picks in prop::collection::vec((any::<u32>(), any::<u32>()), 1..16),
    ) {
        let year = if new_edition { 2023 } else { 2020 };
        let edition = format::builtin().for_year(year).unwrap();
        let raw = generated(edition, year, &values, &style);
        let changes = changes_for(edition, &picks);
        check_one(edition, year, &raw, &changes, true);
    }
}

#[test]
fn the_generator_makes_what_it_promises() {
    let edition = format::builtin().for_year(2023).unwrap();
    let s = Style {
        crlf: true,
        bom: true,
        noise: vec![0, 1, 2, 3],
        quotes: vec![0, 1, 2],
        omit: vec![true, false],
    };
    let raw = generated(edition, 2023, &[5, 6, 7], &s);
    assert!(raw.starts_with('\u{feff}') && raw.contains("\r\n\r\n") && raw.contains("# 注释"));
    assert!(raw.contains(": \"") && raw.contains(": '") && raw.contains("# 行尾注释"));
    let unquoted = generated(
        edition,
        2023,
        &[5, 6, 7],
        &Style {
            quotes: vec![0],
            ..s
        },
    );
    let r = load("x", &unquoted, 2023).unwrap();
    assert!(
        r.tables
            .iter()
            .flat_map(|t| &t.cells)
            .any(|c| c.as_ref().is_some_and(|c| c.is_computed()))
    );
}
