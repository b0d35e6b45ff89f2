//! `gongkai export` and the Word import (issue 14):
//!
//! - export → import gives back exactly the cells of `data/<year>.json` and report.md, for the
//!   bundled report and every fixture year (a single office and each body of the platform);
//! - importing the exported Word file of the bundled report into an empty site and building it
//!   reproduces `data/2020.json` byte for byte;
//! - the article's tables equal the site's tables cell for cell (text, header or data, scope,
//!   spans, headers), and the article has no script, class, relative link or stylesheet;
//! - the Word document: the same bytes every time (whatever was built before on the thread),
//!   header rows marked to repeat, spans as printed, no table wider than the type area;
//! - Word files LibreOffice made from other fixtures import to the same cells as their source;
//! - the command: a platform exports every body or the one asked for; a year with errors is
//!   refused and nothing is written.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use gongkai::commands::import;
use gongkai::pipeline;
use gongkai::render::data::tidy_cells;
use gongkai::render::export;

use crate::common::{fixture, gongkai, repo, temp_site};

/// Every body of a project: (its root, its site), for the bundled site, the multi-year fixture
/// and the platform fixture.
fn sites() -> Vec<(PathBuf, gongkai::load::Site)> {
    let mut out = Vec::new();
    for root in [repo(), fixture("multi-year"), fixture("platform")] {
        let checked = pipeline::check(&root).unwrap();
        for b in checked.bodies {
            let site = b.site.expect("fixture bodies load");
            let body_root = if b.folder.is_empty() {
                root.clone()
            } else {
                root.join(&b.folder)
            };
            // The platform's withheld body (a deliberate error) still has good years: only the
            // years without errors are exported, as `gongkai export` does.
            let withheld = {
                let body = gongkai::project::Body {
                    folder: b.folder.clone(),
                    site: Some(site.clone()),
                    diagnostics: b.diagnostics.clone(),
                };
                body.withheld()
            };
            let mut site = site;
            site.years.retain(|y| !withheld.years.contains(&y.year));
            out.push((body_root, site));
        }
    }
    out
}

fn docx_of(package: &export::Package) -> &[u8] {
    &package
        .files
        .iter()
        .find(|(n, _)| *n == package.docx_name)
        .expect("the package has its Word document")
        .1
}

fn file_of<'a>(package: &'a export::Package, name: &str) -> &'a [u8] {
    &package
        .files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in the package"))
        .1
}

#[test]
fn export_then_import_gives_back_every_cell_and_the_narrative() {
    let mut years = 0;
    for (root, site) in sites() {
        for (i, y) in site.years.iter().enumerate() {
            let package = export::package(&site, i);
            let a = import::analyze("报告.docx", docx_of(&package), Some(&site.config))
                .unwrap_or_else(|e| panic!("{} {}: {e}", root.display(), y.year));
            let what = format!("{} {}", root.display(), y.year);
            assert_eq!(a.year, y.year, "{what}");
            assert_eq!(a.edition.id, y.report.edition.id, "{what}");
            assert_eq!(a.cells, tidy_cells(&y.report), "{what}: cells");
            assert!(a.missing.is_empty(), "{what}: {:?}", a.missing);
            let md =
                fs::read_to_string(root.join(format!("content/{}/report.md", y.year))).unwrap();
            assert_eq!(a.markdown, md, "{what}: report.md");
            years += 1;
        }
    }
    // The bundled year, four multi-year years, eight platform years (one withheld).
    assert!(years >= 12, "{years} years");
}

#[test]
fn the_bundled_word_file_rebuilds_data_json_exactly() {
    let out = tempfile::tempdir().unwrap();
    let exported = out.path().join("export");
    let o = gongkai(&[
        "export",
        "2020",
        "--root",
        repo().to_str().unwrap(),
        "--output",
        exported.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let docx = exported.join("东柳街道政府信息公开工作2020年度报告.docx");
    assert!(docx.is_file());

    // An empty site of the same body: site.toml only.
    let site = tempfile::tempdir().unwrap();
    fs::copy(repo().join("site.toml"), site.path().join("site.toml")).unwrap();
    let o = gongkai(&[
        "import",
        "--root",
        site.path().to_str().unwrap(),
        docx.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        fs::read_to_string(site.path().join("content/2020/report.md")).unwrap(),
        fs::read_to_string(repo().join("content/2020/report.md")).unwrap()
    );
    let built_original = out.path().join("original");
    let built_imported = out.path().join("imported");
    pipeline::build(&repo(), Some(&built_original)).unwrap_or_else(|e| panic!("{e:?}"));
    pipeline::build(site.path(), Some(&built_imported)).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        fs::read(built_imported.join("data/2020.json")).unwrap(),
        fs::read(built_original.join("data/2020.json")).unwrap()
    );
}

// ── Tables of the site and of the article ─────────────────────────────────────────────────

/// A table cell as the page gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CellOf {
    tag: String,
    text: String,
    attrs: BTreeMap<String, String>,
}

/// The tables with an id (the official tables: `t3`, `t2-1`) of a page: caption and rows.
fn tables(html: &str) -> BTreeMap<String, (String, Vec<Vec<CellOf>>)> {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::RefCell;

    #[derive(Default)]
    struct State {
        out: BTreeMap<String, (String, Vec<Vec<CellOf>>)>,
        table: Option<String>,
        caption: Option<String>,
        cell: Option<CellOf>,
    }
    struct Sink(RefCell<State>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            let mut s = self.0.borrow_mut();
            match token {
                Token::TagToken(tag) => {
                    let name = tag.name.to_string();
                    let attrs: BTreeMap<String, String> = tag
                        .attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect();
                    match (tag.kind, name.as_str()) {
                        (TagKind::StartTag, "table") => {
                            if let Some(id) = attrs.get("id") {
                                s.out.insert(id.clone(), (String::new(), Vec::new()));
                                s.table = Some(id.clone());
                            }
                        }
                        (TagKind::EndTag, "table") => s.table = None,
                        (TagKind::StartTag, "caption") if s.table.is_some() => {
                            s.caption = Some(String::new())
                        }
                        (TagKind::EndTag, "caption") => {
                            if let (Some(c), Some(t)) = (s.caption.take(), s.table.clone()) {
                                s.out.get_mut(&t).unwrap().0 = c;
                            }
                        }
                        (TagKind::StartTag, "tr") => {
                            if let Some(t) = s.table.clone() {
                                s.out.get_mut(&t).unwrap().1.push(Vec::new());
                            }
                        }
                        (TagKind::StartTag, "td" | "th") if s.table.is_some() => {
                            // What the table means: the cell kind, its spans, scope and
                            // headers (not the presentation: class or style).
                            let attrs = attrs
                                .into_iter()
                                .filter(|(k, _)| {
                                    ["colspan", "rowspan", "scope", "headers", "id"]
                                        .contains(&k.as_str())
                                })
                                .collect();
                            s.cell = Some(CellOf {
                                tag: name,
                                text: String::new(),
                                attrs,
                            });
                        }
                        (TagKind::EndTag, "td" | "th") => {
                            if let (Some(c), Some(t)) = (s.cell.take(), s.table.clone()) {
                                s.out.get_mut(&t).unwrap().1.last_mut().unwrap().push(c);
                            }
                        }
                        _ => {}
                    }
                }
                Token::CharacterTokens(t) => {
                    if let Some(c) = s.cell.as_mut() {
                        c.text.push_str(&t);
                    } else if let Some(c) = s.caption.as_mut() {
                        c.push_str(&t);
                    }
                }
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let sink = Sink(RefCell::new(State::default()));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let q = BufferQueue::default();
    q.push_back(StrTendril::from(html));
    let _ = tok.feed(&q);
    tok.end();
    tok.sink.0.into_inner().out
}

#[test]
fn the_article_tables_equal_the_site_tables_cell_for_cell() {
    for name in ["bundled", "multi-year"] {
        let dir = temp_site(name);
        let out = dir.path().join("public");
        pipeline::build(dir.path(), Some(&out)).unwrap_or_else(|e| panic!("{e:?}"));
        let checked = pipeline::check(dir.path()).unwrap();
        let site = checked.bodies[0].site.clone().unwrap();
        for (i, y) in site.years.iter().enumerate() {
            let page = fs::read_to_string(out.join(format!("{}/index.html", y.year))).unwrap();
            let package = export::package(&site, i);
            let article = String::from_utf8(file_of(&package, "article.html").to_vec()).unwrap();
            let on_site = tables(&page);
            let in_article = tables(&article);
            assert_eq!(
                on_site.len(),
                y.report.edition.tables.len(),
                "{name} {}",
                y.year
            );
            assert_eq!(on_site, in_article, "{name} {}", y.year);
            // Presentation inline only; nothing that needs the site or runs.
            for bad in [
                "<script",
                " class=",
                "<link",
                "<style",
                " href=\"../",
                "href=../",
            ] {
                assert!(!article.contains(bad), "{name} {}: {bad}", y.year);
            }
            assert!(article.contains("style=\"border:1px solid #000"));
            // The preview is a page around the same fragment.
            let preview = String::from_utf8(file_of(&package, "preview.html").to_vec()).unwrap();
            assert!(preview.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
            assert!(preview.contains(article.trim_end()));
        }
    }
}

// ── The Word document ─────────────────────────────────────────────────────────────────────

fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn the_word_document_is_the_same_every_time() {
    let checked = pipeline::check(&fixture("multi-year")).unwrap();
    let site = checked.bodies[0].site.clone().unwrap();
    let alone = export::package(&site, 1);
    // The same year after others were built on this thread gives the same bytes.
    let _ = export::package(&site, 0);
    let _ = export::package(&site, 2);
    let again = export::package(&site, 1);
    let in_thread = std::thread::spawn(move || export::package(&site, 1))
        .join()
        .unwrap();
    assert_eq!(docx_of(&alone), docx_of(&again));
    assert_eq!(docx_of(&alone), docx_of(&in_thread));
    for (a, b) in alone.files.iter().zip(&again.files) {
        assert_eq!(a, b);
    }
    // Fixed entry times: the report's 发布日期 (2021-01-25), not the clock.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx_of(&alone))).unwrap();
    for i in 0..zip.len() {
        let f = zip.by_index(i).unwrap();
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (2021, 1, 25),
            "{}",
            f.name()
        );
    }
    let mut core = String::new();
    zip.by_name("docProps/core.xml")
        .unwrap()
        .read_to_string(&mut core)
        .unwrap();
    assert!(core.contains("2021-01-25T00:00:00Z"), "{core}");
    assert!(
        core.contains("<dc:creator>示例市示例区示例街道办事处</dc:creator>"),
        "{core}"
    );
}

#[test]
fn word_tables_fit_the_type_area_and_repeat_their_header_rows() {
    for (root, site) in sites() {
        for (i, y) in site.years.iter().enumerate() {
            let package = export::package(&site, i);
            let xml = document_xml(docx_of(&package));
            let what = format!("{} {}", root.display(), y.year);
            let grids: Vec<&str> = xml.split("<w:tblGrid>").skip(1).collect();
            assert_eq!(grids.len(), y.report.edition.tables.len(), "{what}");
            for g in &grids {
                let grid = &g[..g.find("</w:tblGrid>").unwrap()];
                let width: usize = grid
                    .split("w:w=\"")
                    .skip(1)
                    .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap())
                    .sum();
                // 156 mm = 8844 twips.
                assert!(width <= 8844, "{what}: {width}");
            }
            // One repeated header row per header row of each table.
            let header_rows: usize = y
                .report
                .edition
                .tables
                .iter()
                .map(|t| t.header_depth())
                .sum();
            assert_eq!(
                xml.matches("<w:tblHeader />").count(),
                header_rows,
                "{what}"
            );
            assert!(xml.contains("<w:vMerge w:val=\"restart\" />"), "{what}");
            assert!(xml.contains("<w:gridSpan w:val="), "{what}");
            // GB/T 9704: A4, margins 37/35/28/26 mm.
            assert!(
                xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\""),
                "{what}"
            );
            assert!(
                xml.contains("w:top=\"2098\"") && xml.contains("w:left=\"1587\""),
                "{what}"
            );
        }
    }
}

#[test]
fn word_files_libreoffice_made_import_like_their_source() {
    let dir = fixture("import");
    let cases = [
        ("docx/yunhu_2019.docx", dir.join("yunhu_2019.html")),
        (
            "docx/nb_yinzhou_dongliu_2020.docx",
            dir.join("reports/nb_yinzhou_dongliu_2020.txt"),
        ),
        (
            "docx/wx_xishan_dongbeitang_2019.docx",
            dir.join("reports/wx_xishan_dongbeitang_2019.txt"),
        ),
    ];
    for (docx, source) in cases {
        let source_path = source;
        let from_source = import::analyze(
            source_path.to_str().unwrap(),
            &fs::read(&source_path).unwrap(),
            None,
        )
        .unwrap();
        let from_docx = import::analyze(docx, &fs::read(dir.join(docx)).unwrap(), None).unwrap();
        assert!(from_docx.word);
        assert_eq!(from_docx.year, from_source.year, "{docx}");
        assert_eq!(from_docx.edition.id, from_source.edition.id, "{docx}");
        assert_eq!(from_docx.cells, from_source.cells, "{docx}");
        assert_eq!(from_docx.parts, from_source.parts, "{docx}");
        assert!(!from_docx.cells.is_empty(), "{docx}");
    }
}

// ── The command ───────────────────────────────────────────────────────────────────────────

fn files_under(dir: &Path) -> Vec<String> {
    crate::common::snapshot(dir).into_keys().collect()
}

#[test]
fn a_platform_exports_every_body_or_the_one_asked_for() {
    let dir = temp_site("platform");
    let o = gongkai(&["export", "2021", "--root", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = dir.path().join("export/2021");
    let files = files_under(&out);
    for body in ["shili-jiedao", "shili-ju", "shili-zhen"] {
        assert!(
            files.contains(&format!("{body}/article.html")),
            "{body}: {files:?}"
        );
        assert!(files.contains(&format!("{body}/metadata.json")), "{body}");
    }
    assert!(stdout.contains("门户网站文章正文"), "{stdout}");
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("shili-ju/metadata.json")).unwrap()).unwrap();
    assert_eq!(meta["格式"]["文号"], "国办公开办函〔2021〕30号");
    assert!(meta["附件"][0].as_str().unwrap().ends_with(".docx"));

    let one = dir.path().join("one");
    let o = gongkai(&[
        "export",
        "2022",
        "--root",
        dir.path().to_str().unwrap(),
        "--body",
        "shili-zhen",
        "--output",
        one.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // Beside the writer's marker file, only the one body.
    assert!(
        files_under(&one)
            .iter()
            .all(|f| f.starts_with("shili-zhen/") || f == ".gongkai-output")
    );

    let o = gongkai(&[
        "export",
        "2022",
        "--root",
        dir.path().to_str().unwrap(),
        "--body",
        "no-such-body",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("平台中没有机关文件夹「no-such-body」"));
}

#[test]
fn a_year_with_errors_is_not_exported() {
    let dir = temp_site("errors");
    let o = gongkai(&["export", "2021", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("未导出"), "{stderr}");
    assert!(!dir.path().join("export").exists());
    // A year that does not exist.
    let dir = temp_site("multi-year");
    let o = gongkai(&["export", "2030", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("没有 2030 年度的报告"));
}

#[test]
fn metadata_names_the_portal_fields_site_toml_gives() {
    let dir = temp_site("bundled");
    let toml = dir.path().join("site.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    text.push_str("\n[portal]\nindex_number = \"002923345/2021-00012\"\ntopic = \"政务公开\"\n");
    fs::write(&toml, text).unwrap();
    let o = gongkai(&["export", "2020", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let meta = fs::read_to_string(dir.path().join("export/2020/metadata.json")).unwrap();
    assert!(
        meta.contains("\"索引号\": \"002923345/2021-00012\""),
        "{meta}"
    );
    assert!(meta.contains("\"主题分类\": \"政务公开\""), "{meta}");
    assert!(
        meta.contains("\"发布机构\": \"宁波市鄞州区东柳街道办事处\""),
        "{meta}"
    );
}

#[test]
fn the_package_csv_files_are_the_site_downloads() {
    // The bundled site built, then its 2020 package: each printed table's CSV (table 二's
    // blocks in one) under its download name, byte for byte the file the year page links to.
    let (root, site) = sites().into_iter().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    pipeline::build(&root, Some(&out)).unwrap();
    let i = site.years.iter().position(|y| y.year == 2020).unwrap();
    let package = export::package(&site, i);
    let csvs: Vec<&str> = package
        .files
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    assert_eq!(
        csvs,
        ["2020年度表2.csv", "2020年度表3.csv", "2020年度表4.csv"]
    );
    for (n, table) in [(2, "2"), (3, "3"), (4, "4")] {
        let name = format!("2020年度表{n}.csv");
        assert_eq!(
            file_of(&package, &name),
            fs::read(out.join(format!("data/2020-t{table}.csv"))).unwrap(),
            "{name}"
        );
    }
}
