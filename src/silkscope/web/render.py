"""Jinja2 environment (autoescaped), the formatting filters pages and briefs share, and static paths."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from silkscope.countries import name as country_name
from silkscope.countries import registry
from silkscope.web.assets import IMPORT_MAP

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
# Okabe–Ito colours (distinguishable with colour-vision deficiency), one per partner, the same on every chart.
PARTNER_COLOURS = {
    "JPN": "#0072B2",
    "CHN": "#D55E00",
    "KOR": "#009E73",
    "RUS": "#CC79A7",
    "USA": "#56B4E9",
    "EUU": "#E69F00",
    "TUR": "#7f7f7f",
    "IND": "#000000",
    # Donors beside the partners in finance comparisons, and the five states when they are the lines of a chart
    "DEU": "#882255",
    "FRA": "#44AA99",
    "GBR": "#999933",
    "KAZ": "#1b9e77",
    "KGZ": "#d95f02",
    "TJK": "#7570b3",
    "TKM": "#e7298a",
    "UZB": "#66a61e",
}
HIDDEN = {"source_id", "source_ids", "record", "event_ids", "citation", "citation_status"}


# Model output columns: shown to three decimals, as estimates are read.
ESTIMATES = {"coef", "std_err", "ci_low", "ci_high"}


def fmt(value: Any, column: str = "") -> str:
    """A cell for people: '–' for missing, thousands separators, US$ scaled for money columns."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, column) for v in value) or "–"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and (column.endswith("_usd") or column == "amount_usd"):
        return money(value)
    if isinstance(value, float) and column == "p_value":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    if isinstance(value, float) and column in ESTIMATES:
        return f"{value:,.3f}"
    if isinstance(value, float):
        if 0 < abs(value) < 1:
            return f"{value:.3g}"  # ratios and small shares keep three significant digits, not one decimal
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and column != "year" and not column.endswith("year"):
        return f"{value:,}"
    return str(value)


def money(value: float | int | None) -> str:
    if value is None:
        return "–"
    v = float(value)
    for scale, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if abs(v) >= scale:
            return f"US${v / scale:,.2f}{suffix}"
    return f"US${v:,.0f}"


# Words a column name spells in lower case that a reader expects in capitals.
ACRONYMS = {"fdi": "FDI", "oda": "ODA", "oof": "OOF", "cagr": "CAGR", "rca": "RCA", "sitc": "SITC", "c5": "C5"}


def label(column: str) -> str:
    text = column.replace("_iso3", "").replace("_usd", " (US$)").replace("_pct", " (%)").replace("_", " ")
    text = " ".join(ACRONYMS.get(word, word) for word in text.split(" "))
    return text[:1].upper() + text[1:]


def partner_name(iso3: str | None) -> str:
    if not iso3:
        return "–"
    try:
        return country_name(iso3)
    except KeyError:
        return iso3


def query_string(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", [])}, doseq=True)


def visible(columns: list[str]) -> list[str]:
    return [c for c in columns if c not in HIDDEN]


def source_numbers(rows: list[dict[str, Any]], sources: list[dict[str, Any]]) -> list[str]:
    numbers = {s["source_id"]: i for i, s in enumerate(sources, start=1)}
    out = []
    for row in rows:
        ids = row.get("source_ids") or ([row["source_id"]] if row.get("source_id") else [])
        out.append(" ".join(f"[{numbers[i]}]" for i in ids if i in numbers))
    return out


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(TEMPLATES_DIR), str(HERE.parent / "briefs" / "templates")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["date"] = lambda v: isinstance(v, date)
    env.filters.update(fmt=fmt, money=money, label=label, partner=partner_name)
    env.globals.update(
        query_string=query_string,
        visible=visible,
        source_numbers=source_numbers,
        colours=PARTNER_COLOURS,
        import_map=IMPORT_MAP,
        c5=lambda: [(i, country_name(i)) for i in registry().groups["C5"].members],
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
