//! Rendering: a checked project in, output files (path + bytes) out, handed one by one to a
//! [`Sink`]. Pure: the sink decides where files go (the atomic disk writer of `build`, the
//! in-memory snapshot of `serve`), and there is no global state.
//!
//! One path for both shapes of project: every body's pages are rendered by `body` (under its
//! folder on a platform), then the project's own pages — a single office's 404 and site files,
//! or a platform's home, cross-body year views and site files (`platform`). Pages are rendered
//! in parallel and streamed to the sink as soon as they are done, so a platform of thousands of
//! reports is never held in memory whole. Every page links relatively (`../2020/index.html`), so
//! the folder works under any subpath and from `file://`; nothing depends on the clock, so two
//! builds are byte-identical.

pub(crate) mod article;
mod body;
pub(crate) mod chart;
pub mod data;
pub(crate) mod document;
pub(crate) mod docx;
pub mod export;
mod platform;
pub(crate) mod search;
mod site_files;
pub(crate) mod table;
pub(crate) mod theme;
pub(crate) mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use tera::Context;

use crate::diagnostic::Diagnostic;
use crate::load::config::PlatformConfig;
use crate::number::Decimal;
use crate::project::{Body, Project};

pub(crate) use platform::PlatformCache;
pub(crate) use theme::Theme;
use view::{MetaTag, PageView, SiteView};

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output root, with `/`.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Where rendered files go.
pub trait Sink: Sync {
    /// Take one file. Called from several threads.
    fn put(&self, file: OutputFile) -> Result<(), Diagnostic>;
}

/// A sink that keeps the files in memory (serve, tests).
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<Vec<OutputFile>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The files, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.files.into_inner().unwrap_or_default();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for MemorySink {
    fn put(&self, file: OutputFile) -> Result<(), Diagnostic> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| Diagnostic::error("F1", "内部错误：输出列表不可用"))?;
        if files.iter().any(|f| f.path == file.path) {
            return Err(duplicate(&file.path));
        }
        files.push(file);
        Ok(())
    }
}

/// Two files for one output path.
pub fn duplicate(path: &str) -> Diagnostic {
    Diagnostic::error("F2", format!("两个文件都要生成到 {path}"))
        .hint("content/ 中的附件或 pages 文件与生成的页面同名；请改名。")
}

/// How to render.
#[derive(Debug, Clone)]
pub struct Options {
    /// Minify pages with minify-html when the project's settings ask for it (`minify = true`
    /// in site.toml or platform.toml; the default theme writes compact pages without it). Off in
    /// previews, which must be quick.
    pub minify: bool,
    /// HTML inserted before `</body>` of every page (the live-reload script of `serve`).
    pub inject: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            minify: true,
            inject: None,
        }
    }
}

/// What the rendering of a project produced.
#[derive(Debug)]
pub struct Rendered {
    /// Pages rendered.
    pub pages: usize,
    /// What each body published, in folder order.
    pub bodies: Vec<BodySummary>,
    /// The errors of what was left out (a platform's years and pages with errors).
    pub withheld: Vec<Diagnostic>,
}

/// What the project's own pages need to know about a body once its pages are rendered: small,
/// so that a build of thousands of bodies never holds their reports.
#[derive(Debug, Clone)]
pub struct BodySummary {
    /// Folder name (`""` for a single office).
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
    /// Website details of 《政府网站发展指引》 missing from its site.toml.
    pub missing_website_details: Vec<&'static str>,
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

/// Render a checked project into `sink`. `checked` holds the bodies when they were checked
/// before (a single office, whose build refuses errors before the output is touched); without
/// it each body is loaded and checked as it is rendered, and dropped right after. A body's
/// years and pages with errors are left out (a project that refuses errors never gets here
/// with any).
pub fn render(
    project: &Project,
    checked: Option<Vec<Body>>,
    opts: &Options,
    sink: &dyn Sink,
) -> Result<Rendered, Vec<Diagnostic>> {
    // A single office's theme is named in its own site.toml: check it first.
    let checked = match (checked, project.platform()) {
        (None, None) => Some(project.check()),
        (checked, _) => checked,
    };
    let renderer = Renderer::new(project, checked.as_deref(), opts)?;
    let counter = Counter::default();
    let render_one = |body: Body| {
        let summary = renderer.body(&body, sink, &counter)?;
        let withheld: Vec<Diagnostic> = body
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        Ok((summary, withheld))
    };
    // Each body's summary and the errors of what it may not publish.
    type Published = (BodySummary, Vec<Diagnostic>);
    let results: Vec<Result<Published, Vec<Diagnostic>>> = match checked {
        Some(bodies) => bodies.into_par_iter().map(render_one).collect(),
        None => project
            .folders
            .par_iter()
            .map(|f| render_one(project.check_body(f)))
            .collect(),
    };
    let (bodies, withheld): (Vec<BodySummary>, Vec<Vec<Diagnostic>>) =
        collect(results)?.into_iter().unzip();
    // The platform's own pages and the search index need every body; they do not need each
    // other.
    let (platform, index) = rayon::join(
        || match project.platform() {
            Some(config) => renderer.platform(
                config,
                &bodies,
                &mut PlatformCache::default(),
                sink,
                &counter,
            ),
            None => Ok(()),
        },
        || renderer.search_index(sink, &counter),
    );
    platform?;
    index?;
    Ok(Rendered {
        pages: counter.pages(),
        bodies,
        withheld: withheld.into_iter().flatten().collect(),
    })
}

/// A project's pages, piece by piece: a body's (under its folder on a platform), and the
/// platform's own. The theme and the options are resolved once.
pub(crate) struct Renderer {
    theme: Theme,
    /// HTML inserted before `</body>` (the live-reload script of `serve`).
    inject: Option<String>,
    /// Whether pages go through minify-html.
    minify: bool,
    /// Whether a body whose site.toml does not say writes each year's Word document.
    word: bool,
    /// The site search: each body's documents, for the index written last.
    search: search::Collector,
    /// The platform's name, for a platform.
    platform: Option<String>,
}

impl Renderer {
    /// The renderer of `project`: the platform's theme, or for a single office the theme its
    /// site.toml names (from its checked body in `checked`).
    pub(crate) fn new(
        project: &Project,
        checked: Option<&[Body]>,
        opts: &Options,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        if project.has_errors() {
            return Err(project.diagnostics.clone());
        }
        let office = checked.unwrap_or_default();
        let (theme, asked, search) = match project.platform() {
            Some(config) => (
                Theme::load(&project.root, &config.theme)?,
                config.minify,
                config.search,
            ),
            None => {
                let site = office
                    .first()
                    .and_then(|b| b.site.as_ref())
                    .ok_or_else(|| {
                        office
                            .iter()
                            .flat_map(|b| b.diagnostics.clone())
                            .collect::<Vec<_>>()
                    })?;
                (
                    Theme::load(&site.root, &site.config.theme)?,
                    site.config.minify,
                    site.config.search,
                )
            }
        };
        Ok(Renderer {
            theme,
            inject: opts.inject.clone(),
            minify: opts.minify && asked,
            word: project.platform().is_none_or(|c| c.word),
            search: search::Collector::new(search),
            platform: project.platform().map(|c| c.name.clone()),
        })
    }

    fn out<'a>(&'a self, sink: &'a dyn Sink, counter: &'a Counter) -> Out<'a> {
        Out {
            theme: &self.theme,
            inject: self.inject.as_deref(),
            minify: self.minify,
            word: self.word,
            sink,
            counter,
            search: &self.search,
        }
    }

    /// A body's pages (what it may publish) into `sink`, and its summary.
    pub(crate) fn body(
        &self,
        body: &Body,
        sink: &dyn Sink,
        counter: &Counter,
    ) -> Result<BodySummary, Vec<Diagnostic>> {
        body::render_body(&self.out(sink, counter), body, self.platform.as_deref())
    }

    /// The site search's index of every body rendered (and not forgotten) so far.
    pub(crate) fn search_index(
        &self,
        sink: &dyn Sink,
        counter: &Counter,
    ) -> Result<(), Vec<Diagnostic>> {
        let out = self.out(sink, counter);
        self.search.finish(&out).map_err(|d| vec![d])
    }

    /// Forget a body's search documents, before it is rendered again or when it is gone.
    pub(crate) fn forget(&self, folder: &str) {
        self.search.forget(folder);
    }

    /// A platform's own pages into `sink`, from its bodies' summaries. `cache` holds what the
    /// last call rendered (the rows of each year's cross-body table): a year whose rows and notes
    /// are unchanged is not rendered again, and only changed rows are.
    pub(crate) fn platform(
        &self,
        config: &PlatformConfig,
        bodies: &[BodySummary],
        cache: &mut PlatformCache,
        sink: &dyn Sink,
        counter: &Counter,
    ) -> Result<(), Vec<Diagnostic>> {
        platform::render_platform_pages(&self.out(sink, counter), config, bodies, cache)
    }
}

/// The results, or every error of every body.
fn collect<T>(results: Vec<Result<T, Vec<Diagnostic>>>) -> Result<Vec<T>, Vec<Diagnostic>> {
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

/// Where pages go and how: the theme, the options, the sink, and the page count. Every HTML page
/// of a build (a body's or the project's) goes through [`Out::page`].
pub(crate) struct Out<'a> {
    theme: &'a Theme,
    /// HTML inserted before `</body>` (the live-reload script of `serve`).
    inject: Option<&'a str>,
    /// Whether pages go through minify-html.
    minify: bool,
    /// Whether a body whose site.toml does not say writes each year's Word document.
    word: bool,
    sink: &'a dyn Sink,
    counter: &'a Counter,
    /// The site search index, fed by the pages as they are rendered.
    search: &'a search::Collector,
}

impl Out<'_> {
    /// Render one page of `template` to `path`: Tera, then the serve script, then minify-html
    /// when the settings ask for it.
    fn page(&self, template: &str, path: &str, ctx: &Context) -> Result<(), Diagnostic> {
        let mut html = render_template(self.theme, template, ctx, 48 * 1024)?;
        self.counter.add_page();
        if let Some(script) = self.inject
            && let Some(at) = memchr::memmem::rfind(&html, b"</body>")
        {
            html.splice(at..at, script.bytes());
        }
        if self.minify {
            html = minify(&html);
        }
        self.put(path.to_string(), html)
    }

    /// Render a partial placed into pages as it is (a row of a cross-body table).
    fn fragment(&self, template: &str, ctx: &Context) -> Result<String, Diagnostic> {
        let html = render_template(self.theme, template, ctx, 1024)?;
        // Tera writes UTF-8 (templates and values are UTF-8).
        Ok(String::from_utf8(html).unwrap_or_default())
    }

    /// Hand one file to the sink.
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.sink.put(OutputFile { path, bytes })
    }

    /// The context every page template gets; `site` is the [`SiteView`] as a Tera value,
    /// converted once per site rather than per page.
    fn context(&self, site: &tera::Value, page: &PageView) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", site.clone());
        ctx.insert("page", page);
        ctx.insert("live", &self.inject.is_some());
        ctx
    }
}

/// Counts of what was rendered.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    pages: AtomicUsize,
}

impl Counter {
    pub(crate) fn pages(&self) -> usize {
        self.pages.load(Ordering::Relaxed)
    }

    fn add_page(&self) {
        self.pages.fetch_add(1, Ordering::Relaxed);
    }
}

/// `""`, `"../"`, `"../../"` for a page at `path`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The site-level meta tags of 《政府网站发展指引》 (SiteName, SiteDomain, SiteIDCode), then the
/// page's own.
fn site_meta(sv: &SiteView, page_meta: Vec<MetaTag>) -> Vec<MetaTag> {
    let mut meta = vec![MetaTag {
        name: "SiteName".into(),
        content: sv.name.clone(),
    }];
    if let Some(d) = &sv.domain {
        meta.push(MetaTag {
            name: "SiteDomain".into(),
            content: d.clone(),
        });
    }
    if let Some(c) = sv.website.site_code.as_ref().filter(|c| !c.is_empty()) {
        meta.push(MetaTag {
            name: "SiteIDCode".into(),
            content: c.clone(),
        });
    }
    meta.extend(page_meta);
    meta
}

/// The four column meta tags of 《政府网站发展指引》.
fn column_meta(name: &str, description: String, keywords: String) -> Vec<MetaTag> {
    [
        ("ColumnName", name.to_string()),
        ("ColumnDescription", description),
        ("ColumnKeywords", keywords),
        ("ColumnType", "信息公开年报".to_string()),
    ]
    .into_iter()
    .map(|(name, content)| MetaTag {
        name: name.into(),
        content,
    })
    .collect()
}

/// Render a template into bytes, in a buffer of about the expected size. Tera writes straight
/// into the buffer, so the output is never validated as UTF-8 twice (templates and context
/// values are UTF-8 already).
fn render_template(
    theme: &Theme,
    template: &str,
    ctx: &Context,
    capacity: usize,
) -> Result<Vec<u8>, Diagnostic> {
    let mut html = Vec::with_capacity(capacity);
    theme
        .tera
        .render_to(template, ctx, &mut html)
        .map_err(|e| theme::render_diagnostic(&e, template))?;
    Ok(html)
}

/// A page through minify-html (`minify = true`), keeping what gongkai's pages rely on: the
/// closing tags and the `<html>` and `<head>` start tags, and inline scripts and styles as
/// they are (minifying those is minify-html's largest dependency, and gongkai's are small).
#[cfg(feature = "minify")]
fn minify(html: &[u8]) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    minify_html::minify(html, &cfg)
}

/// Without the `minify` feature, settings that ask for minifying are refused when loaded.
#[cfg(not(feature = "minify"))]
fn minify(html: &[u8]) -> Vec<u8> {
    html.to_vec()
}

/// `2 KB`, `1.2 MB`.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}
