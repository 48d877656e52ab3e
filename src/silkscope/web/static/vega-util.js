// What vega-interpreter imports from vega-util, taken from vega's bundle, which has vega-util whole and has run
// before any module does (a deferred script ahead of interactive.js). vega-util's own build is 56 modules: 56
// requests on a reader's first visit, in two round trips, for three helpers. If vega-interpreter ever imports a
// name not listed here, its import fails and every chart says so (the browser tests draw every page's charts).
const { ascending, isString, DisallowedObjectProperties } = window.vega;
export { ascending, isString, DisallowedObjectProperties };
