//! A platform of several bodies (both editions, one body with a deliberate error): check groups
//! the problems per body with a summary line; build publishes every body except the year with
//! errors, a home page by kind with check status, and a cross-body view per year in pre-rendered
//! orderings with downloads.

use std::fs;

use crate::common::*;

#[test]
fn check_groups_problems_per_body_with_a_summary() {
    let out = gongkai(&["check", "--root", fixture("platform").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("── 示例市示例区示例街道办事处（shili-jiedao/）：0 个错误，0 个警告"),
        "{err}"
    );
    assert!(
        err.contains("── 示例区示例局（shili-ju/）：2 个错误"),
        "{err}"
    );
    assert!(
        err.contains("--> shili-ju/content/2022/report.yaml:"),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("检查完成：3 个机关，其中 1 个有错误，0 个只有警告。"),
        "{err}"
    );
    let (code, diags) = check_json(&fixture("platform"));
    assert_eq!(code, 1);
    assert!(
        diags
            .iter()
            .any(|d| d["rule"] == "R3.1" && d["file"] == "shili-ju/content/2022/report.yaml")
    );
}

#[test]
fn build_publishes_every_body_and_the_cross_body_views() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let run = gongkai(&[
        "build",
        "--root",
        fixture("platform").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("未发布：shili-ju/ 的 2022 年度（有错误）")
    );
    // Each body under its folder, its error year left out.
    for p in [
        "shili-jiedao/2019/index.html",
        "shili-jiedao/2022/index.html",
        "shili-zhen/2021/index.html",
        "shili-ju/2021/index.html",
        "shili-jiedao/pages/guide/index.html",
    ] {
        assert!(out.join(p).is_file(), "{p}");
    }
    assert!(!out.join("shili-ju/2022").exists());
    // Home: bodies by kind, latest report, status.
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    for needle in [
        "街道办事处",
        "乡镇人民政府",
        "区县部门",
        "shili-jiedao/2022/index.html",
        "2 个错误，2022年度未发布",
        "检查通过",
    ] {
        assert!(home.contains(needle), "home lacks {needle}");
    }
    // Cross-body view: every body of the year, orderings pre-rendered, downloads.
    let y2021 = fs::read_to_string(out.join("years/2021/index.html")).unwrap();
    for body in [
        "示例市示例区示例街道办事处",
        "示例市示例区示例镇人民政府",
        "示例区示例局",
    ] {
        assert!(y2021.contains(body), "2021 lacks {body}");
    }
    let by_new = fs::read_to_string(out.join("years/2021/by-requests-new.html")).unwrap();
    let zhen = by_new.find("示例镇人民政府").unwrap();
    let jiedao = by_new.find("示例街道办事处</a>").unwrap();
    assert!(
        zhen < jiedao,
        "sorted by 本年新收申请: 示例镇 (23) before 示例街道 (15)"
    );
    let y2022 = fs::read_to_string(out.join("years/2022/index.html")).unwrap();
    assert!(y2022.contains("未列入：示例区示例局"));
    let csv = fs::read_to_string(out.join("years/2021/data.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}机关,文件夹,年度,格式,"));
    assert_eq!(csv.lines().count(), 4);
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("years/2021/data.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // One static folder at the root; body pages link to it.
    assert!(out.join("static/style.css").is_file());
    assert!(!out.join("shili-jiedao/static").exists());
    let page = fs::read_to_string(out.join("shili-jiedao/2021/index.html")).unwrap();
    assert!(
        page.contains("href=../../static/style.css"),
        "body pages use the shared static folder"
    );
    assert!(
        page.contains("示例区政府信息公开工作年度报告首页"),
        "nav leads back to the platform"
    );
    assert!(
        fs::read_to_string(out.join("sitemap.xml"))
            .unwrap()
            .contains("https://www.example.gov.cn/ndbg/shili-zhen/2022/")
    );
}

#[test]
fn an_error_outside_the_reports_is_reported_and_the_reports_still_publish() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("platform");
    copy_dir(&fixture("platform"), &root);
    let pages = root.join("shili-zhen/content/pages");
    fs::create_dir_all(&pages).unwrap();
    fs::write(
        pages.join("guide.md"),
        format!("# 指南\n\n{} 过深\n", ">".repeat(80)),
    )
    .unwrap();
    let out = tmp.path().join("public");
    let run = gongkai(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains("有错误：shili-zhen/content/pages/guide.md（出错的内容未采用，其余照常发布）"),
        "{err}"
    );
    // The page is left out, the body's reports are published, and the home page says so.
    assert!(!out.join("shili-zhen/pages/guide").exists());
    assert!(out.join("shili-zhen/2022/index.html").is_file());
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("1 个错误，年度报告已发布"), "home status");
    assert!(
        !home.contains("1 个错误，未发布"),
        "not the old, wrong status"
    );
}
