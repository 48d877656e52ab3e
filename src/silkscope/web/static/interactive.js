// Charts: each page ships its charts' Vega-Lite specs, and vega-embed (npm packages served from /assets/) draws them
// here, with hover tooltips and PNG/SVG download. The server draws them as SVG only for a page asked with
// ?charts=svg (the <noscript> link): rendering on the server was most of a page's time. A page drawn that way is
// redrawn here too, and its SVG hidden. Expressions run through vega-interpreter: no eval, the CSP stays strict.
import { expressionInterpreter } from "/assets/vega-interpreter/build/vega-interpreter.js";

const options = {
  renderer: "svg",
  ast: true,
  expr: expressionInterpreter,
  actions: { export: true, source: false, compiled: false, editor: false },
  i18n: { SVG_ACTION: "Download SVG", PNG_ACTION: "Download PNG" },
};

// Below this width (a phone, a narrow window) a panelled chart is laid out in one column instead of shrinking.
const NARROW = 600;
const MIN_PANEL = 120; // the narrowest plot area worth drawing

// Axis labels and titles beside a plot: partner names on a nominal y axis need more room than numbers.
function axisRoom(spec) {
  const unit = spec.spec || spec;
  const encodings = [unit.encoding, ...(unit.layer || []).map((l) => l.encoding)].filter(Boolean);
  return encodings.some((e) => e.y && e.y.type === "nominal") ? 120 : 70;
}

// A single-view chart wider than its card is redrawn at the card's width, so its text stays readable on a phone
// (at desktop widths a concatenated or faceted chart keeps its layout).
function fitted(spec, room) {
  if (typeof spec.width !== "number" || spec.width <= room || spec.facet || spec.concat || spec.hconcat || spec.vconcat) {
    return spec;
  }
  return { ...spec, width: Math.max(160, Math.floor(room - axisRoom(spec))) };
}

// The plot width of each panel: `width` for a single view, the inner spec's for a facet, each part's for a concat.
function withPanelWidth(spec, width) {
  if (spec.facet && spec.spec) return { ...spec, spec: { ...spec.spec, width } };
  if (spec.concat) return { ...spec, concat: spec.concat.map((part) => (part.facet ? part : { ...part, width })) };
  if (spec.vconcat) return { ...spec, vconcat: spec.vconcat.map((part) => (part.facet ? part : { ...part, width })) };
  if (spec.hconcat) return spec;
  return typeof spec.width === "number" ? { ...spec, width } : spec;
}

function panelWidth(spec) {
  if (spec.facet && spec.spec) return spec.spec.width;
  const parts = spec.concat || spec.vconcat;
  if (parts) return Math.max(...parts.map((p) => (typeof p.width === "number" ? p.width : 0)));
  return spec.width;
}

// Category labels on a y axis (partner · presence kind...) and panel titles longer than `limit` are cut ("…"): the
// tooltip still says them in full.
function capLabels(node, limit) {
  if (Array.isArray(node)) return node.forEach((part) => capLabels(part, limit));
  if (!node || typeof node !== "object") return;
  const y = node.encoding && node.encoding.y;
  if (y && y.axis && typeof y.axis === "object" && !(y.axis.labelLimit <= limit)) y.axis.labelLimit = limit;
  for (const key of ["spec", "layer", "concat", "vconcat", "hconcat"]) capLabels(node[key], limit);
}

// On a narrow screen a panelled chart (small multiples, facets) is laid out one panel per row at the card's width,
// and its legend wraps, so the chart is drawn at its own size and its text keeps its size (never scaled to ~4 px).
function narrowed(spec, room) {
  const out = structuredClone(spec);
  const config = (out.config = out.config || {});
  config.legend = { ...config.legend, columns: Math.max(1, Math.floor(room / 110)), labelLimit: 100 };
  config.axisY = { ...config.axisY, labelLimit: Math.floor(room / 3) };
  config.title = { ...config.title, limit: room - 16 }; // less the padding around the drawing
  capLabels(out, Math.floor(room / 3));
  if (out.facet && (out.facet.column || out.facet.row) && !out.facet.field) {
    out.facet = out.facet.column || out.facet.row; // a row or column facet becomes a wrapped facet in one column
    out.columns = 1;
  } else if (out.facet || out.concat) {
    out.columns = 1;
  } else if (out.hconcat) {
    out.vconcat = out.hconcat;
    delete out.hconcat;
  }
  return withPanelWidth(out, Math.max(MIN_PANEL, Math.floor(room - axisRoom(spec))));
}

// The width of an element's content box.
function inner(node) {
  const style = getComputedStyle(node);
  return node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

// The width a chart may take: its figure's (a chart in a hidden tab takes its card's), less the room of
// vega-embed's actions button beside it.
const ACTIONS = 38;
function roomOf(figure) {
  for (let node = figure; node && node !== document.body; node = node.parentElement) {
    if (node.clientWidth > 0) return inner(node) - ACTIONS;
  }
  return document.documentElement.clientWidth - ACTIONS;
}

async function draw(figure, box, spec, label) {
  const room = roomOf(figure);
  const narrow = room < NARROW;
  let shown = narrow ? narrowed(spec, room) : fitted(spec, room);
  let result = await window.vegaEmbed(box, shown, { ...options, downloadFileName: label.slice(0, 60) });
  // Axis labels, bar labels and legends were guessed: while the drawing is still wider than its box, narrow its
  // panels by what sticks out and draw it again (at most twice more).
  for (let pass = 0; narrow && pass < 2; pass += 1) {
    const drawn = box.querySelector("svg.marks");
    const holder = box.querySelector(".vega-embed") || box;
    const over = drawn && holder.clientWidth > 0 ? Math.ceil(parseFloat(drawn.getAttribute("width")) - inner(holder)) : 0;
    const width = panelWidth(shown);
    if (over <= 0 || typeof width !== "number" || width <= MIN_PANEL) break;
    result.finalize();
    shown = withPanelWidth(shown, Math.max(MIN_PANEL, width - over));
    result = await window.vegaEmbed(box, shown, { ...options, downloadFileName: label.slice(0, 60) });
  }
  return result;
}

// Where a chart cannot be drawn here, the page says so and links to the same page with its charts drawn by the server.
function unavailable(figure, box) {
  const url = new URL(location.href);
  url.searchParams.set("charts", "svg");
  const note = document.createElement("p");
  note.className = "empty";
  note.append("This chart could not be drawn in your browser: ");
  const link = document.createElement("a");
  link.href = url.pathname + url.search;
  link.textContent = "see the page with charts drawn by the server";
  note.append(link, ".");
  box.replaceWith(note);
}

// One figure: its chart drawn from the spec it holds, and marked drawn (data-interactive) once on screen.
async function drawFigure(figure) {
  const holder = figure.querySelector("script.vl-spec");
  const drawn = figure.querySelector(":scope > svg");
  const pending = figure.querySelector(":scope > .vl-pending");
  if (!holder) return;
  const box = document.createElement("div");
  box.className = "vl-live";
  figure.insertBefore(box, drawn || pending || holder);
  const caption = figure.querySelector("figcaption");
  const label = drawn ? drawn.getAttribute("aria-label") : caption ? caption.textContent : "chart";
  if (!window.vegaEmbed) {
    if (!drawn) unavailable(figure, box);
    if (pending) pending.remove();
    return;
  }
  try {
    const start = performance.now();
    await draw(figure, box, JSON.parse(holder.textContent), label);
    performance.measure(`chart drawn: ${label}`, { start }); // on the page's clock, for bench/first_call.py
    if (drawn) drawn.style.display = "none";
    if (pending) pending.remove();
    const live = box.querySelector("svg.marks");
    if (live) {
      live.setAttribute("role", "img");
      live.setAttribute("aria-label", label);
    }
    figure.dataset.interactive = "true";
  } catch (error) {
    if (pending) pending.remove();
    if (drawn) box.remove(); // the server SVG stays
    else unavailable(figure, box);
    console.warn("interactive chart unavailable:", error);
  }
}

function inView(figure) {
  const box = figure.getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}

// Until the browser has had a chance to paint (a hidden tab paints nothing: the timer goes on without it).
function painted() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100);
  });
}

// The charts in view first, then the rest in page order, each started after the browser has painted what came
// before. vega-embed compiles and parses a spec before its first pause, so starting every chart at once showed none
// until all were compiled: half a second on a country page's first visit before its first chart appeared. A chart
// waiting for its data (a map's shapes) lets the next one start meanwhile.
async function drawAll() {
  const figures = [...document.querySelectorAll("figure.chart")];
  for (const figure of [...figures.filter(inView), ...figures.filter((f) => !inView(f))]) {
    drawFigure(figure);
    await painted();
  }
}

drawAll();
