//! A preview kept up to date by rendering again only what a change affects (`serve`).
//!
//! [`Live`] holds the rendered files in memory with what they were rendered from: each body's
//! summary, files and errors, and the platform's per-year cache. After a save, a platform
//! re-checks and re-renders only the bodies whose folders changed, then its own pages from all
//! the summaries — a year whose rows are as they were keeps its pages, and only changed rows are
//! rendered again. Anything that can change every page — `platform.toml`, the theme, a single
//! office's site (small: rendered whole), a lost event — renders everything again. Either way the
//! files are exactly those a full rendering gives (`tests/testsuite/preview.rs` edits a platform
//! at random and compares after every edit).
//!
//! An update either succeeds as a whole or leaves the preview as it was: what `build` would
//! refuse (a single office with errors, a platform whose settings have errors, a template that
//! fails) is returned as diagnostics and the last good files stay.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::load::config::{PLATFORM_TOML, SITE_TOML};
use crate::pipeline;
use crate::project::{Body, Project};
use crate::render::{self, BodySummary, Counter, MemorySink, Options, PlatformCache, Renderer};

/// The files of a preview, by path.
pub type Files = HashMap<String, Arc<Vec<u8>>>;

/// A rendered preview and what it was rendered from.
pub struct Live {
    root: PathBuf,
    options: Options,
    project: Project,
    files: Files,
    /// For a platform: how its pages are rendered, its bodies and its own pages' cache.
    platform: Option<PlatformState>,
    /// For a single office: its errors are refused, so none is withheld.
    withheld: Vec<Diagnostic>,
    /// A failed update may have left the search index's documents ahead of the files: the
    /// next update renders everything.
    stale: bool,
    /// The search index's files are not yet those of the pages (after [`Live::update_pages`]).
    index_behind: bool,
}

struct PlatformState {
    renderer: Renderer,
    bodies: BTreeMap<String, BodyState>,
    cache: PlatformCache,
    /// The platform's own files (home, years, 404, site files).
    own: BTreeSet<String>,
    /// The search index's files (written from every body's documents after each update).
    index: BTreeSet<String>,
}

#[derive(Clone)]
struct BodyState {
    summary: BodySummary,
    files: Vec<String>,
    /// The errors of what the body may not publish.
    errors: Vec<Diagnostic>,
}

/// What an update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Everything was rendered again.
    Full,
    /// Only the bodies whose folders changed, and the platform's pages they affect.
    Bodies(usize),
}

impl Live {
    /// Render the project at `root` whole.
    pub fn new(root: &Path, options: &Options) -> Result<Live, Vec<Diagnostic>> {
        let project =
            Project::open(root).map_err(|e| vec![Diagnostic::error("F1", e.to_string())])?;
        if project.is_platform() {
            return Live::platform(project, options);
        }
        let preview = pipeline::preview_project(&project, None, options)?;
        Ok(Live {
            root: root.to_path_buf(),
            options: options.clone(),
            files: preview
                .files
                .into_iter()
                .map(|f| (f.path, Arc::new(f.bytes)))
                .collect(),
            project,
            platform: None,
            withheld: preview.withheld,
            stale: false,
            index_behind: false,
        })
    }

    /// A platform rendered whole, keeping each body's part apart.
    fn platform(project: Project, options: &Options) -> Result<Live, Vec<Diagnostic>> {
        let renderer = Renderer::new(&project, None, options)?;
        let bodies: Vec<(String, BodyState, Vec<render::OutputFile>)> = project
            .folders
            .par_iter()
            .map(|folder| render_body(&renderer, project.check_body(folder)))
            .collect::<Result<_, _>>()?;
        let mut live = Live {
            root: project.root.clone(),
            options: options.clone(),
            files: Files::new(),
            platform: Some(PlatformState {
                renderer,
                bodies: BTreeMap::new(),
                cache: PlatformCache::default(),
                own: BTreeSet::new(),
                index: BTreeSet::new(),
            }),
            project,
            withheld: Vec::new(),
            stale: false,
            index_behind: false,
        };
        let state = live.platform.as_mut().expect("just set");
        for (folder, body, files) in bodies {
            for f in files {
                live.files.insert(f.path, Arc::new(f.bytes));
            }
            state.bodies.insert(folder, body);
        }
        live.render_platform_pages()?;
        live.write_index()?;
        Ok(live)
    }

    /// The files.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The errors of what is left out (a platform's years and pages with errors).
    pub fn withheld(&self) -> Vec<Diagnostic> {
        match &self.platform {
            Some(p) => p
                .bodies
                .values()
                .flat_map(|b| b.errors.iter().cloned())
                .collect(),
            None => self.withheld.clone(),
        }
    }

    /// Bring the preview up to date after `changed` paths changed (`rescan`: events were lost,
    /// anything may have changed).
    pub fn update(&mut self, changed: &[PathBuf], rescan: bool) -> Result<Update, Vec<Diagnostic>> {
        let update = self.update_pages(changed, rescan)?;
        self.update_index()?;
        Ok(update)
    }

    /// [`Live::update`] but for the site search's index, which [`Live::update_pages`] leaves
    /// as it was: the pages are what a reload shows, so `serve` tells the browser first and
    /// brings the index up to date right after (at 10,000 reports the index takes about a third
    /// of an update).
    pub fn update_pages(
        &mut self,
        changed: &[PathBuf],
        rescan: bool,
    ) -> Result<Update, Vec<Diagnostic>> {
        match self.changed_bodies(changed, rescan || self.stale) {
            Some(folders) => self.update_bodies(&folders).map(|()| {
                self.index_behind = true;
                Update::Bodies(folders.len())
            }),
            None => {
                *self = Live::new(&self.root, &self.options)?;
                Ok(Update::Full)
            }
        }
    }

    /// The body folders `changed` lies in, or `None` when the change can reach every page:
    /// a single office, a lost event, a platform's own settings or theme, anything outside a
    /// body's folder.
    fn changed_bodies(&self, changed: &[PathBuf], rescan: bool) -> Option<BTreeSet<String>> {
        if rescan || self.platform.is_none() {
            return None;
        }
        // The watcher reports canonical paths.
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let mut folders = BTreeSet::new();
        for path in changed {
            let rel = path.strip_prefix(&root).ok()?;
            let mut parts = rel.components().filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            });
            let first = parts.next()?;
            // A file at the root: platform.toml (or a body's site.toml left at the root).
            if parts.next().is_none() && (first == PLATFORM_TOML || first == SITE_TOML) {
                return None;
            }
            if first == "themes" {
                return None;
            }
            folders.insert(first);
        }
        Some(folders)
    }

    /// Check and render `folders` again (added, changed or removed bodies), then the
    /// platform's own pages; all or nothing.
    fn update_bodies(&mut self, folders: &BTreeSet<String>) -> Result<(), Vec<Diagnostic>> {
        let project =
            Project::open(&self.root).map_err(|e| vec![Diagnostic::error("F1", e.to_string())])?;
        if project.has_errors() || !project.is_platform() {
            // Settings broken, or no longer a platform: what a full rendering says.
            return Live::new(&self.root, &self.options).map(|live| *self = live);
        }
        let Some(state) = &self.platform else {
            return Ok(());
        };
        // Bodies that appeared or went since (a folder whose site.toml came after the folder's
        // own event) are rendered or dropped too.
        let mut folders = folders.clone();
        folders.extend(
            project
                .folders
                .iter()
                .filter(|f| !state.bodies.contains_key(*f))
                .cloned(),
        );
        folders.extend(
            state
                .bodies
                .keys()
                .filter(|f| !project.folders.contains(f))
                .cloned(),
        );
        // Rendered apart from the current state, applied when everything has succeeded; the
        // search index's documents of these bodies are replaced as they render, so a failure
        // leaves the next update to render everything.
        self.stale = true;
        for folder in &folders {
            state.renderer.forget(folder);
        }
        let rendered: Vec<(String, BodyState, Vec<render::OutputFile>)> = folders
            .par_iter()
            .filter(|f| project.folders.contains(f))
            .map(|folder| render_body(&state.renderer, project.check_body(folder)))
            .collect::<Result<_, _>>()?;
        let mut next = state.bodies.clone();
        let mut files = self.files.clone();
        for folder in &folders {
            if let Some(old) = next.remove(folder) {
                for path in &old.files {
                    files.remove(path);
                }
            }
        }
        for (folder, body, body_files) in rendered {
            for f in body_files {
                files.insert(f.path, Arc::new(f.bytes));
            }
            next.insert(folder, body);
        }
        let old_files = std::mem::replace(&mut self.files, files);
        let old_bodies = self
            .platform
            .as_mut()
            .map(|p| std::mem::replace(&mut p.bodies, next));
        let old_project = std::mem::replace(&mut self.project, project);
        if let Err(e) = self.render_platform_pages() {
            self.files = old_files;
            if let (Some(p), Some(b)) = (self.platform.as_mut(), old_bodies) {
                p.bodies = b;
            }
            self.project = old_project;
            return Err(e);
        }
        self.stale = false;
        Ok(())
    }

    /// The platform's own pages from its bodies' summaries, into the files (through its cache:
    /// years as they were keep their pages).
    fn render_platform_pages(&mut self) -> Result<(), Vec<Diagnostic>> {
        let Some(config) = self.project.platform() else {
            return Ok(());
        };
        let Some(state) = self.platform.as_mut() else {
            return Ok(());
        };
        let summaries: Vec<BodySummary> =
            state.bodies.values().map(|b| b.summary.clone()).collect();
        let sink = MemorySink::new();
        let mut cache = state.cache.clone();
        state
            .renderer
            .platform(config, &summaries, &mut cache, &sink, &Counter::default())?;
        for path in cache.dropped_files(&state.cache) {
            self.files.remove(&path);
            state.own.remove(&path);
        }
        for f in sink.into_files() {
            state.own.insert(f.path.clone());
            self.files.insert(f.path, Arc::new(f.bytes));
        }
        state.cache = cache;
        Ok(())
    }

    /// Bring the search index up to date with the pages, if [`Live::update_pages`] left it
    /// behind; whether it did.
    pub fn update_index(&mut self) -> Result<bool, Vec<Diagnostic>> {
        if !self.index_behind {
            return Ok(false);
        }
        self.write_index()?;
        self.index_behind = false;
        Ok(true)
    }

    /// The search index's files from the documents of every body (a platform's).
    fn write_index(&mut self) -> Result<(), Vec<Diagnostic>> {
        let Some(state) = self.platform.as_mut() else {
            return Ok(());
        };
        let sink = MemorySink::new();
        state.renderer.search_index(&sink, &Counter::default())?;
        for path in std::mem::take(&mut state.index) {
            self.files.remove(&path);
        }
        for f in sink.into_files() {
            state.index.insert(f.path.clone());
            self.files.insert(f.path, Arc::new(f.bytes));
        }
        Ok(())
    }
}

/// Render one checked body into memory: its folder, its state, its files.
fn render_body(
    renderer: &Renderer,
    body: Body,
) -> Result<(String, BodyState, Vec<render::OutputFile>), Vec<Diagnostic>> {
    let sink = MemorySink::new();
    let summary = renderer.body(&body, &sink, &Counter::default())?;
    let files = sink.into_files();
    Ok((
        body.folder.clone(),
        BodyState {
            summary,
            files: files.iter().map(|f| f.path.clone()).collect(),
            errors: body
                .diagnostics
                .into_iter()
                .filter(|d| d.is_error())
                .collect(),
        },
        files,
    ))
}
