"""`silkscope indicator NAME` and `silkscope model visits` through typer's CliRunner on the sub-app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from silkscope.cli.indicators import app
from silkscope.errors import SilkscopeError
from silkscope.indicators.registry import INDICATORS

runner = CliRunner()


def test_every_indicator_runs_and_gives_json(indicator_db):
    extra = {"change": ["-m", "official_commit_constant_usd", "--start", "2010", "--end", "2012"]}
    for name in INDICATORS:
        args = ["indicator", name, "-p", "JPN,CHN,KOR", "--country", "UZB,KAZ", "--since", "2010", "--until", "2012",
                "--draws", "20", "-f", "json", "--db", str(indicator_db), *extra.get(name, [])]  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (name, result.output, result.exception)
        payload = json.loads(result.output)
        section = payload["sections"][0] if "sections" in payload else payload
        assert {"rows", "sources", "definitions", "query"} <= set(section), name


def test_panel_csv_and_table(indicator_db):
    csv = runner.invoke(app, ["indicator", "panel", "-p", "JPN", "--country", "UZB", "--since", "2010", "--until",
                              "2010", "-f", "csv", "--db", str(indicator_db)])  # fmt: skip
    assert csv.exit_code == 0 and csv.output.startswith("partner_iso3,country_iso3,year,")
    table = runner.invoke(app, ["indicator", "shares", "-p", "JPN", "--country", "UZB", "--since", "2010",
                                "--until", "2010", "--db", str(indicator_db)])  # fmt: skip
    assert table.exit_code == 0 and "Sources" in table.output


def test_unknown_indicator_and_missing_options_name_the_problem(indicator_db):
    result = runner.invoke(app, ["indicator", "popularity", "--db", str(indicator_db)])
    assert isinstance(result.exception, SilkscopeError) and "expected one of: panel" in str(result.exception)
    result = runner.invoke(app, ["indicator", "change", "--db", str(indicator_db)])
    assert "needs a start, an end and a measure (CLI: --start" in str(result.exception)


def test_model_visits_prints_specification_n_and_caveats(indicator_db):
    result = runner.invoke(app, ["model", "visits", "-p", "JPN,CHN,KOR,RUS,USA", "--since", "2000", "--until",
                                 "2020", "--db", str(indicator_db)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "dyad FE + year FE" in result.output and "clustered by dyad" in result.output
    assert "reverse causality" in result.output and "dyad-years" in result.output


@pytest.mark.parametrize("cmd", [["indicators"], ["model", "--help"]])
def test_listing_and_help(cmd):
    result = runner.invoke(app, cmd)
    assert result.exit_code == 0 and result.output
