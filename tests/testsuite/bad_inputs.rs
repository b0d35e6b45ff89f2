//! The catalogue of bad inputs: one folder per case under `tests/bad_inputs/<case>/`.
//!
//! Each case folder holds a `case.toml` (what to run and what must come out) and the files of a
//! small site laid over a base site (`base = "multi-year/2021"` copies `site.toml` and
//! `content/2021/` of `tests/fixtures/multi-year`; `base = "multi-year"` copies the whole
//! fixture; no base: the case folder is the whole site). Import sources live in the case's
//! `input/` folder. Large files, symlinks, FIFOs, unreadable files, BOMs and CRLF line endings are
//! made at test time in the temporary copy, never committed.
//!
//! For every case the runner asserts the exit status, that no process panicked (status 101 or
//! "panicked" on stderr), that a diagnostic's message contains the Chinese fragment, and its
//! `file:line:col`. For a site case it runs `check --format json`, `check` (human) and `build`
//! over a previous output folder that must be left exactly as it was when the build fails; cases
//! that must be accepted (BOM, CRLF, hostile Markdown, template text) build, and the output is
//! checked for what must and must not be in it, and each page for ids given twice and same-page
//! links that lead nowhere.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;

/// What one case runs and expects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case is about, for failure messages.
    description: String,
    /// `check`, `build` or `import`.
    command: String,
    /// Base site: `multi-year`, `multi-year/<year>` (site.toml + that year) or absent.
    base: Option<String>,
    /// Expected exit status.
    status: i32,
    /// A fragment of the expected message (Chinese).
    message: String,
    /// `file:line:col`, or a file name alone for a problem without a position.
    location: Option<String>,
    /// Expected rule id.
    rule: Option<String>,
    /// Text replacements in files of the copied site.
    #[serde(default)]
    edit: Vec<Edit>,
    /// Files or folders of the base to remove.
    #[serde(default)]
    remove: Vec<String>,
    /// Symlinks to make: `target` may use `{outside}` (a folder next to the site, outside it)
    /// and `{fixtures}` (`tests/fixtures`).
    #[serde(default)]
    symlink: Vec<Link>,
    /// Large files to make (paths relative to the site; `../input/…` for import sources).
    #[serde(default)]
    generate: Vec<Generate>,
    /// Files to give a UTF-8 byte-order mark.
    #[serde(default)]
    bom: Vec<String>,
    /// Files whose line endings become CRLF.
    #[serde(default)]
    crlf: Vec<String>,
    /// A file to make unreadable (chmod 000).
    unreadable: Option<String>,
    /// Paths to replace with a named pipe (FIFO).
    #[serde(default)]
    fifo: Vec<String>,
    /// An endurance case (a 100 MB input): left out of plain `cargo test`, run by
    /// `bad_inputs_endurance` (`cargo test -- --ignored`, in `.ci/run`).
    #[serde(default)]
    endurance: bool,
    /// Import: source files, relative to the case's `input/` folder.
    #[serde(default)]
    import: Vec<String>,
    /// Import: extra arguments (`--force`).
    #[serde(default)]
    import_args: Vec<String>,
    /// Build that succeeds: text that must be in an output file.
    #[serde(default)]
    output_contains: Vec<OutputText>,
    /// Build that succeeds: text that must not be in any output file.
    #[serde(default)]
    output_lacks: Vec<String>,
    /// Import: text that must not be in any file under content/ afterwards.
    #[serde(default)]
    content_lacks: Vec<String>,
    /// Import: files that must exist under the site afterwards.
    #[serde(default)]
    writes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    find: String,
    replace: String,
    /// Replace every occurrence (otherwise `find` must occur exactly once).
    #[serde(default)]
    all: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    path: String,
    target: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Generate {
    path: String,
    /// Size in MiB.
    mib: u64,
    /// Text the file starts with (the rest repeats `fill`).
    #[serde(default)]
    head: String,
    /// A line repeated up to the size.
    fill: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputText {
    file: String,
    text: String,
}

const CASES: &str = "tests/bad_inputs";
const OLD_SITE_MARK: &str = "旧网站-OLD-SITE-7f3a";

fn cases_dir() -> PathBuf {
    crate::common::repo().join(CASES)
}

fn case_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(cases_dir())
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            (e.path().join("case.toml").is_file()).then_some(name)
        })
        .collect();
    names.sort();
    names
}

fn load_case(name: &str) -> Case {
    let text = fs::read_to_string(cases_dir().join(name).join("case.toml")).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"))
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A temporary workspace: `site/` (the site root), `outside/` (a folder outside the site with a
/// file a symlink may point at), `input/` (import sources).
struct Workspace {
    _dir: tempfile::TempDir,
    site: PathBuf,
    outside: PathBuf,
    input: PathBuf,
}

fn prepare(name: &str, case: &Case) -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let outside = dir.path().join("outside");
    let input = dir.path().join("input");
    fs::create_dir_all(&site).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(
        outside.join("secret.md"),
        "# 站外文件 SECRET-OUTSIDE-FILE\n\n不应被读取。\n",
    )
    .unwrap();
    match case.base.as_deref() {
        None => {}
        Some(base) => {
            let (fixture, year) = match base.split_once('/') {
                Some((f, y)) => (f, Some(y)),
                None => (base, None),
            };
            let from = crate::common::fixture(fixture);
            match year {
                None => crate::common::copy_dir(&from, &site),
                Some(year) => {
                    fs::copy(from.join("site.toml"), site.join("site.toml")).unwrap();
                    crate::common::copy_dir(
                        &from.join("content").join(year),
                        &site.join("content").join(year),
                    );
                }
            }
        }
    }
    for r in &case.remove {
        let p = site.join(r);
        if p.is_dir() {
            fs::remove_dir_all(&p).unwrap();
        } else {
            fs::remove_file(&p).unwrap_or_else(|e| panic!("{name}: remove {r}: {e}"));
        }
    }
    let case_dir = cases_dir().join(name);
    crate::common::copy_dir_except(&case_dir, &site, &["case.toml", "input"]);
    if case_dir.join("input").is_dir() {
        crate::common::copy_dir(&case_dir.join("input"), &input);
    }
    for e in &case.edit {
        let p = site.join(&e.file);
        let text = fs::read_to_string(&p).unwrap_or_else(|err| panic!("{name}: {}: {err}", e.file));
        let n = text.matches(&e.find).count();
        assert!(
            n >= 1 && (e.all || n == 1),
            "{name}: edit of {}: «{}» occurs {n} times",
            e.file,
            e.find
        );
        fs::write(&p, text.replace(&e.find, &e.replace)).unwrap();
    }
    for g in &case.generate {
        let p = site.join(&g.path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        let size = (g.mib << 20) as usize;
        let mut bytes = Vec::with_capacity(size + g.fill.len());
        bytes.extend_from_slice(g.head.as_bytes());
        let fill = if g.fill.is_empty() { "\n" } else { &g.fill };
        while bytes.len() < size {
            bytes.extend_from_slice(fill.as_bytes());
        }
        fs::write(&p, bytes).unwrap();
    }
    for f in &case.crlf {
        let p = site.join(f);
        let text = fs::read_to_string(&p).unwrap();
        assert!(!text.contains('\r'));
        fs::write(&p, text.replace('\n', "\r\n")).unwrap();
    }
    for f in &case.bom {
        let p = site.join(f);
        let mut bytes = vec![0xef, 0xbb, 0xbf];
        bytes.extend(fs::read(&p).unwrap());
        fs::write(&p, bytes).unwrap();
    }
    for l in &case.symlink {
        let p = site.join(&l.path);
        if p.exists() || p.symlink_metadata().is_ok() {
            fs::remove_file(&p).unwrap();
        }
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        let target = l
            .target
            .replace("{outside}", outside.to_str().unwrap())
            .replace(
                "{fixtures}",
                crate::common::fixture("")
                    .to_str()
                    .unwrap()
                    .trim_end_matches('/'),
            );
        std::os::unix::fs::symlink(&target, &p).unwrap();
    }
    for f in &case.fifo {
        let p = site.join(f);
        if p.exists() {
            fs::remove_file(&p).unwrap();
        }
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    }
    Workspace {
        _dir: dir,
        site,
        outside,
        input,
    }
}

/// Make a file unreadable. Returns false when it stays readable (running as root, where
/// permission bits do not stop reads).
fn make_unreadable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    fs::read(path).is_err()
}

/// Address space allowed to the binary under test: a bad input that makes it allocate without
/// bound fails the case (allocation failure) instead of exhausting the machine.
const MEMORY_LIMIT: u64 = 4 << 30;

fn run(args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(args).env("NO_COLOR", "1");
    // SAFETY: setrlimit is async-signal-safe; the closure touches nothing else.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

fn no_panic(what: &str, out: &Output) -> Result<(), String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(101) || out.status.code().is_none() || stderr.contains("panicked")
    {
        return Err(format!(
            "{what}: crashed (status {:?}):\n{stderr}",
            out.status.code()
        ));
    }
    Ok(())
}

fn status_is(what: &str, out: &Output, expected: i32) -> Result<(), String> {
    if out.status.code() != Some(expected) {
        return Err(format!(
            "{what}: exit status {:?}, expected {expected}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Every file under `dir` with its bytes (paths relative, sorted).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if e.file_type().is_file() {
            out.insert(rel, fs::read(e.path()).unwrap());
        } else if e.file_type().is_dir() {
            out.insert(rel + "/", Vec::new());
        } else if e.file_type().is_symlink() {
            let t = fs::read_link(e.path()).unwrap();
            out.insert(rel + " ->", t.to_string_lossy().as_bytes().to_vec());
        }
    }
    out
}

/// A previous output folder, as a build left it (with gongkai's marker).
fn previous_output(out: &Path) {
    fs::create_dir_all(out.join("2020")).unwrap();
    fs::write(out.join(".gongkai-output"), "gongkai\n").unwrap();
    fs::write(
        out.join("index.html"),
        format!("<!doctype html><p>{OLD_SITE_MARK}</p>\n"),
    )
    .unwrap();
    fs::write(
        out.join("2020/index.html"),
        format!("<!doctype html><p>{OLD_SITE_MARK} 2020</p>\n"),
    )
    .unwrap();
}

fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| {
            let n = e.ok()?.file_name().to_string_lossy().into_owned();
            n.contains("gongkai-tmp").then_some(n)
        })
        .collect()
}

/// Active markup in a built page that did not come from the theme: any script but the theme's
/// `static/site.js`, event-handler attributes, `javascript:`/`data:`/`vbscript:` URLs, frames,
/// objects, forms, `<base>`, `<meta http-equiv=refresh>` and styles that load URLs. Read with
/// html5ever's tokenizer, as a browser would, so that text inside attributes or `<title>` does not
/// count.
fn unsafe_markup(html: &str) -> Vec<String> {
    use html5ever::TokenizerResult;
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::states::RawKind;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::RefCell;

    struct Sink {
        found: RefCell<Vec<String>>,
        in_script: RefCell<bool>,
    }
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
            let mut found = self.found.borrow_mut();
            match token {
                Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                    let name: &str = &tag.name;
                    let attr = |n: &str| {
                        tag.attrs
                            .iter()
                            .find(|a| {
                                a.name
                                    .local
                                    .eq_ignore_ascii_case(&html5ever::LocalName::from(n))
                            })
                            .map(|a| a.value.to_string())
                    };
                    for a in &tag.attrs {
                        let an = a.name.local.to_ascii_lowercase().to_string();
                        let v: String = a
                            .value
                            .chars()
                            .filter(|c| !c.is_whitespace() && !c.is_control())
                            .collect::<String>()
                            .to_ascii_lowercase();
                        if an.starts_with("on") {
                            found.push(format!("line {line}: <{name} {an}=…>"));
                        }
                        if matches!(
                            an.as_str(),
                            "href"
                                | "src"
                                | "action"
                                | "formaction"
                                | "data"
                                | "xlink:href"
                                | "poster"
                                | "background"
                        ) && (v.starts_with("javascript:")
                            || v.starts_with("vbscript:")
                            || v.starts_with("data:"))
                        {
                            found.push(format!("line {line}: <{name} {an}=\"{}\">", a.value));
                        }
                        if an == "style" && (v.contains("url(") || v.contains("expression(")) {
                            found.push(format!("line {line}: <{name} style=\"{}\">", a.value));
                        }
                    }
                    match name {
                        "script" => {
                            // The default theme's scripts: the page switches, the search page,
                            // read-aloud.
                            let theme = attr("src").is_some_and(|s| {
                                ["static/site.js", "static/search.js", "static/read-aloud.js"]
                                    .iter()
                                    .any(|t| s.ends_with(t))
                            });
                            if !theme {
                                found.push(format!("line {line}: <script> not from the theme"));
                            }
                            *self.in_script.borrow_mut() = true;
                            return TokenSinkResult::RawData(RawKind::ScriptData);
                        }
                        // The theme's search forms: a GET to the search page.
                        "form"
                            if attr("method").is_none()
                                && attr("action").is_some_and(|a| {
                                    a == "index.html" || a.ends_with("search/index.html")
                                }) => {}
                        "iframe" | "frame" | "frameset" | "object" | "embed" | "applet"
                        | "form" | "base" => found.push(format!("line {line}: <{name}>")),
                        "meta"
                            if attr("http-equiv")
                                .is_some_and(|v| v.eq_ignore_ascii_case("refresh")) =>
                        {
                            found.push(format!("line {line}: <meta http-equiv=refresh>"));
                        }
                        "style" | "noscript" | "template" => {
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                        "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => {}
                    }
                }
                Token::TagToken(tag) if &*tag.name == "script" => {
                    *self.in_script.borrow_mut() = false;
                }
                Token::CharacterTokens(t) if *self.in_script.borrow() && !t.trim().is_empty() => {
                    found.push(format!("line {line}: inline script «{t}»"));
                }
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(
        Sink {
            found: RefCell::new(Vec::new()),
            in_script: RefCell::new(false),
        },
        TokenizerOpts::default(),
    );
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
    tokenizer.end();
    tokenizer.sink.found.into_inner()
}

/// Same-page links that go wrong in a built page: an id given to two elements (the second can
/// never be reached; the table of contents jumps to the first), and a `href="#x"` with no element
/// `x`. Footnotes and their back-links, headings and the theme's landmarks share one page.
fn fragment_problems(html: &str) -> Vec<String> {
    use html5ever::TokenizerResult;
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::RefCell;

    #[derive(Default)]
    struct Sink {
        ids: RefCell<Vec<String>>,
        targets: RefCell<Vec<String>>,
    }
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::StartTag
            {
                for a in &tag.attrs {
                    match &*a.name.local {
                        "id" => self.ids.borrow_mut().push(a.value.to_string()),
                        "href" if a.value.starts_with('#') && a.value.len() > 1 => {
                            self.targets.borrow_mut().push(a.value[1..].to_string());
                        }
                        _ => {}
                    }
                }
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
    tokenizer.end();
    let ids = tokenizer.sink.ids.into_inner();
    let mut found = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for id in &ids {
        if !seen.insert(id.as_str()) {
            found.push(format!("id=\"{id}\" given twice"));
        }
    }
    for t in tokenizer.sink.targets.into_inner() {
        if !seen.contains(t.as_str()) {
            found.push(format!("href=\"#{t}\" leads nowhere"));
        }
    }
    found
}

/// The diagnostics of `check --format json`: (location, rule, message).
fn json_diagnostics(stdout: &[u8]) -> Result<Vec<(String, String, String, String)>, String> {
    let v: Vec<serde_json::Value> = serde_json::from_slice(stdout).map_err(|e| {
        format!(
            "check --format json printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(stdout)
        )
    })?;
    Ok(v.iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("").to_string();
            let (line, col) = (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap());
            let loc = if line == 0 {
                file
            } else {
                format!("{file}:{line}:{col}")
            };
            (
                loc,
                d["rule"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect())
}

fn run_site_case(case: &Case, ws: &Workspace, with_check: bool) -> Result<(), String> {
    if with_check {
        run_check(case, ws)?;
    }
    run_build(case, ws)
}

/// `check --format json` and `check`: status, fragment, location, rule; every message Chinese.
fn run_check(case: &Case, ws: &Workspace) -> Result<(), String> {
    let root = ws.site.to_str().unwrap();
    let secret_leaked = |out: &Output| {
        String::from_utf8_lossy(&out.stdout).contains("SECRET-OUTSIDE")
            || String::from_utf8_lossy(&out.stderr).contains("SECRET-OUTSIDE")
    };

    // check --format json: status, fragment, location, rule; every message Chinese.
    let out = run(&["check", "--root", root, "--format", "json"]);
    no_panic("check --format json", &out)?;
    status_is("check --format json", &out, case.status)?;
    if secret_leaked(&out) {
        return Err("check printed the content of a file outside the site".into());
    }
    if out.stdout.is_empty() {
        // Nothing to check (not a site, exit status 2): the reason is on stderr.
        let stderr = String::from_utf8_lossy(&out.stderr);
        if case.status != 2 || !stderr.contains(&case.message) || case.location.is_some() {
            return Err(format!("check printed no JSON; stderr:\n{stderr}"));
        }
        let out = run(&["build", "--root", root]);
        no_panic("build", &out)?;
        status_is("build", &out, 2)?;
        if !String::from_utf8_lossy(&out.stderr).contains(&case.message) {
            return Err(format!("build: «{}» not in stderr", case.message));
        }
        return Ok(());
    }
    let diags = json_diagnostics(&out.stdout)?;
    for (loc, rule, msg, _) in &diags {
        if !has_cjk(msg) {
            return Err(format!("{loc} [{rule}]: message not in Chinese: {msg}"));
        }
    }
    let errors = diags.iter().filter(|d| d.3 == "error").count();
    if case.status == 0 && errors > 0 {
        return Err(format!("expected no error, got {diags:#?}"));
    }
    // A failing case names its error; an accepted case may name a warning (to prove that
    // positions stay right, e.g. after a BOM or with CRLF line endings).
    if case.status != 0 || case.location.is_some() {
        let hit = diags.iter().any(|(loc, rule, msg, sev)| {
            (sev == "error" || case.status == 0)
                && msg.contains(&case.message)
                && case.location.as_ref().is_none_or(|l| l == loc)
                && case.rule.as_ref().is_none_or(|r| r == rule)
        });
        if !hit {
            return Err(format!(
                "no error with «{}» at {:?} (rule {:?}); got:\n{diags:#?}",
                case.message, case.location, case.rule
            ));
        }
    }

    // check (human): the same message, with `--> file:line:col` when there is a position.
    let out = run(&["check", "--root", root]);
    no_panic("check", &out)?;
    status_is("check", &out, case.status)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if case.status != 0 || case.location.is_some() {
        if !stderr.contains(&case.message) {
            return Err(format!("check: «{}» not in:\n{stderr}", case.message));
        }
        if let Some(loc) = case.location.as_ref().filter(|l| l.contains(':'))
            && !stderr.contains(&format!("--> {loc}"))
        {
            return Err(format!("check: «--> {loc}» not in:\n{stderr}"));
        }
    }

    Ok(())
}

/// `build` over a previous output: a failed build leaves it exactly as it was.
fn run_build(case: &Case, ws: &Workspace) -> Result<(), String> {
    let root = ws.site.to_str().unwrap();
    let secret_leaked = |out: &Output| {
        String::from_utf8_lossy(&out.stdout).contains("SECRET-OUTSIDE")
            || String::from_utf8_lossy(&out.stderr).contains("SECRET-OUTSIDE")
    };
    let public = ws.site.join("public");
    previous_output(&public);
    let before = snapshot(&public);
    let out = run(&["build", "--root", root]);
    no_panic("build", &out)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if secret_leaked(&out) {
        return Err("build printed the content of a file outside the site".into());
    }
    if case.status == 0 {
        status_is("build", &out, 0)?;
        let after = snapshot(&public);
        if after
            .values()
            .any(|b| String::from_utf8_lossy(b).contains(OLD_SITE_MARK))
        {
            return Err("build succeeded but the previous site is still there".into());
        }
        for t in &case.output_contains {
            let bytes = after
                .get(&t.file)
                .ok_or_else(|| format!("output has no {}", t.file))?;
            if !String::from_utf8_lossy(bytes).contains(&t.text) {
                return Err(format!("{} lacks «{}»", t.file, t.text));
            }
        }
        for (file, bytes) in &after {
            let text = String::from_utf8_lossy(bytes);
            if file.ends_with(".html") {
                let found = unsafe_markup(&text);
                if !found.is_empty() {
                    return Err(format!("{file} has active markup:\n{}", found.join("\n")));
                }
                let found = fragment_problems(&text);
                if !found.is_empty() {
                    return Err(format!("{file}: {}", found.join("; ")));
                }
            }
            // The theme's own scripts are not the input's (read-aloud.js sets `onerror`).
            let theme_script = file.starts_with("static/") && file.ends_with(".js");
            for bad in case.output_lacks.iter().filter(|_| !theme_script) {
                if text.contains(bad.as_str()) {
                    return Err(format!("{file} contains «{bad}»"));
                }
            }
        }
    } else {
        status_is("build", &out, case.status)?;
        if !stderr.contains(&case.message) {
            return Err(format!("build: «{}» not in:\n{stderr}", case.message));
        }
        if let Some(loc) = case.location.as_ref().filter(|l| l.contains(':'))
            && !stderr.contains(&format!("--> {loc}"))
        {
            return Err(format!("build: «--> {loc}» not in:\n{stderr}"));
        }
        if snapshot(&public) != before {
            return Err("a failed build changed the previous output folder".into());
        }
    }
    if snapshot(&public)
        .values()
        .any(|b| String::from_utf8_lossy(b).contains("SECRET-OUTSIDE"))
    {
        return Err("the output holds a file from outside the site".into());
    }
    let left = leftovers(&ws.site);
    if !left.is_empty() {
        return Err(format!("temporary folders left behind: {left:?}"));
    }
    Ok(())
}

fn run_import_case(case: &Case, ws: &Workspace) -> Result<(), String> {
    let root = ws.site.to_str().unwrap();
    let content_before = snapshot(&ws.site.join("content"));
    let inputs: Vec<String> = case
        .import
        .iter()
        .map(|f| ws.input.join(f).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["import", "--root", root];
    args.extend(case.import_args.iter().map(String::as_str));
    args.extend(inputs.iter().map(String::as_str));
    let out = run(&args);
    no_panic("import", &out)?;
    status_is("import", &out, case.status)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}\n{stderr}");
    if !all.contains(&case.message) {
        return Err(format!("import: «{}» not in:\n{all}", case.message));
    }
    if let Some(loc) = &case.location {
        let shown = if loc.contains(':') {
            format!("--> {loc}")
        } else {
            loc.replace("{input}", ws.input.to_str().unwrap())
        };
        if !all.contains(&shown) {
            return Err(format!("import: «{shown}» not in:\n{all}"));
        }
    }
    for line in stderr.lines().filter(|l| l.starts_with("错误")) {
        if !has_cjk(line) {
            return Err(format!("import: message not in Chinese: {line}"));
        }
    }
    let after = snapshot(&ws.site.join("content"));
    if case.status == 2 && case.import.len() == 1 {
        // Nothing written for a refused file.
        if after != content_before {
            return Err("a refused import changed content/".into());
        }
    } else {
        // What was there before is untouched (unless --force was asked for).
        if !case.import_args.iter().any(|a| a == "--force") {
            for (k, v) in &content_before {
                if after.get(k) != Some(v) {
                    return Err(format!("import changed the existing content/{k}"));
                }
            }
        }
    }
    for (k, v) in &after {
        let text = String::from_utf8_lossy(v);
        for bad in &case.content_lacks {
            if text.contains(bad.as_str()) {
                return Err(format!("content/{k} contains «{bad}»"));
            }
        }
    }
    for w in &case.writes {
        if !ws.site.join(w).is_file() {
            return Err(format!("import did not write {w}"));
        }
    }
    let left: Vec<&String> = after.keys().filter(|k| k.contains("import-tmp")).collect();
    if !left.is_empty() {
        return Err(format!("temporary files left behind: {left:?}"));
    }
    Ok(())
}

/// Run one case; `Ok(None)` when passed, `Ok(Some(reason))` when skipped.
fn run_case(name: &str) -> Result<Option<String>, String> {
    let case = load_case(name);
    if (case.status != 0 || !case.message.is_empty()) && !has_cjk(&case.message) {
        return Err(format!("{name}: the message fragment must be Chinese"));
    }
    if case.status != 0 && case.message.is_empty() {
        return Err(format!("{name}: a failing case needs a message fragment"));
    }
    let ws = prepare(name, &case);
    if let Some(f) = &case.unreadable
        && !make_unreadable(&ws.site.join(f))
    {
        // Running as root: permission bits do not stop reads, so this case cannot happen
        // here. The other ways a file can be unreadable (a FIFO, a dangling link, a folder in
        // place of the file) are cases of their own that do not depend on the user.
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(ws.site.join(f), fs::Permissions::from_mode(0o644));
        return Ok(Some(format!(
            "chmod 000 does not stop reads for this user (root); {f} stays readable"
        )));
    }
    let _ = &ws.outside;
    let result = match case.command.as_str() {
        "check" | "build" => run_site_case(&case, &ws, case.command == "check"),
        "import" => run_import_case(&case, &ws),
        other => Err(format!("unknown command {other}")),
    };
    if let Some(f) = &case.unreadable {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(ws.site.join(f), fs::Permissions::from_mode(0o644));
    }
    result
        .map(|()| None)
        .map_err(|e| format!("{name} ({}): {e}", case.description))
}

#[test]
fn bad_inputs() {
    run_catalogue(false);
}

/// The endurance cases of the catalogue (100 MB inputs), for `.ci/run`.
#[test]
#[ignore = "endurance: 100 MB inputs; .ci/run runs it"]
fn bad_inputs_endurance() {
    run_catalogue(true);
}

/// Run every case of the catalogue whose `endurance` flag is `endurance` (or, with
/// `BAD_INPUT=<fragment>`, the cases whose name contains it), two at a time.
fn run_catalogue(endurance: bool) {
    let names = case_names();
    let only = std::env::var("BAD_INPUT").ok();
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| match &only {
            Some(o) => n.contains(o.as_str()),
            None => load_case(n).endurance == endurance,
        })
        .collect();
    if only.is_none() && !endurance {
        assert!(
            names.len() >= 60,
            "the catalogue has {} cases, at least 60 expected",
            names.len()
        );
    }
    if endurance {
        assert!(!names.is_empty(), "no endurance case in the catalogue");
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(name) = names.get(i) else { break };
                    let r = run_case(name);
                    results.lock().unwrap().push((name.clone(), r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut failures = Vec::new();
    let mut passed = 0;
    for (name, r) in &results {
        match r {
            Ok(None) => passed += 1,
            Ok(Some(why)) => println!("skipped {name}: {why}"),
            Err(e) => failures.push(e.clone()),
        }
    }
    println!("bad inputs: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "\n\n{}", failures.join("\n\n"));
}

/// The same-page link check finds a duplicate id and a fragment that leads nowhere.
#[test]
fn fragment_problems_are_found() {
    let ok =
        r##"<main id=main><a href="#main">x</a><a href=#fn-1>1</a><p id=fn-1><a href="#">top</a>"##;
    assert!(
        fragment_problems(ok).is_empty(),
        "{:?}",
        fragment_problems(ok)
    );
    assert_eq!(
        fragment_problems(r#"<main id="main"></main><div id=main></div>"#),
        ["id=\"main\" given twice"]
    );
    assert_eq!(
        fragment_problems(r##"<a href="#s1-2">x</a>"##),
        ["href=\"#s1-2\" leads nowhere"]
    );
}

/// The output scanner finds what the sanitiser must remove, and lets inert text through.
#[test]
fn unsafe_markup_is_found() {
    let theme = r#"<!doctype html><title>&lt;/title><script>x</script></title><script src="../static/site.js" defer></script>"#;
    assert!(
        unsafe_markup(theme).is_empty(),
        "{:?}",
        unsafe_markup(theme)
    );
    let inert = r#"<p title='"><script>alert(1)</script>'>文字</p><p>&lt;script&gt;</p><a download="t.csv" href="../data/2021-t3.csv">CSV</a>"#;
    assert!(
        unsafe_markup(inert).is_empty(),
        "{:?}",
        unsafe_markup(inert)
    );
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=' JaVaScript:alert(1)'>x</a>",
        "<a href=\"data:text/html,x\">x</a>",
        "<img src=\"data:text/csv;charset=utf-8;base64,77u/\">",
        "<iframe src=x></iframe>",
        "<div style=\"background:url(x)\">x</div>",
        "<meta http-equiv=Refresh content=0>",
        "<form action=x></form>",
    ] {
        assert!(!unsafe_markup(bad).is_empty(), "{bad}");
    }
}
