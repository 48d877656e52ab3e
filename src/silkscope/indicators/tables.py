"""Ibis access to the warehouse's core tables on DuckDB or PySpark, and the step from an expression to a Result."""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ibis

from silkscope import warehouse
from silkscope.memo import LOCK as MEMO_LOCK
from silkscope.memo import read_only_memo
from silkscope.result import Result, cited_ids

# The core tables the indicators read. Spark gets a copy of each (from the DuckDB file or from Parquet files).
CORE_TABLES = (
    "countries",
    "sources",
    "events",
    "event_participants",
    "dialogue_formats",
    "presence",
    "finance_flows",
    "trade_flows",
    "investments",
    "indicators",
    "news_events",
    "leader_engagements",
)


# Derived tables the indicators read, by the name they use: out.panel is the dyad-year panel materialised with the
# facts (analysis.materialise), so an answer filters it instead of recompiling the panel from core.*.
OUT_TABLES = {"panel": ("out", "panel")}
# Compiled SQL by (dialect, expression): expressions over unbound tables are equal whenever they ask the same thing,
# whichever request or connection built them, so an indicator asked twice is compiled once per process.
_COMPILED: dict[tuple[str, Any], str] = {}
_COMPILED_MAX = 2048
_ARROW_SCHEMAS: dict[Any, Any] = {}  # an expression's result schema in Arrow types, by expression

# Scope values (countries, partners, years) enter the compiled SQL as parameters, not constants: the statement an
# indicator compiles for one scope serves every other scope, so a scope nobody asked before costs DuckDB's time
# only, not Ibis's (the "cached compiled SQL with bound parameters"). Parameters are canonical (the k-th
# value a Tables binds under a name is always the same parameter), so equal expressions over different scopes are
# equal and share a cache entry; the values are written into the SQL text when it is run or shown, so the SQL an
# answer shows runs as it stands.
_PARAMS: dict[tuple[str, int], Any] = {}
PARAM_LIST_MAX = 32  # a request names at most 20 partners (validate.py); the universe of all partners is longer
_SENTINEL_INT = -917_000_000  # sentinel k of an integer parameter: _SENTINEL_INT - k (no year is negative)


_PARAMS_LOCK = threading.Lock()  # server threads create parameters: one object per (name, slot), ever


def _param(name: str, slot: int, kind: str) -> Any:
    key = (name, slot)
    with _PARAMS_LOCK:
        if key not in _PARAMS:
            _PARAMS[key] = ibis.param("array<string>" if kind == "list" else "int64")
        return _PARAMS[key]


def _sentinel(index: int, kind: str) -> Any:
    return [f"__silkscope_scope_{index}__"] if kind == "list" else _SENTINEL_INT - index


def _sentinel_text(index: int, kind: str) -> str:
    return f"['__silkscope_scope_{index}__']" if kind == "list" else str(_SENTINEL_INT - index)


def _quoted(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _literal(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    return str(int(value))


# The frame Ibis writes into every window: the default where the window has no ORDER BY (the whole partition), and
# ignored by a ranking function. Left out of the SQL an answer shows (four lines a window), meaning unchanged.
_WHOLE = r"\s*ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING(\s*)\)"
_UNORDERED = re.compile(r"OVER \(\s*((?:PARTITION BY (?:(?!ORDER BY)[^()])*?)?)" + _WHOLE)
_RANKING = re.compile(r"((?:RANK|DENSE_RANK|ROW_NUMBER|PERCENT_RANK|CUME_DIST)\(\) OVER \([^()]*?)" + _WHOLE)
# sqlglot breaks the line after an aggregate's FILTER(WHERE: the condition reads on the same line
_FILTER_BREAK = re.compile(r"FILTER\(WHERE\n\s+")
# ... and puts each GROUP BY position on a line of its own: "GROUP BY 1, 2, 3" reads as one
_GROUP_POSITIONS = re.compile(r"GROUP BY\n\s+(\d+(?:,\n\s+\d+)*)(?=\n|$)")
# ... and gives a parenthesised operand of one line three: "(x IS NOT NULL) OR (y >= 2)" reads as one
_PAREN_LINES = re.compile(r"\(\n\s+([^()\n]+)\n\s*\)")
# ... and a call's arguments, when none has parentheses of its own: "COALESCE(a, b)"; and "SELECT *" on one line
_CALL_LINES = re.compile(r"(\w)\(\n\s+([^()\n]+(?:,\n\s+[^()\n]+)*)\n\s*\)")
_ARGUMENT_BREAK = re.compile(r",\n\s+")
_SELECT_ALL = re.compile(r"SELECT\n\s+\*\n")
# Ibis numbers ranks from 0 and adds the 1 back: "(RANK() OVER (...) - 1) + 1" is RANK() OVER (...)
_RANK_SHIFT = re.compile(r"\(\s*((?:RANK|DENSE_RANK|ROW_NUMBER)\(\) OVER \([^()]*\))\s*- 1\s*\) \+ 1")


def _tidy_sql(sql: str) -> str:
    """The SQL an answer shows and runs, as Ibis wrote it less what says nothing: the window frames that say what
    the window does anyway (see _WHOLE), the line break inside each FILTER(WHERE, one line for the positions a
    GROUP BY lists, for a parenthesised operand of one line and for a call's plain arguments, and a rank's -1 +1."""
    sql = _UNORDERED.sub(lambda m: f"OVER ({m.group(1).strip()})", sql)
    sql = _RANKING.sub(lambda m: f"{m.group(1).rstrip()}{m.group(2)})", sql)
    sql = _GROUP_POSITIONS.sub(lambda m: "GROUP BY " + re.sub(r",\s+", ", ", m.group(1)), sql)
    sql = _PAREN_LINES.sub(lambda m: f"({m.group(1).strip()})", sql)
    sql = _CALL_LINES.sub(lambda m: m.group(1) + "(" + _ARGUMENT_BREAK.sub(", ", m.group(2).strip()) + ")", sql)
    sql = _SELECT_ALL.sub("SELECT *\n", sql)
    sql = _RANK_SHIFT.sub(lambda m: " ".join(m.group(1).split()).replace("( ", "(").replace(" )", ")"), sql)
    return _FILTER_BREAK.sub("FILTER(WHERE ", sql)


def _split(template: str, kinds: list[tuple[Any, Any, str]]) -> tuple[tuple[str, ...], tuple]:
    """Compiled SQL with its parameters' sentinels cut out: (text, slot, text, slot, ..., text) and each slot's
    (form, parameter, column). Forms: "in" (a list parameter's membership test of a column, written as an IN list),
    "array" (a list parameter anywhere else), "int". Cut once per compile, so filling a request's values in is a
    join, not a search of the text for every parameter a process has made."""
    slots: list[tuple[str, Any, str | None]] = []

    def mark(form: str, param: Any, column: str | None = None) -> str:
        slots.append((form, param, column))
        return f"\x00{len(slots) - 1}\x00"

    for i, (_, param, kind) in enumerate(kinds):
        text = _sentinel_text(i, kind)
        if text not in template:
            continue
        if kind == "list":
            contains = rf'ARRAY_CONTAINS\({re.escape(text)}, ("[^"]+"\."[^"]+")\)'
            template = re.sub(contains, lambda m, p=param: mark("in", p, m.group(1)), template)
            template = re.sub(re.escape(text), lambda m, p=param: mark("array", p), template)
        else:
            template = re.sub(rf"(?<![\w.]){re.escape(text)}(?![\w.])", lambda m, p=param: mark("int", p), template)
    return tuple(template.split("\x00")), tuple(slots)


@dataclass
class Tables:
    """The core tables as Ibis tables on one backend. `engine` is 'duckdb' or 'pyspark' (the SQL dialect too).

    On DuckDB the tables are unbound (name and schema only): Ibis compiles them to the same SQL, expressions do
    not hold the request's connection, and the compiled SQL is shared by every request (see `sql`)."""

    backend: Any  # the Ibis backend; on the served path (`duckdb_tables(con=..., parameters=True)`) made when needed
    engine: str
    _names: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    _schemas: dict[tuple[str | None, str], Any] = field(default_factory=dict, repr=False)
    # Scope values as parameters (issue 13's compile-once path: analysis.catalogue, the server). Off by default: an
    # expression with parameters runs only through this Tables (`sql`, `rows`, `execute`), and a notebook or bench
    # that executes a library expression directly (backend.to_pyarrow(expr)) must get literals.
    parameters: bool = False
    # scope values bound as parameters: (name, value) -> parameter, and parameter op -> (value, kind)
    _slots: dict[tuple[str, Any], Any] = field(default_factory=dict, repr=False)
    _bound: dict[Any, tuple[Any, str]] = field(default_factory=dict, repr=False)
    # look-ups an answer makes more than once on the same connection (stored.stored_scope), by name
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    # set by indicators.plans while a plan builds: its binds are named after it and recorded
    _plan_prefix: str = field(default="", repr=False)
    _recorded: list[tuple[Any, Any]] | None = field(default=None, repr=False)
    _plan_calls: dict[str, int] = field(default_factory=dict, repr=False)
    con: Any = field(default=None, repr=False)  # the DuckDB connection (when `backend` is not made yet)

    def ibis_backend(self) -> Any:
        """The Ibis backend, made on first use: a kept plan (indicators.plans) runs without one, and making it costs
        a millisecond and a half (settings queries) of an answer that takes a few."""
        if self.backend is None:
            self.backend = ibis.duckdb.from_connection(self.con)
        return self.backend

    def plan_stamp(self) -> int | None:
        """A number for the schemas of this warehouse's core and out tables, for the key of a kept plan
        (indicators.plans); None where look-ups are not shared (a writable connection), and plans are not kept."""
        if self.engine != "duckdb" or not self.memo.get("shared"):
            return None
        if "plan_stamp" not in self.memo:
            signature = tuple(sorted(self._core_schemas().items(), key=lambda item: item[0]))
            with MEMO_LOCK:
                self.memo["plan_stamp"] = _STAMPS.setdefault(signature, len(_STAMPS))
        return self.memo["plan_stamp"]

    def _core_schemas(self) -> dict[tuple[str, str], Any]:
        """Every core.* and out.* table's schema, read once per memo (per warehouse version on the served path)."""
        if "schemas" not in self.memo:
            self.memo["schemas"] = _duckdb_schemas(self.ibis_backend())
        return self.memo["schemas"]

    def connection(self) -> Any:
        """The DuckDB connection under this Tables."""
        return self.con if self.con is not None else self.backend.con

    def __call__(self, name: str) -> ibis.Table:
        database, table = self._names.get(name, OUT_TABLES.get(name, ("core", name)))
        if self.engine != "duckdb":
            return self.backend.table(table, database=database) if database else self.backend.table(table)
        if not self._schemas:
            self._schemas.update(self._core_schemas())
        if (database, table) not in self._schemas:  # a temp table, or a table created since
            self._schemas[database, table] = self.ibis_backend().get_schema(table, database=database)
        return ibis.table(self._schemas[database, table], name=table, database=database)

    def has(self, name: str) -> bool:
        """Whether the warehouse holds this table (out.panel is missing from warehouses built before it existed)."""
        database, table = self._names.get(name, OUT_TABLES.get(name, ("core", name)))
        if self.engine != "duckdb":
            return name in self._names or name in CORE_TABLES
        return self.has_table(database, table)

    def has_table(self, schema: str, table: str) -> bool:
        """Whether the DuckDB warehouse holds schema.table (other engines: False); asked once per warehouse version
        where look-ups are shared."""
        if self.engine != "duckdb":
            return False
        if not self.memo.get("shared"):
            return warehouse.has_table(self.connection(), schema, table)
        held = self.memo.setdefault("has_table", {})
        if (schema, table) not in held:
            held[(schema, table)] = warehouse.has_table(self.connection(), schema, table)
        return held[(schema, table)]

    def bind(self, name: str, value: Any) -> Any:
        """`value` (a list of codes or a year) as a parameter of the compiled SQL, or a literal where parameters do
        not apply (Spark; an empty list)."""
        kind = "list" if isinstance(value, (list, tuple, set)) else "int"
        if kind == "list":
            value = sorted(value)
            if not value:
                return ibis.literal(value, type="array<string>")
        if self.engine != "duckdb" or not self.parameters:
            return ibis.literal(value, type="array<string>" if kind == "list" else "int64")
        name = self._plan_prefix + name
        key = (name, tuple(value) if kind == "list" else int(value))
        if key not in self._slots:
            slot = sum(1 for n, _ in self._slots if n == name)
            param = _param(name, slot, kind)
            self._slots[key] = param
            self._bound[param.op()] = (value, kind)
        if self._recorded is not None:
            self._recorded.append((self._slots[key], key[1]))
        return self._slots[key]

    def bind_again(self, param: Any, value: Any) -> None:
        """Give `param` (a parameter a kept plan's expression holds: indicators.plans) this Tables' `value`."""
        kind = "list" if param.type().is_array() else "int"
        self._bound[param.op()] = (sorted(value) if kind == "list" else int(value), kind)

    def isin(
        self, column: ibis.Column, name: str, values: Sequence[str], longest: int | None = PARAM_LIST_MAX
    ) -> ibis.BooleanValue:
        """`column` is one of `values` (bound as the parameter `name`). A list longer than `longest` stays an IN
        list on a large table: DuckDB hashes that, while a list parameter is searched row by row (out.panel's
        universe of ~200 partners over millions of rows)."""
        if self.engine != "duckdb" or not self.parameters or (longest is not None and len(values) > longest):
            return column.isin(list(values))
        return self.bind(name, list(values)).contains(column)

    def between(self, column: ibis.Column, lo: int, hi: int) -> ibis.BooleanValue:
        """`lo <= column <= hi`, the years bound as parameters."""
        return column.between(self.bind("since", lo), self.bind("until", hi))

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Plain SQL on this engine (small look-ups the indicators need before they build an expression)."""
        if self.engine == "pyspark":
            return [tuple(r) for r in self.backend._session.sql(sql).collect()]
        return self.connection().execute(sql, params or []).fetchall()

    def rows(self, expr: ibis.Expr, sql: str | None = None) -> list[dict[str, Any]]:
        """Execute and return plain Python rows (None for nulls and NaN; lists for arrays). Pass the compiled `sql`
        when you have it: compiling a wide indicator expression costs more than running it on small data."""
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self._arrow(sql or self.sql(expr), expr)
        # NaN to None: in Arrow for float columns; row by row only for nested columns that hold floats
        nested = []
        for i, f in enumerate(table.schema):
            if pa.types.is_floating(f.type):
                col = table.column(i)
                table = table.set_column(i, f, pc.if_else(pc.is_nan(col), pa.scalar(None, f.type), col))
            elif f.type.num_fields and ("float" in str(f.type) or "double" in str(f.type)):
                nested.append(f.name)
        rows = table.to_pylist()
        for row in rows if nested else ():
            for k in nested:
                row[k] = _plain(row[k])
        return rows

    def execute(self, expr: ibis.Expr):
        """Execute to a pandas DataFrame (for the statistical models)."""
        return self._arrow(self.sql(expr), expr).to_pandas()

    def sql(self, expr: ibis.Expr) -> str:
        """The SQL Ibis compiles `expr` to, in this engine's dialect, with this Tables' scope values written in.
        Compiled once per process for equal expressions (scope parameters included, whatever their values)."""
        key = (self.engine, expr.op())
        compiled = _COMPILED.get(key)
        if compiled is None:
            kinds = _param_kinds()
            params = {p: _sentinel(i, kind) for i, (p, _, kind) in enumerate(kinds)}
            text = str(ibis.to_sql(expr, dialect=self.engine, params=params))
            compiled = _split(_tidy_sql(text) if self.engine == "duckdb" else text, kinds)
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.pop(next(iter(_COMPILED)))  # oldest first: dicts keep insertion order
            _COMPILED[key] = compiled
        return self._fill(*compiled)

    def _fill(self, parts: tuple[str, ...], slots: tuple[tuple[str, Any, str | None], ...]) -> str:
        """The compiled text with this Tables' value in each slot (see _split)."""
        if not slots:
            return parts[0]
        out = list(parts)
        for j in range(1, len(parts), 2):
            form, param, column = slots[int(parts[j])]
            if param not in self._bound:  # a parameter bound by another Tables: never run with a sentinel
                raise RuntimeError(f"scope parameter {param!r} is not bound in this Tables")
            value, _ = self._bound[param]
            if form == "in":  # membership of a column reads (and is hashed by DuckDB) as an IN list; same NULLs
                out[j] = f"{column} IN ({', '.join(_quoted(v) for v in value)})"
            else:
                out[j] = _literal(value)
        return "".join(out)

    def _arrow(self, sql: str, expr: ibis.Expr):
        if self.engine == "pyspark":
            table = self.backend._session.sql(sql).toArrow()
        else:
            table = self.connection().sql(sql).fetch_arrow_table()
        # the engine's own types (DuckDB: SUM(INTEGER) is a HUGEINT/decimal) back to the expression's schema
        op = expr.op()
        schema = _ARROW_SCHEMAS.get(op)
        if schema is None:
            schema = _ARROW_SCHEMAS[op] = expr.as_table().schema().to_pyarrow()
            if len(_ARROW_SCHEMAS) > _COMPILED_MAX:
                _ARROW_SCHEMAS.pop(next(iter(_ARROW_SCHEMAS)))
        return table.cast(schema)

    def materialise(self, expr: ibis.Table, name: str) -> ibis.Table:
        """Compute `expr` once and return it as a table (Spark: a checkpointed temp view, which also keeps later
        plans small; DuckDB: a temp table)."""
        if self.engine == "pyspark":
            frame = self.backend._session.sql(self.sql(expr)).localCheckpoint()
            frame.createOrReplaceTempView(name)
            return self.backend.table(name)
        self.connection().execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {self.sql(expr)}')
        self._names[name] = (None, name)
        self._schemas.pop((None, name), None)  # replaced: its schema may differ from the last one of that name
        return self(name)

    def sources(self, source_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Provenance rows for the cited source ids, in id order."""
        ids = sorted({s for s in source_ids if s})
        if not ids:
            return []
        if self.engine == "duckdb":  # a fixed statement: building it with Ibis cost more than running it
            listed = ", ".join(_quoted(i) for i in ids)
            found = self.connection().execute(f"{_SOURCES_SQL} WHERE source_id IN ({listed}) ORDER BY source_id")
            names = [d[0] for d in found.description]
            return [dict(zip(names, row, strict=True)) for row in found.fetchall()]
        s = self("sources")
        expr = s.filter(self.isin(s.source_id, "source_ids", ids, longest=None)).select(
            "source_id", "kind", "publisher", "title", "url", "licence", "sha256", "version", "citation"
        )
        return sorted(self.rows(expr), key=lambda r: r["source_id"])


_SOURCES_SQL = "SELECT source_id, kind, publisher, title, url, licence, sha256, version, citation FROM core.sources"
_SCHEMAS: dict[tuple, Any] = {}  # Ibis schemas by their DuckDB column list: parsed once a process


def _param_kinds() -> list[tuple[Any, Any, str]]:
    """Every canonical parameter (expression, op, kind), in a fixed order: its index names its sentinel."""
    with _PARAMS_LOCK:
        params = list(_PARAMS.values())
    return [(p, p.op(), "list" if p.type().is_array() else "int") for p in params]


def _duckdb_schemas(backend: Any) -> dict[tuple[str, str], Any]:
    """Every core.* and out.* table's Ibis schema from one catalogue query (DESCRIBE per table costs a query each:
    a fifth of an indicator's time on the request path)."""
    found: dict[tuple[str, str], list[tuple]] = {}
    for schema, table, name, typ, nullable in backend.con.execute(
        "SELECT schema_name, table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name IN ('core', 'out') "
        "ORDER BY schema_name, table_name, column_index"
    ).fetchall():
        found.setdefault((schema, table), []).append((name, typ, nullable))
    out = {}
    mapper = backend.compiler.type_mapper
    for key, cols in found.items():
        signature = tuple(cols)
        if signature not in _SCHEMAS:
            _SCHEMAS[signature] = ibis.schema({n: mapper.from_string(t, nullable=bool(nl)) for n, t, nl in cols})
        out[key] = _SCHEMAS[signature]
    return out


def column(table: ibis.Table, name: str, what: str = "measure") -> ibis.Column:
    """`table[name]`, or an error naming the closest columns: user-chosen names must never surface as a crash."""
    if name not in table.columns:
        import difflib

        from silkscope.errors import SilkscopeError

        near = difflib.get_close_matches(name, table.columns, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise SilkscopeError(f"{what}: no column {name!r} here{hint} (columns: {', '.join(table.columns)})")
    return table[name]


def nullable(table: ibis.Table) -> ibis.Table:
    """The same columns with nullable types: set operations need identical schemas, NOT NULL included."""
    return table.select(**{c: table[c].cast(typ.copy(nullable=True)) for c, typ in table.schema().items()})


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def duckdb_tables(db: str | Path | None = None, *, con: Any = None, parameters: bool = False) -> Tables:
    """The warehouse on DuckDB: an open duckdb connection, else the file (opened read-only). `parameters`: scope
    values become parameters of the compiled SQL (see Tables.parameters)."""
    if con is None:
        path = warehouse.resolve_path(db)
        if not path.exists():
            from silkscope.errors import WarehouseMissingError

            raise WarehouseMissingError(str(path))
        backend = ibis.duckdb.connect(str(path), read_only=True)
    elif parameters:  # the served path: no Ibis backend until a build needs one (Tables.ibis_backend)
        return Tables(None, "duckdb", parameters=True, memo=read_only_memo(con, warehouse.IBIS_SETTINGS), con=con)
    else:
        backend = ibis.duckdb.from_connection(con)
    return Tables(backend, "duckdb", parameters=parameters)


_STAMPS: dict[tuple, int] = {}  # a small number per distinct set of warehouse schemas (Tables.plan_stamp)


def local_spark(cores: int = 1, memory: str = "2g"):
    """A local Spark session with no UI and loopback networking (tests use one core)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("silkscope")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(cores))
        # small inputs: compiling whole-stage Java code costs more than it saves
        .config("spark.sql.codegen.wholeStage", "false")
        # the indicator plans are wide (many small joins): these two cut Spark's planning time by about a third
        .config("spark.sql.constraintPropagation.enabled", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def spark_tables(session: Any, db: str | Path | None = None, *, parquet_dir: str | Path | None = None) -> Tables:
    """The same core tables on PySpark: copied from the DuckDB warehouse (small data) or read from Parquet files
    named `<table>.parquet` (large data, written by `export_parquet`). Registered as temp views `core_<table>`."""
    if parquet_dir is None:
        # Through Parquet rather than Arrow: Spark reads empty tables and every DuckDB type from it unchanged.
        import tempfile

        import duckdb

        parquet_dir = tempfile.mkdtemp(prefix="silkscope_spark_")
        with duckdb.connect(str(warehouse.resolve_path(db)), read_only=True) as con:
            export_parquet(con, parquet_dir)
    names: dict[str, tuple[str | None, str]] = {}
    for table in (*CORE_TABLES, *OUT_TABLES):
        path = Path(parquet_dir) / f"{table}.parquet"
        if not path.exists() and table in OUT_TABLES:
            continue  # a warehouse from before out.panel: the indicators compute the panel instead
        prefix = "out" if table in OUT_TABLES else "core"
        session.read.parquet(str(path)).createOrReplaceTempView(f"{prefix}_{table}")
        names[table] = (None, f"{prefix}_{table}")
    return Tables(ibis.pyspark.connect(session), "pyspark", names)


def export_parquet(con: Any, directory: str | Path) -> None:
    """Write every core table the indicators read to `<directory>/<table>.parquet` (for Spark)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    for table in CORE_TABLES:
        con.execute(f"COPY core.{table} TO '{Path(directory) / table}.parquet' (FORMAT parquet)")
    for table, (schema, name) in OUT_TABLES.items():
        if warehouse.has_table(con, schema, name):
            con.execute(f"COPY {schema}.{name} TO '{Path(directory) / table}.parquet' (FORMAT parquet)")


def to_result(
    tables: Tables,
    expr: ibis.Table,
    title: str,
    definitions: dict[str, str],
    notes: list[str] | None = None,
    *,
    extra_source_ids: Iterable[str] = (),
) -> Result:
    """Execute an indicator expression into a Result: rows, their sources, the definitions and the SQL."""
    sql = tables.sql(expr)
    rows = tables.rows(expr, sql)
    ids = cited_ids(rows) | set(extra_source_ids)
    return Result(
        title,
        list(expr.columns),
        rows,
        sql,
        [],
        tables.sources(ids),
        definitions,
        list(notes or []),
    )


def in_scope(
    partners: Sequence[str] | None, countries: Sequence[str] | None, since: int | None, until: int | None
) -> tuple[list[str], list[str], int, int]:
    """The partners, countries and years an indicator covers, with the defaults for what the caller left out."""
    from silkscope.countries import C5, DEFAULT_PARTNERS

    lo, hi = year_bounds(since, until)
    return list(partners or DEFAULT_PARTNERS), list(countries or C5), lo, hi


def year_bounds(since: int | None, until: int | None, default_until: int | None = None) -> tuple[int, int]:
    from silkscope.errors import SilkscopeError

    lo = since or 1992
    hi = until or default_until or date.today().year
    if lo > hi:
        raise SilkscopeError(f"--since {lo} is after --until {hi}: expected since <= until")
    return lo, hi
