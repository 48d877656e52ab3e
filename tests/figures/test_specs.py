"""The chart builders write Vega-Lite as plain dicts: every kind must still pass the schema Altair ships (checked
when SILKSCOPE_VALIDATE_CHARTS=1, as tests/conftest.py sets it), and a broken spec must be refused by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from silkscope.figures import charts, draw, maps
from silkscope.web import explorer

PARTNERS = ["JPN", "CHN", "RUS"]
# Rows shaped as the pages pass them (profiles/*.py, web/*.py).
VISITS = [
    {"partner_iso3": "JPN", "year": 2003, "country_visits": 1},
    {"partner_iso3": "CHN", "year": 2004, "country_visits": 2},
]
FINANCE = [
    {"partner_iso3": p, "year": y, "amount_usd": 1e6 * (y - 2000) * (i + 1)}
    for i, p in enumerate(PARTNERS)
    for y in (2003, 2004, 2005)
]
POLLS = [
    {"partner_iso3": "RUS", "fieldwork_end": date(2019, m, 1), "share_pct": Decimal("61.5"), "scope": "national"}
    for m in (3, 9)
]
CONTEXT = [
    {"country_iso3": "KAZ", "year": y, "gdp_usd": 1.8e11, "fdi_inflows_usd": None, "oda_received_usd": 9e7}
    for y in (2010, 2011)
]
PRESENCE = [
    {"partner_iso3": "JPN", "count": 3, "presence_kind": "embassy"},
    {"partner_iso3": "RUS", "count": 2, "presence_kind": "consulate"},
]
SUMMARY = [{"partner_iso3": p, "visits": i, "finance_usd": 1e8 * i} for i, p in enumerate(PARTNERS)]
EVENTS = [
    {
        "lane": "JPN",
        "kind": charts.TIMELINE_KINDS[0],
        "date_start": date(2004, 8, 28),
        "status": "held",
        "title": "Koizumi in Astana",
    },
    {
        "lane": "CHN",
        "kind": charts.TIMELINE_KINDS[2],
        "date_start": date(2023, 5, 18),
        "status": "planned",
        "title": "Xi'an summit",
    },
]
EVENT_STUDY = [{"term": f"event_t{t:+d}", "coef": 0.1 * t, "ci_low": -0.3, "ci_high": 0.4} for t in (-1, 0, 1)]
TERMS = [{"term": "visit", "label": "a leader visit", "coef": 0.2, "ci_low": 0.1, "ci_high": 0.3}]
OBSERVED = [
    {"measure": "leader_visits", "country_iso3": c, "partner_iso3": "JPN", "year": y, "value": 1}
    for c in ("KAZ", "UZB")
    for y in (2004, 2006)
]
BY_INSTRUMENT = [{**r, "instrument": i} for r in FINANCE for i in ("grant", "loan")]

KINDS = {
    "visits_by_year": lambda: charts.visits_by_year(VISITS, PARTNERS, title="Visits"),
    "finance_by_year": lambda: charts.finance_by_year(FINANCE, PARTNERS, title="Finance"),
    "opinion_over_time": lambda: charts.opinion_over_time(POLLS, ["RUS"], title="Approval"),
    "context_lines": lambda: charts.context_lines(CONTEXT),
    "finance_shares": lambda: charts.finance_shares(FINANCE, PARTNERS, title="Shares"),
    "bars": lambda: charts.bars(PRESENCE, "count", PARTNERS, detail="presence_kind", measure_title="count (latest)"),
    "money bars": lambda: charts.bars(FINANCE, "amount_usd", PARTNERS, detail="year", money=True, title="US$"),
    "event_timeline": lambda: charts.event_timeline(EVENTS, ["JPN", "CHN"], title="Events"),
    "small_multiples": lambda: charts.small_multiples(
        SUMMARY, {"visits": "Visits", "finance_usd": "Finance"}, PARTNERS
    ),
    "indicator lines": lambda: charts.indicator_chart(FINANCE, "amount_usd", PARTNERS)[0],
    "indicator panels": lambda: charts.indicator_chart(BY_INSTRUMENT, "amount_usd", PARTNERS)[0],
    "indicator one year": lambda: charts.indicator_chart(FINANCE[:1], "amount_usd", PARTNERS)[0],
    "event study": lambda: charts.coefficients(EVENT_STUDY),
    "model terms": lambda: charts.coefficients(TERMS, title="Terms"),
    "explorer panels": lambda: explorer._chart(OBSERVED, "count"),
    "explorer one panel": lambda: explorer._chart(OBSERVED[:2], "USD constant"),
}


@pytest.fixture
def validating(monkeypatch):
    monkeypatch.setenv(draw.VALIDATE_ENV, "1")


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_kind_writes_a_valid_vega_lite_spec(kind, validating):
    figure = KINDS[kind]()
    spec = figure.spec()  # validated here: a ChartError otherwise
    assert spec["$schema"] == draw.SCHEMA_URL and spec["datasets"]
    draw.validate(spec, kind)  # with its rows too
    assert charts.svg(figure, label=kind).startswith('<svg role="img" aria-label=')


def test_the_map_writes_a_valid_spec(validating):
    try:
        figure = maps.central_asia({"KAZ": 3, "UZB": None}, measure="visits")
    except maps.MapUnavailableError as exc:
        pytest.skip(str(exc))
    assert figure.spec()["layer"][1]["encoding"]["href"]["field"] == "href"
    assert "href" not in maps.central_asia({}, measure="visits", link=None).spec()["layer"][1]["encoding"]


def test_the_map_a_browser_draws_fetches_its_shapes_and_the_svg_keeps_them_inline(validating):
    try:
        figure = maps.central_asia({"KAZ": 3, "UZB": None}, measure="visits")
    except maps.MapUnavailableError as exc:
        pytest.skip(str(exc))
    shipped = json.loads(draw.embeddable(figure))
    assert set(shipped["datasets"]) == {"c5", "labels", "context_labels"}, "no coordinates in the page"
    assert shipped["layer"][1]["transform"][0]["from"]["data"] == {"url": maps.geometry_url("shapes")}
    assert shipped["layer"][0]["data"] == {"url": maps.geometry_url("context")}
    assert {f["id"] for f in json.loads(maps.geometry("shapes"))} == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert {"RUS", "CHN"} <= {f["id"] for f in json.loads(maps.geometry("context"))}
    svg = charts.svg(figure, label="map")  # drawn here, offline: from the inline shapes
    assert svg.count("Kazakhstan: 3 (visits)") >= 1 and "Uzbekistan: no data" in svg


def test_a_chart_ships_only_the_fields_its_view_reads():
    rows = [{**r, "source_ids": "src_a, src_b", "definition": "as published", "note": "x" * 500} for r in SUMMARY]
    spec = charts.bars(rows, "visits", PARTNERS, title="Visits").spec()
    (shipped,) = spec["datasets"].values()
    assert {k for row in shipped for k in row} == {"visits", "row", "partner", "label", "value_label", "definition"}
    # an expression's fields count as read: the timeline's hollow marks test datum.held
    events = [{"lane": "JPN", "kind": charts.TIMELINE_KINDS[0], "date_start": "2015-10-26", "status": "held",
               "title": "Abe in Astana", "extra": 1}]  # fmt: skip
    (timeline,) = charts.event_timeline(events, PARTNERS).spec()["datasets"].values()
    assert "held" in timeline[0] and "partner" in timeline[0]


def test_a_spec_the_schema_refuses_is_a_chart_error_naming_the_chart(validating):
    planted = draw.Figure({"data": draw.named("rows"), "mark": "barr"}, {"rows": [{"a": 1}]}, "planted")
    with pytest.raises(draw.ChartError, match=r"planted: .*invalid at mark"):
        planted.spec()


def test_without_the_check_a_spec_is_not_validated(monkeypatch):
    monkeypatch.delenv(draw.VALIDATE_ENV, raising=False)
    assert draw.Figure({"mark": "barr"}, kind="planted").spec()["mark"] == "barr"


def test_specs_name_the_vega_lite_version_of_the_schema_they_are_checked_against():
    altair = pytest.importorskip("altair")
    assert draw.SCHEMA_URL == altair.SCHEMA_URL


def test_drawing_a_chart_does_not_import_altair():
    """Altair is for the schema check only: a server builds, ships and draws charts without loading it."""
    code = (
        "import sys\n"
        "from silkscope.figures import charts\n"
        "fig = charts.finance_by_year([{'partner_iso3': 'JPN', 'year': 2003, 'amount_usd': 1e9}], ['JPN'])\n"
        "charts.embeddable(fig)\n"
        "print('altair' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != draw.VALIDATE_ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == "False"
