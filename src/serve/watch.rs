//! Watching the site: `site.toml`, `content/` and `themes/`, recursively, through notify.
//!
//! Editors save in bursts (a temporary file, a rename, several writes); events are folded into
//! one rebuild once the burst has been quiet for [`QUIET`] (bounded by [`MAX_WAIT`]). Access
//! events are ignored (otherwise the build's own reads would trigger builds), as are hidden
//! files, editor backups and everything outside the three watched places (`public/`, `target/`).
//! Folders created later (a new year, `themes/`) are picked up.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};

use super::State;
use crate::project::Project;

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
    let mut watched = watch_targets(&root);
    {
        let mut w = watcher
            .lock()
            .map_err(|_| notify::Error::generic("watcher lock"))?;
        w.watch(&root, RecursiveMode::NonRecursive)?;
        for p in &watched {
            w.watch(p, RecursiveMode::Recursive)?;
        }
    }
    let thread_watcher = watcher.clone();
    std::thread::Builder::new()
        .name("gongkai-watch".into())
        .spawn(move || {
            let open = || Project::open(&root).unwrap_or_else(|_| Project::office(&root));
            let mut project = open();
            loop {
                // Wait for the first relevant event.
                let mut changed: Vec<PathBuf> = Vec::new();
                match rx.recv() {
                    Ok(Ok(e)) => collect(&project, &e, &mut changed),
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
                        Ok(Ok(e)) => collect(&project, &e, &mut changed),
                        Ok(Err(_)) => {}
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                // content/, themes/ or a platform's body folder created after start: watch too.
                project = open();
                for p in project.watch_folders() {
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

/// Folders watched recursively: `content/` and `themes/`, and in a platform every body folder
/// (the project is opened again, so that a body or folder created since is included).
fn watch_targets(root: &Path) -> Vec<PathBuf> {
    let project = Project::open(root).unwrap_or_else(|_| Project::office(root));
    project.watch_folders()
}

/// Add the event's relevant paths to `changed`.
fn collect(project: &Project, e: &notify::Event, changed: &mut Vec<PathBuf>) {
    if matches!(e.kind, EventKind::Access(_)) {
        return;
    }
    for p in &e.paths {
        if project.is_source(p) && !changed.contains(p) {
            changed.push(p.clone());
        }
    }
}
