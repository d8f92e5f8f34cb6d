// Mijn gegevens: while a download is being made, ask for its progress every few seconds and
// reload the page when it is ready (the page then shows the link). No inline script (CSP).
(function () {
  "use strict";
  var script = document.currentScript;
  var bars = document.querySelectorAll("[data-export-progress] + progress");
  if (!script || bars.length === 0) return;
  var url = script.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status === "requested" || state.status === "building") {
          bars.forEach(function (bar) { bar.value = state.progress; bar.textContent = state.progress + " %"; });
          window.setTimeout(poll, 3000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
