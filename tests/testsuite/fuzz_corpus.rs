//! The fuzz targets on stable Rust: every seed of the corpus (fixture sites, the bundled site, the
//! shared real reports, the hostile files of the bad-input catalogue) and every crash input kept
//! in `fuzz/regressions/<target>/`, fed through the same entry points as `cargo fuzz run`
//! (`gongkai::fuzz_targets`), plus a fixed set of truncations and byte edits of each seed. This
//! is the CI smoke run of the fuzzers; the long runs are documented in fuzz/README.md.

use std::fs;
use std::path::{Path, PathBuf};

use gongkai::fuzz_targets;

fn files(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}

fn named(name: &'static str) -> impl Fn(&Path) -> bool {
    move |p: &Path| p.file_name().is_some_and(|n| n == name)
}

/// The seeds of a target, as `fuzz/seed.sh` collects them, and its regression inputs.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let repo = crate::common::repo();
    let mut paths = Vec::new();
    let content_dirs = [
        repo.join("content"),
        repo.join("tests/fixtures"),
        repo.join("tests/bad_inputs"),
    ];
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    match target {
        "report" => {
            for d in &content_dirs {
                files(d, &named("report.yaml"), &mut paths);
            }
        }
        "markdown" => {
            for d in &content_dirs {
                files(d, &|p| p.extension().is_some_and(|e| e == "md"), &mut paths);
            }
        }
        "site" => {
            let mut yamls = Vec::new();
            for d in &content_dirs[..2] {
                files(d, &named("report.yaml"), &mut yamls);
            }
            for y in yamls {
                let md = y.with_file_name("report.md");
                let mut data = fs::read(&y).unwrap();
                data.extend_from_slice(fuzz_targets::SITE_SEPARATOR);
                data.extend(fs::read(&md).unwrap_or_default());
                out.push((y.display().to_string(), data));
            }
        }
        "import_text" => {
            files(
                &repo.join("tests/fixtures/import"),
                // Text files, and the Word files (the importer tells them by their bytes).
                &|p| p.extension().is_some_and(|e| e == "txt" || e == "docx"),
                &mut paths,
            );
            files(
                &repo.join("tests/bad_inputs"),
                &|p| {
                    p.components().any(|c| c.as_os_str() == "input")
                        && p.extension().is_none_or(|e| e != "html")
                },
                &mut paths,
            );
        }
        "import_html" => {
            files(
                &repo.join("tests"),
                &|p| {
                    p.extension().is_some_and(|e| e == "html")
                        && !p.components().any(|c| c.as_os_str() == "snapshots")
                },
                &mut paths,
            );
        }
        _ => unreachable!(),
    }
    files(
        &repo.join("fuzz/regressions").join(target),
        &|_| true,
        &mut paths,
    );
    out.extend(
        paths
            .into_iter()
            .map(|p| (p.display().to_string(), fs::read(&p).unwrap())),
    );
    assert!(!out.is_empty(), "no seeds for {target}");
    out
}

/// Deterministic variants of a seed: truncations (also inside a UTF-8 sequence), a flipped byte,
/// a doubled half, an inserted tab and NUL.
fn variants(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![data.to_vec()];
    let n = data.len();
    for k in [1, 2, 3, 5, 7] {
        out.push(data[..n * k / 8].to_vec());
        out.push(data[..(n * k / 8 + 1).min(n)].to_vec());
    }
    for (i, b) in [(n / 3, 0xff), (n / 2, b'\t'), (2 * n / 3, 0)] {
        if i < n {
            let mut v = data.to_vec();
            v[i] = b;
            out.push(v);
        }
    }
    let mut doubled = data.to_vec();
    doubled.extend_from_slice(&data[n / 2..]);
    out.push(doubled);
    out
}

/// Cap this test process's address space, so that an input that makes the code under test
/// allocate without bound (as the HTML span bomb once did) fails the test instead of exhausting
/// the machine.
fn limit_memory() {
    const LIMIT: u64 = 8 << 30;
    let limit = libc::rlimit {
        rlim_cur: LIMIT,
        rlim_max: LIMIT,
    };
    // SAFETY: setrlimit with a valid pointer to an initialised struct.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &limit);
    }
}

fn replay(target: &str, run: fn(&[u8])) {
    limit_memory();
    let seeds = seeds(target);
    let mut count = 0;
    for (name, data) in &seeds {
        for (i, v) in variants(data).iter().enumerate() {
            let r = std::panic::catch_unwind(|| run(v));
            assert!(r.is_ok(), "{target}: {name} (variant {i}) panicked");
            count += 1;
        }
    }
    println!("{target}: {} seeds, {count} inputs", seeds.len());
}

#[test]
fn report_corpus() {
    replay("report", fuzz_targets::report);
}

#[test]
fn site_corpus() {
    replay("site", fuzz_targets::site);
}

#[test]
fn markdown_corpus() {
    replay("markdown", fuzz_targets::markdown);
}

#[test]
fn import_text_corpus() {
    replay("import_text", fuzz_targets::import_text);
}

#[test]
fn import_html_corpus() {
    replay("import_html", fuzz_targets::import_html);
}
