"""Publisher spreadsheets (xls, xlsx) read with python-calamine into raw.* tables, every error located by cell."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineError, CalamineWorkbook

from silkscope.countries import near_matches, resolve
from silkscope.errors import InputError, Problem, UnknownCountryError

# First bytes of the two workbook formats, for RemoteFile.expect: an HTML error page saved under a .xls name fails.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xls (BIFF8 inside an OLE2 compound file)
ZIP_MAGIC = b"PK\x03\x04"  # xlsx (Office Open XML is a zip)
EXPECT = (OLE2_MAGIC, ZIP_MAGIC)

# Plain decimal numbers as a publisher types them into a text cell; 'nan', 'inf' and '1 234,5' are not.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Every raw.* spreadsheet table has these before its cell columns (a, b, c... as the sheet's column letters).
RAW_KEYS = ("source_id", "sheet", "source_row")


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': the column as the spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_ref(sheet: str, row: int, col: int) -> str:
    """Where a cell is, as a spreadsheet user finds it: "'2023'!D12" (row 1-based, col 0-based)."""
    return f"'{sheet}'!{column_letter(col)}{row}"


def cell_text(value: object) -> str:
    """A calamine cell as text: numbers without a spurious '.0', dates in ISO form, empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # shortest text that reads back as the same double ('nan' and 'inf' stay visible)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


@dataclass(frozen=True)
class Sheet:
    """One worksheet as text: rows[0] is the sheet's row 1, every row as wide as the widest."""

    file: str  # the path as errors show it
    name: str
    rows: tuple[tuple[str, ...], ...]

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def cell(self, row: int, col: int) -> str:
        """The text of a cell (row 1-based, col 0-based); '' outside the used range."""
        if 1 <= row <= len(self.rows) and 0 <= col < self.width:
            return self.rows[row - 1][col]
        return ""

    def problem(self, row: int, col: int, expected: str, found: str | None = None) -> Problem:
        """A Problem naming file, row and the cell ('2023'!D12); `found` defaults to the cell's text."""
        return Problem(
            self.file, row, cell_ref(self.name, row, col), expected, self.cell(row, col) if found is None else found
        )

    def number(
        self,
        row: int,
        col: int,
        problems: list[Problem],
        *,
        blanks: frozenset[str] = frozenset({""}),
        minimum: float = 0.0,
        maximum: float = 1e12,
        unit: str = "",
    ) -> float | None:
        """The cell as a finite number in [minimum, maximum]; None for a blank (e.g. '' or '-': nothing published).

        A bad cell adds a located Problem to `problems` and gives None, so one pass reports every bad cell.
        """
        text = self.cell(row, col).strip()
        if text in blanks:
            return None
        unit = f" {unit}" if unit else ""
        allowed = " or ".join(repr(b) for b in sorted(blanks))
        if not _NUMBER.match(text):
            problems.append(self.problem(row, col, f"a number{unit} (or {allowed} for none)"))
            return None
        value = float(text)
        if not math.isfinite(value) or not minimum <= value <= maximum:
            problems.append(self.problem(row, col, f"a number{unit} between {minimum:g} and {maximum:g}"))
            return None
        return value


def _damaged(exc: BaseException) -> bool:
    """calamine's error for a bad file, or its Rust panic on some damaged ones: pyo3 raises a panic as
    pyo3_runtime.PanicException, a BaseException that cannot be imported by name."""
    return isinstance(exc, CalamineError) or type(exc).__name__ == "PanicException"


def _file_problem(path: Path, expected: str, found: str) -> InputError:
    return InputError([Problem(str(path), 0, "(file)", expected, found[:300])])


def read_workbook(path: Path, sheets: Iterable[str] | None = None, *, expected: str) -> dict[str, Sheet]:
    """Every sheet of the workbook at `path` (or the named ones, each required), as text, by sheet name.

    xls and xlsx are told apart by their first bytes, not the file name. A folder, an empty file, an HTML page, a
    truncated or corrupt workbook and a missing sheet each raise InputError naming the file (and the sheet).
    calamine gives an Excel error cell (#N/A, #DIV/0!, an xlsx NaN) as empty, so it reads like a blank cell.
    """
    if path.is_dir():
        raise _file_problem(path, expected, "a folder, not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            fh.seek(0)
            if not head:
                raise _file_problem(path, expected, "an empty file (0 bytes)")
            if not (head.startswith(OLE2_MAGIC) or head.startswith(ZIP_MAGIC)):
                shown = head.decode("utf-8", "replace")
                raise _file_problem(path, expected, f"a file starting {shown!r}: not an xls or xlsx workbook")
            size = path.stat().st_size
            if head.startswith(OLE2_MAGIC) and size % 512:
                # An OLE2 file is whole 512-byte sectors; calamine reads a file cut inside its last sector as complete.
                found = f"a truncated xls workbook ({size} bytes: not a whole number of 512-byte sectors)"
                raise _file_problem(path, expected, found)
            book = CalamineWorkbook.from_filelike(fh)
    except OSError as exc:
        raise _file_problem(path, expected, f"unreadable: {exc.strerror or exc}") from exc
    except BaseException as exc:
        if not _damaged(exc):
            raise
        kind = "xls" if head.startswith(OLE2_MAGIC) else "xlsx"
        raise _file_problem(path, expected, f"a damaged or truncated {kind} workbook ({exc})") from exc
    names = list(book.sheet_names)
    wanted = names if sheets is None else list(sheets)
    missing = [n for n in wanted if n not in names]
    if missing:
        present = ", ".join(repr(n) for n in names)
        raise InputError(
            [Problem(str(path), 0, f"sheet {n!r}", f"a sheet named {n!r} ({expected})", present) for n in missing]
        )
    out: dict[str, Sheet] = {}
    for name in wanted:
        try:
            # skip_empty_area=False: rows and columns keep their places, so row 1 is the sheet's row 1
            cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except BaseException as exc:
            if not _damaged(exc):
                raise
            raise InputError(
                [Problem(str(path), 0, f"sheet {name!r}", expected, f"an unreadable sheet ({exc})"[:300])]
            ) from exc
        width = max((len(r) for r in cells), default=0)
        rows = tuple(tuple(cell_text(v) for v in r) + ("",) * (width - len(r)) for r in cells)
        out[name] = Sheet(str(path), name, rows)
    return out


def raw_columns(width: int) -> list[str]:
    """The cell columns of a raw.* spreadsheet table: a, b, ... aa (the sheet's column letters, lowercased)."""
    return [column_letter(i).lower() for i in range(width)]


def write_raw(con: duckdb.DuckDBPyConnection, table: str, sheets: Iterable[Sheet], *, source_id: str) -> int:
    """Append the sheets to raw.<table> as published: one row per non-empty sheet row, every cell VARCHAR
    (NULL when empty), plus source_id, sheet and source_row (1-based row in the sheet). Creates the table, and
    adds columns when a wider sheet arrives. Returns the number of rows written."""
    sheets = list(sheets)
    width = max((s.width for s in sheets), default=0)
    columns = raw_columns(width)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS raw.{table} (source_id VARCHAR, sheet VARCHAR, source_row INTEGER"
        + "".join(f", {c} VARCHAR" for c in columns)
        + ")"
    )
    have = {r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()}
    for column in columns:
        if column not in have:
            con.execute(f"ALTER TABLE raw.{table} ADD COLUMN {column} VARCHAR")
    data: dict[str, list] = {key: [] for key in (*RAW_KEYS, *columns)}
    for sheet in sheets:
        for number, row in enumerate(sheet.rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            data["source_id"].append(source_id)
            data["sheet"].append(sheet.name)
            data["source_row"].append(number)
            for i, column in enumerate(columns):
                text = row[i] if i < len(row) else ""
                data[column].append(text if text != "" else None)
    batch = pa.table({k: pa.array(v, type=pa.int32() if k == "source_row" else pa.string()) for k, v in data.items()})
    if batch.num_rows:
        con.register("_spreadsheet_batch", batch)
        try:
            con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM _spreadsheet_batch")
        finally:
            con.unregister("_spreadsheet_batch")
    return batch.num_rows


def label_key(text: str) -> str:
    """A row label for matching against a publisher's known labels: whitespace (line breaks, no-break spaces)
    collapsed, casefolded. 'Всего\\nв том числе' -> 'всего в том числе'."""
    return " ".join(text.split()).casefold()


# --- Partner tables of statistics offices (trade by partner country): shared by the national connectors ----------


def resolve_partner(sheet: Sheet, row: int, labels: dict[int, str], problems: list[Problem]) -> str | None:
    """The ISO3 code the row's partner labels name (labels: column -> text, e.g. Kyrgyz, Russian and English).

    Every label that resolves must name the same country; when none resolves, a Problem names the row's labels
    and the near matches (add a publisher spelling to registry/aliases.csv). Appends to `problems`, returns None.
    """
    named = {col: text.strip() for col, text in labels.items() if text.strip()}
    found: dict[str, int] = {}
    for col, text in named.items():
        try:
            found.setdefault(resolve(text), col)
        except UnknownCountryError:
            continue
    first = min(named, default=0)
    shown = " / ".join(named.values())
    if len(found) == 1:
        return next(iter(found))
    if found:
        names = ", ".join(f"{column_letter(c)}: {iso3}" for iso3, c in found.items())
        problems.append(sheet.problem(row, first, f"labels naming one country (they name {names})", shown))
        return None
    near = list(dict.fromkeys(m for text in named.values() for m in near_matches(text)))[:5]
    hint = f" (near: {', '.join(near)})" if near else " (no close match: add it to registry/aliases.csv)"
    problems.append(sheet.problem(row, first, f"a country name silkscope knows{hint}", shown))
    return None


def check_sum(
    sheet: Sheet,
    row: int,
    col: int,
    published: float,
    parts: float,
    *,
    what: str,
    tolerance: float,
    constant: str,
    problems: list[Problem],
) -> None:
    """A published total (or aggregate) must equal the sum of its rows within `tolerance` (relative); `constant`
    names the setting to change if a publisher's rounding legitimately exceeds it."""
    if abs(published - parts) > tolerance * max(abs(published), 1.0):
        expected = f"the sum of {what} ({parts:,.3f}) within {tolerance:.4%} ({constant})"
        problems.append(sheet.problem(row, col, expected))


@dataclass(frozen=True)
class TradeFact:
    """One annual goods flow between a reporting C5 state and a partner, as a statistics office published it."""

    fact_id: str
    country_iso3: str  # the reporting C5 state
    partner_iso3: str
    year: int
    direction: str  # 'country_to_partner' (its exports) or 'partner_to_country' (its imports)
    thousand_usd: float
    definition: str
    source_id: str
    source_ids: tuple[str, ...]
    record: str  # raw table and cell, e.g. "raw.kz_bns_trade_by_country:'2023'!D12"
    note: str | None = None


def insert_trade_facts(con: duckdb.DuckDBPyConnection, facts: Iterable[TradeFact]) -> int:
    """Insert into core.trade_flows: total goods, current prices, published thousand US$ kept as US$ units."""
    facts = list(facts)
    batch = pa.table(
        {
            "fact_id": pa.array([f.fact_id for f in facts], pa.string()),
            "partner_iso3": pa.array([f.partner_iso3 for f in facts], pa.string()),
            "country_iso3": pa.array([f.country_iso3 for f in facts], pa.string()),
            "year": pa.array([f.year for f in facts], pa.int32()),
            "direction": pa.array([f.direction for f in facts], pa.string()),
            "value": pa.array([f.thousand_usd * 1000 for f in facts], pa.float64()),
            "definition": pa.array([f.definition for f in facts], pa.string()),
            "source_id": pa.array([f.source_id for f in facts], pa.string()),
            "source_ids": pa.array([list(f.source_ids) for f in facts], pa.list_(pa.string())),
            "record": pa.array([f.record for f in facts], pa.string()),
            "note": pa.array([f.note for f in facts], pa.string()),
        }
    )
    con.register("_spreadsheet_facts", batch)
    try:
        con.execute(
            """INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, group_id, year, month, direction,
               reporter_iso3, classification, product_code, product_label, value_usd, currency, value_published,
               unit_published, price_basis, definition, source_id, source_ids, citation_status, record, note)
        SELECT fact_id, partner_iso3, country_iso3, NULL, year, NULL, direction, country_iso3, 'total', 'TOTAL',
               'All goods', value, 'USD', value, 'thousand USD', 'current', definition, source_id, source_ids,
               'cited', record, note
        FROM _spreadsheet_facts"""
        )
    finally:
        con.unregister("_spreadsheet_facts")
    return batch.num_rows
