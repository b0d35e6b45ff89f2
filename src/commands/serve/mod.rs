//! `gongkai serve`: live preview.
//!
//! The server renders the site with the same pipeline as `build` (check → render), keeps the
//! rendered files in memory as a snapshot, and serves only from that snapshot — no path of a
//! request ever reaches the file system, so `..`, encoded slashes, absolute paths and symlinks
//! cannot lead anywhere. A watcher folds editors' save patterns into one rebuild; a successful
//! rebuild swaps the snapshot first and then tells connected browsers (WebSocket) to reload, so a
//! reload never meets a missing page. A failed rebuild keeps the last good snapshot and shows the
//! diagnostics as an overlay on every page until the next good build. A platform previews what
//! `build` publishes (a body's years and pages with errors left out), with those errors in the
//! overlay. Nothing is written to disk.

mod edit;
mod http;
mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::diagnostic::Diagnostic;
use crate::preview::Live;
use crate::project::Project;
use crate::render;

/// The script `serve` injects into every page (never into `build` output).
pub const LIVE_SCRIPT: &str = include_str!("live.js");

/// Options of `gongkai serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site root.
    pub root: PathBuf,
    /// Address to bind.
    pub bind: IpAddr,
    /// Port (0 = any free port).
    pub port: u16,
    /// Poll the file system instead of native events (WSL2, network drives, containers).
    pub poll: bool,
}

/// The files of the last good build.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Path → bytes.
    pub files: HashMap<String, Arc<Vec<u8>>>,
    /// Build number (0 = no good build yet).
    pub generation: u64,
}

/// What connected browsers are told.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum LiveEvent {
    /// Reload the page (the new snapshot is in place).
    Reload {
        /// Build number.
        generation: u64,
    },
    /// Only stylesheets changed: swap them without a reload.
    Css {
        /// Build number.
        generation: u64,
    },
    /// The rebuild failed: show the diagnostics over the page.
    Error {
        /// Overlay HTML.
        html: String,
    },
}

/// Shared server state.
pub struct State {
    root: PathBuf,
    /// What the snapshot was rendered from, to render only what a change affects; `None` before
    /// the first good build and after a failed one (the next renders everything).
    live: Mutex<Option<Live>>,
    snapshot: RwLock<Arc<Snapshot>>,
    overlay: RwLock<Option<Arc<String>>>,
    events: broadcast::Sender<LiveEvent>,
}

impl State {
    fn new(root: PathBuf) -> Arc<State> {
        let (events, _) = broadcast::channel(64);
        Arc::new(State {
            root,
            live: Mutex::new(None),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            overlay: RwLock::new(None),
            events,
        })
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The current error overlay, if the last rebuild failed.
    pub fn overlay(&self) -> Option<Arc<String>> {
        self.overlay.read().ok().and_then(|o| o.clone())
    }

    /// Rebuild after `changed` paths changed (`rescan`: events were lost): only what the change
    /// affects, or everything the first time and after a failure; on success swap the snapshot,
    /// then notify. Returns the build time and whether it succeeded.
    fn rebuild(
        &self,
        changed: &[PathBuf],
        rescan: bool,
        css_only: bool,
    ) -> (std::time::Duration, bool) {
        let started = Instant::now();
        let Ok(mut live) = self.live.lock() else {
            return (started.elapsed(), false);
        };
        let result = match live.as_mut() {
            // The search index follows the reload (below).
            Some(l) => l.update_pages(changed, rescan).map(|_| ()),
            None => Live::new(&self.root, &preview_options()).map(|l| *live = Some(l)),
        };
        let rendered = match result {
            Ok(()) => live
                .as_ref()
                .map(|l| (l.files().clone(), l.withheld()))
                .ok_or_else(Vec::new),
            Err(diags) => {
                // What the failed update had read is not in the last good state: start over.
                *live = None;
                Err(diags)
            }
        };
        // Held until the index is brought up to date, so no other rebuild comes between.
        match rendered {
            Ok((files, left_out)) => {
                let generation = self.snapshot().generation + 1;
                let snapshot = Arc::new(Snapshot { files, generation });
                if let Ok(mut s) = self.snapshot.write() {
                    *s = snapshot;
                }
                // What a platform build would leave out is listed over every page, as errors.
                let overlay = (!left_out.is_empty())
                    .then(|| Arc::new(overlay_html(&left_out, Shown::Published)));
                let had_errors = self
                    .overlay
                    .write()
                    .map(|mut o| std::mem::replace(&mut *o, overlay).is_some())
                    .unwrap_or(false);
                let event = if css_only && !had_errors && left_out.is_empty() {
                    LiveEvent::Css { generation }
                } else {
                    LiveEvent::Reload { generation }
                };
                let _ = self.events.send(event);
                let elapsed = started.elapsed();
                // Then the site search's index, into the same generation: until it is swapped
                // in, a search in the preview finds what it found before the save.
                if let Some(l) = live.as_mut()
                    && let Ok(true) = l.update_index()
                {
                    let snapshot = Arc::new(Snapshot {
                        files: l.files().clone(),
                        generation,
                    });
                    if let Ok(mut s) = self.snapshot.write() {
                        *s = snapshot;
                    }
                }
                (elapsed, true)
            }
            Err(diags) => {
                drop(live);
                let html = overlay_html(&diags, Shown::LastGood);
                if let Ok(mut o) = self.overlay.write() {
                    *o = Some(Arc::new(html.clone()));
                }
                let _ = self.events.send(LiveEvent::Error { html });
                (started.elapsed(), false)
            }
        }
    }
}

/// How the preview renders: the live-reload script injected, no minifying.
fn preview_options() -> render::Options {
    render::Options {
        minify: false,
        inject: Some(format!("<script>{LIVE_SCRIPT}</script>")),
    }
}

/// What the pages under the overlay show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The last preview that built (this one failed).
    LastGood,
    /// This preview, without what has errors (a platform, as `build` publishes it).
    Published,
}

/// The diagnostics as the overlay shown over every page.
pub fn overlay_html(diags: &[Diagnostic], shown: Shown) -> String {
    let headline = match shown {
        Shown::LastGood => format!(
            "有 {} 个错误，页面仍显示上一次成功生成的内容。修改并保存后会自动刷新。",
            diags.len()
        ),
        Shown::Published => format!(
            "有 {} 个错误；出错的年度报告和页面未列入预览（生成网站时同样不发布），其余照常显示。修改并保存后会自动刷新。",
            diags.len()
        ),
    };
    let mut items = String::new();
    for d in diags {
        items.push_str("<li><p class=\"gk-where\">");
        items.push_str(&escape(&d.one_line()));
        items.push_str("</p>");
        if let Some(p) = &d.path {
            items.push_str(&format!("<p>栏目：{}</p>", escape(p)));
        }
        match (&d.expected, &d.found) {
            (Some(e), Some(f)) => {
                items.push_str(&format!("<p>应为：{}；实为：{}</p>", escape(e), escape(f)))
            }
            (Some(e), None) => items.push_str(&format!("<p>应为：{}</p>", escape(e))),
            _ => {}
        }
        if let Some(h) = &d.hint {
            items.push_str(&format!("<p>提示：{}</p>", escape(h)));
        }
        items.push_str("</li>");
    }
    format!(
        "<div id=\"gongkai-overlay\" role=\"alert\" style=\"position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:9999;background:#fff;color:#1a1a1a;border-bottom:6px solid #b00020;padding:1rem 1.5rem;font:16px/1.6 sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.4)\">\
<p style=\"font-weight:bold;font-size:1.2em;margin:0 0 .5rem\">{headline}</p>\
<ol style=\"margin:0;padding-left:1.5rem\">{items}</ol>\
<button type=\"button\" onclick=\"this.parentNode.remove()\" style=\"font:inherit;margin-top:.5rem;padding:.25rem 1rem\">暂时关闭</button></div>"
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// Run the preview server until Ctrl-C. Returns the exit status.
pub fn run(opts: ServeOptions) -> u8 {
    if let Err(e) = Project::open(&opts.root) {
        eprintln!("错误：{e}");
        return 2;
    }
    let state = State::new(opts.root.clone());
    let (took, ok) = state.rebuild(&[], false, false);
    if ok {
        crate::commands::print_stdout(&format!(
            "已生成预览：{} 个文件，用时 {} 毫秒。\n",
            state.snapshot().files.len(),
            took.as_millis()
        ));
    } else {
        eprintln!("首次生成失败；预览页会显示错误，修改并保存后自动重新生成。");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动服务：{e}");
            return 2;
        }
    };
    runtime.block_on(async move {
        let addr = SocketAddr::new(opts.bind, opts.port);
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("错误：无法监听 {addr}：{e}。可用 --port 换一个端口。");
                return 2;
            }
        };
        let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.to_string());
        if !opts.bind.is_loopback() {
            eprintln!(
                "警告：预览服务监听在 {local}，同一网络中的其他电脑也能访问。仅在确实需要时使用 --bind。"
            );
        }
        let watcher = match watch::spawn(state.clone(), opts.poll) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("错误：无法监视文件变化：{e}。可以试试 --poll。");
                return 2;
            }
        };
        crate::commands::print_stdout(&format!("正在预览：http://{local}/ （按 Ctrl-C 停止）\n"));
        let editor = edit::Editor::new(
            opts.root.clone(),
            listener.local_addr().unwrap_or(addr),
        );
        if editor.enabled() {
            crate::commands::print_stdout(&format!("在浏览器中编辑：http://{local}/edit/\n"));
        } else {
            eprintln!("编辑功能已关闭：只在预览服务只监听本机时（不带 --bind）才能在浏览器中编辑。");
        }
        let app = http::router(state.clone()).merge(edit::router(editor));
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        drop(watcher);
        match served {
            Ok(()) => {
                crate::commands::print_stdout("预览已停止。\n");
                0
            }
            Err(e) => {
                eprintln!("错误：预览服务出错：{e}");
                2
            }
        }
    })
}
