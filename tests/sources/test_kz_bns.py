"""Kazakhstan BNS trade by partner: xls editions from a mirror, revised years, located errors, the real editions."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xlwt

from silkscope.build import build
from silkscope.countries import WORLD_CODE
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, FetchError, RemoteFile
from silkscope.ingest import fetch_source, get_connector, ingest
from silkscope.sources import kz_bns
from silkscope.sources.kz_bns import KzBnsTrade
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kz_bns"
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NEW, OLD = (
    "kz_bns_foreign_trade_main_indicators_by_country_2023",
    "kz_bns_foreign_trade_main_indicators_by_country_2022",
)
NUMBER = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")
KZ = "source_id LIKE 'kz_bns_%'"

Grid = dict[str, list[list[object]]]


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kz_bns") / "w.duckdb"
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


def _xls(grid: Grid) -> bytes:
    """A BIFF8 workbook as BNS publishes it: numbers as number cells, labels as text, empty cells left out."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in grid.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, float):
                    sheet.write(r, c, value)
                elif value != "":
                    sheet.write(r, c, float(value) if NUMBER.match(str(value)) else value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(grid: Grid, sheet: str, label: str) -> int:
    """0-based index of the row labelled `label` (the sheet row is this + 1)."""
    return next(i for i, row in enumerate(grid[sheet]) if row and row[0] == label)


def _mirror(tmp_path: Path, files: dict[str, bytes], folder: str = "mirror") -> list[FetchedFile]:
    """Files in a mirror folder laid out like ../shared/data, taken in by the connector's own fetch."""
    target = tmp_path / folder / "kz_stat"
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / f"{name}.xls").write_bytes(data)
    return KzBnsTrade().fetch_files(mirror=tmp_path / folder, cache_dir=tmp_path / "cache")


def _direct(path: Path, name: str) -> FetchedFile:
    """A file handed to ingest as it is (a damaged cache entry, a folder): the parser's own checks must hold."""
    digest = hashlib.sha256(path.read_bytes() if path.is_file() else str(path).encode()).hexdigest()
    remote = RemoteFile("https://stat.gov.kz/test", f"{name}.xls", mirror_subdir="kz_stat")
    return FetchedFile(remote, path, digest, 0, datetime.now(UTC), "test")


def _both(tmp_path: Path, folder: str = "mirror") -> list[FetchedFile]:
    return _mirror(tmp_path, {NEW: _xls(_grid(NEW)), OLD: _xls(_grid(OLD))}, folder)


def _value(db: Path, year: int, partner: str, direction: str) -> list[tuple]:
    return query(
        db,
        f"""SELECT value_usd, source_id, source_ids, note FROM core.trade_flows WHERE {KZ} AND year = ?
            AND partner_iso3 = ? AND direction = ?""",
        [year, partner, direction],
    )


# --- harmonisation -----------------------------------------------------------------------------------------------


def test_registered():
    assert isinstance(get_connector("kz_bns"), KzBnsTrade)
    names = [r.name for r in KzBnsTrade().remote_files()]
    assert names[0] == "kz_bns_foreign_trade_main_indicators_by_country_2019.xls" and len(names) == len(kz_bns.EDITIONS)


def test_ingest_harmonises_partner_rows(tmp_path, db):
    report = ingest("kz_bns", _both(tmp_path), db)
    # 3 year sheets x (9 export + 10 import partner cells + the EU's two + the total row's two, partner WLD); groups
    # and turnover left out
    assert report.changed and report.row_counts["core.trade_flows"] == 69
    assert report.edition == "editions 2022, 2023 (latest: 2023, published 25.07.2024)"
    rows = query(
        db,
        f"""SELECT partner_iso3, direction, value_usd, currency, value_published, unit_published, country_iso3,
                   reporter_iso3, classification, product_code, price_basis, month, record
            FROM core.trade_flows WHERE {KZ} AND year = 2023 AND partner_iso3 IN ('RUS', 'TWN') ORDER BY 1, 2""",
    )
    assert rows == [
        ("RUS", "country_to_partner", 9_000_000.0, "USD", 9_000_000.0, "thousand USD", "KAZ", "KAZ", "total", "TOTAL",
         "current", None, "raw.kz_bns_trade_by_country:'2023'!D10"),
        ("RUS", "partner_to_country", 17_000_000.0, "USD", 17_000_000.0, "thousand USD", "KAZ", "KAZ", "total", "TOTAL",
         "current", None, "raw.kz_bns_trade_by_country:'2023'!F10"),
        ("TWN", "partner_to_country", 160_700.0, "USD", 160_700.0, "thousand USD", "KAZ", "KAZ", "total", "TOTAL",
         "current", None, "raw.kz_bns_trade_by_country:'2023'!F23"),
    ]  # fmt: skip
    partners = {p for (p,) in query(db, f"SELECT DISTINCT partner_iso3 FROM core.trade_flows WHERE {KZ}")}
    assert partners == {"KGZ", "RUS", "UZB", "DEU", "ITA", "CHE", "CHN", "KOR", "TWN", "USA", "EUU", WORLD_CODE}
    (definition,) = query(
        db, f"SELECT DISTINCT definition FROM core.trade_flows WHERE {KZ} AND direction = 'country_to_partner'"
    )
    assert definition[0].startswith("Kazakhstan's exports of goods to the partner as reported by the Bureau")
    assert "do not state the trade system" in definition[0]
    assert query(db, f"SELECT count(*), count(DISTINCT fact_id) FROM core.trade_flows WHERE {KZ}") == [(69, 69)]
    # every cell of every sheet stays in raw, with its sheet and row
    raw = query(
        db, "SELECT sheet, source_row, a, d FROM raw.kz_bns_trade_by_country WHERE sheet = '2023' AND a = 'Россия'"
    )
    assert raw == [("2023", 10, "Россия", "9000")]
    assert query(db, "SELECT count(DISTINCT sheet) FROM raw.kz_bns_trade_by_country") == [(5,)]


def test_eu_aggregate_is_stored_with_its_warning(tmp_path, db):
    ingest("kz_bns", _both(tmp_path), db)
    ((value, _sid, _ids, note),) = _value(db, 2023, "EUU", "country_to_partner")
    assert value == 15_500_000.0  # Germany 700 + Italy 14,800 thousand
    assert note == (
        "EU aggregate as published (sum of member states): never add to member rows; the publisher lists 2 "
        "states under it"
    )


def test_later_edition_supersedes_a_revised_year(tmp_path, db):
    files = _both(tmp_path)
    ids = {f.remote.name[:-4]: f"kz_bns_{f.sha256[:12]}" for f in files}
    ingest("kz_bns", files, db)
    ((value, source_id, source_ids, note),) = _value(db, 2022, "CHN", "country_to_partner")
    assert value == pytest.approx(13_060_205.41)
    assert source_id == ids[NEW] and source_ids == [ids[NEW], ids[OLD]]
    assert note == "the 2023 edition supersedes the 2022 edition's figure (13,000.00000 thousand US$)"
    ((_v, _s, _i, same),) = _value(db, 2022, "RUS", "partner_to_country")
    assert same == "the 2023 edition supersedes the 2022 edition's figure (the same figure)"
    assert _value(db, 2021, "RUS", "partner_to_country")[0][1] == ids[OLD]  # only the 2022 edition has 2021
    sources = query(db, "SELECT source_id, superseded_at, version FROM core.sources WHERE loaded_by = 'kz_bns'")
    assert sorted(sources) == sorted(  # both editions keep their provenance rows, each with its own edition
        [
            (ids[NEW], None, "2023 edition (years 2022, 2023), published 25.07.2024"),
            (ids[OLD], None, "2022 edition (years 2021, 2022)"),
        ]
    )
    assert query(db, f"SELECT count(*) FROM core.trade_flows WHERE {KZ} AND year = 2022") == [(23,)]


def test_total_row_is_stored_as_world_facts(tmp_path, db):
    ingest("kz_bns", _both(tmp_path), db)
    rows = query(
        db,
        f"""SELECT year, direction, value_usd, record, note FROM core.trade_flows
            WHERE {KZ} AND partner_iso3 = '{WORLD_CODE}' ORDER BY 1, 2""",
    )
    assert [(y, d) for y, d, *_ in rows] == [
        (y, d) for y in (2021, 2022, 2023) for d in ("country_to_partner", "partner_to_country")
    ]
    # each year from the latest edition that has it, equal to its sheet's row 'Всего' (D exports, F imports)
    for year, direction, value, record, note in rows:
        grid = _grid(OLD if year == 2021 else NEW)
        index = next(i for i, row in enumerate(grid[str(year)]) if row and row[0].split()[:1] == ["Всего"])
        col = 3 if direction == "country_to_partner" else 5
        assert value == pytest.approx(float(grid[str(year)][index][col]) * 1000)
        assert record == f"raw.kz_bns_trade_by_country:'{year}'!{'DF'[col == 5]}{index + 1}"
        assert note.startswith(kz_bns.WORLD_NOTE)
    assert rows[-2][2] == 49_300_500.0 and rows[-1][2] == 43_560_950.0  # 2023, as published
    revised = "the 2023 edition supersedes the 2022 edition's figure (44,230.45000 thousand US$)"
    assert rows[2][4] == f"{kz_bns.WORLD_NOTE}; {revised}"
    # the country rows still sum to the published total (the EU aggregate and the total itself left out)
    sums = query(
        db,
        f"""SELECT year, direction, sum(value_usd) FILTER (partner_iso3 NOT IN ('EUU', '{WORLD_CODE}')),
                   sum(value_usd) FILTER (partner_iso3 = '{WORLD_CODE}')
            FROM core.trade_flows WHERE {KZ} GROUP BY 1, 2""",
    )
    assert len(sums) == 6
    assert all(abs(parts - total) <= kz_bns.TOTAL_TOLERANCE * total for _y, _d, parts, total in sums), sums


def test_an_older_edition_alone_then_both(tmp_path, db):
    ingest("kz_bns", _mirror(tmp_path, {OLD: _xls(_grid(OLD))}), db)
    assert _value(db, 2022, "CHN", "country_to_partner")[0][0] == 13_000_000.0
    assert not query(db, f"SELECT * FROM core.trade_flows WHERE {KZ} AND year = 2023")
    ingest("kz_bns", _both(tmp_path, "mirror2"), db)
    assert _value(db, 2022, "CHN", "country_to_partner")[0][0] == pytest.approx(13_060_205.41)


def test_reingest_is_a_no_op(tmp_path, db):
    files = _both(tmp_path)
    ingest("kz_bns", files, db)
    before = checksum(db)
    assert not ingest("kz_bns", files, db).changed
    assert checksum(db) == before


# --- bad input: located, and the warehouse unchanged -------------------------------------------------------------


def _drop_sheets(*names: str):
    def edit(grid: Grid) -> None:
        for name in names:
            grid.pop(name)

    return edit


# case -> (row label or 0-based row index in sheet '2023', column, new cell, hint in the message); the message must
# name the file, the sheet row and the cell. Sheet-level cases: (edit, line, column, hint).
CELLS = {
    "wrong header": ("Наименование", 3, "Импорт", "'Экспорт'"),
    "share instead of value": (4, 5, "удельный вес", "sub-header"),
    "non-numeric cell": ("Россия", 3, "н/д", "a number (thousand US$)"),
    "comma decimal": ("Россия", 3, "9000,0", "a number"),
    "NaN": ("Китай", 5, float("nan"), "'nan'"),
    "infinity": ("Китай", 5, float("inf"), "'inf'"),
    "huge value": ("Китай", 5, 1e300, "between 0 and 1e+09"),
    "negative value": ("Китай", 5, -15400.0, "between 0 and"),
    "unknown country": ("Германия", 0, "Германья", "near: Germany (DEU)"),
    "duplicate country": ("Италия", 0, "Германия", "already on row 16"),
    "total off": ("Всего", 3, 49400.5, "kz_bns.TOTAL_TOLERANCE"),
    "turnover off": ("Россия", 1, 26100.0, "kz_bns.TURNOVER_SLACK"),
    "unit changed": (2, 4, "млн. долларов США", "тыс. долларов США"),
    "title of another year": ("2023 год", 0, "2021 год", "year 2023"),
    "values without a label": ("Узбекистан", 0, "", "a partner name"),
}
SHEETS = {
    "missing year sheet": (_drop_sheets("2023"), "(file)", "its latest year sheet is 2022"),
    "no year sheets": (_drop_sheets("2022", "2023"), "(sheets)", "year sheets named like"),
}


def _bad_ingest(tmp_path: Path, db: Path, grid: Grid) -> tuple[Path, str]:
    """Ingest the good editions, then the 2023 edition as edited: the error, and proof nothing changed."""
    ingest("kz_bns", _both(tmp_path), db)
    before = checksum(db)
    files = _mirror(tmp_path, {NEW: _xls(grid), OLD: _xls(_grid(OLD))}, "bad")
    with pytest.raises(InputError) as err:
        ingest("kz_bns", files, db)
    assert checksum(db) == before
    return next(f.path for f in files if f.remote.name == f"{NEW}.xls"), str(err.value)


@pytest.mark.parametrize("case", sorted(CELLS))
def test_bad_cells_are_located_and_change_nothing(case, tmp_path, db):
    row, col, value, hint = CELLS[case]
    grid = _grid(NEW)
    index = row if isinstance(row, int) else _row(grid, "2023", row)
    grid["2023"][index][col] = value
    path, message = _bad_ingest(tmp_path, db, grid)
    cell = f"'2023'!{'ABCDEFG'[col]}{index + 1}"
    assert f'{path}:{index + 1}: column "{cell}"' in message, message
    assert hint in message, message


@pytest.mark.parametrize("case", sorted(SHEETS))
def test_bad_sheets_are_located_and_change_nothing(case, tmp_path, db):
    edit, column, hint = SHEETS[case]
    grid = _grid(NEW)
    edit(grid)
    path, message = _bad_ingest(tmp_path, db, grid)
    assert f"{path}:0: column {column!r}" in message and hint in message, message


def _html(_: Path) -> bytes:
    return b"<!DOCTYPE html><html><body>404 Not Found</body></html>"


FILES = {
    "empty file": (lambda p: b"", "an empty file"),
    "HTML page renamed .xls": (_html, "not an xls or xlsx workbook"),
    "truncated": (lambda p: p.read_bytes()[:-700], "truncated xls workbook"),
    "cut inside a sector": (lambda p: p.read_bytes()[:-1], "not a whole number of 512-byte sectors"),
}


@pytest.mark.parametrize("case", sorted(FILES))
def test_bad_files_are_located_and_change_nothing(case, tmp_path, db):
    good = _both(tmp_path)
    ingest("kz_bns", good, db)
    before = checksum(db)
    make, hint = FILES[case]
    bad = tmp_path / "bad" / f"{NEW}.xls"
    bad.parent.mkdir()
    bad.write_bytes(make(next(f.path for f in good if f.remote.name == f"{NEW}.xls")))
    with pytest.raises(InputError) as err:
        ingest("kz_bns", [_direct(bad, NEW), *(f for f in good if f.remote.name == f"{OLD}.xls")], db)
    assert f"{bad}:0: column '(file)'" in str(err.value) and hint in str(err.value)
    assert checksum(db) == before


def test_a_folder_instead_of_a_file(tmp_path, db):
    ingest("kz_bns", _both(tmp_path), db)
    before = checksum(db)
    folder = tmp_path / "bad" / "kz_stat" / f"{NEW}.xls"
    folder.mkdir(parents=True)
    with pytest.raises(InputError, match=rf"{re.escape(str(folder))}:0: column '\(file\)'.*a folder"):
        KzBnsTrade().fetch_files(mirror=tmp_path / "bad", cache_dir=tmp_path / "cache")
    with pytest.raises(InputError, match=rf"{re.escape(str(folder))}:0: column '\(file\)'.*a folder"):
        ingest("kz_bns", [_direct(folder, NEW)], db)
    assert checksum(db) == before


def test_the_mirror_refuses_an_html_page_and_an_empty_mirror(tmp_path):
    with pytest.raises(FetchError, match="does not look like the expected file"):
        _mirror(tmp_path, {NEW: _html(tmp_path)})
    (tmp_path / "empty").mkdir()
    with pytest.raises(FetchError, match="none of kz_bns's files is in the mirror folder"):
        KzBnsTrade().fetch_files(mirror=tmp_path / "empty", cache_dir=tmp_path / "cache")


# --- the real editions -------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_editions(shared_dir, tmp_path, db):
    files = fetch_source("kz_bns", mirror=DATA, cache_dir=tmp_path / "cache")
    assert [f.remote.name for f in files] == [
        f"kz_bns_foreign_trade_main_indicators_by_country_{y}.xls" for y in range(2019, 2024)
    ]
    report = ingest("kz_bns", files, db)
    assert report.edition == "editions 2019, 2020, 2021, 2022, 2023 (latest: 2023, published 25.07.2024)"
    countries = f"{KZ} AND partner_iso3 NOT IN ('EUU', '{WORLD_CODE}')"
    totals = query(
        db,
        f"""SELECT direction, round(sum(value_usd) / 1000, 1), count(DISTINCT partner_iso3) FROM core.trade_flows
            WHERE {countries} AND year = 2023 GROUP BY 1 ORDER BY 1""",
    )
    assert totals[0][:2] == ("country_to_partner", 79_138_754.7) and totals[1][:2] == (
        "partner_to_country",
        60_412_283.3,
    )
    partners = query(db, f"SELECT count(DISTINCT partner_iso3) FROM core.trade_flows WHERE {countries} AND year = 2023")
    assert partners == [(204,)]  # the 204 country rows of 2023 sum to the published totals
    turnover = dict(
        query(
            db,
            f"""SELECT partner_iso3, round(sum(value_usd) / 1e6, 1) FROM core.trade_flows WHERE {KZ} AND year = 2023
                AND partner_iso3 IN ('CHN', 'RUS', 'ITA') GROUP BY 1""",
        )
    )
    assert turnover == {"CHN": 30_055.4, "RUS": 27_054.4, "ITA": 16_075.5}
    ((russia_2021,),) = query(
        db,
        f"""SELECT round(value_usd / 1e6, 1) FROM core.trade_flows WHERE {KZ} AND year = 2021 AND partner_iso3 = 'RUS'
            AND direction = 'partner_to_country'""",
    )
    assert russia_2021 == 17_605.5
    years = query(db, f"SELECT min(year), max(year) FROM core.trade_flows WHERE {KZ}")
    assert years == [(2018, 2023)]
    eu = query(db, f"SELECT DISTINCT note FROM core.trade_flows WHERE {KZ} AND partner_iso3 = 'EUU' AND year = 2023")
    assert eu == [(f"{kz_bns.EU_NOTE}; the publisher lists 27 states under it",)]
    # the total row 'Всего' of each year as partner WLD, equal to the 204 country rows' sums above
    world = query(
        db,
        f"""SELECT direction, round(value_usd / 1000, 1), record FROM core.trade_flows WHERE {KZ} AND year = 2023
            AND partner_iso3 = '{WORLD_CODE}' ORDER BY 1""",
    )
    assert world == [
        ("country_to_partner", 79_138_754.7, "raw.kz_bns_trade_by_country:'2023'!D6"),
        ("partner_to_country", 60_412_283.3, "raw.kz_bns_trade_by_country:'2023'!F6"),
    ]
    per_year = query(
        db, f"SELECT count(DISTINCT year), count(*) FROM core.trade_flows WHERE {KZ} AND partner_iso3 = '{WORLD_CODE}'"
    )
    assert per_year == [(6, 12)]  # 2018-2023, exports and imports
