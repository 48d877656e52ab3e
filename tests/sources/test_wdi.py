"""World Bank WDI: bulk CSV (bare and zipped), the paged v2 JSON API, harmonisation, editions and bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchError, cached, fetch
from silkscope.ingest import ingest
from silkscope.sources.wdi import WdiBulk
from silkscope.sources.wdi_api import WdiApi, WdiApiError
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wdi"
GDP = "NY.GDP.MKTP.CD"
GDP_FILE = f"API_{GDP}_DS2_en_csv_v2.csv"
DAC_FILE = "API_DC.DAC.JPNL.CD_DS2_en_csv_v2.csv"
GDP_CSV = (FIXTURES / GDP_FILE).read_bytes()
DAC_CSV = (FIXTURES / DAC_FILE).read_bytes()
PAGE1 = (FIXTURES / "api_NY.GDP.MKTP.CD_page1.json").read_bytes()
PAGE2 = (FIXTURES / "api_NY.GDP.MKTP.CD_page2.json").read_bytes()
API_ERROR = (FIXTURES / "api_error_120.json").read_bytes()
API_PATH = "/v2/country/KAZ;UZB/indicator/NY.GDP.MKTP.CD"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


def mirrored(tmp_path: Path, remotes, contents: dict[str, bytes]):
    """Put `contents` in a mirror folder laid out like ../shared/data and fetch the matching remote files."""
    folder = tmp_path / "mirror" / "wdi"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return [fetch(r, mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache") for r in remotes if r.name in contents]


def bulk_files(tmp_path: Path, contents: dict[str, bytes]):
    return mirrored(tmp_path, WdiBulk([GDP, "DC.DAC.JPNL.CD"]).remote_files(), contents)


def zipped(csv: bytes, member: str = f"API_{GDP}_DS2_en_csv_v2_10181.csv") -> bytes:
    """The archive the World Bank serves: the data CSV plus two Metadata files."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"Metadata_Indicator_API_{GDP}_DS2_en_csv_v2_10181.csv", '"INDICATOR_CODE","INDICATOR_NAME"\n')
        archive.writestr(member, csv)
        archive.writestr(f"Metadata_Country_API_{GDP}_DS2_en_csv_v2_10181.csv", '"Country Code","Region"\n')
    return buf.getvalue()


def gdp(db: Path) -> dict[tuple[str, int], float]:
    rows = query(db, "SELECT country_iso3, year, value FROM core.indicators WHERE indicator_code = ?", [GDP])
    return {(c, y): v for c, y, v in rows}


# ------------------------------------------------------------------------------------------------------------ bulk


def test_bulk_csv_unpivots_countries_and_skips_aggregates(tmp_path, db):
    report = ingest("wdi", bulk_files(tmp_path, {GDP_FILE: GDP_CSV}), db)
    assert report.changed and report.edition == "2017-06-01"
    values = gdp(db)
    assert values[("UZB", 2015)] == pytest.approx(66732736498.1951)
    assert values[("KAZ", 1990)] == pytest.approx(26932728898.8146)
    # aggregates and the Channel Islands stay in raw only; the EU stays as the EU partner
    assert {c for c, _ in values} == {"CIV", "EUU", "JPN", "KAZ", "KGZ", "UZB"}
    raw_codes = {r[0] for r in query(db, "SELECT country_code FROM raw.wdi_ny_gdp_mktp_cd")}
    assert {"WLD", "ECS", "LMC", "CHI"} <= raw_codes
    row = query(
        db,
        "SELECT unit, definition, partner_iso3, record, source_ids, citation_status, note FROM core.indicators "
        "WHERE country_iso3 = 'UZB' AND year = 2015",
    )[0]
    assert row[0] == "USD current" and "current US dollars" in row[1] and row[2] is None
    assert row[3] == "raw.wdi_ny_gdp_mktp_cd:15" and row[4] == report.source_ids and row[5] == "cited"
    assert query(db, "SELECT note FROM core.indicators WHERE country_iso3 = 'EUU' LIMIT 1")[0][0].startswith("WDI")
    assert query(db, "SELECT version FROM core.sources WHERE loaded_by = 'wdi'") == [("2017-06-01",)]


def test_dac_series_are_net_oda_disbursements_in_finance_flows(tmp_path, db):
    report = ingest("wdi", bulk_files(tmp_path, {DAC_FILE: DAC_CSV}), db)
    assert report.row_counts == {"core.indicators": 0, "core.finance_flows": 5}
    rows = query(
        db,
        "SELECT donor_iso3, country_iso3, year, amount_usd, flow_class, measure, price_basis, currency, record "
        "FROM core.finance_flows WHERE source_id = ? ORDER BY country_iso3, year",
        report.source_ids,
    )
    flow = ("oda_total", "disbursement_net", "current", "USD")
    assert [r[:4] for r in rows] == [
        ("JPN", "KAZ", 2014, 11130000.0),
        ("JPN", "KAZ", 2015, 25160000.0),
        ("JPN", "TJK", 2015, 7730000.0),
        ("JPN", "UZB", 2014, -3010000.0),  # negative = net repayments
        ("JPN", "UZB", 2015, 90320000.0),
    ]
    assert {r[4:8] for r in rows} == {flow} and rows[0][8].startswith("raw.wdi_dc_dac_jpnl_cd:")
    assert query(db, "SELECT count(*) FROM core.indicators WHERE indicator_code LIKE 'DC.DAC.%'") == [(0,)]


def test_eu_institutions_series_credits_the_eu_and_total_is_country_level(tmp_path, db):
    cec = DAC_CSV.replace(b"DC.DAC.JPNL.CD", b"DC.DAC.CECL.CD").replace(b"Japan", b"European Union institutions")
    connector = WdiBulk(["DC.DAC.CECL.CD", "DC.DAC.TOTL.CD"])
    total = DAC_CSV.replace(b"DC.DAC.JPNL.CD", b"DC.DAC.TOTL.CD").replace(b"Japan", b"Total")
    names = {"API_DC.DAC.CECL.CD_DS2_en_csv_v2.csv": cec, "API_DC.DAC.TOTL.CD_DS2_en_csv_v2.csv": total}
    ingest("wdi", mirrored(tmp_path, connector.remote_files(), names), db)
    assert query(db, "SELECT DISTINCT donor_iso3 FROM core.finance_flows WHERE source_id LIKE 'wdi_%'") == [("EUU",)]
    # all DAC donors together is never credited to one partner: a country-level indicator with its own definition
    rows = query(
        db,
        "SELECT DISTINCT partner_iso3, unit, definition FROM core.indicators WHERE indicator_code = 'DC.DAC.TOTL.CD'",
    )
    assert len(rows) == 1 and rows[0][:2] == (None, "USD current") and "all DAC member countries" in rows[0][2]
    before = checksum(db)
    unknown = DAC_CSV.replace(b"DC.DAC.JPNL.CD", b"DC.DAC.XYZL.CD")
    connector = WdiBulk(["DC.DAC.XYZL.CD"])
    files = mirrored(tmp_path / "x", connector.remote_files(), {"API_DC.DAC.XYZL.CD_DS2_en_csv_v2.csv": unknown})
    with pytest.raises(InputError, match="not a country silkscope knows") as info:
        ingest("wdi", files, db)
    assert info.value.problems[0].line == 6 and info.value.problems[0].column == "Indicator Code"
    assert checksum(db) == before


def test_zip_and_bare_csv_give_the_same_rows(tmp_path, db):
    ingest("wdi", bulk_files(tmp_path / "a", {GDP_FILE: GDP_CSV}), db)
    bare = gdp(db)
    report = ingest("wdi", bulk_files(tmp_path / "b", {GDP_FILE: zipped(GDP_CSV)}), db)
    assert report.changed and gdp(db) == bare
    files = query(db, "SELECT data_file FROM raw.wdi_bulk_files")
    assert files[0][0].endswith(f"!API_{GDP}_DS2_en_csv_v2_10181.csv")


def test_download_zip_from_the_publisher(http_server, tmp_path, db):
    http_server.add(f"/v2/en/indicator/{GDP}", zipped(GDP_CSV), content_type="application/zip")
    connector = WdiBulk([GDP], url=http_server.base_url + "/v2/en/indicator/{code}")
    (remote,) = connector.remote_files()
    got = fetch(remote, cache_dir=tmp_path / "cache")
    assert got.origin == "download" and got.path.name == GDP_FILE
    assert http_server.requests == [f"/v2/en/indicator/{GDP}?downloadformat=csv"]
    assert ingest("wdi", [got], db).row_counts["core.indicators"] == 13


def test_download_failures_are_clear_and_cache_nothing(http_server, tmp_path):
    http_server.add(f"/v2/en/indicator/{GDP}", b"<!DOCTYPE html><html>The page is temporarily unavailable</html>")
    (remote,) = WdiBulk([GDP], url=http_server.base_url + "/v2/en/indicator/{code}").remote_files()
    with pytest.raises(FetchError, match="does not look like the expected file"):
        fetch(remote, cache_dir=tmp_path / "cache")
    assert cached(remote, tmp_path / "cache") is None
    (missing,) = WdiBulk(["XX.NOPE"], url=http_server.base_url + "/nothing/{code}").remote_files()
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(missing, cache_dir=tmp_path / "cache")


def test_reingest_is_a_no_op(tmp_path, db):
    files = bulk_files(tmp_path, {GDP_FILE: GDP_CSV, DAC_FILE: DAC_CSV})
    first = ingest("wdi", files, db)
    before = checksum(db)
    again = ingest("wdi", files, db)
    assert not again.changed and again.source_ids == first.source_ids
    assert again.row_counts == first.row_counts and checksum(db) == before


def test_newer_edition_replaces_the_older(tmp_path, db):
    old = ingest("wdi", bulk_files(tmp_path, {GDP_FILE: GDP_CSV}), db)
    newer = GDP_CSV.replace(b"2017-06-01", b"2018-04-01").replace(b'"66732736498.1951"', b'"81847410181.3"')
    new = ingest("wdi", bulk_files(tmp_path, {GDP_FILE: newer}), db)
    assert new.changed and new.edition == "2018-04-01"
    sources = query(
        db, "SELECT source_id, version, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = 'wdi'"
    )
    assert sorted(sources) == sorted(
        [(old.source_ids[0], "2017-06-01", True), (new.source_ids[0], "2018-04-01", False)]
    )
    assert gdp(db)[("UZB", 2015)] == pytest.approx(81847410181.3)
    assert query(db, "SELECT DISTINCT source_id FROM core.indicators WHERE indicator_code = ?", [GDP]) == [
        (new.source_ids[0],)
    ]


def _line_of(data: bytes, marker: bytes) -> int:
    return data.split(b"\n").index(next(line for line in data.split(b"\n") if marker in line)) + 1


KAZ_LINE = _line_of(GDP_CSV, b'"KAZ"')
CIV_LINE = _line_of(GDP_CSV, b'"CIV"')


def _latin1(data: bytes) -> bytes:
    return data.decode("utf-8-sig").encode("cp1252")


BAD_BULK = {
    "wrong delimiter": (lambda b: b.replace(b'","', b'";"'), 1, "(delimiter)"),
    "renamed column": (lambda b: b.replace(b'"Country Code"', b'"Country ISO3"'), 5, "Country Code"),
    "wrong type": (lambda b: b.replace(b'"184388432148.715"', b'"n/a"'), KAZ_LINE, "2015"),
    "unknown country code": (lambda b: b.replace(b'"KAZ"', b'"KAX"'), KAZ_LINE, "Country Code"),
    "wrong encoding": (_latin1, CIV_LINE, "Country Name"),
    "other indicator inside": (lambda b: b.replace(b'"Japan","JPN","GDP (current US$)","NY.GDP.MKTP.CD"',
                                                   b'"Japan","JPN","GDP (current US$)","NY.GDP.MKTP.KD"'),
                               _line_of(GDP_CSV, b'"JPN"'), "Indicator Code"),
    "no edition": (lambda b: b.replace(b"2017-06-01", b"June 2017"), 3, "(preamble)"),
    "truncated zip": (lambda b: zipped(b)[: len(zipped(b)) // 2], 0, "(archive)"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_BULK))
def test_bad_bulk_input_is_located_and_changes_nothing(tmp_path, db, case):
    ingest("wdi", bulk_files(tmp_path / "good", {GDP_FILE: GDP_CSV}), db)
    before = checksum(db)
    mutate, line, column = BAD_BULK[case]
    files = bulk_files(tmp_path / "bad", {GDP_FILE: mutate(GDP_CSV)})
    with pytest.raises(InputError) as info:
        ingest("wdi", files, db)
    problem = info.value.problems[0]
    assert GDP_FILE in problem.file and (problem.line, problem.column) == (line, column), str(info.value)
    assert checksum(db) == before


# ------------------------------------------------------------------------------------------------------------- API


def api(http_server, per_page: int = 2) -> WdiApi:
    url = http_server.base_url + "/v2/country/{countries}/indicator/{code}"
    return WdiApi([GDP], countries=["KAZ", "UZB"], url=url, per_page=per_page)


def serve_pages(http_server, pages: dict[int, bytes]) -> None:
    for n, body in pages.items():
        http_server.add(f"{API_PATH}?format=json&per_page=2&page={n}", body, content_type="application/json")


def test_api_follows_pages_and_loads_them_with_duckdb(http_server, tmp_path, db):
    serve_pages(http_server, {1: PAGE1, 2: PAGE2})
    files = api(http_server).fetch_files(cache_dir=tmp_path / "cache")
    assert [f.remote.name for f in files] == ["wdi_api_NY.GDP.MKTP.CD_p1.json", "wdi_api_NY.GDP.MKTP.CD_p2.json"]
    assert http_server.requests == [f"{API_PATH}?format=json&per_page=2&page={n}" for n in (1, 2)]
    report = ingest("wdi_api", files, db)
    assert report.changed and report.edition == "2024-06-28" and len(report.source_ids) == 2
    rows = query(
        db,
        "SELECT country_iso3, year, value, unit, record FROM core.indicators WHERE source_id LIKE 'wdi_api_%' "
        "ORDER BY 1, 2",
    )
    assert rows == [
        ("KAZ", 2022, 225496328912.85, "USD current", "raw.wdi_api_observations:wdi_api_NY.GDP.MKTP.CD_p1.json:2"),
        ("KAZ", 2023, 261421184028.598, "USD current", "raw.wdi_api_observations:wdi_api_NY.GDP.MKTP.CD_p1.json:1"),
        ("UZB", 2023, 90889230769.2308, "USD current", "raw.wdi_api_observations:wdi_api_NY.GDP.MKTP.CD_p2.json:1"),
    ]
    assert query(db, "SELECT count(*) FROM raw.wdi_api_observations") == [(4,)]  # the null value stays in raw
    assert not ingest("wdi_api", files, db).changed


def test_api_error_answer_is_a_clear_error_and_is_not_cached(http_server, tmp_path):
    serve_pages(http_server, {1: API_ERROR})
    connector = api(http_server)
    with pytest.raises(WdiApiError, match=r"refused the request: \[120\] Invalid value") as info:
        connector.fetch_files(cache_dir=tmp_path / "cache")
    assert "nothing was cached" in str(info.value)
    assert cached(connector.page_file(GDP, 1), tmp_path / "cache") is None


def test_api_http_failure(http_server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404"):
        api(http_server).fetch_files(cache_dir=tmp_path / "cache")


def test_api_missing_page_is_refused(tmp_path, db):
    files = mirrored(tmp_path, WdiApi([GDP]).remote_files(), {"wdi_api_NY.GDP.MKTP.CD_p1.json": PAGE1})
    with pytest.raises(InputError, match=r"pages 1..2 of NY.GDP.MKTP.CD") as info:
        ingest("wdi_api", files, db)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (1, "page")


def test_api_page_without_its_total_is_refused_naming_that_page(tmp_path, db):
    """Found by the property test: page 2 without `total` was reported as page 1's paging error."""
    import json

    header, rows = json.loads(PAGE2)
    del header["total"]
    files = api_files(tmp_path, PAGE1, json.dumps([header, rows]).encode())
    before = checksum(db)
    with pytest.raises(InputError) as info:
        ingest("wdi_api", files, db)
    problem = info.value.problems[0]
    assert problem.file.endswith("wdi_api_NY.GDP.MKTP.CD_p2.json") and (problem.line, problem.column) == (1, "total")
    assert checksum(db) == before


def api_files(tmp_path: Path, page1: bytes, page2: bytes = PAGE2):
    connector = WdiApi([GDP])
    remotes = [connector.page_file(GDP, 1), connector.page_file(GDP, 2)]
    return mirrored(tmp_path, remotes, {r.name: body for r, body in zip(remotes, (page1, page2), strict=True)})


def test_api_dac_rows_go_to_finance_flows_like_the_bulk_files(tmp_path, db):
    code = "DC.DAC.JPNL.CD"
    pages = [
        body.replace(GDP.encode(), code.encode()).replace(
            b"GDP (current US$)", b"Net bilateral aid flows from DAC donors, Japan (current US$)"
        )
        for body in (PAGE1, PAGE2)
    ]
    connector = WdiApi([code])
    remotes = [connector.page_file(code, 1), connector.page_file(code, 2)]
    files = mirrored(tmp_path, remotes, {r.name: body for r, body in zip(remotes, pages, strict=True)})
    report = ingest("wdi_api", files, db)
    assert report.row_counts == {"core.indicators": 0, "core.finance_flows": 3}
    rows = query(
        db,
        "SELECT donor_iso3, country_iso3, year, flow_class, measure, price_basis, currency FROM core.finance_flows "
        "WHERE source_id LIKE 'wdi_api_%' ORDER BY 2, 3",
    )
    assert rows == [
        ("JPN", "KAZ", 2022, "oda_total", "disbursement_net", "current", "USD"),
        ("JPN", "KAZ", 2023, "oda_total", "disbursement_net", "current", "USD"),
        ("JPN", "UZB", 2023, "oda_total", "disbursement_net", "current", "USD"),
    ]


BAD_API = {
    "error answer": (lambda b: API_ERROR, 1, "message"),
    "value not a number": (lambda b: b.replace(b"225496328912.85", b'"225,496"'), 2, "value"),
    "unknown country code": (lambda b: b.replace(b'"countryiso3code":"KAZ"', b'"countryiso3code":"KZX"'), 1,
                             "countryiso3code"),
    "quarterly date": (lambda b: b.replace(b'"date":"2023"', b'"date":"2023Q4"'), 1, "date"),
    "truncated": (lambda b: b[:300], None, None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_API))
def test_bad_api_input_is_located_and_changes_nothing(tmp_path, db, case):
    ingest("wdi_api", api_files(tmp_path / "good", PAGE1), db)
    before = checksum(db)
    mutate, line, column = BAD_API[case]
    with pytest.raises(InputError) as info:
        ingest("wdi_api", api_files(tmp_path / "bad", mutate(PAGE1)), db)
    problem = info.value.problems[0]
    assert "wdi_api_NY.GDP.MKTP.CD_p1.json" in problem.file, str(info.value)
    if line is not None:
        assert (problem.line, problem.column) == (line, column), str(info.value)
    assert checksum(db) == before


# -------------------------------------------------------------------------------------------------------- real data


@pytest.mark.realdata
def test_real_wdi_extract_via_the_mirror(shared_dir, tmp_path, db):
    """The 2017-06-01 bulk files in ../shared/data/wdi; figures read from the published CSVs by hand."""
    connector = WdiBulk(["NY.GDP.MKTP.CD", "BX.KLT.DINV.CD.WD"])
    files = [fetch(r, mirror=shared_dir / "data", cache_dir=tmp_path / "cache") for r in connector.remote_files()]
    report = ingest("wdi", files, db)
    assert report.edition == "2017-06-01"
    assert query(db, "SELECT DISTINCT version FROM core.sources WHERE loaded_by = 'wdi'") == [("2017-06-01",)]

    def value(code: str, iso3: str, year: int) -> float:
        sql = "SELECT value FROM core.indicators WHERE indicator_code = ? AND country_iso3 = ? AND year = ?"
        return query(db, sql, [code, iso3, year])[0][0]

    # Uzbekistan, GDP (current US$), 2015 and 2008
    assert value("NY.GDP.MKTP.CD", "UZB", 2015) == pytest.approx(66732736498.1951, rel=1e-12)
    assert value("NY.GDP.MKTP.CD", "UZB", 2008) == pytest.approx(29549438883.8338, rel=1e-12)
    # Kazakhstan, FDI net inflows (BoP, current US$), 2008 and 2015
    assert value("BX.KLT.DINV.CD.WD", "KAZ", 2008) == pytest.approx(16818890680, rel=1e-12)
    assert value("BX.KLT.DINV.CD.WD", "KAZ", 2015) == pytest.approx(6584614529.67901, rel=1e-12)
    countries = query(db, "SELECT count(DISTINCT country_iso3) FROM core.indicators WHERE source_id LIKE 'wdi_%'")
    assert countries[0][0] > 200
    assert query(db, "SELECT count(*) FROM core.indicators WHERE country_iso3 IN ('WLD', 'EAS', 'LMC')") == [(0,)]
    assert query(db, "SELECT count(*) FROM raw.wdi_ny_gdp_mktp_cd WHERE country_code = 'WLD'") == [(1,)]
    assert not ingest("wdi", files, db).changed
