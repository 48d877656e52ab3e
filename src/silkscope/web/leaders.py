"""Who leads where: per instrument and Central Asian state, the tracked partner with the largest share lately."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.result import Result

# Instruments of the shares indicator, as the overview names them (panel columns; one definition each).
INSTRUMENTS = {
    "leader_visits_to_country": "Leader-level visits",
    "official_commit_constant_usd": "Official finance committed (constant US$)",
    "oda_disb_gross_constant_usd": "ODA disbursed (constant US$)",
    "fdi_flow_usd": "FDI flows",
    "trade_total_usd": "Trade turnover",
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
    for instrument, label in INSTRUMENTS.items():
        mine = [r for r in rows if r["instrument"] == instrument]
        recorded: dict[int, set[str]] = defaultdict(set)
        for r in mine:
            if (r["value"] or 0) > 0:
                recorded[r["year"]].add(r["partner_iso3"])
        years = [y for y, partners in recorded.items() if len(partners) >= 2]
        if not years:
            continue
        hi = max(years)
        lo = hi - window + 1
        cells: dict[str, dict[str, Any] | None] = {}
        for country in C5:
            chosen = [r for r in mine if r["country_iso3"] == country and lo <= r["year"] <= hi]
            # `total` is the same on every partner's row of one year: count each year once.
            total = sum((t or 0) for t in {r["year"]: r["total"] for r in chosen}.values())
            sums: dict[str, float] = defaultdict(float)
            for r in chosen:
                sums[r["partner_iso3"]] += r["value"] or 0
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
