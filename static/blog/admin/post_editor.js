// Live preview for the post editor: sends the body to the admin's preview endpoint (CSRF-
// protected, staff only) and shows the site's own rendering beside the form.
(function () {
  "use strict";
  const panel = document.querySelector(".post-preview");
  const body = document.getElementById("id_body");
  if (!panel || !body) return;
  const output = panel.querySelector(".post-preview__body");
  const stats = panel.querySelector(".post-preview__stats");
  const field = (name) => (document.getElementById("id_" + name) || {}).value || "";
  const token = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let sent = 0;

  async function refresh() {
    const request = ++sent;
    const data = new FormData();
    data.append("body", body.value);
    data.append("excerpt", field("excerpt"));
    data.append("excerpt_separator", field("excerpt_separator"));
    // The dialect (Jekyll's Liquid, Hugo's shortcodes) and the imported site it came from.
    data.append("markup", field("markup"));
    data.append("model", panel.dataset.model || "post");
    data.append("object_id", panel.dataset.objectId || "");
    stats.textContent = "Rendering…";
    try {
      const response = await fetch(panel.dataset.previewUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token() },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      const result = await response.json();
      if (request !== sent) return; // a newer preview is on its way
      // The HTML comes sanitized from the site's renderer (nh3), as the post page shows it.
      output.innerHTML = (result.toc ? '<nav class="post-preview__toc">' + result.toc + "</nav>" : "") + result.html;
      const notes = (result.warnings || []).length;
      stats.textContent = result.words + " words, " + result.minutes + " min read" +
        (notes ? "; " + notes + " note(s): " + result.warnings.join("; ") : "");
    } catch (error) {
      stats.textContent = "The preview failed (" + error.message + "); your text is safe.";
    }
  }

  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  panel.querySelector(".post-preview__refresh").addEventListener("click", refresh);
  if (body.value.trim()) refresh();
})();
