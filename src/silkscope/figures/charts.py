"""Chart specs for pages and briefs: one function per kind of chart, each returning a `Figure` that draw.py renders
to SVG offline (or hands to the browser). Colours and names are the house style (style.py).

The specs are Vega-Lite written as plain dicts: the same specs Altair's object layer made, without its 2-35 ms a
chart of building and checking objects on every request (the schema check stays, for the tests: draw.VALIDATE_ENV).
"""

from __future__ import annotations

import re
from typing import Any

from silkscope import formatting
from silkscope.figures.draw import ChartError, Figure, embeddable, named, records, svg  # noqa: F401 (re-exported)
from silkscope.figures.style import PARTNER_COLOURS, partner_name

WIDTH = 860  # full-width charts; a laptop's content column is about 1,100 px
TYPES = {"Q": "quantitative", "N": "nominal", "O": "ordinal", "T": "temporal"}


def channel(shorthand: str, **props: Any) -> dict[str, Any]:
    """An encoding channel from Altair-style shorthand ("year:Q", "partner:N") and its properties. A property given
    as None is kept: it is JSON null, which turns a default off (no title, no legend, no sort)."""
    name, kind = shorthand.rsplit(":", 1)
    return {"field": name, "type": TYPES[kind], **props}


def titled(spec: dict[str, Any], title: str) -> dict[str, Any]:
    """The spec with its title, when there is one (an empty title is no title, not a blank line)."""
    return {**spec, "title": title} if title else spec


def lines_and_points(encoding: dict[str, Any], line: dict[str, Any], point: dict[str, Any], *, title: str = "",
                     **point_channels: Any) -> list[dict[str, Any]]:  # fmt: skip
    """Two layers on one encoding: the line, then a point per row (the points alone carry `point_channels`, e.g.
    the description a screen reader gets). A title goes on both layers, where Altair put it."""
    layers = [{"mark": {"type": "line", **line}, "encoding": encoding},
              {"mark": {"type": "point", **point}, "encoding": {**encoding, **point_channels}}]  # fmt: skip
    return [titled(layer, title) for layer in layers]


def partner_scale(partners: list[str]) -> dict[str, Any]:
    """Each partner's own colour, whichever chart or page it is on."""
    return {
        "domain": [partner_name(p) for p in partners],
        "range": [PARTNER_COLOURS.get(p, "#444444") for p in partners],
    }


def _year_axis() -> dict[str, Any]:
    """Years as written (2003, never 2,003), whole years only."""
    return formatting.year_axis()


def _money_axis(title: str = "US$") -> dict[str, Any]:
    """Money in the labels' unit words (3 bn, 450 m): the axis and the value labels say the same unit."""
    return formatting.money_axis(title)


def _count_axis(title: str | None = None) -> dict[str, Any]:
    """Counts step by whole numbers (never 0.5 visit)."""
    return formatting.count_axis(title)


def visits_by_year(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """Leader-level country-visits per year, a bar per year stacked by partner."""
    data = [{**r, "partner": partner_name(r["partner_iso3"])} for r in records(rows)]
    chart = {
        "data": named("visits"),
        "mark": {"type": "bar", "size": 9},
        "encoding": {
            "x": channel("year:Q", axis=_year_axis(), scale={"nice": False, "padding": 8}),
            "y": channel("country_visits:Q", aggregate="sum", title="leader-level country-visits", axis=_count_axis()),
            "color": channel("partner:N", scale=partner_scale(partners), title="Partner"),
            "description": channel("label:N"),
        },
        "transform": [
            {"calculate": "datum.partner + ' ' + datum.year + ': ' + datum.country_visits + ' visit(s)'", "as": "label"}
        ],
        "width": WIDTH,
        "height": 170,
    }
    return Figure(titled(chart, title), {"visits": data}, "visits_by_year")


def finance_by_year(
    rows: list[dict[str, Any]], partners: list[str], *, title: str = "", lines: str = "Partner"
) -> Figure:
    """Official finance per year and partner, one line each (rows must share one definition). `lines`: what the
    lines are, for the legend (a partner's page draws one line per state it finances)."""
    data = []
    for r in records(rows):
        who = partner_name(r["partner_iso3"])
        amount = formatting.money(r.get("amount_usd"))
        data.append({**r, "partner": who, "amount": amount, "label": f"{who} {r['year']}: {amount}"})
    encoding = {
        "x": channel("year:Q", axis=_year_axis(), scale={"nice": False}),
        "y": channel("amount_usd:Q", title="US$ (as published)", axis=_money_axis("US$ (as published)")),
        "color": channel("partner:N", scale=partner_scale(partners), title=lines),
    }
    layers = lines_and_points(encoding, {"strokeWidth": 2}, {"filled": True, "size": 22}, title=title,
                              description=channel("label:N"))  # fmt: skip
    chart = {"data": named("finance"), "layer": layers, "width": WIDTH, "height": 180}
    return Figure(chart, {"finance": data}, "finance_by_year")


def opinion_over_time(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """One poll question's share over time (fieldwork end), a line per partner asked about; 0-100% axis."""
    data = [
        {
            "partner": partner_name(r["partner_iso3"]),
            "year": r["fieldwork_end"].year + (r["fieldwork_end"].month - 0.5) / 12,
            "share_pct": float(r["share_pct"]),
            "scope": r["scope"],
            "when": str(r["fieldwork_end"])[:7],
        }
        for r in rows
    ]
    encoding = {
        "x": channel("year:Q", axis=_year_axis(), scale={"nice": False, "padding": 12}, title="fieldwork"),
        "y": channel("share_pct:Q", title="% of respondents", scale={"domain": [0, 100]}),
        "color": channel("partner:N", scale=partner_scale(partners), title="Asked about"),
    }
    layers = lines_and_points(encoding, {"strokeWidth": 2}, {"filled": True, "size": 40}, title=title,
                              description=channel("label:N"))  # fmt: skip
    label = "datum.partner + ', ' + datum.when + ' (' + datum.scope + '): ' + format(datum.share_pct, '.1f') + '%'"
    chart = {
        "data": named("opinion"),
        "layer": layers,
        "transform": [{"calculate": label, "as": "label"}],
        "width": WIDTH // 2,
        "height": 150,
    }
    return Figure(chart, {"opinion": data}, "opinion_over_time")


CONTEXT_MEASURES = {"gdp_usd": "GDP", "fdi_inflows_usd": "FDI net inflows", "oda_received_usd": "Net ODA received"}


def context_lines(rows: list[dict[str, Any]]) -> Figure:
    """GDP, FDI inflows and ODA received per state over the years: one panel per measure (own scale), a line per
    state; years without a value are gaps, not zeros."""
    data = [
        {
            "country": partner_name(r["country_iso3"]),
            "year": r["year"],
            "measure": label,
            "value_usd": r[column],
            "value": formatting.money(r[column]),
        }
        for r in rows
        for column, label in CONTEXT_MEASURES.items()
        if r.get(column) is not None
    ]
    if not data:
        raise ChartError("no GDP, FDI or ODA values to chart")
    encoding = {
        "x": channel("year:Q", axis=_year_axis(), scale={"nice": False}),
        "y": channel("value_usd:Q", title="current US$", axis=_money_axis("current US$")),
        "color": channel("country:N", title="State"),
    }
    chart = {
        "data": named("context"),
        "facet": {"column": channel("measure:N", title=None, sort=list(CONTEXT_MEASURES.values()))},
        "spec": {
            "layer": lines_and_points(encoding, {"strokeWidth": 2}, {"filled": True, "size": 14}),
            "width": 250,
            "height": 150,
        },
        "resolve": {"scale": {"y": "independent"}},
    }
    return Figure(chart, {"context": data}, "context_lines")


def finance_shares(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """Each partner's share of the partners' combined finance per year, under one definition."""
    data = [{**r, "partner": partner_name(r["partner_iso3"])} for r in records(rows)]
    chart = {
        "data": named("shares"),
        "mark": {"type": "bar"},
        "encoding": {
            "x": channel("year:O", axis={"labelAngle": 0, "title": None}),
            "y": channel("amount_usd:Q", stack="normalize", title="share of the partners shown", axis={"format": "%"}),
            "color": channel("partner:N", scale=partner_scale(partners), title="Partner"),
            "description": channel("partner:N"),
        },
        "width": WIDTH,
        "height": 150,
    }
    return Figure(titled(chart, title), {"shares": data}, "finance_shares")


def bars(
    rows: list[dict[str, Any]],
    measure: str,
    partners: list[str],
    *,
    title: str = "",
    measure_title: str = "",
    detail: str | list[str] | None = None,
    money: bool = False,
    name: str = "bars",
    width: int = WIDTH - 220,
) -> Figure:
    """One horizontal bar per partner (and per `detail` values, e.g. presence kind and date), labelled with its value.

    Bars never stack: two rows with the same label would be overlaid, not added, so keep `detail` distinguishing.
    """
    details = [detail] if isinstance(detail, str) else list(detail or [])
    data = []
    for r in records(rows):
        value = r.get(measure)
        if value is None:
            continue
        text = formatting.money(value) if money else formatting.number(value)
        who = partner_name(r.get("partner_iso3"))
        # With a detail (presence kind, direction...), one row per partner and detail, labelled with both.
        parts = [str(r[d])[:4] if d in ("as_of", "date") else str(r.get(d) or "").replace("_", " ") for d in details]
        row = " · ".join([who, *[p for p in parts if p]])
        data.append({**r, "partner": who, "row": row, "value_label": text, "label": f"{row}: {text}"})
    rank = {partner_name(p): i for i, p in enumerate(partners)}
    order = sorted({d["row"] for d in data}, key=lambda row: (rank.get(row.split(" · ")[0], len(rank)), row))
    counts = all(float(d[measure]).is_integer() for d in data)
    axis_title = measure_title or measure.replace("_", " ")
    if money:
        axis = {**formatting.money_axis(axis_title), "tickCount": 4}
    elif counts:
        axis = {"format": ",d", "tickCount": 4, "tickMinStep": 1}
    else:
        axis = {"format": "~s", "tickCount": 4}
    encoding = {
        "y": channel("row:N", title=None, sort=order, axis={"labelLimit": 340}),
        "x": channel(f"{measure}:Q", stack=None, title=axis_title, axis=axis, scale={"domainMin": 0}),
        "color": channel("partner:N", scale=partner_scale(partners), legend=None),
        "description": channel("label:N"),
    }
    layers = [
        {"mark": {"type": "bar", "height": {"band": 0.75}}, "encoding": encoding},
        {
            "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10, "color": "#222"},
            "encoding": {**encoding, "text": channel("value_label:N")},
        },
    ]
    chart = {"data": named(name), "layer": [titled(layer, title) for layer in layers], "width": width,
             "height": {"step": 22}}  # fmt: skip
    return Figure(chart, {name: data}, "bars")


def money_label(value: float) -> str:
    """A money value as every label and table shows it (silkscope.formatting.money)."""
    return formatting.money(value)


TIMELINE_KINDS = ["partner leader to Central Asia", "Central Asian leader to partner", "summit or format meeting"]


def event_timeline(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """Dated events on one time axis, a lane per partner; held events filled, planned or cancelled hollow.

    Rows carry `lane` (partner ISO3), `kind` (one of TIMELINE_KINDS), `date_start`, `status` and `title`.
    """
    data = [
        {
            "partner": partner_name(r["lane"]),
            "date": r["date_start"],
            "kind": r["kind"],
            "status": r["status"],
            "held": r["status"] == "held",
            "label": f"{r['date_start']}: {r['title']} ({r['status']})",
        }
        for r in records(rows)
    ]
    colour = channel("partner:N", scale=partner_scale(partners), legend=None)
    chart = {
        "data": named("events"),
        "mark": {"type": "point", "size": 64, "strokeWidth": 1.5, "opacity": 0.9},
        "encoding": {
            "x": channel("date:T", title=None, axis={"format": "%Y", "tickCount": 14, "grid": True}),
            "y": channel("partner:N", title=None, sort=[partner_name(p) for p in partners]),
            "yOffset": channel("kind:N", scale={"domain": TIMELINE_KINDS}),
            "shape": channel(
                "kind:N",
                title=None,
                scale={"domain": TIMELINE_KINDS, "range": ["circle", "triangle-up", "diamond"]},
                legend={"labelLimit": 320, "symbolFillColor": "#555", "symbolStrokeColor": "#555", "orient": "top"},
            ),
            "color": colour,
            "fill": {"condition": {"test": "datum.held", **colour}, "value": "white"},  # hollow unless held
            "description": channel("label:N"),
        },
        "width": WIDTH,
        "height": 84 * max(1, len({d["partner"] for d in data})),
    }
    return Figure(titled(chart, title), {"events": data}, "event_timeline")


def small_multiples(
    rows: list[dict[str, Any]], measures: dict[str, str], partners: list[str], *, columns: int = 2, width: int = 210
) -> Figure:
    """One bar chart per measure (each on its own scale), partners in the same order and colours."""
    figures = [
        bars(rows, column, partners, title=heading, money=column.endswith("_usd"), name=f"m{i}", width=width)
        for i, (column, heading) in enumerate(measures.items())
    ]
    chart = {"concat": [f.chart for f in figures], "columns": columns, "spacing": 28}
    data: dict[str, list[dict[str, Any]]] = {}
    for f in figures:
        data.update(f.data)
    return Figure(chart, data, "small_multiples")


def panelled(name: str, layers: list[dict[str, Any]], panels: list[str], *, panel_height: int,
             height: int) -> dict[str, Any]:  # fmt: skip
    """The layers over dataset `name` in a panel each (the rows' `panel`), three abreast, when there are several
    panels; else one chart the full width."""
    if len(panels) > 1:
        return {
            "data": named(name),
            "facet": channel("panel:N", title=None, sort=panels),
            "spec": {"layer": layers, "width": 250, "height": panel_height},
            "columns": 3,
        }
    return {"data": named(name), "layer": layers, "width": WIDTH, "height": height}


# Columns that split an indicator's rows into separate series beside partner and year, in the order they facet.
SPLITS = ("instrument", "country_iso3", "code", "flow")


def indicator_chart(
    rows: list[dict[str, Any]], measure: str, partners: list[str], *, max_panels: int = 12
) -> tuple[Figure, str]:
    """Any indicator table on its headline column: lines over years per partner (one panel per instrument,
    country or product when those vary), bars when there is one year or none. Returns the figure and a caption
    that says what the chart leaves to the table."""
    keep = [r for r in rows if isinstance(r.get(measure), int | float) and r.get("partner_iso3")]
    if not keep:
        raise ChartError(f"no {measure.replace('_', ' ')} values to chart")
    splits = [c for c in SPLITS if len({r.get(c) for r in keep}) > 1]
    years = {r.get("year") for r in keep}
    money = measure.endswith("_usd")
    counts = all(float(r[measure]).is_integer() for r in keep)
    if len(years) < 2 or None in years:
        return bars(keep, measure, partners, detail=splits or None, money=money), ""
    data = []
    for r in records(keep):
        panel = " · ".join(str(r.get(c) or "").replace("_", " ") for c in splits) or measure.replace("_", " ")
        value = formatting.cell(r.get(measure), measure)
        who = partner_name(r["partner_iso3"])
        data.append({**r, "partner": who, "panel": panel, "label": f"{who} {r.get('year')} {panel}: {value}"})
    panels = sorted({d["panel"] for d in data})
    caption = ""
    if len(panels) > max_panels:
        caption = f"The chart shows {max_panels} of {len(panels)} panels; the table below has every row."
        panels = panels[:max_panels]
        data = [d for d in data if d["panel"] in panels]
    title = measure.replace("_", " ")
    y_axis = _money_axis(title) if money else _count_axis(title) if counts else {"format": "~s", "title": title}
    encoding = {
        "x": channel("year:Q", axis=_year_axis(), scale={"nice": False}),
        "y": channel(f"{measure}:Q", axis=y_axis),
        "color": channel("partner:N", scale=partner_scale(partners), title="Partner"),
    }
    layers = lines_and_points(encoding, {"strokeWidth": 2}, {"filled": True, "size": 20},
                              description=channel("label:N"))  # fmt: skip
    chart = panelled("indicator", layers, panels, panel_height=130, height=200)
    return Figure(chart, {"indicator": data}, "indicator_chart"), caption


def coefficients(rows: list[dict[str, Any]], *, title: str = "") -> Figure:
    """Estimates with their confidence intervals: over relative years for an event study (terms event_t-3 ...
    event_t+3), one row per term otherwise. A dashed rule marks zero."""
    data = []
    for r in records(rows):
        if r.get("coef") is None:
            continue
        term = str(r["term"])
        event = re.fullmatch(r"event_t([+-]?\d+)", term)
        name = str(r.get("label") or term)  # the term in words when the model gave it (stats.visit_effects)
        data.append({**r, "name": name, "t": int(event.group(1)) if event else None,
                     "tip": f"{name}: {r['coef']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"})  # fmt: skip
    if not data:
        raise ChartError("no estimates to chart")
    if all(d["t"] is not None for d in data):
        # Relative years across, estimates up: the zero rule is horizontal.
        terms, estimates = "x", "y"
        term_channel = channel("t:O", title="years relative to a leader visit (t = 0)", axis={"labelAngle": 0})
        size = {"width": WIDTH - 260, "height": 220}
    else:
        # A row per term, estimates across: the zero rule is vertical.
        terms, estimates = "y", "x"
        term_channel = channel("name:N", title=None, sort=None, axis={"labelLimit": 320})
        size = {"width": WIDTH - 360, "height": {"step": 34}}
    zero = {
        "data": named("zero"),
        "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#888"},
        "encoding": {estimates: channel("zero:Q")},
    }
    whiskers = {
        "data": named("coefs"),
        "mark": {"type": "rule", "strokeWidth": 2, "color": "#0072B2"},
        "encoding": {
            terms: term_channel,
            estimates: channel("ci_low:Q", title="estimate (log points)"),
            f"{estimates}2": {"field": "ci_high"},
        },
    }
    points = {
        "data": named("coefs"),
        "mark": {"type": "point", "filled": True, "size": 60, "color": "#0072B2"},
        "encoding": {terms: term_channel, estimates: channel("coef:Q"), "description": channel("tip:N")},
    }
    chart = {"layer": [zero, titled(whiskers, title), titled(points, title)], **size}
    return Figure(chart, {"coefs": data, "zero": [{"zero": 0}]}, "coefficients")
