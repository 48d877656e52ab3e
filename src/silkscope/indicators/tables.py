"""Ibis access to the warehouse's core tables on DuckDB or PySpark, and the step from an expression to a Result."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ibis

from silkscope import warehouse
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


@dataclass
class Tables:
    """The core tables as Ibis tables on one backend. `engine` is 'duckdb' or 'pyspark' (the SQL dialect too)."""

    backend: Any
    engine: str
    _names: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    _compiled: dict[Any, str] = field(default_factory=dict, repr=False)

    def __call__(self, name: str) -> ibis.Table:
        database, table = self._names.get(name, ("core", name))
        return self.backend.table(table, database=database) if database else self.backend.table(table)

    def rows(self, expr: ibis.Expr, sql: str | None = None) -> list[dict[str, Any]]:
        """Execute and return plain Python rows (None for nulls and NaN; lists for arrays). Pass the compiled `sql`
        when you have it: compiling a wide indicator expression costs more than running it on small data."""
        table = self._arrow(sql or self.sql(expr), expr)
        return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]

    def execute(self, expr: ibis.Expr):
        """Execute to a pandas DataFrame (for the statistical models)."""
        return self._arrow(self.sql(expr), expr).to_pandas()

    def sql(self, expr: ibis.Expr) -> str:
        """The SQL Ibis compiles `expr` to, in this engine's dialect (compiled once per expression)."""
        key = expr.op()
        if key not in self._compiled:
            self._compiled[key] = str(ibis.to_sql(expr, dialect=self.engine))
        return self._compiled[key]

    def _arrow(self, sql: str, expr: ibis.Expr):
        if self.engine == "pyspark":
            table = self.backend._session.sql(sql).toArrow()
        else:
            table = self.backend.con.sql(sql).fetch_arrow_table()
        # the engine's own types (DuckDB: SUM(INTEGER) is a HUGEINT/decimal) back to the expression's schema
        return table.cast(expr.as_table().schema().to_pyarrow())

    def materialise(self, expr: ibis.Table, name: str) -> ibis.Table:
        """Compute `expr` once and return it as a table (Spark: a checkpointed temp view, which also keeps later
        plans small; DuckDB: a temp table)."""
        if self.engine == "pyspark":
            frame = self.backend._session.sql(self.sql(expr)).localCheckpoint()
            frame.createOrReplaceTempView(name)
            return self.backend.table(name)
        self.backend.create_table(name, expr, temp=True, overwrite=True)
        return self.backend.table(name)

    def sources(self, source_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Provenance rows for the cited source ids, in id order."""
        ids = sorted({s for s in source_ids if s})
        if not ids:
            return []
        s = self("sources")
        expr = s.filter(s.source_id.isin(ids)).select(
            "source_id", "kind", "publisher", "title", "url", "licence", "sha256", "version", "citation"
        )
        return sorted(self.rows(expr), key=lambda r: r["source_id"])


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


def duckdb_tables(db: str | Path | None = None, *, con: Any = None) -> Tables:
    """The warehouse on DuckDB: an open duckdb connection, else the file (opened read-only)."""
    if con is None:
        path = warehouse.resolve_path(db)
        if not path.exists():
            from silkscope.errors import WarehouseMissingError

            raise WarehouseMissingError(str(path))
        backend = ibis.duckdb.connect(str(path), read_only=True)
    else:
        backend = ibis.duckdb.from_connection(con)
    return Tables(backend, "duckdb")


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
    for table in CORE_TABLES:
        path = Path(parquet_dir) / f"{table}.parquet"
        session.read.parquet(str(path)).createOrReplaceTempView(f"core_{table}")
        names[table] = (None, f"core_{table}")
    return Tables(ibis.pyspark.connect(session), "pyspark", names)


def export_parquet(con: Any, directory: str | Path) -> None:
    """Write every core table the indicators read to `<directory>/<table>.parquet` (for Spark)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    for table in CORE_TABLES:
        con.execute(f"COPY core.{table} TO '{Path(directory) / table}.parquet' (FORMAT parquet)")


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
