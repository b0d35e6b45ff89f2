//! A platform: many bodies in one build.
//!
//! A district's 政务公开 office keeps `platform.toml` plus one folder per body, each a normal
//! gongkai site (its own `site.toml` and `content/`). `gongkai check` reports every body's
//! problems grouped per body; `gongkai build` renders every body under its folder, a home page
//! listing the bodies by kind with their latest report and check status, and a cross-body view
//! per year (key figures side by side, sortable without JavaScript through pre-rendered
//! orderings, with a download of all bodies' figures). A year with errors is not published; the
//! rest of the body, and every other body, are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{self, Diagnostic};
use crate::format;
use crate::number::Decimal;
use crate::pipeline::{self, Checked};
use crate::render::view::{self, Link, MetaTag, NavItem, PageView, SiteView};
use crate::render::{self, Counter, FeedEntry, OutputFile, Placement, Sink, Theme};
use crate::site::{self, LoadError, Site};
use crate::site_config::{BODY_KINDS, Body, Website};
use crate::source::SourceFile;

/// The file that makes a folder a platform.
pub const PLATFORM_TOML: &str = "platform.toml";

/// Whether `root` is a platform.
pub fn is_platform(root: &Path) -> bool {
    root.join(PLATFORM_TOML).is_file()
}

/// `platform.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    /// Name of the platform, e.g. `示例区政府信息公开工作年度报告`.
    pub name: String,
    /// Theme.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Public address, for sitemap.xml and the Atom feed.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The office that runs the platform (footer contact).
    pub operator: Body,
    /// Website details (footer, meta tags).
    #[serde(default)]
    pub website: Website,
}

fn default_theme() -> String {
    "default".into()
}

/// One body of the platform, checked.
#[derive(Debug)]
pub struct BodyEntry {
    /// Folder name (also its URL segment).
    pub slug: String,
    /// The loaded body (absent if its site.toml is unusable).
    pub site: Option<Site>,
    /// Its diagnostics, file names prefixed with the folder.
    pub diagnostics: Vec<Diagnostic>,
}

/// What a body's errors keep from publishing (see [`BodyEntry::withheld`]).
#[derive(Debug, Default)]
pub struct Withheld {
    /// Years whose folder has an error.
    pub years: BTreeSet<u16>,
    /// Other files with errors, relative to the body's folder.
    pub files: BTreeSet<String>,
}

impl BodyEntry {
    /// (errors, warnings).
    pub fn counts(&self) -> (usize, usize) {
        diagnostic::counts(&self.diagnostics)
    }

    /// What the body's errors keep from publishing: each year whose folder has an error, and
    /// every other file with an error (relative to the body's folder: a Markdown page, a
    /// setting). An error of the body as a whole (named by the folder, no file of its own) is
    /// in neither.
    pub fn withheld(&self) -> Withheld {
        let body = format!("{}/", self.slug);
        let mut withheld = Withheld::default();
        for d in self.diagnostics.iter().filter(|d| d.is_error()) {
            let Some(file) = d.file().strip_prefix(&body) else {
                continue;
            };
            let year = file
                .strip_prefix("content/")
                .and_then(|rest| rest.split('/').next())
                .and_then(|y| y.parse::<u16>().ok());
            match year {
                Some(year) => withheld.years.insert(year),
                None => withheld.files.insert(file.to_string()),
            };
        }
        withheld
    }

    /// The body's name for lists.
    pub fn name(&self) -> String {
        self.site
            .as_ref()
            .map_or_else(|| self.slug.clone(), |s| s.config.body.name.clone())
    }
}

/// A checked platform.
#[derive(Debug)]
pub struct CheckedPlatform {
    /// Root folder.
    pub root: PathBuf,
    /// `platform.toml`, if usable.
    pub config: Option<PlatformConfig>,
    /// Problems of platform.toml and of the platform as a whole.
    pub diagnostics: Vec<Diagnostic>,
    /// The bodies, by folder name.
    pub bodies: Vec<BodyEntry>,
}

impl CheckedPlatform {
    /// Bodies with errors, bodies with warnings (only).
    pub fn summary(&self) -> (usize, usize, usize) {
        tally(self.bodies.iter().map(BodyEntry::counts))
    }

    /// Every diagnostic: the platform's, then each body's.
    pub fn all_diagnostics(&self) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.bodies.iter().flat_map(|b| b.diagnostics.iter()))
            .collect()
    }

    /// Whether a file could not be read anywhere.
    pub fn has_io_problem(&self) -> bool {
        self.all_diagnostics().iter().any(|d| d.rule == "F1")
    }

    /// Whether anything has an error.
    pub fn has_errors(&self) -> bool {
        self.all_diagnostics().iter().any(|d| d.is_error())
    }
}

/// Bodies; with errors; with warnings only — from each body's (errors, warnings).
pub fn tally(counts: impl Iterator<Item = (usize, usize)>) -> (usize, usize, usize) {
    counts.fold((0, 0, 0), |(n, e, w), (errors, warnings)| {
        (
            n + 1,
            e + usize::from(errors > 0),
            w + usize::from(errors == 0 && warnings > 0),
        )
    })
}

/// What the platform pages need to know about a body once its own pages are rendered: small, so
/// that a build of thousands of bodies never holds their reports.
#[derive(Debug, Clone)]
pub struct BodySummary {
    /// Folder name.
    pub slug: String,
    /// Body name.
    pub name: String,
    /// Body kind.
    pub kind: String,
    /// (errors, warnings).
    pub counts: (usize, usize),
    /// Years not published because they have errors.
    pub error_years: BTreeSet<u16>,
    /// Other files of the body with errors (relative to its folder): a Markdown page left out,
    /// a setting not applied. Its reports are published all the same.
    pub other_errors: BTreeSet<String>,
    /// Whether the body's site.toml was usable.
    pub loaded: bool,
    /// Published years, oldest first.
    pub years: Vec<YearSummary>,
}

/// One published year of a body.
#[derive(Debug, Clone)]
pub struct YearSummary {
    /// Year.
    pub year: u16,
    /// Report title.
    pub title: String,
    /// Edition id and name.
    pub edition: (String, String),
    /// Publication date.
    pub published: Option<String>,
    /// Metric values (for the cross-body view).
    pub metrics: BTreeMap<String, Decimal>,
}

impl BodyEntry {
    /// The body's site without its years and Markdown pages that have errors (`None` if no
    /// report is publishable).
    pub fn publishable(&self, withheld: &Withheld) -> Option<Site> {
        let mut s = self.site.as_ref()?.clone();
        s.years.retain(|y| !withheld.years.contains(&y.year));
        s.pages.retain(|p| !withheld.files.contains(&p.source.name));
        (!s.years.is_empty()).then_some(s)
    }

    /// The summary of this body with `published` as its published site.
    pub fn summary(&self, published: Option<&Site>, withheld: Withheld) -> BodySummary {
        let years = published
            .map(|s| {
                s.years
                    .iter()
                    .map(|y| YearSummary {
                        year: y.year,
                        title: view::report_title(s, y),
                        edition: (y.report.edition.id.clone(), y.report.edition.name.clone()),
                        published: y.report.published.clone(),
                        metrics: view::report_metrics(&y.report),
                    })
                    .collect()
            })
            .unwrap_or_default();
        BodySummary {
            slug: self.slug.clone(),
            name: self.name(),
            kind: self
                .site
                .as_ref()
                .map_or("其他".to_string(), |s| s.config.body.kind.clone()),
            counts: self.counts(),
            error_years: withheld.years,
            other_errors: withheld.files,
            loaded: self.site.is_some(),
            years,
        }
    }
}

/// Whether `dir` is a body's folder in a platform: not hidden, with its own site.toml.
pub fn is_body_folder(dir: &Path) -> bool {
    !dir.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        && dir.join("site.toml").is_file()
}

/// platform.toml (if usable), its problems, and the body folders.
pub type Discovered = (Option<PlatformConfig>, Vec<Diagnostic>, Vec<String>);

/// Read platform.toml and list the body folders.
pub fn discover(root: &Path) -> Result<Discovered, LoadError> {
    let mut diagnostics = Vec::new();
    let config = match site::read_source(root, &root.join(PLATFORM_TOML), site::MAX_CONFIG) {
        Ok(file) => parse_config(&file, &mut diagnostics),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    };
    let mut slugs = Vec::new();
    let entries = std::fs::read_dir(root).map_err(|e| LoadError::Io(root.to_path_buf(), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_body_folder(&entry.path()) {
            continue;
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            diagnostics.push(
                Diagnostic::error(
                    "P1",
                    format!("机关文件夹名「{name}」只能用小写英文字母、数字、- 和 _"),
                )
                .hint("文件夹名会成为网址，例如 dongliu/；机关名称写在各自的 site.toml 中。"),
            );
            continue;
        }
        slugs.push(name);
    }
    slugs.sort();
    if slugs.is_empty() {
        diagnostics.push(
            Diagnostic::error("P1", "平台中还没有机关")
                .hint("每个机关一个文件夹，内有 site.toml 和 content/，与单个机关的站点相同。"),
        );
    }
    Ok((config, diagnostics, slugs))
}

/// Load and check one body of the platform.
pub fn check_body(root: &Path, slug: String) -> BodyEntry {
    let prefix = format!("{slug}/");
    match pipeline::check(&root.join(&slug)) {
        Ok(Checked { site, diagnostics }) => BodyEntry {
            diagnostics: diagnostics
                .into_iter()
                .map(|d| d.with_prefix(&prefix))
                .collect(),
            site,
            slug,
        },
        Err(e) => BodyEntry {
            diagnostics: vec![Diagnostic::error("F1", e.to_string())],
            site: None,
            slug,
        },
    }
}

/// Load and check the platform at `root`: every body in parallel.
pub fn check(root: &Path) -> Result<CheckedPlatform, LoadError> {
    let (config, diagnostics, slugs) = discover(root)?;
    let bodies: Vec<BodyEntry> = slugs
        .into_par_iter()
        .map(|slug| check_body(root, slug))
        .collect();
    Ok(CheckedPlatform {
        root: root.to_path_buf(),
        config,
        diagnostics,
        bodies,
    })
}

fn parse_config(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<PlatformConfig> {
    match toml::from_str::<PlatformConfig>(&file.text) {
        Ok(c) => {
            if !BODY_KINDS.contains(&c.operator.kind.as_str()) {
                diags.push(
                    Diagnostic::error(
                        "C1",
                        format!("机关类别「{}」不在可选范围内", c.operator.kind),
                    )
                    .in_file(file)
                    .hint(format!("operator.kind 可填：{}", BODY_KINDS.join("、"))),
                );
                return None;
            }
            Some(c)
        }
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::error("C1", format!("platform.toml 格式错误（{}）", e.message()))
                    .at(file, span)
                    .label("这里")
                    .hint("platform.toml 需要 name 和 [operator]（name、kind），可选 base_url、theme 和 [website]。"),
            );
            None
        }
    }
}

impl Diagnostic {
    /// The same diagnostic with its file name under `prefix` (a body's folder in a platform).
    pub fn with_prefix(mut self, prefix: &str) -> Diagnostic {
        if let Some(src) = &self.source {
            self.source = Some(src.renamed(&format!("{prefix}{}", src.name)));
        } else {
            self.source = Some(SourceFile::new(prefix.trim_end_matches('/'), ""));
        }
        self
    }
}

/// The platform as the page templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformView {
    /// Bodies grouped by kind, in the order of [`BODY_KINDS`].
    pub groups: Vec<BodyGroup>,
    /// Years with a cross-body view, newest first.
    pub years: Vec<u16>,
    /// Number of bodies; with errors; with warnings only.
    pub counts: (usize, usize, usize),
}

/// Bodies of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct BodyGroup {
    /// The kind.
    pub kind: String,
    /// Its bodies.
    pub bodies: Vec<BodyRow>,
}

/// One body on the platform home page.
#[derive(Debug, Clone, Serialize)]
pub struct BodyRow {
    /// Name.
    pub name: String,
    /// Link to its home page (empty if nothing was published).
    pub url: String,
    /// Latest published report: title and link.
    pub latest: Option<Link>,
    /// Check status text.
    pub status: String,
    /// `ok`, `warning`, `error`.
    pub status_class: &'static str,
}

/// The cross-body page of one year, in one ordering.
#[derive(Debug, Clone, Serialize)]
pub struct YearCompareView {
    /// The year.
    pub year: u16,
    /// Column headers: label, unit, link to the ordering by this column (empty for the
    /// current one), and whether the rows are sorted by it.
    pub columns: Vec<SortColumn>,
    /// Where the table rows go (`{{ year_view.rows | safe }}`): each body's row is rendered
    /// once per year from `partials/platform_year_row.html` (with the row as `r`), and every
    /// ordering places the same rows in its own order after the page is minified.
    pub rows: String,
    /// How the rows are ordered, in words.
    pub ordering: String,
    /// Link to the ordering by name (empty when current).
    pub by_name_url: String,
    /// Downloads.
    pub downloads: Vec<view::Download>,
    /// Notes.
    pub notes: Vec<String>,
}

/// A sortable column.
#[derive(Debug, Clone, Serialize)]
pub struct SortColumn {
    /// Label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Link to the page sorted by this column (empty on that page).
    pub url: String,
    /// Whether this page is sorted by it.
    pub sorted: bool,
}

/// One body in a year.
#[derive(Debug, Clone, Serialize)]
pub struct YearRow {
    /// Body name.
    pub name: String,
    /// Link to the body's report of that year.
    pub url: String,
    /// Format edition.
    pub edition: String,
    /// One value per column (empty when the metric does not exist in the body's edition).
    pub values: Vec<String>,
}

/// Years left out of the build, per body folder.
pub type Skipped = BTreeMap<String, BTreeSet<u16>>;

/// Render a checked platform into `sink` (serve). Returns the pages and the body summaries.
pub fn render(
    platform: &CheckedPlatform,
    opts: &render::Options,
    sink: &dyn Sink,
) -> Result<(usize, Vec<BodySummary>), Vec<Diagnostic>> {
    let Some(config) = &platform.config else {
        return Err(platform.diagnostics.clone());
    };
    render_bodies(
        platform.bodies.par_iter(),
        &platform.root,
        config,
        opts,
        sink,
    )
}

/// Check and render a platform body by body, in parallel, straight into `sink`: each body's
/// reports are dropped once its pages are written, so memory does not grow with the platform.
pub fn build(
    root: &Path,
    config: &PlatformConfig,
    slugs: Vec<String>,
    opts: &render::Options,
    sink: &dyn Sink,
) -> Result<(usize, Vec<BodySummary>), Vec<Diagnostic>> {
    let entries = slugs.into_par_iter().map(|slug| check_body(root, slug));
    render_bodies(entries, root, config, opts, sink)
}

/// Render each body's publishable pages as its entry arrives (an owned entry is dropped right
/// after), then the platform's own pages from the bodies' summaries.
fn render_bodies<E: std::borrow::Borrow<BodyEntry>>(
    entries: impl IndexedParallelIterator<Item = E>,
    root: &Path,
    config: &PlatformConfig,
    opts: &render::Options,
    sink: &dyn Sink,
) -> Result<(usize, Vec<BodySummary>), Vec<Diagnostic>> {
    let theme = Theme::load(root, &config.theme)?;
    let counter = Counter::default();
    let summaries: Vec<Result<BodySummary, Vec<Diagnostic>>> = entries
        .map(|entry| render_entry(entry.borrow(), config, &theme, opts, sink, &counter))
        .collect();
    let summaries = collect(summaries)?;
    render_platform_pages(config, &theme, &summaries, opts, sink, &counter)?;
    Ok((counter.pages(), summaries))
}

fn collect(
    results: Vec<Result<BodySummary, Vec<Diagnostic>>>,
) -> Result<Vec<BodySummary>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(s) => out.push(s),
            Err(ds) => errors.extend(ds),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Render one body's publishable years under its folder and summarise it.
fn render_entry(
    entry: &BodyEntry,
    config: &PlatformConfig,
    theme: &Theme,
    opts: &render::Options,
    sink: &dyn Sink,
    counter: &Counter,
) -> Result<BodySummary, Vec<Diagnostic>> {
    let withheld = entry.withheld();
    let published = entry.publishable(&withheld);
    if let Some(site) = &published {
        let place = Placement {
            prefix: format!("{}/", entry.slug),
            platform: Some(config.name.clone()),
        };
        render::render_body(site, theme, opts, &place, sink, counter)?;
    }
    Ok(entry.summary(published.as_ref(), withheld))
}

/// The platform's own pages: home, cross-body views per year, data, 404, feeds, static files.
fn render_platform_pages(
    config: &PlatformConfig,
    theme: &Theme,
    bodies: &[BodySummary],
    opts: &render::Options,
    sink: &dyn Sink,
    counter: &Counter,
) -> Result<(), Vec<Diagnostic>> {
    let site_view = platform_site_view(config);
    let site_value = tera::Value::from_serializable(&site_view);
    let pv = platform_view(bodies);
    let mut page_paths = vec!["index.html".to_string()];
    let home = platform_page(
        config,
        &site_view,
        "home",
        "index.html",
        config.name.clone(),
        vec![Link {
            text: "首页".into(),
            url: String::new(),
        }],
        &pv.years,
    );
    let home_page = || {
        let mut ctx = render::base_context(site_value.clone(), &home, opts);
        ctx.insert("platform", &pv);
        emit(
            theme,
            "platform.html",
            "index.html",
            &ctx,
            opts,
            sink,
            counter,
        )
    };

    // The home page and each year's cross-body pages and data are independent: rendered in
    // parallel, collected in year order (feed entries and page paths).
    let shared = Shared {
        config,
        theme,
        site_view: &site_view,
        site_value: &site_value,
        years: &pv.years,
        opts,
        sink,
        counter,
    };
    let (home_result, per_year): (_, Vec<YearOutput>) = rayon::join(home_page, || {
        pv.years
            .par_iter()
            .map(|&year| year_pages(&shared, bodies, year))
            .collect()
    });
    home_result?;
    let mut feed = Vec::new();
    for result in per_year {
        let (entries, paths) = result?;
        feed.extend(entries);
        page_paths.extend(paths);
    }
    for b in bodies.iter().filter(|b| !b.years.is_empty()) {
        page_paths.push(format!("{}/index.html", b.slug));
        page_paths.extend(
            b.years
                .iter()
                .map(|y| format!("{}/{}/index.html", b.slug, y.year)),
        );
    }
    sink.put(OutputFile {
        path: "data/report.schema.json".into(),
        bytes: crate::schema::schema_compact().into_bytes(),
    })
    .map_err(|d| vec![d])?;
    let page = platform_page(
        config,
        &site_view,
        "404",
        "404.html",
        "页面不存在".into(),
        vec![
            Link {
                text: "首页".into(),
                url: "index.html".into(),
            },
            Link {
                text: "页面不存在".into(),
                url: String::new(),
            },
        ],
        &pv.years,
    );
    let mut ctx = render::base_context(site_value.clone(), &page, opts);
    ctx.insert("years", &Vec::<u16>::new());
    emit(theme, "404.html", "404.html", &ctx, opts, sink, counter)?;
    render::render_site_files(
        theme,
        &site_view,
        config.base_url.as_deref(),
        &page_paths,
        feed,
        sink,
    )
}

/// What the platform's pages share: configuration, theme, the site view and its Tera value, the
/// years, and where the pages go.
struct Shared<'a> {
    config: &'a PlatformConfig,
    theme: &'a Theme,
    site_view: &'a SiteView,
    site_value: &'a tera::Value,
    years: &'a [u16],
    opts: &'a render::Options,
    sink: &'a dyn Sink,
    counter: &'a Counter,
}

/// Feed entries and page paths of one year's cross-body pages.
type YearOutput = Result<(Vec<FeedEntry>, Vec<String>), Vec<Diagnostic>>;

/// One year's cross-body pages (one per ordering) and data files. Each body's row is rendered
/// once; each page places the rows in its order. Rows and pages are rendered in parallel.
fn year_pages(shared: &Shared<'_>, bodies: &[BodySummary], year: u16) -> YearOutput {
    let Shared {
        config,
        theme,
        site_view,
        site_value,
        years,
        opts,
        sink,
        counter,
    } = *shared;
    let mut feed = Vec::new();
    let mut paths = Vec::new();
    let rows: Vec<(&BodySummary, &YearSummary)> = bodies
        .iter()
        .filter_map(|b| Some((b, b.years.iter().find(|y| y.year == year)?)))
        .collect();
    for (b, y) in &rows {
        if let Some(date) = &y.published {
            feed.push(FeedEntry::new(
                y.title.clone(),
                format!("{}/{year}/", b.slug),
                date,
            ));
        }
    }
    let left_out: Vec<&str> = bodies
        .iter()
        .filter(|b| b.error_years.contains(&year))
        .map(|b| b.name.as_str())
        .collect();
    let mut table = year_table(year, &rows);
    if !left_out.is_empty() {
        for (_, v, _) in &mut table.pages {
            v.notes.push(format!(
                "未列入：{}（{year}年度报告有错误，暂未发布）。",
                left_out.join("、")
            ));
        }
    }
    // Each body's row once; each page places them in its order.
    let row_html = table
        .rows
        .par_iter()
        .map(|r| {
            let mut ctx = tera::Context::new();
            ctx.insert("r", r);
            render::render_fragment(theme, ROW_TEMPLATE, &ctx, opts)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|d| vec![d])?;
    let page_paths = table.pages.into_par_iter().map(|(file, v, order)| {
        let path = format!("years/{year}/{file}");
        let page = platform_page(
            config,
            site_view,
            "platform-year",
            &path,
            format!("{year}年度各机关主要数据"),
            vec![
                Link {
                    text: "首页".into(),
                    url: "../../index.html".into(),
                },
                Link {
                    text: format!("{year}年度对比"),
                    url: String::new(),
                },
            ],
            years,
        );
        let mut ctx = render::base_context(site_value.clone(), &page, opts);
        ctx.insert("year_view", &v);
        ctx.insert("years", years);
        let mut placed = Vec::with_capacity(row_html.iter().map(Vec::len).sum());
        for &r in &order {
            placed.extend_from_slice(&row_html[r]);
        }
        render::emit_page(
            theme,
            "platform_year.html",
            &path,
            &ctx,
            &[(ROWS_PLACEHOLDER, &placed)],
            opts,
            sink,
            counter,
        )
        .map_err(|d| vec![d])?;
        Ok(path)
    });
    paths.extend(page_paths.collect::<Result<Vec<_>, Vec<Diagnostic>>>()?);
    let (csv, json) = year_data(year, &rows);
    sink.put(OutputFile {
        path: format!("years/{year}/data.csv"),
        bytes: csv.into_bytes(),
    })
    .map_err(|d| vec![d])?;
    sink.put(OutputFile {
        path: format!("years/{year}/data.json"),
        bytes: json.into_bytes(),
    })
    .map_err(|d| vec![d])?;
    Ok((feed, paths))
}

fn emit(
    theme: &Theme,
    template: &str,
    path: &str,
    ctx: &tera::Context,
    opts: &render::Options,
    sink: &dyn Sink,
    counter: &Counter,
) -> Result<(), Vec<Diagnostic>> {
    render::emit_page(theme, template, path, ctx, &[], opts, sink, counter).map_err(|d| vec![d])
}

fn platform_site_view(config: &PlatformConfig) -> SiteView {
    let domain = config.website.domain.clone().or_else(|| {
        config
            .base_url
            .as_ref()
            .and_then(|u| Some(u.split_once("://")?.1.split('/').next()?.to_string()))
    });
    SiteView {
        name: config
            .website
            .name
            .clone()
            .unwrap_or_else(|| config.name.clone()),
        short_name: config.name.clone(),
        body: config.operator.clone(),
        website: config.website.clone(),
        domain,
        column: "政府信息公开年报".into(),
        lang: "zh-CN".into(),
        reports_title: config.name.clone(),
        report_error_url: "https://zfwzzc.www.gov.cn/".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn platform_page(
    config: &PlatformConfig,
    site_view: &SiteView,
    kind: &'static str,
    path: &str,
    h1: String,
    breadcrumbs: Vec<Link>,
    years: &[u16],
) -> PageView {
    let root = render::root_of(path);
    let mut nav = vec![NavItem {
        text: "各机关年度报告".into(),
        url: format!("{root}index.html"),
        current: path == "index.html",
    }];
    if let Some(y) = years.first() {
        nav.push(NavItem {
            text: "各机关年度对比".into(),
            url: format!("{root}years/{y}/index.html"),
            current: path.starts_with("years/"),
        });
    }
    let meta = render::site_meta(
        site_view,
        vec![
            MetaTag {
                name: "ColumnName".into(),
                content: "政府信息公开年报".into(),
            },
            MetaTag {
                name: "ColumnDescription".into(),
                content: format!("{}：所辖各机关政府信息公开工作年度报告", config.name),
            },
            MetaTag {
                name: "ColumnKeywords".into(),
                content: "政府信息公开,年度报告".into(),
            },
            MetaTag {
                name: "ColumnType".into(),
                content: "信息公开年报".into(),
            },
        ],
    );
    PageView {
        kind,
        title: format!("{h1} — {}", site_view.name),
        h1,
        root: root.clone(),
        static_root: root,
        path: path.to_string(),
        description: format!(
            "{}：所辖各机关的政府信息公开工作年度报告及检查情况。",
            config.name
        ),
        meta,
        breadcrumbs,
        nav,
    }
}

fn platform_view(bodies: &[BodySummary]) -> PlatformView {
    let mut groups: BTreeMap<usize, BodyGroup> = BTreeMap::new();
    let mut years = BTreeSet::new();
    for b in bodies {
        let order = BODY_KINDS
            .iter()
            .position(|k| *k == b.kind)
            .unwrap_or(BODY_KINDS.len());
        let (status, class) = match b.counts {
            (0, 0) => ("检查通过".to_string(), "ok"),
            (0, w) => (format!("检查通过，{w} 个警告"), "warning"),
            (e, _) if b.error_years.is_empty() && b.years.is_empty() => {
                (format!("{e} 个错误，未发布"), "error")
            }
            (e, _) if b.error_years.is_empty() => (format!("{e} 个错误，年度报告已发布"), "error"),
            (e, _) => (
                format!(
                    "{e} 个错误，{}年度未发布",
                    b.error_years
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "error",
            ),
        };
        years.extend(b.years.iter().map(|y| y.year));
        let latest = b.years.last().map(|y| Link {
            text: y.title.clone(),
            url: format!("{}/{}/index.html", b.slug, y.year),
        });
        groups
            .entry(order)
            .or_insert_with(|| BodyGroup {
                kind: b.kind.clone(),
                bodies: Vec::new(),
            })
            .bodies
            .push(BodyRow {
                name: b.name.clone(),
                url: if b.years.is_empty() {
                    String::new()
                } else {
                    format!("{}/index.html", b.slug)
                },
                latest,
                status,
                status_class: class,
            });
    }
    PlatformView {
        groups: groups.into_values().collect(),
        years: years.into_iter().rev().collect(),
        counts: tally(bodies.iter().map(|b| b.counts)),
    }
}

/// The metrics compared across bodies in a year: the key metrics of the editions in use.
fn year_metrics(rows: &[(&BodySummary, &YearSummary)]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for e in format::builtin().editions().iter().rev() {
        if !rows.iter().any(|(_, y)| y.edition.0 == e.id) {
            continue;
        }
        for id in &e.key_metrics {
            if let Some(m) = e.metric(id)
                && !out.iter().any(|(x, _, _)| x == id)
            {
                out.push((id.clone(), m.label.clone(), m.unit.clone()));
            }
        }
    }
    out
}

/// A year's cross-body table: one row per body, in the order given, and its pages, each with the
/// order in which it lists the rows.
struct YearTable {
    rows: Vec<YearRow>,
    pages: Vec<(String, YearCompareView, Vec<usize>)>,
}

/// The template of one row of a cross-body table.
const ROW_TEMPLATE: &str = "partials/platform_year_row.html";

/// Placeholder of the table rows in a cross-body page.
const ROWS_PLACEHOLDER: &str = "\u{e000}rows\u{e001}";

fn year_table(year: u16, rows: &[(&BodySummary, &YearSummary)]) -> YearTable {
    let metrics = year_metrics(rows);
    let values: Vec<Vec<Option<Decimal>>> = rows
        .iter()
        .map(|(_, y)| {
            metrics
                .iter()
                .map(|(id, _, _)| y.metrics.get(id).copied())
                .collect()
        })
        .collect();
    let mut orderings: Vec<(String, Option<usize>)> = vec![("index.html".into(), None)];
    for (k, (id, _, _)) in metrics.iter().enumerate() {
        orderings.push((format!("by-{}.html", id.replace('_', "-")), Some(k)));
    }
    let table_rows = rows
        .iter()
        .zip(&values)
        .map(|((b, y), values)| YearRow {
            name: b.name.clone(),
            url: format!("../../{}/{year}/index.html", b.slug),
            edition: y.edition.1.clone(),
            values: values
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default())
                .collect(),
        })
        .collect();
    let mut pages = Vec::new();
    for (file, by) in &orderings {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        if let Some(k) = by {
            order.sort_by(|&a, &b| {
                values[b][*k]
                    .cmp(&values[a][*k])
                    .then(rows[a].0.slug.cmp(&rows[b].0.slug))
            });
        }
        let columns = metrics
            .iter()
            .enumerate()
            .map(|(k, (_, label, unit))| SortColumn {
                label: label.clone(),
                unit: unit.clone(),
                url: if *by == Some(k) {
                    String::new()
                } else {
                    orderings[k + 1].0.clone()
                },
                sorted: *by == Some(k),
            })
            .collect();
        let ordering = match by {
            None => "按机关名称排列".to_string(),
            Some(k) => format!("按「{}」从多到少排列", metrics[*k].1),
        };
        pages.push((
            file.clone(),
            YearCompareView {
                year,
                columns,
                rows: ROWS_PLACEHOLDER.into(),
                ordering,
                by_name_url: if by.is_none() { String::new() } else { "index.html".into() },
                downloads: vec![
                    view::Download { url: "data.csv".into(), text: format!("下载{year}年度各机关主要数据（CSV 格式，UTF-8 编码）") },
                    view::Download { url: "data.json".into(), text: format!("下载{year}年度各机关主要数据（JSON 格式）") },
                ],
                notes: vec!["点击栏目名称可按该栏目从多到少重新排列（无需脚本）。空白表示该机关所用格式中没有这一项。".into()],
            },
            order,
        ));
    }
    YearTable {
        rows: table_rows,
        pages,
    }
}

fn year_data(year: u16, rows: &[(&BodySummary, &YearSummary)]) -> (String, String) {
    use crate::export::{csv_string, csv_text, csv_writer};
    let metrics = year_metrics(rows);
    let mut csv = csv_writer(String::from("\u{feff}").into_bytes());
    let mut head: Vec<String> = ["机关", "文件夹", "年度", "格式"].map(String::from).into();
    head.extend(
        metrics
            .iter()
            .map(|(_, label, unit)| csv_text(&format!("{label}（{unit}）")).into_owned()),
    );
    let _ = csv.write_record(&head);
    let mut json_rows = Vec::new();
    for (b, y) in rows {
        let mut values = serde_json::Map::new();
        let mut record = vec![
            csv_text(&b.name).into_owned(),
            csv_text(&b.slug).into_owned(),
            year.to_string(),
            csv_text(&y.edition.0).into_owned(),
        ];
        for (id, _, _) in &metrics {
            match y.metrics.get(id) {
                Some(v) => {
                    record.push(v.to_string());
                    values.insert(id.clone(), serde_json::to_value(v).unwrap_or_default());
                }
                None => record.push(String::new()),
            }
        }
        let _ = csv.write_record(&record);
        json_rows.push(serde_json::json!({"body": b.name, "folder": b.slug, "year": year, "edition": y.edition.0, "metrics": values}));
    }
    (
        csv_string(csv),
        serde_json::to_string(&json_rows).unwrap_or_default() + "\n",
    )
}

/// Check a platform and write its report: every body's problems grouped per body, then a
/// summary line. Returns the text.
pub fn check_report(platform: &CheckedPlatform, color: bool) -> String {
    let mut out = String::new();
    if !platform.diagnostics.is_empty() {
        out.push_str(&diagnostic::render_all(&platform.diagnostics, color));
    }
    for b in &platform.bodies {
        let (e, w) = b.counts();
        out.push_str(&format!(
            "── {}（{}/）：{e} 个错误，{w} 个警告\n",
            b.name(),
            b.slug
        ));
        if !b.diagnostics.is_empty() {
            out.push('\n');
            out.push_str(&diagnostic::render_all(&b.diagnostics, color));
        }
    }
    let (n, errors, warnings) = platform.summary();
    out.push_str(&format!(
        "检查完成：{n} 个机关，其中 {errors} 个有错误，{warnings} 个只有警告。\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_csv_quotes_body_names_as_written() {
        let body = BodySummary {
            slug: "a".into(),
            name: "示例局,\"测试\"处".into(),
            kind: "区县部门".into(),
            counts: (0, 0),
            error_years: BTreeSet::new(),
            other_errors: BTreeSet::new(),
            loaded: true,
            years: Vec::new(),
        };
        let year = YearSummary {
            year: 2022,
            title: "报告".into(),
            edition: ("2021".into(), "2021版".into()),
            published: None,
            metrics: BTreeMap::from([("requests_new".to_string(), Decimal::from_int(3))]),
        };
        let (csv, json) = year_data(2022, &[(&body, &year)]);
        let line = csv.lines().nth(1).unwrap();
        assert!(
            line.starts_with("\"示例局,\"\"测试\"\"处\",a,2022,2021,"),
            "{line}"
        );
        assert!(json.contains(r#""body":"示例局,\"测试\"处""#), "{json}");
    }
}
