/* Notes workspace: autosave, character counts, and no work lost.
 *
 * Each notes form saves itself a moment after typing stops. Until the server confirms, what was typed is also
 * kept in this browser (localStorage), so a lost connection, an ended session or a closed tab does not lose it:
 * the next visit restores it and saves it. Leaving the page with unsaved text sends it with sendBeacon.
 * The draft is removed as soon as the server has it, so on a shared computer no notes linger in the browser
 * longer than they are unsaved.
 */
(function () {
  "use strict";

  var SAVE_DELAY_MS = 1500;

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

  function Autosave(form) {
    this.form = form;
    this.key = form.getAttribute("data-draft-key");
    this.status = form.querySelector("[data-save-status]");
    this.timer = null;
    this.inFlight = false;
    this.dirty = false;
    this.editsSinceRequest = 0;
    var self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.save();
    });
    window.addEventListener("online", function () { if (self.dirty) { self.save(); } });
    this.restoreDraft();
  }

  Autosave.prototype.fields = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll("textarea"));
  };

  Autosave.prototype.say = function (message, isError) {
    if (this.status) {
      this.status.textContent = message;
      this.status.classList.toggle("save-status-error", Boolean(isError));
    }
  };

  Autosave.prototype.storeDraft = function () {
    var draft = {};
    this.fields().forEach(function (field) { draft[field.name] = field.value; });
    try {
      window.localStorage.setItem(this.key, JSON.stringify(draft));
    } catch (error) {
      /* Storage full or disabled: autosave still runs, only the offline copy is missing. */
    }
  };

  Autosave.prototype.clearDraft = function () {
    try {
      window.localStorage.removeItem(this.key);
    } catch (error) {
      /* Nothing stored. */
    }
  };

  Autosave.prototype.restoreDraft = function () {
    var raw = null;
    try {
      raw = window.localStorage.getItem(this.key);
    } catch (error) {
      return;
    }
    if (!raw) {
      return;
    }
    var draft;
    try {
      draft = JSON.parse(raw);
    } catch (error) {
      this.clearDraft();
      return;
    }
    var restored = false;
    this.fields().forEach(function (field) {
      if (Object.prototype.hasOwnProperty.call(draft, field.name) && draft[field.name] !== field.value) {
        field.value = draft[field.name];
        field.dispatchEvent(new Event("input", { bubbles: false }));
        restored = true;
      }
    });
    if (restored) {
      this.say("Restored text that had not been saved yet. Saving it now…");
      this.dirty = true;
      this.save();
    } else {
      this.clearDraft();
    }
  };

  Autosave.prototype.changed = function () {
    this.dirty = true;
    this.editsSinceRequest += 1;
    this.storeDraft();
    this.say("Unsaved changes");
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.save(); }, SAVE_DELAY_MS);
  };

  Autosave.prototype.showErrors = function (errors) {
    this.fields().forEach(function (field) {
      var message = errors[field.id] || "";
      var holder = document.getElementById(field.id + "-error");
      if (holder) {
        holder.textContent = message;
      }
      field.classList.toggle("is-invalid", Boolean(message));
      if (message) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    });
  };

  Autosave.prototype.lock = function (message) {
    this.fields().forEach(function (field) { field.readOnly = true; });
    this.say(message + " Your last changes are kept in this browser; copy them if you need them.", true);
  };

  Autosave.prototype.save = function () {
    window.clearTimeout(this.timer);
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    this.pending = false;
    this.editsSinceRequest = 0;
    this.say("Saving…");
    var self = this;
    fetch(this.form.action, {
      method: "POST",
      body: new FormData(this.form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") === -1) {
        self.say("Not saved: your session has ended. Sign in again in a new tab, then come back here; your text is kept in this browser.", true);
        return null;
      }
      return response.json().then(function (body) {
        if (body.saved) {
          self.showErrors({});
          if (self.editsSinceRequest === 0) {
            self.dirty = false;
            self.clearDraft();
          }
          self.say(body.message);
        } else if (body.locked) {
          self.lock(body.message);
        } else {
          self.showErrors(body.errors || {});
          self.say(body.message, true);
        }
      });
    }).catch(function () {
      self.say("Not saved: no connection. Your text is kept in this browser and is saved when the connection is back.", true);
    }).then(function () {
      self.inFlight = false;
      if (self.pending || (self.dirty && self.editsSinceRequest > 0)) {
        self.save();
      }
    });
  };

  Autosave.prototype.flush = function () {
    if (this.dirty && navigator.sendBeacon) {
      navigator.sendBeacon(this.form.action, new FormData(this.form));
    }
  };

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
    var savers = Array.prototype.map.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      return new Autosave(form);
    });
    window.addEventListener("pagehide", function () {
      savers.forEach(function (saver) { saver.flush(); });
    });
    showTabFromHash();
  });
})();
