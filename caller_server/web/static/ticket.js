// The ticket status page: reload when this ticket changes; vibrate and notify when called.
"use strict";
(function () {
  var me = document.currentScript.dataset;
  var status = me.status, ahead = parseInt(me.ahead, 10);
  var button = document.getElementById("notify");
  if ("Notification" in window && Notification.permission === "default") {
    button.hidden = false;
    button.onclick = function () { Notification.requestPermission(); button.hidden = true; };
  }
  function check() {
    fetch("/api/v1/tickets/" + encodeURIComponent(me.token)).then(function (r) { return r.json(); })
      .then(function (t) {
        if (t.status === status && t.ahead === ahead) return;
        if (t.status === "called" && status !== "called") {
          var text = t.number + " · " + me.called.replace("{counter}", t.counter);
          if (navigator.vibrate) navigator.vibrate([300, 150, 300, 150, 600]);
          if ("Notification" in window && Notification.permission === "granted") new Notification(text);
        }
        location.reload();
      });
  }
  var timer = null;
  Live.connect(function () { clearTimeout(timer); timer = setTimeout(check, 150); });
})();
