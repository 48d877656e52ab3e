"""Charts are checked against the Vega-Lite schema in the test suite only (SILKSCOPE_VALIDATE_CHARTS): a server
skips the check, which took most of a page's time, and must draw exactly the same charts without it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

DRAW = """
import sys
from fastapi.testclient import TestClient
from silkscope.server import create_app
client = TestClient(create_app(sys.argv[1]))
for path in ("/", "/country/UZB"):
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
    return re.findall(r"<svg .*?</svg>", html, flags=re.S)


def test_a_server_draws_the_same_charts_without_the_schema_check(built_db):
    unchecked = _charts(built_db, validate=False)
    assert len(unchecked) >= 4
    assert unchecked == _charts(built_db, validate=True)
