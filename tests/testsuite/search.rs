//! 站内搜索 (issue 15): the index `build` writes. Every published report page and Markdown page is
//! one document with its text file, and nothing withheld is; a term found in one document only
//! points at it; the header box leads to the search page, which lists the years without
//! JavaScript. The client's ranking and the browser side are tested in `tests/e2e/reader.js`.

use std::collections::BTreeMap;

use crate::common::*;
use gongkai::render::Options;

/// The output files of a project, by path.
fn files(root: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    gongkai::pipeline::preview(root, &Options::default())
        .unwrap()
        .files
        .into_iter()
        .map(|f| (f.path, f.bytes))
        .collect()
}

/// The JSON argument of a `gongkaiSearch.x(…)` script (after the key, when there is one).
fn payload(bytes: &[u8]) -> serde_json::Value {
    let text = std::str::from_utf8(bytes).unwrap();
    let inner = &text[text.find('(').unwrap() + 1..text.rfind(')').unwrap()];
    let json = match inner.find('{') {
        Some(0) => inner,
        Some(i) => &inner[i..],
        None => inner,
    };
    serde_json::from_str(json).unwrap()
}

/// Decode a posting list as search.js does: (document, weight) pairs, each posting one number,
/// (gap to the previous document - 1) * 32 + weight.
fn postings(s: &str) -> Vec<(u64, u64)> {
    const ALPHA: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    let (mut out, mut v, mut shift, mut doc) = (Vec::new(), 0u64, 0, -1i64);
    for ch in s.chars() {
        let c = ALPHA.find(ch).unwrap() as u64;
        if c >= 32 {
            v |= (c - 32) << shift;
            shift += 5;
            continue;
        }
        v |= c << shift;
        doc += (v >> 5) as i64 + 1;
        out.push((doc as u64, v & 31));
        v = 0;
        shift = 0;
    }
    out
}

#[test]
fn the_platform_index_holds_every_published_page_once() {
    let files = files(&fixture("platform"));
    let meta = payload(&files["search/index.js"]);
    // Documents: the published years of each body, then its Markdown pages; the 2022 report of
    // shili-ju has errors and is withheld.
    let texts: Vec<(&String, serde_json::Value)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("search/t/"))
        .map(|(p, b)| (p, payload(b)))
        .collect();
    let urls: Vec<&str> = texts
        .iter()
        .map(|(_, d)| d["u"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "shili-jiedao/2019/index.html",
            "shili-jiedao/2020/index.html",
            "shili-jiedao/2021/index.html",
            "shili-jiedao/2022/index.html",
            "shili-jiedao/pages/guide/index.html",
            "shili-ju/2021/index.html",
            "shili-zhen/2021/index.html",
            "shili-zhen/2022/index.html",
        ]
    );
    assert_eq!(meta["n"], 8);
    for u in &urls {
        assert!(files.contains_key(*u), "{u} is indexed but not published");
    }
    assert_eq!(
        meta["bodies"],
        serde_json::json!([
            ["shili-jiedao", 0, 2],
            ["shili-ju", 5, 1],
            ["shili-zhen", 6, 0]
        ])
    );
    assert_eq!(meta["dy"], "0123.223");
    // A report's parts: the six headings with their anchors on the page, and its narrative.
    let (_, zhen) = &texts[7];
    let parts = zhen["p"].as_array().unwrap();
    let anchors: Vec<&str> = parts.iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(anchors, ["", "s1", "s2", "s3", "s4", "s5", "s6"]);
    assert_eq!(parts[1][1], "一、总体情况");
    assert!(
        parts[1][2]
            .as_str()
            .unwrap()
            .contains("示例镇共主动公开政府信息190条")
    );
    assert_eq!(zhen["b"], "示例市示例区示例镇人民政府");
    assert_eq!(zhen["y"], 2022);
}

#[test]
fn a_term_of_one_document_points_at_it_and_titles_weigh_more() {
    let files = files(&fixture("platform"));
    let shards: Vec<serde_json::Value> = files
        .iter()
        .filter(|(p, _)| p.starts_with("search/i/"))
        .map(|(_, b)| payload(b))
        .collect();
    let term = |t: &str| -> Vec<(u64, u64)> {
        let lists: Vec<&str> = shards.iter().filter_map(|s| s[t].as_str()).collect();
        assert_eq!(lists.len(), 1, "{t} in {} shards", lists.len());
        postings(lists[0])
    };
    // 例镇 only in 示例镇's two reports (documents 6 and 7), where it is in the title.
    let zhen = term("例镇");
    assert_eq!(zhen.iter().map(|p| p.0).collect::<Vec<_>>(), [6, 7]);
    assert!(zhen.iter().all(|p| p.1 >= 12), "{zhen:?}");
    // 2019 is the title year of document 0 only; other reports mention it in their text.
    let year = term("2019");
    let title = year.iter().find(|p| p.0 == 0).unwrap().1;
    assert!(year.iter().all(|p| p.0 == 0 || p.1 < title), "{year:?}");
    // A term in every report: every document but the guide, in order.
    let docs: Vec<u64> = term("总体").iter().map(|p| p.0).collect();
    assert_eq!(docs, [0, 1, 2, 3, 5, 6, 7]);
}

#[test]
fn the_header_box_leads_to_the_search_page_which_lists_the_years() {
    let files = files(&fixture("multi-year"));
    let page = std::str::from_utf8(&files["2021/index.html"]).unwrap();
    assert!(
        page.contains("<form class=site-search role=search action=../search/index.html"),
        "{page}"
    );
    let search = std::str::from_utf8(&files["search/index.html"]).unwrap();
    for y in 2019..=2022 {
        assert!(
            search.contains(&format!("<li><a href=../{y}/index.html>")),
            "{search}"
        );
    }
    assert!(search.contains("<script src=../static/search.js defer>"));
    // No box in the header of the search page itself (its own form is the box).
    assert!(!search.contains("site-search"));
    let platform = files_of_platform();
    let body_page = std::str::from_utf8(&platform["shili-zhen/2022/index.html"]).unwrap();
    assert!(body_page.contains("action=../../search/index.html"));
    let search = std::str::from_utf8(&platform["search/index.html"]).unwrap();
    assert!(
        search.contains("<option value=\"乡镇人民政府\">"),
        "{search}"
    );
    assert!(search.contains("<a href=../years/2022/index.html>"));
}

fn files_of_platform() -> BTreeMap<String, Vec<u8>> {
    files(&fixture("platform"))
}

#[test]
fn the_index_is_byte_identical_across_builds() {
    let a = files(&fixture("platform"));
    let b = files(&fixture("platform"));
    let search = |f: &BTreeMap<String, Vec<u8>>| -> Vec<(String, Vec<u8>)> {
        f.iter()
            .filter(|(p, _)| p.starts_with("search/"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    assert!(search(&a).len() > 10);
    assert!(search(&a) == search(&b));
}

#[test]
fn search_false_leaves_the_search_out() {
    let site = temp_site("multi-year");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("[body]", "search = false\n\n[body]")).unwrap();
    let files = files(site.path());
    assert!(!files.keys().any(|p| p.starts_with("search/")));
    let page = std::str::from_utf8(&files["2021/index.html"]).unwrap();
    assert!(!page.contains("site-search"), "{page}");
    // On by default.
    let files = files_of_platform();
    assert!(files.contains_key("search/index.js"));
}
