"""Answers that carry their evidence: rows, the sources behind them, the definitions used and the query."""

from __future__ import annotations

import csv
import html
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from silkscope.memo import read_only_memo


@dataclass
class Result:
    """A table answer. `query` is the SQL that produced `rows` (with `params` bound), as datasette shows it."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    query: str = ""
    params: list[Any] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # "by_column": people read this answer transposed (one column per row entity), as a side-by-side comparison
    layout: str = "by_row"

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "definitions": self.definitions,
            "notes": self.notes,
            "sources": self.sources,
            "query": self.query,
            "params": self.params,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=_json_default, ensure_ascii=False)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        return buffer.getvalue()

    def to_pandas(self):  # pragma: no cover - convenience for notebooks; pandas is optional
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in self.columns) + "</tr>"
            for r in self.rows
        )
        cites = "".join(f"<li>{html.escape(s.get('citation') or s['source_id'])}</li>" for s in self.sources)
        return (
            f"<h4>{html.escape(self.title)}</h4><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            f"</table><details><summary>Sources ({len(self.sources)})</summary><ul>{cites}</ul></details>"
        )


@dataclass
class Bundle:
    """Several results answering one question (a country profile has one per instrument)."""

    title: str
    sections: list[Result]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "notes": self.notes, "sections": [s.to_dict() for s in self.sections]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=_json_default, ensure_ascii=False)

    def to_csv(self) -> str:
        """One CSV: a `section` column, then the union of the sections' columns."""
        columns = ["section"]
        for s in self.sections:
            columns += [c for c in s.columns if c not in columns]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for s in self.sections:
            for row in s.rows:
                writer.writerow({"section": s.title, **{k: _cell(v) for k, v in row.items()}})
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        return f"<h3>{html.escape(self.title)}</h3>" + "".join(s._repr_html_() for s in self.sections)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def fetch_rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> tuple[list[str], list[dict]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


SOURCES_SQL = "SELECT source_id, kind, publisher, title, url, licence, sha256, version, citation FROM core.sources"


def sources_for(con: duckdb.DuckDBPyConnection, source_ids: set[str]) -> list[dict[str, Any]]:
    """The provenance rows for every source id that an answer's rows cite, in id order. On a read-only connection
    the sources table (a few hundred rows) is read once per warehouse version and kept (silkscope.memo): a page
    cites sources in every section, and a statement each was 20-40 ms of a country or partner page."""
    if not source_ids:
        return []
    memo = read_only_memo(con)
    if not memo.get("shared"):
        _, rows = fetch_rows(
            con, f"{SOURCES_SQL} WHERE list_contains(?, source_id) ORDER BY source_id", [sorted(source_ids)]
        )
        return rows
    if "sources" not in memo:
        memo["sources"] = {r["source_id"]: r for r in fetch_rows(con, SOURCES_SQL)[1]}
    kept = memo["sources"]
    return [dict(kept[i]) for i in sorted(source_ids) if i in kept]


def cited_ids(rows: list[dict[str, Any]]) -> set[str]:
    ids: set[str] = set()
    for row in rows:
        for key in ("source_ids", "source_id"):
            value = row.get(key)
            if isinstance(value, list):
                ids.update(value)
            elif isinstance(value, str) and value:
                ids.update(value.split(";"))
    return ids


def jsonable(value: Any) -> Any:
    """JSON-safe copy: dates as ISO strings, decimals and non-finite floats made portable."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(payload: Any) -> bytes:
    return json.dumps(jsonable(payload), ensure_ascii=False, separators=(",", ":")).encode()
