//! Watching the site: `site.toml`, `content/` and `themes/`, recursively, through notify and
//! notify-debouncer-full.
//!
//! Editors save in bursts (a temporary file, a rename, several writes). The debouncer delivers
//! each path's events [`QUIET`] after they happen, with a temporary file's writes and rename
//! folded into one event for the final name. Changes made before a rebuild started (which it
//! has read) do not start another; while files keep changing (some changed during the last
//! rebuild), rebuilds start at most every [`MIN_GAP`], each taking in all delivered since. Access events are ignored
//! (otherwise the build's own reads would trigger builds), as are hidden files, editor backups
//! and everything outside the three watched places (`public/`, `target/`). Folders created later
//! (a new year, `themes/`, a platform's new body) are picked up.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, RecommendedCache, new_debouncer_opt,
};

use super::State;
use crate::project::Project;

/// How long after a change its event is delivered (the debouncer's timeout).
pub const QUIET: Duration = Duration::from_millis(25);
/// The shortest time between the starts of two rebuilds while files keep changing (some were
/// changed while the last rebuild ran).
pub const MIN_GAP: Duration = Duration::from_millis(250);
/// Poll interval of `--poll`.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watching {
    _debouncer: Box<dyn Send>,
}

/// Start watching and rebuilding in a background thread.
pub fn spawn(state: Arc<State>, poll: bool) -> notify::Result<Watching> {
    if poll {
        start::<notify::PollWatcher>(
            state,
            notify::Config::default().with_poll_interval(POLL_INTERVAL),
        )
    } else {
        start::<notify::RecommendedWatcher>(state, notify::Config::default())
    }
}

fn start<W: notify::Watcher + Send + 'static>(
    state: Arc<State>,
    config: notify::Config,
) -> notify::Result<Watching> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer =
        new_debouncer_opt::<_, W, _>(QUIET, None, tx, RecommendedCache::new(), config)?;
    let root = state.root.clone();
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    debouncer.watch(&root, RecursiveMode::NonRecursive)?;
    let mut watched = watch_targets(&root);
    for p in &watched {
        debouncer.watch(p, RecursiveMode::Recursive)?;
    }
    let debouncer = Arc::new(Mutex::new(debouncer));
    // The thread holds it weakly, so that dropping `Watching` stops the debouncer, whose channel
    // then closes and ends the thread.
    let thread_debouncer = Arc::downgrade(&debouncer);
    std::thread::Builder::new()
        .name("gongkai-watch".into())
        .spawn(move || {
            // When the last rebuild started (what changed before then, it has read) and ended.
            let mut last_build: Option<(Instant, Instant)> = None;
            let mut changes = Changes::default();
            let open = || Project::open(&root).unwrap_or_else(|_| Project::office(&root));
            let mut project = open();
            while let Ok(first) = rx.recv() {
                let since = last_build.map(|(start, _)| start);
                changes.fold(&project, first, since);
                if changes.is_empty() {
                    continue;
                }
                // Files changed while the last rebuild ran are still being changed (a sync tool,
                // a script): rebuild at most every MIN_GAP until they stop.
                if let (Some((start, end)), Some(first)) = (last_build, changes.first)
                    && first < end
                {
                    std::thread::sleep(MIN_GAP.saturating_sub(start.elapsed()));
                }
                // All that arrived meanwhile, and while the last rebuild ran, goes into this one.
                for batch in rx.try_iter() {
                    changes.fold(&project, batch, since);
                }
                let Changes {
                    paths: changed,
                    rescan,
                    ..
                } = std::mem::take(&mut changes);
                // content/, themes/ or a platform's body folder created after start: watch too.
                project = open();
                for p in project.watch_folders() {
                    if !watched.contains(&p) {
                        if let Some(d) = thread_debouncer.upgrade()
                            && let Ok(mut d) = d.lock()
                        {
                            let _ = d.watch(&p, RecursiveMode::Recursive);
                        }
                        watched.push(p);
                    }
                }
                let css_only = !rescan
                    && changed.iter().all(|p| {
                        p.extension().is_some_and(|e| e == "css")
                            && p.starts_with(root.join("themes"))
                    });
                let start = Instant::now();
                let (took, ok) = state.rebuild(&changed, rescan, css_only);
                last_build = Some((start, Instant::now()));
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
    Ok(Watching {
        _debouncer: Box::new(debouncer),
    })
}

/// What delivered events changed that the last rebuild has not read.
#[derive(Default)]
struct Changes {
    /// The relevant paths.
    paths: Vec<PathBuf>,
    /// The watcher lost events: everything must be read again.
    rescan: bool,
    /// When the earliest of these changes was made.
    first: Option<Instant>,
}

impl Changes {
    /// Add a batch's changes that the rebuild started at `since` has not read.
    fn fold(&mut self, project: &Project, batch: DebounceEventResult, since: Option<Instant>) {
        for e in batch.iter().flatten() {
            if already_read(e, since) {
                continue;
            }
            let rescan = e.need_rescan();
            if collect(project, e, &mut self.paths) || rescan {
                self.rescan |= rescan;
                self.first = Some(self.first.map_or(e.time, |t| t.min(e.time)));
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }
}

/// Whether the rebuild that started at `since` has read this change: it happened before. Not
/// for a creation (or a move into place): the debouncer folds the writes that follow it into it,
/// and those may have come after.
fn already_read(e: &DebouncedEvent, since: Option<Instant>) -> bool {
    let created = matches!(
        e.kind,
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To))
    );
    !created && since.is_some_and(|at| e.time < at)
}

/// Folders watched recursively: `content/` and `themes/`, and in a platform every body folder.
fn watch_targets(root: &Path) -> Vec<PathBuf> {
    Project::open(root)
        .unwrap_or_else(|_| Project::office(root))
        .watch_folders()
}

/// Add the event's relevant paths (the project's sources) to `changed`; whether it had any.
fn collect(project: &Project, e: &notify::Event, changed: &mut Vec<PathBuf>) -> bool {
    if matches!(e.kind, EventKind::Access(_)) {
        return false;
    }
    let mut any = false;
    for p in e.paths.iter().filter(|p| project.is_source(p)) {
        any = true;
        if !changed.contains(p) {
            changed.push(p.clone());
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_before_a_rebuild_started_are_read_by_it_except_creations() {
        use notify::event::{CreateKind, DataChange};
        let before = Instant::now();
        let build = before + Duration::from_millis(10);
        let after = build + Duration::from_millis(10);
        let event = |kind, time| DebouncedEvent::new(notify::Event::new(kind), time);
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let create = EventKind::Create(CreateKind::File);
        assert!(already_read(&event(write, before), Some(build)));
        assert!(!already_read(&event(write, after), Some(build)));
        assert!(!already_read(&event(write, before), None));
        // The debouncer folds writes after a creation into it: they may be later than the build.
        assert!(!already_read(&event(create, before), Some(build)));
    }
}
