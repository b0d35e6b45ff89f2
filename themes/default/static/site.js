/* gongkai default theme: 适老化 text-size and high-contrast switches.
   Progressive enhancement: the page is complete without this script; the buttons are hidden
   until it runs, and the choice is remembered on this device. */
(function () {
  "use strict";
  var root = document.documentElement;
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  var tools = document.getElementById("a11y");
  if (!tools) { return; }
  var buttons = tools.querySelectorAll("button[data-toggle]");
  function apply(name, on) {
    root.classList.toggle(name, on);
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute("data-toggle") === name) {
        buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      }
    }
  }
  for (var i = 0; i < buttons.length; i++) {
    var name = buttons[i].getAttribute("data-toggle");
    apply(name, store.get("gongkai-" + name) === "1");
    buttons[i].addEventListener("click", function (event) {
      var n = event.currentTarget.getAttribute("data-toggle");
      var on = !root.classList.contains(n);
      apply(n, on);
      store.set("gongkai-" + n, on ? "1" : "0");
    });
  }
  tools.hidden = false;
})();
