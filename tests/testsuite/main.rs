//! The integration tests, in one binary (the mdBook `tests/testsuite/` pattern): one link of
//! the crate and its dependencies instead of one per test file.
//!
//! Plain `cargo test` runs the whole correctness net. The endurance runs — the serve load test,
//! the killed-build trials, the 100 MB inputs — are `#[ignore]`d; `.ci/run` runs them with
//! `cargo test -- --ignored`.

mod common;

mod bad_inputs;
mod build;
mod check;
mod compact_pages;
mod editor;
mod export;
mod fuzz_corpus;
mod import;
mod init;
mod interrupted;
mod platform;
mod preview;
mod properties;
mod rules;
mod search;
mod serve;
mod serve_load;
mod splice;
