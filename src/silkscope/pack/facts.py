"""Converters of the reference pack's measured-fact files (presence, opinion, finance, trade, investment)."""

from __future__ import annotations

from silkscope.pack.base import PRECISIONS, RowReader


def citation_fields(r: RowReader, known: set[str]) -> dict:
    """The citation and note columns every fact row carries (pack/tables.py's files use them too)."""
    first, ids, status = r.citation(known)
    return {"source_id": first, "source_ids": ids, "citation_status": status, "note": r.text("note", required=False)}


PRESENCE_COLUMNS = [
    "fact_id",
    "partner_iso3",
    "scope",
    "as_of",
    "date_precision",
    "presence_kind",
    "count",
    "definition",
    "note",
    "source_ids",
    "citation_status",
]


def presence_row(r: RowReader, known: set[str]) -> dict | None:
    country, group = r.scope()
    precision = r.enum("date_precision", PRECISIONS)
    as_of = r.partial_date("as_of", precision)
    return {
        "fact_id": r.text("fact_id"),
        "partner_iso3": r.iso3("partner_iso3"),
        "country_iso3": country,
        "group_id": group,
        "as_of": as_of,
        "date_precision": precision,
        "year": as_of.year if as_of else None,
        "presence_kind": r.text("presence_kind"),
        "count": r.integer("count", minimum=0),
        "definition": r.text("definition"),
        **citation_fields(r, known),
    }


OPINION_COLUMNS = [
    "fact_id",
    "subject_iso3",
    "scope",
    "fieldwork_start",
    "fieldwork_end",
    "fieldwork_precision",
    "indicator",
    "question",
    "answer",
    "share_pct",
    "sample_n",
    "pollster",
    "confidence",
    "basis",
    "note",
    "source_ids",
    "citation_status",
]


def opinion_row(r: RowReader, known: set[str]) -> dict | None:
    from silkscope.opinion import BASES, CONFIDENCE, INDICATORS  # the poll measures, declared once

    country, group = r.scope()
    precision = r.enum("fieldwork_precision", PRECISIONS)
    return {
        "fact_id": r.text("fact_id"),
        "subject_iso3": r.iso3("subject_iso3"),
        "country_iso3": country,
        "group_id": group,
        "fieldwork_start": r.partial_date("fieldwork_start", precision),
        "fieldwork_end": r.partial_date("fieldwork_end", precision, end=True),
        "fieldwork_precision": precision,
        "indicator": r.enum("indicator", set(INDICATORS)),
        "question": r.text("question"),
        "answer": r.text("answer"),
        "share_pct": r.number("share_pct", minimum=0, maximum=100),
        "sample_n": r.integer("sample_n", required=False, minimum=1),
        "pollster": r.text("pollster", required=False),
        "confidence": r.enum("confidence", set(CONFIDENCE)),
        "basis": r.enum("basis", set(BASES)),
        **citation_fields(r, known),
    }


FINANCE_COLUMNS = [
    "fact_id",
    "donor_iso3",
    "donor_actor_id",
    "scope",
    "year",
    "flow_class",
    "measure",
    "price_basis",
    "base_year",
    "currency",
    "amount_usd",
    "project_count",
    "definition",
    "note",
    "source_ids",
    "citation_status",
]


def finance_row(r: RowReader, known: set[str]) -> dict | None:
    country, group = r.scope()
    price_basis = r.enum("price_basis", {"current", "constant"})
    base_year = r.integer("base_year", required=False, minimum=1900)
    return {
        "fact_id": r.text("fact_id"),
        "donor_iso3": r.iso3("donor_iso3"),
        "donor_actor_id": r.text("donor_actor_id", required=False),
        "country_iso3": country,
        "group_id": group,
        "year": r.integer("year", minimum=1945),
        "flow_class": r.text("flow_class"),
        "measure": r.enum("measure", {"commitment", "disbursement_gross", "disbursement_net"}),
        "price_basis": price_basis,
        "base_year": base_year,
        "currency": r.text("currency"),
        "amount_usd": r.number("amount_usd"),
        "project_count": r.integer("project_count", required=False, minimum=0),
        "definition": r.text("definition"),
        **citation_fields(r, known),
    }


TRADE_COLUMNS = [
    "fact_id",
    "partner_iso3",
    "scope",
    "year",
    "direction",
    "reporter_iso3",
    "classification",
    "product_code",
    "value_usd",
    "price_basis",
    "definition",
    "note",
    "source_ids",
    "citation_status",
]


def trade_row(r: RowReader, known: set[str]) -> dict | None:
    country, group = r.scope()
    value = r.number("value_usd", minimum=0)
    return {
        "fact_id": r.text("fact_id"),
        "partner_iso3": r.iso3("partner_iso3"),
        "country_iso3": country,
        "group_id": group,
        "year": r.integer("year", minimum=1945),
        "direction": r.enum("direction", {"partner_to_country", "country_to_partner", "total"}),
        "reporter_iso3": r.iso3("reporter_iso3", required=False),
        "classification": r.text("classification"),
        "product_code": r.text("product_code"),
        "value_usd": value,
        "currency": "USD",  # the pack's trade.csv states US$ figures (column value_usd)
        "value_published": value,
        "unit_published": "USD",
        "price_basis": r.enum("price_basis", {"current", "constant"}),
        "definition": r.text("definition"),
        **citation_fields(r, known),
    }


INVESTMENT_COLUMNS = [
    "fact_id",
    "partner_iso3",
    "scope",
    "period_start",
    "period_end",
    "date_precision",
    "measure",
    "bound",
    "value_usd",
    "price_basis",
    "definition",
    "note",
    "source_ids",
    "citation_status",
]


def investment_row(r: RowReader, known: set[str]) -> dict | None:
    country, group = r.scope()
    precision = r.enum("date_precision", PRECISIONS)
    start = r.partial_date("period_start", precision)
    return {
        "fact_id": r.text("fact_id"),
        "partner_iso3": r.iso3("partner_iso3"),
        "country_iso3": country,
        "group_id": group,
        "period_start": start,
        "period_end": r.partial_date("period_end", precision, end=True),
        "date_precision": precision,
        "year": start.year if start else None,
        "measure": r.text("measure"),
        "bound": r.enum("bound", {"exact", "approximate", "lower", "upper"}),
        "value_usd": r.number("value_usd"),
        "price_basis": r.enum("price_basis", {"current", "constant"}),
        "definition": r.text("definition"),
        **citation_fields(r, known),
    }
