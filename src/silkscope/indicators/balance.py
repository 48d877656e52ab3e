"""Indicator 4: public versus private engagement per dyad — official finance against FDI, companies and trade."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from silkscope.indicators.flows import STATE_TRADE
from silkscope.indicators.plans import planned
from silkscope.indicators.stored import covered, panel_table
from silkscope.indicators.tables import Tables, column, duckdb_tables, in_scope, to_result
from silkscope.result import Result

DEFAULT_PUBLIC = "official_disb_gross_current_usd"
PRESENCE = ("presence_companies_operating", "presence_enterprises_with_foreign_capital")


def balance_expr(panel: ibis.Table, *, public: str = DEFAULT_PUBLIC, by_year: bool = True) -> ibis.Table:
    """Per dyad (and year): public and private measures side by side, and their ratios."""
    p = panel
    companies = ibis.coalesce(*[p[c] for c in PRESENCE])
    # select, not mutate: the measures alone, so the SQL an answer shows does not list every panel column
    p = p.select(
        "partner_iso3",
        "country_iso3",
        "year",
        public_usd=column(p, public).cast(dt.float64),
        private_fdi_usd=p.fdi_flow_usd,
        trade_usd=p[STATE_TRADE],
        companies=companies,
    )
    keys = ["partner_iso3", "country_iso3"] + (["year"] if by_year else [])
    # A ratio sums both sides over the years both have data: aid of the 1990s against trade of the 2010s is no
    # ratio at all, and dividing them would say so with a wrong number. The conditions are columns, named once.
    p = p.mutate(
        with_fdi=p.public_usd.notnull() & p.private_fdi_usd.notnull(),
        with_trade=p.public_usd.notnull() & p.trade_usd.notnull(),
        anything=p.public_usd.notnull() | p.private_fdi_usd.notnull() | p.trade_usd.notnull() | p.companies.notnull(),
    )
    with_fdi, with_trade, anything = p.with_fdi, p.with_trade, p.anything
    g = p.group_by(keys).aggregate(
        public_usd=p.public_usd.sum(),
        private_fdi_usd=p.private_fdi_usd.sum(),
        trade_usd=p.trade_usd.sum(),
        # a stock, not a flow: the latest count in the period
        companies=p.companies.argmax(ibis.ifelse(p.companies.notnull(), p.year, ibis.null(dt.int64))),
        first_year=p.year.min(where=anything),
        last_year=p.year.max(where=anything),
        years_public_and_fdi=p.year.nunique(where=with_fdi),
        years_public_and_trade=p.year.nunique(where=with_trade),
        _pub_f=p.public_usd.sum(where=with_fdi),
        _fdi=p.private_fdi_usd.sum(where=with_fdi),
        _pub_t=p.public_usd.sum(where=with_trade),
        _trade=p.trade_usd.sum(where=with_trade),
    )
    g = g.mutate(
        public_share_pct=100.0 * g._pub_f / (g._pub_f + g._fdi).nullif(0),
        public_to_private_ratio=g._pub_f / g._fdi.nullif(0),
        public_per_trade_pct=100.0 * g._pub_t / g._trade.nullif(0),
        public_usd_per_company=g.public_usd / g.companies.cast(dt.float64).nullif(0),
    ).drop("_pub_f", "_fdi", "_pub_t", "_trade")
    g = g.filter(g.public_usd.notnull() | g.private_fdi_usd.notnull() | g.trade_usd.notnull() | g.companies.notnull())
    return g.order_by(keys)


def _balance_plan(t: Tables, partners, countries, since, until, *, public, by_year, stored) -> ibis.Table:
    panel = panel_table(t, partners, countries, since, until, stored=stored)
    return balance_expr(panel, public=public, by_year=by_year)


DEFINITIONS = {
    "public_usd": "official finance of the partner to the country (default: all official classes, gross "
    "disbursements, current USD; --measure on the CLI, measure= in the API, names another panel column)",
    "private_fdi_usd": "bilateral FDI flows, partner into the country (private capital)",
    "trade_usd": "goods trade turnover as the state reports it (trade_total_mirror_usd: its own statistics list "
    "every partner; partners' reports only those whose statistics are loaded)",
    "companies": "latest count of the partner's companies operating (or enterprises with its capital) in the "
    "country; the source's own definition",
    "first_year": "first year with any of the measures (last_year: the last)",
    "years_public_and_fdi": "years with both public finance and FDI: the years public_share_pct and "
    "public_to_private_ratio sum over",
    "years_public_and_trade": "years with both public finance and trade: the years public_per_trade_pct sums over",
    "public_share_pct": "100 * public / (public + FDI), both summed over years_public_and_fdi: above 50 = "
    "state-led capital",
    "public_to_private_ratio": "public / FDI, both summed over years_public_and_fdi",
    "public_per_trade_pct": "100 * public / trade, both summed over years_public_and_trade: official money per "
    "dollar of commerce",
    "public_usd_per_company": "public_usd / companies",
}


def balance(
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    public: str = DEFAULT_PUBLIC,
    by_year: bool = False,
    tables: Tables | None = None,
    db=None,
) -> Result:
    from silkscope.indicators.shares import panel_source_ids

    t = tables or duckdb_tables(db)
    partners, countries, lo, hi = in_scope(partners, countries, since, until)
    scope = {"partners": partners, "countries": countries, "since": lo, "until": hi}
    stored = covered(t, partners, countries, lo, hi)
    expr = planned(t, _balance_plan, scope, public=public, by_year=by_year, stored=stored)
    notes = [
        "Public and private measures come from different sources and definitions: the ratio shows direction "
        "(government-led or business-led), not an exact split.",
        "A sum over a period treats missing years as absent, not as zero; each ratio uses only the years where "
        "both of its sides have data.",
    ]
    ids = panel_source_ids(t, partners, countries, lo, hi)
    return to_result(t, expr, f"Public vs private engagement, {lo}-{hi}", DEFINITIONS, notes, extra_source_ids=ids)
