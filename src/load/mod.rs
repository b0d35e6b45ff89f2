//! Loading, the first stage (load → check → render → write): a body's site — `site.toml`
//! ([`config`]), `content/<year>/report.yaml` (`yaml`, [`report`]) and `report.md`
//! ([`narrative`], `markdown`), `content/pages/` and the attachments — with the span of
//! everything read kept for the diagnostics.
//!
//! Every file is read through [`read::read_source`], which refuses what could hurt or mislead
//! (files outside the site through symlinks, symlink loops, huge files, text that is not UTF-8)
//! with a located Chinese message; loading goes on after a problem, so that `check` reports
//! everything at once.

pub mod config;
pub(crate) mod markdown;
pub mod narrative;
pub mod read;
pub mod report;
pub(crate) mod yaml;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::format::{self, Formats};
use crate::source::SourceFile;
use config::SiteConfig;
use narrative::Narrative;
use read::{Plain, inside_root, io_reason, read_source, read_source_in, rel_name};
use report::Report;

/// Size limits (bytes).
pub const MAX_YAML: u64 = 1 << 20;
/// Largest Markdown file accepted.
pub const MAX_MARKDOWN: u64 = 2 << 20;
/// Largest site.toml accepted.
pub const MAX_CONFIG: u64 = 256 << 10;
/// Largest attachment copied into the site.
pub const MAX_ASSET: u64 = 64 << 20;

/// Names of the files of a year.
pub const REPORT_YAML: &str = "report.yaml";
/// The narrative file of a year.
pub const REPORT_MD: &str = "report.md";
/// The folder of Markdown pages.
pub const PAGES_DIR: &str = "pages";

/// Years accepted as folder names.
pub const YEARS: std::ops::RangeInclusive<u16> = 2000..=2100;

/// A loaded site.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site root.
    pub root: PathBuf,
    /// `site.toml`.
    pub config: SiteConfig,
    /// The reports, oldest first.
    pub years: Vec<YearReport>,
    /// Markdown pages from `content/pages/`, by file name.
    pub pages: Vec<PageSource>,
    /// Other files under `content/` copied as they are (attachments, images), by path.
    pub assets: Vec<Asset>,
}

/// One year: its numbers and its narrative.
#[derive(Debug, Clone)]
pub struct YearReport {
    /// The year.
    pub year: u16,
    /// The numbers.
    pub report: Report,
    /// The narrative, if report.md was readable.
    pub narrative: Option<Narrative>,
}

/// A Markdown page.
#[derive(Debug, Clone)]
pub struct PageSource {
    /// Output path stem relative to the site (e.g. `pages/guide`).
    pub slug: String,
    /// The file.
    pub source: SourceFile,
}

/// A file copied as is.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to `content/`, with `/`.
    pub rel: String,
    /// Absolute path.
    pub path: PathBuf,
}

/// Why a site could not be loaded at all (exit status 2).
#[derive(Debug)]
pub enum LoadError {
    /// The folder is not a gongkai site.
    NotASite(PathBuf),
    /// A file could not be read.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotASite(p) => write!(
                f,
                "{} 不是 gongkai 站点：找不到 site.toml。请在站点目录中运行，或用 --root 指定站点目录。",
                p.display()
            ),
            LoadError::Io(p, e) => write!(f, "无法读取 {}：{}", p.display(), io_reason(e)),
        }
    }
}

/// The outcome of loading: the site if site.toml was usable, and every problem met.
#[derive(Debug)]
pub struct Loaded {
    /// The site, unless site.toml itself is broken.
    pub site: Option<Site>,
    /// Problems, in reading order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Read one year from the given texts instead of its files on disk: its report and
    /// narrative, and their problems, replace what was read from `yaml` and `md` (named as the
    /// loader names them, e.g. `content/2025/report.yaml`). The editor in `serve` checks its
    /// unsaved changes this way, through the same loader and checks as every other command.
    pub fn replace_year(&mut self, year: u16, yaml: &SourceFile, md: Option<&SourceFile>) {
        let (report, mut diags) = report::load(format::builtin(), yaml, year);
        self.diagnostics
            .retain(|d| d.file() != yaml.name && md.is_none_or(|m| d.file() != m.name));
        let Some(site) = &mut self.site else {
            self.diagnostics.extend(diags);
            return;
        };
        let old = site.years.iter().position(|y| y.year == year);
        let old_narrative = old.and_then(|i| site.years.remove(i).narrative);
        if let Some(report) = report {
            let narrative = match md {
                Some(md) => {
                    let (n, ds) = narrative::parse(report.edition, md);
                    diags.extend(ds);
                    Some(n)
                }
                None => old_narrative,
            };
            let at = site.years.partition_point(|y| y.year < year);
            site.years.insert(
                at,
                YearReport {
                    year,
                    report,
                    narrative,
                },
            );
        }
        self.diagnostics.extend(diags);
    }
}

/// Load the site at `root`.
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    let formats = format::builtin();
    let config_path = root.join("site.toml");
    if !config_path.exists() {
        return Err(LoadError::NotASite(root.to_path_buf()));
    }
    let mut diags = Vec::new();
    let config = match read_source(root, &config_path, MAX_CONFIG) {
        Ok(file) => match SiteConfig::parse(&file) {
            Ok(c) => Some(c),
            Err(ds) => {
                diags.extend(ds);
                None
            }
        },
        Err(d) => {
            diags.push(d);
            None
        }
    };

    let mut years = Vec::new();
    let mut pages = Vec::new();
    let mut assets = Vec::new();
    let content = root.join("content");
    let plain = Plain::default();
    let content_link = fs::symlink_metadata(&content)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    let content_listing = match content_link.then(|| inside_root(root, &content)) {
        Some(Err(d)) => {
            diags.push(d.with_file_name("content"));
            Ok(Vec::new())
        }
        _ => list_dir(&content),
    };
    match content_listing {
        Err(e) if e.kind() == io::ErrorKind::NotFound => diags.push(
            Diagnostic::error("F2", "站点中没有 content 文件夹")
                .hint("每年的报告放在 content/<年度>/ 中；可用 `gongkai new <年度>` 生成。")
                .with_file_name("content"),
        ),
        Err(e) => return Err(LoadError::Io(content, e)),
        Ok(entries) => {
            for (name, path, ft) in entries {
                let rel = format!("content/{name}");
                if ft.is_symlink() {
                    match inside_root(root, &path) {
                        Ok(_) => {}
                        Err(d) => {
                            diags.push(d.with_file_name(&rel));
                            continue;
                        }
                    }
                }
                // The listing's type is the entry's own; a link's is that of where it leads.
                let is_dir = if ft.is_symlink() {
                    path.is_dir()
                } else {
                    ft.is_dir()
                };
                if is_dir && name == PAGES_DIR {
                    load_pages(root, &path, &mut pages, &mut assets, &mut diags);
                } else if is_dir {
                    match name.parse::<u16>() {
                        Ok(year) if YEARS.contains(&year) && name.len() == 4 => {
                            if let Some(y) = load_year(formats, root, &path, year, &plain, &mut assets, &mut diags) {
                                years.push(y);
                            }
                        }
                        _ => diags.push(
                            Diagnostic::error("F2", format!("「{rel}」不是年度文件夹"))
                                .hint("content/ 下只放以四位年份命名的文件夹（如 content/2020/）和 pages 文件夹。")
                                .with_file_name(&rel),
                        ),
                    }
                } else {
                    diags.push(
                        Diagnostic::error("F2", format!("content 下不应直接放文件「{rel}」"))
                            .hint(
                                "年度报告放在 content/<年度>/ 中，其他页面放在 content/pages/ 中。",
                            )
                            .with_file_name(&rel),
                    );
                }
            }
        }
    }
    if years.is_empty()
        && !diags
            .iter()
            .any(|d| d.rule.starts_with('F') || d.rule == "Y1")
    {
        diags.push(
            Diagnostic::error("F2", "站点中还没有年度报告")
                .hint("用 `gongkai new <年度>` 生成 content/<年度>/ 下的模板。"),
        );
    }
    years.sort_by_key(|y| y.year);
    let site = config.map(|config| Site {
        root: root.to_path_buf(),
        config,
        years,
        pages,
        assets,
    });
    Ok(Loaded {
        site,
        diagnostics: diags,
    })
}

fn load_year(
    formats: &'static Formats,
    root: &Path,
    dir: &Path,
    year: u16,
    plain: &Plain,
    assets: &mut Vec<Asset>,
    diags: &mut Vec<Diagnostic>,
) -> Option<YearReport> {
    let entries = match list_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "F1",
                    format!("无法读取文件夹 content/{year}：{}", io_reason(&e)),
                )
                .hint("请检查文件夹权限。")
                .with_file_name(&format!("content/{year}")),
            );
            return None;
        }
    };
    let mut yaml_path = None;
    let mut md_path = None;
    for (name, path, ft) in entries {
        let rel = format!("content/{year}/{name}");
        if ft.is_symlink()
            && let Err(d) = inside_root(root, &path)
        {
            diags.push(d.with_file_name(&rel));
            continue;
        }
        let lower = name.to_lowercase();
        let is_dir = if ft.is_symlink() {
            path.is_dir()
        } else {
            ft.is_dir()
        };
        if is_dir {
            collect_assets(root, &path, &format!("{year}/{name}"), assets, diags);
        } else if name == REPORT_YAML {
            yaml_path = Some(path);
        } else if name == REPORT_MD {
            md_path = Some(path);
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            diags.push(
                Diagnostic::error("F2", format!("「{rel}」：一个年度只能有一份数据文件"))
                    .hint(format!(
                        "数据只写在 content/{year}/report.yaml 中；请合并后删除「{name}」。"
                    ))
                    .with_file_name(&rel),
            );
        } else if lower.ends_with(".md") || lower.ends_with(".markdown") {
            diags.push(
                Diagnostic::error("F2", format!("「{rel}」：一个年度只能有一份正文"))
                    .hint(format!(
                        "正文只写在 content/{year}/report.md 中；请合并后删除「{name}」。"
                    ))
                    .with_file_name(&rel),
            );
        } else {
            push_asset(root, &path, format!("{year}/{name}"), assets, diags);
        }
    }
    let Some(yaml_path) = yaml_path else {
        diags.push(
            Diagnostic::error("F2", format!("content/{year} 中缺少 report.yaml"))
                .hint(format!(
                    "可用 `gongkai new {year}` 生成模板；已有文件不会被覆盖。"
                ))
                .with_file_name(&format!("content/{year}")),
        );
        return None;
    };
    let yaml = match read_source_in(root, &yaml_path, MAX_YAML, plain) {
        Ok(f) => f,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let (report, ds) = report::load(formats, &yaml, year);
    diags.extend(ds);
    let report = report?;
    let narrative = match md_path {
        None => {
            diags.push(
                Diagnostic::error("M1", format!("content/{year} 中缺少正文 report.md"))
                    .hint("正文（总体情况、存在的主要问题及改进情况、其他需要报告的事项等）写在 report.md 中；可用 `gongkai new` 生成模板。")
                    .with_file_name(&format!("content/{year}")),
            );
            None
        }
        Some(p) => match read_source_in(root, &p, MAX_MARKDOWN, plain) {
            Ok(md) => {
                // The narrative's parse also reports Markdown nested too deep.
                let (n, ds) = narrative::parse(report.edition, &md);
                diags.extend(ds);
                Some(n)
            }
            Err(d) => {
                diags.push(d);
                None
            }
        },
    };
    Some(YearReport {
        year,
        report,
        narrative,
    })
}

fn load_pages(
    root: &Path,
    dir: &Path,
    pages: &mut Vec<PageSource>,
    assets: &mut Vec<Asset>,
    diags: &mut Vec<Diagnostic>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(8)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error("F1", format!("无法读取 content/pages：{e}"))
                        .with_file_name("content/pages"),
                );
                continue;
            }
        };
        let path = entry.path();
        let rel = rel_name(root, path);
        if entry.path_is_symlink() {
            if let Err(d) = inside_root(root, path) {
                diags.push(d.with_file_name(&rel));
                continue;
            }
            if path.is_dir() {
                diags.push(
                    Diagnostic::error("F2", format!("「{rel}」是指向文件夹的链接"))
                        .hint("pages 下请直接放文件，不要用文件夹链接。")
                        .with_file_name(&rel),
                );
                continue;
            }
        } else if entry.file_type().is_dir() {
            continue;
        }
        let sub = path
            .strip_prefix(root.join("content"))
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if sub.to_lowercase().ends_with(".md") {
            let stem = sub
                .trim_end_matches(".md")
                .trim_end_matches(".MD")
                .to_string();
            if !stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/')
            {
                diags.push(
                    Diagnostic::error("F2", format!("页面文件名「{rel}」只能用英文字母、数字、- 和 _"))
                        .hint("文件名会成为网址，例如 content/pages/guide.md → pages/guide/。页面标题写在文件开头的 # 标题中。")
                        .with_file_name(&rel),
                );
                continue;
            }
            match read_source(root, path, MAX_MARKDOWN) {
                Ok(source) => {
                    diags.extend(nesting_check(&source));
                    pages.push(PageSource { slug: stem, source });
                }
                Err(d) => diags.push(d),
            }
        } else {
            push_asset(root, path, sub, assets, diags);
        }
    }
}

fn collect_assets(
    root: &Path,
    dir: &Path,
    prefix: &str,
    assets: &mut Vec<Asset>,
    diags: &mut Vec<Diagnostic>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(8)
        .sort_by_file_name();
    for entry in walker.into_iter().flatten() {
        if entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        if entry.path_is_symlink()
            && let Err(d) = inside_root(root, path)
        {
            diags.push(d.with_file_name(&rel_name(root, path)));
            continue;
        }
        let sub = path
            .strip_prefix(dir)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        push_asset(root, path, format!("{prefix}/{sub}"), assets, diags);
    }
}

/// Attachments a body may publish, by extension (compared without regard to case): what
/// government offices really attach to a report or a page — images (png, jpg/jpeg, gif, webp,
/// bmp, tif/tiff scans), PDF and OFD (China's fixed-layout format, GB/T 33190), word processing
/// (doc, docx, wps, rtf, odt), spreadsheets (xls, xlsx, et, ods, csv), presentations (ppt, pptx,
/// dps, odp), plain text (txt), audio and video of policy explanations (mp3, mp4) and archives
/// (zip, rar, 7z). A browser shows these as images, media or text, hands them to a viewer or
/// saves them; none runs script in the site's pages. Anything else is refused: .html, .htm,
/// .xhtml, .svg, .xml, .js, .css, .swf … run script (or restyle pages) on the site's domain, on a
/// platform next to every other body, and an unknown type may be served as one of them.
pub const ATTACHMENT_TYPES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "pdf", "ofd", "doc", "docx", "wps",
    "rtf", "odt", "xls", "xlsx", "et", "ods", "csv", "ppt", "pptx", "dps", "odp", "txt", "mp3",
    "mp4", "zip", "rar", "7z",
];

/// The error for a file under content/ that may not be published (F2), or none.
fn attachment_type_error(rel: &str) -> Option<Diagnostic> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if ATTACHMENT_TYPES.contains(&ext.as_str()) {
        return None;
    }
    let (what, fix) = match ext.as_str() {
        "html" | "htm" | "xhtml" | "xht" | "shtml" | "mht" | "mhtml" => (
            "网页文件中的脚本会在本网站上运行",
            "正文请写进 report.md，其他页面写成 content/pages/ 下的 Markdown 文件；要作为附件，请另存为 PDF。",
        ),
        "svg" | "svgz" => (
            "SVG 图片可以带有脚本，会在本网站上运行",
            "请另存为 PNG 或 JPG 图片。",
        ),
        "md" | "markdown" => (
            "Markdown 文件只在 content/pages/ 下作为页面发布",
            "页面请放在 content/pages/ 下；要作为附件，请另存为 PDF 或 TXT。",
        ),
        _ => (
            "这种文件不在可发布的附件类型之内",
            "请转换为 PDF 等可发布的格式后再放入。",
        ),
    };
    let shown = if ext.is_empty() {
        "没有扩展名".to_string()
    } else {
        format!(".{ext}")
    };
    Some(
        Diagnostic::error(
            "F2",
            format!("附件「content/{rel}」不能发布（{shown}）：{what}"),
        )
        .hint(format!(
            "{fix}可发布的附件类型：{}。",
            ATTACHMENT_TYPES.join("、")
        ))
        .with_file_name(&format!("content/{rel}")),
    )
}

/// Files that systems and office programs leave beside others, never meant to be published:
/// Windows thumbnail caches and folder settings, Office's lock files (`~$报告.docx`).
fn is_system_file(name: &str) -> bool {
    name.starts_with("~$")
        || ["thumbs.db", "ehthumbs.db", "desktop.ini"].contains(&name.to_ascii_lowercase().as_str())
}

fn push_asset(
    root: &Path,
    path: &Path,
    rel: String,
    assets: &mut Vec<Asset>,
    diags: &mut Vec<Diagnostic>,
) {
    let name = rel.rsplit('/').next().unwrap_or("");
    if name.starts_with('.') || name.ends_with('~') || is_system_file(name) {
        return; // editor and system files: .DS_Store, .report.md.swp, report.md~, Thumbs.db
    }
    if let Some(d) = attachment_type_error(&rel) {
        diags.push(d);
        return;
    }
    match fs::metadata(path) {
        Ok(m) if m.len() > MAX_ASSET => diags.push(
            Diagnostic::error(
                "F2",
                format!("附件 content/{rel} 过大（{} MB）", m.len() >> 20),
            )
            .hint(format!("附件不应超过 {} MB。", MAX_ASSET >> 20))
            .with_file_name(&format!("content/{rel}")),
        ),
        Ok(_) => assets.push(Asset {
            rel,
            path: path.to_path_buf(),
        }),
        Err(e) => diags.push(
            Diagnostic::error(
                "F1",
                format!("无法读取 {}：{}", rel_name(root, path), io_reason(&e)),
            )
            .with_file_name(&rel_name(root, path)),
        ),
    }
}

/// Markdown nested deeper than [`crate::load::markdown::MAX_NESTING`] levels (M5).
pub(crate) fn nesting_check(file: &SourceFile) -> Option<Diagnostic> {
    let span = crate::load::markdown::too_deep(&file.text)?;
    Some(crate::load::markdown::nesting_error(file, span))
}

/// Entries of a directory, sorted by name: (name, path, file type without following links).
fn list_dir(dir: &Path) -> io::Result<Vec<(String, PathBuf, fs::FileType)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        out.push((name, entry.path(), entry.file_type()?));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
