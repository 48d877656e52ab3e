"""One formatter for numbers people read (pages, chart axes, the CLI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from silkscope import formatting as f


@pytest.mark.parametrize(
    ("value", "column", "text"),
    [
        (2003, "year", "2003"),
        (2003.0, "first_year", "2003"),
        ([2005, 2009], "summit_years", "2005, 2009"),
        (3.5, "visits_per_year", "3.5"),
        (3_020_000_000.0, "amount_usd", "US$3.02 bn"),
        (45_200_000, "official_finance_usd", "US$45.2 m"),
        (830_000_000, "value_usd", "US$830 m"),
        (12_300.0, "value_usd", "US$12,300"),
        (-4_500_000_000, "net_usd", "−US$4.5 bn"),
        (1234, "country_visits", "1,234"),
        (7, "trips", "7"),
        (12.5, "share_pct", "12.5%"),
        (0.0004, "p_value", "<0.001 (very strong evidence)"),
        (0.2, "p_value", "0.20 (no clear evidence, could be chance)"),
        (0.0123, "ratio", "0.0123"),
        (1234.56, "", "1,235"),
        (None, "amount_usd", "–"),
        ("", "x", "–"),
        (True, "x", "yes"),
        (date(2018, 5, 1), "date_start", "2018-05-01"),
        ("Central Asia + Japan", "name", "Central Asia + Japan"),
    ],
)
def test_cell(value, column, text):
    assert f.cell(value, column) == text


def test_years_never_get_thousands_separators():
    for y in range(1991, 2031):
        assert f.year(y) == str(y) and f.cell(y, "year") == str(y)


@pytest.mark.parametrize(
    ("pct", "text"),
    [
        (45, "+45%"),
        (-30, "−30%"),
        (0, "0%"),
        (150, "+150% (×2.5)"),
        (950, "×10 (10-fold)"),
        (11248, "×113 (more than 100-fold)"),
        (250_000, "×2,501 (more than 1,000-fold)"),
    ],
)
def test_change_says_large_changes_as_multiples(pct, text):
    assert f.change(pct) == text
    assert "11248" not in f.change(pct)


def test_effect_in_log_points_and_prose():
    assert f.effect(0.12) == "+12.7%"
    assert f.effect(4.73) == "×113 (more than 100-fold)"
    assert f.effect(4.73, compact=True) == "×113" and f.effect(-0.5, compact=True) == "−39.3%"
    assert f.effect(1e6) == "more than a billion-fold"


def test_money_axis_speaks_the_labels_units():
    expr = f.money_axis_expr()
    assert "' bn'" in expr and "' m'" in expr and "1000000000" in expr
    assert f.money_axis("US$")["labelExpr"] == expr
    assert f.count_axis()["tickMinStep"] == 1 and f.count_axis()["format"] == ",d"
    assert f.year_axis()["format"] == "d"
    # The label's unit word is the axis's: "US$3.02 bn" beside an axis tick "3 bn".
    assert f.money(3e9) == "US$3 bn" and f.money_unit(3e9) == (1e9, "bn")


def test_chart_axes_and_labels_agree():
    import re

    from silkscope.figures import charts

    rows = [{"partner_iso3": "JPN", "year": y, "amount_usd": v} for y, v in [(2003, 3.0e9), (2004, 1.2e9)]]
    svg = charts.svg(charts.finance_by_year(rows, ["JPN"]), label="finance")
    texts = set(re.findall(r">([^<]{1,12})</text>", svg))
    assert {"2003", "2004"} <= texts and "2,003" not in texts
    assert any(t.endswith(" bn") for t in texts), texts
    assert not any(t.endswith("G") for t in texts), texts
    visits = [{"partner_iso3": "JPN", "year": 2003, "country_visits": 1}, {"partner_iso3": "JPN", "year": 2004,
              "country_visits": 2}]  # fmt: skip
    ticks = re.findall(r">([^<]{1,6})</text>", charts.svg(charts.visits_by_year(visits, ["JPN"]), label="visits"))
    assert not any("." in t for t in ticks), ticks  # whole visits only


def test_catalogue_units_are_said_as_the_cells_say_them():
    from silkscope.analysis.measures import MEASURES

    assert f.unit("USD") == "US$" and f.unit("USD constant") == "constant US$"
    assert all(f.unit(m.unit) != m.unit or m.unit == "count" for m in MEASURES)


def test_a_columns_formatter_says_what_cell_says_for_every_kind_of_value():
    columns = ["year", "first_year", "n_years", "amount_usd", "share_pct", "p_value", "coef", "trips", "label", ""]
    values = [None, "", True, False, 0, 7, 2003, -12.5, 0.004, 45_200_000.0, float("nan"), Decimal("1.5"),
              date(2016, 10, 26), [2003, 2004], (), "text"]  # fmt: skip
    for column in columns:
        formatted = f.cell_formatter(column)
        for value in values:
            assert formatted(value) == f.cell(value, column), (column, value)
        assert formatted(float("nan")) == f.MISSING
