(function () {
  "use strict";
  var generation = 0;
  function overlay(html) {
    var old = document.getElementById("gongkai-overlay");
    if (old) { old.remove(); }
    if (!html) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    document.body.appendChild(holder.firstChild);
  }
  function swapCss(gen) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href").split("?")[0];
      links[i].setAttribute("href", href + "?v=" + gen);
    }
  }
  function connect(delay) {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__gongkai/live");
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.type === "reload") { location.reload(); }
      else if (m.type === "css") { overlay(null); swapCss(m.generation); }
      else if (m.type === "error") { overlay(m.html); }
      generation = m.generation || generation;
    };
    ws.onclose = function () { setTimeout(function () { connect(Math.min(delay * 2, 5000)); }, delay); };
  }
  connect(500);
})();
