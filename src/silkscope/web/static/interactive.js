// Interactive charts (progressive enhancement): each server-drawn chart carries its Vega-Lite spec; when the Vega
// runtime (npm packages served from /assets/) is present, vega-embed redraws it with hover tooltips and PNG/SVG
// download, and the server SVG is hidden. Expressions run through vega-interpreter: no eval, the CSP stays strict.
import { expressionInterpreter } from "/assets/vega-interpreter/build/vega-interpreter.js";

const options = {
  renderer: "svg",
  ast: true,
  expr: expressionInterpreter,
  actions: { export: true, source: false, compiled: false, editor: false },
  i18n: { SVG_ACTION: "Download SVG", PNG_ACTION: "Download PNG" },
};

// A single-view chart wider than its card is redrawn at the card's width, so its text stays readable on a phone
// (a concatenated or faceted chart keeps its layout and scales down).
function fitted(spec, room) {
  if (typeof spec.width !== "number" || spec.width <= room || spec.facet || spec.concat || spec.hconcat || spec.vconcat) {
    return spec;
  }
  const legend = spec.encoding && spec.encoding.y && spec.encoding.y.type === "nominal" ? 120 : 70; // axis labels
  return { ...spec, width: Math.max(160, Math.floor(room - legend)) };
}

for (const figure of document.querySelectorAll("figure.chart")) {
  const holder = figure.querySelector("script.vl-spec");
  const drawn = figure.querySelector(":scope > svg");
  if (!holder || !window.vegaEmbed) continue;
  const box = document.createElement("div");
  box.className = "vl-live";
  figure.insertBefore(box, drawn || holder);
  const label = drawn ? drawn.getAttribute("aria-label") : "chart";
  window
    .vegaEmbed(box, fitted(JSON.parse(holder.textContent), figure.clientWidth), {
      ...options,
      downloadFileName: label.slice(0, 60),
    })
    .then(() => {
      if (drawn) drawn.style.display = "none";
      const live = box.querySelector("svg.marks");
      if (live) live.setAttribute("aria-label", label);
      figure.dataset.interactive = "true";
    })
    .catch((error) => {
      box.remove(); // the server SVG stays
      console.warn("interactive chart unavailable:", error);
    });
}
