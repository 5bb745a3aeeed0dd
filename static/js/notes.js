/* Notes workspace: character counts, and the tab named in the address opened. Autosave is autosave.js. */
(function () {
  "use strict";

  function formatCount(count, limit) {
    return count.toLocaleString() + " of " + limit.toLocaleString() + " characters";
  }

  function setupCounter(textarea) {
    var limit = parseInt(textarea.getAttribute("data-limit") || textarea.getAttribute("maxlength"), 10);
    var output = document.getElementById(textarea.id + "-count");
    if (!limit || !output) {
      return;
    }
    function update() {
      var count = textarea.value.length;
      output.textContent = count >= limit ? "Limit reached: " + formatCount(count, limit) + ". Shorten it to add more."
        : formatCount(count, limit);
      output.classList.toggle("text-danger-emphasis", count >= limit * 0.9);
    }
    textarea.addEventListener("input", update);
    update();
  }

  function showTabFromHash() {
    var hash = window.location.hash;
    if (!hash || !window.bootstrap) {
      return;
    }
    var trigger = document.querySelector('[data-bs-target="' + hash + '"]');
    if (trigger) {
      window.bootstrap.Tab.getOrCreateInstance(trigger).show();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-limit]").forEach(setupCounter);
    showTabFromHash();
  });
})();
