//! Helpers shared by the integration tests: fixture copies, YAML edits by label path, and the
//! binary.
#![allow(dead_code)]

pub mod server;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture site under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    copy_dir_except(from, to, &[]);
}

/// Copy a directory tree, leaving out the named entries at its top.
pub fn copy_dir_except(from: &Path, to: &Path, skip: &[&str]) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by relative path with `/` (folders and links are not
/// listed; see `tests/bad_inputs.rs` for a snapshot that includes them).
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, fs::read(e.path()).unwrap());
        }
    }
    out
}

/// A temporary copy of a site: the bundled site (`"bundled"`) or a fixture.
pub fn temp_site(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if name == "bundled" {
        fs::copy(repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
        copy_dir(&repo().join("content"), &dir.path().join("content"));
    } else {
        copy_dir(&fixture(name), dir.path());
    }
    dir
}

/// Set the value at a label path in a report.yaml laid out like the scaffold (keys nested by
/// indentation). Returns the 1-based line of the value.
pub fn set_value(file: &Path, keys: &[&str], value: &str) -> usize {
    let text = fs::read_to_string(file).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    let line =
        find_path(&lines, keys).unwrap_or_else(|| panic!("{}: no path {keys:?}", file.display()));
    let l = &lines[line];
    let key = keys[keys.len() - 1];
    let k = l.find(&format!("{key}:")).unwrap() + key.len() + 1;
    lines[line] = format!("{} {value}", &l[..k]);
    fs::write(file, lines.join("\n")).unwrap();
    line + 1
}

/// 0-based line index of a label path.
pub fn find_path(lines: &[String], keys: &[&str]) -> Option<usize> {
    let mut start = 0usize;
    let mut indent: isize = -1;
    let mut found = None;
    for key in keys {
        found = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            let stripped = line.trim_start_matches(' ');
            let ind = (line.len() - stripped.len()) as isize;
            if stripped.is_empty() || stripped.starts_with('#') {
                continue;
            }
            if ind <= indent && i > start {
                break;
            }
            if ind > indent && stripped.starts_with(&format!("{key}:")) {
                found = Some(i);
                break;
            }
        }
        let i = found?;
        start = i + 1;
        indent = (lines[i].len() - lines[i].trim_start_matches(' ').len()) as isize;
    }
    found
}

/// Line (1-based) of a label path in a file.
pub fn line_of(file: &Path, keys: &[&str]) -> usize {
    let text = fs::read_to_string(file).unwrap();
    let lines: Vec<String> = text.split('\n').map(String::from).collect();
    find_path(&lines, keys).unwrap() + 1
}

/// Run the gongkai binary.
pub fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Run `gongkai check --root DIR --format json`; returns (exit code, diagnostics).
pub fn check_json(root: &Path) -> (i32, Vec<serde_json::Value>) {
    let out = gongkai(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let diags: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), diags)
}

/// Run `gongkai check --root DIR` (human); returns (exit code, stderr).
pub fn check_human(root: &Path) -> (i32, String) {
    let out = gongkai(&["check", "--root", root.to_str().unwrap()]);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

pub const P2: &str = "二、主动公开政府信息情况";
pub const P3: &str = "三、收到和处理政府信息公开申请情况";
pub const P4: &str = "四、政府信息公开行政复议、行政诉讼情况";
pub const R3: &str = "三、本年度办理结果";
