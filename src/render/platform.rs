//! A platform's own pages: the home page listing the bodies by kind with their latest report and
//! check status, and a cross-body view per year (key figures side by side, sortable without
//! JavaScript through pre-rendered orderings, with a download of all bodies' figures), its 404
//! page and site files.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::format;
use crate::load::config::{BODY_KINDS, PlatformConfig};
use crate::number::Decimal;
use crate::project::tally;

use super::search;
use super::site_files::{self, FeedEntry};
use super::view::{self, Link, NavItem, PageView, SiteView};
use super::{BodySummary, Out, YearSummary, column_meta, root_of, site_meta};

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
    /// The table rows, placed with `{{ year_view.rows | safe }}`: each body's row is rendered
    /// once per year from `partials/platform_year_row.html` (with the row as `r`), and every
    /// ordering places the same rows in its own order.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// What the platform's pages were last rendered from, per year: a year whose inputs are the same
/// again is not rendered again, and of a changed year only the changed rows are (`serve`
/// rebuilding after a save). Empty for a build, which renders everything.
#[derive(Debug, Default, Clone)]
pub(crate) struct PlatformCache {
    /// The years listed on every page (newest first), when the cache was filled.
    years: Vec<u16>,
    /// Per year: what its pages show, and each row's HTML.
    per_year: BTreeMap<u16, YearCache>,
}

impl PlatformCache {
    /// The files of the cross-body pages of years that are no longer listed.
    pub(crate) fn dropped_files(&self, before: &PlatformCache) -> Vec<String> {
        before
            .per_year
            .iter()
            .filter(|(year, _)| !self.per_year.contains_key(year))
            .flat_map(|(_, y)| y.files.iter().cloned())
            .collect()
    }
}

/// One year's cross-body pages as rendered: their inputs and their files.
#[derive(Debug, Clone)]
struct YearCache {
    /// The rows in name order, the columns and the notes: everything the pages show.
    rows: Vec<YearRow>,
    notes: Vec<String>,
    /// Each row's HTML, in the order of `rows`.
    html: Vec<String>,
    /// Feed entries of the year's reports.
    feed: Vec<FeedEntry>,
    /// The pages' paths (for the sitemap) and every file written.
    paths: Vec<String>,
    files: Vec<String>,
}

/// Render the platform's own pages from the bodies' summaries: home, the cross-body views and
/// data of each year (those not in `cache` as they are), 404, feeds and static files.
pub(super) fn render_platform_pages(
    out: &Out<'_>,
    config: &PlatformConfig,
    bodies: &[BodySummary],
    cache: &mut PlatformCache,
) -> Result<(), Vec<Diagnostic>> {
    let site_view = platform_site_view(config);
    let pv = platform_view(bodies);
    let pages = PlatformPages {
        out,
        config,
        site_value: tera::Value::from_serializable(&site_view),
        site_view,
        years: &pv.years,
    };
    // Every year's pages list every year: a new list invalidates them all.
    let reuse = cache.years == pv.years;
    // The home page and each year's cross-body pages and data are independent: rendered in
    // parallel, collected in year order (feed entries and page paths).
    let (home, per_year): (_, Vec<Result<YearCache, Vec<Diagnostic>>>) = rayon::join(
        || pages.home(&pv),
        || {
            pv.years
                .par_iter()
                .map(|&year| {
                    let before = cache.per_year.get(&year).filter(|_| reuse);
                    pages.year(bodies, year, before)
                })
                .collect()
        },
    );
    home.map_err(|d| vec![d])?;
    let mut feed = Vec::new();
    let mut paths = vec!["index.html".to_string()];
    let mut per_year_cache = BTreeMap::new();
    for (year, result) in pv.years.iter().zip(per_year) {
        let year_cache = result?;
        feed.extend(year_cache.feed.iter().cloned());
        paths.extend(year_cache.paths.iter().cloned());
        per_year_cache.insert(*year, year_cache);
    }
    *cache = PlatformCache {
        years: pv.years.clone(),
        per_year: per_year_cache,
    };
    for b in bodies.iter().filter(|b| !b.years.is_empty()) {
        paths.push(format!("{}/index.html", b.slug));
        paths.extend(
            b.years
                .iter()
                .map(|y| format!("{}/{}/index.html", b.slug, y.year)),
        );
    }
    out.put(
        "data/report.schema.json".into(),
        crate::format::schema::schema_compact().into_bytes(),
    )
    .map_err(|d| vec![d])?;
    pages.not_found().map_err(|d| vec![d])?;
    if out.search.on() {
        pages.search_page(&pv).map_err(|d| vec![d])?;
    }
    site_files::render(
        out,
        &pages.site_view,
        config.base_url.as_deref(),
        &paths,
        feed,
    )
}

/// What the platform's pages share: where they go, the settings, the site view and its Tera
/// value, and the years with a cross-body view.
struct PlatformPages<'a> {
    out: &'a Out<'a>,
    config: &'a PlatformConfig,
    site_view: SiteView,
    site_value: tera::Value,
    years: &'a [u16],
}

impl PlatformPages<'_> {
    /// The home page: the bodies by kind, each with its latest report and check status.
    fn home(&self, pv: &PlatformView) -> Result<(), Diagnostic> {
        let page = self.page(
            "home",
            "index.html",
            self.config.name.clone(),
            vec![Link {
                text: "首页".into(),
                url: String::new(),
            }],
        );
        let mut ctx = self.out.context(&self.site_value, &page);
        ctx.insert("platform", pv);
        self.out.page("platform.html", "index.html", &ctx)
    }

    /// 404: served for any missing path, so its links are relative to the site root.
    fn not_found(&self) -> Result<(), Diagnostic> {
        let page = self.page(
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
        );
        let mut ctx = self.out.context(&self.site_value, &page);
        ctx.insert("years", &Vec::<u16>::new());
        self.out.page("404.html", "404.html", &ctx)
    }

    /// 站内搜索 across every body (its index is written when every page is rendered); without
    /// JavaScript it lists the years' cross-body pages, which link to every report.
    fn search_page(&self, pv: &PlatformView) -> Result<(), Diagnostic> {
        let path = format!("{}/index.html", search::DIR);
        let page = self.page(
            "search",
            &path,
            "站内搜索".into(),
            vec![
                Link {
                    text: "首页".into(),
                    url: "../index.html".into(),
                },
                Link {
                    text: "站内搜索".into(),
                    url: String::new(),
                },
            ],
        );
        let sv = search::SearchView {
            years: pv.years.clone(),
            kinds: pv.groups.iter().map(|g| g.kind.clone()).collect(),
            links: pv
                .years
                .iter()
                .map(|y| Link {
                    text: format!("{y}年度各机关年度报告"),
                    url: format!("../years/{y}/index.html"),
                })
                .collect(),
        };
        let mut ctx = self.out.context(&self.site_value, &page);
        ctx.insert("search", &sv);
        self.out.page("search.html", &path, &ctx)
    }

    /// One year's cross-body pages (one per ordering) and data files. Each body's row is
    /// rendered once; each page places the rows in its order. Rows and pages are rendered in
    /// parallel. When `before` shows the same rows, columns and notes, nothing is rendered; a
    /// row the same as before keeps its HTML.
    fn year(
        &self,
        bodies: &[BodySummary],
        year: u16,
        before: Option<&YearCache>,
    ) -> Result<YearCache, Vec<Diagnostic>> {
        let mut feed = Vec::new();
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
        let mut notes = Vec::new();
        if !left_out.is_empty() {
            notes.push(format!(
                "未列入：{}（{year}年度报告有错误，暂未发布）。",
                left_out.join("、")
            ));
        }
        // The same rows (which fix the columns: they follow the rows' editions) and notes: the
        // same pages.
        if let Some(before) = before
            && before.rows == table.rows
            && before.notes == notes
        {
            // The feed lists titles and dates, which the rows do not show.
            return Ok(YearCache {
                feed,
                ..before.clone()
            });
        }
        for (_, v, _) in &mut table.pages {
            v.notes.extend(notes.iter().cloned());
        }
        // Each body's row once (unless it is as it was); each page places them in its order.
        let known: std::collections::HashMap<&str, usize> = before
            .map(|b| {
                b.rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.url.as_str(), i))
                    .collect()
            })
            .unwrap_or_default();
        let row_html = table
            .rows
            .par_iter()
            .map(|r| {
                let same = before.and_then(|b| {
                    let i = *known.get(r.url.as_str())?;
                    (b.rows[i] == *r).then(|| b.html[i].clone())
                });
                match same {
                    Some(html) => Ok(html),
                    None => {
                        let mut ctx = tera::Context::new();
                        ctx.insert("r", r);
                        self.out.fragment(ROW_TEMPLATE, &ctx)
                    }
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|d| vec![d])?;
        let paths = table
            .pages
            .into_par_iter()
            .map(|(file, v, order)| {
                let path = format!("years/{year}/{file}");
                let page = self.page(
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
                );
                let mut v = v;
                v.rows = String::with_capacity(row_html.iter().map(String::len).sum());
                for &r in &order {
                    v.rows.push_str(&row_html[r]);
                }
                let mut ctx = self.out.context(&self.site_value, &page);
                ctx.insert("year_view", &v);
                ctx.insert("years", self.years);
                self.out
                    .page("platform_year.html", &path, &ctx)
                    .map_err(|d| vec![d])?;
                Ok(path)
            })
            .collect::<Result<Vec<_>, Vec<Diagnostic>>>()?;
        let (csv, json) = year_data(year, &rows);
        let data = [
            (format!("years/{year}/data.csv"), csv),
            (format!("years/{year}/data.json"), json),
        ];
        let mut files = paths.clone();
        for (path, text) in data {
            files.push(path.clone());
            self.out.put(path, text.into_bytes()).map_err(|d| vec![d])?;
        }
        Ok(YearCache {
            rows: table.rows,
            notes,
            html: row_html,
            feed,
            paths,
            files,
        })
    }

    /// A platform page's view: navigation to the home page and the latest year's view, meta tags.
    fn page(&self, kind: &'static str, path: &str, h1: String, breadcrumbs: Vec<Link>) -> PageView {
        let root = root_of(path);
        let mut nav = vec![NavItem {
            text: "各机关年度报告".into(),
            url: format!("{root}index.html"),
            current: path == "index.html",
        }];
        if let Some(y) = self.years.first() {
            nav.push(NavItem {
                text: "各机关年度对比".into(),
                url: format!("{root}years/{y}/index.html"),
                current: path.starts_with("years/"),
            });
        }
        let name = &self.config.name;
        let meta = site_meta(
            &self.site_view,
            column_meta(
                "政府信息公开年报",
                format!("{name}：所辖各机关政府信息公开工作年度报告"),
                "政府信息公开,年度报告".into(),
            ),
        );
        PageView {
            kind,
            title: format!("{h1} — {}", self.site_view.name),
            h1,
            root: root.clone(),
            static_root: root,
            path: path.to_string(),
            description: format!("{name}：所辖各机关的政府信息公开工作年度报告及检查情况。"),
            meta,
            breadcrumbs,
            nav,
            search: self.out.search.on(),
        }
    }
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
                rows: String::new(),
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
    use crate::render::data::{csv_string, csv_text, csv_writer};
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
            missing_website_details: Vec::new(),
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
