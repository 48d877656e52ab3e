"""The dyad-year engagement panel (partner x C5 country x year) as one Ibis expression over core.*, one column per
instrument. Indicators read it through indicators.stored (out.panel, materialised with the facts)."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from silkscope.countries import C5, DEFAULT_PARTNERS, WORLD_CODE
from silkscope.indicators import events, flows
from silkscope.indicators.flows import attach
from silkscope.indicators.tables import Tables, nullable

KEYS = ["partner_iso3", "country_iso3", "year"]


def spine(t: Tables, partners: Sequence[str], countries: Sequence[str], since: int, until: int) -> ibis.Table:
    """Every dyad-year in scope, whether or not anything happened in it."""
    c = t("countries")
    base = c.filter(c.country_iso3.isin(list(countries))).select("country_iso3")
    base = base.mutate(partner_iso3=ibis.literal(list(partners), type="array<string>").unnest())
    base = base.mutate(year=ibis.range(since, until + 1, 1).unnest())  # Spark: no cast around a generator
    return base.select("partner_iso3", "country_iso3", year=base.year.cast("int64"))


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


def all_partners(t: Tables, countries: Sequence[str] = C5) -> list[str]:
    """Every outside state that appears in a fact table with a country in scope: the denominator of a share (not
    WLD, a reporter's total with all partners, which is no partner)."""
    countries = list(countries)
    f, r, v, p = t("finance_flows"), t("trade_flows"), t("investments"), t("presence")
    e = t("event_participants")
    parts = [
        f.filter(f.country_iso3.isin(countries), f.donor_iso3.notnull()).select(iso3=f.donor_iso3),
        r.filter(r.country_iso3.isin(countries)).select(iso3=r.partner_iso3),
        v.filter(v.country_iso3.isin(countries)).select(iso3=v.partner_iso3),
        p.filter(p.country_iso3.isin(countries)).select(iso3=p.partner_iso3),
        e.select(iso3=e.country_iso3),
    ]
    u = ibis.union(*[x.select(iso3=x.iso3.cast(dt.string)) for x in parts], distinct=True)
    return sorted(r["iso3"] for r in t.rows(u) if r["iso3"] and r["iso3"] not in {*C5, *countries, WORLD_CODE})


def fact_tables(columns: Sequence[str]) -> tuple[str, ...]:
    """The fact tables the panel `columns` are made from (their sources are the evidence of an answer that reads
    only those columns: a finance model cites no trade file)."""
    made = {
        "finance_flows": {*flows.finance_columns(), "finance_projects", "finance_dataset"},
        "trade_flows": {*flows.TRADE_COLUMNS, "trade_dataset"},
        "investments": set(flows.FDI_COLUMNS),
        "presence": {f"presence_{k}" for k in flows.PRESENCE_KINDS},
        "events": set(events.TIMELINE_COLUMNS),
        "leader_engagements": set(events.VITAE_COLUMNS),
        "news_events": set(events.NEWS_COLUMNS),
    }
    unknown = sorted(set(columns) - set().union(*made.values()))
    if unknown:
        raise ValueError(f"not columns of the panel: {', '.join(unknown)}")
    return tuple(table for table, cols in made.items() if cols & set(columns))


def from_tables(t: Tables, sources: ibis.Table, tables: Sequence[str]) -> ibis.Table:
    """`sources` (a source_id column) less the sources of no row of `tables`."""
    cited = ibis.union(*[t(name).select("source_id") for name in tables], distinct=True)
    return sources.filter(sources.source_id.isin(cited.source_id))


def evidence_sources(
    t: Tables,
    partners: Sequence[str],
    countries: Sequence[str],
    since: int,
    until: int,
    columns: Sequence[str] | None = None,
) -> set[str]:
    """Every source behind the dyad-years in scope (the evidence of a derived table), without building the panel;
    only the sources of the fact tables `columns` are made from, when given."""
    partners, countries = list(partners), list(countries)
    # the block that reads each fact table (the timeline's and China Vitae's counts are one block)
    reads = {
        "finance_flows": flows.finance_block,
        "trade_flows": flows.trade_block,
        "investments": flows.fdi_block,
        "presence": flows.presence_block,
        "events": events.event_block,
        "leader_engagements": events.event_block,
        "news_events": events.news_block,
    }
    chosen = dict.fromkeys(reads[table] for table in (fact_tables(columns) if columns else reads))
    ev = ibis.union(*[nullable(block(t, partners, countries)[1]) for block in chosen])
    ev = ev.filter(ev.year.between(since, until), ev.source_id.notnull()).select("source_id").distinct()
    if columns:
        ev = from_tables(t, ev, fact_tables(columns))
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
