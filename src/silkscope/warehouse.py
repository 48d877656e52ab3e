"""Where the warehouse lives, how to open it, and the transaction every load runs in."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import platformdirs

from silkscope.errors import WarehouseMissingError
from silkscope.schema import CONNECTOR_DDL, DDL, MIGRATIONS, OUT_DDL, SCHEMA_VERSION, VIEWS

ENV_VAR = "SILKSCOPE_DB"


def default_db_path() -> Path:
    """$SILKSCOPE_DB if set, else silkscope.duckdb in the user's data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("silkscope", appauthor=False)) / "silkscope.duckdb"


def resolve_path(db: str | Path | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()


def connect(db: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Read-only opens require an existing, built warehouse."""
    path = resolve_path(db)
    if read_only:
        if not path.exists():
            raise WarehouseMissingError(str(path))
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL + CONNECTOR_DDL:
        con.execute(statement)
    if get_meta(con, "schema_version") != str(SCHEMA_VERSION):
        for statement in MIGRATIONS:
            con.execute(statement)
        set_meta(con, "schema_version", str(SCHEMA_VERSION))
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
