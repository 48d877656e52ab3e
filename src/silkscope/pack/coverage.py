"""Converters of the pack's declarations: what the curated timeline covers, and the classes of countries."""

from __future__ import annotations

from silkscope.pack.base import RowReader
from silkscope.pack.facts import citation_fields

INSTRUMENTS = {"leader_visits", "inbound_visits", "dialogue_meetings"}
COVERAGE_COLUMNS = [
    "fact_id",
    "partner_iso3",
    "instrument",
    "first_year",
    "last_year",
    "completeness",
    "note",
    "source_ids",
    "citation_status",
]


def coverage_row(r: RowReader, known: set[str]) -> dict | None:
    first, last = r.year_span("first_year", "last_year", minimum=1991)
    return {
        "fact_id": r.text("fact_id"),
        "partner_iso3": r.iso3("partner_iso3"),
        "instrument": r.enum("instrument", INSTRUMENTS),
        "first_year": first,
        "last_year": last,
        "completeness": r.enum("completeness", {"complete", "partial"}),
        **citation_fields(r, known),
    }


CLASS_COLUMNS = [
    "fact_id",
    "class_id",
    "country_iso3",
    "first_year",
    "last_year",
    "member",
    "basis",
    "confidence",
    "note",
    "source_ids",
    "citation_status",
]


def class_row(r: RowReader, known: set[str]) -> dict | None:
    first, last = r.year_span("first_year", "last_year", minimum=1900)
    member = r.enum("member", {"yes", "no"})
    return {
        "fact_id": r.text("fact_id"),
        "class_id": r.text("class_id"),
        "country_iso3": r.iso3("country_iso3"),
        "first_year": first,
        "last_year": last,
        "member": None if member is None else member == "yes",
        "basis": r.text("basis"),
        "confidence": r.enum("confidence", {"high", "medium", "low"}),
        **citation_fields(r, known),
    }
