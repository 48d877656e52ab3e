"""The served warehouse: one shared read-only connection while requests are in flight, a lock for writes, a cache.

The connection is opened on demand and kept open between requests: opening it costs tens of milliseconds (DuckDB
loads the catalogue) and closing it drops DuckDB's buffers, so a visitor after a quiet minute found a cold
warehouse. It is closed once a writer in another process waits for the file (the marker warehouse.write_wanted,
checked every WRITER_POLL seconds while idle), after IDLE_CLOSE seconds without a request, and for a write here.
Cached answers are keyed by the file's size and modification time: any rebuild, here or elsewhere, makes them
unreachable.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from silkscope import memo, warehouse
from silkscope.errors import SilkscopeError, WarehouseMissingError


class WarehouseBusyError(SilkscopeError):
    """Another process holds the write lock (a build or ingest is running)."""


class LRU:
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int = 512):
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or the reason there is none (missing, locked by a writer) as a SilkscopeError."""
    if not path.exists():
        raise WarehouseMissingError(path.name)  # the file name only: an answer does not reveal the server's folders
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise WarehouseBusyError(
            f"the warehouse {path.name} is locked by another process (a build or ingest is running); retry in a moment"
        ) from exc


# DuckDB's threads on the served connection (a setting of its database instance). Requests run their statements
# concurrently, each on its request's thread, and the statements are small (out.* aggregates, thousands of rows):
# there DuckDB's own worker threads cost more in scheduling and wake-ups than they save. On 2 cores pages for a new
# scope answered 1.3-2x faster single-threaded (bench/first_call.py: a country page 69-83 ms against 102-120, the
# index comparison 32 against 60-67). $SILKSCOPE_READ_THREADS sets another number (many cores, full CRS rows).
READ_THREADS_ENV = "SILKSCOPE_READ_THREADS"


def read_threads() -> int:
    """DuckDB threads for the served connection: $SILKSCOPE_READ_THREADS, else 1 (see READ_THREADS_ENV)."""
    value = os.environ.get(READ_THREADS_ENV, "").strip()
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 1024:
        raise SilkscopeError(f"${READ_THREADS_ENV}: expected a whole number of threads from 1 to 1024, got {value!r}")
    return int(value)


# Seconds the read-only connection stays open without a request (then its memory is given back), and how often an
# idle server looks for a writer waiting in another process: well within the seconds a writer waits for the lock
# (warehouse.DEFAULT_LOCK_WAIT).
IDLE_CLOSE = 600.0
WRITER_POLL = 0.2


class ServedWarehouse:
    """`offload`: where heavy tasks run (an api.offload.Offload, which create_app sets)."""

    def __init__(self, db: str | Path | None = None):
        self.path = warehouse.resolve_path(db)
        self.threads = read_threads()  # a bad $SILKSCOPE_READ_THREADS stops the server at start, not a request
        self.offload: Any = None
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cursors: set[duckdb.DuckDBPyConnection] = set()
        self._last_read = 0.0  # time.monotonic() when the last reader let go
        self._watcher: threading.Thread | None = None  # closes the idle connection (see the module's docstring)
        self.results = LRU(1024)  # library answers (Result / Bundle objects), shared by API and pages
        self.bodies = LRU(2048)  # serialised API responses
        # set when the start-up warm-up (landing pages, indicators' statements) is over; /api/health reports it
        self.warmed = threading.Event()

    def version(self) -> tuple[int, int]:
        """Changes whenever the file does (size, mtime of the database and its write-ahead log)."""
        return warehouse.file_version(self.path)

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the shared read-only connection; writers wait until no reader holds one."""
        with self._cond:
            while self._writing:
                self._cond.wait()
            if self._con is None:
                self._con = self._open()
                if self._watcher is None:
                    self._watcher = threading.Thread(target=self._watch, name="served-connection", daemon=True)
                    self._watcher.start()
            self._readers += 1
            cursor = self._con.cursor()
            self._cursors.add(cursor)
        try:
            # read-only on this file: its look-ups memo without a statement, and Ibis's settings already in effect
            memo.adopt(cursor, self.path, settled=(warehouse.IBIS_SETTINGS,))
            yield cursor
        finally:
            cursor.close()
            with self._cond:
                self._cursors.discard(cursor)
                self._readers -= 1
                self._last_read = time.monotonic()
                self._cond.notify_all()

    def _watch(self) -> None:
        """While the connection is open: close it when no request holds it and a writer in another process waits
        for the file, or nobody has asked for IDLE_CLOSE seconds."""
        while True:
            time.sleep(WRITER_POLL)
            with self._cond:
                if self._con is None:
                    self._watcher = None
                    return
                if self._readers:
                    continue
                if time.monotonic() - self._last_read >= IDLE_CLOSE or warehouse.write_wanted(self.path):
                    self.close()
                    self._watcher = None
                    return

    def close(self) -> None:
        """Close the connection now if no request holds it (server shutdown, a write, the idle timer)."""
        with self._cond:
            if self._readers == 0 and self._con is not None:
                self._con.close()
                self._con = None
                self._cond.notify_all()

    def interrupt(self) -> None:
        """Stop the queries running now (server shutdown): their threads then end instead of being frozen inside
        DuckDB while the process exits, which aborts the process ('terminate called without an active exception')."""
        with self._cond:
            cursors = list(self._cursors)
        for cursor in cursors:
            with contextlib.suppress(Exception):
                cursor.interrupt()

    def _open(self) -> duckdb.DuckDBPyConnection:
        con = open_read_only(self.path)
        con.execute(warehouse.IBIS_SETTINGS.replace("SET ", "SET GLOBAL "))  # every cursor has them: see read()
        con.execute(f"SET threads = {self.threads}")
        return con

    @contextmanager
    def write(self) -> Iterator[Path]:
        """Exclusive access for build/update: waits for in-flight reads, then no connection is open."""
        with self._cond:
            while self._writing or self._readers:
                self._cond.wait()
            self._writing = True
            if self._con is not None:  # an idle connection still holds the file: a writer needs it closed
                self._con.close()
                self._con = None
        try:
            yield self.path
        finally:
            self.results.clear()
            self.bodies.clear()
            with self._cond:
                self._writing = False
                self._cond.notify_all()

    def cached(self, key: tuple, compute: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """`compute(con)` once per key and warehouse version; errors are not cached."""
        full = (key, self.version())
        hit = self.results.get(full)
        if hit is not None:
            return hit
        with self.read() as con:
            value = compute(con)
        self.results.put(full, value)
        return value

    def compute(self, task: str, key: tuple | None = None, **kwargs: Any) -> Any:
        """A heavy task (api.offload.TASKS) in a worker process when there are workers; cached under `key` when given.
        A reader all the same while it runs: a rebuild waits for it."""
        if key is not None:
            return self.cached(key, lambda con: self.offload.run(task, con, **kwargs))
        with self.read() as con:
            return self.offload.run(task, con, **kwargs)
