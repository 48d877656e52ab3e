"""UN Comtrade: request planning, downloads from a local server, ingest of API JSON and bulk files, mirror flows."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import duckdb
import httpx
import pytest

from silkscope.build import build
from silkscope.errors import InputError, SilkscopeError
from silkscope.fetch import FetchError, RemoteFile, cached, download, fetch, from_mirror
from silkscope.ingest import get_connector, ingest
from silkscope.sources import comtrade_codes as codes
from silkscope.sources.comtrade import ComtradeApi, ComtradeBulk
from silkscope.sources.comtrade_codes import Plan, api_requests
from warehouse_helpers import checksum as _checksum

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "comtrade"
KAZ, CHN, USA = "comtrade_S3_KAZ_2019.json", "comtrade_S3_CHN_2019.json", "comtrade_S3_USA_2019.json"
API_FILES = (KAZ, CHN, USA)
# Bulk fixtures are kept as readable TSV and gzip-compressed as Comtrade serves them when a test needs them.
KAZ_BULK, CHN_BULK = "COMTRADE-FINAL-CA3982019S3", "COMTRADE-FINAL-CA1562019S3"


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("comtrade") / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture
def db(tmp_path, _built) -> Path:
    """A freshly built warehouse per test (a copy of one build: building takes a second, copying a millisecond)."""
    path = tmp_path / "w.duckdb"
    shutil.copyfile(_built, path)
    return path


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _gz(name: str) -> bytes:
    return gzip.compress(_bytes(f"{name}.tsv"), mtime=0)


def _files(tmp_path: Path, contents: dict[str, bytes], mirror: str = "mirror"):
    """Put files in a mirror folder and take them from there, as an air-gapped analyst would."""
    folder = tmp_path / mirror / "comtrade"
    folder.mkdir(parents=True, exist_ok=True)
    fetched = []
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        remote = RemoteFile(f"https://comtradeapi.un.org/test/{name}", name, mirror_subdir="comtrade")
        fetched.append(from_mirror(remote, tmp_path / mirror, tmp_path / "cache"))
    return fetched


def _api(tmp_path: Path, **replace: bytes):
    return _files(tmp_path, {name: replace.get(name, _bytes(name)) for name in API_FILES})


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --- codes and request planning ---------------------------------------------------------------------------------


def test_registered_names_and_quirks():
    assert isinstance(get_connector("comtrade"), ComtradeApi)
    assert isinstance(get_connector("comtrade_bulk"), ComtradeBulk)
    resolved = {code: codes.iso3_for(code) for code in (842, 699, 757, 251, 579, 97, 0, 899, 490, 398, 156, 276)}
    assert resolved == {
        842: "USA",
        699: "IND",
        757: "CHE",
        251: "FRA",
        579: "NOR",
        97: "EUU",
        0: None,
        899: None,
        490: None,
        398: "KAZ",
        156: "CHN",
        276: "DEU",
    }
    assert [codes.code_for(c) for c in ("USA", "IND", "FRA", "EUU", "KAZ", "JPN")] == [842, 699, 251, 97, 398, 392]
    with pytest.raises(codes.UnknownCode):
        codes.iso3_for(999)


def test_code_tables_are_consistent():
    iso = {c.iso_numeric for c in codes.registry().countries.values() if c.iso_numeric is not None}
    assert not set(codes.QUIRKS) & iso  # a quirk never hides another country's ISO code
    assert set(codes.NON_COUNTRIES) & iso == {492}  # deliberate: Comtrade counts Monaco with France
    for family, lens in codes.LENS.items():
        assert set(lens) <= set(codes.PRODUCT_GROUPS[family])


def _rows(remote: RemoteFile) -> int:
    p = remote.params
    return len(p["partnerCode"].split(",")) * len(p["period"].split(",")) * 2 * len(p["cmdCode"].split(","))


def test_requests_stay_below_the_preview_limit_and_cover_both_reporters():
    plan = Plan(years=tuple(range(1995, 2024)))
    remotes = api_requests(plan)
    assert all(_rows(r) < codes.PREVIEW_LIMIT for r in remotes)
    assert len({r.name for r in remotes}) == len(remotes)
    c5 = "398,417,762,795,860"
    partners = "392,156,410,643,842,792,699,97"
    by_reporter: dict[str, set[int]] = {}
    for r in remotes:
        expected = partners if r.params["reporterCode"] in c5.split(",") else c5
        assert r.params["partnerCode"] == expected
        assert r.params["flowCode"] == "M,X" and r.params["cmdCode"] == "TOTAL,3,65,68,7"
        assert r.url == "https://comtradeapi.un.org/public/v1/preview/C/A/S3"
        by_reporter.setdefault(r.params["reporterCode"], set()).update(map(int, r.params["period"].split(",")))
    assert set(by_reporter) == set(c5.split(",")) | set(partners.split(","))  # both directions of every dyad
    assert all(years == set(range(1995, 2024)) for years in by_reporter.values())
    kaz = [r.name for r in remotes if r.params["reporterCode"] == "398"]
    assert kaz[0] == "comtrade_S3_KAZ_1995-2000.json" and len(kaz) == 5  # 80 rows a year: 6 years a request


def test_eu_members_and_many_codes_split_by_partner():
    plan = Plan(years=(2019, 2020), eu="members", cmd_codes=tuple(codes.PRODUCT_GROUPS["SITC"]))
    remotes = api_requests(plan)
    assert all(_rows(r) < codes.PREVIEW_LIMIT for r in remotes)
    kaz = [r for r in remotes if r.params["reporterCode"] == "398"]
    assert [r.name for r in kaz] == [
        "comtrade_S3_KAZ_2019_p1.json",
        "comtrade_S3_KAZ_2020_p1.json",
        "comtrade_S3_KAZ_2019_p2.json",
        "comtrade_S3_KAZ_2020_p2.json",
    ]
    kaz_partners = {p for r in kaz for p in r.params["partnerCode"].split(",")}
    assert {"251", "276", "56"} <= kaz_partners and "97" not in kaz_partners  # France is 251 in Comtrade
    assert any(r.params["reporterCode"] == "251" and r.params["partnerCode"] == "398,417,762,795,860" for r in remotes)


def test_plan_from_environment(monkeypatch):
    monkeypatch.setenv("SILKSCOPE_COMTRADE_YEARS", "2019-2020,2022")
    monkeypatch.setenv("SILKSCOPE_COMTRADE_EU", "both")
    monkeypatch.setenv("SILKSCOPE_COMTRADE_CL", "S4")
    plan = Plan.from_env()
    assert (plan.years, plan.eu, plan.classification) == ((2019, 2020, 2022), "both", "S4")
    assert plan.partners[-28:-27] == ("EUU",) and len(plan.partners) == 7 + 1 + 27
    assert all(r.url.endswith("/C/A/S4") for r in ComtradeApi().remote_files())
    monkeypatch.setenv("SILKSCOPE_COMTRADE_YEARS", "last decade")
    with pytest.raises(SilkscopeError, match="expected years like"):
        Plan.from_env()
    with pytest.raises(SilkscopeError, match="expected one of"):
        Plan(classification="XX")


# --- downloads against a local server ---------------------------------------------------------------------------


def _route(remote: RemoteFile) -> str:
    """The request target httpx sends for this remote, so each reporter's request gets its own answer."""
    return httpx.URL(remote.url, params=remote.params).raw_path.decode()


def test_download_from_the_api_and_ingest(http_server, tmp_path, db):
    api = ComtradeApi(Plan(years=(2019,)), base_url=http_server.base_url + "/public/v1/preview")
    remotes = {r.params["reporterCode"]: r for r in api.remote_files()}
    http_server.add(_route(remotes["398"]), _bytes(KAZ), content_type="application/json")
    http_server.add(_route(remotes["156"]), _bytes(CHN), content_type="application/json")
    files = [fetch(remotes[code], cache_dir=tmp_path / "cache") for code in ("398", "156")]
    assert [f.path.read_bytes() for f in files] == [_bytes(KAZ), _bytes(CHN)]
    assert [f.remote.name for f in files] == ["comtrade_S3_KAZ_2019.json", "comtrade_S3_CHN_2019.json"]
    sent = http_server.requests[0]
    assert sent.startswith("/public/v1/preview/C/A/S3?reporterCode=398&partnerCode=392%2C156%2C410")
    assert "period=2019&flowCode=M%2CX&cmdCode=TOTAL%2C3%2C65%2C68%2C7" in sent
    report = ingest("comtrade", files, db)
    assert report.changed and report.row_counts["core.trade_flows"] == 16


def test_download_server_error_is_clear_and_leaves_nothing(http_server, tmp_path):
    (remote,) = [
        r for r in api_requests(Plan(years=(2019,)), http_server.base_url) if r.params["reporterCode"] == "398"
    ]
    http_server.add(_route(remote), b"", fail_first=99)
    with pytest.raises(FetchError, match=r"HTTP 500 .*nothing was cached"):
        download(remote, tmp_path, retries=1, backoff=0.01)
    assert cached(remote, tmp_path) is None


def test_download_error_body_is_refused(http_server, tmp_path):
    (remote,) = [
        r for r in api_requests(Plan(years=(2019,)), http_server.base_url) if r.params["reporterCode"] == "398"
    ]
    http_server.add(_route(remote), b'{"error": "Invalid parameter: reporterCode 398x"}')
    with pytest.raises(FetchError, match=r"does not look like the expected file.*Invalid parameter: reporterCode"):
        download(remote, tmp_path)
    assert cached(remote, tmp_path) is None


def test_error_in_a_complete_response_stops_the_ingest(http_server, tmp_path, db):
    (remote,) = [
        r for r in api_requests(Plan(years=(2019,)), http_server.base_url) if r.params["reporterCode"] == "398"
    ]
    body = b'{"elapsedTime":"0.01 secs","count":0,"data":[],"error":"Too many requests, retry in 60 seconds"}'
    http_server.add(_route(remote), body)
    fetched = download(remote, tmp_path / "cache")
    before = _checksum(db)
    with pytest.raises(InputError) as err:
        ingest("comtrade", [fetched], db)
    assert f"{fetched.path}:1: column 'error'" in str(err.value) and "Too many requests" in str(err.value)
    assert _checksum(db) == before


# --- API ingest -------------------------------------------------------------------------------------------------


def test_ingest_is_idempotent(tmp_path, db):
    files = _api(tmp_path)
    first = ingest("comtrade", files, db)
    assert first.changed and first.row_counts["core.trade_flows"] == 18
    before = _checksum(db)
    again = ingest("comtrade", files, db)
    assert not again.changed and again.source_ids == first.source_ids
    assert _checksum(db) == before
    assert _query(db, "SELECT count(*) FROM raw.comtrade_preview") == [(20,)]  # World and 'Areas, nes' stay raw


def test_newer_edition_replaces_older(tmp_path, db):
    old = _api(tmp_path)
    ingest("comtrade", old, db)
    revised = _bytes(KAZ).replace(b'"primaryValue":5970000000.5', b'"primaryValue":6012000000.0', 1)
    revised = revised.replace(b'"cifvalue":5970000000.5', b'"cifvalue":6012000000.0', 1)
    new = _files(tmp_path, {KAZ: revised, CHN: _bytes(CHN), USA: _bytes(USA)}, mirror="mirror2")
    report = ingest("comtrade", new, db)
    assert report.changed
    old_kaz = next(f for f in old if f.remote.name == KAZ)
    old_id = f"comtrade_{old_kaz.sha256[:12]}"
    sources = dict(
        _query(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = 'comtrade'")
    )
    assert len(sources) == 4 and sources[old_id] and sum(sources.values()) == 1  # both editions' provenance stays
    assert _query(db, "SELECT count(*) FROM core.trade_flows WHERE source_id = ?", [old_id]) == [(0,)]
    value = _query(
        db,
        """SELECT value_usd FROM core.trade_flows WHERE source_id LIKE 'comtrade_%' AND reporter_iso3 = 'KAZ'
           AND partner_iso3 = 'CHN' AND direction = 'partner_to_country' AND product_code = 'TOTAL'""",
    )
    assert value == [(6012000000.0,)]
    assert _query(db, "SELECT count(*) FROM core.trade_flows WHERE source_id LIKE 'comtrade_%'") == [(18,)]


def test_both_mirror_flows_land_and_their_gap_is_one_query(tmp_path, db):
    ingest("comtrade", _api(tmp_path), db)
    gap = _query(
        db,
        """SELECT c.partner_iso3, c.country_iso3, c.year, c.direction, c.product_code,
                  c.value_usd AS reported_by_country, p.value_usd AS reported_by_partner,
                  p.value_usd - c.value_usd AS gap_usd
           FROM core.trade_flows c
           JOIN core.trade_flows p USING (partner_iso3, country_iso3, year, direction, classification, product_code)
           WHERE c.reporter_iso3 = c.country_iso3 AND p.reporter_iso3 = p.partner_iso3
             AND c.source_id LIKE 'comtrade_%' AND p.source_id LIKE 'comtrade_%'
           ORDER BY ALL""",
    )
    assert gap == [
        ("CHN", "KAZ", 2019, "country_to_partner", "TOTAL", 7815432100.0, 9300000000.0, 1484567900.0),
        ("CHN", "KAZ", 2019, "partner_to_country", "65", 301234567.0, 1450000000.0, 1148765433.0),
        ("CHN", "KAZ", 2019, "partner_to_country", "7", 2512345678.0, 6100000000.0, 3587654322.0),
        ("CHN", "KAZ", 2019, "partner_to_country", "TOTAL", 5970000000.5, 12739000000.0, 6768999999.5),
        ("USA", "KAZ", 2019, "partner_to_country", "TOTAL", 1012345678.0, 1100000000.0, 87654322.0),
    ]
    definitions = _query(
        db,
        """SELECT reporter_iso3, definition FROM core.trade_flows WHERE source_id LIKE 'comtrade_%'
           AND partner_iso3 = 'CHN' AND country_iso3 = 'KAZ' AND direction = 'partner_to_country'
           AND product_code = 'TOTAL' ORDER BY 1""",
    )
    assert definitions == [
        (
            "CHN",
            "UN Comtrade annual goods trade as reported by CHN: exports to KAZ; primaryValue, FOB, current US$; "
            "SITC Rev.3",
        ),
        (
            "KAZ",
            "UN Comtrade annual goods trade as reported by KAZ: imports from CHN; primaryValue, CIF, current US$; "
            "SITC Rev.3",
        ),
    ]


def test_sitc_lens_rows_land_with_labels(tmp_path, db):
    ingest("comtrade", _api(tmp_path), db)
    rows = _query(
        db,
        """SELECT product_code, product_label, classification, value_usd FROM core.trade_flows
           WHERE source_id LIKE 'comtrade_%' AND reporter_iso3 = 'KAZ' AND partner_iso3 = 'CHN'
             AND direction = 'partner_to_country' ORDER BY product_code""",
    )
    assert rows == [
        ("3", "Mineral fuels, lubricants and related materials", "SITC Rev.3", 98765432.0),
        ("65", "Textile yarn, fabrics, made-up articles, n.e.s., and related products", "SITC Rev.3", 301234567.0),
        ("68", "Non-ferrous metals", "SITC Rev.3", 45678901.0),
        ("7", "Machinery and transport equipment", "SITC Rev.3", 2512345678.0),
        ("TOTAL", "All commodities", "SITC Rev.3", 5970000000.5),
    ]
    partners = _query(db, "SELECT DISTINCT partner_iso3 FROM core.trade_flows WHERE source_id LIKE 'comtrade_%'")
    assert {p for (p,) in partners} == {"CHN", "USA", "IND", "EUU"}  # 842/699/97 quirks; World and nes dropped


def test_empty_response_is_fine(tmp_path, db):
    empty = b'{"elapsedTime":"0.02 secs","count":0,"data":[],"error":""}'
    report = ingest("comtrade", _files(tmp_path, {"comtrade_S3_TKM_2019.json": empty, KAZ: _bytes(KAZ)}), db)
    assert report.changed and report.row_counts["core.trade_flows"] == 11


def _many(n: int) -> bytes:
    doc = json.loads(_bytes(KAZ))
    doc["data"] = [dict(doc["data"][0], refYear=1900 + i) for i in range(n)]
    doc["count"] = n
    return json.dumps(doc).encode()


BAD_JSON = {
    "renamed field": (lambda b: b.replace(b'"primaryValue":', b'"primaryValueUSD":'), 1, "primaryvalue"),
    "wrong type": (lambda b: b.replace(b'"primaryValue":98765432.0', b'"primaryValue":"n/a"'), 5, "primaryvalue"),
    "unknown partner": (lambda b: b.replace(b'"partnerCode":899', b'"partnerCode":999'), 13, "partnercode"),
    "unknown reporter": (lambda b: b.replace(b'"reporterCode":398', b'"reporterCode":398000', 1), 1, "reportercode"),
    "negative value": (
        lambda b: b.replace(b'"primaryValue":45678901.0', b'"primaryValue":-45678901.0'),
        4,
        "primaryvalue",
    ),
    "monthly data": (lambda b: b.replace(b'"freqCode":"A"', b'"freqCode":"M"', 1), 1, "freqcode"),
    "unknown classification": (
        lambda b: b.replace(b'"classificationCode":"S3"', b'"classificationCode":"B5"'),
        1,
        "classificationcode",
    ),
    "wrong encoding": (
        lambda b: b.replace(b'"reporterDesc":"Kazakhstan"', b'"reporterDesc":"Kazakhstan \xe9"', 1),
        2,
        "(file)",
    ),
    "truncated": (lambda b: b[: len(b) // 2], lambda bad: bad.count(b"\n") + 1, "(file)"),
    "error field": (lambda b: b.replace(b'"error":""', b'"error":"Request rejected: invalid cmdCode"'), 1, "error"),
    "count mismatch": (lambda b: b.replace(b'"count":13', b'"count":14'), 1, "count"),
    "preview limit reached": (lambda b: _many(500), 1, "data"),
    "not the API's shape": (lambda b: b"[1, 2, 3]", 1, "data"),
}


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_bad_api_response_is_located_and_changes_nothing(case, tmp_path, db):
    ingest("comtrade", _api(tmp_path), db)
    before = _checksum(db)
    mutate, line, column = BAD_JSON[case]
    data = mutate(_bytes(KAZ))
    line = line(data) if callable(line) else line
    bad = _files(tmp_path, {KAZ: data, CHN: _bytes(CHN)}, mirror="bad")
    with pytest.raises(InputError) as err:
        ingest("comtrade", bad, db)
    kaz = next(f for f in bad if f.remote.name == KAZ)
    assert f"{kaz.path}:{line}: column {column!r}" in str(err.value)
    assert _checksum(db) == before


def test_the_same_rows_twice_are_refused(tmp_path, db):
    twin = _bytes(KAZ).replace(b'"elapsedTime":"0.08 secs"', b'"elapsedTime":"0.11 secs"')
    files = _files(tmp_path, {KAZ: _bytes(KAZ), "comtrade_S3_KAZ_2019_again.json": twin})
    before = _checksum(db)
    with pytest.raises(InputError, match="appears again"):
        ingest("comtrade", files, db)
    assert _checksum(db) == before


# --- bulk files -------------------------------------------------------------------------------------------------


def test_bulk_files_from_a_mirror(tmp_path, db):
    remotes = {r.name: r for r in ComtradeBulk(Plan(years=(2019,))).remote_files()}
    assert {"COMTRADE-FINAL-CA3982019S3.gz", "COMTRADE-FINAL-CA8422019S3.gz", "COMTRADE-FINAL-CA0972019S3.gz"} <= set(
        remotes
    )
    mirror = tmp_path / "mirror" / "comtrade"
    mirror.mkdir(parents=True)
    for name in (KAZ_BULK, CHN_BULK):
        (mirror / f"{name}.gz").write_bytes(_gz(name))
    files = [
        fetch(remotes[f"{n}.gz"], mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache")
        for n in (KAZ_BULK, CHN_BULK)
    ]
    report = ingest("comtrade_bulk", files, db)
    assert report.changed and report.row_counts["core.trade_flows"] == 10
    assert _query(db, "SELECT count(*) FROM raw.comtrade_bulk_final") == [(17,)]
    # breakdowns by customs procedure or transport mode, re-exports, 4-digit codes, World and 'Areas, nes' stay raw
    kaz_imports = _query(
        db,
        """SELECT product_code, value_usd FROM core.trade_flows WHERE source_id LIKE 'comtrade_bulk_%'
           AND reporter_iso3 = 'KAZ' AND partner_iso3 = 'CHN' AND direction = 'partner_to_country' ORDER BY 1""",
    )
    assert kaz_imports == [
        ("3", 98765432.0),
        ("65", 301234567.0),
        ("68", 45678901.0),
        ("7", 2512345678.0),
        ("TOTAL", 5970000000.5),
    ]
    mirror_of_kaz = _query(
        db,
        """SELECT reporter_iso3, value_usd FROM core.trade_flows WHERE source_id LIKE 'comtrade_bulk_%'
           AND partner_iso3 = 'CHN' AND country_iso3 = 'KAZ' AND direction = 'partner_to_country'
           AND product_code = 'TOTAL' ORDER BY 1""",
    )
    assert mirror_of_kaz == [("CHN", 12739000000.0), ("KAZ", 5970000000.5)]
    assert not ingest("comtrade_bulk", files, db).changed


def _tsv(edit):
    return lambda: gzip.compress(edit(_bytes(f"{KAZ_BULK}.tsv")), mtime=0)


def _latin1_row(b: bytes) -> bytes:
    lines = b.split(b"\n")
    lines[3] = lines[3].replace(b"\tS3\tS3\t", b"\tS3\tS\xe93\t")
    return b"\n".join(lines)


BAD_BULK = {
    "comma-delimited": (_tsv(lambda b: b.replace(b"\t", b",")), 1, "freqcode", "delimited by '\\t'"),
    "renamed column": (_tsv(lambda b: b.replace(b"\tprimaryValue\t", b"\tprimaryValueUSD\t")), 1, "primaryvalue", ""),
    "wrong type": (
        _tsv(lambda b: b.replace(b"\t5970000000.5\t0\t", b"\t5.97e9 USD\t0\t")),
        2,
        "primaryvalue",
        "DOUBLE",
    ),
    "unknown partner": (_tsv(lambda b: b.replace(b"\tM\t899\t", b"\tM\t999\t")), 14, "partnercode", "999"),
    "wrong encoding": (_tsv(_latin1_row), 4, "(file)", "not UTF-8"),
    "truncated gzip": (lambda: _gz(KAZ_BULK)[:-12], r"1[34]", "(file)", "end marker"),
    "not compressed": (lambda: _bytes(f"{KAZ_BULK}.tsv"), 1, "(file)", "gzip"),
}


@pytest.mark.parametrize("case", sorted(BAD_BULK))
def test_bad_bulk_file_is_located_and_changes_nothing(case, tmp_path, db):
    ingest("comtrade_bulk", _files(tmp_path, {f"{n}.gz": _gz(n) for n in (KAZ_BULK, CHN_BULK)}), db)
    before = _checksum(db)
    make, line, column, hint = BAD_BULK[case]
    bad = _files(tmp_path, {f"{KAZ_BULK}.gz": make(), f"{CHN_BULK}.gz": _gz(CHN_BULK)}, mirror="bad")
    with pytest.raises(InputError) as err:
        ingest("comtrade_bulk", bad, db)
    kaz = next(f for f in bad if f.remote.name == f"{KAZ_BULK}.gz")
    message = str(err.value)
    assert re.search(rf"{re.escape(str(kaz.path))}:{line}: column '[^']*{re.escape(column)}", message), message
    assert hint in message
    assert _checksum(db) == before
