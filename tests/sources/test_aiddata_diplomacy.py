"""AidData China public diplomacy: country-year counts into core.indicators, N/A as NULL, located input errors."""

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

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aiddata" / "china_public_diplomacy_country_year.csv"
NAME = "aiddata_diplomacy"
FILE = "china_public_diplomacy_country_year.csv"
INDICATORS = "SELECT * FROM core.indicators WHERE source_id LIKE 'aiddata_diplomacy%'"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    """A warehouse holding the good fixture, shared by the tests whose ingest must fail and change nothing."""
    tmp = tmp_path_factory.mktemp("aiddata_diplomacy_loaded")
    build(tmp / "w.duckdb")
    ingest(NAME, fetched(tmp, FIXTURE.read_bytes()), tmp / "w.duckdb")
    return tmp / "w.duckdb"


def fetched(tmp_path: Path, content: bytes, tag: str = "a") -> list[FetchedFile]:
    mirror = tmp_path / f"mirror_{tag}"
    (mirror / "aiddata").mkdir(parents=True)
    (mirror / "aiddata" / FILE).write_bytes(content)
    return fetch_source(NAME, mirror=mirror, cache_dir=tmp_path / "cache")


def as_fetched(tmp_path: Path, content: bytes) -> list[FetchedFile]:
    """`content` handed straight to the connector, past fetch's header check."""
    path = tmp_path / "direct" / FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    remote = get_connector(NAME).remote_files()[0]
    return [FetchedFile(remote, path, warehouse.file_sha256(path), len(content), datetime.now(UTC), "test")]


def value(db: Path, code: str, iso3: str, year: int) -> tuple:
    (row,) = query(
        db, f"SELECT value, note FROM ({INDICATORS}) WHERE indicator_code = ? AND country_iso3 = ? AND year = ?",
        [f"aiddata_pd.{code}", iso3, year],
    )  # fmt: skip
    return row


def test_one_row_per_country_year_and_measure_with_na_as_null(tmp_path, db):
    report = ingest(NAME, fetched(tmp_path, FIXTURE.read_bytes()), db)
    assert report.changed and report.row_counts == {"core.indicators": 7 * 10}
    assert value(db, "government_visits", "UZB", 2017) == (13.0, None)
    assert value(db, "inbound_students_to_china", "KAZ", 2017) == (14224.0, None)
    assert value(db, "military_visits", "KAZ", 2017) == (None, "AidData: N/A (not collected or not available)")
    assert value(db, "government_visits", "KAZ", 2018)[0] is None
    assert value(db, "sister_cities_established", "KAZ", 2018) == (1.0, None)
    # Names the country registry does not know are mapped by the connector.
    assert value(db, "government_visits", "BRN", 2015) == (5.0, None)
    assert value(db, "inbound_students_to_china", "FSM", 2015) == (12.0, None)
    meta = query(db, f"SELECT DISTINCT partner_iso3, unit, citation_status FROM ({INDICATORS})")
    assert meta == [("CHN", "count", "cited")]
    (row,) = query(
        db,
        f"""SELECT indicator_name, definition, record FROM ({INDICATORS})
        WHERE indicator_code = 'aiddata_pd.government_visits' AND country_iso3 = 'UZB' AND year = 2017""",
    )
    assert row[0] == "Government official visits" and "provincial-level" in row[1]
    assert row[2] == "raw.aiddata_diplomacy_country_year:8"
    codes = [r[0] for r in query(db, f"SELECT DISTINCT indicator_code FROM ({INDICATORS}) ORDER BY 1")]
    assert len(codes) == 10 and "aiddata_pd.total_elite_visits" in codes
    keys = f"SELECT indicator_code, country_iso3, year FROM ({INDICATORS}) GROUP BY ALL HAVING count(*) > 1"
    assert query(db, keys) == []


def test_reingest_is_a_noop_and_a_new_edition_supersedes(tmp_path, db):
    first = ingest(NAME, fetched(tmp_path, FIXTURE.read_bytes()), db)
    before = checksum(db)
    assert not ingest(NAME, fetched(tmp_path, FIXTURE.read_bytes(), tag="b"), db).changed
    assert checksum(db) == before
    revised = FIXTURE.read_bytes().replace(b'"Kazakhstan",2018,0,1,"N/A"', b'"Kazakhstan",2018,0,1,12')
    new = ingest(NAME, fetched(tmp_path, revised, tag="c"), db)
    assert new.changed and new.row_counts == {"core.indicators": 70}
    sources = dict(
        query(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = ?", [NAME])
    )
    assert sources == {first.source_ids[0]: True, new.source_ids[0]: False}
    assert query(db, f"SELECT DISTINCT source_id FROM ({INDICATORS})") == [(new.source_ids[0],)]
    assert value(db, "government_visits", "KAZ", 2018) == (12.0, None)


BAD_INPUTS = [
    ("semicolon delimiter", lambda b: b.replace(b",", b";"), 1, "(header)", "looks separated by ';'"),
    ("renamed column", lambda b: b.replace(b"government_visits", b"govt_visits"), 1, "government_visits",
     "columns receiving_country"),
    ("non-number that is not N/A", lambda b: b.replace(b'"Kazakhstan",2017,1,0,11,', b'"Kazakhstan",2017,1,0,"n.a.",'),
     4, "government_visits", "or 'N/A'"),
    ("negative count", lambda b: b.replace(b'"Uzbekistan",2017,0,1,13,', b'"Uzbekistan",2017,0,1,-13,'), 8,
     "government_visits", "number >= 0"),
    ("unknown country", lambda b: b.replace(b'"Uzbekistan",2016', b'"Usbekistan",2016'), 7, "receiving_country",
     "Uzbekistan (UZB)"),
    ("year not a number", lambda b: b.replace(b'"Kazakhstan",2016', b'"Kazakhstan",FY2016'), 3, "_year", "INTEGER"),
    ("duplicate country-year", lambda b: b.replace(b'"Kazakhstan",2018', b'"Kazakhstan",2017'), 5,
     "receiving_country", "one row per"),
    ("latin-1 bytes", lambda b: b.replace(b'"Micronesia"', "\"Micronésie\"".encode("latin-1")), 6,
     "receiving_country", "UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "mutate", "line", "column", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_located_and_changes_nothing(tmp_path, loaded_db, case, mutate, line, column, says):
    db = loaded_db
    before = checksum(db)
    with pytest.raises(InputError) as caught:
        ingest(NAME, as_fetched(tmp_path, mutate(FIXTURE.read_bytes())), db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(FILE) and problem.line == line and column in problem.column, str(caught.value)
    assert says in str(caught.value)
    assert checksum(db) == before


def test_download_and_failure(http_server, tmp_path, db):
    remote = get_connector(NAME).remote_files()[0]
    assert remote.mirror_subdir == "aiddata" and remote.url.endswith("/ChinesePublicDiplomacy.csv")
    got = download(replace(remote, url=http_server.add("/ChinesePublicDiplomacy.csv", FIXTURE.read_bytes())), tmp_path)
    assert got.path.name == FILE and ingest(NAME, [got], db).changed
    truncated = replace(remote, url=http_server.add("/short.csv", FIXTURE.read_bytes(), truncate_to=50))
    with pytest.raises(FetchError, match="closed before the whole body arrived"):
        download(truncated, tmp_path / "cache2", retries=1, backoff=0.01)
    assert cached(truncated, tmp_path / "cache2") is None


@pytest.mark.realdata
def test_real_file_figures(shared_dir, tmp_path, db):
    report = ingest(NAME, fetch_source(NAME, mirror=shared_dir / "data", cache_dir=tmp_path / "cache"), db)
    # 741 country-years (39 countries x 2000-2018) x 10 measures; 1,918 cells are 'N/A'.
    assert report.row_counts == {"core.indicators": 7410}
    assert query(db, f"SELECT count(value), count(DISTINCT country_iso3) FROM ({INDICATORS})") == [(5492, 39)]
    assert value(db, "government_visits", "UZB", 2017) == (13.0, None)
    assert value(db, "government_visits", "UZB", 2008) == (6.0, None)
    assert value(db, "government_visits", "UZB", 2018)[0] is None
    assert value(db, "inbound_students_to_china", "KAZ", 2017) == (14224.0, None)
    assert value(db, "total_elite_visits", "TKM", 2010) == (6.0, None)
    totals = query(
        db,
        f"""SELECT country_iso3, sum(value) FROM ({INDICATORS}) WHERE indicator_code = 'aiddata_pd.government_visits'
        AND list_contains(['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB'], country_iso3) GROUP BY 1 ORDER BY 1""",
    )
    assert totals == [("KAZ", 253.0), ("KGZ", 123.0), ("TJK", 113.0), ("TKM", 90.0), ("UZB", 143.0)]
