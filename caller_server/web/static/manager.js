// The manager dashboard: the live part is re-rendered by the server on every event.
"use strict";
(function () {
  var T = JSON.parse(document.getElementById("manager-data").textContent).texts;
  var live = document.getElementById("live");
  var refresh = Live.debounce(function () {
    fetch("/manager/live", {credentials: "same-origin"}).then(function (r) {
      if (r.redirected || !r.ok) { location.reload(); return null; }
      return r.text();
    }).then(function (html) { if (html !== null) live.innerHTML = html; });
  }, 100);
  live.addEventListener("click", function (e) {
    var key = e.target.getAttribute && e.target.getAttribute("data-ack");
    if (!key) return;
    e.target.disabled = true;
    Live.call("POST", "/api/v1/alerts/ack", {key: key}).then(refresh, refresh);
  });
  function devices() {
    Live.call("GET", "/api/v1/devices").then(function (all) {
      // kiosks have their own table (reader, printer, paper) on this page
      var list = all.filter(function (d) { return d.role !== "kiosk"; });
      var body = document.querySelector("#devices tbody");
      body.textContent = "";
      list.forEach(function (d) {
        var tr = Live.el("tr");
        var state = d.online === undefined ? "" : (d.online ? "●" : "○");
        [state + " " + (d.name || d.id), T["role_" + d.role] || d.role, d.address || "",
         d.paired ? T.paired : T.unpaired,
         d.last_seen ? new Date(d.last_seen * 1000).toLocaleTimeString() : T.never_seen,
         T["dev_" + d.status] || d.detail || d.status || ""].forEach(function (v) { tr.appendChild(Live.el("td", {}, v)); });
        body.appendChild(tr);
      });
      if (!list.length) body.appendChild(Live.el("tr")).appendChild(Live.el("td", {"class": "muted"}, "—"));
    }, function () {});
  }
  Live.connect(function () { refresh(); });
  devices();
  setInterval(devices, 10000);
  setInterval(refresh, 30000);  // minutes tick on even without events
})();
