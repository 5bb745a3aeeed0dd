// What a page says back to the person who just acted on it: a refused form, a message after a change, a count
// that changed. Loaded on every page.
(function () {
  "use strict";

  // A refused form: the title says so first, and the keyboard goes to the first error (a summary above the
  // fields, or the first invalid field), which also scrolls it into view.
  function pointToError() {
    var first = document.querySelector("main [data-error-summary], main form .alert-danger, main .is-invalid");
    if (!first) {
      return;
    }
    if (document.title.indexOf("Error: ") !== 0) {
      document.title = "Error: " + document.title;
    }
    if (!first.matches("input, select, textarea, button")) {
      first.setAttribute("tabindex", "-1");
    }
    first.focus();
  }

  // Messages after a change ("Action added.") are shown where the change happened — the section the page was
  // sent back to — in a live region that is on the page, empty, before the message is put in it.
  function placeMessages() {
    var top = document.getElementById("messages");
    if (!top || !top.children.length) {
      return;
    }
    var anchor = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    // Without a section to return to, the page opens at the top, where the message already is and is read first.
    if (!anchor) {
      return;
    }
    var region = anchor.querySelector("[data-messages]");
    if (!region) {
      region = document.createElement("div");
      region.setAttribute("role", "status");
      region.setAttribute("data-messages", "");
      anchor.insertBefore(region, anchor.firstChild);
    }
    var messages = Array.prototype.slice.call(top.children);
    messages.forEach(function (message) { top.removeChild(message); });
    window.setTimeout(function () {
      messages.forEach(function (message) { region.appendChild(message); });
    }, 500);
  }

  // Content swapped in by htmx carries its own count; the persistent region outside it announces the count,
  // and only when it changed.
  function announceCounts() {
    document.querySelectorAll("[data-announce-into]").forEach(function (source) {
      var region = document.getElementById(source.getAttribute("data-announce-into"));
      var text = source.textContent.trim();
      if (region && region.textContent !== text) {
        region.textContent = text;
      }
    });
  }

  // After the page's own scripts have run: they may first show the tab or section that holds the error, and a
  // hidden field cannot take focus.
  window.addEventListener("load", pointToError);
  placeMessages();
  document.body.addEventListener("htmx:afterSettle", announceCounts);
}());
