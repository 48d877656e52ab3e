"""World Bank WDI, bulk download: the wide CSV per indicator (zip or bare), unpivoted into core.indicators.

What is harmonised (DC.DAC bilateral series into core.finance_flows), and how codes and indicators are read, is
shared with the API and DDF connectors (wdi_api.py, wdi_ddf.py) in wdi_codes.py.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.ingest import source_id_for
from silkscope.sources.base import Connector, check_types, mapping_table, read_csv_raw
from silkscope.sources.csvfiles import check_utf8, separator_problem
from silkscope.sources.wdi_codes import DEFAULT_INDICATORS, MIRROR_SUBDIR, insert_core, meta_table, resolve_codes

# The World Bank serves a zip per indicator; the mirror (../shared/data/wdi) holds the bare data CSV under the
# name below, so the RemoteFile carries that name and load_raw decides zip/bare by content.
BULK_URL = "https://api.worldbank.org/v2/en/indicator/{code}"
BULK_PARAMS = {"downloadformat": "csv"}
BULK_NAME = "API_{code}_DS2_en_csv_v2.csv"  # if this changes, change BULK_NAME_RE too
BULK_NAME_RE = re.compile(r"^API_(?P<code>[A-Z0-9.]+)_DS2_en_csv_v2\.csv$")
# The data member of the zip is API_<code>_DS2_en_csv_v2_<n>.csv; the Metadata_*.csv members are skipped.
ZIP_MEMBER_RE = re.compile(r"^API_(?P<code>[A-Z0-9.]+)_DS2_[a-z]{2}_csv_v2(_\d+)?\.csv$")
ZIP_MAGIC = b"PK\x03\x04"
# Preamble: line 1 "Data Source", line 3 "Last Updated Date" (the edition), lines 2 and 4 blank, header on line 5.
# If the World Bank changes the preamble, change PREAMBLE_LINES and the two labels together.
PREAMBLE_LINES = 4
HEADER_LINE = PREAMBLE_LINES + 1
DATA_SOURCE_LABEL = "Data Source"
UPDATED_LABEL = "Last Updated Date"
ID_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
YEAR_COLUMN = re.compile(r"^\d{4}$")
YEAR_COLUMNS_SQL = "^_[0-9]{4}$"  # how read_csv's normalize_names spells a '1960' header


def bulk_table(code: str) -> str:
    return "wdi_" + re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


@contextmanager
def data_csv(file: FetchedFile) -> Iterator[tuple[Path, str]]:
    """The data CSV of a bulk file and the name to show in errors: the file itself, or its zip member extracted
    (streamed, never held in memory) to a temporary folder that is removed afterwards."""
    with file.path.open("rb") as fh:
        magic = fh.read(4)
    if magic != ZIP_MAGIC:
        yield file.path, str(file.path)
        return
    tmp = Path(tempfile.mkdtemp(prefix="silkscope_wdi_"))
    try:
        try:
            with zipfile.ZipFile(file.path) as archive:
                members = [n for n in archive.namelist() if ZIP_MEMBER_RE.match(Path(n).name)]
                if len(members) != 1:
                    raise InputError(
                        [
                            Problem(
                                str(file.path),
                                0,
                                "(archive)",
                                "exactly one API_<code>_DS2_en_csv_v2_<n>.csv member besides the Metadata files",
                                ", ".join(archive.namelist())[:300],
                            )
                        ]
                    )
                target = tmp / Path(members[0]).name
                with archive.open(members[0]) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise InputError(
                [
                    Problem(
                        str(file.path), 0, "(archive)", "a complete zip archive as the World Bank serves it", str(exc)
                    )
                ]
            ) from exc
        yield target, f"{file.path}!{members[0]}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_preamble(path: Path, display: str) -> tuple[str, str, list[str]]:
    """(data source, last updated date, header fields) from the first five lines; located errors otherwise."""
    with path.open("rb") as fh:
        lines = [fh.readline().decode("utf-8-sig", "replace").rstrip("\r\n") for _ in range(HEADER_LINE)]
    for line_no, text in enumerate(lines, 1):
        problem = separator_problem(display, line_no, text, quote='"')
        if problem:
            raise InputError([problem])
    fields = [next(csv.reader([t]), []) for t in lines]
    source = fields[0][1] if len(fields[0]) > 1 and fields[0][0] == DATA_SOURCE_LABEL else None
    updated = fields[2][1] if len(fields[2]) > 1 and fields[2][0] == UPDATED_LABEL else None
    problems = []
    if source is None:
        problems.append(
            Problem(display, 1, "(preamble)", f'"{DATA_SOURCE_LABEL}","World Development Indicators"', lines[0][:120])
        )
    if updated is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", updated):
        problems.append(Problem(display, 3, "(preamble)", f'"{UPDATED_LABEL}","YYYY-MM-DD"', lines[2][:120]))
    header = fields[HEADER_LINE - 1]
    missing = [c for c in ID_COLUMNS if c not in header]
    problems += [
        Problem(display, HEADER_LINE, c, f"columns {', '.join(ID_COLUMNS)}, then years", ",".join(header)[:200])
        for c in missing
    ]
    for name in header[len(ID_COLUMNS) :]:
        if name and not YEAR_COLUMN.match(name) and name not in ID_COLUMNS:
            problems.append(Problem(display, HEADER_LINE, name, "a year column (YYYY)", name))
    if not missing and not any(YEAR_COLUMN.match(n) for n in header):
        problems.append(Problem(display, HEADER_LINE, "(years)", "at least one year column", ",".join(header)[:200]))
    if problems:
        raise InputError(problems)
    return source or "", updated or "", header


def _renamed(exc: InputError, tmp: Path, display: str) -> InputError:
    """Errors on an extracted zip member name the archive and member, not the temporary copy."""
    if str(tmp) == display:
        return exc
    return InputError(
        [
            Problem(display if p.file == str(tmp) else p.file, p.line, p.column, p.expected, p.found)
            for p in exc.problems
        ]
    )


class WdiBulk(Connector):
    name = "wdi"
    publisher = "World Bank"
    title = "World Development Indicators, bulk download by indicator"
    short = "World Bank WDI"  # how a table cell or a heading names it
    licence = "CC BY 4.0"
    homepage = "https://databank.worldbank.org/source/world-development-indicators"
    citation = "World Bank (n.d.). World Development Indicators. Washington, DC: The World Bank."
    core_tables = ("core.indicators", "core.finance_flows")
    partial_mirror_ok = True  # an analyst's mirror may hold only the indicators they need

    def __init__(self, indicators: tuple[str, ...] | list[str] = DEFAULT_INDICATORS, url: str = BULK_URL):
        self.indicators = tuple(indicators)
        self.url = url

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                self.url.format(code=code),
                BULK_NAME.format(code=code),
                params=dict(BULK_PARAMS),
                expect=(ZIP_MAGIC, DATA_SOURCE_LABEL.encode()),
                mirror_subdir=MIRROR_SUBDIR,
            )
            for code in self.indicators
        ]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        con.execute(
            """CREATE OR REPLACE TABLE raw.wdi_bulk_files (source_id VARCHAR, file_name VARCHAR, data_file VARCHAR,
               indicator_code VARCHAR, raw_table VARCHAR, data_source VARCHAR, last_updated_date VARCHAR)"""
        )
        codes: list[tuple[str, str, int, str]] = []
        indicators: list[tuple[str, str, str, int, str]] = []
        for file in files:
            code, table, display = self._load_file(con, file)
            codes += [
                (c, display, line, "Country Code")
                for c, line in con.execute(
                    f"SELECT coalesce(country_code, ''), min(source_line) FROM raw.{table} GROUP BY 1 ORDER BY 2"
                ).fetchall()
            ]
            name, line = con.execute(f"SELECT any_value(indicator_name), min(source_line) FROM raw.{table}").fetchone()
            indicators.append((code, name or code, display, line or HEADER_LINE, "Indicator Code"))
        mapping, problems = resolve_codes(codes)
        if problems:
            raise InputError(problems)
        mapping_table(con, "_wdi_codes", mapping)
        meta_table(con, indicators)

    def _load_file(self, con: duckdb.DuckDBPyConnection, file: FetchedFile) -> tuple[str, str, str]:
        match = BULK_NAME_RE.match(file.remote.name)
        if not match:
            raise InputError(
                [Problem(str(file.path), 0, "(file name)", BULK_NAME.format(code="<code>"), file.remote.name)]
            )
        code = match.group("code")
        table = bulk_table(code)
        with data_csv(file) as (path, display):
            source, updated, header = read_preamble(path, display)
            check_utf8(path, display, header, header_line=HEADER_LINE)
            try:
                read_csv_raw(
                    con,
                    table,
                    path,
                    skip=PREAMBLE_LINES,
                    source_id=source_id_for(self, file),
                    expected=f"the WDI bulk CSV layout (preamble, then {', '.join(ID_COLUMNS)}, years)",
                )
            except InputError as exc:
                raise _renamed(exc, path, display) from exc
        years = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
                "AND regexp_matches(column_name, ?) ORDER BY ordinal_position",
                [table, YEAR_COLUMNS_SQL],
            ).fetchall()
        ]
        try:
            check_types(con, table, display, dict.fromkeys(years, "DOUBLE"))
        except InputError as exc:  # name the year column as published ('2015'), not as normalised ('_2015')
            raise InputError(
                [Problem(p.file, p.line, p.column.lstrip("_"), p.expected, p.found) for p in exc.problems]
            ) from exc
        wrong = con.execute(
            f"""SELECT source_line, coalesce(indicator_code, '') FROM raw.{table}
                WHERE indicator_code IS DISTINCT FROM ? ORDER BY source_line LIMIT 10""",
            [code],
        ).fetchall()
        if wrong:
            raise InputError([Problem(display, line, "Indicator Code", code, found) for line, found in wrong])
        con.execute(
            "INSERT INTO raw.wdi_bulk_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [source_id_for(self, file), file.remote.name, display, code, f"raw.{table}", source, updated],
        )
        return code, table, display

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        # Every indicator of one WDI release carries the release date; if files mix releases, the newest wins.
        return con.execute("SELECT max(last_updated_date) FROM raw.wdi_bulk_files").fetchone()[0]

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        for name, source_id in source_ids.items():
            code = BULK_NAME_RE.match(name).group("code")
            table = bulk_table(code)
            insert_core(
                con,
                f"""SELECT u.indicator_code, u.indicator_name, m.iso3 AS country_iso3,
                       ltrim(u.year_col, '_')::INTEGER AS year, trim(u.v)::DOUBLE AS value, ?::VARCHAR AS source_id,
                       'raw.{table}:' || u.source_line AS record, NULL::VARCHAR AS note
                FROM (UNPIVOT raw.{table} ON COLUMNS('{YEAR_COLUMNS_SQL}') INTO NAME year_col VALUE v) u
                JOIN _wdi_codes m ON m.label = u.country_code
                WHERE nullif(trim(u.v), '') IS NOT NULL""",
                [source_id],
            )
