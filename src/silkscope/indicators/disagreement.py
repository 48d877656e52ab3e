"""Indicator 7: where two sources give the same quantity — both figures, the gap, and why they may differ."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from silkscope import labels
from silkscope.indicators.flows import KEYS, attach, finance_block, trade_block, with_dataset
from silkscope.indicators.plans import planned
from silkscope.indicators.tables import Tables, duckdb_tables, in_scope, nullable, to_result
from silkscope.indicators.tables import column as column_of
from silkscope.result import Result

FINANCE_REASONS = (
    "coverage: AidData tracks ODA and OOF-like flows from project documents, OECD CRS what donors report as ODA/OOF; "
    "price basis: constant-dollar base years differ between releases; "
    "timing: commitment year as signed vs as reported; "
    "scope: regional and multi-country projects allocated to a country or not"
)
TRADE_REASONS = (
    "valuation: the importer reports CIF (incl. freight and insurance, typically 5-10% more), the exporter FOB; "
    "attribution: country of origin (importer) vs country of last known destination (exporter); "
    "transit and re-exports through third countries (Russia, China, Kazakhstan) ; "
    "timing across the year end; confidential or unallocated trade; exchange-rate conversion"
)


def _finance_side(t: Tables, dataset: str, column: str, partners, countries, suffix: str) -> ibis.Table:
    values, _ = finance_block(t, partners, countries, dataset)
    f = t("finance_flows")
    f = with_dataset(
        t, f.filter(t.isin(f.donor_iso3, "partners", partners), t.isin(f.country_iso3, "countries", countries))
    )
    f = f.filter(f.dataset == dataset)
    meta = f.group_by(partner_iso3=f.donor_iso3, country_iso3=f.country_iso3, year=f.year.cast(dt.int64)).aggregate(
        base_year=f.base_year.max(), definition=f.definition.max(), source_ids=f.source_id.collect(distinct=True)
    )
    side = attach(values.select(*KEYS, value=column_of(values, column)), meta)
    side = nullable(side.filter(side.value.notnull()))
    return side.rename({f"{c}_{suffix}": c for c in ("value", "base_year", "definition", "source_ids")})


def finance_expr(
    t: Tables,
    partners: Sequence[str],
    countries: Sequence[str],
    lo: int,
    hi: int,
    *,
    dataset_a: str,
    dataset_b: str,
    column: str,
) -> ibis.Table:
    a = _finance_side(t, dataset_a, column, list(partners), list(countries), "a")
    b = _finance_side(t, dataset_b, column, list(partners), list(countries), "b")
    b = b.rename({f"_{k}": k for k in KEYS})
    j = a.outer_join(b, [a[k] == b[f"_{k}"] for k in KEYS])
    j = j.select(
        **{k: ibis.coalesce(j[k], j[f"_{k}"]) for k in KEYS},
        dataset_a=ibis.literal(dataset_a, type=dt.string),
        value_a_usd=j.value_a,
        dataset_b=ibis.literal(dataset_b, type=dt.string),
        value_b_usd=j.value_b,
        base_year_a=j.base_year_a,
        base_year_b=j.base_year_b,
        definition_a=j.definition_a,
        definition_b=j.definition_b,
        source_ids_a=j.source_ids_a,
        source_ids_b=j.source_ids_b,
    )
    j = j.filter(t.between(j.year, lo, hi))
    flags = (
        ibis.ifelse(j.value_a_usd.isnull(), f"only {labels.dataset_short(dataset_b)} records it; ", "")
        + ibis.ifelse(j.value_b_usd.isnull(), f"only {labels.dataset_short(dataset_a)} records it; ", "")
        + ibis.ifelse(
            j.base_year_a.notnull() & j.base_year_b.notnull() & (j.base_year_a != j.base_year_b),
            "different constant-price base years; ",
            "",
        )
    )
    return j.mutate(
        gap_usd=j.value_a_usd - j.value_b_usd,
        gap_pct=100.0 * (j.value_a_usd - j.value_b_usd) / j.value_b_usd.nullif(0),
        reasons=flags + ibis.literal(FINANCE_REASONS),
    ).order_by(*KEYS)


def trade_expr(t: Tables, partners: Sequence[str], countries: Sequence[str], lo: int, hi: int) -> ibis.Table:
    """Reporter vs mirror for each direction of each dyad-year where both exist (or one is missing)."""
    values, evidence = trade_block(t, list(partners), list(countries))
    ids = evidence.group_by(KEYS).aggregate(source_ids=evidence.source_id.collect(distinct=True))
    v = attach(values, ids)
    v = v.filter(t.between(v.year, lo, hi))
    parts = []
    for flow, reported, mirror, reporter, mirror_reporter in (
        ("partner exports to the country", "exports_usd", "exports_mirror_usd", "partner", "country (its imports)"),
        ("partner imports from the country", "imports_usd", "imports_mirror_usd", "partner", "country (its exports)"),
    ):
        part = v.filter(v[reported].notnull() | v[mirror].notnull())
        parts.append(
            part.select(
                *KEYS,
                flow=ibis.literal(flow, type=dt.string),
                reported_usd=part[reported],
                reported_by=ibis.literal(reporter, type=dt.string),
                mirror_usd=part[mirror],
                mirror_by=ibis.literal(mirror_reporter, type=dt.string),
                source_ids="source_ids",
            )
        )
    u = ibis.union(*[nullable(p) for p in parts])
    gap_pct = 100.0 * (u.mirror_usd - u.reported_usd) / u.reported_usd.nullif(0)
    # CIF/FOB: the importer's figure is expected above the exporter's by a few percent
    importer_is_mirror = u.flow.startswith("partner exports")
    expected = ibis.ifelse(importer_is_mirror, gap_pct.between(0, 15), gap_pct.between(-15, 0))
    verdict = ibis.ifelse(
        u.reported_usd.isnull() | u.mirror_usd.isnull(),
        "one side does not report; ",
        ibis.ifelse(expected, "gap within a CIF/FOB margin; ", "gap beyond a CIF/FOB margin; "),
    )
    return u.mutate(
        gap_usd=u.mirror_usd - u.reported_usd, gap_pct=gap_pct, reasons=verdict + ibis.literal(TRADE_REASONS)
    ).order_by(*KEYS, "flow")


def disagreement(
    what: str = "trade",
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    dataset_a: str = "aiddata_flows",
    dataset_b: str = "oecd_crs",
    column: str = "official_commit_constant_usd",
    tables: Tables | None = None,
    db=None,
) -> Result:
    """`what`: 'finance' (dataset_a vs dataset_b on one panel column) or 'trade' (reporter vs mirror)."""
    t = tables or duckdb_tables(db)
    partners, countries, lo, hi = in_scope(partners, countries, since, until)
    scope = {"partners": partners, "countries": countries, "lo": lo, "hi": hi}  # the expressions' argument names
    if what == "finance":
        expr = planned(t, finance_expr, scope, dataset_a=dataset_a, dataset_b=dataset_b, column=column)
        title = (
            f"Source disagreement: {labels.dataset_short(dataset_a)} vs {labels.dataset_short(dataset_b)}, "
            f"{labels.label(column)}, {lo}-{hi}"
        )
        defs = {
            "gap_usd": "value_a_usd - value_b_usd",
            "gap_pct": "100 * gap_usd / value_b_usd",
            "value": f"the panel column {column} computed from each dataset alone",
        }
    else:
        expr = planned(t, trade_expr, scope)
        title = f"Source disagreement: reporter vs mirror trade, {lo}-{hi}"
        defs = {
            "reported_usd": "the partner's own report (exports FOB / imports CIF)",
            "mirror_usd": "the C5 country's report of the same flow",
            "gap_usd": "mirror_usd - reported_usd",
            "gap_pct": "100 * gap_usd / reported_usd",
        }
    result = to_result(t, expr, title, defs)
    ids: set[str] = set()
    for row in result.rows:
        for key in ("source_ids", "source_ids_a", "source_ids_b"):
            if key in row:
                row[key] = sorted(row[key] or [])
                ids.update(row[key])
    result.sources = t.sources(ids)
    return result
