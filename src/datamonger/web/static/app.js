// Datamonger: the little the pages need beyond HTMX. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (evt) {
    var bar = document.getElementById("upload-bar");
    var box = document.getElementById("upload-progress");
    if (!bar || !evt.detail || !evt.detail.lengthComputable) { return; }
    box.hidden = false;
    var pct = Math.round((evt.detail.loaded / evt.detail.total) * 100);
    bar.value = pct;
    bar.textContent = pct + "%";
  });
  // Errors come back in the one error shape: show them in the page's message area.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status >= 400) {
      var flash = document.getElementById("flash");
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      if (flash) { evt.detail.target = flash; }
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var err = evt.detail.target && evt.detail.target.querySelector(".error-summary");
    if (err) { err.focus(); }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var flash = document.getElementById("flash");
    if (flash && evt.detail.elt && evt.detail.elt.id === "upload-form") { flash.innerHTML = ""; }
  });
  // Filter forms that say so apply a choice at once (the button stays for keyboard and no-script use).
  document.addEventListener("change", function (evt) {
    var form = evt.target && evt.target.form;
    if (form && form.hasAttribute("data-autosubmit") && evt.target.type !== "search") { form.submit(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var err = document.querySelector("main .error-summary");
    if (err) { err.focus(); }
  });
})();
