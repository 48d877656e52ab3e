"""One validation of options for the CLI and the API: the library's (indicators.registry), the same bounds and the
same message, exit status 2 from the installed console script and HTTP 422 from the API, before any work is done."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silkscope.indicators import options, registry
from silkscope.server import create_app
from warehouse_helpers import checksum

SILKSCOPE = Path(sys.executable).with_name("silkscope")
TWENTY_TWO = "JPN,KOR,CHN,RUS,USA,TUR,IND,DEU,FRA,GBR,ITA,ESP,NLD,POL,SWE,AUT,BEL,CZE,DNK,FIN,HUN,IRL"

# (CLI arguments, API path, API parameters, the message both give)
CASES = [
    (["indicator", "sensitivity", "--draws", "100000000"], "/api/indicators/sensitivity", {"draws": 100000000},
     "draws: expected 10 to 2000, got 100000000"),
    (["indicator", "sensitivity", "--draws", "5"], "/api/indicators/sensitivity", {"draws": 5},
     "draws: expected 10 to 2000, got 5"),
    (["indicator", "shares", "--since", "-5"], "/api/indicators/shares", {"since": -5},
     "since: expected a year from 1900 to 2100, got -5"),
    (["indicator", "shares", "--since", "2010", "--until", "2000"], "/api/indicators/shares",
     {"since": 2010, "until": 2000}, "since: expected a year no later than until=2000, got 2010"),
    (["indicator", "shares", "--partners", TWENTY_TWO], "/api/indicators/shares", {"partners": TWENTY_TWO},
     "partners: at most 20 partners at once, got 22"),
    (["indicator", "composition", "--level", "x"], "/api/indicators/composition", {"level": "x"},
     "level: expected section or division, got 'x'"),
    (["indicator", "composition", "--direction", "up"], "/api/indicators/composition", {"direction": "up"},
     "direction: expected exports or imports, got 'up'"),
    (["indicator", "index", "--weights", "zzz"], "/api/indicators/index", {"weights": "zzz"},
     "weights: expected name=number pairs such as trade=0.5,leader_visits=0.5, got 'zzz'"),
    (["indicator", "shares", "--measure", "Bad Column"], "/api/indicators/shares", {"measure": "Bad Column"},
     "measure: 'Bad Column' is not a column name (letters, digits and _)"),
    (["model", "visits", "--lag", "99"], "/api/models/visits", {"lag": 99}, "lag: expected 0 to 5, got 99"),
    (["model", "visits", "--window", "-3"], "/api/models/visits", {"window": -3}, "window: expected 1 to 6, got -3"),
    (["timeline", "--since", "-5"], "/api/timeline", {"since": -5}, "since: expected a year from 1900 to 2100, got -5"),
    (["compare", "--until", "3000"], "/api/compare", {"until": 3000},
     "until: expected a year from 1900 to 2100, got 3000"),
]  # fmt: skip


@pytest.fixture(scope="module")
def api(built_db):
    with TestClient(create_app(built_db, token="")) as client:
        yield client


@pytest.mark.parametrize(("args", "path", "params", "message"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_cli_and_api_refuse_with_the_same_message(built_db, api, args, path, params, message):
    before = checksum(built_db)
    started = time.monotonic()
    proc = subprocess.run([str(SILKSCOPE), *args, "--db", str(built_db)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "80"})  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == f"error: {message}" and "Traceback" not in proc.stderr
    assert time.monotonic() - started < 60  # refused before any work (draws=1e8 ran past 300 s)
    response = api.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"] == message
    assert checksum(built_db) == before


def test_the_library_refuses_too():
    with pytest.raises(options.OptionError, match="draws: expected 10 to 2000"):
        registry.compute("sensitivity", "JPN", "UZB", draws=100_000_000)
    with pytest.raises(options.OptionError, match="level: expected section or division"):
        registry.options(level="x")


def test_openapi_documents_the_library_bounds(api):
    schema = api.get("/openapi.json").json()["paths"]
    draws = {p["name"]: p["schema"] for p in schema["/api/indicators/{name}"]["get"]["parameters"]}["draws"]
    lag = {p["name"]: p["schema"] for p in schema["/api/models/visits"]["get"]["parameters"]}["lag"]
    assert (draws["minimum"], draws["maximum"]) == options.bounds("draws")
    assert (lag["minimum"], lag["maximum"]) == options.bounds("lag")


def test_every_option_of_the_table_is_a_cli_option_and_an_api_parameter(api):
    """One declaration (indicators.options) makes the CLI's options and the API's parameters, with one text."""
    proc = subprocess.run([str(SILKSCOPE), "indicator", "--help"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    spec = api.get("/openapi.json").json()["paths"]["/api/indicators/{name}"]["get"]["parameters"]
    documented = {p["name"]: p.get("description", "") for p in spec}
    for option in options.OPTIONS.values():
        assert f"--{option.flag.replace('_', '-')}" in proc.stdout, option.flag
        assert documented.get(option.flag) == option.help, option.flag


def test_the_compare_page_draws_a_field_per_option_and_refuses_with_the_same_message(api):
    page = api.get("/compare", params={"indicator": "shares"})
    assert page.status_code == 200
    for option in options.OPTIONS.values():
        assert f'name="{option.flag}"' in page.text, option.flag
    bad = api.get("/compare", params={"indicator": "composition", "level": "x"})
    assert bad.status_code == 422
    assert (
        "level: expected section or division, got &#39;x&#39;" in bad.text
        or "level: expected section or division, got 'x'" in bad.text
    )
    off = api.get("/compare", params={"indicator": "panel", "nonempty": "false", "since": 2010, "until": 2010})
    assert off.status_code == 200 and 'value="false" selected' in off.text  # a default-yes option can be answered no
