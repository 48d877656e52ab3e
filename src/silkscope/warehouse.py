"""Where the warehouse lives, how to open it, and the transaction every load runs in."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import platformdirs

from silkscope.errors import SilkscopeError, WarehouseMissingError
from silkscope.schema import CONNECTOR_DDL, DDL, MIGRATIONS, OUT_DDL, SCHEMA_VERSION, VIEWS

# What Ibis's DuckDB backend sets on a connection it is given: UTC, and no Python variables read as tables. The
# server sets them once, globally, on its read-only connection, so that no request's cursor runs them again.
IBIS_SETTINGS = "SET TimeZone = 'UTC'; SET python_enable_replacements = false; "

ENV_VAR = "SILKSCOPE_DB"


def default_db_path() -> Path:
    """$SILKSCOPE_DB if set, else silkscope.duckdb in the user's data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("silkscope", appauthor=False)) / "silkscope.duckdb"


def resolve_path(db: str | Path | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()


class WarehouseError(SilkscopeError):
    """The warehouse file cannot be opened: a folder, not a DuckDB file, unreadable, or locked by another process."""


# How long a second process waits for the one holding the warehouse's lock (a build or ingest finishing) before it
# gives up with an error naming that process. Seconds; 0 = do not wait.
LOCK_WAIT_ENV = "SILKSCOPE_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 10.0
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


# A writer kept waiting by another process's lock says so with a file beside the warehouse, refreshed while it waits
# and removed once it has the file or gives up: a server keeping the file open read-only between requests lets go of
# it as soon as it is idle (serving/state.py). A marker older than this is a writer that died: ignored.
WRITE_WANTED_STALE = 30.0


def write_wanted_marker(path: Path) -> Path:
    return path.with_name(path.name + ".write-wanted")


def write_wanted(path: Path) -> bool:
    """True while a writer in another process waits for this warehouse's lock."""
    try:
        return time.time() - write_wanted_marker(path).stat().st_mtime < WRITE_WANTED_STALE
    except OSError:
        return False


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT)))
    except ValueError:
        raise WarehouseError(
            f"{LOCK_WAIT_ENV}={os.environ[LOCK_WAIT_ENV]!r}: expected the seconds to wait for a locked warehouse"
        ) from None


def connect(db: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Read-only opens require an existing, built warehouse.

    A path that is a folder, a file that is not a DuckDB database (or is cut short), and a warehouse another
    process keeps locked past `lock_wait()` seconds are WarehouseErrors naming the path (and the other process).
    """
    path = resolve_path(db)
    if path.is_dir():
        raise WarehouseError(f"{path}: is a folder; expected a warehouse file (e.g. --db {path / 'silkscope.duckdb'})")
    if read_only:
        if not path.exists():
            raise WarehouseMissingError(str(path))
        return _open(path, read_only=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(f"{path}: cannot create its folder ({exc.strerror or exc})") from exc
    con = _open(path, read_only=False)
    ensure_schema(con)
    return con


def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting (with backoff, up to lock_wait() seconds) while another process holds the lock. A
    writer kept waiting says so (write_wanted_marker), so that servers holding the file read-only let go of it."""
    wait = lock_wait()
    deadline = time.monotonic() + wait
    delay = 0.05
    marker = None if read_only else write_wanted_marker(path)
    try:
        while True:
            try:
                return duckdb.connect(str(path), read_only=read_only)
            except duckdb.Error as exc:
                message = str(exc)
                holder = _LOCK_HOLDER.search(message)
                if holder is None:
                    raise WarehouseError(_unreadable(path, message)) from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WarehouseError(
                        f"{path}: the warehouse is locked by another process, {holder.group('program')} "
                        f"(PID {holder.group('pid')}) — a build, ingest or server still running? Waited {wait:g} s "
                        f"(set {LOCK_WAIT_ENV} to wait longer); nothing was changed"
                    ) from exc
                if marker is not None:
                    with contextlib.suppress(OSError):  # a folder we cannot write to: wait as before
                        marker.touch()
                time.sleep(min(delay, left))
                delay = min(delay * 2, 1.0)
    finally:
        if marker is not None:
            with contextlib.suppress(OSError):
                marker.unlink(missing_ok=True)


def _unreadable(path: Path, message: str) -> str:
    reason = message.removeprefix("IO Error: ").strip().splitlines()[0][:300] if message.strip() else "unreadable"
    if "not a valid DuckDB database" in message or "Could not read enough bytes" in message:
        what = "is not a complete DuckDB warehouse file (corrupt, cut short, or another kind of file)"
        return f"{path}: {what}; pass --db a warehouse silkscope built, or a new file name to build one ({reason})"
    return f"{path}: the warehouse cannot be opened ({reason})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL + CONNECTOR_DDL:
        con.execute(statement)
    if get_meta(con, "schema_version") != str(SCHEMA_VERSION):
        for statement in MIGRATIONS:
            con.execute(statement)
        set_meta(con, "schema_version", str(SCHEMA_VERSION))
    # Before schema v3 out.visits was a view; it is a materialised table now (a build fills it).
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = 'out' AND table_name = 'visits'"
    ).fetchone()
    if kind and kind[0] == "VIEW":
        con.execute("DROP VIEW out.visits")
    for statement in OUT_DDL + VIEWS:
        con.execute(statement)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: any exception rolls back every statement made inside the block."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM core.meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether this warehouse holds schema.table (a derived table added by a later version may be missing)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database()",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO core.meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]
    )


def content_checksum(con: duckdb.DuckDBPyConnection) -> str:
    """A sha256 over every row of every table in raw/core/out, independent of file layout.

    Used to prove that a failed load changed nothing, even where DuckDB rewrites file blocks.
    """
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'core', 'out') ORDER BY 1, 2"
    ).fetchall()
    digest = hashlib.sha256()
    for schema, table in tables:
        digest.update(f"{schema}.{table}\n".encode())
        rows = con.execute(f'SELECT * FROM "{schema}"."{table}" ORDER BY ALL').fetchall()
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def file_version(path: str | Path) -> tuple[int, int]:
    """Changes whenever the warehouse file does: size and mtime of the database and of its write-ahead log."""
    stamp = []
    for p in (Path(path), Path(f"{path}.wal")):
        try:
            st = os.stat(p)
            stamp.append(st.st_size ^ st.st_mtime_ns)
        except FileNotFoundError:
            stamp.append(0)
    return stamp[0], stamp[1]


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
