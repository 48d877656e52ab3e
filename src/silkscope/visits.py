"""Visits, dialogue formats and presence: the curated-timeline measures behind profile and compare."""

from __future__ import annotations

import duckdb

from silkscope import coverage
from silkscope.result import Result, cited_ids, fetch_rows, sources_for
from silkscope.schema import LEADER_LEVELS

DEFINITIONS = {
    "country_visits": "held visits by the partner's head of state or government to a host country in scope; "
    "a tour of three countries counts three",
    "trips": "distinct journeys by the partner's leader to the scope (a multi-country tour counts once)",
    "inbound_visits": "held visits by a leader of a country in scope to the partner (a summit attended during "
    "a bilateral visit with the same trip id counts once)",
    "format_meetings": "held meetings of the partner's Central Asia dialogue formats, and of multilateral formats it "
    "is one member of (Turkic Council / OTS), any level; such summits are meetings, never visits",
    "leader level": "head_of_state or head_of_government; former heads of state and ministers are excluded",
}


def covered_partners(con: duckdb.DuckDBPyConnection) -> coverage.Coverage:
    """Partners the curated timeline covers, with their periods (reference_pack/coverage.csv); others are
    'not covered', not 0. A mapping partner -> spans, so `partner in covered` works as for a set."""
    return coverage.load(con)


def _visits_result(title: str, sql: str, params: list, con, definitions: dict[str, str]) -> Result:
    """A visits answer: its rows (each row's cited sources sorted, once each) with the sources they cite."""
    columns, rows = fetch_rows(con, sql, params)
    for row in rows:
        row["source_ids"] = sorted(set(row["source_ids"] or []))
    return Result(title, columns, rows, sql, params, sources_for(con, cited_ids(rows)), definitions)


def leader_visits(members: list[str], partners: list[str], lo: int, hi: int, con) -> Result:
    sql = f"""SELECT p.partner_iso3,
       count(DISTINCT v.host_iso3 || '/' || v.trip_key) AS country_visits,
       count(DISTINCT v.trip_key) AS trips,
       min(v.date_start) AS first_visit, max(v.date_start) AS last_visit,
       list(DISTINCT v.year ORDER BY v.year) FILTER (WHERE v.year IS NOT NULL) AS years,
       list(DISTINCT v.event_id ORDER BY v.event_id) FILTER (WHERE v.event_id IS NOT NULL) AS event_ids,
       flatten(list(v.source_ids) FILTER (WHERE v.source_ids IS NOT NULL)) AS source_ids
FROM unnest(?::VARCHAR[]) AS p(partner_iso3)
LEFT JOIN out.visits v ON v.visitor_iso3 = p.partner_iso3 AND v.level IN {LEADER_LEVELS}
     AND list_contains(?::VARCHAR[], v.host_iso3) AND v.year BETWEEN ? AND ?
GROUP BY p.partner_iso3 ORDER BY trips DESC, p.partner_iso3"""
    return _visits_result(
        "Leader-level visits by partner to the scope",
        sql,
        [partners, members, lo, hi],
        con,
        {k: DEFINITIONS[k] for k in ("country_visits", "trips", "leader level")},
    )


def leader_visits_by_country(members: list[str], partners: list[str], lo: int, hi: int, con) -> Result:
    """leader_visits for each state in `members` apart: a row per partner and state (the overview's map), in one
    statement rather than one per state."""
    sql = f"""SELECT p.partner_iso3, m.country_iso3,
       count(DISTINCT v.trip_key) AS country_visits,
       list(DISTINCT v.event_id ORDER BY v.event_id) FILTER (WHERE v.event_id IS NOT NULL) AS event_ids,
       flatten(list(v.source_ids) FILTER (WHERE v.source_ids IS NOT NULL)) AS source_ids
FROM unnest(?::VARCHAR[]) AS p(partner_iso3) CROSS JOIN unnest(?::VARCHAR[]) AS m(country_iso3)
LEFT JOIN out.visits v ON v.visitor_iso3 = p.partner_iso3 AND v.host_iso3 = m.country_iso3
     AND v.level IN {LEADER_LEVELS} AND v.year BETWEEN ? AND ?
GROUP BY ALL ORDER BY ALL"""
    return _visits_result(
        "Leader-level visits by partner to each state",
        sql,
        [partners, members, lo, hi],
        con,
        {k: DEFINITIONS[k] for k in ("country_visits", "leader level")},
    )


def inbound_visits(members: list[str], partners: list[str], lo: int, hi: int, con) -> Result:
    sql = f"""SELECT p.partner_iso3,
       count(DISTINCT v.visitor_iso3 || '/' || v.trip_key) AS inbound_visits,
       min(v.date_start) AS first_visit, max(v.date_start) AS last_visit,
       list(DISTINCT v.event_id ORDER BY v.event_id) FILTER (WHERE v.event_id IS NOT NULL) AS event_ids,
       flatten(list(v.source_ids) FILTER (WHERE v.source_ids IS NOT NULL)) AS source_ids
FROM unnest(?::VARCHAR[]) AS p(partner_iso3)
LEFT JOIN out.visits v ON v.host_iso3 = p.partner_iso3 AND v.level IN {LEADER_LEVELS}
     AND list_contains(?::VARCHAR[], v.visitor_iso3) AND v.year BETWEEN ? AND ?
GROUP BY p.partner_iso3 ORDER BY inbound_visits DESC, p.partner_iso3"""
    return _visits_result(
        "Leader-level visits from the scope to each partner",
        sql,
        [partners, members, lo, hi],
        con,
        {"inbound_visits": DEFINITIONS["inbound_visits"]},
    )


def dialogue_meetings(members: list[str], partners: list[str], lo: int, hi: int, con) -> Result:
    sql = """SELECT f.partner_iso3, f.format_id, f.name, f.launched, f.launch_level, f.first_summit, f.top_level,
       count(e.event_id) AS format_meetings,
       count(e.event_id) FILTER (WHERE e.level IN ('head_of_state', 'head_of_government')) AS format_summits,
       max(e.date_start) AS last_meeting, f.citation_status, f.source_ids AS format_source_ids,
       flatten(list(e.source_ids) FILTER (WHERE e.source_ids IS NOT NULL)) AS meeting_source_ids
FROM core.dialogue_formats f
LEFT JOIN core.events e ON e.format_id = f.format_id AND e.status = 'held' AND e.year BETWEEN ? AND ?
WHERE list_contains(?::VARCHAR[], f.partner_iso3) AND list_has_any(f.members_iso3, ?::VARCHAR[])
GROUP BY ALL ORDER BY f.launched"""
    params = [lo, hi, partners, members]
    columns, rows = fetch_rows(con, sql, params)
    for row in rows:
        row["source_ids"] = sorted(set(row.pop("format_source_ids")) | set(row.pop("meeting_source_ids") or []))
    columns = [c for c in columns if not c.endswith("_source_ids")] + ["source_ids"]
    return Result(
        "Dialogue formats and their meetings",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {"format_meetings": DEFINITIONS["format_meetings"]},
    )


def presence(members: list[str], partners: list[str], lo: int, hi: int, con) -> Result:
    sql = """SELECT partner_iso3, coalesce(country_iso3, group_id) AS scope, presence_kind, count, as_of,
       date_precision, definition, source_id, source_ids
FROM core.presence
WHERE list_contains(?::VARCHAR[], partner_iso3) AND year BETWEEN ? AND ?
  AND (list_contains(?::VARCHAR[], country_iso3)
       OR group_id IN (SELECT group_id FROM core.country_group_members WHERE list_contains(?::VARCHAR[], country_iso3)))
ORDER BY partner_iso3, presence_kind, as_of"""
    params = [partners, lo, hi, members, members]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "Presence: companies, joint ventures, offices",
        columns,
        rows,
        sql,
        params,
        sources_for(con, cited_ids(rows)),
        {"presence_kind": "each count keeps the definition its source used; kinds are not comparable"},
    )


def visits_by_year(members: list[str], partners: list[str], lo: int, hi: int, con) -> Result:
    sql = f"""SELECT year,
       visitor_iso3 AS partner_iso3,
       count(DISTINCT host_iso3 || '/' || trip_key) AS country_visits,
       list(DISTINCT host_iso3 ORDER BY host_iso3) AS hosts,
       list(DISTINCT visitor_person) AS leaders
FROM out.visits
WHERE level IN {LEADER_LEVELS} AND list_contains(?::VARCHAR[], visitor_iso3)
  AND list_contains(?::VARCHAR[], host_iso3) AND year BETWEEN ? AND ?
GROUP BY ALL ORDER BY year, partner_iso3"""
    params = [partners, members, lo, hi]
    columns, rows = fetch_rows(con, sql, params)
    return Result(
        "Leader-level visits by year", columns, rows, sql, params, [], {"country_visits": DEFINITIONS["country_visits"]}
    )


def coverage_notes(partners: list[str], covered: coverage.Coverage | set[str]) -> list[str]:
    """What the timeline covers for each chosen partner, and which it does not cover at all."""
    if isinstance(covered, coverage.Coverage):
        return coverage.notes(partners, covered)
    missing = [p for p in partners if p not in covered]
    return (
        [
            f"The curated visit timeline does not cover {', '.join(missing)}: their visit counts are "
            "'not covered', not evidence of no visits."
        ]
        if missing
        else []
    )


def mark_uncovered(result: Result, covered: set[str]) -> None:
    for row in result.rows:
        if row.get("partner_iso3") not in covered:
            for key in ("country_visits", "trips", "inbound_visits"):
                if key in row:
                    row[key] = None
