"""Numbers for people, formatted one way everywhere: page tables (Jinja filters), chart axes and labels, the CLI.

- years plain ("2003", never "2,003");
- money in US$ with a unit word, the same on a chart's axis and its labels ("US$3.02 bn", axis "3 bn");
- counts as whole numbers with thousands separators;
- shares as percentages; changes as "+45%", and large ones as multiples ("×113, more than 100-fold"),
  never "+11248%";
- p-values and effects in words a reader understands.

Machine outputs (JSON, CSV) keep the raw values: this module is only for text people read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

MISSING = "–"

# Money scales, largest first: the unit word shown after the number (and on a chart's axis).
MONEY_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"))
# Model output columns, read as estimates (three decimals).
ESTIMATES = {"coef", "std_err", "ci_low", "ci_high", "estimate", "se"}
# Columns holding a year (or a year bound) whatever their type.
YEAR_COLUMNS = {"year", "since", "until", "first_year", "last_year", "base_year", "start_year", "end_year"}


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else value
    return None


def is_year_column(column: str) -> bool:
    if "per_year" in column or column.startswith(("n_", "num_")):
        return False
    return column in YEAR_COLUMNS or column.endswith(("year", "years"))


def is_money_column(column: str) -> bool:
    return column.endswith("_usd") or column == "usd"


def is_percent_column(column: str) -> bool:
    return column.endswith("_pct") or column.endswith("_share_pct")


def year(value: Any) -> str:
    """A year as written: 2003, never 2,003 or 2003.0."""
    v = _number(value)
    if v is None:
        return MISSING if value in (None, "") else str(value)
    if v != int(v):
        return number(v)  # a rate or an average in a year column is not a year
    return str(int(v))


def integer(value: Any) -> str:
    """A count: a whole number with thousands separators (1,234)."""
    v = _number(value)
    if v is None:
        return MISSING
    return f"{round(v):,}"


def _significant(v: float, digits: int = 3) -> str:
    """`v` to `digits` significant digits, thousands separators, no trailing zeros past the point."""
    if v == 0:
        return "0"
    places = max(digits - 1 - math.floor(math.log10(abs(v))), 0)
    text = f"{v:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


UNIT_WORDS = {"USD": "US$", "USD constant": "constant US$", "LCU per USD": "local currency per US$", "count": "count",
              "percent": "%"}  # fmt: skip


def unit(name: str) -> str:
    """A catalogue unit as a heading says it: 'USD' -> 'US$' (the same unit the axes and cells show)."""
    return UNIT_WORDS.get(name, name)


def money_unit(value: Any) -> tuple[float, str]:
    """The scale and unit word money of this size is shown in: (1e9, "bn"), (1e6, "m") or (1, "")."""
    v = abs(_number(value) or 0)
    for scale, word in MONEY_SCALES:
        if v >= scale:
            return scale, word
    return 1.0, ""


def money(value: Any, *, prefix: str = "US$") -> str:
    """US$ with a unit word and three significant digits: US$3.02 bn, US$45.2 m, US$830 m, US$12,300."""
    v = _number(value)
    if v is None:
        return MISSING
    scale, word = money_unit(v)
    sign = "−" if v < 0 else ""
    if not word:
        return f"{sign}{prefix}{abs(v):,.0f}"
    return f"{sign}{prefix}{_significant(abs(v) / scale)} {word}"


def percent(value: Any) -> str:
    """A share or rate already in percent: 45%, 4.5%, 0.45%, <0.01%."""
    v = _number(value)
    if v is None:
        return MISSING
    a = abs(v)
    if a == 0:
        return "0%"
    if a < 0.01:
        return "<0.01%" if v > 0 else ">−0.01%"
    if a >= 100:
        text = f"{a:,.0f}"
    elif a >= 1:
        text = f"{a:.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{a:.2f}".rstrip("0").rstrip(".")
    return f"{'−' if v < 0 else ''}{text}%"


def change(pct: Any, *, compact: bool = False) -> str:
    """A relative change given in percent, as a reader says it: +45%, −30%, +150% (×2.5), ×113 (more than 100-fold).

    Past a doubling the multiple is the honest figure; "+11248%" is never printed. `compact`: the multiple alone
    (×2.5, ×113), for prose that has its own brackets.
    """
    v = _number(pct)
    if v is None:
        return MISSING
    if v < 100:
        return f"{'+' if v > 0 else '−' if v < 0 else ''}{percent(abs(v))}"
    factor = 1 + v / 100
    if compact:
        return f"×{factor:.1f}" if factor < 10 else f"×{factor:,.0f}"
    if factor < 10:
        return f"+{percent(v)} (×{factor:.1f})"
    multiple = f"×{factor:,.0f}"
    if factor >= 1000:
        return f"{multiple} (more than 1,000-fold)"
    if factor >= 100:
        return f"{multiple} (more than 100-fold)"
    return (
        f"{multiple} (more than {int(factor // 10) * 10}-fold)" if factor >= 20 else f"{multiple} ({factor:.0f}-fold)"
    )


def effect(log_points: Any, *, compact: bool = False) -> str:
    """An estimate in log points as the change it implies: 0.12 -> "+13%", 4.73 -> "×113 (more than 100-fold)"
    (`compact`: "×113", for a confidence bound)."""
    v = _number(log_points)
    if v is None:
        return MISSING
    try:
        return change((math.exp(v) - 1) * 100, compact=compact)
    except OverflowError:
        return "more than a billion-fold"


def p_value(value: Any) -> str:
    """A p-value with what it means: '0.003 (strong evidence of an association)'."""
    v = _number(value)
    if v is None:
        return MISSING
    shown = "<0.001" if v < 0.001 else f"{v:.3f}" if v < 0.1 else f"{v:.2f}"
    return f"{shown} ({evidence(v)})"


def evidence(p: float) -> str:
    """How strongly a p-value speaks against 'no association', in words."""
    if p < 0.001:
        return "very strong evidence"
    if p < 0.01:
        return "strong evidence"
    if p < 0.05:
        return "moderate evidence"
    if p < 0.1:
        return "weak evidence"
    return "no clear evidence, could be chance"


def number(value: Any) -> str:
    """Any other measurement: small values to three significant digits, others to one decimal or whole."""
    v = _number(value)
    if v is None:
        return MISSING
    if isinstance(v, int):
        return f"{v:,}"
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) < 1:
        return f"{v:.3g}"
    return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"


def cell(value: Any, column: str = "") -> str:
    """A table cell for people, chosen by the value's type and its column's name (…_usd, …_pct, year, p_value).
    Missing ('–'): None, empty text and NaN (a pandas gap), never the word "nan"."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v, column) for v in value) or MISSING
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    v = _number(value)
    if v is None:
        return str(value)
    return _numbers_in(column)(v)


def _estimate(v: float) -> str:
    return f"{v:,.3f}"


@lru_cache(maxsize=2048)
def _numbers_in(column: str) -> Callable[[Any], str]:
    """How a number in this column is said, decided by the column's name."""
    if is_year_column(column):
        return year
    if is_money_column(column):
        return money
    if column == "p_value":
        return p_value
    if column in ESTIMATES:
        return _estimate
    if is_percent_column(column):
        return percent
    return number


@lru_cache(maxsize=2048)
def cell_formatter(column: str) -> Callable[[Any], str]:
    """`cell(value, column)` for one column, its kind decided once: a table formats every row of a column alike,
    and deciding per cell was most of drawing a large table."""
    numbers = _numbers_in(column)

    def formatted(value: Any) -> str:
        kind = type(value)
        if kind is int or (kind is float and not math.isnan(value)):
            return numbers(value)
        return cell(value, column)

    return formatted


# ----- chart axes: the same units as the labels -------------------------------------------------------------------


def money_axis_expr(field: str = "datum.value") -> str:
    """Vega expression for a money axis label in the labels' unit words: "3 bn", "450 m", "12,000"."""
    parts = [
        f"abs({field}) >= {int(scale)} ? format({field} / {int(scale)}, ',.3~r') + ' {word}'"
        for scale, word in MONEY_SCALES
    ]
    return " : ".join([*parts, f"format({field}, ',.0f')"])


def money_axis(title: str = "US$") -> dict[str, Any]:
    """Axis properties (Vega-Lite) for money: unit words like the labels, the currency in the title."""
    return {"labelExpr": money_axis_expr(), "title": title}


def count_axis(title: str | None = None) -> dict[str, Any]:
    """Axis properties for counts: whole-number ticks only (no 0.5 visit)."""
    axis: dict[str, Any] = {"format": ",d", "tickMinStep": 1}
    if title is not None:
        axis["title"] = title
    return axis


def year_axis() -> dict[str, Any]:
    """Axis properties for years on a quantitative scale: 2003, not 2,003; whole years only."""
    return {"format": "d", "tickMinStep": 1, "labelAngle": 0, "title": None}
