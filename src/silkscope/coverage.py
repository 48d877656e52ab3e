"""What the curated timeline covers, per partner and instrument: one declaration (reference_pack/coverage.csv)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from silkscope.countries import C5, name
from silkscope.memo import read_only_memo

INSTRUMENT_LABELS = {
    "leader_visits": "leader visits to the five states",
    "inbound_visits": "Central Asian leaders' visits",
    "dialogue_meetings": "format meetings",
}


@dataclass(frozen=True)
class Span:
    partner_iso3: str
    instrument: str
    first_year: int
    last_year: int
    completeness: str  # complete | partial
    note: str
    source_ids: tuple[str, ...] = ()


class Coverage(dict):
    """partner -> its spans. `partner in coverage` says whether the timeline covers it at all ('not covered' is
    not 0); `complete` says whether absence from the timeline means the event did not happen."""

    def spans(self, partner: str | None, instrument: str | None = None) -> list[Span]:
        return [s for s in self.get(partner, []) if instrument is None or s.instrument == instrument]

    def covers(self, partner: str | None, instrument: str | None = None) -> bool:
        return bool(self.spans(partner, instrument))

    def complete(self, partner: str | None, instrument: str, lo: int, hi: int) -> bool:
        """Every year lo..hi lies in a span declared complete for this partner and instrument."""
        years = {y for s in self.spans(partner, instrument) if s.completeness == "complete"
                 for y in range(s.first_year, s.last_year + 1)}  # fmt: skip
        return lo <= hi and all(y in years for y in range(lo, hi + 1))

    def start(self, instrument: str = "leader_visits") -> int:
        """The first year the timeline covers for any partner (2000 today)."""
        years = [s.first_year for spans in self.values() for s in spans if s.instrument == instrument]
        return min(years, default=2000)

    def period(self, partner: str, instrument: str = "leader_visits") -> tuple[int, int] | None:
        spans = self.spans(partner, instrument)
        return (min(s.first_year for s in spans), max(s.last_year for s in spans)) if spans else None

    def text(self, partner: str, instrument: str | None = None) -> str:
        """'leader visits to the five states 2000-2026 complete; ...' (or 'not covered')."""
        spans = self.spans(partner, instrument)
        if not spans:
            return "not covered"
        return "; ".join(
            f"{INSTRUMENT_LABELS.get(s.instrument, s.instrument)} {s.first_year}-{s.last_year} {s.completeness}"
            for s in spans
        )

    def complete_partners(self, instrument: str, lo: int, hi: int) -> list[str]:
        return [p for p in self if self.complete(p, instrument, lo, hi)]


_SQL = """SELECT partner_iso3, instrument, first_year, last_year, completeness, coalesce(note, '') AS note, source_ids
FROM core.coverage
ORDER BY partner_iso3, list_position(['leader_visits', 'inbound_visits', 'dialogue_meetings'], instrument),
         first_year"""


def load(con: duckdb.DuckDBPyConnection) -> Coverage:
    """The declared coverage; a warehouse without a declaration (built by hand, or from an older pack) falls back to
    'partial, the years its events span' for every partner its timeline mentions. Read once per warehouse version on
    a read-only connection (silkscope.memo): every comparison asks for it, and it was two statements each time."""
    memo = read_only_memo(con)
    if "coverage" not in memo:
        memo["coverage"] = _load(con)
    return memo["coverage"]


def _load(con: duckdb.DuckDBPyConnection) -> Coverage:
    coverage = Coverage()
    declared = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' AND table_name = 'coverage'"
    ).fetchone()[0]
    rows = con.execute(_SQL).fetchall() if declared else []
    for partner, instrument, first, last, completeness, note, ids in rows:
        coverage.setdefault(partner, []).append(
            Span(partner, instrument, first, last, completeness, note, tuple(ids or ()))
        )
    if coverage:
        return coverage
    derived = con.execute(
        """SELECT c, min(year), max(year) FROM (
             SELECT unnest(list_concat(visitor_iso3, host_iso3)) AS c, year FROM core.events)
           GROUP BY c"""
    ).fetchall()
    for partner, first, last in derived:
        if partner not in C5:
            coverage[partner] = [
                Span(partner, i, first, last, "partial", "derived from the events present (no declaration loaded)")
                for i in INSTRUMENT_LABELS
            ]
    return coverage


def notes(partners: list[str], coverage: Coverage) -> list[str]:
    """One line per chosen partner: what the timeline covers and how completely ('–' is then 'not covered')."""
    missing = [p for p in partners if p not in coverage]
    lines = []
    covered = [p for p in partners if p in coverage]
    if covered:
        lines.append(
            "Curated timeline coverage: "
            + " | ".join(f"{name(p)}: {coverage.text(p)}" for p in covered)
            + ". 'Partial' counts are lower bounds."
        )
    if missing:
        lines.append(
            f"The curated visit timeline does not cover {', '.join(missing)}: their visit counts are "
            "'not covered', not evidence of no visits."
        )
    return lines
