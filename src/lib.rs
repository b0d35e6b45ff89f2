//! gongkai（公开）: a static site generator for 政府信息公开工作年度报告.
//!
//! The pipeline is plain stages, each a module: [`site`] loads (keeping source spans),
//! [`validate`] checks (collecting every diagnostic), and later stages model, render and
//! write. The national format itself is data, in [`format`].
#![warn(missing_docs)]
// Diagnostics are the error currency of content problems; they are built on the cold path and
// carry their own context, so their size in a `Result` does not matter.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod diagnostic;
pub mod export;
pub mod format;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod import;
pub mod markdown;
pub mod narrative;
pub mod number;
pub mod output;
pub mod pipeline;
pub mod project;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod site;
pub mod site_config;
pub mod source;
pub mod validate;
pub mod yaml;
