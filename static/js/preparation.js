// Preparation form: the draft is autosaved by htmx as the person types (see the form's hx-* attributes).
// Closing the tab before the next autosave must not lose the last words: they are sent with a beacon.
(function () {
  "use strict";
  var form = document.getElementById("preparation-form");
  if (!form) {
    return;
  }
  var edits = 0;      // changes made in the form so far
  var saved = 0;      // how many of them the last successful save included
  var sending = 0;    // how many of them the request in flight includes

  form.addEventListener("input", function () {
    edits += 1;
  });
  form.addEventListener("submit", function () {
    saved = edits;
  });
  form.addEventListener("htmx:beforeRequest", function () {
    sending = edits;
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      saved = Math.max(saved, sending);
    }
  });

  function flush() {
    if (edits > saved && navigator.sendBeacon) {
      navigator.sendBeacon(form.dataset.autosaveUrl, new FormData(form));
      saved = edits;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });
  window.addEventListener("pagehide", flush);
})();
