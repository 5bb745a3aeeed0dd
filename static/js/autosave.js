/* Autosave for the notes and the preparation forms: <form data-autosave="URL" data-draft-key="…"
 * data-sign-in-url="…">, with a status line (_autosave_status.html) inside. The server's answer is described in
 * conversations/views/autosave.py.
 *
 * Each form saves itself a moment after typing stops. Until the server confirms, what was typed is also kept in
 * this browser (localStorage), so a lost connection, an ended session or a closed tab does not lose it: the next
 * visit restores it and saves it. The draft is removed as soon as the server has it, so that on a shared computer
 * nothing lingers in the browser longer than it is unsaved. Leaving the page with unsaved text sends it with
 * sendBeacon.
 *
 * Nothing here moves the focus: the person may be typing while an answer arrives. The status line is written
 * only when its text changes, so that screen readers do not repeat it on every keystroke.
 */
(function () {
  "use strict";

  var SAVE_DELAY_MS = 1500;
  var SKIPPED_TYPES = ["hidden", "submit", "button", "reset", "file"];

  function Autosave(form) {
    this.form = form;
    this.url = form.getAttribute("data-autosave");
    this.key = form.getAttribute("data-draft-key");
    this.status = form.querySelector("[data-autosave-status]");
    this.said = null;
    this.timer = null;
    this.inFlight = false;
    this.pending = false;
    this.dirty = false;
    this.signedOut = false;
    this.confirmedSubmit = false;
    this.onSaved = null;
    this.beaconed = null;
    this.restored = false;
    this.editsSinceRequest = 0;
    var self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function (event) {
      // Checkboxes, radios and selects announce a choice with "change"; text fields already sent "input".
      if (event.target.type === "checkbox" || event.target.type === "radio" || event.target.tagName === "SELECT") {
        self.changed();
      }
    });
    form.addEventListener("submit", function (event) { self.submitted(event); });
    window.addEventListener("online", function () { if (self.dirty && !self.signedOut) { self.save(); } });
    this.restoreDraft();
  }

  Autosave.prototype.fields = function () {
    return Array.prototype.filter.call(this.form.elements, function (field) {
      return field.name && field.name !== "csrfmiddlewaretoken" && SKIPPED_TYPES.indexOf(field.type) === -1;
    });
  };

  /* What the form holds now: text by name; the ticked values of a group of checkboxes; a radio group's choice. */
  Autosave.prototype.snapshot = function () {
    var draft = {};
    this.fields().forEach(function (field) {
      if (field.type === "checkbox") {
        draft[field.name] = draft[field.name] || [];
        if (field.checked) {
          draft[field.name].push(field.value);
        }
      } else if (field.type === "radio") {
        if (!Object.prototype.hasOwnProperty.call(draft, field.name)) {
          draft[field.name] = "";
        }
        if (field.checked) {
          draft[field.name] = field.value;
        }
      } else {
        draft[field.name] = field.value;
      }
    });
    return draft;
  };

  Autosave.prototype.apply = function (draft) {
    this.fields().forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(draft, field.name)) {
        return;
      }
      var value = draft[field.name];
      if (field.type === "checkbox") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) !== -1;
      } else if (field.type === "radio") {
        field.checked = value === field.value;
      } else {
        field.value = value;
        field.dispatchEvent(new Event("input", { bubbles: false }));  // character counts follow
      }
    });
  };

  /* Writes the status line when what it says changes; `link` adds the sign-in link after the message. */
  Autosave.prototype.say = function (message, isError, link) {
    var said = message + (link ? "\n" + link : "");
    if (!this.status || said === this.said) {
      return;
    }
    this.said = said;
    this.status.textContent = message;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = this.form.getAttribute("data-sign-in-url");
      anchor.textContent = link;
      this.status.appendChild(document.createTextNode(" "));
      this.status.appendChild(anchor);
    }
    this.status.classList.toggle("save-status-error", Boolean(isError));
  };

  Autosave.prototype.storeDraft = function () {
    try {
      window.localStorage.setItem(this.key, JSON.stringify(this.snapshot()));
    } catch (error) {
      /* Storage full or disabled: autosave still runs, only the copy in the browser is missing. */
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
    var before = JSON.stringify(this.snapshot());
    this.apply(draft);
    if (JSON.stringify(this.snapshot()) === before) {
      this.clearDraft();
      return;
    }
    this.say("Restored text that had not been saved yet. Saving it now…");
    this.restored = true;
    this.dirty = true;
    this.save();
  };

  Autosave.prototype.changed = function () {
    this.dirty = true;
    this.editsSinceRequest += 1;
    this.storeDraft();
    window.clearTimeout(this.timer);
    if (this.signedOut) {
      return;  // Saving cannot work until the person signs in again: keep saying how.
    }
    this.say("Unsaved changes");
    var self = this;
    this.timer = window.setTimeout(function () { self.save(); }, SAVE_DELAY_MS);
  };

  /* Notes post to their autosave address: the form is saved in place. The preparation form posts to its page
   * (to share, for instance): it goes there once autosave has confirmed that the server has the text, so that
   * an ended session cannot swallow it. */
  Autosave.prototype.submitted = function (event) {
    if (this.confirmedSubmit) {
      return;
    }
    event.preventDefault();
    var self = this;
    var submitter = event.submitter;
    this.save(this.form.hasAttribute("data-autosave-submit") ? null : function () {
      self.confirmedSubmit = true;
      self.dirty = false;
      self.form.requestSubmit(submitter);
    });
  };

  Autosave.prototype.showErrors = function (errors) {
    this.fields().forEach(function (field) {
      var message = errors[field.id] || "";
      var holder = document.getElementById(field.id + "-error");
      if (!holder && message) {
        holder = document.createElement("div");
        holder.id = field.id + "-error";
        holder.className = "invalid-feedback d-block";
        field.insertAdjacentElement("afterend", holder);
        field.setAttribute("aria-describedby",
          ((field.getAttribute("aria-describedby") || "") + " " + holder.id).trim());
      }
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
    this.fields().forEach(function (field) {
      if (field.tagName === "TEXTAREA" || field.type === "text") {
        field.readOnly = true;
      } else {
        field.disabled = true;
      }
    });
    this.say(message + " Your last changes are kept in this browser; copy them if you need them.", true);
  };

  Autosave.prototype.endSession = function () {
    this.signedOut = true;
    this.onSaved = null;
    this.restored = false;
    this.say("Not saved: your session has ended. Your text is kept in this browser and is saved once you are " +
      "back.", true, "Sign in again");
  };

  /* Sends the form; `then` runs once the server has saved all of it. */
  Autosave.prototype.save = function (then) {
    window.clearTimeout(this.timer);
    if (then) {
      this.onSaved = then;
    }
    if (this.signedOut) {
      this.endSession();
      return;
    }
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    this.pending = false;
    this.editsSinceRequest = 0;
    if (!this.restored) {
      this.say("Saving…");
    }
    var self = this;
    fetch(this.url, {
      method: "POST",
      body: new FormData(this.form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      // 401 is the contract's answer; anything that is not JSON (a sign-in page, a refused form token) means the
      // same for the person: this page can no longer save.
      if (response.status === 401 || type.indexOf("application/json") === -1) {
        self.endSession();
        return null;
      }
      return response.json().then(function (body) {
        if (body.saved) {
          self.showErrors({});
          if (self.editsSinceRequest === 0) {
            self.dirty = false;
            self.clearDraft();
          }
          self.say(self.restored ? "Restored text that had not been saved yet. " + body.message : body.message);
          self.restored = false;
          if (self.onSaved && !self.dirty && !self.pending) {
            var onSaved = self.onSaved;
            self.onSaved = null;
            onSaved();
          }
          return;
        }
        self.onSaved = null;
        self.restored = false;
        if (body.locked) {
          self.lock(body.message);
        } else {
          var errors = body.errors || {};
          self.showErrors(errors);
          self.say(errors.__all__ ? body.message + " " + errors.__all__ : body.message, true);
        }
      });
    }).catch(function () {
      self.onSaved = null;
      self.restored = false;
      self.say("Not saved: no connection. Your text is kept in this browser and is saved when the connection " +
        "is back.", true);
    }).then(function () {
      self.inFlight = false;
      if (!self.signedOut && (self.pending || (self.dirty && self.editsSinceRequest > 0))) {
        self.save();
      }
    });
  };

  Autosave.prototype.flush = function () {
    var sending = JSON.stringify(this.snapshot());
    if (this.dirty && !this.signedOut && sending !== this.beaconed && navigator.sendBeacon) {
      navigator.sendBeacon(this.url, new FormData(this.form));
      this.beaconed = sending;
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var savers = Array.prototype.map.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      return new Autosave(form);
    });
    function flush() {
      savers.forEach(function (saver) { saver.flush(); });
    }
    // A phone may discard a hidden tab without a pagehide: send what is unsaved when the tab is hidden too.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flush();
      }
    });
    window.addEventListener("pagehide", flush);
  });
})();
