//! `gongkai import`: bring published reports into a site.
//!
//! A published report — text copied out of Word or a PDF, or a saved web page — is read into
//! `content/<year>/report.yaml` (the numbers, under the format's labels, written by
//! [`crate::load::report::writer::write_yaml`]) and `content/<year>/report.md` (the narrative, split
//! into the six parts), then the site is checked exactly as `gongkai check` does.
//!
//! The stages, one module each:
//!
//! 1. [`decode`]: UTF-8 (BOM or not), UTF-16, GB18030; HTML or text;
//! 2. `html` / `doc`: the page or file as lines and table grids with source line numbers;
//! 3. `detect`: the edition, from table labels only (FORMAT.md §1);
//! 4. `metadata`: body, year, dates, contact details;
//! 5. `sections`: the six parts by their headings; the tables of 二–四 apart from their text;
//! 6. `text` and `html`: the tables read by label in every layout of REPORTS.md;
//! 7. `extract`: the one blank-cell policy, then report.yaml, loaded back with
//!    [`crate::load::report::load`] so that the cells printed by `--format json` are exactly
//!    [`crate::render::data::tidy_cells`] of what was written.
//!
//! The import never invents a number: a table, row or cell the source does not print is left
//! out of report.yaml (the writer turns it into a comment) and reported as missing, so `check`
//! reports it too.

pub mod decode;
mod detect;
mod doc;
pub mod docx;
mod extract;
mod html;
mod labels;
mod metadata;
pub mod normalize;
mod sections;
mod summary;
mod text;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use crate::format::{self, Edition, PartKind};
use crate::load::config::SiteConfig;
use crate::load::report::{self, writer};
use crate::load::{self, REPORT_MD, REPORT_YAML};
use crate::render::data::{self, TidyCell};
use crate::source::SourceFile;

pub use decode::DecodeError;
pub use extract::Normalisation;

use doc::{Item, Line};
use extract::Extracted;
use normalize::trim;

/// Largest input file accepted.
pub const MAX_INPUT: u64 = 32 << 20;

/// A table, row or cell of the format that the source does not provide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// Part number (`二`, `三`, `四`).
    pub part: String,
    /// Row labels, outer to inner, like [`TidyCell::row`]; only the caption (or nothing) when the
    /// whole table is missing.
    pub row: Vec<String>,
    /// Column labels, outer to inner; empty when a whole row or table is missing.
    pub column: Vec<String>,
    /// Why, in Chinese.
    pub reason: String,
}

/// What one table of the format yielded.
#[derive(Debug, Clone)]
pub struct TableFound {
    /// `二、主动公开政府信息情况 › 第二十条第（一）项`.
    pub name: String,
    /// Cells present after import (computed totals included).
    pub cells: usize,
    /// Cells of the table.
    pub of: usize,
}

/// One source file, read and converted (nothing written yet).
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The file as named on the command line.
    pub file: String,
    /// The year reported on.
    pub year: u16,
    /// Where the year was read.
    pub year_evidence: String,
    /// The body that published the report.
    pub body: String,
    /// Where the body name was read.
    pub body_evidence: String,
    /// The edition of the tables.
    pub edition: &'static Edition,
    /// Why this edition.
    pub edition_evidence: String,
    /// `标题` written to report.yaml.
    pub title: String,
    /// `发布日期`, if the source states it.
    pub published: Option<String>,
    /// Contact details found: (what, value).
    pub contact: Vec<(String, String)>,
    /// Encoding of the source.
    pub encoding: String,
    /// Whether the source is an HTML page.
    pub html: bool,
    /// Whether the source is a Word document (.docx).
    pub word: bool,
    /// report.yaml.
    pub yaml: String,
    /// report.md.
    pub markdown: String,
    /// The parts whose heading or text was found, e.g. `一、总体情况`.
    pub parts: Vec<String>,
    /// Every cell written, in the tidy shape of `data/<year>.json`.
    pub cells: Vec<TidyCell>,
    /// What the source does not provide.
    pub missing: Vec<Missing>,
    /// Every normalisation, with source lines.
    pub normalisations: Vec<Normalisation>,
    /// Per table: cells found.
    pub tables: Vec<TableFound>,
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not text.
    Decode(DecodeError),
    /// No year anywhere in the text.
    NoYear,
    /// No edition applies to the year and the tables name none.
    NoEdition(u16),
    /// A Word file that cannot be read.
    Docx(docx::DocxError),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Decode(e) => write!(f, "{e}"),
            ImportError::Docx(e) => write!(f, "{e}"),
            ImportError::NoYear => write!(
                f,
                "无法确定报告年度：原文中没有标题年份、统计期限或「YYYY年」字样。请在文件开头加上报告标题（如「某某街道政府信息公开工作2020年度报告」）后再导入。"
            ),
            ImportError::NoEdition(y) => write!(
                f,
                "{y}年度没有适用的报告格式，原文表格也没有可识别的栏目：gongkai 支持 {} 年度起的报告。",
                format::builtin().editions()[0].first_year
            ),
        }
    }
}

/// Read and convert one file. `site` supplies the body name when the source names none.
pub fn analyze(
    file: &str,
    bytes: &[u8],
    site: Option<&SiteConfig>,
) -> Result<Analysis, ImportError> {
    let formats = format::builtin();
    let word = docx::is_word(bytes);
    let (decoded, word_doc) = if word {
        let d = docx::read(bytes).map_err(ImportError::Docx)?;
        let decoded = decode::Decoded {
            text: String::new(),
            encoding: "UTF-8",
            bom: false,
            html: false,
        };
        (decoded, Some(d))
    } else {
        (
            decode::decode(file, bytes).map_err(ImportError::Decode)?,
            None,
        )
    };
    let mut notes: Vec<Normalisation> = Vec::new();
    if decoded.encoding != "UTF-8" {
        notes.push(Normalisation::new(
            None,
            "encoding",
            decoded.encoding,
            "UTF-8",
            format!("原文为 {} 编码，已转为 UTF-8", decoded.encoding),
        ));
    }
    if decoded.bom {
        notes.push(Normalisation::new(
            Some(1),
            "bom",
            "",
            "",
            "去掉文件开头的字节顺序标记（BOM）",
        ));
    }
    let mut signature = Vec::new();
    let mut items = match word_doc {
        Some(d) => {
            signature = d.signature;
            d.items
        }
        None if decoded.html => html::parse(&decoded.text),
        None => doc::text_items(&decoded.text),
    };
    let source_url = strip_archive_header(&mut items, &mut notes);

    let detection = detect::detect(formats, &items);
    let meta_lines: Vec<Line> = items
        .iter()
        .flat_map(|i| match i {
            Item::Line(l) => vec![l.clone()],
            Item::Grid(g) => g.as_lines(),
        })
        .collect();
    let meta = metadata::read(&meta_lines);
    let (year, year_evidence, year_line) = meta.year.clone().ok_or(ImportError::NoYear)?;

    let (edition, edition_evidence) = match detection.edition {
        Some(e) => {
            let markers = detection
                .found
                .iter()
                .find(|(x, _)| std::ptr::eq(*x, e))
                .map(|(_, m)| m.clone())
                .unwrap_or_default();
            let shown: Vec<String> = markers
                .iter()
                .take(4)
                .map(|(m, l)| format!("「{m}」（第 {l} 行）"))
                .collect();
            (e, format!("表格栏目 {}", shown.join("、")))
        }
        None => {
            let e = formats.for_year(year).ok_or(ImportError::NoEdition(year))?;
            notes.push(Normalisation::new(
                None,
                "edition_from_year",
                "",
                e.name.clone(),
                format!(
                    "原文没有可判断格式的表格栏目，按报告年度 {year} 采用{}（{}）",
                    e.name, e.notice
                ),
            ));
            (e, format!("原文没有表格栏目，按年度 {year} 推定"))
        }
    };
    if detection.mixed() {
        let all: Vec<String> = detection
            .found
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(e, m)| format!("{}（{} 个栏目）", e.name, m.len()))
            .collect();
        notes.push(Normalisation::new(
            None,
            "edition_mixed",
            "",
            edition.name.clone(),
            format!(
                "原文表格同时有{}的栏目，按栏目多的{}导入；另一格式的栏目无法对应，请核对",
                all.join("和"),
                edition.name
            ),
        ));
    }
    if !edition.applies_to(year) && detection.edition.is_some() {
        notes.push(Normalisation::new(
            Some(year_line),
            "edition_year_mismatch",
            "",
            edition.name.clone(),
            format!(
                "原文表格是{}格式（适用于{}），而报告年度是 {year}；按原文表格导入，gongkai check 会给出提示",
                edition.name,
                edition.years_text()
            ),
        ));
    }

    // Parts, tables, narrative.
    // A Word file's signature (the body and the date, on the right at the end) is read above
    // as 落款; the narrative leaves it out, as gongkai writes it into the documents it makes.
    if !signature.is_empty() {
        let dropped: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Line(l) if signature.contains(&l.no) => Some(l.text.clone()),
                _ => None,
            })
            .collect();
        items.retain(|i| !matches!(i, Item::Line(l) if signature.contains(&l.no)));
        notes.push(Normalisation::new(
            signature.first().copied(),
            "signature_dropped",
            dropped.join(" "),
            "",
            "文末落款（机关名称、日期）不放入正文；gongkai 生成的网页、文章和 Word 文件按 site.toml 和发布日期写落款",
        ));
    }
    let sections = sections::split(edition, items, &mut notes);
    let mut ex = Extracted::new(edition);
    let mut md = String::new();
    let mut footer = false;
    let mut traditional_noted = false;
    let mut parts_found = Vec::new();
    for section in &sections {
        let part = section.part.map(|i| &edition.parts[i]);
        let narrative: Vec<Line> = match part {
            Some(p) if p.kind == PartKind::Tables => {
                read_tables(edition, &p.number, &section.items, &mut ex, &mut notes)
            }
            _ => section
                .items
                .iter()
                .flat_map(|i| match i {
                    Item::Line(l) => vec![l.clone()],
                    Item::Grid(g) => g.as_lines(),
                })
                .collect(),
        };
        if !traditional_noted
            && narrative.iter().any(|l| {
                normalize::has_traditional(&l.text) && !sections::is_heading_line(edition, &l.text)
            })
        {
            traditional_noted = true;
            notes.push(Normalisation::new(
                narrative.iter().find(|l| normalize::has_traditional(&l.text)).map(|l| l.no),
                "traditional_text",
                "",
                "",
                "正文是繁体字（多为镜像站转换），按原样放入 report.md；表格栏目已按简体识别。请以机关网站的原文核对",
            ));
        }
        let body =
            sections::paragraphs(&narrative, !decoded.html && !word, &mut notes, &mut footer);
        match (part, &section.heading) {
            (None, _) => md.push_str(&body),
            (Some(p), Some((h, no))) => {
                let h = sections::heading_text(h, *no, &mut notes);
                md.push_str(&format!("## {h}\n\n{body}"));
                parts_found.push(p.heading.clone());
            }
            (Some(p), None) if !body.trim().is_empty() => {
                md.push_str(&format!("## {}\n\n{body}", p.heading));
                parts_found.push(p.heading.clone());
            }
            (Some(_), None) => {}
        }
    }
    let values = ex.values(edition);
    notes.append(&mut ex.notes);

    // Body, title, header of report.yaml.
    let (body, body_evidence) = match (&meta.body, site) {
        (Some((b, how, no)), _) => (b.clone(), format!("{how}，第 {no} 行")),
        (None, Some(s)) => {
            notes.push(Normalisation::new(
                None,
                "body_from_site",
                "",
                s.body.name.clone(),
                "原文没有写明机关名称，采用 site.toml 中的机关名称",
            ));
            (s.body.name.clone(), "site.toml".to_string())
        }
        (None, None) => (String::new(), "原文未写明".to_string()),
    };
    if let (Some((b, _, no)), Some(s)) = (&meta.body, site)
        && !same_body(b, &s.body.name, s.short_name())
    {
        notes.push(Normalisation::new(
            Some(*no),
            "body_mismatch",
            b.clone(),
            s.body.name.clone(),
            format!(
                "原文的机关「{b}」与本站点（site.toml）的机关「{}」不同，请确认导入到了正确的站点",
                s.body.name
            ),
        ));
    }
    if let Some((domain, no)) = &meta.mirror {
        notes.push(Normalisation::new(
            Some(*no),
            "mirror_domain",
            domain.clone(),
            "",
            format!("名称中夹带的镜像站域名「{domain}」已去掉"),
        ));
    }
    let short = meta
        .short_name
        .clone()
        .or_else(|| meta.body.as_ref().map(|(b, _, _)| b.clone()))
        .unwrap_or_else(|| site.map_or("本机关", |s| s.short_name()).to_string());
    let title = meta
        .title
        .as_ref()
        .map(|(t, _)| metadata_title(t))
        .unwrap_or_else(|| format!("{short}政府信息公开工作{year}年度报告"));
    let mut comments = vec![
        format!("{title} — 表格数据"),
        format!(
            "由 gongkai import 从「{}」导入（{}）。",
            file_name(file),
            if word {
                "Word 文件"
            } else if decoded.html {
                "网页"
            } else {
                "文本"
            }
        ),
    ];
    if let Some(url) = &source_url {
        comments.push(format!("来源：{url}"));
    }
    comments.extend([
        "数字照录原文；原文表格中的空白、「无」按 0，空白的总计不写（由系统计算）。".to_string(),
        "原文没有的表格或栏目不填，写成「# 缺少」注释，gongkai check 会报告缺失；补齐后删去注释。"
            .to_string(),
    ]);
    if !meta.contact.is_empty() {
        let c: Vec<String> = meta
            .contact
            .iter()
            .map(|(w, v, _)| format!("{w}：{v}"))
            .collect();
        comments.push(format!("原文联系方式：{}", c.join("；")));
    }
    let published_note = match (&meta.published, &meta.written, &meta.signed) {
        (Some((_, no)), _, _) => Some(format!("原文第 {no} 行")),
        (None, Some((d, no)), _) => Some(format!(
            "发布日期：原文未载明（成文日期 {d}，第 {no} 行）。"
        )),
        (None, None, Some((d, no))) => Some(format!(
            "发布日期：原文未载明（落款日期 {d}，第 {no} 行）。"
        )),
        (None, None, None) => Some("发布日期：原文未载明。".to_string()),
    };
    let header = writer::Header {
        comments,
        year,
        title: title.clone(),
        published: meta.published.as_ref().map(|(d, _)| d.clone()),
        published_note,
    };
    let yaml = writer::write_yaml(edition, &header, &|t, r, c| values.get(t, r, c));

    // Load what was written: the cells and what is missing, exactly as the site reads them.
    let source = SourceFile::new(format!("content/{year}/{REPORT_YAML}"), yaml.clone());
    let (loaded, _) = report::load(formats, &source, year);
    let mut missing = Vec::new();
    let mut tables = Vec::new();
    let cells = match &loaded {
        Some(r) => {
            let headings: Vec<(usize, usize)> = sections
                .iter()
                .filter_map(|s| Some((s.part?, s.heading.as_ref()?.1)))
                .collect();
            collect_missing(edition, r, &ex, &headings, &mut missing, &mut tables);
            data::tidy_cells(r)
        }
        None => Vec::new(),
    };
    notes.sort_by_key(|n| n.line.unwrap_or(0));
    let contact = meta
        .contact
        .iter()
        .map(|(w, v, _)| (w.to_string(), v.clone()))
        .collect();
    Ok(Analysis {
        file: file.to_string(),
        year,
        year_evidence: format!("{year_evidence}，第 {year_line} 行"),
        body,
        body_evidence,
        edition,
        edition_evidence,
        title,
        published: meta.published.map(|(d, _)| d),
        contact,
        encoding: decoded.encoding.to_string(),
        html: decoded.html,
        word,
        yaml,
        // One line end at the end of the file, as an editor saves it.
        markdown: if md.trim_end().is_empty() {
            String::new()
        } else {
            md.trim_end().to_string() + "\n"
        },
        parts: parts_found,
        cells,
        missing,
        normalisations: notes,
        tables,
    })
}

/// The title as written to report.yaml: a mirror domain removed.
fn metadata_title(title: &str) -> String {
    let re = regex::Regex::new(r"(?i)(?:[a-z0-9-]+\.)+(?:com|cn|net|org|cc|top|xyz|info|vip|site)")
        .expect("static pattern");
    re.replace(title, "").trim().to_string()
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether a body name read from a report names the site's body.
fn same_body(found: &str, name: &str, short: &str) -> bool {
    fn core(s: &str) -> &str {
        let mut s = s;
        for suffix in ["办事处", "人民政府", "管理委员会", "管委会"] {
            s = s.strip_suffix(suffix).unwrap_or(s);
        }
        s
    }
    let f = core(found);
    !f.is_empty() && (name.contains(f) || f.contains(core(short)) || core(short).contains(f))
}

/// Drop the `SOURCE:` / `NOTE:` lines an archived copy starts with; return the source URL.
fn strip_archive_header(items: &mut Vec<Item>, notes: &mut Vec<Normalisation>) -> Option<String> {
    let mut url = None;
    let mut drop = 0;
    for item in items.iter() {
        let Item::Line(l) = item else { break };
        let t = l.text.trim_start_matches('\u{feff}').trim();
        if let Some(u) = t.strip_prefix("SOURCE:") {
            let u = u.trim();
            if u.starts_with("http") {
                url = Some(u.to_string());
            }
        } else if !t.starts_with("NOTE:") {
            break;
        }
        notes.push(Normalisation::new(
            Some(l.no),
            "archive_header",
            t.chars().take(40).collect::<String>(),
            "",
            "存档说明行（SOURCE/NOTE）不属于报告，未导入",
        ));
        drop += 1;
    }
    items.drain(..drop);
    url
}

/// Read the tables of a part; return its narrative lines.
fn read_tables(
    edition: &'static Edition,
    part: &str,
    items: &[Item],
    ex: &mut Extracted,
    notes: &mut Vec<Normalisation>,
) -> Vec<Line> {
    let tables: Vec<usize> = edition.tables_of(part).map(|(i, _)| i).collect();
    let matcher = labels::Matcher::new(edition, &tables, true);
    let mut narrative = Vec::new();
    let mut material = Vec::new();
    let mut started = false;
    for item in items {
        match item {
            Item::Grid(g) => {
                started = true;
                if !html::read_grid(edition, g, ex) {
                    material.extend(g.as_lines());
                }
            }
            Item::Line(l) => {
                let t = trim(&l.text);
                if started && ex.units_from_note(edition, &tables, t, l.no) {
                    continue;
                }
                let label = line_has_label(&matcher, t);
                if !started {
                    if label && !sections::is_prose(t) {
                        started = true;
                        material.push(l.clone());
                    } else {
                        narrative.push(l.clone());
                    }
                } else if sections::is_prose(t) && !label {
                    notes.push(Normalisation::new(
                        Some(l.no),
                        "prose_in_table",
                        t.chars().take(30).collect::<String>(),
                        "",
                        "表格中间的说明文字移入本部分正文",
                    ));
                    narrative.push(l.clone());
                } else {
                    material.push(l.clone());
                }
            }
        }
    }
    text::read_part(edition, part, &material, ex);
    narrative
}

/// Whether a line holds a table label: the line itself, its first piece between pipes, or one
/// of its words (PDF lines put several header cells on one line).
fn line_has_label(matcher: &labels::Matcher, t: &str) -> bool {
    let first = trim(t.split('|').find(|p| !trim(p).is_empty()).unwrap_or(""));
    if first.is_empty() {
        return false;
    }
    matcher.classify(first).is_some()
        || (!t.contains('|')
            && first
                .split(normalize::is_space)
                .filter(|w| w.chars().count() >= 2)
                .any(|w| {
                    matcher
                        .classify(w)
                        .is_some_and(|m| m.how != labels::How::Fragment)
                }))
}

fn collect_missing(
    edition: &Edition,
    r: &report::Report,
    ex: &Extracted,
    headings: &[(usize, usize)],
    missing: &mut Vec<Missing>,
    tables: &mut Vec<TableFound>,
) {
    for (ti, table) in edition.tables.iter().enumerate() {
        let part = edition.part(&table.part).map_or("", |p| p.heading.as_str());
        let caption: Vec<String> = table.caption.iter().cloned().collect();
        let name = match &table.caption {
            Some(c) => format!("{part} › {c}"),
            None => part.to_string(),
        };
        let present = (0..table.leaf_rows.len())
            .flat_map(|row| (0..table.leaf_columns.len()).map(move |col| (row, col)))
            .filter(|&(row, col)| r.cell(ti, row, col).is_some())
            .count();
        tables.push(TableFound {
            name,
            cells: present,
            of: table.cell_count(),
        });
        if present == 0 {
            let reason = ex
                .table_reasons
                .iter()
                .find(|(t, _)| *t == ti)
                .map(|(_, why)| why.clone())
                .or_else(|| {
                    ex.row_reasons
                        .iter()
                        .find(|(t, _, why)| *t == ti && why != text::NO_VALUES)
                        .map(|(_, _, why)| format!("原文表格无法读取：{why}"))
                })
                .unwrap_or_else(|| {
                    let heading = edition
                        .parts
                        .iter()
                        .position(|p| p.number == table.part)
                        .and_then(|pi| headings.iter().find(|(p, _)| *p == pi));
                    match (ex.seen[ti], heading) {
                        (Some(line), _) => format!("原文第 {line} 行起只有栏目，没有数值"),
                        (None, Some((_, line))) if edition.tables_of(&table.part).all(|(t, _)| ex.seen[t].is_none()) => format!(
                            "原文第 {line} 行「{part}」标题下没有表格（表格可能是图片，或没有随页面保存）"
                        ),
                        _ => "原文没有这张表格".to_string(),
                    }
                });
            missing.push(Missing {
                part: table.part.clone(),
                row: caption,
                column: Vec::new(),
                reason,
            });
            continue;
        }
        for (ri, row) in table.leaf_rows.iter().enumerate() {
            let mut row_labels = caption.clone();
            row_labels.extend(row.path.iter().cloned());
            let row_reason = ex
                .row_reasons
                .iter()
                .find(|(t, rr, _)| *t == ti && *rr == ri)
                .map(|(_, _, why)| why.clone());
            let absent: Vec<usize> = (0..table.leaf_columns.len())
                .filter(|&c| r.cell(ti, ri, c).is_none())
                .collect();
            if absent.is_empty() {
                continue;
            }
            if absent.len() == table.leaf_columns.len() {
                missing.push(Missing {
                    part: table.part.clone(),
                    row: row_labels,
                    column: Vec::new(),
                    reason: row_reason.unwrap_or_else(|| "原文没有这一行".to_string()),
                });
                continue;
            }
            for c in absent {
                missing.push(Missing {
                    part: table.part.clone(),
                    row: row_labels.clone(),
                    column: table.leaf_columns[c].path.clone(),
                    reason: row_reason
                        .clone()
                        .unwrap_or_else(|| "原文这一格没有数值".to_string()),
                });
            }
        }
    }
}

/// One file of a run.
#[derive(Debug)]
pub struct FileOutcome {
    /// The file as given.
    pub file: String,
    /// The analysis, or why the file could not be read.
    pub analysis: Result<Analysis, String>,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Why nothing was written although the file was read.
    pub refused: Option<String>,
}

/// Import files into the site at `root`. Writes nothing for a year that exists unless `force`.
pub fn import_files(
    root: &Path,
    files: &[PathBuf],
    force: bool,
    progress: bool,
) -> Result<Vec<FileOutcome>, String> {
    let config_path = root.join("site.toml");
    if !config_path.is_file() {
        return Err(format!(
            "{} 不是 gongkai 站点：找不到 site.toml。请在站点目录中运行，或用 --root 指定站点目录。",
            root.display()
        ));
    }
    let config = load::read::read_source(root, &config_path, load::MAX_CONFIG)
        .ok()
        .and_then(|f| SiteConfig::parse(&f).ok());
    let mut outcomes: Vec<FileOutcome> = Vec::new();
    let total = files.len();
    for (i, path) in files.iter().enumerate() {
        let shown = path.display().to_string();
        if progress {
            eprintln!("[{}/{}] 导入 {shown}", i + 1, total);
        }
        let analysis = read_input(path)
            .and_then(|bytes| analyze(&shown, &bytes, config.as_ref()).map_err(|e| e.to_string()));
        let mut outcome = FileOutcome {
            file: shown,
            analysis,
            written: Vec::new(),
            refused: None,
        };
        if let Ok(a) = &outcome.analysis {
            let earlier = outcomes.iter().find(|o| {
                o.analysis.as_ref().is_ok_and(|x| x.year == a.year) && o.refused.is_none()
            });
            let dir = root.join("content").join(a.year.to_string());
            if let Some(e) = earlier {
                outcome.refused = Some(format!(
                    "与「{}」同为 {} 年度，一次只能导入一份，本文件未写入。",
                    e.file, a.year
                ));
            } else if !force && (dir.join(REPORT_YAML).exists() || dir.join(REPORT_MD).exists()) {
                outcome.refused = Some(format!(
                    "content/{} 已有报告，不会覆盖。如要用导入结果替换，请加 --force（将覆盖 report.yaml 和 report.md）。",
                    a.year
                ));
            } else {
                match write_year(&dir, a) {
                    Ok(w) => outcome.written = w,
                    Err(e) => outcome.refused = Some(e),
                }
            }
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(path)
        .map_err(|e| format!("无法读取 {}：{}", path.display(), load::read::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("{} 不是文件", path.display()));
    }
    if meta.len() > MAX_INPUT {
        return Err(format!(
            "{} 过大（{}），不像是一份年度报告",
            path.display(),
            load::read::human_size(meta.len())
        ));
    }
    fs::read(path)
        .map_err(|e| format!("无法读取 {}：{}", path.display(), load::read::io_reason(&e)))
}

/// Write report.yaml and report.md of a year (through a temporary file each, then renamed).
fn write_year(dir: &Path, a: &Analysis) -> Result<Vec<PathBuf>, String> {
    fs::create_dir_all(dir)
        .map_err(|e| format!("无法创建 {}：{}", dir.display(), load::read::io_reason(&e)))?;
    let mut written = Vec::new();
    for (name, text) in [(REPORT_YAML, &a.yaml), (REPORT_MD, &a.markdown)] {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.import-tmp"));
        let result = (|| -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(format!(
                "无法写入 {}：{}",
                path.display(),
                load::read::io_reason(&e)
            ));
        }
        written.push(path);
    }
    Ok(written)
}

/// `gongkai import`: import, print the summary, check the imported years.
pub fn cli(root: &Path, files: &[PathBuf], force: bool, json: bool, color: bool) -> ExitCode {
    let outcomes = match import_files(root, files, force, files.len() > 1) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    let years: Vec<u16> = outcomes
        .iter()
        .filter(|o| !o.written.is_empty())
        .filter_map(|o| o.analysis.as_ref().ok().map(|a| a.year))
        .collect();
    let checked = (!years.is_empty()).then(|| crate::project::Body::check(root, ""));
    let diagnostics: Vec<crate::diagnostic::Diagnostic> = checked
        .as_ref()
        .map(|c| {
            c.diagnostics
                .iter()
                .filter(|d| {
                    years.iter().any(|y| {
                        d.file().starts_with(&format!("content/{y}/"))
                            // A cross-year rule of the next year now compares with this one.
                            || (d.rule.starts_with("R-X")
                                && d.file().starts_with(&format!("content/{}/", y + 1)))
                    })
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", summary::json(&outcomes));
    } else {
        let _ = write!(out, "{}", summary::human(&outcomes));
    }
    let mut err = std::io::stderr().lock();
    for o in &outcomes {
        match (&o.analysis, &o.refused) {
            (Err(e), _) => {
                let _ = writeln!(err, "错误：{}：{e}", o.file);
            }
            (Ok(_), Some(why)) => {
                let _ = writeln!(err, "错误：{}：{why}", o.file);
            }
            _ => {}
        }
    }
    if !years.is_empty() {
        let (errors, warnings) = crate::diagnostic::counts(&diagnostics);
        if !json {
            let _ = write!(
                err,
                "{}",
                crate::diagnostic::render_all(&diagnostics, color)
            );
        }
        let shown: Vec<String> = years.iter().map(u16::to_string).collect();
        let _ = writeln!(
            err,
            "导入后检查（同 gongkai check）：{} 年度，{errors} 个错误，{warnings} 个警告。{}",
            shown.join("、"),
            if errors > 0 {
                "缺失的表格和栏目请对照原文补齐。"
            } else {
                ""
            }
        );
    }
    let failed = outcomes
        .iter()
        .any(|o| o.analysis.is_err() || o.refused.is_some());
    if failed {
        ExitCode::from(2)
    } else if crate::diagnostic::counts(&diagnostics).0 > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
