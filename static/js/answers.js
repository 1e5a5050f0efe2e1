// Answer editing: autosave with conflict detection, Markdown preview, keyboard navigation.
(function () {
  "use strict";
  var script = document.currentScript;
  var previewUrl = script.dataset.previewUrl;
  var pageCsrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var AUTOSAVE_MS = 3000, RETRY_MAX_MS = 30000;
  var problems = 0;  // forms with something unsaved, in conflict or in error

  // Signing in again in another tab changes the CSRF token: read the current one each time.
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : pageCsrf;
  }

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
    var failed = false, retryMs = AUTOSAVE_MS;

    // Only a kind that asks a risk (the ORR) has these; "not applicable" then asks why.
    if (risk && naBox) {
      var showNa = function () { naBox.classList.toggle("d-none", risk.value !== "na"); };
      risk.addEventListener("change", showNa); showNa();
    }

    function say(msg, cls) { status.textContent = msg; status.className = "autosave-status " + (cls || ""); }
    function sayWithLogin(msg, loginUrl) {
      say(msg + " ", "conflict");
      var link = document.createElement("a");
      link.href = loginUrl || "/accounts/login/"; link.target = "_blank"; link.rel = "noopener";
      link.textContent = "Sign in (new tab)";
      status.appendChild(link);
    }
    // Something is not saved: keep it here, retry later, and warn before the page is left.
    function fail(msg, retry, loginUrl) {
      failed = true; dirty = true;
      if (loginUrl) { sayWithLogin(msg, loginUrl); } else { say(msg, "conflict"); }
      if (retry) { retryMs = Math.min(retryMs * 2, RETRY_MAX_MS); schedule(retryMs); }
    }

    function save() {
      if (inFlight || conflicted) { return; }
      inFlight = true; dirty = false; say("Saving…");
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (token) { token.value = csrf(); }  // Django checks the form's token before the header
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": csrf()}
      }).then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? r.json() : Promise.resolve({})).then(function (b) { return [r.status, b, r]; });
      })
        .then(function (res) {
          inFlight = false;
          var code = res[0], body = res[1], r = res[2];
          if (code === 200 && body.ok) {
            failed = false; retryMs = AUTOSAVE_MS;
            revision.value = body.revision; savedAt = Date.now(); say("Saved " + ago(savedAt));
          } else if (code === 401 || body.error === "csrf" || (r.redirected && /\/accounts\/login\//.test(r.url))) {
            // Signed out, or the sign-in changed: the text stays; saved once signed in again.
            fail((body.message || "You are signed out. Sign in again in a new tab; your text is kept here.") +
                 " Not saved yet.", true, body.login_url);
          } else if (code === 413 || (code === 400 && body.errors && body.errors.text)) {
            fail("Not saved: " + (body.message || Object.values(body.errors).join(" ")), false);
          } else if (code === 409) {
            conflicted = true; say("Conflict — not saved", "conflict");
            conflict.classList.remove("d-none");
            conflict.querySelector("[data-conflict-who]").textContent = body.theirs.updated_by || "Someone";
            conflict.querySelector("[data-theirs]").textContent = body.theirs.text;
            conflict.querySelector("[data-mine]").textContent = body.mine.text;
            conflict.dataset.revision = body.theirs.revision;
            conflict.dataset.theirs = body.theirs.text;
          } else if (code === 400 && body.errors) {
            fail("Not saved: " + Object.values(body.errors).join(" "), false);
          } else {
            fail("Not saved: the server answered " + code + ". Retrying; your text is kept here.", true);
          }
        })
        .catch(function () {
          inFlight = false; fail("Offline — not saved yet, retrying. Your text is kept here.", true);
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
                         headers: {"X-CSRFToken": csrf()}})
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
    form.unsaved = function () { return dirty || inFlight || conflicted || failed; };
  }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-autosave]"));
  // Leaving while anything is unsaved, in conflict or in error asks first.
  window.addEventListener("beforeunload", function (e) {
    problems = forms.filter(function (f) { return f.unsaved && f.unsaved(); }).length;
    if (problems) { e.preventDefault(); e.returnValue = ""; }
  });

  forms.forEach(setup);

  // Alt+ArrowDown / Alt+ArrowUp move between questions.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) { return; }
    var cards = Array.prototype.slice.call(document.querySelectorAll(".question-card"));
    var current = cards.findIndex(function (c) { return c.contains(document.activeElement); });
    var next = cards[current + (e.key === "ArrowDown" ? 1 : -1)];
    if (next) { e.preventDefault(); (next.querySelector("textarea") || next).focus(); next.scrollIntoView({block: "start"}); }
  });
})();
