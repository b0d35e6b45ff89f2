// The XSS browser test: nothing a body writes in its settings or content may run script on the
// published site.
//
// Builds a single office and a small platform whose every accepted text field carries XSS
// payloads (tests/e2e/xss_site.js), with the release binary; then loads every built page in
// headless Chromium over HTTP (a small static server here) and from file://, with hooks on
// alert, confirm, prompt, print, eval, Function, setTimeout/setInterval with a string,
// document.write/writeln, and a dialog listener; in every page it fires the usual user events
// on every element (hover, focus, keys, pointer, drag …, so that any surviving event handler
// runs), clicks every link that stays on the page or is not a plain http(s)/file address (a
// javascript: link runs when clicked) and reads the scheme of the others (they only load pages,
// and every page of the site is loaded here anyway). Footnote links must lead to an element.
//
// Self-test first: a control page with a real alert(), a script link, an event handler and each
// other hooked call must be caught, over HTTP and from file://, or the test fails (it cannot
// pass by seeing nothing).
//
// Usage: node tests/e2e/xss.js [--keep DIR]   (GONGKAI_BIN overrides ./target/release/gongkai)
// Prints the numbers; exit status 0 only with 0 executions and a passing self-test.
"use strict";
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");
const { pathToFileURL } = require("url");
const deps = process.env.SITE_AUDIT_DEPS || path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME, ".cache"), "site-audit");
const { chromium } = require(path.join(deps, "node_modules", "playwright-core"));
const { generate } = require("./xss_site.js");

const repo = path.resolve(__dirname, "..", "..");

// Runs in every frame before the page's own scripts: every way of running a string as code
// reports to the test (a console message the test listens for) and does nothing else. `exempt`
// is the one string eval'd on purpose: Playwright runs the test's own page function (exercise,
// below) through the page's eval.
const hooks = (exempt) => `(() => {
  const debug = console.debug.bind(console);
  const report = (kind, detail) => {
    debug("__xss__" + JSON.stringify([kind, String(detail === undefined ? "" : detail).slice(0, 200)]));
  };
  const exempt = ${JSON.stringify(exempt)};
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = function (x) { report(name, x); return name === "confirm" ? false : null; };
  }
  const realEval = window.eval;
  window.eval = function (x) { if (x !== exempt) report("eval", x); return realEval(x); };
  const RealFunction = window.Function;
  window.Function = new Proxy(RealFunction, {
    apply(t, self, args) { report("Function", args.join(",")); return Reflect.apply(t, self, args); },
    construct(t, args) { report("Function", args.join(",")); return Reflect.construct(t, args); },
  });
  for (const name of ["setTimeout", "setInterval"]) {
    const real = window[name];
    window[name] = function (f, ...rest) {
      if (typeof f !== "function") report(name + " with a string", f);
      return real.call(this, f, ...rest);
    };
  }
  for (const name of ["write", "writeln"]) {
    const real = Document.prototype[name];
    Document.prototype[name] = function (...a) { report("document." + name, a.join("")); return real.apply(this, a); };
  }
})();`;

// Runs in a loaded page: fire the user events on every element, then click every link that does
// not load another document; returns what was done.
function exercise() {
  const events = ["mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "mouseout",
    "mouseleave", "pointerover", "pointerenter", "pointerdown", "pointerup", "pointermove",
    "focus", "focusin", "blur", "focusout", "keydown", "keypress", "keyup", "input", "beforeinput",
    "change", "select", "toggle", "contextmenu", "dblclick", "auxclick", "wheel", "scroll", "copy",
    "cut", "paste", "drag", "dragstart", "dragend", "dragenter", "dragover", "drop", "touchstart",
    "animationstart", "animationend", "transitionend", "load", "error", "begin", "play", "invalid",
    "search", "show", "submit", "reset"];
  const all = Array.from(document.querySelectorAll("*"));
  for (const el of all) {
    for (const type of events) {
      try { el.dispatchEvent(new Event(type, { bubbles: false, cancelable: true })); } catch (e) {}
    }
  }
  const here = location.href.split("#")[0];
  const result = { clicked: 0, byScheme: 0, footnotes: 0, brokenFootnotes: [], unsafe: [] };
  // Every element with a link (HTML, SVG's href and xlink:href); only a and area are clicked.
  for (const el of Array.from(document.querySelectorAll("[*|href]"))) {
    const raw = el.getAttribute("href") ?? el.getAttributeNS("http://www.w3.org/1999/xlink", "href") ?? "";
    let url;
    try { url = new URL(raw, document.baseURI); } catch (e) { url = null; }
    const scheme = url ? url.protocol : "(unparsable)";
    const known = ["http:", "https:", "file:", "mailto:", "tel:"].includes(scheme);
    if (!known) result.unsafe.push(`<${el.localName} href="${raw.slice(0, 120)}">`);
    if (el.localName !== "a" && el.localName !== "area") continue;
    // Clicked here: what may run (any other scheme) and links within the page. Read by their
    // scheme: links that load a document (another page, or this one again: every page of the
    // site is loaded anyway), mail and telephone links, downloads.
    const samePage = url && url.href.split("#")[0] === here && raw.includes("#");
    if (known && !samePage) {
      result.byScheme++;
      continue;
    }
    result.clicked++;
    try { el.click ? el.click() : el.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true })); } catch (e) {}
    if (url && url.hash && el.closest(".footnote-reference, .footnote-definition-label")) {
      result.footnotes++;
      if (!document.getElementById(decodeURIComponent(url.hash.slice(1)))) result.brokenFootnotes.push(raw);
      if (location.hash !== url.hash) result.brokenFootnotes.push(`${raw} (clicked, location is ${location.hash})`);
    }
  }
  return result;
}

function htmlFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith(".html")) out.push(p);
  }
  return out.sort();
}

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".svg": "image/svg+xml", ".csv": "text/csv; charset=utf-8", ".json": "application/json",
  ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".png": "image/png",
  ".pdf": "application/pdf" };

/** A static server for `root` on 127.0.0.1, as a plain web server would serve the site. */
function serve(root) {
  const server = http.createServer((req, res) => {
    let rel;
    try { rel = decodeURIComponent(new URL(req.url, "http://x").pathname); } catch (e) { rel = "/"; }
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function build(bin, root, output) {
  try {
    return execFileSync(bin, ["build", "--root", root, "--output", output], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    console.error(`xss: gongkai build --root ${root} failed (status ${e.status}):\n${e.stderr}`);
    process.exit(2);
  }
}

const CONTROL = `<!doctype html><html lang="zh-CN"><title>对照页</title>
<script>alert("control-script")</script>
<script>confirm("control-confirm"); prompt("control-prompt"); print("control-print");</script>
<script>eval("1"); Function("return 1")(); new Function("return 2"); setTimeout("void 0"); clearInterval(setInterval("void 0", 1000)); document.write("<i>w</i>"); document.writeln("");</script>
<img src="missing.png" onerror="alert('control-onerror')" alt="">
<p onmouseover="alert('control-hover')">悬停</p>
<a href="javascript:alert('control-link')">脚本链接</a>
<a href=" \u000ejava\tscript:alert('control-disguised')">伪装的脚本链接</a>
<p>正文<sup class="footnote-reference" id="fnref-1"><a href="#fn-1">1</a></sup></p>
<div class="footnote-definition" id="fn-1"><sup class="footnote-definition-label"><a href="#fnref-1">1</a></sup><p>注释</p></div>
</html>`;
// What the control page must make the harness see (kind: detail).
const CONTROL_EXPECTED = ["alert: control-script", "confirm: control-confirm", "prompt: control-prompt",
  "print: control-print", "eval: 1", "Function: return 1", "Function: return 2",
  "setTimeout with a string: void 0", "setInterval with a string: void 0", "document.write: <i>w</i>",
  "document.writeln: ", "alert: control-onerror", "alert: control-hover", "alert: control-link", "alert: control-disguised"];

(async () => {
  const started = Date.now();
  const keep = process.argv.indexOf("--keep");
  const work = keep > 0 ? path.resolve(process.argv[keep + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), "gongkai-xss-"));
  const bin = process.env.GONGKAI_BIN || path.join(repo, "target", "release", "gongkai");
  const sites = generate(path.join(work, "src"));
  const out = path.join(work, "out");
  fs.rmSync(out, { recursive: true, force: true });
  build(bin, sites.office, path.join(out, "office"));
  const platformLog = build(bin, sites.platform, path.join(out, "platform"));
  fs.mkdirSync(path.join(out, "control"), { recursive: true });
  fs.writeFileSync(path.join(out, "control", "index.html"), CONTROL);
  const missing = [...sites.expected.office.map((p) => path.join("office", p)),
    ...sites.expected.platform.map((p) => path.join("platform", p))].filter((p) => !fs.existsSync(path.join(out, p)));
  if (missing.length) {
    console.error(`xss: pages with payloads were not published:\n  ${missing.join("\n  ")}\n${platformLog}`);
    process.exit(2);
  }

  const server = await serve(out);
  const httpRoot = `http://127.0.0.1:${server.address().port}/`;
  const fileRoot = pathToFileURL(out + path.sep).href;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext();
  let hits = [];
  await context.addInitScript(hooks(`(${exercise.toString()})`));
  // The hooks' reports; anything they let through as a real dialog; any window a click opens.
  context.on("page", (p) => {
    p.on("console", (m) => {
      const text = m.text();
      if (!text.startsWith("__xss__")) return;
      const [kind, detail] = JSON.parse(text.slice(7));
      hits.push({ url: p.url(), kind, detail });
    });
    p.on("dialog", (d) => { hits.push({ url: p.url(), kind: `dialog ${d.type()}`, detail: d.message() }); d.dismiss().catch(() => {}); });
  });
  context.on("page", async (p) => { if (context.pages().length > 1) { hits.push({ url: p.url(), kind: "window opened", detail: "" }); await p.close().catch(() => {}); } });
  const page = await context.newPage();

  const visit = async (url) => {
    const problems = [];
    try {
      await page.goto(url, { waitUntil: "load", timeout: 20000 });
      await page.waitForTimeout(60);
      const r = await page.evaluate(exercise);
      await page.waitForTimeout(40);
      // The search page keeps its query in its own address (history.replaceState, no load).
      const now = page.url().split("#")[0];
      const ownQuery = /\/search\/index\.html$/.test(url) && now.startsWith(url + "?");
      if (now !== url && !ownQuery) problems.push(`left the page for ${page.url()}`);
      return { ...r, problems };
    } catch (e) {
      problems.push(`${e.message.split("\n")[0]} (at ${page.url()})`);
      return { clicked: 0, byScheme: 0, footnotes: 0, brokenFootnotes: [], unsafe: [], problems };
    }
  };

  // Self-test: the control page, over HTTP and from file://.
  let selfTest = true;
  for (const root of [httpRoot, fileRoot]) {
    hits = [];
    await visit(`${root}control/index.html`);
    const seen = new Set(hits.map((h) => `${h.kind}: ${h.detail}`));
    if (process.env.XSS_VERBOSE) for (const h of hits) console.log(`  control: ${h.kind}: ${h.detail}`);
    const notSeen = CONTROL_EXPECTED.filter((e) => !seen.has(e));
    if (notSeen.length) {
      selfTest = false;
      console.log(`self-test FAILED over ${root.slice(0, 4)}: the harness did not catch ${notSeen.join("; ")}`);
    } else {
      console.log(`self-test over ${root.startsWith("http") ? "HTTP" : "file://"}: all ${CONTROL_EXPECTED.length} control executions caught (${hits.length} reports)`);
    }
  }

  // The hostile sites.
  hits = [];
  const pages = [...htmlFiles(path.join(out, "office")), ...htmlFiles(path.join(out, "platform"))]
    .map((f) => path.relative(out, f).split(path.sep).join("/"));
  const totals = { loads: 0, clicked: 0, byScheme: 0, footnotes: 0 };
  const failures = [];
  for (const root of [httpRoot, fileRoot]) {
    for (const rel of pages) {
      const url = root + rel.split("/").map(encodeURIComponent).join("/");
      const r = await visit(url);
      totals.loads++;
      totals.clicked += r.clicked;
      totals.byScheme += r.byScheme;
      totals.footnotes += r.footnotes;
      for (const u of r.unsafe) failures.push(`${url}: unsafe link ${u}`);
      for (const b of r.brokenFootnotes) failures.push(`${url}: footnote link ${b} leads nowhere`);
      for (const p of r.problems) failures.push(`${url}: ${p}`);
    }
  }
  await browser.close();
  server.close();

  const ids = new Map(sites.payloads.map((p) => [p.id, p]));
  for (const h of hits) {
    const n = Number((/\d+/.exec(h.detail) || [])[0]);
    const p = ids.get(n);
    console.log(`EXECUTED ${h.kind}(${JSON.stringify(h.detail)}) in ${h.url}${p ? ` — payload ${p.id} (${p.family}): ${JSON.stringify(p.text)}` : ""}`);
  }
  for (const f of failures) console.log(f);
  console.log(`xss: ${sites.payloads.length} payloads; ${pages.length} pages × 2 (HTTP, file://) = ${totals.loads} loads; ` +
    `${totals.clicked} links clicked in place (${totals.footnotes} footnote links), ${totals.byScheme} read by scheme; ` +
    `${hits.length} executions; ${failures.length} other problems; self-test ${selfTest ? "passed" : "FAILED"}; ` +
    `${Math.round((Date.now() - started) / 1000)} s`);
  if (keep < 0) fs.rmSync(work, { recursive: true, force: true });
  // Not vacuous: the payloads were there, the pages were loaded, their links clicked.
  const enough = sites.payloads.length >= 300 && totals.loads >= 100 && totals.clicked > 0 && totals.footnotes > 0;
  if (!enough) console.log("xss: too little was tested (payloads, pages, clicks or footnote links missing)");
  process.exit(hits.length === 0 && failures.length === 0 && selfTest && enough ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(2); });
