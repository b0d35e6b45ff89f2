//! Pages come out compact without a minifier (issue 12): the default theme's templates, the
//! Markdown renderer, the charts and the official tables write no whitespace a browser would not
//! render, so minify-html, a general-purpose minifier, finds little left to remove. Rendered
//! without minifying (`minify: false`): every page of the bundled site and of the fixture sites,
//! a platform's included — home, year, comparison, Markdown, 404 and cross-body pages.

use std::collections::BTreeMap;

use crate::common::*;
use gongkai::render::{Options, OutputFile};

/// The most minify-html may shrink a page, in percent.
const MAX_SHRINK_PERCENT: f64 = 3.0;

fn unminified() -> Options {
    Options {
        minify: false,
        inject: None,
    }
}

/// A project's files (a single office or a platform), as `build` would publish them.
fn project_files(root: &std::path::Path) -> Vec<OutputFile> {
    gongkai::pipeline::preview(root, &unminified())
        .unwrap()
        .files
}

/// minify-html as the page minifier test used it: closing tags and the `<html>`/`<head>` start
/// tags kept (gongkai writes them).
fn minify_html(html: &[u8]) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    minify_html::minify(html, &cfg)
}

/// The page's kind, from `<body class=page-…>` (quoted or not).
fn kind(html: &str) -> &str {
    html.split_once("<body class=")
        .and_then(|(_, rest)| rest.trim_start_matches('"').strip_prefix("page-"))
        .and_then(|rest| rest.split(['"', ' ', '>']).next())
        .unwrap_or("?")
}

#[test]
fn minify_html_finds_little_to_remove() {
    // Per site and kind of page: pages, bytes, minified bytes, worst page and its shrink.
    #[derive(Default)]
    struct Kind {
        pages: usize,
        bytes: usize,
        minified: usize,
        worst: (f64, String),
    }
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    let sites = [
        ("bundled", project_files(&repo())),
        ("multi-year", project_files(&fixture("multi-year"))),
        ("platform", project_files(&fixture("platform"))),
    ];
    for (site, files) in &sites {
        for f in files.iter().filter(|f| f.path.ends_with(".html")) {
            let html = std::str::from_utf8(&f.bytes).unwrap();
            let minified = minify_html(&f.bytes).len();
            let shrink = 100.0 * (1.0 - minified as f64 / f.bytes.len() as f64);
            let k = kinds.entry(format!("{site} {}", kind(html))).or_default();
            k.pages += 1;
            k.bytes += f.bytes.len();
            k.minified += minified;
            if shrink > k.worst.0 || k.worst.1.is_empty() {
                k.worst = (shrink, f.path.clone());
            }
        }
    }
    eprintln!("minify-html on unminified pages: worst shrink per kind of page");
    for (name, k) in &kinds {
        eprintln!(
            "  {name:<22} {:>3} pages {:>8} bytes, all {:>5.2}%, worst {:>5.2}% {}",
            k.pages,
            k.bytes,
            100.0 * (1.0 - k.minified as f64 / k.bytes as f64),
            k.worst.0,
            k.worst.1
        );
    }
    for expected in [
        "bundled home",
        "bundled year",
        "bundled compare",
        "bundled 404",
        "multi-year page",
        "platform home",
        "platform year",
        "platform compare",
        "platform page",
        "platform platform-year",
        "platform 404",
    ] {
        assert!(kinds.contains_key(expected), "no {expected} page rendered");
    }
    let (name, worst) = kinds
        .iter()
        .max_by(|a, b| a.1.worst.0.total_cmp(&b.1.worst.0))
        .unwrap();
    assert!(
        worst.worst.0 <= MAX_SHRINK_PERCENT,
        "minify-html shrinks {} ({name}) by {:.2}%",
        worst.worst.1,
        worst.worst.0
    );
}

/// `minify = true` sends the pages through minify-html: of a single office (site.toml) and of a
/// platform (platform.toml, for every body's pages too); without it pages are as the theme
/// writes them.
#[test]
fn minify_in_the_settings_sends_pages_through_minify_html() {
    for (fixture, settings) in [("bundled", "site.toml"), ("platform", "platform.toml")] {
        let site = temp_site(fixture);
        let root = site.path();
        let plain = gongkai::pipeline::preview(root, &Options::default())
            .unwrap()
            .files;
        let path = root.join(settings);
        let text = std::fs::read_to_string(&path).unwrap();
        // A top-level key goes before the first [table].
        let at = text.find("\n[").map_or(text.len(), |i| i + 1);
        std::fs::write(
            &path,
            format!("{}minify = true\n{}", &text[..at], &text[at..]),
        )
        .unwrap();
        let minified = gongkai::pipeline::preview(root, &Options::default())
            .unwrap()
            .files;
        assert_eq!(plain.len(), minified.len());
        let mut pages = 0;
        for (a, b) in plain.iter().zip(&minified) {
            assert_eq!(a.path, b.path);
            if !a.path.ends_with(".html") {
                assert_eq!(a.bytes, b.bytes, "{}", a.path);
                continue;
            }
            pages += 1;
            assert_eq!(b.bytes, minify_html(&a.bytes), "{fixture}: {}", a.path);
            assert!(b.bytes.len() < a.bytes.len(), "{fixture}: {}", a.path);
        }
        assert!(pages >= 4, "{fixture}: {pages} pages");
    }
}
