// The hall wall: redrawn from /wall.json on every event; a new call flashes its counter.
"use strict";
(function () {
  var cfg = JSON.parse(document.getElementById("wall-data").textContent);
  var LANG = {"zh-CN": 0, "zh-TW": 1, "en": 2}[cfg.lang] || 0, T = cfg.texts;
  var flash = {};

  function render(v) {
    var grid = document.getElementById("counters");
    grid.textContent = "";
    v.counters.forEach(function (c) {
      var tile = Live.el("div", {"class": "tile " + c.status + (flash[c.number] ? " flash" : ""), "data-counter": c.number});
      tile.appendChild(Live.el("span", {"class": "cn"}, T.counter_n.replace("{n}", c.number)));
      tile.appendChild(Live.el("span", {"class": "num"}, c.current || "—"));
      if (c.status !== "open") tile.appendChild(Live.el("span", {"class": "st"}, T[c.status]));
      grid.appendChild(tile);
    });
    var calls = document.getElementById("calls");
    calls.textContent = "";
    v.calls.forEach(function (c) {
      var li = Live.el("li");
      li.appendChild(Live.el("b", {}, c.number));
      li.appendChild(document.createTextNode(" → " + T.counter_n.replace("{n}", c.counter)));
      calls.appendChild(li);
    });
    var ticker = document.getElementById("ticker");
    ticker.hidden = !v.notice;
    if (ticker.firstChild.textContent !== v.notice) ticker.firstChild.textContent = v.notice;
    var waits = document.getElementById("waits");
    waits.textContent = "";
    v.categories.forEach(function (c) {
      var tr = Live.el("tr");
      tr.appendChild(Live.el("td", {}, c.names[LANG]));
      tr.appendChild(Live.el("td", {"class": "n"}, c.waiting));
      waits.appendChild(tr);
    });
  }
  var refresh = Live.debounce(function () {
    fetch("/wall.json").then(function (r) { return r.json(); }).then(render);
  }, 50);
  Live.connect(function (msg) {
    var e = msg.event;
    if (e && (e.kind === "called" || e.kind === "recalled") && e.counter) {
      flash[e.counter] = true;
      setTimeout(function () { delete flash[e.counter]; refresh(); }, 6000);
    }
    refresh();
  });
})();
