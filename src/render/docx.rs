//! The Word document of a report as filed (PUBLISHING.md, GB/T 9704-2012 《党政机关公文格式》):
//! A4 portrait, margins 37/35/28/26 mm (type area 156 × 225 mm); the title in 2号 方正小标宋简体,
//! part headings in 3号 黑体, sub-headings in 3号 楷体_GB2312, body text in 3号 仿宋_GB2312 with a
//! first-line indent of two characters at 28.95 pt lines (22 lines a page); the official tables
//! with all borders, spans as printed (`gridSpan`, `vMerge`), header rows repeated on every page
//! (`tblHeader`), in 小4; page numbers `— 1 —` in 4号 宋体, odd pages right, even pages left; the
//! body's name and the date at the end, on the right.
//!
//! Written with docx-rs (see the README on the choice). Three things it does not do are done
//! here, each small and tested:
//!
//! - **Deterministic bytes.** docx-rs stores the parts uncompressed and numbers paragraphs
//!   (`w14:paraId`) from a counter per thread that it resets only when a document is built, so
//!   a document's ids depend on what its thread created since its last build (a rayon worker
//!   of the build). Each document is built on a fresh thread (the counter starts at 1), and
//!   gongkai packs the parts docx-rs returns ([`docx_rs::XMLDocx`])
//!   itself with the `zip` crate: deflated, in a fixed order, every entry dated with the
//!   report's 发布日期 (or 1 January of the next year), the same date in docProps/core.xml.
//! - **Repeated header rows.** docx-rs has no `w:tblHeader`; header rows are written with
//!   `w:cantSplit` (which docx-rs has, and which only header rows get) and the property is added
//!   beside it in `word/document.xml`.
//! - **Font fallbacks.** docx-rs writes a fixed font table; gongkai writes `word/fontTable.xml`
//!   naming each GB/T font with its common fallback (`w:altName`: 仿宋_GB2312 → 仿宋, 楷体_GB2312 →
//!   楷体, 方正小标宋简体 → 华文中宋), which Word uses when the first is not installed, and
//!   docProps/core.xml with the title, the body as author and the fixed date.

use std::io::{Cursor, Write};

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, Run, RunFonts, SpecialIndentType, Style, StyleType, Table, TableBorder,
    TableBorderPosition, TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow,
    VAlignType, VMergeType, WidthType,
};

use super::document::{Block, DocTable, ReportDoc, Span};
use super::table::PrintedCell;

/// twips per millimetre (1 inch = 1440 twips = 25.4 mm).
fn mm(v: f64) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

/// A4 in twips.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
/// Width of the type area: 210 − 28 − 26 = 156 mm.
pub(crate) const TYPE_AREA_TWIPS: usize = 8844;

/// Fonts: (GB/T name, fallback).
pub(crate) const TITLE_FONT: (&str, &str) = ("方正小标宋简体", "华文中宋");
pub(crate) const BODY_FONT: (&str, &str) = ("仿宋_GB2312", "仿宋");
pub(crate) const HEADING_FONT: (&str, &str) = ("黑体", "SimHei");
pub(crate) const SUBHEADING_FONT: (&str, &str) = ("楷体_GB2312", "楷体");
pub(crate) const NUMBER_FONT: (&str, &str) = ("宋体", "SimSun");

/// Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 小4 12 pt.
const SIZE_2: usize = 44;
const SIZE_3: usize = 32;
const SIZE_4: usize = 28;
const SIZE_S4: usize = 24;
/// 28.95 pt exact line spacing: 22 lines in the 225 mm type area.
const LINE: i32 = 579;

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
        .hint("eastAsia")
}

fn paragraph_style(id: &str, name: &str, font: &str, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .fonts(fonts(font))
        .size(size)
        .q_format(true)
}

fn styles(docx: Docx) -> Docx {
    let exact = |l: i32| {
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(l)
            .before(0)
            .after(0)
    };
    docx.add_style(
        paragraph_style("Normal", "Normal", BODY_FONT.0, SIZE_3)
            .line_spacing(exact(LINE))
            .align(AlignmentType::Both)
            .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
            .first_line_chars(200),
    )
    .add_style(
        paragraph_style("Title", "Title", TITLE_FONT.0, SIZE_2)
            .based_on("Normal")
            .line_spacing(exact(mm(14.0)))
            .align(AlignmentType::Center)
            .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
            .first_line_chars(0),
    )
    .add_style(
        paragraph_style("Heading1", "heading 1", HEADING_FONT.0, SIZE_3)
            .based_on("Normal")
            .outline_lvl(0),
    )
    .add_style(
        paragraph_style("Heading2", "heading 2", SUBHEADING_FONT.0, SIZE_3)
            .based_on("Normal")
            .outline_lvl(1),
    )
    .add_style(
        paragraph_style("Heading3", "heading 3", BODY_FONT.0, SIZE_3)
            .based_on("Normal")
            .outline_lvl(2),
    )
    .add_style(
        paragraph_style("Caption", "caption", HEADING_FONT.0, SIZE_4)
            .based_on("Normal")
            .line_spacing(exact(mm(8.0)))
            .align(AlignmentType::Center)
            .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
            .first_line_chars(0),
    )
    .add_style(
        paragraph_style("TableText", "Table Text", BODY_FONT.0, SIZE_S4)
            .based_on("Normal")
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(240)
                    .before(0)
                    .after(0),
            )
            .align(AlignmentType::Center)
            .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
            .first_line_chars(0),
    )
    .add_style(
        paragraph_style("TableNote", "Table Note", BODY_FONT.0, SIZE_S4)
            .based_on("Normal")
            .line_spacing(exact(mm(7.0)))
            .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
            .first_line_chars(0),
    )
}

fn run(s: &Span) -> Run {
    let mut r = Run::new();
    for (i, line) in s.text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line);
    }
    // A printed document cannot be clicked: an absolute link's address follows its text.
    if let Some(url) = &s.link {
        let shown = url
            .strip_prefix("mailto:")
            .or_else(|| url.strip_prefix("tel:"))
            .unwrap_or(url);
        if shown != s.text {
            r = r.add_text(format!("（{shown}）"));
        }
    }
    if s.strong {
        r = r.bold();
    }
    if s.emphasis {
        r = r.italic();
    }
    r
}

fn text_paragraph(style: &str, text: &str) -> Paragraph {
    Paragraph::new().style(style).add_run(run(&Span {
        text: text.to_string(),
        ..Span::default()
    }))
}

fn narrative(mut docx: Docx, blocks: &[Block]) -> Docx {
    for b in blocks {
        docx = match b {
            Block::Heading { level, text } => {
                let style = match level {
                    3 => "Heading2",
                    _ => "Heading3",
                };
                docx.add_paragraph(text_paragraph(style, text).keep_next(true))
            }
            Block::Paragraph(spans) => {
                let mut p = Paragraph::new().style("Normal");
                for s in spans {
                    p = p.add_run(run(s));
                }
                docx.add_paragraph(p)
            }
            Block::Item {
                marker,
                depth,
                spans,
            } => {
                let mut p = Paragraph::new().style("Normal").indent(
                    Some(mm(11.2) * *depth as i32),
                    None,
                    None,
                    None,
                );
                p = p.add_run(Run::new().add_text(format!("{marker} ")));
                for s in spans {
                    p = p.add_run(run(s));
                }
                docx.add_paragraph(p)
            }
            Block::Table { head, rows } => {
                let width = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
                if width == 0 {
                    continue;
                }
                let col = TYPE_AREA_TWIPS / width;
                let cell = |t: &str| {
                    TableCell::new()
                        .width(col, WidthType::Dxa)
                        .add_paragraph(text_paragraph("TableText", t))
                };
                let mut trs = Vec::new();
                if !head.is_empty() {
                    trs.push(TableRow::new(head.iter().map(|h| cell(h)).collect()).cant_split());
                }
                for r in rows {
                    trs.push(TableRow::new(r.iter().map(|c| cell(c)).collect()));
                }
                docx.add_table(bordered(Table::new(trs), vec![col; width]))
            }
        };
    }
    docx
}

fn bordered(t: Table, grid: Vec<usize>) -> Table {
    let total: usize = grid.iter().sum();
    let mut borders = TableBorders::new();
    for pos in [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ] {
        borders = borders.set(TableBorder::new(pos).size(6));
    }
    t.set_grid(grid)
        .width(total, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(28, 57, 28, 57))
        .set_borders(borders)
}

/// Column widths of an official table: the row-label columns wider (the innermost label the
/// widest), the number columns equal; together exactly the type area.
pub(crate) fn column_widths(width: usize, label_cols: usize) -> Vec<usize> {
    // Units: innermost label 3, outer labels 1.5 each, numbers 1.
    let units: Vec<f64> = (0..width)
        .map(|c| match c {
            c if c + 1 == label_cols => 3.0,
            c if c < label_cols => 1.5,
            _ => 1.0,
        })
        .collect();
    let total: f64 = units.iter().sum();
    let mut out: Vec<usize> = units
        .iter()
        .map(|u| (TYPE_AREA_TWIPS as f64 * u / total).floor() as usize)
        .collect();
    let rest = TYPE_AREA_TWIPS - out.iter().sum::<usize>();
    if let Some(last) = out.last_mut() {
        *last += rest;
    }
    out
}

/// The rows of a printed table as Word rows: every grid position of a row-spanning cell below
/// its first row gets a `vMerge` continuation cell.
fn official_rows(rows: &[Vec<PrintedCell>], widths: &[usize], header: bool) -> Vec<TableRow> {
    let width = widths.len();
    // Cells by row: (grid column, cell, continuation?).
    let mut placed: Vec<Vec<(usize, &PrintedCell, bool)>> = vec![Vec::new(); rows.len()];
    let mut taken: Vec<Vec<bool>> = vec![vec![false; width]; rows.len()];
    for (r, row) in rows.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            while c < width && taken[r][c] {
                c += 1;
            }
            let span = cell.colspan.max(1).min(width.saturating_sub(c)).max(1);
            let down = cell.rowspan.max(1).min(rows.len() - r);
            for (rr, row_taken) in taken.iter_mut().enumerate().skip(r).take(down) {
                for t in row_taken.iter_mut().skip(c).take(span) {
                    *t = true;
                }
                placed[rr].push((c, cell, rr != r));
            }
            c += span;
        }
    }
    placed
        .into_iter()
        .map(|mut cells| {
            cells.sort_by_key(|(c, _, _)| *c);
            let tcs = cells
                .into_iter()
                .map(|(c, cell, continued)| {
                    let span = cell.colspan.max(1).min(width.saturating_sub(c)).max(1);
                    let w: usize = widths[c..c + span].iter().sum();
                    let mut tc = TableCell::new()
                        .width(w, WidthType::Dxa)
                        .vertical_align(VAlignType::Center);
                    if span > 1 {
                        tc = tc.grid_span(span);
                    }
                    if cell.rowspan > 1 {
                        tc = tc.vertical_merge(if continued {
                            VMergeType::Continue
                        } else {
                            VMergeType::Restart
                        });
                    }
                    let text = if continued { "" } else { cell.text.as_str() };
                    let mut p = Paragraph::new().style("TableText").add_run(run(&Span {
                        text: text.to_string(),
                        strong: cell.header && cell.scope == "col",
                        ..Span::default()
                    }));
                    if cell.header && cell.scope == "row" {
                        p = p.align(AlignmentType::Left);
                    }
                    tc.add_paragraph(p)
                })
                .collect();
            let row = TableRow::new(tcs);
            if header { row.cant_split() } else { row }
        })
        .collect()
}

fn official_table(docx: Docx, t: &DocTable) -> Docx {
    let label_cols = t.grid.body.first().map_or(0, |r| {
        r.iter().take_while(|c| c.header).map(|c| c.colspan).sum()
    });
    let widths = column_widths(t.grid.width, label_cols);
    let mut rows = official_rows(&t.grid.head, &widths, true);
    rows.extend(official_rows(&t.grid.body, &widths, false));
    let mut docx = docx.add_paragraph(text_paragraph("Caption", &t.caption).keep_next(true));
    docx = docx.add_table(bordered(Table::new(rows), widths));
    for n in &t.notes {
        docx = docx.add_paragraph(text_paragraph("TableNote", n));
    }
    docx
}

fn footer(align: AlignmentType) -> Footer {
    let f = fonts(NUMBER_FONT.0);
    let p = Paragraph::new()
        .style("Normal")
        .align(align)
        .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
        .add_run(Run::new().fonts(f.clone()).size(SIZE_4).add_text("— "))
        .add_page_num(PageNum::new())
        .add_run(Run::new().fonts(f).size(SIZE_4).add_text(" —"));
    Footer::new().add_paragraph(p)
}

/// The date the document carries (zip entries, document properties): 发布日期, else 1 January
/// of the year after the report's (when reports are published).
fn stamp(doc: &ReportDoc) -> (u16, u8, u8) {
    doc.published
        .as_deref()
        .and_then(|d| {
            let mut it = d.split('-').map(str::parse::<u32>);
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) => Some((
                    u16::try_from(y).ok()?,
                    u8::try_from(m).ok()?,
                    u8::try_from(d).ok()?,
                )),
                _ => None,
            }
        })
        .unwrap_or((doc.year + 1, 1, 1))
}

/// The document as docx-rs parts.
fn build(doc: &ReportDoc) -> docx_rs::XMLDocx {
    let margin = PageMargin {
        top: mm(37.0),
        bottom: mm(35.0),
        left: mm(28.0),
        right: mm(26.0),
        header: mm(15.0),
        footer: mm(23.0),
        gutter: 0,
    };
    let mut docx = styles(
        Docx::new()
            .page_size(PAGE_W, PAGE_H)
            .page_margin(margin)
            .footer(footer(AlignmentType::Right))
            .even_footer(footer(AlignmentType::Left)),
    );
    // The title may run to two lines; an empty line separates it from the text.
    docx = docx
        .add_paragraph(text_paragraph("Title", &doc.title))
        .add_paragraph(Paragraph::new().style("Normal"));
    docx = narrative(docx, &doc.lead);
    for part in &doc.parts {
        docx = docx.add_paragraph(text_paragraph("Heading1", &part.heading).keep_next(true));
        docx = narrative(docx, &part.blocks);
        for t in &part.tables {
            docx = official_table(docx, t);
        }
    }
    // The signature: the body and the date, on the right, four characters in.
    let sign = |text: &str| {
        text_paragraph("Normal", text)
            .align(AlignmentType::Right)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(0)),
                Some(mm(22.4)),
                None,
            )
    };
    docx = docx
        .add_paragraph(Paragraph::new().style("Normal"))
        .add_paragraph(sign(&doc.body_name));
    if let Some(date) = &doc.date_text {
        docx = docx.add_paragraph(sign(date));
    }
    let (y, m, d) = stamp(doc);
    let date = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
    docx.created_at(&date)
        .updated_at(&date)
        .custom_property("Generator", "gongkai")
        .build()
}

/// `<w:tblHeader />` beside each `<w:cantSplit />` (only header rows have it).
pub(crate) fn mark_header_rows(document: &[u8]) -> Vec<u8> {
    const MARK: &[u8] = b"<w:cantSplit />";
    const ADD: &[u8] = b"<w:tblHeader />";
    let mut out = Vec::with_capacity(document.len() + 1024);
    let mut rest = document;
    while let Some(at) = memchr::memmem::find(rest, MARK) {
        out.extend_from_slice(&rest[..at + MARK.len()]);
        out.extend_from_slice(ADD);
        rest = &rest[at + MARK.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn esc(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// `word/fontTable.xml`: each font with its fallback.
fn font_table() -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    );
    for (name, alt) in [
        TITLE_FONT,
        BODY_FONT,
        HEADING_FONT,
        SUBHEADING_FONT,
        NUMBER_FONT,
    ] {
        x.push_str(&format!(
            "<w:font w:name=\"{}\"><w:altName w:val=\"{}\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>",
            esc(name),
            esc(alt)
        ));
    }
    x.push_str("</w:fonts>");
    x.into_bytes()
}

/// `docProps/core.xml`: title, author (the body), the fixed date.
fn core_props(doc: &ReportDoc, date: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{title}</dc:title><dc:creator>{body}</dc:creator><cp:lastModifiedBy>{body}</cp:lastModifiedBy><dc:language>zh-CN</dc:language><dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified><cp:revision>1</cp:revision></cp:coreProperties>",
        title = esc(&doc.title),
        body = esc(&doc.body_name),
    )
    .into_bytes()
}

/// The Word document of `doc`, as bytes (deterministic: the same report gives the same bytes).
pub(crate) fn docx(doc: &ReportDoc) -> Vec<u8> {
    // docx-rs numbers paragraphs from a per-thread counter: a fresh thread starts it at 1.
    let parts = std::thread::scope(|s| s.spawn(|| build(doc)).join());
    let parts = match parts {
        Ok(p) => p,
        Err(e) => std::panic::resume_unwind(e),
    };
    let (y, m, d) = stamp(doc);
    let date = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
    let time =
        zip::DateTime::from_date_and_time(y.clamp(1980, 2107), m, d, 0, 0, 0).unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), parts.content_type),
        ("_rels/.rels".into(), parts.rels),
        ("docProps/app.xml".into(), parts.doc_props.app),
        ("docProps/core.xml".into(), core_props(doc, &date)),
        ("docProps/custom.xml".into(), parts.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), parts.document_rels),
        (
            "word/document.xml".into(),
            mark_header_rows(&parts.document),
        ),
        ("word/styles.xml".into(), parts.styles),
        ("word/settings.xml".into(), parts.settings),
        ("word/fontTable.xml".into(), font_table()),
        ("word/comments.xml".into(), parts.comments),
        ("word/numbering.xml".into(), parts.numberings),
        ("word/commentsExtended.xml".into(), parts.comments_extended),
        ("word/footnotes.xml".into(), parts.footnotes),
    ];
    for (i, h) in parts.headers.into_iter().enumerate() {
        entries.push((format!("word/header{}.xml", i + 1), h));
    }
    for (i, f) in parts.footers.into_iter().enumerate() {
        entries.push((format!("word/footer{}.xml", i + 1), f));
    }
    for (i, r) in parts.footer_rels.into_iter().enumerate() {
        entries.push((format!("word/_rels/footer{}.xml.rels", i + 1), r));
    }
    for (i, r) in parts.header_rels.into_iter().enumerate() {
        entries.push((format!("word/_rels/header{}.xml.rels", i + 1), r));
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(64 * 1024)));
    for (name, bytes) in entries {
        // Writing into memory cannot fail but for a bug; the archive would then be incomplete,
        // which the tests would see.
        let _ = zip.start_file(name, options);
        let _ = zip.write_all(&bytes);
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_fill_the_type_area() {
        for (w, l) in [(10, 3), (15, 0), (4, 1), (9, 2)] {
            let cols = column_widths(w, l);
            assert_eq!(cols.len(), w);
            assert_eq!(cols.iter().sum::<usize>(), TYPE_AREA_TWIPS);
        }
        let t3 = column_widths(10, 3);
        assert!(t3[2] > t3[0] && t3[0] > t3[3], "{t3:?}");
    }

    fn small_doc() -> ReportDoc {
        ReportDoc {
            year: 2020,
            title: "示例街道政府信息公开工作2020年度报告".into(),
            body_name: "示例街道办事处".into(),
            published: Some("2021-01-20".into()),
            date_text: Some("2021年1月20日".into()),
            period: "2020年1月1日至2020年12月31日".into(),
            edition: ("2019版".into(), "国办公开办函〔2019〕60号".into()),
            lead: super::super::document::blocks("导语。\n\n第二段。"),
            parts: Vec::new(),
        }
    }

    #[test]
    fn the_same_bytes_whatever_the_thread_did_before() {
        let doc = small_doc();
        let first = docx(&doc);
        // Paragraphs made on this thread since the last build move docx-rs's counter.
        let _ = (Paragraph::new(), Paragraph::new(), Paragraph::new());
        assert_eq!(docx(&doc), first);
        let text = String::from_utf8_lossy(&first).to_string();
        assert!(text.starts_with("PK"));
    }

    #[test]
    fn header_rows_are_marked() {
        let x = b"<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr /></w:tr>";
        let out = String::from_utf8(mark_header_rows(x)).unwrap();
        assert_eq!(
            out,
            "<w:tr><w:trPr><w:cantSplit /><w:tblHeader /></w:trPr></w:tr><w:tr><w:trPr /></w:tr>"
        );
    }
}
