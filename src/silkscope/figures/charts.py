"""Chart specs (Altair) for pages and briefs: one function per kind of chart, each returning a `Figure` that
draw.py renders to SVG offline (or hands to the browser). Colours and names are the house style (style.py)."""

from __future__ import annotations

import re
from typing import Any

import altair as alt

from silkscope import formatting
from silkscope.figures.draw import ChartError, Figure, embeddable, named, records, svg  # noqa: F401 (re-exported)
from silkscope.figures.style import PARTNER_COLOURS, partner_name

WIDTH = 860  # full-width charts; a laptop's content column is about 1,100 px


def partner_scale(partners: list[str]) -> alt.Scale:
    names = [partner_name(p) for p in partners]
    return alt.Scale(domain=names, range=[PARTNER_COLOURS.get(p, "#444444") for p in partners])


def _year_axis() -> alt.Axis:
    """Years as written (2003, never 2,003), whole years only."""
    return alt.Axis(**formatting.year_axis())


def _money_axis(title: str = "US$") -> alt.Axis:
    """Money in the labels' unit words (3 bn, 450 m): the axis and the value labels say the same unit."""
    return alt.Axis(**formatting.money_axis(title))


def _count_axis(title: str | None = None) -> alt.Axis:
    """Counts step by whole numbers (never 0.5 visit)."""
    return alt.Axis(**formatting.count_axis(title))


def visits_by_year(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """Leader-level country-visits per year, a bar per year stacked by partner."""
    data = [{**r, "partner": partner_name(r["partner_iso3"])} for r in records(rows)]
    chart = (
        alt.Chart(named("visits"), title=title or alt.Undefined)
        .mark_bar(size=9)
        .encode(
            x=alt.X("year:Q", axis=_year_axis(), scale=alt.Scale(nice=False, padding=8)),
            y=alt.Y("sum(country_visits):Q", title="leader-level country-visits", axis=_count_axis()),
            color=alt.Color("partner:N", scale=partner_scale(partners), title="Partner"),
            description=alt.Description("label:N"),
        )
        .transform_calculate(label="datum.partner + ' ' + datum.year + ': ' + datum.country_visits + ' visit(s)'")
        .properties(width=WIDTH, height=170)
    )
    return Figure(chart, {"visits": data})


def finance_by_year(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """Official finance per year and partner, one line each (rows must share one definition)."""
    data = []
    for r in records(rows):
        who = partner_name(r["partner_iso3"])
        amount = formatting.money(r.get("amount_usd"))
        data.append({**r, "partner": who, "amount": amount, "label": f"{who} {r['year']}: {amount}"})
    base = alt.Chart(named("finance"), title=title or alt.Undefined).encode(
        x=alt.X("year:Q", axis=_year_axis(), scale=alt.Scale(nice=False)),
        y=alt.Y("amount_usd:Q", title="US$ (as published)", axis=_money_axis("US$ (as published)")),
        color=alt.Color("partner:N", scale=partner_scale(partners), title="Partner"),
    )
    line = base.mark_line(strokeWidth=2)
    dots = base.mark_point(filled=True, size=22).encode(description=alt.Description("label:N"))
    chart = (line + dots).properties(width=WIDTH, height=180)
    return Figure(chart, {"finance": data})


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
    base = alt.Chart(named("opinion"), title=title or alt.Undefined).encode(
        x=alt.X("year:Q", axis=_year_axis(), scale=alt.Scale(nice=False, padding=12), title="fieldwork"),
        y=alt.Y("share_pct:Q", title="% of respondents", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("partner:N", scale=partner_scale(partners), title="Asked about"),
    )
    line = base.mark_line(strokeWidth=2)
    dots = base.mark_point(filled=True, size=40).encode(description=alt.Description("label:N"))
    chart = (
        (line + dots)
        .transform_calculate(
            label="datum.partner + ', ' + datum.when + ' (' + datum.scope + '): ' "
            "+ format(datum.share_pct, '.1f') + '%'"
        )
        .properties(width=WIDTH // 2, height=150)
    )
    return Figure(chart, {"opinion": data})


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
    base = alt.Chart(named("context")).encode(
        x=alt.X("year:Q", axis=_year_axis(), scale=alt.Scale(nice=False)),
        y=alt.Y("value_usd:Q", title="current US$", axis=_money_axis("current US$")),
        color=alt.Color("country:N", title="State"),
    )
    layered = (base.mark_line(strokeWidth=2) + base.mark_point(filled=True, size=14)).properties(width=250, height=150)
    chart = layered.facet(
        column=alt.Column("measure:N", title=None, sort=list(CONTEXT_MEASURES.values()))
    ).resolve_scale(y="independent")
    return Figure(chart, {"context": data})


def finance_shares(rows: list[dict[str, Any]], partners: list[str], *, title: str = "") -> Figure:
    """Each partner's share of the partners' combined finance per year, under one definition."""
    data = [{**r, "partner": partner_name(r["partner_iso3"])} for r in records(rows)]
    chart = (
        alt.Chart(named("shares"), title=title or alt.Undefined)
        .mark_bar()
        .encode(
            x=alt.X("year:O", axis=alt.Axis(labelAngle=0, title=None)),
            y=alt.Y("amount_usd:Q", stack="normalize", title="share of the partners shown", axis=alt.Axis(format="%")),
            color=alt.Color("partner:N", scale=partner_scale(partners), title="Partner"),
            description=alt.Description("partner:N"),
        )
        .properties(width=WIDTH, height=150)
    )
    return Figure(chart, {"shares": data})


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
    if money:
        axis = alt.Axis(**formatting.money_axis(measure_title or measure.replace("_", " ")), tickCount=4)
    else:
        axis = alt.Axis(format=",d" if counts else "~s", tickCount=4, tickMinStep=1 if counts else alt.Undefined)
    chart = alt.Chart(named(name), title=title or alt.Undefined).encode(
        y=alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=340)),
        x=alt.X(
            f"{measure}:Q",
            stack=None,
            title=measure_title or measure.replace("_", " "),
            axis=axis,
            scale=alt.Scale(domainMin=0),
        ),
        color=alt.Color("partner:N", scale=partner_scale(partners), legend=None),
        description=alt.Description("label:N"),
    )
    text = chart.mark_text(align="left", dx=3, fontSize=10, color="#222").encode(text="value_label:N")
    layered = (chart.mark_bar(height={"band": 0.75}) + text).properties(width=width, height=alt.Step(22))
    return Figure(layered, {name: data})


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
    scale = partner_scale(partners)
    chart = (
        alt.Chart(named("events"), title=title or alt.Undefined)
        .mark_point(size=64, strokeWidth=1.5, opacity=0.9)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount=14, grid=True)),
            y=alt.Y("partner:N", title=None, sort=[partner_name(p) for p in partners]),
            yOffset=alt.YOffset("kind:N", scale=alt.Scale(domain=TIMELINE_KINDS)),
            shape=alt.Shape(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=TIMELINE_KINDS, range=["circle", "triangle-up", "diamond"]),
                legend=alt.Legend(labelLimit=320, symbolFillColor="#555", symbolStrokeColor="#555", orient="top"),
            ),
            color=alt.Color("partner:N", scale=scale, legend=None),
            fill=alt.condition("datum.held", alt.Color("partner:N", scale=scale, legend=None), alt.value("white")),
            description=alt.Description("label:N"),
        )
        .properties(width=WIDTH, height=84 * max(1, len({d["partner"] for d in data})))
    )
    return Figure(chart, {"events": data})


def small_multiples(
    rows: list[dict[str, Any]], measures: dict[str, str], partners: list[str], *, columns: int = 2, width: int = 210
) -> Figure:
    """One bar chart per measure (each on its own scale), partners in the same order and colours."""
    figures = [
        bars(rows, column, partners, title=heading, money=column.endswith("_usd"), name=f"m{i}", width=width)
        for i, (column, heading) in enumerate(measures.items())
    ]
    chart = alt.concat(*(f.chart for f in figures), columns=columns, spacing=28)
    data: dict[str, list[dict[str, Any]]] = {}
    for f in figures:
        data.update(f.data)
    return Figure(chart, data)


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
    many = len(panels) > 1
    title = measure.replace("_", " ")
    y_axis = _money_axis(title) if money else _count_axis(title) if counts else alt.Axis(format="~s", title=title)
    base = alt.Chart(named("indicator")).encode(
        x=alt.X("year:Q", axis=_year_axis(), scale=alt.Scale(nice=False)),
        y=alt.Y(f"{measure}:Q", axis=y_axis),
        color=alt.Color("partner:N", scale=partner_scale(partners), title="Partner"),
    )
    layered = base.mark_line(strokeWidth=2) + base.mark_point(filled=True, size=20).encode(description="label:N")
    if many:
        chart = layered.properties(width=250, height=130).facet(
            facet=alt.Facet("panel:N", title=None, sort=panels), columns=3
        )
    else:
        chart = layered.properties(width=WIDTH, height=200)
    return Figure(chart, {"indicator": data}), caption


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
    zero = alt.Chart(named("zero")).mark_rule(strokeDash=[4, 3], color="#888")
    if all(d["t"] is not None for d in data):
        x = alt.X("t:O", title="years relative to a leader visit (t = 0)", axis=alt.Axis(labelAngle=0))
        base = alt.Chart(named("coefs"), title=title or alt.Undefined).encode(x=x)
        whiskers = base.mark_rule(strokeWidth=2, color="#0072B2").encode(
            y=alt.Y("ci_low:Q", title="estimate (log points)"), y2="ci_high:Q"
        )
        points = base.mark_point(filled=True, size=60, color="#0072B2").encode(y="coef:Q", description="tip:N")
        chart = (zero.encode(y="zero:Q") + whiskers + points).properties(width=WIDTH - 260, height=220)
    else:
        y = alt.Y("name:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
        base = alt.Chart(named("coefs"), title=title or alt.Undefined).encode(y=y)
        whiskers = base.mark_rule(strokeWidth=2, color="#0072B2").encode(
            x=alt.X("ci_low:Q", title="estimate (log points)"), x2="ci_high:Q"
        )
        points = base.mark_point(filled=True, size=60, color="#0072B2").encode(x="coef:Q", description="tip:N")
        chart = (zero.encode(x="zero:Q") + whiskers + points).properties(width=WIDTH - 360, height=alt.Step(34))
    return Figure(chart, {"coefs": data, "zero": [{"zero": 0}]})
