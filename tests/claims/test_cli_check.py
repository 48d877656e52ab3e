"""`silkscope check`: formats, stdin, --fail-on, and errors that name the input and change nothing."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from silkscope.cli.check import app

runner = CliRunner()
TEXT = (
    "Published 2025-12-01\n\nNo sitting US president has ever visited Central Asia. "
    "Barack Obama visited Kazakhstan in 2010. The C5+1 format was launched in New York in September 2015.\n"
)


def _write(tmp_path, name="brief.md", text=TEXT):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_to_stdout(tmp_path, built_db):
    result = runner.invoke(app, [_write(tmp_path), "--db", str(built_db), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [c["verdict"] for c in payload["claims"]] == ["supported", "contradicted", "supported"]


def test_fail_on_contradicted_exits_1(tmp_path, built_db):
    result = runner.invoke(app, [_write(tmp_path), "--db", str(built_db), "--fail-on", "contradicted"])
    assert result.exit_code == 1
    assert "contradicted" in result.stdout  # the table is still printed
    ok = _write(tmp_path, "ok.md", "The C5+1 format was launched in New York in September 2015.\n")
    assert runner.invoke(app, [ok, "--db", str(built_db), "--fail-on", "contradicted"]).exit_code == 0


def test_stdin_and_markdown(built_db):
    result = runner.invoke(app, ["-", "--db", str(built_db), "--format", "markdown"], input=TEXT)
    assert result.exit_code == 0, result.output
    assert "## c2. contradicted — event" in result.stdout


def test_html_to_file(tmp_path, built_db):
    out = tmp_path / "report.html"
    result = runner.invoke(app, [_write(tmp_path), "--db", str(built_db), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_errors_name_the_input(tmp_path, built_db):
    missing = runner.invoke(app, [str(tmp_path / "nope.txt"), "--db", str(built_db)])
    assert missing.exit_code == 2 and "nope.txt: no such file" in missing.output
    big = _write(tmp_path, "big.txt", "x" * 5000)
    too_big = runner.invoke(app, [big, "--db", str(built_db), "--max-bytes", "1000"])
    assert too_big.exit_code == 2 and "big.txt: input is 5,000 bytes; the limit is 1,000 bytes" in too_big.output
    no_db = runner.invoke(app, [_write(tmp_path), "--db", str(tmp_path / "none.duckdb")])
    assert no_db.exit_code == 2 and "silkscope build" in no_db.output
    assert not (tmp_path / "none.duckdb").exists()


def test_bad_format_is_a_usage_error(tmp_path, built_db):
    result = runner.invoke(app, [_write(tmp_path), "--db", str(built_db), "--format", "pdf"])
    assert result.exit_code == 2
