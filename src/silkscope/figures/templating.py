"""Jinja environments for HTML made from library results: the dashboard's pages and the briefs.

Both say numbers the same way (silkscope.formatting), so the filters live here once; each caller passes its own
template folders and adds its own globals. Autoescaped: every value from the warehouse is text, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from silkscope import formatting
from silkscope.figures.style import partner_name

# Words a column name spells in lower case that a reader expects in capitals.
ACRONYMS = {"fdi": "FDI", "oda": "ODA", "oof": "OOF", "cagr": "CAGR", "rca": "RCA", "sitc": "SITC", "c5": "C5"}


def fmt(value: Any, column: str = "") -> str:
    """A cell for people (silkscope.formatting.cell): '–' for missing, years plain, US$ in m/bn, counts whole."""
    return formatting.cell(value, column)


def money(value: float | int | None) -> str:
    return formatting.money(value)


def label(column: str) -> str:
    """A column name as a heading: 'fdi_flow_usd' -> 'FDI flow (US$)'."""
    text = column.replace("_iso3", "").replace("_usd", " (US$)").replace("_pct", " (%)").replace("_", " ")
    text = " ".join(ACRONYMS.get(word, word) for word in text.split(" "))
    return text[:1].upper() + text[1:]


def readable(text: str) -> str:
    """Library prose with its changes said the way formatting.change says them (no "+11248%")."""
    return formatting.readable_changes(str(text))


FILTERS = {
    "fmt": fmt,
    "money": money,
    "label": label,
    "partner": partner_name,
    "year": formatting.year,
    "integer": formatting.integer,
    "percent": formatting.percent,
    "change": formatting.change,
    "effect": formatting.effect,
    "p_value": formatting.p_value,
    "readable": readable,
}


def environment(folders: Iterable[str | Path]) -> Environment:
    """An autoescaped environment over these template folders with the shared filters and the `date` test."""
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["date"] = lambda v: isinstance(v, date)
    env.filters.update(FILTERS)
    return env
