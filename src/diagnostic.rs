//! Diagnostics: every problem found in a site, with its place, its official label and a hint.
//!
//! The same [`Diagnostic`] is printed by `check` (rustc-style, with a source snippet), listed as
//! JSON by `check --format json`, and shown in the browser by `serve`. Messages are Chinese and
//! name the official label; rule ids (`R3.1`, `S3` …) are stable and documented in the README.

use std::fmt::Write as _;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

pub use crate::format::Severity;
use crate::source::SourceFile;

/// One problem.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Rule id.
    pub rule: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// The file, if the problem is in one.
    pub source: Option<SourceFile>,
    /// Byte span in the file, if the problem has a place.
    pub span: Option<Range<usize>>,
    /// Text at the caret.
    pub label: Option<String>,
    /// Official label path, e.g. `三、收到和处理政府信息公开申请情况 › （七）总计 › 自然人`.
    pub path: Option<String>,
    /// Expected value.
    pub expected: Option<String>,
    /// Value found.
    pub found: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// Other places in the same file worth showing.
    pub related: Vec<(Range<usize>, String)>,
}

impl Diagnostic {
    /// A new diagnostic without a place.
    pub fn new(severity: Severity, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            rule: rule.into(),
            message: message.into(),
            source: None,
            span: None,
            label: None,
            path: None,
            expected: None,
            found: None,
            hint: None,
            related: Vec::new(),
        }
    }

    /// A new error.
    pub fn error(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, rule, message)
    }

    /// A new warning.
    pub fn warning(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, rule, message)
    }

    /// Place it in a file, at a byte span.
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        self.span = Some(file.clamp(span));
        self.source = Some(file.clone());
        self
    }

    /// Place it in a file as a whole.
    pub fn in_file(mut self, file: &SourceFile) -> Self {
        self.source = Some(file.clone());
        self
    }

    /// Set the caret label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Set the official label path.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Set expected and found values.
    pub fn expected_found(mut self, expected: impl Into<String>, found: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.found = Some(found.into());
        self
    }

    /// Set the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Show another place in the same file.
    pub fn related(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        if let Some(file) = &self.source {
            self.related.push((file.clamp(span), label.into()));
        }
        self
    }

    /// File name, or empty.
    pub fn file(&self) -> &str {
        self.source.as_ref().map_or("", |s| s.name.as_str())
    }

    /// 1-based line and character column, when the diagnostic has a place.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (src, span) = (self.source.as_ref()?, self.span.as_ref()?);
        let lc = src.line_col(span.start);
        Some((lc.line, lc.column))
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The same diagnostic with its file name under `prefix` (a body's folder in a platform);
    /// one without a file is named by the folder.
    pub fn with_prefix(mut self, prefix: &str) -> Diagnostic {
        if let Some(src) = &self.source {
            self.source = Some(src.renamed(&format!("{prefix}{}", src.name)));
        } else {
            self.source = Some(SourceFile::new(prefix.trim_end_matches('/'), ""));
        }
        self
    }

    /// Attach a file name to a diagnostic that has none (a problem of a folder).
    pub fn with_file_name(mut self, name: &str) -> Self {
        if self.source.is_none() {
            self.source = Some(SourceFile::new(name, ""));
        }
        self
    }

    /// The notes printed under the snippet.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(p) = &self.path {
            notes.push(format!("栏目：{p}"));
        }
        match (&self.expected, &self.found) {
            (Some(e), Some(f)) => notes.push(format!("应为：{e}；实为：{f}")),
            (Some(e), None) => notes.push(format!("应为：{e}")),
            (None, Some(f)) => notes.push(format!("实为：{f}")),
            (None, None) => {}
        }
        if let Some(h) = &self.hint {
            notes.push(format!("提示：{h}"));
        }
        notes
    }

    /// Render like rustc: header, `--> file:line:col`, snippet with caret, notes.
    pub fn render(&self, renderer: &Renderer) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(&self.message).id(&self.rule);
        let notes = self.notes();
        let note_elements = notes
            .iter()
            .map(|n| Level::NOTE.no_name().message(n.as_str()));
        let group = match (&self.source, &self.span) {
            (Some(src), Some(span)) => {
                let text: &str = &src.text;
                let mut lo = span.start;
                let mut hi = span.end;
                for (r, _) in &self.related {
                    lo = lo.min(r.start);
                    hi = hi.max(r.end);
                }
                let win_start = text[..lo].rfind('\n').map_or(0, |i| i + 1);
                let last = if hi > lo {
                    text[..hi].char_indices().next_back().map_or(lo, |(i, _)| i)
                } else {
                    lo
                };
                let win_end = text[last..].find('\n').map_or(text.len(), |i| last + i + 1);
                let first_line = text[..win_start].matches('\n').count() + 1;
                let window = &text[win_start..win_end];
                let rel = |r: &Range<usize>| (r.start - win_start)..(r.end - win_start);
                let mut snippet = Snippet::source(window)
                    .path(src.name.as_str())
                    .line_start(first_line)
                    .annotation(
                        AnnotationKind::Primary
                            .span(rel(span))
                            .label(self.label.clone()),
                    );
                for (r, l) in &self.related {
                    snippet =
                        snippet.annotation(AnnotationKind::Context.span(rel(r)).label(l.clone()));
                }
                Group::with_title(title)
                    .element(snippet)
                    .elements(note_elements)
            }
            (Some(src), None) => Group::with_title(title)
                .element(Origin::path(src.name.as_str()))
                .elements(note_elements),
            (None, _) => Group::with_title(title).elements(note_elements),
        };
        renderer.render(&[group])
    }

    /// One line: `file:line:col: 错误[R3.1]: message`, for logs and the serve overlay.
    pub fn one_line(&self) -> String {
        let mut s = String::new();
        if let Some(src) = &self.source {
            s.push_str(&src.name);
            if let Some((l, c)) = self.line_col() {
                let _ = write!(s, ":{l}:{c}");
            }
            s.push_str(": ");
        }
        let _ = write!(
            s,
            "{}[{}]: {}",
            severity_word(self.severity),
            self.rule,
            self.message
        );
        s
    }

    /// The JSON form printed by `check --format json`.
    pub fn to_json(&self) -> JsonDiagnostic<'_> {
        let (line, column) = self.line_col().unwrap_or((0, 0));
        JsonDiagnostic {
            file: self.file(),
            line,
            column,
            severity: match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            rule: &self.rule,
            message: &self.message,
            label_path: self.path.as_deref(),
            expected: self.expected.as_deref(),
            found: self.found.as_deref(),
            hint: self.hint.as_deref(),
        }
    }
}

/// `错误` or `警告`.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
    }
}

/// One diagnostic as JSON.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Path relative to the site root.
    pub file: &'a str,
    /// 1-based line; 0 when the problem has no place.
    pub line: usize,
    /// 1-based character column; 0 when the problem has no place.
    pub column: usize,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// Rule id.
    pub rule: &'a str,
    /// What is wrong.
    pub message: &'a str,
    /// Official label path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_path: Option<&'a str>,
    /// Expected value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<&'a str>,
    /// Value found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<&'a str>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'a str>,
}

/// Sort diagnostics into reading order: by file, then position, then rule.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (
            a.file(),
            a.span.as_ref().map(|s| s.start),
            &a.rule,
            &a.message,
        )
            .cmp(&(
                b.file(),
                b.span.as_ref().map(|s| s.start),
                &b.rule,
                &b.message,
            ))
    });
}

/// Count errors and warnings.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// Render all diagnostics, rustc-style, separated by blank lines.
pub fn render_all(diags: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.render(&renderer));
        out.push_str("\n\n");
    }
    out
}

/// The JSON array of all diagnostics.
pub fn to_json(diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diags.iter().map(Diagnostic::to_json).collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc_with_chinese_notes() {
        let f = SourceFile::new(
            "content/2020/report.yaml",
            "三:\n  （七）总计:\n    自然人: 5\n",
        );
        let at = f.text.find('5').unwrap();
        let d = Diagnostic::error("R3.2", "总计不等于各项之和")
            .at(&f, at..at + 1)
            .label("此处为 5")
            .path("三、本年度办理结果 › （七）总计 › 自然人")
            .expected_found("4", "5")
            .hint("请核对。");
        let out = d.render(&Renderer::plain());
        assert!(
            out.starts_with("error[R3.2]: 总计不等于各项之和\n"),
            "{out}"
        );
        assert!(out.contains("--> content/2020/report.yaml:3:10"), "{out}");
        assert!(
            out.contains("= 栏目：三、本年度办理结果 › （七）总计 › 自然人"),
            "{out}"
        );
        assert!(out.contains("= 应为：4；实为：5"), "{out}");
        assert_eq!(
            d.one_line(),
            "content/2020/report.yaml:3:10: 错误[R3.2]: 总计不等于各项之和"
        );
        let json = to_json(&[d]);
        assert!(json.contains("\"line\": 3"));
        assert!(json.contains("\"column\": 10"));
    }
}
