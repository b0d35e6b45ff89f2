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
