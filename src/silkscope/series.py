"""Year-by-year series that compare like with like: each partner's finance to each state under one definition,
each state's largest trading partners, and the states' context indicators (GDP, FDI inflows, ODA received)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from silkscope import labels
from silkscope.countries import EU_CODE, WORLD_CODE, name
from silkscope.result import Result, fetch_rows, sources_for

# One definition for every partner in a finance comparison: the one most of the chosen partners have, ties broken
# in this order (flow family, measure, price basis). Net ODA disbursements in current US$ come first: OECD DAC
# Table 2a as republished by WDI covers every DAC donor to every recipient since 1960.
DEFINITION_PREFERENCE = [
    ("oda", "disbursement_net", "current"),
    ("oda", "disbursement_gross", "current"),
    ("oda", "disbursement_gross", "constant"),
    ("oda", "commitment", "current"),
    ("oda", "commitment", "constant"),
    ("development_finance", "commitment", "constant"),
]
# Within one definition a partner's series comes from one dataset, never spliced: the one with the most
# state-years; on a tie the publisher's own release first, then republications.
DATASET_ORDER = ("oecd_dac2a", "wdi_ddf", "wdi_api", "wdi", "oecd_crs", "aiddata_flows", "aiddata_china")


def _family(flow_class: str) -> str:
    for prefix in ("oda", "oof", "export_credit", "development_finance"):
        if flow_class.startswith(prefix):
            return prefix
    return flow_class


def _definition_rank(key: tuple) -> int:
    family, measure, basis, _base = key
    try:
        return DEFINITION_PREFERENCE.index((family, measure, basis))
    except ValueError:
        return len(DEFINITION_PREFERENCE)


def _dataset_rank(dataset: str) -> tuple[int, str]:
    return (DATASET_ORDER.index(dataset) if dataset in DATASET_ORDER else len(DATASET_ORDER), dataset)


def most_complete(cells_by_dataset: dict[str, set]) -> str:
    """The dataset with the most state-years; on a tie the publisher's own release (DATASET_ORDER), the curated
    pack last. One partner's series comes from it alone, never spliced from two."""
    return min(cells_by_dataset, key=lambda d: (-len(cells_by_dataset[d]), d == "reference_pack", _dataset_rank(d)))


FINANCE_SQL = """SELECT f.donor_iso3 AS partner_iso3, f.country_iso3, f.year, s.loaded_by AS dataset, f.flow_class,
       f.measure, f.price_basis, f.base_year, sum(f.amount_usd) AS amount_usd,
       any_value(f.definition) AS definition, list(DISTINCT f.source_id ORDER BY f.source_id) AS source_ids
FROM core.finance_flows f JOIN core.sources s USING (source_id)
WHERE list_contains(?::VARCHAR[], f.donor_iso3) AND list_contains(?::VARCHAR[], f.country_iso3)
  AND f.year BETWEEN ? AND ?
GROUP BY ALL ORDER BY ALL"""


def finance_series(
    members: list[str],
    partners: list[str],
    lo: int,
    hi: int,
    con: duckdb.DuckDBPyConnection,
    *,
    total: str | None = None,
) -> Result:
    """One row per state and year, one column per partner (US$), all under the definition most partners share.
    With `total` (a group's name, e.g. C5) a row per year sums the states, saying how many it covers."""
    params = [partners, members, lo, hi]
    _, rows = fetch_rows(con, FINANCE_SQL, params)
    by_def: dict[tuple, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        key = (_family(r["flow_class"]), r["measure"], r["price_basis"], r["base_year"])
        by_def[key][r["partner_iso3"]].append(r)
    columns = ["country_iso3", "year", *[f"{p}_usd" for p in partners]]
    if not by_def:
        return Result(
            "Official finance by year",
            columns,
            [],
            FINANCE_SQL,
            params,
            notes=[
                "No official finance rows for these partners and states. `silkscope build` loads the embedded "
                "snapshot (WDI net ODA by DAC donor); `silkscope update` loads OECD DAC/CRS and AidData."
            ],
        )
    chosen = min(by_def, key=lambda k: (-len(by_def[k]), _definition_rank(k), str(k)))
    family, measure, basis, base_year = chosen
    cells: dict[tuple[str, int], dict[str, Any]] = {}
    used: list[dict[str, Any]] = []
    datasets: dict[str, str] = {}
    for partner, partner_rows in by_def[chosen].items():
        cells_per = defaultdict(set)
        for r in partner_rows:
            cells_per[r["dataset"]].add((r["country_iso3"], r["year"]))
        dataset = most_complete(cells_per)
        datasets[partner] = dataset
        for r in partner_rows:
            if r["dataset"] != dataset:
                continue
            cell = cells.setdefault(
                (r["country_iso3"], r["year"]), {"country_iso3": r["country_iso3"], "year": r["year"]}
            )
            cell[f"{partner}_usd"] = r["amount_usd"]
            used.append(r)
    ids_by_cell: dict[tuple[str, int], set[str]] = defaultdict(set)  # the sources of the rows behind each cell
    for r in used:
        ids_by_cell[(r["country_iso3"], r["year"])].update(r["source_ids"])
    out = [{c: cells[k].get(c) for c in columns} | {"source_ids": sorted(ids_by_cell[k])} for k in sorted(cells)]
    if total and len(members) > 1:
        for year in sorted({y for _, y in cells}):
            of_year = [cells[(m, year)] for m in members if (m, year) in cells]
            row: dict[str, Any] = {"country_iso3": total, "year": year}
            for p in partners:
                values = [c[f"{p}_usd"] for c in of_year if c.get(f"{p}_usd") is not None]
                row[f"{p}_usd"] = sum(values) if values else None
                row[f"{p}_states"] = len(values)
            row["source_ids"] = sorted({s for m in members for s in ids_by_cell.get((m, year), ())})
            out.append(row)
    said = labels.FAMILIES.get(family, labels.words(family))  # 'ODA', not 'oda'
    label = f"{said} {measure.replace('_', ' ')}, {basis} US${f' ({base_year})' if base_year else ''}"
    definitions = {
        f"{p}_usd": f"{name(p)}: {label}, {labels.dataset_short(datasets[p])} — {by_def[chosen][p][0]['definition']}"
        for p in partners
        if p in datasets
    }
    notes = [f"All partners are compared under one definition: {label}. A blank cell is a year with no row."]
    if total and len(members) > 1:
        notes.append(
            f"Rows {total}: the sum over the {len(members)} states that have a row that year; each partner's "
            "'states summed' column says how many (a sum over fewer states is a partial total)."
        )
        columns = [*columns, *[f"{p}_states" for p in partners]]
    for p in partners:
        if p in datasets:
            continue
        others = sorted({f"{k[0]} {k[1].replace('_', ' ')}, {k[2]} US$" for k, v in by_def.items() if p in v})
        if others:
            notes.append(f"{name(p)} has no series under this definition; the warehouse has: {'; '.join(others)}.")
        else:
            notes.append(f"{name(p)}: no official finance rows for these states and years.")
    if EU_CODE in datasets:
        notes.append("European Union = EU institutions (DAC donor code CEC), not the sum of the member states.")
    return Result(
        f"Official finance by year: {label}",
        [*columns, "source_ids"],
        out,
        FINANCE_SQL,
        params,
        sources_for(con, sorted({s for r in used for s in r["source_ids"]})),
        definitions,
        notes,
    )


# Rows about each state: the state's own statistics, its partners' reports about it, and — flipped to the state's
# side — what another Central Asian state reports about its trade with it (Kyrgyzstan's exports to Kazakhstan are
# Kazakhstan's imports from Kyrgyzstan, as Kyrgyzstan reports them).
TRADE_SQL = """WITH facts AS (
    SELECT country_iso3, partner_iso3, year, reporter_iso3, direction, value_usd, currency, source_id
    FROM core.trade_flows
    WHERE list_contains(?::VARCHAR[], country_iso3) AND year BETWEEN ? AND ? AND month IS NULL
      AND product_code = 'TOTAL' AND direction <> 'total'
    UNION ALL
    SELECT partner_iso3, country_iso3, year, reporter_iso3,
           CASE direction WHEN 'country_to_partner' THEN 'partner_to_country' ELSE 'country_to_partner' END,
           value_usd, currency, source_id
    FROM core.trade_flows
    WHERE list_contains(?::VARCHAR[], partner_iso3) AND year BETWEEN ? AND ? AND month IS NULL
      AND product_code = 'TOTAL' AND direction <> 'total' AND reporter_iso3 = country_iso3),
annual AS (
    SELECT country_iso3, year, partner_iso3, reporter_iso3,
           sum(value_usd) FILTER (WHERE direction = 'country_to_partner') AS exports_usd,
           sum(value_usd) FILTER (WHERE direction = 'partner_to_country') AS imports_usd,
           count(*) FILTER (WHERE value_usd IS NULL) AS unconverted,
           list(DISTINCT source_id ORDER BY source_id) AS source_ids
    FROM facts GROUP BY ALL)
SELECT *, CASE WHEN reporter_iso3 = country_iso3 THEN 'own' ELSE 'partner' END AS reported_by
FROM annual ORDER BY country_iso3, year, partner_iso3"""


def trade_partners(members: list[str], lo: int, hi: int, top: int, con: duckdb.DuckDBPyConnection) -> Result:
    """Each state's largest trading partners by year: its own statistics where loaded, else partners' reports."""
    params = [members, lo, hi, members, lo, hi]
    _, rows = fetch_rows(con, TRADE_SQL, params)
    unconverted = sorted({r["reporter_iso3"] for r in rows if r["unconverted"]})
    rows = [r for r in rows if r["exports_usd"] is not None or r["imports_usd"] is not None]
    groups: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["country_iso3"], r["year"])].append(r)
    out: list[dict[str, Any]] = []
    own_years: dict[str, list[int]] = defaultdict(list)
    for (country, year), group in sorted(groups.items()):
        own = [r for r in group if r["reported_by"] == "own"]
        if own:
            own_years[country].append(year)
            chosen, basis = own, f"{name(country)}'s own statistics"
        else:  # directions in core are the state's either way: its exports are the partner's imports
            chosen = group
            reporters = sorted({r["reporter_iso3"] for r in group})
            basis = "partners' reports (" + ", ".join(reporters) + ")"
        ranked = [r for r in chosen if r["partner_iso3"] not in (EU_CODE, WORLD_CODE)]
        # of its trade with all partners as it publishes it (its total row), else of the partner rows' sum
        world = [r for r in chosen if r["partner_iso3"] == WORLD_CODE and r["exports_usd"] and r["imports_usd"]]
        total = sum((r["exports_usd"] or 0) + (r["imports_usd"] or 0) for r in (world[:1] or ranked))
        # each direction's share only of the state's own total that way (its total row): no partner-sum fallback
        way = {d: (world[0][d] if world and own else None) for d in ("exports_usd", "imports_usd")}
        ranked.sort(key=lambda r: -((r["exports_usd"] or 0) + (r["imports_usd"] or 0)))
        for i, r in enumerate(ranked[:top], 1):
            turnover = (r["exports_usd"] or 0) + (r["imports_usd"] or 0)
            out.append(
                {
                    "country_iso3": country,
                    "year": year,
                    "rank": i,
                    "partner_iso3": r["partner_iso3"],
                    "partner": name(r["partner_iso3"]),
                    "turnover_usd": turnover,
                    # the state's side, named apart: the panel's exports_usd are the partner's exports to the state
                    "state_exports_usd": r["exports_usd"],
                    "state_imports_usd": r["imports_usd"],
                    "share_pct": 100.0 * turnover / total if own and total else None,
                    "of_total_usd": total if own and total else None,
                    "export_share_pct": _pct(r["exports_usd"] or 0.0, way["exports_usd"]),
                    "exports_total_usd": way["exports_usd"],
                    "import_share_pct": _pct(r["imports_usd"] or 0.0, way["imports_usd"]),
                    "imports_total_usd": way["imports_usd"],
                    "reported_by": basis,
                    "source_ids": r["source_ids"],
                }
            )
    columns = list(out[0]) if out else ["country_iso3", "year", "rank", "partner_iso3", "turnover_usd"]
    notes = [
        "Ranked by goods turnover (exports + imports, current US$) among partner countries; the EU is ranked "
        "through its members, never as a bloc beside them."
    ]
    for country in members:
        years = own_years.get(country)
        if not years:
            notes.append(
                f"{name(country)}: no statistics of its own are loaded: ranks come from the reports of the partners "
                "whose statistics are loaded, so they cover only those partners and share_pct is blank."
            )
    if unconverted:
        notes.append(
            f"Figures reported in another currency by {', '.join(unconverted)} are left out: no exchange-rate series "
            "is loaded to convert them to US$ (`silkscope update --only wdi_ddf` loads PA.NUS.FCRF)."
        )
    if any(c in members for c in ("TJK", "TKM")):
        notes.append("Tajikistan and Turkmenistan publish no partner figures here: only partners' reports.")
    return Result(
        f"Largest trading partners by year (top {top})",
        columns,
        out,
        TRADE_SQL,
        params,
        sources_for(con, sorted({s for r in out for s in r["source_ids"]})),
        {
            "share_pct": "partner's share of the state's turnover with all partners in its own statistics: their "
            "total row where they publish one, else the sum of their partner rows",
            "of_total_usd": "the turnover share_pct is a share of",
            "export_share_pct": "partner's share of the state's exports to all partners, its own statistics' total "
            "row (blank where it publishes none)",
            "import_share_pct": "partner's share of the state's imports from all partners, its own statistics' total "
            "row (blank where it publishes none)",
            "exports_total_usd": "the state's exports to all partners, its own statistics' total row: what "
            "export_share_pct is a share of",
            "imports_total_usd": "the state's imports from all partners, its own statistics' total row: what "
            "import_share_pct is a share of",
            "reported_by": "whose statistics the figures are: the state's own, or its partners' (mirror) reports",
        },
        notes,
    )


def _pct(part: float, whole: float | None) -> float | None:
    return 100.0 * part / whole if whole else None


CONTEXT_CODES = {
    "NY.GDP.MKTP.CD": "gdp_usd",
    "BX.KLT.DINV.CD.WD": "fdi_inflows_usd",
    "DT.ODA.ODAT.CD": "oda_received_usd",
    "DC.DAC.TOTL.CD": "dac_bilateral_oda_usd",
}
CONTEXT_SQL = """SELECT i.country_iso3, i.year, i.indicator_code, i.value, i.definition, i.source_id,
       s.loaded_by AS dataset, s.version
FROM core.indicators i JOIN core.sources s USING (source_id)
WHERE list_contains(?::VARCHAR[], i.country_iso3) AND list_contains(?::VARCHAR[], i.indicator_code)
  AND i.partner_iso3 IS NULL AND i.year BETWEEN ? AND ? AND i.value IS NOT NULL AND s.superseded_at IS NULL
ORDER BY i.country_iso3, i.year"""


def context(members: list[str], lo: int, hi: int, con: duckdb.DuckDBPyConnection) -> Result:
    """GDP, FDI net inflows and ODA received by state and year, each from one dataset (the newest edition)."""
    params = [members, list(CONTEXT_CODES), lo, hi]
    _, rows = fetch_rows(con, CONTEXT_SQL, params)
    # one dataset per indicator: the one with the latest year (the newest edition), never spliced with another
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        code = r["indicator_code"]
        best[code] = max(best.get(code, (0, "")), (r["year"], r["dataset"]))
    cells: dict[tuple[str, int], dict[str, Any]] = {}
    definitions: dict[str, str] = {}
    for r in rows:
        code = r["indicator_code"]
        if r["dataset"] != best[code][1]:
            continue
        cell = cells.setdefault((r["country_iso3"], r["year"]), {"source_ids": set()})
        cell[CONTEXT_CODES[code]] = r["value"]
        cell["source_ids"].add(r["source_id"])
        definitions[CONTEXT_CODES[code]] = f"{r['definition']} ({code}; dataset {r['dataset']}, edition {r['version']})"
    columns = ["country_iso3", "year", *CONTEXT_CODES.values(), "source_ids"]
    out = [
        {"country_iso3": c, "year": y, **{k: v for k, v in cell.items() if k != "source_ids"}}
        | {"source_ids": sorted(cell["source_ids"])}
        for (c, y), cell in sorted(cells.items())
    ]
    out = [{col: row.get(col) for col in columns} for row in out]
    latest = {code: year for code, (year, _) in best.items()}
    notes = [f"{CONTEXT_CODES[c]}: latest year {y}" for c, y in sorted(latest.items())]
    if not out:
        notes = ["No context indicators loaded: `silkscope build` loads the embedded WDI snapshot."]
    return Result(
        "Context: GDP, FDI net inflows and ODA received",
        columns,
        out,
        CONTEXT_SQL,
        params,
        sources_for(con, sorted({s for r in out for s in r["source_ids"]})),
        definitions,
        notes,
    )


PARTNER_TRADE_SQL = """SELECT country_iso3, year, reporter_iso3,
       sum(value_usd) FILTER (WHERE direction = 'country_to_partner') AS exports_to_partner_usd,
       sum(value_usd) FILTER (WHERE direction = 'partner_to_country') AS imports_from_partner_usd,
       list(DISTINCT source_id ORDER BY source_id) AS source_ids
FROM core.trade_flows
WHERE partner_iso3 = ? AND list_contains(?::VARCHAR[], country_iso3) AND year BETWEEN ? AND ? AND month IS NULL
  AND product_code = 'TOTAL' AND value_usd IS NOT NULL AND direction <> 'total'
GROUP BY ALL ORDER BY country_iso3, year, reporter_iso3"""


def partner_trade(partner: str, members: list[str], lo: int, hi: int, con: duckdb.DuckDBPyConnection) -> Result:
    """A partner's goods trade with each state by year, as each reporter publishes it (the two sides kept apart)."""
    params = [partner, members, lo, hi]
    columns, rows = fetch_rows(con, PARTNER_TRADE_SQL, params)
    for r in rows:
        r["reported_by"] = "own statistics" if r["reporter_iso3"] == r["country_iso3"] else "partner's report"
    notes = [
        "exports/imports are the Central Asian state's: a state's imports from the partner and the partner's exports "
        "to it are mirror figures of the same trade and usually differ (freight, timing, transit)."
    ]
    if rows and not any(r["reporter_iso3"] == r["country_iso3"] for r in rows):
        notes.append("Only the partner's reports are loaded for these states.")
    return Result(
        f"Goods trade of {name(partner)} with each state by year",
        [*columns, "reported_by"],
        rows,
        PARTNER_TRADE_SQL,
        params,
        sources_for(con, sorted({s for r in rows for s in r["source_ids"]})),
        {"reporter_iso3": "who published the figure"},
        notes,
    )
