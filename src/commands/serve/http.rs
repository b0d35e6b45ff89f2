//! The preview's HTTP side: files from the in-memory snapshot, the live-reload WebSocket.
//!
//! Only GET and HEAD; paths are checked before lookup (no `..`, no `.` segments, no encoded
//! slashes or backslashes, no NUL, no absolute or drive paths) and then looked up in the snapshot
//! map — never on disk — so nothing outside the rendered site is reachable. `/dir/` serves
//! `dir/index.html`; there are no directory listings.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{LiveEvent, State};

/// The router: `/__gongkai/live` (WebSocket) and everything else from the snapshot.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/__gongkai/live", get(live))
        .fallback(file)
        .with_state(state)
}

async fn live(ws: WebSocketUpgrade, AxState(state): AxState<Arc<State>>) -> Response {
    ws.on_upgrade(move |socket| relay(socket, state))
}

async fn relay(mut socket: WebSocket, state: Arc<State>) {
    let mut events = state.events.subscribe();
    // A page loaded while the last rebuild failed gets the overlay at once.
    if let Some(html) = state.overlay() {
        let msg = serde_json::to_string(&LiveEvent::Error {
            html: html.to_string(),
        })
        .unwrap_or_default();
        if socket.send(Message::Text(msg.into())).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            event = events.recv() => {
                let Ok(event) = event else { continue };
                let msg = serde_json::to_string(&event).unwrap_or_default();
                if socket.send(Message::Text(msg.into())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => {
                match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    _ => {}
                }
            }
        }
    }
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// Malformed or an attempt to leave the site.
    Refused,
}

/// Map a request path to a snapshot key (`/2020/` → `2020/index.html`).
pub fn snapshot_key(raw_path: &str) -> Result<String, PathProblem> {
    if !raw_path.starts_with('/') || raw_path.starts_with("//") {
        return Err(PathProblem::Refused);
    }
    let lower = raw_path.to_ascii_lowercase();
    // Encoded separators, backslashes, NUL and encoded dots are never needed by the site.
    for bad in ["%2f", "%5c", "%00", "%2e", "\\", "\0", "%25"] {
        if lower.contains(bad) {
            return Err(PathProblem::Refused);
        }
    }
    let decoded = percent_decode(&raw_path[1..]).ok_or(PathProblem::Refused)?;
    if decoded.contains(['\\', '\0']) || decoded.starts_with('/') || decoded.contains(':') {
        return Err(PathProblem::Refused);
    }
    for segment in decoded.split('/') {
        if segment == ".." || segment == "." {
            return Err(PathProblem::Refused);
        }
    }
    if decoded.contains("//") {
        return Err(PathProblem::Refused);
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        return Ok(format!("{decoded}index.html"));
    }
    Ok(decoded)
}

fn percent_decode(s: &str) -> Option<String> {
    // A `%` without two hex digits after it is refused (the crate would keep it as written).
    let well_formed = s.split('%').skip(1).all(|rest| {
        rest.as_bytes()
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Content type by extension, from mime_guess's table (`application/octet-stream` where it has
/// none); text types are sent as UTF-8, as every text file of the site is.
pub fn content_type(path: &str) -> Cow<'static, str> {
    let mime = mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    if mime.starts_with("text/") {
        Cow::Owned(format!("{mime}; charset=utf-8"))
    } else {
        Cow::Borrowed(mime)
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn file(method: Method, uri: Uri, AxState(state): AxState<Arc<State>>) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "只支持 GET 和 HEAD 请求。\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if uri.query().is_some_and(|q| q.len() > 1024) {
        return plain(StatusCode::BAD_REQUEST, "请求无效。\n");
    }
    let key = match snapshot_key(uri.path()) {
        Ok(k) => k,
        Err(PathProblem::Refused) => return plain(StatusCode::BAD_REQUEST, "请求的路径无效。\n"),
    };
    let snapshot = state.snapshot();
    let overlay = state.overlay();
    let (status, key) = if snapshot.files.contains_key(&key) {
        (StatusCode::OK, key)
    } else if snapshot.files.contains_key(&format!("{key}/index.html")) {
        // A folder without its trailing slash: send the browser to the folder.
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
        let target = format!("{}/", uri.path());
        if let Ok(v) = HeaderValue::from_str(&target) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    } else {
        (StatusCode::NOT_FOUND, "404.html".to_string())
    };
    let body: Vec<u8> = match snapshot.files.get(&key) {
        Some(bytes) => {
            let bytes = bytes.as_ref();
            match (&overlay, key.ends_with(".html")) {
                (Some(html), true) => with_overlay(bytes, html),
                _ => bytes.clone(),
            }
        }
        None => {
            // No good build yet: an error page with the diagnostics and the live script.
            let overlay = overlay.map(|o| o.to_string()).unwrap_or_default();
            let page = format!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>预览：网站尚未生成</title></head><body><main><h1>网站尚未生成</h1><p>请按下面的提示修改，保存后会自动刷新。</p></main>{overlay}<script>{}</script></body></html>",
                super::LIVE_SCRIPT
            );
            return response(
                StatusCode::SERVICE_UNAVAILABLE,
                "index.html",
                page.into_bytes(),
                &method,
            );
        }
    };
    response(status, &key, body, &method)
}

fn with_overlay(page: &[u8], overlay: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    match text.rfind("</body>") {
        Some(at) => {
            let mut s = String::with_capacity(text.len() + overlay.len());
            s.push_str(&text[..at]);
            s.push_str(overlay);
            s.push_str(&text[at..]);
            s.into_bytes()
        }
        None => page.to_vec(),
    }
}

fn response(status: StatusCode, key: &str, body: Vec<u8>, method: &Method) -> Response {
    let len = body.len();
    let mut r = if *method == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(body))
    };
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type(key)) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_snapshot_keys() {
        assert_eq!(snapshot_key("/").unwrap(), "index.html");
        assert_eq!(snapshot_key("/2020/").unwrap(), "2020/index.html");
        assert_eq!(
            snapshot_key("/static/style.css").unwrap(),
            "static/style.css"
        );
        assert_eq!(
            snapshot_key("/%E6%8C%87%E5%8D%97.html").unwrap(),
            "指南.html"
        );
    }

    #[test]
    fn content_types_by_extension() {
        for (path, want) in [
            ("index.html", "text/html; charset=utf-8"),
            ("static/style.css", "text/css; charset=utf-8"),
            ("static/site.js", "text/javascript; charset=utf-8"),
            ("static/favicon.svg", "image/svg+xml"),
            ("data/2021.json", "application/json"),
            ("data/2021.csv", "text/csv; charset=utf-8"),
            ("sitemap.xml", "text/xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("static/font.woff2", "font/woff2"),
            ("files/2021.pdf", "application/pdf"),
            (
                "files/2021.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("static/logo.PNG", "image/png"),
            ("2021/index", "application/octet-stream"),
            ("files/x.unknown-ext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), want, "{path}");
        }
    }

    #[test]
    fn traversal_variants_are_refused() {
        for bad in [
            "/../etc/passwd",
            "/2020/../../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E%2Fsite.toml",
            "/..%2fsite.toml",
            "/..%5csite.toml",
            "/..\\site.toml",
            "//etc/passwd",
            "/static/%00.css",
            "/./index.html",
            "/C:/Windows/win.ini",
            "/%252e%252e/site.toml",
            "/static//style.css",
            "etc/passwd",
            "/%c0%ae%c0%ae/site.toml",
            "/%E6%8C%87%E5%8D.html",
            "/%zz.html",
            "/index.html%",
            "/index.html%4",
            "/%+a.html",
            "/%%41.html",
        ] {
            assert_eq!(snapshot_key(bad), Err(PathProblem::Refused), "{bad}");
        }
    }
}
