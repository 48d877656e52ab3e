"""Indicator 1: the dyad-year engagement panel (partner x C5 country x year), one column per instrument."""

from __future__ import annotations

from collections.abc import Sequence

import ibis

from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.indicators import events, flows
from silkscope.indicators.tables import Tables, nullable, to_result, year_bounds
from silkscope.result import Result

KEYS = ["partner_iso3", "country_iso3", "year"]


def spine(t: Tables, partners: Sequence[str], countries: Sequence[str], since: int, until: int) -> ibis.Table:
    """Every dyad-year in scope, whether or not anything happened in it."""
    c = t("countries")
    base = c.filter(c.country_iso3.isin(list(countries))).select("country_iso3")
    base = base.mutate(partner_iso3=ibis.literal(list(partners), type="array<string>").unnest())
    base = base.mutate(year=ibis.range(since, until + 1, 1).unnest())  # Spark: no cast around a generator
    return base.select("partner_iso3", "country_iso3", year=base.year.cast("int64"))


def attach(left: ibis.Table, right: ibis.Table, keys: Sequence[str] = KEYS) -> ibis.Table:
    """Left-join `right` on the keys without duplicating them."""
    renamed = right.rename({f"_k_{k}": k for k in keys})
    joined = left.left_join(renamed, [left[k] == renamed[f"_k_{k}"] for k in keys])
    return joined.drop(*[f"_k_{k}" for k in keys])


def dyad_year_panel(
    t: Tables,
    partners: Sequence[str] = DEFAULT_PARTNERS,
    countries: Sequence[str] = C5,
    since: int = 1992,
    until: int = 2025,
    *,
    finance_dataset: str | None = None,
    trade_dataset: str | None = None,
    with_sources: bool = True,
) -> ibis.Table:
    """The panel as one Ibis expression (runs unchanged on DuckDB and PySpark)."""
    partners, countries = list(partners), list(countries)
    blocks = [
        flows.finance_block(t, partners, countries, finance_dataset),
        flows.trade_block(t, partners, countries, trade_dataset),
        flows.fdi_block(t, partners, countries),
        flows.presence_block(t, partners, countries),
        events.event_block(t, partners, countries),
        events.news_block(t, partners, countries),
    ]
    panel = spine(t, partners, countries, since, until)
    for values, _ in blocks:
        panel = attach(panel, values)
    cov = events.coverage(t)
    panel = attach(panel, cov.rename(partner_iso3="_cp"), ["partner_iso3"])
    zero_if = {
        **{c: "timeline_covered" for c in events.TIMELINE_COLUMNS},
        **{c: "vitae_covered" for c in events.VITAE_COLUMNS},
        **{c: "news_covered" for c in events.NEWS_COLUMNS},
    }
    panel = panel.mutate(
        **{
            c: ibis.ifelse(panel[flag].fill_null(False), panel[c].fill_null(0), ibis.null("int64")).cast("int64")
            for c, flag in zero_if.items()
        }
    )
    columns = [
        *KEYS,
        *flows.finance_columns(),
        "finance_projects",
        "finance_dataset",
        *flows.TRADE_COLUMNS,
        "trade_dataset",
        *flows.FDI_COLUMNS,
        *[f"presence_{k}" for k in flows.PRESENCE_KINDS],
        *events.TIMELINE_COLUMNS,
        *events.VITAE_COLUMNS,
        *events.NEWS_COLUMNS,
    ]
    panel = panel.select(*columns)
    if with_sources:
        evidence = ibis.union(*[nullable(ev) for _, ev in blocks]).distinct()
        evidence = evidence.filter(evidence.source_id.notnull())
        ids = evidence.group_by(KEYS).aggregate(source_ids=evidence.source_id.collect())
        panel = attach(panel, ids).select(*columns, "source_ids")
    return panel.order_by(KEYS)


def evidence_sources(t: Tables, partners: Sequence[str], countries: Sequence[str], since: int, until: int) -> set[str]:
    """Every source behind the dyad-years in scope (the evidence of a derived table), without building the panel."""
    partners, countries = list(partners), list(countries)
    blocks = [
        flows.finance_block(t, partners, countries),
        flows.trade_block(t, partners, countries),
        flows.fdi_block(t, partners, countries),
        flows.presence_block(t, partners, countries),
        events.event_block(t, partners, countries),
        events.news_block(t, partners, countries),
    ]
    ev = ibis.union(*[nullable(e) for _, e in blocks])
    ev = ev.filter(ev.year.between(since, until), ev.source_id.notnull()).select("source_id").distinct()
    return {r["source_id"] for r in t.rows(ev)}


def definitions() -> dict[str, str]:
    return {
        "dyad": "partner (outside power) x C5 country; group-level rows (e.g. 'Central Asia, regional', C5 as a "
        "whole) are not allocated to countries and stay out of the panel",
        "year": "calendar year of the event or the flow",
        **flows.definitions(),
        **events.definitions(),
        "source_ids": "every source cited by a row that entered the dyad-year",
    }


def panel(
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    tables: Tables | None = None,
    db=None,
    finance_dataset: str | None = None,
    trade_dataset: str | None = None,
    nonempty: bool = False,
) -> Result:
    """The dyad-year panel as a Result (rows, sources, definitions, SQL). `nonempty` drops all-empty dyad-years."""
    from silkscope.indicators.tables import duckdb_tables

    t = tables or duckdb_tables(db)
    lo, hi = year_bounds(since, until)
    expr = dyad_year_panel(
        t,
        partners or DEFAULT_PARTNERS,
        countries or C5,
        lo,
        hi,
        finance_dataset=finance_dataset,
        trade_dataset=trade_dataset,
    )
    if nonempty:
        values = [c for c in expr.columns if c not in (*KEYS, "source_ids", "finance_dataset", "trade_dataset")]
        expr = expr.filter(ibis.or_(*[(expr[c].notnull() & (expr[c] != 0)) for c in values]))
    notes = [
        "Instruments are never added: commitments, disbursements, current and constant dollars, reporter and "
        "mirror trade, curated visits, biographies and news each keep their own column.",
        "Curated-timeline counts are NULL for partners the timeline does not cover (not evidence of no visits).",
    ]
    result = to_result(t, expr, f"Dyad-year engagement panel, {lo}-{hi}", definitions(), notes)
    for row in result.rows:
        row["source_ids"] = sorted(row.get("source_ids") or [])
    return result
