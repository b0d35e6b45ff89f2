//! The incremental preview (`gongkai::preview::Live`, what `serve` rebuilds with) gives exactly
//! the files of a full rendering after every change: random edits of a platform's numbers,
//! narrative, pages and settings, errors made and mended, a body and a year added and removed —
//! and the edits of a body's files are rendered without touching the other bodies.

use std::fs;
use std::path::{Path, PathBuf};

use gongkai::pipeline;
use gongkai::preview::{Live, Update};
use gongkai::render::Options;

use crate::common::*;

fn options() -> Options {
    Options {
        minify: false,
        inject: Some("<script>/* live */</script>".into()),
    }
}

/// The live preview equals a full rendering of the project as it is now: the same paths, the
/// same bytes, the same errors left out.
fn assert_same(live: &Live, root: &Path, what: &str) {
    let full = pipeline::preview(root, &options())
        .unwrap_or_else(|e| panic!("{what}: the full rendering failed: {e:?}"));
    let mut ours: Vec<&String> = live.files().keys().collect();
    ours.sort();
    let theirs: Vec<&String> = full.files.iter().map(|f| &f.path).collect();
    assert_eq!(ours, theirs, "{what}: the files differ");
    for f in &full.files {
        let got = &live.files()[&f.path];
        assert!(
            **got == f.bytes,
            "{what}: {} differs from a full rendering",
            f.path
        );
    }
    let one_line = |d: &gongkai::diagnostic::Diagnostic| d.one_line();
    let mut a: Vec<String> = live.withheld().iter().map(one_line).collect();
    let mut b: Vec<String> = full.withheld.iter().map(one_line).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "{what}: the errors left out differ");
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Replace the first `from` in `file` with `to`; the file's path as the watcher reports it.
fn edit(root: &Path, file: &str, from: &str, to: &str) -> PathBuf {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file}: no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn every_edit_gives_the_files_of_a_full_rendering() {
    let site = temp_site("platform");
    let root = fs::canonicalize(site.path()).unwrap();
    let mut live = Live::new(&root, &options()).unwrap();
    assert_same(&live, &root, "start");
    let bodies = ["shili-jiedao", "shili-zhen", "shili-ju"];
    let mut rng = Lcg(20261206);
    let mut partial = 0;
    for step in 0..40 {
        let body = bodies[rng.next(bodies.len())];
        let year = ["2021", "2022"][rng.next(2)];
        let yaml = format!("{body}/content/{year}/report.yaml");
        let md = format!("{body}/content/{year}/report.md");
        let n = rng.next(40);
        let (what, changed) = match rng.next(7) {
            // A count and its total together (consistent), or alone (an R3 error, withheld).
            0 => {
                let path = root.join(&yaml);
                let keys = [P3, "一、本年新收政府信息公开申请数量", "自然人"];
                set_value(&path, &keys, &n.to_string());
                ("count", path)
            }
            1 => {
                let path = root.join(&yaml);
                set_value(
                    &path,
                    &[P2, "第二十条第（五）项", "行政许可", "本年处理决定数量"],
                    &n.to_string(),
                );
                ("licence count", path)
            }
            2 => {
                let path = root.join(&md);
                let mut text = fs::read_to_string(&path).unwrap();
                text.push_str(&format!("\n补充说明第 {step} 条，共 {n} 项。\n"));
                fs::write(&path, text).unwrap();
                ("narrative", path)
            }
            3 => {
                let path = root.join(format!("{body}/site.toml"));
                let text = fs::read_to_string(&path).unwrap();
                let line = text.lines().find(|l| l.starts_with("short_name")).unwrap();
                let text = text.replacen(line, &format!("short_name = \"示例{n}\""), 1);
                fs::write(&path, text).unwrap();
                ("short name", path)
            }
            4 => {
                // A syntax error (the year is withheld), compared, then mended.
                let path = root.join(&yaml);
                let text = fs::read_to_string(&path).unwrap();
                let broken = text.replacen("年度:", "年度: [", 1);
                fs::write(&path, &broken).unwrap();
                live.update(std::slice::from_ref(&path), false).unwrap();
                assert_same(&live, &root, &format!("step {step}: broken YAML in {yaml}"));
                fs::write(&path, text).unwrap();
                ("mended YAML", path)
            }
            5 => {
                let path = root.join(&yaml);
                let text = fs::read_to_string(&path).unwrap();
                let title = text.lines().find(|l| l.starts_with("标题:")).unwrap();
                let text = text.replacen(title, &format!("标题: 第{n}号标题"), 1);
                fs::write(&path, text).unwrap();
                ("title", path)
            }
            _ => {
                let path = root.join(&yaml);
                let text = fs::read_to_string(&path).unwrap();
                let date = text.lines().find(|l| l.starts_with("发布日期:")).unwrap();
                let text = text.replacen(date, &format!("发布日期: 2023-02-{:02}", n % 28 + 1), 1);
                fs::write(&path, text).unwrap();
                ("date", path)
            }
        };
        // Every other edit as `serve` makes it: the pages, then the search index apart.
        let update = if step % 2 == 0 {
            live.update(std::slice::from_ref(&changed), false).unwrap()
        } else {
            let update = live
                .update_pages(std::slice::from_ref(&changed), false)
                .unwrap();
            assert_eq!(live.update_index().unwrap(), update == Update::Bodies(1));
            update
        };
        partial += usize::from(update == Update::Bodies(1));
        assert_same(
            &live,
            &root,
            &format!("step {step}: {what} in {}", changed.display()),
        );
    }
    assert_eq!(
        partial, 40,
        "every edit of a body's file renders that body alone"
    );
}

#[test]
fn bodies_and_years_that_come_and_go_and_settings_that_change_everything() {
    let site = temp_site("platform");
    let root = fs::canonicalize(site.path()).unwrap();
    let mut live = Live::new(&root, &options()).unwrap();
    // A new body: its folder, then its files.
    copy_dir(&root.join("shili-zhen"), &root.join("xin-zhen"));
    let changed = edit(&root, "xin-zhen/site.toml", "示例镇", "新镇");
    assert_eq!(live.update(&[changed], false).unwrap(), Update::Bodies(1));
    assert_same(&live, &root, "a body added");
    assert!(live.files().contains_key("xin-zhen/2022/index.html"));
    // A year removed from a body, then added back.
    let year = root.join("shili-zhen/content/2021");
    let kept = tempfile::tempdir().unwrap();
    copy_dir(&year, kept.path());
    fs::remove_dir_all(&year).unwrap();
    live.update(std::slice::from_ref(&year), false).unwrap();
    assert_same(&live, &root, "a year removed");
    copy_dir(kept.path(), &year);
    live.update(&[year.join("report.yaml")], false).unwrap();
    assert_same(&live, &root, "a year added back");
    // A body removed.
    fs::remove_dir_all(root.join("xin-zhen")).unwrap();
    live.update(&[root.join("xin-zhen")], false).unwrap();
    assert_same(&live, &root, "a body removed");
    assert!(!live.files().keys().any(|p| p.starts_with("xin-zhen/")));
    // The platform's settings: everything again.
    let changed = edit(
        &root,
        "platform.toml",
        "示例区政府信息公开工作年度报告",
        "示例区年报",
    );
    assert_eq!(live.update(&[changed], false).unwrap(), Update::Full);
    assert_same(&live, &root, "platform.toml");
    // Broken settings: refused, the last good files stay.
    let before = live.files().clone();
    let changed = edit(&root, "platform.toml", "name = ", "name = = ");
    assert!(live.update(&[changed], false).is_err());
    assert_eq!(live.files().len(), before.len());
    let changed = edit(&root, "platform.toml", "name = = ", "name = ");
    live.update(&[changed], false).unwrap();
    assert_same(&live, &root, "platform.toml mended");
    // A lost event: everything again.
    assert_eq!(live.update(&[], true).unwrap(), Update::Full);
}

#[test]
fn a_single_office_renders_whole_and_keeps_the_last_good_files_on_errors() {
    let site = temp_site("multi-year");
    let root = fs::canonicalize(site.path()).unwrap();
    let mut live = Live::new(&root, &options()).unwrap();
    let changed = edit(
        &root,
        "content/2022/report.md",
        "本年度未收取信息处理费",
        "本年度未收取任何信息处理费",
    );
    assert_eq!(live.update(&[changed], false).unwrap(), Update::Full);
    assert_same(&live, &root, "narrative");
    let before = live.files().clone();
    let yaml = root.join("content/2022/report.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    fs::write(&yaml, text.replacen("年度:", "年度: [", 1)).unwrap();
    assert!(live.update(&[yaml], false).is_err());
    assert!(
        live.files()
            .iter()
            .all(|(p, b)| before.get(p).is_some_and(|old| old == b))
    );
}
