"""Rosstat 94itog (annual, CIS) and 96stran (monthly, main partners): Russia's trade with the C5, from a mirror.

The fixtures are the publisher's layout written out as text (tests/fixtures/rosstat/*.txt: `=== <sheet>` starts a
sheet, one line per spreadsheet row, cells separated by tabs, `\\n` a line break inside a cell, a cell that is a plain
number is a number cell) and turned into xlsx with xlsxwriter at test time, so each bad case is a one-cell edit.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xlsxwriter

from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, FetchError, from_mirror
from silkscope.ingest import get_connector, ingest
from silkscope.sources.rosstat import FILES, RosstatCisTrade
from silkscope.sources.spreadsheets import EXPECT
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rosstat"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ANNUAL, MONTHLY = FILES["94itog"], FILES["96stran"]
Sheets = dict[str, list[list[object]]]


def layout(key: str) -> Sheets:
    sheets: Sheets = {}
    rows: list[list[object]] = []
    for line in (FIXTURES / f"{key}.txt").read_text(encoding="utf-8").rstrip("\n").split("\n"):
        if line.startswith("=== "):
            rows = sheets.setdefault(line[4:], [])
            continue
        rows.append(
            [float(c) if re.fullmatch(r"-?\d+(\.\d+)?", c) else c.replace("\\n", "\n") for c in line.split("\t")]
        )
    return sheets


def xlsx(tmp_path: Path, sheets: Sheets) -> bytes:
    path = tmp_path / f"book{len(list(tmp_path.glob('book*')))}.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, float):
                    sheet.write_number(r, c, value)
                elif value != "":
                    sheet.write_string(r, c, value)
    book.close()
    return path.read_bytes()


def edit(key: str, sheet: str, row: int, col: str, value: object) -> Sheets:
    """The fixture with one cell changed (row 1-based and column letter, as a spreadsheet shows them)."""
    sheets = layout(key)
    cells = sheets[sheet][row - 1]
    index = ord(col) - ord("A")
    cells += [""] * (index + 1 - len(cells))
    cells[index] = value
    return sheets


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rosstat") / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture
def db(tmp_path, _built) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copyfile(_built, path)
    return path


def _files(tmp_path: Path, contents: dict[str, bytes] | None = None, *, expect: bool = True):
    """Both workbooks through a mirror folder; `contents` replaces some. With expect=False the fetch-time ZIP check
    is left out, so a bad file reaches the connector's own checks."""
    folder = tmp_path / "mirror" / "ru_stat"
    folder.mkdir(parents=True, exist_ok=True)
    good = {ANNUAL: layout("94itog"), MONTHLY: layout("96stran")}
    fetched = []
    for remote in RosstatCisTrade().remote_files():
        data = (contents or {}).get(remote.name)
        (folder / remote.name).write_bytes(data if data is not None else xlsx(tmp_path, good[remote.name]))
        fetched.append(from_mirror(remote if expect else replace(remote, expect=()), tmp_path / "mirror", tmp_path))
    return fetched


def _rows(db: Path, where: str = "true") -> list[tuple]:
    return query(
        db,
        f"""SELECT country_iso3, direction, year, month, value_usd, record FROM core.trade_flows
        WHERE source_id LIKE 'rosstat%' AND {where} ORDER BY year, month NULLS FIRST, country_iso3, direction""",
    )


# --- a good load --------------------------------------------------------------------------------------------------


def test_registered_and_remote_files():
    assert isinstance(get_connector("rosstat"), RosstatCisTrade)
    remotes = RosstatCisTrade().remote_files()
    assert [r.name for r in remotes] == [ANNUAL, MONTHLY]
    assert all(r.mirror_subdir == "ru_stat" and r.expect == EXPECT for r in remotes)  # xlsx (or xls) magic bytes


def test_ingest_keeps_the_central_asian_rows_only(tmp_path, db):
    report = ingest("rosstat", _files(tmp_path), db)
    # 94itog: 2 years x 4 CIS members of the C5 x 2 flows; 96stran: 12 months x KAZ, UZB x 2 flows
    assert report.row_counts["core.trade_flows"] == 16 + 48
    kept = query(
        db,
        "SELECT DISTINCT partner_iso3, reporter_iso3, country_iso3 FROM core.trade_flows "
        "WHERE source_id LIKE 'rosstat%' ORDER BY 3",
    )
    assert kept == [("RUS", "RUS", c) for c in ("KAZ", "KGZ", "TJK", "UZB")]  # no ARM, BLR, CHN, USA, KOR
    annual = {(c, d): v for c, d, _y, _m, v, _r in _rows(db, "year = 2021 AND month IS NULL")}
    assert annual[("KAZ", "partner_to_country")] == pytest.approx(18_496e6)  # Russia's exports to Kazakhstan
    assert annual[("KAZ", "country_to_partner")] == pytest.approx(7_135e6)  # its imports from Kazakhstan
    assert annual[("TJK", "country_to_partner")] == pytest.approx(99.6e6)
    december = _rows(db, "year = 2021 AND month = 12 AND country_iso3 = 'UZB' AND direction = 'partner_to_country'")
    assert december == [
        ("UZB", "partner_to_country", 2021, 12, pytest.approx(727.911e6), "raw.rosstat_96stran:'Экспорт'!F18")
    ]
    row = query(
        db,
        """SELECT classification, product_code, price_basis, currency, value_published, unit_published, definition,
                  record, fact_id LIKE source_id || ':%' FROM core.trade_flows
        WHERE source_id LIKE 'rosstat%' AND year = 2020 AND month IS NULL AND country_iso3 = 'KGZ'
          AND direction = 'country_to_partner'""",
    )[0]
    assert row[:6] == ("total", "TOTAL", "current", "USD", pytest.approx(243e6), "million USD")
    assert "imports from KGZ" in row[6] and "as reported by Russia" in row[6] and "94itog" in row[6]
    assert row[7] == "raw.rosstat_94itog:'2020'!B20" and row[8]
    ids = query(db, "SELECT count(*), count(DISTINCT fact_id) FROM core.trade_flows WHERE source_id LIKE 'rosstat%'")
    assert ids[0][0] == ids[0][1]
    # raw keeps every non-empty row of every sheet as published, partners out of scope included
    assert query(db, "SELECT count(*) FROM raw.rosstat_96stran WHERE sheet = 'Экспорт' AND b = 'Китaй'") == [(1,)]


def test_no_data_sign_gives_no_row(tmp_path, db):
    book = xlsx(tmp_path, edit("96stran", "Экспорт", 7, "E", "…"))  # Kazakhstan, January
    ingest("rosstat", _files(tmp_path, {MONTHLY: book}), db)
    assert _rows(db, "year = 2021 AND month = 1 AND country_iso3 = 'KAZ'") == [
        ("KAZ", "country_to_partner", 2021, 1, pytest.approx(413.757e6), "raw.rosstat_96stran:'Импорт'!E7")
    ]


def test_reingesting_the_same_files_changes_nothing(tmp_path, db):
    files = _files(tmp_path)
    ingest("rosstat", files, db)
    before = checksum(db)
    assert not ingest("rosstat", files, db).changed
    assert checksum(db) == before


# --- bad inputs: a located error, and the warehouse as it was ------------------------------------------------------


def _without(key: str, sheet: str, rows: slice | None = None) -> Sheets:
    sheets = layout(key)
    if rows is None:
        del sheets[sheet]
    else:
        del sheets[sheet][rows]
    return sheets


def _with_rows(key: str, sheet: str, extra: list[list[object]]) -> Sheets:
    sheets = layout(key)
    sheets[sheet] += extra
    return sheets


BAD = [
    # (case, file, sheets, row, column (a cell, a sheet or the file), words in the message)
    ("non-numeric", ANNUAL, edit("94itog", "2021", 10, "B", "abc"), 10, "'2021'!B10", "a number in million US$"),
    ("empty value", ANNUAL, edit("94itog", "2021", 10, "B", ""), 10, "'2021'!B10", "a number in million US$"),
    ("NaN", MONTHLY, edit("96stran", "Экспорт", 18, "E", "nan"), 18, "'Экспорт'!E18", "a number"),
    ("inf", MONTHLY, edit("96stran", "Импорт", 9, "F", "inf"), 9, "'Импорт'!F9", "a number"),
    ("negative", MONTHLY, edit("96stran", "Импорт", 7, "F", -1.0), 7, "'Импорт'!F7", "between 0 and 1e+06"),
    ("huge", ANNUAL, edit("94itog", "2021", 13, "B", 5e6), 13, "'2021'!B13", "between 0 and 1e+06"),
    ("unknown country", ANNUAL, edit("94itog", "2020", 8, "A", "Арменияя"), 8, "'2020'!A8", "country name"),
    ("unknown partner", MONTHLY, edit("96stran", "Экспорт", 5, "C", "Атлантида"), 5, "'Экспорт'!C5", "country"),
    ("duplicate row", ANNUAL, edit("94itog", "2021", 11, "A", "Казахстан"), 11, "'2021'!A11", "already there"),
    ("duplicate column", MONTHLY, edit("96stran", "Импорт", 5, "C", "Узбекистан"), 5, "'Импорт'!F5", "one column"),
    ("duplicate month", MONTHLY, edit("96stran", "Экспорт", 8, "A", "  январь"), 8, "'Экспорт'!A8", "февраль"),
    ("unknown month", MONTHLY, edit("96stran", "Экспорт", 9, "A", "  мартъ"), 9, "'Экспорт'!A9", "month name"),
    (
        "year out of order",
        MONTHLY,
        _with_rows("96stran", "Импорт", [[2023.0], ["  январь", 1.0, 1.0, 1.0, 1.0, 1.0]]),
        19,
        "'Импорт'!A19",
        "the year after 2021",
    ),
    ("header year", ANNUAL, edit("94itog", "2021", 4, "B", 2020.0), 0, "sheet '2021'", "year 2021"),
    ("no unit", ANNUAL, edit("94itog", "2020", 3, "B", ""), 4, "'2020'!A4", "млн долларов США"),
    ("no import section", ANNUAL, _without("94itog", "2021", slice(13, None)), 0, "sheet '2021'", "Импорт"),
    (
        "swapped title",
        MONTHLY,
        edit("96stran", "Экспорт", 2, "A", "Импорт Российской Федерации из основных стран"),
        0,
        "sheet 'Экспорт'",
        "Экспорт",
    ),
    ("missing sheet", MONTHLY, _without("96stran", "Импорт"), 0, "(sheets)", "Импорт"),
    ("unknown sheet", ANNUAL, {**layout("94itog"), "Лист1": [["примечание"]]}, 0, "(sheets)", "Лист1"),
    ("empty sheet", ANNUAL, {**layout("94itog"), "2019": []}, 0, "(sheets)", "empty"),
]


@pytest.mark.parametrize(("case", "name", "sheets", "row", "column", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_workbook_is_located_and_changes_nothing(tmp_path, db, case, name, sheets, row, column, words):
    ingest("rosstat", _files(tmp_path / "good"), db)  # an earlier good load must survive the failed one
    before = checksum(db)
    with pytest.raises(InputError) as caught:
        ingest("rosstat", _files(tmp_path / "bad", {name: xlsx(tmp_path, sheets)}), db)
    problem = caught.value.problems[0]
    assert (Path(problem.file).name, problem.line, problem.column) == (name, row, column), str(caught.value)
    assert words in str(caught.value), str(caught.value)
    assert checksum(db) == before


BAD_FILES = [
    ("html page", b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "not an xls or xlsx"),
    ("empty file", b"", "empty file"),
    ("csv instead", b"Code,Klassifikator\n156,Xitoy\n", "not an xls or xlsx"),
    ("truncated", None, "truncated xlsx workbook"),
]


@pytest.mark.parametrize(("case", "data", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_located_and_changes_nothing(tmp_path, db, case, data, words):
    if data is None:
        whole = xlsx(tmp_path, layout("94itog"))
        data = whole[: len(whole) // 2]
    before = checksum(db)
    with pytest.raises(InputError) as caught:
        ingest("rosstat", _files(tmp_path, {ANNUAL: data}, expect=False), db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(ANNUAL) and problem.column == "(file)", str(caught.value)
    assert words in str(caught.value), str(caught.value)
    assert checksum(db) == before


def test_html_page_is_refused_at_fetch(tmp_path):
    with pytest.raises(FetchError):
        _files(tmp_path, {MONTHLY: b"<html><body>Rosstat: page not found</body></html>"})


def test_a_directory_instead_of_the_file(tmp_path, db):
    files = _files(tmp_path)
    folder = tmp_path / "a_folder" / MONTHLY
    folder.mkdir(parents=True)
    files[1] = FetchedFile(files[1].remote, folder, "0" * 64, 0, datetime.now(UTC), "test")
    before = checksum(db)
    with pytest.raises(InputError, match=r"folder|directory") as caught:
        ingest("rosstat", files, db)
    assert caught.value.problems[0].file == str(folder)
    assert checksum(db) == before


# --- the real files -----------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_files(tmp_path, db):
    if not (SHARED_DATA / "ru_stat").is_dir():
        pytest.skip("../shared/data/ru_stat not present")
    files = get_connector("rosstat").fetch_files(cache_dir=tmp_path / "cache", mirror=SHARED_DATA)
    report = ingest("rosstat", files, db)
    # 94itog: 28 years x KAZ KGZ TJK UZB x 2; 96stran: 16 years x 12 months x KAZ UZB x 2, less Kazakhstan's
    # July-December 2010 ('…', no data) in both sheets
    assert report.row_counts["core.trade_flows"] == 28 * 4 * 2 + 16 * 12 * 2 * 2 - 12
    annual = {(c, d): v / 1e6 for c, d, _y, _m, v, _r in _rows(db, "year = 2021 AND month IS NULL")}
    exports = {c: annual[(c, "partner_to_country")] for c in ("KAZ", "KGZ", "TJK", "UZB")}
    imports = {c: annual[(c, "country_to_partner")] for c in ("KAZ", "KGZ", "TJK", "UZB")}
    assert exports == pytest.approx({"KAZ": 18_496, "KGZ": 2_156, "TJK": 1_114, "UZB": 5_205})
    assert imports == pytest.approx({"KAZ": 7_135, "KGZ": 348, "TJK": 99.6, "UZB": 1_706})
    # The months add up to the published year (within the rounding of 94itog); the sums are never stored.
    sums = query(
        db,
        """SELECT country_iso3, direction, sum(value_usd) / 1e6, count(*) FROM core.trade_flows
        WHERE source_id LIKE 'rosstat%' AND year = 2021 AND month IS NOT NULL GROUP BY 1, 2""",
    )
    monthly = {(c, d): (s, n) for c, d, s, n in sums}
    assert round(monthly[("KAZ", "partner_to_country")][0], 1) == 18_495.5
    assert round(monthly[("UZB", "partner_to_country")][0], 1) == 5_205.1
    for key, (total, months) in monthly.items():
        assert months == 12 and abs(total - annual[key]) < 1, key
    assert _rows(db, "country_iso3 = 'KAZ' AND year = 2010 AND month > 6") == []
    assert query(
        db, "SELECT count(*) FROM core.trade_flows WHERE source_id LIKE 'rosstat%' AND country_iso3 = 'TKM'"
    ) == [(0,)]
