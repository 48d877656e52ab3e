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
    ],
)
def test_names_are_said_in_words(name, said):
    assert labels.label(name) == said


def test_every_panel_column_and_connector_has_words():
    for column in definitions():
        assert not SNAKE.search(labels.label(column)), column
    assert labels.dataset("aiddata_flows").startswith("AidData")
    assert labels.flow_class("oda_like") == "ODA-like"


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "h1", "h2", "h3", "caption", "legend"):
            self.depth += 1
            self.found.append("")

    def handle_endtag(self, tag):
        if tag in ("th", "h1", "h2", "h3", "caption", "legend") and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


@pytest.mark.parametrize(
    "path",
    ["/compare?indicator=panel&since=2010&until=2012", "/compare?indicator=shares&since=2010&until=2012",
     "/compare?indicator=balance", "/country/UZB"],
)  # fmt: skip
def test_page_headings_use_no_internal_names(built_db, path):
    with TestClient(create_app(built_db, token="")) as client:
        page = client.get(path)
    assert page.status_code == 200
    parser = _Headings()
    parser.feed(page.text)
    internal = [h.strip() for h in parser.found if SNAKE.search(h)]
    assert not internal, internal
