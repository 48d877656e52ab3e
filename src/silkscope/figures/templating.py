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

from silkscope import formatting, labels
from silkscope.figures.style import partner_name


def fmt(value: Any, column: str = "") -> str:
    """A cell for people (silkscope.formatting.cell): '–' for missing, years plain, US$ in m/bn, counts whole."""
    return formatting.cell(value, column)


def money(value: float | int | None) -> str:
    return formatting.money(value)


def label(column: str) -> str:
    """A column, measure or model term as a heading (silkscope.labels: 'fdi_flow_usd' -> 'FDI flows (US$)')."""
    return labels.label(column)


FILTERS = {
    "fmt": fmt,
    "money": money,
    "label": label,
    "prose": labels.prose,
    "partner": partner_name,
    "dataset": labels.dataset_short,
    "flow_class": labels.flow_class,
    "direction": labels.direction,
    "year": formatting.year,
    "integer": formatting.integer,
    "percent": formatting.percent,
    "change": formatting.change,
    "effect": formatting.effect,
    "p_value": formatting.p_value,
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
