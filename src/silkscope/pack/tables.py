"""Reference pack files: their list, the sources/events/formats/claims converters, and the checks across rows."""

from __future__ import annotations

from urllib.parse import urlsplit

from silkscope.errors import Problem
from silkscope.pack.base import (
    EVENT_TYPES,
    LEVELS,
    PRECISIONS,
    SOURCE_KINDS,
    STATUSES,
    RowReader,
    problem_at,
)
from silkscope.pack.coverage import CLASS_COLUMNS, COVERAGE_COLUMNS, class_row, coverage_row
from silkscope.pack.facts import (  # citation_fields lives there so the two modules import one way only
    FINANCE_COLUMNS,
    INVESTMENT_COLUMNS,
    OPINION_COLUMNS,
    PRESENCE_COLUMNS,
    TRADE_COLUMNS,
    citation_fields,
    finance_row,
    investment_row,
    opinion_row,
    presence_row,
    trade_row,
)
from silkscope.pack.leaders import LEADER_TERM_COLUMNS, leader_term_row

SOURCE_COLUMNS = ["source_id", "kind", "publisher", "title", "url", "licence", "accessed", "citation"]


def source_row(r: RowReader) -> dict | None:
    source_id = r.text("source_id")
    if source_id and not (
        source_id.startswith("src_") and source_id.replace("_", "").isalnum() and source_id == source_id.lower()
    ):
        r.problem("source_id", "src_ followed by lowercase letters, digits and underscores", source_id)
    row = {
        "source_id": source_id,
        "kind": r.enum("kind", SOURCE_KINDS),
        "publisher": r.text("publisher"),
        "title": r.text("title"),
        "url": _web_url(r, "url"),
        "licence": r.text("licence", required=False),
        "accessed": r.partial_date("accessed", "day", required=False),
        "retrieved_at": None,
        "sha256": None,
        "version": None,
        "citation": r.text("citation"),
        "loaded_by": "reference_pack",
        "record": f"{r.file}:{r.line}",
    }
    return row if source_id else None


def _web_url(r: RowReader, column: str) -> str | None:
    """An http(s) address with a host, or nothing: pages and reports turn it into a link, so a javascript:,
    data: or file: URL would run or open something on the reader's machine."""
    value = r.text(column, required=False)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        r.problem(column, "an http:// or https:// address with a host (no spaces)", value[:200])
        return None
    return value


EVENT_COLUMNS = [
    "event_id",
    "date_start",
    "date_end",
    "date_precision",
    "event_type",
    "status",
    "mode",
    "level",
    "visitor_iso3",
    "visitor_person",
    "host_iso3",
    "trip_id",
    "format_id",
    "title",
    "note",
    "confidence",
    "source_ids",
    "citation_status",
]


def event_row(r: RowReader, known: set[str]) -> dict | None:
    precision = r.enum("date_precision", PRECISIONS | {"range"})
    start = r.partial_date("date_start", precision)
    end = r.partial_date("date_end", precision, end=True)
    if start and end and end < start:
        r.problem("date_end", f"a date on or after date_start ({start})", r.raw("date_end"))
    event_type = r.enum("event_type", EVENT_TYPES)
    # A state's declaration of independence is its own act: the state is the host, and nobody visits.
    own_act = event_type == "independence"
    if own_act and (r.raw("visitor_iso3") or r.raw("visitor_person")):
        column = "visitor_iso3" if r.raw("visitor_iso3") else "visitor_person"
        r.problem(column, "empty for an independence row (the state is in host_iso3)", r.raw(column))
    row = {
        "event_id": r.text("event_id"),
        "date_start": start,
        "date_end": end,
        "date_precision": precision,
        "year": start.year if start else None,
        "event_type": event_type,
        "status": r.enum("status", STATUSES),
        "mode": r.enum("mode", {"in_person", "virtual"}),
        "level": r.enum("level", LEVELS),
        "visitor_iso3": [] if own_act else r.iso3_list("visitor_iso3"),
        "visitor_person": r.text("visitor_person", required=False),
        "host_iso3": r.iso3_list("host_iso3"),
        "trip_id": r.text("trip_id", required=False),
        "format_id": r.text("format_id", required=False),
        "title": r.text("title"),
        "confidence": r.enum("confidence", {"high", "medium", "low"}),
        **citation_fields(r, known),
    }
    both = set(row["visitor_iso3"]) & set(row["host_iso3"])
    if both:
        r.problem(
            "host_iso3", "no country that is also a visitor (a host does not visit itself)", ";".join(sorted(both))
        )
    return row


FORMAT_COLUMNS = [
    "format_id",
    "name",
    "partner_iso3",
    "members",
    "launched",
    "launched_precision",
    "launch_level",
    "first_summit",
    "first_summit_precision",
    "top_level",
    "note",
    "source_ids",
    "citation_status",
]


def format_row(r: RowReader, known: set[str]) -> dict | None:
    members_text = r.raw("members")
    from silkscope.countries import registry

    groups = registry().groups
    members = list(groups[members_text].members) if members_text in groups else r.iso3_list("members")
    launched_precision = r.enum("launched_precision", PRECISIONS)
    summit_precision = r.enum("first_summit_precision", PRECISIONS, required=False)
    return {
        "format_id": r.text("format_id"),
        "name": r.text("name"),
        "partner_iso3": r.iso3("partner_iso3"),
        "members_iso3": members,
        "launched": r.partial_date("launched", launched_precision),
        "launched_precision": launched_precision,
        "launch_level": r.enum("launch_level", LEVELS),
        "first_summit": r.partial_date("first_summit", summit_precision, required=False),
        "first_summit_precision": summit_precision,
        "top_level": r.enum("top_level", LEVELS),
        **citation_fields(r, known),
    }


CLAIM_COLUMNS = [
    "claim_id",
    "quote",
    "claim_type",
    "indicator",
    "partner_iso3",
    "scope",
    "period_start",
    "period_end",
    "value",
    "unit",
    "definition_stated",
    "note",
    "source_ids",
    "citation_status",
]
CLAIM_TYPES = {
    "amount",
    "count",
    "change",
    "share",
    "comparison",
    "first_or_only",
    "frequency",
    "event",
    "causal",
    "opinion",
}


def claim_row(r: RowReader, known: set[str]) -> dict | None:
    country, group = r.scope()
    start_text, end_text = r.raw("period_start"), r.raw("period_end")
    row = {
        "claim_id": r.text("claim_id"),
        "quote": r.text("quote"),
        "claim_type": r.enum("claim_type", CLAIM_TYPES),
        "indicator": r.text("indicator"),
        "partner_iso3": r.iso3("partner_iso3", required=False),
        "country_iso3": country,
        "group_id": group,
        "period_start": r.partial_date("period_start", _precision_of(start_text), required=False),
        "period_end": r.partial_date("period_end", _precision_of(end_text), end=True, required=False),
        "value": r.number("value", required=False),
        "unit": r.text("unit", required=False),
        "definition_stated": r.text("definition_stated", required=False),
        **citation_fields(r, known),
    }
    return row


def _precision_of(text: str) -> str:
    return {10: "day", 7: "month", 4: "year"}.get(len(text), "day")


FACT_FILES = [
    ("dialogue_formats.csv", "core.dialogue_formats", FORMAT_COLUMNS, format_row),
    ("events.csv", "core.events", EVENT_COLUMNS, event_row),
    ("presence.csv", "core.presence", PRESENCE_COLUMNS, presence_row),
    ("opinion.csv", "core.opinion", OPINION_COLUMNS, opinion_row),
    ("finance.csv", "core.finance_flows", FINANCE_COLUMNS, finance_row),
    ("trade.csv", "core.trade_flows", TRADE_COLUMNS, trade_row),
    ("investment.csv", "core.investments", INVESTMENT_COLUMNS, investment_row),
    ("published_claims.csv", "core.published_claims", CLAIM_COLUMNS, claim_row),
    ("coverage.csv", "core.coverage", COVERAGE_COLUMNS, coverage_row),
    ("country_classes.csv", "core.country_classes", CLASS_COLUMNS, class_row),
    ("leader_terms.csv", "core.leader_terms", LEADER_TERM_COLUMNS, leader_term_row),
]

_ID_COLUMN = {"core.dialogue_formats": "format_id", "core.events": "event_id", "core.published_claims": "claim_id"}


def cross_checks(tables: dict[str, list[dict]], problems: list[Problem]) -> None:
    """Checks across rows: unique ids, formats that exist, claims only from publications."""
    for table, rows in tables.items():
        if table == "core.sources":
            continue
        key = _ID_COLUMN.get(table, "fact_id")
        seen: dict[str, str] = {}
        for row in rows:
            value = row.get(key)
            if value is None:
                continue
            if value in seen:
                problems.append(problem_at(row, key, f"a unique id (already at {seen[value]})", value))
            seen[value] = row["record"]
    formats = {row["format_id"] for row in tables["core.dialogue_formats"]}
    for row in tables["core.events"]:
        if row["format_id"] and row["format_id"] not in formats:
            problems.append(problem_at(row, "format_id", "an id from dialogue_formats.csv", row["format_id"]))
    kinds = {row["source_id"]: row["kind"] for row in tables["core.sources"]}
    for row in tables["core.published_claims"]:
        for sid in row["source_ids"]:
            if kinds.get(sid) not in (None, "publication"):
                expected = "a source of kind 'publication' (claims are not measurements)"
                problems.append(problem_at(row, "source_ids", expected, sid))
    for table in ("core.presence", "core.opinion", "core.finance_flows", "core.trade_flows", "core.investments"):
        for row in tables[table]:
            for sid in row["source_ids"]:
                if kinds.get(sid) == "publication":
                    expected = "a measured source, not a publication's claim (put claims in published_claims.csv)"
                    problems.append(problem_at(row, "source_ids", expected, sid))


def participants(events: list[dict]) -> list[dict]:
    """One row per country and role of each event: the long form every visit count is computed from."""
    rows = []
    for event in events:
        for role, column in (("visitor", "visitor_iso3"), ("host", "host_iso3")):
            for iso3 in dict.fromkeys(event[column]):
                rows.append(
                    {"event_id": event["event_id"], "country_iso3": iso3, "role": role, "level": event["level"]}
                )
    return rows
