// The clerk console: F1–F8 on big buttons, live over the events stream.
"use strict";
(function () {
  var cfg = JSON.parse(document.getElementById("console-data").textContent);
  var T = cfg.texts, n = cfg.counter, LANG = {"zh-CN": 0, "zh-TW": 1, "en": 2}[cfg.lang] || 0;
  var view = null, busy = false;
  var errorBox = document.getElementById("error");

  function showError(e) {
    var d = e && e.data;
    var text = e ? ((d && [d.detail, d.detail_tw, d.detail_en][LANG]) || e.message) : "";
    errorBox.textContent = text; errorBox.hidden = !text;
  }

  function render(v) {
    view = v;
    var cur = v.current;
    document.getElementById("cur-number").textContent = cur ? cur.number : "—";
    var status = document.getElementById("status");
    status.textContent = T[v.status]; status.className = "badge " + v.status;
    var info = document.getElementById("cur-info");
    info.textContent = "";
    if (cur) {
      var rows = [[T.category, cur.category + " " + cfg.categories[cur.category].name[LANG]]];
      if (cur.identity && cur.identity.name) rows.push([T.masked_name, cur.identity.name]);
      if (cur.priority) rows.push([T.priority, T["prio_" + cur.priority]]);
      rows.push([T.waited, v.waited_minutes + " " + T.minutes]);
      rows.forEach(function (r) { info.appendChild(Live.el("dt", {}, r[0])); info.appendChild(Live.el("dd", {}, r[1])); });
    }
    var list = document.getElementById("next");
    list.textContent = "";
    v.next.forEach(function (q) {
      var li = Live.el("li");
      li.appendChild(Live.el("b", {}, q.number));
      li.appendChild(Live.el("span", {"class": "muted"}, " " + q.waited_minutes + " " + T.minutes));
      li.appendChild(Live.el("br"));
      li.appendChild(Live.el("small", {}, [q.reason_zh, q.reason_tw, q.reason_en][LANG]));
      list.appendChild(li);
    });
    document.getElementById("called").textContent = v.called_today;
    document.getElementById("waiting").textContent = v.waiting;
    var pause = document.querySelector('[data-action="pause"] [data-label]');
    pause.textContent = v.status === "paused" ? T.resume : T.pause;
  }

  function refresh() {
    return Live.call("GET", "/api/v1/counters/" + n + "/console").then(render, showError);
  }
  var refreshSoon = Live.debounce(refresh, 60);

  function act(action, body) {
    if (busy) return;  // a double click or a held key sends one request
    busy = true;
    document.body.classList.add("busy");
    var expect = view && view.current ? view.current.number : "";
    var url = "/api/v1/counters/" + n + "/" + action + "?if_current=" + encodeURIComponent(expect);
    if (action === "pause" || action === "resume") url = "/api/v1/counters/" + n + "/" + action;
    showError(null);
    Live.call("POST", url, body).then(refresh, function (e) { showError(e); return refresh(); })
      .then(function () { busy = false; document.body.classList.remove("busy"); });
  }

  function ask(id, prepare) {
    var dlg = document.getElementById(id);
    if (prepare) prepare(dlg);
    return new Promise(function (resolve) {
      dlg.onclose = function () { resolve(dlg.returnValue); };
      dlg.showModal();
    });
  }

  function finish() {
    ask("dlg-finish", function (dlg) {
      var select = dlg.querySelector("select"), label = dlg.querySelector(".matter");
      select.textContent = "";
      select.appendChild(Live.el("option", {value: ""}, "—"));
      var cat = view && view.current ? cfg.categories[view.current.category] : null;
      (cat ? cat.matters : []).forEach(function (m) {
        select.appendChild(Live.el("option", {value: m.name}, m.label[LANG] + (m.once ? " · " + T.once : "")));
      });
      label.hidden = !(cat && cat.matters.length);
    }).then(function (outcome) {
      if (!outcome) return;
      var matter = document.querySelector("#dlg-finish select").value;
      act("finish", {outcome: outcome, matter: matter || null});
    });
  }

  var handlers = {
    "call-next": function () { act("call-next"); },
    "recall": function () { act("recall"); },
    "skip": function () { act("skip"); },
    "start": function () { act("start"); },
    "finish": finish,
    "transfer": function () {
      ask("dlg-transfer").then(function (v) {
        if (v !== "ok") return;
        var f = document.querySelector("#dlg-transfer form");
        var to = f.counter.value ? parseInt(f.counter.value, 10) : null;
        act("transfer", {category: f.category.value, counter: to});
      });
    },
    "pause": function () {
      if (view && view.status === "paused") { act("resume"); return; }
      ask("dlg-pause").then(function (reason) { if (reason) act("pause", {reason: reason}); });
    },
    "call-number": function () {
      ask("dlg-number", function (d) { d.querySelector("input").value = ""; }).then(function (v) {
        var number = document.querySelector("#dlg-number input").value.trim().toUpperCase();
        if (v === "ok" && number) act("call-number", {number: number});
      });
    }
  };

  document.querySelectorAll("button.key").forEach(function (b) {
    b.addEventListener("click", function () { handlers[b.dataset.action](); });
  });
  document.addEventListener("keydown", function (e) {
    var open = document.querySelector("dialog[open]");
    if (open) {
      var choices = open.querySelectorAll("button.choice");
      var i = parseInt(e.key, 10);
      if (i >= 1 && i <= choices.length) { e.preventDefault(); choices[i - 1].click(); }
      return;
    }
    var b = document.querySelector('button.key[data-key="' + e.key + '"]');
    if (b) { e.preventDefault(); if (!e.repeat) b.click(); }
  });

  Live.connect(function () { refreshSoon(); });
  refresh();
})();
