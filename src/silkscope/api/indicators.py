"""The indicator catalogue the API and pages serve: views.compare's indicators now, silkscope.indicators when present.

An indicator library is discovered, not hard-wired: if `silkscope.indicators` exists and exposes `REGISTRY` (or
`INDICATORS`), a mapping of name -> callable (or object with `run`), each is listed and served through the same
route with the same parameters. Its callables take any of country, partners, since, until and con, and return a
`Result`.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from silkscope import views
from silkscope.errors import SilkscopeError
from silkscope.result import Result

DESCRIPTIONS = {
    "leader_visits": "leader-level visits by each partner to the scope: country-visits and trips, first and last",
    "inbound_visits": "leader-level visits from the scope to each partner",
    "dialogue_meetings": "each partner's Central Asia dialogue formats and how often they met",
    "presence": "companies, enterprises with foreign capital, offices, joint ventures (each kind as its source counts)",
    "finance": "official finance per partner, summed within one definition (dataset, flow class, measure, prices)",
    "trade": "trade per partner by reporter, direction and product",
    "investment": "investment figures per partner (FDI stock or flow, cumulative investment) as published",
    "leader_engagements": "engagements of partner leaders recorded by biographical sources (China Vitae)",
    "news_events": "machine-coded news events (GDELT), kept apart from the curated visits",
    "all": "a side-by-side summary of every indicator above",
}
# The column a chart shows first for each compare indicator (the rest are in the table).
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


@dataclass
class Indicator:
    name: str
    description: str
    provider: str
    parameters: list[str] = field(default_factory=lambda: list(COMMON_PARAMETERS))
    measure: str | None = None
    run: Any = None

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "provider": self.provider,
            "parameters": self.parameters,
            "measure": self.measure,
            "path": f"/api/indicators/{self.name}",
        }


def _library() -> dict[str, Any]:
    try:
        module = importlib.import_module("silkscope.indicators")
    except ImportError:
        return {}
    found = getattr(module, "REGISTRY", None) or getattr(module, "INDICATORS", None)
    return dict(found) if isinstance(found, dict) else {}


def catalogue() -> dict[str, Indicator]:
    items: dict[str, Indicator] = {
        name: Indicator(name, DESCRIPTIONS.get(name, name), "views.compare", measure=MEASURES.get(name))
        for name in views.INDICATORS
    }
    for name, target in _library().items():
        if name in items or not isinstance(name, str):
            continue
        fn = getattr(target, "run", target)
        if not callable(fn):
            continue
        doc = (getattr(target, "description", None) or inspect.getdoc(fn) or name).strip().splitlines()[0]
        accepted = [p for p in inspect.signature(fn).parameters if p in COMMON_PARAMETERS]
        items[name] = Indicator(name, doc, "silkscope.indicators", accepted, getattr(target, "measure", None), fn)
    return items


def run(name: str, *, country: str, partners: str | None, since: int | None, until: int | None, con: Any) -> Result:
    items = catalogue()
    if name not in items:
        raise SilkscopeError(f"unknown indicator {name!r}; expected one of: {', '.join(items)}")
    item = items[name]
    if item.run is None:
        return views.compare(country, partners, name, since, until, con=con)
    given = {"country": country, "partners": partners, "since": since, "until": until, "con": con}
    wanted = inspect.signature(item.run).parameters
    result = item.run(**{k: v for k, v in given.items() if k in wanted})
    if not isinstance(result, Result):
        raise SilkscopeError(f"indicator {name!r} did not return a table")
    return result
