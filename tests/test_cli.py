"""The CLI is a thin layer: check exit codes, formats and error messages end to end."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from typer.testing import CliRunner

from silkscope.cli.main import app

runner = CliRunner()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "silkscope.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_build_then_compare_json(tmp_path):
    db = str(tmp_path / "w.duckdb")
    assert runner.invoke(app, ["build", "--db", db]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "compare",
            "--db",
            db,
            "--country",
            "C5",
            "--partners",
            "JPN,KOR,CHN",
            "--indicator",
            "leader_visits",
            "--since",
            "2000",
            "--until",
            "2018",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    trips = {r["partner_iso3"]: r["trips"] for r in payload["rows"]}
    assert trips == {"CHN": 9, "KOR": 5, "JPN": 2}
    assert payload["sources"] and payload["query"].startswith("SELECT")


def test_timeline_csv_and_profile_table(tmp_path):
    db = str(tmp_path / "w.duckdb")
    runner.invoke(app, ["build", "--db", db])
    out = runner.invoke(app, ["timeline", "--db", db, "--partner", "JPN", "--country", "UZB", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert any(r["visitor_person"] == "Junichiro Koizumi" for r in rows)
    table = runner.invoke(app, ["profile", "UZB", "--db", db, "--partners", "JPN,KOR,CHN"])
    assert table.exit_code == 0
    assert "Leader-level visits" in table.stdout and "Sources:" in table.stdout


def test_sources_lists_checksums(tmp_path):
    db = str(tmp_path / "w.duckdb")
    runner.invoke(app, ["build", "--db", db])
    out = runner.invoke(app, ["sources", "--db", db, "--kind", "curated_file", "--format", "json"])
    rows = json.loads(out.stdout)["rows"]
    assert rows and all(len(r["sha256"]) == 64 for r in rows)


def test_unknown_country_exits_nonzero_with_near_matches(tmp_path):
    db = str(tmp_path / "w.duckdb")
    _run("build", "--db", db)
    proc = _run("profile", "Uzbekstan", "--db", db)
    assert proc.returncode == 2
    assert "unknown country or group 'Uzbekstan'" in proc.stderr and "Uzbekistan (UZB)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_warehouse_exits_nonzero(tmp_path):
    proc = _run("sources", "--db", str(tmp_path / "missing.duckdb"))
    assert proc.returncode == 2 and "silkscope build" in proc.stderr


def test_usage_error_exits_nonzero():
    proc = _run("compare", "--format", "xml")
    assert proc.returncode != 0 and "xml" in proc.stderr
