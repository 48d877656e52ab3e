"""OECD CRS bulk files: streaming load, sums for Central Asia, re-ingest, editions, located input errors, download."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from silkscope import warehouse
from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchedFile, FetchError, cached, download
from silkscope.ingest import fetch_source, get_connector, ingest
from silkscope.sources.oecd_crs import DEFLATED_BASE_YEAR, MIRROR_SUBDIR
from silkscope.sources.oecd_crs_files import HEADER_LINE
from warehouse_helpers import checksum, query

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "oecd" / "CRS 2019 data.txt"
NAME = "oecd_crs"
ZIP = "CRS 2019 data.zip"
MEMBER = "CRS 2019 data.txt"
FLOWS = "SELECT * FROM core.finance_flows WHERE source_id LIKE 'oecd_crs%'"


def zipped(text: bytes, built: tuple[int, ...] = (2025, 7, 10, 9, 30, 0), member: str = MEMBER) -> bytes:
    """The publisher's packaging: one text file, deflated, in a zip named after the year."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(member, date_time=built), text, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def remote_2019():
    return next(r for r in get_connector(NAME).remote_files() if r.name == ZIP)


def fetched(tmp_path: Path, content: bytes, tag: str = "a") -> list[FetchedFile]:
    """The 2019 zip as fetched from a mirror folder holding just that year (an analyst's partial mirror)."""
    folder = tmp_path / f"mirror_{tag}"
    (folder / MIRROR_SUBDIR).mkdir(parents=True)
    (folder / MIRROR_SUBDIR / ZIP).write_bytes(content)
    return fetch_source(NAME, mirror=folder, cache_dir=tmp_path / "cache")


def as_fetched(tmp_path: Path, content: bytes, tag: str = "direct") -> list[FetchedFile]:
    """`content` handed straight to the connector, past fetch's check of the first bytes."""
    path = tmp_path / tag / ZIP
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    return [FetchedFile(remote_2019(), path, warehouse.file_sha256(path), len(content), datetime.now(UTC), "test")]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    """A warehouse holding the good fixture, shared by the tests whose ingest must fail and change nothing."""
    tmp = tmp_path_factory.mktemp("oecd_crs_loaded")
    build(tmp / "w.duckdb")
    ingest(NAME, fetched(tmp, zipped(FIXTURE.read_bytes())), tmp / "w.duckdb")
    return tmp / "w.duckdb"


def test_fixture_is_the_published_layout():
    lines = FIXTURE.read_bytes().split(b"\r\n")  # the OECD's files are Windows text files
    assert lines[0].decode() == HEADER_LINE and len(HEADER_LINE.split("|")) == 93
    assert all(line.count(b"|") == 92 for line in lines[1:] if line)


def test_one_zip_per_year_with_the_publishers_names():
    remotes = get_connector(NAME).remote_files()
    names = [r.name for r in remotes]
    assert names[0] == "CRS 1973-94 data.zip" and "CRS 2004-05 data.zip" in names and ZIP in names
    assert remote_2019().url == "https://webfs-dcd.oecd.org/files/dotStat/DSD_CRS/CRS 2019 data.zip"
    assert all(r.expect == (b"PK\x03\x04",) for r in remotes)


def test_central_asian_rows_are_summed_by_donor_agency_recipient_flow_and_measure(tmp_path, db):
    report = ingest(NAME, fetched(tmp_path, zipped(FIXTURE.read_bytes())), db)
    assert report.changed and report.edition == "files built 2025-07-10"
    # Raw keeps every row as published: 30 rows, non-Central-Asian recipients and private flows included.
    assert query(db, "SELECT count(*), count(DISTINCT source_line) FROM raw.oecd_crs_2019") == [(30, 30)]
    assert query(db, "SELECT agencyname FROM raw.oecd_crs_2019 WHERE source_line = 17") == [
        ("Agence Française de Développement",)
    ]

    def one(where: str) -> tuple:
        sql = f"""SELECT amount_usd, project_count, record, base_year FROM ({FLOWS}) WHERE {where}"""
        (row,) = query(db, sql)
        return row

    # Two JICA grants to Uzbekistan (lines 3 and 4): USD millions in the file, USD in core.
    jica = "donor_iso3 = 'JPN' AND donor_actor_id = 'jica' AND country_iso3 = 'UZB' AND flow_class = 'oda_grant'"
    assert one(f"{jica} AND measure = 'commitment' AND price_basis = 'current'") == (
        2_000_000.0,
        2,
        "raw.oecd_crs_2019:3,4",
        None,
    )
    assert one(f"{jica} AND measure = 'disbursement_gross' AND price_basis = 'current'")[:2] == (1_550_000.0, 2)
    assert one(f"{jica} AND measure = 'commitment' AND price_basis = 'constant'")[::3] == (2_120_000.0, 2023)
    loan = "donor_actor_id = 'jica' AND country_iso3 = 'UZB' AND flow_class = 'oda_loan' AND price_basis = 'current'"
    assert one(f"{loan} AND measure = 'commitment'")[:2] == (120_500_000.0, 1)
    # A loan with a disbursement but no commitment in this year gives a disbursement row only.
    kaz = "donor_actor_id = 'jica' AND country_iso3 = 'KAZ' AND price_basis = 'current'"
    assert query(db, f"SELECT measure, amount_usd FROM ({FLOWS}) WHERE {kaz}") == [("disbursement_gross", 10e6)]
    # Agencies the actor registry knows; a state's other agencies have no actor; multilaterals are actors.
    actors = dict(query(db, f"SELECT DISTINCT donor_actor_id, donor_iso3 FROM ({FLOWS}) WHERE donor_actor_id <> ''"))
    assert actors == {
        "jica": "JPN", "mofa_jpn": "JPN", "koica": "KOR", "kexim": "KOR", "usaid": "USA", "mcc": "USA",
        "eu_commission": "EUU", "eib": "EUU", "tika": "TUR", "adb": None, "world_bank": None, "ebrd": None,
    }  # fmt: skip
    assert {r[0] for r in query(db, f"SELECT DISTINCT donor_iso3 FROM ({FLOWS}) WHERE donor_actor_id IS NULL")} == {
        "DEU",
        "FRA",
        "RUS",
    }
    # DAC recipient 619 'Central Asia, regional' is the C5 group.
    assert one("group_id = 'C5' AND measure = 'commitment' AND price_basis = 'current'")[:2] == (12e6, 1)
    assert query(db, f"SELECT DISTINCT coalesce(country_iso3, group_id) FROM ({FLOWS}) ORDER BY 1") == [
        ("C5",),
        ("KAZ",),
        ("KGZ",),
        ("TJK",),
        ("TKM",),
        ("UZB",),
    ]
    # OOF from the EBRD is its own class; grant-like (12) and private (30) flows stay in raw only.
    assert one("donor_actor_id = 'ebrd' AND measure = 'commitment' AND price_basis = 'current'")[:2] == (80e6, 1)
    classes = {r[0] for r in query(db, f"SELECT DISTINCT flow_class FROM ({FLOWS})")}
    assert classes == {"oda_grant", "oda_loan", "oof"}
    assert query(db, f"SELECT DISTINCT base_year FROM ({FLOWS}) WHERE price_basis = 'constant'") == [
        (DEFLATED_BASE_YEAR,)
    ]
    assert query(db, f"SELECT count(*), count(DISTINCT fact_id) FROM ({FLOWS})") == [(80, 80)]
    assert report.row_counts == {"core.finance_flows": 80}


def test_reingesting_the_same_bytes_changes_nothing(tmp_path, db):
    content = zipped(FIXTURE.read_bytes())
    assert ingest(NAME, fetched(tmp_path, content), db).changed
    before = checksum(db)
    again = ingest(NAME, fetched(tmp_path, content, tag="b"), db)
    assert not again.changed and again.row_counts == {"core.finance_flows": 80}
    assert checksum(db) == before


def test_a_new_edition_replaces_the_rows_and_supersedes_the_old_source(tmp_path, db):
    old = ingest(NAME, fetched(tmp_path, zipped(FIXTURE.read_bytes())), db)
    amended = FIXTURE.read_bytes().replace(b"|120.5|35.25|2.1|127.3|", b"|130.5|35.25|2.1|137.9|")
    new = ingest(NAME, fetched(tmp_path, zipped(amended, built=(2026, 1, 15, 8, 0, 0)), tag="b"), db)
    assert new.changed and new.source_ids != old.source_ids and new.edition == "files built 2026-01-15"
    sources = dict(
        query(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = ?", [NAME])
    )
    assert sources == {old.source_ids[0]: True, new.source_ids[0]: False}  # the older provenance row stays
    assert query(db, f"SELECT DISTINCT source_id FROM ({FLOWS})") == [(new.source_ids[0],)]
    loan = f"""SELECT amount_usd FROM ({FLOWS}) WHERE donor_actor_id = 'jica' AND flow_class = 'oda_loan'
        AND country_iso3 = 'UZB' AND measure = 'commitment' AND price_basis = 'current'"""
    assert query(db, loan) == [(130_500_000.0,)]


@pytest.mark.parametrize(
    "encode",
    [lambda t: t.encode("utf-8-sig"), lambda t: t.encode("utf-16")],
    ids=["UTF-8 with byte-order mark", "legacy UTF-16 file"],
)
def test_other_published_encodings_load_the_same_rows(tmp_path, db, encode):
    text = FIXTURE.read_text(encoding="utf-8")
    report = ingest(NAME, fetched(tmp_path, zipped(encode(text))), db)
    assert report.row_counts == {"core.finance_flows": 80}
    assert query(db, f"SELECT sum(amount_usd) FROM ({FLOWS}) WHERE measure = 'commitment'") == [
        (1_310_170_000.0,)
    ]  # 641.3 + 668.87 USD million
    assert query(db, "SELECT agencyname FROM raw.oecd_crs_2019 WHERE source_line = 17") == [
        ("Agence Française de Développement",)
    ]


def _row(text: bytes, crs_id: bytes) -> int:
    """1-based line of the fixture row with this CrsID."""
    return next(n for n, line in enumerate(text.split(b"\r\n"), start=1) if b"|" + crs_id + b"|" in line)


GOOD = FIXTURE.read_bytes()
BAD_INPUTS = [
    # (case, zip bytes, line, column, text expected in the message)
    ("comma delimiter", zipped(GOOD.replace(b",", b" ").replace(b"|", b",")), 1, "Year", "delimited by '|'"),
    ("renamed column", zipped(GOOD.replace(b"|USD_Disbursement|", b"|USD_Disbursment|")), 1, "USD_Disbursement",
     "columns Year, DonorCode"),
    ("decimal comma", zipped(GOOD.replace(b"|120.5|35.25|", b"|120,5|35.25|")), _row(GOOD, b"2019000101"),
     "USD_Commitment", "DOUBLE"),
    ("text in a code", zipped(GOOD.replace(b"|701|Japan|1|", b"|JP|Japan|1|", 1)), 2, "DonorCode", "INTEGER"),
    ("unknown recipient", zipped(GOOD.replace(b"|625|Afghanistan|", b"|9999|Atlantis|")), _row(GOOD, b"2019000105"),
     "RecipientCode", "DAC recipient code"),
    ("code and name disagree", zipped(GOOD.replace(b"|UZ-P21|1|617|Uzbekistan|", b"|UZ-P21|1|613|Uzbekistan|")),
     2, "RecipientName", "DAC recipient 613 (KAZ)"),
    ("unknown flow code", zipped(GOOD.replace(b"|13|ODA Loans|1|10|421|C01|120.5|", b"|15|Loans|1|10|421|C01|120.5|")),
     2, "FlowCode", "flow code"),
    ("latin-1 bytes", zipped(GOOD.decode("utf-8").encode("cp1252")), _row(GOOD, b"2019400001"), "AgencyName",
     "UTF-8"),
    ("truncated zip", zipped(GOOD)[:2000], 0, "(file)", "complete zip archive"),
    ("no text file inside", zipped(GOOD, member="CRS 2019 data.csv"), 0, "(file)", "one CRS .txt file"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "line", "column", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_located_and_changes_nothing(tmp_path, monkeypatch, loaded_db, case, content, line, column, says):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the extract goes
    (tmp_path / "tmp").mkdir()
    before = checksum(loaded_db)
    with pytest.raises(InputError) as caught:
        ingest(NAME, as_fetched(tmp_path, content), loaded_db)
    problem = caught.value.problems[0]
    assert ZIP in problem.file and problem.line == line, str(caught.value)
    assert column == problem.column or column in problem.column.split(","), str(caught.value)
    assert says in str(caught.value)
    if line:
        assert problem.file.endswith(MEMBER)  # errors inside the text file name the zip member
    assert checksum(loaded_db) == before
    assert not list((tmp_path / "tmp").iterdir())  # the extracted text file is gone


def test_download_from_a_server_then_ingest(http_server, tmp_path, db):
    content = zipped(GOOD)
    local = replace(remote_2019(), url=http_server.add("/files/dotStat/DSD_CRS/CRS%202019%20data.zip", content))
    assert local.url.endswith("/CRS%202019%20data.zip")
    got = download(local, tmp_path / "cache")
    assert got.path.name == ZIP and got.path.read_bytes() == content
    assert ingest(NAME, [got], db).row_counts == {"core.finance_flows": 80}


def test_download_refuses_an_error_page_and_a_cut_body(http_server, tmp_path):
    page = replace(remote_2019(), url=http_server.add("/page.zip", b"<!DOCTYPE html><html>Maintenance</html>"))
    with pytest.raises(FetchError, match="does not look like the expected file"):
        download(page, tmp_path / "cache")
    cut = replace(remote_2019(), url=http_server.add("/cut.zip", zipped(GOOD), truncate_to=500))
    with pytest.raises(FetchError, match="closed before the whole body arrived"):
        download(cut, tmp_path / "cache", retries=1, backoff=0.01)
    assert cached(page, tmp_path / "cache") is None and cached(cut, tmp_path / "cache") is None
