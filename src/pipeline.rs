//! The stages every command shares: load → validate (→ model → render → write, in `build` and
//! `serve`). `check`, `build` and `serve` all start here, so they agree on what is wrong.

use std::path::Path;

use crate::diagnostic::{self, Diagnostic};
use crate::site::{self, LoadError, Site};
use crate::validate;

/// A loaded and validated site.
#[derive(Debug)]
pub struct Checked {
    /// The site, unless site.toml is unusable.
    pub site: Option<Site>,
    /// Every problem, in reading order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        diagnostic::counts(&self.diagnostics).0
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        diagnostic::counts(&self.diagnostics).1
    }

    /// Whether a file could not be read (exit status 2 rather than 1).
    pub fn has_io_problem(&self) -> bool {
        self.diagnostics.iter().any(|d| d.rule == "F1")
    }
}

/// Load and validate the site at `root`.
pub fn check(root: &Path) -> Result<Checked, LoadError> {
    let loaded = site::load(root)?;
    let mut diagnostics = loaded.diagnostics;
    if let Some(site) = &loaded.site {
        diagnostics.extend(validate::check_site(site));
    }
    diagnostic::sort(&mut diagnostics);
    Ok(Checked {
        site: loaded.site,
        diagnostics,
    })
}

/// Why a build did not produce a site.
#[derive(Debug)]
pub enum BuildError {
    /// Not a site, or a file could not be read (exit status 2).
    Load(LoadError),
    /// The content or the theme has errors (exit status 1).
    Invalid(Vec<Diagnostic>),
    /// The output folder was refused or could not be written (exit status 2).
    Output(crate::output::OutputError),
}

/// What a build produced.
#[derive(Debug)]
pub struct Built {
    /// The output folder.
    pub output: std::path::PathBuf,
    /// Pages rendered.
    pub pages: usize,
    /// Files and bytes written.
    pub written: crate::output::Written,
    /// Warnings found by the check.
    pub warnings: Vec<Diagnostic>,
    /// Website details of 《政府网站发展指引》 missing from site.toml.
    pub missing_website_details: Vec<&'static str>,
}

/// How `build` renders. TEMPORARY (issue 12): `GONGKAI_NO_MINIFY=1` builds without the
/// minifier, to compare the theme's compact-by-construction output with the minified pages;
/// to be replaced by the `minify` option of site.toml.
fn build_options() -> crate::render::Options {
    crate::render::Options {
        minify: std::env::var_os("GONGKAI_NO_MINIFY").is_none_or(|v| v != "1"),
        ..crate::render::Options::default()
    }
}

/// Check, render and write the site at `root` into `output` (default `<root>/public`).
pub fn build(root: &Path, output: Option<&Path>) -> Result<Built, BuildError> {
    let default_output = root.join("public");
    let output = output.unwrap_or(&default_output);
    let target = crate::output::check_target(output, root).map_err(BuildError::Output)?;
    let timer = Timer::start();
    let checked = check(root).map_err(BuildError::Load)?;
    timer.phase("load and check");
    if checked.errors() > 0 || checked.has_io_problem() {
        return Err(BuildError::Invalid(checked.diagnostics));
    }
    let Some(site) = checked.site else {
        return Err(BuildError::Invalid(checked.diagnostics));
    };
    let theme =
        crate::render::Theme::load(&site.root, &site.config.theme).map_err(BuildError::Invalid)?;
    let sink = crate::output::DiskSink::begin(&target).map_err(BuildError::Output)?;
    let pages = crate::render::render_site(&site, &theme, &build_options(), &sink)
        .map_err(BuildError::Invalid)?;
    let written = sink.commit().map_err(BuildError::Output)?;
    Ok(Built {
        output: target,
        pages,
        written,
        warnings: checked.diagnostics,
        missing_website_details: site.config.missing_website_details(),
    })
}

/// Render a checked site with its theme into memory (serve, tests): the files sorted by path and
/// the number of pages.
pub fn render_in_memory(
    site: &Site,
    options: &crate::render::Options,
) -> Result<(Vec<crate::render::OutputFile>, usize), BuildError> {
    let theme =
        crate::render::Theme::load(&site.root, &site.config.theme).map_err(BuildError::Invalid)?;
    let sink = crate::render::MemorySink::new();
    let pages =
        crate::render::render_site(site, &theme, options, &sink).map_err(BuildError::Invalid)?;
    Ok((sink.into_files(), pages))
}

/// What a platform build produced.
#[derive(Debug)]
pub struct BuiltPlatform {
    /// The output folder.
    pub output: std::path::PathBuf,
    /// Pages rendered.
    pub pages: usize,
    /// Files and bytes written.
    pub written: crate::output::Written,
    /// What each body's check found and what was published.
    pub bodies: Vec<crate::platform::BodySummary>,
}

impl BuiltPlatform {
    /// Bodies; with errors; with warnings only.
    pub fn summary(&self) -> (usize, usize, usize) {
        crate::platform::tally(self.bodies.iter().map(|b| b.counts))
    }
}

/// Check and build a platform: every body under its folder, the platform pages, one atomic swap.
/// Bodies are checked and rendered one by one in parallel, straight to the disk; years with
/// errors are left out (and reported), the rest is published.
pub fn build_platform(root: &Path, output: Option<&Path>) -> Result<BuiltPlatform, BuildError> {
    let default_output = root.join("public");
    let output = output.unwrap_or(&default_output);
    let target = crate::output::check_target(output, root).map_err(BuildError::Output)?;
    let timer = Timer::start();
    let (config, diagnostics, slugs) = crate::platform::discover(root).map_err(BuildError::Load)?;
    let Some(config) = config.filter(|_| !diagnostics.iter().any(|d| d.is_error())) else {
        return Err(BuildError::Invalid(diagnostics));
    };
    let sink = crate::output::DiskSink::begin(&target).map_err(BuildError::Output)?;
    let (pages, bodies) = crate::platform::build(root, &config, slugs, &build_options(), &sink)
        .map_err(BuildError::Invalid)?;
    timer.phase("check, render and write");
    let written = sink.commit().map_err(BuildError::Output)?;
    timer.phase("swap");
    Ok(BuiltPlatform {
        output: target,
        pages,
        written,
        bodies,
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
