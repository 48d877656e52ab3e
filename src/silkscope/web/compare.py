"""The compare page's data: a summary from views.compare or an indicator from the Ibis library, its chart and links.

The form sends every option field; only the ones the chosen indicator reads are kept (the API, by contrast,
refuses options an indicator does not read, because there a stray option is a caller's mistake).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from silkscope.analysis import catalogue as indicators
from silkscope.countries import resolve_list
from silkscope.figures import charts
from silkscope.indicators import options as option_table
from silkscope.profiles.common import SUMMARY_MEASURES, TIMELINE_PARTNERS, figure, not_drawn
from silkscope.result import Bundle, Result
from silkscope.serving.state import ServedWarehouse

# Columns the summaries split their bars by, so two rows of one partner never overlay.
SUMMARY_DETAIL = {
    "presence": ["presence_kind", "as_of"],
    "trade": ["reporter_iso3", "direction", "product_code"],
    "investment": ["scope", "measure", "year"],
    "leader_engagements": ["leader", "kind"],
    "news_events": ["event_class"],
}
# What the page fills in when an indicator needs a setting the analyst has not given yet.
PAGE_DEFAULTS = {"change": {"measures": ["official_commit_constant_usd"], "start": "2000-2004", "end": "2010-2014"}}


def panel_columns() -> list[str]:
    """The panel's measure columns, for the measure field's suggestions."""
    from silkscope.indicators.panel import definitions

    measure_like = ("_usd", "_pct", "_events", "_days", "_meetings", "_projects", "agreements")
    return [c for c in definitions() if c.endswith(measure_like) or c.startswith(("presence_", "leader_visits_"))]


def form_options(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The options `name` reads from what the form sent, with the page's defaults for the ones it needs."""
    item = indicators.catalogue()[name]
    if item.provider != indicators.LIBRARY:
        return {}
    reads = set(item.parameters)
    # None, '' and [] are fields left empty; False is kept (a yes/no field answered no)
    chosen = {k: v for k, v in given.items() if k in reads and v not in (None, "", [])}
    for key, value in PAGE_DEFAULTS.get(name, {}).items():
        chosen.setdefault(key, value)
    return chosen


def api_query(name: str, scope: str, partners: list[str], since, until, options: dict[str, Any]) -> str:
    pairs: list[tuple[str, Any]] = [("country", scope), ("partners", ",".join(partners))]
    pairs += [(k, v) for k, v in (("since", since), ("until", until)) if v is not None]
    for key, value in options.items():
        if key == "measures":
            pairs += [("measure", m) for m in value]
        else:
            pairs.append((key, str(value).lower() if isinstance(value, bool) else value))
    return f"/api/indicators/{name}?{urlencode(pairs)}"


def compare(
    served: ServedWarehouse,
    name: str,
    scope: str,
    partners: str | None,
    since: int | None,
    until: int | None,
    given: dict[str, Any] | None = None,
) -> dict[str, Any]:
    item = indicators.catalogue()[name]
    chosen = resolve_list(partners) if partners else list(TIMELINE_PARTNERS)
    options = indicators.checked_options(name, form_options(name, given or {}))
    key = (
        "indicator",
        name,
        scope,
        ",".join(chosen),
        since,
        until,
        tuple(sorted((k, str(v)) for k, v in options.items())),
    )
    answer: Result | Bundle = served.cached(
        key,
        lambda con: indicators.run(
            name, country=scope, partners=",".join(chosen), since=since, until=until, con=con, options=options
        ),
    )
    sections = answer.sections if isinstance(answer, Bundle) else [answer]
    result, more = sections[0], sections[1:]
    chart, caption = _chart(name, item.measure, result, chosen)
    link = api_query(name, scope, chosen, since, until, options)
    return {
        "indicator": name,
        "item": item,
        "indicators": indicators.catalogue(),
        "summaries": [n for n, i in indicators.catalogue().items() if i.provider == indicators.SUMMARY],
        "library": [n for n, i in indicators.catalogue().items() if i.provider == indicators.LIBRARY],
        "option_help": indicators.OPTION_HELP,
        "option_fields": option_table.form_fields(),
        "options": options,
        "panel_columns": panel_columns(),
        "scope": scope,
        "partners": chosen,
        "since": since,
        "until": until,
        "result": result,
        "more": more,
        "chart": chart,
        "chart_caption": caption,
        "measure": item.measure,
        "csv_url": f"{link}&format=csv",
        "json_url": f"{link}&_query=1",
    }


def _chart(name: str, measure: str | None, result: Result, partners: list[str]) -> tuple[dict | None, str]:
    if not result.rows or not measure:
        return None, ""
    label = f"{result.title}: chart"
    if name == "all":
        return figure(charts.small_multiples(result.rows, SUMMARY_MEASURES, partners, columns=4, width=170), label), ""
    if name == "finance":  # one column per partner: drawn as one line per partner, a panel per state
        long = [
            {"partner_iso3": p, "country_iso3": r["country_iso3"], "year": r["year"], "amount_usd": r.get(f"{p}_usd")}
            for r in result.rows
            for p in partners
            if r.get(f"{p}_usd") is not None
        ]
        try:
            fig, caption = charts.indicator_chart(long, "amount_usd", partners)
        except charts.ChartError as exc:
            return not_drawn(label, str(exc)), ""
        return figure(fig, label), caption
    if indicators.catalogue()[name].provider == indicators.SUMMARY:
        fig = charts.bars(
            result.rows, measure, partners, detail=SUMMARY_DETAIL.get(name), money=measure.endswith("_usd")
        )
        return figure(fig, label), ""
    try:
        fig, caption = charts.indicator_chart(result.rows, measure, partners)
    except charts.ChartError as exc:
        return not_drawn(label, str(exc)), ""
    return figure(fig, label), caption
