//! `gongkai serve` end to end on an ephemeral port: reload only after the new snapshot is in
//! place, the overlay on a broken edit and its clearing, recovery from a failing first build,
//! refused traversal variants, content types, and a clean stop that never touches public/.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::server::{Server, raw_request};
use crate::common::*;

/// The next live event's JSON.
fn next_event(
    ws: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
) -> serde_json::Value {
    loop {
        match ws.read().expect("no live event within 10 s") {
            tungstenite::Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            _ => continue,
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn edits_reload_after_the_swap_broken_edits_overlay_and_fixes_clear() {
    let site = temp_site("bundled");
    let md = site.path().join("content/2020/report.md");
    let yaml = site.path().join("content/2020/report.yaml");
    let server = Server::start(site.path());
    let mut ws = server.live();
    let (status, ctype, page) = server.get("/2020/");
    assert_eq!((status, ctype.as_str()), (200, "text/html; charset=utf-8"));
    assert!(page.contains("无其他需要报告的事项。") && !page.contains("第一次修改"));
    assert!(
        page.contains("/__gongkai/live"),
        "the live script is injected"
    );

    for round in 0..3 {
        let marker = format!("第{round}次修改");
        edit(
            &md,
            "无其他需要报告的事项。",
            &format!("无其他需要报告的事项。{marker}"),
        );
        let event = next_event(&mut ws);
        assert_eq!(event["type"], "reload", "{event}");
        // The reload event comes after the swap: the page it triggers is already the new one.
        let (status, _, page) = server.get("/2020/");
        assert_eq!(status, 200);
        assert!(
            page.contains(&marker),
            "round {round}: edit not served after the reload event"
        );
    }

    // A broken edit: the old page stays, with the overlay naming the place.
    edit(&yaml, "采购项目数量: 37", "采购项目数量: ３７");
    let event = next_event(&mut ws);
    assert_eq!(event["type"], "error");
    assert!(
        event["html"]
            .as_str()
            .unwrap()
            .contains("content/2020/report.yaml:50:"),
        "{event}"
    );
    let (status, _, page) = server.get("/2020/");
    assert_eq!(status, 200);
    assert!(page.contains("第2次修改"), "the last good page is kept");
    assert!(page.contains("id=\"gongkai-overlay\""));
    assert!(
        page.contains("全角"),
        "the overlay shows the Chinese message"
    );
    // Other pages carry the overlay too.
    assert!(
        server
            .get("/index.html")
            .2
            .contains("id=\"gongkai-overlay\"")
    );

    // The fix clears it.
    edit(&yaml, "采购项目数量: ３７", "采购项目数量: 38");
    assert_eq!(next_event(&mut ws)["type"], "reload");
    let (_, _, page) = server.get("/2020/");
    assert!(!page.contains("id=\"gongkai-overlay\""));
    assert!(page.contains(">38<"), "the fixed value is served");
}

#[test]
fn a_failing_first_build_recovers_on_the_next_save() {
    let site = temp_site("bundled");
    let yaml = site.path().join("content/2020/report.yaml");
    edit(&yaml, "格式: 2019版", "格式: 2019版\n年度: 二〇二〇");
    let server = Server::start(site.path());
    let (status, _, page) = server.get("/2020/");
    assert_eq!(status, 503);
    assert!(
        page.contains("网站尚未生成") && page.contains("id=\"gongkai-overlay\""),
        "{page}"
    );
    let mut ws = server.live();
    // On connect, the current errors are sent.
    assert_eq!(next_event(&mut ws)["type"], "error");
    edit(&yaml, "\n年度: 二〇二〇", "");
    assert_eq!(next_event(&mut ws)["type"], "reload");
    let (status, _, page) = server.get("/2020/");
    assert_eq!(status, 200);
    assert!(page.contains("东柳街道政府信息公开工作2020年度报告"));
}

#[test]
fn stylesheet_only_changes_swap_css_and_new_years_are_picked_up() {
    let site = temp_site("bundled");
    let theme = site.path().join("themes/default/static");
    fs::create_dir_all(&theme).unwrap();
    let server = Server::start(site.path());
    let mut ws = server.live();
    fs::write(theme.join("style.css"), "body { color: #000 }\n").unwrap();
    let event = next_event(&mut ws);
    assert_eq!(event["type"], "css", "{event}");
    let (status, ctype, css) = server.get("/static/style.css");
    assert_eq!(
        (status, ctype.as_str(), css.as_str()),
        (200, "text/css; charset=utf-8", "body { color: #000 }\n")
    );
    // A new year folder created while serving.
    let out = gongkai(&["new", "2021", "--root", site.path().to_str().unwrap()]);
    assert!(out.status.success());
    let started = Instant::now();
    loop {
        let e = next_event(&mut ws);
        if e["type"] == "reload" && server.get("/2021/").0 == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "2021 never served"
        );
    }
}

#[test]
fn traversal_and_smuggling_variants_are_refused() {
    let site = temp_site("bundled");
    // A secret next to the site and a symlink inside content pointing at it.
    let secret = site
        .path()
        .parent()
        .unwrap()
        .join(format!("secret-{}.txt", std::process::id()));
    fs::write(&secret, "TOP-SECRET").unwrap();
    let server = Server::start(site.path());
    let variants = [
        "/../site.toml",
        "/../../etc/passwd",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsite.toml",
        "/..%2Fsite.toml",
        "/%2e%2e%2fsite.toml",
        "/..%5csite.toml",
        "/..\\site.toml",
        "/2020/..%2f..%2fsite.toml",
        "//etc/passwd",
        "/%2f%2fetc/passwd",
        "/etc/passwd%00.html",
        "/index.html%00",
        "/%252e%252e/site.toml",
        "/%c0%ae%c0%ae/site.toml",
        "/./site.toml",
        "/C:/Windows/win.ini",
        "/static/../../site.toml",
        "/content/2020/report.yaml",
        "/site.toml",
        &format!("/../{}", secret.file_name().unwrap().to_string_lossy()),
    ];
    assert!(variants.len() >= 20);
    for v in variants {
        let (status, _, body) = server.get(v);
        assert!(matches!(status, 400 | 404), "{v}: status {status}");
        assert!(
            !body.contains("TOP-SECRET") && !body.contains("root:") && !body.contains("[body]"),
            "{v} leaked"
        );
    }
    // Methods other than GET and HEAD.
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"] {
        let (status, _, _) = raw_request(
            server.port,
            &format!(
                "{m} /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(status, 405, "{m}");
    }
    // Request smuggling: conflicting lengths, and an absolute-form target.
    let (status, _, _) = raw_request(
        server.port,
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
    );
    assert!(status == 400 || status == 200, "CL+TE: {status}");
    let (status, _, body) = raw_request(
        server.port,
        "GET http://127.0.0.1/../site.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        matches!(status, 400 | 404) && !body.contains("[body]"),
        "absolute-form: {status}"
    );
    // A symlink inside content/ that points out of the site is refused at load: the rebuild
    // fails (overlay) and the file is never served.
    #[cfg(unix)]
    {
        let mut ws = server.live();
        std::os::unix::fs::symlink(&secret, site.path().join("content/2020/leak.txt")).unwrap();
        let event = next_event(&mut ws);
        assert_eq!(event["type"], "error");
        assert!(
            event["html"].as_str().unwrap().contains("指向站点之外"),
            "{event}"
        );
        let (status, _, body) = server.get("/2020/leak.txt");
        assert_eq!(status, 404);
        assert!(!body.contains("TOP-SECRET"));
    }
    // HEAD has headers but no body; a folder never lists its files.
    let (status, _, body) = raw_request(
        server.port,
        "HEAD /2020/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((status, body.as_str()), (200, ""));
    let (status, _, body) = server.get("/data/");
    assert_eq!(status, 404);
    assert!(!body.contains("2020.json"));
    fs::remove_file(&secret).unwrap();
}

#[test]
fn content_types_are_right() {
    let site = temp_site("multi-year");
    let server = Server::start(site.path());
    for (path, want) in [
        ("/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/site.js", "text/javascript; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/data/2021.json", "application/json"),
        ("/data/2021-t3.csv", "text/csv; charset=utf-8"),
        // mime_guess's type for .xml; equivalent to application/xml (RFC 7303), charset explicit.
        ("/sitemap.xml", "text/xml; charset=utf-8"),
        ("/atom.xml", "text/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/no-such-page.html", "text/html; charset=utf-8"),
    ] {
        let (status, ctype, _) = server.get(path);
        assert_eq!(ctype, want, "{path}");
        assert_eq!(
            status,
            if path.starts_with("/no-such") {
                404
            } else {
                200
            },
            "{path}"
        );
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_public_is_untouched() {
    let site = temp_site("bundled");
    assert!(
        gongkai(&["build", "--root", site.path().to_str().unwrap()])
            .status
            .success()
    );
    let before = fs::read(site.path().join("public/2020/index.html")).unwrap();
    let server = Server::start(site.path());
    assert_eq!(server.get("/").0, 200);
    let pid = server.child.id();
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut server = server;
    let started = Instant::now();
    let code = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s.code();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
    assert_eq!(
        fs::read(site.path().join("public/2020/index.html")).unwrap(),
        before
    );
}

#[test]
fn non_loopback_bind_warns_and_bad_roots_fail() {
    let site = temp_site("bundled");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "serve",
            "--root",
            site.path().to_str().unwrap(),
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    let warned = err.any(|l| l.unwrap().contains("其他电脑也能访问"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned);
    let dir = tempfile::tempdir().unwrap();
    let out = gongkai(&[
        "serve",
        "--root",
        dir.path().to_str().unwrap(),
        "--port",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("找不到 site.toml"));
}

#[test]
fn a_platform_previews_what_build_publishes_with_the_errors_over_every_page() {
    // The fixture's 示例局 has a deliberate error in 2022: that year is left out, the rest is
    // shown, and the overlay lists the error until it is fixed.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("platform");
    copy_dir(&fixture("platform"), &root);
    let server = Server::start(&root);
    let mut ws = server.live();
    let (status, _, home) = server.get("/index.html");
    assert_eq!(status, 200);
    assert!(home.contains("示例区示例局"), "every body is listed");
    assert!(
        home.contains("gongkai-overlay") && home.contains("R3.1"),
        "{home}"
    );
    assert!(home.contains("出错的年度报告和页面未列入预览"));
    assert_eq!(server.get("/shili-ju/2021/index.html").0, 200);
    assert_eq!(server.get("/shili-ju/2022/index.html").0, 404);

    // An edit elsewhere still previews at once, with the overlay kept.
    let md = root.join("shili-zhen/content/2022/report.md");
    let text = fs::read_to_string(&md).unwrap();
    fs::write(&md, format!("{text}\n预览修改标记。\n")).unwrap();
    // A connecting page is first told of the current errors; then the rebuild reloads it.
    let first = next_event(&mut ws);
    assert_eq!(first["type"], "error", "{first}");
    let event = next_event(&mut ws);
    assert_eq!(event["type"], "reload", "{event}");
    let (_, _, page) = server.get("/shili-zhen/2022/index.html");
    assert!(page.contains("预览修改标记") && page.contains("gongkai-overlay"));
}
