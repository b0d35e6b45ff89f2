// The hostile sites of the XSS browser test (tests/e2e/xss.js): a single office and a small
// platform whose every text field that gongkai accepts carries XSS payloads.
//
// The payloads are generated here (the network reaches only package registries, so no payload
// list is downloaded): the families of the PayloadsAllTheThings and OWASP XSS cheat sheets —
// script tags, event handlers on many elements, javascript:/data:/vbscript: URLs disguised with
// case, entities, whitespace and control characters in every place a URL can go, SVG and
// MathML, iframe srcdoc, meta refresh, styles and expression(), template syntax, Markdown
// links, images, autolinks, reference links and footnotes, raw HTML blocks, attribute
// breakouts with quotes and mutation-XSS forms. Every payload that could run calls one of the
// hooked functions with its own number (alert(17), confirm(17) …), so a hit names its payload.
//
// Usage: node tests/e2e/xss_site.js OUT_DIR   (writes OUT_DIR/office and OUT_DIR/platform)
"use strict";
const fs = require("fs");
const path = require("path");

const repo = path.resolve(__dirname, "..", "..");

/** Every payload: { id, family, text }. */
function payloads() {
  const list = [];
  // How the numbered payload calls home: mostly alert, some through the other hooked ways.
  const calls = [
    (n) => `alert(${n})`,
    (n) => `alert(${n})`,
    (n) => `confirm(${n})`,
    (n) => `prompt(${n})`,
    (n) => `eval('alert(${n})')`,
    (n) => `setTimeout('alert(${n})')`,
    (n) => `Function('alert(${n})')()`,
    (n) => `document.write('<i>${n}</i>')`,
    (n) => `top['al'+'ert'](${n})`,
    (n) => `window.print(${n})`,
  ];
  const add = (family, make) => {
    const id = list.length + 1;
    const code = calls[id % calls.length](id);
    list.push({ id, family, text: make(code, id) });
  };

  // 1. Script tags.
  for (const make of [
    (c) => `<script>${c}</script>`,
    (c) => `<SCRIPT>${c}</SCRIPT>`,
    (c) => `<ScRiPt >${c}</sCrIpT >`,
    (c) => `<script type="text/javascript">${c}</script>`,
    (c) => `<script type="module">${c}</script>`,
    (c) => `<script/xss>${c}</script>`,
    (c) => `<script src="data:text/javascript,${c}"></script>`,
    (c) => `<script src=data:,${c}></script>`,
    (c) => `<script>/*</script><script>*/${c}</script>`,
    (c) => `<scr<script>ipt>${c}</scr</script>ipt>`,
    (c) => `<<script>${c}//<</script>`,
    (c) => `<script>${c}<!--`,
    (c) => `<script\x0c>${c}</script>`,
    (c) => `</title><script>${c}</script>`,
    (c) => `</textarea><script>${c}</script>`,
    (c) => `</style><script>${c}</script>`,
    (c) => `</noscript><script>${c}</script>`,
    (c) => `--><script>${c}</script>`,
    (c) => `]]><script>${c}</script>`,
    (c) => `<!--<script>-->${c}<!--</script>-->`,
    (c) => `<script>\u2028${c}</script>`,
    (c) => `<script>eval(atob('${Buffer.from(c).toString("base64")}'))</script>`,
    (c) => `<script>\\u0061lert; ${c}</script>`,
    (c) => `<template><script>${c}</script></template>`,
    (c) => `<xmp><script>${c}</script></xmp>`,
    (c) => `<plaintext><script>${c}</script>`,
  ]) add("script", make);

  // 2. Event handlers on many elements.
  const handlers = [
    ["img src=x", "onerror"], ["img src=x", "onError"], ["IMG SRC=x", "ONERROR"],
    ["image src=x", "onerror"], ["input type=image src=x", "onerror"],
    ["video src=x", "onerror"], ["audio src=x", "onerror"], ["video><source src=x", "onerror"],
    ["object data=x", "onerror"], ["link rel=stylesheet href=x", "onerror"],
    ["svg", "onload"], ["svg/", "onload"], ["body", "onload"], ["iframe", "onload"],
    ["style", "onload"], ["frameset", "onload"], ["img src=data:,", "onload"],
    ["input autofocus", "onfocus"], ["select autofocus", "onfocus"],
    ["textarea autofocus", "onfocus"], ["button autofocus", "onfocus"],
    ["a href=# autofocus", "onfocus"], ["div tabindex=1 autofocus", "onfocusin"],
    ["details open", "ontoggle"], ["details", "ontoggle"], ["marquee", "onstart"],
    ["div", "onmouseover"], ["span", "onmouseenter"], ["p", "onpointerover"],
    ["a href=#", "onclick"], ["button", "onclick"], ["td", "onmousedown"],
    ["div", "onkeydown"], ["div", "oncopy"], ["div", "oncontextmenu"],
    ["div", "ondblclick"], ["div", "onwheel"], ["div", "onscroll"], ["input", "oninput"],
    ["input", "onchange"], ["form><button", "onsubmit"], ["div draggable=true", "ondragstart"],
    ["div", "onanimationstart"], ["div", "ontransitionend"], ["div", "onbeforeinput"],
    ["xss", "onpointerover"], ["x", "onfocus"], ["custom-el", "onmouseover"],
    ["math", "onmouseover"], ["table", "onmouseover"], ["h2", "onmouseover"],
    ["sup", "onmouseover"], ["abbr title=x", "onmouseover"], ["font", "onmouseover"],
    ["b", "onmouseover"], ["ul><li", "onmouseover"], ["blockquote", "onmouseover"],
    ["keygen autofocus", "onfocus"], ["embed src=x", "onload"], ["track src=x", "onerror"],
  ];
  for (const [tag, on] of handlers) {
    add("event handler", (c) => `<${tag} ${on}=${c}>事件</${tag.split(/[ />]/)[0]}>`);
  }
  for (const make of [
    (c) => `<img src=x onerror="${c}">`,
    (c) => `<img src=x onerror='${c}'>`,
    (c) => `<img src=x onerror=\`${c}\`>`,
    (c) => `<img/src=x/onerror=${c}>`,
    (c) => `<img src=x\tonerror=${c}>`,
    (c) => `<img src=x\nonerror=${c}>`,
    (c) => `<img src=x onerror\x0c=${c}>`,
    (c) => `<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1);${c}>`,
    (c) => `<img src=x onerror=${c.replace(/a/, "\\u0061")}>`,
    (c) => `<img src="x" alt="" onerror="${c}" />`,
    (c) => `<img src=x:x onerror=${c}>`,
    (c) => `<img """><script>${c}</script>">`,
    (c) => `<svg><style>{font-family:'<iframe/onload=${c}>'</style>`,
  ]) add("event handler", make);

  // 3. URLs: every disguise of a script scheme, in every place a URL can go.
  const schemes = [
    (c) => `javascript:${c}`,
    (c) => `JaVaScRiPt:${c}`,
    (c) => ` javascript:${c}`,
    (c) => `\tjavascript:${c}`,
    (c) => `java\tscript:${c}`,
    (c) => `java\nscript:${c}`,
    (c) => `\x01javascript:${c}`,
    (c) => `\x0ejava\tscript:${c}`,
    (c) => `&#106;avascript:${c}`,
    (c) => `&#x6A;avascript:${c}`,
    (c) => `&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058${c}`,
    (c) => `jav&#x09;ascript:${c}`,
    (c) => `jav&#x0A;ascript:${c}`,
    (c) => `javascript&colon;${c}`,
    (c) => `javascript&#58;${c}`,
    (c) => `javascript://%0a${c}`,
    (c) => `javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+${c}//'>`,
    (c) => `vbscript:msgbox(${c.replace(/\D/g, "")})`,
    (c) => `data:text/html,<script>${c}</script>`,
    (c) => `data:text/html;base64,${Buffer.from(`<script>${c}</script>`).toString("base64")}`,
    (c) => `DaTa:text/html,<script>${c}</script>`,
    (c) => `data:image/svg+xml,<svg onload=${c}>`,
  ];
  const places = [
    (u) => `[链接](${u})`,
    (u) => `[链接](<${u}>)`,
    (u) => `![图片](${u})`,
    (u) => `<${u}>`,
    (u, id) => `[参考链接][r${id}]\n\n[r${id}]: ${u}`,
    (u) => `<a href="${u}">链接</a>`,
    (u) => `<a href=${u.replace(/ /g, "")}>链接</a>`,
    (u) => `<iframe src="${u}"></iframe>`,
    (u) => `<img src="${u}">`,
    (u) => `<form action="${u}"><button>提交</button></form>`,
    (u) => `<object data="${u}"></object>`,
    (u) => `<embed src="${u}">`,
    (u) => `<svg><a xlink:href="${u}"><text x="20" y="20">链接</text></a></svg>`,
    (u) => `<math href="${u}"><mi>x</mi></math>`,
    (u) => `<base href="${u}">`,
    (u) => `<meta http-equiv="refresh" content="0;url=${u}">`,
    (u) => `<button formaction="${u}">按钮</button>`,
    (u) => `<area href="${u}">`,
    (u) => `<video poster="${u}"></video>`,
    (u) => `<link rel="stylesheet" href="${u}">`,
  ];
  schemes.forEach((scheme, s) => {
    places.forEach((place, p) => {
      // Every scheme in the Markdown places and raw links; the rest of the places in turn.
      if (p < 7 || (s + p) % 3 === 0) add("URL", (c, id) => place(scheme(c), id));
    });
  });

  // 4. SVG and MathML, mutation XSS.
  for (const make of [
    (c) => `<svg><script>${c}</script></svg>`,
    (c) => `<svg><script href="data:,${c}" /></svg>`,
    (c) => `<svg><animate onbegin=${c} attributeName=x dur=1s>`,
    (c) => `<svg><set attributeName="href" to="javascript:${c}" /><a><text y="20">x</text></a></svg>`,
    (c) => `<svg><animate attributeName="href" values="javascript:${c}" /><a id="x"><text y="20">x</text></a></svg>`,
    (c) => `<svg><foreignObject><img src=x onerror=${c}></foreignObject></svg>`,
    (c) => `<svg><desc><img src=x onerror=${c}></desc></svg>`,
    (c) => `<svg></p><style><a id="</style><img src=1 onerror=${c}>">`,
    (c) => `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='${c}' /></svg>#x" /></svg>`,
    (c) => `<math><maction actiontype="statusline" xlink:href="javascript:${c}">x</maction></math>`,
    (c) => `<math><mtext><table><mglyph><style><img src=x onerror=${c}></style></mglyph></table></mtext></math>`,
    (c) => `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${c}>`,
    (c) => `<math><mi xlink:href="javascript:${c}">x</mi></math>`,
    (c) => `<noscript><p title="</noscript><img src=x onerror=${c}>"></noscript>`,
    (c) => `<noembed><img title="</noembed><img src=x onerror=${c}>"></noembed>`,
    (c) => `<textarea><img title="</textarea><img src=x onerror=${c}>"></textarea>`,
    (c) => `<title><img title="</title><img src=x onerror=${c}>"></title>`,
    (c) => `<style><img title="</style><img src=x onerror=${c}>"></style>`,
    (c) => `<select><template><img src=x onerror=${c}></template></select>`,
    (c) => `<table><td><img src=x onerror=${c}></td></table>`,
    (c) => `<a href="x" id="</a><img src=x onerror=${c}>">x</a>`,
    (c) => `<!--><img src=x onerror=${c}>-->`,
    (c) => `<!-- --!><img src=x onerror=${c}> -->`,
    (c) => `<?xml version="1.0"?><img src=x onerror=${c}>`,
    (c) => `<![CDATA[><img src=x onerror=${c}>]]>`,
  ]) add("SVG, MathML, mutation", make);

  // 5. Frames, srcdoc, meta refresh, objects.
  for (const make of [
    (c) => `<iframe srcdoc="<script>${c}</script>"></iframe>`,
    (c) => `<iframe srcdoc="&lt;img src=x onerror=${c}&gt;"></iframe>`,
    (c) => `<iframe src="javascript:${c}"></iframe>`,
    (c) => `<iframe src="data:text/html,<script>${c}</script>"></iframe>`,
    (c) => `<frameset><frame src="javascript:${c}"></frameset>`,
    (c) => `<object type="text/html" data="data:text/html,<script>${c}</script>"></object>`,
    (c) => `<embed type="image/svg+xml" src="data:image/svg+xml,<svg onload=${c}>">`,
    (c) => `<meta http-equiv="refresh" content="0;javascript:${c}">`,
    (c) => `<meta http-equiv="refresh" content="0; url=data:text/html;base64,${Buffer.from(`<script>${c}</script>`).toString("base64")}">`,
    (c) => `<meta charset="x-imap4-modified-utf7">&ADz&AGn&AG0&AEf&ACA&AHM&AHI&AGO&AD0&AGn&ACA&AG8Abg&AGUAcgByAG8AcgA9AGEAbABlAHIAdAAoADEAKQBu&AC8APg-${c}`,
    (c) => `<portal src="javascript:${c}"></portal>`,
    (c) => `<applet code="javascript:${c}"></applet>`,
    (c) => `<isindex type=image src=1 onerror=${c}>`,
  ]) add("frames and redirects", make);

  // 6. Styles.
  for (const make of [
    (c) => `<div style="background:url(javascript:${c})">样式</div>`,
    (c) => `<div style="background-image:url('javascript:${c}')">样式</div>`,
    (c) => `<div style="width:expression(${c})">样式</div>`,
    (c) => `<div style="behavior:url(x.htc);-moz-binding:url(x.xml#${c})">样式</div>`,
    (c) => `<style>@import 'javascript:${c}';</style>`,
    (c) => `<style>*{background:url("javascript:${c}")}</style>`,
    (c) => `<style>@keyframes x{}</style><div style="animation-name:x" onanimationstart=${c}>样式</div>`,
    (c) => `<link rel="stylesheet" href="data:text/css,*{x:expression(${c})}">`,
    (c) => `<p style="x:\\65xpression(${c})">样式</p>`,
  ]) add("styles", make);

  // 7. Template syntax (Tera, Jinja, Handlebars, Angular, ERB …) with script around it.
  for (const make of [
    (c) => `{{ ${c} }}`,
    (c) => `{{constructor.constructor('${c}')()}}`,
    (c) => `{{ '<script>${c}</script>' | safe }}`,
    (c) => `{% raw %}<script>${c}</script>{% endraw %}`,
    (c) => `{% set x = "<img src=x onerror=${c}>" %}{{ x | safe }}`,
    (c) => `{{ config }}{{ site }}{{ page | json_encode() | safe }}<img src=x onerror=${c}>`,
    (c) => `{% include "../../../etc/passwd" %}<script>${c}</script>`,
    (c) => `\${${c}}`,
    (c) => `#{${c}}`,
    (c) => `<%= ${c} %>`,
    (c) => `[[\${${c}}]]`,
    (c) => `{{#with "s" as |string|}}{{${c}}}{{/with}}`,
    (c) => `{{7*7}}{{'a'.constructor.prototype.charAt=[].join;$eval('x=1} } };${c}//');}}`,
    (c) => `{# ${c} #}<svg onload=${c}>`,
  ]) add("template syntax", make);

  // 8. Attribute and context breakouts.
  for (const make of [
    (c) => `" onmouseover="${c}`,
    (c) => `' onfocus='${c}' autofocus='`,
    (c) => `"><script>${c}</script>`,
    (c) => `'><img src=x onerror=${c}>`,
    (c) => `\`><img src=x onerror=${c}>`,
    (c) => `"/><svg/onload=${c}>`,
    (c) => `</a><a href="javascript:${c}">链接</a>`,
    (c) => `" autofocus onfocus="${c}" x="`,
    (c) => `&quot;&gt;&lt;script&gt;${c}&lt;/script&gt;`,
    (c) => `\\"><script>${c}</script>`,
    (c) => `</script><script>${c}</script>`,
    (c) => `';${c};//`,
    (c) => `";${c};//`,
    (c) => `\u003cscript\u003e${c}\u003c/script\u003e`,
    (c) => `＜script＞${c}＜/script＞`,
    (c) => `%3Cscript%3E${c}%3C/script%3E`,
    (c) => `<img src=x onerror=${c}//`,
    (c) => `<a href="https://www.example.gov.cn/" onclick="${c}">链接</a>`,
    (c) => `</p><p onmouseover=${c}>段落</p>`,
    (c) => `</div></main><script>${c}</script>`,
  ]) add("breakouts", make);

  // 9. Markdown's own forms.
  for (const make of [
    (c) => `[链接](javascript:${c} "标题")`,
    (c) => `[链接]( javascript:${c})`,
    (c) => `[<img src=x onerror=${c}>](https://www.example.gov.cn/)`,
    (c) => `![图片" onerror="${c}](x.png)`,
    (c) => `![图片](x.png" onerror="${c})`,
    (c) => `[链接](https://x.gov.cn" onmouseover="${c})`,
    (c) => `[链接](https://x.gov.cn "标题\\" onmouseover=\\"${c}")`,
    (c) => `\`<script>${c}</script>\``,
    (c) => "```html\n<script>" + c + "</script>\n```",
    (c) => `    <script>${c}</script>`,
    (c) => `> <script>${c}</script>`,
    (c) => `- <img src=x onerror=${c}>`,
    (c) => `| 列 |\n|---|\n| <img src=x onerror=${c}> |`,
    (c, id) => `脚注[^x${id}]\n\n[^x${id}]: <img src=x onerror=${c}>`,
    (c, id) => `脚注[^main${id}]和[^s1-h${id}]\n\n[^main${id}]: 注一\n\n[^s1-h${id}]: <a href="javascript:${c}">注二</a>`,
    (c) => `<div>\n\n[链接](javascript:${c})\n\n</div>`,
    (c) => `<details open ontoggle=${c}><summary>详情</summary>内容</details>`,
    (c) => `*<img src=x onerror=${c}>*`,
    (c) => `~~<svg onload=${c}>~~`,
    (c) => `[![图片](javascript:${c})](javascript:${c})`,
    (c) => `<https://x.gov.cn/"onmouseover="${c}>`,
    (c) => `<xss@example.gov.cn" onmouseover="${c}>`,
    (c) => `&lt;script&gt;${c}&lt;/script&gt;`,
    (c) => `\\<script>${c}\\</script>`,
  ]) add("Markdown", make);
  return list;
}

/** A TOML basic string (JSON's escapes are TOML's, but for DEL). */
function tomlString(s) {
  return JSON.stringify(s).replace(/\x7f/g, "\\u007f");
}

/** A payload as one paragraph of Markdown: never a heading that would change the report's parts. */
function asMarkdown(p) {
  return p.text
    .split("\n")
    .map((line) => (/^\s{0,3}(#|=+\s*$|-{3,}\s*$)/.test(line) ? "\\" + line : line))
    .join("\n");
}

/** Hands out payloads, 37 apart (so that neighbouring fields get different families), round. */
function cycle(list, start) {
  let i = start;
  return () => list[(i += 37) % list.length];
}

/** A URL setting that passes the http(s) check, with markup around it. */
function urlSetting(p) {
  return `https://www.example.gov.cn/xxgk/'"><svg/onload=alert(${p.id})>/?q=</script><script>alert(${p.id})</script>#"onmouseover="alert(${p.id})`.replace(/ /g, "");
}

/** Rewrite every string value of a TOML file but the ones that must keep their form. */
function hostileToml(text, next) {
  const keep = new Set(["language", "theme", "kind"]);
  return text
    .split("\n")
    .map((line) => {
      const m = /^(\s*)([a-z_]+)\s*=\s*"(.*)"\s*$/.exec(line);
      if (!m || keep.has(m[2])) return line;
      const p = next();
      if (m[2] === "base_url") return `${m[1]}base_url = ${tomlString(urlSetting(p))}`;
      return `${m[1]}${m[2]} = ${tomlString(`${m[3]}${p.text}`)}`;
    })
    .concat([])
    .join("\n");
}

/** Add the settings a fixture leaves out, so that they carry payloads too. */
function addMissingSettings(text, next, withWebsite) {
  let out = text;
  const body = /\[(body|operator)\]\n/.exec(out);
  for (const key of ["short_name", "office", "address", "postcode", "phone", "fax", "email"]) {
    if (body && !new RegExp(`^${key}\\s*=`, "m").test(out.slice(body.index))) {
      out = out.replace(body[0], `${body[0]}${key} = ${tomlString(next().text)}\n`);
    }
  }
  if (withWebsite) {
    if (!/^\[website\]/m.test(out)) out += "\n[website]\n";
    const site = /\[website\]\n/.exec(out);
    for (const key of ["name", "domain", "host", "organizer", "site_code", "icp", "police_record"]) {
      if (!new RegExp(`^${key}\\s*=`, "m").test(out.slice(site.index))) {
        out = out.replace(site[0], `${site[0]}${key} = ${tomlString(next().text)}\n`);
      }
    }
    out = out.replace(site[0], `${site[0]}party_gov_mark_url = ${tomlString(urlSetting(next()))}\n`);
  }
  return out;
}

/**
 * A report.md with payload paragraphs in its lead and under every heading. Each is followed by
 * a line that ends any raw HTML block it opened (`<script>…` without its end tag runs to the
 * end of the file in Markdown, and would swallow the parts' headings: a located M1 error, not
 * what this test is about).
 */
function hostileReport(text, next, perPlace) {
  const close = "</script></style></textarea></pre>";
  const para = () => Array.from({ length: perPlace }, () => `${asMarkdown(next())}\n\n${close}`).join("\n\n");
  const lines = text.split("\n");
  const out = [para(), ""];
  for (const line of lines) {
    out.push(line);
    if (/^#{2,4} /.test(line)) out.push("", para(), "");
  }
  return out.join("\n");
}

/** Markdown pages: all payloads, `perPage` to a page (few enough for the nesting limit). */
function hostilePages(dir, list, perPage, prefix) {
  fs.mkdirSync(dir, { recursive: true });
  const names = [];
  for (let i = 0; i * perPage < list.length; i++) {
    const chunk = list.slice(i * perPage, (i + 1) * perPage);
    const name = `${prefix}${String(i + 1).padStart(3, "0")}`;
    const title = `# 页面 ${i + 1} ${chunk[0].text.split("\n")[0].replace(/^[#>\-*\s]+/, "")}`;
    const body = chunk.map((p) => `段落 ${p.id}：\n\n${asMarkdown(p)}`).join("\n\n");
    fs.writeFileSync(path.join(dir, `${name}.md`), `${title}\n\n${body}\n`);
    names.push(name);
  }
  return names;
}

/** Give every report of a site's content/ folder a hostile title and narrative. */
function hostileYears(content, next) {
  for (const year of fs.readdirSync(content).filter((y) => /^\d{4}$/.test(y))) {
    const yaml = path.join(content, year, "report.yaml");
    const t = fs.readFileSync(yaml, "utf8");
    const p = next();
    fs.writeFileSync(yaml, t.replace(/^标题: .*$/m, `标题: ${JSON.stringify(`${year}年度报告${p.text}`)}`));
    const md = path.join(content, year, "report.md");
    if (fs.existsSync(md)) fs.writeFileSync(md, hostileReport(fs.readFileSync(md, "utf8"), next, 1));
  }
  const guide = path.join(content, "pages", "guide.md");
  if (fs.existsSync(guide)) fs.writeFileSync(guide, hostileReport(fs.readFileSync(guide, "utf8"), next, 1));
}

/**
 * Write the hostile office and platform under `out`. Returns their roots, the payloads and the
 * Markdown pages that must be in each built site (folder relative to the output).
 */
function generate(out) {
  const list = payloads();
  fs.rmSync(out, { recursive: true, force: true });
  const office = path.join(out, "office");
  const platform = path.join(out, "platform");
  fs.cpSync(path.join(repo, "tests/fixtures/multi-year"), office, { recursive: true });
  fs.cpSync(path.join(repo, "tests/fixtures/platform"), platform, { recursive: true });
  const expected = { office: [], platform: [] };

  // The office: settings, titles, narratives, the guide; then every payload in pages.
  let next = cycle(list, 0);
  const toml = path.join(office, "site.toml");
  fs.writeFileSync(toml, addMissingSettings(hostileToml(fs.readFileSync(toml, "utf8"), next), next, true));
  hostileYears(path.join(office, "content"), next);
  for (const name of hostilePages(path.join(office, "content/pages"), list, 8, "xss-")) {
    expected.office.push(`pages/${name}/index.html`);
  }

  // The platform: its settings, then each body's settings, reports and a third of the pages.
  next = cycle(list, 100);
  const ptoml = path.join(platform, "platform.toml");
  fs.writeFileSync(ptoml, addMissingSettings(hostileToml(fs.readFileSync(ptoml, "utf8"), next), next, true));
  const bodies = fs.readdirSync(platform).filter((b) => fs.existsSync(path.join(platform, b, "site.toml"))).sort();
  bodies.forEach((body, b) => {
    const root = path.join(platform, body);
    const t = path.join(root, "site.toml");
    fs.writeFileSync(t, addMissingSettings(hostileToml(fs.readFileSync(t, "utf8"), next), next, true));
    hostileYears(path.join(root, "content"), next);
    const share = list.filter((p) => p.id % bodies.length === b);
    for (const name of hostilePages(path.join(root, "content/pages"), share, 8, "xss-")) {
      expected.platform.push(`${body}/pages/${name}/index.html`);
    }
  });
  return { office, platform, payloads: list, expected };
}

module.exports = { generate, payloads };

if (require.main === module) {
  const out = path.resolve(process.argv[2] || "target/e2e/xss-src");
  const g = generate(out);
  console.log(`${g.payloads.length} payloads; sites in ${g.office} and ${g.platform}`);
}
