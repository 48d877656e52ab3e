"""IMF DIP (formerly CDIS) bilateral FDI positions: SDMX-CSV download, inward vs mirror rows, editions, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkscope.build import build
from silkscope.errors import InputError
from silkscope.fetch import FetchError, cached, fetch
from silkscope.ingest import ingest
from silkscope.sources.imf_cdis import FILE, INWARD_DEFINITION, KEY, MIRROR_DEFINITION, ImfCdis
from warehouse_helpers import checksum, query

FIXTURE = (Path(__file__).resolve().parents[1] / "fixtures" / "imf_cdis" / FILE).read_bytes()
SERVICE_PATH = "/external/sdmx/2.1/data/IMF.STA,DIP/" + KEY


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    build(path, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    return path


def mirrored(tmp_path: Path, data: bytes):
    folder = tmp_path / "mirror" / "imf_cdis"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE).write_bytes(data)
    return [fetch(r, mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache") for r in ImfCdis().remote_files()]


def investments(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT partner_iso3, country_iso3, year, value_usd, definition = ? AS inward FROM core.investments "
        "WHERE source_id LIKE 'imf_cdis_%' ORDER BY inward DESC, country_iso3, partner_iso3, year",
        [INWARD_DEFINITION],
    )


def test_partner_x_c5_dyads_inward_and_mirror(tmp_path, db):
    report = ingest("imf_cdis", mirrored(tmp_path, FIXTURE), db)
    assert report.changed and report.edition == "IMF.STA:DIP(12.0.1)"
    assert investments(db) == [
        # inward positions reported by the C5 host: partner = immediate investing economy
        ("CHN", "KAZ", 2022, 7345800000.0, True),
        ("CHN", "KAZ", 2023, 7012400000.0, True),
        ("JPN", "KAZ", 2023, 5421900000.0, True),
        ("NLD", "KAZ", 2023, 45210500000.0, True),
        ("RUS", "KAZ", 2023, 14852600000.0, True),
        ("TUR", "KGZ", 2023, 512300000.0, True),
        # the mirror: outward positions reported by the investing partner
        ("CHN", "KAZ", 2023, 8912700000.0, False),
        ("NLD", "KAZ", 2023, 38750200000.0, False),
        ("USA", "KAZ", 2023, -1205000000.0, False),
        ("CHN", "KGZ", 2023, 1502300000.0, False),
        ("JPN", "UZB", 2023, 310200000.0, False),
    ]
    # every row of the file stays in raw: world totals, derived (SCC) rows, C5 outward, the confidential cell
    assert query(db, "SELECT count(*) FROM raw.imf_cdis_dip") == [(19,)]
    row = query(
        db,
        "SELECT measure, bound, price_basis, period_start, period_end, date_precision, record, note, fact_id, "
        "citation_status, source_ids FROM core.investments WHERE partner_iso3 = 'RUS' AND country_iso3 = 'KAZ'",
    )[0]
    assert row[:3] == ("fdi_stock", "exact", "current")
    assert (str(row[3]), str(row[4]), row[5]) == ("2023-01-01", "2023-12-31", "year")
    assert row[6] == "raw.imf_cdis_dip:7" and row[7] == "IMF status E" and row[8] == "imf_cdis:7"
    assert row[9] == "cited" and row[10] == report.source_ids
    assert "directional principle, immediate counterpart" in INWARD_DEFINITION
    assert "reported by the partner" in MIRROR_DEFINITION


def test_source_disagreement_is_visible(tmp_path, db):
    ingest("imf_cdis", mirrored(tmp_path, FIXTURE), db)
    rows = query(
        db,
        "SELECT definition = ?, value_usd FROM core.investments "
        "WHERE partner_iso3 = 'CHN' AND country_iso3 = 'KAZ' AND year = 2023 ORDER BY 1 DESC",
        [INWARD_DEFINITION],
    )
    assert rows == [(True, 7012400000.0), (False, 8912700000.0)]


def test_download_from_the_service(http_server, tmp_path, db):
    http_server.add(SERVICE_PATH, FIXTURE, content_type="application/vnd.sdmx.data+csv")
    (remote,) = ImfCdis(url=http_server.base_url + SERVICE_PATH).remote_files()
    got = fetch(remote, cache_dir=tmp_path / "cache")
    assert got.origin == "download" and got.path.read_bytes() == FIXTURE
    assert http_server.requests == [SERVICE_PATH + "?startPeriod=2009&format=csv"]
    assert ingest("imf_cdis", [got], db).row_counts == {"core.investments": 11}


def test_download_failures_are_clear_and_cache_nothing(http_server, tmp_path):
    xml = b'<?xml version="1.0"?><message:Error><message:ErrorMessage code="500"/></message:Error>'
    http_server.add(SERVICE_PATH, xml)
    (remote,) = ImfCdis(url=http_server.base_url + SERVICE_PATH).remote_files()
    with pytest.raises(FetchError, match="does not look like the expected file"):
        fetch(remote, cache_dir=tmp_path / "cache")
    assert cached(remote, tmp_path / "cache") is None
    (gone,) = ImfCdis(url=http_server.base_url + "/no/such/flow").remote_files()
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(gone, cache_dir=tmp_path / "cache")


def test_reingest_is_a_no_op(tmp_path, db):
    files = mirrored(tmp_path, FIXTURE)
    first = ingest("imf_cdis", files, db)
    before = checksum(db)
    again = ingest("imf_cdis", files, db)
    assert not again.changed and again.row_counts == first.row_counts and checksum(db) == before


def test_newer_edition_replaces_the_older(tmp_path, db):
    old = ingest("imf_cdis", mirrored(tmp_path, FIXTURE), db)
    revised = FIXTURE.replace(b"DIP(12.0.1)", b"DIP(13.0.0)").replace(b"7012400000", b"7100000000")
    new = ingest("imf_cdis", mirrored(tmp_path, revised), db)
    assert new.changed and new.edition == "IMF.STA:DIP(13.0.0)"
    sources = query(
        db, "SELECT source_id, version, superseded_at IS NOT NULL FROM core.sources WHERE loaded_by = 'imf_cdis'"
    )
    assert sorted(sources) == sorted(
        [(old.source_ids[0], "IMF.STA:DIP(12.0.1)", True), (new.source_ids[0], "IMF.STA:DIP(13.0.0)", False)]
    )
    assert query(db, "SELECT DISTINCT source_id FROM core.investments WHERE fact_id LIKE 'imf_cdis:%'") == [
        (new.source_ids[0],)
    ]
    assert (("CHN", "KAZ", 2023, 7100000000.0, True)) in investments(db)
    assert len(investments(db)) == 11


def _line_of(marker: bytes) -> int:
    return next(i for i, line in enumerate(FIXTURE.split(b"\n"), 1) if marker in line)


JPN_KAZ = b",KAZ,O,INWD_D_NETLA_FALL_ALL,JPN,A,2023,"
BAD = {
    "wrong delimiter": (lambda b: b.replace(b",", b";"), 1, "(delimiter)"),
    "renamed column": (lambda b: b.replace(b"COUNTERPART_COUNTRY", b"COUNTERPART_AREA", 1), 1, "COUNTERPART_COUNTRY"),
    "wrong type": (lambda b: b.replace(b"5421900000", b"5.4bn"), _line_of(JPN_KAZ), "OBS_VALUE"),
    "unknown country code": (lambda b: b.replace(JPN_KAZ, JPN_KAZ.replace(b"JPN", b"JPX")), _line_of(JPN_KAZ),
                             "COUNTERPART_COUNTRY"),
    "wrong encoding": (lambda b: b.replace(b"6,E", "6,É".encode("latin-1")), _line_of(b",6,E"), "STATUS"),
    "other dataflow": (lambda b: b.replace(b"IMF.STA:DIP(12.0.1),KGZ", b"IMF.STA:PIP(5.0.0),KGZ"),
                       _line_of(b"IMF.STA:DIP(12.0.1),KGZ"), "DATAFLOW"),
    "quarterly data": (lambda b: b.replace(b",TUR,A,2023,", b",TUR,Q,2023,"), _line_of(b",TUR,A,2023,"),
                       "FREQUENCY"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_located_and_changes_nothing(tmp_path, db, case):
    ingest("imf_cdis", mirrored(tmp_path / "good", FIXTURE), db)
    before = checksum(db)
    mutate, line, column = BAD[case]
    with pytest.raises(InputError) as info:
        ingest("imf_cdis", mirrored(tmp_path / "bad", mutate(FIXTURE)), db)
    problem = info.value.problems[0]
    assert FILE in problem.file and (problem.line, problem.column) == (line, column), str(info.value)
    assert checksum(db) == before
