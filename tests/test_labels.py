"""Headings say what a column is in words: no internal name (oda_like, aiddata_flows, leader_visits_..._lag1)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from silkscope import labels
from silkscope.indicators.panel import definitions
from silkscope.server import create_app

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("official_commit_constant_usd", "Official finance (ODA + OOF), commitments (constant US$)"),
        ("oda_disb_net_current_usd", "ODA, net disbursements (current US$)"),
        ("leader_visits_to_country_lag1", "Leader visits to the state, 1 year earlier"),
        ("event_t-2", "Visit effect, 2 years before"),
        ("event_t+0", "Visit effect, the year of the visit"),
        ("presence_enterprises_with_foreign_capital", "Companies present: enterprises with foreign capital"),
        ("fdi_flow_usd", "FDI flows (US$)"),
        ("some_new_column_pct", "Some new column (%)"),
        ("JPN_usd", "Japan (US$)"),  # a partner's own columns in a wide table (series.finance_series)
        ("EUU_states", "European Union: states summed"),
        ("ci_low", "CI low"),
        ("coef", "Coefficient"),
    ],
)
def test_names_are_said_in_words(name, said):
    assert labels.label(name) == said


def test_every_panel_column_and_connector_has_words():
    for column in definitions():
        assert not SNAKE.search(labels.label(column)), column
    assert labels.dataset("aiddata_flows").startswith("AidData")
    assert labels.flow_class("oda_like") == "ODA-like"


class _TextIn(HTMLParser):
    """The text of every element of the given tags, one string each."""

    def __init__(self, *tags: str):
        super().__init__()
        self.tags, self.depth, self.found = tags, 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.tags:
            self.depth += 1
            self.found.append("")

    def handle_endtag(self, tag):
        if tag in self.tags and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


@pytest.mark.parametrize(
    "path",
    ["/compare?indicator=panel&since=2010&until=2012", "/compare?indicator=shares&since=2010&until=2012",
     "/compare?indicator=balance", "/country/UZB", "/compare?indicator=disagreement-finance"],
)  # fmt: skip
def test_page_headings_use_no_internal_names(built_db, path):
    with TestClient(create_app(built_db, token="")) as client:
        page = client.get(path)
    assert page.status_code == 200
    parser = _TextIn("th", "h1", "h2", "h3", "caption", "legend")
    parser.feed(page.text)
    internal = [h.strip() for h in parser.found if SNAKE.search(h)]
    assert not internal, internal


def test_cells_naming_measures_datasets_flows_and_directions_say_them_in_words():
    assert labels.named("instrument", "leader_visits_to_country") == "Leader visits to the state"
    assert labels.named("dataset_a", "oecd_crs") == "OECD CRS"
    assert labels.named("trade_dataset", ["kz_bns", "rosstat"]) == "Kazakhstan statistics bureau, Rosstat"
    assert labels.named("flow_class", "oda_like") == "ODA-like"
    assert labels.named("direction", "partner_to_country") == "partner → state"
    assert labels.named("year", 2004) is None and labels.named("dataset", None) is None
    from silkscope.sources.registry import available

    assert all(not SNAKE.search(labels.dataset_short(name)) for name in available())


@pytest.mark.parametrize(
    "path",
    ["/compare?indicator=shares&since=2004", "/compare?indicator=panel&since=2010&until=2012",
     "/country/KAZ"],
)  # fmt: skip
def test_table_cells_name_no_measure_dataset_flow_class_or_direction_by_its_id(built_db, path):
    from silkscope.sources.registry import available

    ids = set(definitions()) | set(available()) | set(labels.FLOW_CLASSES) | set(labels.DIRECTIONS)
    with TestClient(create_app(built_db, token="")) as client:
        page = client.get(path)
    assert page.status_code == 200
    parser = _TextIn("td")
    parser.feed(page.text)
    cells = [c.strip() for c in parser.found]
    assert cells and not [c for c in cells if any(part.strip() in ids for part in c.split(","))]


def test_a_share_of_money_is_said_as_money_and_a_count_as_a_count():
    from silkscope.web.render import table_cells

    columns = ["instrument", "value", "total", "share_pct"]
    rows = [{"instrument": "trade_total_usd", "value": 25_631_000_000.0, "total": 30e9, "share_pct": 85.4},
            {"instrument": "leader_visits_to_country", "value": 2.0, "total": 3.0, "share_pct": 66.7}]  # fmt: skip
    money, count = ([text for _, text in row] for row in table_cells(rows, columns))
    assert money == ["Trade turnover (US$)", "US$25.6 bn", "US$30 bn", "85.4%"]
    assert count == ["Leader visits to the state", "2", "3", "66.7%"]
    from silkscope.render import _fmt  # the CLI's tables say them the same way

    assert [_fmt(rows[0][c], c, rows[0]) for c in columns] == money
    assert [_fmt(rows[1][c], c, rows[1]) for c in columns] == count


@pytest.mark.parametrize(
    ("text", "columns", "said"),
    [
        ("100 * gap_usd / reported_usd", ["gap_usd", "reported_usd"], "100 * Gap (US$) / Reported (US$)"),
        ("one dataset per partner, in this order: oecd_crs, aiddata_flows", [],
         "one dataset per partner, in this order: OECD CRS, AidData Core Research Release"),
        ("b * leader_visits_to_country_lag1 + e", [], "b * Leader visits to the state, 1 year earlier + e"),
        # left as written: a name no rule knows, a table, a file, a glob, a call, a name being defined
        ("sum of amount_usd over flow_class oda_*", [], "sum of amount_usd over flow_class oda_*"),
        ("core.news_events; kz_bns_trade_2022.xls; list_contains(x)", [],
         "core.news_events; kz_bns_trade_2022.xls; list_contains(x)"),
        ("meetings = dialogue_meetings", [], "meetings = Dialogue-format meetings"),
        ("leader_visits = x", [], "leader_visits = x"),
        ("load it with `silkscope update --only wdi_ddf` (wdi_ddf)", [],
         "load it with `silkscope update --only wdi_ddf` (World Bank WDI (Open Numbers))"),
    ],
)  # fmt: skip
def test_definitions_and_notes_say_the_names_they_use_in_words(text, columns, said):
    assert labels.prose(text, columns) == said


def test_definitions_on_a_page_and_in_the_cli_say_columns_in_words(built_db, tmp_path):
    from typer.testing import CliRunner

    from silkscope.cli.main import app

    with TestClient(create_app(built_db, token="")) as client:
        page = client.get("/compare?indicator=disagreement-trade")
    assert page.status_code == 200
    parser = _TextIn("dd")
    parser.feed(page.text)
    gap = [d for d in parser.found if "Mirror (US$) - Reported (US$)" in d]
    assert gap and not [d for d in parser.found if "reported_usd" in d]
    assert 'title="mirror_usd - reported_usd"' in page.text  # the formula as the CSV names its columns
    out = CliRunner().invoke(app, ["indicator", "disagreement-trade", "--db", str(built_db)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Gap (US$): Mirror (US$) - Reported (US$)" in out.output and "reported_usd" not in out.output
