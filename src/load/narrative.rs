//! The narrative of one year's report: `report.md` split into the six parts.
//!
//! The clerk writes one Markdown file the way the report reads: an optional lead-in, then a
//! `## ` heading per part (`## 一、总体情况` …). Parts 二–四 need a heading only when they carry
//! text before their tables. Headings are recognised by their number or by the format's wording
//! (and the variants real reports use), so a heading without its number, as in the 东柳街道 2020
//! report, is still placed; wording that differs from the format is kept as written and
//! reported as a warning.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::format::{Edition, PartKind, normalize_label};
use crate::source::SourceFile;

/// The narrative file of one year.
#[derive(Debug, Clone)]
pub struct Narrative {
    /// The Markdown file.
    pub source: SourceFile,
    /// Text before the first part heading.
    pub lead: Range<usize>,
    /// One entry per part of the edition, in order; `None` when the file has no heading for it.
    pub parts: Vec<Option<NarrativePart>>,
    /// The total of proactively disclosed items the text states, with its span (claim kind
    /// `channels`): read once, by the check or the page that needs it first.
    pub stated_total: std::sync::OnceLock<Option<(crate::number::Decimal, Range<usize>)>>,
}

/// The text of one part.
#[derive(Debug, Clone)]
pub struct NarrativePart {
    /// The heading as written (without `## `).
    pub heading: String,
    /// Span of the heading text.
    pub heading_span: Range<usize>,
    /// The Markdown after the heading line, up to the next part.
    pub body: Range<usize>,
}

impl Narrative {
    /// Markdown source of a span.
    pub fn text(&self, span: &Range<usize>) -> &str {
        &self.source.text[span.clone()]
    }

    /// The part with index `i`, if written.
    pub fn part(&self, i: usize) -> Option<&NarrativePart> {
        self.parts.get(i).and_then(Option::as_ref)
    }

    /// The part with this number (`一` …), if written.
    pub fn part_by_number(&self, edition: &Edition, number: &str) -> Option<&NarrativePart> {
        let i = edition.parts.iter().position(|p| p.number == number)?;
        self.part(i)
    }
}

struct Heading {
    level: HeadingLevel,
    text: String,
    span: Range<usize>,
    line_span: Range<usize>,
}

/// Split report.md into parts and check its structure against the edition.
pub fn parse(edition: &Edition, file: &SourceFile) -> (Narrative, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text: &str = &file.text;
    let (headings, too_deep) = headings(text);
    if let Some(span) = too_deep {
        diags.push(crate::load::markdown::nesting_error(file, span));
    }

    let mut parts: Vec<Option<NarrativePart>> = vec![None; edition.parts.len()];
    let mut lead_end = text.len();
    let mut last_index: Option<usize> = None;
    // (part index, heading index into `headings`)
    let mut placed: Vec<(usize, usize)> = Vec::new();
    for (hi, h) in headings.iter().enumerate() {
        match h.level {
            HeadingLevel::H1 => {
                diags.push(
                    Diagnostic::error("M3", "正文中不应有一级标题")
                        .at(file, h.span.clone())
                        .label("一级标题")
                        .hint("报告标题写在 report.yaml 的「标题」一行；正文的六个部分用二级标题（## 一、总体情况）。"),
                );
            }
            HeadingLevel::H2 => {
                lead_end = lead_end.min(h.line_span.start);
                let Some((index, written_number)) = identify(edition, &h.text) else {
                    let headings: Vec<&str> =
                        edition.parts.iter().map(|p| p.heading.as_str()).collect();
                    diags.push(
                        Diagnostic::error("M3", format!("「{}」不是报告格式中的部分", h.text))
                            .at(file, h.span.clone())
                            .label("格式之外的部分")
                            .hint(format!(
                                "报告按格式分为六个部分：{}。其他内容可作为某一部分下的小标题（### ）。",
                                headings.join("、")
                            )),
                    );
                    continue;
                };
                let part = &edition.parts[index];
                if parts[index].is_some() {
                    diags.push(
                        Diagnostic::error("M3", format!("「{}」重复出现", part.heading))
                            .at(file, h.span.clone())
                            .label("重复的部分")
                            .hint("每个部分只写一次；请把内容合并到前一处。"),
                    );
                    continue;
                }
                if last_index.is_some_and(|l| l > index) {
                    diags.push(
                        Diagnostic::error("M3", format!("「{}」的位置不对", part.heading))
                            .at(file, h.span.clone())
                            .label("顺序错误")
                            .hint("六个部分要按一、二、三、四、五、六的顺序排列。"),
                    );
                }
                last_index = Some(index.max(last_index.unwrap_or(0)));
                check_wording(
                    edition,
                    index,
                    &h.text,
                    written_number,
                    file,
                    &h.span,
                    &mut diags,
                );
                parts[index] = Some(NarrativePart {
                    heading: h.text.clone(),
                    heading_span: h.span.clone(),
                    body: h.line_span.end..text.len(),
                });
                placed.push((index, hi));
            }
            _ => {}
        }
    }
    // Each part's body runs to the next level-1 or level-2 heading.
    for (index, hi) in &placed {
        let end = headings[hi + 1..]
            .iter()
            .find(|h| matches!(h.level, HeadingLevel::H1 | HeadingLevel::H2))
            .map_or(text.len(), |h| h.line_span.start);
        if let Some(p) = parts[*index].as_mut() {
            p.body.end = end.max(p.body.start);
        }
    }
    let lead_start = text.strip_prefix('\u{feff}').map_or(0, |_| 3);
    let narrative = Narrative {
        source: file.clone(),
        lead: lead_start..lead_end.max(lead_start),
        parts,
        stated_total: Default::default(),
    };
    for (i, part) in edition.parts.iter().enumerate() {
        if part.kind != PartKind::Narrative {
            continue;
        }
        match narrative.part(i) {
            None => diags.push(
                Diagnostic::error("M1", format!("正文缺少「{}」", part.heading))
                    .at(file, text.len()..text.len())
                    .path(part.heading.clone())
                    .hint(format!(
                        "在 report.md 中加上二级标题「## {}」并写明内容；没有要报告的内容也要写明，如「无其他需要报告的事项。」",
                        part.heading
                    )),
            ),
            Some(p) if is_blank(narrative.text(&p.body)) => diags.push(
                Diagnostic::warning("M4", format!("「{}」没有内容", part.heading))
                    .at(file, p.heading_span.clone())
                    .label("这一部分是空的")
                    .path(part.heading.clone())
                    .hint("请在标题下写明本部分内容。"),
            ),
            Some(_) => {}
        }
    }
    (narrative, diags)
}

/// Whether Markdown has no content besides whitespace and `<!-- comments -->`.
pub fn is_blank(markdown: &str) -> bool {
    let mut rest = markdown;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return true;
        }
        let Some(after) = trimmed.strip_prefix("<!--") else {
            return false;
        };
        match after.find("-->") {
            Some(end) => rest = &after[end + 3..],
            None => return false,
        }
    }
}

/// The level-1 to level-3 headings with their text, text span and whole-line span; and, from
/// the same pass, where the text nests too deep.
fn headings(text: &str) -> (Vec<Heading>, Option<Range<usize>>) {
    let mut out = Vec::new();
    let mut gauge = crate::load::markdown::NestingGauge::default();
    let mut too_deep = None;
    // (level, text, span of the text, span of the heading)
    type Open = (HeadingLevel, String, Option<Range<usize>>, Range<usize>);
    let mut current: Option<Open> = None;
    for (event, range) in Parser::new_ext(text, crate::load::markdown::options()).into_offset_iter()
    {
        if too_deep.is_none() {
            too_deep = gauge.step(&event, range.clone());
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level, String::new(), None, range));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, s, span, _)) = current.as_mut() {
                    s.push_str(&t);
                    *span = Some(match span.take() {
                        Some(sp) => sp.start..range.end,
                        None => range,
                    });
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, s, span, line)) = current.take() {
                    let line_end = text[line.end..]
                        .find('\n')
                        .map_or(text.len(), |i| line.end + i + 1);
                    let line_end = if text[line.start..line.end].ends_with('\n') {
                        line.end
                    } else {
                        line_end
                    };
                    out.push(Heading {
                        level,
                        text: s.trim().to_string(),
                        span: span.unwrap_or(line.clone()),
                        line_span: line.start..line_end,
                    });
                }
            }
            _ => {}
        }
    }
    (out, too_deep)
}

/// Which part a heading names, and whether it carries a number. A number decides; without one
/// the wording (format or variant) decides.
fn identify(edition: &Edition, heading: &str) -> Option<(usize, bool)> {
    let h = normalize_label(heading);
    for (i, p) in edition.parts.iter().enumerate() {
        for sep in ["、", ".", "．", "，"] {
            if h.starts_with(&format!("{}{sep}", p.number)) {
                return Some((i, true));
            }
        }
    }
    edition
        .parts
        .iter()
        .position(|p| p.matches_title(heading))
        .map(|i| (i, false))
}

fn check_wording(
    edition: &Edition,
    index: usize,
    written: &str,
    numbered: bool,
    file: &SourceFile,
    span: &Range<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let part = &edition.parts[index];
    let title = strip_number(written);
    let same_title = normalize_label(title) == normalize_label(&part.title);
    if numbered && same_title {
        return;
    }
    if numbered
        && !part.matches_title(title)
        && let Some(other) = edition.parts.iter().find(|p| p.matches_title(title))
    {
        diags.push(
            Diagnostic::error(
                "M3",
                format!("标题序号「{}」与内容「{}」不符", part.number, title),
            )
            .at(file, span.clone())
            .label("序号与标题不一致")
            .hint(format!(
                "「{title}」是格式中的「{}」。请核对序号。",
                other.heading
            )),
        );
        return;
    }
    let what = match (numbered, same_title) {
        (false, true) => "标题缺少序号".to_string(),
        (false, false) => "标题缺少序号，且用语与格式不同".to_string(),
        (true, _) => "标题用语与格式不同".to_string(),
    };
    diags.push(
        Diagnostic::warning("M2", format!("「{}」{what}", written))
            .at(file, span.clone())
            .label("原文标题")
            .expected_found(part.heading.clone(), written.to_string())
            .hint(format!(
                "格式规定的标题是「{}」。页面按原文显示；如需与格式一致，请改为格式的写法。",
                part.heading
            )),
    );
}

/// The heading without a leading `一、`.
pub fn strip_number(heading: &str) -> &str {
    let t = heading.trim();
    let mut chars = t.char_indices();
    if let Some((_, c)) = chars.next()
        && "一二三四五六七八九十".contains(c)
        && let Some((i, sep)) = chars.next()
        && "、.．，".contains(sep)
    {
        return t[i + sep.len_utf8()..].trim_start();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format;

    fn edition() -> &'static Edition {
        format::builtin().by_id("2019").unwrap()
    }

    #[test]
    fn parts_are_found_by_number_or_wording() {
        let text = "导语。\n\n## 一、总体情况\n\n概述。\n\n## 政府信息公开行政复议、行政诉讼情况\n\n说明。\n\n## 五、存在的主要问题及改进措施\n\n问题。\n\n## 六、其他需要报告的事项\n\n无。\n";
        let (n, diags) = parse(edition(), &SourceFile::new("report.md", text));
        assert_eq!(n.text(&n.lead).trim(), "导语。");
        assert_eq!(n.text(&n.part(0).unwrap().body).trim(), "概述。");
        assert_eq!(n.text(&n.part(3).unwrap().body).trim(), "说明。");
        assert!(n.part(1).is_none());
        let rules: Vec<(&str, &str)> = diags
            .iter()
            .map(|d| (d.rule.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(
            rules,
            vec![
                ("M2", "「政府信息公开行政复议、行政诉讼情况」标题缺少序号"),
                ("M2", "「五、存在的主要问题及改进措施」标题用语与格式不同"),
            ]
        );
    }

    #[test]
    fn missing_unknown_and_misordered_parts_are_errors() {
        let text = "# 标题\n\n## 五、存在的主要问题及改进情况\n\n问题。\n\n## 一、总体情况\n\n概述。\n\n## 七、2022年工作思路\n\n思路。\n";
        let (_, diags) = parse(edition(), &SourceFile::new("report.md", text));
        let rules: Vec<&str> = diags.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, vec!["M3", "M3", "M3", "M1"], "{diags:#?}");
    }

    #[test]
    fn number_decides_over_wording() {
        assert_eq!(strip_number("五、存在的主要问题"), "存在的主要问题");
        assert_eq!(
            identify(
                edition(),
                "四.因政府信息公开工作被申请行政复议、提起行政诉讼情况"
            ),
            Some((3, true))
        );
        assert_eq!(identify(edition(), "其他需报告的事项"), Some((5, false)));
        assert_eq!(identify(edition(), "工作思路"), None);
    }
}
