//! The stages every command shares, for both shapes of project: open (decide site or platform)
//! → load and check every body → render → write. `check`, `build` and `serve` all start here,
//! so they agree on what is wrong and on what is published.

use std::path::{Path, PathBuf};

use crate::diagnostic::{self, Diagnostic};
use crate::load::LoadError;
use crate::output::{self, DiskSink, OutputError, Written};
use crate::project::{self, Body, Policy, Project};
use crate::render::{self, BodySummary, MemorySink, OutputFile, Rendered};

/// A checked project: the project and every body, loaded and checked.
#[derive(Debug)]
pub struct Checked {
    /// The project.
    pub project: Project,
    /// Its bodies, in folder order.
    pub bodies: Vec<Body>,
}

impl Checked {
    /// Every diagnostic: the project's, then each body's.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.project
            .diagnostics
            .iter()
            .chain(self.bodies.iter().flat_map(|b| b.diagnostics.iter()))
    }

    /// (errors, warnings) in all.
    pub fn counts(&self) -> (usize, usize) {
        self.diagnostics().fold(
            (0, 0),
            |(e, w), d| {
                if d.is_error() { (e + 1, w) } else { (e, w + 1) }
            },
        )
    }

    /// Whether a file could not be read (exit status 2 rather than 1).
    pub fn has_io_problem(&self) -> bool {
        self.diagnostics().any(|d| d.rule == "F1")
    }

    /// What `gongkai check` prints: every problem (per body on a platform) and a summary line.
    pub fn report(&self, color: bool) -> String {
        let mut out = String::new();
        if !self.project.is_platform() {
            let diags: Vec<Diagnostic> = self.diagnostics().cloned().collect();
            out.push_str(&diagnostic::render_all(&diags, color));
            let years: Vec<String> = self
                .bodies
                .iter()
                .filter_map(|b| b.site.as_ref())
                .flat_map(|s| s.years.iter().map(|y| y.year.to_string()))
                .collect();
            let (errors, warnings) = self.counts();
            out.push_str(&format!(
                "检查完成：{} 个年度（{}），{errors} 个错误，{warnings} 个警告。\n",
                years.len(),
                if years.is_empty() {
                    "无".to_string()
                } else {
                    years.join("、")
                },
            ));
            return out;
        }
        if !self.project.diagnostics.is_empty() {
            out.push_str(&diagnostic::render_all(&self.project.diagnostics, color));
        }
        for b in &self.bodies {
            let (e, w) = b.counts();
            out.push_str(&format!(
                "── {}（{}/）：{e} 个错误，{w} 个警告\n",
                b.name(),
                b.folder
            ));
            if !b.diagnostics.is_empty() {
                out.push('\n');
                out.push_str(&diagnostic::render_all(&b.diagnostics, color));
            }
        }
        let (n, errors, warnings) = project::tally(self.bodies.iter().map(Body::counts));
        out.push_str(&format!(
            "检查完成：{n} 个机关，其中 {errors} 个有错误，{warnings} 个只有警告。\n"
        ));
        out
    }
}

/// Open the project at `root`, load and check every body.
pub fn check(root: &Path) -> Result<Checked, LoadError> {
    let project = Project::open(root)?;
    let bodies = project.check();
    Ok(Checked { project, bodies })
}

/// Why a build did not produce a site.
#[derive(Debug)]
pub enum BuildError {
    /// Not a site, or a file could not be read (exit status 2).
    Load(LoadError),
    /// The content, the settings or the theme have errors (exit status 1, or 2 when a file
    /// could not be read).
    Invalid(Vec<Diagnostic>),
    /// The output folder was refused or could not be written (exit status 2).
    Output(OutputError),
}

/// What a build produced.
#[derive(Debug)]
pub struct Built {
    /// The project.
    pub project: Project,
    /// The output folder.
    pub output: PathBuf,
    /// Pages rendered.
    pub pages: usize,
    /// Files and bytes written.
    pub written: Written,
    /// What each body published.
    pub bodies: Vec<BodySummary>,
}

impl Built {
    /// What `gongkai build` prints before its summary line: warnings and missing website
    /// details (a single office), or each body's status and what was left out (a platform).
    pub fn notes(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.project.is_platform() {
            let warnings: usize = self.bodies.iter().map(|b| b.counts.1).sum();
            if warnings > 0 {
                lines.push(format!(
                    "注意：有 {warnings} 个警告，运行 gongkai check 查看详情。"
                ));
            }
            for b in &self.bodies {
                if !b.missing_website_details.is_empty() {
                    lines.push(format!(
                        "提示：site.toml 未填写{}，页脚不显示这些项目（《政府网站发展指引》要求展示）。",
                        b.missing_website_details.join("、")
                    ));
                }
            }
            return lines;
        }
        let (n, with_errors, with_warnings) = project::tally(self.bodies.iter().map(|b| b.counts));
        lines.push(format!(
            "检查：{n} 个机关，其中 {with_errors} 个有错误，{with_warnings} 个只有警告（运行 gongkai check 查看详情）。"
        ));
        for b in &self.bodies {
            if !b.error_years.is_empty() {
                let list: Vec<String> = b.error_years.iter().map(u16::to_string).collect();
                lines.push(format!(
                    "未发布：{}/ 的 {} 年度（有错误）",
                    b.slug,
                    list.join("、")
                ));
            } else if !b.loaded {
                lines.push(format!("未发布：{}/（site.toml 有错误）", b.slug));
            }
            if b.loaded {
                let rest = if b.years.is_empty() {
                    ""
                } else {
                    "，其余照常发布"
                };
                for file in &b.other_errors {
                    lines.push(format!(
                        "有错误：{}/{file}（出错的内容未采用{rest}）",
                        b.slug
                    ));
                }
            }
        }
        lines
    }
}

/// The bodies to render as the project's policy has them: checked first when errors refuse the
/// build (a single office: refused before the output is touched), or left to be checked as each
/// is rendered when errors only withhold (a platform: memory does not grow with the bodies).
/// Errors of the project as a whole always refuse. `checked` are bodies checked already.
fn checked_for_render(
    project: &Project,
    checked: Option<Vec<Body>>,
) -> Result<Option<Vec<Body>>, Vec<Diagnostic>> {
    if project.has_errors() {
        return Err(project.diagnostics.clone());
    }
    match project.policy() {
        Policy::Withhold => Ok(checked),
        Policy::Refuse => {
            let bodies = checked.unwrap_or_else(|| project.check());
            let errors: Vec<Diagnostic> = bodies
                .iter()
                .flat_map(|b| b.diagnostics.iter())
                .filter(|d| d.is_error())
                .cloned()
                .collect();
            if errors.is_empty() {
                Ok(Some(bodies))
            } else {
                Err(errors)
            }
        }
    }
}

/// Check, render and write the project at `root` into `output` (default `<root>/public`), in
/// one atomic swap.
pub fn build(root: &Path, output: Option<&Path>) -> Result<Built, BuildError> {
    let default_output = root.join("public");
    let output = output.unwrap_or(&default_output);
    let target = output::check_target(output, root).map_err(BuildError::Output)?;
    let timer = Timer::start();
    let project = Project::open(root).map_err(BuildError::Load)?;
    let checked = checked_for_render(&project, None).map_err(BuildError::Invalid)?;
    timer.phase("open and check");
    let sink = DiskSink::begin(&target).map_err(BuildError::Output)?;
    let rendered = render::render(&project, checked, &render::Options::default(), &sink)
        .map_err(BuildError::Invalid)?;
    timer.phase("render and write");
    let written = sink.commit().map_err(BuildError::Output)?;
    timer.phase("swap");
    Ok(Built {
        project,
        output: target,
        pages: rendered.pages,
        written,
        bodies: rendered.bodies,
    })
}

/// A project rendered into memory (`serve`, tests): the files sorted by path, and the errors of
/// what was left out.
#[derive(Debug)]
pub struct Preview {
    /// The files.
    pub files: Vec<OutputFile>,
    /// The errors of what a platform publishes without (years and pages of its bodies); a
    /// preview shows the project as `build` would publish it, with these listed.
    pub withheld: Vec<Diagnostic>,
}

/// Check and render the project at `root` into memory with `options`. What `build` would
/// refuse fails here too (with the errors); what it would leave out is left out and listed.
pub fn preview(root: &Path, options: &render::Options) -> Result<Preview, Vec<Diagnostic>> {
    let project = Project::open(root).map_err(|e| vec![Diagnostic::error("F1", e.to_string())])?;
    preview_project(&project, None, options)
}

/// [`preview`] of an opened project, with its bodies when they are checked already.
pub fn preview_project(
    project: &Project,
    checked: Option<Vec<Body>>,
    options: &render::Options,
) -> Result<Preview, Vec<Diagnostic>> {
    let checked = checked_for_render(project, checked)?;
    let sink = MemorySink::new();
    let Rendered { withheld, .. } = render::render(project, checked, options, &sink)?;
    Ok(Preview {
        files: sink.into_files(),
        withheld,
    })
}

/// Phase timings printed to stderr when `GONGKAI_TIMINGS` is set.
struct Timer {
    on: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Timer {
    fn start() -> Self {
        Timer {
            on: std::env::var_os("GONGKAI_TIMINGS").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }

    fn phase(&self, name: &str) {
        if self.on {
            let now = std::time::Instant::now();
            eprintln!("{name}: {} ms", (now - self.last.get()).as_millis());
            self.last.set(now);
        }
    }
}
