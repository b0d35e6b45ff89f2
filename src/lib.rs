//! gongkai（公开）: a static site generator for 政府信息公开工作年度报告.
//!
//! The layout follows the pipeline, load → check → render → write, for one project model:
//!
//! - [`project`]: what the commands work on — a single office (one body at the root) or a
//!   platform (many bodies); decided once, in [`project::Project::open`].
//! - [`load`]: reading a body's files, spans kept — reading, site.toml, report.yaml (YAML tree
//!   and the report), report.md (narrative and Markdown).
//! - `check`: the edition's rules over the loaded reports, every diagnostic collected.
//! - [`render`]: a checked project into output files — a body's pages, a platform's pages, data
//!   downloads, site files — through the theme.
//! - [`output`]: the one atomic writer.
//! - [`pipeline`]: the stages put together for `check`, `build` and previews; [`preview`]: a
//!   preview kept up to date by rendering again only what a change affects.
//! - [`commands`]: the command line and the commands beyond the pipeline (`new`, `import`,
//!   `serve`).
//! - [`format`](mod@format): the national format itself, as data; [`diagnostic`], [`source`] and [`number`] are shared.
#![warn(missing_docs)]
// Diagnostics are the error currency of content problems; they are built on the cold path and
// carry their own context, so their size in a `Result` does not matter.
#![allow(clippy::result_large_err)]

pub(crate) mod check;
pub mod commands;
pub mod diagnostic;
pub mod format;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod load;
pub mod number;
pub mod output;
pub mod pipeline;
pub mod preview;
pub mod project;
pub mod render;
pub mod source;
