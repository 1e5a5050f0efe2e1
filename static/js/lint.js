// The blame wording check as the writer types: findings appear under the field, with the
// suggested reframing. Fields opt in with data-lint="factor|summary|lesson|action".
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script.dataset.lintUrl;
  // On a COE page the check also knows the people involved (names are blame when pinned on).
  var postmortem = script.dataset.lintPostmortem || "";
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;

  function show(box, findings) {
    box.textContent = "";
    findings.forEach(function (f) {
      var item = document.createElement("div");
      item.className = "small mt-1 " + (f.severity === "block" ? "text-danger" : "text-warning-emphasis");
      var strong = document.createElement("strong");
      strong.textContent = (f.severity === "block" ? "Blocks submit: " : "Consider: ") + f.message;
      item.appendChild(strong);
      item.appendChild(document.createTextNode(" Try: " + f.suggestion));
      box.appendChild(item);
    });
  }

  document.querySelectorAll("[data-lint]").forEach(function (field) {
    var box = document.createElement("div");
    box.setAttribute("aria-live", "polite");
    box.setAttribute("data-lint-output", "");
    field.insertAdjacentElement("afterend", box);
    var timer = null;
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new FormData();
        body.append("text", field.value);
        body.append("field", field.dataset.lint);
        if (postmortem) { body.append("postmortem", postmortem); }
        fetch(url, {method: "POST", body: body, credentials: "same-origin",
                    headers: {"X-CSRFToken": csrf}})
          .then(function (r) { return r.json(); })
          .then(function (b) { show(box, b.findings || []); })
          .catch(function () { /* the server checks again on save and submit */ });
      }, 500);
    });
  });
})();
