"""What the profiles share: where their data comes from (a served warehouse's cache, or one connection), charts
ready for a template, the cached library calls several profiles make, and the timeline's chart marks.

One place for these so that the country, partner and overview profiles cache the same answer under the same key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from silkscope import coverage, views
from silkscope.countries import DEFAULT_PARTNERS, registry, resolve_scope
from silkscope.figures import charts
from silkscope.figures.draw import VALIDATE_ENV
from silkscope.result import Bundle, Result

# Default partners of the country, compare and model pages: every tracked partner, each of which the curated
# timeline now covers (how completely, and since when, is declared in reference_pack/coverage.csv: `coverage`).
TIMELINE_PARTNERS = DEFAULT_PARTNERS
VISIT_TYPES = ("state_visit", "official_visit", "working_visit", "visit", "ceremonial", "conference")
MEETING_TYPES = ("multilateral_summit", "dialogue_launch", "dialogue_ministerial", "organisation_summit")
LEADERS = ("head_of_state", "head_of_government")
SUMMARY_MEASURES = {
    "leader_country_visits": "Leader-level country-visits to the scope",
    "inbound_leader_visits": "Central Asian leaders' visits to the partner",
    "format_meetings": "Dialogue-format meetings",
    "official_finance_usd": "Official finance (each partner's best definition)",
}


class Source(Protocol):
    """Where a profile reads: `cached(key, compute)` runs compute(connection) once per key (ServedWarehouse)."""

    def cached(self, key: tuple, compute: Any) -> Any: ...


class Direct:
    """A profile's data straight from one connection, uncached (briefs, notebooks): the `cached` of
    ServedWarehouse."""

    def __init__(self, con: Any, path: Any = None):
        self.con, self.path = con, path

    def cached(self, key: tuple, compute: Any) -> Any:
        return compute(self.con)

    @contextmanager
    def read(self) -> Iterator[Any]:
        yield self.con


class Drawn:
    """A chart ready for a template. `spec` (Vega-Lite JSON) is what a page ships: the browser draws it. `svg` is
    drawn on the server only when a template reads it (briefs, and pages asked for server-drawn charts), because
    rendering took 25-100 ms a chart, most of a page's time. `error` says why the chart could not be made or drawn;
    `extra` holds what a page says beside its chart (a map's year)."""

    def __init__(self, fig: charts.Figure | None, label: str, error: str | None = None, **extra: Any):
        self.figure, self.label, self.error, self.extra = fig, label, error, extra
        self._svg: Any = None
        self.spec: str | None = None
        try:
            self.spec = charts.embeddable(fig) if fig is not None else None
        except charts.ChartError as exc:
            if os.environ.get(VALIDATE_ENV) == "1":  # checking specs (the test suite): an invalid one fails the page
                raise
            self.error = str(exc)

    @property
    def svg(self) -> Any:
        if self._svg is None and self.figure is not None and self.error is None:
            try:
                self._svg = charts.svg(self.figure, label=self.label)
            except charts.ChartError as exc:
                self.error = str(exc)
        return self._svg

    def __getattr__(self, name: str) -> Any:  # the page's own values beside the chart (templates read map.year)
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None


def figure(fig: charts.Figure, label: str, **extra: Any) -> Drawn:
    """A chart ready for a template (its SVG is drawn only when asked: `Drawn`)."""
    return Drawn(fig, label, **extra)


def not_drawn(label: str, error: str, **extra: Any) -> Drawn:
    """A chart that could not be made, with the reason a page shows in its place."""
    return Drawn(None, label, error, **extra)


def compare(served: Source, scope: str, partners: list[str], indicator: str, since=None, until=None) -> Result:
    """views.compare, cached per warehouse."""
    key = ("compare", scope, ",".join(partners), indicator, since, until)
    return served.cached(key, lambda con: views.compare(scope, partners, indicator, since, until, con=con))


def scope_members(value: str) -> tuple[list[str], str | None]:
    """The states a scope names and the group's id when it is a group (C5)."""
    groups = registry().groups
    if value.upper() in groups:
        return list(groups[value.upper()].members), value.upper()
    return list(resolve_scope(value)), None


def declared_coverage(served: Source) -> coverage.Coverage:
    """The curated timeline's declared coverage (reference_pack/coverage.csv), per partner and instrument."""
    return served.cached(("coverage",), coverage.load)


def coverage_cells(covered: coverage.Coverage, partner: str) -> list[dict[str, Any]]:
    return [
        {
            "instrument": coverage.INSTRUMENT_LABELS.get(s.instrument, s.instrument),
            "years": f"{s.first_year}–{s.last_year}",
            "completeness": s.completeness,
            "note": s.note,
        }
        for s in covered.spans(partner)
    ]


def section(bundle: Bundle, prefix: str) -> Result | None:
    """The profile bundle's section whose title starts with `prefix`."""
    return next((s for s in bundle.sections if s.title.startswith(prefix)), None)


def lane_events(rows: list[dict[str, Any]], lane: str) -> list[dict[str, Any]]:
    """Timeline rows as chart marks: which way the visit went, or a summit/format meeting."""
    out = []
    for r in rows:
        taking_part = lane in (r["visitor_iso3"] or []) or lane in (r["host_iso3"] or [])
        if r["event_type"] in MEETING_TYPES:
            if not taking_part:  # a summit of another partner's format is not this lane's (the brief's defect)
                continue
            kind = charts.TIMELINE_KINDS[2]
        elif r["event_type"] in VISIT_TYPES and r["level"] in LEADERS:
            if lane in (r["visitor_iso3"] or []):
                kind = charts.TIMELINE_KINDS[0]
            elif lane in (r["host_iso3"] or []):
                kind = charts.TIMELINE_KINDS[1]
            else:
                continue
        else:
            continue
        out.append({**r, "lane": lane, "kind": kind})
    return out
