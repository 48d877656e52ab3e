"""The dyad-year panel as the indicators read it: out.panel, materialised with the facts (build, ingest, snapshot
load), filtered to the scope asked; compiled from core.* (indicators.panel) only when out.panel cannot answer (a
dataset other than the default, years after the build, a warehouse whose facts changed since). And the panel
indicator itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
from ibis.backends.sql.datatypes import DuckDBType

from silkscope.analysis.version import META_KEY, out_version
from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.indicators.panel import (
    KEYS,
    all_partners,
    definitions,
    dyad_year_panel,
    evidence_sources,
    fact_tables,
    from_tables,
)
from silkscope.indicators.plans import planned
from silkscope.indicators.tables import Tables, to_result, year_bounds
from silkscope.result import Result
from silkscope.warehouse import set_meta

STORED_SINCE = 1992  # the first year of the stored panel; later `until`s than the build's year are computed live
# out.panel's statements by (partners, since, until): the panel is compiled once a process, not once a build
_STORED_SQL: dict[tuple, tuple[str, str]] = {}
# Rows per fact table when out.panel was built. A writer that changes core.* without re-materialising (a notebook's
# INSERT, a test's synthetic rows) changes a count, and the indicators then compute the panel from core.* instead
# of answering from a stale copy. Counting is free in DuckDB (table metadata), unlike a checksum of the rows.
FACTS_KEY = "panel_facts"


# Columns that are not a recorded value: a dyad-year with none of the others set is empty (`nonempty` drops it).
NOT_VALUES = (*KEYS, "source_ids", "finance_dataset", "trade_dataset", "recorded")


def materialise_panel(con: Any) -> int:
    """Write out.panel, the dyad-year panel of every partner recorded with a C5 state (and the tracked ones) from
    STORED_SINCE to this year, with a `recorded` flag (anything non-zero in the dyad-year), in the caller's
    transaction. Returns its rows."""
    from silkscope.indicators.tables import duckdb_tables

    t = duckdb_tables(con=con)
    universe = tuple(sorted(set(all_partners(t, C5)) | set(DEFAULT_PARTNERS)))
    key = (universe, STORED_SINCE, date.today().year)
    if key not in _STORED_SQL:
        _STORED_SQL.clear()  # one warehouse's universe at a time is what a process builds
        expr = dyad_year_panel(t, universe, C5, *key[1:])
        # The expression's own types, declared: DuckDB would store a sum of integers as HUGEINT and some sums as
        # DECIMAL, which the answers then carry (and JSON cannot).
        types = DuckDBType.to_string
        columns = ", ".join(f'"{c}" {types(typ)}' for c, typ in expr.schema().items())
        flag = " OR ".join(f'coalesce("{c}" IS NOT NULL AND "{c}" <> 0, false)' for c in value_columns(expr))
        _STORED_SQL[key] = (
            f"CREATE OR REPLACE TABLE out.panel ({columns}, recorded BOOLEAN)",
            f"INSERT INTO out.panel SELECT *, ({flag}) FROM ({t.sql(expr)})",
        )
    for statement in _STORED_SQL[key]:
        con.execute(statement)
    set_meta(con, FACTS_KEY, _fact_counts(con))
    return con.execute("SELECT count(*) FROM out.panel").fetchone()[0]


def value_columns(panel: ibis.Table) -> list[str]:
    return [c for c in panel.columns if c not in NOT_VALUES]


def _fact_counts(con: Any) -> str:
    from silkscope.indicators.tables import CORE_TABLES

    counts = ", ".join(f"(SELECT count(*) FROM core.{name})" for name in CORE_TABLES)
    return ",".join(str(n) for n in con.execute(f"SELECT {counts}").fetchone())


_SCOPE_SQL = {
    "duckdb": "SELECT min(year), max(year), list(DISTINCT partner_iso3), list(DISTINCT country_iso3) FROM out.panel",
    "pyspark": "SELECT min(year), max(year), collect_set(partner_iso3), collect_set(country_iso3) FROM out_panel",
}


def stored_scope(t: Tables) -> tuple[int, int, set[str], set[str]] | None:
    """(first year, last year, partners, countries) of out.panel, or None when it is missing or stale. Read once per
    Tables (a request's; an answer asks for it up to three times)."""
    if "stored_scope" not in t.memo:
        t.memo["stored_scope"] = _stored_scope(t)
    return t.memo["stored_scope"]


def _stored_scope(t: Tables) -> tuple[int, int, set[str], set[str]] | None:
    if not t.has("panel"):
        return None
    if t.engine == "duckdb":
        # out_version: the code that wrote out.* (analysis.version); an older silkscope's panel is not read
        stamps = dict(t.query("SELECT key, value FROM core.meta WHERE key IN (?, ?)", [FACTS_KEY, META_KEY]))
        if stamps.get(META_KEY) != out_version() or stamps.get(FACTS_KEY) != _fact_counts(t.connection()):
            return None  # written by other code, or the facts changed since: compute instead
    lo, hi, partners, countries = t.query(_SCOPE_SQL[t.engine])[0]
    if lo is None:
        return None
    return lo, hi, set(partners), set(countries)


def _covers(scope, partners: Sequence[str] | None, countries: Sequence[str], since: int, until: int) -> bool:
    return bool(
        scope
        and scope[0] <= since
        and until <= scope[1]
        and set(partners or ()) <= scope[2]
        and set(countries) <= scope[3]
    )


def covered(t: Tables, partners: Sequence[str] | None, countries: Sequence[str], since: int, until: int) -> bool:
    """Whether out.panel holds this scope (and is current): the indicators then filter it."""
    return _covers(stored_scope(t), partners, countries, since, until)


def _rows(t: Tables, partners, countries, since, until, *, nonempty: bool = False) -> ibis.Table:
    """out.panel's rows in scope, every column (with its bookkeeping: `recorded`, `source_ids`)."""
    p = t("panel")
    keep = [t.isin(p.country_iso3, "countries", countries), t.between(p.year, since, until)]
    if partners is not None:
        keep.append(t.isin(p.partner_iso3, "partners", partners))
    if nonempty:
        keep.append(p.recorded)
    return p.filter(*keep)


def _read(t: Tables, partners, countries, since, until, *, with_sources: bool, nonempty: bool) -> ibis.Table:
    p = _rows(t, partners, countries, since, until, nonempty=nonempty)
    return p.drop("recorded") if with_sources else p.drop("recorded", "source_ids")


def panel_table(
    t: Tables,
    partners: Sequence[str],
    countries: Sequence[str],
    since: int,
    until: int,
    *,
    finance_dataset: str | None = None,
    trade_dataset: str | None = None,
    with_sources: bool = True,
    nonempty: bool = False,
    stored: bool | None = None,
) -> ibis.Table:
    """The dyad-year panel of these partners, countries and years: a filter of out.panel when it holds them all
    under the default datasets (the usual case: a few kB of SQL), else compiled from core.* (`dyad_year_panel`).
    `nonempty` drops dyad-years with nothing recorded. `stored`: whether out.panel holds the scope, when the caller
    has asked already (`covered`; a kept plan's build must not look anything up)."""
    partners, countries = list(partners), list(countries)
    if stored is None:
        stored = not (finance_dataset or trade_dataset) and covered(t, partners, countries, since, until)
    if stored:
        return _read(t, partners, countries, since, until, with_sources=with_sources, nonempty=nonempty)
    expr = dyad_year_panel(t, partners, countries, since, until, finance_dataset=finance_dataset,
                           trade_dataset=trade_dataset, with_sources=with_sources)  # fmt: skip
    if nonempty:
        expr = expr.filter(ibis.or_(*[(expr[c].notnull() & (expr[c] != 0)) for c in value_columns(expr)]))
    return expr


def universe(t: Tables, partners: Sequence[str], countries: Sequence[str], since: int, until: int):
    """(whether out.panel holds the scope, every partner recorded with these countries): the denominators of
    shares and of the index. out.panel holds every partner recorded with any C5 state (a partner with nothing
    recorded with the countries asked adds only empty rows, which neither a total nor a rank counts)."""
    scope = stored_scope(t)
    if _covers(scope, partners, countries, since, until):
        return True, tuple(sorted(scope[2]))
    return False, tuple(sorted(set(all_partners(t, countries)) | set(partners)))


def universe_panel(
    t: Tables, countries: Sequence[str], since: int, until: int, *, stored: bool, partners: Sequence[str]
) -> ibis.Table:
    """The panel over the universe `partners` (see `universe`), from out.panel when `stored`."""
    if stored:  # not dropping the bookkeeping columns: the indicators select theirs (a drop is a level of SQL)
        return _rows(t, None, list(countries), since, until)
    return dyad_year_panel(t, list(partners), list(countries), since, until, with_sources=False)


def universe_table(
    t: Tables, partners: Sequence[str], countries: Sequence[str], since: int, until: int
) -> tuple[ibis.Table, list[str]]:
    """The universe panel (see `universe`) and its partners."""
    stored, names = universe(t, partners, countries, since, until)
    return universe_panel(t, countries, since, until, stored=stored, partners=names), list(names)


def _evidence_plan(t: Tables, partners, countries, since: int, until: int, *, tables=()) -> ibis.Table:
    p = _read(t, partners, countries, since, until, with_sources=True, nonempty=False)
    found = p.select(source_id=p.source_ids.unnest()).distinct()
    return from_tables(t, found, tables) if tables else found


def evidence(
    t: Tables,
    partners: Sequence[str],
    countries: Sequence[str],
    since: int,
    until: int,
    columns: Sequence[str] | None = None,
) -> set[str]:
    """Every source behind the dyad-years in scope (the evidence of a derived table): out.panel's source lists when
    it holds the scope, else the facts' own (indicators.panel.evidence_sources); only those of the fact tables the
    panel `columns` are made from, when given (indicators.panel.fact_tables)."""
    partners, countries = list(partners), list(countries)
    if covered(t, partners, countries, since, until):
        scope = {"partners": partners, "countries": countries, "since": since, "until": until}
        tables = fact_tables(columns) if columns else ()
        return {r["source_id"] for r in t.rows(planned(t, _evidence_plan, scope, tables=tables)) if r["source_id"]}
    return evidence_sources(t, partners, countries, since, until, columns)


def _panel_plan(t: Tables, partners, countries, since: int, until: int, **options) -> ibis.Table:
    return panel_table(t, partners, countries, since, until, **options).order_by(KEYS)


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
    scope = {"partners": list(partners or DEFAULT_PARTNERS), "countries": list(countries or C5), "since": lo,
             "until": hi}  # fmt: skip
    stored = not (finance_dataset or trade_dataset) and covered(t, **scope)
    expr = planned(t, _panel_plan, scope, finance_dataset=finance_dataset, trade_dataset=trade_dataset,
                   nonempty=nonempty, stored=stored)  # fmt: skip
    notes = [
        "Instruments are never added: commitments, disbursements, current and constant dollars, reporter and "
        "mirror trade, curated visits, biographies and news each keep their own column.",
        "Curated-timeline counts are NULL for partners the timeline does not cover (not evidence of no visits).",
    ]
    result = to_result(t, expr, f"Dyad-year engagement panel, {lo}-{hi}", definitions(), notes)
    for row in result.rows:
        row["source_ids"] = sorted(row.get("source_ids") or [])
    return result
