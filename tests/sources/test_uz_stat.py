"""Statistics Agency of Uzbekistan: exports (1105) and imports (1176) by partner, from a mirror folder."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from silkscope.build import build
from silkscope.countries import WORLD_CODE
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, FetchError, from_mirror
from silkscope.ingest import get_connector, ingest
from silkscope.sources.uz_stat import DATASETS, WORLD_NOTE, UzStatTrade
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "uz_stat"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
EXPORTS, IMPORTS = "sdmx_data_1105.csv", "sdmx_data_1176.csv"
BOM = "\ufeff"


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("uz_stat") / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture
def db(tmp_path, _built) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copyfile(_built, path)
    return path


def _text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _files(tmp_path: Path, contents: dict[str, bytes | None] | None = None, *, expect: bool = True):
    """Both files through a mirror folder, as an air-gapped analyst would bring them; `contents` replaces some.
    With expect=False the fetch-time content check is left out, so the file reaches the connector's own checks."""
    folder = tmp_path / "mirror" / "uz_stat"
    folder.mkdir(parents=True, exist_ok=True)
    fetched = []
    for remote in UzStatTrade().remote_files():
        data = (contents or {}).get(remote.name)
        (folder / remote.name).write_bytes(data if data is not None else (FIXTURES / remote.name).read_bytes())
        remote = remote if expect else replace(remote, expect=())
        fetched.append(from_mirror(remote, tmp_path / "mirror", tmp_path / "cache"))
    return fetched


def _rows(db: Path, where: str = "true") -> list[tuple]:
    return query(
        db,
        f"""SELECT partner_iso3, direction, year, value_usd, value_published, unit_published, month, record, note
        FROM core.trade_flows WHERE source_id LIKE 'uz_stat%' AND {where} ORDER BY 1, 2, 3""",
    )


# --- a good load --------------------------------------------------------------------------------------------------


def test_registered_and_remote_files():
    assert isinstance(get_connector("uz_stat"), UzStatTrade)
    remotes = UzStatTrade().remote_files()
    assert [r.name for r in remotes] == [EXPORTS, IMPORTS]
    assert all(r.mirror_subdir == "uz_stat" and r.url.endswith(r.name) for r in remotes)
    assert {d.id: d.direction for d in DATASETS.values()} == {
        "1105": "country_to_partner",
        "1176": "partner_to_country",
    }


def test_ingest_harmonises_both_flows(tmp_path, db):
    report = ingest("uz_stat", _files(tmp_path), db)
    # 1105: 9 rows less 'Other countries' = 8 partners; 1176: 10 rows less 0 and 530 (Netherlands Antilles) = 8;
    # and each file's total (partner WLD), 3 years each
    assert report.row_counts["core.trade_flows"] == (8 + 8 + 2) * 3
    china = _rows(db, "partner_iso3 = 'CHN' AND year = 2023")
    assert [(p, d, y) for p, d, y, *_ in china] == [
        ("CHN", "country_to_partner", 2023),
        ("CHN", "partner_to_country", 2023),
    ]
    assert china[0][3] == pytest.approx(2_486_557_300.0)  # exports to China, thousand US$ * 1000
    assert china[1][3] == pytest.approx(11_339_099_000.0)
    assert china[1][4] == china[1][3] and china[1][5] == "thousand USD" and china[1][6] is None
    one = query(
        db,
        """SELECT country_iso3, reporter_iso3, classification, product_code, price_basis, currency, definition,
                  citation_status, source_ids = [source_id]
        FROM core.trade_flows WHERE source_id LIKE 'uz_stat%' AND partner_iso3 = 'RUS' AND year = 2023
          AND direction = 'country_to_partner'""",
    )
    country, reporter, classification, product, basis, currency, definition, status, ids_ok = one[0]
    assert (country, reporter, classification, product, basis, currency) == (
        "UZB",
        "UZB",
        "total",
        "TOTAL",
        "current",
        "USD",
    )
    assert "exports to" in definition and "1105" in definition and "Other countries" in definition
    assert status == "cited" and ids_ok
    # a C5 neighbour is an ordinary partner of Uzbekistan's own statistics
    assert _rows(db, "partner_iso3 = 'TJK' AND year = 2023 AND direction = 'partner_to_country'")[0][
        3
    ] == pytest.approx(152_601_600.0)
    ids = query(db, "SELECT count(*), count(DISTINCT fact_id) FROM core.trade_flows WHERE source_id LIKE 'uz_stat%'")
    assert ids[0][0] == ids[0][1]


def test_other_countries_stay_out_of_country_rows_but_are_stated(tmp_path, db):
    ingest("uz_stat", _files(tmp_path), db)
    partners = {p for p, *_ in _rows(db)}
    assert partners == {"CUB", "DEU", "KAZ", "CHN", "RUS", "TJK", "MNP", "SDN", WORLD_CODE}
    note = _rows(db, "partner_iso3 = 'RUS' AND year = 2023 AND direction = 'country_to_partner'")[0][8]
    assert "code 0 'Other countries' 10,352,796.9" in note and "gold" in note
    imports_2022 = _rows(db, "partner_iso3 = 'RUS' AND year = 2022 AND direction = 'partner_to_country'")[0][8]
    assert "1,315,004.4" in imports_2022 and "code 530 'Netherlands Antilles' 3.4" in imports_2022
    # raw keeps every published line, the remainder included
    assert query(db, "SELECT count(*) FROM raw.uz_stat_1105 WHERE code = '0'") == [(1,)]


def _file_sums(name: str) -> dict[int, float]:
    """Year -> the sum of every row of a fixture (code 0 and 530 included), thousand US$."""
    with (FIXTURES / name).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {int(y): sum(float(r[y]) for r in rows) for y in ("2021", "2022", "2023")}


def test_each_files_total_is_stored_as_world_facts(tmp_path, db):
    ingest("uz_stat", _files(tmp_path), db)
    world = _rows(db, f"partner_iso3 = '{WORLD_CODE}'")
    assert [(d, y) for _p, d, y, *_ in world] == [
        (d, y) for d in ("country_to_partner", "partner_to_country") for y in (2021, 2022, 2023)
    ]
    files = {
        "country_to_partner": (EXPORTS, "raw.uz_stat_1105:2-10"),
        "partner_to_country": (IMPORTS, "raw.uz_stat_1176:2-11"),
    }
    for _p, direction, year, value, published, unit, month, record, note in world:
        name, lines = files[direction]
        assert value == pytest.approx(_file_sums(name)[year] * 1000) and published == value and unit == "thousand USD"
        assert month is None and record == f"{lines}:{year}" and note.startswith(WORLD_NOTE)
    exports_2023 = world[2]
    assert exports_2023[3] == pytest.approx(18_447_155.7e3)  # code 0's 10,352,796.9 thousand among it
    assert "code 0 'Other countries' 10,352,796.9" in exports_2023[8]
    ids = query(
        db,
        f"""SELECT fact_id, source_id FROM core.trade_flows WHERE source_id LIKE 'uz_stat%'
            AND partner_iso3 = '{WORLD_CODE}' AND year = 2023 AND direction = 'partner_to_country'""",
    )
    assert ids == [(f"{ids[0][1]}:2-11:2023", ids[0][1])]
    # the partner facts and the rows of no country (raw only) still sum to the total
    sums = query(
        db,
        f"""SELECT direction, year, sum(value_usd) FILTER (partner_iso3 <> '{WORLD_CODE}'),
                   sum(value_usd) FILTER (partner_iso3 = '{WORLD_CODE}')
            FROM core.trade_flows WHERE source_id LIKE 'uz_stat%' GROUP BY 1, 2""",
    )
    other = {  # code 0 and 530 as published, thousand US$
        ("country_to_partner", 2021): 4_874_921.4,
        ("country_to_partner", 2022): 5_811_172.3,
        ("country_to_partner", 2023): 10_352_796.9,
        ("partner_to_country", 2021): 884_417.86,
        ("partner_to_country", 2022): 1_315_004.35 + 3.44,
        ("partner_to_country", 2023): 1_217_044.0,
    }
    assert len(sums) == 6
    for direction, year, parts, total in sums:
        assert parts + other[direction, year] * 1000 == pytest.approx(total)


def test_publisher_quirks(tmp_path, db):
    ingest("uz_stat", _files(tmp_path), db)
    sudan = _rows(db, "partner_iso3 = 'SDN' AND year = 2021 AND direction = 'country_to_partner'")[0]
    assert sudan[3] == pytest.approx(1_170_300.0) and "withdrawn ISO 3166 code 736" in sudan[8]
    # Northern Mariana Islands: Russian and English labels swapped on the publisher's row; 8e-05 as published
    mnp = _rows(db, "partner_iso3 = 'MNP' AND year = 2023 AND direction = 'partner_to_country'")[0]
    assert mnp[3] == pytest.approx(0.08) and mnp[7] == "raw.uz_stat_1176:10:2023"


def test_reingesting_the_same_files_changes_nothing(tmp_path, db):
    ingest("uz_stat", _files(tmp_path), db)
    before = checksum(db)
    assert not ingest("uz_stat", _files(tmp_path), db).changed
    assert checksum(db) == before


# --- bad inputs: a located error, and the warehouse as it was ------------------------------------------------------

CHINA_LINE = 5  # line of code 156 in the exports fixture (header = line 1); 6 in the imports fixture


def _edit(name: str, old: str, new: str) -> bytes:
    text = _text(name)
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


BAD = [
    # (case, file, replacement bytes, line, column, words in the message)
    ("wrong header", EXPORTS, _edit(EXPORTS, "Klassifikator_en", "Name_en"), 1, "Klassifikator_en", "columns"),
    ("not a year", EXPORTS, _edit(EXPORTS, ",2023\n", ",Total\n"), 1, "total", "a year"),
    ("non-numeric", EXPORTS, _edit(EXPORTS, "2486557.3", "n/a"), CHINA_LINE, "2023", "non-negative number"),
    ("NaN", EXPORTS, _edit(EXPORTS, "2486557.3", "NaN"), CHINA_LINE, "2023", "non-negative number"),
    ("inf", EXPORTS, _edit(EXPORTS, "2486557.3", "inf"), CHINA_LINE, "2023", "non-negative number"),
    ("negative", EXPORTS, _edit(EXPORTS, "2486557.3", "-2486557.3"), CHINA_LINE, "2023", "non-negative"),
    ("decimal comma", EXPORTS, _edit(EXPORTS, "2486557.3", '"2486557,3"'), CHINA_LINE, "2023", "non-negative"),
    ("huge", EXPORTS, _edit(EXPORTS, "2486557.3", "5e9"), CHINA_LINE, "2023", "below 1,000,000,000"),
    ("empty cell", EXPORTS, _edit(EXPORTS, ",2486557.3", ","), CHINA_LINE, "2023", "non-negative number"),
    ("unknown code", EXPORTS, _edit(EXPORTS, "156,Xitoy", "999,Xitoy"), CHINA_LINE, "Code", "ISO 3166 numeric"),
    ("code not a number", EXPORTS, _edit(EXPORTS, "156,Xitoy", "CN,Xitoy"), CHINA_LINE, "Code", "1-3 digits"),
    ("unknown label", EXPORTS, _edit(EXPORTS, "Китай,China", "Китай,Cathay"), CHINA_LINE, "Klassifikator_en", "CHN"),
    (
        "label of another",
        EXPORTS,
        _edit(EXPORTS, "Китай,China", "Китай,Russia"),
        CHINA_LINE,
        "Klassifikator_en",
        "RUS",
    ),
    (
        "Other countries relabelled",
        IMPORTS,
        _edit(IMPORTS, "Other countries", "Unknown"),
        9,
        "Klassifikator_en",
        "Other countries",
    ),
    (
        "Uzbekistan as partner",
        EXPORTS,
        _edit(EXPORTS, "192,Kuba,Куба,Cuba", "860,Kuba,Куба,Uzbekistan"),
        2,
        "Code",
        "not Uzbekistan",
    ),
    (
        "duplicate row",
        EXPORTS,
        (_text(EXPORTS) + "156,Xitoy,Китай,China,1.0,2.0,3.0\n").encode(),
        11,
        "Code",
        "already on line 5",
    ),
    ("empty file", EXPORTS, b"", 1, "(file)", "empty file"),
    ("header only", EXPORTS, _text(EXPORTS).splitlines(keepends=True)[0].encode(), 2, "(file)", "no rows"),
    ("semicolons", EXPORTS, _text(EXPORTS).replace(",", ";").encode(), 1, "", "read as one column"),
    (
        "not UTF-8",
        IMPORTS,
        _text(IMPORTS).encode().replace("Куба".encode(), "Куба".encode("cp1251")),
        2,
        "Klassifikator_ru",
        "UTF-8",
    ),
]


@pytest.mark.parametrize(("case", "name", "data", "line", "column", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_located_and_changes_nothing(tmp_path, db, case, name, data, line, column, words):
    ingest("uz_stat", _files(tmp_path / "good"), db)  # an earlier good load must survive the failed one
    before = checksum(db)
    with pytest.raises(InputError) as caught:
        ingest("uz_stat", _files(tmp_path / "bad", {name: data}, expect=False), db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(name), case
    assert problem.line == line, str(caught.value)
    if column:
        assert problem.column == column, str(caught.value)
    assert words in str(caught.value), str(caught.value)
    assert checksum(db) == before


def test_swapped_files_fail_the_direction_check(tmp_path, db):
    before = checksum(db)
    swapped = {EXPORTS: (FIXTURES / IMPORTS).read_bytes(), IMPORTS: (FIXTURES / EXPORTS).read_bytes()}
    with pytest.raises(InputError, match=r"uz_stat\.DATASETS") as caught:
        ingest("uz_stat", _files(tmp_path, swapped), db)
    assert (
        caught.value.problems[0].file.endswith(IMPORTS) and caught.value.problems[0].line == CHINA_LINE
    )  # the exports content, now under 1176
    assert checksum(db) == before


def test_html_page_is_refused_at_fetch_and_at_load(tmp_path, db):
    page = b"<!DOCTYPE html><html><body>Code: 502 Bad Gateway</body></html>"
    with pytest.raises(FetchError):
        _files(tmp_path / "fetch", {EXPORTS: page})
    before = checksum(db)
    with pytest.raises(InputError, match="HTML") as caught:
        ingest("uz_stat", _files(tmp_path / "load", {EXPORTS: page}, expect=False), db)
    assert caught.value.problems[0].line == 1
    assert checksum(db) == before


def test_a_directory_instead_of_the_file(tmp_path, db):
    files = _files(tmp_path)
    folder = tmp_path / "a_folder" / EXPORTS
    folder.mkdir(parents=True)
    files[0] = FetchedFile(files[0].remote, folder, "0" * 64, 0, datetime.now(UTC), "test")
    before = checksum(db)
    with pytest.raises(InputError, match=r"folder|directory") as caught:
        ingest("uz_stat", files, db)
    assert caught.value.problems[0].file == str(folder)
    assert checksum(db) == before


# --- the real files -----------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_files(tmp_path, db):
    if not (SHARED_DATA / "uz_stat").is_dir():
        pytest.skip("../shared/data/uz_stat not present")
    files = get_connector("uz_stat").fetch_files(cache_dir=tmp_path / "cache", mirror=SHARED_DATA)
    report = ingest("uz_stat", files, db)
    # 228 export rows less code 0, 234 import rows less 0 and 530, and each file's total (WLD), 14 years each
    assert report.row_counts["core.trade_flows"] == (227 + 232 + 2) * 14

    def value(partner: str, direction: str, year: int) -> float:
        rows = _rows(db, f"partner_iso3 = '{partner}' AND direction = '{direction}' AND year = {year}")
        assert len(rows) == 1
        return rows[0][3]

    assert value("CHN", "partner_to_country", 2023) == pytest.approx(11_339_099.0e3)
    assert value("RUS", "partner_to_country", 2023) == pytest.approx(6_660_632.1e3)
    assert value("RUS", "country_to_partner", 2023) == pytest.approx(3_495.7e6, rel=1e-4)
    note = _rows(db, "partner_iso3 = 'RUS' AND direction = 'country_to_partner' AND year = 2023")[0][8]
    assert "10,352,796.9" in note  # the unallocated remainder, 10.4 bn US$ of 2023 exports
    # the total: every row of the file summed, the remainder included
    total = query(
        db,
        f"""SELECT value_usd, record FROM core.trade_flows WHERE source_id LIKE 'uz_stat%'
            AND partner_iso3 = '{WORLD_CODE}' AND direction = 'country_to_partner' AND year = 2023""",
    )
    published = query(db, "SELECT sum(_2023::DOUBLE) * 1000 FROM raw.uz_stat_1105")
    assert total[0][0] == pytest.approx(published[0][0]) and total[0][1] == "raw.uz_stat_1105:2-229:2023"
    assert total[0][0] == pytest.approx(24_869_366.3e3)
