"""AidData Chinese official finance: project records to core.finance_flows, geocoded locations to raw only."""

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
from silkscope.sources.aiddata_china_geo import check_geocoded_projects
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aiddata"
PROJECTS = "china_official_finance_projects.csv"
GEO = "china_aid_geocoded_locations.csv"
FILES = {"aiddata_china": PROJECTS, "aiddata_china_geo": GEO}
FLOWS = "SELECT * FROM core.finance_flows WHERE source_id LIKE 'aiddata_china%'"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    """A warehouse holding both good fixtures, shared by the tests whose ingest must fail and change nothing."""
    tmp = tmp_path_factory.mktemp("aiddata_china_loaded")
    build(tmp / "w.duckdb")
    for name in FILES:
        ingest(name, fetched(name, tmp, fixture(name)), tmp / "w.duckdb")
    return tmp / "w.duckdb"


def fixture(name: str) -> bytes:
    return (FIXTURES / FILES[name]).read_bytes()


def fetched(name: str, tmp_path: Path, content: bytes, tag: str = "a") -> list[FetchedFile]:
    """The connector's file as fetched from a mirror folder that holds `content` under the published name."""
    mirror = tmp_path / f"mirror_{name}_{tag}"
    (mirror / "aiddata").mkdir(parents=True)
    (mirror / "aiddata" / FILES[name]).write_bytes(content)
    return fetch_source(name, mirror=mirror, cache_dir=tmp_path / "cache")


def as_fetched(name: str, tmp_path: Path, content: bytes) -> list[FetchedFile]:
    """`content` handed straight to the connector, past fetch's header check."""
    path = tmp_path / f"direct_{name}" / FILES[name]
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    remote = get_connector(name).remote_files()[0]
    return [FetchedFile(remote, path, warehouse.file_sha256(path), len(content), datetime.now(UTC), "test")]


# --- project records --------------------------------------------------------------------------------------------


def test_projects_become_one_row_per_price_basis(tmp_path, db):
    report = ingest("aiddata_china", fetched("aiddata_china", tmp_path, fixture("aiddata_china")), db)
    # 8 records: 5 Central Asian, recommended and valued (x 2 price bases); one without a USD value, one not
    # recommended for research, one in Pakistan are left out of core.
    assert report.changed and report.row_counts == {"core.finance_flows": 10}
    assert query(db, "SELECT count(*) FROM raw.aiddata_china_projects") == [(8,)]
    rows = query(
        db,
        f"""SELECT project_id, price_basis, base_year, amount_usd, country_iso3, donor_iso3, donor_actor_id, year,
                  flow_class, currency, sector_code, project_count, measure
        FROM ({FLOWS}) ORDER BY project_id, price_basis""",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert sorted({r[0] for r in rows}) == ["40158", "40162", "40325", "41905", "53690"]
    uzb = got[("40325", "constant")]
    assert uzb[:8] == (2017, pytest.approx(337245412.23), "UZB", "CHN", "china_exim", 2013, "oda_like", "USD")
    assert uzb[8:] == ("210", 1, "commitment")
    assert got[("40325", "current")][:2] == (None, 350000000.0)
    assert got[("40162", "current")][2:7] == ("KAZ", "CHN", "cdb", 2006, "oof_like")
    assert got[("40158", "current")][1] == pytest.approx(1207948.04) and got[("40158", "current")][7] == "CNY"
    assert got[("40158", "current")][4] is None  # 'Unspecified Chinese Government Institution': no registry actor
    # Bank of China is not in the registry, CDB is: the one Chinese actor silkscope knows is the donor actor.
    assert got[("41905", "constant")][4:8] == ("cdb", 2011, "vague_official", "USD")
    assert got[("53690", "constant")][:2] == (2017, 1000000.0) and got[("53690", "constant")][4] == "mofcom"
    notes = dict(query(db, f"SELECT project_id, note FROM ({FLOWS}) WHERE price_basis = 'current'"))
    assert "exchange rate 1, so USD" in notes["41905"] and "year uncertain" in notes["41905"]
    assert "Bank of China (BOC)" in notes["41905"] and notes["40158"].startswith("AidData flow: Grant")
    titles = dict(query(db, f"SELECT project_id, project_title FROM ({FLOWS})"))
    assert titles["40162"] == "CDB loans 200 million USD for Moynak Hydropower Plant"
    # The publisher escapes quotes with a backslash: the text comes through with the quote, not the backslash.
    description = query(db, "SELECT description FROM raw.aiddata_china_projects WHERE project_id = '53690'")[0][0]
    assert 'labelled "from the Chinese people" (中国人民)' in description
    assert query(db, f"SELECT count(DISTINCT fact_id), count(*) FROM ({FLOWS})") == [(10, 10)]


def test_projects_reingest_is_a_noop_and_a_new_edition_supersedes(tmp_path, db):
    first = ingest("aiddata_china", fetched("aiddata_china", tmp_path, fixture("aiddata_china")), db)
    before = checksum(db)
    again = ingest("aiddata_china", fetched("aiddata_china", tmp_path, fixture("aiddata_china"), tag="b"), db)
    assert not again.changed and checksum(db) == before
    amended = fixture("aiddata_china").replace(b",200000000,", b",210000000,")
    new = ingest("aiddata_china", fetched("aiddata_china", tmp_path, amended, tag="c"), db)
    assert new.changed and new.row_counts == {"core.finance_flows": 10}
    sources = dict(
        query(
            db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = ?", ["aiddata_china"]
        )
    )
    assert sources == {first.source_ids[0]: True, new.source_ids[0]: False}
    assert query(db, f"SELECT DISTINCT source_id FROM ({FLOWS})") == [(new.source_ids[0],)]
    assert query(db, f"SELECT amount_usd FROM ({FLOWS}) WHERE project_id = '40162' AND price_basis = 'current'") == [
        (210000000.0,)
    ]


def _latin1(content: bytes) -> bytes:
    return content.replace("Ürümqi".encode(), "Ürümqi".encode("latin-1"))


PROJECT_BAD_INPUTS = [
    # (case, mutation, line, column, text expected in the message)
    ("semicolon delimiter", lambda b: b.replace(b",", b";"), 1, "project_id", "delimited by ','"),
    ("renamed column", lambda b: b.replace(b"usd_defl", b"usd_deflated"), 1, "usd_defl", "columns project_id"),
    ("non-numeric amount", lambda b: b.replace(b"337245412.23,350000000,", b'337245412.23,"350 million",'), 2,
     "usd_current", "DOUBLE"),
    ("unknown recipient", lambda b: b.replace(b'"KAZ","KZ"', b'"KZK","KZ"', 1), 3, "recipient_iso3", "country"),
    ("unknown flow class", lambda b: b.replace(b'"OOF-like","Commercial"', b'"OOF","Commercial"', 1), 3,
     "flow_class", "one of ODA-like"),
    ("rebased deflator", lambda b: b.replace(b'"USD",1,1,1000000', b'"USD",0.97,1,1000000'), 9, "deflators_used",
     "BASE_YEAR"),
    ("blank currency, exchange rate not 1", lambda b: b.replace(b",,0.94418159,1,", b",,0.94418159,6.5,"), 8,
     "currency", "blank is read as USD"),
    ("duplicate project id", lambda b: b.replace(b"\r\n41905,", b"\r\n40162,"), 8, "project_id", "earlier line"),
    ("empty year", lambda b: b.replace(b"true,false,2006,", b"true,false,,"), 3, "_year", "empty"),
    ("latin-1 bytes", _latin1, 9, "description", "UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "mutate", "line", "column", "says"), PROJECT_BAD_INPUTS, ids=[c[0] for c in PROJECT_BAD_INPUTS]
)
def test_projects_bad_input_is_located_and_changes_nothing(tmp_path, loaded_db, case, mutate, line, column, says):
    db = loaded_db
    before = checksum(db)
    bad = mutate(fixture("aiddata_china"))
    assert bad != fixture("aiddata_china")
    with pytest.raises(InputError) as caught:
        ingest("aiddata_china", as_fetched("aiddata_china", tmp_path, bad), db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(PROJECTS) and problem.line == line and column in problem.column, str(caught.value)
    assert says in str(caught.value)
    assert checksum(db) == before


def test_projects_download_and_failure(http_server, tmp_path, db):
    remote = get_connector("aiddata_china").remote_files()[0]
    assert remote.mirror_subdir == "aiddata" and remote.url.startswith("https://raw.githubusercontent.com/")
    local = replace(
        remote, url=http_server.add("/ChineseFinancialPublicDiplomacyProjectDetails.csv", fixture("aiddata_china"))
    )
    got = download(local, tmp_path / "cache")
    assert got.path.name == PROJECTS and ingest("aiddata_china", [got], db).row_counts == {"core.finance_flows": 10}
    flaky = replace(remote, url=http_server.add("/down.csv", b"", fail_first=9))
    with pytest.raises(FetchError, match="HTTP 500"):
        download(flaky, tmp_path / "cache", retries=1, backoff=0.01)
    assert cached(flaky, tmp_path / "cache") is None


# --- geocoded locations -------------------------------------------------------------------------------------------


def test_geocoded_locations_load_into_raw_only(tmp_path, db):
    report = ingest("aiddata_china_geo", fetched("aiddata_china_geo", tmp_path, fixture("aiddata_china_geo")), db)
    assert report.changed and report.row_counts == {}
    rows = query(
        db, "SELECT id, place, latitude, source_line FROM raw.aiddata_china_geo_locations ORDER BY source_line"
    )
    assert len(rows) == 6 and rows[0][:2] == ("1", "Sélibaby") and rows[1] == ("40325", "Angren", "41.01667", 3)
    assert query(db, "SELECT count(*) FROM core.sources WHERE loaded_by = 'aiddata_china_geo'") == [(1,)]
    again = ingest("aiddata_china_geo", fetched("aiddata_china_geo", tmp_path, fixture("aiddata_china_geo"), "b"), db)
    assert not again.changed


def test_geocoded_projects_are_checked_against_the_project_file(tmp_path, db):
    ingest("aiddata_china", fetched("aiddata_china", tmp_path, fixture("aiddata_china")), db)
    ingest("aiddata_china_geo", fetched("aiddata_china_geo", tmp_path, fixture("aiddata_china_geo")), db)
    con = warehouse.connect(db)
    try:
        check = check_geocoded_projects(con)
    finally:
        con.close()
    # 40325 (two locations) and 40162 are in both files; 39604 only in the geocoded one; the two-country row
    # and the Mauritanian one are not Central Asian.
    assert check.c5_projects == 3 and check.matched == ["40162", "40325"] and check.missing == ["39604"]
    assert check.year_differs == [("40162", 2007, 2006)]
    assert check.flow_class_differs == [("40162", "Vague (Official Finance)", "OOF-like")]
    assert check.country_differs == []


def test_geocoded_new_edition_supersedes(tmp_path, db):
    old = ingest("aiddata_china_geo", fetched("aiddata_china_geo", tmp_path, fixture("aiddata_china_geo")), db)
    amended = fixture("aiddata_china_geo").replace(b"41.01667", b"41.01700")
    new = ingest("aiddata_china_geo", fetched("aiddata_china_geo", tmp_path, amended, "b"), db)
    assert new.changed
    sources = dict(
        query(
            db,
            "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = ?",
            ["aiddata_china_geo"],
        )
    )
    assert sources == {old.source_ids[0]: True, new.source_ids[0]: False}
    assert query(
        db, "SELECT DISTINCT source_line FROM raw.aiddata_china_geo_locations WHERE latitude = '41.01700'"
    ) == [(3,)]


GEO_BAD_INPUTS = [
    ("renamed column", lambda b: b.replace(b",latitude,", b",lat,"), 1, "latitude", "columns id"),
    ("non-numeric amount", lambda b: b.replace(b"200000000.0", b"200m"), 5, "usd_current", "DOUBLE"),
    ("latitude out of range", lambda b: b.replace(b"41.01667", b"141.01667"), 3, "latitude", "between -90"),
    ("unknown flow class", lambda b: b.replace(b",OOF-like,", b",OOF,"), 6, "flow_class", "one of ODA-like"),
    ("latin-1 bytes", lambda b: b.replace("Sélibaby".encode(), "Sélibaby".encode("latin-1")), 2, "place", "UTF-8"),
    ("empty id", lambda b: b.replace(b"\n39604,", b"\n,"), 6, "id", "empty"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "mutate", "line", "column", "says"), GEO_BAD_INPUTS, ids=[c[0] for c in GEO_BAD_INPUTS]
)
def test_geocoded_bad_input_is_located_and_changes_nothing(tmp_path, loaded_db, case, mutate, line, column, says):
    db = loaded_db
    before = checksum(db)
    with pytest.raises(InputError) as caught:
        ingest("aiddata_china_geo", as_fetched("aiddata_china_geo", tmp_path, mutate(fixture("aiddata_china_geo"))), db)
    problem = caught.value.problems[0]
    assert problem.file.endswith(GEO) and problem.line == line and column in problem.column, str(caught.value)
    assert says in str(caught.value)
    assert checksum(db) == before


def test_geocoded_download_refuses_the_r_binary_and_takes_the_csv(http_server, tmp_path, db):
    """The recorded URL is the .rds the mirror's CSV was written from: a direct download must not be loaded."""
    remote = get_connector("aiddata_china_geo").remote_files()[0]
    assert remote.url.endswith("/data/aiddf.rds")
    rds = replace(remote, url=http_server.add("/aiddf.rds", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03XDR"))
    with pytest.raises(FetchError, match="does not look like the expected file"):
        download(rds, tmp_path / "cache")
    assert cached(rds, tmp_path / "cache") is None
    csv = replace(remote, url=http_server.add("/locations.csv", fixture("aiddata_china_geo")))
    assert ingest("aiddata_china_geo", [download(csv, tmp_path / "cache")], db).changed


# --- real data ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_db(shared_dir, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("aiddata_china_real")
    build(tmp / "w.duckdb")
    for name in ("aiddata_china", "aiddata_china_geo"):
        ingest(name, fetch_source(name, mirror=shared_dir / "data", cache_dir=tmp / "cache"), tmp / "w.duckdb")
    return tmp / "w.duckdb"


@pytest.mark.realdata
def test_real_project_figures(real_db):
    db = real_db
    assert query(db, "SELECT count(*) FROM raw.aiddata_china_projects") == [(1308,)]
    c5 = "recipient_iso3 IN ('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')"
    assert query(db, f"SELECT count(*), count(usd_defl) FROM raw.aiddata_china_projects WHERE {c5}") == [(228, 176)]
    # 176 valued Central Asian projects, twice (current and constant 2017 USD); the 52 without a value stay in raw.
    by_basis = query(
        db,
        f"""SELECT price_basis, base_year, count(*), count(DISTINCT project_id), round(sum(amount_usd), 2)
        FROM ({FLOWS}) GROUP BY ALL ORDER BY 1""",
    )
    assert by_basis == [("constant", 2017, 176, 176, 54787682108.74), ("current", None, 176, 176, 48476872151.76)]
    constant = f"SELECT * FROM ({FLOWS}) WHERE price_basis = 'constant'"
    by_country = query(
        db, f"SELECT country_iso3, count(*), round(sum(amount_usd), 2) FROM ({constant}) GROUP BY 1 ORDER BY 1"
    )
    assert by_country == [
        ("KAZ", 35, 33146379327.39),
        ("KGZ", 35, 3096747899.48),
        ("TJK", 41, 2967091841.23),
        ("TKM", 9, 9076148493.42),
        ("UZB", 56, 6501314547.22),
    ]
    by_class = query(
        db, f"SELECT flow_class, count(*), round(sum(amount_usd), 2) FROM ({constant}) GROUP BY 1 ORDER BY 1"
    )
    assert by_class == [
        ("oda_like", 83, 6030865359.08),
        ("oof_like", 56, 42797044957.97),
        ("vague_official", 37, 5959771791.69),
    ]
    line_c = query(
        db, f"SELECT price_basis, amount_usd, year, donor_actor_id FROM ({FLOWS}) WHERE project_id = '54528' ORDER BY 1"
    )
    assert line_c == [("constant", 1270941959.37, 2011, "cdb"), ("current", 1200000000.0, 2011, "cdb")]
    actors = dict(query(db, f"SELECT coalesce(donor_actor_id, '-'), count(*) FROM ({constant}) GROUP BY 1"))
    assert actors == {"china_exim": 10, "cdb": 8, "-": 158}
    assert query(db, f"SELECT count(*) FROM ({constant}) WHERE currency = 'CNY'") == [(35,)]


@pytest.mark.realdata
def test_real_geocoded_locations_and_their_match_with_the_projects(real_db):
    db = real_db
    assert query(db, "SELECT count(*), count(DISTINCT id) FROM raw.aiddata_china_geo_locations") == [(6116, 3446)]
    assert query(db, "SELECT count(*) FROM raw.aiddata_china_geo_locations WHERE country = 'Kyrgyzstan'") == [(95,)]
    con = warehouse.connect(db)
    try:
        check = check_geocoded_projects(con)
    finally:
        con.close()
    # 75 Central Asian projects are geocoded (2000-2014); 59 of them are in the project file, all with the same
    # recipient; 16 are not (the two files are different AidData editions).
    assert (check.c5_projects, len(check.matched), len(check.missing)) == (75, 59, 16)
    assert check.country_differs == []
    assert len(check.year_differs) == 6 and ("39619", 2012, 2010) in check.year_differs
    assert len(check.flow_class_differs) == 7 and ("39644", "ODA-like", "OOF-like") in check.flow_class_differs
    assert "40152" in check.missing  # the Kazakh aluminium smelter loan is geocoded but not in the project file
