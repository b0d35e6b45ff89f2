//! The six parts of a report: finding their headings, separating the tables of parts 二–四
//! from their text, and writing report.md.
//!
//! A heading is a short line `一、总体情况`: a number 一–六 whose title is the format's wording,
//! one of the 条例第五十条 variants or at least names the part (`五、存在问题及改进情况`), or
//! the format's wording without a number (`政府信息公开行政复议、行政诉讼情况`, 东柳街道 2020).
//! Parts come in order, which keeps the table rows `一、本年新收…` … `四、结转下年度继续办理`
//! from being read as headings. Text before 一 is the lead-in. The page furniture of saved web
//! pages (breadcrumbs, portal metadata, 打印/关闭, 扫一扫, site footers) is left out.

use std::fmt::Write as _;

use crate::format::{Edition, PartKind};

use super::doc::{Item, Line};
use super::extract::Normalisation;
use super::labels::Matcher;
use super::metadata::title_of;
use super::normalize::{fold, has_traditional, is_space, simplify, trim};

/// One part (or the lead-in) with its items.
#[derive(Debug, Clone, Default)]
pub(crate) struct Section {
    /// Part index (0 = 一), `None` for the lead-in.
    pub part: Option<usize>,
    /// The heading as written, and its line.
    pub heading: Option<(String, usize)>,
    /// The items under the heading.
    pub items: Vec<Item>,
}

/// Words that name a part when a numbered heading does not use the format's wording.
const PART_WORDS: [&[&str]; 6] = [
    &["总体情况", "概述", "基本情况"],
    &["主动公开"],
    &["收到和处理", "依申请公开", "申请情况"],
    &["行政复议", "行政诉讼"],
    &["问题"],
    &["其他", "需要报告", "需报告"],
];

const NUMERALS: [char; 6] = ['一', '二', '三', '四', '五', '六'];

/// The part a line is the heading of, and whether it carries its number.
pub(crate) fn heading_part(edition: &Edition, text: &str) -> Option<(usize, bool)> {
    let t = trim(text);
    if t.is_empty() || t.chars().count() > 40 || t.contains(['。', '|']) {
        return None;
    }
    let s = simplify(t);
    let mut chars = s.chars();
    let first = chars.next()?;
    if let Some(i) = NUMERALS.iter().position(|&n| n == first) {
        let rest = chars.as_str();
        let sep = rest.chars().next()?;
        if !"、.．，, ".contains(sep) {
            return None;
        }
        let title = rest[sep.len_utf8()..].trim();
        let part = &edition.parts[i];
        if part.matches_title(title) || PART_WORDS[i].iter().any(|w| title.contains(w)) {
            return Some((i, true));
        }
        return None;
    }
    edition
        .parts
        .iter()
        .position(|p| p.matches_title(&s))
        .map(|i| (i, false))
}

/// A paragraph that starts with a numbered part heading in the format's wording and goes on
/// with text (`<p><strong>一、总体情况</strong>2019年，……</p>`): the heading and the rest.
pub(crate) fn split_heading<'t>(
    edition: &Edition,
    text: &'t str,
) -> Option<(usize, &'t str, &'t str)> {
    let t = trim(text);
    let s = simplify(t);
    let first = s.chars().next()?;
    let i = NUMERALS.iter().position(|&n| n == first)?;
    let sep = s[first.len_utf8()..].chars().next()?;
    if !"、.．".contains(sep) {
        return None;
    }
    let start = first.len_utf8() + sep.len_utf8();
    let part = &edition.parts[i];
    let mut titles: Vec<&str> = std::iter::once(part.title.as_str())
        .chain(part.variants.iter().map(String::as_str))
        .collect();
    titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let title = titles
        .into_iter()
        .find(|title| s[start..].starts_with(title))?;
    let end = start + title.len();
    let rest = t[end..].trim_start_matches(|c: char| is_space(c) || "：:。.".contains(c));
    if rest.is_empty() || rest.starts_with('|') || !t.is_char_boundary(end) {
        return None;
    }
    Some((i, &t[..end], rest))
}

/// Whether a line is a part heading (of any part).
pub(crate) fn is_heading_line(edition: &Edition, text: &str) -> bool {
    heading_part(edition, text).is_some()
}

/// A numbered heading that is not a part of the format (`七、2022年工作思路`).
fn extra_heading(text: &str) -> bool {
    let t = trim(text);
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    "七八九十".contains(first)
        && chars.next().is_some_and(|c| "、.．".contains(c))
        && t.chars().count() <= 30
        && !t.contains('。')
}

/// A sub-heading `（一）存在问题`: short, bracketed number, no sentence.
fn sub_heading(text: &str) -> bool {
    let t = trim(text);
    let n = t.chars().count();
    let mut chars = t.chars();
    let open = chars.next();
    let numeral = chars.next();
    n <= 30
        && matches!(open, Some('（' | '('))
        && numeral.is_some_and(|c| "一二三四五六七八九十".contains(c))
        && !t.contains(['。', '；', ';', '，', ','])
        && !t.contains('|')
}

/// A line of a table of contents: empty, or a short entry that is not a sentence (a sub-heading
/// or a table caption listed under a part).
fn toc_entry(text: &str) -> bool {
    let t = trim(text);
    t.is_empty()
        || is_caption_entry(t)
        || (t.chars().count() <= 60 && !t.contains(['。', '；', ';', '：', ':']))
}

/// `表2-1　主动公开政府信息情况：第二十条第（一）项（单位：件）`: a table named in a contents list.
fn is_caption_entry(t: &str) -> bool {
    t.starts_with('表') && t.chars().count() <= 60 && !t.contains('。')
}

/// Whether the sections, each opened by a part heading, are a contents list: at least three
/// parts, each holding only contents entries (the last may be followed by other text).
fn contents_list(sections: &[Section]) -> bool {
    sections.len() >= 3
        && sections[..sections.len() - 1].iter().all(|s| {
            s.items
                .iter()
                .all(|it| matches!(it, Item::Line(x) if toc_entry(&x.text)))
        })
}

/// Split the document into the lead-in and the parts.
pub(crate) fn split(
    edition: &'static Edition,
    items: Vec<Item>,
    notes: &mut Vec<Normalisation>,
) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    let mut current: Option<usize> = None;
    let table_parts: Vec<usize> = edition
        .parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PartKind::Tables)
        .map(|(i, _)| i)
        .collect();
    let matchers: Vec<(usize, Matcher)> = table_parts
        .iter()
        .map(|&i| {
            let tables: Vec<usize> = edition
                .tables_of(&edition.parts[i].number)
                .map(|(t, _)| t)
                .collect();
            (i, Matcher::new(edition, &tables, false))
        })
        .collect();
    for item in items {
        // A heading again after a run of empty parts: the first run was a table of contents.
        // A contents list may also name sub-headings and tables under each part (as a built
        // gongkai page does), and text may follow its last entry before the report starts.
        if let Item::Line(l) = &item
            && let Some((i, _)) = heading_part(edition, &l.text)
            && current.is_some_and(|c| i <= c)
            && let Some(first) = sections.iter().position(|s| s.part == Some(i))
            && (sections[first..].iter().all(|s| {
                s.items
                    .iter()
                    .all(|it| matches!(it, Item::Line(x) if trim(&x.text).is_empty()))
            }) || contents_list(&sections[first..]))
        {
            let mut drained: Vec<Section> = sections.drain(first..).collect();
            // Text after the last entry of the list belongs to the lead-in.
            if let Some(last) = drained.last_mut() {
                let keep = last
                    .items
                    .iter()
                    .position(|it| !matches!(it, Item::Line(x) if toc_entry(&x.text)))
                    .unwrap_or(last.items.len());
                let rest: Vec<Item> = last.items.drain(keep..).collect();
                if let Some(lead) = sections.last_mut() {
                    lead.items.extend(rest);
                }
            }
            let dropped: Vec<String> = drained
                .into_iter()
                .filter_map(|s| s.heading.map(|h| h.0))
                .collect();
            notes.push(Normalisation::new(
                Some(l.no),
                "toc_dropped",
                dropped.join(" "),
                "",
                "报告开头逐行列出的各部分标题（目录）未作为标题使用",
            ));
            current = sections.last().and_then(|s| s.part);
        }
        if let Item::Line(l) = &item
            && let Some((i, _)) = heading_part(edition, &l.text)
            && current.is_none_or(|c| i > c)
        {
            current = Some(i);
            sections.push(Section {
                part: Some(i),
                heading: Some((trim(&l.text).to_string(), l.no)),
                items: Vec::new(),
            });
            continue;
        }
        if let Item::Line(l) = &item
            && let Some((i, heading, rest)) = split_heading(edition, &l.text)
            && current.is_none_or(|c| i > c)
        {
            current = Some(i);
            notes.push(Normalisation::new(
                Some(l.no),
                "heading_split",
                heading,
                heading,
                "标题与正文写在同一段，已拆开",
            ));
            sections.push(Section {
                part: Some(i),
                heading: Some((heading.to_string(), l.no)),
                items: vec![Item::Line(Line {
                    no: l.no,
                    text: rest.to_string(),
                })],
            });
            continue;
        }
        // A table where no heading announced its part: open the part without a heading.
        let in_table_part = current.is_some_and(|c| table_parts.contains(&c));
        if !in_table_part {
            let anchor = match &item {
                Item::Line(l) => {
                    let t = trim(&l.text).trim_end_matches(['|', ' ']);
                    let f = fold(t);
                    matchers.iter().find_map(|(i, m)| {
                        let caption_or_corner =
                            edition.tables_of(&edition.parts[*i].number).any(|(_, t)| {
                                t.caption.as_deref().map(fold) == Some(f.clone())
                                    || t.corner.as_deref().is_some_and(|c| {
                                        fold(c) == f || fold(c.trim_matches(['（', '）'])) == f
                                    })
                            });
                        (caption_or_corner && m.is_label(&f)).then_some(*i)
                    })
                }
                Item::Grid(g) => matchers.iter().find_map(|(i, m)| {
                    let hits = g
                        .cells
                        .iter()
                        .filter(|c| m.classify(&c.text).is_some())
                        .count();
                    (hits >= 2).then_some(*i)
                }),
            };
            if let Some(i) = anchor
                && current.is_none_or(|c| i > c)
            {
                notes.push(Normalisation::new(
                    Some(item.line_no()),
                    "implicit_part",
                    "",
                    edition.parts[i].heading.clone(),
                    format!(
                        "原文在此之前没有「{}」的标题；其后的表格归入该部分",
                        edition.parts[i].heading
                    ),
                ));
                current = Some(i);
                sections.push(Section {
                    part: Some(i),
                    heading: None,
                    items: Vec::new(),
                });
            }
        }
        if let Some(s) = sections.last_mut() {
            s.items.push(item);
        }
    }
    sections
}

/// What a line of text is, for the narrative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Text,
    Title,
    /// Portal metadata (索引号, 发布机构, 成文日期 …).
    Metadata,
    /// Page furniture (breadcrumb, 打印, 扫一扫, page numbers).
    Furniture,
    /// Site footer: everything after it is furniture too.
    Footer,
}

fn role(text: &str) -> Role {
    let simplified = simplify(trim(text));
    let t = simplified.as_str();
    let compact: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    if title_of(t).is_some() {
        return Role::Title;
    }
    const METADATA: &[&str] = &[
        "索引号",
        "文号",
        "主题分类",
        "公开方式",
        "体裁分类",
        "发布机构",
        "成文日期",
        "发布时间",
        "发布日期",
        "来源:",
        "来源：",
        "信息来源",
        "公开时限",
        "有效性",
        "生成日期",
        "所属机构",
    ];
    if METADATA.iter().any(|m| compact.starts_with(m)) && t.chars().count() <= 120 {
        return Role::Metadata;
    }
    const FOOTER: &[&str] = &[
        "主办单位",
        "主办：",
        "主办:",
        "网站标识码",
        "ICP备",
        "公网安备",
        "版权所有",
        "技术支持",
        "相关链接",
        "上一篇",
        "下一篇",
    ];
    if FOOTER.iter().any(|m| compact.contains(m)) {
        return Role::Footer;
    }
    let furniture = compact.contains("当前位置")
        || compact.contains("当前的位置")
        || (compact.starts_with("首页") && compact.contains('>'))
        || compact.starts_with("【字体")
        || compact.contains("扫一扫")
        || compact.contains("分享到")
        || compact.contains("打印本页")
        || compact.contains("关闭窗口")
        || compact == "打印"
        || compact == "【打印】"
        || compact == "【关闭】"
        || compact.starts_with("字体大小")
        || compact.contains("浏览次数")
        || (compact.starts_with("P.") && compact[2..].chars().all(|c| c.is_ascii_digit()))
        || (compact.starts_with('第') && compact.ends_with('页') && compact.chars().count() <= 8);
    if furniture {
        Role::Furniture
    } else {
        Role::Text
    }
}

/// Text that reads as a sentence rather than a table cell.
pub(crate) fn is_prose(text: &str) -> bool {
    let t = trim(text);
    if t.contains('|') {
        return false;
    }
    let n = t.chars().count();
    (n > 30 && t.contains('。')) || (n > 45 && t.contains(['，', ',']))
}

/// Markdown for a part's (or the lead-in's) lines: paragraphs, `### ` sub-headings, and (when
/// `join` is set, for text files) lines wrapped by PDF extraction joined back. In HTML every
/// line is a block or an explicit line break, so nothing is joined.
pub(crate) fn paragraphs(
    lines: &[Line],
    join: bool,
    notes: &mut Vec<Normalisation>,
    footer: &mut bool,
) -> String {
    let mut out = String::new();
    let mut para = String::new();
    let mut para_first_line = 0;
    let mut prev_joinable = false;
    let flush = |out: &mut String, para: &mut String| {
        if !para.is_empty() {
            out.push_str(&escape(para));
            out.push_str("\n\n");
            para.clear();
        }
    };
    for l in lines {
        if *footer {
            break;
        }
        let t = trim(&l.text);
        if t.is_empty() {
            flush(&mut out, &mut para);
            prev_joinable = false;
            continue;
        }
        match role(t) {
            Role::Text => {}
            Role::Footer => {
                *footer = true;
                notes.push(Normalisation::new(
                    Some(l.no),
                    "page_footer_dropped",
                    t,
                    "",
                    "网页页脚（主办单位、备案号等）及其后的内容不属于报告，未放入正文",
                ));
                break;
            }
            Role::Title => continue,
            Role::Metadata | Role::Furniture => {
                notes.push(Normalisation::new(
                    Some(l.no),
                    "page_furniture_dropped",
                    t,
                    "",
                    "网页栏目信息（位置导航、索引号、发布时间、打印等）不属于报告正文，未放入 report.md",
                ));
                continue;
            }
        }
        if sub_heading(t) || extra_heading(t) {
            flush(&mut out, &mut para);
            if extra_heading(t) {
                notes.push(Normalisation::new(
                    Some(l.no),
                    "extra_section",
                    t,
                    format!("### {t}"),
                    "格式只有六个部分；这一节作为上一部分下的小标题保留",
                ));
            }
            let _ = write!(out, "### {}\n\n", escape(t));
            prev_joinable = false;
            continue;
        }
        let second = t.chars().nth(1);
        let starts_item = (t
            .starts_with(['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'])
            && matches!(second, Some('是' | '、' | '．' | '.')))
            || t.starts_with(['（', '('])
            || (t.chars().next().is_some_and(|c| c.is_ascii_digit())
                && second.is_some_and(|c| ".．、".contains(c)));
        if join && prev_joinable && !starts_item && !para.is_empty() {
            para.push_str(t);
            notes.push(Normalisation::new(
                Some(l.no),
                "lines_joined",
                t,
                "",
                format!("与第 {para_first_line} 行起的段落连成一段（PDF 提取时断开的行）"),
            ));
        } else {
            flush(&mut out, &mut para);
            para.push_str(t);
            para_first_line = l.no;
        }
        let last = t.chars().last().unwrap_or('。');
        let n = t.chars().count();
        // A short numbered line ("3.政府信息公开监督保障情况") is a heading, not a broken line.
        prev_joinable = n >= 18
            && !"。！？；：:;!?…”」』）)".contains(last)
            && !(starts_item && n <= 30 && !t.contains(['。', '，', ',', '；', ';']));
    }
    flush(&mut out, &mut para);
    out
}

/// Escape what Markdown would read as markup in report text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if matches!(c, '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']')
            || (i == 0 && matches!(c, '#' | '-' | '+' | '=' | '|' | '~'))
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A part heading as written for report.md: traditional characters simplified.
pub(crate) fn heading_text(heading: &str, line: usize, notes: &mut Vec<Normalisation>) -> String {
    let t = trim(heading);
    if has_traditional(t) {
        let s = simplify(t);
        notes.push(Normalisation::new(
            Some(line),
            "traditional",
            t,
            s.clone(),
            "繁体字标题改为简体",
        ));
        s
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format;

    #[test]
    fn headings() {
        let e = format::builtin().by_id("2019").unwrap();
        assert_eq!(heading_part(e, "一、总体情况"), Some((0, true)));
        assert_eq!(
            heading_part(e, "政府信息公开行政复议、行政诉讼情况"),
            Some((3, false))
        );
        assert_eq!(
            heading_part(e, "四、因政府信息公开工作被申请行政复议提起行政诉讼情况"),
            Some((3, true))
        );
        assert_eq!(
            heading_part(e, "   六、其他需要报告的事项"),
            Some((5, true))
        );
        assert_eq!(heading_part(e, "五、存在问题及改进情况"), Some((4, true)));
        assert_eq!(
            heading_part(e, "二、主动公开政府信息的情况"),
            Some((1, true))
        );
        assert_eq!(heading_part(e, "一、本年新收政府信息公开申请数量"), None);
        assert_eq!(heading_part(e, "二、上年结转政府信息公开申请数量"), None);
        assert_eq!(heading_part(e, "三、本年度办理结果"), None);
        assert_eq!(heading_part(e, "四、结转下年度继续办理"), None);
        assert_eq!(heading_part(e, "主动公开政府信息情况 | |||"), None);
        assert_eq!(heading_part(e, "一、總體情況"), Some((0, true)));
        assert!(extra_heading("七、2022年工作思路"));
        assert_eq!(
            split_heading(e, "一、总体情况2019年，本机关认真贯彻《条例》。"),
            Some((0, "一、总体情况", "2019年，本机关认真贯彻《条例》。"))
        );
        assert_eq!(
            split_heading(e, "一、本年新收政府信息公开申请数量 | 0 |"),
            None
        );
        assert!(sub_heading("（一）存在问题"));
        assert!(!sub_heading(
            "(一)主动公开情况。2020年,我局信息公开网站内容为机构简介。"
        ));
    }

    #[test]
    fn table_of_contents_is_not_the_headings() {
        let e = format::builtin().by_id("2019").unwrap();
        let text = "本报告目录：\n一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n\n一、总体情况\n概述。\n二、主动公开政府信息情况\n说明。\n";
        let mut notes = Vec::new();
        let s = split(
            e,
            crate::commands::import::doc::text_items(text),
            &mut notes,
        );
        let parts: Vec<(Option<usize>, usize)> = s
            .iter()
            .map(|x| (x.part, x.heading.as_ref().map_or(0, |h| h.1)))
            .collect();
        assert_eq!(parts, vec![(None, 0), (Some(0), 6), (Some(1), 8)]);
        assert!(notes.iter().any(|n| n.kind == "toc_dropped"));
    }

    #[test]
    fn a_contents_list_with_entries_and_a_lead_in_after_it() {
        // The contents list of a built gongkai page: sub-headings and table captions under
        // each part, then the summary and the lead-in before the first real heading.
        let e = format::builtin().by_id("2021").unwrap();
        let text = "目录\n一、总体情况\n（一）主动公开\n二、主动公开政府信息情况\n表2-1　主动公开政府信息情况：第二十条第（一）项（单位：件）\n三、收到和处理政府信息公开申请情况\n表3　收到和处理政府信息公开申请情况（单位：件）\n六、其他需要报告的事项\n本报告根据条例编制。\n一、总体情况\n概述。\n二、主动公开政府信息情况\n说明。\n";
        let mut notes = Vec::new();
        let s = split(
            e,
            crate::commands::import::doc::text_items(text),
            &mut notes,
        );
        let parts: Vec<(Option<usize>, usize)> = s
            .iter()
            .map(|x| (x.part, x.heading.as_ref().map_or(0, |h| h.1)))
            .collect();
        assert_eq!(parts, vec![(None, 0), (Some(0), 10), (Some(1), 12)]);
        assert!(notes.iter().any(|n| n.kind == "toc_dropped"));
        let lead: Vec<String> = s[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Line(l) => Some(l.text.clone()),
                Item::Grid(_) => None,
            })
            .collect();
        assert!(
            lead.iter().any(|l| l.contains("本报告根据条例编制")),
            "{lead:?}"
        );
        // Headings repeated after real text are not a contents list.
        let text = "一、总体情况\n本年共公开信息。\n二、主动公开政府信息情况\n说明。\n三、收到和处理政府信息公开申请情况\n一、总体情况\n";
        let s = split(
            e,
            crate::commands::import::doc::text_items(text),
            &mut Vec::new(),
        );
        assert_eq!(s.iter().filter(|x| x.part.is_some()).count(), 3);
    }

    #[test]
    fn pdf_lines_are_joined() {
        let lines: Vec<Line> = [
            "总结我局本年度政府信息公开工作,公开信息数量明显增加,",
            "公开形式更加规范,仍存在以下问题:",
            "一是组织建设仍需改进。政府信息公开工作业务骨干以兼职",
            "为主。",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| Line {
            no: i + 1,
            text: t.to_string(),
        })
        .collect();
        let mut notes = Vec::new();
        let md = paragraphs(&lines, true, &mut notes, &mut false);
        assert_eq!(
            md,
            "总结我局本年度政府信息公开工作,公开信息数量明显增加,公开形式更加规范,仍存在以下问题:\n\n一是组织建设仍需改进。政府信息公开工作业务骨干以兼职为主。\n\n"
        );
        assert_eq!(notes.iter().filter(|n| n.kind == "lines_joined").count(), 2);
    }
}
