"""Converter of reference_pack/leader_terms.csv: heads of state and government and their terms in office."""

from __future__ import annotations

from silkscope.pack.base import RowReader
from silkscope.pack.facts import citation_fields

# The offices a term is held in; the EU's two presidents stand for its head of state and of government, as in
# events.csv's levels.
OFFICES = {
    "president",
    "acting_president",
    "prime_minister",
    "premier",
    "president_european_council",
    "president_european_commission",
}
LEADER_TERM_COLUMNS = [
    "fact_id",
    "person",
    "country_iso3",
    "office",
    "level",
    "term_start",
    "term_end",
    "confidence",
    "note",
    "source_ids",
    "citation_status",
]


def leader_term_row(r: RowReader, known: set[str]) -> dict | None:
    start = r.partial_date("term_start", "day")
    end = r.partial_date("term_end", "day", required=False)  # empty: in office
    if start and end and end < start:
        r.problem("term_end", f"a date on or after term_start ({start}), or empty while in office", r.raw("term_end"))
    return {
        "fact_id": r.text("fact_id"),
        "person": r.text("person"),
        "country_iso3": r.iso3("country_iso3"),
        "office": r.enum("office", OFFICES),
        "level": r.enum("level", {"head_of_state", "head_of_government"}),
        "term_start": start,
        "term_end": end,
        "confidence": r.enum("confidence", {"high", "medium", "low"}),
        **citation_fields(r, known),
    }
