"""Charts are checked against the Vega-Lite schema in the test suite only (SILKSCOPE_VALIDATE_CHARTS): a server
skips the check, which took most of a page's time, and must draw exactly the same charts without it. Pages ship the
specs for the browser to draw, and SVG drawn by the server only when asked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from fastapi.testclient import TestClient

from silkscope.server import create_app

DRAW = """
import sys
from fastapi.testclient import TestClient
from silkscope.server import create_app
client = TestClient(create_app(sys.argv[1]))
for path in ("/?charts=svg", "/country/UZB?charts=svg"):
    response = client.get(path)
    assert response.status_code == 200, response.text[-400:]
    sys.stdout.write(response.text)
"""


def _charts(db, validate: bool) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "SILKSCOPE_VALIDATE_CHARTS"}
    if validate:
        env["SILKSCOPE_VALIDATE_CHARTS"] = "1"
    html = subprocess.run([sys.executable, "-c", DRAW, str(db)], capture_output=True, text=True, env=env,
                          check=True).stdout  # fmt: skip
    return re.findall(r'<svg .*?</svg>|<script type="application/json" class="vl-spec">.*?</script>', html, flags=re.S)


def test_a_server_draws_the_same_charts_without_the_schema_check(built_db):
    unchecked = _charts(built_db, validate=False)
    assert sum(c.startswith("<svg") for c in unchecked) >= 4 and sum(c.startswith("<script") for c in unchecked) >= 4
    assert unchecked == _charts(built_db, validate=True)


def test_pages_ship_chart_specs_and_draw_svg_only_when_asked(built_db):
    """A page ships each chart's spec for the browser to draw; the server draws SVG only for ?charts=svg (the
    <noscript> link), which keeps the specs too."""
    with TestClient(create_app(built_db, warm=False, workers=0)) as client:
        page = client.get("/country/UZB").text
        drawn = client.get("/country/UZB?charts=svg").text
        narrowed = client.get("/country/UZB?partners=JPN&partners=KOR").text
    specs = re.findall(r'class="vl-spec">(.*?)</script>', page, flags=re.S)
    assert len(specs) >= 3 and "<svg" not in page
    assert all(json.loads(s)["datasets"] for s in specs)
    assert 'href="/country/UZB?charts=svg"' in page  # the <noscript> link
    assert 'href="/country/UZB?partners=JPN&amp;partners=KOR&amp;charts=svg"' in narrowed  # every partner kept
    assert drawn.count('<svg role="img"') == len(specs) == len(re.findall(r'class="vl-spec"', drawn))
