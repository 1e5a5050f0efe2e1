// Answer editing: autosave with conflict detection, Markdown preview, keyboard navigation.
(function () {
  "use strict";
  var script = document.currentScript;
  var previewUrl = script.dataset.previewUrl;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var AUTOSAVE_MS = 3000;

  function ago(ts) {
    var s = Math.max(0, Math.round((Date.now() - ts) / 1000));
    return s < 60 ? s + " s ago" : Math.round(s / 60) + " min ago";
  }

  function setup(form) {
    var status = form.querySelector("[data-status]");
    var text = form.querySelector("[data-text]");
    var risk = form.querySelector("[data-risk]");
    var naBox = form.querySelector("[data-na-reason]");
    var revision = form.querySelector("input[name$=revision]");
    var conflict = form.querySelector("[data-conflict]");
    var timer = null, savedAt = null, dirty = false, inFlight = false, conflicted = false;

    function showNa() { naBox.classList.toggle("d-none", risk.value !== "na"); }
    risk.addEventListener("change", showNa); showNa();

    function say(msg, cls) { status.textContent = msg; status.className = "autosave-status " + (cls || ""); }

    function save() {
      if (inFlight || conflicted) { return; }
      inFlight = true; dirty = false; say("Saving…");
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": csrf}
      }).then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
        .then(function (res) {
          inFlight = false;
          var code = res[0], body = res[1];
          if (code === 200 && body.ok) {
            revision.value = body.revision; savedAt = Date.now(); say("Saved " + ago(savedAt));
          } else if (code === 409) {
            conflicted = true; say("Conflict — not saved", "conflict");
            conflict.classList.remove("d-none");
            conflict.querySelector("[data-conflict-who]").textContent = body.theirs.updated_by || "Someone";
            conflict.querySelector("[data-theirs]").textContent = body.theirs.text;
            conflict.querySelector("[data-mine]").textContent = body.mine.text;
            conflict.dataset.revision = body.theirs.revision;
            conflict.dataset.theirs = body.theirs.text;
          } else {
            say("Not saved: " + Object.values(body.errors || {}).join(" "), "conflict");
          }
        })
        .catch(function () {
          inFlight = false; dirty = true; say("Offline, retrying…", "conflict");
          schedule(AUTOSAVE_MS * 2);
        });
    }

    function schedule(ms) { clearTimeout(timer); timer = setTimeout(save, ms || AUTOSAVE_MS); }
    form.addEventListener("input", function () { dirty = true; say("Unsaved changes"); schedule(); });
    form.addEventListener("change", function () { dirty = true; schedule(800); });
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); save(); });

    conflict.querySelector("[data-take-theirs]").addEventListener("click", function () {
      text.value = conflict.dataset.theirs; revision.value = conflict.dataset.revision;
      conflicted = false; conflict.classList.add("d-none"); say("Took their version");
    });
    conflict.querySelector("[data-keep-mine]").addEventListener("click", function () {
      revision.value = conflict.dataset.revision; conflicted = false;
      conflict.classList.add("d-none"); save();
    });

    setInterval(function () { if (savedAt && !dirty && !inFlight && !conflicted) { say("Saved " + ago(savedAt)); } }, 5000);

    var writeBtn = form.querySelector("[data-write]"), previewBtn = form.querySelector("[data-preview]");
    var pane = form.querySelector("[data-preview-pane]");
    previewBtn.addEventListener("click", function () {
      var body = new FormData(); body.append("text", text.value);
      fetch(previewUrl, {method: "POST", body: body, credentials: "same-origin",
                         headers: {"X-CSRFToken": csrf}})
        .then(function (r) { return r.json(); })
        .then(function (b) {
          // The server returns HTML already rendered and sanitised by the one Markdown function.
          pane.innerHTML = b.html || ("<p class='text-danger'>" + (b.error || "") + "</p>");
          pane.classList.remove("d-none"); text.classList.add("d-none");
          previewBtn.classList.add("active"); writeBtn.classList.remove("active");
        });
    });
    writeBtn.addEventListener("click", function () {
      pane.classList.add("d-none"); text.classList.remove("d-none");
      writeBtn.classList.add("active"); previewBtn.classList.remove("active"); text.focus();
    });
    window.addEventListener("beforeunload", function (e) { if (dirty || inFlight) { e.preventDefault(); } });
  }

  document.querySelectorAll("form[data-autosave]").forEach(setup);

  // Alt+ArrowDown / Alt+ArrowUp move between questions.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) { return; }
    var cards = Array.prototype.slice.call(document.querySelectorAll(".question-card"));
    var current = cards.findIndex(function (c) { return c.contains(document.activeElement); });
    var next = cards[current + (e.key === "ArrowDown" ? 1 : -1)];
    if (next) { e.preventDefault(); (next.querySelector("textarea") || next).focus(); next.scrollIntoView({block: "start"}); }
  });
})();
