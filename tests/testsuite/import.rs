//! `gongkai import`: every real report of the reference set, the bundled 东柳街道 2020 report,
//! an HTML page with the real multi-level layout, a GB18030 file, a traditional-character mirror
//! copy, and a multi-year import checked across years.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai::commands::import::{self, Analysis, Missing};
use gongkai::format::{self, Edition};
use gongkai::load::report;
use gongkai::pipeline;
use gongkai::render::data::{TidyCell, tidy_cells};
use gongkai::source::SourceFile;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn report_fixture(name: &str) -> PathBuf {
    fixture("reports").join(format!("{name}.txt"))
}

fn analyze_path(path: &Path) -> Analysis {
    let bytes = fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    import::analyze(&name, &bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn analyze(name: &str) -> Analysis {
    analyze_path(&report_fixture(name))
}

/// A temporary site with the given site.toml.
fn site(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("site.toml"), config).unwrap();
    dir
}

fn dongliu_site() -> tempfile::TempDir {
    site(&fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).unwrap())
}

const YUNHU_SITE: &str = "language = \"zh-CN\"\n\n[body]\nname = \"示范区云湖街道办事处\"\nshort_name = \"云湖街道\"\nkind = \"街道办事处\"\n";

fn key(part: &str, row: &[String], column: &[String]) -> String {
    format!("{part}|{}|{}", row.join("›"), column.join("›"))
}

fn shown(c: &TidyCell) -> String {
    match c.unit.as_deref() {
        Some(u @ ("元" | "万元")) => format!("{}{u}", c.value),
        _ => c.value.to_string(),
    }
}

fn cell_map(cells: &[TidyCell]) -> BTreeMap<String, String> {
    cells
        .iter()
        .map(|c| (key(&c.part, &c.row, &c.column), shown(c)))
        .collect()
}

/// Expected cells, built by table.
struct Expect {
    edition: &'static Edition,
    cells: BTreeMap<String, String>,
}

impl Expect {
    fn new(edition: &str) -> Self {
        Expect {
            edition: format::builtin().by_id(edition).unwrap(),
            cells: BTreeMap::new(),
        }
    }

    /// One row of a part-二 table: values in the format's column order.
    fn t2(mut self, caption: &str, row: &str, values: &[&str]) -> Self {
        let t = self
            .edition
            .tables
            .iter()
            .find(|t| t.caption.as_deref() == Some(caption))
            .unwrap_or_else(|| panic!("no table {caption}"));
        assert_eq!(values.len(), t.leaf_columns.len(), "{caption} {row}");
        for (col, v) in t.leaf_columns.iter().zip(values) {
            let row = vec![caption.to_string(), row.to_string()];
            self.cells.insert(key("二", &row, &col.path), v.to_string());
        }
        self
    }

    /// Every row of table 三: the given rows (six applicant columns; 总计 is their sum), all
    /// other rows zero. `rows` names a row by its last label.
    fn t3(mut self, rows: &[(&str, [i64; 6])]) -> Self {
        let t = self.edition.table("3").unwrap();
        for row in &t.leaf_rows {
            let last = row.path.last().unwrap();
            let values = rows
                .iter()
                .find(|(l, _)| l == last)
                .map_or([0; 6], |(_, v)| *v);
            let total: i64 = values.iter().sum();
            for (i, col) in t.leaf_columns.iter().enumerate() {
                let v = if i < 6 { values[i] } else { total };
                self.cells
                    .insert(key("三", &row.path, &col.path), v.to_string());
            }
        }
        self
    }

    /// Only the given rows of table 三 (seven values each, 总计 last).
    fn t3_rows(mut self, rows: &[(&[&str], [i64; 7])]) -> Self {
        let t = self.edition.table("3").unwrap();
        for (path, values) in rows {
            let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            assert!(t.leaf_rows.iter().any(|r| r.path == path), "{path:?}");
            for (i, col) in t.leaf_columns.iter().enumerate() {
                self.cells
                    .insert(key("三", &path, &col.path), values[i].to_string());
            }
        }
        self
    }

    /// Table 四: 15 values in the format's order.
    fn t4(mut self, values: [i64; 15]) -> Self {
        let t = self.edition.table("4").unwrap();
        for (col, v) in t.leaf_columns.iter().zip(values) {
            self.cells.insert(key("四", &[], &col.path), v.to_string());
        }
        self
    }

    /// The cells of the analysis are exactly these; every other cell is reported missing.
    fn check(self, a: &Analysis) {
        assert_eq!(a.edition.id, self.edition.id, "{}: edition", a.file);
        let got = cell_map(&a.cells);
        for (k, v) in &self.cells {
            assert_eq!(got.get(k), Some(v), "{}: cell {k}", a.file);
        }
        for k in got.keys() {
            assert!(
                self.cells.contains_key(k),
                "{}: unexpected cell {k} = {}",
                a.file,
                got[k]
            );
        }
        assert_rest_missing(a);
    }
}

/// Whether a missing entry covers a cell.
fn covers(m: &Missing, part: &str, row: &[String], column: &[String]) -> bool {
    m.part == part
        && if m.column.is_empty() {
            row.starts_with(&m.row)
        } else {
            m.row == row && m.column == column
        }
}

/// Every cell of the edition is either imported or covered by exactly one missing entry.
fn assert_rest_missing(a: &Analysis) {
    let got = cell_map(&a.cells);
    for t in &a.edition.tables {
        for r in &t.leaf_rows {
            let mut row: Vec<String> = t.caption.iter().cloned().collect();
            row.extend(r.path.iter().cloned());
            for c in &t.leaf_columns {
                let k = key(&t.part, &row, &c.path);
                let n = a
                    .missing
                    .iter()
                    .filter(|m| covers(m, &t.part, &row, &c.path))
                    .count();
                if got.contains_key(&k) {
                    assert_eq!(n, 0, "{}: {k} is present and missing", a.file);
                } else {
                    assert_eq!(
                        n, 1,
                        "{}: {k} is neither imported nor reported missing",
                        a.file
                    );
                }
            }
        }
    }
    for m in &a.missing {
        assert!(!m.reason.is_empty());
    }
}

fn zeros(n: usize) -> Vec<&'static str> {
    vec!["0"; n]
}

// ── The bundled report ─────────────────────────────────────────────────────────────────────

/// Importing 东柳街道 2020 reproduces the bundled content/2020/report.yaml cell by cell.
#[test]
fn dongliu_reproduces_the_bundled_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bundled_text = fs::read_to_string(root.join("content/2020/report.yaml")).unwrap();
    let (bundled, _) = report::load(
        format::builtin(),
        &SourceFile::new("content/2020/report.yaml", bundled_text),
        2020,
    );
    let expected = tidy_cells(&bundled.unwrap());

    let dir = dongliu_site();
    let outcomes = import::import_files(
        dir.path(),
        &[report_fixture("nb_yinzhou_dongliu_2020")],
        false,
        false,
    )
    .unwrap();
    let a = outcomes[0].analysis.as_ref().unwrap();
    assert_eq!(a.cells, expected);
    assert_eq!(a.cells.len(), 198);
    assert!(a.missing.is_empty(), "{:?}", a.missing);

    // What was written reads back the same through the site loader.
    let written = fs::read_to_string(dir.path().join("content/2020/report.yaml")).unwrap();
    let (reread, _) = report::load(
        format::builtin(),
        &SourceFile::new("content/2020/report.yaml", written),
        2020,
    );
    assert_eq!(tidy_cells(&reread.unwrap()), expected);
    // The site checks exactly as the bundled one: no errors, the same warnings.
    let checked = pipeline::check(dir.path()).unwrap();
    let rules = |c: &pipeline::Checked| {
        let mut r: Vec<String> = c.diagnostics().map(|d| d.rule.clone()).collect();
        r.sort();
        r
    };
    let bundled_site = tempfile::tempdir().unwrap();
    fs::copy(
        root.join("site.toml"),
        bundled_site.path().join("site.toml"),
    )
    .unwrap();
    fs::create_dir_all(bundled_site.path().join("content/2020")).unwrap();
    for f in ["report.yaml", "report.md"] {
        fs::copy(
            root.join("content/2020").join(f),
            bundled_site.path().join("content/2020").join(f),
        )
        .unwrap();
    }
    assert_eq!(checked.counts().0, 0);
    assert_eq!(
        rules(&checked),
        rules(&pipeline::check(bundled_site.path()).unwrap())
    );

    // The narrative: lead-in, six parts, the stray sentence kept as part 四's text.
    let md = fs::read_to_string(dir.path().join("content/2020/report.md")).unwrap();
    assert!(md.starts_with("按照《宁波市鄞州区人民政府办公室"));
    assert!(md.contains("## 政府信息公开行政复议、行政诉讼情况\n\n2020年，街道没有签发行政规范性文件、没有制定重大政策。"));
    assert!(md.contains("### （一）存在问题"));
    assert!(md.contains("## 六、其他需要报告的事项\n\n无其他需要报告的事项。"));
    assert!(!md.contains("SOURCE:"));
}

#[test]
fn dongliu_metadata_and_normalisations() {
    let a = analyze("nb_yinzhou_dongliu_2020");
    assert_eq!(a.year, 2020);
    assert_eq!(a.title, "东柳街道政府信息公开工作2020年度报告");
    assert_eq!(a.body, "鄞州区东柳街道办事处");
    assert_eq!(a.published, None);
    for (what, value) in [
        ("电话", "55002786"),
        ("传真", "55002700"),
        ("邮编", "315100"),
        ("地址", "鄞州区桑田路801号"),
    ] {
        assert!(
            a.contact.iter().any(|(w, v)| w == what && v == value),
            "{what}"
        );
    }
    let at = |kind: &str, line: usize| {
        a.normalisations
            .iter()
            .any(|n| n.kind == kind && n.line == Some(line))
    };
    assert!(at("wu_as_zero", 119), "无 in 总计 of row 一");
    assert!(at("wu_as_zero", 338), "无 in 自然人 of （七）总计");
    assert!(at("blank_as_zero", 31), "blank 对外公开总数量 of 规章");
    assert!(at("padding", 63), "　14");
    assert!(at("label_joined", 361), "结果 / 维持");
    assert!(at("label_spaces", 378), "其他结 果");
    assert!(at("blank_total", 159), "blank 总计 on a sub-row");
    // 采购总金额 keeps no unit; 行政处罚 keeps 14 | 10 | 4.
    let cells = cell_map(&a.cells);
    assert_eq!(
        cells["二|第二十条第（九）项›政府集中采购|采购总金额"],
        "169844"
    );
    assert_eq!(cells["二|第二十条第（六）项›行政处罚|本年增/减"], "10");
    let yaml = &a.yaml;
    assert!(yaml.contains("采购总金额: 169844  # 原文未注明单位"));
    assert!(yaml.contains("总计: 0  # 原文为「无」"));
}

// ── Every real report ─────────────────────────────────────────────────────────────────────

#[test]
fn every_reference_report_imports() {
    let mut names: Vec<String> = fs::read_dir(fixture("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names.len(), 21);
    for n in names {
        let a = analyze_path(&fixture("reports").join(&n));
        assert_rest_missing(&a);
        assert!(!a.markdown.is_empty(), "{n}");
        assert!(!a.markdown.contains("SOURCE:"), "{n}");
    }
}

#[test]
fn text_only_excerpts_have_no_tables() {
    for (name, year, edition, body) in [
        ("nb_gaoxinqu_guanweihui_2019", 2019, "2019", None),
        (
            "nb_jiangbei_tongjiju_2020",
            2020,
            "2019",
            Some("宁波市江北区统计局"),
        ),
        ("hz_xiaoshan_beigan_2021", 2021, "2021", Some("北干街道")),
        ("tz_luqiao_luoyang_2021", 2021, "2021", Some("螺洋街道")),
        (
            "jh_yiwu_niansanli_2022",
            2022,
            "2021",
            Some("义乌市廿三里街道办事处"),
        ),
        (
            "hz_xiaoshan_shushan_2024",
            2024,
            "2021",
            Some("杭州市萧山区人民政府蜀山街道办事处"),
        ),
        (
            "wz_lucheng_qidu_2024",
            2024,
            "2021",
            Some("温州市鹿城区七都街道办事处"),
        ),
    ] {
        let a = analyze(name);
        assert_eq!((a.year, a.edition.id.as_str()), (year, edition), "{name}");
        if let Some(b) = body {
            assert_eq!(a.body, b, "{name}");
        }
        assert!(a.cells.is_empty(), "{name}");
        // One entry per table, each saying the source has no such table.
        assert_eq!(a.missing.len(), a.edition.tables.len(), "{name}");
        assert!(
            a.missing.iter().all(|m| m.reason == "原文没有这张表格"),
            "{name}: {:?}",
            a.missing
        );
        assert!(
            a.normalisations
                .iter()
                .any(|n| n.kind == "edition_from_year"),
            "{name}"
        );
        assert!(a.markdown.contains("## 一、总体情况"), "{name}");
    }
}

/// 桂花坪街道 2020: headings 二/三/四 with nothing under them — "no data", never zeros.
#[test]
fn cs_tianxin_tables_missing() {
    let a = analyze("cs_tianxin_guihuaping_2020");
    assert_eq!(
        (a.year, a.body.as_str()),
        (2020, "长沙市天心区桂花坪街道办事处")
    );
    assert_eq!(a.published.as_deref(), Some("2021-01-25"));
    assert!(a.cells.is_empty());
    assert_eq!(a.missing.len(), 7);
    assert!(
        a.missing
            .iter()
            .all(|m| m.reason.contains("标题下没有表格")),
        "{:?}",
        a.missing
    );
    assert!(!a.yaml.contains(": 0"));
    assert!(
        a.yaml
            .contains("# 缺少「二、主动公开政府信息情况」的表格数据")
    );
    for h in [
        "## 一、总体情况",
        "## 二、主动公开政府信息情况",
        "## 五、存在的主要问题及改进情况",
        "## 六、其他需要报告的事项",
    ] {
        assert!(a.markdown.contains(h), "{h}");
    }
    assert!(!a.markdown.contains("扫一扫"));
}

/// 螅镇 2022: the 2019 tables in 2022, labels without a single value — missing, with a warning.
#[test]
fn pds_jiaxian_labels_without_values() {
    let a = analyze("pds_jiaxian_xizhen_2022");
    assert_eq!((a.year, a.edition.id.as_str()), (2022, "2019"));
    assert!(a.cells.is_empty());
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "edition_year_mismatch")
    );
    assert_eq!(a.published.as_deref(), Some("2023-01-31 13:24"));
    let reasons: Vec<&str> = a.missing.iter().map(|m| m.reason.as_str()).collect();
    assert!(
        reasons[..6]
            .iter()
            .all(|r| r.contains("只有栏目，没有数值")),
        "{reasons:?}"
    );
    assert_eq!(reasons[6], "原文没有这张表格");
    Expect::new("2019").check(&a);
}

#[test]
fn bj_tongzhou_xinhua_truncated_header_and_split_row() {
    let a = analyze("bj_tongzhou_xinhua_2019");
    assert_eq!(a.body, "新华街道办事处");
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &["1", "1", "1"])
        .t2("第二十条第（五）项", "行政许可", &zeros(3))
        .check(&a);
    let split = a
        .missing
        .iter()
        .find(|m| m.row.last().map(String::as_str) == Some("其他对外管理服务事项"))
        .unwrap();
    assert!(split.reason.contains("行政检查") && split.reason.contains("行政确认"));
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "truncated_header")
    );
    // The non-standard sub-rows are named with their lines.
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "nonstandard_row" && n.line == Some(43) && n.original == "行政检查")
    );
}

#[test]
fn bj_tongzhou_zhongcang_lone_pipes() {
    let a = analyze("bj_tongzhou_zhongcang_2025");
    assert_eq!((a.year, a.body.as_str()), (2025, "中仓街道"));
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &zeros(3))
        .check(&a);
}

#[test]
fn sx_yuecheng_modified_labels() {
    let a = analyze("sx_yuecheng_donghu_2023");
    assert_eq!(a.year, 2023);
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &["0", "1", "0"])
        .check(&a);
    for kind in ["year_in_label", "label_alias", "table_title_row"] {
        assert!(a.normalisations.iter().any(|n| n.kind == kind), "{kind}");
    }
}

#[test]
fn tj_beichen_mixed_flattening() {
    let a = analyze("tj_beichen_jiarongli_2021");
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &zeros(3))
        .t2("第二十条第（五）项", "行政许可", &["0"])
        .t2("第二十条第（六）项", "行政处罚", &["0"])
        .t2("第二十条第（六）项", "行政强制", &["0"])
        .check(&a);
}

/// 文登区信访局 2022 p.8: a PDF page with part 四 only; the header scrambled, 15 values on a line.
#[test]
fn wd_wendeng_pdf_line() {
    let a = analyze("wd_wendeng_xinfangju_2022_p8");
    assert_eq!((a.year, a.body.as_str()), (2022, "威海市文登区信访局"));
    Expect::new("2021").t4([0; 15]).check(&a);
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "scrambled_header" && n.line == Some(8))
    );
    assert!(
        a.markdown
            .contains("## 四、因政府信息公开工作被申请行政复议提起行政诉讼情况")
    );
    // Lines wrapped by the PDF are joined into paragraphs.
    assert!(
        a.markdown
            .contains("一是组织建设仍需改进。政府信息公开工作业务骨干以兼职为主,队伍建设")
    );
    assert!(!a.markdown.contains("0 0 0"));
}

/// 武汉黄陂 2020: instructions inside labels, an extra row, OCR junk inside an instruction.
#[test]
fn wh_huangpi_wuhan_variant() {
    let a = analyze("wh_huangpi_street_2020");
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &["87", "0", "0"])
        .t2("第二十条第（五）项", "行政许可", &zeros(3))
        .t2("第二十条第（五）项", "其他对外管理服务事项", &zeros(3))
        .t2("第二十条第（六）项", "行政处罚", &zeros(3))
        .check(&a);
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "nonstandard_row" && n.line == Some(24))
    );
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "label_note" && n.line == Some(50) && n.result == "本年增/减")
    );
}

#[test]
fn wx_xishan_dongbeitang_units_and_header_order() {
    let a = analyze("wx_xishan_dongbeitang_2019");
    assert_eq!((a.year, a.body.as_str()), (2019, "东北塘街道"));
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &["4", "4", "17"])
        .t2("第二十条第（五）项", "行政许可", &zeros(3))
        .t2("第二十条第（五）项", "其他对外管理服务事项", &zeros(3))
        .t2("第二十条第（六）项", "行政处罚", &zeros(3))
        .t2("第二十条第（六）项", "行政强制", &zeros(3))
        .t2("第二十条第（八）项", "行政事业性收费", &zeros(2))
        .t2("第二十条第（九）项", "政府集中采购", &["67", "1646.5万元"])
        .check(&a);
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "backslash" && n.line == Some(26))
    );
    assert!(a.normalisations.iter().any(|n| n.kind == "header_order"));
}

#[test]
fn wx_xishan_yunlin_blank_lines_between_cells() {
    let a = analyze("wx_xishan_yunlin_2019");
    assert_eq!((a.year, a.body.as_str()), (2019, "云林街道"));
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &zeros(3))
        .t2("第二十条第（五）项", "行政许可", &zeros(3))
        .t2("第二十条第（五）项", "其他对外管理服务事项", &zeros(3))
        .t2("第二十条第（六）项", "行政处罚", &zeros(3))
        .t2("第二十条第（六）项", "行政强制", &zeros(3))
        .t2("第二十条第（八）项", "行政事业性收费", &zeros(2))
        .t2("第二十条第（九）项", "政府集中采购", &zeros(2))
        .check(&a);
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "label_joined" && n.line == Some(25))
    );
}

#[test]
fn wz_dongcheng_mirror() {
    let a = analyze("wz_dongcheng_2019");
    assert_eq!(a.body, "东城街道");
    assert_eq!(a.title, "东城街道2019年政府信息公开工作年度报告");
    assert_eq!(a.published.as_deref(), Some("2020-01-15"));
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "mirror_domain" && n.original == "puroview.com")
    );
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &zeros(3))
        .check(&a);
}

#[test]
fn wz_ouhai_row_preserving_lines() {
    let a = analyze("wz_ouhai_liao_2023");
    assert_eq!((a.year, a.body.as_str()), (2023, "丽岙街道"));
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &["1", "3", "3"])
        .check(&a);
}

#[test]
fn xx_taiping_2021_tables_and_part_three() {
    let a = analyze("xx_taiping_2022");
    assert_eq!((a.year, a.body.as_str()), (2022, "太平镇人民政府"));
    const Z: [i64; 7] = [0; 7];
    let 三 = "三、本年度办理结果";
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &zeros(3))
        .t2("第二十条第（五）项", "行政许可", &["0"])
        .t2("第二十条第（六）项", "行政处罚", &["0"])
        .t2("第二十条第（六）项", "行政强制", &["0"])
        .t2("第二十条第（八）项", "行政事业性收费", &["0万元"])
        .t3_rows(&[
            (&["一、本年新收政府信息公开申请数量"][..], Z),
            (&["二、上年结转政府信息公开申请数量"][..], Z),
            (&[三, "（一）予以公开"][..], Z),
            (
                &[
                    三,
                    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                ][..],
                Z,
            ),
            (&[三, "（三）不予公开", "1.属于国家秘密"][..], Z),
            (&[三, "（三）不予公开", "2.其他法律行政法规禁止公开"][..], Z),
            (&[三, "（三）不予公开", "3.危及“三安全一稳定”"][..], Z),
        ])
        .check(&a);
    // "(三)" and "不予公开" on separate lines, "商业"/"企业" split.
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "label_joined" && n.line == Some(165))
    );
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "label_joined" && n.line == Some(85))
    );
}

/// The whole reference report 东柳街道 2020, by value, in the generic way too.
#[test]
fn dongliu_cells() {
    let a = analyze("nb_yinzhou_dongliu_2020");
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &zeros(3))
        .t2("第二十条第（五）项", "行政许可", &zeros(3))
        .t2("第二十条第（五）项", "其他对外管理服务事项", &zeros(3))
        .t2("第二十条第（六）项", "行政处罚", &["14", "10", "4"])
        .t2("第二十条第（六）项", "行政强制", &zeros(3))
        .t2("第二十条第（八）项", "行政事业性收费", &zeros(2))
        .t2("第二十条第（九）项", "政府集中采购", &["37", "169844"])
        .t3(&[])
        .t4([0; 15])
        .check(&a);
}

// ── HTML, GB18030, traditional characters ─────────────────────────────────────────────────

/// The [SH2019] layout: one 5-column grid for part 二 whose data cells span other columns than
/// the header cells, rowspan="20" on 三、本年度办理结果, 总计 blank on every sub-row, &nbsp; for
/// zero in parts 三 and 四.
#[test]
fn html_multi_level_layout_imports_exactly() {
    let a = analyze_path(&fixture("yunhu_2019.html"));
    assert!(a.html);
    assert_eq!(a.year, 2019);
    assert_eq!(a.title, "云湖街道2019年政府信息公开工作年度报告");
    assert_eq!(a.body, "示范区云湖街道办事处");
    assert_eq!(a.published.as_deref(), Some("2020-01-31"));
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &["2", "2", "15"])
        .t2("第二十条第（五）项", "行政许可", &["12", "-2", "340"])
        .t2(
            "第二十条第（五）项",
            "其他对外管理服务事项",
            &["30", "3", "1200"],
        )
        .t2("第二十条第（六）项", "行政处罚", &["5", "0", "18"])
        .t2("第二十条第（六）项", "行政强制", &["1", "0", "2"])
        .t2("第二十条第（八）项", "行政事业性收费", &zeros(2))
        .t2("第二十条第（九）项", "政府集中采购", &["3", "251000元"])
        .t3(&[
            ("一、本年新收政府信息公开申请数量", [20, 3, 0, 1, 2, 0]),
            ("二、上年结转政府信息公开申请数量", [2, 1, 0, 0, 0, 0]),
            ("（一）予以公开", [8, 1, 0, 0, 1, 0]),
            (
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                [3, 0, 0, 1, 0, 0],
            ),
            ("3.危及“三安全一稳定”", [1, 0, 0, 0, 0, 0]),
            ("4.保护第三方合法权益", [2, 0, 0, 0, 0, 0]),
            ("6.属于四类过程性信息", [0, 1, 0, 0, 0, 0]),
            ("1.本机关不掌握相关政府信息", [4, 0, 0, 0, 1, 0]),
            ("2.没有现成信息需要另行制作", [1, 0, 0, 0, 0, 0]),
            ("1.信访举报投诉类申请", [1, 0, 0, 0, 0, 0]),
            ("（六）其他处理", [1, 0, 0, 0, 0, 0]),
            ("（七）总计", [21, 2, 0, 1, 2, 0]),
            ("四、结转下年度继续办理", [1, 2, 0, 0, 0, 0]),
        ])
        .t4([5, 2, 0, 0, 7, 8, 1, 0, 0, 9, 0, 0, 0, 0, 0])
        .check(&a);
    assert!(a.missing.is_empty());
    let kinds: Vec<&str> = a.normalisations.iter().map(|n| n.kind.as_str()).collect();
    for k in [
        "colspan_realigned",
        "blank_total",
        "blank_as_zero",
        "plus_sign",
        "label_joined",
        "page_footer_dropped",
    ] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
    // 总计 of sub-rows is computed, not written.
    assert!(a.yaml.contains("    （一）予以公开:\n      自然人: 8\n      # 法人或其他组织\n      商业企业: 1\n      科研机构: 0\n      社会公益组织: 0\n      法律服务机构: 1\n      其他: 0\n    （二）"));
    // Page furniture and scripts stay out of the narrative.
    assert!(
        a.markdown
            .starts_with("根据《中华人民共和国政府信息公开条例》")
    );
    for junk in ["当前的位置", "字体", "主办单位", "ICP", "_hmt", "广告"] {
        assert!(!a.markdown.contains(junk), "{junk}");
    }
    assert!(
        a.markdown
            .contains("## 六、其他需要报告的事项\n\n本年度未收取信息处理费。")
    );
}

#[test]
fn gb18030_text_with_row_preserving_lines() {
    let a = analyze_path(&fixture("yunhu_2020_gb18030.txt"));
    assert_eq!(a.encoding, "GB18030");
    assert!(a.normalisations.iter().any(|n| n.kind == "encoding"));
    assert_eq!(a.published.as_deref(), Some("2021-01-29 09:30"));
    Expect::new("2019")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "规范性文件", &["1", "1", "16"])
        .t2("第二十条第（五）项", "行政许可", &["10", "0", "298"])
        .t2(
            "第二十条第（五）项",
            "其他对外管理服务事项",
            &["33", "-1", "1104"],
        )
        .t2("第二十条第（六）项", "行政处罚", &["5", "-1", "11"])
        .t2("第二十条第（六）项", "行政强制", &["1", "0", "0"])
        .t2("第二十条第（八）项", "行政事业性收费", &zeros(2))
        .t2("第二十条第（九）项", "政府集中采购", &["2", "18.6万元"])
        .t3(&[
            ("一、本年新收政府信息公开申请数量", [15, 2, 0, 0, 1, 0]),
            ("二、上年结转政府信息公开申请数量", [1, 2, 0, 0, 0, 0]),
            ("（一）予以公开", [9, 2, 0, 0, 1, 0]),
            (
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                [2, 0, 0, 0, 0, 0],
            ),
            ("3.危及“三安全一稳定”", [1, 0, 0, 0, 0, 0]),
            ("1.本机关不掌握相关政府信息", [2, 0, 0, 0, 0, 0]),
            ("2.重复申请", [1, 0, 0, 0, 0, 0]),
            ("（七）总计", [15, 2, 0, 0, 1, 0]),
            ("四、结转下年度继续办理", [1, 2, 0, 0, 0, 0]),
        ])
        .t4([0; 15])
        .check(&a);
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "minus_sign" && n.line == Some(14))
    );
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "full_width" && n.line == Some(17))
    );
}

#[test]
fn traditional_mirror_copy() {
    let a = analyze_path(&fixture("yunhu_2021_traditional.txt"));
    assert_eq!((a.year, a.body.as_str()), (2021, "云湖街道"));
    assert_eq!(a.title, "云湖街道2021年政府信息公开工作年度报告");
    assert_eq!(a.published.as_deref(), Some("2022-01-20"));
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &["2", "1", "17"])
        .t2("第二十条第（五）项", "行政许可", &["305"])
        .t2("第二十条第（六）项", "行政处罚", &["9"])
        .t2("第二十条第（六）项", "行政强制", &["0"])
        .t2("第二十条第（八）项", "行政事业性收费", &["0.35万元"])
        .t3(&[
            ("一、本年新收政府信息公开申请数量", [12, 1, 0, 0, 0, 0]),
            ("二、上年结转政府信息公开申请数量", [1, 2, 0, 0, 0, 0]),
            ("（一）予以公开", [6, 1, 0, 0, 0, 0]),
            (
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                [1, 1, 0, 0, 0, 0],
            ),
            ("4.保护第三方合法权益", [1, 0, 0, 0, 0, 0]),
            ("1.本机关不掌握相关政府信息", [3, 0, 0, 0, 0, 0]),
            (
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                [1, 0, 0, 0, 0, 0],
            ),
            ("（七）总计", [12, 2, 0, 0, 0, 0]),
            ("四、结转下年度继续办理", [1, 1, 0, 0, 0, 0]),
        ])
        .t4([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        .check(&a);
    let kinds: Vec<&str> = a.normalisations.iter().map(|n| n.kind.as_str()).collect();
    for k in [
        "traditional",
        "traditional_text",
        "skipped_noise",
        "mirror_domain",
    ] {
        assert!(kinds.contains(&k), "{k}");
    }
    // The advertisement is named with its line and does not break 行政处罚 → 9, 行政强制 → 0.
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "skipped_noise" && n.line == Some(53))
    );
    assert!(a.markdown.contains("## 一、总体情况"));
}

// ── A multi-year import ───────────────────────────────────────────────────────────────────

/// Three years of one body, each in another layout: the site checks them across years (R-X1
/// 上年结转 = last year's 结转下年度, R-X2, R-X3), and `gongkai build` renders the imported years
/// with the year-over-year pages including them.
#[test]
fn multi_year_import_is_checked_across_years() {
    let dir = site(YUNHU_SITE);
    let files = [
        fixture("yunhu_2019.html"),
        fixture("yunhu_2020_gb18030.txt"),
        fixture("yunhu_2021_traditional.txt"),
    ];
    let outcomes = import::import_files(dir.path(), &files, false, false).unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| o.written.len() == 2 && o.refused.is_none())
    );
    let checked = pipeline::check(dir.path()).unwrap();
    let site = checked.bodies[0].site.as_ref().unwrap();
    let years: Vec<u16> = site.years.iter().map(|y| y.year).collect();
    assert_eq!(years, [2019, 2020, 2021]);
    assert_eq!(
        site.years
            .iter()
            .map(|y| y.report.edition.id.as_str())
            .collect::<Vec<_>>(),
        ["2019", "2019", "2021"]
    );
    assert!(
        checked.diagnostics().next().is_none(),
        "{:#?}",
        checked.bodies
    );
    // Year-over-year figures line up: 2020's 上年结转 = 2019's 结转下年度, 2021's = 2020's.
    let metric = |i: usize, m: &str| site.years[i].report.metric(m).unwrap().to_string();
    assert_eq!(
        metric(1, "requests_carried_in"),
        metric(0, "requests_carried_out")
    );
    assert_eq!(
        metric(2, "requests_carried_in"),
        metric(1, "requests_carried_out")
    );
    assert_eq!(
        (0..3)
            .map(|i| metric(i, "requests_new"))
            .collect::<Vec<_>>(),
        ["26", "18", "13"]
    );

    // The site builds; the home page, the comparison page and the data include every year.
    let out = dir.path().join("public");
    let built = pipeline::build(dir.path(), Some(&out)).unwrap();
    // Three years, the home page, the comparison page, the 404 page, the search page.
    assert_eq!(built.pages, 3 + 1 + 1 + 1 + 1);
    for year in [2019, 2020, 2021] {
        let page = fs::read_to_string(out.join(format!("{year}/index.html"))).unwrap();
        assert!(page.contains(&format!("{year}年度报告")));
    }
    let compare = fs::read_to_string(out.join("compare/index.html")).unwrap();
    for needle in [
        "2019年",
        "2020年",
        "2021年",
        "<td class=\"num\">26</td>",
        "<td class=\"num\">18</td>",
        "<td class=\"num\">13</td>",
    ] {
        assert!(compare.contains(needle), "comparison page lacks {needle}");
    }
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("2021/index.html") && home.contains("2019/index.html"));
    let all: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("data/all.json")).unwrap()).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3);

    // Break the link: 2020's 上年结转 no longer matches 2019 → R-X1 on 2020.
    let path = dir.path().join("content/2020/report.yaml");
    let yaml = fs::read_to_string(&path).unwrap();
    let broken = yaml.replacen(
        "  二、上年结转政府信息公开申请数量:\n    自然人: 1\n",
        "  二、上年结转政府信息公开申请数量:\n    自然人: 4\n",
        1,
    );
    assert_ne!(yaml, broken);
    fs::write(&path, broken).unwrap();
    let checked = pipeline::check(dir.path()).unwrap();
    assert!(
        checked
            .diagnostics()
            .any(|d| d.rule == "R-X1" && d.file() == "content/2020/report.yaml"),
        "{:#?}",
        checked.bodies
    );
}

// ── The command ───────────────────────────────────────────────────────────────────────────

fn gongkai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_output_has_the_tidy_shape() {
    let dir = dongliu_site();
    let root = dir.path().to_str().unwrap();
    let file = report_fixture("nb_yinzhou_dongliu_2020");
    let (code, stdout, stderr) = gongkai(&[
        "import",
        file.to_str().unwrap(),
        "--root",
        root,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1);
    let obj = items[0].as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "body",
            "cells",
            "edition",
            "file",
            "missing",
            "normalisations",
            "year"
        ]
    );
    assert_eq!(obj["year"], 2020);
    assert_eq!(obj["edition"], "2019");
    // cells: exactly the tidy cells of the written report.
    let written = fs::read_to_string(dir.path().join("content/2020/report.yaml")).unwrap();
    let (r, _) = report::load(
        format::builtin(),
        &SourceFile::new("content/2020/report.yaml", written),
        2020,
    );
    let expected = serde_json::to_value(tidy_cells(&r.unwrap())).unwrap();
    assert_eq!(obj["cells"], expected);
    let first = obj["cells"][0].as_object().unwrap();
    let mut cell_keys: Vec<&str> = first.keys().map(String::as_str).collect();
    cell_keys.sort_unstable();
    assert_eq!(cell_keys, ["column", "part", "row", "unit", "value"]);
    assert!(
        obj["normalisations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "wu_as_zero" && n["line"] == 119)
    );
    assert!(stderr.contains("导入后检查"), "{stderr}");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = dongliu_site();
    let root = dir.path().to_str().unwrap();
    let file = report_fixture("nb_yinzhou_dongliu_2020");
    let file = file.to_str().unwrap();
    assert_eq!(gongkai(&["import", file, "--root", root]).0, 0);
    let yaml = dir.path().join("content/2020/report.yaml");
    fs::write(&yaml, "# edited by hand\n").unwrap();
    let (code, stdout, _) = gongkai(&["import", file, "--root", root]);
    assert_eq!(code, 2);
    assert!(
        stdout.contains("content/2020 已有报告，不会覆盖。如要用导入结果替换，请加 --force"),
        "{stdout}"
    );
    assert_eq!(fs::read_to_string(&yaml).unwrap(), "# edited by hand\n");
    let (code, stdout, _) = gongkai(&["import", file, "--root", root, "--force"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        fs::read_to_string(&yaml)
            .unwrap()
            .starts_with("# 东柳街道政府信息公开工作2020年度报告")
    );
}

#[test]
fn bulk_import_shows_progress_and_reports_each_file() {
    let dir = dongliu_site();
    let root = dir.path().to_str().unwrap();
    let a = report_fixture("cs_tianxin_guihuaping_2020");
    let b = report_fixture("wx_xishan_yunlin_2019");
    let c = report_fixture("nb_yinzhou_dongliu_2020");
    let (code, stdout, stderr) = gongkai(&[
        "import",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
        "--root",
        root,
    ]);
    assert!(
        stderr.contains("[1/3] 导入 ") && stderr.contains("[3/3] 导入 "),
        "{stderr}"
    );
    // 东柳街道 is also 2020: one report per year, the later file is not written.
    assert_eq!(code, 2);
    assert!(
        stdout.contains("同为 2020 年度，一次只能导入一份"),
        "{stdout}"
    );
    assert!(dir.path().join("content/2019/report.yaml").is_file());
    // The imported years are checked: missing tables are errors of check.
    assert!(stderr.contains("error[S3]"), "{stderr}");
    assert!(stdout.contains("缺失（"), "{stdout}");
}

#[test]
fn unreadable_inputs_are_explained() {
    let dir = dongliu_site();
    let root = dir.path().to_str().unwrap();
    let pdf = dir.path().join("report.pdf");
    fs::write(&pdf, b"%PDF-1.7 ...").unwrap();
    let (code, stdout, _) = gongkai(&["import", pdf.to_str().unwrap(), "--root", root]);
    assert_eq!(code, 2);
    assert!(stdout.contains("这是PDF文件"), "{stdout}");
    let none = dir.path().join("note.txt");
    fs::write(&none, "一、总体情况\n本单位认真开展工作。\n").unwrap();
    let (code, stdout, _) = gongkai(&["import", none.to_str().unwrap(), "--root", root]);
    assert_eq!(code, 2);
    assert!(stdout.contains("无法确定报告年度"), "{stdout}");
    let (code, _, stderr) = gongkai(&["import", none.to_str().unwrap(), "--root", "/nonexistent"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("不是 gongkai 站点"), "{stderr}");
}

/// A [K-FIX]-style 2021-edition page: part-二 sub-tables with colspan="3" values, table 三 with
/// rowspan="22", （六） in three sub-rows (one written with "，"), a header row of empty cells.
#[test]
fn html_2021_edition_grid() {
    let rows3 = |label: &str, v: [i64; 7]| {
        let tds: String = v.iter().map(|x| format!("<td>{x}</td>")).collect();
        format!("<tr>{label}{tds}</tr>\n")
    };
    let z = [0; 7];
    let mut t3 = String::new();
    t3 += &rows3(
        "<td colspan=\"3\">一、本年新收政府信息公开申请数量</td>",
        [4, 1, 0, 0, 0, 0, 5],
    );
    t3 += &rows3("<td colspan=\"3\">二、上年结转政府信息公开申请数量</td>", z);
    t3 += &rows3(
        "<td rowspan=\"22\">三、本年度办理结果</td><td colspan=\"2\">（一）予以公开</td>",
        [2, 1, 0, 0, 0, 0, 3],
    );
    t3 += &rows3(
        "<td colspan=\"2\">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>",
        z,
    );
    let groups: [(&str, &[&str]); 3] = [
        (
            "（三）不予公开",
            &[
                "1.属于国家秘密",
                "2.其他法律行政法规禁止公开",
                "3.危及“三安全一稳定”",
                "4.保护第三方合法权益",
                "5.属于三类内部事务信息",
                "6.属于四类过程性信息",
                "7.属于行政执法案卷",
                "8.属于行政查询事项",
            ],
        ),
        (
            "（四）无法提供",
            &[
                "1.本机关不掌握相关政府信息",
                "2.没有现成信息需要另行制作",
                "3.补正后申请内容仍不明确",
            ],
        ),
        (
            "（五）不予处理",
            &[
                "1.信访举报投诉类申请",
                "2.重复申请",
                "3.要求提供公开出版物",
                "4.无正当理由大量反复申请",
                "5.要求行政机关确认或重新出具已获取信息",
            ],
        ),
    ];
    for (group, subs) in groups {
        for (i, s) in subs.iter().enumerate() {
            let lead = if i == 0 {
                format!("<td rowspan=\"{}\">{group}</td>", subs.len())
            } else {
                String::new()
            };
            let v = if *s == "1.本机关不掌握相关政府信息" {
                [1, 0, 0, 0, 0, 0, 1]
            } else {
                z
            };
            t3 += &rows3(&format!("{lead}<td>{s}</td>"), v);
        }
    }
    t3 += &rows3(
        "<td rowspan=\"3\">（六）其他处理</td><td>1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请</td>",
        [1, 0, 0, 0, 0, 0, 1],
    );
    t3 += &rows3(
        "<td>2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请</td>",
        z,
    );
    t3 += &rows3("<td>3.其他</td>", z);
    t3 += &rows3("<td colspan=\"2\">（七）总计</td>", [4, 1, 0, 0, 0, 0, 5]);
    t3 += &rows3("<td colspan=\"3\">四、结转下年度继续办理</td>", z);
    let html = format!(
        "<html><head><meta charset=\"utf-8\"><title>示例镇2022年政府信息公开工作年度报告</title></head><body>\n\
<p>本报告中所列数据统计期限为2022年1月1日至12月31日。</p>\n<p>一、总体情况</p>\n<p>2022年，示例镇扎实推进政务公开。</p>\n\
<p>二、主动公开政府信息情况</p>\n<table>\n<tr><td colspan=\"4\">第二十条第（一）项</td></tr>\n\
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>\n\
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>\n<tr><td>行政规范性文件</td><td>3</td><td>1</td><td>12</td></tr>\n\
<tr><td colspan=\"4\">第二十条第（五）项</td></tr>\n<tr><td>信息内容</td><td colspan=\"3\">本年处理决定数量</td></tr>\n\
<tr><td>行政许可</td><td colspan=\"3\">1,203</td></tr>\n<tr><td colspan=\"4\">第二十条第（六）项</td></tr>\n\
<tr><td>信息内容</td><td colspan=\"3\">本年处理决定数量</td></tr>\n<tr><td>行政处罚</td><td colspan=\"3\">27</td></tr>\n\
<tr><td>行政强制</td><td colspan=\"3\">—</td></tr>\n<tr><td colspan=\"4\">第二十条第（八）项</td></tr>\n\
<tr><td>信息内容</td><td colspan=\"3\">本年收费金额（单位：万元）</td></tr>\n<tr><td>行政事业性收费</td><td colspan=\"3\">190.457379</td></tr>\n</table>\n\
<p>三、收到和处理政府信息公开申请情况</p>\n<table>\n\
<tr><td colspan=\"3\" rowspan=\"3\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan=\"7\">申请人情况</td></tr>\n\
<tr><td>自然人</td><td colspan=\"5\">法人或其他组织</td><td>总计</td></tr>\n\
<tr><td></td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td></td></tr>\n{t3}</table>\n\
<p>四、政府信息公开行政复议、行政诉讼情况</p>\n<table>\n<tr><td colspan=\"5\">行政复议</td><td colspan=\"10\">行政诉讼</td></tr>\n\
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td><td colspan=\"5\">未经复议直接起诉</td><td colspan=\"5\">复议后起诉</td></tr>\n\
<tr><td></td><td></td><td></td><td></td><td></td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>\n\
<tr><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>2</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>\n</table>\n\
<p>五、存在的主要问题及改进情况</p>\n<p>公开质量有待提升。</p>\n<p>六、其他需要报告的事项</p>\n<p>无。</p>\n</body></html>\n"
    );
    let a = import::analyze("kfix_2022.html", html.as_bytes(), None).unwrap();
    assert_eq!(
        (a.year, a.body.as_str(), a.edition.id.as_str()),
        (2022, "示例镇", "2021")
    );
    Expect::new("2021")
        .t2("第二十条第（一）项", "规章", &zeros(3))
        .t2("第二十条第（一）项", "行政规范性文件", &["3", "1", "12"])
        .t2("第二十条第（五）项", "行政许可", &["1203"])
        .t2("第二十条第（六）项", "行政处罚", &["27"])
        .t2("第二十条第（六）项", "行政强制", &["0"])
        .t2("第二十条第（八）项", "行政事业性收费", &["190.457379万元"])
        .t3(&[
            ("一、本年新收政府信息公开申请数量", [4, 1, 0, 0, 0, 0]),
            ("（一）予以公开", [2, 1, 0, 0, 0, 0]),
            ("1.本机关不掌握相关政府信息", [1, 0, 0, 0, 0, 0]),
            (
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                [1, 0, 0, 0, 0, 0],
            ),
            ("（七）总计", [4, 1, 0, 0, 0, 0]),
        ])
        .t4([0, 1, 0, 0, 1, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0])
        .check(&a);
    let kinds: Vec<&str> = a.normalisations.iter().map(|n| n.kind.as_str()).collect();
    for k in ["thousands_separator", "dash_as_zero", "label_alias"] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
}

/// A 2021-edition report that still prints （六）其他处理 as one row: its figure is a subtotal the
/// format does not have; the three sub-rows are missing, with the reason.
#[test]
fn old_style_row_in_new_edition_is_not_split() {
    let text = "示例镇2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\n法人或其他组织\n总计\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n\
一、本年新收政府信息公开申请数量\n2\n0\n0\n0\n0\n0\n2\n\
三、本年度办理结果\n（一）予以公开\n1\n0\n0\n0\n0\n0\n1\n\
（六）其他处理\n1\n0\n0\n0\n0\n0\n1\n\
四、结转下年度继续办理\n0\n0\n0\n0\n0\n0\n0\n\
第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n";
    let a = import::analyze("old.txt", text.as_bytes(), None).unwrap();
    assert_eq!(a.edition.id, "2021");
    assert!(
        a.normalisations
            .iter()
            .any(|n| n.kind == "subtotal_ignored" && n.line == Some(29)),
        "{:#?}",
        a.normalisations
    );
    let sub = a
        .missing
        .iter()
        .find(|m| m.row.last().map(String::as_str) == Some("3.其他"))
        .unwrap();
    assert!(
        sub.reason.contains("只给出「（六）其他处理」的合计"),
        "{}",
        sub.reason
    );
    assert_rest_missing(&a);
}

/// Importing an earlier year shows what the next year's cross-year rules now say about it.
#[test]
fn importing_an_earlier_year_reports_the_next_years_cross_year_check() {
    let dir = site(YUNHU_SITE);
    let root = dir.path().to_str().unwrap();
    let y2020 = fixture("yunhu_2020_gb18030.txt");
    assert_eq!(
        gongkai(&["import", y2020.to_str().unwrap(), "--root", root]).0,
        0
    );
    // A 2019 page whose 结转下年度继续办理 (自然人) is 5 instead of 1.
    let html = fs::read_to_string(fixture("yunhu_2019.html")).unwrap();
    let changed = html.replacen(
        "<td colspan=\"3\">四、结转下年度继续办理</td><td>1</td>",
        "<td colspan=\"3\">四、结转下年度继续办理</td><td>5</td>",
        1,
    );
    assert_ne!(html, changed);
    let page = dir.path().join("yunhu_2019_changed.html");
    fs::write(&page, changed).unwrap();
    let (code, _, stderr) = gongkai(&["import", page.to_str().unwrap(), "--root", root]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error[R-X1]") && stderr.contains("content/2020/report.yaml"),
        "{stderr}"
    );
}
