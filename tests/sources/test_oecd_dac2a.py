"""OECD DAC2A (SDMX-CSV): query, aid types to flow classes and measures, re-ingest, editions, errors, download."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from silkscope import warehouse
from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, FetchError, cached, download
from silkscope.ingest import fetch_source, get_connector, ingest
from silkscope.sources.oecd_dac2a import MEASURES, RAW_ONLY_MEASURES
from warehouse_helpers import checksum, query

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "oecd" / "dac2a_c5.csv"
NAME = "oecd_dac2a"
FILE = "oecd_dac2a_c5.csv"
FLOWS = "SELECT * FROM core.finance_flows WHERE source_id LIKE 'oecd_dac2a%'"
GOOD = FIXTURE.read_bytes()


def fetched(tmp_path: Path, content: bytes, tag: str = "a") -> list[FetchedFile]:
    folder = tmp_path / f"mirror_{tag}"
    (folder / "oecd").mkdir(parents=True)
    (folder / "oecd" / FILE).write_bytes(content)
    return fetch_source(NAME, mirror=folder, cache_dir=tmp_path / "cache")


def as_fetched(tmp_path: Path, content: bytes, tag: str = "direct") -> list[FetchedFile]:
    """`content` handed straight to the connector, past fetch's check of the first bytes."""
    path = tmp_path / tag / FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    remote = get_connector(NAME).remote_files()[0]
    return [FetchedFile(remote, path, warehouse.file_sha256(path), len(content), datetime.now(UTC), "test")]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("oecd_dac2a_loaded")
    build(tmp / "w.duckdb")
    ingest(NAME, fetched(tmp, GOOD), tmp / "w.duckdb")
    return tmp / "w.duckdb"


def test_query_asks_for_the_dac_donors_and_central_asia_in_usd():
    (remote,) = get_connector(NAME).remote_files()
    assert remote.url.startswith("https://sdmx.oecd.org/public/rest/data/OECD.DCD.FSD,DSD_DAC2@DF_DAC2A,1.6/")
    donors, recipients, measure, unit, price = remote.url.rsplit("/", 1)[1].split(".")
    assert {"JPN", "KOR", "USA", "DEU", "FRA", "GBR", "4EU001", "TUR", "RUS"} <= set(donors.split("+"))
    assert not {"CHN", "IND", "EUU"} & set(donors.split("+"))  # no DAC donor statistics; the EU is 4EU001
    assert recipients.split("+") == ["KAZ", "KGZ", "TJK", "TKM", "UZB", "S4_X"]
    assert (measure, unit, price) == ("", "USD", "")  # every aid type, both price bases
    assert remote.params["format"] == "csvfile" and remote.params["startPeriod"] == "1990"


def test_aid_types_map_to_flow_class_measure_and_price_basis(tmp_path, db):
    report = ingest(NAME, fetched(tmp_path, GOOD), db)
    assert report.changed and report.edition == "OECD.DCD.FSD:DSD_DAC2@DF_DAC2A(1.6)"
    assert query(db, "SELECT count(*) FROM raw.oecd_dac2a_flows") == [(31,)]  # raw keeps every row

    def one(where: str) -> tuple:
        sql = f"""SELECT flow_class, measure, price_basis, base_year, amount_usd, record FROM ({FLOWS})
            WHERE {where}"""
        (row,) = query(db, sql)
        return row

    jpn_uzb = "donor_iso3 = 'JPN' AND country_iso3 = 'UZB' AND year = 2019"
    assert one(f"{jpn_uzb} AND definition LIKE '%type 206:%' AND price_basis = 'current'") == (
        "oda_total",
        "disbursement_net",
        "current",
        None,
        92_518_734.0,
        "raw.oecd_dac2a_flows:2",
    )
    assert one(f"{jpn_uzb} AND definition LIKE '%type 206:%' AND price_basis = 'constant'")[:5] == (
        "oda_total",
        "disbursement_net",
        "constant",
        2023,
        98_030_000.0,
    )
    by_type = {
        code: one(f"{jpn_uzb} AND definition LIKE '%type {code}:%'")[:2] for code in ("240", "201", "204", "218")
    }
    assert by_type == {
        "240": ("oda_total", "disbursement_gross"),
        "201": ("oda_grant", "disbursement_gross"),
        "204": ("oda_loan", "disbursement_gross"),
        "218": ("oda_loan", "disbursement_net"),
    }
    # Net flows can be negative (repayments larger than new loans) and stay so.
    assert one("donor_iso3 = 'JPN' AND country_iso3 = 'KAZ' AND definition LIKE '%type 218:%'")[4] == -45_206_000.0
    # Components and memo items (humanitarian 216, technical co-operation 207, repayments 205) and imputed
    # multilateral aid (106) stay in raw only.
    assert query(db, f"SELECT count(*) FROM ({FLOWS}) WHERE regexp_matches(definition, 'type (216|207|205|106):')") == [
        (0,)
    ]
    # The EU's institutions are the EU partner; S4_X 'Central Asia, regional' is the C5 group.
    eu = one("donor_iso3 = 'EUU' AND group_id = 'C5'")
    assert eu[4] == 19_700_000.0
    (note,) = query(db, f"SELECT note FROM ({FLOWS}) WHERE donor_iso3 = 'EUU' AND group_id = 'C5'")[0]
    assert "Central Asia, regional" in note and "4EU001" in note
    assert query(db, f"SELECT count(*), count(DISTINCT fact_id) FROM ({FLOWS})") == [(27, 27)]
    assert query(db, f"SELECT DISTINCT currency, project_count FROM ({FLOWS})") == [("USD", None)]


def test_a_byte_order_mark_and_windows_line_ends_are_read_alike(tmp_path, db):
    """The API may prefix UTF-8 CSV with a byte-order mark (as its DAC1 responses do) and end lines with CRLF."""
    content = b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n")
    assert ingest(NAME, fetched(tmp_path, content), db).row_counts == {"core.finance_flows": 27}
    assert query(db, "SELECT structure FROM raw.oecd_dac2a_flows WHERE source_line = 2") == [("DATAFLOW",)]


def test_every_aid_type_is_either_mapped_or_kept_raw_on_purpose():
    assert not set(MEASURES) & set(RAW_ONLY_MEASURES)
    assert {m for _, m, _ in MEASURES.values()} <= {"disbursement_gross", "disbursement_net"}  # DAC2A: no commitments


def test_reingesting_the_same_bytes_changes_nothing(tmp_path, db):
    assert ingest(NAME, fetched(tmp_path, GOOD), db).changed
    before = checksum(db)
    again = ingest(NAME, fetched(tmp_path, GOOD, tag="b"), db)
    assert not again.changed and again.row_counts == {"core.finance_flows": 27}
    assert checksum(db) == before


def test_a_new_edition_replaces_the_rows_and_supersedes_the_old_source(tmp_path, db):
    old = ingest(NAME, fetched(tmp_path, GOOD), db)
    revised = GOOD.replace(b"I,JPN,UZB,206,USD,V,2019,92.518734,", b"I,JPN,UZB,206,USD,V,2019,93.1,")
    new = ingest(NAME, fetched(tmp_path, revised, tag="b"), db)
    assert new.changed and new.source_ids != old.source_ids
    sources = dict(
        query(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = ?", [NAME])
    )
    assert sources == {old.source_ids[0]: True, new.source_ids[0]: False}
    assert query(db, f"SELECT DISTINCT source_id FROM ({FLOWS})") == [(new.source_ids[0],)]
    sql = f"""SELECT amount_usd FROM ({FLOWS}) WHERE donor_iso3 = 'JPN' AND country_iso3 = 'UZB' AND year = 2019
        AND price_basis = 'current' AND definition LIKE '%type 206:%'"""
    assert query(db, sql) == [(93_100_000.0,)]


BAD_INPUTS = [
    # (case, bytes, line, column, text expected in the message)
    ("semicolon delimiter", GOOD.replace(b",", b";"), 1, "structure", "delimited by ','"),
    ("renamed column", GOOD.replace(b"OBS_VALUE", b"VALUE"), 1, "obs_value", "columns structure"),
    ("decimal comma", GOOD.replace(b",92.518734,", b',"92,518734",'), 2, "obs_value", "DOUBLE"),
    ("unknown recipient", GOOD.replace(b",JPN,UZB,240,", b",JPN,AFG,240,"), 6, "RECIPIENT", "RECIPIENT codes"),
    ("unknown aid type", GOOD.replace(b",KOR,UZB,205,", b",KOR,UZB,999,"), 16, "MEASURE", "MEASURE code"),
    ("unrequested donor", GOOD.replace(b",RUS,TJK,", b",CHN,TJK,"), 30, "DONOR", "DONOR codes"),
    ("other unit", GOOD.replace(b",FRA,UZB,204,USD,", b",FRA,UZB,204,EUR,"), 31, "UNIT_MEASURE", "USD"),
    ("other dataflow", GOOD.replace(b"DF_DAC2A(1.6),I,TUR,TKM", b"DF_DAC2B(1.0),I,TUR,TKM"), 27, "STRUCTURE_ID",
     "DSD_DAC2@DF_DAC2A(1.6)"),
    ("latin-1 bytes", GOOD.replace(b",D,A\n", b",D,Amend\xe9\n", 1), 2, "OBS_STATUS", "UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "line", "column", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_located_and_changes_nothing(tmp_path, loaded_db, case, content, line, column, says):
    before = checksum(loaded_db)
    with pytest.raises(InputError) as caught:
        ingest(NAME, as_fetched(tmp_path, content), loaded_db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(FILE) and problem.line == line, str(caught.value)
    assert column == problem.column or column in problem.column.split(","), str(caught.value)
    assert says in str(caught.value)
    assert checksum(loaded_db) == before


def test_download_from_the_api_then_ingest(http_server, tmp_path, db):
    (remote,) = get_connector(NAME).remote_files()
    path = urlsplit(remote.url).path  # /public/rest/data/OECD.DCD.FSD,DSD_DAC2@DF_DAC2A,1.6/<key>
    local = replace(remote, url=http_server.add(path, GOOD, content_type="application/vnd.sdmx.data+csv"))
    got = download(local, tmp_path / "cache")
    assert got.path.name == FILE and got.path.read_bytes() == GOOD
    (sent,) = http_server.requests
    assert sent.startswith(path + "?") and "format=csvfile" in sent and "dimensionAtObservation=AllDimensions" in sent
    assert ingest(NAME, [got], db).row_counts == {"core.finance_flows": 27}


def test_download_refuses_an_error_page_and_no_results(http_server, tmp_path):
    (remote,) = get_connector(NAME).remote_files()
    page = replace(remote, url=http_server.add("/rest/data/page", b"<!DOCTYPE html><html>Too many requests</html>"))
    with pytest.raises(FetchError, match="does not look like the expected file"):
        download(page, tmp_path / "cache")
    empty = replace(remote, url=http_server.add("/rest/data/empty", b"NoResultsFound", status=404))
    with pytest.raises(FetchError, match="HTTP 404"):
        download(empty, tmp_path / "cache", retries=1, backoff=0.01)
    assert cached(page, tmp_path / "cache") is None and cached(empty, tmp_path / "cache") is None
