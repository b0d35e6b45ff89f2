// The editor in a real browser (issue 13): `gongkai serve` on a copy of the bundled site, the
// year's form in headless Chromium, driven as a clerk would drive it:
//
// 1. type a value into a cell (found by its accessible name: its row and column headers), see
//    the computed totals follow and a diagnostic appear (R3.1: the column no longer adds up);
// 2. type the matching value into another cell, see the diagnostic go;
// 3. save with the Save button, and read report.yaml: it differs from the original only in the
//    bytes of the values typed and the totals that followed them;
// 4. a second tab saves a stale version: the form says what changed and the file is untouched;
// 5. keyboard only: Tab reaches the inputs and Save; Ctrl+S saves;
// 6. at 375 px the page does not scroll sideways and every input is at least 44 px tall.
//
// With --pages DIR it also writes the editor's pages (years, a year; on the platform fixture
// the bodies, a body, a year) as static files into DIR over a build of the same site, so that
// site-audit can check them (links resolve to the built pages). With --shots DIR it writes the
// screenshots used in docs/用户指南.md (the years, the form while typing and its checks on a
// desktop, the form on a phone): `node tests/e2e/editor.js --shots docs/images`.
//
// Usage: node tests/e2e/editor.js [--pages DIR] [--shots DIR]   (GONGKAI_BIN overrides
// ./target/release/gongkai). Exit status 0 only when every step passes.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn, execFileSync } = require("child_process");
const deps = process.env.SITE_AUDIT_DEPS || path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME, ".cache"), "site-audit");
const { chromium } = require(path.join(deps, "node_modules", "playwright-core"));

const repo = path.resolve(__dirname, "..", "..");
const bin = process.env.GONGKAI_BIN || path.join(repo, "target", "release", "gongkai");

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : null;
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name), b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b);
    else fs.copyFileSync(a, b);
  }
}

// Start `gongkai serve` on a free port; resolves to { child, base }.
function serve(root) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["serve", "--root", root, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("serve did not start: " + out)), 30000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\/edit\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: `http://127.0.0.1:${m[1]}` });
      }
    });
    child.stderr.on("data", () => {});
    child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
}

const failures = [];
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

async function waitFor(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return true;
    } catch (e) { /* not yet */ }
    if (Date.now() > end) {
      check(false, what + " (timed out)");
      return false;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Lines of two texts that differ, as [old, new] pairs (same number of lines expected).
function changedLines(a, b) {
  const x = a.split("\n"), y = b.split("\n");
  if (x.length !== y.length) return null;
  const out = [];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) out.push([x[i], y[i]]);
  return out;
}

// Save the editor's pages as static files (with their stylesheet and script) into `dir`.
async function savePages(base, dir, pages) {
  for (const p of ["edit/edit.css", "edit/edit.js"].concat(pages)) {
    const res = await fetch(`${base}/${p}`);
    if (res.status !== 200) check(false, `GET /${p} → ${res.status}`);
    const file = path.join(dir, p.endsWith("/") ? p + "index.html" : p);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  }
}

(async () => {
  const pagesDir = arg("--pages");
  const shotsDir = arg("--shots");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gongkai-editor-"));
  const site = path.join(work, "site");
  fs.mkdirSync(site);
  fs.copyFileSync(path.join(repo, "site.toml"), path.join(site, "site.toml"));
  copyDir(path.join(repo, "content"), path.join(site, "content"));
  const yamlPath = path.join(site, "content", "2020", "report.yaml");
  const original = fs.readFileSync(yamlPath, "utf8");

  const { child, base } = await serve(site);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/edit/2020/`);
    check(await page.title() === "宁波市鄞州区东柳街道办事处 2020 年度报告 — gongkai 编辑器", "the year's form loads");
    const status = page.locator("#status");
    check((await status.textContent()).includes("0 个错误，5 个警告"), "the check's five warnings are listed");

    // 1. A value typed: totals follow, a diagnostic appears (R3.1: 一 + 二 ≠ 三（七） + 四).
    const name = (row, col) => page.getByRole("textbox", { name: `三、本年度办理结果 ${row} 申请人情况 ${col}`, exact: true });
    const granted = name("（一）予以公开", "自然人");
    check(await granted.count() === 1, "an input is named by its row and column headers");
    await granted.fill("3");
    const rowTotal = name("（一）予以公开", "总计");
    const colTotal = name("（七）总计", "自然人");
    await waitFor(async () => (await rowTotal.inputValue()) === "3" && (await colTotal.inputValue()) === "3",
      "the row's and the column's 总计 follow the typed value");
    check(await waitFor(async () => (await page.locator("#problems").textContent()).includes("R3.1"), "R3.1 appears"),
      "the check runs while typing: R3.1 is listed");
    check((await status.textContent()).startsWith("2 个错误"), "the live region counts the new errors (R3.1 for 自然人 and for 总计)");
    const r31cell = await page.locator("td.error").count();
    check(r31cell >= 1, "the error is shown beside its cell");

    if (shotsDir) {
      // The form while the clerk types: totals followed, the error beside its cell.
      fs.mkdirSync(shotsDir, { recursive: true });
      await colTotal.evaluate((el) => el.scrollIntoView({ block: "center" }));
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(shotsDir, "editor-desktop.png") });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(shotsDir, "editor-top.png") });
    }

    // 2. The matching value: the diagnostic goes.
    const received = page.getByRole("textbox", { name: "一、本年新收政府信息公开申请数量 申请人情况 自然人", exact: true });
    await received.fill("3");
    check(await waitFor(async () => !(await page.locator("#problems").textContent()).includes("R3.1"), "R3.1 goes"),
      "R3.1 goes when the column adds up again");
    check((await status.textContent()).startsWith("0 个错误"), "no error left");

    // 3. Save: only the typed values and the totals that followed change; the narrative part
    // typed into changes, the rest of report.md stays.
    const mdPath = path.join(site, "content", "2020", "report.md");
    const originalMd = fs.readFileSync(mdPath, "utf8");
    await page.getByLabel("六、其他需要报告的事项：正文").fill("本年度未收取信息处理费。");
    await page.getByRole("button", { name: "保存" }).click();
    await waitFor(async () => (await page.locator("#save-status").textContent()).startsWith("已保存"), "saved");
    const saved = fs.readFileSync(yamlPath, "utf8");
    const diff = changedLines(original, saved) || [];
    check(diff.length === 6 && diff.every(([a, b]) => a.replace(/: 0(\s|$)/, ": 3$1") === b),
      `report.yaml differs only in the two values typed and the four totals that followed (${JSON.stringify(diff)})`);
    check(fs.readFileSync(mdPath, "utf8") === originalMd.replace("无其他需要报告的事项。", "本年度未收取信息处理费。") && originalMd.includes("无其他需要报告的事项。"),
      "report.md differs only in the part typed into");
    check(saved.split("\n").filter((l) => l.trim().startsWith("#")).join("\n") === original.split("\n").filter((l) => l.trim().startsWith("#")).join("\n"),
      "every comment is kept");

    // 4. A stale tab: 409, what changed is shown, the file is untouched.
    const stale = await browser.newPage();
    await stale.goto(`${base}/edit/2020/`);
    await page.bringToFront();
    await received.fill("4");
    await page.keyboard.press("Control+s");
    await waitFor(async () => (await page.locator("#save-status").textContent()).startsWith("已保存"), "saved with Ctrl+S");
    const afterCtrlS = fs.readFileSync(yamlPath, "utf8");
    await stale.bringToFront();
    await stale.getByRole("textbox", { name: "二、上年结转政府信息公开申请数量 申请人情况 自然人", exact: true }).fill("1");
    await stale.getByRole("button", { name: "保存" }).click();
    await waitFor(async () => await stale.locator("#conflict").isVisible(), "the conflict is shown");
    const conflictText = await stale.locator("#conflict").textContent();
    check(conflictText.includes("一、本年新收政府信息公开申请数量 › 自然人") && conflictText.includes("3 → 4"),
      "the conflict names what changed on disk");
    check(fs.readFileSync(yamlPath, "utf8") === afterCtrlS, "a stale save writes nothing");
    await stale.getByRole("button", { name: "在新版本上保存我的修改" }).click();
    await waitFor(async () => (await stale.locator("#save-status").textContent()).startsWith("已保存"), "saved over the new version");
    const merged = fs.readFileSync(yamlPath, "utf8");
    check((changedLines(afterCtrlS, merged) || []).length >= 1 && merged.includes("自然人: 4"),
      "the clerk's change is saved over the new version, the other change kept");
    await stale.close();

    if (shotsDir) {
      await page.goto(`${base}/edit/`);
      await page.screenshot({ path: path.join(shotsDir, "editor-years.png") });
      await page.goto(`${base}/edit/2020/`);
    }

    // 5. Keyboard only: the skip link, then Tab reaches an input of the tables and Save.
    await page.reload();
    await page.keyboard.press("Tab");
    check(await page.evaluate(() => document.activeElement.className) === "skip-link", "Tab reaches the skip link first");
    let reachedInput = false, reachedSave = false;
    for (let i = 0; i < 400 && !reachedSave; i++) {
      await page.keyboard.press("Tab");
      const a = await page.evaluate(() => [document.activeElement.tagName, document.activeElement.id]);
      if (a[0] === "INPUT" && /^c\d/.test(a[1])) reachedInput = true;
      if (a[1] === "save") reachedSave = true;
    }
    check(reachedInput && reachedSave, "Tab reaches the table inputs and the Save button");

    // 6. A phone.
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await phone.goto(`${base}/edit/2020/`);
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 375, `no sideways scrolling at 375 px (${wide})`);
    const small = await phone.evaluate(() => Array.from(document.querySelectorAll("input:not([type=hidden]), button, select"))
      .filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.id || e.name));
    check(small.length === 0, `every control is at least 44 px tall (${small.slice(0, 5)})`);
    const modes = await phone.evaluate(() => Array.from(document.querySelectorAll("td input")).filter((i) => !i.inputMode).length);
    check(modes <= 12, `numeric keyboards on phones (${modes} inputs without inputmode: the signed 本年增/减)`);
    if (shotsDir) {
      await phone.evaluate(() => document.getElementById("t3-caption").scrollIntoView({ block: "start" }));
      await phone.screenshot({ path: path.join(shotsDir, "editor-phone.png") });
    }
    await phone.close();
    check(errors.length === 0, `no script errors (${errors})`);

    if (pagesDir) {
      // The office's pages (its site has errors now, so they show error states too) over a
      // build of the bundled site, and the platform fixture's.
      execFileSync(bin, ["build", "--output", path.join(pagesDir, "office")], { cwd: repo, stdio: "ignore" });
      await savePages(base, path.join(pagesDir, "office"), ["edit/", "edit/2020/"]);
      const platform = path.join(work, "platform");
      copyDir(path.join(repo, "tests", "fixtures", "platform"), platform);
      execFileSync(bin, ["build", "--root", platform, "--output", path.join(pagesDir, "platform")], { stdio: "ignore" });
      const p = await serve(platform);
      try {
        // Every page the bodies page links to: each body, each of its years.
        const pages = ["edit/"];
        for (const b of await (await fetch(`${p.base}/api/bodies`)).json()) {
          pages.push(`edit/${b.folder}/`);
          for (const y of await (await fetch(`${p.base}/api/${b.folder}/years`)).json()) pages.push(`edit/${b.folder}/${y.year}/`);
        }
        await savePages(p.base, path.join(pagesDir, "platform"), pages);
      } finally {
        p.child.kill();
      }
      console.log(`editor pages written to ${pagesDir}/office and ${pagesDir}/platform`);
    }
  } finally {
    await browser.close();
    child.kill();
  }
  fs.rmSync(work, { recursive: true, force: true });
  console.log(failures.length ? `${failures.length} failed` : "all passed");
  process.exit(failures.length ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
