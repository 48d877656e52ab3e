"""Read-only peeks at a test warehouse (rows for assertions, the content checksum a failed load must keep), and the
one way tests plant a bad cell in a copy of the reference pack."""

from __future__ import annotations

import csv
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


def set_cell(pack: Path, file: str, index: int, column: str, value: str) -> int:
    """Set one cell of a pack CSV (written back as the pack writes it); return the line the build must name."""
    path = pack / file
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[index][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return index + 2
