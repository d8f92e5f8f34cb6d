// CSV import: while the upload is being read by the import task, ask for its progress every two
// seconds and update the bar in place (announced politely); reload the page once the import has
// ended (the page then shows its summary or why the file was refused). No inline script (CSP);
// without JavaScript the page has a "refresh now" link.
(function () {
  "use strict";
  var script = document.currentScript;
  var section = document.querySelector("[data-import-progress]");
  if (!script || !section) return;
  var url = script.getAttribute("data-status-url");
  var bar = section.querySelector("progress");
  var label = section.querySelector("[data-progress-label]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status === "queued" || state.status === "running") {
          bar.value = state.progress;
          bar.textContent = state.progress + " %";
          label.textContent = state.progress + " %";
          window.setTimeout(poll, 2000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 1500);
})();
