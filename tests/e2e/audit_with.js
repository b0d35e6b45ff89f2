// Run site-audit on a built site with the reader's switches on (长辈版, 大字, 高对比度), the way a
// returning reader sees it: the remembered settings are put in localStorage before any page
// script runs, so site.js applies them as it does for the reader. site-audit loads pages as they
// are and has no option for this; this wrapper hooks the Playwright module site-audit loads (the
// same module instance) to add the settings to its browser context, then runs site-audit itself
// unchanged. It also checks that every audited page had the switches on, and fails otherwise.
// Usage: node tests/e2e/audit_with.js SWITCHES SITE_AUDIT_JS SITE [site-audit options]
//   SWITCHES: comma-separated: elder, large, contrast (e.g. elder or elder,contrast)
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { createRequire } = require("module");

const [switches, auditJs, ...rest] = process.argv.slice(2);
if (!switches || !auditJs || !rest.length) {
  console.error("usage: node tests/e2e/audit_with.js SWITCHES SITE_AUDIT_JS SITE [site-audit options]");
  process.exit(2);
}
const names = switches.split(",").filter(Boolean);
for (const n of names) {
  if (!["elder", "large", "contrast"].includes(n)) { console.error(`audit_with: unknown switch ${n}`); process.exit(2); }
}
const audit = path.resolve(auditJs);

// The playwright-core that site-audit will load: the same lookup, so the same module instance.
let playwright = null;
for (const d of [process.env.SITE_AUDIT_DEPS, path.dirname(audit),
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "site-audit")].filter(Boolean)) {
  try { playwright = createRequire(path.join(path.resolve(d), "package.json"))("playwright-core"); break; } catch (e) {
    if (e.code !== "MODULE_NOT_FOUND") throw e;
  }
}
if (!playwright) { console.error("audit_with: playwright-core not found; run site-audit's install.sh"); process.exit(2); }

let pages = 0;
const missing = [];
const launch = playwright.chromium.launchPersistentContext.bind(playwright.chromium);
playwright.chromium.launchPersistentContext = async (...args) => {
  const context = await launch(...args);
  await context.addInitScript((ns) => {
    try { for (const n of ns) window.localStorage.setItem("gongkai-" + n, "1"); } catch (e) { /* no storage */ }
  }, names);
  const newPage = context.newPage.bind(context);
  context.newPage = async (...a) => {
    const page = await newPage(...a);
    const goto = page.goto.bind(page);
    page.goto = async (url, opts) => {
      const resp = await goto(url, opts);
      const on = await page.evaluate((ns) => ns.every((n) => document.documentElement.classList.contains(n)), names).catch(() => false);
      pages++;
      if (!on) missing.push(url);
      return resp;
    };
    return page;
  };
  return context;
};
process.on("exit", (code) => {
  console.log(`audit_with: ${names.join("+")} on in ${pages - missing.length} of ${pages} page(s)`);
  if (missing.length || !pages) {
    console.log(`audit_with: switches not applied on ${missing.slice(0, 5).join(" ")}`);
    if (code === 0) process.exitCode = 1;
  }
});
if (!fs.existsSync(audit)) { console.error(`audit_with: no ${audit}`); process.exit(2); }
process.argv = [process.argv[0], audit, ...rest];
require(audit);
