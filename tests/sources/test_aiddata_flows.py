"""AidData 2.x aggregated flows: harmonisation, re-ingest, editions, located input errors, download, real data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from silkscope import warehouse
from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, FetchError, cached, download
from silkscope.ingest import fetch_source, get_connector, ingest
from warehouse_helpers import checksum, query

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aiddata" / "aiddata2_flows_donor_recipient_year.csv"
NAME = "aiddata_flows"
FILE = "aiddata2_flows_donor_recipient_year.csv"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    """A warehouse holding the good fixture, shared by the tests whose ingest must fail and change nothing."""
    tmp = tmp_path_factory.mktemp("aiddata_flows_loaded")
    build(tmp / "w.duckdb")
    ingest(NAME, fetched(tmp, FIXTURE.read_bytes()), tmp / "w.duckdb")
    return tmp / "w.duckdb"


def fetched(tmp_path: Path, content: bytes, tag: str = "a"):
    """The connector's file as fetched from a mirror folder that holds `content` under the published name."""
    mirror = tmp_path / f"mirror_{tag}"
    (mirror / "aiddata").mkdir(parents=True)
    (mirror / "aiddata" / FILE).write_bytes(content)
    return fetch_source(NAME, mirror=mirror, cache_dir=tmp_path / "cache")


def as_fetched(tmp_path: Path, content: bytes, tag: str = "direct") -> list[FetchedFile]:
    """`content` handed straight to the connector, past fetch's header check (which a broken file may pass)."""
    path = tmp_path / tag / FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    remote = get_connector(NAME).remote_files()[0]
    return [FetchedFile(remote, path, warehouse.file_sha256(path), len(content), datetime.now(UTC), "test")]


FLOWS = "SELECT * FROM core.finance_flows WHERE source_id LIKE 'aiddata_flows%'"


def test_fixture_is_harmonised_with_donors_scopes_and_definitions(tmp_path, db):
    report = ingest(NAME, fetched(tmp_path, FIXTURE.read_bytes()), db)
    assert report.changed and report.row_counts == {"core.finance_flows": 9}
    rows = query(
        db,
        f"""SELECT year, donor_iso3, donor_actor_id, country_iso3, group_id, amount_usd, project_count, note, record
        FROM ({FLOWS}) ORDER BY year, amount_usd""",
    )
    by_key = {(r[0], r[1] or r[2], r[3] or r[4]): r for r in rows}
    assert by_key[(2005, "JPN", "UZB")][5:7] == (26872456.0, 51)
    assert by_key[(2005, "JPN", "UZB")][8] == "raw.aiddata_flows_donor_recipient_year:4"
    assert by_key[(1994, "USA", "KAZ")][5:7] == (131122099.0, 50)
    # The EU's institutions count as the EU partner; a 'Central Asia, regional' row is the C5 group, not a country.
    ec = by_key[(2006, "EUU", "C5")]
    assert ec[2] == "eu_commission" and ec[3] is None and ec[5] == 87188173.0 and "Central Asia, regional" in ec[7]
    assert by_key[(2008, "adb", "KAZ")][1] is None  # a multilateral: no donor country
    assert by_key[(2011, "world_bank", "C5")][5] == 20124717.0  # (IDA) is the World Bank
    assert by_key[(2008, "undp", "TJK")][1] is None  # an agency the registry does not list keeps AidData's label
    assert {k[2] for k in by_key} == {"KAZ", "KGZ", "TJK", "TKM", "UZB", "C5"}  # ABW and other regions left out
    meta = query(db, f"SELECT DISTINCT flow_class, measure, price_basis, base_year, currency FROM ({FLOWS})")
    assert meta == [("development_finance", "commitment", "constant", None, "USD")]
    assert query(db, f"SELECT count(DISTINCT fact_id) FROM ({FLOWS})") == [(9,)]


def test_reingesting_the_same_bytes_changes_nothing(tmp_path, db):
    files = fetched(tmp_path, FIXTURE.read_bytes())
    assert ingest(NAME, files, db).changed
    before = checksum(db)
    again = ingest(NAME, fetched(tmp_path, FIXTURE.read_bytes(), tag="b"), db)
    assert not again.changed and again.row_counts == {"core.finance_flows": 9}
    assert checksum(db) == before


def test_a_new_edition_replaces_the_rows_and_supersedes_the_old_source(tmp_path, db):
    old = ingest(NAME, fetched(tmp_path, FIXTURE.read_bytes()), db)
    amended = FIXTURE.read_bytes().replace(b"2005,JPN,UZB,26872456,51", b"2005,JPN,UZB,27000000,52")
    new = ingest(NAME, fetched(tmp_path, amended, tag="b"), db)
    assert new.changed and new.source_ids != old.source_ids
    sources = dict(
        query(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = ?", [NAME])
    )
    assert sources == {old.source_ids[0]: True, new.source_ids[0]: False}  # the older provenance row stays
    assert query(db, f"SELECT DISTINCT source_id FROM ({FLOWS})") == [(new.source_ids[0],)]
    jpn = query(db, f"SELECT amount_usd, project_count FROM ({FLOWS}) WHERE donor_iso3 = 'JPN' AND year = 2005")
    assert jpn == [(27000000.0, 52)]


def _latin1_label(content: bytes) -> bytes:
    return content.replace(b"(UNDP)", "(Développement)".encode("latin-1"))


BAD_INPUTS = [
    # (case, mutation of the fixture's bytes, line, column, text expected in the message)
    ("semicolon delimiter", lambda b: b.replace(b",", b";"), 1, "date", "delimited by ','"),
    ("renamed column", lambda b: b.replace(b"sum_amount_usd_constant", b"amount_usd_constant"), 1,
     "sum_amount_usd_constant", "columns date, donor"),
    ("non-numeric amount", lambda b: b.replace(b"26872456", b'"26,872,456"'), 4, "sum_amount_usd_constant",
     "DOUBLE"),
    ("empty amount", lambda b: b.replace(b"26872456", b""), 4, "sum_amount_usd_constant", "empty"),
    ("unknown donor", lambda b: b.replace(b"2005,JPN,UZB", b"2005,JAP,UZB"), 4, "donor", "country name"),
    ("latin-1 bytes", _latin1_label, 9, "donor", "UTF-8"),
    ("UTF-16 file", lambda b: b.decode("utf-8").encode("utf-16"), 1, "(file)", "UTF-16"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "mutate", "line", "column", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_located_and_changes_nothing(tmp_path, loaded_db, case, mutate, line, column, says):
    db = loaded_db  # a warehouse with an earlier good edition
    before = checksum(db)
    with pytest.raises(InputError) as caught:
        ingest(NAME, as_fetched(tmp_path, mutate(FIXTURE.read_bytes())), db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(FILE) and problem.line == line and column in problem.column, str(caught.value)
    assert says in str(caught.value)
    assert checksum(db) == before


def test_the_mirror_already_refuses_a_file_whose_header_is_unrecognisable(tmp_path):
    for content in (FIXTURE.read_bytes().replace(b",", b";"), FIXTURE.read_text().encode("utf-16")):
        with pytest.raises(FetchError, match="does not look like the expected file"):
            fetched(tmp_path, content, tag=str(len(content)))


def test_download_from_a_server_then_ingest(http_server, tmp_path, db):
    remote = get_connector(NAME).remote_files()[0]
    local = replace(remote, url=http_server.add("/data/flows.csv", FIXTURE.read_bytes()))
    got = download(local, tmp_path / "cache")
    assert got.path.name == FILE and got.path.read_bytes() == FIXTURE.read_bytes()
    assert ingest(NAME, [got], db).row_counts == {"core.finance_flows": 9}


def test_download_refuses_an_error_page_and_a_missing_file(http_server, tmp_path):
    remote = get_connector(NAME).remote_files()[0]
    page = replace(remote, url=http_server.add("/page.csv", b"<!DOCTYPE html><html>Rate limit exceeded</html>"))
    with pytest.raises(FetchError, match="does not look like the expected file"):
        download(page, tmp_path / "cache")
    missing = replace(remote, url=http_server.base_url + "/gone.csv")
    with pytest.raises(FetchError, match="HTTP 404"):
        download(missing, tmp_path / "cache", retries=1, backoff=0.01)
    assert cached(page, tmp_path / "cache") is None and cached(missing, tmp_path / "cache") is None


@pytest.mark.realdata
def test_real_file_figures(shared_dir, tmp_path, db):
    files = fetch_source(NAME, mirror=shared_dir / "data", cache_dir=tmp_path / "cache")
    report = ingest(NAME, files, db)
    # 1,696 rows to the five states and 68 'Central Asia, regional' rows: every one of them is harmonised.
    assert report.row_counts == {"core.finance_flows": 1764}
    scopes = dict(query(db, f"SELECT coalesce(country_iso3, group_id), count(*) FROM ({FLOWS}) GROUP BY 1"))
    assert scopes == {"KAZ": 365, "KGZ": 401, "TJK": 383, "TKM": 212, "UZB": 335, "C5": 68}

    def one(where: str) -> tuple:
        (row,) = query(db, f"SELECT amount_usd, project_count, donor_iso3, donor_actor_id FROM ({FLOWS}) WHERE {where}")
        return row

    assert one("donor_iso3 = 'JPN' AND country_iso3 = 'UZB' AND year = 2005") == (26872456.0, 51, "JPN", None)
    assert one("donor_iso3 = 'USA' AND country_iso3 = 'KAZ' AND year = 1994") == (131122099.0, 50, "USA", None)
    assert one("donor_iso3 = 'KWT' AND country_iso3 = 'UZB' AND year = 2005") == (30650662.0, 1, "KWT", None)
    assert one("donor_actor_id = 'adb' AND country_iso3 = 'KAZ' AND year = 2008") == (330674053.0, 1, None, "adb")
    assert one("donor_actor_id = 'eu_commission' AND group_id = 'C5' AND year = 2006") == (
        87188173.0,
        30,
        "EUU",
        "eu_commission",
    )
    # The 2.x release has no Chinese, Russian or Turkish donor rows (AidData's China data is a separate dataset).
    assert query(db, f"SELECT count(*) FROM ({FLOWS}) WHERE donor_iso3 IN ('CHN', 'RUS', 'TUR')") == [(0,)]
    assert query(db, f"SELECT min(year), max(year) FROM ({FLOWS})") == [(1980, 2011)]
