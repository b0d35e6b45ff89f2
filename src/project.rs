//! The project: what `check`, `build` and `serve` work on.
//!
//! A single-office site is a project of one body, at the root; a platform (`platform.toml` at
//! the root) is a project of many, one folder each, every folder a normal site. Whether the root
//! is a platform is decided here, once, in [`Project::open`]; everything after it — loading and
//! checking each body, rendering, writing, previewing — is one path for both shapes.
//!
//! What happens to a body's errors is the project's [`Policy`]: a single office's build refuses
//! while there are errors, a platform's withholds what has errors (a year, a Markdown page, a
//! body whose site.toml is unusable) and publishes the rest, so that one office's mistake does
//! not hold back the others.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check;
use crate::diagnostic::{self, Diagnostic};
use crate::load::config::{PLATFORM_TOML, PlatformConfig, SITE_TOML};
use crate::load::{self, LoadError, Site};

/// A project, opened: its shape, the problems of the project as a whole, its bodies' folders.
#[derive(Debug, Clone)]
pub struct Project {
    /// The root folder.
    pub root: PathBuf,
    /// One office or a platform.
    pub kind: Kind,
    /// Problems of `platform.toml` and of the platform as a whole (folder names, no bodies).
    pub diagnostics: Vec<Diagnostic>,
    /// The bodies' folders, sorted: `[""]` for a single office (its body is the root).
    pub folders: Vec<String>,
}

/// The shape of a project.
#[derive(Debug, Clone)]
pub enum Kind {
    /// One office: `site.toml` at the root.
    Office,
    /// Many bodies under `platform.toml` (its settings, unless the file is unusable).
    Platform(Option<Box<PlatformConfig>>),
}

/// What a body's errors do to a build and a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Nothing is published while there are errors (a single office).
    Refuse,
    /// What has errors is left out, the rest is published (a platform).
    Withhold,
}

impl Project {
    /// Open the project at `root`: a platform if `platform.toml` is there, else a single office
    /// if `site.toml` is; neither is [`LoadError::NotASite`].
    pub fn open(root: &Path) -> Result<Project, LoadError> {
        if root.join(PLATFORM_TOML).is_file() {
            return open_platform(root);
        }
        // A site.toml that is not a file (a folder) is the body's to report.
        if !root.join(SITE_TOML).exists() {
            return Err(LoadError::NotASite(root.to_path_buf()));
        }
        Ok(Project::office(root))
    }

    /// A single office at `root`, without looking at the disk.
    pub fn office(root: &Path) -> Project {
        Project {
            root: root.to_path_buf(),
            kind: Kind::Office,
            diagnostics: Vec::new(),
            folders: vec![String::new()],
        }
    }

    /// Whether the project is a platform.
    pub fn is_platform(&self) -> bool {
        matches!(self.kind, Kind::Platform(_))
    }

    /// The platform's settings, when the project is a platform with a usable `platform.toml`.
    pub fn platform(&self) -> Option<&PlatformConfig> {
        match &self.kind {
            Kind::Platform(config) => config.as_deref(),
            Kind::Office => None,
        }
    }

    /// What errors do to a build of this project.
    pub fn policy(&self) -> Policy {
        match self.kind {
            Kind::Office => Policy::Refuse,
            Kind::Platform(_) => Policy::Withhold,
        }
    }

    /// Whether the project as a whole has an error (then nothing can be rendered).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
            || matches!(self.kind, Kind::Platform(None))
    }

    /// The folder of a body.
    pub fn body_root(&self, folder: &str) -> PathBuf {
        if folder.is_empty() {
            self.root.clone()
        } else {
            self.root.join(folder)
        }
    }

    /// Load and check one body.
    pub fn check_body(&self, folder: &str) -> Body {
        Body::check(&self.body_root(folder), folder)
    }

    /// Load and check every body, in parallel, in folder order.
    pub fn check(&self) -> Vec<Body> {
        self.folders
            .par_iter()
            .map(|folder| self.check_body(folder))
            .collect()
    }

    /// The paths whose changes can change the project: settings, content and themes, of the
    /// root and of every body.
    pub fn is_source(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let site_part = |rest: &[String]| match rest.first().map(String::as_str) {
            Some(SITE_TOML | PLATFORM_TOML) => rest.len() == 1,
            Some("content" | "themes") => true,
            _ => false,
        };
        let in_site = site_part(&parts)
            || (self.is_platform()
                && parts.len() > 1
                && is_body_folder(&self.root.join(&parts[0]))
                && site_part(&parts[1..]));
        let name = parts.last().map(String::as_str).unwrap_or("");
        let hidden = parts.iter().any(|p| p.starts_with('.'));
        in_site
            && !(hidden
                || name.ends_with('~')
                || name.ends_with(".swp")
                || name.ends_with(".swx")
                || name == "4913")
    }

    /// Folders to watch recursively: `content/` and `themes/` of the root, and every body's
    /// folder of a platform.
    pub fn watch_folders(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = ["content", "themes"]
            .iter()
            .map(|d| self.root.join(d))
            .filter(|p| p.is_dir())
            .collect();
        if self.is_platform() {
            out.extend(
                self.folders
                    .iter()
                    .map(|f| self.root.join(f))
                    .filter(|p| p.is_dir()),
            );
        }
        out
    }
}

/// Read platform.toml and list the body folders.
fn open_platform(root: &Path) -> Result<Project, LoadError> {
    let mut diagnostics = Vec::new();
    let config = match load::read::read_source(root, &root.join(PLATFORM_TOML), load::MAX_CONFIG) {
        Ok(file) => PlatformConfig::parse(&file, &mut diagnostics),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    };
    let mut folders = Vec::new();
    let entries = std::fs::read_dir(root).map_err(|e| LoadError::Io(root.to_path_buf(), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_body_folder(&entry.path()) {
            continue;
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            diagnostics.push(
                Diagnostic::error(
                    "P1",
                    format!("机关文件夹名「{name}」只能用小写英文字母、数字、- 和 _"),
                )
                .hint("文件夹名会成为网址，例如 dongliu/；机关名称写在各自的 site.toml 中。"),
            );
            continue;
        }
        folders.push(name);
    }
    folders.sort();
    if folders.is_empty() {
        diagnostics.push(
            Diagnostic::error("P1", "平台中还没有机关")
                .hint("每个机关一个文件夹，内有 site.toml 和 content/，与单个机关的站点相同。"),
        );
    }
    Ok(Project {
        root: root.to_path_buf(),
        kind: Kind::Platform(config.map(Box::new)),
        diagnostics,
        folders,
    })
}

/// Whether `dir` is a body's folder in a platform: not hidden, with its own site.toml.
pub fn is_body_folder(dir: &Path) -> bool {
    !dir.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        && dir.join(SITE_TOML).is_file()
}

/// One body, loaded and checked.
#[derive(Debug, Clone)]
pub struct Body {
    /// Its folder in the project (`""` for a single office; also its URL segment).
    pub folder: String,
    /// The loaded site (absent if its site.toml is unusable).
    pub site: Option<Site>,
    /// Every problem, sorted; file names relative to the project root.
    pub diagnostics: Vec<Diagnostic>,
}

/// One year's texts, read instead of its files (names relative to the body's folder, as the
/// loader names them).
#[derive(Debug, Clone)]
pub struct YearTexts {
    /// The year.
    pub year: u16,
    /// report.yaml.
    pub yaml: crate::source::SourceFile,
    /// report.md, if the year has one.
    pub md: Option<crate::source::SourceFile>,
}

/// What a body's errors keep from publishing (see [`Body::withheld`]).
#[derive(Debug, Default, Clone)]
pub struct Withheld {
    /// Years whose folder has an error.
    pub years: BTreeSet<u16>,
    /// Other files with errors, relative to the body's folder.
    pub files: BTreeSet<String>,
}

impl Body {
    /// Load and check the body whose site is at `root`, known in its project as `folder`.
    pub fn check(root: &Path, folder: &str) -> Body {
        Body::check_with(root, folder, None)
    }

    /// [`Body::check`] with one year read from the given texts rather than from its files
    /// (the editor's unsaved changes; see [`load::Loaded::replace_year`]).
    pub fn check_with(root: &Path, folder: &str, year: Option<&YearTexts>) -> Body {
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let (site, mut diagnostics) = match load::load(root) {
            Ok(mut loaded) => {
                if let Some(y) = year {
                    loaded.replace_year(y.year, &y.yaml, y.md.as_ref());
                }
                let mut diagnostics = loaded.diagnostics;
                if let Some(site) = &loaded.site {
                    diagnostics.extend(check::check_site(site));
                }
                diagnostic::sort(&mut diagnostics);
                (loaded.site, diagnostics)
            }
            Err(e) => (None, vec![Diagnostic::error("F1", e.to_string())]),
        };
        if !prefix.is_empty() {
            diagnostics = diagnostics
                .into_iter()
                .map(|d| d.with_prefix(&prefix))
                .collect();
        }
        Body {
            folder: folder.to_string(),
            site,
            diagnostics,
        }
    }

    /// (errors, warnings).
    pub fn counts(&self) -> (usize, usize) {
        diagnostic::counts(&self.diagnostics)
    }

    /// The body's name for lists: its name in site.toml, else its folder.
    pub fn name(&self) -> String {
        self.site
            .as_ref()
            .map_or_else(|| self.folder.clone(), |s| s.config.body.name.clone())
    }

    /// What the body's errors keep from publishing: each year whose folder has an error, and
    /// every other file with an error (relative to the body's folder: a Markdown page, a
    /// setting). An error of the body as a whole (named by the folder, no file of its own) is
    /// in neither.
    pub fn withheld(&self) -> Withheld {
        let body = if self.folder.is_empty() {
            String::new()
        } else {
            format!("{}/", self.folder)
        };
        let mut withheld = Withheld::default();
        for d in self.diagnostics.iter().filter(|d| d.is_error()) {
            let Some(file) = d.file().strip_prefix(&body) else {
                continue;
            };
            let year = file
                .strip_prefix("content/")
                .and_then(|rest| rest.split('/').next())
                .and_then(|y| y.parse::<u16>().ok());
            match year {
                Some(year) => withheld.years.insert(year),
                None => withheld.files.insert(file.to_string()),
            };
        }
        withheld
    }

    /// The body's site without its years and Markdown pages that have errors (`None` if no
    /// report is publishable).
    pub fn publishable(&self, withheld: &Withheld) -> Option<Site> {
        let mut s = self.site.as_ref()?.clone();
        s.years.retain(|y| !withheld.years.contains(&y.year));
        s.pages.retain(|p| !withheld.files.contains(&p.source.name));
        (!s.years.is_empty()).then_some(s)
    }
}

/// Bodies; with errors; with warnings only — from each body's (errors, warnings).
pub fn tally(counts: impl Iterator<Item = (usize, usize)>) -> (usize, usize, usize) {
    counts.fold((0, 0, 0), |(n, e, w), (errors, warnings)| {
        (
            n + 1,
            e + usize::from(errors > 0),
            w + usize::from(errors == 0 && warnings > 0),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(root: &Path) -> Project {
        Project {
            root: root.to_path_buf(),
            kind: Kind::Platform(None),
            diagnostics: Vec::new(),
            folders: Vec::new(),
        }
    }

    #[test]
    fn only_site_files_are_sources() {
        let root = Path::new("/site");
        let p = Project::office(root);
        for yes in [
            "/site/site.toml",
            "/site/content/2020/report.md",
            "/site/themes/default/static/style.css",
            "/site/content/2024",
        ] {
            assert!(p.is_source(Path::new(yes)), "{yes}");
        }
        for no in [
            "/site/public/index.html",
            "/site/target/debug/x",
            "/site/content/2020/.report.md.swp",
            "/site/content/2020/report.md~",
            "/site/content/2020/4913",
            "/site/.git/index",
            "/other/site.toml",
            "/site/README.md",
        ] {
            assert!(!p.is_source(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn body_folders_of_a_platform_are_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("body-a/content")).unwrap();
        std::fs::write(root.join("body-a/site.toml"), "").unwrap();
        let p = project(root);
        assert!(p.is_source(&root.join("platform.toml")));
        assert!(p.is_source(&root.join("body-a/site.toml")));
        assert!(p.is_source(&root.join("body-a/content/2021/report.md")));
        assert!(!p.is_source(&root.join("body-a/notes.txt")));
        assert!(!p.is_source(&root.join("public/body-a/index.html")));
        // A single office's subfolders are not bodies.
        assert!(!Project::office(root).is_source(&root.join("body-a/site.toml")));
    }

    #[test]
    fn bodies_tally_by_worst_severity() {
        assert_eq!(tally([(0, 0), (2, 1), (0, 3)].into_iter()), (3, 1, 1));
    }
}
