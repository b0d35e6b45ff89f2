//! The template context: plain serialisable view structs, computed once per page.
//!
//! Templates get everything precomputed — labels, links relative to the page, year-over-year
//! changes, tables and charts — and never reach back into the model (ANCHORS.md §1.4).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check;
use crate::format::{Edition, PartKind};
use crate::load::config::{Body, Website};
use crate::load::markdown::{self, RenderOptions};
use crate::load::narrative::Narrative;
use crate::load::report::Report;
use crate::load::{Site, YearReport};
use crate::number::Decimal;

use super::chart::{self, ChartView, Series};
use super::table::{self, TableView};

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// Site name (SiteName).
    pub name: String,
    /// Short name of the body.
    pub short_name: String,
    /// The body.
    pub body: Body,
    /// Website details.
    pub website: Website,
    /// Site domain (SiteDomain): `website.domain`, else the host of `base_url`.
    pub domain: Option<String>,
    /// Column name.
    pub column: String,
    /// `lang`.
    pub lang: String,
    /// Title of the report list, e.g. `东柳街道政府信息公开工作年度报告`.
    pub reports_title: String,
    /// Link to the national 政府网站找错 platform.
    pub report_error_url: String,
}

/// The page being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    /// `home`, `year`, `compare`, `page`, `404`.
    pub kind: &'static str,
    /// `<title>`.
    pub title: String,
    /// The `h1`.
    pub h1: String,
    /// Prefix that leads from this page to the body's root (`""`, `"../"`, `"../../"`).
    pub root: String,
    /// Prefix that leads from this page to the output root, where `static/` is.
    pub static_root: String,
    /// Path of the page from the site root.
    pub path: String,
    /// Meta description.
    pub description: String,
    /// 《政府网站发展指引》 meta tags, in order.
    pub meta: Vec<MetaTag>,
    /// Breadcrumb (当前位置).
    pub breadcrumbs: Vec<Link>,
    /// Main navigation (主栏目).
    pub nav: Vec<NavItem>,
    /// Whether the site has search (the box in the header).
    pub search: bool,
}

/// A meta tag.
#[derive(Debug, Clone, Serialize)]
pub struct MetaTag {
    /// `name`.
    pub name: String,
    /// `content`.
    pub content: String,
}

/// A link; `url` empty for the current page.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Text.
    pub text: String,
    /// Relative URL.
    pub url: String,
}

/// An entry of the main navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    /// Text.
    pub text: String,
    /// Relative URL.
    pub url: String,
    /// Whether it is the current page.
    pub current: bool,
}

/// A key figure with its change against the previous year.
#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    /// Label.
    pub label: String,
    /// Value text.
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Change against the previous year (`比上年增加 6`), empty if none.
    pub change: String,
    /// A note, e.g. `据正文`.
    pub note: String,
}

/// A report in the list on the home page.
#[derive(Debug, Clone, Serialize)]
pub struct ReportCard {
    /// Year.
    pub year: u16,
    /// Title.
    pub title: String,
    /// Relative URL.
    pub url: String,
    /// Edition name and notice.
    pub edition: String,
    /// Publication date for display.
    pub published: String,
    /// ISO publication date.
    pub published_iso: String,
    /// Key figures.
    pub figures: Vec<FigureView>,
    /// With which year the changes are computed, if any.
    pub compared_with: Option<u16>,
}

/// A download link.
#[derive(Debug, Clone, Serialize)]
pub struct Download {
    /// Relative URL.
    pub url: String,
    /// Link text (names the content, the format and the size).
    pub text: String,
}

/// An entry of a table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocItem {
    /// Fragment id.
    pub id: String,
    /// Text.
    pub text: String,
    /// Sub-entries.
    pub children: Vec<TocItem>,
}

/// One of the six parts on a year page.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    /// `一` … `六`.
    pub number: String,
    /// Section id (`s1` … `s6`).
    pub id: String,
    /// Heading as written in report.md, else the format's.
    pub heading: String,
    /// Rendered narrative (for 二–四: the text before the tables).
    pub html: String,
    /// Tables of this part.
    pub tables: Vec<TableView>,
    /// The narrative's plain text, for the site search (not in the template's context).
    #[serde(skip)]
    pub text: String,
}

/// A year page.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    /// The year.
    pub year: u16,
    /// Report title.
    pub title: String,
    /// Edition display: name, notice, title.
    pub edition: EditionView,
    /// Publication date for display (empty if unknown).
    pub published: String,
    /// ISO date.
    pub published_iso: String,
    /// 统计期限.
    pub period: String,
    /// Rendered lead-in.
    pub lead_html: String,
    /// The lead-in's plain text, for the site search (not in the template's context).
    #[serde(skip)]
    pub lead_text: String,
    /// The six parts.
    pub parts: Vec<PartView>,
    /// Table of contents.
    pub toc: Vec<TocItem>,
    /// Previous year, if any.
    pub prev: Option<Link>,
    /// Next year, if any.
    pub next: Option<Link>,
    /// 与上年相比 sentences.
    pub summary: Vec<String>,
    /// The year compared with.
    pub compared_with: Option<u16>,
    /// Data downloads.
    pub downloads: Vec<Download>,
    /// The Word document of the report, when the site publishes it.
    pub word: Option<WordLink>,
}

/// The link to a year's Word document.
#[derive(Debug, Clone, Serialize)]
pub struct WordLink {
    /// Relative URL (`report.docx`).
    pub url: String,
    /// The name it is saved under (`<标题>.docx`).
    pub name: String,
    /// Link text, with format and size.
    pub text: String,
}

/// Edition display.
#[derive(Debug, Clone, Serialize)]
pub struct EditionView {
    /// `2019版`.
    pub name: String,
    /// Notice.
    pub notice: String,
    /// Format title.
    pub title: String,
}

/// The comparison page.
#[derive(Debug, Clone, Serialize)]
pub struct CompareView {
    /// Years, oldest first.
    pub years: Vec<u16>,
    /// Metric rows.
    pub rows: Vec<CompareRow>,
    /// Charts.
    pub charts: Vec<ChartView>,
    /// Notes about comparability.
    pub notes: Vec<String>,
    /// Downloads of all years.
    pub downloads: Vec<Download>,
}

/// One metric across years.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    /// Label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Group heading (`依申请公开`, `行政复议、行政诉讼`, `主动公开`).
    pub group: String,
    /// One cell per year.
    pub cells: Vec<CompareCell>,
}

/// One value of a comparison row.
#[derive(Debug, Clone, Serialize)]
pub struct CompareCell {
    /// Text (value, or `不可比`).
    pub text: String,
    /// Whether the value exists for this year.
    pub comparable: bool,
}

/// A Markdown page.
#[derive(Debug, Clone, Serialize)]
pub struct MdPageView {
    /// Rendered body.
    pub html: String,
    /// Table of contents from its level-2 headings.
    pub toc: Vec<TocItem>,
}

/// Site-wide view.
pub fn site_view(site: &Site) -> SiteView {
    let c = &site.config;
    let domain = c.website.domain.clone().or_else(|| {
        c.base_url.as_ref().and_then(|u| {
            let rest = u.split_once("://")?.1;
            Some(rest.split('/').next()?.to_string())
        })
    });
    SiteView {
        name: c.site_name().to_string(),
        short_name: c.short_name().to_string(),
        body: c.body.clone(),
        website: c.website.clone(),
        domain,
        column: c.column.clone(),
        lang: c.language.clone(),
        reports_title: format!("{}政府信息公开工作年度报告", c.short_name()),
        report_error_url: "https://zfwzzc.www.gov.cn/".into(),
    }
}

/// The title of a year's report.
pub fn report_title(site: &Site, y: &YearReport) -> String {
    y.report.title.clone().unwrap_or_else(|| {
        format!(
            "{}政府信息公开工作{}年度报告",
            site.config.short_name(),
            y.year
        )
    })
}

/// `2021-01-29` → `2021年1月29日`.
pub fn date_text(iso: &str) -> String {
    let date = iso.split(' ').next().unwrap_or(iso);
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => iso.to_string(),
    }
}

/// The values of the edition's metrics that `report`'s tables give.
pub fn report_metrics(report: &Report) -> BTreeMap<String, Decimal> {
    report
        .edition
        .metrics
        .iter()
        .filter_map(|m| Some((m.id.clone(), report.metric(&m.id)?)))
        .collect()
}

/// Values of the comparable metrics of every year, plus the narrative's 主动公开 figure
/// (`proactive`).
pub fn metric_values(site: &Site) -> BTreeMap<u16, BTreeMap<String, Decimal>> {
    let mut out = BTreeMap::new();
    for y in &site.years {
        let mut m = report_metrics(&y.report);
        if let Some(n) = &y.narrative
            && let Some(v) = check::stated_proactive_total(&y.report, n)
        {
            m.insert(PROACTIVE.into(), v);
        }
        out.insert(y.year, m);
    }
    out
}

/// Id of the narrative figure of proactively disclosed items.
pub const PROACTIVE: &str = "proactive";

fn change_text(now: Decimal, before: Option<Decimal>) -> String {
    match before {
        None => String::new(),
        Some(b) if b == now => "与上年持平".into(),
        Some(b) if now > b => format!("比上年增加 {}", now.minus(b)),
        Some(b) => format!("比上年减少 {}", b.minus(now)),
    }
}

/// The key figures of a year, with changes against `previous` (same metric ids only).
pub fn figures(
    edition: &Edition,
    values: &BTreeMap<String, Decimal>,
    previous: Option<&BTreeMap<String, Decimal>>,
) -> Vec<FigureView> {
    let mut out = Vec::new();
    if let Some(v) = values.get(PROACTIVE) {
        out.push(FigureView {
            label: "主动公开信息".into(),
            value: v.to_string(),
            unit: "条".into(),
            change: change_text(*v, previous.and_then(|p| p.get(PROACTIVE).copied())),
            note: "据报告正文".into(),
        });
    }
    for id in &edition.key_metrics {
        let Some(m) = edition.metric(id) else {
            continue;
        };
        let Some(v) = values.get(id) else { continue };
        out.push(FigureView {
            label: m.label.clone(),
            value: v.to_string(),
            unit: m.unit.clone(),
            change: change_text(*v, previous.and_then(|p| p.get(id).copied())),
            note: String::new(),
        });
    }
    out
}

/// The year page.
pub fn year_view(
    site: &Site,
    index: usize,
    values: &BTreeMap<u16, BTreeMap<String, Decimal>>,
    csv_sizes: &dyn Fn(usize) -> (String, usize),
    layouts: &[table::Layout],
) -> YearView {
    let y = &site.years[index];
    let report: &Report = &y.report;
    let edition = report.edition;
    let prev_year = index.checked_sub(1).map(|p| &site.years[p]);
    let next_year = site.years.get(index + 1);
    let adjacent_prev = prev_year.filter(|p| p.year + 1 == y.year);

    let mut parts = Vec::new();
    let mut toc = Vec::new();
    for (pi, part) in edition.parts.iter().enumerate() {
        let written = y
            .narrative
            .as_ref()
            .and_then(|n: &Narrative| n.part(pi).map(|p| (n, p)));
        let id = format!("s{}", pi + 1);
        let heading = written.map_or(part.heading.clone(), |(_, p)| p.heading.clone());
        let mut rendered = written.map(|(n, p)| {
            markdown::render(
                n.text(&p.body),
                &RenderOptions {
                    id_prefix: format!("{id}-"),
                    take_title: false,
                    plain_text: true,
                },
            )
        });
        let (html, text) = rendered.as_mut().map_or_else(Default::default, |r| {
            (std::mem::take(&mut r.html), std::mem::take(&mut r.text))
        });
        let mut children: Vec<TocItem> = rendered
            .as_ref()
            .map(|r| {
                r.headings
                    .iter()
                    .filter(|h| h.level == 3)
                    .map(|h| TocItem {
                        id: h.id.clone(),
                        text: h.text.clone(),
                        children: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut tables = Vec::new();
        if part.kind == PartKind::Tables {
            for (ti, _) in edition.tables_of(&part.number) {
                let (csv, bytes) = csv_sizes(ti);
                let t = table::table_view(report, ti, &layouts[ti], csv, bytes);
                children.push(TocItem {
                    id: t.id.clone(),
                    text: t.caption.clone(),
                    children: Vec::new(),
                });
                tables.push(t);
            }
        }
        toc.push(TocItem {
            id: id.clone(),
            text: heading.clone(),
            children,
        });
        parts.push(PartView {
            number: part.number.clone(),
            id,
            heading,
            html,
            tables,
            text,
        });
    }
    let (lead_html, lead_text) = y
        .narrative
        .as_ref()
        .map(|n| {
            let r = markdown::render(
                n.text(&n.lead),
                &RenderOptions {
                    id_prefix: "lead-".into(),
                    take_title: false,
                    plain_text: true,
                },
            );
            (r.html, r.text)
        })
        .unwrap_or_default();

    let here = values.get(&y.year).cloned().unwrap_or_default();
    let before = adjacent_prev.and_then(|p| values.get(&p.year));
    let mut summary = Vec::new();
    if let Some(p) = adjacent_prev {
        for f in figures(edition, &here, before) {
            if f.change.is_empty() {
                continue;
            }
            let note = if f.note.is_empty() {
                String::new()
            } else {
                format!("（{}）", f.note)
            };
            let change = f.change.replace("比上年", &format!("比{}年", p.year));
            summary.push(format!(
                "{}{note} {}{}，{change}。",
                f.label, f.value, f.unit
            ));
        }
        if p.report.edition.id != edition.id {
            summary.push(format!(
                "{}年起适用新的报告格式（{}），第二部分各表与{}年的口径不同，不作比较。",
                edition.first_year, edition.notice, p.year
            ));
        }
    }
    let published_iso = report.published.clone().unwrap_or_default();
    YearView {
        year: y.year,
        title: report_title(site, y),
        edition: EditionView {
            name: edition.name.clone(),
            notice: edition.notice.clone(),
            title: edition.title.clone(),
        },
        published: if published_iso.is_empty() {
            String::new()
        } else {
            date_text(&published_iso)
        },
        published_iso: published_iso.split(' ').next().unwrap_or("").to_string(),
        period: format!("{0}年1月1日至{0}年12月31日", y.year),
        lead_html,
        lead_text,
        parts,
        toc,
        prev: prev_year.map(|p| Link {
            text: format!("{}年度报告", p.year),
            url: format!("../{}/index.html", p.year),
        }),
        next: next_year.map(|n| Link {
            text: format!("{}年度报告", n.year),
            url: format!("../{}/index.html", n.year),
        }),
        summary,
        compared_with: adjacent_prev.map(|p| p.year),
        downloads: Vec::new(),
        word: None,
    }
}

/// The comparison page.
pub fn compare_view(site: &Site, values: &BTreeMap<u16, BTreeMap<String, Decimal>>) -> CompareView {
    let years: Vec<u16> = site.years.iter().map(|y| y.year).collect();
    // Metrics in the order of the newest edition, then any others (older editions).
    let mut metric_order: Vec<(String, String, String)> = Vec::new();
    for y in site.years.iter().rev() {
        for m in &y.report.edition.metrics {
            if !metric_order.iter().any(|(id, _, _)| *id == m.id) {
                metric_order.push((m.id.clone(), m.label.clone(), m.unit.clone()));
            }
        }
    }
    let mut rows = Vec::new();
    let any_proactive = values.values().any(|m| m.contains_key(PROACTIVE));
    if any_proactive {
        metric_order.insert(
            0,
            (
                PROACTIVE.into(),
                "主动公开信息（据报告正文）".into(),
                "条".into(),
            ),
        );
    }
    for (id, label, unit) in &metric_order {
        let cells: Vec<CompareCell> = years
            .iter()
            .map(|y| match values.get(y).and_then(|m| m.get(id)) {
                Some(v) => CompareCell {
                    text: v.to_string(),
                    comparable: true,
                },
                None => CompareCell {
                    text: if id == PROACTIVE {
                        "未载明".into()
                    } else {
                        "不可比".into()
                    },
                    comparable: false,
                },
            })
            .collect();
        let group = if id == PROACTIVE || id.ends_with("_2019") || id.ends_with("_2021") {
            "主动公开"
        } else if id.starts_with("reconsideration") || id.starts_with("litigation") {
            "行政复议、行政诉讼"
        } else {
            "依申请公开"
        };
        rows.push(CompareRow {
            label: label.clone(),
            unit: unit.clone(),
            group: group.into(),
            cells,
        });
    }
    rows.sort_by_key(|r| match r.group.as_str() {
        "主动公开" => 0,
        "依申请公开" => 1,
        _ => 2,
    });

    let marker = site
        .years
        .windows(2)
        .position(|w| w[0].report.edition.id != w[1].report.edition.id)
        .map(|i| {
            let e = site.years[i + 1].report.edition;
            (i + 1, format!("{}年起适用{}", e.first_year, e.name))
        });
    let series = |id: &str, name: &str, unit: &str| Series {
        name: name.into(),
        values: years
            .iter()
            .map(|y| values.get(y).and_then(|m| m.get(id)).map(Decimal::to_f64))
            .collect(),
        texts: years
            .iter()
            .map(|y| {
                values
                    .get(y)
                    .and_then(|m| m.get(id))
                    .map(|v| format!("{v}{unit}"))
                    .unwrap_or_default()
            })
            .collect(),
    };
    let charts = vec![
        chart::bar_chart(
            "chart-requests",
            "政府信息公开申请：本年新收与本年办结",
            "件",
            &years,
            &[
                series("requests_new", "本年新收", "件"),
                series("requests_handled", "本年办结", "件"),
            ],
            marker.clone(),
        ),
        chart::bar_chart(
            "chart-review",
            "行政复议与行政诉讼",
            "件",
            &years,
            &[
                series("reconsideration", "行政复议", "件"),
                series("litigation", "行政诉讼", "件"),
            ],
            marker.clone(),
        ),
    ];
    let mut notes = vec!["表三、表四在两版格式中栏目相同，可跨年度比较。".to_string()];
    if let Some((i, _)) = &marker {
        let e = site.years[*i].report.edition;
        notes.push(format!(
            "{}年起适用《{}》（{}），第二部分（主动公开）各表的栏目与此前不同，只在同一版格式的年度之间比较，其余标为「不可比」。",
            e.first_year, e.title, e.notice
        ));
    }
    if any_proactive {
        notes.push("主动公开信息条数取自各年度报告正文的表述，表格中没有这一项。".into());
    }
    CompareView {
        years,
        rows,
        charts,
        notes,
        downloads: Vec::new(),
    }
}

/// A Markdown page: (title, view). The title is its first `# ` heading.
pub fn md_page_view(markdown_text: &str) -> (Option<String>, MdPageView, String) {
    let r = markdown::render(
        markdown_text,
        &RenderOptions {
            id_prefix: String::new(),
            take_title: true,
            plain_text: false,
        },
    );
    let toc = r
        .headings
        .iter()
        .filter(|h| h.level == 2)
        .map(|h| TocItem {
            id: h.id.clone(),
            text: h.text.clone(),
            children: Vec::new(),
        })
        .collect();
    (r.title, MdPageView { html: r.html, toc }, r.summary)
}

/// Plain text of a Markdown snippet (for descriptions), at most `max` characters.
pub fn plain_excerpt(markdown_text: &str, max: usize) -> String {
    let r = markdown::render(markdown_text, &RenderOptions::default());
    let text: String = r
        .summary
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    text
}

/// The home page's list of reports, newest first, with key figures against the year before.
pub fn report_cards(
    site: &Site,
    values: &BTreeMap<u16, BTreeMap<String, Decimal>>,
) -> Vec<ReportCard> {
    let mut cards = Vec::new();
    for (i, y) in site.years.iter().enumerate().rev() {
        let prev = i
            .checked_sub(1)
            .map(|p| &site.years[p])
            .filter(|p| p.year + 1 == y.year);
        let here = values.get(&y.year).cloned().unwrap_or_default();
        let before = prev.and_then(|p| values.get(&p.year));
        let published_iso = y.report.published.clone().unwrap_or_default();
        cards.push(ReportCard {
            year: y.year,
            title: report_title(site, y),
            url: format!("{}/index.html", y.year),
            edition: format!("{}（{}）", y.report.edition.name, y.report.edition.notice),
            published: if published_iso.is_empty() {
                String::new()
            } else {
                date_text(&published_iso)
            },
            published_iso: published_iso.split(' ').next().unwrap_or("").to_string(),
            figures: figures(y.report.edition, &here, before),
            compared_with: prev.map(|p| p.year),
        });
    }
    cards
}
