//! Word documents (`.docx`): paragraphs and tables, read into the same lines and grids as a
//! saved web page, so that the tables go through the HTML importer's grid reading
//! ([`super::html::read_grid`]: merged cells mapped by label) and the paragraphs become the
//! narrative exactly as text does.
//!
//! The archive is read with the `zip` crate and `word/document.xml` with quick-xml's streaming
//! reader, under hard limits, because a .docx is a zip archive and may be hostile: at most
//! [`MAX_ENTRIES`] entries, `word/document.xml` at most [`MAX_XML`] bytes unpacked (never more is
//! read, whatever its header says) and at most [`MAX_RATIO`] times its packed size (a zip bomb);
//! an encrypted document (an Office "EncryptedPackage", or an encrypted zip entry), an old
//! binary .doc and a corrupt archive are refused with what to do. Nothing is written for a file
//! that is refused.
//!
//! Word's cell merging becomes the grid's spans: `w:gridSpan` is a colspan, and a `w:vMerge`
//! run (`restart`, then cells without a value or with `continue` in the same grid columns of the
//! rows below) is one cell with a rowspan. `w:gridBefore` leaves empty grid columns.
//!
//! Line numbers count the document's paragraphs and table rows from 1, in reading order.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::doc::{Item, Line};
use super::html::{CellNode, Node, TableNode, flatten};

/// Entries in the archive (a report has about 15–40; images add one each).
pub const MAX_ENTRIES: usize = 5_000;
/// `word/document.xml`, unpacked (a long report is well under 1 MB).
pub const MAX_XML: u64 = 32 << 20;
/// Unpacked ÷ packed size of `word/document.xml` (Word's XML packs about 5–20 times).
pub const MAX_RATIO: u64 = 200;

/// Why a Word file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocxError {
    /// Password-protected.
    Encrypted,
    /// A binary .doc (or .wps) file.
    OldFormat,
    /// Not a readable zip archive, or its XML is broken.
    Corrupt(String),
    /// A zip archive without `word/document.xml` (an Excel or PowerPoint file, an .odt).
    NotWord,
    /// Over a limit.
    TooLarge(String),
}

impl std::fmt::Display for DocxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocxError::Encrypted => write!(
                f,
                "这个 Word 文件设有打开密码（已加密），无法读取。请在 Word 中打开，点「文件 › 信息 › 保护文档 › 用密码进行加密」清空密码后保存（WPS：「文件 › 文档加密」），再导入。"
            ),
            DocxError::OldFormat => write!(
                f,
                "这是旧版 Word（.doc）或 WPS 文件，无法直接读取。请在 Word 或 WPS 中打开，「另存为」Word 文档（.docx）后再导入。"
            ),
            DocxError::Corrupt(why) => write!(
                f,
                "Word 文件已损坏，无法读取（{why}）。请在 Word 或 WPS 中打开，确认内容完整后「另存为」.docx 再导入。"
            ),
            DocxError::NotWord => write!(
                f,
                "这不是 Word 文档（压缩包中没有 word/document.xml），可能是 Excel、PowerPoint 或其他文件。请导入报告的 Word 文件、网页或文本。"
            ),
            DocxError::TooLarge(why) => write!(
                f,
                "Word 文件异常，不像是一份年度报告：{why}。为防止恶意文件耗尽内存，未读取。请在 Word 中打开后另存为新的 .docx 再导入。"
            ),
        }
    }
}

/// Whether `bytes` look like a Word file (a zip archive, or an Office compound file).
pub(crate) fn is_word(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0])
}

/// An Office compound file holding an encrypted package (a .docx with a password).
fn encrypted_package(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    memchr::memmem::find(bytes, &name).is_some()
}

/// What a Word file holds: its items in reading order, and the line numbers of a trailing
/// signature (right-aligned short paragraphs at the end: the body's name and the date), which
/// the narrative leaves out.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// Paragraphs and tables.
    pub items: Vec<Item>,
    /// Lines of the signature.
    pub signature: Vec<usize>,
}

/// Read a Word file.
pub(crate) fn read(bytes: &[u8]) -> Result<Document, DocxError> {
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return Err(if encrypted_package(bytes) {
            DocxError::Encrypted
        } else {
            DocxError::OldFormat
        });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocxError::Corrupt(format!("压缩包结构错误：{e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(DocxError::TooLarge(format!(
            "压缩包中有 {} 个文件（Word 文档通常不到 100 个）",
            zip.len()
        )));
    }
    let index = zip
        .index_for_name("word/document.xml")
        .ok_or(DocxError::NotWord)?;
    let entry = zip
        .by_index_raw(index)
        .map_err(|e| DocxError::Corrupt(e.to_string()))?;
    if entry.encrypted() {
        return Err(DocxError::Encrypted);
    }
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    drop(entry);
    if size > MAX_XML {
        return Err(DocxError::TooLarge(format!(
            "正文（word/document.xml）解压后有 {}，超过 {} 的上限",
            crate::load::read::human_size(size),
            crate::load::read::human_size(MAX_XML)
        )));
    }
    if size > (1 << 20) && size / packed > MAX_RATIO {
        return Err(DocxError::TooLarge(format!(
            "正文压缩比为 {} 倍（正常的 Word 文件为 5–20 倍），是「压缩炸弹」的特征",
            size / packed
        )));
    }
    let entry = zip.by_index(index).map_err(|e| match e {
        zip::result::ZipError::UnsupportedArchive(m)
            if m == zip::result::ZipError::PASSWORD_REQUIRED =>
        {
            DocxError::Encrypted
        }
        e => DocxError::Corrupt(e.to_string()),
    })?;
    let mut xml = Vec::with_capacity(size.min(MAX_XML) as usize);
    // Never more than the limit, whatever the header said.
    entry
        .take(MAX_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| DocxError::Corrupt(format!("正文解压失败：{e}")))?;
    if xml.len() as u64 > MAX_XML {
        return Err(DocxError::TooLarge(format!(
            "正文解压后超过 {}（文件头写的是 {}）",
            crate::load::read::human_size(MAX_XML),
            crate::load::read::human_size(size)
        )));
    }
    parse(&xml).map_err(DocxError::Corrupt)
}

/// A paragraph as read: its text lines (a line break starts a new line), alignment and style.
#[derive(Default)]
struct Para {
    text: String,
    lines: Vec<String>,
    right: bool,
    style: String,
}

/// A cell as read.
struct Cell {
    line: usize,
    span: usize,
    /// `None`: no merge; `Some(true)`: restart; `Some(false)`: continue.
    vmerge: Option<bool>,
    content: Vec<Node>,
}

/// A table being read: rows of (line, grid columns left empty before, cells).
#[derive(Default)]
struct TableState {
    rows: Vec<(usize, usize, Vec<Cell>)>,
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// The reader's state: open tables and cells, the paragraph being read.
#[derive(Default)]
struct State {
    root: Vec<Node>,
    tables: Vec<TableState>,
    /// Open cells, innermost last (one per open table at most).
    cells: Vec<Cell>,
    para: Option<Para>,
    line: usize,
    /// Right-aligned short paragraphs at the end of the body, candidates for the signature.
    trailing_right: Vec<usize>,
    /// Paragraph styles by line (outside tables).
    styles: Vec<(usize, String)>,
}

impl State {
    fn container(&mut self) -> &mut Vec<Node> {
        match self.cells.last_mut() {
            Some(c) => &mut c.content,
            None => &mut self.root,
        }
    }

    fn end_paragraph(&mut self) {
        let Some(mut p) = self.para.take() else {
            return;
        };
        let last = std::mem::take(&mut p.text);
        p.lines.push(last);
        let line = self.line;
        if !self.cells.is_empty() {
            for l in p.lines.into_iter().filter(|l| !l.trim().is_empty()) {
                let no = self.cells.last().map_or(line, |c| c.line);
                self.container().push(Node::Text(Line { no, text: l }));
            }
            return;
        }
        if !p.style.is_empty() {
            self.styles.push((line, p.style.clone()));
        }
        let text: String = p.lines.concat();
        let short = text.chars().count() <= 40 && !text.contains('。');
        if p.right && short && !text.trim().is_empty() {
            self.trailing_right.push(line);
        } else if !text.trim().is_empty() {
            self.trailing_right.clear();
        }
        for (i, l) in p.lines.into_iter().enumerate() {
            if i > 0 && l.is_empty() {
                continue;
            }
            self.root.push(Node::Text(Line { no: line, text: l }));
        }
    }

    fn end_table(&mut self) {
        if let Some(t) = self.tables.pop() {
            let node = table_node(t);
            self.container().push(Node::Table(node));
            if self.tables.is_empty() {
                self.trailing_right.clear();
            }
        }
    }
}

/// Parse `word/document.xml` into items.
fn parse(xml: &[u8]) -> Result<Document, String> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut st = State::default();
    let mut in_text = false;
    // Inside a run (`w:tab` elsewhere is a tab stop of the paragraph's properties).
    let mut in_run = false;
    // Depth inside a skipped subtree.
    let mut skip = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML 错误：{e}"))?;
        match event {
            Event::Eof => break,
            Event::Start(_) if skip > 0 => skip += 1,
            Event::Empty(_) if skip > 0 => {}
            Event::End(_) if skip > 0 => skip -= 1,
            Event::Start(e) => match e.local_name().as_ref() {
                // Deleted text, field instructions, the fallback copy of a drawing's text.
                b"del" | b"instrText" | b"delText" | b"moveFrom" | b"Fallback" | b"txbxContent" => {
                    skip = 1
                }
                b"tbl" => {
                    if st.tables.len() >= 16 {
                        skip = 1;
                    } else {
                        st.tables.push(TableState::default());
                    }
                }
                b"tr" => {
                    st.line += 1;
                    let line = st.line;
                    if let Some(t) = st.tables.last_mut() {
                        t.rows.push((line, 0, Vec::new()));
                    }
                }
                b"tc" => {
                    let line = st.line;
                    st.cells.push(Cell {
                        line,
                        span: 1,
                        vmerge: None,
                        content: Vec::new(),
                    });
                }
                b"p" => {
                    if st.cells.is_empty() {
                        st.line += 1;
                    }
                    st.para = Some(Para::default());
                }
                b"t" => in_text = true,
                b"r" => in_run = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"gridSpan" => {
                    if let Some(c) = st.cells.last_mut() {
                        c.span = attr(&e, b"w:val")
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(1)
                            .clamp(1, 256);
                    }
                }
                b"vMerge" => {
                    if let Some(c) = st.cells.last_mut() {
                        c.vmerge = Some(attr(&e, b"w:val").as_deref() == Some("restart"));
                    }
                }
                b"gridBefore" => {
                    if let Some(r) = st.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                        r.1 = attr(&e, b"w:val")
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0)
                            .min(256);
                    }
                }
                b"pStyle" => {
                    if let Some(p) = st.para.as_mut() {
                        p.style = attr(&e, b"w:val").unwrap_or_default();
                    }
                }
                b"jc" => {
                    if let Some(p) = st.para.as_mut() {
                        p.right = matches!(attr(&e, b"w:val").as_deref(), Some("right" | "end"));
                    }
                }
                b"tab" if in_run => {
                    if let Some(p) = st.para.as_mut() {
                        p.text.push('\t');
                    }
                }
                b"br" | b"cr" => {
                    if let Some(p) = st.para.as_mut()
                        && attr(&e, b"w:type").is_none_or(|t| t == "textWrapping")
                    {
                        let t = std::mem::take(&mut p.text);
                        p.lines.push(t);
                    }
                }
                b"p" if st.cells.is_empty() => {
                    st.line += 1;
                    let no = st.line;
                    st.root.push(Node::Text(Line {
                        no,
                        text: String::new(),
                    }));
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(p) = st.para.as_mut() {
                    let text = t.decode().map_err(|e| format!("文字编码错误：{e}"))?;
                    let text = quick_xml::escape::unescape(&text)
                        .map_err(|e| format!("XML 转义错误：{e}"))?;
                    p.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = st.para.as_mut() {
                    let name = r.decode().map_err(|e| format!("文字编码错误：{e}"))?;
                    let entity = format!("&{name};");
                    let text = quick_xml::escape::unescape(&entity)
                        .map_err(|e| format!("XML 转义错误：{e}"))?;
                    p.text.push_str(&text);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"r" => in_run = false,
                b"p" => st.end_paragraph(),
                b"tc" => {
                    if let Some(c) = st.cells.pop()
                        && let Some(r) = st.tables.last_mut().and_then(|t| t.rows.last_mut())
                    {
                        r.2.push(c);
                    }
                }
                b"tbl" => st.end_table(),
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    while !st.tables.is_empty() {
        st.end_table();
    }
    let mut items = Vec::new();
    flatten(std::mem::take(&mut st.root), &mut items);
    let items = drop_table_furniture(items, &st.styles);
    Ok(Document {
        items,
        signature: st.trailing_right,
    })
}

/// Paragraphs that belong to a table rather than to the narrative: a caption (style `Caption`)
/// right before a table — the table is identified by its labels — and a table note in the
/// style gongkai's Word documents give them (`TableNote`), unless it states units, which the
/// table reader takes from it (`单位：…采购总金额为元`).
fn drop_table_furniture(items: Vec<Item>, styles: &[(usize, String)]) -> Vec<Item> {
    let style_of = |no: usize| {
        styles
            .iter()
            .find(|(l, _)| *l == no)
            .map_or("", |(_, s)| s.as_str())
    };
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut iter = items.into_iter().peekable();
    while let Some(item) = iter.next() {
        if let Item::Line(l) = &item {
            let style = style_of(l.no);
            if style == "Caption" && matches!(iter.peek(), Some(Item::Grid(_))) {
                continue;
            }
            if style == "TableNote" && !l.text.trim_start().starts_with("单位") {
                continue;
            }
        }
        out.push(item);
    }
    out
}

/// A Word table as a table of the tree: a vertical merge (`restart`, then `continue` cells in
/// the same grid column below) is one cell spanning those rows; `gridBefore` an empty cell.
fn table_node(t: TableState) -> TableNode {
    // Each row's cells with their first grid column.
    let mut placed: Vec<(usize, Vec<(usize, Cell)>)> = t
        .rows
        .into_iter()
        .map(|(line, before, cells)| {
            let mut col = before;
            let mut out = Vec::new();
            for c in cells {
                let span = c.span;
                out.push((col, c));
                col += span;
            }
            (line, out)
        })
        .collect();
    // Row spans, worked out before the continuation cells are dropped.
    let mut spans: Vec<Vec<usize>> = Vec::with_capacity(placed.len());
    for (r, (_, cells)) in placed.iter().enumerate() {
        spans.push(
            cells
                .iter()
                .map(|(col, c)| {
                    if c.vmerge == Some(true) {
                        1 + placed[r + 1..]
                            .iter()
                            .take_while(|(_, next)| {
                                next.iter()
                                    .any(|(cc, x)| cc == col && x.vmerge == Some(false))
                            })
                            .count()
                    } else {
                        1
                    }
                })
                .collect(),
        );
    }
    let mut rows = Vec::with_capacity(placed.len());
    let mut open_merges: Vec<usize> = Vec::new();
    for (r, (line, cells)) in placed.iter_mut().enumerate() {
        let mut row = Vec::new();
        let first_col = cells.first().map_or(0, |(c, _)| *c);
        if first_col > 0 && !open_merges.contains(&0) {
            row.push(CellNode {
                line: *line,
                rowspan: 1,
                colspan: first_col,
                content: Vec::new(),
            });
        }
        let mut next_open = Vec::new();
        for (i, (col, c)) in std::mem::take(cells).into_iter().enumerate() {
            let rowspan = spans[r][i];
            if c.vmerge == Some(false) && open_merges.contains(&col) {
                // Covered by the cell above.
                next_open.push(col);
                continue;
            }
            if rowspan > 1 {
                next_open.push(col);
            }
            row.push(CellNode {
                line: *line,
                rowspan,
                colspan: c.span,
                content: c.content,
            });
        }
        open_merges = next_open;
        rows.push(row);
    }
    TableNode {
        line: placed.first().map_or(1, |(l, _)| *l),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Document {
        let xml = format!(
            "<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body>{body}</w:body></w:document>"
        );
        parse(xml.as_bytes()).unwrap()
    }

    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    fn tc(text: &str, props: &str) -> String {
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>", p(text))
    }

    #[test]
    fn paragraphs_and_breaks() {
        let d = doc(&format!(
            "{}<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"420\"/></w:tabs></w:pPr><w:r><w:t>甲</w:t><w:br/><w:t xml:space=\"preserve\">乙 &amp; 丙</w:t></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del></w:p>",
            p("一、总体情况")
        ));
        let lines: Vec<(usize, String)> = d
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Line(l) => Some((l.no, l.text.clone())),
                Item::Grid(_) => None,
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, "一、总体情况".to_string()),
                (2, "甲".to_string()),
                (2, "乙 & 丙".to_string())
            ]
        );
    }

    #[test]
    fn merged_cells_become_spans() {
        // ┌───────────┬────┐
        // │ a (span 2)│ b  │
        // ├────┬──────┼────┤   c: vMerge restart, continued below
        // │ c  │ d    │ e  │
        // │    │ f    │ g  │
        let body = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
            tc("a", "<w:gridSpan w:val=\"2\"/>"),
            tc("b", ""),
            tc("c", "<w:vMerge w:val=\"restart\"/>"),
            tc("d", ""),
            tc("e", ""),
            tc("", "<w:vMerge/>"),
            tc("f", ""),
            tc("g", ""),
        );
        let d = doc(&body);
        let Item::Grid(g) = &d.items[0] else {
            panic!("{:?}", d.items)
        };
        let text = |r: usize, c: usize| g.cells[g.slots[r][c].unwrap()].text.clone();
        assert_eq!(g.width(), 3);
        assert_eq!([text(0, 0), text(0, 1), text(0, 2)], ["a", "a", "b"]);
        assert_eq!([text(1, 0), text(1, 1), text(1, 2)], ["c", "d", "e"]);
        assert_eq!([text(2, 0), text(2, 1), text(2, 2)], ["c", "f", "g"]);
        assert_eq!(g.cells.len(), 7);
        // Row lines: 1, 2, 3.
        assert_eq!(g.cells[g.slots[2][1].unwrap()].line, 3);
    }

    #[test]
    fn signature_is_found() {
        let right = |t: &str| {
            format!("<w:p><w:pPr><w:jc w:val=\"right\"/></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>")
        };
        let d = doc(&format!(
            "{}{}{}{}",
            p("正文。"),
            "<w:p/>",
            right("某街道办事处"),
            right("2021年1月20日")
        ));
        assert_eq!(d.signature, vec![3, 4]);
    }

    #[test]
    fn refusals() {
        assert_eq!(
            read(&[0xd0, 0xcf, 0x11, 0xe0, 0, 0]).unwrap_err(),
            DocxError::OldFormat
        );
        let mut enc = vec![0xd0, 0xcf, 0x11, 0xe0];
        enc.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read(&enc).unwrap_err(), DocxError::Encrypted);
        assert!(matches!(
            read(b"PK\x03\x04word"),
            Err(DocxError::Corrupt(_))
        ));
    }
}
