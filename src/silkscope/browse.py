"""Read-only browsing of the warehouse's core.* and out.* tables (datasette's habit): filter, sort, page, export,
and always the SQL that ran. Every name a user sends is checked against the catalogue; values are bound."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from silkscope.errors import SilkscopeError
from silkscope.validate import NotFoundError

SCHEMAS = ("core", "out")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000
# An export holds its rows in memory: beyond this many the file says it is cut (ask the API page by page instead).
EXPORT_CAP = 50_000
MAX_FILTERS, MAX_VALUE_CHARS = 20, 200
MAX_PAGE, MAX_OFFSET = 1_000_000, 10**12  # beyond any table here, and inside DuckDB's integer range
OPS = ("eq", "contains", "gte", "lte")
OP_WORDS = {"eq": "=", "contains": "contains", "gte": "≥", "lte": "≤"}

# One line per table for the list page; a table without one still shows, with FALLBACK (browsable at once).
DESCRIPTIONS = {
    "core.meta": "Warehouse facts: schema version, build time, the measure catalogue's digest",
    "core.sources": "Every document and dataset cited: publisher, title, URL, licence, edition, sha256",
    "core.countries": "The country registry: ISO3, ISO2, M49 and DAC codes, names and each state's role",
    "core.country_aliases": "Every name and code the resolver knows for a country, in English and regional languages",
    "core.country_groups": "Named groups of states (C5, EU27, DAC...) and how each is defined",
    "core.country_group_members": "Which states belong to which group",
    "core.actors": "Agencies, banks and multilaterals (JICA, KOICA, China EXIM, ADB...) with their home state",
    "core.dialogue_formats": "Dialogue formats such as C5+1 and Central Asia + Japan: partner, members, launch",
    "core.events": "Visits, summits, dialogue meetings and agreements, dated, with visitor, host and level",
    "core.event_participants": "Each event's visiting and host states with their level",
    "core.presence": "Companies, joint ventures and offices of a partner counted in a state",
    "core.opinion": "Poll results: share of respondents in a state with a view of a partner",
    "core.coverage": "What the curated timeline covers per partner and instrument, and how completely",
    "core.country_classes": "Classes of countries a claim may name (e.g. liberal democracy), by year and basis",
    "core.leader_terms": "Heads of state and government (and the EU's presidents) with their terms in office",
    "core.finance_flows": "Official finance by donor, recipient and year: flow class, measure, price basis, US$",
    "core.trade_flows": "Goods trade by partner, state, year and direction, as reported, in US$",
    "core.investments": "Foreign direct investment stocks and flows by partner and state",
    "core.published_claims": "Claims quoted from published texts, with the figure and definition they state",
    "core.indicators": "Country-year indicator values (World Bank WDI context series, AidData diplomacy counts)",
    "core.news_events": "News-derived events (GDELT), counted and kept apart from the curated timeline",
    "core.leader_engagements": "Dated engagements of named leaders from a biographical source (China Vitae)",
    "out.visits": "Derived: one row per held in-person visit and host, with the key that groups a trip's stops",
    "out.observations": "Derived: every catalogue measure by partner, state and year, with unit, source, edition",
    "out.panel": "Derived: the dyad-year panel (partner × state × year) the indicators read",
}
FALLBACK = {"core": "Harmonised facts (no description written yet)", "out": "Derived (no description written yet)"}


class UnknownTableError(NotFoundError):
    """A table name that is not one of the browsable tables (a 404, like any unknown address)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str

    @property
    def kind(self) -> str:
        """text, list, or value (numbers, dates, booleans): decides which filters apply."""
        if self.type.endswith("[]"):
            return "list"
        return "text" if self.type == "VARCHAR" else "value"

    @property
    def ops(self) -> tuple[str, ...]:
        return {"text": ("eq", "contains"), "list": ("contains",)}.get(self.kind, ("eq", "gte", "lte"))


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    rows: int
    description: str

    @property
    def full_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: str

    @property
    def key(self) -> str:
        """The query-string name: `year`, `title__contains`, `year__gte`."""
        return self.column if self.op == "eq" else f"{self.column}__{self.op}"

    def __str__(self) -> str:
        return f"{self.column} {OP_WORDS[self.op]} {self.value!r}"


@dataclass
class Page:
    """One page of a filtered table, the filtered total, and the exact SQL with its parameters."""

    table: TableInfo
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: int
    sql: str
    params: list[Any]
    count_sql: str
    filters: list[Filter] = field(default_factory=list)
    sort: str | None = None
    desc: bool = False
    size: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    @property
    def number(self) -> int:
        return self.offset // self.size + 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.rows else 0

    @property
    def last_row(self) -> int:
        return self.offset + len(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table.full_name,
            "description": self.table.description,
            "columns": [{"name": c.name, "type": c.type} for c in self.columns],
            "filters": [{"column": f.column, "op": f.op, "value": f.value} for f in self.filters],
            "sort": self.sort,
            "desc": self.desc,
            "total": self.total,
            "page": self.number,
            "size": self.size,
            "offset": self.offset,
            "rows": self.rows,
            "sql": self.sql,
            "params": self.params,
        }


@dataclass
class Export:
    """All filtered rows up to `cap`; `capped` says the file holds fewer rows than the filter matched."""

    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    cap: int
    sql: str
    params: list[Any]

    @property
    def capped(self) -> bool:
        return self.total > len(self.rows)

    @property
    def note(self) -> str | None:
        if not self.capped:
            return None
        return f"the first {len(self.rows):,} of {self.total:,} rows (the export cap is {self.cap:,}): filter further"

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "total": self.total, "exported": len(self.rows), "capped": self.capped,
                "cap": self.cap, "note": self.note, "sql": self.sql, "params": self.params,
                "columns": self.columns, "rows": self.rows}  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), default=_json_default, ensure_ascii=False)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_csv_cell(row[c]) for c in self.columns])
        return buffer.getvalue()


def tables(con: duckdb.DuckDBPyConnection) -> list[TableInfo]:
    """Every core.* and out.* table with its exact row count, in schema then name order."""
    return [_info(con, schema, name) for schema, name in _names(con)]


def table(con: duckdb.DuckDBPyConnection, name: str) -> TableInfo:
    """The browsable table called `name` ('core.events'), or UnknownTableError listing them."""
    known = {f"{schema}.{table_name}": (schema, table_name) for schema, table_name in _names(con)}
    if name not in known:
        raise UnknownTableError(f"unknown table {name!r}; the browsable tables are: {', '.join(known)}")
    return _info(con, *known[name])


def _names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name IN ('core', 'out') ORDER BY schema_name, table_name"
    ).fetchall()


def _info(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> TableInfo:
    (rows,) = con.execute(f"SELECT count(*) FROM {_table_sql(schema, name)}").fetchone()
    return TableInfo(schema, name, rows, DESCRIPTIONS.get(f"{schema}.{name}") or FALLBACK[schema])


def columns(con: duckdb.DuckDBPyConnection, info: TableInfo) -> list[Column]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [info.schema, info.name],
    ).fetchall()
    return [Column(n, t) for n, t in rows]


def parse_filters(pairs: list[tuple[str, str]]) -> list[Filter]:
    """Query-string pairs (`year=2003`, `title__contains=C5+1`) as filters; names starting with `_` are controls
    and skipped. Columns are checked later, against the table."""
    out = []
    for key, value in pairs:
        if key.startswith("_") or key == "format":
            continue
        column, _, op = key.partition("__")
        op = op or "eq"
        if op not in OPS:
            raise SilkscopeError(f"filter {key!r}: unknown operator {op!r}; expected one of: {', '.join(OPS)}")
        out.append(Filter(column, op, value))
    return out


def sort_of(sort: str | None, sort_desc: str | None) -> tuple[str | None, bool]:
    """`_sort=year` or `_sort_desc=year` (datasette's names) as (column, descending); both at once is named."""
    if sort and sort_desc:
        raise SilkscopeError(f"_sort={sort!r} and _sort_desc={sort_desc!r}: give one of them")
    return (sort_desc, True) if sort_desc else (sort or None, False)


def query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: list[Filter] | None = None,
    sort: str | None = None,
    desc: bool = False,
    size: int = DEFAULT_PAGE_SIZE,
    page: int = 1,
    offset: int | None = None,
) -> Page:
    """One page of table `name` where every filter holds, sorted by `sort` (then by storage order, so pages are
    stable). `offset`, when given, wins over `page`."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise SilkscopeError(f"page size: expected 1 to {MAX_PAGE_SIZE}, got {size}")
    if not 1 <= page <= MAX_PAGE or (offset is not None and not 0 <= offset <= MAX_OFFSET):
        raise SilkscopeError(
            f"page: expected a page from 1 to {MAX_PAGE:,} and an offset from 0 to {MAX_OFFSET:,}, "
            f"got page {page}, offset {offset}"
        )
    info, cols, base, params, order, total = _prepare(con, name, filters or [], sort, desc)
    start = offset if offset is not None else (page - 1) * size
    sql = f"SELECT * {base} ORDER BY {order} LIMIT ? OFFSET ?"
    all_params = [*params, size, start]
    rows = _fetch(con, sql, all_params)[1]
    return Page(info, cols, rows, total, sql, all_params, f"SELECT count(*) {base}", list(filters or []), sort,
                desc, size, start)  # fmt: skip


def export(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: list[Filter] | None = None,
    sort: str | None = None,
    desc: bool = False,
    cap: int = EXPORT_CAP,
) -> Export:
    """Every row the filters match, up to `cap` (the Export says when it was cut), for CSV or JSON."""
    info, _, base, params, order, total = _prepare(con, name, filters or [], sort, desc)
    sql = f"SELECT * {base} ORDER BY {order} LIMIT ?"
    names, rows = _fetch(con, sql, [*params, cap])
    return Export(info.full_name, names, rows, total, cap, sql, [*params, cap])


def _prepare(
    con: duckdb.DuckDBPyConnection, name: str, filters: list[Filter], sort: str | None, desc: bool
) -> tuple[TableInfo, list[Column], str, list[Any], str, int]:
    """Everything checked before any row is read: the table, the filters' columns, operators and values, the
    sort column; then the filtered total."""
    info = table(con, name)
    cols = columns(con, info)
    where, params = _where(con, cols, filters)
    order = _order(cols, sort, desc)
    base = f"FROM {_table_sql(info.schema, info.name)}{where}"
    (total,) = con.execute(f"SELECT count(*) {base}", params).fetchone()
    return info, cols, base, params, order, total


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return names, [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _where(con: duckdb.DuckDBPyConnection, cols: list[Column], filters: list[Filter]) -> tuple[str, list[Any]]:
    if len(filters) > MAX_FILTERS:
        raise SilkscopeError(f"filters: at most {MAX_FILTERS}, got {len(filters)}")
    by_name = {c.name: c for c in cols}
    clauses, params = [], []
    for f in filters:
        column = by_name.get(f.column)
        if column is None:
            raise SilkscopeError(f"filter {f.key!r}: no column {f.column!r}; the columns are: {', '.join(by_name)}")
        if f.op not in column.ops:
            raise SilkscopeError(
                f"filter {f.key!r}: {f.column} is {column.type}, which takes {', '.join(column.ops)}, not {f.op}"
            )
        if len(f.value) > MAX_VALUE_CHARS:
            raise SilkscopeError(f"filter {f.key!r}: the value is over {MAX_VALUE_CHARS} characters")
        ident = _ident(column.name)
        if column.kind == "list":
            clauses.append(f"list_contains({ident}, ?)")
            params.append(f.value)
        elif f.op == "contains":
            clauses.append(f"contains(lower({ident}), lower(?))")
            params.append(f.value)
        else:
            clauses.append(f"{ident} {'=' if f.op == 'eq' else '>=' if f.op == 'gte' else '<='} ?")
            params.append(_typed(con, column, f))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _typed(con: duckdb.DuckDBPyConnection, column: Column, f: Filter) -> Any:
    """The value as the column's type (a year as an integer, a date as a date), or an error naming the filter.
    The type text comes from the catalogue, never from the request."""
    if column.type == "VARCHAR":
        return f.value
    (value,) = con.execute(f"SELECT TRY_CAST(? AS {column.type})", [f.value.strip()]).fetchone()
    if value is None:
        raise SilkscopeError(f"filter {f.key!r}: expected a value of type {column.type}, got {f.value!r}")
    return value


def _order(cols: list[Column], sort: str | None, desc: bool) -> str:
    if not sort:
        return "rowid"  # storage order: stable pages without a sort
    if sort not in {c.name for c in cols}:
        raise SilkscopeError(f"sort: no column {sort!r}; the columns are: {', '.join(c.name for c in cols)}")
    return f"{_ident(sort)} {'DESC' if desc else 'ASC'} NULLS LAST, rowid"


def _ident(name: str) -> str:
    """A quoted identifier; only ever called with names read from the catalogue."""
    return '"' + name.replace('"', '""') + '"'


def _table_sql(schema: str, name: str) -> str:
    return f"{_ident(schema)}.{_ident(name)}"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_csv_cell(v) for v in value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""  # exact: an export is for recomputing
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
