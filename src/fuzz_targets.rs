//! Entry points of the fuzz targets (`fuzz/`), shared with `tests/testsuite/fuzz_corpus.rs`, which replays
//! the seed corpus and every crash input found so far through the same functions on stable
//! Rust. Each takes arbitrary bytes and must return without panicking, whatever they hold; each
//! goes through the same stages as the command it stands for, including printing the
//! diagnostics.

use std::path::PathBuf;

use crate::check;
use crate::commands::import;
use crate::diagnostic::{self, Diagnostic};
use crate::format;
use crate::load::config::SiteConfig;
use crate::load::markdown::{self, RenderOptions};
use crate::load::narrative;
use crate::load::report;
use crate::load::{self, Site, YearReport};
use crate::pipeline;
use crate::source::SourceFile;

/// Separates report.yaml from report.md in the input of [`site`].
pub const SITE_SEPARATOR: &[u8] = b"\n=====report.md=====\n";

const CONFIG: &str = r#"
[body]
name = "示例市示例区示例街道办事处"
short_name = "示例街道"
kind = "街道办事处"
"#;

/// Print diagnostics as `check` does (human and JSON), to exercise spans and snippets.
fn print(diags: &[Diagnostic]) {
    let human = diagnostic::render_all(diags, false);
    let json = diagnostic::to_json(diags);
    std::hint::black_box((human, json));
    for d in diags {
        std::hint::black_box((d.one_line(), d.line_col()));
    }
}

/// report.yaml: bytes → text (as the site loader decodes it) → the report loader → every rule
/// of the edition, for a report of 2021 and the same text as its predecessor of 2020.
pub fn report(data: &[u8]) {
    let formats = format::builtin();
    let file = match load::read::decode("content/2021/report.yaml", data.to_vec()) {
        Ok(f) => f,
        Err(d) => return print(&[d]),
    };
    // The YAML fast path must build exactly the full parser's tree whenever it takes a file.
    if let Some(simple) = crate::load::yaml::fast::parse_simple(&file) {
        assert_eq!(
            simple,
            crate::load::yaml::parse_full(&file),
            "YAML fast path differs"
        );
    }
    let (current, mut diags) = report::load(formats, &file, 2021);
    let previous_file = SourceFile::new("content/2020/report.yaml", file.text.clone());
    let (previous, ds) = report::load(formats, &previous_file, 2020);
    diags.extend(ds);
    if let Some(r) = &current {
        diags.extend(check::check_report(r, previous.as_ref(), "街道办事处"));
        std::hint::black_box(crate::render::data::tidy_cells(r));
    }
    diagnostic::sort(&mut diags);
    print(&diags);
}

/// A whole site in memory: report.yaml and report.md of 2021 (split at [`SITE_SEPARATOR`]),
/// loaded, checked like `gongkai check` and, when free of errors, rendered like `gongkai build`
/// (templates, Markdown, sanitising, minifying), without writing anything.
pub fn site(data: &[u8]) {
    let (yaml, md) = match data
        .windows(SITE_SEPARATOR.len())
        .position(|w| w == SITE_SEPARATOR)
    {
        Some(i) => (&data[..i], &data[i + SITE_SEPARATOR.len()..]),
        None => (data, &b""[..]),
    };
    let formats = format::builtin();
    let config = SiteConfig::parse(&SourceFile::new("site.toml", CONFIG))
        .unwrap_or_else(|_| unreachable!("the built-in configuration is valid"));
    let mut diags = Vec::new();
    let yaml = match load::read::decode("content/2021/report.yaml", yaml.to_vec()) {
        Ok(f) => f,
        Err(d) => return print(&[d]),
    };
    let (report, ds) = report::load(formats, &yaml, 2021);
    diags.extend(ds);
    let Some(report) = report else {
        return print(&diags);
    };
    let narrative = match load::read::decode("content/2021/report.md", md.to_vec()) {
        Ok(md) => {
            let (n, ds) = narrative::parse(report.edition, &md);
            diags.extend(ds);
            Some(n)
        }
        Err(d) => {
            diags.push(d);
            None
        }
    };
    let site = Site {
        root: PathBuf::from("/nonexistent/gongkai-fuzz-site"),
        config,
        years: vec![YearReport {
            year: 2021,
            report,
            narrative,
        }],
        pages: Vec::new(),
        assets: Vec::new(),
    };
    diags.extend(check::check_site(&site));
    diagnostic::sort(&mut diags);
    print(&diags);
    if diagnostic::counts(&diags).0 == 0 {
        let project = crate::project::Project::office(&site.root);
        let body = crate::project::Body {
            folder: String::new(),
            site: Some(site),
            diagnostics: diags,
        };
        let rendered = pipeline::preview_project(
            &project,
            Some(vec![body]),
            &crate::render::Options::default(),
        );
        std::hint::black_box(rendered.is_ok());
    }
}

/// Markdown: the narrative splitter of both editions and, for text within the nesting limit
/// the loader enforces, the renderer with its sanitiser (as for report.md parts and pages).
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("content/2021/report.md", text);
    for edition in format::builtin().editions() {
        let (n, diags) = narrative::parse(edition, &file);
        print(&diags);
        for part in n.parts.iter().flatten() {
            std::hint::black_box(n.text(&part.body));
        }
    }
    if markdown::too_deep(text).is_some() {
        return;
    }
    for take_title in [false, true] {
        let r = markdown::render(
            text,
            &RenderOptions {
                id_prefix: "s5-".into(),
                take_title,
                plain_text: true,
            },
        );
        // The search's text from the page's parse is the text of a parse of its own.
        assert_eq!(r.text, markdown::plain_text(text));
        std::hint::black_box(r);
    }
}

/// The importer on a text file (any encoding it accepts).
pub fn import_text(data: &[u8]) {
    import_as("report.txt", data);
}

/// The importer on a saved web page.
pub fn import_html(data: &[u8]) {
    import_as("report.html", data);
}

fn import_as(name: &str, data: &[u8]) {
    match import::analyze(name, data, None) {
        Ok(a) => {
            // What `import` writes must load back.
            let file = SourceFile::new(format!("content/{}/report.yaml", a.year), a.yaml.clone());
            let (r, diags) = report::load(format::builtin(), &file, a.year);
            print(&diags);
            std::hint::black_box(r.map(|r| crate::render::data::tidy_cells(&r)));
        }
        Err(e) => {
            std::hint::black_box(e.to_string());
        }
    }
}
