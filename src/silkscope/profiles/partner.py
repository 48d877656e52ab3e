"""One partner's profile across Central Asia: its standing in each state, the summary per state, its dialogue
formats, its timeline beside two other partners', a map of its leader visits and its finance and trade by year."""

from __future__ import annotations

from typing import Any

from silkscope import series, views
from silkscope.countries import C5, resolve_list
from silkscope.figures import charts, maps
from silkscope.figures.style import partner_colour, partner_name
from silkscope.profiles.common import (
    Source,
    compare,
    coverage_cells,
    declared_coverage,
    figure,
    lane_events,
    not_drawn,
)
from silkscope.profiles.leaders import leaders_result, standing
from silkscope.result import Result


def partner(served: Source, value: str, since: int | None, until: int | None) -> dict[str, Any]:
    iso3 = resolve_list(value)[0]
    hosts = []
    sources: dict[str, dict[str, Any]] = {}
    for host in C5:
        result = compare(served, host, [iso3], "all", since, until)
        row = dict(result.rows[0]) if result.rows else {}
        row["host_iso3"] = host
        hosts.append(row)
        for s in result.sources:
            sources.setdefault(s["source_id"], s)
    formats = compare(served, "C5", [iso3], "dialogue_meetings", since, until)
    lanes = [iso3, *[p for p in ("CHN", "KOR", "JPN") if p != iso3][:2]]
    events: list[dict[str, Any]] = []
    own: Result | None = None
    for lane in lanes:
        key = ("timeline", lane, "C5", since, until, False)
        result = served.cached(key, lambda con, lane=lane: views.timeline(lane, "C5", since, until, con=con))
        if lane == iso3:
            own = result
        events += lane_events(result.rows, lane)
    try:
        values = {h["host_iso3"]: h.get("leader_country_visits") for h in hosts}
        shape = maps.central_asia(
            values, measure=f"leader-level visits by {partner_name(iso3)}", colour=partner_colour(iso3)
        )
        the_map = figure(shape, f"Map: leader-level visits by {partner_name(iso3)} to each Central Asian state")
    except maps.MapUnavailableError as exc:
        the_map = not_drawn("map", str(exc))
    _, shares = leaders_result(served)
    lo, hi = since or 1991, until or 2100
    finance_years = served.cached(
        ("finance_series", iso3, lo, hi), lambda con: series.finance_series(list(C5), [iso3], lo, hi, con)
    )
    trade_years = served.cached(
        ("partner_trade", iso3, lo, hi), lambda con: series.partner_trade(iso3, list(C5), lo, hi, con)
    )
    long = [
        {"partner_iso3": iso3, "country_iso3": r["country_iso3"], "year": r["year"], "amount_usd": r[f"{iso3}_usd"]}
        for r in finance_years.rows
        if r.get(f"{iso3}_usd") is not None
    ]
    finance_chart = None
    if long:
        by_state = [{**r, "partner_iso3": r["country_iso3"]} for r in long]  # one line per state
        finance_chart = figure(
            charts.finance_by_year(by_state, list(C5), lines="State"),
            f"{partner_name(iso3)}'s official finance to each state by year",
        )
    covered = declared_coverage(served)
    return {
        "finance_years": finance_years,
        "finance_chart": finance_chart,
        "trade_years": trade_years,
        "partner": iso3,
        "since": since,
        "until": until,
        "standing": standing(shares.rows, iso3),
        "standing_result": shares,
        "hosts": hosts,
        "host_sources": sorted(sources.values(), key=lambda s: s["source_id"]),
        "formats": formats,
        "timeline": own,
        "lanes": lanes,
        "map": the_map,
        "timeline_chart": figure(
            charts.event_timeline(events, lanes),
            f"Leader visits, summits and dialogue meetings: {', '.join(partner_name(p) for p in lanes)}",
        )
        if events
        else None,
        "covered": iso3 in covered,
        "coverage": coverage_cells(covered, iso3),
    }
