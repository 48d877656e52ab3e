"""Indicator 3: absolute change, fold change and CAGR between two years or periods, with the exact rows used."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.errors import SilkscopeError
from silkscope.indicators.plans import planned
from silkscope.indicators.shares import long_form
from silkscope.indicators.stored import covered, panel_table
from silkscope.indicators.tables import Tables, duckdb_tables, to_result
from silkscope.result import Bundle

DEFINITIONS = {
    "start_value": "sum of the measure over the start period's years and the countries in scope",
    "end_value": "the same over the end period",
    "abs_change": "end_value - start_value",
    "fold_change": "end_value / start_value (NULL when start_value is 0 or missing)",
    "cagr_pct": "100 * ((end_value / start_value) ^ (1 / (mid_end - mid_start)) - 1), mid_* = the periods' "
    "mid-years; comparable only when both periods have the same length",
    "start_years_with_data": "years in the start period with a non-null value (a period sum over missing years "
    "understates the level: compare with the period length)",
}


def parse_period(text: str | int) -> tuple[int, int]:
    """'2003' -> (2003, 2003); '1993-1995' -> (1993, 1995)."""
    value = str(text).strip()
    try:
        if "-" in value:
            lo, hi = (int(x) for x in value.split("-", 1))
        else:
            lo = hi = int(value)
    except ValueError:
        raise SilkscopeError(f"period {text!r}: expected a year (2003) or a range (1993-1995)") from None
    if lo > hi:
        raise SilkscopeError(f"period {text!r}: first year after last year")
    return lo, hi


def change_expr(
    panel: ibis.Table, measures: Sequence[str], start: tuple[int, int], end: tuple[int, int]
) -> tuple[ibis.Table, ibis.Table]:
    """(change per partner and measure, summed over the panel's countries; the dyad-year rows used)."""
    in_start = panel.year.between(*start)
    in_end = panel.year.between(*end)
    used = panel.filter(in_start | in_end)
    long = long_form(used, measures)
    s_, e_ = long.year.between(*start), long.year.between(*end)
    agg = long.group_by("partner_iso3", "instrument").aggregate(
        start_value=long.value.sum(where=s_),
        end_value=long.value.sum(where=e_),
        start_years_with_data=long.year.nunique(where=s_),
        end_years_with_data=long.year.nunique(where=e_),
    )
    span = (end[0] + end[1]) / 2 - (start[0] + start[1]) / 2
    ratio = agg.end_value / agg.start_value.nullif(0)
    result = agg.mutate(
        period_start=ibis.literal(f"{start[0]}-{start[1]}", type=dt.string),
        period_end=ibis.literal(f"{end[0]}-{end[1]}", type=dt.string),
        abs_change=agg.end_value - agg.start_value,
        fold_change=ratio,
        cagr_pct=ibis.ifelse(ratio > 0, 100.0 * (ratio ** (1.0 / span) - 1.0), ibis.null(dt.float64))
        if span > 0
        else ibis.null(dt.float64),
    )
    cols = [
        "partner_iso3", "instrument", "period_start", "start_value", "start_years_with_data", "period_end",
        "end_value", "end_years_with_data", "abs_change", "fold_change", "cagr_pct",
    ]  # fmt: skip
    rows_used = used.select("partner_iso3", "country_iso3", "year", *measures, "source_ids")
    return result.select(*cols).order_by("partner_iso3", "instrument"), rows_used.order_by(
        "partner_iso3", "country_iso3", "year"
    )


def _change_plan(t: Tables, partners, countries, since, until, *, measures, start, end, stored):
    return change_expr(panel_table(t, partners, countries, since, until, stored=stored), measures, start, end)


def change(
    partners: Sequence[str] | None,
    measures: Sequence[str],
    start: str | int,
    end: str | int,
    countries: Sequence[str] | None = None,
    *,
    tables: Tables | None = None,
    db=None,
) -> Bundle:
    """E.g. change(['JPN'], ['oda_disb_net_current_usd', 'oda_commit_constant_usd'], 1993, 2003): each
    definition computed on its own, with the dyad-year rows (and their sources) that entered the sums."""
    t = tables or duckdb_tables(db)
    s, e = parse_period(start), parse_period(end)
    if e[0] <= s[1]:
        raise SilkscopeError(f"end period {end!r} must start after the start period {start!r} ends")
    scope = {"partners": list(partners or DEFAULT_PARTNERS), "countries": list(countries or C5), "since": s[0],
             "until": e[1]}  # fmt: skip
    stored = covered(t, **scope)
    expr, used = planned(t, _change_plan, scope, measures=tuple(measures), start=s, end=e, stored=stored)
    scope = ", ".join(countries or C5)
    main = to_result(t, expr, f"Change {start} -> {end} ({scope})", DEFINITIONS)
    rows = to_result(t, used, "Rows used (dyad-years of the two periods)", {})
    for row in rows.rows:
        row["source_ids"] = sorted(row.get("source_ids") or [])
    main.sources = rows.sources = _merge(rows.sources)
    main.notes.append("Each measure is one definition; recompute under another by naming another panel column.")
    return Bundle(main.title, [main, rows])


def _merge(sources: list[dict]) -> list[dict]:
    return sorted({s["source_id"]: s for s in sources}.values(), key=lambda s: s["source_id"])
