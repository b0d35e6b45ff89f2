// gongkai editor: totals kept up to date while typing, the check's diagnostics beside their
// cells while typing (POST …/check, nothing written), and saving through the API with the
// token (POST …/save). Without this script the form still saves as a plain form POST.
"use strict";
(function () {
  var form = document.getElementById("editor");
  var dataEl = document.getElementById("gk-data");
  if (!form || !dataEl || !window.fetch) return;
  var data = JSON.parse(dataEl.textContent);
  var token = (document.querySelector("meta[name=gongkai-token]") || {}).content || "";
  var api = new URL(data.api, location.href).href;
  var statusEl = document.getElementById("status");
  var saveStatus = document.getElementById("save-status");
  var list = document.getElementById("problems");
  var conflict = document.getElementById("conflict");
  var saveButton = document.getElementById("save");
  var SEP = "\u0001";
  var SECTIONS = data.sections;
  var META = { "meta-title": "标题", "meta-published": "发布日期" };

  function key(part, row, column) {
    return [part].concat(row, [SEP], column).join(SEP);
  }
  var byKey = {};
  Object.keys(data.cells).forEach(function (name) {
    var c = data.cells[name];
    byKey[key(c[0], c[1], c[2])] = name;
  });
  var bySection = {};
  Object.keys(SECTIONS).forEach(function (n) { bySection[SECTIONS[n]] = n; });
  var byMeta = {};
  Object.keys(META).forEach(function (n) { byMeta[META[n]] = n; });

  function el(name) { return form.elements.namedItem(name); }
  function unitOf(name) { return form.elements.namedItem("u-" + name); }
  function number(name) {
    var input = el(name);
    if (!input) return NaN;
    var v = input.value.trim();
    return /^[+-]?\d+$/.test(v) ? parseInt(v, 10) : NaN;
  }

  // A total follows its parts while it is computed (not in the file) or agrees with them.
  var follow = {};
  (function () {
    var done = {};
    data.totals.forEach(function (t) {
      var target = t[0];
      if (done[target]) return;
      done[target] = true;
      var input = el(target);
      if (!input) return;
      var sum = t[1].reduce(function (s, p) { return s + number(p); }, 0);
      follow[target] = input.hasAttribute("data-computed") || input.value.trim() === "" || number(target) === sum;
    });
  })();

  function updateTotals() {
    var done = {};
    data.totals.forEach(function (t) {
      var target = t[0];
      if (done[target]) return;
      done[target] = true;
      if (!follow[target]) return;
      var input = el(target);
      var sum = t[1].reduce(function (s, p) { return s + number(p); }, 0);
      if (!input || isNaN(sum)) return;
      input.value = String(sum);
      input.classList.toggle("auto", input.value !== input.defaultValue);
    });
  }

  function unitChanged(name) {
    var u = unitOf(name);
    if (!u) return false;
    for (var i = 0; i < u.options.length; i++) {
      if (u.options[i].selected !== u.options[i].defaultSelected) return true;
    }
    return false;
  }

  // What the clerk changed since the form was loaded (or last saved).
  function changes() {
    var out = [];
    Object.keys(data.cells).forEach(function (name) {
      var input = el(name);
      if (!input) return;
      if (input.hasAttribute("data-computed") && follow[name]) return;
      if (input.value === input.defaultValue && !unitChanged(name)) return;
      var c = data.cells[name];
      var u = unitOf(name);
      out.push({ part: c[0], row: c[1], column: c[2], value: input.value.trim() + (u ? u.value : "") });
    });
    Object.keys(META).forEach(function (name) {
      var input = el(name);
      if (input && input.value !== input.defaultValue) out.push({ meta: META[name], value: input.value.trim() });
    });
    Object.keys(SECTIONS).forEach(function (name) {
      var input = el(name);
      if (input && input.value !== input.defaultValue) out.push({ part: SECTIONS[name], text: input.value });
    });
    return out;
  }

  function post(what, body) {
    return fetch(api + what, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Gongkai-Token": token },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (r) {
      return r.json().catch(function () { return { message: "服务器没有返回结果（" + r.status + "）。" }; })
        .then(function (j) { return { status: r.status, body: j }; });
    });
  }

  function inputFor(d) {
    if (d.cell && d.cell.meta) return byMeta[d.cell.meta];
    if (d.cell) return byKey[key(d.cell.part, d.cell.row, d.cell.column)];
    if (d.section) return bySection[d.section];
    return null;
  }

  function text(tag, content, cls) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = content;
    return e;
  }

  var shown = {};
  // Show diagnostics beside their inputs and in the list; announce what is new.
  function showDiagnostics(diags) {
    Array.prototype.forEach.call(form.querySelectorAll(".cell-msg"), function (m) { m.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("td.error, td.warning, .field.error, .field.warning"), function (c) {
      c.classList.remove("error", "warning");
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (i) { i.removeAttribute("aria-invalid"); });
    list.textContent = "";
    var errors = 0, warnings = 0, fresh = [], now = {};
    diags.forEach(function (d) {
      var error = d.severity === "error";
      if (error) errors++; else warnings++;
      var word = error ? "错误" : "警告";
      var id = d.rule + " " + d.message + " " + (d.label_path || "");
      now[id] = true;
      if (!shown[id]) {
        var where = d.label_path ? d.label_path.split(" › ").slice(-2).join(" › ") : "";
        fresh.push(word + "：" + d.message + (where ? "（" + where + "）" : ""));
      }
      var name = inputFor(d);
      var li = document.createElement("li");
      li.className = d.severity;
      var p = document.createElement("p");
      p.appendChild(text("strong", word));
      p.appendChild(document.createTextNode(" [" + d.rule + "] "));
      if (name) {
        var a = text("a", d.message);
        a.href = "#" + name;
        p.appendChild(a);
      } else {
        p.appendChild(document.createTextNode(d.message));
      }
      li.appendChild(p);
      if (d.label_path) li.appendChild(text("p", "栏目：" + d.label_path));
      if (d.expected) li.appendChild(text("p", "应为：" + d.expected + (d.found ? "；实为：" + d.found : "")));
      if (d.hint) li.appendChild(text("p", "提示：" + d.hint));
      li.appendChild(text("p", d.file + (d.line ? ":" + d.line + ":" + d.column : ""), "place"));
      list.appendChild(li);
      if (!name) return;
      var input = el(name);
      var msg = document.getElementById("m-" + name);
      if (!input || !msg) return;
      var holder = input.closest("td") || input.closest(".field");
      if (holder && !holder.classList.contains("error")) {
        holder.classList.remove("warning");
        holder.classList.add(d.severity);
      }
      if (error) input.setAttribute("aria-invalid", "true");
      if (!msg.textContent) msg.textContent = word + "：" + (d.label && holder && holder.tagName === "TD" ? d.label : d.message);
    });
    shown = now;
    var summary = errors || warnings ? errors + " 个错误，" + warnings + " 个警告。" : "没有发现问题。";
    if (fresh.length) summary += "新：" + fresh.slice(0, 3).join("；") + (fresh.length > 3 ? "……" : "");
    statusEl.textContent = summary;
  }

  var timer = null, pending = null, seq = 0;
  function scheduleCheck() {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }
  function check() {
    var mine = ++seq;
    pending = post("check", { changes: changes() }).then(function (r) {
      if (mine !== seq) return;
      if (r.status === 200) showDiagnostics(r.body.diagnostics);
      else statusEl.textContent = r.body.message || "检查失败（" + r.status + "）。";
    }).catch(function () {
      if (mine === seq) statusEl.textContent = "无法连接预览服务：gongkai serve 是否仍在运行？";
    });
  }

  form.addEventListener("input", function (e) {
    var name = e.target.name || "";
    if (e.target.hasAttribute && e.target.hasAttribute("data-total")) {
      follow[name] = false;
      e.target.classList.remove("auto");
    }
    if (data.cells[name]) updateTotals();
    saveStatus.textContent = "有未保存的修改。";
    scheduleCheck();
  });
  form.addEventListener("change", function (e) {
    if (e.target.tagName === "SELECT") scheduleCheck();
  });

  function markSaved() {
    Array.prototype.forEach.call(form.elements, function (i) {
      if (i.tagName === "SELECT") {
        for (var k = 0; k < i.options.length; k++) i.options[k].defaultSelected = i.options[k].selected;
      } else if (i.type !== "hidden" && i.type !== "submit") {
        if (i.hasAttribute("data-computed") && follow[i.name]) return;
        i.removeAttribute("data-computed");
        i.defaultValue = i.value;
        i.classList.remove("auto");
        var td = i.closest("td");
        if (td) td.classList.remove("computed");
      }
    });
  }

  function save(hash) {
    clearTimeout(timer);
    seq++;
    saveButton.disabled = true;
    saveStatus.textContent = "正在保存……";
    var sent = changes();
    return post("save", { hash: hash, changes: sent }).then(function (r) {
      saveButton.disabled = false;
      if (r.status === 200) {
        form.elements.namedItem("hash").value = r.body.hash;
        markSaved();
        conflict.hidden = true;
        showDiagnostics(r.body.diagnostics);
        saveStatus.textContent = sent.length ? "已保存 " + sent.length + " 处修改。" : "没有需要保存的修改。";
        return;
      }
      if (r.status === 409) {
        showConflict(r.body);
        saveStatus.textContent = "未保存：文件已被其他程序修改。";
        return;
      }
      saveStatus.textContent = "未保存：" + (r.body.message || r.status);
      if (r.status === 422 && typeof r.body.change === "number") {
        var c = sent[r.body.change];
        var name = c && (c.meta ? byMeta[c.meta] : c.text !== undefined ? bySection[c.part] : byKey[key(c.part, c.row, c.column)]);
        if (name && el(name)) el(name).focus();
      }
    }).catch(function () {
      saveButton.disabled = false;
      saveStatus.textContent = "未保存：无法连接预览服务，gongkai serve 是否仍在运行？";
    });
  }

  function showConflict(body) {
    conflict.textContent = "";
    conflict.appendChild(text("p", body.message || "文件已被修改。"));
    var changed = body.changed || [];
    if (changed.length) {
      var ul = document.createElement("ul");
      changed.forEach(function (c) {
        ul.appendChild(text("li", c.what + "：" + (c.was === null ? "（无）" : c.was) + " → " + (c.now === null ? "（无）" : c.now)));
      });
      conflict.appendChild(ul);
    }
    var again = text("button", "在新版本上保存我的修改");
    again.type = "button";
    again.addEventListener("click", function () {
      form.elements.namedItem("hash").value = body.hash;
      save(body.hash);
    });
    var reload = text("button", "放弃我的修改，载入新版本", "secondary");
    reload.type = "button";
    reload.addEventListener("click", function () {
      window.removeEventListener("beforeunload", guard);
      location.reload();
    });
    conflict.appendChild(again);
    conflict.appendChild(document.createTextNode(" "));
    conflict.appendChild(reload);
    conflict.hidden = false;
    conflict.setAttribute("tabindex", "-1");
    conflict.focus();
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    save(form.elements.namedItem("hash").value);
  });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      save(form.elements.namedItem("hash").value);
    }
  });
  function guard(e) {
    if (changes().length) {
      e.preventDefault();
      e.returnValue = "";
    }
  }
  window.addEventListener("beforeunload", guard);
  // The problems the page was loaded with are known: only new ones are announced.
  Array.prototype.forEach.call(list.querySelectorAll("li[data-id]"), function (li) {
    shown[li.getAttribute("data-id")] = true;
  });
})();
