// silkscope's only script (progressive enhancement; every page works without it):
// a progress bar when a page takes longer than half a second, auto-submit for selectors, a cue on tables that
// scroll sideways, native tooltips on chart marks.
(function () {
  "use strict";
  var busy = document.getElementById("busy");
  var bar = document.getElementById("progress");
  if (!bar) {
    bar = document.createElement("div");
    bar.id = "progress";
    bar.setAttribute("aria-hidden", "true");
    document.body.insertBefore(bar, document.body.firstChild);
  }
  var timer = null;
  var DELAY = 500; // ms: quick pages never flash a bar
  function showBusy(message) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () {
      var main = document.getElementById("content");
      if (main) { main.setAttribute("aria-busy", "true"); }
      bar.setAttribute("data-active", "true");
      if (busy) { busy.textContent = message || "Loading…"; busy.setAttribute("data-active", "true"); }
    }, DELAY);
  }
  function clearBusy() {
    if (timer) { clearTimeout(timer); timer = null; }
    var main = document.getElementById("content");
    if (main) { main.removeAttribute("aria-busy"); }
    bar.removeAttribute("data-active");
    if (busy) { busy.removeAttribute("data-active"); }
  }
  window.silkscopeBusy = showBusy; // for tests and other scripts
  // Following a link to another page of the dashboard: downloads, the API, new tabs and anchors load no page here.
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.hasAttribute("download") || (link.target && link.target !== "_self")) { return; }
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || /^\/(api|assets|static|docs)\b/.test(url.pathname) || /\.(csv|json|pdf|png|svg)$/.test(url.pathname)) { return; }
    if (url.pathname === location.pathname && url.search === location.search && url.hash) { return; }
    showBusy("Loading…");
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!event.defaultPrevented && form && form.tagName === "FORM" && !form.target) {
      showBusy(form.getAttribute("data-busy") || "Loading…");
    }
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () {
      if (field.form) { showBusy("Loading…"); field.form.submit(); }
    });
  });
  window.addEventListener("pageshow", clearBusy);
  // A table wider than its card scrolls inside it: say so, and how many columns are in view.
  function cue(wrap) {
    var table = wrap.querySelector("table");
    var note = wrap.nextElementSibling && wrap.nextElementSibling.classList.contains("scroll-cue") ? wrap.nextElementSibling : null;
    if (!table || wrap.scrollWidth <= wrap.clientWidth + 1) { if (note) { note.remove(); } return; }
    var heads = table.querySelectorAll("thead tr:first-child > *");
    var box = wrap.getBoundingClientRect();
    var seen = 0;
    heads.forEach(function (th) {
      var r = th.getBoundingClientRect();
      if (r.left >= box.left - 1 && r.right <= box.right + 1) { seen += 1; }
    });
    if (!note) {
      note = document.createElement("p");
      note.className = "scroll-cue";
      wrap.parentNode.insertBefore(note, wrap.nextSibling);
    }
    note.textContent = heads.length
      ? "Showing " + seen + " of " + heads.length + " columns: scroll the table sideways for the rest."
      : "The table scrolls sideways.";
  }
  var wraps = document.querySelectorAll(".table-wrap");
  wraps.forEach(function (wrap) {
    cue(wrap);
    var pending = null;
    wrap.addEventListener("scroll", function () {
      if (pending) { return; }
      pending = setTimeout(function () { pending = null; cue(wrap); }, 120);
    }, { passive: true });
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) { clearTimeout(resizing); }
    resizing = setTimeout(function () { wraps.forEach(cue); }, 150);
  });
  // The compare form shows only the options the chosen indicator reads (and sends only those).
  var indicator = document.getElementById("indicator");
  var optionBox = document.getElementById("indicator-options");
  function showOptions() {
    var chosen = indicator.options[indicator.selectedIndex];
    var reads = (chosen.getAttribute("data-options") || "").split(" ");
    var any = false;
    optionBox.querySelectorAll("[data-option]").forEach(function (div) {
      var on = reads.indexOf(div.getAttribute("data-option")) >= 0;
      any = any || on;
      div.hidden = !on;
      div.querySelectorAll("input, select").forEach(function (field) { field.disabled = !on; });
    });
    optionBox.hidden = !any;
  }
  if (indicator && optionBox) {
    indicator.addEventListener("change", showOptions);
    showOptions();
  }
  // Following a highlighted claim opens its evidence.
  function openTarget() {
    var el = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (el && el.tagName.toLowerCase() === "details") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  // Vega writes each mark's description as aria-label; a <title> child makes it a hover tooltip too.
  document.querySelectorAll("figure svg [aria-label]").forEach(function (mark) {
    if (mark.tagName.toLowerCase() === "svg" || mark.querySelector("title")) { return; }
    var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = mark.getAttribute("aria-label");
    mark.insertBefore(title, mark.firstChild);
  });
})();
