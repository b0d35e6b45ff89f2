//! What a report says about itself: the body, the year, the dates, the contact details.
//!
//! Everything is read from the text with its line, so the summary can say where it came from.
//! The year comes from the statistics period (`自2020年1月1日起至2020年12月31日止`), else the
//! title, else the first `YYYY年度`, else the first `YYYY年` of the text, else the year before
//! the publication date. The body comes from the signature at the end, the contact sentence
//! (`请与…办事处…联系`), the portal's 发布机构 field, the title, or a sentence like
//! `现公布丽岙街道2023年度…`, in that order; a mirror site's domain pasted into the name
//! (`puroview.com东城街道`) is removed.

use std::sync::OnceLock;

use regex::Regex;

use super::doc::Line;
use super::normalize::trim;

/// Metadata of one report.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    /// The year reported on, the evidence and its line.
    pub year: Option<(u16, String, usize)>,
    /// The title line (without a `Page 8 - ` prefix) and its line.
    pub title: Option<(String, usize)>,
    /// The body, where it was read, and its line.
    pub body: Option<(String, &'static str, usize)>,
    /// The short name in the title (`东柳街道`).
    pub short_name: Option<String>,
    /// 发布日期 (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM`) and its line.
    pub published: Option<(String, usize)>,
    /// 成文日期 and its line.
    pub written: Option<(String, usize)>,
    /// The date under the signature and its line.
    pub signed: Option<(String, usize)>,
    /// Contact details: (what, value, line).
    pub contact: Vec<(&'static str, String, usize)>,
    /// A mirror site's domain found glued to a name, and its line.
    pub mirror: Option<(String, usize)>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}")))
}

fn year_in(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|y| (2000..=2100).contains(y))
}

/// Whether a line is the report's title.
pub(crate) fn title_of(text: &str) -> Option<String> {
    static PAGE: OnceLock<Regex> = OnceLock::new();
    let t = trim(text);
    let t = re(&PAGE, r"^(?:Page|P\.)\s*\d+\s*[-—–]\s*").replace(t, "");
    let t = t.trim();
    // "…年度报告_某某区人民政府": cut the site name after the title.
    let t = match t.rfind("报告").or_else(|| t.rfind("年报")) {
        Some(i) => {
            let keep = if t[i..].starts_with("报告") {
                "报告"
            } else {
                "年报"
            };
            &t[..i + keep.len()]
        }
        None => t,
    };
    let n = t.chars().count();
    let is_title = (t.contains("报告") || t.contains("年报"))
        && t.contains("信息公开")
        && n <= 60
        && !t.contains('。')
        && !t.contains('《')
        && !t.contains('>')
        && !["根据", "按照", "依据", "本报告", "现", "本年"]
            .iter()
            .any(|p| t.starts_with(p))
        && t.chars().filter(char::is_ascii_digit).count() >= 4;
    is_title.then(|| t.to_string())
}

const ORG_SUFFIXES: &[&str] = &["办事处", "人民政府", "管理委员会", "管委会", "委员会", "局"];

/// Cut a name after its last organisation suffix (`…东柳街道办事处党政综合办` → `…办事处`).
fn cut_at_org(name: &str) -> Option<String> {
    let mut end = None;
    for s in ORG_SUFFIXES {
        if let Some(i) = name.rfind(s) {
            let e = i + s.len();
            if end.is_none_or(|x| e > x) {
                end = Some(e);
            }
        }
    }
    end.map(|e| name[..e].to_string())
}

/// Remove a mirror domain glued to a name; returns the name and the domain.
fn strip_domain(name: &str) -> (String, Option<String>) {
    static DOMAIN: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &DOMAIN,
        r"(?i)(?:[a-z0-9-]+\.)+(?:com|cn|net|org|cc|top|xyz|info|vip|site)",
    );
    match r.find(name) {
        Some(m) => (
            format!("{}{}", &name[..m.start()], &name[m.end()..]),
            Some(m.as_str().to_string()),
        ),
        None => (name.to_string(), None),
    }
}

fn plausible_org(name: &str) -> bool {
    !name.starts_with(['本', '我', '该']) && name.chars().count() >= 2
}

fn plausible_name(name: &str) -> bool {
    let n = name.chars().count();
    (2..=40).contains(&n)
        && !name.starts_with(['本', '我', '该'])
        && !name.contains("信息公开")
        && !name.contains(['，', ',', '。', '、', '《', '》', '(', ')', '（', '）'])
}

/// Read the metadata from the lines of a document (in order). Traditional characters (mirror
/// sites) are simplified first, so the names read are in simplified characters.
pub(crate) fn read(lines: &[Line]) -> Metadata {
    let simplified: Vec<Line> = lines
        .iter()
        .map(|l| Line {
            no: l.no,
            text: super::normalize::simplify(&l.text),
        })
        .collect();
    read_simplified(&simplified)
}

fn read_simplified(lines: &[Line]) -> Metadata {
    static PERIOD: OnceLock<Regex> = OnceLock::new();
    static UNTIL: OnceLock<Regex> = OnceLock::new();
    static YEAR_DU: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    static PUBLISHED: OnceLock<Regex> = OnceLock::new();
    static WRITTEN: OnceLock<Regex> = OnceLock::new();
    static DATE_CN: OnceLock<Regex> = OnceLock::new();
    static ISSUER: OnceLock<Regex> = OnceLock::new();
    static CONTACT_ORG: OnceLock<Regex> = OnceLock::new();
    static PHONE: OnceLock<Regex> = OnceLock::new();
    static FAX: OnceLock<Regex> = OnceLock::new();
    static POSTCODE: OnceLock<Regex> = OnceLock::new();
    static ADDRESS: OnceLock<Regex> = OnceLock::new();
    static EMAIL: OnceLock<Regex> = OnceLock::new();
    static PUBLISH_SENTENCE: OnceLock<Regex> = OnceLock::new();

    let mut m = Metadata::default();
    let date = |caps: &regex::Captures| -> Option<String> {
        let y: u32 = caps.get(1)?.as_str().parse().ok()?;
        let mo: u32 = caps.get(2)?.as_str().parse().ok()?;
        let d: u32 = caps.get(3)?.as_str().parse().ok()?;
        let mut s = format!("{y:04}-{mo:02}-{d:02}");
        if let (Some(h), Some(mi)) = (caps.get(4), caps.get(5)) {
            let h: u32 = h.as_str().parse().ok()?;
            let mi: u32 = mi.as_str().parse().ok()?;
            s.push_str(&format!(" {h:02}:{mi:02}"));
        }
        crate::load::report::valid_date(&s).then_some(s)
    };

    let mut period: Option<(u16, String, usize)> = None;
    let mut du: Option<(u16, String, usize)> = None;
    let mut first_year: Option<(u16, String, usize)> = None;
    for l in lines {
        let t = trim(&l.text);
        if t.is_empty() {
            continue;
        }
        if m.title.is_none()
            && let Some(title) = title_of(t)
        {
            m.title = Some((title, l.no));
        }
        if period.is_none() {
            let p = re(
                &PERIOD,
                r"(\d{4})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)\s*(?:(\d{4})\s*年\s*)?12\s*月\s*31\s*日",
            );
            let u = re(&UNTIL, r"截至\s*(\d{4})\s*年\s*12\s*月\s*31\s*日");
            if let Some(c) = p.captures(t) {
                if let Some(y) = year_in(&c[1]) {
                    period = Some((y, format!("统计期限「{}」", &c[0]), l.no));
                }
            } else if let Some(c) = u.captures(t)
                && let Some(y) = year_in(&c[1])
            {
                period = Some((y, format!("统计时间「{}」", &c[0]), l.no));
            }
        }
        if du.is_none()
            && let Some(c) = re(&YEAR_DU, r"(\d{4})\s*年度").captures(t)
            && let Some(y) = year_in(&c[1])
        {
            du = Some((y, format!("「{}」", &c[0]), l.no));
        }
        if first_year.is_none()
            && !t.contains("发布时间")
            && let Some(c) = re(&YEAR, r"(\d{4})\s*年").captures(t)
            && let Some(y) = year_in(&c[1])
        {
            first_year = Some((y, format!("正文中最先出现的年份「{}」", &c[0]), l.no));
        }
        if m.published.is_none()
            && let Some(c) = re(
                &PUBLISHED,
                r"(?:发布时间|发布日期|公开日期|发文日期)[\s|:：]*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?(?:\s+(\d{1,2}):(\d{2}))?",
            )
            .captures(t)
            && let Some(d) = date(&c)
        {
            m.published = Some((d, l.no));
        }
        if m.written.is_none()
            && let Some(c) = re(
                &WRITTEN,
                r"成文日期[\s|:：]*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})",
            )
            .captures(t)
            && let Some(d) = date(&c)
        {
            m.written = Some((d, l.no));
        }
        let mut contact = |what: &'static str, r: &Regex| {
            if !m.contact.iter().any(|(w, _, _)| *w == what)
                && let Some(c) = r.captures(t)
                && let Some(v) = c.get(1)
            {
                let value = if matches!(what, "地址" | "联系部门") {
                    strip_domain(v.as_str().trim()).0
                } else {
                    v.as_str().trim().to_string()
                };
                if what != "联系部门" || plausible_org(&value) {
                    m.contact.push((what, value, l.no));
                }
            }
        };
        contact(
            "联系部门",
            re(
                &CONTACT_ORG,
                r"请(?:与|同|向)([^，,。；;（(]{2,40}?)(?:联系|咨询)",
            ),
        );
        contact(
            "电话",
            re(
                &PHONE,
                r"(?:联系电话|咨询电话|电话|致电)[:：\s]*((?:\(?0\d{2,3}\)?[-－—\s]?)?\d{7,8}(?:[-－]\d{1,4})?)",
            ),
        );
        contact(
            "传真",
            re(&FAX, r"传真[:：\s]*((?:0\d{2,3}[-－—]?)?\d{7,8})"),
        );
        contact("邮编", re(&POSTCODE, r"邮(?:政)?编(?:码)?[:：\s]*(\d{6})"));
        contact(
            "地址",
            re(
                &ADDRESS,
                r"(?:办公地址|通讯地址|地址)[:：]\s*([^，,。；;）)]{3,60})",
            ),
        );
        contact(
            "电子邮箱",
            re(&EMAIL, r"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})"),
        );
    }

    // The signature: an organisation name just above a date near the end.
    let texts: Vec<(&str, usize)> = lines
        .iter()
        .map(|l| (trim(&l.text), l.no))
        .filter(|(t, _)| !t.is_empty())
        .collect();
    let date_cn = re(
        &DATE_CN,
        r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$",
    );
    for i in (1..texts.len()).rev().take(8) {
        if let Some(c) = date_cn.captures(texts[i].0)
            && let Some(d) = date(&c)
        {
            let (name, no) = texts[i - 1];
            if ORG_SUFFIXES.iter().any(|s| name.ends_with(s))
                || name.ends_with("街道")
                || name.ends_with('镇')
                || name.ends_with('乡')
            {
                let (clean, domain) = strip_domain(name);
                if plausible_name(&clean) {
                    m.body = Some((clean, "落款", no));
                    if let Some(dm) = domain {
                        m.mirror = Some((dm, no));
                    }
                }
            }
            m.signed = Some((d, texts[i].1));
            break;
        }
    }

    // Title: short name.
    if let Some((title, no)) = &m.title {
        let (clean, domain) = strip_domain(title);
        if let Some(dm) = domain {
            m.mirror = Some((dm, *no));
        }
        let year_re = re(&YEAR, r"(\d{4})\s*年");
        let short = year_re.find(&clean).and_then(|y| {
            let before = &clean[..y.start()];
            let before = before.split("政府信息公开").next().unwrap_or(before);
            if !before.trim().is_empty() {
                Some(before.trim().to_string())
            } else {
                let after = &clean[y.end()..];
                let after = after.strip_prefix('度').unwrap_or(after);
                after
                    .split("政府信息公开")
                    .next()
                    .map(|s| s.trim().to_string())
            }
        });
        m.short_name = short.filter(|s| plausible_name(s));
    }

    if m.body.is_none()
        && let Some((_, org, no)) = m.contact.iter().find(|(w, _, _)| *w == "联系部门")
        && let Some(name) = cut_at_org(org)
        && plausible_name(&name)
    {
        m.body = Some((strip_domain(&name).0, "联系方式", *no));
    }
    if m.body.is_none() {
        for l in lines {
            if let Some(c) = re(&ISSUER, r"发布机构[\s|:：]*([^\s|]{2,30})").captures(trim(&l.text))
            {
                let name = c[1].to_string();
                // The title usually names the body in full (区统计局 → 宁波市江北区统计局).
                if let (Some(short), Some((_, no))) = (&m.short_name, &m.title)
                    && short.contains(&name)
                {
                    m.body = Some((short.clone(), "标题", *no));
                    break;
                }
                if plausible_name(&name) {
                    m.body = Some((name, "发布机构", l.no));
                    break;
                }
            }
        }
    }
    if m.body.is_none()
        && let (Some(short), Some((_, no))) = (&m.short_name, &m.title)
    {
        m.body = Some((short.clone(), "标题", *no));
    }
    if m.body.is_none() {
        static OPENING: OnceLock<Regex> = OnceLock::new();
        let opening = re(
            &OPENING,
            r"^\d{4}\s*年(?:度)?[,，]?\s*([^\s,，。、；;（(“”《》]{2,24}?(?:街道办事处|办事处|街道|人民政府|管委会|委员会|镇|乡|局))",
        );
        for l in lines {
            if let Some(c) = opening.captures(trim(&l.text)) {
                let name = c[1].to_string();
                if plausible_name(&name) && !name.starts_with(['全', '各']) {
                    m.body = Some((strip_domain(&name).0, "正文", l.no));
                    break;
                }
            }
        }
    }
    if m.body.is_none() {
        let r = re(
            &PUBLISH_SENTENCE,
            r"(?:公布|公开|编制)(?:了)?([^，,。；;\s《》“”]{2,30}?)(\d{4})\s*年",
        );
        for l in lines {
            let t = trim(&l.text);
            // "…东湖街道特编制2023年…": the name is before 特编制.
            if let Some(i) = t.find("特编制") {
                let before = &t[..i];
                let name = before.rsplit([',', '，']).next().unwrap_or(before).trim();
                if plausible_name(name) {
                    m.body = Some((strip_domain(name).0, "正文", l.no));
                    break;
                }
            }
            if let Some(c) = r.captures(t) {
                let name = c[1].trim_start_matches("向社会");
                if plausible_name(name) {
                    m.body = Some((strip_domain(name).0, "正文", l.no));
                    break;
                }
            }
        }
    }

    m.year = period
        .or_else(|| {
            let (title, no) = m.title.as_ref()?;
            let c = re(&YEAR, r"(\d{4})\s*年").captures(title)?;
            Some((year_in(&c[1])?, format!("标题「{title}」"), *no))
        })
        .or(du)
        .or(first_year)
        .or_else(|| {
            let (d, no) = m.published.as_ref().or(m.written.as_ref())?;
            let y = year_in(&d[..4])?;
            Some((y - 1, format!("发布日期 {d} 的上一年"), *no))
        });
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::import::doc::{Item, text_items};

    fn meta(text: &str) -> Metadata {
        let lines: Vec<Line> = text_items(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Line(l) => Some(l),
                Item::Grid(_) => None,
            })
            .collect();
        read(&lines)
    }

    #[test]
    fn dongliu_style() {
        let m = meta(
            "东柳街道政府信息公开工作2020年度报告\n按照《宁波市鄞州区人民政府办公室关于对2020年宁波市鄞州区政务公开工作要点的通知》要求编写。本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。如对本报告有任何疑问，请与鄞州区东柳街道办事处党政综合办联系（地址：鄞州区桑田路801号，邮编：315100，电话：55002786，传真：55002700）。\n一、总体情况",
        );
        assert_eq!(m.year.as_ref().map(|y| y.0), Some(2020));
        assert_eq!(
            m.title.as_ref().map(|t| t.0.as_str()),
            Some("东柳街道政府信息公开工作2020年度报告")
        );
        assert_eq!(m.short_name.as_deref(), Some("东柳街道"));
        assert_eq!(
            m.body.as_ref().map(|b| b.0.as_str()),
            Some("鄞州区东柳街道办事处")
        );
        let c: Vec<(&str, &str)> = m.contact.iter().map(|(w, v, _)| (*w, v.as_str())).collect();
        assert!(c.contains(&("电话", "55002786")));
        assert!(c.contains(&("传真", "55002700")));
        assert!(c.contains(&("邮编", "315100")));
        assert!(c.contains(&("地址", "鄞州区桑田路801号")));
    }

    #[test]
    fn signature_dates_and_mirrors() {
        let m = meta(
            "桂花坪街道2020年政府信息公开工作年度报告\n发布时间 : 2021-01-25 来源:桂花坪街道 字体大小:\n一、总体情况\n2020年,桂花坪街道。\n长沙市天心区桂花坪街道办事处\n2021年1月20日\n扫一扫在手机打开当前页",
        );
        assert_eq!(
            m.body.as_ref().map(|b| (b.0.as_str(), b.1)),
            Some(("长沙市天心区桂花坪街道办事处", "落款"))
        );
        assert_eq!(
            m.published.as_ref().map(|p| p.0.as_str()),
            Some("2021-01-25")
        );
        assert_eq!(m.signed.as_ref().map(|p| p.0.as_str()), Some("2021-01-20"));
        let m = meta("puroview.com东城街道2019年政府信息公开工作年度报告\n发布时间:2020-01-15");
        assert_eq!(m.short_name.as_deref(), Some("东城街道"));
        assert_eq!(
            m.mirror.as_ref().map(|x| x.0.as_str()),
            Some("puroview.com")
        );
        let m = meta("Page 8 - 威海市文登区信访局2022年政府信息公开工作年度报告\nP. 8");
        assert_eq!(
            m.body.as_ref().map(|b| b.0.as_str()),
            Some("威海市文登区信访局")
        );
        assert_eq!(m.year.as_ref().map(|y| y.0), Some(2022));
        let m = meta("来源:原创     发布时间:2023-01-31 13:24    浏览次数:次");
        assert_eq!(
            m.published.as_ref().map(|p| p.0.as_str()),
            Some("2023-01-31 13:24")
        );
    }
}
