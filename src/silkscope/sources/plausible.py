"""Checks every ingest runs whatever the connector: exact duplicate raw rows, and numbers no publisher can mean.

Both run inside the ingest transaction (ingest.py): raising InputError there rolls the whole load back. They are
written once here rather than in each connector, so a new connector is covered without doing anything.
"""

from __future__ import annotations

import math
import re

import duckdb

from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile

# No amount in silkscope's scope comes near this: world GDP is about 1.1e14 US$ (2023), so a flow, stock or trade
# value above 1e15 US$ is a unit slip (a "thousand US$" cell multiplied twice) or a corrupt cell, never a fact.
MAX_ABS_USD = 1e15
# Values in other units (an indicator's own unit, a value in the currency as published): the largest plausible is
# a GDP in a high-denomination currency (Indonesia's is about 2e16 rupiah, Iran's about 5e16 rials). 1e18 keeps
# two orders of magnitude of room above those and still catches 1e308, inf and NaN.
MAX_ABS_OTHER = 1e18
# Columns with a bound of their own: GDELT's Goldstein scale runs from -10 to +10 by definition.
BOUNDS = {"goldstein": 10.0}
LIMIT = 10  # problems listed per check; the message says how many more there are
_RECORD = re.compile(r"^raw\.(?P<table>[A-Za-z0-9_]+):(?P<rest>.*)$")
_YEAR_NAME = re.compile(r"^_(\d)")  # read_csv's normalize_names prefixes '_' to a header starting with a digit


def bound_for(column: str) -> float:
    """The largest magnitude a value of this core column can plausibly have."""
    return BOUNDS.get(column, MAX_ABS_USD if column.endswith("_usd") else MAX_ABS_OTHER)


def as_number(cell: object) -> float | None:
    """A published cell read as a number, or None when it is not one."""
    try:
        return float(str(cell).strip().replace("_", "x"))  # float() would accept "1_000"; a publisher does not
    except ValueError:
        return None


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _files_by_source(ids: dict[str, str], files: list[FetchedFile]) -> dict[str, str]:
    paths = {f.remote.name: str(f.path) for f in files}
    return {sid: paths.get(name, name) for name, sid in ids.items()}


# --- exact duplicates -----------------------------------------------------------------------------------------


def raw_tables_of_load(con: duckdb.DuckDBPyConnection, source_ids: list[str]) -> list[tuple[str, list[str]]]:
    """(raw table, its published columns) for every raw table holding rows of this load, keyed by line."""
    tables = con.execute(
        """SELECT table_name, list(column_name ORDER BY ordinal_position) FROM information_schema.columns
           WHERE table_schema = 'raw' GROUP BY table_name
           HAVING list_contains(list(column_name), 'source_id') AND list_contains(list(column_name), 'source_line')
           ORDER BY table_name"""
    ).fetchall()
    found = []
    for table, columns in tables:
        if con.execute(
            f'SELECT 1 FROM raw."{table}" WHERE list_contains(?, source_id) LIMIT 1', [source_ids]
        ).fetchone():
            found.append((table, [c for c in columns if c not in ("source_id", "source_line")]))
    return found


def check_duplicates(
    con: duckdb.DuckDBPyConnection, connector_name: str, ids: dict[str, str], files: list[FetchedFile]
) -> None:
    """No raw row of this load repeats an earlier line of the same file in every published column.

    Such a row is a copy (a line pasted twice, a file concatenated with itself), and every harmoniser that sums or
    counts rows would count it twice. Connectors whose duplicates are harmless say so with
    `duplicate_rows = "keep"` (and why); the check then does not run.
    """
    shown = _files_by_source(ids, files)
    problems: list[Problem] = []
    for table, columns in raw_tables_of_load(con, list(ids.values())):
        if not columns:
            continue
        quoted = ", ".join(f'"{c}"' for c in columns)
        rows = con.execute(
            f"""SELECT source_id, list(source_line ORDER BY source_line)
                FROM raw."{table}" WHERE list_contains(?, source_id)
                GROUP BY source_id, {quoted} HAVING count(*) > 1
                ORDER BY source_id, min(source_line) LIMIT {LIMIT}""",
            [list(ids.values())],
        ).fetchall()
        for source_id, lines in rows:
            earlier = lines[0]
            for line in lines[1:]:
                problems.append(
                    Problem(
                        shown.get(source_id, source_id),
                        line,
                        "(row)",
                        f"no exact copy of another row ({connector_name} would count it twice)",
                        f"the row on line {earlier} again, field for field",
                    )
                )
    if problems:
        raise InputError(problems[: LIMIT * 2])


# --- implausible numbers --------------------------------------------------------------------------------------


def check_values(
    con: duckdb.DuckDBPyConnection, core_tables: tuple[str, ...], ids: dict[str, str], files: list[FetchedFile]
) -> None:
    """No numeric value this load wrote to core is NaN, infinite or absurdly large (MAX_ABS_USD, MAX_ABS_OTHER).

    Each one is named by the file, line and published column it came from where the row's `record`
    ("raw.<table>:<line>", "raw.<table>:<file>:<line>" or "raw.<table>:<line>,<line>..." for sums) leads back to a
    raw row holding the bad cell; otherwise by the core column and the record.
    """
    shown = _files_by_source(ids, files)
    problems: list[Problem] = []
    for table in core_tables:
        schema, name = table.split(".")
        columns = [
            r[0]
            for r in con.execute(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_schema = ? AND table_name = ? AND data_type IN ('DOUBLE', 'FLOAT', 'REAL')
                   ORDER BY ordinal_position""",
                [schema, name],
            ).fetchall()
        ]
        for column in columns:
            bound = bound_for(column)
            wrong = f"NOT isfinite({column}) OR abs({column}) > {bound!r}"  # NaN compares greater, but say it
            rows = con.execute(
                f"""SELECT source_id, record, {column} FROM {table}
                    WHERE list_contains(?, source_id) AND {column} IS NOT NULL AND ({wrong})
                    ORDER BY record LIMIT {LIMIT}""",
                [list(ids.values())],
            ).fetchall()
            for source_id, record, value in rows:
                problems.append(_locate(con, shown.get(source_id, source_id), source_id, record, column, value, bound))
    if problems:
        raise InputError(problems)


def _expected(column: str, bound: float) -> str:
    return f"a finite number of plausible size (|x| <= {bound:g}) (it would become {column})"


def _locate(
    con: duckdb.DuckDBPyConnection, file: str, source_id: str, record: str, column: str, value: float, bound
) -> Problem:
    """The raw cell behind a core value: file, line and published column, found through the row's record."""
    match = _RECORD.match(record or "")
    if not match:
        return Problem(file, 0, column, _expected(column, bound), f"{value!r} (record {record})")
    table, rest = match.group("table"), match.group("rest")
    tail = rest.rsplit(":", 1)[-1]
    lines = [int(n) for n in re.findall(r"\d+", tail)]
    for line in lines:
        cell = _raw_cell(con, table, source_id, line, value)
        if cell is not None:
            raw_column, text = cell
            return Problem(file, line, _YEAR_NAME.sub(r"\1", raw_column), _expected(column, bound), text)
    return Problem(file, lines[0] if lines else 0, column, _expected(column, bound), f"{value!r} (record {record})")


def _raw_cell(con: duckdb.DuckDBPyConnection, table: str, source_id: str, line: int, value: float):
    """(column, cell) of the raw row that holds `value` as published, else the first cell that is itself
    implausible in any unit (a 1e308 that a unit multiplier turned into inf); None when neither is there."""
    try:
        cursor = con.execute(
            f'SELECT * FROM raw."{table}" WHERE source_line = ? AND source_id = ? LIMIT 1', [line, source_id]
        )
    except duckdb.Error:  # the record names no raw table with those columns: fall back to the core column
        return None
    row = cursor.fetchone()
    if row is None:
        return None
    cells = [
        (d[0], cell, as_number(cell))
        for d, cell in zip(cursor.description, row, strict=True)
        if d[0] not in ("source_id", "source_line") and cell is not None
    ]
    numbers = [(name, cell, n) for name, cell, n in cells if n is not None]
    exact = next(((name, str(cell)) for name, cell, n in numbers if _same(n, value)), None)
    wild = next(
        ((name, str(cell)) for name, cell, n in numbers if not math.isfinite(n) or abs(n) > MAX_ABS_OTHER), None
    )
    return exact or wild
