"""Any measure of the catalogue for chosen partners and states, year by year, from out.observations: the data
behind the explorer, the `silkscope observations` command and /api/observations."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from silkscope import formatting
from silkscope.analysis.measures import FACETS, catalogue, label, measure
from silkscope.countries import resolve_list, resolve_scope, scope_name
from silkscope.errors import SilkscopeError
from silkscope.result import Result, fetch_rows, sources_for
from silkscope.series import most_complete

AVAILABLE_SQL = """SELECT measure, any_value(unit) AS unit, count(*) AS rows, count(DISTINCT partner_iso3) AS partners,
       min(year) AS first_year, max(year) AS last_year, list(DISTINCT dataset ORDER BY dataset) AS datasets
FROM out.observations GROUP BY measure ORDER BY measure"""

ROWS_SQL = """SELECT measure, partner_iso3, country_iso3, year, sum(value) AS value, any_value(unit) AS unit,
       any_value(definition) AS definition, dataset, any_value(edition) AS edition,
       list(DISTINCT source_id ORDER BY source_id) AS source_ids
FROM out.observations
WHERE (measure = ? OR measure LIKE ? || '.%')
  AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], partner_iso3) OR partner_iso3 IS NULL)
  AND list_contains(?::VARCHAR[], country_iso3) AND year BETWEEN ? AND ?
GROUP BY measure, partner_iso3, country_iso3, year, dataset
ORDER BY measure, partner_iso3, country_iso3, year"""


# One measure query for readers that choose among definitions themselves (the claim checker): every row of the
# measures asked for (a family name selects its members), with the facets that tell definitions apart.
SELECT_SQL = """SELECT measure, partner_iso3, country_iso3, year, value, unit, definition, source_id, dataset, edition,
       {facets}
FROM out.observations
WHERE (list_contains(?::VARCHAR[], measure) OR list_contains(?::VARCHAR[], split_part(measure, '.', 1)))
  AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], partner_iso3){own})
  AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], country_iso3)) AND year BETWEEN ? AND ?
ORDER BY measure, dataset, partner_iso3, country_iso3, year, {facets}"""


def select(
    names: list[str],
    countries: list[str] | None,
    since: int,
    until: int,
    partners: list[str | None] | None = None,
    *,
    own_series: bool = False,
) -> tuple[str, list[Any]]:
    """SQL and parameters over out.observations for catalogue measures (or families), states or groups as stored
    (no expansion: pass a group's members and the group id for both; None: any), partners (None: any) and years.
    `own_series` adds a state's own series (partner NULL: GDP, FDI inflows from all investors, exchange rates)."""
    for n in names:
        measure(n)  # an unknown name is a bug in the caller: say which
    own = " OR partner_iso3 IS NULL" if own_series else ""
    sql = SELECT_SQL.format(facets=", ".join(FACETS), own=own)
    states = list(countries) if countries is not None else None
    return sql, [list(names), list(names), partners, partners, states, states, since, until]


def names_of(instrument: str) -> list[str]:
    """The catalogue measures of one instrument (finance, trade, investment, presence, visits...)."""
    return [m.name for m in catalogue().values() if m.instrument == instrument]


def available(con) -> list[dict[str, Any]]:
    """Every measure the warehouse holds, with its label, unit, reach and datasets (the explorer's picker)."""
    _, rows = fetch_rows(con, AVAILABLE_SQL, [])
    for r in rows:
        r["label"] = label(r["measure"])
        r["instrument"] = measure(r["measure"]).instrument
    return rows


def observations(
    name: str,
    partners: str | list[str] | None = None,
    countries: str = "C5",
    since: int | None = None,
    until: int | None = None,
    *,
    dataset: str | None = None,
    con=None,
    db: str | Path | None = None,
) -> Result:
    """Rows of one measure (or of every member of a family such as `presence`) by partner, state and year.

    A series (one measure of one partner with one state) comes from one dataset, never spliced from two: `dataset`
    if given, else the one with the most years for it. Chosen per state, not per partner: each state's statistics
    office publishes its own trade, and a partner's most complete office would otherwise silence the others.
    """
    from silkscope.views import _connection  # one way to open the warehouse for every view

    entry = measure(name)
    chosen = resolve_list(partners) if partners else None
    members = list(resolve_scope(countries))
    lo, hi = since or 1945, until or 2100
    if lo > hi:
        raise SilkscopeError(f"--since {lo} is after --until {hi}: expected since <= until")
    params = [name, name, chosen, chosen, members, lo, hi]
    with _connection(con, db) as c:
        columns, rows = fetch_rows(c, ROWS_SQL, params)
        kept = _one_dataset(rows, dataset)
        sources = sources_for(c, sorted({s for r in kept for s in r["source_ids"]}))
    notes = []
    if len(kept) < len(rows):
        notes.append(
            f"{len(rows) - len(kept)} rows of other datasets left out: each partner's series with a state comes from "
            "one dataset (the most complete, or the one named with --dataset), never spliced."
        )
    if not kept:
        notes.append(
            f"No {entry.label.lower()} in the warehouse for this selection. Connectors that fill it: "
            f"{', '.join(entry.connectors) or 'the reference pack'} (`silkscope update`)."
        )
    for r in kept:
        r["label"] = label(r["measure"])
    years = sorted({r["year"] for r in kept}) or [lo, min(hi, 2026)]
    return Result(
        f"{entry.label} ({formatting.unit(entry.unit)}), {scope_name(countries)}, {years[0]}-{years[-1]}",
        [*columns, "label"],
        kept,
        ROWS_SQL,
        params,
        sources,
        {"value": f"{entry.definition}; unit {entry.unit}"},
        notes,
    )


def _one_dataset(rows: list[dict[str, Any]], dataset: str | None) -> list[dict[str, Any]]:
    if dataset:
        unknown = dataset not in {r["dataset"] for r in rows}
        if unknown and rows:
            have = ", ".join(sorted({r["dataset"] for r in rows}))
            raise SilkscopeError(f"dataset {dataset!r} has no rows here; expected one of: {have}")
        return [r for r in rows if r["dataset"] == dataset]
    cells: dict[tuple, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        cells[_series(r)][r["dataset"]].add((r["country_iso3"], r["year"]))
    best = {k: most_complete(v) for k, v in cells.items()}
    return [r for r in rows if best[_series(r)] == r["dataset"]]


def _series(row: dict[str, Any]) -> tuple:
    return row["measure"], row["partner_iso3"], row["country_iso3"]


def measure_names() -> list[str]:
    return list(catalogue())
