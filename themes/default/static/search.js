/* gongkai default theme: 站内搜索 (site search), on the search page only.
   Progressive enhancement: without this script the search page lists the reports by year.
   The index (written by gongkai build, see src/render/search.rs) is a set of classic scripts,
   loaded with <script> elements, so search works over HTTP under any subpath and from file://:
     index.js         gongkaiSearch.m({v, n, shards, years, kinds, bodies, dy})
     i/<shard>.js     gongkaiSearch.s(shard, {term: postings})
     t/<folder>/<n>.js gongkaiSearch.d(key, {u, t, b, y, p: [[anchor, heading, text]]})
   Terms are pairs of adjacent Han characters and runs of two or more ASCII letters or digits,
   after folding full-width ASCII and upper case (the same rules as the index). A posting is one
   number, (gap to the term's previous document - 1) * 32 + weight (the first gap counted from
   document -1), written in a 64-character alphabet, five bits a character. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || !window.Promise) { return; }
  var root = form.getAttribute("data-root") || "";
  var input = document.getElementById("search-q");
  var yearSel = document.getElementById("search-year");
  var kindSel = document.getElementById("search-kind");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreBox = document.getElementById("search-more-box");
  var moreBtn = document.getElementById("search-more");
  var ALPHA = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var BATCH = 10;
  var pending = {};
  var meta = null;
  var current = null;

  /* ------------------------------------------------------------ loading */
  window.gongkaiSearch = {
    m: function (data) { arrived("index", data); },
    s: function (n, data) { arrived("i/" + n, data); },
    d: function (key, data) { arrived("t/" + key, data); }
  };
  function arrived(key, data) { if (pending[key]) { pending[key].data = data; } }
  function load(key) {
    var p = pending[key];
    if (p) { return p.promise; }
    p = pending[key] = { data: null };
    p.promise = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = key + ".js" + (meta ? "?v=" + meta.v : "");
      s.onload = function () {
        s.parentNode.removeChild(s);
        if (p.data) { resolve(p.data); } else { reject(new Error(key)); }
      };
      s.onerror = function () {
        s.parentNode.removeChild(s);
        delete pending[key];
        reject(new Error(key));
      };
      document.head.appendChild(s);
    });
    return p.promise;
  }
  function loadMeta() {
    return meta ? Promise.resolve(meta) : load("index").then(function (m) { meta = m; return m; });
  }

  /* ---------------------------------------------------------- tokenising */
  function foldUnit(c) {
    if (c >= 0xFF01 && c <= 0xFF5E) { return c - 0xFEE0; }
    if (c >= 65 && c <= 90) { return c + 32; }
    return c;
  }
  /* Folding keeps every UTF-16 unit in place, so positions in the folded text are positions in
     the original. */
  function fold(s) {
    var out = "";
    for (var i = 0; i < s.length; i++) { out += String.fromCharCode(foldUnit(s.charCodeAt(i))); }
    return out;
  }
  function isHan(x) {
    return (x >= 0x3400 && x <= 0x4DBF) || (x >= 0x4E00 && x <= 0x9FFF) ||
      (x >= 0xF900 && x <= 0xFAFF) || (x >= 0x20000 && x <= 0x3134F);
  }
  function isWordChar(x) { return (x >= 48 && x <= 57) || (x >= 97 && x <= 122); }
  /* Runs of Han characters and of letters and digits, as arrays of characters. */
  function runs(text) {
    var s = fold(text), out = [], run = [], kind = 0;
    for (var i = 0; i < s.length; i++) {
      var x = s.codePointAt(i), ch = String.fromCodePoint(x);
      if (x > 0xFFFF) { i++; }
      var k = isHan(x) ? 1 : isWordChar(x) ? 2 : 0;
      if (k !== kind && run.length) { out.push({ kind: kind, chars: run }); run = []; }
      kind = k;
      if (k) { run.push(ch); }
    }
    if (run.length) { out.push({ kind: kind, chars: run }); }
    return out;
  }
  function parseQuery(q) {
    var terms = [], seen = {}, pieces = [];
    runs(q).forEach(function (r) {
      if (r.chars.length < 2) { return; }
      pieces.push(r.chars.join(""));
      if (r.kind === 2) {
        if (r.chars.length <= 24) { add(r.chars.join("")); }
      } else {
        for (var i = 1; i < r.chars.length; i++) { add(r.chars[i - 1] + r.chars[i]); }
      }
    });
    function add(t) { if (!seen[t]) { seen[t] = true; terms.push(t); } }
    return { terms: terms, pieces: pieces };
  }
  function shardOf(term, shards) {
    var h = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      var x = term.codePointAt(i);
      if (x > 0xFFFF) { i++; }
      h = Math.imul(h ^ x, 0x01000193) >>> 0;
    }
    h = (h ^ (h >>> 16)) >>> 0;
    h = Math.imul(h, 0x045d9f3b) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    return h & (shards - 1);
  }
  /* Postings: [doc, weight, doc, weight, …] with absolute document numbers. */
  function decode(s) {
    var out = [], v = 0, shift = 0, doc = -1;
    for (var i = 0; i < s.length; i++) {
      var c = ALPHA.indexOf(s.charAt(i));
      if (c >= 32) { v += (c - 32) * Math.pow(2, shift); shift += 5; continue; }
      v += c * Math.pow(2, shift);
      doc += Math.floor(v / 32) + 1;
      out.push(doc, v % 32);
      v = 0; shift = 0;
    }
    return out;
  }

  /* ------------------------------------------------------------ ranking */
  function bodyOf(doc) {
    var b = meta.bodies, lo = 0, hi = b.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (b[mid][1] <= doc) { lo = mid; } else { hi = mid - 1; }
    }
    return b[lo];
  }
  function yearOf(doc) {
    var i = ALPHA.indexOf(meta.dy.charAt(doc));
    return i < 0 ? 0 : meta.years[i];
  }
  function rank(terms, lists, year, kind) {
    var n = meta.n, score = new Float64Array(n), hits = new Uint8Array(n), i, j;
    for (i = 0; i < terms.length; i++) {
      var p = lists[i], df = p.length / 2;
      if (!df) { continue; }
      var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (j = 0; j < p.length; j += 2) {
        var w = p[j + 1];
        score[p[j]] += idf * (w * 2.2) / (w + 1.2);
        hits[p[j]]++;
      }
    }
    var docs = [], best = 0;
    for (i = 0; i < n; i++) {
      if (!hits[i]) { continue; }
      if (year && yearOf(i) !== year) { continue; }
      if (kind && meta.kinds[bodyOf(i)[2]] !== kind) { continue; }
      docs.push(i);
      if (hits[i] > best) { best = hits[i]; }
    }
    docs = docs.filter(function (d) { return hits[d] === best; });
    docs.sort(function (a, b) { return score[b] - score[a] || a - b; });
    return { docs: docs, all: best === terms.length };
  }

  /* ---------------------------------------------------- texts, snippets */
  function loadDoc(id) {
    var b = bodyOf(id), key = (b[0] ? b[0] + "/" : "") + (id - b[1]);
    return load("t/" + key).then(function (d) { return { id: id, d: d }; }, function () { return null; });
  }
  /* A document matches when every piece of the query (a run of Han characters, or of letters and
     digits) is in its title, its body's name, its year or one of its parts. */
  function verify(r, pieces) {
    var head = fold(r.d.t + " " + r.d.b + " " + (r.d.y || "")), parts = r.d.p, best = -1, bestCount = 0;
    var ok = pieces.every(function (q) {
      if (head.indexOf(q) >= 0) { return true; }
      for (var i = 0; i < parts.length; i++) { if (fold(parts[i][2] + parts[i][1]).indexOf(q) >= 0) { return true; } }
      return false;
    });
    for (var i = 0; i < parts.length; i++) {
      var text = fold(parts[i][2]), count = 0;
      for (var k = 0; k < pieces.length; k++) { if (text.indexOf(pieces[k]) >= 0) { count++; } }
      if (count > bestCount) { bestCount = count; best = i; }
    }
    r.ok = ok;
    r.part = best;
    return r;
  }
  function snippet(text, needles) {
    var folded = fold(text), first = -1, k;
    for (k = 0; k < needles.length; k++) {
      var at = folded.indexOf(needles[k]);
      if (at >= 0 && (first < 0 || at < first)) { first = at; }
    }
    var start = Math.max(0, first - 30), end = Math.min(text.length, start + 110);
    var ranges = [];
    for (k = 0; k < needles.length; k++) {
      var from = start;
      for (;;) {
        var i = folded.indexOf(needles[k], from);
        if (i < 0 || i >= end) { break; }
        ranges.push([i, Math.min(end, i + needles[k].length)]);
        from = i + needles[k].length;
      }
    }
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var p = document.createElement("p"), at = start;
    p.className = "snippet";
    if (start > 0) { p.appendChild(document.createTextNode("…")); }
    ranges.forEach(function (r) {
      if (r[1] <= at) { return; }
      var from = Math.max(at, r[0]);
      if (from > at) { p.appendChild(document.createTextNode(text.slice(at, from))); }
      var m = document.createElement("mark");
      m.textContent = text.slice(from, r[1]);
      p.appendChild(m);
      at = r[1];
    });
    p.appendChild(document.createTextNode(text.slice(at, end).replace(/\s+/g, " ")));
    if (end < text.length) { p.appendChild(document.createTextNode("…")); }
    return p;
  }
  function render(r, q) {
    var d = r.d, part = r.part >= 0 ? d.p[r.part] : d.p.filter(function (p) { return p[2]; })[0];
    var li = document.createElement("li"), h = document.createElement("h2"), a = document.createElement("a");
    li.className = "search-result";
    a.href = root + d.u + (part && part[0] ? "#" + part[0] : "");
    a.textContent = d.t;
    h.appendChild(a);
    li.appendChild(h);
    var info = document.createElement("p");
    info.className = "result-meta";
    info.textContent = [d.b, d.y ? d.y + "年度" : "", part ? part[1] : ""].filter(Boolean).join(" · ");
    li.appendChild(info);
    if (part && part[2]) {
      li.appendChild(snippet(part[2], r.ok && r.part >= 0 ? q.pieces : q.pieces.concat(q.terms)));
    }
    return li;
  }

  /* ---------------------------------------------------------- searching */
  function say(text) { status.textContent = text; }
  function run(text, year, kind) {
    var q = parseQuery(text);
    list.textContent = "";
    moreBox.hidden = true;
    if (!q.terms.length) {
      say(text.replace(/\s/g, "") ? "请输入至少两个字的词语（如 行政复议），或一个年份（如 2021）。" : "");
      current = null;
      list.setAttribute("aria-busy", "false");
      return Promise.resolve();
    }
    list.setAttribute("aria-busy", "true");
    say("正在搜索……");
    var state = current = { q: q, text: text, docs: [], next: 0, shown: 0 };
    return loadMeta().then(function (m) {
      return Promise.all(q.terms.map(function (t) {
        return load("i/" + shardOf(t, m.shards)).then(function (s) { return decode(s[t] || ""); });
      }));
    }).then(function (lists) {
      if (state !== current) { return; }
      var r = rank(q.terms, lists, year, kind);
      state.docs = r.docs;
      state.all = r.all;
      // A second batch of texts only when every term is there and the first batch has few
      // documents with the words themselves (the terms apart).
      return more(state, r.all ? 2 : 1);
    }).catch(function () {
      say("搜索索引无法加载。请按年度浏览报告。");
    }).then(function () {
      if (state === current) { list.setAttribute("aria-busy", "false"); }
    });
  }
  /* Load the texts of the next documents (up to `batches` batches while fewer than a batch of
     them match every piece), then show them, the matching ones first. */
  function more(state, batches) {
    var ids = state.docs.slice(state.next, state.next + BATCH);
    state.next += ids.length;
    return Promise.all(ids.map(loadDoc)).then(function (got) {
      if (state !== current) { return; }
      var rs = got.filter(Boolean).map(function (r) { return verify(r, state.q.pieces); });
      state.batch = (state.batch || []).concat(rs);
      var ok = state.batch.filter(function (r) { return r.ok; }).length;
      if (batches > 1 && ok < BATCH && state.next < state.docs.length) { return more(state, batches - 1); }
      var batch = state.batch.filter(function (r) { return r.ok; }).concat(state.batch.filter(function (r) { return !r.ok; }));
      state.batch = [];
      batch.forEach(function (r) { list.appendChild(render(r, state.q)); });
      state.shown += batch.length;
      var total = state.docs.length;
      var words = "“" + state.text.trim() + "”";
      if (!total) {
        say("没有找到与" + words + "相关的报告。可以换一个词，或按年度浏览。");
      } else {
        say(words + "：找到 " + total + " 篇相关的报告或页面，按相关程度排列" +
          (state.all ? "" : "（没有同时包含全部词语的，下面是包含部分词语的）") +
          "，已显示 " + state.shown + " 篇。");
      }
      moreBox.hidden = state.next >= total;
    });
  }

  /* --------------------------------------------------------------- page */
  function params() {
    var out = {};
    location.search.replace(/^\?/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) {
        try { out[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " ")); } catch (e) { /* malformed */ }
      }
    });
    return out;
  }
  function submit() {
    var year = yearSel ? parseInt(yearSel.value, 10) || 0 : 0;
    var kind = kindSel ? kindSel.value : "";
    try {
      var qs = "?q=" + encodeURIComponent(input.value) + (year ? "&year=" + year : "") + (kind ? "&kind=" + encodeURIComponent(kind) : "");
      history.replaceState(null, "", qs);
    } catch (e) { /* file:// in some browsers */ }
    return run(input.value, year, kind);
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  [yearSel, kindSel].forEach(function (s) { if (s) { s.addEventListener("change", submit); } });
  moreBtn.addEventListener("click", function () {
    var state = current;
    if (!state) { return; }
    list.setAttribute("aria-busy", "true");
    more(state, 1).then(function () {
      if (state === current) { list.setAttribute("aria-busy", "false"); }
    });
  });
  document.getElementById("search-filters").hidden = false;
  document.getElementById("search-nojs").hidden = true;
  var p = params();
  if (p.year && yearSel) { yearSel.value = p.year; }
  if (p.kind && kindSel) { kindSel.value = p.kind; }
  if (p.q) {
    input.value = p.q;
    submit();
  }
})();
