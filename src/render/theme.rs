//! Themes: Tera templates and static files. The default theme is embedded in the binary; a site
//! overrides any file by placing one of the same name under `themes/<theme>/templates/` or
//! `themes/<theme>/static/`.

use std::fs;
use std::path::Path;

use tera::Tera;

use crate::diagnostic::Diagnostic;
use crate::load;
use crate::source::SourceFile;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

macro_rules! embedded_static {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/default/static/", $name)).as_slice())),*]
    };
}

/// The default theme's templates.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "index.html",
    "year.html",
    "compare.html",
    "page.html",
    "404.html",
    "platform.html",
    "platform_year.html",
    "search.html",
    "partials/chart.html",
    "partials/toc.html",
    "partials/figures.html",
    "partials/downloads.html",
    "partials/platform_year_row.html",
    "partials/read_aloud.html",
    "sitemap.xml",
    "atom.xml",
);

/// The default theme's static files (published under `static/`).
pub const DEFAULT_STATIC: &[(&str, &[u8])] = embedded_static!(
    "style.css",
    "site.js",
    "search.js",
    "read-aloud.js",
    "favicon.svg"
);

/// A loaded theme.
pub struct Theme {
    /// Compiled templates.
    pub tera: Tera,
    /// Static files: (path under `static/`, bytes), sorted.
    pub statics: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("statics", &self.statics.len())
            .finish()
    }
}

impl Theme {
    /// Load the theme `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let dir = root.join("themes").join(name);
        if name != "default" && !dir.is_dir() {
            return Err(vec![
                Diagnostic::error("T1", format!("找不到主题「{name}」"))
                    .hint(format!("site.toml 中 theme = \"{name}\"，但站点中没有 themes/{name}/ 文件夹；不需要自定义主题时写 theme = \"default\"。")),
            ]);
        }
        let mut diags = Vec::new();
        // A theme folder (or its templates/ or static/) that is a link out of the site would
        // publish files from elsewhere.
        for d in [
            root.join("themes"),
            dir.clone(),
            dir.join("templates"),
            dir.join("static"),
        ] {
            if d.exists()
                && let Err(diag) = load::read::inside_root(root, &d)
            {
                return Err(vec![
                    diag.in_file(&SourceFile::new(load::read::rel_name(root, &d), "")),
                ]);
            }
        }
        let mut templates: Vec<(String, String, Option<SourceFile>)> = DEFAULT_TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string(), None))
            .collect();
        let mut statics: Vec<(String, Vec<u8>)> = DEFAULT_STATIC
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect();
        let tdir = dir.join("templates");
        if tdir.is_dir() {
            for entry in walkdir::WalkDir::new(&tdir)
                .follow_links(false)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = load::read::rel_name(&tdir, entry.path());
                match load::read::read_source(root, entry.path(), load::MAX_MARKDOWN) {
                    Ok(file) => {
                        let text = file.text.to_string();
                        match templates.iter_mut().find(|(n, _, _)| *n == rel) {
                            Some(t) => {
                                t.1 = text;
                                t.2 = Some(file);
                            }
                            None => templates.push((rel, text, Some(file))),
                        }
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
        let sdir = dir.join("static");
        if sdir.is_dir() {
            for entry in walkdir::WalkDir::new(&sdir)
                .follow_links(false)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = load::read::rel_name(&sdir, entry.path());
                match fs::read(entry.path()) {
                    Ok(bytes) => match statics.iter_mut().find(|(n, _)| *n == rel) {
                        Some(s) => s.1 = bytes,
                        None => statics.push((rel, bytes)),
                    },
                    Err(e) => diags.push(Diagnostic::error(
                        "F1",
                        format!(
                            "无法读取 themes/{name}/static/{rel}：{}",
                            load::read::io_reason(&e)
                        ),
                    )),
                }
            }
        }
        statics.sort_by(|a, b| a.0.cmp(&b.0));
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        let batch: Vec<(&str, &str)> = templates
            .iter()
            .map(|(n, t, _)| (n.as_str(), t.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(batch) {
            return Err(vec![template_diagnostic(&e, &templates, name)]);
        }
        Ok(Theme { tera, statics })
    }
}

/// A Tera error as a diagnostic located in the override file when there is one.
pub fn template_diagnostic(
    e: &tera::Error,
    templates: &[(String, String, Option<SourceFile>)],
    theme: &str,
) -> Diagnostic {
    let text = e.to_string();
    let located = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some((
            r.filename().to_string(),
            r.span().start_line,
            r.span().start_col,
            r.message().to_string(),
        )),
        _ => None,
    };
    let mut d = Diagnostic::error(
        "T1",
        format!(
            "主题模板有误：{}",
            located.as_ref().map_or(text.clone(), |l| l.3.clone())
        ),
    )
    .hint(format!(
        "请检查 themes/{theme}/templates/ 中的模板（Tera 2 语法）。原始信息：{text}"
    ));
    if let Some((name, line, col, _)) = located
        && let Some((_, _, Some(file))) = templates.iter().find(|(n, _, _)| *n == name)
    {
        let at = file.offset_of(line, col);
        d = d.at(file, at..at);
    }
    d
}

/// A rendering error as a diagnostic.
pub fn render_diagnostic(e: &tera::Error, template: &str) -> Diagnostic {
    Diagnostic::error("T1", format!("渲染模板 {template} 时出错"))
        .hint(format!("请检查主题模板（Tera 2 语法）。原始信息：{e}"))
}
