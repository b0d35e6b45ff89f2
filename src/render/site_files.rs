//! The files of a whole site, a single office's or a platform's: robots.txt, sitemap.xml and the
//! Atom feed (with `base_url`), and the theme's static files.

use serde::Serialize;
use tera::Context;

use crate::diagnostic::Diagnostic;

use super::view::SiteView;
use super::{Out, theme};

/// An entry of the Atom feed.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FeedEntry {
    title: String,
    url: String,
    updated: String,
}

impl FeedEntry {
    /// An entry; `url` is relative to the site root, `date` is `YYYY-MM-DD[ HH:MM]`.
    pub(super) fn new(title: String, url: String, date: &str) -> Self {
        let (d, t) = date.split_once(' ').unwrap_or((date, "00:00"));
        FeedEntry {
            title,
            url,
            updated: format!("{d}T{t}:00+08:00"),
        }
    }
}

/// robots.txt, sitemap.xml and atom.xml (with `base_url`; `page_paths` relative to the site
/// root), and the theme's static files.
pub(super) fn render(
    out: &Out<'_>,
    site_view: &SiteView,
    base_url: Option<&str>,
    page_paths: &[String],
    feed: Vec<FeedEntry>,
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
        out.put("sitemap.xml".into(), xml(out, "sitemap.xml", &ctx)?)
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
        out.put("atom.xml".into(), xml(out, "atom.xml", &ctx)?)
            .map_err(|d| vec![d])?;
    }
    out.put("robots.txt".into(), robots.into_bytes())
        .map_err(|d| vec![d])?;
    for (name, bytes) in &out.theme.statics {
        out.put(format!("static/{name}"), bytes.clone())
            .map_err(|d| vec![d])?;
    }
    Ok(())
}

fn xml(out: &Out<'_>, template: &str, ctx: &Context) -> Result<Vec<u8>, Vec<Diagnostic>> {
    out.theme
        .tera
        .render(template, ctx)
        .map(String::into_bytes)
        .map_err(|e| vec![theme::render_diagnostic(&e, template)])
}
