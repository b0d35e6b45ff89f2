//! A year's report as a document: title, metadata, the narrative as blocks and the official
//! tables as printed — what the portal article ([`super::article`]) and the Word document
//! ([`super::docx`]) are written from, so that both say exactly what the year page says.
//!
//! The tables come from the same layouts as the site's ([`table::printed`]): the same header
//! cells, spans, numbers (zeros as 0, signs, computed totals marked `*`), captions and notes.
//! The narrative is report.md read by pulldown-cmark with the site's options into plain blocks —
//! headings, paragraphs, list items, simple tables — with bold, italics and absolute links kept;
//! raw HTML keeps its text only (the documents carry no markup of the clerk's), and a relative
//! link keeps its text (it would not resolve in a portal article or a Word file).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::format::PartKind;
use crate::load::markdown::{self, UrlScheme};
use crate::load::{Site, YearReport};

use super::table::{self, PrintedTable};
use super::view;

/// A run of text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Span {
    /// The text; `\n` is a line break.
    pub text: String,
    /// Bold.
    pub strong: bool,
    /// Italic.
    pub emphasis: bool,
    /// An absolute `http:`, `https:`, `mailto:` or `tel:` link.
    pub link: Option<String>,
}

/// A block of the narrative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading under a part (`### （一）主动公开` is level 3).
    Heading {
        /// Markdown level (3 or more; a level-2 heading is a part and never a block).
        level: u8,
        /// Its text.
        text: String,
    },
    /// A paragraph.
    Paragraph(Vec<Span>),
    /// A list item: its marker (`1.`, `•`) and text, `depth` 0 for a top-level list.
    Item {
        /// `1.`, `2.` … or `•`.
        marker: String,
        /// Nesting depth.
        depth: usize,
        /// Text.
        spans: Vec<Span>,
    },
    /// A table written in report.md: header cells and rows.
    Table {
        /// Header row.
        head: Vec<String>,
        /// Body rows.
        rows: Vec<Vec<String>>,
    },
}

impl Block {
    /// The plain text of the block (headings, paragraphs, items; table cells joined).
    #[cfg(test)]
    pub(crate) fn plain(&self) -> String {
        match self {
            Block::Heading { text, .. } => text.clone(),
            Block::Paragraph(spans) | Block::Item { spans, .. } => {
                spans.iter().map(|s| s.text.as_str()).collect()
            }
            Block::Table { head, rows } => std::iter::once(head)
                .chain(rows)
                .map(|r| r.join(" "))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// One official table as printed.
#[derive(Debug, Clone)]
pub(crate) struct DocTable {
    /// Id on the site (`t3`, `t2-1`).
    pub id: String,
    /// Caption with number, title and unit (`表3　收到和处理政府信息公开申请情况（单位：件）`).
    pub caption: String,
    /// Notes under the table.
    pub notes: Vec<String>,
    /// The grid.
    pub grid: PrintedTable,
}

/// One of the six parts.
#[derive(Debug, Clone)]
pub(crate) struct DocPart {
    /// Heading as written in report.md, else the format's.
    pub heading: String,
    /// The narrative of the part (for 二–四 the text before the tables).
    pub blocks: Vec<Block>,
    /// The part's official tables.
    pub tables: Vec<DocTable>,
}

/// A year's report as a document.
#[derive(Debug, Clone)]
pub(crate) struct ReportDoc {
    /// The year.
    pub year: u16,
    /// 标题.
    pub title: String,
    /// The body's full name (发布机构, signature).
    pub body_name: String,
    /// 发布日期 (ISO `YYYY-MM-DD`), if report.yaml gives it.
    pub published: Option<String>,
    /// 发布日期 as written in Chinese (`2021年1月20日`), if given.
    pub date_text: Option<String>,
    /// 统计期限.
    pub period: String,
    /// The edition's name and notice (`2019版`, `国办公开办函〔2019〕60号`).
    pub edition: (String, String),
    /// The lead-in.
    pub lead: Vec<Block>,
    /// The six parts.
    pub parts: Vec<DocPart>,
}

/// The document of year `index` of `site`.
pub(crate) fn report_doc(site: &Site, index: usize) -> ReportDoc {
    let y: &YearReport = &site.years[index];
    let report = &y.report;
    let edition = report.edition;
    let layouts = table::layouts(edition);
    let mut parts = Vec::new();
    for (pi, part) in edition.parts.iter().enumerate() {
        let written = y
            .narrative
            .as_ref()
            .and_then(|n| n.part(pi).map(|p| (n, p)));
        let heading = written.map_or(part.heading.clone(), |(_, p)| p.heading.clone());
        let blocks = written.map_or_else(Vec::new, |(n, p)| blocks(n.text(&p.body)));
        let mut tables = Vec::new();
        if part.kind == PartKind::Tables {
            for (ti, _) in edition.tables_of(&part.number) {
                let tv = table::table_view(report, ti, &layouts[ti], String::new(), 0);
                tables.push(DocTable {
                    id: tv.id,
                    caption: tv.caption,
                    notes: tv.notes,
                    grid: table::printed(report, ti),
                });
            }
        }
        parts.push(DocPart {
            heading,
            blocks,
            tables,
        });
    }
    let published = report
        .published
        .as_ref()
        .map(|p| p.split(' ').next().unwrap_or(p).to_string());
    ReportDoc {
        year: y.year,
        title: view::report_title(site, y),
        body_name: site.config.body.name.clone(),
        date_text: published.as_deref().map(view::date_text),
        published,
        period: format!("{0}年1月1日至{0}年12月31日", y.year),
        edition: (edition.name.clone(), edition.notice.clone()),
        lead: y
            .narrative
            .as_ref()
            .map_or_else(Vec::new, |n| blocks(n.text(&n.lead))),
        parts,
    }
}

/// The blocks of a Markdown snippet (a part's body or the lead-in).
pub(crate) fn blocks(markdown_text: &str) -> Vec<Block> {
    let mut b = Builder::default();
    for event in Parser::new_ext(markdown_text, markdown::options()) {
        b.event(event);
    }
    b.finish()
}

/// A Markdown table being read: its header, its rows, the cells of the current row, the
/// current cell, and whether the header is being read.
type TableReading = (Vec<String>, Vec<Vec<String>>, Vec<String>, String, bool);

#[derive(Default)]
struct Builder {
    out: Vec<Block>,
    /// Spans of the paragraph, heading or item being read.
    spans: Vec<Span>,
    strong: usize,
    emphasis: usize,
    link: Vec<Option<String>>,
    /// Open lists: the next number of an ordered list, `None` for a bulleted one.
    lists: Vec<Option<u64>>,
    /// The marker of the item being read (taken by its first paragraph).
    item: Option<(String, usize)>,
    heading: Option<u8>,
    /// A table being read.
    table: Option<TableReading>,
    /// Inside an image: its alt text is kept as text.
    image: usize,
}

impl Builder {
    fn push_text(&mut self, text: &str) {
        if let Some((_, _, _, cell, _)) = &mut self.table {
            cell.push_str(text);
            return;
        }
        let strong = self.strong > 0;
        let emphasis = self.emphasis > 0;
        let link = self.link.last().cloned().flatten();
        match self.spans.last_mut() {
            Some(s) if s.strong == strong && s.emphasis == emphasis && s.link == link => {
                s.text.push_str(text)
            }
            _ => self.spans.push(Span {
                text: text.to_string(),
                strong,
                emphasis,
                link,
            }),
        }
    }

    /// A soft line break: nothing between two CJK characters (as on the site), else a space.
    fn soft_break(&mut self) {
        let before = self.spans.last().and_then(|s| s.text.chars().last());
        if before.is_some_and(|c| !markdown::is_cjk(c)) {
            self.push_text(" ");
        } else if before.is_some() {
            // Decided when the next character comes: mark with a placeholder.
            self.push_text("\u{0}");
        }
    }

    /// The spans read so far, soft-break placeholders resolved.
    fn take_spans(&mut self) -> Vec<Span> {
        let mut spans = std::mem::take(&mut self.spans);
        let all: String = spans.iter().map(|s| s.text.as_str()).collect();
        if all.contains('\u{0}') {
            let chars: Vec<char> = all.chars().collect();
            let mut keep_space = Vec::new();
            for (i, c) in chars.iter().enumerate() {
                if *c == '\u{0}' {
                    let next = chars[i + 1..].iter().find(|c| **c != '\u{0}');
                    keep_space.push(next.is_some_and(|n| !markdown::is_cjk(*n)));
                }
            }
            let mut k = keep_space.into_iter();
            for s in &mut spans {
                if s.text.contains('\u{0}') {
                    s.text = s
                        .text
                        .chars()
                        .filter_map(|c| match c {
                            '\u{0}' => k.next().unwrap_or(false).then_some(' '),
                            c => Some(c),
                        })
                        .collect();
                }
            }
        }
        if let Some(last) = spans.last_mut() {
            let n = last.text.trim_end_matches(' ').len();
            last.text.truncate(n);
        }
        spans.retain(|s| !s.text.is_empty());
        spans
    }

    fn end_paragraph(&mut self) {
        let spans = self.take_spans();
        if spans.is_empty() {
            return;
        }
        match self.item.take() {
            Some((marker, depth)) => self.out.push(Block::Item {
                marker,
                depth,
                spans,
            }),
            None => self.out.push(Block::Paragraph(spans)),
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.end_paragraph();
                self.heading = Some(match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                let text: String = self.take_spans().into_iter().map(|s| s.text).collect();
                let level = self.heading.take().unwrap_or(3).max(3);
                if !text.is_empty() {
                    self.out.push(Block::Heading { level, text });
                }
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => self.end_paragraph(),
            Event::Start(Tag::List(start)) => {
                self.end_paragraph();
                self.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                self.end_paragraph();
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.end_paragraph();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}.");
                        *n += 1;
                        m
                    }
                    _ => "•".to_string(),
                };
                self.item = Some((marker, depth));
            }
            // A tight list item's text comes without a paragraph.
            Event::End(TagEnd::Item) => self.end_paragraph(),
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => self.emphasis += 1,
            Event::End(TagEnd::Emphasis) => self.emphasis = self.emphasis.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let absolute = matches!(
                    markdown::url_scheme(&dest_url),
                    UrlScheme::Web | UrlScheme::Contact
                );
                self.link.push(absolute.then(|| dest_url.to_string()));
            }
            Event::End(TagEnd::Link) => {
                self.link.pop();
            }
            Event::Start(Tag::Image { .. }) => self.image += 1,
            Event::End(TagEnd::Image) => self.image = self.image.saturating_sub(1),
            Event::Start(Tag::Table(_)) => {
                self.end_paragraph();
                self.table = Some((Vec::new(), Vec::new(), Vec::new(), String::new(), false));
            }
            Event::Start(Tag::TableHead) => {
                if let Some(t) = &mut self.table {
                    t.4 = true;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = &mut self.table {
                    t.0 = std::mem::take(&mut t.2);
                    t.4 = false;
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.2);
                    t.1.push(row);
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = &mut self.table {
                    let cell = std::mem::take(&mut t.3);
                    t.2.push(cell.trim().to_string());
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((head, rows, _, _, _)) = self.table.take() {
                    self.out.push(Block::Table { head, rows });
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.end_paragraph();
                self.push_text(&format!("［注{label}］"));
            }
            Event::End(TagEnd::FootnoteDefinition) => self.end_paragraph(),
            Event::FootnoteReference(label) => self.push_text(&format!("［注{label}］")),
            Event::Text(t) | Event::Code(t) => self.push_text(&t),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.push_text(&t),
            Event::SoftBreak => self.soft_break(),
            Event::HardBreak => self.push_text("\n"),
            Event::Html(html) | Event::InlineHtml(html) => {
                // Raw HTML keeps its text only.
                let mut text = String::new();
                let mut in_tag = false;
                for c in html.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => text.push(c),
                        _ => {}
                    }
                }
                let text = text.trim_end_matches('\n');
                if !text.trim().is_empty() {
                    self.push_text(text);
                }
            }
            Event::End(TagEnd::HtmlBlock) => self.end_paragraph(),
            Event::Rule | Event::TaskListMarker(_) => {}
            Event::Start(_) | Event::End(_) => {}
        }
    }

    fn finish(mut self) -> Vec<Block> {
        self.end_paragraph();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn markdown_becomes_blocks() {
        let b = blocks(
            "### （一）主动公开\n\n2020年，共主动\n公开信息 **383** 条，see\nhere。\n\n1. 第一项\n2. 第二项\n\n- 要点\n\n[官网](https://www.example.gov.cn/) 与 [附件](a.pdf)\n",
        );
        assert_eq!(
            b[0],
            Block::Heading {
                level: 3,
                text: "（一）主动公开".into()
            }
        );
        let Block::Paragraph(p) = &b[1] else {
            panic!("{b:?}")
        };
        // No space where a line break fell between two CJK characters; one before Latin text.
        assert_eq!(plain(p), "2020年，共主动公开信息 383 条，see here。");
        assert!(p.iter().any(|s| s.strong && s.text == "383"));
        assert!(matches!(&b[2], Block::Item { marker, depth: 0, .. } if marker == "1."));
        assert!(matches!(&b[3], Block::Item { marker, .. } if marker == "2."));
        assert!(matches!(&b[4], Block::Item { marker, .. } if marker == "•"));
        let Block::Paragraph(p) = &b[5] else {
            panic!("{b:?}")
        };
        assert_eq!(p[0].link.as_deref(), Some("https://www.example.gov.cn/"));
        // A relative link keeps its text only.
        assert!(p.iter().all(|s| s.link.is_none() || s.text == "官网"));
        assert_eq!(plain(p), "官网 与 附件");
    }

    #[test]
    fn raw_html_keeps_its_text() {
        let b = blocks("正文<b onclick=x>加粗</b>。\n\n<div>块</div>\n");
        assert_eq!(b[0].plain(), "正文加粗。");
        assert_eq!(b[1].plain(), "块");
    }
}
