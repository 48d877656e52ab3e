"""WDI in Open Numbers' DDF layout: mirror files, per-file editions, the WDI harmonisation, bad input, real files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from silkscope.build import build
from silkscope.claims import check_text
from silkscope.errors import InputError
from silkscope.fetch import FetchError, cached
from silkscope.ingest import fetch_source, ingest
from silkscope.sources import wdi_ddf_editions as editions
from silkscope.sources.wdi_codes import DAC_DEFINITION, EUU_NOTE
from silkscope.sources.wdi_ddf import WdiDdf
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wdi_ddf"
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
PREFIX = "ddf--datapoints--{}--by--economy--year"
JPN_C5 = PREFIX.format("dc_dac_jpnl_cd") + ".c5.csv"
JPN_CAUCASUS = PREFIX.format("dc_dac_jpnl_cd") + ".caucasus.csv"
JPN_FULL = PREFIX.format("dc_dac_jpnl_cd") + ".csv"
USA_OLD = PREFIX.format("dc_dac_usal_cd") + ".c5.csv"  # ends in 2018
USA_NEW = PREFIX.format("dc_dac_usal_cd") + ".csv"  # ends in 2020, revises KAZ 2017
GDP = PREFIX.format("ny_gdp_mktp_cd") + ".csv"
NOT_USA = sorted(p.name for p in FIXTURES.iterdir() if "usal" not in p.name)
OLD, NEW = "0656517bbd3dfcd9e0d834cb6039de0d64753c61", "2ba00a5a1fa8a67b1b290b130ed538b7db894264"
C5 = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


def mirror(tmp_path: Path, names=(), extra: dict[str, bytes] | None = None) -> Path:
    """A mirror folder laid out like ../shared/data: the named fixtures, plus `extra` files, in wdi/."""
    folder = tmp_path / "mirror" / "wdi"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(fixture(name))
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    return tmp_path / "mirror"


def load(tmp_path: Path, db: Path, names=(), extra: dict[str, bytes] | None = None):
    files = WdiDdf().fetch_files(mirror=mirror(tmp_path, names, extra), cache_dir=tmp_path / "cache")
    return ingest("wdi_ddf", files, db)


def flows(db: Path, donor: str) -> dict[tuple[str, int], float]:
    sql = "SELECT country_iso3, year, amount_usd FROM core.finance_flows WHERE donor_iso3 = ? AND source_id LIKE ?"
    rows = query(db, sql, [donor, "wdi_ddf_%"])
    return {(c, y): v for c, y, v in rows}


def notes(db: Path, donor: str) -> dict[str, set[str]]:
    rows = query(
        db,
        "SELECT country_iso3, note FROM core.finance_flows WHERE donor_iso3 = ? AND source_id LIKE 'wdi_ddf_%'",
        [donor],
    )
    out: dict[str, set[str]] = {}
    for country, note in rows:
        out.setdefault(country, set()).add(note)
    return out


# ------------------------------------------------------------------------------------------------ harmonisation


def test_dac_donors_are_finance_flows_and_the_rest_indicators(tmp_path, db):
    report = load(tmp_path, db, NOT_USA)
    assert report.changed and report.edition.startswith("mixed: sha256:")
    assert report.row_counts == {"core.indicators": 12, "core.finance_flows": 13}
    jpn = flows(db, "JPN")
    assert len(jpn) == 11  # the C5 copy and the Caucasus copy both taken
    assert sum(v for (c, y), v in jpn.items() if y == 1993) == pytest.approx(2_569_999.99, abs=0.01)
    assert sum(v for (c, y), v in jpn.items() if y == 2003 and c in C5) == pytest.approx(242_290_005.21, abs=0.01)
    assert jpn[("UZB", 2002)] == -3_010_000.0  # net repayments stay negative
    row = query(
        db,
        "SELECT flow_class, measure, price_basis, base_year, currency, definition, record, note, fact_id "
        "FROM core.finance_flows WHERE donor_iso3 = 'JPN' AND country_iso3 = 'KAZ' AND year = 1993",
    )[0]
    assert row[:6] == ("oda_total", "disbursement_net", "current", None, "USD", DAC_DEFINITION)
    assert row[6] == f"raw.wdi_ddf_datapoints:{JPN_C5}:2"
    assert row[7].startswith("Open Numbers WDI edition sha256:") and "dc_dac_jpnl_cd" in row[7]
    assert row[8].endswith(":DC.DAC.JPNL.CD:KAZ:1993")
    # EU institutions credit the EU; aggregates (eas, wld) stay in raw
    assert flows(db, "EUU") == {("KAZ", 2003): 9_120_000.0, ("KGZ", 2003): 15_550_000.0}
    assert query(db, "SELECT count(*) FROM raw.wdi_ddf_datapoints WHERE economy IN ('wld', 'eas', 'emu')") == [(4,)]
    indicators = query(
        db,
        "SELECT indicator_code, country_iso3, year, value, unit, partner_iso3, definition, note FROM core.indicators "
        "WHERE source_id LIKE 'wdi_ddf_%' ORDER BY 1, 2",
    )
    got = {(code, c): (v, unit, partner) for code, c, y, v, unit, partner, _, _ in indicators}
    assert got == {
        ("BX.KLT.DINV.CD.WD", "KAZ"): (2092000000.0, "USD current", None),
        ("BX.KLT.DINV.CD.WD", "KGZ"): (45530000.0, "USD current", None),
        ("BX.KLT.DINV.CD.WD", "TKM"): (-12000000.0, "USD current", None),
        ("DC.DAC.TOTL.CD", "KAZ"): (150000000.0, "USD current", None),
        ("DC.DAC.TOTL.CD", "UZB"): (180000000.0, "USD current", None),
        ("DT.ODA.ODAT.CD", "KAZ"): (268460000.0, "USD current", None),
        ("DT.ODA.ODAT.CD", "UZB"): (194470000.0, "USD current", None),
        ("NY.GDP.MKTP.CD", "EUU"): (11865900000000.0, "USD current", None),
        ("NY.GDP.MKTP.CD", "KAZ"): (30833693709.2056, "USD current", None),
        ("NY.GDP.MKTP.CD", "UZB"): (10128112401.0, "USD current", None),
        ("PA.NUS.FCRF", "DEU"): (0.8840479272, "LCU per USD", None),
        ("PA.NUS.FCRF", "KAZ"): (149.5756666667, "LCU per USD", None),
    }
    definitions = {code: d for code, _, _, _, _, _, d, _ in indicators}
    assert (
        "all DAC member countries" in definitions["DC.DAC.TOTL.CD"]
        and "not attributable" in definitions["DC.DAC.TOTL.CD"]
    )
    assert "LCU per US$" not in definitions["PA.NUS.FCRF"] and "local currency units" in definitions["PA.NUS.FCRF"]
    euu_note = next(n for code, c, *_, n in indicators if c == "EUU")
    assert "edition" in euu_note and EUU_NOTE in euu_note


def test_reingest_is_a_no_op_and_every_file_has_its_source_row(tmp_path, db):
    first = load(tmp_path, db, NOT_USA)
    sources = query(db, "SELECT title, version FROM core.sources WHERE loaded_by = 'wdi_ddf' ORDER BY title")
    assert len(sources) == len(NOT_USA) and all(v.startswith("sha256:") for _, v in sources)
    before = checksum(db)
    files = WdiDdf().fetch_files(mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache")
    again = ingest("wdi_ddf", files, db)
    assert not again.changed and again.source_ids == first.source_ids and checksum(db) == before


def test_partial_mirror_loads_what_is_there(tmp_path, db):
    report = load(tmp_path, db, [GDP])
    assert report.row_counts == {"core.indicators": 3, "core.finance_flows": 0}
    with pytest.raises(FetchError, match="none of wdi_ddf's files"):
        WdiDdf().fetch_files(mirror=mirror(tmp_path / "empty"), cache_dir=tmp_path / "cache")


# --------------------------------------------------------------------------------------------------------- editions


def test_newer_edition_supersedes_per_series_unknown_files_by_last_year(tmp_path, db):
    report = load(tmp_path, db, [USA_OLD, USA_NEW])
    old, new = f"sha256:{sha(fixture(USA_OLD))[:12]}", f"sha256:{sha(fixture(USA_NEW))[:12]}"
    usa = flows(db, "USA")
    assert usa == {
        ("KAZ", 2016): 55e6,
        ("KAZ", 2017): 43.5e6,  # the newer edition's revision
        ("KAZ", 2018): 30e6,
        ("KAZ", 2019): 28e6,
        ("KAZ", 2020): 35e6,
        ("UZB", 2017): 18e6,
        ("UZB", 2018): 21e6,
        ("UZB", 2020): 40e6,
        ("TKM", 2016): 4e6,  # only the older edition has Turkmenistan: kept, and says so
    }
    by_country = notes(db, "USA")
    assert by_country["KAZ"] == {
        f"Open Numbers WDI edition {new} (datapoints/{USA_NEW}); supersedes edition {old} for this series"
    }
    assert by_country["TKM"] == {f"Open Numbers WDI edition {old} (datapoints/{USA_NEW})"}
    # both files keep their provenance rows, neither is marked superseded (each still gives some series)
    sources = query(
        db, "SELECT source_id, version, superseded_at FROM core.sources WHERE loaded_by = 'wdi_ddf' ORDER BY 2"
    )
    assert sorted(report.source_ids) == sorted(s for s, _, _ in sources)
    assert sorted(v for _, v, _ in sources) == sorted([old, new]) and all(s is None for *_, s in sources)


def test_known_commits_are_ordered_by_the_recorded_order(tmp_path, db, monkeypatch):
    path = f"datapoints/{USA_NEW}"
    monkeypatch.setitem(editions.KNOWN_FILES, sha(fixture(USA_OLD)), (OLD, path))
    monkeypatch.setitem(editions.KNOWN_FILES, sha(fixture(USA_NEW)), (NEW, path))
    load(tmp_path, db, [USA_OLD, USA_NEW])
    assert flows(db, "USA")[("KAZ", 2017)] == 43.5e6
    assert notes(db, "USA")["KAZ"] == {
        f"Open Numbers WDI edition {NEW} ({path}); supersedes edition {OLD} for this series"
    }
    sources = query(db, "SELECT version, url FROM core.sources WHERE loaded_by = 'wdi_ddf' ORDER BY 1")
    assert [v for v, _ in sources] == [OLD, NEW]
    assert all(f"/{v}/datapoints/{USA_NEW}" in url for v, url in sources)
    # the recorded order wins over the years covered: the file ending in 2020 is here the older commit
    monkeypatch.setitem(editions.KNOWN_FILES, sha(fixture(USA_OLD)), (NEW, path))
    monkeypatch.setitem(editions.KNOWN_FILES, sha(fixture(USA_NEW)), (OLD, path))
    other = tmp_path / "other.duckdb"
    build(other)
    load(tmp_path / "swapped", other, [USA_OLD, USA_NEW])
    usa = flows(other, "USA")
    assert usa[("KAZ", 2017)] == 41e6 and ("KAZ", 2019) not in usa and ("UZB", 2020) not in usa


def test_row_filtered_copies_of_one_edition_are_one_edition(tmp_path, db, monkeypatch):
    commit = "26d1ca4d41e9e5f6c5f4b3f1bf46ef828edff9c0"
    full = fixture(JPN_C5) + b"arm,2003,10000000.0000000000\n"  # overlaps both copies, same values
    for data in (fixture(JPN_C5), fixture(JPN_CAUCASUS), full):
        monkeypatch.setitem(editions.KNOWN_FILES, sha(data), (commit, f"datapoints/{JPN_FULL}"))
    report = load(tmp_path, db, [JPN_C5, JPN_CAUCASUS], {JPN_FULL: full})
    assert report.edition == commit and len(report.source_ids) == 3
    assert len(flows(db, "JPN")) == 11  # economy-years held twice are taken once
    assert {n for ns in notes(db, "JPN").values() for n in ns} == {
        f"Open Numbers WDI edition {commit} (datapoints/{JPN_FULL})"
    }
    # copies of one edition that disagree cannot both be right
    before = checksum(db)
    clash = full.replace(b"arm,2003,10000000.0", b"arm,2003,10500000.0")
    monkeypatch.setitem(editions.KNOWN_FILES, sha(clash), (commit, f"datapoints/{JPN_FULL}"))
    with pytest.raises(InputError, match="same edition") as info:
        load(tmp_path / "clash", db, [JPN_C5, JPN_CAUCASUS], {JPN_FULL: clash})
    assert info.value.problems[0].line == 10 and JPN_FULL in info.value.problems[0].file
    assert checksum(db) == before


def test_editions_that_cannot_be_ordered_stop_the_ingest_unless_they_agree(tmp_path, db):
    same_end = fixture(USA_OLD).replace(b"kaz,2017,41000000.0", b"kaz,2017,42000000.0")
    names = [USA_OLD]
    before = checksum(db)
    with pytest.raises(InputError, match="can order") as info:
        load(tmp_path, db, names, {PREFIX.format("dc_dac_usal_cd") + ".v2.csv": same_end})
    assert "series kaz" in info.value.problems[0].found
    assert checksum(db) == before
    agree = fixture(USA_OLD).replace(b"0000\n", b"\n")  # other bytes, same numbers
    load(tmp_path / "agree", db, names, {PREFIX.format("dc_dac_usal_cd") + ".v2.csv": agree})
    assert len(flows(db, "USA")) == 6


# ------------------------------------------------------------------------------------------------------ download


def test_download_at_the_commit_of_each_indicator(http_server, tmp_path, db):
    commit = editions.COMMITS["NY.GDP.MKTP.CD"]
    http_server.add(f"/{commit}/datapoints/{GDP}", fixture(GDP), content_type="text/csv")
    connector = WdiDdf(["NY.GDP.MKTP.CD"], url=http_server.base_url + "/{commit}/datapoints/{file}")
    files = connector.fetch_files(cache_dir=tmp_path / "cache")
    assert http_server.requests == [f"/{commit}/datapoints/{GDP}"] and files[0].origin == "download"
    report = ingest("wdi_ddf", files, db)
    assert report.edition == commit
    assert query(db, "SELECT version FROM core.sources WHERE loaded_by = 'wdi_ddf'") == [(commit,)]


def test_download_of_an_html_page_is_refused_and_not_cached(http_server, tmp_path):
    commit = editions.COMMITS["NY.GDP.MKTP.CD"]
    http_server.add(f"/{commit}/datapoints/{GDP}", b"<!DOCTYPE html><html>429 Too Many Requests</html>")
    connector = WdiDdf(["NY.GDP.MKTP.CD"], url=http_server.base_url + "/{commit}/datapoints/{file}")
    with pytest.raises(FetchError, match="does not look like the expected file"):
        connector.fetch_files(cache_dir=tmp_path / "cache")
    assert cached(connector.remote_files()[0], tmp_path / "cache") is None


# ----------------------------------------------------------------------------------------------------- bad input

GOOD = fixture(JPN_C5)
COL = "dc_dac_jpnl_cd"
BAD = {
    "wrong header": (lambda b: b.replace(b"economy,year", b"country,year"), 1, "economy"),
    "header of another series": (lambda b: b.replace(COL.encode(), b"dc_dac_korl_cd"), 1, COL),
    "value not a number": (lambda b: b.replace(b"60000000.0000000000", b"n/a"), 3, COL),
    "value with thousands separators": (lambda b: b.replace(b"kgz,1993,2000000.0000000000", b'kgz,1993,"2,000,000"'),
                                        4, COL),
    "NaN": (lambda b: b.replace(b"60000000.0000000000", b"NaN"), 3, COL),
    "infinite": (lambda b: b.replace(b"60000000.0000000000", b"inf"), 3, COL),
    "absurd amount": (lambda b: b.replace(b"60000000.0000000000", b"6e16"), 3, COL),
    "year not a year": (lambda b: b.replace(b"kgz,2003", b"kgz,03"), 5, "year"),
    "unknown economy": (lambda b: b.replace(b"tjk,2003", b"tjx,2003"), 6, "economy"),
    "duplicate economy-year": (lambda b: b + b"kaz,2003,1.0\n", 10, "year"),
    "extra field": (lambda b: b.replace(b"tjk,2003,20000000.0000000000", b"tjk,2003,20000000.0,x"), 6, "(file)"),
    "empty file": (lambda b: b"", 1, "(file)"),
    "header only": (lambda b: b.split(b"\n")[0] + b"\n", 2, "(rows)"),
    "HTML error page": (lambda b: b"<!DOCTYPE html>\n<html><body>Rate limit</body></html>\n", 1, "(file)"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_located_and_changes_nothing(tmp_path, db, case):
    load(tmp_path / "good", db, NOT_USA)
    before = checksum(db)
    mutate, line, column = BAD[case]
    names = [n for n in NOT_USA if n != JPN_C5]
    with pytest.raises(InputError) as info:
        load(tmp_path / "bad", db, names, {JPN_C5: mutate(GOOD)})
    problem = info.value.problems[0]
    assert JPN_C5 in problem.file and (problem.line, problem.column) == (line, column), str(info.value)
    assert checksum(db) == before


def test_a_folder_in_place_of_a_file_is_an_error_naming_it(tmp_path, db):
    load(tmp_path / "good", db, NOT_USA)
    before = checksum(db)
    folder = mirror(tmp_path / "bad", [n for n in NOT_USA if n != JPN_C5])
    (folder / "wdi" / JPN_C5).mkdir()
    with pytest.raises(InputError) as info:
        WdiDdf().fetch_files(mirror=folder, cache_dir=tmp_path / "cache")
    problem = info.value.problems[0]
    assert problem.file == str(folder / "wdi" / JPN_C5) and problem.found == "a folder"
    assert checksum(db) == before


# ------------------------------------------------------------------------------------------------------ real data


@pytest.mark.realdata
def test_real_ddf_files_from_the_mirror(shared_dir, tmp_path, built_db):
    db = tmp_path / "real.duckdb"
    shutil.copy(built_db, db)
    files = fetch_source("wdi_ddf", mirror=SHARED_DATA, cache_dir=tmp_path / "cache")
    assert len(files) == 12  # the DDF files of ../shared/data/wdi (no PA.NUS.FCRF file there)
    report = ingest("wdi_ddf", files, db)
    versions = dict(query(db, "SELECT title, version FROM core.sources WHERE loaded_by = 'wdi_ddf'"))
    assert versions[f"{WdiDdf.title}: {JPN_C5}"] == "26d1ca4d41e9e5f6c5f4b3f1bf46ef828edff9c0"
    assert versions[f"{WdiDdf.title}: {USA_OLD}"] == "0656517bbd3dfcd9e0d834cb6039de0d64753c61"
    assert versions[f"{WdiDdf.title}: {PREFIX.format('ny_gdp_mktp_cd')}.c5.csv"] == editions.COMMITS["NY.GDP.MKTP.CD"]
    assert len(report.source_ids) == 12

    def jpn(sql: str) -> float:
        return query(db, f"SELECT sum(amount_usd) FROM core.finance_flows WHERE donor_iso3 = 'JPN' AND {sql}")[0][0]

    c5 = "country_iso3 IN ('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')"
    assert jpn(f"{c5} AND year = 1993") == pytest.approx(2_569_999.99, abs=0.01)
    assert jpn(f"{c5} AND year = 2003") == pytest.approx(242_290_005.21, abs=0.01)
    caucasus = "country_iso3 IN ('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB', 'ARM', 'AZE', 'GEO')"
    assert jpn(f"{caucasus} AND year BETWEEN 1992 AND 2003") / 1e6 == pytest.approx(1989.08, abs=0.005)
    totals = query(
        db, "SELECT count(*), count(partner_iso3) FROM core.indicators WHERE indicator_code = 'DC.DAC.TOTL.CD'"
    )
    assert totals == [(156, 0)]
    assert query(db, "SELECT value FROM core.indicators WHERE indicator_code = 'DC.DAC.TOTL.CD' "
                     "AND country_iso3 = 'KAZ' AND year = 1991") == [(111_500_000.0,)]  # fmt: skip
    # the checker reads the WDI rows as one more definition of net ODA disbursements
    r = check_text(
        "Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003. "
        "From 1992 to 2003 Japan's ODA to Central Asia and the Caucasus totalled US$1,989.08 million.",
        db=db,
    )
    assert [c.check.verdict for c in r.claims] == ["supported", "supported", "supported"]
    assert all(c.check.evidence[0].source_id.startswith("wdi_ddf_") for c in r.claims)
    assert "wdi_ddf: oda disbursement_net, current USD" in r.claims[1].check.explanation
