"""Read-only peeks at a test warehouse: rows for assertions, and the content checksum a failed load must keep."""

from __future__ import annotations

from pathlib import Path

from silkscope import warehouse


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = warehouse.connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def checksum(db: Path) -> str:
    con = warehouse.connect(db, read_only=True)
    try:
        return warehouse.content_checksum(con)
    finally:
        con.close()
