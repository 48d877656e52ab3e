"""The regional overview: every tracked partner at a glance, a map of one partner's engagement with the five
states (leader visits or official finance), who leads where, and how far the curated timeline reaches."""

from __future__ import annotations

from typing import Any

from silkscope import instruments, visits
from silkscope.countries import C5, DEFAULT_PARTNERS, resolve_list
from silkscope.figures import charts, maps
from silkscope.figures.style import partner_colour, partner_name
from silkscope.profiles.common import (
    SUMMARY_MEASURES,
    Source,
    compare,
    coverage_cells,
    declared_coverage,
    figure,
    not_drawn,
)
from silkscope.profiles.leaders import leaders_result


def overview(served: Source, partner: str = "JPN", metric: str = "visits") -> dict[str, Any]:
    """`metric`: 'visits' (leader-level visits) or 'finance' (each partner's best finance definition) on the map."""
    partner = resolve_list(partner)[0]
    partners = list(DEFAULT_PARTNERS)
    summary = compare(served, "C5", partners, "all")
    values, sources = _map_values(served, partner, metric)
    if metric == "finance":
        measure, value_format = f"official finance from {partner_name(partner)}, US$ m", ",.0f"
    else:
        measure, value_format = f"leader-level visits by {partner_name(partner)}", ",d"
    try:
        shape = maps.central_asia(values, measure=measure, colour=partner_colour(partner), value_format=value_format)
        the_map = figure(shape, f"Map of Central Asia: {measure} per country")
    except maps.MapUnavailableError as exc:
        the_map = not_drawn(measure, str(exc))
    # the same for every partner on the map: drawn once per warehouse version, like the summary it is drawn from
    glance = served.cached(
        ("overview_glance", tuple(partners)),
        lambda _: figure(
            charts.small_multiples(summary.rows, SUMMARY_MEASURES, partners, columns=4, width=170),
            "Partners' engagement with the five states, by instrument",
        ),
    )
    leaders, leaders_source = leaders_result(served)
    mine = next((r for r in summary.rows if r["partner_iso3"] == partner), {})
    covered = declared_coverage(served)
    return {
        "coverage": {p: coverage_cells(covered, p) for p in partners},
        "covered": partner in covered,
        "partner": partner,
        "metric": metric,
        "partners": partners,
        "summary": summary,
        "mine": mine,
        "map": the_map,
        "map_values": values,
        "map_measure": measure,
        "map_sources": sources,
        "glance": glance,
        "leaders": leaders,
        "leaders_result": leaders_source,
    }


def _map_values(served: Source, partner: str, metric: str) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """The partner's value in each of the five states, all years on record, and the sources behind them: leader-level
    country-visits ('not covered': None), or official finance in US$ m under the partner's best definition in that
    state (instruments.preferred_finance). One statement for the five states."""
    if metric == "finance":
        result = served.cached(
            ("finance_by_country", partner),
            lambda con: instruments.finance(list(C5), None, [partner], 1991, 2100, con, by_country=True),
        )
        values = {}
        for host in C5:
            best = instruments.preferred_finance([r for r in result.rows if r["country_iso3"] == host], partner)
            values[host] = best["amount_usd"] / 1e6 if best else None
    else:

        def counted(con):
            found = visits.leader_visits_by_country(list(C5), [partner], 1991, 2100, con)
            visits.mark_uncovered(found, visits.covered_partners(con))
            return found

        result = served.cached(("visits_by_country", partner), counted)
        counts = {r["country_iso3"]: r["country_visits"] for r in result.rows}
        values = {host: counts.get(host) for host in C5}
    return values, result.sources
