/* gongkai default theme: 朗读 (read-aloud) on report and Markdown pages, with the browser's own
   speech synthesis (a zh-CN voice when the browser has one): the article is read block by block
   (headings, paragraphs, list items, table captions; the tables' numbers are left to the
   tables), the block being read is highlighted and kept in view, and it can be paused, resumed
   and stopped. Progressive enhancement: the controls stay hidden where the browser has no speech
   synthesis or this script does not run. Nothing is sent anywhere. */
(function () {
  "use strict";
  var box = document.getElementById("read-aloud");
  var synth = window.speechSynthesis;
  if (!box || !synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var article = box.parentNode;
  var play = box.querySelector("[data-read=play]");
  var pause = box.querySelector("[data-read=pause]");
  var stop = box.querySelector("[data-read=stop]");
  var status = box.querySelector(".read-status");
  var BLOCKS = "h1, h2, h3, h4, p, li, dt, dd, caption, blockquote";
  var SKIP = ".read-aloud, nav, .table-download, .downloads, .table-notes, .doc-meta, figure";
  var blocks = [], index = 0, state = "idle", utterance = null;

  function text(el) {
    var t = (el.textContent || "").replace(/\s+/g, " ").trim();
    return el.tagName === "CAPTION" ? t + "。表格内容请查看表格。" : t;
  }
  /* The outermost readable blocks of the article, in reading order. */
  function collect() {
    return Array.prototype.filter.call(article.querySelectorAll(BLOCKS), function (el) {
      if (el.closest(SKIP) || !text(el)) { return false; }
      if (el.tagName !== "CAPTION" && el.closest("table")) { return false; }
      var up = el.parentNode.closest(BLOCKS);
      return !(up && article.contains(up));
    });
  }
  function voice() {
    var vs = synth.getVoices() || [], zh = null;
    for (var i = 0; i < vs.length; i++) {
      var lang = (vs[i].lang || "").replace("_", "-").toLowerCase();
      if (lang === "zh-cn") { return vs[i]; }
      if (!zh && lang.indexOf("zh") === 0) { zh = vs[i]; }
    }
    return zh;
  }
  function mark(el) {
    var old = article.querySelector(".reading");
    if (old) { old.classList.remove("reading"); }
    if (!el) { return; }
    el.classList.add("reading");
    var r = el.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) { el.scrollIntoView({ block: "center" }); }
  }
  function set(next, message) {
    state = next;
    play.textContent = state === "paused" ? "继续朗读" : "朗读全文";
    play.disabled = state === "speaking";
    pause.disabled = state !== "speaking";
    stop.disabled = state === "idle";
    box.setAttribute("data-state", state);
    if (message) { status.textContent = message; }
  }
  function speak(i) {
    if (i >= blocks.length) { mark(null); set("idle", "朗读完毕。"); return; }
    index = i;
    mark(blocks[i]);
    var u = new window.SpeechSynthesisUtterance(text(blocks[i]));
    var v = voice();
    u.lang = "zh-CN";
    if (v) { u.voice = v; }
    u.onend = function () { if (u === utterance && state === "speaking") { speak(i + 1); } };
    u.onerror = function (e) {
      if (u !== utterance || e.error === "interrupted" || e.error === "canceled") { return; }
      mark(null);
      set("idle", "无法朗读：浏览器的语音功能出错。");
    };
    utterance = u;
    synth.speak(u);
  }
  function halt() {
    utterance = null;
    synth.cancel();
    mark(null);
  }
  play.addEventListener("click", function () {
    if (state === "paused") {
      set("speaking", "继续朗读。");
      synth.resume();
      return;
    }
    halt();
    blocks = collect();
    set("speaking", "开始朗读。");
    speak(0);
  });
  pause.addEventListener("click", function () {
    if (state !== "speaking") { return; }
    synth.pause();
    set("paused", "已暂停。");
  });
  stop.addEventListener("click", function () {
    halt();
    set("idle", "已停止朗读。");
  });
  window.addEventListener("pagehide", halt);
  set("idle");
  box.hidden = false;
})();
