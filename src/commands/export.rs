//! `gongkai export <YEAR>`: the publishing package of a year — the portal article, the Word
//! document as filed, the tables as CSV and the article's metadata — for a single office or for
//! the bodies of a platform, through [`Project`] like `check` and `build`.
//!
//! The year must have no errors (the package is what gets published; `check` says what to fix).
//! Files go into `export/<year>/` (a platform: `export/<year>/<folder>/`), written by the same
//! atomic writer as `build`: the folder is replaced whole, never half-written.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::diagnostic::{self, Diagnostic};
use crate::output::{self, DiskSink};
use crate::project::Project;
use crate::render::OutputFile;
use crate::render::export::{self, Package};

/// What was exported.
#[derive(Debug)]
pub struct Exported {
    /// The output folder.
    pub output: PathBuf,
    /// Per body: its folder (`""` for a single office) and its package.
    pub packages: Vec<(String, Package)>,
    /// Bodies of a platform without a report of the year, by folder.
    pub without_year: Vec<String>,
    /// Bodies of a platform whose year has errors, left out (a platform withholds what has
    /// errors, as `build` does): folder and errors.
    pub withheld: Vec<(String, Vec<Diagnostic>)>,
}

/// Why nothing was exported.
#[derive(Debug)]
pub enum ExportError {
    /// Usage or I/O (exit status 2).
    Usage(String),
    /// The year has errors (exit status 1).
    Invalid(Vec<Diagnostic>),
}

/// Export `year` of the project at `root` (`body`: one body of a platform) into `output`
/// (default `<root>/export/<year>`).
pub fn export(
    root: &Path,
    year: u16,
    output: Option<&Path>,
    body: Option<&str>,
) -> Result<Exported, ExportError> {
    let project = Project::open(root).map_err(|e| ExportError::Usage(e.to_string()))?;
    if project.has_errors() {
        return Err(ExportError::Invalid(project.diagnostics.clone()));
    }
    let folders: Vec<String> = match (body, project.is_platform()) {
        (Some(_), false) => {
            return Err(ExportError::Usage(
                "--body 用于平台（有 platform.toml 的文件夹）：指定导出哪个机关。单个机关的站点不需要它。"
                    .to_string(),
            ));
        }
        (Some(b), true) => {
            let b = b.trim_end_matches('/');
            if !project.folders.iter().any(|f| f == b) {
                return Err(ExportError::Usage(format!(
                    "平台中没有机关文件夹「{b}」。现有：{}",
                    project.folders.join("、")
                )));
            }
            vec![b.to_string()]
        }
        (None, _) => project.folders.clone(),
    };
    let default_output = root.join("export").join(year.to_string());
    let output = output.unwrap_or(&default_output);
    let target =
        output::check_target(output, root).map_err(|e| ExportError::Usage(e.to_string()))?;

    let mut packages = Vec::new();
    let mut without_year = Vec::new();
    let mut withheld = Vec::new();
    let mut errors = Vec::new();
    for folder in &folders {
        let checked = project.check_body(folder);
        let year_errors: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter(|d| {
                let file = d.file();
                let prefix = if folder.is_empty() {
                    String::new()
                } else {
                    format!("{folder}/")
                };
                // The year's own files, and what the whole body depends on (site.toml).
                file.starts_with(&format!("{prefix}content/{year}/"))
                    || !file.starts_with(&format!("{prefix}content/"))
            })
            .cloned()
            .collect();
        let year_errors = if year_errors.is_empty() && checked.site.is_none() {
            checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect()
        } else {
            year_errors
        };
        if !year_errors.is_empty() {
            // A single office, or the one body asked for, refuses; a platform's export of every
            // body leaves this one out.
            if project.is_platform() && body.is_none() {
                withheld.push((folder.clone(), year_errors));
            } else {
                errors.extend(year_errors);
            }
            continue;
        }
        let Some(site) = checked.site.as_ref() else {
            continue;
        };
        match site.years.iter().position(|y| y.year == year) {
            Some(i) => packages.push((folder.clone(), export::package(site, i))),
            None => without_year.push(folder.clone()),
        }
    }
    if !errors.is_empty() {
        return Err(ExportError::Invalid(errors));
    }
    if packages.is_empty() && !withheld.is_empty() {
        return Err(ExportError::Invalid(
            withheld.into_iter().flat_map(|(_, d)| d).collect(),
        ));
    }
    if packages.is_empty() {
        let years_hint = if project.is_platform() {
            "平台中没有机关有这一年度的报告".to_string()
        } else {
            "content/ 中没有这一年度的文件夹".to_string()
        };
        return Err(ExportError::Usage(format!(
            "没有 {year} 年度的报告可以导出：{years_hint}。请检查年度，或先用 gongkai new {year} 建立。"
        )));
    }
    let sink = DiskSink::begin(&target).map_err(|e| ExportError::Usage(e.to_string()))?;
    for (folder, package) in &packages {
        for (name, bytes) in &package.files {
            let path = if folder.is_empty() {
                name.clone()
            } else {
                format!("{folder}/{name}")
            };
            sink.write(&OutputFile {
                path,
                bytes: bytes.clone(),
            })
            .map_err(|e| ExportError::Usage(e.to_string()))?;
        }
    }
    sink.commit()
        .map_err(|e| ExportError::Usage(e.to_string()))?;
    Ok(Exported {
        output: target,
        packages,
        without_year,
        withheld,
    })
}

/// `gongkai export`: export, then say what to do with each file.
pub fn cli(
    root: &Path,
    year: u16,
    output: Option<&Path>,
    body: Option<&str>,
    color: bool,
) -> ExitCode {
    match export(root, year, output, body) {
        Ok(done) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "已导出 {} 年度报告到 {}：",
                year,
                done.output.display()
            );
            for (folder, p) in &done.packages {
                let dir = if folder.is_empty() {
                    String::new()
                } else {
                    format!("{folder}/")
                };
                let _ = writeln!(
                    out,
                    "  {}（{}）",
                    p.title,
                    if dir.is_empty() { "本机关" } else { &dir }
                );
                for (name, bytes) in &p.files {
                    let what = match name.as_str() {
                        "article.html" => {
                            "门户网站文章正文：在 CMS 编辑器的源代码（HTML）模式中粘贴"
                        }
                        "preview.html" => "在浏览器中打开，查看文章在门户网站上的样子",
                        "metadata.json" => "文章的标题、发布机构、发布日期等，填入 CMS 的信息项",
                        n if n == p.docx_name => "Word 文件：作为附件上传，也用于备案",
                        _ => "表格数据（CSV），可作为附件",
                    };
                    let _ = writeln!(
                        out,
                        "    {dir}{name}（{}）— {what}",
                        crate::render::size_text(bytes.len())
                    );
                }
            }
            if !done.withheld.is_empty() {
                let mut err = std::io::stderr().lock();
                for (folder, diags) in &done.withheld {
                    let _ = write!(err, "{}", diagnostic::render_all(diags, color));
                    let _ = writeln!(
                        err,
                        "未导出：{folder}/ 的 {year} 年度有 {} 个错误（其余机关照常导出）",
                        diags.len()
                    );
                }
            }
            if !done.without_year.is_empty() {
                let _ = writeln!(
                    out,
                    "以下机关没有 {year} 年度的报告，未导出：{}",
                    done.without_year.join("、")
                );
            }
            let _ = writeln!(
                out,
                "发布方法见《用户指南》「发布到门户网站」一节；备案用 Word 文件，见「备案」一节。"
            );
            ExitCode::SUCCESS
        }
        Err(ExportError::Usage(e)) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
        Err(ExportError::Invalid(diags)) => {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{}", diagnostic::render_all(&diags, color));
            let _ = writeln!(
                err,
                "{year} 年度有 {} 个错误，未导出；请按提示修改后再导出（gongkai check 列出全部问题）。",
                diags.len()
            );
            if diags.iter().any(|d| d.rule == "F1") {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
