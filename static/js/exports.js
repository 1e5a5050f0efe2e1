// PDF exports: a form marked data-export is sent in the background, then its status element
// ([data-export-status]) follows the export until the PDF is ready. A status element with a
// data-status-url follows that export as soon as the page loads. Without JavaScript the form
// posts normally and lands on the export's own page.
(function () {
  "use strict";

  const FIRST_DELAY_MS = 800;
  const MAX_DELAY_MS = 5000;
  const GIVE_UP_AFTER_MS = 10 * 60 * 1000;

  function show(box, payload) {
    box.replaceChildren();
    if (payload.done && payload.download_url) {
      const link = document.createElement("a");
      link.href = payload.download_url;
      link.className = "btn btn-sm btn-success";
      link.textContent = "Download the PDF";
      box.append(link);
    } else if (payload.failed) {
      box.textContent = payload.retrying
        ? "Rendering failed; trying again shortly…"
        : "The PDF could not be rendered.";
    } else if (payload.error) {
      box.textContent = payload.error;
    } else {
      box.textContent = payload.label + "…";
    }
  }

  function follow(box, statusUrl) {
    const started = Date.now();
    let delay = FIRST_DELAY_MS;
    async function tick() {
      let payload;
      try {
        const response = await fetch(statusUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) throw new Error(String(response.status));
        payload = await response.json();
      } catch (err) {
        payload = null;  // a blip; keep asking
      }
      if (payload) {
        show(box, payload);
        if (payload.done || (payload.failed && !payload.retrying)) return;
      }
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        box.textContent = "Still not ready. Reload the page later.";
        return;
      }
      delay = Math.min(delay * 1.5, MAX_DELAY_MS);
      window.setTimeout(tick, delay);
    }
    window.setTimeout(tick, FIRST_DELAY_MS);
  }

  function send(form, event) {
    const box = form.querySelector("[data-export-status]");
    if (!box || !window.fetch) return;  // let the browser post the form
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    box.textContent = "Requesting…";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => response.json().then((payload) => ({ response, payload })))
      .then(({ response, payload }) => {
        show(box, payload);
        if (response.ok && !payload.done && payload.status_url) {
          follow(box, payload.status_url);
        }
        if (payload.done && button) button.hidden = true;
      })
      .catch(() => {
        box.textContent = "The request failed. Try again.";
      })
      .finally(() => {
        if (button) button.disabled = false;
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-export]").forEach((form) => {
      form.addEventListener("submit", (event) => send(form, event));
    });
    document.querySelectorAll("[data-export-status][data-status-url]").forEach((box) => {
      follow(box, box.dataset.statusUrl);
    });
  });
})();
