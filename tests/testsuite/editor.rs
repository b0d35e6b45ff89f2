//! The editor in `gongkai serve` over raw HTTP on the real server (issue 13): the API flow on a
//! copy of the bundled site — a check that finds a broken sum at its cell, a save that changes
//! only that value's bytes, a stale save refused with what changed, refused changes — and the
//! refusals of the request guard: no or a wrong token, a foreign Host, a foreign Origin, a form
//! from elsewhere, a non-loopback bind. Every refusal leaves the files as they were.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;

/// A `gongkai serve` child process and what it takes to talk to its editor.
struct Editor {
    child: Child,
    port: u16,
    /// What the server printed on its first lines.
    banner: String,
}

impl Editor {
    fn start(root: &Path, bind: &str) -> Editor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args([
                "serve",
                "--root",
                root.to_str().unwrap(),
                "--port",
                "0",
                "--bind",
                bind,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = String::new();
        let port = loop {
            let line = lines.next().expect("serve exited").unwrap();
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.split("正在预览：http://").nth(1) {
                break rest
                    .split(['/', ' '])
                    .next()
                    .unwrap()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
        };
        // The line after it says whether editing is on (stdout) — or the warning went to stderr.
        if bind.starts_with("127.") {
            banner.push_str(&lines.next().unwrap().unwrap());
            std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        } else {
            let mut e = BufReader::new(stderr);
            let mut err = String::new();
            while !err.contains("编辑功能已关闭") {
                let mut l = String::new();
                if e.read_line(&mut l).unwrap() == 0 {
                    break;
                }
                err.push_str(&l);
            }
            banner.push_str(&err);
            std::thread::spawn(move || for _ in e.lines() {});
        }
        std::thread::spawn(move || for _ in lines {});
        Editor {
            child,
            port,
            banner,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A raw request; `headers` are added after Host (give `host` to replace it).
    fn raw(
        &self,
        method: &str,
        path: &str,
        host: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (status, head.to_string(), body.to_string())
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (s, _, b) = self.raw("GET", path, &self.host(), &[], "");
        (s, b)
    }

    fn json(&self, path: &str) -> Value {
        let (s, b) = self.get(path);
        assert_eq!(s, 200, "{path}: {b}");
        serde_json::from_str(&b).unwrap()
    }

    /// The token, from the editor page's meta tag.
    fn token(&self) -> String {
        let (s, page) = self.get("/edit/");
        assert_eq!(s, 200, "{page}");
        page.split("name=gongkai-token content=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string()
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let (s, _, b) = self.raw(
            "POST",
            path,
            &self.host(),
            &[
                ("Content-Type", "application/json"),
                ("X-Gongkai-Token", token),
                ("Origin", &format!("http://{}", self.host())),
            ],
            &body.to_string(),
        );
        (
            s,
            serde_json::from_str(&b).unwrap_or_else(|_| json!({"raw": b})),
        )
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cell(part: &str, row: &[&str], column: &[&str], value: Value) -> Value {
    json!({"part": part, "row": row, "column": column, "value": value})
}

const GRANTED: [&str; 2] = ["三、本年度办理结果", "（一）予以公开"];

#[test]
fn the_api_flow_on_a_copy_of_the_bundled_site() {
    let site = temp_site("bundled");
    let yaml = site.path().join("content/2020/report.yaml");
    let md = site.path().join("content/2020/report.md");
    let original = fs::read_to_string(&yaml).unwrap();
    let original_md = fs::read_to_string(&md).unwrap();
    let ed = Editor::start(site.path(), "127.0.0.1");
    assert!(ed.banner.contains("/edit/"), "{}", ed.banner);
    let token = ed.token();
    assert_eq!(token.len(), 64);

    assert_eq!(
        ed.json("/api/years"),
        json!([{"year": 2020, "edition": "2019", "errors": 0, "warnings": 5}])
    );
    let year = ed.json("/api/2020");
    let hash = year["hash"].as_str().unwrap().to_string();
    assert_eq!(year["edition"], "2019");
    let cells = year["cells"].as_array().unwrap();
    assert!(
        cells.len() > 150,
        "every cell of the edition: {}",
        cells.len()
    );
    let money = cells
        .iter()
        .find(|c| c["column"] == json!(["采购总金额"]))
        .unwrap();
    assert_eq!(
        (money["value"].clone(), money["text"].clone()),
        (json!(169844), json!("169844"))
    );
    // The same diagnostics as `gongkai check --format json`.
    let (_, checked) = check_json(site.path());
    let listed: Vec<(&Value, &Value)> = year["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (&d["rule"], &d["line"]))
        .collect();
    let expected: Vec<(&Value, &Value)> =
        checked.iter().map(|d| (&d["rule"], &d["line"])).collect();
    assert_eq!(listed, expected);

    // A broken sum: R3.3 at the row's 总计, R3.2 at the column's; nothing written.
    let (s, r) = ed.post(
        "/api/2020/check",
        &token,
        &json!({"changes": [cell("三", &GRANTED, &["申请人情况", "自然人"], json!(5))]}),
    );
    assert_eq!(s, 200, "{r}");
    let at = |rule: &str| {
        r["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == rule)
            .map(|d| d["cell"].clone())
    };
    assert_eq!(
        at("R3.3"),
        Some(json!({"part": "三", "row": GRANTED, "column": ["申请人情况", "总计"]}))
    );
    assert_eq!(
        at("R3.2"),
        Some(
            json!({"part": "三", "row": ["三、本年度办理结果", "（七）总计"], "column": ["申请人情况", "自然人"]})
        )
    );
    assert_eq!(
        fs::read_to_string(&yaml).unwrap(),
        original,
        "a check writes nothing"
    );

    // Refused changes: a cell the edition does not have, a value that is not one.
    for (change, words) in [
        (
            cell(
                "三",
                &["三、本年度办理结果", "（八）其他"],
                &["申请人情况", "自然人"],
                json!(1),
            ),
            "没有",
        ),
        (
            cell("三", &GRANTED, &["申请人情况", "自然人"], json!("1,000")),
            "千位分隔符",
        ),
        (
            cell("三", &GRANTED, &["申请人情况", "自然人"], json!(-2)),
            "不能为负数",
        ),
        (
            cell(
                "二",
                &["第二十条第（九）项", "政府集中采购"],
                &["采购总金额"],
                json!("5美元"),
            ),
            "采购总金额",
        ),
    ] {
        let (s, r) = ed.post(
            "/api/2020/save",
            &token,
            &json!({"hash": hash, "changes": [change]}),
        );
        assert_eq!(s, 422, "{r}");
        assert!(r["message"].as_str().unwrap().contains(words), "{r}");
        assert_eq!(r["change"], 0);
    }
    assert_eq!(
        fs::read_to_string(&yaml).unwrap(),
        original,
        "a refused save writes nothing"
    );

    // One change: the file differs only in that value's bytes.
    let (s, r) = ed.post(
        "/api/2020/save",
        &token,
        &json!({"hash": hash, "changes": [cell("三", &GRANTED, &["申请人情况", "自然人"], json!(5))]}),
    );
    assert_eq!(s, 200, "{r}");
    let saved = fs::read_to_string(&yaml).unwrap();
    let line = line_of(&yaml, &[P3, R3, "（一）予以公开", "自然人"]);
    let offset: usize = original
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>()
        + "      自然人: ".len();
    assert_eq!(&original[offset..offset + 1], "0");
    assert_eq!(
        saved,
        format!("{}5{}", &original[..offset], &original[offset + 1..])
    );
    let new_hash = r["hash"].as_str().unwrap().to_string();
    assert_ne!(new_hash, hash);
    assert!(
        r["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "R3.3")
    );

    // A stale hash: 409 with what changed, nothing written.
    let (s, r) = ed.post(
        "/api/2020/save",
        &token,
        &json!({"hash": hash, "changes": [cell("三", &GRANTED, &["申请人情况", "商业企业"], json!(1))]}),
    );
    assert_eq!(s, 409, "{r}");
    assert_eq!(r["hash"], new_hash);
    assert_eq!(
        r["changed"],
        json!([{"what": "三、收到和处理政府信息公开申请情况 › 三、本年度办理结果 › （一）予以公开 › 自然人", "was": "0", "now": "5"}])
    );
    assert_eq!(
        fs::read_to_string(&yaml).unwrap(),
        saved,
        "a stale save writes nothing"
    );

    // The narrative: only the changed part's text changes.
    let (s, r) = ed.post(
        "/api/2020/save",
        &token,
        &json!({"hash": new_hash, "changes": [
            {"part": "六", "text": "本年度无收费。\n"},
            cell("三", &GRANTED, &["申请人情况", "自然人"], json!(0)),
        ]}),
    );
    assert_eq!(s, 200, "{r}");
    let new_md = fs::read_to_string(&md).unwrap();
    assert_eq!(
        new_md,
        original_md.replace("无其他需要报告的事项。", "本年度无收费。")
    );
    assert_ne!(new_md, original_md);
    assert_eq!(
        fs::read_to_string(&yaml).unwrap(),
        original,
        "the value back: the file as it was"
    );
    // The preview rebuilds from the saved files, as after any other save.
    let end = std::time::Instant::now() + Duration::from_secs(20);
    while !ed.get("/2020/").1.contains("本年度无收费。") {
        assert!(
            std::time::Instant::now() < end,
            "the preview shows the saved text"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let year = ed.json("/api/2020");
    let six = year["narrative"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == "六")
        .unwrap()
        .clone();
    assert_eq!(six["text"], "本年度无收费。");
}

#[test]
fn the_guard_refuses_on_the_real_server_and_nothing_is_written() {
    let site = temp_site("bundled");
    let before = snapshot(site.path());
    let ed = Editor::start(site.path(), "127.0.0.1");
    let token = ed.token();
    let hash = ed.json("/api/2020")["hash"].as_str().unwrap().to_string();
    let body = json!({"hash": hash, "changes": [cell("三", &GRANTED, &["申请人情况", "自然人"], json!(9))]}).to_string();
    let own = ed.host();
    let origin = format!("http://{own}");
    /// What is sent: the case, the Host, the other headers, the status expected.
    type Case<'a> = (&'a str, String, Vec<(&'a str, String)>, u16);
    let cases: Vec<Case> = vec![
        (
            "no token",
            own.clone(),
            vec![("Content-Type", "application/json".into())],
            403,
        ),
        (
            "a wrong token",
            own.clone(),
            vec![
                ("Content-Type", "application/json".into()),
                ("X-Gongkai-Token", "0".repeat(64)),
            ],
            403,
        ),
        (
            "a foreign Host",
            format!("evil.example:{}", ed.port),
            vec![
                ("Content-Type", "application/json".into()),
                ("X-Gongkai-Token", token.clone()),
            ],
            403,
        ),
        (
            "a rebound Host without a port",
            "127.0.0.1".into(),
            vec![
                ("Content-Type", "application/json".into()),
                ("X-Gongkai-Token", token.clone()),
            ],
            403,
        ),
        (
            "a foreign Origin",
            own.clone(),
            vec![
                ("Content-Type", "application/json".into()),
                ("X-Gongkai-Token", token.clone()),
                ("Origin", "http://evil.example".into()),
            ],
            403,
        ),
        (
            "Origin null",
            own.clone(),
            vec![
                ("Content-Type", "application/json".into()),
                ("X-Gongkai-Token", token.clone()),
                ("Origin", "null".into()),
            ],
            403,
        ),
        (
            "a simple cross-site request",
            own.clone(),
            vec![
                ("Content-Type", "text/plain".into()),
                ("X-Gongkai-Token", token.clone()),
                ("Origin", origin.clone()),
            ],
            415,
        ),
    ];
    for (what, host, headers, want) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, b) = ed.raw("POST", "/api/2020/save", &host, &headers, &body);
        assert_eq!(s, want, "{what}: {b}");
        assert!(b.contains("message"), "{what}: {b}");
    }
    // Reading the editor through a foreign name gives nothing, least of all the token.
    let (s, _, page) = ed.raw(
        "GET",
        "/edit/2020/",
        &format!("evil.example:{}", ed.port),
        &[],
        "",
    );
    assert_eq!(s, 403);
    assert!(!page.contains(&token));
    let (s, _, _) = ed.raw(
        "GET",
        "/api/2020",
        &format!("evil.example:{}", ed.port),
        &[],
        "",
    );
    assert_eq!(s, 403);
    // The form without JavaScript: refused without the token, and from another site's form.
    let form = format!("hash={hash}&c5-2-0=9");
    let form_headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let (s, _, _) = ed.raw("POST", "/edit/2020/", &own, &form_headers, &form);
    assert_eq!(s, 403);
    let (s, _, _) = ed.raw(
        "POST",
        "/edit/2020/",
        &own,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", "http://evil.example"),
        ],
        &format!("token={token}&{form}"),
    );
    assert_eq!(s, 403);
    assert_eq!(snapshot(site.path()), before, "no refusal wrote anything");

    // The happy path of both: the API with the header, the form with the field.
    let (s, r) = ed.post(
        "/api/2020/save",
        &token,
        &serde_json::from_str(&body).unwrap(),
    );
    assert_eq!(s, 200, "{r}");
    let hash = r["hash"].as_str().unwrap().to_string();
    let yaml = site.path().join("content/2020/report.yaml");
    assert!(
        fs::read_to_string(&yaml)
            .unwrap()
            .contains("      自然人: 9\n")
    );
    // The form sends every field; only those that differ from the page are saved.
    let (_, page) = ed.get("/edit/2020/");
    let mut fields = vec![
        ("token".to_string(), token.clone()),
        ("hash".to_string(), hash.clone()),
    ];
    for part in page.split("<input id=").skip(1) {
        let name = part.split(' ').next().unwrap().to_string();
        let value = part
            .split("value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or("")
            .to_string();
        if name.starts_with('c') || name.starts_with("meta-") {
            fields.push((name, value));
        }
    }
    for f in fields.iter_mut() {
        if f.0 == "c5-2-0" {
            f.1 = "7".into();
        }
    }
    let encoded: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&");
    let (s, head, b) = ed.raw(
        "POST",
        "/edit/2020/",
        &own,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &origin),
        ],
        &encoded,
    );
    assert_eq!(s, 303, "{head}\n{b}");
    assert!(
        head.to_ascii_lowercase().contains("location: ./?saved=1"),
        "{head}"
    );
    let text = fs::read_to_string(&yaml).unwrap();
    assert!(text.contains("      自然人: 7\n"), "saved by the form");
    let after = snapshot(site.path());
    let changed: Vec<&String> = after
        .keys()
        .filter(|k| after.get(*k) != before.get(*k))
        .collect();
    assert_eq!(changed, vec!["content/2020/report.yaml"]);
    // The form from a stale page: 409, its values kept in the page, the file untouched.
    let stale = encoded.replace("c5-2-0=7", "c5-2-0=8");
    let (s, _, page) = ed.raw(
        "POST",
        "/edit/2020/",
        &own,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &stale,
    );
    assert_eq!(s, 409);
    assert!(
        page.contains("已被其他程序修改") && page.contains("自然人：9 → 7"),
        "what changed"
    );
    assert!(
        page.contains("id=c5-2-0 name=c5-2-0 value=\"8\""),
        "the clerk's value is kept in the form"
    );
    assert_eq!(fs::read_to_string(&yaml).unwrap(), text);
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn editing_is_off_when_serve_listens_beyond_this_computer() {
    let site = temp_site("bundled");
    let before = snapshot(site.path());
    let ed = Editor::start(site.path(), "0.0.0.0");
    assert!(ed.banner.contains("编辑功能已关闭"), "{}", ed.banner);
    for (method, path) in [
        ("GET", "/edit/"),
        ("GET", "/edit/2020/"),
        ("GET", "/api/2020"),
        ("POST", "/api/2020/save"),
    ] {
        let (s, _, b) = ed.raw(
            method,
            path,
            &ed.host(),
            &[
                ("Content-Type", "application/json"),
                ("X-Gongkai-Token", &"0".repeat(64)),
            ],
            "{}",
        );
        assert_eq!(s, 403, "{method} {path}: {b}");
        assert!(b.contains("编辑功能已关闭"), "{b}");
        assert!(!b.contains("gongkai-token content=\"0"), "{b}");
    }
    // The preview itself is served as before.
    assert_eq!(ed.get("/2020/").0, 200);
    assert_eq!(snapshot(site.path()), before);
}

#[test]
fn a_platform_is_edited_body_by_body() {
    let site = temp_site("platform");
    let ed = Editor::start(site.path(), "127.0.0.1");
    let token = ed.token();
    let bodies = ed.json("/api/bodies");
    let folders: Vec<&str> = bodies
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["folder"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["shili-jiedao", "shili-ju", "shili-zhen"]);
    let years = ed.json("/api/shili-zhen/years");
    let year = years.as_array().unwrap().last().unwrap()["year"]
        .as_u64()
        .unwrap();
    let data = ed.json(&format!("/api/shili-zhen/{year}"));
    let hash = data["hash"].as_str().unwrap();
    let yaml = site
        .path()
        .join(format!("shili-zhen/content/{year}/report.yaml"));
    let before = fs::read_to_string(&yaml).unwrap();
    let (s, r) = ed.post(
        &format!("/api/shili-zhen/{year}/save"),
        &token,
        &json!({"hash": hash, "changes": [{"meta": "发布日期", "value": format!("{}-01-18", year + 1)}]}),
    );
    assert_eq!(s, 200, "{r}");
    let after = fs::read_to_string(&yaml).unwrap();
    assert!(
        after.contains(&format!("发布日期: {}-01-18", year + 1)),
        "{after}"
    );
    assert_eq!(
        after.lines().count(),
        before.lines().count() + usize::from(!before.contains("发布日期:"))
    );
    // Diagnostics carry the body's folder, as `check` prints them.
    let (s, r) = ed.post("/api/shili-ju/2022/check", &token, &json!({"changes": []}));
    assert_eq!(s, 200);
    let files: Vec<&str> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(
        !files.is_empty() && files.iter().all(|f| f.starts_with("shili-ju/")),
        "{files:?}"
    );
    assert_eq!(ed.get("/api/nobody/years").0, 404);
    let (s, page) = ed.get(&format!("/edit/shili-zhen/{year}/"));
    assert_eq!(s, 200);
    assert!(
        page.contains(&format!("href=../../../shili-zhen/{year}/index.html")),
        "the preview link"
    );
    // A year with errors is left out of a platform's preview, so the page does not link to it.
    let (_, page) = ed.get("/edit/shili-ju/2022/");
    assert!(
        page.contains("本年度有错误，预览中暂不显示")
            && !page.contains("href=../../../shili-ju/2022/index.html")
    );
}

#[test]
fn a_new_year_is_started_from_the_editor() {
    let site = temp_site("bundled");
    let ed = Editor::start(site.path(), "127.0.0.1");
    let token = ed.token();
    let (s, r) = ed.post("/api/years", &token, &json!({"year": 2021}));
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["edition"], "2021");
    assert!(site.path().join("content/2021/report.yaml").is_file());
    let (s, r) = ed.post("/api/years", &token, &json!({"year": 2021}));
    assert_eq!(s, 409, "never overwritten: {r}");
    let (s, _) = ed.post("/api/years", &token, &json!({"year": 2011}));
    assert_eq!(s, 422);
    // The same from the page's form.
    let (s, head, _) = ed.raw(
        "POST",
        "/edit/",
        &ed.host(),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("token={token}&year=2022"),
    );
    assert_eq!(s, 303);
    assert!(head.contains("2022/"));
    assert!(site.path().join("content/2022/report.md").is_file());
    // 二、上年结转 was carried from 2021's 四、结转下年度继续办理 (all 0 there).
    let years = ed.json("/api/years");
    assert_eq!(years.as_array().unwrap().len(), 3);
}

/// Done when: in an empty folder, `gongkai init` then `gongkai serve` lets a new clerk fill a
/// whole 2025 report in the browser, and `gongkai build` publishes it.
#[test]
fn a_new_office_fills_a_whole_report_without_a_text_editor_and_publishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("街道");
    let out = gongkai(&[
        "init",
        root.to_str().unwrap(),
        "--name",
        "示例市示例区示例街道办事处",
        "--kind",
        "街道办事处",
        "--year",
        "2025",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ed = Editor::start(&root, "127.0.0.1");
    let token = ed.token();
    let data = ed.json("/api/2025");
    let hash = data["hash"].as_str().unwrap();
    fn r(a: &str) -> Vec<&str> {
        vec!["三、本年度办理结果", a]
    }
    let t3 = |row: Vec<&str>, col: &str, v: i64| cell("三", &row, &["申请人情况", col], json!(v));
    let mut changes = vec![
        t3(vec!["一、本年新收政府信息公开申请数量"], "自然人", 6),
        t3(vec!["一、本年新收政府信息公开申请数量"], "总计", 6),
        t3(r("（一）予以公开"), "自然人", 4),
        t3(r("（一）予以公开"), "总计", 4),
        t3(
            r("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            "自然人",
            1,
        ),
        t3(
            r("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            "总计",
            1,
        ),
        t3(r("（七）总计"), "自然人", 5),
        t3(r("（七）总计"), "总计", 5),
        t3(vec!["四、结转下年度继续办理"], "自然人", 1),
        t3(vec!["四、结转下年度继续办理"], "总计", 1),
        cell(
            "二",
            &["第二十条第（一）项", "行政规范性文件"],
            &["本年制发件数"],
            json!(3),
        ),
        cell(
            "二",
            &["第二十条第（一）项", "行政规范性文件"],
            &["现行有效件数"],
            json!(3),
        ),
        cell(
            "二",
            &["第二十条第（八）项", "行政事业性收费"],
            &["本年收费金额（单位：万元）"],
            json!("1.5"),
        ),
        json!({"meta": "发布日期", "value": "2026-01-20"}),
        json!({"part": "导语", "text": "本报告根据《中华人民共和国政府信息公开条例》编制。"}),
    ];
    for (part, text) in [
        ("一", "2025年，本街道主动公开政府信息120条。"),
        ("二", ""),
        ("五", "存在的问题：公开内容还不够全面。改进情况：加强培训。"),
        ("六", "无其他需要报告的事项。"),
    ] {
        changes.push(json!({"part": part, "text": text}));
    }
    let (s, r) = ed.post(
        "/api/2025/save",
        &token,
        &json!({"hash": hash, "changes": changes}),
    );
    assert_eq!(s, 200, "{r}");
    let errors: Vec<&Value> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    drop(ed);
    let (code, diags) = check_json(&root);
    assert_eq!(code, 0, "{diags:?}");
    let out = gongkai(&["build", "--root", root.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = fs::read_to_string(root.join("public/2025/index.html")).unwrap();
    assert!(
        page.contains("主动公开政府信息120条") && page.contains("2026-01-20"),
        "published"
    );
    let data: Value =
        serde_json::from_str(&fs::read_to_string(root.join("public/data/2025.json")).unwrap())
            .unwrap();
    assert!(
        data["cells"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["column"] == json!(["本年收费金额（单位：万元）"])
                && c["value"] == json!(1.5))
    );
}

#[test]
fn the_editor_pages_are_compact() {
    let site = temp_site("bundled");
    let ed = Editor::start(site.path(), "127.0.0.1");
    for path in ["/edit/", "/edit/2020/"] {
        let (s, page) = ed.get(path);
        assert_eq!(s, 200);
        let mut cfg = minify_html::Cfg::new();
        cfg.keep_closing_tags = true;
        cfg.keep_html_and_head_opening_tags = true;
        let min = minify_html::minify(page.as_bytes(), &cfg);
        let saved = 1.0 - min.len() as f64 / page.len() as f64;
        assert!(
            saved < 0.03,
            "{path}: minify-html removes {:.1}%",
            saved * 100.0
        );
    }
}
