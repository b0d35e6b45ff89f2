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

/// A section of report.md the editor edits: the lead-in, or a part (its index in the edition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// Text before the first part heading.
    Lead,
    /// A part of the edition, by index.
    Part(usize),
}

impl Narrative {
    /// The source span of a section, when the file has it.
    fn section_span(&self, section: Section) -> Option<Range<usize>> {
        match section {
            Section::Lead => Some(self.lead.clone()),
            Section::Part(i) => self.part(i).map(|p| p.body.clone()),
        }
    }

    /// What the editor shows of a section: its Markdown without the blank lines around it, or
    /// nothing when it holds only the scaffold's guide comments (`<!-- 请写明… -->`).
    pub fn section_text(&self, section: Section) -> String {
        match self.section_span(section) {
            Some(span) if !is_blank(self.text(&span)) => self
                .text(&content_span(&self.source.text, span))
                .to_string(),
            _ => String::new(),
        }
    }
}

/// The span of `span` without its leading blank lines and trailing whitespace.
fn content_span(text: &str, span: Range<usize>) -> Range<usize> {
    let s = &text[span.clone()];
    let mut start = 0;
    while let Some(i) = s[start..].find('\n') {
        if s[start..start + i].trim().is_empty() {
            start += i + 1;
        } else {
            break;
        }
    }
    let end = s.trim_end().len().max(start);
    span.start + start..span.start + end
}

/// Text from the editor as the section would show it: `\n` line endings, no blank lines
/// around it.
pub fn editor_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = text.trim_end();
    let mut start = 0;
    while let Some(i) = trimmed[start..].find('\n') {
        if trimmed[start..start + i].trim().is_empty() {
            start += i + 1;
        } else {
            break;
        }
    }
    trimmed[start..].to_string()
}

/// Replace the text of the sections that changed, and nothing else: the text between a
/// section's heading and the next one keeps its blank lines; a part the file does not have yet
/// gets its heading as the format writes it, in its place among the others. The result is
/// parsed again and must show every section as intended with the same headings; otherwise it
/// is refused with a Chinese message.
pub fn splice(
    edition: &Edition,
    stored: &crate::load::report::splice::Stored,
    changes: &[(Section, String)],
) -> Result<crate::load::report::splice::Spliced, String> {
    use crate::load::report::splice::Edit;
    let file = &stored.file;
    let text: &str = &file.text;
    let (before, _) = parse(edition, file);
    let mut wanted: Vec<(Section, String)> = Vec::new();
    let mut edits: Vec<(usize, Edit)> = Vec::new();
    for (section, new) in changes {
        let new = editor_text(new);
        if let Section::Part(i) = section
            && *i >= edition.parts.len()
        {
            return Err(format!("报告格式中没有第 {} 部分。", i + 1));
        }
        if wanted.iter().any(|(s, _)| s == section) {
            return Err("同一部分的正文被修改了两次。".into());
        }
        if let Some(line) = new.lines().find(|l| is_part_heading(l)) {
            return Err(format!(
                "正文中不能写一级或二级标题（「{}」）：六个部分的标题由格式规定。小标题请用 ### 开头。",
                line.trim()
            ));
        }
        if before.section_text(*section) == new {
            continue;
        }
        wanted.push((*section, new.clone()));
        let order = match section {
            Section::Lead => 0,
            Section::Part(i) => i + 1,
        };
        let edit = match before.section_span(*section) {
            Some(span) => {
                let content = content_span(text, span.clone());
                if content.is_empty() {
                    // Nothing there yet: the text gets a blank line before it and after it.
                    let lead = *section == Section::Lead;
                    let at_end = span.end == text.len();
                    let mut t = String::new();
                    if !lead {
                        if span.start == text.len() && !text.ends_with('\n') {
                            t.push('\n');
                        }
                        t.push('\n');
                    }
                    t.push_str(&new);
                    t.push('\n');
                    if !at_end {
                        t.push('\n');
                    }
                    Edit {
                        range: span,
                        text: t,
                    }
                } else {
                    Edit {
                        range: content,
                        text: new,
                    }
                }
            }
            None => {
                if new.is_empty() {
                    continue;
                }
                let Section::Part(i) = section else {
                    unreachable!("the lead always has a span")
                };
                let next = (i + 1..edition.parts.len()).find_map(|j| before.part(j));
                let at = match next {
                    Some(p) => text[..p.heading_span.start]
                        .rfind('\n')
                        .map_or(0, |k| k + 1),
                    None => text.len(),
                };
                let mut t = String::new();
                if at == text.len() && !text.is_empty() {
                    if !text.ends_with('\n') {
                        t.push('\n');
                    }
                    if !text.ends_with("\n\n") {
                        t.push('\n');
                    }
                }
                t.push_str(&format!("## {}\n\n{new}\n", edition.parts[*i].heading));
                if at < text.len() {
                    t.push('\n');
                }
                Edit {
                    range: at..at,
                    text: t,
                }
            }
        };
        edits.push((order, edit));
    }
    edits.sort_by_key(|(order, e)| (e.range.start, *order));
    let edits: Vec<Edit> = edits.into_iter().map(|(_, e)| e).collect();
    let spliced = stored.apply(&edits).map_err(|e| e.to_string())?;
    // Read back: every section as intended, every heading as it was.
    let back = crate::load::report::splice::Stored::new(&file.name, spliced.text.clone());
    let (after, _) = parse(edition, &back.file);
    let sections =
        std::iter::once(Section::Lead).chain((0..edition.parts.len()).map(Section::Part));
    for section in sections {
        let expected = wanted
            .iter()
            .find(|(s, _)| *s == section)
            .map_or_else(|| before.section_text(section), |(_, t)| t.clone());
        let heading_kept = match section {
            Section::Lead => true,
            Section::Part(i) => match (before.part(i), after.part(i)) {
                (Some(a), Some(b)) => a.heading == b.heading,
                (None, b) => b.is_some() || expected.is_empty(),
                (Some(_), None) => false,
            },
        };
        if after.section_text(section) != expected || !heading_kept {
            let name = match section {
                Section::Lead => "导语".to_string(),
                Section::Part(i) => edition.parts[i].heading.clone(),
            };
            return Err(format!(
                "修改后「{name}」读回来与预期不符（正文中可能有改变结构的写法，如 ## 标题或 --- 下划线），为避免损坏正文，未保存。"
            ));
        }
    }
    Ok(spliced)
}

/// Whether a line is a level-1 or level-2 ATX heading (`# …`, `## …`).
fn is_part_heading(line: &str) -> bool {
    let t = line
        .strip_prefix("   ")
        .or_else(|| line.strip_prefix("  "))
        .or_else(|| line.strip_prefix(' '))
        .unwrap_or(line);
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    (1..=2).contains(&hashes)
        && t[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
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

    fn stored(text: &str) -> crate::load::report::splice::Stored {
        crate::load::report::splice::Stored::new("content/2020/report.md", text.to_string())
    }

    #[test]
    fn only_the_changed_part_changes() {
        let text = "导语。\r\n\r\n## 一、总体情况\r\n\r\n概述。\r\n\r\n## 五、存在的主要问题及改进情况\r\n\r\n问题。\r\n\r\n## 六、其他需要报告的事项\r\n\r\n无。\r\n";
        let out = splice(
            edition(),
            &stored(text),
            &[
                (Section::Part(0), "新的概述。\n\n第二段。\n".into()),
                (Section::Part(5), "无。".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            out.text,
            text.replace("概述。", "新的概述。\r\n\r\n第二段。")
        );
        assert_eq!(out.edits.len(), 1);
    }

    #[test]
    fn a_guide_comment_is_replaced_and_a_missing_part_inserted_in_order() {
        let text = crate::commands::new::render_markdown(edition(), 2020)
            .replace("## 四、政府信息公开行政复议、行政诉讼情况\n\n<!-- 表格由 report.yaml 自动生成；如需在表格前说明，请写在这里。写好后删去本行。 -->\n\n", "");
        let (n, _) = parse(edition(), &SourceFile::new("report.md", text.as_str()));
        assert_eq!(n.section_text(Section::Part(0)), "");
        assert!(n.part(3).is_none());
        let out = splice(
            edition(),
            &stored(&text),
            &[
                (Section::Part(3), "本年度无行政复议。".into()),
                (Section::Part(0), "总体情况。".into()),
            ],
        )
        .unwrap();
        let (m, diags) = parse(edition(), &SourceFile::new("report.md", out.text.as_str()));
        assert_eq!(m.section_text(Section::Part(0)), "总体情况。");
        assert_eq!(m.section_text(Section::Part(3)), "本年度无行政复议。");
        assert!(
            out.text
                .contains("## 一、总体情况\n\n总体情况。\n\n## 二、"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains(
                "\n\n## 四、政府信息公开行政复议、行政诉讼情况\n\n本年度无行政复议。\n\n## 五、"
            ),
            "{}",
            out.text
        );
        assert!(!diags.iter().any(|d| d.rule == "M3"), "{diags:?}");
    }

    #[test]
    fn headings_in_the_text_are_refused() {
        let text = "## 一、总体情况\n\n概述。\n";
        for bad in ["## 五、问题", "# 标题", "a\n  ## b"] {
            let err =
                splice(edition(), &stored(text), &[(Section::Part(0), bad.into())]).unwrap_err();
            assert!(err.contains("标题"), "{err}");
        }
        let err = splice(
            edition(),
            &stored(text),
            &[(Section::Part(0), "文字\n---\n".into())],
        )
        .unwrap_err();
        assert!(err.contains("未保存"), "{err}");
        let ok = splice(
            edition(),
            &stored(text),
            &[(Section::Part(0), "### 小标题\n\n文字".into())],
        )
        .unwrap();
        assert!(ok.text.ends_with("### 小标题\n\n文字\n"), "{}", ok.text);
    }

    #[test]
    fn an_empty_lead_and_a_heading_at_the_end() {
        let text = "## 一、总体情况";
        let out = splice(
            edition(),
            &stored(text),
            &[
                (Section::Lead, "导语。".into()),
                (Section::Part(0), "概述。".into()),
            ],
        )
        .unwrap();
        assert_eq!(out.text, "导语。\n\n## 一、总体情况\n\n概述。\n");
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
