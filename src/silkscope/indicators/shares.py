"""Indicator 2: each partner's share of a C5 country's total per instrument and year, and its rank among partners."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from silkscope.countries import C5, EU_CODE, registry
from silkscope.indicators.flows import MEMBER_SUMS, STATE_TOTAL, STATE_TRADE
from silkscope.indicators.plans import planned
from silkscope.indicators.stored import evidence, universe, universe_panel
from silkscope.indicators.tables import Tables, column, to_result, year_bounds
from silkscope.result import Result

DEFAULT_INSTRUMENTS = (
    "oda_disb_gross_constant_usd",
    "official_commit_constant_usd",
    STATE_TRADE,
    "fdi_flow_usd",
    "leader_visits_to_country",
)


def long_form(panel: ibis.Table, instruments: Sequence[str]) -> ibis.Table:
    """(partner, country, year, instrument, value, published) — one row per non-null panel cell; `published`: the
    state's own total with all partners when the instrument is its trade (flows.STATE_TOTAL), else blank."""
    for c in instruments:
        column(panel, c)
    # One unpivot, not a union of one filtered copy per instrument: the panel is a wide expression, and a union
    # repeats it in the compiled SQL once per instrument (a megabyte of SQL for the default instruments).
    keys = panel.select(
        "partner_iso3",
        "country_iso3",
        "year",
        *[panel[c].cast(dt.float64).name(c) for c in instruments],
        published=panel[STATE_TOTAL] if STATE_TRADE in instruments else ibis.null(dt.float64),
    )
    long = keys.pivot_longer(list(instruments), names_to="instrument", values_to="value")
    long = long.filter(long.value.notnull())
    # replaced in place, not dropped: a drop is one more level of the SQL an answer shows
    return long.mutate(published=ibis.ifelse(long.instrument == STATE_TRADE, long.published, ibis.null(dt.float64)))


def eu_members(partner: ibis.StringValue) -> ibis.BooleanValue:
    """Whether `partner` (a three-letter code) is one of the EU's 27 members: found in the string of their codes
    ('AUT BEL ...'), whose three-letter pieces are exactly the codes (a space separates them). One line of the SQL
    an answer shows, where an IN list of 27 was 27 lines (a constant, not a scope value)."""
    return ibis.literal(" ".join(sorted(registry().groups["EU27"].members))).contains(partner)


def counted_in_total(rows: ibis.Table, measures: Sequence[str], window) -> ibis.BooleanValue:
    """Whether a row counts in its total over partners (`window`, rows of one `instrument`): not an EU member's row
    in a measure where the EU's figure is its members' sum (flows.MEMBER_SUMS) while the EU is recorded beside it,
    which would count the members twice (a state's statistics list the EU and Italy, Germany, ... each)."""
    summed = sorted(MEMBER_SUMS.intersection(measures))
    if not summed:
        return ibis.literal(True)
    members = eu_members(rows.partner_iso3)
    eu_beside = (rows.partner_iso3 == EU_CODE).cast("int64").max().over(window) == 1
    return ~(members & eu_beside & rows.instrument.isin(summed))


def shares_expr(
    panel: ibis.Table,
    instruments: Sequence[str],
    partners: Sequence[str],
    *,
    pooled: bool = False,
    tables: Tables | None = None,
) -> ibis.Table:
    """Shares and ranks among every partner in `panel` (build it over the whole partner universe); rows kept for
    `partners` (a parameter of `tables`' statements when given, else a constant)."""
    long = long_form(panel, instruments)
    if pooled:  # the five together: sum over countries first (and over partners: no state's total is the five's)
        long = long.group_by("partner_iso3", "instrument", "year").aggregate(value=long.value.sum())
        long = long.mutate(country_iso3=ibis.literal("C5", type=dt.string), published=ibis.null(dt.float64))
    cell = ["country_iso3", "instrument", "year"]
    long = long.mutate(counted=counted_in_total(long, instruments, ibis.window(group_by=cell)))
    w = ibis.window(group_by=cell)
    long = long.mutate(
        total=ibis.coalesce(long.published, ibis.ifelse(long.counted, long.value, 0.0).sum().over(w)),
        recorded=long.counted.cast("int64").sum().over(w),
        n_partners=(long.counted & (long.value > 0)).cast("int64").sum().over(w),
        rank=(ibis.rank().over(group_by=cell, order_by=ibis.desc(long.value)) + 1).cast("int64"),
    )
    # A share among one recorded partner is 100% of nothing compared (Rosstat alone reports Russia's trade with a
    # state: "Russia, 100% of Kazakhstan's trade") unless the total is the state's own; a rank where nobody has any
    # is a tie of zeros: both blank.
    whole = long.published.notnull() | (long.recorded >= 2)
    ranked = long.mutate(
        share_pct=ibis.ifelse(whole, 100.0 * long.value / long.total.nullif(0), ibis.null(dt.float64)),
        rank=ibis.ifelse(long.total > 0, long.rank, ibis.null(dt.int64)),
    )
    shown = tables.isin(ranked.partner_iso3, "partners", partners) if tables else ranked.partner_iso3.isin(partners)
    ranked = ranked.filter(shown)
    cols = ["partner_iso3", "country_iso3", "year", "instrument", "value", "total", "share_pct", "rank", "n_partners"]
    return ranked.select(*cols).order_by("instrument", "country_iso3", "year", "rank", "partner_iso3")


def shares(
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    instruments: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    pooled: bool = False,
    tables: Tables | None = None,
    db=None,
) -> Result:
    from silkscope.countries import DEFAULT_PARTNERS
    from silkscope.indicators.tables import duckdb_tables

    t = tables or duckdb_tables(db)
    lo, hi = year_bounds(since, until)
    countries = list(countries or C5)
    shown = list(partners or DEFAULT_PARTNERS)
    stored, names = universe(t, shown, countries, lo, hi)
    scope = {"partners": shown, "countries": countries, "since": lo, "until": hi}
    expr = planned(t, _shares_plan, scope, instruments=tuple(instruments or DEFAULT_INSTRUMENTS), pooled=pooled,
                   stored=stored, universe=names)  # fmt: skip
    definitions = {
        "share_pct": "100 * value / total, where total is, for the state's own trade report, the state's "
        "turnover with all partners as it publishes it (its total row), else the same instrument summed over every "
        "partner recorded with the country in that year (not only the partners shown); blank when fewer than two "
        "partners are recorded and the state publishes no total (a share of one partner compares nothing)",
        "rank": "1 = largest value among all partners recorded with the country in that year (ties share a rank); "
        "blank when no partner has any",
        "n_partners": "partners with a positive value in that country-year",
        "EU members": "in trade and investment the EU's figure is its members' sum: where a state's statistics record "
        "the EU beside its members, the members are left out of the total and the partner count (not out of the "
        "rows: each still has its share of the total)",
        "instrument": "a column of the dyad-year panel (see `silkscope indicator panel` for its definition)",
        "partner universe": ", ".join(names),
    }
    notes = ["Shares are only as complete as the partners the warehouse records: a missing donor inflates others."]
    if STATE_TRADE in (instruments or DEFAULT_INSTRUMENTS) and not pooled:
        notes.append(
            "A state's trade as it reports it is a share of its trade with all partners as its statistics publish it "
            "(their total row, its Central Asian neighbours and unallocated trade included), where they publish one."
        )
    if pooled:
        notes.append("country_iso3 = C5: values summed over the five countries before shares were taken.")
    ids = panel_source_ids(t, partners or DEFAULT_PARTNERS, countries, lo, hi)
    return to_result(t, expr, f"Shares and ranks per instrument, {lo}-{hi}", definitions, notes, extra_source_ids=ids)


def _shares_plan(t: Tables, partners, countries, since, until, *, instruments, pooled, stored, universe) -> ibis.Table:
    panel = universe_panel(t, countries, since, until, stored=stored, partners=universe)
    return shares_expr(panel, instruments, partners, pooled=pooled, tables=t)


def panel_source_ids(
    t: Tables, partners: Sequence[str], countries: Sequence[str], lo: int, hi: int, columns: Sequence[str] | None = None
) -> set[str]:
    """Every source behind the dyad-years of the partners shown (the evidence of a derived table); of the panel
    `columns` only, when given."""
    return evidence(t, partners, countries, lo, hi, columns)
