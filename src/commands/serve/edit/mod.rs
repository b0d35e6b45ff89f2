//! The clerk's desk: a form editor in `gongkai serve` (`/edit/`) and the JSON API it uses
//! (`/api/`).
//!
//! - `/edit/`: the years with their check status and 新建年度 (what `gongkai new` does); on a
//!   platform first the bodies (`/edit/<body>/`).
//! - `/edit/<year>/` (`/edit/<body>/<year>/`): the three tables as forms laid out like the
//!   published tables, the narrative as one text area per part, the diagnostics beside their
//!   cells and in a list, a Save button and a link to the year's preview.
//! - `/api/years`, `/api/<year>`, `/api/<year>/check`, `/api/<year>/save` (on a platform with
//!   the body's folder first: `/api/<body>/years` …; `/api/bodies` lists the bodies).
//!
//! Reading and checking go through the pipeline every command uses (`project::Body::check_with`
//! with the year's edited texts in place of its files); writing goes through the splice writers
//! beside the loader (`load::report::splice`, `load::narrative::splice`), which change only the
//! bytes of what changed, read the result back and refuse anything else. A save compares the
//! version the form was loaded from with the files on disk (409 when they differ, nothing
//! written) and replaces each file in one rename ([`store`]). The preview's watcher sees the
//! files change and rebuilds as for any other save.
//!
//! Every request passes the [`guard`] (loopback only, `Host`, `Origin`, the token).
//!
//! Without JavaScript the form still saves: it is a plain form POST carrying the token in a
//! hidden field (a form cannot send a header), checked by the same guard; the server compares
//! each field with what the page showed and saves only the differences, exactly as the script
//! does through the API. Saving must not depend on the script: a clerk's browser may block it
//! (an old 360 or QQ browser in compatibility mode, a school or office policy), and a form that
//! submits is the most robust thing a screen reader user can meet. The token is still required,
//! so a page on another site can no more submit this form than call the API. Live totals and
//! live checks need the script; without it, the check runs when the form is saved.

mod guard;
mod model;
mod page;
mod store;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::any;
use serde::Deserialize;
use serde_json::json;

use crate::load::narrative;
use crate::load::report::splice::{self, Target};
use crate::project::Project;
use guard::Guard;
use model::{BodyAt, ChangeIn, Mode, Problem, Resolved};
use page::{Banner, Crumb, Frame};
use store::Version;

/// How many versions of a year are remembered (to say what changed when a save meets a newer
/// file).
const VERSIONS_KEPT: usize = 16;

/// The editor of one `serve` process.
pub struct Editor {
    root: PathBuf,
    guard: Guard,
    /// One save at a time.
    lock: Mutex<()>,
    /// Versions served and saved, by body folder and year, newest last.
    versions: Mutex<HashMap<(String, u16), Vec<Version>>>,
}

impl Editor {
    /// The editor of the project at `root`, served at `addr` (editing is on only for a
    /// loopback address).
    pub fn new(root: PathBuf, addr: SocketAddr) -> Arc<Editor> {
        Arc::new(Editor {
            root,
            guard: Guard::new(addr),
            lock: Mutex::new(()),
            versions: Mutex::new(HashMap::new()),
        })
    }

    /// Whether editing is on.
    pub fn enabled(&self) -> bool {
        self.guard.enabled()
    }

    fn remember(&self, folder: &str, year: u16, v: &Version) {
        if let Ok(mut map) = self.versions.lock() {
            let list = map.entry((folder.to_string(), year)).or_default();
            if !list.iter().any(|x| x.hash == v.hash) {
                list.push(v.clone());
                if list.len() > VERSIONS_KEPT {
                    list.remove(0);
                }
            }
        }
    }

    fn known(&self, folder: &str, year: u16, hash: &str) -> Option<Version> {
        let map = self.versions.lock().ok()?;
        map.get(&(folder.to_string(), year))?
            .iter()
            .find(|v| v.hash == hash)
            .cloned()
    }

    /// Save `changes` over the version `hash` of the year: 409 when the files on disk are no
    /// longer that version, 422 when a change names no cell or holds no valid value; nothing
    /// is written then.
    fn save(
        &self,
        body: &BodyAt,
        year: u16,
        hash: &str,
        changes: &[ChangeIn],
    ) -> Result<(Version, model::YearData), Problem> {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let version = model::read_version(body, year)?;
        if version.hash != hash {
            return Err(self.conflict(body, year, hash, &version));
        }
        let edition = model::edition_of(year, &version);
        let resolved = model::resolve(edition, changes, Mode::Save)?;
        let (data, edited) = model::year_data(body, year, &version, &resolved)?;
        read_back(&data, &resolved)?;
        let (yaml_path, md_path) = store::year_files(&body.root(), year);
        let new_yaml = edited.yaml.map(|s| s.text).or(version.yaml.clone());
        let new_md = edited.md.map(|s| s.text).or(version.md.clone());
        let mut prepared = Vec::new();
        for (path, new, old) in [
            (&yaml_path, &new_yaml, &version.yaml),
            (&md_path, &new_md, &version.md),
        ] {
            if let Some(text) = new
                && new != old
            {
                prepared.push(store::prepare(path, text).map_err(|e| {
                    Problem::new(
                        500,
                        format!(
                            "无法写入 {}：{}。文件没有改动。",
                            path.display(),
                            crate::load::read::io_reason(&e)
                        ),
                    )
                })?);
            }
        }
        // The files must still be the version checked: another program may have written them
        // while this save was being prepared.
        let again = model::read_version(body, year)?;
        if again.hash != version.hash {
            return Err(self.conflict(body, year, hash, &again));
        }
        for p in prepared {
            p.commit().map_err(|e| {
                Problem::new(
                    500,
                    format!("保存失败：{}", crate::load::read::io_reason(&e)),
                )
            })?;
        }
        let saved = Version::new(new_yaml, new_md);
        self.remember(&body.folder, year, &saved);
        Ok((saved, data))
    }

    fn conflict(&self, body: &BodyAt, year: u16, hash: &str, now: &Version) -> Problem {
        self.remember(&body.folder, year, now);
        let base = self.known(&body.folder, year, hash);
        let (message, changed) = match &base {
            Some(b) => (
                "文件在您打开编辑页面后已被其他程序修改，您的修改没有保存，文件也没有改动。下面列出了文件中变了的地方；可以在新版本上重新保存您的修改，或放弃您的修改、载入新版本。",
                model::changed(year, b, now),
            ),
            None => (
                "文件已不是您打开编辑页面时的版本（预览服务可能重启过），您的修改没有保存，文件也没有改动。可以在新版本上重新保存您的修改，或放弃您的修改、载入新版本。",
                Vec::new(),
            ),
        };
        Problem::new(409, message)
            .with("hash", now.hash.clone().into())
            .with("changed", changed.into())
    }

    /// The API: `(status, JSON)`.
    fn api(
        &self,
        method: &Method,
        path: &str,
        body: &[u8],
    ) -> Result<(u16, serde_json::Value), Problem> {
        let project = Project::open(&self.root).map_err(|e| Problem::new(404, e.to_string()))?;
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (at, rest) = if project.is_platform() {
            if segs == ["bodies"] {
                return match *method {
                    Method::GET => Ok((200, json!(self.bodies(&project)))),
                    _ => Err(not_allowed()),
                };
            }
            let Some(folder) = segs.first() else {
                return Err(Problem::new(
                    404,
                    "平台的接口地址要带机关文件夹：/api/<机关>/years。",
                ));
            };
            if !project.folders.iter().any(|f| f == folder) {
                return Err(Problem::new(404, format!("平台中没有机关「{folder}」。")));
            }
            (model::body_at(&self.root, folder), &segs[1..])
        } else {
            (model::body_at(&self.root, ""), &segs[..])
        };
        match rest {
            ["years"] => match *method {
                Method::GET => {
                    let (_, list) = model::years(&at);
                    Ok((200, json!(list)))
                }
                Method::POST => {
                    #[derive(Deserialize)]
                    struct NewYear {
                        year: u16,
                    }
                    let req: NewYear = parse_json(body)?;
                    self.new_year(&at, req.year).map(|created| (201, created))
                }
                _ => Err(not_allowed()),
            },
            [y] => {
                let year = parse_year(y)?;
                if *method != Method::GET {
                    return Err(not_allowed());
                }
                let version = model::read_version(&at, year)?;
                self.remember(&at.folder, year, &version);
                let (data, _) = model::year_data(&at, year, &version, &Resolved::default())?;
                Ok((200, json!(data.to_json(&version.hash))))
            }
            [y, "check"] => {
                let year = parse_year(y)?;
                if *method != Method::POST {
                    return Err(not_allowed());
                }
                #[derive(Deserialize)]
                struct CheckIn {
                    #[serde(default)]
                    changes: Vec<ChangeIn>,
                }
                let req: CheckIn = parse_json(body)?;
                let version = model::read_version(&at, year)?;
                let edition = model::edition_of(year, &version);
                let resolved = model::resolve(edition, &req.changes, Mode::Check)?;
                let (data, _) = model::year_data(&at, year, &version, &resolved)?;
                Ok((200, json!({"diagnostics": data.diagnostics_json()})))
            }
            [y, "save"] => {
                let year = parse_year(y)?;
                if *method != Method::POST {
                    return Err(not_allowed());
                }
                #[derive(Deserialize)]
                struct SaveIn {
                    hash: String,
                    #[serde(default)]
                    changes: Vec<ChangeIn>,
                }
                let req: SaveIn = parse_json(body)?;
                let (saved, _) = self.save(&at, year, &req.hash, &req.changes)?;
                // The diagnostics of the files as saved.
                let (data, _) = model::year_data(&at, year, &saved, &Resolved::default())?;
                Ok((
                    200,
                    json!({"hash": saved.hash, "diagnostics": data.diagnostics_json()}),
                ))
            }
            _ => Err(Problem::new(404, "没有这个接口。")),
        }
    }

    fn bodies(&self, project: &Project) -> Vec<page::BodyItem> {
        project
            .check()
            .iter()
            .map(|b| {
                let (errors, warnings) = b.counts();
                page::BodyItem {
                    folder: b.folder.clone(),
                    name: b.name(),
                    errors,
                    warnings,
                }
            })
            .collect()
    }

    fn new_year(&self, at: &BodyAt, year: u16) -> Result<serde_json::Value, Problem> {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        use crate::commands::new::{NewError, new_year};
        match new_year(&at.root(), year) {
            Ok(created) => Ok(json!({
                "year": year,
                "edition": created.edition.id,
                "files": created
                    .files
                    .iter()
                    .map(|f| crate::load::read::rel_name(&self.root, f))
                    .collect::<Vec<_>>(),
                "carried": created
                    .carried
                    .iter()
                    .map(|(label, value)| json!({"what": label, "value": value}))
                    .collect::<Vec<_>>(),
                "notes": created.notes,
            })),
            Err(e @ NewError::Exists(_)) => Err(Problem::new(409, e.to_string())),
            Err(e @ NewError::NoEdition(_)) => Err(Problem::new(422, e.to_string())),
            Err(e @ NewError::NotASite(_)) => Err(Problem::new(404, e.to_string())),
            Err(e @ NewError::Io(..)) => Err(Problem::new(500, e.to_string())),
        }
    }

    /// An editor page: `(status, HTML)` or a redirect.
    fn page(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        form: &[(String, String)],
    ) -> PageOut {
        let depth = path.split('/').filter(|s| !s.is_empty()).count();
        let mut frame = Frame {
            title: "gongkai 编辑器".into(),
            root: "../".repeat(depth),
            token: self.guard.token().to_string(),
            crumbs: Vec::new(),
        };
        let project = match Project::open(&self.root) {
            Ok(p) => p,
            Err(e) => {
                return PageOut::Html(
                    404,
                    page::message(&frame, "不是 gongkai 站点", &e.to_string()),
                );
            }
        };
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (at, rest) = if let Some(platform) = project
            .platform()
            .map(|p| p.name.clone())
            .or_else(|| project.is_platform().then(|| "平台".to_string()))
        {
            frame.crumbs.push(Crumb {
                text: platform.clone(),
                url: if segs.is_empty() {
                    String::new()
                } else {
                    frame.root.clone()
                },
            });
            let Some(folder) = segs.first() else {
                if *method != Method::GET {
                    return PageOut::Html(
                        405,
                        page::message(&frame, "不支持的请求", "这个页面只能浏览。"),
                    );
                }
                frame.title = format!("{platform} — gongkai 编辑器");
                return PageOut::Html(200, page::bodies(&frame, &platform, &self.bodies(&project)));
            };
            if !project.folders.iter().any(|f| f == folder) {
                return PageOut::Html(
                    404,
                    page::message(
                        &frame,
                        "没有这个机关",
                        &format!("平台中没有机关文件夹「{folder}」。"),
                    ),
                );
            }
            (model::body_at(&self.root, folder), &segs[1..])
        } else {
            (model::body_at(&self.root, ""), &segs[..])
        };
        // The body's pages in the preview, from this page: up to the site's root, then its folder.
        let body_root_url = format!("../{}{}", frame.root, at.prefix());
        match rest {
            [] => self.years_page(&mut frame, &at, &body_root_url, method, form),
            [y] => match parse_year(y) {
                Ok(year) => {
                    self.year_page(&mut frame, &at, &body_root_url, year, method, query, form)
                }
                Err(p) => PageOut::Html(404, page::message(&frame, "页面不存在", &p.message)),
            },
            _ => PageOut::Html(
                404,
                page::message(&frame, "页面不存在", "编辑器中没有这个页面。"),
            ),
        }
    }

    fn years_page(
        &self,
        frame: &mut Frame,
        at: &BodyAt,
        body_root_url: &str,
        method: &Method,
        form: &[(String, String)],
    ) -> PageOut {
        let mut banner = None;
        let mut status = 200;
        if *method == Method::POST {
            let field = form
                .iter()
                .find(|(k, _)| k == "year")
                .map(|(_, v)| v.trim());
            match field.map(parse_year) {
                Some(Ok(year)) => match self.new_year(at, year) {
                    Ok(_) => return PageOut::Redirect(format!("{year}/")),
                    Err(p) => {
                        status = p.status;
                        banner = Some(Banner {
                            kind: "error".into(),
                            text: p.message,
                            items: Vec::new(),
                        });
                    }
                },
                _ => {
                    status = 422;
                    banner = Some(Banner {
                        kind: "error".into(),
                        text: "请填写四位数的年度，如 2025。".into(),
                        items: Vec::new(),
                    });
                }
            }
        } else if *method != Method::GET {
            return PageOut::Html(
                405,
                page::message(frame, "不支持的请求", "这个页面只能浏览或新建年度。"),
            );
        }
        let (checked, list) = model::years(at);
        let name = checked.name();
        let platform = !at.folder.is_empty();
        let site = format!("{}site.toml", at.prefix());
        let site_diags: Vec<crate::diagnostic::Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.file() == site)
            .cloned()
            .collect();
        let suggested = list
            .iter()
            .map(|y| y.year + 1)
            .max()
            .unwrap_or_else(crate::commands::init::due_year);
        frame.title = format!("{name}：年度报告 — gongkai 编辑器");
        frame.crumbs.push(Crumb {
            text: name.clone(),
            url: String::new(),
        });
        let list: Vec<serde_json::Value> = list
            .iter()
            .map(|y| {
                // A platform's preview leaves out a year with errors (as its build does).
                let shown = !(platform && y.errors > 0);
                json!({"year": y.year, "edition_name": y.edition_name, "errors": y.errors, "warnings": y.warnings, "preview": shown})
            })
            .collect();
        PageOut::Html(
            status,
            page::years(
                frame,
                &name,
                &list,
                crate::diagnostic::counts(&site_diags),
                body_root_url,
                suggested,
                banner.as_ref(),
            ),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn year_page(
        &self,
        frame: &mut Frame,
        at: &BodyAt,
        body_root_url: &str,
        year: u16,
        method: &Method,
        query: Option<&str>,
        form: &[(String, String)],
    ) -> PageOut {
        let api = format!("../{}api/{}{year}/", frame.root, at.prefix());
        let mut preview = format!("{body_root_url}{year}/index.html");
        let now = match model::read_version(at, year) {
            Ok(v) => v,
            Err(p) => return PageOut::Html(p.status, page::message(frame, "无法读取", &p.message)),
        };
        self.remember(&at.folder, year, &now);
        let mut banner = None;
        let mut status = 200;
        let mut overrides = HashMap::new();
        if *method == Method::POST {
            let hash = form
                .iter()
                .find(|(k, _)| k == "hash")
                .map_or("", |(_, v)| v.as_str());
            let base = if hash == now.hash {
                Some(now.clone())
            } else {
                self.known(&at.folder, year, hash)
            };
            // The clerk's changes: what differs from what the form showed of its version.
            let mine = match &base {
                Some(b) => form_changes(at, year, b, form),
                None => form_changes(at, year, &now, form),
            };
            let (changes, shown_values) = match mine {
                Ok(m) => m,
                Err(p) => {
                    return PageOut::Html(p.status, page::message(frame, "无法读取", &p.message));
                }
            };
            overrides = shown_values;
            let result = if base.is_none() {
                Err(self.conflict(at, year, hash, &now))
            } else {
                self.save(at, year, hash, &changes)
            };
            match result {
                Ok(_) => return PageOut::Redirect("./?saved=1".into()),
                Err(p) => {
                    status = p.status;
                    let items: Vec<String> = p
                        .details
                        .get("changed")
                        .and_then(|c| c.as_array())
                        .map(|list| {
                            list.iter()
                                .map(|c| {
                                    format!(
                                        "{}：{} → {}",
                                        c["what"].as_str().unwrap_or(""),
                                        c["was"].as_str().unwrap_or("（无）"),
                                        c["now"].as_str().unwrap_or("（无）")
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let text = if p.status == 409 {
                        format!(
                            "{} 下面的表单显示文件现在的内容，并保留了您改动的栏目；请核对后再保存。",
                            p.message
                        )
                    } else {
                        format!("未保存：{}", p.message)
                    };
                    banner = Some(Banner {
                        kind: if p.status == 409 { "conflict" } else { "error" }.into(),
                        text,
                        items,
                    });
                }
            }
        } else if *method != Method::GET {
            return PageOut::Html(
                405,
                page::message(frame, "不支持的请求", "这个页面只能浏览或保存。"),
            );
        } else if query.is_some_and(|q| q.split('&').any(|kv| kv == "saved=1")) {
            banner = Some(Banner {
                kind: "ok".into(),
                text: "已保存。预览页面会自动更新。".into(),
                items: Vec::new(),
            });
        }
        // After a refused save the form shows the files as they are now.
        let version = model::read_version(at, year).unwrap_or(now);
        let (data, _) = match model::year_data(at, year, &version, &Resolved::default()) {
            Ok(d) => d,
            Err(p) => {
                return PageOut::Html(
                    p.status,
                    page::message(frame, "无法编辑这个年度", &p.message),
                );
            }
        };
        if !at.folder.is_empty() && data.counts().0 > 0 {
            // A platform's preview leaves out a year with errors (as its build does).
            preview.clear();
        }
        frame.title = format!("{} {year} 年度报告 — gongkai 编辑器", data.body_name);
        frame.crumbs.push(Crumb {
            text: data.body_name.clone(),
            url: "../".into(),
        });
        frame.crumbs.push(Crumb {
            text: format!("{year} 年度"),
            url: String::new(),
        });
        let html = page::year(&page::YearPage {
            frame,
            data: &data,
            hash: &version.hash,
            preview: &preview,
            api: &api,
            banner: banner.as_ref(),
            overrides: &overrides,
        });
        PageOut::Html(status, html)
    }
}

/// Every changed cell reads back as asked: the loader sees exactly the value saved.
fn read_back(data: &model::YearData, resolved: &Resolved) -> Result<(), Problem> {
    let mismatch = |what: String| {
        Problem::new(
            500,
            format!("修改后读回的「{what}」与要保存的不同，为避免损坏数据，未保存。"),
        )
    };
    for c in &resolved.cells {
        match c.target {
            Target::Cell { table, row, column } => {
                let want = splice::read_cell(data.edition, table, row, column, &c.text)
                    .map_err(|_| mismatch(c.text.clone()))?;
                let got = data.cell(c.target);
                if !got.is_some_and(|g| g.value == want.value && !g.is_computed()) {
                    return Err(mismatch(data.edition.tables[table].label_path(
                        data.edition,
                        row,
                        column,
                    )));
                }
            }
            Target::Meta(k) => {
                if data.written_text(c.target) != Some(c.text.as_str()) {
                    return Err(mismatch(k.to_string()));
                }
            }
        }
    }
    for (s, text) in &resolved.narrative {
        if data.section_text(*s) != narrative::editor_text(text) {
            return Err(mismatch(data.section_heading(*s)));
        }
    }
    Ok(())
}

/// The changes a plain form POST makes: each field that differs from what the page showed of
/// `version`; and the submitted values of those fields, to show again if the save is refused.
fn form_changes(
    at: &BodyAt,
    year: u16,
    version: &Version,
    form: &[(String, String)],
) -> Result<(Vec<ChangeIn>, HashMap<String, String>), Problem> {
    let (data, _) = model::year_data(at, year, version, &Resolved::default())?;
    let edition = data.edition;
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut changes = Vec::new();
    let mut shown = HashMap::new();
    for (name, value) in form {
        if let Some(t) = page::target_of(edition, name) {
            let unit_name = format!("u-{name}");
            let unit = field(&unit_name);
            let submitted = format!("{}{}", value.trim(), unit.unwrap_or(""));
            let before = match t {
                Target::Cell { .. } => page::shown(&data, t).0,
                Target::Meta(_) => data.written_text(t).unwrap_or("").to_string(),
            };
            if submitted == before.trim() {
                continue;
            }
            shown.insert(name.clone(), submitted.clone());
            if let Some(u) = unit {
                shown.insert(unit_name, u.to_string());
            }
            changes.push(match t {
                Target::Cell { .. } => {
                    let (part, row, column) = model::cell_name(edition, t).unwrap_or_default();
                    ChangeIn {
                        part: Some(part),
                        row: Some(row),
                        column: Some(column),
                        value: Some(submitted.into()),
                        ..ChangeIn::default()
                    }
                }
                Target::Meta(k) => ChangeIn {
                    meta: Some(k.to_string()),
                    value: Some(submitted.into()),
                    ..ChangeIn::default()
                },
            });
        } else if let Some(s) = page::section_of(edition, name) {
            let text = narrative::editor_text(value);
            if text == data.section_text(s) {
                continue;
            }
            shown.insert(name.clone(), text.clone());
            changes.push(ChangeIn {
                part: Some(model::section_name(edition, s)),
                text: Some(text),
                ..ChangeIn::default()
            });
        }
    }
    Ok((changes, shown))
}

fn parse_year(s: &str) -> Result<u16, Problem> {
    s.parse::<u16>()
        .ok()
        .filter(|y| s.len() == 4 && crate::load::YEARS.contains(y))
        .ok_or_else(|| Problem::new(404, format!("「{s}」不是年度（四位数字，如 2025）。")))
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem::new(400, format!("请求的 JSON 无法读取：{e}")))
}

fn not_allowed() -> Problem {
    Problem::new(405, "这个接口不支持这种请求方法。")
}

/// A page or a redirect.
enum PageOut {
    Html(u16, String),
    Redirect(String),
}

/// The router: `/edit/…` and `/api/…`.
pub fn router(editor: Arc<Editor>) -> Router {
    Router::new()
        .route("/edit", any(to_slash))
        .route("/edit/", any(edit))
        .route("/edit/{*rest}", any(edit))
        .route("/api/{*rest}", any(api))
        // A year's report.md may be 2 MB; its text travels as JSON.
        .layer(DefaultBodyLimit::max(8 << 20))
        .with_state(editor)
}

async fn to_slash() -> Response {
    redirect("/edit/")
}

fn redirect(location: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    secure(r.headers_mut());
    r
}

/// Headers every editor response carries: never cached, never framed by another page, no
/// content sniffing, nothing loaded from elsewhere.
fn secure(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
}

fn with_type(status: u16, ctype: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    secure(r.headers_mut());
    r
}

fn json_response(status: u16, value: &serde_json::Value) -> Response {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    with_type(status, "application/json", bytes)
}

fn problem_response(p: Problem) -> Response {
    let mut body = p.details;
    body.insert("message".into(), p.message.into());
    json_response(p.status, &serde_json::Value::Object(body))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

async fn api(
    State(editor): State<Arc<Editor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refusal) = editor.guard.check(&method, &headers, None) {
        return json_response(403, &json!({"message": refusal.message()}));
    }
    if method == Method::POST && !is_json(&headers) {
        return json_response(
            415,
            &json!({"message": "请求应为 JSON（Content-Type: application/json）。"}),
        );
    }
    let path = uri.path().trim_start_matches("/api/").to_string();
    let done = tokio::task::spawn_blocking(move || editor.api(&method, &path, &body)).await;
    match done {
        Ok(Ok((status, value))) => json_response(status, &value),
        Ok(Err(p)) => problem_response(p),
        Err(_) => json_response(500, &json!({"message": "内部错误，请重试。"})),
    }
}

async fn edit(
    State(editor): State<Arc<Editor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // A HEAD is answered as a GET (without the body).
    let method = if method == Method::HEAD {
        Method::GET
    } else {
        method
    };
    let form: Vec<(String, String)> = if method == Method::POST {
        form_urlencoded::parse(&body).into_owned().collect()
    } else {
        Vec::new()
    };
    let token = form
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str());
    if let Err(refusal) = editor.guard.check(&method, &headers, token) {
        let frame = Frame {
            title: "请求被拒绝 — gongkai 编辑器".into(),
            root: String::new(),
            token: String::new(),
            crumbs: Vec::new(),
        };
        return with_type(
            403,
            "text/html; charset=utf-8",
            page::message(&frame, "请求被拒绝", refusal.message()),
        );
    }
    let path = uri.path().trim_start_matches("/edit/").to_string();
    match (path.as_str(), method.clone()) {
        ("edit.css", Method::GET) => return with_type(200, "text/css; charset=utf-8", page::CSS),
        ("edit.js", Method::GET) => {
            return with_type(200, "text/javascript; charset=utf-8", page::JS);
        }
        _ => {}
    }
    if method == Method::POST
        && !headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
    {
        return with_type(
            415,
            "text/plain; charset=utf-8",
            "请用编辑页面的表单提交。\n",
        );
    }
    if !path.is_empty() && !path.ends_with('/') {
        return redirect(&format!("{}/", uri.path()));
    }
    let query = uri.query().map(str::to_string);
    let done =
        tokio::task::spawn_blocking(move || editor.page(&method, &path, query.as_deref(), &form))
            .await;
    match done {
        Ok(PageOut::Html(status, html)) => with_type(status, "text/html; charset=utf-8", html),
        Ok(PageOut::Redirect(to)) => redirect(&to),
        Err(_) => with_type(500, "text/plain; charset=utf-8", "内部错误，请重试。\n"),
    }
}

#[cfg(test)]
mod tests;
