//! Rendering: the model in, output files (path + bytes) out, handed one by one to a [`Sink`].
//! Pure: the sink decides where files go (the atomic disk writer of `build`, the in-memory
//! snapshot of `serve`), and there is no global state.
//!
//! Pages are rendered in parallel and streamed to the sink as soon as they are done, so a
//! platform of thousands of reports is never held in memory whole. Every page links relatively
//! (`../2020/index.html`), so the folder works under any subpath and from `file://`; nothing
//! depends on the clock, so two builds are byte-identical.

pub mod chart;
pub mod compact;
pub mod table;
pub mod theme;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::diagnostic::Diagnostic;
use crate::export;
use crate::number::Decimal;
use crate::schema;
use crate::site::Site;

pub use theme::Theme;
use view::{Download, Link, MetaTag, NavItem, PageView, SiteView};

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
    /// Minify HTML.
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

/// Where a body's pages sit: alone (a single-office site) or in a platform.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// Folder of the body in the output (`""` alone, `"dongliu/"` in a platform).
    pub prefix: String,
    /// The platform's name, when in a platform.
    pub platform: Option<String>,
}

/// Counts of what was rendered.
#[derive(Debug, Default)]
pub struct Counter {
    pages: AtomicUsize,
}

impl Counter {
    /// Pages rendered so far.
    pub fn pages(&self) -> usize {
        self.pages.load(Ordering::Relaxed)
    }

    /// Count one page.
    pub fn add_page(&self) {
        self.pages.fetch_add(1, Ordering::Relaxed);
    }
}

/// `""`, `"../"`, `"../../"` for a page at `path`.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Per-page helpers of one body.
struct BodyPages<'a> {
    site_view: SiteView,
    /// `site_view` converted for the templates once (every page of the body shares it; a Tera
    /// value is reference-counted, so each page's context takes a cheap clone).
    site_value: tera::Value,
    place: &'a Placement,
    opts: &'a Options,
    theme: &'a Theme,
    md_titles: Vec<(String, String)>,
}

impl<'a> BodyPages<'a> {
    fn new(site: &Site, place: &'a Placement, opts: &'a Options, theme: &'a Theme) -> Self {
        let site_view = view::site_view(site);
        BodyPages {
            site_value: tera::Value::from_serializable(&site_view),
            site_view,
            place,
            opts,
            theme,
            md_titles: md_titles(site),
        }
    }

    /// The first breadcrumb: the body's home (`首页` for a single-office site).
    fn home_crumb(&self, root: &str) -> Link {
        let text = if self.place.platform.is_some() {
            self.site_view.short_name.clone()
        } else {
            "首页".to_string()
        };
        Link {
            text,
            url: format!("{root}index.html"),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn page(
        &self,
        kind: &'static str,
        path: &str,
        title: String,
        h1: String,
        description: String,
        meta: Vec<MetaTag>,
        crumbs: Vec<Link>,
    ) -> PageView {
        let root = root_of(path);
        let full = format!("{}{path}", self.place.prefix);
        let top = root_of(&full);
        let mut breadcrumbs = Vec::new();
        if let Some(name) = &self.place.platform {
            breadcrumbs.push(Link {
                text: name.clone(),
                url: format!("{top}index.html"),
            });
        }
        breadcrumbs.extend(crumbs);
        PageView {
            kind,
            title,
            h1,
            root: root.clone(),
            static_root: top.clone(),
            path: path.to_string(),
            description,
            meta: site_meta(&self.site_view, meta),
            breadcrumbs,
            nav: self.nav(path, &root, &top),
        }
    }

    fn nav(&self, current: &str, root: &str, top: &str) -> Vec<NavItem> {
        let mut nav = Vec::new();
        if let Some(name) = &self.place.platform {
            nav.push(NavItem {
                text: format!("{name}首页"),
                url: format!("{top}index.html"),
                current: false,
            });
        }
        let is_year = current.len() == 15
            && current.ends_with("/index.html")
            && current[..4].parse::<u16>().is_ok();
        nav.push(NavItem {
            text: "年度报告".into(),
            url: format!("{root}index.html"),
            current: current == "index.html" || is_year,
        });
        nav.push(NavItem {
            text: "历年对比".into(),
            url: format!("{root}compare/index.html"),
            current: current == "compare/index.html",
        });
        for (slug, title) in &self.md_titles {
            let path = format!("{slug}/index.html");
            nav.push(NavItem {
                text: title.clone(),
                current: current == path,
                url: format!("{root}{path}"),
            });
        }
        nav
    }

    fn column_meta(&self) -> Vec<MetaTag> {
        let sv = &self.site_view;
        vec![
            MetaTag {
                name: "ColumnName".into(),
                content: sv.column.clone(),
            },
            MetaTag {
                name: "ColumnDescription".into(),
                content: format!("{}历年政府信息公开工作年度报告", sv.short_name),
            },
            MetaTag {
                name: "ColumnKeywords".into(),
                content: format!("政府信息公开,年度报告,{}", sv.short_name),
            },
            MetaTag {
                name: "ColumnType".into(),
                content: "信息公开年报".into(),
            },
        ]
    }

    fn context(&self, page: &PageView) -> Context {
        base_context(self.site_value.clone(), page, self.opts)
    }

    fn emit(
        &self,
        template: &str,
        path: &str,
        ctx: &Context,
        sink: &dyn Sink,
        counter: &Counter,
    ) -> Result<(), Diagnostic> {
        self.emit_with_tables(template, path, ctx, &[], sink, counter)
    }

    /// Render a page whose template places tables by their placeholders.
    #[allow(clippy::too_many_arguments)]
    fn emit_with_tables(
        &self,
        template: &str,
        path: &str,
        ctx: &Context,
        tables: &[(&str, &[u8])],
        sink: &dyn Sink,
        counter: &Counter,
    ) -> Result<(), Diagnostic> {
        let path = format!("{}{path}", self.place.prefix);
        emit_page(
            self.theme, template, &path, ctx, tables, self.opts, sink, counter,
        )
    }

    fn put(&self, path: String, bytes: Vec<u8>, sink: &dyn Sink) -> Result<(), Diagnostic> {
        sink.put(OutputFile {
            path: format!("{}{path}", self.place.prefix),
            bytes,
        })
    }
}

/// Render a single-office site: the body's pages plus the site-level files (static assets, 404,
/// robots.txt, and sitemap.xml and atom.xml when `base_url` is set).
pub fn render_site(
    site: &Site,
    theme: &Theme,
    opts: &Options,
    sink: &dyn Sink,
) -> Result<usize, Vec<Diagnostic>> {
    let counter = Counter::default();
    let place = Placement::default();
    render_body(site, theme, opts, &place, sink, &counter)?;
    let pages = BodyPages::new(site, &place, opts, theme);
    // 404: served for any missing path, so its links are relative to the site root.
    let page = pages.page(
        "404",
        "404.html",
        format!("页面不存在 — {}", pages.site_view.name),
        "页面不存在".into(),
        "您要访问的页面不存在。".into(),
        Vec::new(),
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
    );
    let mut ctx = pages.context(&page);
    ctx.insert(
        "years",
        &site.years.iter().map(|y| y.year).collect::<Vec<_>>(),
    );
    pages
        .emit("404.html", "404.html", &ctx, sink, &counter)
        .map_err(|d| vec![d])?;
    let mut pages_urls: Vec<String> = vec!["index.html".into(), "compare/index.html".into()];
    pages_urls.extend(site.years.iter().map(|y| format!("{}/index.html", y.year)));
    pages_urls.extend(
        pages
            .md_titles
            .iter()
            .map(|(slug, _)| format!("{slug}/index.html")),
    );
    let feed: Vec<FeedEntry> = site
        .years
        .iter()
        .rev()
        .filter_map(|y| {
            let date = y.report.published.as_ref()?;
            Some(FeedEntry::new(
                view::report_title(site, y),
                format!("{}/", y.year),
                date,
            ))
        })
        .collect();
    render_site_files(
        theme,
        &pages.site_view,
        site.config.base_url.as_deref(),
        &pages_urls,
        feed,
        sink,
    )?;
    Ok(counter.pages())
}

/// robots.txt, sitemap.xml and atom.xml (with `base_url`), and the theme's static files.
pub fn render_site_files(
    theme: &Theme,
    site_view: &SiteView,
    base_url: Option<&str>,
    page_paths: &[String],
    feed: Vec<FeedEntry>,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = base_url.filter(|b| !b.is_empty()) {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        robots.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
        let mut urls: Vec<String> = page_paths
            .iter()
            .map(|p| format!("{base}{}", p.trim_end_matches("index.html")))
            .collect();
        urls.sort();
        let mut ctx = Context::new();
        ctx.insert("urls", &urls);
        let sitemap = theme
            .tera
            .render("sitemap.xml", &ctx)
            .map_err(|e| vec![theme::render_diagnostic(&e, "sitemap.xml")])?;
        sink.put(OutputFile {
            path: "sitemap.xml".into(),
            bytes: sitemap.into_bytes(),
        })
        .map_err(|d| vec![d])?;
        let mut feed = feed;
        for e in &mut feed {
            e.url = format!("{base}{}", e.url);
        }
        feed.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.url.cmp(&b.url)));
        let mut ctx = Context::new();
        ctx.insert("site", site_view);
        ctx.insert("base", &base);
        ctx.insert(
            "updated",
            &feed
                .first()
                .map(|e| e.updated.clone())
                .unwrap_or_else(|| "2000-01-01T00:00:00+08:00".into()),
        );
        ctx.insert("entries", &feed);
        let atom = theme
            .tera
            .render("atom.xml", &ctx)
            .map_err(|e| vec![theme::render_diagnostic(&e, "atom.xml")])?;
        sink.put(OutputFile {
            path: "atom.xml".into(),
            bytes: atom.into_bytes(),
        })
        .map_err(|d| vec![d])?;
    }
    sink.put(OutputFile {
        path: "robots.txt".into(),
        bytes: robots.into_bytes(),
    })
    .map_err(|d| vec![d])?;
    for (name, bytes) in &theme.statics {
        sink.put(OutputFile {
            path: format!("static/{name}"),
            bytes: bytes.clone(),
        })
        .map_err(|d| vec![d])?;
    }
    Ok(())
}

fn md_titles(site: &Site) -> Vec<(String, String)> {
    site.pages
        .iter()
        .map(|p| {
            let (title, _, _) = view::md_page_view(&p.source.text);
            (p.slug.clone(), title.unwrap_or_else(|| p.slug.clone()))
        })
        .collect()
}

/// Render one body's pages, data downloads and attachments under `place.prefix`.
pub fn render_body(
    site: &Site,
    theme: &Theme,
    opts: &Options,
    place: &Placement,
    sink: &dyn Sink,
    counter: &Counter,
) -> Result<(), Vec<Diagnostic>> {
    let values = view::metric_values(site);
    let pages = BodyPages::new(site, place, opts, theme);
    let sv = &pages.site_view;
    let body = site.config.body.name.clone();
    let errors: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    let fail = |d: Diagnostic| {
        if let Ok(mut e) = errors.lock() {
            e.push(d);
        }
    };

    // One job per year: its data files and its page, rendered and handed to the sink at once.
    let year_sizes: Vec<Option<(usize, usize)>> = (0..site.years.len())
        .into_par_iter()
        .map(|i| -> Result<(usize, usize), Diagnostic> {
            let y = &site.years[i];
            let json = export::tidy_json(&body, &y.report);
            let layouts = table::layouts(y.report.edition);
            let table_csvs: Vec<String> = layouts
                .iter()
                .enumerate()
                .map(|(ti, layout)| table::table_csv(&y.report, ti, layout))
                .collect();
            let csv = table::year_csv(&y.report, &table_csvs);
            let sizes = (json.len(), csv.len());
            pages.put(format!("data/{}.json", y.year), json, sink)?;
            pages.put(format!("data/{}.csv", y.year), csv.into_bytes(), sink)?;
            // Each table's CSV travels inside its download link (a data: URL with a file name), so
            // a year does not cost one file per table.
            let table_links: Vec<(String, usize)> = table_csvs
                .iter()
                .map(|csv| {
                    use base64::Engine as _;
                    let encoded = base64::engine::general_purpose::STANDARD.encode(csv);
                    (
                        format!("data:text/csv;charset=utf-8;base64,{encoded}"),
                        csv.len(),
                    )
                })
                .collect();
            let csv_of = |ti: usize| table_links.get(ti).cloned().unwrap_or_default();
            let mut yv = view::year_view(site, i, &values, &csv_of, &layouts);
            yv.downloads = vec![
                Download {
                    url: format!("../data/{}.csv", y.year),
                    text: format!(
                        "下载{}年度全部表格数据（CSV 格式，UTF-8 编码，{}）",
                        y.year,
                        size_text(sizes.1)
                    ),
                },
                Download {
                    url: format!("../data/{}.json", y.year),
                    text: format!(
                        "下载{}年度全部表格数据（JSON 格式，{}）",
                        y.year,
                        size_text(sizes.0)
                    ),
                },
            ];
            let path = format!("{}/index.html", y.year);
            let mut meta = pages.column_meta();
            meta.push(MetaTag {
                name: "ArticleTitle".into(),
                content: yv.title.clone(),
            });
            if let Some(p) = &y.report.published {
                let stamp = if p.contains(' ') {
                    p.clone()
                } else {
                    format!("{p} 00:00")
                };
                meta.push(MetaTag {
                    name: "PubDate".into(),
                    content: stamp,
                });
            }
            meta.push(MetaTag {
                name: "ContentSource".into(),
                content: sv.body.name.clone(),
            });
            meta.push(MetaTag {
                name: "Keywords".into(),
                content: format!("政府信息公开,年度报告,{},{}", sv.short_name, y.year),
            });
            let lead = y
                .narrative
                .as_ref()
                .map(|n| view::plain_excerpt(n.text(&n.lead), 120))
                .unwrap_or_default();
            let root = root_of(&path);
            let page = pages.page(
                "year",
                &path,
                format!("{} — {}", yv.title, sv.name),
                yv.title.clone(),
                if lead.is_empty() {
                    yv.title.clone()
                } else {
                    lead
                },
                meta,
                vec![
                    pages.home_crumb(&root),
                    Link {
                        text: format!("{}年度报告", y.year),
                        url: String::new(),
                    },
                ],
            );
            let mut ctx = pages.context(&page);
            ctx.insert("report", &yv);
            let tables: Vec<(&str, &[u8])> = yv
                .parts
                .iter()
                .flat_map(|p| {
                    p.tables
                        .iter()
                        .map(|t| (t.placeholder.as_str(), t.html.as_bytes()))
                })
                .collect();
            pages.emit_with_tables("year.html", &path, &ctx, &tables, sink, counter)?;
            Ok(sizes)
        })
        .map(|r| r.map_err(&fail).ok())
        .collect();
    let _ = year_sizes;

    // All years of the body, for a single-office site. In a platform the per-year files and the
    // cross-body downloads cover the same data, so the duplicate is left out.
    let standalone = place.platform.is_none();
    let mut all_files = Vec::new();
    let all_downloads = if standalone {
        let tidy: Vec<export::TidyReport> = site
            .years
            .iter()
            .map(|y| export::tidy_report(&body, &y.report))
            .collect();
        let all_json = serde_json::to_string(&tidy).unwrap_or_default() + "\n";
        let all_csv = export::csv(&tidy);
        let downloads = vec![
            Download {
                url: "data/all.csv".into(),
                text: format!(
                    "下载历年全部表格数据（CSV 格式，UTF-8 编码，{}）",
                    size_text(all_csv.len())
                ),
            },
            Download {
                url: "data/all.json".into(),
                text: format!(
                    "下载历年全部表格数据（JSON 格式，{}）",
                    size_text(all_json.len())
                ),
            },
        ];
        all_files.push(("data/all.json".to_string(), all_json.into_bytes()));
        all_files.push(("data/all.csv".to_string(), all_csv.into_bytes()));
        downloads
    } else {
        site.years
            .iter()
            .rev()
            .flat_map(|y| {
                [
                    Download {
                        url: format!("data/{}.csv", y.year),
                        text: format!("下载{}年度全部表格数据（CSV 格式，UTF-8 编码）", y.year),
                    },
                    Download {
                        url: format!("data/{}.json", y.year),
                        text: format!("下载{}年度全部表格数据（JSON 格式）", y.year),
                    },
                ]
            })
            .collect()
    };
    let rest = (|| -> Result<(), Diagnostic> {
        for (path, bytes) in all_files {
            pages.put(path, bytes, sink)?;
        }
        if place.platform.is_none() {
            pages.put(
                "data/report.schema.json".into(),
                schema::schema_compact().into_bytes(),
                sink,
            )?;
        }

        // Home.
        let cards = report_cards(site, &values);
        let page = pages.page(
            "home",
            "index.html",
            format!("{} — {}", sv.reports_title, sv.name),
            sv.reports_title.clone(),
            format!(
                "{}历年政府信息公开工作年度报告，按国家统一格式发布。",
                sv.body.name
            ),
            pages.column_meta(),
            vec![Link {
                text: if place.platform.is_some() {
                    sv.short_name.clone()
                } else {
                    "首页".into()
                },
                url: String::new(),
            }],
        );
        let mut ctx = pages.context(&page);
        ctx.insert("reports", &cards);
        ctx.insert("downloads", &all_downloads);
        pages.emit("index.html", "index.html", &ctx, sink, counter)?;

        // Comparison.
        let mut cv = view::compare_view(site, &values);
        cv.downloads = all_downloads
            .iter()
            .map(|d| Download {
                url: format!("../{}", d.url),
                text: d.text.clone(),
            })
            .collect();
        let path = "compare/index.html";
        let page = pages.page(
            "compare",
            path,
            format!("历年对比 — {} — {}", sv.reports_title, sv.name),
            "历年对比".into(),
            format!(
                "{}历年政府信息公开工作年度报告主要数据对比。",
                sv.short_name
            ),
            pages.column_meta(),
            vec![
                pages.home_crumb("../"),
                Link {
                    text: "历年对比".into(),
                    url: String::new(),
                },
            ],
        );
        let mut ctx = pages.context(&page);
        ctx.insert("compare", &cv);
        pages.emit("compare.html", path, &ctx, sink, counter)?;

        // Markdown pages.
        for p in &site.pages {
            let (title, pv, summary) = view::md_page_view(&p.source.text);
            let title = title.unwrap_or_else(|| p.slug.clone());
            let path = format!("{}/index.html", p.slug);
            let root = root_of(&path);
            let meta = vec![
                MetaTag {
                    name: "ArticleTitle".into(),
                    content: title.clone(),
                },
                MetaTag {
                    name: "ContentSource".into(),
                    content: sv.body.name.clone(),
                },
            ];
            let page = pages.page(
                "page",
                &path,
                format!("{title} — {}", sv.name),
                title.clone(),
                if summary.is_empty() {
                    title.clone()
                } else {
                    summary.chars().take(120).collect()
                },
                meta,
                vec![
                    pages.home_crumb(&root),
                    Link {
                        text: title.clone(),
                        url: String::new(),
                    },
                ],
            );
            let mut ctx = pages.context(&page);
            ctx.insert("content", &pv);
            pages.emit("page.html", &path, &ctx, sink, counter)?;
        }
        for a in &site.assets {
            let bytes = std::fs::read(&a.path).map_err(|e| {
                Diagnostic::error(
                    "F1",
                    format!("无法读取 content/{}：{}", a.rel, crate::site::io_reason(&e)),
                )
            })?;
            pages.put(a.rel.clone(), bytes, sink)?;
        }
        Ok(())
    })();
    if let Err(d) = rest {
        fail(d);
    }
    let errors = errors.into_inner().unwrap_or_default();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The home page's list of reports, newest first, with key figures against the year before.
pub fn report_cards(
    site: &Site,
    values: &BTreeMap<u16, BTreeMap<String, Decimal>>,
) -> Vec<view::ReportCard> {
    let mut cards = Vec::new();
    for (i, y) in site.years.iter().enumerate().rev() {
        let prev = i
            .checked_sub(1)
            .map(|p| &site.years[p])
            .filter(|p| p.year + 1 == y.year);
        let here = values.get(&y.year).cloned().unwrap_or_default();
        let before = prev.and_then(|p| values.get(&p.year));
        let published_iso = y.report.published.clone().unwrap_or_default();
        cards.push(view::ReportCard {
            year: y.year,
            title: view::report_title(site, y),
            url: format!("{}/index.html", y.year),
            edition: format!("{}（{}）", y.report.edition.name, y.report.edition.notice),
            published: if published_iso.is_empty() {
                String::new()
            } else {
                view::date_text(&published_iso)
            },
            published_iso: published_iso.split(' ').next().unwrap_or("").to_string(),
            figures: view::figures(y.report.edition, &here, before),
            compared_with: prev.map(|p| p.year),
        });
    }
    cards
}

/// An entry of the Atom feed.
#[derive(Debug, Clone, Serialize)]
pub struct FeedEntry {
    title: String,
    url: String,
    updated: String,
}

impl FeedEntry {
    /// An entry; `url` is relative to the site root, `date` is `YYYY-MM-DD[ HH:MM]`.
    pub fn new(title: String, url: String, date: &str) -> Self {
        let (d, t) = date.split_once(' ').unwrap_or((date, "00:00"));
        FeedEntry {
            title,
            url,
            updated: format!("{d}T{t}:00+08:00"),
        }
    }
}

/// The context every page template gets; `site` is the [`SiteView`] as a Tera value, converted
/// once per site rather than per page.
pub fn base_context(site: tera::Value, page: &PageView, opts: &Options) -> Context {
    let mut ctx = Context::new();
    ctx.insert_value("site", site);
    ctx.insert("page", page);
    ctx.insert("live", &opts.inject.is_some());
    ctx
}

/// The site-level meta tags of 《政府网站发展指引》 (SiteName, SiteDomain, SiteIDCode), then the
/// page's own.
pub fn site_meta(sv: &SiteView, page_meta: Vec<MetaTag>) -> Vec<MetaTag> {
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

/// Render one page of `template` to `path`: Tera, then the serve script and minifying, then the
/// fragments (official tables, cross-body table rows) into their placeholders; counted and
/// handed to the sink. Every HTML page of a build (a body's or a platform's) goes through here.
#[allow(clippy::too_many_arguments)]
pub fn emit_page(
    theme: &Theme,
    template: &str,
    path: &str,
    ctx: &Context,
    fragments: &[(&str, &[u8])],
    opts: &Options,
    sink: &dyn Sink,
    counter: &Counter,
) -> Result<(), Diagnostic> {
    let html = render_template(theme, template, ctx, 48 * 1024)?;
    counter.add_page();
    let page = finish_html(html, opts);
    sink.put(OutputFile {
        path: path.to_string(),
        bytes: place_fragments(page, fragments),
    })
}

/// Render a partial that is placed into pages after they are minified (a row of a cross-body
/// table), minified on its own. It must begin and end at block-level tags, so that minifying it
/// apart gives the bytes minifying it in place would.
pub fn render_fragment(
    theme: &Theme,
    template: &str,
    ctx: &Context,
    opts: &Options,
) -> Result<Vec<u8>, Diagnostic> {
    let html = render_template(theme, template, ctx, 1024)?;
    Ok(if opts.minify {
        compact::compact(&html)
    } else {
        html
    })
}

/// Insert the serve script and minify.
pub fn finish_html(mut html: Vec<u8>, opts: &Options) -> Vec<u8> {
    if let Some(script) = &opts.inject
        && let Some(at) = memchr::memmem::rfind(&html, b"</body>")
    {
        html.splice(at..at, script.bytes());
    }
    if !opts.minify {
        return html;
    }
    compact::compact(&html)
}

/// Replace each placeholder of a finished page with its fragment's HTML.
pub fn place_fragments(page: Vec<u8>, fragments: &[(&str, &[u8])]) -> Vec<u8> {
    if fragments.is_empty() {
        return page;
    }
    let extra: usize = fragments.iter().map(|(_, h)| h.len()).sum();
    let mut out = Vec::with_capacity(page.len() + extra);
    let mut rest: &[u8] = &page;
    // Placeholders appear in the order given; find each after the previous one.
    for (marker, html) in fragments {
        match memchr::memmem::find(rest, marker.as_bytes()) {
            Some(at) => {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(html);
                rest = &rest[at + marker.len()..];
            }
            None => continue,
        }
    }
    out.extend_from_slice(rest);
    out
}

/// `2 KB`, `1.2 MB`.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}
