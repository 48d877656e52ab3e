"""The build: idempotent, and all-or-nothing on every kind of malformed row."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from silkscope import build as build_module
from silkscope import warehouse
from silkscope.build import build
from silkscope.errors import InputError


def _state(db: Path) -> tuple[str, str]:
    """(sha256 of the file's bytes, sha256 of every row) — a failed load must leave both as they were."""
    with duckdb.connect(str(db), read_only=True) as con:
        content = warehouse.content_checksum(con)
    return warehouse.file_sha256(db), content


def _edit(pack: Path, file: str, row_index: int, column: str, value: str) -> int:
    """Set one cell of a pack CSV; return the 1-based line number the build must report."""
    path = pack / file
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0].keys())
    rows[row_index][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row_index + 2  # header is line 1


def test_build_loads_every_table(built_db):
    with duckdb.connect(str(built_db), read_only=True) as con:
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "core.events",
                "core.sources",
                "core.dialogue_formats",
                "core.presence",
                "core.opinion",
                "core.published_claims",
                "core.countries",
                "core.actors",
            )
        }
        unsourced = con.execute("SELECT count(*) FROM core.events WHERE citation_status = 'unsourced'").fetchone()[0]
        no_source = con.execute(
            "SELECT count(*) FROM core.events e ANTI JOIN core.sources s USING (source_id)"
        ).fetchone()[0]
    # both shared timelines; one EU/TUR/IND row split in two; the five states' independence (the Factbook)
    assert counts["core.events"] == 103 + 131 + 1 + 5
    assert unsourced == 9
    assert no_source == 0
    assert counts["core.dialogue_formats"] >= 6
    assert counts["core.presence"] == 10 and counts["core.opinion"] == 82  # 4 earlier MOFA rows + 78 carried
    assert counts["core.published_claims"] >= 20
    assert counts["core.countries"] > 240 and counts["core.actors"] >= 20


def test_rebuild_is_a_noop(tmp_path):
    db = tmp_path / "w.duckdb"
    first = build(db)
    before = _state(db)
    second = build(db)
    assert first.changed and not second.changed
    assert _state(db) == before


def test_forced_rebuild_gives_the_same_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    build(db)
    before = _fact_rows(db)
    assert build(db, force=True).changed
    assert _fact_rows(db) == before


def _fact_rows(db: Path) -> list:
    """Every loaded row except the build's own timestamps (pack files' retrieved_at, meta)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema = 'core' AND table_name NOT IN ('meta', 'sources') ORDER BY 1"
            ).fetchall()
        ]
        rows = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables]
        rows.append(con.execute("SELECT * EXCLUDE (retrieved_at) FROM core.sources ORDER BY ALL").fetchall())
        return rows


BAD_ROWS = [
    # (file, row index, column, bad value, words the message must contain)
    ("events.csv", 5, "date_start", "2003-13-45", "a real calendar date"),
    ("events.csv", 7, "date_start", "12/06/2003", "a date written as YYYY-MM"),
    ("events.csv", 3, "host_iso3", "XYZ", "ISO3 country code"),
    ("presence.csv", 2, "count", "-5", "whole number >= 0"),
    ("presence.csv", 1, "count", "many", "whole number"),
    ("events.csv", 10, "source_ids", "", "at least one source id"),
    ("events.csv", 11, "source_ids", "src_does_not_exist", "ids defined in sources"),
    ("presence.csv", 0, "partner_iso3", "Japn", "ISO3 country code"),
    ("opinion.csv", 0, "share_pct", "185", "between 0"),
    ("events.csv", 4, "status", "happened", "one of cancelled, held"),
]


@pytest.mark.parametrize(("file", "index", "column", "value", "expected"), BAD_ROWS)
def test_malformed_row_aborts_and_changes_nothing(tmp_path, pack_copy, file, index, column, value, expected):
    db = tmp_path / "w.duckdb"
    build(db)
    before = _state(db)
    line = _edit(pack_copy, file, index, column, value)
    with pytest.raises(InputError) as info:
        build(db, pack_dir=pack_copy)
    message = str(info.value)
    assert f"reference_pack/{file}:{line}" in message
    assert repr(column) in message and expected in message
    assert _state(db) == before


def test_malformed_row_on_a_fresh_machine_creates_no_warehouse(tmp_path, pack_copy):
    _edit(pack_copy, "events.csv", 0, "date_start", "not a date")
    with pytest.raises(InputError):
        build(tmp_path / "new.duckdb", pack_dir=pack_copy)
    assert not (tmp_path / "new.duckdb").exists()


def test_missing_column_is_reported_with_the_header(tmp_path, pack_copy):
    path = pack_copy / "presence.csv"
    text = path.read_text(encoding="utf-8").replace("presence_kind", "kind_of_presence", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"presence.csv:1: column 'presence_kind'"):
        build(tmp_path / "w.duckdb", pack_dir=pack_copy)


def test_duplicate_id_is_rejected(tmp_path, pack_copy):
    with (pack_copy / "events.csv").open(encoding="utf-8") as fh:
        first_event = fh.read().splitlines()[1]
    with (pack_copy / "events.csv").open("a", encoding="utf-8") as fh:
        fh.write(first_event + "\n")
    with pytest.raises(InputError, match="a unique id"):
        build(tmp_path / "w.duckdb", pack_dir=pack_copy)


def test_claims_cannot_cite_measured_sources(tmp_path, pack_copy):
    _edit(pack_copy, "published_claims.csv", 0, "source_ids", "src_trend_2935491")
    with pytest.raises(InputError, match="kind 'publication'"):
        build(tmp_path / "w.duckdb", pack_dir=pack_copy)


def test_failure_inside_the_transaction_rolls_back(tmp_path, pack_copy, monkeypatch):
    """A database error half-way through the load (after some tables were replaced) leaves no trace."""
    db = tmp_path / "w.duckdb"
    build(db)
    before = _state(db)
    _edit(pack_copy, "presence.csv", 0, "count", "19")  # a valid change, so the build does run
    real_insert = build_module._insert

    def failing_insert(con, table, rows):
        if table == "core.presence":
            raise duckdb.ConstraintException("simulated failure while loading core.presence")
        real_insert(con, table, rows)

    monkeypatch.setattr(build_module, "_insert", failing_insert)
    with pytest.raises(duckdb.ConstraintException):
        build(db, pack_dir=pack_copy)
    assert _state(db)[1] == before[1]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.events").fetchone()[0] == 240


def test_build_names_a_folder_or_corrupt_db_without_a_traceback(tmp_path):
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "silkscope"
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    for target, expected in ((tmp_path, "is a folder"), (junk, "not a complete DuckDB warehouse file")):
        done = subprocess.run([str(exe), "build", "--db", str(target)], capture_output=True, text=True)
        assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert junk.read_text() == "not a database"  # changed nothing
