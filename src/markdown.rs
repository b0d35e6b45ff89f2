//! Markdown: one place that decides how narrative and pages are parsed and rendered.

use pulldown_cmark::Options;

/// Parser options shared by the structure check, the renderer and the importer: tables and
/// footnotes on, as the site guide promises.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}
