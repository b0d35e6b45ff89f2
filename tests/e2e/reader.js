// The reader's side in a real browser (issue 15), on the built platform and multi-year
// fixtures:
//   search   queries typed into the header box return the expected first result — on the
//            platform over HTTP under /xxgk/ndbg/, on the multi-year site from file:// — for a
//            3–6 character phrase that only one report's narrative has (found in the sources by
//            this script, preferring phrases whose character pairs all occur in other reports, so
//            that only the phrase itself can put the report first) and for each body's short
//            name with each year; the year and kind filters; a withheld report is not found; the
//            scripts a query loads are the ones benches/search_replay.py replays; without
//            JavaScript the box leads to the year list;
//   长辈版    computed styles with the remembered switch on (and with 高对比度 too), at 375 and
//            1280 px: text ≥ 24 px, largest heading ≥ 30 px, line height ≥ 1.5, controls and
//            navigation links ≥ 60 × 60 px, text contrast ≥ 7:1, no fixed elements;
//   朗读      hidden without speech synthesis; with it, every block is spoken in order with the
//            block highlighted, and pause, resume and stop work;
//   tables   at 375 px, table 三 scrolled to its right end keeps every row's label in view and
//            on top, and its caption wraps inside the screen (also in elder mode).
// Usage: node tests/e2e/reader.js PLATFORM_SITE MULTI_YEAR_SITE [--shots DIR]
// Prints one line per check and ends with `N passed, M failed`; exit status 1 on any failure.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
const { execFileSync } = require("child_process");
const { pathToFileURL } = require("url");
const deps = process.env.SITE_AUDIT_DEPS || path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME, ".cache"), "site-audit");
const { chromium } = require(path.join(deps, "node_modules", "playwright-core"));

const repo = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const shotsAt = args.indexOf("--shots");
const shots = shotsAt >= 0 ? path.resolve(args.splice(shotsAt, 2)[1]) : null;
const [platformSite, multiSite] = args.map((a) => path.resolve(a));
if (!platformSite || !multiSite) {
  console.error("usage: node tests/e2e/reader.js PLATFORM_SITE MULTI_YEAR_SITE [--shots DIR]");
  process.exit(2);
}
const SUBPATH = "/xxgk/ndbg/";

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${ok || !detail ? "" : "\n     " + detail}`);
}

// ------------------------------------------------------------------ sources
// The published reports of a fixture: {url, text, year, folder} from report.md.
function reports(fixture, site) {
  const out = [];
  const bodies = fs.existsSync(path.join(fixture, "platform.toml"))
    ? fs.readdirSync(fixture).filter((d) => fs.existsSync(path.join(fixture, d, "site.toml"))).sort()
    : [""];
  for (const b of bodies) {
    const content = path.join(fixture, b, "content");
    const toml = fs.readFileSync(path.join(fixture, b, "site.toml"), "utf8");
    const short = (toml.match(/^short_name\s*=\s*"([^"]+)"/m) || [])[1];
    for (const y of fs.readdirSync(content).filter((d) => /^\d{4}$/.test(d)).sort()) {
      const md = path.join(content, y, "report.md");
      const url = (b ? b + "/" : "") + y + "/index.html";
      out.push({ folder: b, short, year: +y, url, text: fs.readFileSync(md, "utf8"), published: fs.existsSync(path.join(site, url)) });
    }
    const pages = path.join(content, "pages");
    if (fs.existsSync(pages)) {
      for (const f of fs.readdirSync(pages).filter((f) => f.endsWith(".md")).sort()) {
        const url = (b ? b + "/" : "") + "pages/" + f.replace(/\.md$/, "") + "/index.html";
        out.push({ folder: b, short, year: 0, url, text: fs.readFileSync(path.join(pages, f), "utf8"), published: true });
      }
    }
  }
  return out;
}
const han = (s) => s.match(/[\u3400-\u9fff]+/g) || [];
// A phrase of `len` Han characters that only `r` has among `all`; preferably one each of whose
// character pairs some other document has too.
function uniquePhrase(r, all, len) {
  const others = all.filter((o) => o !== r).map((o) => o.text);
  let fallback = null;
  for (const run of han(r.text)) {
    for (let i = 0; i + len <= run.length; i++) {
      const p = run.slice(i, i + len);
      if (others.some((t) => t.includes(p))) continue;
      let pairsElsewhere = true;
      for (let k = 0; k + 2 <= len; k++) if (!others.some((t) => t.includes(p.slice(k, k + 2)))) pairsElsewhere = false;
      if (pairsElsewhere) return { phrase: p, hard: true };
      if (!fallback) fallback = { phrase: p, hard: false };
    }
  }
  return fallback;
}

// ------------------------------------------------------------------- server
const MIME = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json", ".csv": "text/csv" };
function serve(root) {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, "http://127.0.0.1");
    if (!u.pathname.startsWith(SUBPATH)) { res.writeHead(404); res.end(); return; }
    let file = path.join(root, decodeURIComponent(u.pathname.slice(SUBPATH.length)));
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// ------------------------------------------------------------------- search
// Type `text` into the header box of `start`, submit, wait for the results; returns the result
// links relative to `base`, the status line and the index scripts loaded.
async function query(page, start, text, base) {
  await page.goto(start);
  const loaded = [];
  const onRequest = (r) => { if (/\/search\/.+\.js/.test(r.url())) loaded.push(r.url().slice(base.length).replace(/\?.*$/, "")); };
  page.on("request", onRequest);
  await page.fill("#site-q", text);
  await Promise.all([page.waitForURL(/search\/index\.html/), page.press("#site-q", "Enter")]);
  await page.waitForSelector("#search-results[aria-busy=false]", { timeout: 15000 });
  page.off("request", onRequest);
  return results(page, base, loaded);
}
async function results(page, base, loaded) {
  const links = await page.$$eval("#search-results h2 a", (as) => as.map((a) => a.href));
  return {
    links: links.map((l) => l.slice(base.length).replace(/#.*$/, "")),
    status: await page.textContent("#search-status"),
    marked: await page.$$eval("#search-results mark", (ms) => ms.map((m) => m.textContent)),
    titles: await page.$$eval("#search-results h2 a", (as) => as.map((a) => a.textContent)),
    loaded: loaded || [],
  };
}
async function refilter(page, select, value, base) {
  await page.selectOption(select, value);
  await page.waitForSelector("#search-results[aria-busy=false]", { timeout: 15000 });
  return results(page, base);
}

async function searchTests(browser, site, fixture, base, label) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const all = reports(fixture, site);
  const published = all.filter((r) => r.published);
  const start = base + published[0].url;
  for (const r of published) {
    for (const len of [3, 4, 6]) {
      const u = uniquePhrase(r, published, len);
      if (!u) continue;
      const got = await query(page, start, u.phrase, base);
      check(`${label}: “${u.phrase}” (only in ${r.url}${u.hard ? ", its character pairs elsewhere too" : ""}) finds it first`,
        got.links[0] === r.url && (got.marked.includes(u.phrase) || got.titles[0].includes(u.phrase)), `${got.status} ${JSON.stringify(got.links.slice(0, 3))} marked ${JSON.stringify(got.marked.slice(0, 3))}`);
    }
    if (r.year) {
      const q = `${r.short} ${r.year}`;
      const got = await query(page, start, q, base);
      check(`${label}: “${q}” finds ${r.url} first`, got.links[0] === r.url, `${got.status} ${JSON.stringify(got.links.slice(0, 3))}`);
      const q2 = `${r.short}${r.year}年`;
      const got2 = await query(page, start, q2, base);
      check(`${label}: “${q2}” finds ${r.url} first`, got2.links[0] === r.url, `${got2.status} ${JSON.stringify(got2.links.slice(0, 3))}`);
    }
  }
  for (const r of all.filter((x) => !x.published)) {
    const u = uniquePhrase(r, all, 6);
    if (!u) continue;
    const got = await query(page, start, u.phrase, base);
    check(`${label}: the withheld ${r.url} is not found (“${u.phrase}”)`, !got.links.includes(r.url), JSON.stringify(got.links));
  }
  // Filters: every result of the year filter is of that year.
  const years = [...new Set(published.filter((r) => r.year).map((r) => r.year))];
  await query(page, start, "政府信息", base);
  for (const y of years) {
    const got = await refilter(page, "#search-year", String(y), base);
    const ok = got.links.length > 0 && got.links.every((l) => l.includes(`${y}/index.html`));
    check(`${label}: year filter ${y} keeps only ${y}`, ok, JSON.stringify(got.links));
  }
  await refilter(page, "#search-year", "", base);
  if (await page.$("#search-kind")) {
    const kinds = await page.$$eval("#search-kind option", (os) => os.map((o) => o.value).filter(Boolean));
    for (const k of kinds) {
      const got = await refilter(page, "#search-kind", k, base);
      const folders = published.filter((r) => fs.readFileSync(path.join(fixture, r.folder, "site.toml"), "utf8").includes(`kind = "${k}"`)).map((r) => r.folder);
      const ok = got.links.length > 0 && got.links.every((l) => folders.includes(l.split("/")[0]));
      check(`${label}: kind filter ${k} keeps only its bodies`, ok, JSON.stringify(got.links));
    }
  }
  // The scripts a query loads are what the replay of the benchmark counts.
  for (const q of ["行政复议", `${published[0].short} ${published[0].year}`]) {
    const got = await query(page, start, q, base);
    const replay = JSON.parse(execFileSync("python3", [path.join(repo, "benches", "search_replay.py"), site, "--list", q], { encoding: "utf8" }));
    const a = [...new Set(got.loaded)].sort(), b = [...replay].sort();
    check(`${label}: “${q}” loads the scripts search_replay.py counts (${a.length})`, JSON.stringify(a) === JSON.stringify(b), `browser ${JSON.stringify(a)}\n     replay  ${JSON.stringify(b)}`);
  }
  check(`${label}: no script errors`, errors.length === 0, errors.join("; "));
  await page.close();
}

async function noScript(browser, site, base, label) {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const first = fs.existsSync(path.join(site, "platform.toml")) ? "index.html" : "index.html";
  await page.goto(base + first);
  await page.fill("#site-q", "行政复议");
  await Promise.all([page.waitForURL(/search\/index\.html/), page.press("#site-q", "Enter")]);
  const note = await page.isVisible("#search-nojs");
  const links = await page.$$eval(".year-list a", (as) => as.map((a) => a.href));
  let resolved = links.length > 0;
  for (const l of links) {
    const resp = await page.goto(l);
    if (!resp || !resp.ok()) resolved = false;
  }
  check(`${label}: without JavaScript the box leads to the year list (${links.length} links, all load)`, note && resolved, `note visible ${note}, links ${JSON.stringify(links)}`);
  await ctx.close();
}

// ---------------------------------------------------------------- 长辈版
// Everything the check needs, measured in the page.
function measure() {
  const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !el.closest(".visually-hidden, [hidden]"); };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " “" + (el.textContent || el.value || "").trim().slice(0, 20) + "”";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el) || el.closest("svg, script, style, sup, sub, .skip-link") || !visible(el)) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    const lh = s.lineHeight === "normal" ? 0 : parseFloat(s.lineHeight) / size;
    texts.push({ el: name(el), size, lh, contrast: ratio(over(parse(s.color), background(el)), background(el)) });
  }
  for (const input of document.querySelectorAll("input[placeholder]")) {
    if (!visible(input)) continue;
    const s = getComputedStyle(input, "::placeholder");
    texts.push({ el: name(input) + "::placeholder", size: parseFloat(s.fontSize), lh: 9, contrast: ratio(parse(s.color), background(input)) });
  }
  // Targets: every control, and every link that is not a word in running text.
  const inline = "main p a:not(.table-download a), .part li a, .lead li a, .summary li a, .md-page > ul a, .md-page > ol a, .footnotes a, sup a, table.data-table td a";
  const targets = [];
  for (const el of document.querySelectorAll("a[href], button, input, select")) {
    if (!visible(el) || el.matches(inline) || el.matches(".skip-link")) continue;
    const r = el.getBoundingClientRect();
    targets.push({ el: name(el), w: r.width, h: r.height });
  }
  const fixed = [...document.querySelectorAll("body *")].filter((e) => getComputedStyle(e).position === "fixed").map(name);
  const h1 = document.querySelector("h1");
  return { elder: document.documentElement.classList.contains("elder"), texts, targets, fixed, h1: h1 ? parseFloat(getComputedStyle(h1).fontSize) : 0 };
}

async function elderTests(browser, base, pages, label) {
  for (const modes of [["elder"], ["elder", "contrast"]]) {
    for (const width of [375, 1280]) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 } });
      await ctx.addInitScript((ms) => { for (const m of ms) localStorage.setItem("gongkai-" + m, "1"); }, modes);
      const page = await ctx.newPage();
      for (const p of pages) {
        await page.goto(base + p);
        await page.waitForFunction(() => document.documentElement.classList.contains("elder"));
        if (p.includes("search/")) await page.waitForSelector("#search-results[aria-busy=false]");
        const m = await page.evaluate(measure);
        const where = `${label} ${modes.join("+")} ${width}px ${p}`;
        const small = m.texts.filter((t) => t.size < 23.95);
        check(`${where}: text ≥ 24px (${m.texts.length} elements)`, m.elder && small.length === 0, small.slice(0, 5).map((t) => `${t.el} ${t.size}px`).join("; "));
        check(`${where}: largest heading ≥ 30px (h1 ${m.h1}px)`, m.h1 >= 30);
        const tight = m.texts.filter((t) => t.lh < 1.495);
        check(`${where}: line height ≥ 1.5`, tight.length === 0, tight.slice(0, 5).map((t) => `${t.el} ${t.lh.toFixed(2)}`).join("; "));
        const tiny = m.targets.filter((t) => t.w < 59.5 || t.h < 59.5);
        check(`${where}: ${m.targets.length} targets ≥ 60 × 60px`, tiny.length === 0, tiny.slice(0, 5).map((t) => `${t.el} ${t.w.toFixed(0)}×${t.h.toFixed(0)}`).join("; "));
        const low = m.texts.filter((t) => t.contrast < 7);
        check(`${where}: contrast ≥ 7:1`, low.length === 0, low.slice(0, 5).map((t) => `${t.el} ${t.contrast.toFixed(2)}`).join("; "));
        check(`${where}: no fixed overlays`, m.fixed.length === 0, m.fixed.join("; "));
      }
      await ctx.close();
    }
  }
}

// ---------------------------------------------------------------- 朗读
async function readAloudTests(browser, url, label) {
  {
    const ctx = await browser.newContext();
    await ctx.addInitScript(() => { delete window.speechSynthesis; delete Window.prototype.speechSynthesis; });
    const page = await ctx.newPage();
    await page.goto(url);
    check(`${label}: 朗读 hidden without speech synthesis`, !(await page.isVisible("#read-aloud")) && (await page.$("#read-aloud")) !== null);
    await ctx.close();
  }
  {
    // Headless Chromium has the speech API but no voice to speak with, so an utterance never
    // starts; a recording stand-in for the engine (speak/pause/resume/cancel, each utterance
    // ending after 30 ms) lets the page's own logic be driven and observed.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url);
    const real = await page.evaluate(() => typeof window.speechSynthesis === "object" && typeof window.SpeechSynthesisUtterance === "function");
    check(`${label}: 朗读 shown where the browser has speech synthesis`, real && (await page.isVisible("#read-aloud")));
    await ctx.addInitScript(() => {
      const log = window.__spoken = [];
      let queue = [], paused = false, timer = null;
      function next() {
        if (paused || timer || !queue.length) return;
        const u = queue[0];
        log.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.lang, reading: (document.querySelector(".reading") || {}).textContent || "" });
        timer = setTimeout(() => { timer = null; queue.shift(); if (u.onend) u.onend({}); next(); }, 30);
      }
      window.SpeechSynthesisUtterance = function (text) { this.text = text; };
      Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
        speak(u) { queue.push(u); next(); },
        pause() { paused = true; clearTimeout(timer); timer = null; },
        resume() { paused = false; next(); },
        cancel() { queue = []; clearTimeout(timer); timer = null; },
        getVoices() { return [{ lang: "en-US", name: "en" }, { lang: "zh-CN", name: "zh" }]; },
      } });
    });
    await page.goto(url);
    const blocks = await page.evaluate(() => document.querySelectorAll("article h1, article h2, article .part p, article .lead p").length);
    await page.click("#read-aloud [data-read=play]");
    await page.waitForFunction(() => window.__spoken.length >= 3);
    // Buttons pressed from the keyboard while reading: the page keeps the block being read in
    // view, so the layout moves every 30 ms and a pointer click aimed a moment earlier can land
    // on the neighbouring button (「朗读全文」, which starts again from the top).
    await page.press("#read-aloud [data-read=pause]", "Enter");
    const atPause = await page.evaluate(() => window.__spoken.length);
    await page.waitForTimeout(200);
    const afterPause = await page.evaluate(() => window.__spoken.length);
    const pausedState = await page.getAttribute("#read-aloud", "data-state");
    check(`${label}: 朗读 pauses (${pausedState}, ${atPause} → ${afterPause} blocks)`, pausedState === "paused" && afterPause === atPause);
    await page.click("#read-aloud [data-read=play]");
    await page.waitForFunction((n) => window.__spoken.length > n + 1, atPause);
    check(`${label}: 朗读 resumes`, (await page.getAttribute("#read-aloud", "data-state")) === "speaking");
    await page.waitForFunction(() => document.querySelector("#read-aloud").getAttribute("data-state") === "idle", null, { timeout: 30000 });
    const spoken = await page.evaluate(() => window.__spoken);
    const first = spoken[0] || {};
    const inOrder = spoken.every((s) => s.reading.replace(/\s+/g, " ").trim() && (s.text.startsWith(s.reading.replace(/\s+/g, " ").trim())));
    check(`${label}: 朗读 reads ${spoken.length} blocks (≥ ${blocks} headings and paragraphs) in zh-CN, each highlighted while read`,
      spoken.length >= blocks && first.lang === "zh-CN" && first.voice === "zh-CN" && inOrder, JSON.stringify(spoken.slice(0, 3)));
    check(`${label}: 朗读 reads no table cells`, !spoken.some((s) => /^\d+$/.test(s.text)));
    await page.click("#read-aloud [data-read=play]");
    await page.waitForFunction(() => window.__spoken.length >= 2 && document.querySelector(".reading"));
    await page.press("#read-aloud [data-read=stop]", "Enter");
    const stopped = await page.evaluate(() => [document.querySelector("#read-aloud").getAttribute("data-state"), !!document.querySelector(".reading")]);
    check(`${label}: 朗读 stops and clears the highlight`, stopped[0] === "idle" && !stopped[1], JSON.stringify(stopped));
    await ctx.close();
  }
}

// ---------------------------------------------------------------- tables
async function stickyTests(browser, url, label, modes) {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 800 } });
  await ctx.addInitScript((ms) => { for (const m of ms) localStorage.setItem("gongkai-" + m, "1"); }, modes);
  const page = await ctx.newPage();
  await page.goto(url);
  if (modes.length) await page.waitForFunction(() => document.documentElement.classList.contains("elder"));
  const r = await page.evaluate(() => {
    const table = [...document.querySelectorAll("table.data-table")].find((t) => /^表3/.test(t.caption.textContent));
    const region = table.closest(".table-scroll");
    window.scrollTo(0, table.tBodies[0].getBoundingClientRect().top + window.scrollY - 10);
    const before = region.scrollLeft;
    region.scrollLeft = region.scrollWidth;
    const box = region.getBoundingClientRect();
    const bad = [];
    let rows = 0;
    for (const tr of table.querySelectorAll("tbody tr")) {
      const ths = tr.querySelectorAll("th");
      const th = ths[ths.length - 1];
      const rect = th.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) continue;
      rows++;
      const x = rect.left + Math.min(rect.width / 2, 20), y = rect.top + rect.height / 2;
      const hit = document.elementFromPoint(x, y);
      // At the left edge, on top of the numbers, and leaving room for at least one number.
      const room = box.right - rect.right;
      if (rect.left < box.left - 1 || rect.left > box.left + 1 || !(hit && th.contains(hit)) || room < 40)
        bad.push(`${th.textContent.trim()} left ${rect.left.toFixed(1)} right ${rect.right.toFixed(1)} region ${box.left.toFixed(1)}–${box.right.toFixed(1)} hit ${hit && hit.tagName}`);
    }
    const cap = table.caption.getBoundingClientRect();
    return { before, scrolled: region.scrollLeft, overflow: region.scrollWidth - region.clientWidth, rows, bad,
      caption: { left: cap.left, right: cap.right, clipped: table.caption.scrollWidth > table.caption.clientWidth + 1 } };
  });
  const where = `${label}${modes.length ? " " + modes.join("+") : ""} 375px`;
  check(`${where}: table 三 scrolls sideways (${r.overflow}px) and its ${r.rows} row labels in view stay at the left, on top`, r.overflow > 0 && r.scrolled > 0 && r.rows > 3 && r.bad.length === 0, r.bad.slice(0, 4).join("; "));
  check(`${where}: table 三's caption wraps inside the screen`, r.caption.left >= 0 && r.caption.right <= 375.5 && !r.caption.clipped, JSON.stringify(r.caption));
  if (shots) {
    // For the guide: the caption at the top, the table scrolled halfway.
    await page.evaluate(() => {
      const table = [...document.querySelectorAll("table.data-table")].find((t) => /^表3/.test(t.caption.textContent));
      const region = table.closest(".table-scroll");
      window.scrollTo(0, region.getBoundingClientRect().top + window.scrollY - 8);
      region.scrollLeft = (region.scrollWidth - region.clientWidth) / 2;
    });
    await page.screenshot({ path: path.join(shots, `table3-phone${modes.length ? "-" + modes.join("-") : ""}.png`) });
  }
  await ctx.close();
}

// -------------------------------------------------------------------- main
(async () => {
  if (shots) fs.mkdirSync(shots, { recursive: true });
  const server = await serve(platformSite);
  const httpBase = `http://127.0.0.1:${server.address().port}${SUBPATH}`;
  const fileBase = pathToFileURL(multiSite + path.sep).href;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    await searchTests(browser, platformSite, path.join(repo, "tests/fixtures/platform"), httpBase, "platform (HTTP, subpath)");
    await searchTests(browser, multiSite, path.join(repo, "tests/fixtures/multi-year"), fileBase, "multi-year (file://)");
    await noScript(browser, platformSite, httpBase, "platform");
    await noScript(browser, multiSite, fileBase, "multi-year (file://)");
    const elderPages = ["index.html", "2022/index.html", "2019/index.html", "compare/index.html", "pages/guide/index.html", "search/index.html?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE", "404.html"];
    await elderTests(browser, fileBase, elderPages, "multi-year");
    await elderTests(browser, httpBase, ["index.html", "years/2022/index.html", "shili-zhen/2022/index.html", "search/index.html?q=%E7%A4%BA%E4%BE%8B%E9%95%87"], "platform");
    await readAloudTests(browser, fileBase + "2022/index.html", "multi-year 2022");
    await readAloudTests(browser, fileBase + "pages/guide/index.html", "multi-year guide");
    await stickyTests(browser, fileBase + "2022/index.html", "multi-year 2022", []);
    await stickyTests(browser, fileBase + "2022/index.html", "multi-year 2022", ["elder"]);
    await stickyTests(browser, fileBase + "2019/index.html", "multi-year 2019", []);
    if (shots) {
      for (const [name, url, w, modes, full] of [
        ["elder-phone.png", fileBase + "2022/index.html", 375, ["elder"], false],
        ["elder-desktop.png", fileBase + "2022/index.html", 1280, ["elder"], false],
        ["search-phone.png", httpBase + "search/index.html?q=%E7%A4%BA%E4%BE%8B%E9%95%87%202022", 375, [], false],
      ]) {
        const ctx = await browser.newContext({ viewport: { width: w, height: w < 500 ? 760 : 900 } });
        await ctx.addInitScript((ms) => { for (const m of ms) localStorage.setItem("gongkai-" + m, "1"); }, modes);
        const page = await ctx.newPage();
        await page.goto(url);
        if (url.includes("search/")) await page.waitForSelector("#search-results[aria-busy=false]");
        await page.screenshot({ path: path.join(shots, name), fullPage: full });
        await ctx.close();
      }
    }
  } catch (e) {
    check("reader tests ran to the end", false, e.stack);
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
