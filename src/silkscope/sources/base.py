"""What every connector is, and the checks that turn bad publisher files into located, readable errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import duckdb

from silkscope.countries import near_matches, resolve
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import ByteProgress, FetchedFile, MissingFromMirror, RemoteFile, fetch

# DuckDB's CSV errors name the line like "Line: 12" or "line 12"; we lift it into the Problem.
_LINE_IN_MESSAGE = re.compile(r"[Ll]ine:?\s*(\d+)")


class Connector:
    """One publisher dataset: where it lives, how to parse it into raw.*, how to harmonise it into core.*.

    Subclasses set the class attributes and implement `remote_files`, `load_raw` and `harmonise`. `load_raw` and
    `harmonise` run inside the ingest transaction: raising InputError there rolls everything back.
    """

    name: ClassVar[str]  # e.g. "aiddata_flows": raw tables are raw.<name>_*
    publisher: ClassVar[str]
    title: ClassVar[str]
    short: ClassVar[str]  # a few words naming the dataset in a table cell or a heading ("OECD CRS")
    licence: ClassVar[str]
    homepage: ClassVar[str]
    citation: ClassVar[str]
    core_tables: ClassVar[tuple[str, ...]]  # core tables this connector writes (and clears on re-ingest)

    # With a mirror folder, may some files be absent? (e.g. WDI: an analyst carries in the indicators they need)
    partial_mirror_ok: ClassVar[bool] = False
    # A raw row that repeats an earlier line of its file in every published column: "error" stops the ingest
    # naming both lines (plausible.check_duplicates), because harmonise would count it twice; "keep" when such
    # rows are harmless (they never reach core) or meaningful. Each connector states its choice and why. The
    # default suits files keyed by country, year and series (WDI bulk and API: one row per country and
    # indicator, one observation per country and year), where a repeat can only be a copy.
    duplicate_rows: ClassVar[str] = "error"

    def remote_files(self) -> list[RemoteFile]:
        raise NotImplementedError

    def fetch_files(
        self,
        *,
        cache_dir: Path | None = None,
        mirror: Path | None = None,
        refresh: bool = False,
        progress: ByteProgress | None = None,
    ) -> list[FetchedFile]:
        """Fetch every remote file. Paged APIs override this to follow the publisher's page count.

        With a partial mirror, only a file truly absent from it is skipped. A file that is there but fails its
        content check (an HTML error page saved under the file's name, a folder, an unreadable file) stops the
        fetch: skipping it would make the ingest delete that file's earlier rows and still say "loaded".
        """
        files = []
        missing: list[str] = []
        for remote in self.remote_files():
            try:
                files.append(fetch(remote, cache_dir=cache_dir, mirror=mirror, refresh=refresh, progress=progress))
            except MissingFromMirror:
                if not (mirror is not None and self.partial_mirror_ok):
                    raise
                missing.append(remote.name)
        if not files:
            raise MissingFromMirror(
                f"none of {self.name}'s files is in the mirror folder {mirror} ({', '.join(missing)})"
            )
        return files

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        """The publisher's edition/version string, if the files say it (e.g. WDI 'Last Updated Date')."""
        return None

    def file_edition(self, file: FetchedFile, edition: str | None) -> str | None:
        """One file's edition (its core.sources.version): by default the connector-wide `edition`."""
        return edition

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        raise NotImplementedError

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        """Insert core rows; `source_ids` maps each remote file name to the source_id of that file."""
        raise NotImplementedError


def require_files(files: list[FetchedFile]) -> None:
    """Every file handed to a connector is a regular, readable file: a folder (or a vanished file) given where a
    file is expected is one located error here, for every connector, instead of a reader's traceback."""
    problems = []
    for file in files:
        path = Path(file.path)
        if path.is_file():
            continue
        found = "a folder" if path.is_dir() else "nothing (no such file)" if not path.exists() else "not a regular file"
        problems.append(Problem(str(path), 0, "(file)", f"the file {file.remote.name}", found))
    if problems:
        raise InputError(problems)


@contextmanager
def located(file: str | Path, expected: str) -> Iterator[None]:
    """Turn a DuckDB read error on `file` into an InputError naming the file, the line if known, and what we wanted."""
    try:
        yield
    except duckdb.Error as exc:
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
        # DuckDB's first line is often just "CSV Error on Line: 3"; the reason follows on a later line.
        reason = next((ln for ln in lines[1:] if not ln.startswith("Original Line")), "")
        message = " ".join(x for x in (lines[0] if lines else type(exc).__name__, reason) if x)
        raise InputError([Problem(str(file), error_line(exc), "(file)", expected, message[:300])]) from exc


def error_line(exc: duckdb.Error) -> int:
    """The line a DuckDB read error names ("Line: 12", "line 12"), or 0 when it names none."""
    match = _LINE_IN_MESSAGE.search(str(exc))
    return int(match.group(1)) if match else 0


def read_csv_raw(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    *,
    delim: str = ",",
    skip: int = 0,
    compression: str = "auto",
    encoding: str = "utf-8",
    source_id: str = "",
    expected: str = "a CSV file",
    escape: str = '"',
) -> None:
    """Create raw.<table> from a CSV exactly as published: every column VARCHAR, names snake_cased, plus
    `source_line` (1-based line in the file, header = skip + 1) and `source_id`."""
    with located(path, expected):
        con.execute(
            f"""CREATE OR REPLACE TABLE raw.{table} AS
            SELECT *, (row_number() OVER () + {skip + 1})::BIGINT AS source_line, ?::VARCHAR AS source_id
            FROM read_csv(?, delim = ?, header = true, skip = {skip}, all_varchar = true,
                          normalize_names = true, compression = ?, encoding = ?, quote = '"', escape = ?,
                          null_padding = false, strict_mode = true)""",
            [source_id, str(path), delim, compression, encoding, escape],
        )


def require_columns(
    con: duckdb.DuckDBPyConnection, table: str, file: str | Path, expected: list[str], *, delim: str = ","
) -> None:
    """Every expected column present (names snake_cased); otherwise one Problem listing what is missing."""
    have = [r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()]
    problem = missing_columns(file, [c for c in have if c not in ("source_line", "source_id")], expected, delim=delim)
    if problem:
        raise InputError([problem])


def missing_columns(
    file: str | Path,
    have: list[str],
    expected: list[str],
    *,
    delim: str = ",",
    published: Callable[[str], str] = str,
) -> Problem | None:
    """One Problem on line 1 naming the expected columns missing from `have` (the header as read), or None.

    `published` turns a snake_cased name back into the publisher's spelling for the message.
    """
    missing = [c for c in expected if c not in have]
    if not missing:
        return None
    hint = ""
    if len(have) == 1:
        hint = f" (the header was read as one column: is the file delimited by {delim!r}?)"
    return Problem(
        str(file),
        1,
        ",".join(map(published, missing)),
        f"columns {', '.join(map(published, expected))}{hint}",
        ",".join(map(published, have))[:300],
    )


def require_values(
    con: duckdb.DuckDBPyConnection,
    table: str,
    file: str | Path,
    columns: list[str],
    *,
    where: str = "true",
    limit: int = 10,
) -> None:
    """Every row (or every row matching `where`) has a non-empty cell in each column; else located Problems."""
    problems: list[Problem] = []
    for column in columns:
        rows = con.execute(
            f"""SELECT source_line FROM raw.{table} WHERE ({where}) AND nullif(trim("{column}"), '') IS NULL
            ORDER BY source_line LIMIT {limit}"""
        ).fetchall()
        problems += [Problem(str(file), line, column, "a value (the cell is empty)", "") for (line,) in rows]
    if problems:
        raise InputError(problems)


def check_types(
    con: duckdb.DuckDBPyConnection, table: str, file: str | Path, types: dict[str, str], *, limit: int = 10
) -> None:
    """Every non-empty cell of each column casts to its type (DOUBLE, INTEGER, DATE...); else located Problems."""
    problems: list[Problem] = []
    for column, sql_type in types.items():
        bad = con.execute(
            f"""SELECT source_line, "{column}" FROM raw.{table}
            WHERE nullif(trim("{column}"), '') IS NOT NULL AND TRY_CAST(trim("{column}") AS {sql_type}) IS NULL
            ORDER BY source_line LIMIT {limit}"""
        ).fetchall()
        problems += [Problem(str(file), line, column, f"a value of type {sql_type}", value) for line, value in bad]
    if problems:
        raise InputError(problems)


def check_allowed(
    con: duckdb.DuckDBPyConnection, table: str, file: str | Path, column: str, allowed: set[str], *, limit: int = 10
) -> None:
    """Every non-empty cell of `column` is one of `allowed` (a code list the harmoniser maps); else located."""
    rows = con.execute(
        f"""SELECT source_line, "{column}" FROM raw.{table}
        WHERE nullif(trim("{column}"), '') IS NOT NULL AND NOT list_contains(?, "{column}")
        ORDER BY source_line LIMIT {limit}""",
        [sorted(allowed)],
    ).fetchall()
    if rows:
        expected = f"one of {', '.join(sorted(allowed))}"
        raise InputError([Problem(str(file), line, column, expected, value) for line, value in rows])


def resolve_names(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    file: str | Path,
    *,
    extra: dict[str, str | None] | None = None,
    ignore: set[str] | None = None,
) -> dict[str, str]:
    """Map every distinct name/code in a column to ISO3; unknown names are listed (with a line each), not dropped.

    `extra` maps publisher-specific labels (e.g. AidData's "Central Asia, regional") to an ISO3 or to None
    (a known non-country: regions, multilaterals), `ignore` skips labels outright.
    """
    extra = extra or {}
    ignore = ignore or set()
    rows = con.execute(
        f"""SELECT "{column}", min(source_line) FROM raw.{table}
        WHERE nullif(trim("{column}"), '') IS NOT NULL GROUP BY 1 ORDER BY 2"""
    ).fetchall()
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for value, line in rows:
        if value in ignore or (value in extra and extra[value] is None):
            continue
        if value in extra:
            mapping[value] = extra[value]  # type: ignore[assignment]
            continue
        try:
            mapping[value] = resolve(value)
        except UnknownCountryError:
            near = near_matches(value)
            hint = f" (near: {', '.join(near)})" if near else ""
            problems.append(Problem(str(file), line, column, f"a country name or code silkscope knows{hint}", value))
    if problems:
        raise InputError(problems)
    return mapping


def mapping_table(con: duckdb.DuckDBPyConnection, name: str, mapping: dict[str, str]) -> None:
    """A temp table (label, iso3) for joins in harmonise SQL."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (label VARCHAR, iso3 VARCHAR)")
    if mapping:
        con.executemany(f"INSERT INTO {name} VALUES (?, ?)", sorted(mapping.items()))
