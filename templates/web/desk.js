/* The desk's live preview (optional: without JavaScript the "Voorbeeld en controle"
   button does the same). While the BINCO types, the form is posted as a preview
   after a pause, and the preview and the check's messages are swapped in. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-preview]");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var timer = null, running = false, again = false;
  function swap(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.querySelector(".preview-pane"), old = document.querySelector(".preview-pane");
    if (fresh && old) { old.replaceWith(fresh); } else if (fresh) { form.after(fresh); }
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    page.querySelectorAll("form[data-live-preview] .field-error").forEach(function (e) {
      var target = document.getElementById(e.id.replace(/-error$/, ""));
      if (target) { target.before(e); }
    });
  }
  function run() {
    if (running) { again = true; return; }
    running = true;
    var data = new FormData(form);
    data.set("action", "preview");
    // (form.action would be the buttons named "action": read the attribute.)
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(swap)
      .catch(function () {})
      .then(function () { running = false; if (again) { again = false; run(); } });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 1500);
  });
}());
