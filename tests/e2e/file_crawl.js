// Open a built site from file:// in Chromium and follow every internal link from index.html;
// every page must load, with its stylesheet and script, and every fragment must exist.
// Usage: node tests/e2e/file_crawl.js SITE_DIR
"use strict";
const path = require("path");
const fs = require("fs");
const { pathToFileURL } = require("url");
const deps = process.env.SITE_AUDIT_DEPS || path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME, ".cache"), "site-audit");
const { chromium } = require(path.join(deps, "node_modules", "playwright-core"));

(async () => {
  const root = path.resolve(process.argv[2]);
  const rootUrl = pathToFileURL(root + path.sep).href;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  const failed = [];
  // A subresource request still in flight when the crawler moves to the next page (Chromium
  // fetches the favicon late) fails with net::ERR_ABORTED; that is the crawl's doing, not a
  // broken link, so such a request only counts when its file is really missing.
  page.on("requestfailed", (r) => {
    const url = r.url();
    if (!url.startsWith("file:")) return;
    const error = r.failure().errorText;
    if (error === "net::ERR_ABORTED" && fs.existsSync(decodeURIComponent(new URL(url).pathname))) return;
    failed.push(`${url} (${error})`);
  });
  const queue = [rootUrl + "index.html"];
  const seen = new Set();
  const fragments = [];
  const ids = new Map();
  while (queue.length) {
    const url = queue.pop();
    if (seen.has(url)) continue;
    seen.add(url);
    if (!url.endsWith(".html")) {
      if (!fs.existsSync(decodeURIComponent(new URL(url).pathname))) failed.push(`${url} (missing)`);
      continue;
    }
    const resp = await page.goto(url);
    if (!resp) { failed.push(`${url} (no response)`); continue; }
    const sheets = await page.evaluate(() => Array.from(document.styleSheets).length);
    if (sheets < 1) failed.push(`${url} (stylesheet not applied)`);
    const found = await page.evaluate(() => ({
      links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
      ids: Array.from(document.querySelectorAll("[id]")).map((e) => e.id),
    }));
    ids.set(url, new Set(found.ids));
    for (const href of found.links) {
      if (!href.startsWith(rootUrl)) continue;
      const [target, frag] = href.split("#");
      if (frag) fragments.push([url, target, decodeURIComponent(frag)]);
      queue.push(target);
    }
  }
  for (const [from, target, frag] of fragments) {
    if (ids.has(target) && !ids.get(target).has(frag)) failed.push(`#${frag} missing in ${target} (from ${from})`);
  }
  await browser.close();
  for (const f of failed) console.log(f);
  console.log(`file:// crawl: ${seen.size} URLs, ${failed.length} broken`);
  process.exit(failed.length ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
