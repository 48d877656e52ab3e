"""China Vitae leader engagements: classification rules, offices by date, download, ingest, bad input, real file."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from silkscope.build import build
from silkscope.countries import C5
from silkscope.errors import InputError
from silkscope.fetch import FetchError, fetch
from silkscope.ingest import ingest
from silkscope.sources.chinavitae import FILE, URL, ChinaVitae, classify, level_on
from warehouse_helpers import checksum

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "chinavitae" / FILE
HEADER = "date,year,country,leader,text\n"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


def mirrored(tmp_path: Path, data: bytes) -> list:
    """The CSV placed in a mirror folder (chinavitae/), fetched as an air-gapped analyst would."""
    folder = tmp_path / "mirror" / "chinavitae"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE).write_bytes(data)
    return [fetch(ChinaVitae().remote_files()[0], mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache")]


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- rules ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "counterpart", "kind", "rule"),
    [
        ("Xi Jinping travelled to Kazakhstan, Astana ", "KAZ", "travel", "record:presence@counterpart"),
        ("Xi Jinping travelled to USA, New York, New York and met with the following: X (President of Y)", "USA",
         "travel", "record:meeting@counterpart"),
        ("Xi Jinping was in Beijing Municipality and met with the following:  Nursultan Nazarbayev", "KAZ",
         "meeting_at_home", "record:meeting@china"),
        ("Xi Jinping travelled to Hainan Province, Sanya City and met with the following: N. Nazarbayev", "KAZ",
         "meeting_at_home", "record:meeting@china"),
        ("Xi Jinping travelled to Russia, St. Petersburg and met with the following: E. Pena Nieto", "MEX", "other",
         "record:meeting@third_country"),
        ("Li Keqiang travelled to Tajikistan, Dushanbe Others Attending: Wang Yi", "TJK", "travel",
         "record:presence@counterpart"),
        ("  travelled to  and met with the following: Chan Lien", "TWN", "other", "unclassified"),
        ("Xi congratulates Salih on election as Iraqi president (Beijing Municipality) ", "IRQ", "other",
         "headline:not_a_meeting@china"),
        ("Wen Jiabao held talks with Cambodian Prime Minister Hun Sen. (Beijing Municipality) ", "KHM",
         "meeting_at_home", "headline:meeting@china"),
        ("Wen Jiabao met with German President Johannes Rau. (Germany, Berlin) ", "DEU", "travel",
         "headline:meeting@counterpart"),
        ("Li Zhaoxing held talks with U.S. Secretary of State Condoleezza Rice over phone. (Finland, Helsinki)",
         "FIN", "other", "headline:not_a_meeting@counterpart"),
        ("Australian PM's visit to China will enhance trust: Chinese Ambassador (Australia, Canberra)", "AUS",
         "other", "headline:none@counterpart"),
        ("Hu Jintao was welcomed by Gabonese President Omar Bongo at the airport. (Gabon, Libreville) ", "GAB",
         "travel", "headline:presence@counterpart"),
        ("China, Pakistan elevate relations, commit to long-lasting friendship (Pakistan, Islamabad) ", "PAK",
         "other", "headline:none@counterpart"),
        ("Xi Jinping travelled to Czechoslovakia, Prague and met with the following: Milos Zeman", "CZE", "travel",
         "record:meeting@counterpart"),
        ("Li Zhaoxing held talks with Momodu Koroma, Minister of Foreign Affairs of Sierra Leone. () ", "SLE",
         "other", "unclassified"),
    ],
)  # fmt: skip
def test_classification_rules(text, counterpart, kind, rule):
    found = classify(text, counterpart)
    assert (found.kind, found.rule) == (kind, rule)


def test_level_by_date():
    assert level_on("Yang Jiechi", date(2012, 5, 1)) == "foreign_minister"
    assert level_on("Yang Jiechi", date(2014, 6, 18)) == "state_councilor"
    assert level_on("Xi Jinping", date(2013, 3, 14)) == "head_of_state"
    assert level_on("Hu Jintao", date(2013, 3, 14)) is None  # Xi's first day
    assert level_on("Li Zhaoxing", date(2003, 3, 23)) == "foreign_minister"
    assert level_on("Li Keqiang", date(2014, 12, 14)) == "head_of_government"
    assert level_on("Jiang Zemin", date(2003, 1, 1)) is None


# --- download -----------------------------------------------------------------------------------------------------
def test_remote_file_is_the_published_derivation():
    (remote,) = ChinaVitae().remote_files()
    assert remote.url == URL and URL.endswith("/data/leaderdf.rds") and "gbwalker" in URL
    assert remote.name == FILE and remote.mirror_subdir == "chinavitae"
    assert "China Vitae" in ChinaVitae.citation and "leaderdf.rds" in ChinaVitae.citation


def test_download_and_ingest(http_server, tmp_path, db):
    url = http_server.add("/cv/engagements.csv", FIXTURE.read_bytes(), content_type="text/csv")
    file = fetch(ChinaVitae(url).remote_files()[0], cache_dir=tmp_path)
    assert file.origin == "download" and file.path.read_bytes() == FIXTURE.read_bytes()
    assert ingest("chinavitae", [file], db).row_counts == {"core.leader_engagements": 23}


def test_download_failures(http_server, tmp_path):
    page = http_server.add("/cv/page.csv", b"<!DOCTYPE html><html><body>China Vitae: page not found</body></html>")
    with pytest.raises(FetchError, match="does not look like the expected file"):
        fetch(ChinaVitae(page).remote_files()[0], cache_dir=tmp_path)
    down = http_server.add("/cv/down.csv", FIXTURE.read_bytes(), fail_first=99)
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch(ChinaVitae(down).remote_files()[0], cache_dir=tmp_path / "c2", refresh=True)
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".csv", ".part")]


# --- ingest -------------------------------------------------------------------------------------------------------
def test_fixture_ingest(tmp_path, db):
    events_before = rows(db, "SELECT count(*) FROM core.events")[0][0]
    report = ingest("chinavitae", mirrored(tmp_path, FIXTURE.read_bytes()), db)
    assert report.changed and report.row_counts == {"core.leader_engagements": 23}
    assert rows(db, "SELECT count(*) FROM raw.chinavitae_leader_engagements")[0][0] == 23
    kinds = dict(rows(db, "SELECT kind, count(*) FROM core.leader_engagements GROUP BY 1"))
    assert kinds == {"travel": 12, "meeting_at_home": 4, "other": 7}
    # Quoted line breaks: records keep the line they start on (the Germany row is the 11th record, line 15).
    assert rows(db, "SELECT record FROM core.leader_engagements WHERE counterpart_iso3 = 'DEU'") == [
        ("raw.chinavitae_leader_engagements:15",)
    ]
    assert rows(db, "SELECT kind FROM core.leader_engagements WHERE counterpart_iso3 = 'GBR'") == [("travel",)]
    levels = dict(
        rows(db, "SELECT leader || ' ' || year, level FROM core.leader_engagements WHERE leader LIKE 'Yang%'")
    )
    assert levels == {"Yang Jiechi 2011": "foreign_minister", "Yang Jiechi 2013": "foreign_minister",
                      "Yang Jiechi 2014": "state_councilor"}  # fmt: skip
    assert rows(db, "SELECT DISTINCT leader_iso3, citation_status FROM core.leader_engagements") == [("CHN", "cited")]
    assert rows(db, "SELECT count(*) FROM core.leader_engagements WHERE note LIKE '%rule unclassified%'") == [(1,)]
    assert rows(db, "SELECT count(*) FROM core.events")[0][0] == events_before


def test_reingest_is_a_no_op(tmp_path, db):
    files = mirrored(tmp_path, FIXTURE.read_bytes())
    assert ingest("chinavitae", files, db).changed
    before = checksum(db)
    again = ingest("chinavitae", files, db)
    assert not again.changed and again.row_counts == {"core.leader_engagements": 23}
    assert checksum(db) == before


def test_a_newer_edition_replaces_the_older(tmp_path, db):
    first = mirrored(tmp_path / "a", FIXTURE.read_bytes())
    ingest("chinavitae", first, db)
    lines = FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    second = mirrored(tmp_path / "b", "".join(lines[:9]).encode())  # an edition with the first 8 records
    report = ingest("chinavitae", second, db)
    assert report.changed and report.row_counts == {"core.leader_engagements": 8}
    sources = rows(db, "SELECT source_id, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = 'chinavitae'")
    assert sorted(sources) == sorted([(f"chinavitae_{first[0].sha256[:12]}", True),
                                      (f"chinavitae_{second[0].sha256[:12]}", False)])  # fmt: skip
    assert rows(db, "SELECT count(*) FROM core.leader_engagements")[0][0] == 8


def _replace(line: int, old: str, new: str) -> bytes:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "".join(lines).encode("utf-8")


BAD = {
    "wrong delimiter": (FIXTURE.read_text().replace(",", ";").encode(), 1, "leader"),
    "renamed column": (_replace(1, "leader", "person"), 1, "leader"),
    "wrong type": (_replace(3, "2013-09-09", "2013-09-31"), 3, "date"),
    "year not the date's": (_replace(5, "2015-09-01,2015", "2015-09-01,2014"), 5, "year"),
    "unknown country": (_replace(16, "England", "Englnd"), 16, "country"),
    "unknown leader": (_replace(8, "Xi Jinping,", "Xi Jingping,"), 8, "leader"),
    "date outside the offices": (_replace(9, "2008-01-24,2008", "2014-01-24,2014"), 9, "date"),
    "wrong encoding": (_replace(4, "Emomali Rakhmon", "Emomali Rakhmôn").decode().encode("latin-1"), 4, "(file)"),
    "truncated file": (FIXTURE.read_bytes()[: FIXTURE.read_bytes().index(b"Seychelles")], 10, "(file)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_located_and_changes_nothing(case, tmp_path, db):
    ingest("chinavitae", mirrored(tmp_path / "good", FIXTURE.read_bytes()), db)
    before = checksum(db)
    data, line, column = BAD[case]
    with pytest.raises(InputError) as caught:
        ingest("chinavitae", mirrored(tmp_path / "bad", data), db)
    problem = caught.value.problems[0]
    assert FILE in problem.file and problem.line == line and column in problem.column, problem
    assert checksum(db) == before


# --- the real file ------------------------------------------------------------------------------------------------
# Records whose place is not stated ("X travelled to  and met with the following: ...", a headline ending "()"
# with a meeting): 30 activity records of October 2003, July 2003, April 2009, August 2010 and 2014, and one
# headline of August 2003. Lines as an editor shows them.
UNCLASSIFIED_LINES = [
    674, 688, 1149, 2957, 2958, 2959, 3546, 3547, 3548, 3549, 3550, 3551, 3552, 3553, 3554, 3555,
    4725, 4726, 5731, 5732, 5733, 5734, 5735, 5736, 5737, 5738, 5739, 5773, 5775, 5776, 5777,
]  # fmt: skip


@pytest.fixture(scope="module")
def real_db(tmp_path_factory, shared_dir) -> Path:
    tmp = tmp_path_factory.mktemp("chinavitae_real")
    build(tmp / "w.duckdb")
    file = fetch(ChinaVitae().remote_files()[0], mirror=shared_dir / "data", cache_dir=tmp / "cache")
    assert file.origin.startswith("mirror:")
    ingest("chinavitae", [file], tmp / "w.duckdb")
    return tmp / "w.duckdb"


@pytest.fixture(scope="module")
def real_rows(shared_dir) -> list[dict[str, str]]:
    with (shared_dir / "data" / "chinavitae" / FILE).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.realdata
def test_real_file_every_row_kept(real_db, real_rows):
    assert len(real_rows) == 5649
    assert rows(real_db, "SELECT count(*) FROM raw.chinavitae_leader_engagements")[0][0] == 5649
    assert rows(real_db, "SELECT count(*) FROM core.leader_engagements")[0][0] == 5649  # the world: the baseline
    c5_names = {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"}
    assert sum(r["country"] in c5_names for r in real_rows) == 294
    assert rows(real_db, f"SELECT count(*) FROM core.leader_engagements WHERE counterpart_iso3 IN {C5}")[0][0] == 294
    england = sum(r["country"] in ("England", "Wales") for r in real_rows)
    assert rows(real_db, "SELECT count(*) FROM core.leader_engagements WHERE counterpart_iso3 = 'GBR'") == [(england,)]


@pytest.mark.realdata
def test_real_file_kinds(real_db):
    kinds = dict(rows(real_db, "SELECT kind, count(*) FROM core.leader_engagements GROUP BY 1"))
    assert kinds == {"travel": 1677, "meeting_at_home": 2373, "other": 1599}
    c5 = dict(
        rows(real_db, f"SELECT kind, count(*) FROM core.leader_engagements WHERE counterpart_iso3 IN {C5} GROUP BY 1")
    )
    assert c5 == {"travel": 126, "meeting_at_home": 96, "other": 72}
    levels = dict(rows(real_db, "SELECT level, count(*) FROM core.leader_engagements GROUP BY 1"))
    assert levels == {"head_of_state": 2000, "head_of_government": 1488, "foreign_minister": 2161}


@pytest.mark.realdata
def test_real_file_xi_travel_to_kazakhstan(real_db, real_rows):
    # Counted from the file: six records "Xi Jinping travelled to Kazakhstan, ..." and the headline "Xi visits
    # Chinese pavilion at Astana Expo ... (Kazakhstan, Astana)" = 7 engagement days on 3 trips (2013, 2015, 2017).
    mine = [r for r in real_rows if r["leader"] == "Xi Jinping" and r["country"] == "Kazakhstan"]
    records = [r for r in mine if r["text"].startswith("Xi Jinping travelled to Kazakhstan")]
    headlines = [r for r in mine if r["text"].rstrip().endswith("(Kazakhstan, Astana)") and " visits " in r["text"]]
    assert (len(records), len(headlines)) == (6, 1)
    travel = rows(
        real_db,
        """SELECT engagement_date FROM core.leader_engagements WHERE leader = 'Xi Jinping'
        AND counterpart_iso3 = 'KAZ' AND kind = 'travel' AND year BETWEEN 2013 AND 2018 ORDER BY 1""",
    )
    assert [d for (d,) in travel] == [date(2013, 9, 7), date(2013, 9, 9), date(2015, 5, 7), date(2017, 6, 7),
                                      date(2017, 6, 8), date(2017, 6, 9), date(2017, 6, 10)]  # fmt: skip
    # The meetings with Nazarbayev in Sanya (2013), Shanghai (2014, twice) and Beijing (2015) are at home.
    assert rows(real_db, """SELECT count(*) FROM core.leader_engagements WHERE leader = 'Xi Jinping'
        AND counterpart_iso3 = 'KAZ' AND kind = 'meeting_at_home'""") == [(4,)]  # fmt: skip


@pytest.mark.realdata
def test_real_file_xi_central_asia_tour_september_2013(real_db):
    tour = rows(
        real_db,
        """SELECT counterpart_iso3, min(engagement_date), count(*) FROM core.leader_engagements
        WHERE leader = 'Xi Jinping' AND kind = 'travel' AND engagement_date BETWEEN DATE '2013-09-03'
          AND DATE '2013-09-13' AND counterpart_iso3 IN ('TKM', 'KAZ', 'UZB', 'KGZ')
        GROUP BY 1 ORDER BY 2""",
    )
    assert [(c, d) for c, d, _ in tour] == [("TKM", date(2013, 9, 4)), ("KAZ", date(2013, 9, 7)),
                                            ("UZB", date(2013, 9, 8)), ("KGZ", date(2013, 9, 10))]  # fmt: skip
    assert [n for *_, n in tour] == [1, 2, 3, 4]
    # The G20 in St. Petersburg in between is travel to Russia; meeting other leaders there is not travel to them.
    assert rows(real_db, """SELECT DISTINCT kind FROM core.leader_engagements WHERE leader = 'Xi Jinping'
        AND engagement_date = DATE '2013-09-06' AND counterpart_iso3 IN ('USA', 'DEU')""") == [("other",)]  # fmt: skip


@pytest.mark.realdata
def test_real_file_unclassified_rows_are_listed(real_db):
    found = rows(
        real_db,
        """SELECT split_part(record, ':', 2)::INTEGER AS line FROM core.leader_engagements
        WHERE note LIKE '%rule unclassified%' ORDER BY line""",
    )
    assert [line for (line,) in found] == UNCLASSIFIED_LINES
    assert len(UNCLASSIFIED_LINES) == 31
