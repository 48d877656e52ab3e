// silkscope's only script (progressive enhancement; every page works without it):
// a busy indicator while a form is submitted, auto-submit for selectors, native tooltips on chart marks.
(function () {
  "use strict";
  var busy = document.getElementById("busy");
  function showBusy(message) {
    var main = document.getElementById("content");
    if (main) { main.setAttribute("aria-busy", "true"); }
    if (busy) { busy.textContent = message || "Loading…"; busy.setAttribute("data-active", "true"); }
  }
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () { showBusy(form.getAttribute("data-busy")); });
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () {
      if (field.form) { showBusy("Loading…"); field.form.submit(); }
    });
  });
  window.addEventListener("pageshow", function () {
    var main = document.getElementById("content");
    if (main) { main.removeAttribute("aria-busy"); }
    if (busy) { busy.removeAttribute("data-active"); }
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
