"""Kyrgyz NSC trade by partner: xlsx tables from a mirror, groups and footnotes, located errors, the real tables."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from silkscope.build import build
from silkscope.countries import WORLD_CODE
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.ingest import fetch_source, get_connector, ingest
from silkscope.sources import kg_nsc
from silkscope.sources.kg_nsc import KgNscTrade
from silkscope.sources.spreadsheets import cell_ref, cell_text, column_letter
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kg_nsc"
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
EXPORTS, IMPORTS = (t.file[: -len(".xlsx")] for t in kg_nsc.TABLES.values())
NUMBER = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")
KG = "source_id LIKE 'kg_nsc_%'"

Grid = dict[str, list[list[object]]]


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kg_nsc") / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture
def db(tmp_path, _built) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copyfile(_built, path)
    return path


def _grid(name: str) -> Grid:
    """The fixture's cells by sheet, as hand-written (one CSV line per sheet row, sheet name first)."""
    grid: Grid = {}
    with (FIXTURES / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for sheet, *cells in reader:
            grid.setdefault(sheet, []).append(list(cells))
    return grid


def _xlsx(grid: Grid) -> bytes:
    """An xlsx as the committee publishes it: numbers (years too) as number cells, '-' and labels as text."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in grid.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, float):
                    sheet.write_number(r, c, value)
                elif value != "":
                    text = str(value)
                    sheet.write_number(r, c, float(text)) if NUMBER.match(text) else sheet.write_string(r, c, text)
    book.close()
    return out.getvalue()


def _row(grid: Grid, sheet: str, label: str) -> int:
    """0-based index of the row whose English label is `label` (the sheet row is this + 1)."""
    return next(i for i, row in enumerate(grid[sheet]) if len(row) > 2 and row[2] == label)


def _mirror(tmp_path: Path, files: dict[str, bytes], folder: str = "mirror") -> list[FetchedFile]:
    target = tmp_path / folder / "kg_stat"
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / f"{name}.xlsx").write_bytes(data)
    return KgNscTrade().fetch_files(mirror=tmp_path / folder, cache_dir=tmp_path / "cache")


def _both(tmp_path: Path, folder: str = "mirror") -> list[FetchedFile]:
    return _mirror(tmp_path, {EXPORTS: _xlsx(_grid(EXPORTS)), IMPORTS: _xlsx(_grid(IMPORTS))}, folder)


def _direct(path: Path, name: str) -> FetchedFile:
    digest = hashlib.sha256(path.read_bytes() if path.is_file() else str(path).encode()).hexdigest()
    return FetchedFile(RemoteFile(kg_nsc.URL, f"{name}.xlsx"), path, digest, 0, datetime.now(UTC), "test")


def _values(db: Path, where: str) -> dict[tuple, float]:
    rows = query(db, f"SELECT partner_iso3, year, direction, value_usd FROM core.trade_flows WHERE {KG} AND {where}")
    return {r[:3]: r[3] for r in rows}


# --- harmonisation -----------------------------------------------------------------------------------------------


def test_registered():
    assert isinstance(get_connector("kg_nsc"), KgNscTrade)
    assert [r.name for r in KgNscTrade().remote_files()] == [f"{EXPORTS}.xlsx", f"{IMPORTS}.xlsx"]


def test_ingest_harmonises_partner_rows(tmp_path, db):
    report = ingest("kg_nsc", _both(tmp_path), db)
    assert (
        report.changed
        and report.edition == "2019-2023; table 4.03.00.20 marks 2023: Предварительные данные / Рreliminary data"
    )
    # exports: 9 partner rows (the EU's among them) x 5 years, less South Africa's '-' of 2019; imports: 9 partners
    # x 5 years and Salvador on two rows in 3 years; and each table's total row for 5 years (partner WLD); groups and
    # unallocated rows left out
    assert report.row_counts["core.trade_flows"] == 44 + 48 + 2 * 5
    china = _values(db, "partner_iso3 = 'CHN' AND year = 2023")
    assert china == {
        ("CHN", 2023, "country_to_partner"): 80_446_343.0,
        ("CHN", 2023, "partner_to_country"): 5_353_257_336.0,
    }
    row = query(
        db,
        f"""SELECT country_iso3, reporter_iso3, currency, value_published, unit_published, classification, product_code,
                   price_basis, month, record, note, definition
            FROM core.trade_flows WHERE {KG} AND partner_iso3 = 'RUS' AND year = 2022
              AND direction = 'country_to_partner'""",
    )
    assert row == [
        ("KGZ", "KGZ", "USD", 1_069_691_913.0, "thousand USD", "total", "TOTAL", "current", None,
         "raw.kg_nsc_trade_by_country:'Лист1'!G13", None,
         "Kyrgyzstan's exports of goods to the partner as reported by the National Statistical Committee of the Kyrgyz "
         "Republic (stat.gov.kg), table 4.03.00.18 'Geographic distribution of exports of goods', thousand US$ "
         "converted to US$; the table does not state the trade system or how partners are attributed"),
    ]  # fmt: skip
    partners = {p for (p,) in query(db, f"SELECT DISTINCT partner_iso3 FROM core.trade_flows WHERE {KG}")}
    assert partners == {
        "EUU",
        "DEU",
        "RUS",
        "CHE",
        "KAZ",
        "CHN",
        "UZB",
        "SLV",
        "USA",
        "ZAF",
        WORLD_CODE,
    }  # no groups, no unallocated
    assert query(db, f"SELECT count(*), count(DISTINCT fact_id) FROM core.trade_flows WHERE {KG}") == [(102, 102)]
    raw = query(
        db, "SELECT source_row, a, b, c, h FROM raw.kg_nsc_trade_by_country WHERE sheet = 'import' AND source_row = 3"
    )
    assert raw == [(3, None, None, None, "2023 1")]


def test_groups_eu_footnote_and_a_partner_on_two_rows(tmp_path, db):
    ingest("kg_nsc", _both(tmp_path), db)
    notes = dict(
        query(db, f"SELECT direction, note FROM core.trade_flows WHERE {KG} AND partner_iso3 = 'EUU' AND year = 2023")
    )
    assert notes == {
        "country_to_partner": kg_nsc.EU_NOTE,
        "partner_to_country": f"{kg_nsc.EU_NOTE}; the table marks 2023 with footnote 1: Предварительные данные / "
        "Рreliminary data",
    }
    # 'Salvador' (2022-2023) and 'El Salvador' (2019) are one partner on two rows, never in the same year
    salvador = _values(db, "partner_iso3 = 'SLV'")
    assert salvador == {
        ("SLV", 2019, "partner_to_country"): 9_800.0,
        ("SLV", 2022, "partner_to_country"): 14_312.0,
        ("SLV", 2023, "partner_to_country"): 434_502.0,
    }


def test_total_row_is_stored_as_world_facts(tmp_path, db):
    ingest("kg_nsc", _both(tmp_path), db)
    rows = query(
        db,
        f"""SELECT year, direction, value_usd, record, note FROM core.trade_flows
            WHERE {KG} AND partner_iso3 = '{WORLD_CODE}' ORDER BY 1, 2""",
    )
    assert [(y, d) for y, d, *_ in rows] == [
        (y, d) for y in range(2019, 2024) for d in ("country_to_partner", "partner_to_country")
    ]
    # each equal to its year's cell of the table's row 'Total' (D for 2019 ... H for 2023)
    sheets = {"country_to_partner": (EXPORTS, "Лист1"), "partner_to_country": (IMPORTS, "import")}
    for year, direction, value, record, note in rows:
        name, sheet = sheets[direction]
        index = _row(_grid(name), sheet, "Total")
        col = 3 + year - 2019
        assert value == pytest.approx(float(_grid(name)[sheet][index][col]) * 1000)
        assert record == f"raw.kg_nsc_trade_by_country:{cell_ref(sheet, index + 1, col)}"
        assert note.startswith(kg_nsc.WORLD_NOTE) and "unallocated trade included" in note
    assert rows[-2][2] == 2_747_921_843.0 and rows[-1][2] == 9_672_232_254.0  # 2023, as published
    footnote = "the table marks 2023 with footnote 1: Предварительные данные / Рreliminary data"
    assert rows[-1][4] == f"{kg_nsc.WORLD_NOTE}; {footnote}"
    # the partner rows and the unallocated ones (kept in raw only) still sum to the published total
    (undefined,) = query(
        db,
        "SELECT h::DOUBLE * 1000 FROM raw.kg_nsc_trade_by_country WHERE sheet = 'Лист1' AND c = 'Undefined country'",
    )
    ((parts, total),) = query(
        db,
        f"""SELECT sum(value_usd) FILTER (partner_iso3 NOT IN ('EUU', '{WORLD_CODE}')),
                   sum(value_usd) FILTER (partner_iso3 = '{WORLD_CODE}')
            FROM core.trade_flows WHERE {KG} AND year = 2023 AND direction = 'country_to_partner'""",
    )
    assert parts < total and abs(parts + undefined[0] - total) <= kg_nsc.TOTAL_TOLERANCE * total


def test_reingest_is_a_no_op(tmp_path, db):
    files = _both(tmp_path)
    ingest("kg_nsc", files, db)
    before = checksum(db)
    assert not ingest("kg_nsc", files, db).changed
    assert checksum(db) == before


# --- bad input: located, and the warehouse unchanged -------------------------------------------------------------

# case -> (English row label or 0-based row index in the imports sheet, {column: new cell}, the column the error
# names, hint in the message); the message must name the file, the sheet row and that cell.
CELLS = {
    "wrong header": (2, {5: "2012"}, "F", "the year after 2020"),
    "year not a year": (2, {3: "Year"}, "D", "a year, like '2022'"),
    "non-numeric cell": ("China", {7: "н/д"}, "H", "a number (thousand US$)"),
    "comma decimal": ("China", {7: "5353257,336"}, "H", "a number"),
    "NaN as text": ("China", {7: "NaN"}, "H", "a number"),
    "infinity as text": ("China", {7: "inf"}, "H", "a number"),
    "huge value": ("China", {7: 1e300}, "H", "between 0 and 1e+09"),
    "negative value": ("China", {7: -5.0}, "H", "between 0 and"),
    "unknown country": ("Germany", {0: "Германя", 1: "Германя", 2: "Germani"}, "A", "near: Germany (DEU)"),
    "labels naming two countries": ("Switzerland", {1: "Швеция"}, "A", "they name A: CHE, B: SWE"),
    "duplicate country": ("Switzerland", {0: "Германия", 1: "Германия", 2: "Germany"}, "D", "also on row 11"),
    "total off": ("Total", {7: 9_900_000.0}, "H", "kg_nsc.TOTAL_TOLERANCE"),
    "unit changed": (1, {1: "(млн. долларов США)", 2: "(million US dollars)"}, "C", "thousand US dollars"),
    "another table's code": (0, {c: f"4.03.00.18: exports ({c})" for c in range(3)}, "A", "table code 4.03.00.20"),
    "values without a label": ("Uzbekistan", dict.fromkeys(range(3), ""), "A", "partner labels"),
}


def _bad_ingest(tmp_path: Path, db: Path, grid: Grid) -> tuple[Path, str]:
    ingest("kg_nsc", _both(tmp_path), db)
    before = checksum(db)
    files = _mirror(tmp_path, {EXPORTS: _xlsx(_grid(EXPORTS)), IMPORTS: _xlsx(grid)}, "bad")
    with pytest.raises(InputError) as err:
        ingest("kg_nsc", files, db)
    assert checksum(db) == before
    return next(f.path for f in files if f.remote.name == f"{IMPORTS}.xlsx"), str(err.value)


@pytest.mark.parametrize("case", sorted(CELLS))
def test_bad_cells_are_located_and_change_nothing(case, tmp_path, db):
    row, edits, column, hint = CELLS[case]
    grid = _grid(IMPORTS)
    index = row if isinstance(row, int) else _row(grid, "import", row)
    for col, value in edits.items():
        grid["import"][index][col] = value
    path, message = _bad_ingest(tmp_path, db, grid)
    cell = f"'import'!{column}{index + 1}"
    assert f'{path}:{index + 1}: column "{cell}"' in message, message
    assert hint in message, message


def test_a_missing_sheet_is_located(tmp_path, db):
    grid = _grid(IMPORTS)
    grid["imports"] = grid.pop("import")
    path, message = _bad_ingest(tmp_path, db, grid)
    assert f"{path}:0: column \"sheet 'import'\"" in message and "'imports'" in message, message


def _html(_: Path) -> bytes:
    return b"<!DOCTYPE html><html><body>404 Not Found</body></html>"


FILES = {
    "empty file": (lambda p: b"", "an empty file"),
    "HTML page renamed .xlsx": (_html, "not an xls or xlsx workbook"),
    "truncated": (lambda p: p.read_bytes()[: len(p.read_bytes()) // 2], "truncated xlsx workbook"),
    "cut at the end": (lambda p: p.read_bytes()[:-10], "truncated xlsx workbook"),
}


@pytest.mark.parametrize("case", sorted(FILES))
def test_bad_files_are_located_and_change_nothing(case, tmp_path, db):
    good = _both(tmp_path)
    ingest("kg_nsc", good, db)
    before = checksum(db)
    make, hint = FILES[case]
    bad = tmp_path / "bad" / f"{IMPORTS}.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(make(next(f.path for f in good if f.remote.name == f"{IMPORTS}.xlsx")))
    with pytest.raises(InputError) as err:
        ingest("kg_nsc", [_direct(bad, IMPORTS), *(f for f in good if f.remote.name == f"{EXPORTS}.xlsx")], db)
    assert f"{bad}:0: column '(file)'" in str(err.value) and hint in str(err.value)
    assert checksum(db) == before


def test_a_folder_instead_of_a_file(tmp_path, db):
    ingest("kg_nsc", _both(tmp_path), db)
    before = checksum(db)
    folder = tmp_path / "bad" / f"{IMPORTS}.xlsx"
    folder.mkdir(parents=True)
    with pytest.raises(InputError, match=rf"{re.escape(str(folder))}:0: column '\(file\)'.*a folder"):
        ingest("kg_nsc", [_direct(folder, IMPORTS)], db)
    assert checksum(db) == before


# --- the real tables ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_tables(shared_dir, tmp_path, db):
    report = ingest("kg_nsc", fetch_source("kg_nsc", mirror=DATA, cache_dir=tmp_path / "cache"), db)
    assert report.edition == "1994-2023; table 4.03.00.20 marks 2023: Предварительные данные / Рreliminary data"
    published = dict(
        query(
            db,
            """SELECT sheet, TRY_CAST(ag AS DOUBLE) FROM raw.kg_nsc_trade_by_country WHERE c = 'Total'""",
        )
    )
    assert round(published["import"], 1) == 12_351_968.1 and round(published["Лист1"], 1) == 3_384_856.1
    china = query(
        db,
        f"""SELECT round(value_usd / 1e6, 1), note FROM core.trade_flows WHERE {KG} AND partner_iso3 = 'CHN'
            AND year = 2023 AND direction = 'partner_to_country'""",
    )
    assert china == [(5_353.3, "the table marks 2023 with footnote 1: Предварительные данные / Рreliminary data")]
    (countries,) = query(
        db,
        f"""SELECT sum(value_usd) / 1000 FROM core.trade_flows WHERE {KG} AND year = 2023
            AND partner_iso3 NOT IN ('EUU', '{WORLD_CODE}') AND direction = 'country_to_partner'""",
    )
    undefined = query(
        db, "SELECT ag::DOUBLE FROM raw.kg_nsc_trade_by_country WHERE sheet = 'Лист1' AND c = 'Undefined country'"
    )
    rows = countries[0] + undefined[0][0]  # the publisher's partner rows: countries and 'Undefined country'
    assert round(rows, 1) == 3_379_889.2 and abs(rows - published["Лист1"]) / published["Лист1"] < 0.0015
    partners = query(
        db,
        f"""SELECT direction, count(DISTINCT partner_iso3) FROM core.trade_flows WHERE {KG} AND year = 2023
            AND partner_iso3 NOT IN ('EUU', '{WORLD_CODE}') GROUP BY 1 ORDER BY 1""",
    )
    assert partners == [("country_to_partner", 94), ("partner_to_country", 142)]
    # the table's total row as partner WLD: the published total of every year of both tables
    world = query(
        db,
        f"""SELECT direction, round(value_usd / 1000, 1), record FROM core.trade_flows WHERE {KG} AND year = 2023
            AND partner_iso3 = '{WORLD_CODE}' ORDER BY 1""",
    )
    assert world == [
        ("country_to_partner", round(published["Лист1"], 1), "raw.kg_nsc_trade_by_country:'Лист1'!AG5"),
        ("partner_to_country", round(published["import"], 1), "raw.kg_nsc_trade_by_country:'import'!AG4"),
    ]
    per_year = query(
        db, f"SELECT count(DISTINCT year), count(*) FROM core.trade_flows WHERE {KG} AND partner_iso3 = '{WORLD_CODE}'"
    )
    assert per_year == [(30, 60)]  # 1994-2023, exports and imports
    years = query(db, f"SELECT min(year), max(year), count(*) FROM core.trade_flows WHERE {KG}")
    assert years[0][:2] == (1994, 2023)


def test_spreadsheet_cells_as_text():
    assert [column_letter(i) for i in (0, 3, 25, 26, 32, 701, 702)] == ["A", "D", "Z", "AA", "AG", "ZZ", "AAA"]
    assert cell_ref("import", 82, 32) == "'import'!AG82"
    assert [cell_text(v) for v in (2023.0, 0.5, 2e-05, float("nan"), True, "", date(2024, 7, 25))] == [
        "2023", "0.5", "2e-05", "nan", "TRUE", "", "2024-07-25"
    ]  # fmt: skip


@pytest.mark.realdata
def test_real_2021_exports_fall_short_of_their_total_as_published(shared_dir, tmp_path, db):
    ingest("kg_nsc", fetch_source("kg_nsc", mirror=DATA, cache_dir=tmp_path / "cache"), db)
    notes = query(
        db,
        f"""SELECT DISTINCT direction, note FROM core.trade_flows WHERE {KG} AND year = 2021 AND partner_iso3 = 'CHN'
            ORDER BY 1""",
    )
    gap = "as published, the partner rows of 2021 sum to {}% of the table's total (kg_nsc.KNOWN_GAPS)"
    assert notes == [("country_to_partner", gap.format(59.8)), ("partner_to_country", gap.format(99.5))]
    world = query(
        db,
        f"""SELECT direction, note FROM core.trade_flows WHERE {KG} AND year = 2021 AND partner_iso3 = '{WORLD_CODE}'
            ORDER BY 1""",
    )  # the total as published, and the gap its partner rows leave
    assert world == [
        ("country_to_partner", f"{kg_nsc.WORLD_NOTE}; {gap.format(59.8)}"),
        ("partner_to_country", f"{kg_nsc.WORLD_NOTE}; {gap.format(99.5)}"),
    ]
