"""Who leads where: per instrument and Central Asian state, the tracked partner with the largest share lately."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.indicators.flows import STATE_TRADE
from silkscope.result import Result

# Instruments of the shares indicator, as the overview names them (panel columns; one definition each).
INSTRUMENTS = {
    "leader_visits_to_country": "Leader-level visits",
    "official_commit_constant_usd": "Official finance committed (constant US$)",
    "oda_disb_gross_constant_usd": "ODA disbursed (constant US$)",
    "fdi_flow_usd": "FDI flows",
    STATE_TRADE: "Trade turnover (the state's own statistics)",
}
WINDOW = 10  # years, ending at the instrument's last year with two or more partners recorded (see `leaders`)


def leaders(rows: list[dict[str, Any]], window: int = WINDOW) -> list[dict[str, Any]]:
    """From the shares indicator's rows (partner, country, year, instrument, value, total): per instrument, the
    `window` years up to the last year in which two or more partners have a value somewhere in Central Asia, and
    per country the partner(s) with the largest sum over them, with that sum's share of the total over every
    partner the warehouse records (not only the tracked ones).

    Why two partners: datasets stop at different years (AidData's DAC donors in 2013, its China data in 2017), and
    a window reaching into years only one partner's data covers would hand that partner the lead by default."""
    out = []
    for instrument, label, lo, hi, mine in _instruments(rows, window):
        cells: dict[str, dict[str, Any] | None] = {}
        for country in C5:
            total, sums = _sums(mine, country, lo, hi)
            best = max(sums.values(), default=0)
            if total <= 0 or best <= 0:
                cells[country] = None
                continue
            cells[country] = {
                "partners": sorted(p for p, v in sums.items() if v == best),
                "share_pct": 100 * best / total,
                "value": best,
                "total": total,
            }
        out.append({"instrument": instrument, "label": label, "since": lo, "until": hi, "cells": cells})
    return out


def standing(rows: list[dict[str, Any]], partner: str, window: int = WINDOW) -> list[dict[str, Any]]:
    """One partner's share of each state's total and its rank among the tracked partners, per instrument, over the
    same windows as `leaders`."""
    out = []
    for instrument, label, lo, hi, mine in _instruments(rows, window):
        cells: dict[str, dict[str, Any] | None] = {}
        for country in C5:
            total, sums = _sums(mine, country, lo, hi)
            if total <= 0:
                cells[country] = None
                continue
            value = sums.get(partner, 0.0)
            cells[country] = {
                "share_pct": 100 * value / total,
                "rank": 1 + sum(1 for v in sums.values() if v > value),
                "tracked": len(sums),
                "value": value,
            }
        out.append({"instrument": instrument, "label": label, "since": lo, "until": hi, "cells": cells})
    return out


def _instruments(rows: list[dict[str, Any]], window: int):
    """(instrument, label, first year, last year, its rows) for each instrument two or more partners report."""
    for instrument, label in INSTRUMENTS.items():
        mine = [r for r in rows if r["instrument"] == instrument]
        recorded: dict[int, set[str]] = defaultdict(set)
        for r in mine:
            if (r["value"] or 0) > 0:
                recorded[r["year"]].add(r["partner_iso3"])
        years = [y for y, partners in recorded.items() if len(partners) >= 2]
        if years:
            yield instrument, label, max(years) - window + 1, max(years), mine


def _alone(row: dict[str, Any]) -> bool:
    """A year in which the partner is the only one recorded with the state: the shares indicator gives it no share
    (100% of nothing compared), and a window's sums leave the year out."""
    return "share_pct" in row and row["share_pct"] is None and (row["value"] or 0) > 0


def _sums(rows: list[dict[str, Any]], country: str, lo: int, hi: int) -> tuple[float, dict[str, float]]:
    """The total over every recorded partner and each tracked partner's sum, for one state and window."""
    chosen = [r for r in rows if r["country_iso3"] == country and lo <= r["year"] <= hi and not _alone(r)]
    # `total` is the same on every partner's row of one year: count each year once.
    total = sum((t or 0) for t in {r["year"]: r["total"] for r in chosen}.values())
    sums: dict[str, float] = defaultdict(float)
    for r in chosen:
        sums[r["partner_iso3"]] += r["value"] or 0
    return total, dict(sums)


def leaders_result(served: Any) -> tuple[list[dict[str, Any]], Result]:
    """The matrix and the shares answer it came from (for its sources and definitions), cached per warehouse."""
    from silkscope.indicators import registry
    from silkscope.indicators.tables import duckdb_tables

    def compute(con):
        settings = registry.options(
            partners=list(DEFAULT_PARTNERS), countries=list(C5), measures=list(INSTRUMENTS),
            tables=duckdb_tables(con=con),
        )  # fmt: skip
        result = registry.INDICATORS["shares"].run(settings)
        return leaders(result.rows), result

    return served.cached(("leaders",), compute)
