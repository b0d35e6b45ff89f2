//! A body's pages: one function per page kind — the year pages with their data files, the home
//! page, the comparison across years, the Markdown pages, the attachments — and, for a single
//! office, its 404 page and site files. On a platform the same pages sit under the body's folder.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::format::schema;
use crate::load::{Site, YearReport};
use crate::number::Decimal;
use crate::project::Body;
use crate::render::data;

use super::search;
use super::site_files::{self, FeedEntry};
use super::view::{self, Download, Link, MetaTag, NavItem, PageView, SiteView};
use super::{BodySummary, Out, YearSummary, column_meta, root_of, site_meta, size_text, table};

/// Render the publishable part of a body — everything but its years and pages with errors —
/// and summarise what was published. Alone (`platform` is `None`) the body is the whole site:
/// its 404 page and site files are rendered too.
pub(super) fn render_body(
    out: &Out<'_>,
    body: &Body,
    platform: Option<&str>,
) -> Result<BodySummary, Vec<Diagnostic>> {
    let withheld = body.withheld();
    let published = body.publishable(&withheld);
    let mut years = Vec::new();
    if let Some(site) = &published {
        let pages = BodyPages::new(out, site, &body.folder, platform);
        pages.render()?;
        if platform.is_none() {
            pages.not_found().map_err(|d| vec![d])?;
            if out.search.on() {
                pages.search_page().map_err(|d| vec![d])?;
            }
            pages.site_files()?;
        }
        years = site
            .years
            .iter()
            .map(|y| YearSummary {
                year: y.year,
                title: view::report_title(site, y),
                edition: (y.report.edition.id.clone(), y.report.edition.name.clone()),
                published: y.report.published.clone(),
                metrics: view::report_metrics(&y.report),
            })
            .collect();
    }
    let config = body.site.as_ref().map(|s| &s.config);
    Ok(BodySummary {
        slug: body.folder.clone(),
        name: body.name(),
        kind: config.map_or("其他".to_string(), |c| c.body.kind.clone()),
        counts: body.counts(),
        error_years: withheld.years,
        other_errors: withheld.files,
        loaded: body.site.is_some(),
        missing_website_details: config
            .map(|c| c.missing_website_details())
            .unwrap_or_default(),
        years,
    })
}

/// What a page is, before its navigation, breadcrumbs and meta tags are filled in.
struct PageSpec {
    kind: &'static str,
    /// Path within the body.
    path: String,
    title: String,
    h1: String,
    description: String,
    meta: Vec<MetaTag>,
    crumbs: Vec<Link>,
}

/// One body's pages: the site, where it sits, and what every page shares.
struct BodyPages<'a> {
    out: &'a Out<'a>,
    site: &'a Site,
    /// Where the body's files go: `""` alone, `"dongliu/"` on a platform.
    prefix: String,
    /// The platform's name, when on a platform.
    platform: Option<&'a str>,
    site_view: SiteView,
    /// `site_view` converted for the templates once (every page of the body shares it; a Tera
    /// value is reference-counted, so each page's context takes a cheap clone).
    site_value: tera::Value,
    /// Markdown pages: (slug, title).
    md_titles: Vec<(String, String)>,
    /// Key metric values per year.
    values: BTreeMap<u16, BTreeMap<String, Decimal>>,
}

impl<'a> BodyPages<'a> {
    fn new(out: &'a Out<'a>, site: &'a Site, folder: &str, platform: Option<&'a str>) -> Self {
        let site_view = view::site_view(site);
        BodyPages {
            out,
            site,
            prefix: if folder.is_empty() {
                String::new()
            } else {
                format!("{folder}/")
            },
            platform,
            site_value: tera::Value::from_serializable(&site_view),
            site_view,
            md_titles: site
                .pages
                .iter()
                .map(|p| {
                    let (title, _, _) = view::md_page_view(&p.source.text);
                    (p.slug.clone(), title.unwrap_or_else(|| p.slug.clone()))
                })
                .collect(),
            values: view::metric_values(site),
        }
    }

    /// Every page and file of the body: the years in parallel, then the rest.
    fn render(&self) -> Result<(), Vec<Diagnostic>> {
        let errors: Vec<Diagnostic> = (0..self.site.years.len())
            .into_par_iter()
            .filter_map(|i| self.year(i).err())
            .collect();
        let all_downloads = self.all_years_data();
        let rest = all_downloads.and_then(|downloads| {
            self.home(&downloads)?;
            self.compare(&downloads)?;
            for (j, p) in self.site.pages.iter().enumerate() {
                self.md_page(p, self.site.years.len() + j)?;
            }
            self.attachments()
        });
        let errors: Vec<Diagnostic> = errors.into_iter().chain(rest.err()).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A year: its data files, then its page.
    fn year(&self, i: usize) -> Result<(), Diagnostic> {
        let y = &self.site.years[i];
        let body = &self.site.config.body.name;
        let json = data::tidy_json(body, &y.report);
        let layouts = table::layouts(y.report.edition);
        let json_bytes = json.len();
        self.put(format!("data/{}.json", y.year), json)?;
        // Each printed table's CSV is a file of its own (`data/2021-t3.csv`; table 二's blocks in
        // one), downloaded under the name its link gives (`2021年度表3.csv`), linked below the
        // table (below the last block); the year's JSON holds every table.
        let mut table_links: Vec<(String, usize)> =
            vec![Default::default(); y.report.edition.tables.len()];
        for printed in table::printed_csvs(&y.report, &layouts) {
            let name = format!("{}-t{}.csv", y.year, printed.number);
            table_links[printed.tables.end - 1] = (format!("../data/{name}"), printed.csv.len());
            self.put(format!("data/{name}"), printed.csv.into_bytes())?;
        }
        let csv_of = |ti: usize| table_links.get(ti).cloned().unwrap_or_default();
        let mut yv = view::year_view(self.site, i, &self.values, &csv_of, &layouts);
        if self.site.config.word.unwrap_or(self.out.word) {
            let (link, bytes) = super::export::year_docx(self.site, i);
            self.put(format!("{}/{}", y.year, link.url), bytes)?;
            yv.word = Some(link);
        }
        yv.downloads = vec![Download {
            url: format!("../data/{}.json", y.year),
            text: format!(
                "下载{}年度全部表格数据（JSON 格式，{}）",
                y.year,
                size_text(json_bytes)
            ),
        }];
        let sv = &self.site_view;
        let mut meta = self.column_meta();
        meta.push(meta_tag("ArticleTitle", yv.title.clone()));
        if let Some(p) = &y.report.published {
            let stamp = if p.contains(' ') {
                p.clone()
            } else {
                format!("{p} 00:00")
            };
            meta.push(meta_tag("PubDate", stamp));
        }
        meta.push(meta_tag("ContentSource", sv.body.name.clone()));
        meta.push(meta_tag(
            "Keywords",
            format!("政府信息公开,年度报告,{},{}", sv.short_name, y.year),
        ));
        let lead = y
            .narrative
            .as_ref()
            .map(|n| view::plain_excerpt(n.text(&n.lead), 120))
            .unwrap_or_default();
        let path = format!("{}/index.html", y.year);
        let page = self.page(PageSpec {
            kind: "year",
            title: format!("{} — {}", yv.title, sv.name),
            h1: yv.title.clone(),
            description: if lead.is_empty() {
                yv.title.clone()
            } else {
                lead
            },
            meta,
            crumbs: vec![
                self.home_crumb(&root_of(&path)),
                Link {
                    text: format!("{}年度报告", y.year),
                    url: String::new(),
                },
            ],
            path,
        });
        let mut ctx = self.context(&page);
        ctx.insert("report", &yv);
        self.emit("year.html", &page.path, &ctx)?;
        if !self.out.search.on() {
            return Ok(());
        }
        let title = yv.title.clone();
        self.index(i, Some(y.year), &page.path, title, search::year_parts(yv))
    }

    /// Add a page to the site search.
    fn index(
        &self,
        local: usize,
        year: Option<u16>,
        path: &str,
        title: String,
        parts: Vec<search::Part>,
    ) -> Result<(), Diagnostic> {
        let sv = &self.site_view;
        let doc = search::Doc {
            folder: self.prefix.trim_end_matches('/'),
            local,
            kind: &sv.body.kind,
            year,
            url: format!("{}{path}", self.prefix),
            title,
            body: &sv.body.name,
            aliases: &sv.short_name,
            parts,
        };
        self.out.search.add(self.out, doc)
    }

    /// The downloads of all years: for a single office `data/all.json` and `data/all.csv` (and
    /// the JSON Schema); on a platform the per-year files and the cross-body downloads cover the
    /// same data, so the duplicate is left out and the list links to each year's files.
    fn all_years_data(&self) -> Result<Vec<Download>, Diagnostic> {
        if self.platform.is_some() {
            return Ok(self
                .site
                .years
                .iter()
                .rev()
                .map(|y| Download {
                    url: format!("data/{}.json", y.year),
                    text: format!("下载{}年度全部表格数据（JSON 格式）", y.year),
                })
                .collect());
        }
        let body = &self.site.config.body.name;
        let tidy: Vec<data::TidyReport> = self
            .site
            .years
            .iter()
            .map(|y| data::tidy_report(body, &y.report))
            .collect();
        let all_json = serde_json::to_string(&tidy).unwrap_or_default() + "\n";
        let all_csv = data::csv(&tidy);
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
        self.put("data/all.json".into(), all_json.into_bytes())?;
        self.put("data/all.csv".into(), all_csv.into_bytes())?;
        self.put(
            "data/report.schema.json".into(),
            schema::schema_compact().into_bytes(),
        )?;
        Ok(downloads)
    }

    /// The home page: the reports, newest first, with their key figures.
    fn home(&self, downloads: &[Download]) -> Result<(), Diagnostic> {
        let sv = &self.site_view;
        let page = self.page(PageSpec {
            kind: "home",
            path: "index.html".into(),
            title: format!("{} — {}", sv.reports_title, sv.name),
            h1: sv.reports_title.clone(),
            description: format!(
                "{}历年政府信息公开工作年度报告，按国家统一格式发布。",
                sv.body.name
            ),
            meta: self.column_meta(),
            crumbs: vec![Link {
                text: self.home_text(),
                url: String::new(),
            }],
        });
        let mut ctx = self.context(&page);
        ctx.insert("reports", &view::report_cards(self.site, &self.values));
        ctx.insert("downloads", downloads);
        self.emit("index.html", &page.path, &ctx)
    }

    /// 历年对比: key metrics across years, tables and charts.
    fn compare(&self, downloads: &[Download]) -> Result<(), Diagnostic> {
        let sv = &self.site_view;
        let mut cv = view::compare_view(self.site, &self.values);
        cv.downloads = downloads
            .iter()
            .map(|d| Download {
                url: format!("../{}", d.url),
                text: d.text.clone(),
            })
            .collect();
        let page = self.page(PageSpec {
            kind: "compare",
            path: "compare/index.html".into(),
            title: format!("历年对比 — {} — {}", sv.reports_title, sv.name),
            h1: "历年对比".into(),
            description: format!(
                "{}历年政府信息公开工作年度报告主要数据对比。",
                sv.short_name
            ),
            meta: self.column_meta(),
            crumbs: vec![
                self.home_crumb("../"),
                Link {
                    text: "历年对比".into(),
                    url: String::new(),
                },
            ],
        });
        let mut ctx = self.context(&page);
        ctx.insert("compare", &cv);
        self.emit("compare.html", &page.path, &ctx)
    }

    /// A Markdown page of `content/pages/`.
    fn md_page(&self, p: &crate::load::PageSource, local: usize) -> Result<(), Diagnostic> {
        let sv = &self.site_view;
        let (title, pv, summary) = view::md_page_view(&p.source.text);
        let title = title.unwrap_or_else(|| p.slug.clone());
        let path = format!("{}/index.html", p.slug);
        let page = self.page(PageSpec {
            kind: "page",
            title: format!("{title} — {}", sv.name),
            h1: title.clone(),
            description: if summary.is_empty() {
                title.clone()
            } else {
                summary.chars().take(120).collect()
            },
            meta: vec![
                meta_tag("ArticleTitle", title.clone()),
                meta_tag("ContentSource", sv.body.name.clone()),
            ],
            crumbs: vec![
                self.home_crumb(&root_of(&path)),
                Link {
                    text: title,
                    url: String::new(),
                },
            ],
            path,
        });
        let mut ctx = self.context(&page);
        ctx.insert("content", &pv);
        self.emit("page.html", &page.path, &ctx)?;
        if !self.out.search.on() {
            return Ok(());
        }
        let parts = search::markdown_parts(&p.source.text, &page.h1);
        self.index(local, None, &page.path, page.h1.clone(), parts)
    }

    /// The files of `content/` copied as they are.
    fn attachments(&self) -> Result<(), Diagnostic> {
        for a in &self.site.assets {
            let bytes = std::fs::read(&a.path).map_err(|e| {
                Diagnostic::error(
                    "F1",
                    format!(
                        "无法读取 content/{}：{}",
                        a.rel,
                        crate::load::read::io_reason(&e)
                    ),
                )
            })?;
            self.put(a.rel.clone(), bytes)?;
        }
        Ok(())
    }

    /// 404: served for any missing path, so its links are relative to the site root.
    fn not_found(&self) -> Result<(), Diagnostic> {
        let page = self.page(PageSpec {
            kind: "404",
            path: "404.html".into(),
            title: format!("页面不存在 — {}", self.site_view.name),
            h1: "页面不存在".into(),
            description: "您要访问的页面不存在。".into(),
            meta: Vec::new(),
            crumbs: vec![
                Link {
                    text: "首页".into(),
                    url: "index.html".into(),
                },
                Link {
                    text: "页面不存在".into(),
                    url: String::new(),
                },
            ],
        });
        let mut ctx = self.context(&page);
        ctx.insert(
            "years",
            &self.site.years.iter().map(|y| y.year).collect::<Vec<_>>(),
        );
        self.emit("404.html", &page.path, &ctx)
    }

    /// 站内搜索 of a single office: the search page (its index is written when every page is
    /// rendered); without JavaScript it lists the reports by year.
    fn search_page(&self) -> Result<(), Diagnostic> {
        let path = format!("{}/index.html", search::DIR);
        let page = self.page(PageSpec {
            kind: "search",
            title: format!("站内搜索 — {}", self.site_view.name),
            h1: "站内搜索".into(),
            description: format!("搜索{}的政府信息公开工作年度报告。", self.site_view.name),
            meta: Vec::new(),
            crumbs: vec![
                self.home_crumb(&root_of(&path)),
                Link {
                    text: "站内搜索".into(),
                    url: String::new(),
                },
            ],
            path,
        });
        let links = self
            .site
            .years
            .iter()
            .rev()
            .map(|y| Link {
                text: view::report_title(self.site, y),
                url: format!("../{}/index.html", y.year),
            })
            .collect();
        let sv = search::SearchView {
            years: self.site.years.iter().rev().map(|y| y.year).collect(),
            kinds: Vec::new(),
            links,
        };
        let mut ctx = self.context(&page);
        ctx.insert("search", &sv);
        self.emit("search.html", &page.path, &ctx)
    }

    /// robots.txt, sitemap.xml and atom.xml of a single office, and the theme's static files.
    fn site_files(&self) -> Result<(), Vec<Diagnostic>> {
        let mut paths: Vec<String> = vec!["index.html".into(), "compare/index.html".into()];
        paths.extend(
            self.site
                .years
                .iter()
                .map(|y| format!("{}/index.html", y.year)),
        );
        paths.extend(
            self.md_titles
                .iter()
                .map(|(slug, _)| format!("{slug}/index.html")),
        );
        let feed: Vec<FeedEntry> = self
            .site
            .years
            .iter()
            .rev()
            .filter_map(|y: &YearReport| {
                let date = y.report.published.as_ref()?;
                Some(FeedEntry::new(
                    view::report_title(self.site, y),
                    format!("{}/", y.year),
                    date,
                ))
            })
            .collect();
        site_files::render(
            self.out,
            &self.site_view,
            self.site.config.base_url.as_deref(),
            &paths,
            feed,
        )
    }

    /// A page's view: its path within the body, navigation, breadcrumbs (under the platform's
    /// home on a platform) and meta tags.
    fn page(&self, spec: PageSpec) -> PageView {
        let root = root_of(&spec.path);
        let top = root_of(&format!("{}{}", self.prefix, spec.path));
        let mut breadcrumbs = Vec::new();
        if let Some(name) = self.platform {
            breadcrumbs.push(Link {
                text: name.to_string(),
                url: format!("{top}index.html"),
            });
        }
        breadcrumbs.extend(spec.crumbs);
        PageView {
            kind: spec.kind,
            title: spec.title,
            h1: spec.h1,
            root: root.clone(),
            static_root: top.clone(),
            nav: self.nav(&spec.path, &root, &top),
            path: spec.path,
            description: spec.description,
            meta: site_meta(&self.site_view, spec.meta),
            breadcrumbs,
            search: self.out.search.on(),
        }
    }

    fn nav(&self, current: &str, root: &str, top: &str) -> Vec<NavItem> {
        let mut nav = Vec::new();
        if let Some(name) = self.platform {
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

    /// The name of the body's home in breadcrumbs: `首页` alone, its short name on a platform.
    fn home_text(&self) -> String {
        if self.platform.is_some() {
            self.site_view.short_name.clone()
        } else {
            "首页".to_string()
        }
    }

    /// The first breadcrumb: the body's home.
    fn home_crumb(&self, root: &str) -> Link {
        Link {
            text: self.home_text(),
            url: format!("{root}index.html"),
        }
    }

    fn column_meta(&self) -> Vec<MetaTag> {
        let sv = &self.site_view;
        column_meta(
            &sv.column,
            format!("{}历年政府信息公开工作年度报告", sv.short_name),
            format!("政府信息公开,年度报告,{}", sv.short_name),
        )
    }

    fn context(&self, page: &PageView) -> tera::Context {
        self.out.context(&self.site_value, page)
    }

    /// Render a page of the body.
    fn emit(&self, template: &str, path: &str, ctx: &tera::Context) -> Result<(), Diagnostic> {
        self.out
            .page(template, &format!("{}{path}", self.prefix), ctx)
    }

    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.out.put(format!("{}{path}", self.prefix), bytes)
    }
}

fn meta_tag(name: &str, content: String) -> MetaTag {
    MetaTag {
        name: name.into(),
        content,
    }
}
