// The events stream with self-reconnect, and CSRF-protected JSON calls. No framework.
"use strict";
var Live = (function () {
  var csrfMeta = document.querySelector('meta[name="csrf"]');
  function connect(onMessage) {
    var last = null, delay = 500, conn = document.getElementById("conn");
    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(scheme + location.host + "/api/v1/events" + (last === null ? "" : "?since=" + last));
      ws.onopen = function () { delay = 500; if (conn) conn.hidden = true; };
      ws.onmessage = function (m) {
        var msg = JSON.parse(m.data);
        if (msg.type === "event") last = msg.event.seq;
        else if (msg.snapshot) last = msg.snapshot.seq;
        onMessage(msg);
      };
      ws.onclose = function () {
        if (conn) conn.hidden = false;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 5000);
      };
    }
    open();
  }
  function call(method, url, body) {
    var headers = {"Accept": "application/json"};
    if (csrfMeta) headers["X-CSRF-Token"] = csrfMeta.content;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {method: method, headers: headers, credentials: "same-origin",
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        return r.text().then(function (t) {
          var data = t ? JSON.parse(t) : null;
          if (!r.ok) { var e = new Error((data && data.detail) || r.statusText); e.status = r.status; e.data = data; throw e; }
          return data;
        });
      });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  return {connect: connect, call: call, debounce: debounce, el: el};
})();
