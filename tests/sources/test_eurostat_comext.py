"""Eurostat Comext web-tool CSV exports: labels, harmonisation, conversion to US$, bad files, the real extracts."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from silkscope import warehouse
from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchError, fetch
from silkscope.ingest import get_connector, ingest
from silkscope.sources import eurostat_labels as labels
from silkscope.sources.eurostat_comext import QUERIES, EurostatComext
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eurostat"
KAZ = "comext_eu_member_exports_to_kazakhstan_codelabel.csv"
KGZ = "comext_eu_member_imports_from_kyrgyzstan_labelonly.csv"
FRENCH = "comext_eu27_exports_annual_2016_fr.csv"
ANNUAL = "comext_eu27_exports_annual_en.csv"
ALL = (KAZ, KGZ, FRENCH, ANNUAL)
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HEADER = b"REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\r\n"
ROW = b'"Germany (incl. German Democratic Republic \'DD\' from 1991)","Kazakhstan","TOTAL-Total","2-EXPORT","T-Total",'


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("eurostat") / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture
def db(tmp_path, _built) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copyfile(_built, path)
    return path


def _mirror(tmp_path: Path, contents: dict[str, bytes]) -> Path:
    folder = tmp_path / "mirror" / "eurostat"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return tmp_path / "mirror"


def _fetch(tmp_path: Path, contents: dict[str, bytes]):
    return EurostatComext().fetch_files(mirror=_mirror(tmp_path, contents), cache_dir=tmp_path / "cache")


def _fixtures(*names: str) -> dict[str, bytes]:
    return {name: (FIXTURES / name).read_bytes() for name in names}


def _row(period: bytes, value: bytes) -> bytes:
    return ROW + b'"' + period + b'",' + value + b"\r\n"


# --- labels --------------------------------------------------------------------------------------------------------


def test_registered():
    assert isinstance(get_connector("eurostat_comext"), EurostatComext)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("202408-Aug. 2024", (2024, 8)),
        ("Aug. 2024", (2024, 8)),
        ("201952-Jan.-Dec. 2019", (2019, None)),
        ("Jan.-Dec. 2018", (2018, None)),
        ("Janv.-Déc. 2016", (2016, None)),
        ("Févr. 2021", (2021, 2)),
        ("Sept. 2020", (2020, 9)),
    ],
)
def test_periods_in_both_forms_and_french(value, parsed):
    assert labels.period(value) == parsed


@pytest.mark.parametrize("value", ["202409-Aug. 2024", "Jan.-Jun. 2024", "2024Q3", "202413-Aug. 2024", "Aug. 1998", ""])
def test_periods_refused(value):
    with pytest.raises(labels.LabelError):
        labels.period(value)


def test_flows_products_procedures_and_reporters():
    assert [labels.flow(v) for v in ("2-EXPORT", "EXPORT", "EXPORTATION", "1-IMPORT", "IMPORT", "IMPORTATION")] == [
        "2",
        "2",
        "2",
        "1",
        "1",
        "1",
    ]
    assert labels.product("TOTAL-Total") == labels.product("Total") == "TOTAL"
    assert labels.procedure("T-Total") == labels.procedure("Total") == "T"
    for bad, parse in (("1-EXPORT", labels.flow), ("27-Mineral fuels", labels.product), ("1-Normal", labels.procedure)):
        with pytest.raises(labels.LabelError):
            parse(bad)
    assert labels.reporter("Ireland (Eire)") == "IRL"
    assert labels.reporter("DE-Germany (incl. German Democratic Republic 'DD' from 1991)") == "DEU"
    assert labels.reporter("United Kingdom") == "GBR"  # a member until 01/2020: its own rows, kept
    assert labels.reporter("Union européenne - 27 pays (AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, IE, "
                           "IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK)") == "EUU"  # fmt: skip
    # EU in its changing composition (with the UK until 2020) and the euro area: left out, never EUU
    assert labels.reporter("European Union (AT-01/1995, GB-01/1973->01/2020)") is None
    assert labels.reporter("Euro area - 20 countries (AT, BE)") is None
    with pytest.raises(labels.LabelError, match="27 members"):
        labels.reporter("European Union - 27 countries (AT, BE, GB)")
    with pytest.raises(labels.LabelError, match="EU member state"):
        labels.reporter("China")
    assert [labels.partner(v) for v in ("Tadjikistan", "Turkménistan", "Kirghizistan", "Ouzbékistan")] == [
        "TJK",
        "TKM",
        "KGZ",
        "UZB",
    ]


# --- harmonisation -------------------------------------------------------------------------------------------------


def test_fixtures_harmonised(tmp_path, db):
    report = ingest("eurostat_comext", _fetch(tmp_path, _fixtures(*ALL)), db)
    # 32 rows less 9 aggregates that are not EU27_2020 (EU in changing composition, euro area, euro area 20)
    assert report.row_counts == {"core.trade_flows": 23}
    rows = query(
        db,
        """SELECT partner_iso3, country_iso3, reporter_iso3, year, month, direction, value_published, value_usd,
                  currency, unit_published, classification, product_code, price_basis, group_id
           FROM core.trade_flows WHERE source_id LIKE 'eurostat_comext_%' ORDER BY ALL""",
    )
    assert ("DEU", "KAZ", "DEU", 2024, 8, "partner_to_country", 300871225.0, None, "EUR", "EUR", "total", "TOTAL",
            "current", None) in rows  # fmt: skip
    assert ("EUU", "KAZ", "EUU", 2024, 8, "partner_to_country", 921956331.0, None, "EUR", "EUR", "total", "TOTAL",
            "current", None) in rows  # fmt: skip
    assert ("EUU", "KGZ", "EUU", 2024, 2, "country_to_partner", 8068675.0, None, "EUR", "EUR", "total", "TOTAL",
            "current", None) in rows  # fmt: skip
    assert ("SVK", "KGZ", "SVK", 2024, 2, "country_to_partner", 0.0, None, "EUR", "EUR", "total", "TOTAL",
            "current", None) in rows  # fmt: skip
    assert {r[0] for r in rows} == {"LUX", "DEU", "GBR", "IRL", "FRA", "EST", "SVK", "ESP", "EUU"}
    annual = {(r[1], r[3]): r[6] for r in rows if r[4] is None}
    assert annual == {
        ("TJK", 2016): 172516870.0,
        ("KGZ", 2016): 233297638.0,
        ("TKM", 2016): 1125016996.0,
        ("UZB", 2016): 1584570656.0,
        ("KAZ", 2016): 4777231569.0,
        ("KAZ", 2018): 6712332140.0,
        ("TJK", 2023): 325601931.0,
        ("KAZ", 2023): 12110101395.0,
    }
    assert all(r[2] == "EUU" for r in rows if r[4] is None)
    fact_ids = query(db, "SELECT count(*), count(DISTINCT fact_id) FROM core.trade_flows")[0]
    assert fact_ids[0] == fact_ids[1]
    definition, note, record, source_ids = query(
        db,
        "SELECT definition, note, record, source_ids FROM core.trade_flows "
        "WHERE partner_iso3 = 'EUU' AND country_iso3 = 'KAZ' AND year = 2024",
    )[0]
    assert "the EU27_2020 aggregate as published (EUU; never add it to member rows)" in definition
    assert "exports to Kazakhstan (KAZ), August 2024, FOB" in definition
    assert definition.endswith("in EUR; no exchange-rate series loaded (silkscope update wdi loads PA.NUS.FCRF)")
    assert "PERIOD 202408-Aug. 2024" in note
    assert record.startswith("raw.eurostat_comext_relational:") and len(source_ids) == 1
    gbr = query(db, "SELECT definition FROM core.trade_flows WHERE partner_iso3 = 'GBR'")[0][0]
    assert "an EU member until 31 January 2020" in gbr
    raw = query(db, "SELECT count(*) FROM raw.eurostat_comext_relational")[0][0]
    assert raw == 32  # raw keeps every row as published, aggregates included
    assert not ingest("eurostat_comext", _fetch(tmp_path, _fixtures(*ALL)), db).changed


def _load_rates(db: Path, rates: dict[int, float], *, source_id: str = "wdi_test_rates", superseded: bool = False):
    """Simulate `silkscope update wdi` having loaded PA.NUS.FCRF of DEU (LCU per US$) for some years."""
    con = warehouse.connect(db)
    try:
        con.execute(
            """INSERT INTO core.sources (source_id, kind, publisher, title, licence, retrieved_at, citation, loaded_by,
                   superseded_at)
               VALUES (?, 'dataset', 'World Bank', 'WDI test rates', 'CC BY 4.0', now(), 'World Bank, WDI.', 'wdi',
                   CASE WHEN ? THEN now() END)""",
            [source_id, superseded],
        )
        for year, rate in rates.items():
            con.execute(
                """INSERT INTO core.indicators (indicator_code, indicator_name, country_iso3, partner_iso3, year, value,
                       unit, definition, source_id, source_ids, citation_status, record)
                   VALUES ('PA.NUS.FCRF', 'Official exchange rate (LCU per US$, period average)', 'DEU', NULL, ?, ?,
                       'LCU per US$', 'WDI PA.NUS.FCRF', ?, [?], 'cited', 'test')""",
                [year, rate, source_id, source_id],
            )
    finally:
        con.close()


def test_converted_with_a_loaded_rate_and_left_in_eur_without_one(tmp_path, db):
    _load_rates(db, {2024: 0.9243, 2016: 0.9037})
    _load_rates(db, {2023: 0.5}, source_id="wdi_old_edition", superseded=True)  # superseded: never used
    ingest("eurostat_comext", _fetch(tmp_path, _fixtures(KAZ, FRENCH, ANNUAL)), db)
    value_usd, definition, source_ids = query(
        db,
        "SELECT value_usd, definition, source_ids FROM core.trade_flows "
        "WHERE partner_iso3 = 'DEU' AND country_iso3 = 'KAZ' AND year = 2024 AND month = 8",
    )[0]
    assert value_usd == pytest.approx(300871225 / 0.9243)
    assert "converted at the WDI official exchange rate of the euro (PA.NUS.FCRF, DEU, 2024 annual average, " in (
        definition
    )
    assert "source wdi_test_rates)" in definition and "monthly value converted at the annual average" in definition
    assert source_ids[-1] == "wdi_test_rates" and source_ids[0].startswith("eurostat_comext_")
    annual = query(
        db,
        "SELECT value_usd, definition FROM core.trade_flows WHERE country_iso3 = 'TJK' AND year = 2016",
    )[0]
    assert annual[0] == pytest.approx(172516870 / 0.9037) and "monthly" not in annual[1]
    # 2020 and 2023 have no loaded rate: EUR only, and the definition says why
    for year in (2020, 2023):
        rows = query(db, "SELECT value_usd, definition, source_ids FROM core.trade_flows WHERE year = ?", [year])
        assert rows and all(r[0] is None and len(r[2]) == 1 for r in rows)
        assert all(f"(PA.NUS.FCRF, DEU) has no value for {year}: value_usd is empty" in r[1] for r in rows)


def test_overlapping_files_that_agree_are_merged(tmp_path, db):
    kaz = (FIXTURES / KAZ).read_bytes()
    overlap = HEADER + _row(b"202408-Aug. 2024", b"300871225") + _row(b"202409-Sep. 2024", b"280000000")
    report = ingest("eurostat_comext", _fetch(tmp_path, {KAZ: kaz, "comext_update.csv": overlap}), db)
    assert report.row_counts == {"core.trade_flows": 9}  # 8 from the fixture, September from the update
    source_ids, note = query(
        db, "SELECT source_ids, note FROM core.trade_flows WHERE partner_iso3 = 'DEU' AND year = 2024 AND month = 8"
    )[0]
    assert len(source_ids) == 2 and "the same value in the overlapping file(s)" in note


def test_identical_copies_are_read_once(tmp_path, db):
    kaz = (FIXTURES / KAZ).read_bytes()
    report = ingest("eurostat_comext", _fetch(tmp_path, {KAZ: kaz, "comext_copy.csv": kaz}), db)
    assert report.row_counts == {"core.trade_flows": 8}


# --- fetching ------------------------------------------------------------------------------------------------------


def test_remote_files_name_the_api_query_and_refuse_its_sdmx_csv(http_server, tmp_path):
    remotes = EurostatComext().remote_files()
    assert [r.name for r in remotes] == list(QUERIES)
    kaz = remotes[0]
    assert kaz.url.startswith("https://ec.europa.eu/eurostat/api/comext/dissemination/sdmx/2.1/data/DS-045409/M.")
    assert ".KZ.TOTAL.2.VALUE_IN_EUROS" in kaz.url and kaz.mirror_subdir == "eurostat"
    sdmx = b"DATAFLOW,LAST UPDATE,freq,reporter,partner,product,flow,indicators,TIME_PERIOD,OBS_VALUE\n"
    served = replace(kaz, url=http_server.add("/ds045409.csv", sdmx), params={})
    with pytest.raises(FetchError, match="does not look like the expected file"):
        fetch(served, cache_dir=tmp_path / "cache")


def test_mirror_without_files_and_with_a_directory(tmp_path, db):
    with pytest.raises(FetchError, match="no comext_"):
        _fetch(tmp_path, {})
    (tmp_path / "mirror" / "eurostat" / "comext_folder.csv").mkdir()
    with pytest.raises(InputError) as exc:
        _fetch(tmp_path, _fixtures(KAZ))
    problem = exc.value.problems[0]
    assert problem.file.endswith("comext_folder.csv") and problem.found == "a directory"


# --- bad input: located errors, warehouse unchanged ----------------------------------------------------------------

GOOD_ROWS = _row(b"202407-Jul. 2024", b"100") + _row(b"202408-Aug. 2024", b"200")
HTML = b"<!DOCTYPE html>\r\n<html><head><title>Easy Comext</title></head><body>Session expired</body></html>\r\n"
EU27_UK = b'"European Union - 27 countries (AT, BE, GB)","Kazakhstan","Total","EXPORT","Total","Aug. 2024",5\r\n'


@pytest.mark.parametrize(
    ("content", "line", "column", "expected"),
    [
        (HEADER.replace(b"VALUE_IN_EUR", b"VALUE_IN_USD") + GOOD_ROWS, 1, "VALUE_IN_EUR", "the header REPORTER"),
        (HEADER.replace(b",", b";") + GOOD_ROWS.replace(b'",', b'";'), 1, "(header)", "separated by ';'"),
        (HEADER + GOOD_ROWS.replace(b'","', b'";"').replace(b'",', b'";'), 2, "(delimiter)", "semicolon"),
        (HEADER + GOOD_ROWS + _row(b"202406-Jun. 2024", b"12a"), 4, "VALUE_IN_EUR", "a number"),
        (HEADER + GOOD_ROWS + _row(b"202406-Jun. 2024", b""), 4, "VALUE_IN_EUR", "the cell is empty"),
        (HEADER + _row(b"202406-Jun. 2024", b"-5") + GOOD_ROWS, 2, "VALUE_IN_EUR", ">= 0"),
        (HEADER + GOOD_ROWS + _row(b"202406-Jun. 2024", b"NaN"), 4, "VALUE_IN_EUR", "a finite number"),
        (HEADER + GOOD_ROWS + _row(b"202406-Jun. 2024", b"inf"), 4, "VALUE_IN_EUR", "a finite number"),
        (HEADER + GOOD_ROWS + _row(b"202406-Jun. 2024", b"20000000000000"), 4, "VALUE_IN_EUR", "up to 1e+13"),
        (HEADER + GOOD_ROWS.replace(b"Germany", b"Atlantis", 1), 2, "REPORTER", "a country name silkscope knows"),
        (HEADER + GOOD_ROWS + EU27_UK, 4, "REPORTER", "its 27 members"),
        (HEADER + GOOD_ROWS.replace(b'"Kazakhstan"', b'"China"', 1), 2, "PARTNER", "a Central Asian state"),
        (HEADER + GOOD_ROWS.replace(b"2-EXPORT", b"3-RE-EXPORT", 1), 2, "FLOW", "a flow"),
        (HEADER + GOOD_ROWS + _row(b"2024Q3", b"5"), 4, "PERIOD", "a month"),
        (HEADER + GOOD_ROWS + _row(b"Jan.-Jun. 2024", b"5"), 4, "PERIOD", "a whole year"),
        (HEADER + GOOD_ROWS + _row(b"202409-Aug. 2024", b"5"), 4, "PERIOD", "code and label that agree"),
        (HEADER + GOOD_ROWS.replace(b"TOTAL-Total", b"27-Mineral fuels", 1), 2, "PRODUCT", "total goods"),
        (HEADER + GOOD_ROWS.replace(b"T-Total", b"1-Normal", 1), 2, "STAT_PROCEDURE", "statistical procedures"),
        (HEADER + GOOD_ROWS + _row(b"202407-Jul. 2024", b"100"), 4, "(row)", "the row on line 2 again"),
        (HEADER + GOOD_ROWS.replace(b"Germany", "Gérmany".encode("latin-1"), 1), 2, "REPORTER", "UTF-8"),
        (HEADER + GOOD_ROWS + ROW + b'"202406-Jun. 2024",5,6\r\n', 4, "(row)", "7 comma-separated fields"),
        (b"", 1, "(file)", "the header REPORTER"),
        (HEADER, 2, "(file)", "at least one data row"),
        (HEADER + b"\r\n\r\n", 2, "(file)", "at least one data row"),
        (HTML, 1, "(file)", "a Comext web-tool CSV export"),
    ],
    ids=[
        "wrong-header",
        "semicolon-file",
        "semicolon-rows",
        "non-numeric",
        "empty-value",
        "negative",
        "nan",
        "inf",
        "absurd",
        "unknown-reporter",
        "eu27-wrong-members",
        "partner-not-c5",
        "unknown-flow",
        "unknown-period",
        "cumulative-period",
        "period-code-label-disagree",
        "product-breakdown",
        "single-procedure",
        "duplicate-row",
        "latin-1",
        "ragged-row",
        "empty-file",
        "header-only",
        "header-and-blank-lines",
        "html-page",
    ],
)
def test_bad_files_are_located_and_change_nothing(tmp_path, db, content, line, column, expected):
    _load_rates(db, {2024: 0.92})  # a failed load must not touch rows already there either
    before = checksum(db)
    files = _fetch(tmp_path, {**_fixtures(KGZ), "comext_bad.csv": content})
    with pytest.raises(InputError) as exc:
        ingest("eurostat_comext", files, db)
    problem = exc.value.problems[0]
    assert problem.file.endswith("comext_bad.csv"), problem
    assert (problem.line, problem.column) == (line, column), problem
    assert expected in problem.expected, problem
    assert checksum(db) == before


def test_overlapping_files_that_disagree_are_refused(tmp_path, db):
    before = checksum(db)
    other = HEADER + _row(b"202408-Aug. 2024", b"300871226")
    files = _fetch(tmp_path, {KAZ: (FIXTURES / KAZ).read_bytes(), "comext_revised.csv": other})
    with pytest.raises(InputError) as exc:
        ingest("eurostat_comext", files, db)
    problem = exc.value.problems[0]
    assert problem.column == "VALUE_IN_EUR" and problem.line in (2, 11)
    assert "the value of the overlapping file" in problem.expected and KAZ in problem.expected + problem.file
    assert checksum(db) == before


def test_a_bad_file_after_a_good_load_keeps_the_good_rows(tmp_path, db):
    ingest("eurostat_comext", _fetch(tmp_path, _fixtures(KAZ)), db)
    before = checksum(db)
    with pytest.raises(InputError):
        ingest("eurostat_comext", _fetch(tmp_path / "second", {**_fixtures(KAZ), "comext_bad.csv": HTML}), db)
    assert checksum(db) == before


# --- the real extracts ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_extracts_match_the_published_checks(tmp_path, db):
    if not (SHARED_DATA / "eurostat").is_dir():
        pytest.skip(f"{SHARED_DATA / 'eurostat'} is not present")
    files = EurostatComext().fetch_files(mirror=SHARED_DATA, cache_dir=tmp_path / "cache")
    assert len(files) == 5
    report = ingest("eurostat_comext", files, db)
    # 7,884 rows published; in each of the 4 monthly files, 68 months x 3 aggregates other than EU27_2020 left out
    assert report.row_counts == {"core.trade_flows": 7884 - 4 * 68 * 3}

    def eu27(country: str, year: int, month: int | None, direction: str = "partner_to_country") -> float:
        rows = query(
            db,
            "SELECT value_published FROM core.trade_flows WHERE partner_iso3 = 'EUU' AND reporter_iso3 = 'EUU' "
            "AND country_iso3 = ? AND year = ? AND month IS NOT DISTINCT FROM ? AND direction = ?",
            [country, year, month, direction],
        )
        assert len(rows) == 1
        return rows[0][0]

    assert eu27("KAZ", 2024, 8) == 921_956_331
    assert eu27("KGZ", 2024, 8) == 235_471_584
    assert eu27("UZB", 2024, 8) == 361_481_479
    assert eu27("KGZ", 2024, 2, "country_to_partner") == 8_068_675
    assert eu27("KAZ", 2023, None) == 12_110_101_395
    assert eu27("TJK", 2023, None) == 325_601_931
    ours = "FROM core.trade_flows WHERE source_id LIKE 'eurostat_comext_%'"
    # the French-labelled 2016 file: all five partners resolved
    assert query(db, f"SELECT count(*) {ours} AND year = 2016 AND month IS NULL")[0][0] == 5
    # the 27 members and the UK (a reporter until January 2020), besides EUU
    assert query(db, f"SELECT count(DISTINCT partner_iso3) {ours} AND partner_iso3 <> 'EUU'")[0][0] == 28
    assert query(db, f"SELECT max(year * 100 + month) {ours} AND partner_iso3 = 'GBR'")[0][0] == 202001
