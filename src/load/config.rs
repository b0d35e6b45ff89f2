//! `site.toml`: the body that publishes the reports and the website's statutory details.
//!
//! Keys are English (TOML needs quotes around Chinese keys, which clerks get wrong); every key
//! is documented in Chinese in the bundled `site.toml`. Unknown keys are errors.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// The settings file of a body (and of a single-office site).
pub const SITE_TOML: &str = "site.toml";
/// The file that makes a folder a platform.
pub const PLATFORM_TOML: &str = "platform.toml";

/// Kinds of body, as written in `body.kind`. Rules name them (e.g. R2.2: only the governments
/// of provinces, 设区的市 and 自治州 make 规章).
pub const BODY_KINDS: &[&str] = &[
    "街道办事处",
    "乡镇人民政府",
    "区县人民政府",
    "区县部门",
    "设区的市人民政府",
    "自治州人民政府",
    "市级部门",
    "省级人民政府",
    "省级部门",
    "开发区管委会",
    "其他",
];

/// The parsed `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Page language (`lang` attribute).
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme folder name under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Public address of the published folder, e.g. `https://www.example.gov.cn/xxgk/ndbg/`.
    /// Only needed for `sitemap.xml` and the Atom feed; pages always link relatively.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Name of the column (栏目) the reports are published in.
    #[serde(default = "default_column")]
    pub column: String,
    /// The body.
    pub body: Body,
    /// The website's statutory details (《政府网站发展指引》).
    #[serde(default)]
    pub website: Website,
    /// Send pages through minify-html (for a custom theme that writes loose HTML).
    #[serde(default)]
    pub minify: bool,
    /// Write each year's report as a Word document into its folder, linked from the year page
    /// (`build`). Unset: on for a single office; on a platform as platform.toml's `word` says.
    #[serde(default)]
    pub word: Option<bool>,
    /// What a portal article's metadata needs beyond the body (`gongkai export`).
    #[serde(default)]
    pub portal: Portal,
    /// Write the site search (index, search page and the box in every page's header).
    #[serde(default = "default_true")]
    pub search: bool,
}

/// The metadata fields of a portal's 政府信息公开 column that are not in the report.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Portal {
    /// 索引号, as the portal's catalogue numbers it.
    #[serde(default)]
    pub index_number: Option<String>,
    /// 主题分类.
    #[serde(default)]
    pub topic: Option<String>,
}

fn default_true() -> bool {
    true
}

/// The body that publishes the reports.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Full name, e.g. `宁波市鄞州区东柳街道办事处`.
    pub name: String,
    /// Short name used in report titles, e.g. `东柳街道`.
    #[serde(default)]
    pub short_name: Option<String>,
    /// Kind, one of [`BODY_KINDS`].
    pub kind: String,
    /// Office that handles disclosure, e.g. `党政综合办`.
    #[serde(default)]
    pub office: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// Postcode.
    #[serde(default)]
    pub postcode: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Fax.
    #[serde(default)]
    pub fax: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// Website details printed in every page footer and in the page meta tags.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Website {
    /// Site name (SiteName); defaults to the body name.
    #[serde(default)]
    pub name: Option<String>,
    /// Domain (SiteDomain), e.g. `www.example.gov.cn`.
    #[serde(default)]
    pub domain: Option<String>,
    /// 主办单位.
    #[serde(default)]
    pub host: Option<String>,
    /// 承办单位.
    #[serde(default)]
    pub organizer: Option<String>,
    /// 网站标识码 (SiteIDCode).
    #[serde(default)]
    pub site_code: Option<String>,
    /// ICP备案编号.
    #[serde(default)]
    pub icp: Option<String>,
    /// 公安机关备案号.
    #[serde(default)]
    pub police_record: Option<String>,
    /// Verification link of the 党政机关网站标识, if the site has one.
    #[serde(default)]
    pub party_gov_mark_url: Option<String>,
}

fn default_language() -> String {
    "zh-CN".into()
}

fn default_theme() -> String {
    "default".into()
}

fn default_column() -> String {
    "政府信息公开年报".into()
}

impl SiteConfig {
    /// The short name used in titles: `short_name`, else the full name.
    pub fn short_name(&self) -> &str {
        self.body.short_name.as_deref().unwrap_or(&self.body.name)
    }

    /// The site name: `website.name`, else the body name.
    pub fn site_name(&self) -> &str {
        self.website.name.as_deref().unwrap_or(&self.body.name)
    }

    /// The footer items of 《政府网站发展指引》 that are not filled in.
    pub fn missing_website_details(&self) -> Vec<&'static str> {
        let w = &self.website;
        let mut missing = Vec::new();
        for (value, name) in [
            (&w.host, "主办单位"),
            (&w.site_code, "网站标识码"),
            (&w.icp, "ICP备案编号"),
            (&w.police_record, "公安机关备案号"),
        ] {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                missing.push(name);
            }
        }
        missing
    }

    /// Parse `site.toml`; problems become diagnostics.
    pub fn parse(file: &SourceFile) -> Result<SiteConfig, Vec<Diagnostic>> {
        let config: SiteConfig = match toml::from_str(&file.text) {
            Ok(c) => c,
            Err(e) => return Err(vec![toml_diagnostic(file, &e)]),
        };
        let mut diags = Vec::new();
        if !BODY_KINDS.contains(&config.body.kind.as_str()) {
            let span = find_value_span(&file.text, "kind").unwrap_or(0..0);
            diags.push(
                Diagnostic::error(
                    "C1",
                    format!("机关类别「{}」不在可选范围内", config.body.kind),
                )
                .at(file, span)
                .label("机关类别")
                .hint(format!("body.kind 可填：{}", BODY_KINDS.join("、"))),
            );
        }
        if config.body.name.trim().is_empty() {
            let span = find_value_span(&file.text, "name").unwrap_or(0..0);
            diags.push(
                Diagnostic::error("C1", "机关名称为空")
                    .at(file, span)
                    .hint("body.name 填写机关全称，如「宁波市鄞州区东柳街道办事处」。"),
            );
        }
        if config.language != "zh-CN" {
            let span = find_value_span(&file.text, "language").unwrap_or(0..0);
            diags.push(
                Diagnostic::error("C1", format!("不支持的语言「{}」", config.language))
                    .at(file, span)
                    .hint("目前只支持 zh-CN。"),
            );
        }
        diags.extend(url_setting_errors(file));
        diags.extend(minify_unavailable(file, config.minify));
        if !config
            .theme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || config.theme.is_empty()
        {
            let span = find_value_span(&file.text, "theme").unwrap_or(0..0);
            diags.push(
                Diagnostic::error("C1", format!("主题名称「{}」无效", config.theme))
                    .at(file, span)
                    .hint("主题名称只能用英文字母、数字、- 和 _，对应 themes/ 下的文件夹。"),
            );
        }
        if diags.is_empty() {
            Ok(config)
        } else {
            Err(diags)
        }
    }
}

/// `platform.toml`: the settings of a platform (many bodies in one build).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    /// Name of the platform, e.g. `示例区政府信息公开工作年度报告`.
    pub name: String,
    /// Theme.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Public address, for sitemap.xml and the Atom feed.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The office that runs the platform (footer contact).
    pub operator: Body,
    /// Website details (footer, meta tags).
    #[serde(default)]
    pub website: Website,
    /// Send pages through minify-html (for a custom theme that writes loose HTML).
    #[serde(default)]
    pub minify: bool,
    /// Write the Word document of every report into its year's folder, for the bodies whose
    /// site.toml does not say. Off by default: at 1,000 reports it adds 18.6 MB and about 4.4 ms
    /// of CPU per report, a build 7 times as long (README, the Word version on a platform).
    #[serde(default)]
    pub word: bool,
    /// Write the site search across every body.
    #[serde(default = "default_true")]
    pub search: bool,
}

impl PlatformConfig {
    /// Parse `platform.toml`; problems are added to `diags`.
    pub fn parse(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<PlatformConfig> {
        match toml::from_str::<PlatformConfig>(&file.text) {
            Ok(c) => {
                if !BODY_KINDS.contains(&c.operator.kind.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            "C1",
                            format!("机关类别「{}」不在可选范围内", c.operator.kind),
                        )
                        .in_file(file)
                        .hint(format!("operator.kind 可填：{}", BODY_KINDS.join("、"))),
                    );
                    return None;
                }
                // Its URLs go into every page of the platform, as a body's do (same check).
                let errors: Vec<Diagnostic> = url_setting_errors(file)
                    .into_iter()
                    .chain(minify_unavailable(file, c.minify))
                    .collect();
                if !errors.is_empty() {
                    diags.extend(errors);
                    return None;
                }
                Some(c)
            }
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                diags.push(
                    Diagnostic::error("C1", format!("platform.toml 格式错误（{}）", e.message()))
                        .at(file, span)
                        .label("这里")
                        .hint("platform.toml 需要 name 和 [operator]（name、kind），可选 base_url、theme 和 [website]。"),
                );
                None
            }
        }
    }
}

/// The settings that become URLs, with where their values are (the same keys in `site.toml` and
/// `platform.toml`): `base_url` (sitemap.xml, the Atom feed, robots.txt) and
/// `[website] party_gov_mark_url` (the footer link of every page).
#[derive(Debug, Default, Deserialize)]
struct UrlSettings {
    #[serde(default)]
    base_url: Option<toml::Spanned<String>>,
    #[serde(default)]
    website: UrlWebsite,
}

#[derive(Debug, Default, Deserialize)]
struct UrlWebsite {
    #[serde(default)]
    party_gov_mark_url: Option<toml::Spanned<String>>,
}

/// Why a setting's value cannot be written into a page as a link, if it cannot. A setting's URL
/// must be an absolute `http://` or `https://` address, read by the same scheme check as Markdown
/// links ([`crate::load::markdown::url_scheme`]): a relative path makes no sense for an address of
/// another site or of the site itself, and `javascript:`, `data:`, `vbscript:` would run script
/// on every page of the site (on a platform, next to every other body). Spaces and control
/// characters are refused too: no real address has them, and browsers drop them silently, which
/// is how `" \u{e}java\tscript:"` disguises a scheme.
pub(crate) fn url_setting_problem(url: &str) -> Option<&'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("网址中有空格、换行或看不见的控制字符");
    }
    if crate::load::markdown::url_scheme(url) != crate::load::markdown::UrlScheme::Web {
        return Some("只能填写以 http:// 或 https:// 开头的网址");
    }
    let host = url.split_once("://").map_or("", |(_, rest)| rest);
    if host.is_empty() || host.starts_with(['/', '?', '#']) {
        return Some("网址中缺少域名");
    }
    None
}

/// C1 errors for the settings of `file` (site.toml or platform.toml) that become URLs and are not
/// plain http(s) addresses, located at the value. An empty value means not set.
pub(crate) fn url_setting_errors(file: &SourceFile) -> Vec<Diagnostic> {
    let Ok(settings) = toml::from_str::<UrlSettings>(&file.text) else {
        return Vec::new(); // the file's own parse reports what is wrong with it
    };
    let mut diags = Vec::new();
    for (key, value, hint) in [
        (
            "base_url",
            settings.base_url,
            "填写完整网址，如 https://www.example.gov.cn/xxgk/ndbg/ ；不需要时删去这一行。",
        ),
        (
            "party_gov_mark_url",
            settings.website.party_gov_mark_url,
            "填写党政机关网站标识的核验网址（以 https:// 开头，可从标识的核验页面复制）；它是每个页面页脚的链接，javascript:、data:、vbscript: 等会在网页上运行脚本，不能使用。没有标识时删去这一行。",
        ),
    ] {
        let Some(value) = value else { continue };
        if value.get_ref().is_empty() {
            continue;
        }
        if let Some(reason) = url_setting_problem(value.get_ref()) {
            diags.push(
                Diagnostic::error("C1", format!("{key} 不是网址：{reason}"))
                    .at(file, value.span())
                    .label("这里")
                    .hint(hint),
            );
        }
    }
    diags
}

/// `minify = true` in a gongkai built without the `minify` feature: a C1 error at the value.
fn minify_unavailable(file: &SourceFile, minify: bool) -> Option<Diagnostic> {
    if !minify || cfg!(feature = "minify") {
        return None;
    }
    let span = find_value_span(&file.text, "minify").unwrap_or(0..0);
    Some(
        Diagnostic::error("C1", "这个 gongkai 没有压缩网页的功能（minify）")
            .at(file, span)
            .hint("默认主题生成的网页已经很紧凑，一般不需要压缩；请删去 minify 这一行，或使用带 minify 功能编译的 gongkai（cargo build --release，默认带有）。"),
    )
}

/// Span of the value of the first `key = value` line.
fn find_value_span(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let eq = line.find('=')?;
            let value = line[eq + 1..].trim();
            let start = offset + eq + 1 + line[eq + 1..].find(value.chars().next()?)?;
            return Some(start..start + value.trim_end_matches(['\r', '\n']).len());
        }
        offset += line.len();
    }
    None
}

fn toml_diagnostic(file: &SourceFile, e: &toml::de::Error) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let raw = e.message();
    let (message, hint) = if let Some(rest) = raw.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        (
            format!("未知设置项「{name}」"),
            format!("请检查拼写。{}", expected_fields(raw)),
        )
    } else if let Some(rest) = raw.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        (
            format!("缺少必填设置项「{name}」"),
            "请参照随附的 site.toml 填写。".to_string(),
        )
    } else if raw.contains("invalid type") {
        (
            format!("设置项的类型不对（{raw}）"),
            "文字要用英文双引号括起来，如 name = \"东柳街道办事处\"。".to_string(),
        )
    } else {
        (
            format!("site.toml 格式错误（{raw}）"),
            "每行写成 key = \"值\"，文字要用英文双引号括起来；[body] 等小节名要用方括号。"
                .to_string(),
        )
    };
    Diagnostic::error("C1", message)
        .at(file, span)
        .label("这里")
        .hint(hint)
}

fn expected_fields(raw: &str) -> String {
    match raw.split_once("expected ") {
        Some((_, rest)) => format!("可用的设置项：{}", rest.replace('`', "")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[body]
name = "示例街道办事处"
kind = "街道办事处"
"#;

    #[test]
    fn minimal_config_parses_with_defaults() {
        let c = SiteConfig::parse(&SourceFile::new("site.toml", GOOD)).unwrap();
        assert_eq!(c.language, "zh-CN");
        assert_eq!(c.theme, "default");
        assert_eq!(c.short_name(), "示例街道办事处");
        assert_eq!(c.missing_website_details().len(), 4);
    }

    #[test]
    fn url_settings_refuse_script_in_every_disguise() {
        for value in [
            r#""javascript:alert(1)""#,
            r#""JaVaScRiPt:alert(1)""#,
            r#"" \u000Ejava\tscript:alert(2)""#,
            r#""java\nscript:alert(1)""#,
            r#""\u0001https://x.gov.cn""#,
            r#""https://x.gov.cn/\" onmouseover=\"alert(1)""#,
            r#""data:text/html;base64,PHNjcmlwdD4=""#,
            r#""vbscript:msgbox(1)""#,
            r#""javascript&colon;alert(1)""#,
            r#""//evil.example/x""#,
            r#""bszs.conac.cn""#,
            r#""https://""#,
        ] {
            let text = format!("{GOOD}\n[website]\nparty_gov_mark_url = {value}\n");
            let e = SiteConfig::parse(&SourceFile::new("site.toml", text)).expect_err(value);
            assert_eq!(e.len(), 1, "{value}: {e:?}");
            assert!(
                e[0].message.starts_with("party_gov_mark_url 不是网址"),
                "{value}: {}",
                e[0].message
            );
            assert_eq!(e[0].line_col(), Some((7, 22)), "{value}");
        }
        for value in [
            "https://bszs.conac.cn/sitename?method=show&id=0A1B",
            "http://x.gov.cn",
            "",
        ] {
            let text = format!("{GOOD}\n[website]\nparty_gov_mark_url = \"{value}\"\n");
            assert!(
                SiteConfig::parse(&SourceFile::new("site.toml", text)).is_ok(),
                "{value}"
            );
        }
        // The same check for base_url; located wherever the value is written.
        let text = format!("base_url = \"javascript:alert(1)\"\n{GOOD}");
        let e = SiteConfig::parse(&SourceFile::new("site.toml", text)).unwrap_err();
        assert_eq!(e[0].line_col(), Some((1, 12)));
        let text = format!("website = {{ party_gov_mark_url = \"data:,x\" }}\n{GOOD}");
        let e = SiteConfig::parse(&SourceFile::new("site.toml", text)).unwrap_err();
        assert_eq!(e[0].line_col(), Some((1, 34)));
    }

    #[test]
    fn unknown_keys_and_kinds_are_located_errors() {
        let text = GOOD.replace("kind = ", "knd = \"x\"\nkind = ");
        let e = SiteConfig::parse(&SourceFile::new("site.toml", text)).unwrap_err();
        assert!(
            e[0].message.contains("未知设置项「knd」"),
            "{:?}",
            e[0].message
        );
        assert_eq!(e[0].line_col().unwrap().0, 4);
        let text = GOOD.replace("街道办事处\"", "居委会\"");
        let e = SiteConfig::parse(&SourceFile::new("site.toml", text)).unwrap_err();
        assert!(e[0].message.contains("居委会"));
        assert_eq!(e[0].line_col().unwrap(), (4, 8));
    }
}
