//! The report as a portal article: an HTML fragment that survives pasting into a CMS's
//! rich-text editor (PUBLISHING.md: pasted styles from stylesheets are lost, inline styles and
//! plain semantic tables survive).
//!
//! Semantic headings (`h2` for the six parts, `h3`… below them; the CMS gives the article its
//! title), paragraphs and lists; the official tables from the same layouts as the site's, with
//! their caption, `th` with `scope` (and `id`/`headers` as on the site), spans as printed, zeros
//! as 0. Presentation is only in inline `style` attributes — borders, alignment, widths — so
//! nothing depends on the site's stylesheet; no scripts, no classes, no relative links (a
//! relative link of report.md keeps its text, see [`super::document`]).
//!
//! `preview.html` is the fragment in a bare page without any stylesheet, to look at it as the
//! CMS will show it; it passes site-audit like the site's pages.

use super::document::{Block, DocTable, ReportDoc, Span};

const P: &str = "margin:0 0 0.8em;line-height:1.8;text-indent:2em";
const H2: &str = "margin:1.4em 0 0.6em;font-size:1.3em;line-height:1.4";
const H3: &str = "margin:1em 0 0.5em;font-size:1.1em;line-height:1.4";
const ITEM: &str = "margin:0 0 0.4em;line-height:1.8";
const TABLE: &str =
    "border-collapse:collapse;margin:0.5em 0 0.3em;font-size:0.95em;line-height:1.5";
const CAPTION: &str = "caption-side:top;padding:0.4em 0;text-align:center;font-weight:bold";
const TH: &str = "border:1px solid #000;padding:4px 6px;text-align:center;vertical-align:middle;font-weight:bold";
const TH_ROW: &str = "border:1px solid #000;padding:4px 6px;text-align:left;vertical-align:middle;font-weight:normal";
const TD: &str =
    "border:1px solid #000;padding:4px 6px;text-align:right;font-variant-numeric:tabular-nums";
const CORNER: &str = "border:1px solid #000;padding:4px 6px";
const NOTE: &str = "margin:0.2em 0;font-size:0.9em;line-height:1.6";
const SIGN: &str = "margin:0;line-height:1.8;text-align:right";

fn esc(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

fn open(out: &mut String, tag: &str, style: &str) {
    out.push('<');
    out.push_str(tag);
    out.push_str(" style=\"");
    out.push_str(style);
    out.push_str("\">");
}

fn spans(out: &mut String, spans: &[Span]) {
    for s in spans {
        let mut close = Vec::new();
        if let Some(url) = &s.link {
            out.push_str("<a href=\"");
            esc(out, url);
            out.push_str("\">");
            close.push("</a>");
        }
        if s.strong {
            out.push_str("<strong>");
            close.push("</strong>");
        }
        if s.emphasis {
            out.push_str("<em>");
            close.push("</em>");
        }
        for (i, line) in s.text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<br>");
            }
            esc(out, line);
        }
        for c in close.iter().rev() {
            out.push_str(c);
        }
    }
}

fn blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading { level, text } => {
                let tag = format!("h{}", (*level).clamp(3, 6));
                open(out, &tag, H3);
                esc(out, text);
                out.push_str(&format!("</{tag}>"));
            }
            Block::Paragraph(s) => {
                open(out, "p", P);
                spans(out, s);
                out.push_str("</p>");
            }
            Block::Item {
                marker,
                depth,
                spans: s,
            } => {
                // Lists as paragraphs with their marker: CMS editors renumber or restyle real
                // lists, and the Word document prints them the same way.
                open(
                    out,
                    "p",
                    &format!("{ITEM};padding-left:{}em", 2 + 2 * depth),
                );
                esc(out, marker);
                out.push(' ');
                spans(out, s);
                out.push_str("</p>");
            }
            Block::Table { head, rows } => {
                open(out, "table", TABLE);
                if !head.is_empty() {
                    out.push_str("<thead><tr>");
                    for h in head {
                        open(out, "th scope=\"col\"", TH);
                        esc(out, h);
                        out.push_str("</th>");
                    }
                    out.push_str("</tr></thead>");
                }
                out.push_str("<tbody>");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        open(out, "td", CORNER);
                        esc(out, c);
                        out.push_str("</td>");
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</tbody></table>");
            }
        }
    }
}

fn official_table(out: &mut String, t: &DocTable) {
    let id = &t.id;
    // A wide table scrolls in its own box on a phone rather than widening the article.
    out.push_str(&format!(
        "<div role=\"region\" aria-labelledby=\"{id}-caption\" tabindex=\"0\" style=\"overflow-x:auto\">"
    ));
    out.push_str(&format!(
        "<table id=\"{id}\" aria-describedby=\"{id}-note\" style=\"{TABLE}\"><caption id=\"{id}-caption\" style=\"{CAPTION}\">"
    ));
    esc(out, &t.caption);
    out.push_str("</caption>");
    let row = |out: &mut String, cells: &[super::table::PrintedCell]| {
        out.push_str("<tr>");
        for c in cells {
            let tag = if c.header { "th" } else { "td" };
            out.push('<');
            out.push_str(tag);
            if c.header {
                out.push_str(&format!(" id=\"{}\" scope=\"{}\"", c.id, c.scope));
            }
            if c.colspan > 1 {
                out.push_str(&format!(" colspan=\"{}\"", c.colspan));
            }
            if c.rowspan > 1 {
                out.push_str(&format!(" rowspan=\"{}\"", c.rowspan));
            }
            if !c.headers.is_empty() {
                out.push_str(&format!(" headers=\"{}\"", c.headers));
            }
            let style = match (c.header, c.scope, c.number) {
                (true, "row", _) => TH_ROW,
                (true, _, _) => TH,
                (false, _, true) => TD,
                (false, _, false) => CORNER,
            };
            out.push_str(" style=\"");
            out.push_str(style);
            out.push_str("\">");
            esc(out, &c.text);
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        out.push_str("</tr>");
    };
    out.push_str("<thead>");
    for r in &t.grid.head {
        row(out, r);
    }
    out.push_str("</thead><tbody>");
    for r in &t.grid.body {
        row(out, r);
    }
    out.push_str("</tbody></table></div>");
    out.push_str(&format!("<div id=\"{id}-note\">"));
    for n in &t.notes {
        open(out, "p", NOTE);
        esc(out, n);
        out.push_str("</p>");
    }
    out.push_str("</div>");
}

/// The article body: the lead-in, the six parts with their tables, the signature.
pub(crate) fn fragment(doc: &ReportDoc) -> String {
    let mut out = String::with_capacity(64 * 1024);
    blocks(&mut out, &doc.lead);
    for part in &doc.parts {
        open(&mut out, "h2", H2);
        esc(&mut out, &part.heading);
        out.push_str("</h2>");
        blocks(&mut out, &part.blocks);
        for t in &part.tables {
            official_table(&mut out, t);
        }
    }
    open(&mut out, "p", SIGN);
    esc(&mut out, &doc.body_name);
    out.push_str("</p>");
    if let Some(date) = &doc.date_text {
        open(&mut out, "p", SIGN);
        esc(&mut out, date);
        out.push_str("</p>");
    }
    out.push('\n');
    out
}

/// The fragment in a bare page without any stylesheet: how the CMS will show it.
pub(crate) fn preview(doc: &ReportDoc, fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(&mut out, &doc.title);
    out.push_str("（门户网站文章预览）</title></head><body><main style=\"max-width:60em;margin:0 auto;padding:0 1em\"><h1 style=\"font-size:1.6em;text-align:center;line-height:1.4\">");
    esc(&mut out, &doc.title);
    out.push_str("</h1>");
    out.push_str(fragment.trim_end());
    out.push_str("</main></body></html>\n");
    out
}
