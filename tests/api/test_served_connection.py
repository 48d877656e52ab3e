"""The served warehouse keeps its read-only connection open between requests (opening it costs tens of milliseconds
and DuckDB's warm buffers), and lets go of the file after long idleness, for a write, or when a writer in another
process waits (tests/test_reliability_load.py)."""

from __future__ import annotations

import time

import duckdb

from silkscope.serving import state
from silkscope.serving.state import ServedWarehouse


def test_one_connection_serves_reads_one_after_another(built_db, monkeypatch):
    opened = []
    real = state.open_read_only
    monkeypatch.setattr(state, "open_read_only", lambda path: opened.append(path) or real(path))
    served = ServedWarehouse(built_db)
    for _ in range(5):
        with served.read() as con:
            assert con.execute("SELECT count(*) FROM core.events").fetchone()[0] > 0
    assert len(opened) == 1
    served.close()


def test_the_file_is_released_when_idle_and_before_a_write(built_db, tmp_path, monkeypatch):
    monkeypatch.setattr(state, "IDLE_CLOSE", 0.2)
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(built_db.read_bytes())
    served = ServedWarehouse(copy)
    with served.read():
        pass
    assert served._con is not None  # kept for the next request
    deadline = time.monotonic() + 5
    while served._con is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served._con is None, "the idle connection was not closed"
    with served.read():
        pass
    with served.write() as path:  # a write closes the idle connection at once: the file is free for a writer
        assert served._con is None
        with duckdb.connect(str(path)) as writer:
            writer.execute("CREATE TABLE core.scratch AS SELECT 1 AS x")
    with served.read() as con:  # and reads reopen it, seeing the write
        assert con.execute("SELECT x FROM core.scratch").fetchone() == (1,)
    served.close()


def test_a_query_interrupted_at_shutdown_is_a_503_not_a_logged_fault(built_db, monkeypatch, caplog):
    """Ctrl+C interrupts the queries in flight (the warm-up's pages among them): their answer is 'stopping', and
    no traceback reaches the log (a user stopping the server saw 'unexpected error' with one)."""
    from fastapi.testclient import TestClient

    from silkscope.server import create_app
    from silkscope.web import routes

    def interrupted(*args, **kwargs):
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(routes.pages, "sources", interrupted)
    with TestClient(create_app(built_db), raise_server_exceptions=False) as client:
        page = client.get("/sources")
    assert page.status_code == 503 and "stopping" in page.text
    assert "unexpected error" not in caplog.text and "Traceback" not in caplog.text
