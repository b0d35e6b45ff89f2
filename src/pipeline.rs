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

/// Check, render and write the site at `root` into `output` (default `<root>/public`).
pub fn build(root: &Path, output: Option<&Path>) -> Result<Built, BuildError> {
    let default_output = root.join("public");
    let output = output.unwrap_or(&default_output);
    let target = crate::output::check_target(output, root).map_err(BuildError::Output)?;
    let checked = check(root).map_err(BuildError::Load)?;
    if checked.errors() > 0 || checked.has_io_problem() {
        return Err(BuildError::Invalid(checked.diagnostics));
    }
    let Some(site) = checked.site else {
        return Err(BuildError::Invalid(checked.diagnostics));
    };
    let (rendered, _) = render(&site)?;
    let written = crate::output::write_site(&target, rendered.files).map_err(BuildError::Output)?;
    Ok(Built {
        output: target,
        pages: rendered.pages,
        written,
        warnings: checked.diagnostics,
        missing_website_details: site.config.missing_website_details(),
    })
}

/// Render a checked site with its theme (the stage `build` and `serve` share).
pub fn render(site: &Site) -> Result<(crate::render::Rendered, crate::render::Theme), BuildError> {
    render_with(site, &crate::render::Options::default())
}

/// Render with options (serve injects its reload script).
pub fn render_with(
    site: &Site,
    options: &crate::render::Options,
) -> Result<(crate::render::Rendered, crate::render::Theme), BuildError> {
    let theme =
        crate::render::Theme::load(&site.root, &site.config.theme).map_err(BuildError::Invalid)?;
    let rendered =
        crate::render::render_site(site, &theme, options).map_err(BuildError::Invalid)?;
    Ok((rendered, theme))
}
