"""Per-instrument summaries for the views: finance, trade, investment, news events, leader engagements.

Amounts are summed only within one definition (dataset, flow class, measure, price basis, base year): silkscope
never adds commitments to disbursements or current to constant dollars.
"""

from __future__ import annotations

from typing import Any

import duckdb

from silkscope.result import Result, cited_ids, fetch_rows, sources_for

# When one figure per partner must be chosen (the compare summary), prefer the most complete, most official
# definition available. Order: dataset, measure, price basis.
FINANCE_PREFERENCE = [
    ("oecd_crs", "commitment", "constant"),
    ("oecd_dac2a", "disbursement_gross", "constant"),
    ("aiddata_flows", "commitment", "constant"),
    ("aiddata_china", "commitment", "constant"),
    ("oecd_crs", "commitment", "current"),
    ("aiddata_china", "commitment", "current"),
    ("reference_pack", "disbursement_net", "current"),
]


def _scope_sql(column: str = "country_iso3") -> str:
    # A group row (e.g. 'Central Asia, regional') counts only when the question is about that same group.
    return f"(list_contains(?::VARCHAR[], {column}) OR (group_id IS NOT NULL AND group_id = ?::VARCHAR))"


def finance(
    members: list[str],
    group: str | None,
    partners: list[str],
    lo: int,
    hi: int,
    con: duckdb.DuckDBPyConnection,
    *,
    by_year: bool = False,
    by_country: bool = False,
) -> Result:
    """Totals per definition for the partners in the scope; `by_year`, `by_country`: also per year, per state (a
    group's regional rows, which name no state, are then left out)."""
    year = "f.year, " if by_year else ""
    year += "f.country_iso3, " if by_country else ""
    group = None if by_country else group
    sql = f"""SELECT f.donor_iso3 AS partner_iso3, {year}s.loaded_by AS dataset, f.flow_class, f.measure,
       f.price_basis, f.base_year, sum(f.amount_usd) AS amount_usd, sum(f.project_count) AS projects,
       min(f.year) AS first_year, max(f.year) AS last_year,
       list(DISTINCT coalesce(f.country_iso3, f.group_id) ORDER BY coalesce(f.country_iso3, f.group_id)) AS scopes,
       any_value(f.definition) AS definition, list(DISTINCT f.source_id ORDER BY f.source_id) AS source_ids
FROM core.finance_flows f JOIN core.sources s USING (source_id)
WHERE list_contains(?::VARCHAR[], f.donor_iso3) AND f.year BETWEEN ? AND ? AND {_scope_sql("f.country_iso3")}
GROUP BY ALL ORDER BY ALL"""
    sql = sql.replace("group_id IS NOT NULL AND group_id", "f.group_id IS NOT NULL AND f.group_id")
    params = [partners, lo, hi, members, group]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "Official finance by definition",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {
            "amount_usd": "sum over the rows of one definition (dataset, flow class, measure, price basis, "
            "base year); never across definitions"
        },
    )


def trade(
    members: list[str], group: str | None, partners: list[str], lo: int, hi: int, con: duckdb.DuckDBPyConnection
) -> Result:
    sql = f"""SELECT partner_iso3, reporter_iso3, direction, classification, product_code,
       any_value(product_label) AS product_label, sum(value_usd) AS value_usd, min(year) AS first_year,
       max(year) AS last_year,
       list(DISTINCT coalesce(country_iso3, group_id) ORDER BY coalesce(country_iso3, group_id)) AS scopes,
       any_value(definition) AS definition, list(DISTINCT source_id ORDER BY source_id) AS source_ids
FROM core.trade_flows
WHERE list_contains(?::VARCHAR[], partner_iso3) AND year BETWEEN ? AND ? AND {_scope_sql()} AND month IS NULL
GROUP BY ALL ORDER BY ALL"""
    params = [partners, lo, hi, members, group]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "Trade by reporter, direction and product",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {
            "reporter_iso3": "who reported the flow: a C5 country's imports and the partner's exports are "
            "mirror figures of the same trade and usually differ"
        },
    )


def investment(
    members: list[str], group: str | None, partners: list[str], lo: int, hi: int, con: duckdb.DuckDBPyConnection
) -> Result:
    sql = f"""SELECT partner_iso3, coalesce(country_iso3, group_id) AS scope, year, measure, bound, value_usd,
       price_basis, definition, source_id
FROM core.investments
WHERE list_contains(?::VARCHAR[], partner_iso3) AND year BETWEEN ? AND ? AND {_scope_sql()}
ORDER BY partner_iso3, scope, measure, year"""
    params = [partners, lo, hi, members, group]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "Investment",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {"measure": "fdi_stock, fdi_flow or investment_cumulative, each as its source defines it"},
    )


def leader_engagements(
    members: list[str], partners: list[str], lo: int, hi: int, con: duckdb.DuckDBPyConnection
) -> Result:
    """Engagements from biographical sources (China Vitae): travel to the scope versus meetings at home."""
    sql = """SELECT leader_iso3 AS partner_iso3, leader, level, kind, count(*) AS engagements,
       count(DISTINCT engagement_date) AS days, min(engagement_date) AS first_date, max(engagement_date) AS last_date,
       list(DISTINCT counterpart_iso3 ORDER BY counterpart_iso3) AS counterparts,
       list(DISTINCT source_id ORDER BY source_id) AS source_ids
FROM core.leader_engagements
WHERE list_contains(?::VARCHAR[], leader_iso3) AND list_contains(?::VARCHAR[], counterpart_iso3)
  AND year BETWEEN ? AND ?
GROUP BY ALL ORDER BY partner_iso3, level, leader, kind"""
    params = [partners, members, lo, hi]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "Leader engagements recorded by biographical sources",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {
            "kind": "travel = the leader went to the country; meeting_at_home = its officials came to the "
            "leader; kept apart from the curated visit timeline"
        },
    )


def news_events(members: list[str], partners: list[str], lo: int, hi: int, con: duckdb.DuckDBPyConnection) -> Result:
    sql = """WITH dyads AS (
    SELECT CASE WHEN list_contains(?::VARCHAR[], actor1_iso3) THEN actor1_iso3 ELSE actor2_iso3 END AS partner_iso3,
           event_class, event_count, year, source_id
    FROM core.news_events
    WHERE year BETWEEN ? AND ?
      AND ((list_contains(?::VARCHAR[], actor1_iso3) AND list_contains(?::VARCHAR[], actor2_iso3))
        OR (list_contains(?::VARCHAR[], actor2_iso3) AND list_contains(?::VARCHAR[], actor1_iso3))))
SELECT partner_iso3, event_class, sum(event_count) AS events, min(year) AS first_year, max(year) AS last_year,
       list(DISTINCT source_id ORDER BY source_id) AS source_ids
FROM dyads GROUP BY ALL ORDER BY ALL"""
    params = [partners, lo, hi, partners, members, partners, members]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "News-derived events (GDELT), de-duplicated by source URL and day",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {
            "events": "machine-coded from news reports: counts of reported events, not of visits; never "
            "added to the curated timeline"
        },
    )


def preferred_finance(rows: list[dict[str, Any]], partner: str) -> dict[str, Any] | None:
    """The one finance row per partner that the summary shows, by FINANCE_PREFERENCE."""
    mine = [r for r in rows if r["partner_iso3"] == partner]
    for dataset, measure, basis in FINANCE_PREFERENCE:
        for row in mine:
            if (row["dataset"], row["measure"], row["price_basis"]) == (dataset, measure, basis):
                return row
    return mine[0] if mine else None
