"""Look-ups kept per warehouse version on read-only connections (silkscope.memo): the sources table and the
coverage declaration are read once, answer as the statements they replace, and are read again once the file changes."""

from __future__ import annotations

import shutil

import duckdb

from silkscope import coverage, memo
from silkscope.result import sources_for


class Counting:
    # a connection noting the statements run through it
    def __init__(self, con):
        self.con, self.statements = con, 0

    def execute(self, *args):
        self.statements += 1
        return self.con.execute(*args)


def test_look_ups_are_shared_only_while_the_file_is_unchanged(built_db, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        first = memo.read_only_memo(con)
    with duckdb.connect(str(copy), read_only=True) as con:
        assert memo.read_only_memo(con) is first and first.get("shared")
    with duckdb.connect(str(copy)) as con:
        assert memo.read_only_memo(con) is not first and not memo.read_only_memo(con)  # a writer's: its own, every time
        con.execute("CREATE TABLE core.scratch AS SELECT 1 AS x")
        con.execute("CHECKPOINT")
    with duckdb.connect(str(copy), read_only=True) as con:
        assert memo.read_only_memo(con) is not first


def test_a_read_only_connection_finds_its_memo_once(built_db, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        counted = Counting(con)
        found = memo.read_only_memo(counted)
        assert all(memo.read_only_memo(counted) is found for _ in range(5)) and counted.statements == 1
        setup = "SET TimeZone = 'UTC'; "
        assert memo.read_only_memo(counted, setup) is found and counted.statements == 2  # its own setup
    with duckdb.connect(str(copy)) as con:  # a writer's memo is found again every time
        counted = Counting(con)
        memo.read_only_memo(counted), memo.read_only_memo(counted)
        assert counted.statements == 2


def test_sources_and_coverage_are_read_once_per_version_and_answer_as_the_query(built_db, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)
    with duckdb.connect(str(copy)) as con:  # a writer: the filtered statement every time, nothing kept
        ids = {r[0] for r in con.execute("SELECT source_id FROM core.sources ORDER BY source_id LIMIT 7").fetchall()}
        ids.add("no_such_source")
        by_query = sources_for(con, ids)
        declared = coverage.load(con)
    assert [s["source_id"] for s in by_query] == sorted(ids - {"no_such_source"})
    with duckdb.connect(str(copy), read_only=True) as con:
        counted = Counting(con)
        assert sources_for(counted, ids) == by_query
        assert coverage.load(counted) == declared
        first = counted.statements
        for _ in range(3):
            assert sources_for(counted, ids) == by_query and coverage.load(counted) == declared
        assert counted.statements == first  # kept: no statement
        sources_for(counted, ids)[0]["title"] = "changed by a caller"
        assert sources_for(counted, ids) == by_query  # a caller gets copies
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE core.sources SET title = 'retitled' WHERE source_id = ?", [by_query[0]["source_id"]])
        con.execute("CHECKPOINT")
    with duckdb.connect(str(copy), read_only=True) as con:
        assert sources_for(con, ids)[0]["title"] == "retitled"  # the file changed: read again


def test_a_served_cursor_finds_its_memo_without_a_statement(built_db, tmp_path):
    from silkscope.serving.state import ServedWarehouse

    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)
    served = ServedWarehouse(copy)
    try:
        with served.read() as cursor:
            adopted = memo.read_only_memo(cursor)
            counted = Counting(cursor)
            memo.adopt(counted, copy)
            assert memo.read_only_memo(counted, "SET TimeZone = 'Asia/Almaty'; ") is adopted
            assert counted.statements == 1  # the settings only: the memo was known
            assert cursor.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "Asia/Almaty"
        with duckdb.connect(str(copy), read_only=True) as con:
            assert memo.read_only_memo(con) is adopted and adopted.get("shared")
    finally:
        served.close()


def test_a_served_cursor_has_ibis_settings_and_never_runs_them_again(built_db, tmp_path):
    from silkscope import warehouse
    from silkscope.serving.state import ServedWarehouse

    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)
    served = ServedWarehouse(copy)
    setting = "SELECT current_setting('TimeZone'), current_setting('python_enable_replacements')"
    try:
        with served.read() as cursor:
            assert cursor.execute(setting).fetchone() == ("UTC", False)  # set once, globally, on the connection
            cursor.execute("SET TimeZone = 'Asia/Almaty'")
            memo.read_only_memo(cursor, warehouse.IBIS_SETTINGS)  # what an indicator's Tables asks for
            assert cursor.execute(setting).fetchone()[0] == "Asia/Almaty"  # not run again on this cursor
    finally:
        served.close()


def test_stored_fits_are_read_once_per_version_and_answer_as_one_by_one(built_db, tmp_path):
    from silkscope import warehouse
    from silkscope.errors import SilkscopeError
    from silkscope.indicators.tables import duckdb_tables
    from silkscope.serving.state import ServedWarehouse
    from silkscope.stats import stored_fits

    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)

    def answers(t):
        out = []
        for outcome in ("finance", "projects", "trade"):
            for countries in stored_fits.stored_scopes():
                try:
                    found = stored_fits.load(t, stored_fits.default_key(outcome, countries))
                    out.append(found and (found.title, [s.rows for s in found.sections]))
                except SilkscopeError as exc:
                    out.append(str(exc))
        return out

    served = ServedWarehouse(copy)
    try:
        with served.read() as cursor:
            counted = Counting(cursor)
            memo.adopt(counted, copy, settled=(warehouse.IBIS_SETTINGS,))
            t = duckdb_tables(con=counted, parameters=True)
            kept = answers(t)
            first = counted.statements
            assert answers(t) == kept and counted.statements == first  # every default fit from memory
    finally:
        served.close()
    with duckdb.connect(str(copy)) as con:  # a writer: nothing kept, each fit its own statement
        assert answers(duckdb_tables(con=con, parameters=True)) == kept
    assert any(isinstance(a, tuple) for a in kept) and any(isinstance(a, str) for a in kept)


def test_the_served_connection_runs_duckdb_on_the_request_thread_unless_told_otherwise(built_db, tmp_path, monkeypatch):
    from silkscope.serving.state import READ_THREADS_ENV, ServedWarehouse

    copy = tmp_path / "w.duckdb"
    shutil.copy(built_db, copy)
    for setting, threads in ((None, 1), ("3", 3)):
        if setting:
            monkeypatch.setenv(READ_THREADS_ENV, setting)
        served = ServedWarehouse(copy)
        try:
            with served.read() as cursor:
                assert cursor.execute("SELECT current_setting('threads')").fetchone()[0] == threads
        finally:
            served.close()
