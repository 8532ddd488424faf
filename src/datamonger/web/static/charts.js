// Datamonger charts: the server draws each chart as static SVG (read without scripts); where a
// figure carries its Vega-Lite spec (data-vega-spec), this swaps the drawing for an interactive
// one (tooltips, hover, click-through) made by the vendored vega, vega-lite and vega-embed.
// Same-origin scripts only, loaded when a page has a chart; Vega runs with its expression
// interpreter (ast), so no eval is needed under the CSP.
(function () {
  "use strict";
  var VENDOR = ["/static/vendor/vega/vega.min.js", "/static/vendor/vega/vega-lite.min.js",
    "/static/vendor/vega/vega-embed.min.js"];

  function load(i, done) {
    if (i >= VENDOR.length) { done(); return; }
    var s = document.createElement("script");
    s.src = VENDOR[i];
    s.onload = function () { load(i + 1, done); };
    s.onerror = function () { /* the static drawing stays */ };
    document.head.appendChild(s);
  }

  // Arrow keys on a focused chart read out the rows of its table of figures, one at a time,
  // through the live region beside it: the keyboard's way through what the mouse hovers.
  function keys(box) {
    var fig = box.closest("figure");
    var status = fig && fig.querySelector(".chart__status");
    var table = document.getElementById(box.getAttribute("data-table") || "");
    var rows = table ? table.querySelectorAll("tbody tr") : [];
    var heads = table ? table.querySelectorAll("thead th") : [];
    var at = -1;
    box.addEventListener("keydown", function (evt) {
      if (!rows.length || !status) { return; }
      var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[evt.key];
      if (evt.key === "Home") { at = 0; } else if (evt.key === "End") { at = rows.length - 1; }
      else if (step) { at = Math.max(0, Math.min(rows.length - 1, at + step)); }
      else { return; }
      evt.preventDefault();
      var cells = rows[at].children;
      var words = [];
      for (var c = 0; c < cells.length; c++) {
        var h = heads[c] ? heads[c].textContent.trim() : "";
        words.push((c === 0 ? "" : h + ": ") + cells[c].textContent.trim());
      }
      status.textContent = words.join(", ") + " (" + (at + 1) + " of " + rows.length + ")";
      box.setAttribute("data-row", String(at));
    });
  }

  function draw(box) {
    var spec;
    try { spec = JSON.parse(box.getAttribute("data-vega-spec")); } catch (e) { return; }
    if (!spec || !spec.$schema) { return; }
    var target = document.createElement("div");
    target.className = "chart__live";
    window.vegaEmbed(target, spec, {
      renderer: "svg", actions: false, ast: true, defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    }).then(function () {
      var old = box.querySelector("svg");
      var live = target.querySelector("svg");
      // the chart's text alternative names Vega's drawing too
      if (live && spec.description && !live.getAttribute("aria-label")) {
        live.setAttribute("aria-label", spec.description);
      }
      box.appendChild(target);
      if (old) { old.parentNode.removeChild(old); }
      box.setAttribute("data-interactive", "true");
    }).catch(function (err) {  // the static drawing stays
      if (window.console) { window.console.warn("chart left static:", err && err.message); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-vega-spec]");
    if (!boxes.length) { return; }
    for (var i = 0; i < boxes.length; i++) { keys(boxes[i]); }
    load(0, function () {
      if (!window.vegaEmbed) { return; }
      for (var j = 0; j < boxes.length; j++) { draw(boxes[j]); }
    });
  });
})();
