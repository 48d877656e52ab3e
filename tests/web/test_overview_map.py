"""The overview's map asks for the five states in one statement (visits.leader_visits_by_country,
instruments.finance(by_country=True)); its values and sources must be those of asking each state apart, as the map
did before: per state the partner's leader-level country-visits ('not covered': none), or its best finance row."""

from __future__ import annotations

import pytest

from silkscope import instruments, views
from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.profiles.overview import _map_values
from silkscope.serving.state import ServedWarehouse


def _state_by_state(con, partner: str, metric: str):
    values, sources = {}, {}
    for host in C5:
        if metric == "finance":
            result = instruments.finance([host], None, [partner], 1991, 2100, con)
            best = instruments.preferred_finance(result.rows, partner)
            values[host] = best["amount_usd"] / 1e6 if best else None
        else:
            result = views.compare(host, [partner], "leader_visits", con=con)
            values[host] = result.rows[0].get("country_visits") if result.rows else None
        sources.update({s["source_id"]: s for s in result.sources})
    return values, sorted(sources.values(), key=lambda s: s["source_id"])


@pytest.mark.parametrize("metric", ["visits", "finance"])
def test_the_map_in_one_statement_says_what_state_by_state_said(web_db, metric):
    served = ServedWarehouse(web_db)
    try:
        seen = []
        for partner in [*DEFAULT_PARTNERS, "GBR"]:  # GBR: not covered by the visit timeline
            with served.read() as con:
                expected = _state_by_state(con, partner, metric)
            assert _map_values(served, partner, metric) == expected, partner
            seen += [v for v in expected[0].values() if v]
        assert seen, "no partner has a value on the map: the comparison proved nothing"
    finally:
        served.close()
