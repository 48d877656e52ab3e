"""The explorer (the grapher's habit): any measure of the catalogue for chosen partners and states, as a chart
with gaps shown as gaps, a table, a map and its sources; the URL is the permalink."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from silkscope import formatting, observations
from silkscope.analysis.measures import catalogue, label, measure
from silkscope.countries import C5
from silkscope.figures import charts, maps
from silkscope.figures.charts import Figure, channel
from silkscope.figures.style import PARTNER_COLOURS, partner_name
from silkscope.profiles.common import Drawn, figure, not_drawn

TABS = ("chart", "table", "map", "sources")
DEFAULT_MEASURE = "oda_net_disbursement_usd"


def explorer(
    served: Any,
    name: str | None,
    partners: str | None,
    countries: str,
    since: int | None,
    until: int | None,
    tab: str,
) -> dict[str, Any]:
    name = name or DEFAULT_MEASURE
    measure(name)  # an unknown measure is a 422 naming the known ones
    key = ("observations", name, partners, countries, since, until)
    result = served.cached(key, lambda con: observations.observations(name, partners, countries, since, until, con=con))
    picker = served.cached(("observations-available",), observations.available)
    entry = measure(name)
    lines = _series(result.rows)
    query = {"measure": name, "countries": countries, "partners": partners or "", "since": since or "",
             "until": until or ""}  # fmt: skip
    link = urlencode({k: v for k, v in query.items() if v not in ("", None)})
    out: dict[str, Any] = {
        "measure": name,
        "entry": entry,
        "measure_label": label(name),
        "picker": picker,
        "catalogue": catalogue(),
        "partners": partners or "",
        "countries": countries,
        "since": since,
        "until": until,
        "tab": tab if tab in TABS else "chart",
        "tabs": TABS,
        "result": result,
        "wide": _wide(result.rows, lines),
        "lines": lines,
        "permalink": f"/explore?{link}",
        "csv_url": f"/api/observations?{link}&format=csv",
        "json_url": f"/api/observations?{link}&_query=1",
    }
    # Only the tab shown is drawn (tabs are links: each is its own page): rendering the map to SVG took three
    # quarters of the chart tab's time, for a figure that page never showed.
    if result.rows and out["tab"] == "chart":
        out["chart"] = figure(_chart(result.rows, entry.unit), f"{label(name)}: chart")
    if result.rows and out["tab"] == "map":
        out["map"] = _map(result.rows, name, entry.unit)
    return out


def _series(rows: list[dict[str, Any]]) -> list[str]:
    """What the lines are: partners, or the states themselves for a state's own series (GDP, FDI inflows)."""
    return sorted({r["partner_iso3"] or r["country_iso3"] for r in rows})


def _wide(rows: list[dict[str, Any]], lines: list[str]) -> dict[str, Any]:
    """Year by state, one column per line: the table tab."""
    cells: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r["measure"], r["country_iso3"], r["year"])
        cells.setdefault(key, {"measure": r["measure"], "country_iso3": r["country_iso3"], "year": r["year"]})
        cells[key][r["partner_iso3"] or r["country_iso3"]] = r["value"]
    return {"columns": ["measure", "country_iso3", "year", *lines], "rows": [cells[k] for k in sorted(cells)]}


def _chart(rows: list[dict[str, Any]], unit: str) -> Figure:
    """A line per partner (or state), a panel per state (or family member); a missing year is a gap: the rows
    get explicit nulls between a line's first and last year and the mark does not bridge them."""
    present = {(r["measure"], r["country_iso3"], r["partner_iso3"] or r["country_iso3"], r["year"]): r["value"]
               for r in rows}  # fmt: skip
    spans: dict[tuple, list[int]] = {}
    for m, c, line, year in present:
        spans.setdefault((m, c, line), []).append(year)
    data = []
    many_measures = len({r["measure"] for r in rows}) > 1
    for (m, c, line), years in spans.items():
        for year in range(min(years), max(years) + 1):
            panel = f"{partner_name(c)} · {label(m)}" if many_measures else partner_name(c)
            data.append({"panel": panel, "line": partner_name(line), "year": year,
                         "value": present.get((m, c, line, year))})  # fmt: skip
    lines = sorted({d["line"] for d in data})
    codes = {partner_name(x): x for x in {k[2] for k in spans}}
    scale = {"domain": lines, "range": [PARTNER_COLOURS.get(codes.get(n, ""), "#444444") for n in lines]}
    money = unit.startswith("USD")
    if money:  # one unit on the axis and in the tooltip: US$ millions (never "$2G" beside "US$ 3.0 bn")
        for d in data:
            d["value"] = None if d["value"] is None else d["value"] / 1e6
        unit = "US$ m" + (" (constant)" if "constant" in unit else "")
    # counts: whole-number ticks, never "0, 0, 1, 1" on a panel of visits
    axis = formatting.count_axis(unit) if unit == "count" else {"format": ",.0f" if money else ",.1f", "title": unit}
    encoding = {
        "x": channel("year:Q", axis={"format": "d", "labelAngle": 0, "title": None}, scale={"nice": False}),
        "y": channel("value:Q", axis=axis),
        "color": channel("line:N", scale=scale, title=None),
    }
    value_format = ",.1f" if money else ",d" if unit == "count" else ",.1f"
    tooltip = [
        channel("line:N", title="partner" if "·" not in "".join(lines) else "series"),
        channel("panel:N", title="state"),
        channel("year:Q", format="d"),
        channel("value:Q", format=value_format, title=unit),
    ]
    # invalid=None: a null value breaks the line (a gap), where Vega-Lite would leave the row out and bridge it
    layers = [
        {"mark": {"type": "line", "strokeWidth": 2, "invalid": None}, "encoding": encoding},
        {"mark": {"type": "point", "filled": True, "size": 18}, "encoding": {**encoding, "tooltip": tooltip}},
    ]
    panels = sorted({d["panel"] for d in data})
    chart = charts.panelled("explore", layers, panels, panel_height=140, height=240)
    return Figure(chart, {"explore": data}, "explorer")


def _map(rows: list[dict[str, Any]], name: str, unit: str) -> Drawn:
    """Each state's value in the latest year any state has, summed over the partners shown."""
    latest = max(r["year"] for r in rows)
    values: dict[str, float | None] = dict.fromkeys(C5)
    for r in rows:
        if r["year"] == latest and r["country_iso3"] in values:
            values[r["country_iso3"]] = (values[r["country_iso3"]] or 0) + r["value"]
    what = f"{label(name)}, {latest} ({formatting.unit(unit)})"
    try:
        shape = maps.central_asia(values, measure=what, value_format=",.0f")
        return figure(shape, f"Map: {what}", year=latest, values=values)
    except maps.MapUnavailableError as exc:
        return not_drawn(what, str(exc), year=latest, values=values)
