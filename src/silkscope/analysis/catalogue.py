"""The indicator catalogue the API and pages serve: the views' summaries and the Ibis indicator library, one list.

Two providers answer under one route. `views.compare` gives the side-by-side summaries (visits, formats,
finance, trade, ...); `silkscope.indicators.registry` gives the analytical indicators (panel, shares, change,
balance, composition, RCA, complementarity, index, sensitivity, source disagreement). Library indicators run on
the served read-only connection through Ibis, so a request never opens the warehouse file a second time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from silkscope import views
from silkscope.countries import resolve_list, resolve_scope
from silkscope.errors import SilkscopeError
from silkscope.indicators import options, registry
from silkscope.result import Bundle, Result

DESCRIPTIONS = {
    "leader_visits": "leader-level visits by each partner to the scope: country-visits and trips, first and last",
    "inbound_visits": "leader-level visits from the scope to each partner",
    "dialogue_meetings": "each partner's Central Asia dialogue formats and how often they met",
    "presence": "companies, enterprises with foreign capital, offices, joint ventures (each kind as its source counts)",
    "finance": "official finance to each state by year, one column per partner, all under the one definition most "
    "partners share (net ODA disbursements, current US$, when loaded)",
    "trade": "trade per partner by reporter, direction and product",
    "investment": "investment figures per partner (FDI stock or flow, cumulative investment) as published",
    "leader_engagements": "engagements of partner leaders recorded by biographical sources (China Vitae)",
    "news_events": "machine-coded news events (GDELT), kept apart from the curated visits",
    "all": "a side-by-side summary of every indicator above",
}
# The column a chart shows first for each summary (the rest are in the table).
MEASURES = {
    "leader_visits": "country_visits",
    "inbound_visits": "inbound_visits",
    "dialogue_meetings": "format_meetings",
    "presence": "count",
    "finance": "amount_usd",
    "trade": "value_usd",
    "investment": "value_usd",
    "leader_engagements": "engagements",
    "news_events": "events",
    "all": "leader_country_visits",
}
COMMON_PARAMETERS = ["country", "partners", "since", "until"]
SUMMARY, LIBRARY = "views.compare", "silkscope.indicators"

# What each library option means and accepts: one table in the library, for the catalogue, OpenAPI and the CLI.
OPTION_HELP = options.HELP


@dataclass
class Indicator:
    name: str
    description: str
    provider: str
    parameters: list[str] = field(default_factory=lambda: list(COMMON_PARAMETERS))
    measure: str | None = None

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "provider": self.provider,
            "parameters": self.parameters,
            "options": {p: OPTION_HELP[p] for p in self.parameters if p in OPTION_HELP},
            "measure": self.measure,
            "path": f"/api/indicators/{self.name}",
        }


@cache
def catalogue() -> dict[str, Indicator]:
    items = {
        name: Indicator(name, DESCRIPTIONS.get(name, name), SUMMARY, measure=MEASURES.get(name))
        for name in views.INDICATORS
    }
    for name, item in registry.INDICATORS.items():
        # The summaries keep their names; the library's names do not collide with them today.
        items.setdefault(
            name, Indicator(name, item.summary, LIBRARY, [*COMMON_PARAMETERS, *item.options], item.measure)
        )
    return items


def checked_options(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """`given` validated for `name`: a library indicator's options, or an error if a summary is given any."""
    if catalogue()[name].provider == SUMMARY:
        chosen = {k: v for k, v in given.items() if v not in (None, [], ())}
        if chosen:
            raise SilkscopeError(f"{', '.join(sorted(chosen))}: indicator {name!r} takes no options")
        return {}
    return registry.checked_options(name, given)  # the library's one check, the CLI's too


def run(
    name: str,
    *,
    country: str,
    partners: str | None,
    since: int | None,
    until: int | None,
    con: Any,
    options: dict[str, Any] | None = None,
) -> Result | Bundle:
    """One indicator for a validated scope (see api.params); `options` are checked here, once, for every caller."""
    items = catalogue()
    if name not in items:
        raise SilkscopeError(f"unknown indicator {name!r}; expected one of: {', '.join(items)}")
    chosen = checked_options(name, options or {})
    if items[name].provider == SUMMARY:
        return views.compare(country, partners, name, since, until, con=con)
    from silkscope.indicators.tables import duckdb_tables

    settings = registry.options(
        partners=resolve_list(partners) if partners else None,
        countries=list(resolve_scope(country)),
        since=since,
        until=until,
        tables=duckdb_tables(con=con, parameters=True),  # compiled once per indicator, whatever the scope
        **chosen,
    )
    return registry.INDICATORS[name].run(settings)


# Two scopes that differ in every value (countries, partners, first and last year): an indicator asked for both
# has its statement compiled and its plan proven reusable for any scope of those shapes (indicators.plans).
WARM_SCOPES = (
    {"country": "C5", "partners": None, "since": None, "until": None},
    {"country": "UZB", "partners": "CHN,JPN", "since": 2000, "until": 2015},
)
# The visits model's (the default scope is a stored fit and reads nothing: two other scopes)
MODEL_SCOPES = (WARM_SCOPES[1], {"country": "KAZ,KGZ", "partners": "KOR,RUS,USA", "since": 2003, "until": 2019})


# Options for an indicator that has no default for one it needs
WARM_OPTIONS = {"change": {"measures": ["oda_disb_net_current_usd"], "start": "1995", "end": "2005"}}


def warm(con: Any, stop: Any = None) -> None:
    """Run every library indicator for WARM_SCOPES (server and worker start): a later request for any scope then
    finds its statement compiled and its expression built (indicators.tables, indicators.plans). An indicator that
    needs options it has no default for, or data the warehouse lacks, is skipped. `stop` (a threading.Event) set:
    no further indicator."""
    from silkscope.indicators import registry

    for name in registry.INDICATORS:
        given = WARM_OPTIONS.get(name, {})
        for scope in WARM_SCOPES:
            if stop is not None and stop.is_set():
                return
            try:
                run(name, **scope, con=con, options=given)
            except Exception:  # warming only: the first request reports the same error to its user
                break
    # The visits model's panel read (MODEL_SCOPES)
    for scope in MODEL_SCOPES:
        if stop is not None and stop.is_set():
            return
        with contextlib.suppress(Exception):
            visits_model("finance", **scope, lag=1, window=3, con=con)
    # ... and the statements of its evidence, which a fit reads only once it has chosen its outcome column
    with contextlib.suppress(Exception):
        _warm_model_evidence(con)


def _warm_model_evidence(con: Any) -> None:
    from silkscope.indicators.tables import duckdb_tables
    from silkscope.stats.visit_effects import warm_evidence

    scopes = [
        (resolve_list(s["partners"]), list(resolve_scope(s["country"])), s["since"], s["until"]) for s in MODEL_SCOPES
    ]
    warm_evidence(lambda: duckdb_tables(con=con, parameters=True), scopes)


def visits_model(
    outcome: str, *, country: str, partners: str | None, since, until, lag: int, window: int, con: Any
) -> Bundle:
    """The visits model (stats.visit_effects) for a validated scope, on the served connection."""
    from silkscope.indicators.tables import duckdb_tables
    from silkscope.stats.visit_effects import visits_model as fit

    chosen = resolve_list(partners) if partners else None
    return fit(outcome, chosen, list(resolve_scope(country)), since, until, lag=lag, window=window,
               tables=duckdb_tables(con=con, parameters=True))  # fmt: skip
