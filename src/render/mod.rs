//! Rendering: the model in, output files (path + bytes) out. Pure: no disk writes (the writer
//! is [`crate::output`]) and no global state, so `build` and `serve` share it.
//!
//! Every page links relatively (`../2020/index.html`), so the folder works under any subpath and
//! from `file://`; nothing depends on the clock, so two builds are byte-identical.

pub mod chart;
pub mod table;
pub mod theme;
pub mod view;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::diagnostic::Diagnostic;
use crate::export;
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

/// The rendered site.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Every file, sorted by path.
    pub files: Vec<OutputFile>,
    /// Number of HTML pages.
    pub pages: usize,
}

impl Rendered {
    /// Total size.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|f| f.bytes.len()).sum()
    }
}

struct PageJob {
    template: &'static str,
    path: String,
    context: Context,
}

/// `""`, `"../"`, `"../../"` for a page at `path`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Render the whole site.
pub fn render_site(
    site: &Site,
    theme: &Theme,
    opts: &Options,
) -> Result<Rendered, Vec<Diagnostic>> {
    let site_view = view::site_view(site);
    let values = view::metric_values(site);
    let mut files: Vec<OutputFile> = Vec::new();
    let mut jobs: Vec<PageJob> = Vec::new();

    // Data downloads first: pages link to them with their sizes.
    let body = site.config.body.name.clone();
    let tidy: Vec<export::TidyReport> = site
        .years
        .iter()
        .map(|y| export::tidy_report(&body, &y.report))
        .collect();
    let mut year_downloads: BTreeMap<u16, Vec<Download>> = BTreeMap::new();
    let mut table_csv: BTreeMap<(u16, usize), (String, usize)> = BTreeMap::new();
    for (y, t) in site.years.iter().zip(&tidy) {
        let json = serde_json::to_string_pretty(t).unwrap_or_default() + "\n";
        let csv = export::csv(std::slice::from_ref(t));
        let jp = format!("data/{}.json", y.year);
        let cp = format!("data/{}.csv", y.year);
        year_downloads.insert(
            y.year,
            vec![
                Download {
                    url: format!("../{cp}"),
                    text: format!(
                        "下载{}年度全部表格数据（CSV 格式，UTF-8 编码，{}）",
                        y.year,
                        size_text(csv.len())
                    ),
                },
                Download {
                    url: format!("../{jp}"),
                    text: format!(
                        "下载{}年度全部表格数据（JSON 格式，{}）",
                        y.year,
                        size_text(json.len())
                    ),
                },
            ],
        );
        files.push(OutputFile {
            path: jp,
            bytes: json.into_bytes(),
        });
        files.push(OutputFile {
            path: cp,
            bytes: csv.into_bytes(),
        });
        for (ti, table) in y.report.edition.tables.iter().enumerate() {
            let csv = table::table_csv(&y.report, ti);
            let path = format!("data/{}-t{}.csv", y.year, table.number);
            table_csv.insert((y.year, ti), (format!("../{path}"), csv.len()));
            files.push(OutputFile {
                path,
                bytes: csv.into_bytes(),
            });
        }
    }
    let all_json = serde_json::to_string_pretty(&tidy).unwrap_or_default() + "\n";
    let all_csv = export::csv(&tidy);
    let all_downloads = vec![
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
    files.push(OutputFile {
        path: "data/all.json".into(),
        bytes: all_json.into_bytes(),
    });
    files.push(OutputFile {
        path: "data/all.csv".into(),
        bytes: all_csv.into_bytes(),
    });
    files.push(OutputFile {
        path: "data/report.schema.json".into(),
        bytes: schema::schema_json().into_bytes(),
    });

    // Markdown pages: their titles are needed for the navigation.
    let mut md_pages = Vec::new();
    for p in &site.pages {
        let (title, page_view, summary) = view::md_page_view(&p.source.text);
        let title = title.unwrap_or_else(|| p.slug.clone());
        md_pages.push((p, title, page_view, summary));
    }
    let nav_for = |current: &str, root: &str| -> Vec<NavItem> {
        let mut nav = vec![
            NavItem {
                text: "年度报告".into(),
                url: format!("{root}index.html"),
                current: current == "index.html"
                    || (current.len() == 15
                        && current.ends_with("/index.html")
                        && current[..4].parse::<u16>().is_ok()),
            },
            NavItem {
                text: "历年对比".into(),
                url: format!("{root}compare/index.html"),
                current: current == "compare/index.html",
            },
        ];
        for (p, title, _, _) in &md_pages {
            let path = format!("{}/index.html", p.slug);
            nav.push(NavItem {
                text: title.clone(),
                current: current == path,
                url: format!("{root}{path}"),
            });
        }
        nav
    };
    let site_meta = |page_meta: Vec<MetaTag>| -> Vec<MetaTag> {
        let mut meta = vec![MetaTag {
            name: "SiteName".into(),
            content: site_view.name.clone(),
        }];
        if let Some(d) = &site_view.domain {
            meta.push(MetaTag {
                name: "SiteDomain".into(),
                content: d.clone(),
            });
        }
        if let Some(c) = site_view
            .website
            .site_code
            .as_ref()
            .filter(|c| !c.is_empty())
        {
            meta.push(MetaTag {
                name: "SiteIDCode".into(),
                content: c.clone(),
            });
        }
        meta.extend(page_meta);
        meta
    };
    let column_meta = || -> Vec<MetaTag> {
        vec![
            MetaTag {
                name: "ColumnName".into(),
                content: site_view.column.clone(),
            },
            MetaTag {
                name: "ColumnDescription".into(),
                content: format!("{}历年政府信息公开工作年度报告", site_view.short_name),
            },
            MetaTag {
                name: "ColumnKeywords".into(),
                content: format!("政府信息公开,年度报告,{}", site_view.short_name),
            },
            MetaTag {
                name: "ColumnType".into(),
                content: "信息公开年报".into(),
            },
        ]
    };
    let home_crumb = |root: &str| Link {
        text: "首页".into(),
        url: format!("{root}index.html"),
    };

    // Home.
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
    {
        let path = "index.html".to_string();
        let root = root_of(&path);
        let page = PageView {
            kind: "home",
            title: format!("{} — {}", site_view.reports_title, site_view.name),
            h1: site_view.reports_title.clone(),
            root: root.clone(),
            path: path.clone(),
            description: format!(
                "{}历年政府信息公开工作年度报告，按国家统一格式发布。",
                site_view.body.name
            ),
            meta: site_meta(column_meta()),
            breadcrumbs: vec![Link {
                text: "首页".into(),
                url: String::new(),
            }],
            nav: nav_for(&path, &root),
        };
        let mut ctx = base_context(&site_view, &page, opts);
        ctx.insert("reports", &cards);
        ctx.insert("downloads", &all_downloads);
        jobs.push(PageJob {
            template: "index.html",
            path,
            context: ctx,
        });
    }

    // Year pages.
    for (i, y) in site.years.iter().enumerate() {
        let csv_of = |ti: usize| table_csv.get(&(y.year, ti)).cloned().unwrap_or_default();
        let mut yv = view::year_view(site, i, &values, &csv_of);
        yv.downloads = year_downloads.get(&y.year).cloned().unwrap_or_default();
        let path = format!("{}/index.html", y.year);
        let root = root_of(&path);
        let mut meta = column_meta();
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
            content: site_view.body.name.clone(),
        });
        meta.push(MetaTag {
            name: "Keywords".into(),
            content: format!("政府信息公开,年度报告,{},{}", site_view.short_name, y.year),
        });
        let lead = y
            .narrative
            .as_ref()
            .map(|n| view::plain_excerpt(n.text(&n.lead), 120))
            .unwrap_or_default();
        let page = PageView {
            kind: "year",
            title: format!("{} — {}", yv.title, site_view.name),
            h1: yv.title.clone(),
            root: root.clone(),
            path: path.clone(),
            description: if lead.is_empty() {
                yv.title.clone()
            } else {
                lead
            },
            meta: site_meta(meta),
            breadcrumbs: vec![
                home_crumb(&root),
                Link {
                    text: format!("{}年度报告", y.year),
                    url: String::new(),
                },
            ],
            nav: nav_for(&path, &root),
        };
        let mut ctx = base_context(&site_view, &page, opts);
        ctx.insert("report", &yv);
        jobs.push(PageJob {
            template: "year.html",
            path,
            context: ctx,
        });
    }

    // Comparison.
    {
        let mut cv = view::compare_view(site, &values);
        cv.downloads = all_downloads
            .iter()
            .map(|d| Download {
                url: format!("../{}", d.url),
                text: d.text.clone(),
            })
            .collect();
        let path = "compare/index.html".to_string();
        let root = root_of(&path);
        let title = format!("历年对比 — {}", site_view.reports_title);
        let page = PageView {
            kind: "compare",
            title: format!("{title} — {}", site_view.name),
            h1: "历年对比".into(),
            root: root.clone(),
            path: path.clone(),
            description: format!(
                "{}历年政府信息公开工作年度报告主要数据对比。",
                site_view.short_name
            ),
            meta: site_meta(column_meta()),
            breadcrumbs: vec![
                home_crumb(&root),
                Link {
                    text: "历年对比".into(),
                    url: String::new(),
                },
            ],
            nav: nav_for(&path, &root),
        };
        let mut ctx = base_context(&site_view, &page, opts);
        ctx.insert("compare", &cv);
        jobs.push(PageJob {
            template: "compare.html",
            path,
            context: ctx,
        });
    }

    // Markdown pages.
    for (p, title, pv, summary) in &md_pages {
        let path = format!("{}/index.html", p.slug);
        let root = root_of(&path);
        let meta = vec![
            MetaTag {
                name: "ArticleTitle".into(),
                content: title.clone(),
            },
            MetaTag {
                name: "ContentSource".into(),
                content: site_view.body.name.clone(),
            },
        ];
        let page = PageView {
            kind: "page",
            title: format!("{title} — {}", site_view.name),
            h1: title.clone(),
            root: root.clone(),
            path: path.clone(),
            description: if summary.is_empty() {
                title.clone()
            } else {
                summary.chars().take(120).collect()
            },
            meta: site_meta(meta),
            breadcrumbs: vec![
                home_crumb(&root),
                Link {
                    text: title.clone(),
                    url: String::new(),
                },
            ],
            nav: nav_for(&path, &root),
        };
        let mut ctx = base_context(&site_view, &page, opts);
        ctx.insert("content", pv);
        jobs.push(PageJob {
            template: "page.html",
            path,
            context: ctx,
        });
    }

    // 404: served for any missing path, so its links are relative to the site root.
    {
        let path = "404.html".to_string();
        let page = PageView {
            kind: "404",
            title: format!("页面不存在 — {}", site_view.name),
            h1: "页面不存在".into(),
            root: String::new(),
            path: path.clone(),
            description: "您要访问的页面不存在。".into(),
            meta: site_meta(Vec::new()),
            breadcrumbs: vec![
                home_crumb(""),
                Link {
                    text: "页面不存在".into(),
                    url: String::new(),
                },
            ],
            nav: nav_for(&path, ""),
        };
        let mut ctx = base_context(&site_view, &page, opts);
        ctx.insert(
            "years",
            &site.years.iter().map(|y| y.year).collect::<Vec<_>>(),
        );
        jobs.push(PageJob {
            template: "404.html",
            path,
            context: ctx,
        });
    }

    let pages = jobs.len();
    let rendered: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            let html = theme
                .tera
                .render(job.template, &job.context)
                .map_err(|e| theme::render_diagnostic(&e, job.template))?;
            let html = finish_html(html, opts);
            Ok(OutputFile {
                path: job.path.clone(),
                bytes: html,
            })
        })
        .collect();
    let mut diags = Vec::new();
    for r in rendered {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    // Feeds and robots.
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = site.config.base_url.as_ref().filter(|b| !b.is_empty()) {
        let base = if base.ends_with('/') {
            base.clone()
        } else {
            format!("{base}/")
        };
        robots.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
        let mut urls: Vec<String> = files
            .iter()
            .filter(|f| f.path.ends_with(".html") && f.path != "404.html")
            .map(|f| format!("{base}{}", f.path.trim_end_matches("index.html")))
            .collect();
        urls.sort();
        let mut ctx = Context::new();
        ctx.insert("urls", &urls);
        let sitemap = theme
            .tera
            .render("sitemap.xml", &ctx)
            .map_err(|e| vec![theme::render_diagnostic(&e, "sitemap.xml")])?;
        files.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: sitemap.into_bytes(),
        });
        let entries: Vec<FeedEntry> = site
            .years
            .iter()
            .rev()
            .filter_map(|y| {
                let date = y.report.published.as_ref()?;
                let (d, t) = date.split_once(' ').unwrap_or((date, "00:00"));
                Some(FeedEntry {
                    title: view::report_title(site, y),
                    url: format!("{base}{}/", y.year),
                    updated: format!("{d}T{t}:00+08:00"),
                })
            })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("site", &site_view);
        ctx.insert("base", &base);
        ctx.insert(
            "updated",
            &entries
                .first()
                .map(|e| e.updated.clone())
                .unwrap_or_else(|| "2000-01-01T00:00:00+08:00".into()),
        );
        ctx.insert("entries", &entries);
        let atom = theme
            .tera
            .render("atom.xml", &ctx)
            .map_err(|e| vec![theme::render_diagnostic(&e, "atom.xml")])?;
        files.push(OutputFile {
            path: "atom.xml".into(),
            bytes: atom.into_bytes(),
        });
    }
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: robots.into_bytes(),
    });

    for (name, bytes) in &theme.statics {
        files.push(OutputFile {
            path: format!("static/{name}"),
            bytes: bytes.clone(),
        });
    }
    for a in &site.assets {
        match std::fs::read(&a.path) {
            Ok(bytes) => files.push(OutputFile {
                path: a.rel.clone(),
                bytes,
            }),
            Err(e) => diags.push(Diagnostic::error(
                "F1",
                format!("无法读取 content/{}：{}", a.rel, crate::site::io_reason(&e)),
            )),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let dup = files
        .windows(2)
        .find(|w| w[0].path == w[1].path)
        .map(|w| w[0].path.clone());
    if let Some(p) = dup {
        return Err(vec![
            Diagnostic::error("F2", format!("两个文件都要生成到 {p}"))
                .hint("content/ 中的附件或 pages 文件与生成的页面同名；请改名。"),
        ]);
    }
    Ok(Rendered { files, pages })
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    updated: String,
}

fn base_context(site: &SiteView, page: &PageView, opts: &Options) -> Context {
    let mut ctx = Context::new();
    ctx.insert("site", site);
    ctx.insert("page", page);
    ctx.insert("live", &opts.inject.is_some());
    ctx
}

/// Insert the serve script and minify.
fn finish_html(mut html: String, opts: &Options) -> Vec<u8> {
    if let Some(script) = &opts.inject
        && let Some(at) = html.rfind("</body>")
    {
        html.insert_str(at, script);
    }
    if !opts.minify {
        return html.into_bytes();
    }
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = false;
    cfg.minify_js = false;
    cfg.keep_comments = false;
    minify_html::minify(html.as_bytes(), &cfg)
}

/// `2 KB`, `1.2 MB`.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}
