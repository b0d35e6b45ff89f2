//! Watching the site: `site.toml`, `content/` and `themes/`, recursively, through notify.
//!
//! Editors save in bursts (a temporary file, a rename, several writes); events are folded into
//! one rebuild once the burst has been quiet for [`QUIET`] (bounded by [`MAX_WAIT`]). Access
//! events are ignored (otherwise the build's own reads would trigger builds), as are hidden
//! files, editor backups and everything outside the three watched places (`public/`, `target/`).
//! Folders created later (a new year, `themes/`) are picked up.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};

use super::State;

/// How long a burst of events must be quiet before the rebuild.
pub const QUIET: Duration = Duration::from_millis(25);
/// The longest a rebuild waits for a burst to end.
pub const MAX_WAIT: Duration = Duration::from_millis(250);
/// Poll interval of `--poll`.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watching {
    _watcher: Arc<Mutex<Box<dyn notify::Watcher + Send>>>,
}

/// Start watching and rebuilding in a background thread.
pub fn spawn(state: Arc<State>, poll: bool) -> notify::Result<Watching> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let handler = move |e: notify::Result<notify::Event>| {
        let _ = tx.send(e);
    };
    let watcher: Box<dyn notify::Watcher + Send> = if poll {
        Box::new(notify::PollWatcher::new(
            handler,
            notify::Config::default().with_poll_interval(POLL_INTERVAL),
        )?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    let watcher = Arc::new(Mutex::new(watcher));
    let root = state.root.clone();
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    {
        let mut w = watcher
            .lock()
            .map_err(|_| notify::Error::generic("watcher lock"))?;
        w.watch(&root, RecursiveMode::NonRecursive)?;
        for p in watch_targets(&root) {
            w.watch(&p, RecursiveMode::Recursive)?;
        }
    }
    let thread_watcher = watcher.clone();
    std::thread::Builder::new()
        .name("gongkai-watch".into())
        .spawn(move || {
            let mut watched: Vec<PathBuf> = ["content", "themes"]
                .iter()
                .map(|d| root.join(d))
                .filter(|p| p.is_dir())
                .collect();
            loop {
                // Wait for the first relevant event.
                let mut changed: Vec<PathBuf> = Vec::new();
                match rx.recv() {
                    Ok(Ok(e)) => collect(&root, &e, &mut changed),
                    Ok(Err(_)) => continue,
                    Err(_) => return,
                }
                if changed.is_empty() {
                    continue;
                }
                // Fold the rest of the burst.
                let started = Instant::now();
                loop {
                    let left = MAX_WAIT.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        break;
                    }
                    match rx.recv_timeout(QUIET.min(left)) {
                        Ok(Ok(e)) => collect(&root, &e, &mut changed),
                        Ok(Err(_)) => {}
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                // content/, themes/ or a platform's body folder created after start: watch too.
                for p in watch_targets(&root) {
                    if !watched.contains(&p) {
                        if let Ok(mut w) = thread_watcher.lock() {
                            let _ = w.watch(&p, RecursiveMode::Recursive);
                        }
                        watched.push(p);
                    }
                }
                let css_only = changed.iter().all(|p| {
                    p.extension().is_some_and(|e| e == "css") && p.starts_with(root.join("themes"))
                });
                let (took, ok) = state.rebuild(css_only);
                let what = if ok {
                    "已重新生成"
                } else {
                    "重新生成失败，继续显示上一次的结果"
                };
                eprintln!(
                    "{what}（{} 个文件变化，{} 毫秒）",
                    changed.len(),
                    took.as_millis()
                );
            }
        })
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(Watching { _watcher: watcher })
}

/// Folders watched recursively: `content/` and `themes/`, and in a platform every body folder.
fn watch_targets(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ["content", "themes"]
        .iter()
        .map(|d| root.join(d))
        .filter(|p| p.is_dir())
        .collect();
    if crate::platform::is_platform(root)
        && let Ok(entries) = std::fs::read_dir(root)
    {
        let mut bodies: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| crate::platform::is_body_folder(p))
            .collect();
        bodies.sort();
        out.extend(bodies);
    }
    out
}

/// Add the event's relevant paths to `changed`.
fn collect(root: &Path, e: &notify::Event, changed: &mut Vec<PathBuf>) {
    if matches!(e.kind, EventKind::Access(_)) {
        return;
    }
    for p in &e.paths {
        if relevant(root, p) && !changed.contains(p) {
            changed.push(p.clone());
        }
    }
}

/// Whether a changed path can affect the site: `site.toml`, `platform.toml`, anything under
/// `content/` or `themes/` — also inside a platform's body folders — except hidden files and
/// editor backups.
pub fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let site_part = |rest: &[String]| match rest.first().map(String::as_str) {
        Some("site.toml" | "platform.toml") => rest.len() == 1,
        Some("content" | "themes") => true,
        _ => false,
    };
    let in_site = site_part(&parts)
        || (parts.len() > 1
            && crate::platform::is_body_folder(&root.join(&parts[0]))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_files_are_relevant() {
        let root = Path::new("/site");
        for yes in [
            "/site/site.toml",
            "/site/content/2020/report.md",
            "/site/themes/default/static/style.css",
            "/site/content/2024",
        ] {
            assert!(relevant(root, Path::new(yes)), "{yes}");
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
            assert!(!relevant(root, Path::new(no)), "{no}");
        }
    }

    #[test]
    fn body_folders_of_a_platform_are_relevant() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("body-a/content")).unwrap();
        std::fs::write(root.join("body-a/site.toml"), "").unwrap();
        assert!(relevant(root, &root.join("platform.toml")));
        assert!(relevant(root, &root.join("body-a/site.toml")));
        assert!(relevant(root, &root.join("body-a/content/2021/report.md")));
        assert!(!relevant(root, &root.join("body-a/notes.txt")));
        assert!(!relevant(root, &root.join("public/body-a/index.html")));
    }
}
