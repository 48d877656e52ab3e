"""GDELT 1.0/2.0 events: file lists, downloads from a local server, de-duplication, classes, and bad input."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchError, RemoteFile, fetch
from silkscope.ingest import ingest
from silkscope.sources.gdelt import CAMEO_NOT_ISO, Gdelt1, Gdelt2
from silkscope.sources.gdelt_files import (
    COLUMNS_V1_DAILY,
    COLUMNS_V1_HISTORICAL,
    COLUMNS_V2,
    v1_file_names,
    v2_exports_in_list,
    v2_stamps,
)
from warehouse_helpers import checksum

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gdelt"
V2_STAMPS = ("20150301000000", "20150301001500", "20150301003000")
V1_DAYS = ("20150301", "20150302")
PUBLISHED_V2 = "http://data.gdeltproject.org/gdeltv2/"


def zipped(member: str, data: bytes | None = None) -> bytes:
    """One deflated member, as GDELT ships its exports; a fixed timestamp keeps the bytes (and checksum) stable."""
    buffer = io.BytesIO()
    info = zipfile.ZipInfo(member, date_time=(2015, 3, 2, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data if data is not None else (FIXTURES / member).read_bytes())
    return buffer.getvalue()


def v2_zips() -> dict[str, bytes]:
    return {f"{s}.export.CSV.zip": zipped(f"{s}.export.CSV") for s in V2_STAMPS}


def v1_zips() -> dict[str, bytes]:
    files = {f"{d}.export.CSV.zip": zipped(f"{d}.export.CSV") for d in V1_DAYS}
    files["201303.zip"] = zipped("201303.csv")
    return files


def fetched(tmp_path: Path, zips: dict[str, bytes], subdir: str) -> list:
    """Put the zips in a mirror folder and fetch them the way an air-gapped analyst would."""
    mirror = tmp_path / "mirror"
    (mirror / subdir).mkdir(parents=True, exist_ok=True)
    for name, data in zips.items():
        (mirror / subdir / name).write_bytes(data)
    return [
        fetch(RemoteFile(f"http://data.gdeltproject.org/x/{n}", n, mirror_subdir=subdir), mirror=mirror,
              cache_dir=tmp_path / "cache")
        for n in sorted(zips)
    ]  # fmt: skip


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# --- formats and file lists -------------------------------------------------------------------------------------
def test_column_lists_follow_the_codebooks():
    assert len(COLUMNS_V1_HISTORICAL) == 57 and COLUMNS_V1_HISTORICAL[-1] == "DATEADDED"
    assert [*COLUMNS_V1_HISTORICAL, "SOURCEURL"] == COLUMNS_V1_DAILY
    assert len(COLUMNS_V2) == 61 and COLUMNS_V2[-2:] == ["DATEADDED", "SOURCEURL"]
    assert COLUMNS_V2[7] == COLUMNS_V1_DAILY[7] == "Actor1CountryCode"
    assert COLUMNS_V2[17] == "Actor2CountryCode" and COLUMNS_V2[26] == "EventCode"
    assert COLUMNS_V2[30] == "GoldsteinScale" and COLUMNS_V2[33] == "NumArticles"
    assert COLUMNS_V2[39] == "Actor1Geo_ADM2Code" and "Actor1Geo_ADM2Code" not in COLUMNS_V1_DAILY
    for name in (*V2_STAMPS,):
        first = (FIXTURES / f"{name}.export.CSV").read_text(encoding="utf-8").splitlines()[0]
        assert len(first.split("\t")) == 61
    assert len((FIXTURES / "20150301.export.CSV").read_text().splitlines()[0].split("\t")) == 58
    assert len((FIXTURES / "201303.csv").read_text().splitlines()[0].split("\t")) == 57


def test_v1_file_list_is_one_url_per_day_with_backfiles_before_april_2013():
    assert v1_file_names(date(2013, 3, 30), date(2013, 4, 2)) == [
        "201303.zip",
        "20130401.export.CSV.zip",
        "20130402.export.CSV.zip",
    ]
    assert v1_file_names(date(2005, 12, 31), date(2006, 1, 1)) == ["2005.zip", "200601.zip"]
    urls = [r.url for r in Gdelt1("2015-03-01", "2015-03-02").remote_files()]
    assert urls == [
        "http://data.gdeltproject.org/events/20150301.export.CSV.zip",
        "http://data.gdeltproject.org/events/20150302.export.CSV.zip",
    ]
    with pytest.raises(ValueError, match="before it starts"):
        Gdelt1("2015-03-02", "2015-03-01")


def test_v2_generated_list_has_96_quarters_a_day():
    stamps = v2_stamps(datetime(2015, 3, 1), datetime(2015, 3, 1, 23, 45))
    assert len(stamps) == 96 and stamps[1] == datetime(2015, 3, 1, 0, 15)
    files = Gdelt2(date(2015, 3, 1), date(2015, 3, 2)).remote_files()
    assert len(files) == 192 and files[0].name == "20150301000000.export.CSV.zip"
    assert all(f.expect == (b"PK\x03\x04",) and f.mirror_subdir == "gdelt/gdeltv2" for f in files)
    assert [f.name for f in Gdelt2("20150301001000", "20150301003000").remote_files()] == [
        "20150301000000.export.CSV.zip",
        "20150301001500.export.CSV.zip",
        "20150301003000.export.CSV.zip",
    ]


def test_master_list_keeps_exports_only():
    found = v2_exports_in_list((FIXTURES / "masterfilelist.txt").read_text().splitlines())
    assert len(found) == 5 and all(u.endswith(".export.CSV.zip") for u in found.values())


# --- downloads against a local server -----------------------------------------------------------------------------
def serve_v2(http_server) -> str:
    base = f"{http_server.base_url}/gdeltv2/"
    for name in ("masterfilelist.txt", "lastupdate.txt"):
        http_server.add(f"/gdeltv2/{name}", (FIXTURES / name).read_text().replace(PUBLISHED_V2, base))
    for name, data in v2_zips().items():
        http_server.add(f"/gdeltv2/{name}", data)
    return base


def test_download_from_master_list_and_ingest(http_server, tmp_path, db):
    base = serve_v2(http_server)
    connector = Gdelt2("20150301000000", "20150301003000", listing="master", base_url=base, cache_dir=tmp_path)
    remotes = connector.remote_files()
    assert [r.name for r in remotes] == [f"{s}.export.CSV.zip" for s in V2_STAMPS]  # not 2015-02-18, not 00:45
    files = [fetch(r, cache_dir=tmp_path) for r in remotes]
    assert {f.origin for f in files} == {"download"}
    assert not [p for p in http_server.requests if "mentions" in p or "gkg" in p]
    report = ingest("gdelt2", files, db)
    assert report.changed and report.row_counts == {"core.news_events": 15}
    latest = Gdelt2(listing="latest", base_url=base, cache_dir=tmp_path).remote_files()
    assert [r.name for r in latest] == ["20150301003000.export.CSV.zip"]


def test_v1_download_one_url_per_day(http_server, tmp_path, db):
    for name, data in v1_zips().items():
        http_server.add(f"/events/{name}", data)
    connector = Gdelt1("2015-03-01", "2015-03-02", base_url=f"{http_server.base_url}/events/")
    files = [fetch(r, cache_dir=tmp_path) for r in connector.remote_files()]
    assert http_server.requests == ["/events/20150301.export.CSV.zip", "/events/20150302.export.CSV.zip"]
    assert ingest("gdelt1", files, db).row_counts == {"core.news_events": 5}


def test_download_failures_are_clear_and_cache_nothing(http_server, tmp_path):
    base = serve_v2(http_server)
    http_server.add("/gdeltv2/20150301001500.export.CSV.zip", b"<html><body>Service temporarily unavailable</body>")
    connector = Gdelt2("20150301000000", "20150301004500", base_url=base)
    remotes = {r.name: r for r in connector.remote_files()}
    with pytest.raises(FetchError, match="does not look like the expected file"):
        fetch(remotes["20150301001500.export.CSV.zip"], cache_dir=tmp_path)
    with pytest.raises(FetchError, match="HTTP 404"):  # a generated quarter GDELT never published
        fetch(remotes["20150301004500.export.CSV.zip"], cache_dir=tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".zip", ".part")]


# --- harmonising --------------------------------------------------------------------------------------------------
def test_v2_dedup_by_dyad_code_url_and_day(tmp_path, db):
    events_before = rows(db, "SELECT count(*) FROM core.events")[0][0]
    report = ingest("gdelt2", fetched(tmp_path, v2_zips(), "gdelt/gdeltv2"), db)
    assert report.changed
    assert rows(db, "SELECT count(*) FROM raw.gdelt2_events")[0][0] == 30
    classes = dict(rows(db, "SELECT event_class, sum(event_count) FROM core.news_events GROUP BY 1"))
    assert classes == {"visit_made": 5, "visit_hosted": 2, "meeting": 4, "agreement": 2, "other": 2}
    # The Astana report: twice in the first file, once in each later file -> one event, four records merged.
    (astana,) = rows(
        db,
        """SELECT event_count, num_mentions, len(source_ids), note FROM core.news_events
        WHERE actor1_iso3 = 'CHN' AND actor2_iso3 = 'KAZ' AND event_date = DATE '2015-03-01'
          AND source_url LIKE '%xi-astana-visit.html'""",
    )
    assert astana[:3] == (1, 12, 3) and "Merged 4 GDELT record(s)" in astana[3]
    # Same URL on another day, another URL on the same day, the host's side (043): distinct events.
    assert rows(db, "SELECT count(*) FROM core.news_events WHERE source_url LIKE '%xi-astana%'")[0][0] == 4
    dyads = set(rows(db, "SELECT actor1_iso3, actor2_iso3 FROM core.news_events"))
    assert ("EUU", "KAZ") in dyads and ("KGZ", "JPN") in dyads and ("TKM", "TUR") in dyads
    assert not dyads & {("USA", "CHN"), ("KAZ", "UZB"), ("FRA", "KAZ"), ("GBR", "KAZ")}
    assert {"SER", "ROM"} <= set(CAMEO_NOT_ISO)
    meta = rows(db, "SELECT DISTINCT citation_status, note LIKE 'News-derived: GDELT 2.0%' FROM core.news_events")
    assert meta == [("cited", True)]
    assert rows(db, "SELECT count(*) FROM core.events")[0][0] == events_before  # never the curated timeline


def test_v1_daily_and_backfile_columns(tmp_path, db):
    ingest("gdelt1", fetched(tmp_path, v1_zips(), "gdelt/events"), db)
    assert rows(db, "SELECT count(*), sum(event_count) FROM core.news_events")[0] == (8, 9)
    assert rows(
        db,
        """SELECT event_count, source_url, num_mentions FROM core.news_events
        WHERE event_date = DATE '2013-03-05' AND actor1_iso3 = 'CHN'""",
    ) == [(2, None, 8)]  # backfile: no SOURCEURL, so both records count
    (merged,) = rows(db, "SELECT len(source_ids) FROM core.news_events WHERE source_url LIKE '%xi-astana-visit%'")
    assert merged == (2,)  # the day-1 report, repeated in the day-2 file


def test_reingest_is_a_no_op(tmp_path, db):
    files = fetched(tmp_path, v2_zips(), "gdelt/gdeltv2")
    assert ingest("gdelt2", files, db).changed
    before = checksum(db)
    again = ingest("gdelt2", files, db)
    assert not again.changed and again.row_counts == {"core.news_events": 15}
    assert checksum(db) == before


def test_a_newer_edition_replaces_the_older(tmp_path, db):
    first = fetched(tmp_path / "a", v2_zips(), "gdelt/gdeltv2")
    ingest("gdelt2", first, db)
    lines = (FIXTURES / "20150301003000.export.CSV").read_text(encoding="utf-8").splitlines(keepends=True)
    revised = v2_zips() | {
        "20150301003000.export.CSV.zip": zipped("20150301003000.export.CSV", "".join(lines[:2]).encode())
    }
    second = fetched(tmp_path / "b", revised, "gdelt/gdeltv2")
    report = ingest("gdelt2", second, db)
    # The revision keeps two lines of the 00:30 file: the CHN-TJK appeal goes, the rest were duplicates or dropped.
    assert report.changed and report.row_counts == {"core.news_events": 14}
    sources = rows(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = 'gdelt2'")
    assert len(sources) == 4 and sum(s for _, s in sources) == 1
    old = next(f for f in first if f.remote.name.startswith("20150301003000"))
    assert (f"gdelt2_{old.sha256[:12]}", True) in sources
    assert rows(db, "SELECT count(*) FROM core.news_events")[0][0] == 14
    assert not rows(db, "SELECT * FROM core.news_events WHERE actor2_iso3 = 'TJK' AND actor1_iso3 = 'CHN'")


# --- bad input: a located InputError and an unchanged warehouse ---------------------------------------------------
def _edit(member: str, line: int, field: int, value: str) -> bytes:
    lines = (FIXTURES / member).read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[line - 1].rstrip("\n").split("\t")
    cells[field] = value
    lines[line - 1] = "\t".join(cells) + "\n"
    return "".join(lines).encode("utf-8")


def _drop_field(member: str, line: int) -> bytes:
    lines = (FIXTURES / member).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = "\t".join(lines[line - 1].split("\t")[:-2]) + "\t" + lines[line - 1].split("\t")[-1]
    return "".join(lines).encode("utf-8")


M = "20150301001500.export.CSV"
BAD = {
    "wrong delimiter": (zipped(M, (FIXTURES / M).read_text().replace("\t", ",").encode()), 1, "(columns)"),
    "missing column": (zipped(M, _drop_field(M, 3)), 3, "(columns)"),
    "wrong type": (zipped(M, _edit(M, 2, COLUMNS_V2.index("NumMentions"), "many")), 2, "num_mentions"),
    "bad date": (zipped(M, _edit(M, 4, COLUMNS_V2.index("SQLDATE"), "2015-03-01")), 4, "sqldate"),
    "unknown country code": (zipped(M, _edit(M, 5, COLUMNS_V2.index("Actor2CountryCode"), "XYZ")), 5,
                             "actor2_country_code"),
    "wrong encoding": (zipped(M, _edit(M, 6, COLUMNS_V2.index("Actor1Name"), "CÔTE").decode().encode("latin-1")), 6,
                       "(columns)"),
    "truncated zip": (zipped(M)[:-40], 0, "(file)"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_located_and_changes_nothing(case, tmp_path, db):
    ingest("gdelt2", fetched(tmp_path / "good", {"20150301000000.export.CSV.zip": v2_zips()[
        "20150301000000.export.CSV.zip"]}, "gdelt/gdeltv2"), db)  # fmt: skip
    before = checksum(db)
    data, line, column = BAD[case]
    zips = v2_zips() | {f"{M}.zip": data}
    with pytest.raises(InputError) as caught:
        ingest("gdelt2", fetched(tmp_path / "bad", zips, "gdelt/gdeltv2"), db)
    problem = caught.value.problems[0]
    assert f"{M}.zip" in problem.file and problem.line == line and problem.column == column, problem
    assert "the warehouse was not changed" in str(caught.value)
    assert checksum(db) == before
