//! Markdown: one place that decides how narrative and pages are parsed and rendered.
//!
//! - Tables and footnotes are on. Footnote ids are `fn-…`/`fnref-…` by number, never the label,
//!   so they cannot collide with headings or the theme's landmarks.
//! - A soft line break between two CJK characters disappears (Chinese has no spaces between
//!   words; a line wrapped in an editor must not put one in the middle of a word).
//! - Heading ids are stable and readable: `一、…` → `s1`, `（二）…` under it → `s1-2`; other
//!   headings are numbered in order. Never pinyin, never empty.
//! - Raw HTML is sanitised with ammonia (no script, no event handlers, no styles); link targets
//!   with other schemes than http(s), mailto and tel, or relative, are dropped.
//! - Markdown tables get `scope="col"` headers and a keyboard-scrollable wrapper.
//! - The HTML is compact: no line breaks between blocks, and whitespace in text only where a
//!   browser renders it, as one space (see [`compact_events`]).

use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Parser options shared by the structure check, the renderer and the importer.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// A heading of rendered Markdown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeadingInfo {
    /// 1–6.
    pub level: u8,
    /// The id given to it.
    pub id: String,
    /// Its text.
    pub text: String,
}

/// Rendered Markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Safe HTML.
    pub html: String,
    /// Headings in order, with their ids.
    pub headings: Vec<HeadingInfo>,
    /// The first level-1 heading's text, when `take_title` was set (it is then not in `html`).
    pub title: Option<String>,
    /// Plain text of the first paragraph (for descriptions).
    pub summary: String,
    /// Plain text of the whole (see [`plain_text`]), when `plain_text` was set; else empty.
    pub text: String,
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Prefix of generated heading ids (e.g. `s5-` inside part 五).
    pub id_prefix: String,
    /// Remove the first `# ` heading and return it as the title (pages).
    pub take_title: bool,
    /// Also give the plain text (the site search's), from the same parse.
    pub plain_text: bool,
}

/// Render Markdown to safe HTML.
pub fn render(markdown: &str, opts: &RenderOptions) -> Rendered {
    let parser = Parser::new_ext(markdown, options());
    let events: Vec<Event<'_>> = parser.collect();
    let text = if opts.plain_text {
        plain_text_of(&events)
    } else {
        String::new()
    };
    let events = join_cjk_soft_breaks(events);

    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut headings = Vec::new();
    let mut title = None;
    let mut has_raw_html = false;
    let mut ids = IdAllocator::new(&opts.id_prefix);
    let mut notes = Footnotes::new(&opts.id_prefix, &events);
    let mut summary = String::new();
    let mut in_first_paragraph = None::<bool>;

    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, .. }) => {
                // Collect the heading's text to name it.
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                    .map_or(events.len(), |p| i + p);
                let text: String = events[i + 1..end]
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let text = text.trim().to_string();
                if opts.take_title && title.is_none() && *level == HeadingLevel::H1 {
                    title = Some(text);
                    i = end + 1;
                    continue;
                }
                let id = ids.id_for(&text, *level as u8);
                headings.push(HeadingInfo {
                    level: *level as u8,
                    id: id.clone(),
                    text,
                });
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::Start(Tag::Paragraph) if in_first_paragraph.is_none() => {
                in_first_paragraph = Some(true);
                out.push(events[i].clone());
            }
            Event::End(TagEnd::Paragraph) if in_first_paragraph == Some(true) => {
                in_first_paragraph = Some(false);
                out.push(events[i].clone());
            }
            Event::Text(t) => {
                if in_first_paragraph == Some(true) {
                    summary.push_str(t);
                }
                out.push(events[i].clone());
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                out.push(events[i].clone());
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: safe_url(dest_url),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: safe_url(dest_url),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::FootnoteReference(label) => {
                out.push(Event::InlineHtml(notes.reference(label).into()));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                out.push(Event::Html(notes.definition(label).into()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                out.push(Event::Html("</div>".into()));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    push_compact_html(&mut html, out);
    if has_raw_html {
        html = sanitize(&html);
    }
    if html.contains("<table>") {
        html = html
            .replace(
                "<table>",
                "<div class=\"table-scroll\" role=\"region\" aria-label=\"表格（可横向滚动）\" tabindex=\"0\"><table>",
            )
            .replace("</table>", "</table></div>");
        html = html.replace("<th>", "<th scope=\"col\">");
        for align in ["left", "center", "right"] {
            html = html.replace(
                &format!("<th style=\"text-align: {align}\">"),
                &format!("<th scope=\"col\" class=\"align-{align}\">"),
            );
            html = html.replace(
                &format!("<td style=\"text-align: {align}\">"),
                &format!("<td class=\"align-{align}\">"),
            );
        }
    }
    Rendered {
        html,
        headings,
        title,
        summary: summary.trim().to_string(),
        text,
    }
}

/// Plain text of Markdown (a report part, a page section) for the site search: paragraphs and
/// list items each on a line, inline markup dropped, raw HTML left out; a line break between
/// two CJK characters disappears as it does on the page.
pub fn plain_text(md: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    plain_text_of(&events)
}

/// [`plain_text`] of the parser's events.
fn plain_text_of(events: &[Event<'_>]) -> String {
    let mut out = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak if !out.chars().next_back().is_some_and(is_cjk) => {
                out.push(' ');
            }
            Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::Heading(_)
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_),
            ) if !out.ends_with('\n') && !out.is_empty() => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Footnote ids, in a namespace of their own. pulldown-cmark would use the label as the id
/// (`[^main]` → `id="main"`, the landmark's; `[^s3-h]` → part 三's heading, so the table of
/// contents jumps to the footnote). Here the label only picks the footnote's number (the one the
/// reader sees, in order of first appearance): a definition is `fn-<prefix><n>`, its references
/// `fnref-<prefix><n>` then `fnref-<prefix><n>-2` …, and the definition's number links back to
/// the first reference. Heading ids start with the prefix (`s5-`, `lead-`, none) followed by
/// `s`, `h` or a digit, the theme's ids are fixed words, `t<n>…` or `y<year>`: none starts with
/// `fn`, so no footnote id can equal them; and the prefix keeps the footnotes of the parts of one
/// page apart.
struct Footnotes {
    prefix: String,
    /// Case-folded label → number (labels match without regard to case, as in the parser).
    numbers: std::collections::HashMap<String, usize>,
    /// Labels that have a reference (only those get a back-link).
    referenced: std::collections::HashSet<String>,
    /// References written so far, per label.
    seen: std::collections::HashMap<String, usize>,
}

impl Footnotes {
    fn new(prefix: &str, events: &[Event<'_>]) -> Self {
        let mut notes = Footnotes {
            prefix: prefix.to_string(),
            numbers: Default::default(),
            referenced: Default::default(),
            seen: Default::default(),
        };
        for e in events {
            let label = match e {
                Event::FootnoteReference(l) => {
                    notes.referenced.insert(l.to_lowercase());
                    l
                }
                Event::Start(Tag::FootnoteDefinition(l)) => l,
                _ => continue,
            };
            let next = notes.numbers.len() + 1;
            notes.numbers.entry(label.to_lowercase()).or_insert(next);
        }
        notes
    }

    fn number(&self, label: &str) -> usize {
        self.numbers
            .get(&label.to_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// `<sup>` linking to the definition.
    fn reference(&mut self, label: &str) -> String {
        let n = self.number(label);
        let seen = self.seen.entry(label.to_lowercase()).or_insert(0);
        *seen += 1;
        let p = &self.prefix;
        let id = if *seen == 1 {
            format!("fnref-{p}{n}")
        } else {
            format!("fnref-{p}{n}-{seen}")
        };
        format!(
            "<sup class=\"footnote-reference\" id=\"{id}\"><a href=\"#fn-{p}{n}\">{n}</a></sup>"
        )
    }

    /// The opening of a definition, with its number linking back to the first reference.
    fn definition(&self, label: &str) -> String {
        let n = self.number(label);
        let p = &self.prefix;
        let number = if self.referenced.contains(&label.to_lowercase()) {
            format!("<a href=\"#fnref-{p}{n}\">{n}</a>")
        } else {
            n.to_string()
        };
        format!(
            "<div class=\"footnote-definition\" id=\"fn-{p}{n}\"><sup class=\"footnote-definition-label\">{number}</sup>"
        )
    }
}

/// Write `events` as compact HTML (see [`compact_events`]). pulldown-cmark's writer puts a line
/// break after (or before) every block tag it writes; those are dropped on the way into `html`,
/// except while the writer is writing an event whose text is kept as it is (code blocks, raw
/// HTML, attribute values). The writer writes each event completely before taking the next, so
/// the flag set when an event is handed over holds for everything written for it.
fn push_compact_html(html: &mut String, events: Vec<Event<'_>>) {
    struct LinesJoined<'a> {
        html: &'a mut String,
        verbatim: &'a std::cell::Cell<bool>,
    }
    impl std::fmt::Write for LinesJoined<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if self.verbatim.get() || !s.contains('\n') {
                self.html.push_str(s);
            } else {
                self.html.extend(s.split('\n'));
            }
            Ok(())
        }
    }
    let verbatim = std::cell::Cell::new(false);
    let events = compact_events(events).into_iter().map(|(event, keep)| {
        verbatim.set(keep);
        event
    });
    let writer = LinesJoined {
        html,
        verbatim: &verbatim,
    };
    // Writing into a String does not fail.
    let _ = pulldown_cmark::html::write_html_fmt(writer, events);
}

/// Whitespace as HTML defines it: what a browser collapses in text.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Where whitespace in text stands, as the events are written in order.
#[derive(Default)]
struct Spacing {
    /// The last thing written was text or an inline tag (a space after it is rendered), not a
    /// block tag or the start.
    after_inline: bool,
    /// Whitespace was seen after inline content: one space, written before the next text or
    /// inline tag, dropped before a block tag.
    pending: bool,
}

impl Spacing {
    /// Text with its whitespace runs made one space each, none at a block's edge.
    fn text<'a>(&mut self, text: CowStr<'a>) -> CowStr<'a> {
        if !text.contains(is_html_space) {
            if text.is_empty() {
                return text;
            }
            self.after_inline = true;
            if !std::mem::take(&mut self.pending) {
                return text;
            }
            return CowStr::from(format!(" {text}"));
        }
        let mut out = String::with_capacity(text.len() + 1);
        for c in text.chars() {
            if is_html_space(c) {
                self.pending = self.after_inline;
            } else {
                if std::mem::take(&mut self.pending) {
                    out.push(' ');
                }
                out.push(c);
                self.after_inline = true;
            }
        }
        CowStr::from(out)
    }

    /// Before an inline tag: the pending space, if any.
    fn inline(&mut self) -> Option<Event<'static>> {
        self.after_inline = true;
        std::mem::take(&mut self.pending).then_some(Event::Text(CowStr::Borrowed(" ")))
    }

    /// At a block tag: whitespace next to it is not rendered.
    fn block(&mut self) {
        self.after_inline = false;
        self.pending = false;
    }
}

/// The events with the whitespace a browser does not render taken out, each with whether the
/// writer must keep its text as it is (`true`: no line break of it dropped). What stays is what
/// the page minifier used to leave (issue 12: same pages without it):
///
/// - a run of whitespace in text, soft line breaks included, is one space when it stands
///   between inline content (text, inline elements), and nothing next to a block tag;
/// - inline code is text like any other (`<code>` is not preformatted);
/// - code blocks, attribute values (link titles, image descriptions) and raw HTML are kept as
///   written, except the whitespace around an HTML block (it stands between blocks). Line
///   breaks inside a raw HTML block that spans several lines stay: the sanitiser reads it as
///   written, and a browser renders them as the single space they would have become.
fn compact_events(events: Vec<Event<'_>>) -> Vec<(Event<'_>, bool)> {
    let mut out: Vec<(Event<'_>, bool)> = Vec::with_capacity(events.len());
    let mut sp = Spacing::default();
    let mut in_code_block = false;
    // Nesting inside an image: its content is its `alt` attribute.
    let mut image = 0usize;
    // Where the current HTML block's first line is in `out`.
    let mut html_block = None;
    for event in events {
        if image > 0 {
            match event {
                Event::Start(_) => image += 1,
                Event::End(_) => image -= 1,
                _ => {}
            }
            out.push((event, true));
            continue;
        }
        match event {
            Event::Text(t) if in_code_block => out.push((Event::Text(t), true)),
            Event::Text(t) => {
                let t = sp.text(t);
                if !t.is_empty() {
                    out.push((Event::Text(t), false));
                }
            }
            Event::Code(t) => {
                out.extend(sp.inline().map(|e| (e, false)));
                // Between `<code>` and `</code>`, both inline: every run is one space.
                let mut inner = Spacing {
                    after_inline: true,
                    pending: false,
                };
                let mut t = inner.text(t);
                if inner.pending {
                    t = CowStr::from(format!("{t} "));
                }
                out.push((Event::Code(t), false));
            }
            Event::SoftBreak => sp.pending = sp.after_inline,
            Event::HardBreak => {
                // `<br />` and the line break after it, which separates it from the next line.
                out.extend(sp.inline().map(|e| (e, false)));
                out.push((Event::HardBreak, false));
                sp.pending = true;
            }
            Event::Html(h) => {
                if html_block.is_none() {
                    html_block = Some(out.len());
                }
                out.push((Event::Html(h), true));
            }
            Event::Rule => {
                sp.block();
                out.push((Event::Rule, false));
            }
            Event::Start(tag) => {
                let inline = matches!(
                    tag,
                    Tag::Emphasis
                        | Tag::Strong
                        | Tag::Strikethrough
                        | Tag::Superscript
                        | Tag::Subscript
                        | Tag::Link { .. }
                        | Tag::Image { .. }
                );
                if inline {
                    out.extend(sp.inline().map(|e| (e, false)));
                } else {
                    sp.block();
                }
                match tag {
                    Tag::CodeBlock(_) => in_code_block = true,
                    Tag::Image { .. } => image = 1,
                    // `<div class="footnote-definition" …><sup …>1</sup>` ends inline.
                    Tag::FootnoteDefinition(_) => sp.after_inline = true,
                    _ => {}
                }
                let keep = matches!(tag, Tag::Link { .. } | Tag::Image { .. });
                out.push((Event::Start(tag), keep));
            }
            Event::End(tag) => {
                let inline = matches!(
                    tag,
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Superscript
                        | TagEnd::Subscript
                        | TagEnd::Link
                );
                if inline {
                    out.extend(sp.inline().map(|e| (e, false)));
                } else {
                    sp.block();
                }
                match tag {
                    TagEnd::CodeBlock => in_code_block = false,
                    TagEnd::HtmlBlock => {
                        if let Some(first) = html_block.take() {
                            trim_html_block(&mut out[first..]);
                        }
                    }
                    _ => {}
                }
                out.push((Event::End(tag), false));
            }
            // Inline HTML, footnote references and the rest: inline.
            other => {
                out.extend(sp.inline().map(|e| (e, false)));
                let keep = matches!(other, Event::InlineHtml(_));
                out.push((other, keep));
            }
        }
    }
    out
}

/// Drop the whitespace before the first line and after the last line of an HTML block (its
/// lines, as `Html` events).
fn trim_html_block(lines: &mut [(Event<'_>, bool)]) {
    fn edit<'a>(e: &mut Event<'a>, f: impl Fn(&str) -> &str) {
        if let Event::Html(h) = e {
            let trimmed = f(h);
            if trimmed.len() != h.len() {
                *h = CowStr::from(trimmed.to_string());
            }
        }
    }
    if let Some((first, _)) = lines.first_mut() {
        edit(first, |h| h.trim_start_matches(is_html_space));
    }
    if let Some((last, _)) = lines.last_mut() {
        edit(last, |h| h.trim_end_matches(is_html_space));
    }
}

/// Deepest nesting accepted in Markdown: block quotes, lists, emphasis and raw HTML elements
/// together. Real reports nest a few levels; hundreds of levels only serve to exhaust the stack
/// of the HTML sanitiser and minifier.
pub const MAX_NESTING: usize = 64;

/// Where `markdown` nests deeper than [`MAX_NESTING`]: the byte span of the first element past
/// the limit.
pub fn too_deep(markdown: &str) -> Option<std::ops::Range<usize>> {
    let mut gauge = NestingGauge::default();
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .find_map(|(event, range)| gauge.step(&event, range))
}

/// The error for Markdown nested deeper than [`MAX_NESTING`] (M5), at `span` of `file`.
pub fn nesting_error(file: &crate::source::SourceFile, span: std::ops::Range<usize>) -> Diagnostic {
    Diagnostic::error("M5", format!("嵌套层级过深（超过 {MAX_NESTING} 层）"))
        .at(file, span)
        .label("从这里起超过了层级上限")
        .hint("引用（>）、列表和 HTML 标签层层嵌套过多，网页无法正常显示；请检查是否误粘贴了网页源代码，或删去多余的嵌套。")
}

/// Follows the nesting depth of a stream of Markdown events (elements plus raw HTML tags), so
/// that a pass over the events made for another reason (the narrative's headings) also finds
/// where the text nests too deep, without parsing it again.
///
/// Raw HTML tags are counted as the browser's HTML parser (and so the sanitiser) nests them, not
/// across the whole file: an inline tag left open in a paragraph (`<span>`, `<sup>` …) is closed
/// by the end of that paragraph (of any Markdown element), so a dozen paragraphs that each leave
/// one open do not add up. Tags of HTML blocks, and block tags written inline (`<div>`), stay open
/// to the end of the text. Formatting tags (`<b>`, `<font>` …) left open are opened again in
/// every later paragraph (the parser's "reconstruct the active formatting elements"), at most
/// three alike (its "Noah's Ark" clause): they count until closed, so that many distinct ones
/// cannot nest, or multiply, without bound.
#[derive(Debug, Default)]
pub struct NestingGauge {
    md_depth: usize,
    /// Tags of HTML blocks and inline block tags: open until closed.
    html_depth: usize,
    /// Inline tags open in the current Markdown element: (name, tag as written).
    inline: Vec<(String, String)>,
    /// `inline.len()` at the start of each open Markdown element.
    saved: Vec<usize>,
    /// Formatting tags left open by an element that ended: (name, tag as written).
    reopened: Vec<(String, String)>,
}

/// Inline elements that the end of a paragraph closes, and that are not opened again after it.
const PHRASING: &[&str] = &[
    "span", "abbr", "acronym", "bdi", "bdo", "cite", "data", "del", "dfn", "ins", "kbd", "label",
    "mark", "q", "ruby", "samp", "sub", "sup", "time", "var",
];

/// Formatting elements: opened again in later paragraphs while left open.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

impl NestingGauge {
    /// Take one event with its source range; the span of the first element past
    /// [`MAX_NESTING`] when this event goes past it.
    pub fn step(
        &mut self,
        event: &Event<'_>,
        range: std::ops::Range<usize>,
    ) -> Option<std::ops::Range<usize>> {
        match event {
            Event::Start(_) => {
                self.saved.push(self.inline.len());
                self.md_depth += 1;
            }
            Event::End(_) => {
                self.md_depth = self.md_depth.saturating_sub(1);
                let keep = self.saved.pop().unwrap_or(0).min(self.inline.len());
                for tag in self.inline.split_off(keep) {
                    if FORMATTING.contains(&tag.0.as_str()) {
                        self.reopen(tag);
                    }
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let inline = matches!(event, Event::InlineHtml(_));
                for (at, delta, name, tag) in html_tags(h) {
                    if delta < 0 {
                        self.close(inline, &name);
                        continue;
                    }
                    if inline
                        && (PHRASING.contains(&name.as_str())
                            || FORMATTING.contains(&name.as_str()))
                    {
                        self.inline.push((name, tag.to_ascii_lowercase()));
                    } else {
                        self.html_depth += 1;
                    }
                    if self.depth() > MAX_NESTING {
                        let start = (range.start + at).min(range.end);
                        return Some(start..range.end);
                    }
                }
                return None;
            }
            _ => return None,
        }
        (self.depth() > MAX_NESTING).then_some(range)
    }

    fn depth(&self) -> usize {
        self.md_depth + self.html_depth + self.inline.len() + self.reopened.len()
    }

    /// A formatting tag left open: it stays in the parser's list, which holds three alike at most.
    fn reopen(&mut self, tag: (String, String)) {
        if self.reopened.iter().filter(|t| t.1 == tag.1).count() >= 3
            && let Some(first) = self.reopened.iter().position(|t| t.1 == tag.1)
        {
            self.reopened.remove(first);
        }
        self.reopened.push(tag);
    }

    /// A closing tag: the innermost open tag of that name (inline ones first), else one level.
    fn close(&mut self, inline: bool, name: &str) {
        let base = self
            .saved
            .last()
            .copied()
            .unwrap_or(0)
            .min(self.inline.len());
        if inline && let Some(p) = self.inline[base..].iter().rposition(|(n, _)| n == name) {
            self.inline.remove(base + p);
        } else if inline && let Some(p) = self.reopened.iter().rposition(|(n, _)| n == name) {
            self.reopened.remove(p);
        } else {
            self.html_depth = self.html_depth.saturating_sub(1);
        }
    }
}

/// Opening (+1) and closing (-1) tags of a piece of raw HTML, with their byte offsets, names (in
/// lower case) and text. Void elements, self-closing tags, comments and elements the HTML parser
/// closes by itself when the next one opens (p, li, td …) are left out.
fn html_tags(html: &str) -> Vec<(usize, i8, String, &str)> {
    const NOT_NESTING: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt",
        "rp", "rtc", "thead", "tbody", "tfoot", "colgroup", "caption",
    ];
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = html[i..].find('<') {
        let at = i + p;
        let rest = &bytes[at + 1..];
        let (closing, name_start) = match rest.first() {
            Some(b'/') => (true, at + 2),
            Some(c) if c.is_ascii_alphabetic() => (false, at + 1),
            _ => {
                i = at + 1;
                continue;
            }
        };
        let name_end = bytes[name_start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric() && *c != b'-')
            .map_or(bytes.len(), |n| name_start + n);
        let name = html[name_start..name_end].to_ascii_lowercase();
        let end = html[name_end..]
            .find('>')
            .map_or(html.len(), |n| name_end + n);
        let self_closing = end > name_end && bytes[end - 1] == b'/';
        if !name.is_empty() && !NOT_NESTING.contains(&name.as_str()) && !self_closing {
            let tag = &html[at..(end + 1).min(html.len())];
            out.push((at, if closing { -1 } else { 1 }, name, tag));
        }
        i = (end + 1).min(html.len()).max(at + 1);
    }
    out
}

/// Whether a character is CJK (Han, kana, Hangul, CJK punctuation, full-width forms).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF      // radicals, Kangxi
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3100..=0x312F
        | 0x3190..=0x31FF
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xAC00..=0xD7AF    // Hangul
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x2FA1F) // extensions B–F, compatibility supplement
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—')
}

/// Drop a soft break whose neighbours are both CJK.
fn join_cjk_soft_breaks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        if matches!(e, Event::SoftBreak) {
            let before = out.iter().rev().find_map(|e| match e {
                Event::Text(t) | Event::Code(t) => t.chars().next_back(),
                _ => None,
            });
            let after = events[i + 1..].iter().find_map(|e| match e {
                Event::Text(t) | Event::Code(t) => t.chars().next(),
                Event::SoftBreak | Event::HardBreak | Event::End(_) => Some('\n'),
                _ => None,
            });
            if before.is_some_and(is_cjk) && after.is_some_and(is_cjk) {
                continue;
            }
        }
        out.push(e.clone());
    }
    out
}

/// The scheme of a link target, as far as running script goes: the one check for every URL that
/// gongkai writes into a page, from Markdown links and images ([`safe_url`]) and from settings
/// (`config::url_setting_problem`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlScheme {
    /// `http:` or `https:`.
    Web,
    /// `mailto:` or `tel:`.
    Contact,
    /// No scheme: a relative path, `?query` or `#fragment`.
    Relative,
    /// Any other scheme: `javascript:`, `data:`, `vbscript:`, `file:` …, also when disguised.
    Other,
}

/// Read the scheme of `url`. An allowlist, so that a disguise cannot slip through: a browser
/// drops leading spaces and control characters and every tab and newline before it reads the
/// scheme (`" \u{e}java\tscript:"` runs as `javascript:`), while here anything with a colon
/// before the first `/`, `?` or `#` has a scheme, and only `http`, `https`, `mailto` and `tel`
/// written plainly are let through. A string that a browser would read as relative but that has
/// such a colon (`a b:c`) is `Other`: refused, never run.
pub fn url_scheme(url: &str) -> UrlScheme {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_special = lower.find(['/', '?', '#']);
    let has_scheme = match (scheme_end, first_special) {
        (Some(c), Some(s)) => c < s,
        (Some(_), None) => true,
        _ => false,
    };
    if !has_scheme {
        UrlScheme::Relative
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        UrlScheme::Web
    } else if lower.starts_with("mailto:") || lower.starts_with("tel:") {
        UrlScheme::Contact
    } else {
        UrlScheme::Other
    }
}

/// Keep http(s), mailto, tel, fragment and relative URLs; drop anything else (javascript:, data:).
fn safe_url<'a>(url: &CowStr<'a>) -> CowStr<'a> {
    match url_scheme(url) {
        UrlScheme::Other => CowStr::Borrowed("#"),
        UrlScheme::Web | UrlScheme::Contact | UrlScheme::Relative => url.clone(),
    }
}

/// Sanitise HTML from Markdown that contains raw HTML.
fn sanitize(html: &str) -> String {
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        .add_generic_attributes(["id", "class", "lang", "title"])
        .add_tag_attributes("th", ["scope", "colspan", "rowspan", "headers", "id"])
        .add_tag_attributes("td", ["colspan", "rowspan", "headers"])
        .attribute_filter(|_element, attribute, value| {
            // Ids the theme uses must stay unique.
            if attribute == "id" && RESERVED_IDS.contains(&value) {
                None
            } else {
                Some(Cow::Borrowed(value))
            }
        })
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect());
    b.clean(html).to_string()
}

/// Ids used by the theme's templates.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "toc",
    "site-header",
    "site-footer",
    "a11y",
    "overlay",
];

/// Chinese numerals for ordinals 1–20 (as used in headings).
const NUMERALS: &[&str] = &[
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十",
];

/// The ordinal of a Chinese numeral (一 → 1 … 二十 → 20).
pub fn numeral_value(s: &str) -> Option<usize> {
    NUMERALS.iter().position(|n| *n == s).map(|i| i + 1)
}

/// The leading ordinal of a heading: `一、` (major) or `（二）` / `(二)` (minor).
fn heading_ordinal(text: &str) -> Option<(bool, usize)> {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix(['（', '(']) {
        let end = rest.find(['）', ')'])?;
        return numeral_value(&rest[..end]).map(|n| (false, n));
    }
    let end = t.find(['、', '.', '．'])?;
    numeral_value(&t[..end]).map(|n| (true, n))
}

struct IdAllocator {
    prefix: String,
    used: Vec<String>,
    last_major: Option<String>,
    seq: usize,
}

impl IdAllocator {
    fn new(prefix: &str) -> Self {
        IdAllocator {
            prefix: prefix.to_string(),
            used: Vec::new(),
            last_major: None,
            seq: 0,
        }
    }

    fn id_for(&mut self, text: &str, level: u8) -> String {
        let candidate = match heading_ordinal(text) {
            Some((true, n)) => {
                let id = format!("{}s{n}", self.prefix);
                self.last_major = Some(id.clone());
                Some(id)
            }
            Some((false, n)) => Some(match &self.last_major {
                Some(major) => format!("{major}-{n}"),
                None => format!("{}{n}", self.prefix),
            }),
            None => None,
        };
        let mut id = candidate
            .filter(|c| !self.used.contains(c))
            .unwrap_or_else(|| {
                self.seq += 1;
                format!("{}h{}-{}", self.prefix, level, self.seq)
            });
        while self.used.contains(&id) || RESERVED_IDS.contains(&id.as_str()) {
            self.seq += 1;
            id = format!("{}h{}-{}", self.prefix, level, self.seq);
        }
        self.used.push(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, &RenderOptions::default()).html
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = "<div>".repeat(40) + "x" + &"</div>".repeat(40);
        assert_eq!(too_deep(&ok), None);
        assert_eq!(too_deep(&"<p>".repeat(500)), None, "p closes itself");
        assert_eq!(too_deep(&"<br>".repeat(500)), None, "void");
        let deep = "text\n\n".to_string() + &"<div>".repeat(100);
        let span = too_deep(&deep).unwrap();
        assert_eq!(&deep[span.start..span.start + 5], "<div>");
        assert_eq!(span.start, 6 + 5 * (MAX_NESTING - 1));
        let quotes = ">".repeat(100) + " x";
        assert_eq!(too_deep(&quotes).unwrap().start, MAX_NESTING);
        let list: String = (0..100).map(|i| "  ".repeat(i) + "- x\n").collect();
        assert!(too_deep(&list).is_some());
    }

    #[test]
    fn unclosed_inline_tags_end_with_their_paragraph() {
        // Harmless: each paragraph leaves a span open; the end of the paragraph closes it.
        let spans: String = (0..100).map(|i| format!("第{i}段<span>说明\n\n")).collect();
        assert_eq!(too_deep(&spans), None);
        // Identical formatting tags are opened again in later paragraphs, three at most.
        let fonts: String = (0..100)
            .map(|i| format!("第{i}段<font color=\"red\">红字\n\n"))
            .collect();
        assert_eq!(too_deep(&fonts), None);
        // Distinct ones pile up in every later paragraph: still counted.
        let bold: String = (0..100)
            .map(|i| format!("第{i}段<b class=\"c{i}\">粗体\n\n"))
            .collect();
        assert!(too_deep(&bold).is_some());
        // Nested in one paragraph, they are nested.
        let nested = format!("段落{}深处", "<span>".repeat(100));
        assert!(too_deep(&nested).is_some());
        // A block tag written inline stays open after the paragraph.
        let divs: String = (0..100).map(|i| format!("第{i}段<div>块\n\n")).collect();
        assert!(too_deep(&divs).is_some());
        // Closed in a later paragraph: no longer counted.
        let closed: String = (0..100)
            .map(|i| format!("<b class=\"c{i}\">粗体\n\n结束</b>\n\n"))
            .collect();
        assert_eq!(too_deep(&closed), None);
    }

    #[test]
    fn footnote_ids_have_their_own_namespace() {
        let md = "## 一、总体情况\n\n正文[^s1]和[^main]，又见[^S1]。\n\n[^s1]: 第一条注释。\n\n[^main]: 第二条注释。\n\n[^toc]: 没有引用的注释。\n";
        for prefix in ["", "s3-", "lead-"] {
            let r = render(
                md,
                &RenderOptions {
                    id_prefix: prefix.into(),
                    take_title: false,
                    plain_text: false,
                },
            );
            let ids: Vec<&str> = r
                .html
                .split(" id=\"")
                .skip(1)
                .map(|s| &s[..s.find('"').unwrap()])
                .collect();
            let p = prefix;
            assert_eq!(
                ids,
                [
                    format!("{p}s1"),
                    format!("fnref-{p}1"),
                    format!("fnref-{p}2"),
                    format!("fnref-{p}1-2"),
                    format!("fn-{p}1"),
                    format!("fn-{p}2"),
                    format!("fn-{p}3"),
                ],
                "{}",
                r.html
            );
            for id in &ids {
                assert!(!RESERVED_IDS.contains(id), "{id}");
            }
            // Every reference leads to its definition, and each referenced definition back to
            // its first reference.
            assert!(
                r.html
                    .contains(&format!("id=\"fnref-{p}1\"><a href=\"#fn-{p}1\">1</a>")),
                "{}",
                r.html
            );
            assert!(
                r.html
                    .contains(&format!("id=\"fnref-{p}1-2\"><a href=\"#fn-{p}1\">1</a>")),
                "{}",
                r.html
            );
            assert!(
                r.html.contains(&format!(
                    "id=\"fn-{p}2\"><sup class=\"footnote-definition-label\"><a href=\"#fnref-{p}2\">2</a></sup>"
                )),
                "{}",
                r.html
            );
            // Not referenced: no back-link that leads nowhere.
            assert!(r.html.contains(&format!(
                "id=\"fn-{p}3\"><sup class=\"footnote-definition-label\">3</sup>"
            )));
        }
        // With raw HTML the sanitiser keeps them.
        let r = html("正文[^a]<span>文字</span>\n\n[^a]: 注释。\n");
        assert!(r.contains("id=\"fnref-1\""), "{r}");
        assert!(r.contains("href=\"#fnref-1\""), "{r}");
        assert!(r.contains("id=\"fn-1\""), "{r}");
    }

    #[test]
    fn url_schemes_are_read_as_a_browser_would_run_them() {
        use UrlScheme::*;
        for (url, scheme) in [
            ("https://www.example.gov.cn/", Web),
            ("HTTP://www.example.gov.cn", Web),
            ("mailto:xxgk@example.gov.cn", Contact),
            ("tel:0000-00000000", Contact),
            ("附件/通知.pdf", Relative),
            ("../2020/index.html#s1", Relative),
            ("?a=b:c", Relative),
            ("#fn-1", Relative),
            ("javascript:alert(1)", Other),
            (" JaVaScRiPt:alert(1)", Other),
            (" \u{e}java\tscript:alert(2)", Other),
            ("java\nscript:alert(1)", Other),
            ("\u{1}https://x", Other),
            ("data:text/html;base64,PHNjcmlwdD4=", Other),
            ("vbscript:msgbox(1)", Other),
            ("file:///etc/passwd", Other),
        ] {
            assert_eq!(url_scheme(url), scheme, "{url:?}");
        }
    }

    #[test]
    fn soft_breaks_between_cjk_disappear() {
        assert_eq!(html("政府信息\n公开工作"), "<p>政府信息公开工作</p>");
        assert_eq!(html("共 383\n条"), "<p>共 383 条</p>");
        assert_eq!(html("第一句。\n第二句"), "<p>第一句。第二句</p>");
        assert_eq!(html("English\nwords"), "<p>English words</p>");
    }

    #[test]
    fn html_is_compact() {
        let cases = [
            (
                "English\nwords  and   more",
                "<p>English words and more</p>",
            ),
            ("a&#32;&#32;b &amp;  c", "<p>a b &amp; c</p>"),
            ("a  \nb\\\nc", "<p>a<br /> b<br /> c</p>"),
            (
                "前 `a   b` 后 ` x `",
                "<p>前 <code>a b</code> 后 <code>x</code></p>",
            ),
            (
                "*强调* **加粗** ~~删除~~ [链接](http://x \"标题\n两行\")",
                "<p><em>强调</em> <strong>加粗</strong> <del>删除</del> \
                 <a href=\"http://x\" title=\"标题\n两行\">链接</a></p>",
            ),
            (
                "![a  b\nc](a.png)",
                "<p><img src=\"a.png\" alt=\"a  b c\" /></p>",
            ),
            (
                "- 一\n- 二\n\n1. 甲\n\n2. 乙",
                "<ul><li>一</li><li>二</li></ul><ol><li><p>甲</p></li><li><p>乙</p></li></ol>",
            ),
            (
                "> 引用\n> 两行\n\n---\n\n段落",
                "<blockquote><p>引用两行</p></blockquote><hr /><p>段落</p>",
            ),
            (
                "```\n  代码  \n\n多行\n```\n\n    缩进代码\n",
                "<pre><code>  代码  \n\n多行\n</code></pre><pre><code>缩进代码\n</code></pre>",
            ),
            (
                "正文[^1]\n\n[^1]: 注释。\n",
                "<p>正文<sup class=\"footnote-reference\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup></p>\
                 <div class=\"footnote-definition\" id=\"fn-1\"><sup class=\"footnote-definition-label\">\
                 <a href=\"#fnref-1\">1</a></sup><p>注释。</p></div>",
            ),
            (
                "| 项目 | 数量 |\n|---|--:|\n| 申请 | 3 |\n",
                "<div class=\"table-scroll\" role=\"region\" aria-label=\"表格（可横向滚动）\" tabindex=\"0\">\
                 <table><thead><tr><th scope=\"col\">项目</th><th scope=\"col\" class=\"align-right\">数量</th></tr></thead>\
                 <tbody><tr><td>申请</td><td class=\"align-right\">3</td></tr></tbody></table></div>",
            ),
            // Raw HTML keeps its own line breaks, not the ones around it.
            (
                "段落\n\n  <div>\n<span>a</span>\n<span>b</span>\n</div>\n\n段落 <span>内联</span> 文字",
                "<p>段落</p><div>\n<span>a</span>\n<span>b</span>\n</div><p>段落 <span>内联</span> 文字</p>",
            ),
        ];
        for (md, want) in cases {
            assert_eq!(html(md), want, "{md:?}");
        }
    }

    #[test]
    fn heading_ids_follow_the_ordinals() {
        let r = render(
            "### （一）存在问题\n\n正文\n\n### （二）改进措施\n\n#### 具体做法\n",
            &RenderOptions {
                id_prefix: "s5-".into(),
                take_title: false,
                plain_text: false,
            },
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["s5-1", "s5-2", "s5-h4-1"]);
        assert!(
            r.html.contains("<h3 id=\"s5-1\">（一）存在问题</h3>"),
            "{}",
            r.html
        );
        let r = render(
            "# 政府信息公开指南\n\n## 一、公开方式\n\n### （二）依申请\n\n## 二、受理机构\n",
            &RenderOptions {
                id_prefix: String::new(),
                take_title: true,
                plain_text: false,
            },
        );
        assert_eq!(r.title.as_deref(), Some("政府信息公开指南"));
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["s1", "s1-2", "s2"]);
        assert!(!r.html.contains("<h1"));
    }

    #[test]
    fn raw_html_is_sanitised() {
        let out = html(
            "段落<script>alert(1)</script>\n\n<img src=x onerror=\"alert(1)\">\n\n<p style=\"color:red\" onclick=\"x()\">文字</p>\n\n[链接](javascript:alert(1))\n\n<a href=\"javascript:alert(1)\">a</a>\n\n<div id=\"main\">x</div>",
        );
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "style=",
            "javascript:",
            "id=\"main\"",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        assert!(out.contains("文字"));
    }

    #[test]
    fn tables_and_footnotes_render_accessibly() {
        let out = html("| 项目 | 数量 |\n|---|--:|\n| 申请 | 3 |\n\n正文[^1]\n\n[^1]: 注释。\n");
        assert!(out.contains("<th scope=\"col\">项目</th>"), "{out}");
        assert!(out.contains("class=\"align-right\""), "{out}");
        assert!(out.contains("role=\"region\""));
        assert!(out.contains("footnote-definition"));
    }

    #[test]
    fn the_plain_text_of_a_rendering_is_that_of_its_own_parse() {
        let texts = [
            "第一行\n第二行 **加粗**\n\n- 项目一\n- 项目 two\n\n> 引用\n> 第二行",
            "| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n`代码`与<b>标记</b>  \n硬换行",
            "# 标题\n\n正文[^1]。\n\n[^1]: 注释\n\n### 小标题\nEnglish\nline",
            "",
        ];
        for md in texts {
            let r = render(
                md,
                &RenderOptions {
                    id_prefix: "s1-".into(),
                    take_title: true,
                    plain_text: true,
                },
            );
            assert_eq!(r.text, plain_text(md), "{md}");
        }
        assert_eq!(
            plain_text(texts[0]),
            "第一行第二行 加粗\n项目一\n项目 two\n引用第二行"
        );
    }
}
