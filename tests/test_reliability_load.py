"""Loading never loses or invents data silently: bad mirror files, cache manifests, implausible numbers, duplicate
rows, locked or broken warehouses — each a located error through the installed `silkscope` command, exit status
non-zero, the warehouse's content unchanged (issue 16, the loading side)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from silkscope import fetch as fetch_module
from silkscope import warehouse
from silkscope.build import build
from silkscope.fetch import RemoteFile, cached, download, fetch
from warehouse_helpers import checksum, query, set_cell

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SILKSCOPE = Path(sys.executable).parent / "silkscope"  # the installed console script, as a user runs it
GDP = "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv"
DAC_JPN = "API_DC.DAC.JPNL.CD_DS2_en_csv_v2.csv"
HTML = b"<!DOCTYPE html><html><body>503 Service Temporarily Unavailable</body></html>\n"


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reliability") / "w.duckdb"
    build(path)
    return path


@pytest.fixture
def db(tmp_path, _built) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copyfile(_built, path)
    return path


def silkscope(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the console script with its own cache folder; stderr's whitespace is flattened (rich wraps lines)."""
    environ = {**os.environ, "SILKSCOPE_CACHE": str(tmp_path / "cache"), "COLUMNS": "2000", **(env or {})}
    proc = subprocess.run(
        [str(SILKSCOPE), *args], capture_output=True, text=True, timeout=120, check=False, env=environ
    )
    proc.flat = " ".join(proc.stderr.split())  # type: ignore[attr-defined]
    return proc


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr


def wdi_mirror(tmp_path: Path, gdp: bytes | None) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "wdi").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / "wdi" / DAC_JPN, mirror / "wdi" / DAC_JPN)
    target = mirror / "wdi" / GDP
    if target.is_dir():
        target.rmdir()
    target.unlink(missing_ok=True)
    if gdp is not None:
        target.write_bytes(gdp)
    return mirror


def gdp_rows(db: Path) -> int:
    return query(db, "SELECT count(*) FROM core.indicators WHERE indicator_code = 'NY.GDP.MKTP.CD'")[0][0]


# --- item 1: a file in a partial mirror that is present but not readable is an error, not "absent" ------------


def test_partial_mirror_file_with_wrong_content_is_an_error_that_changes_nothing(tmp_path, db):
    mirror = wdi_mirror(tmp_path, (FIXTURES / "wdi" / GDP).read_bytes())
    first = silkscope(tmp_path, "ingest", "wdi", "--mirror", str(mirror), "--db", str(db))
    assert first.returncode == 0, first.stderr
    before, rows = checksum(db), gdp_rows(db)
    assert rows > 0

    wdi_mirror(tmp_path, HTML)  # the publisher's error page saved under the file's name
    proc = silkscope(tmp_path, "ingest", "wdi", "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert "loaded" not in proc.stderr
    assert f"{mirror / 'wdi' / GDP}:1:" in proc.flat  # the file and the place
    assert "does not look like the expected file" in proc.flat and "Data Source" in proc.flat
    assert checksum(db) == before and gdp_rows(db) == rows


def test_partial_mirror_file_truly_absent_is_still_skipped(tmp_path, db):
    mirror = wdi_mirror(tmp_path, None)
    proc = silkscope(tmp_path, "ingest", "wdi", "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "wdi loaded" in proc.flat
    titles = query(db, "SELECT title FROM core.sources WHERE loaded_by = 'wdi' AND superseded_at IS NULL")
    assert len(titles) == 1 and titles[0][0].endswith(DAC_JPN)


def test_update_stops_on_a_bad_mirror_file_instead_of_skipping_the_connector(tmp_path, db):
    mirror = wdi_mirror(tmp_path, HTML)
    before = checksum(db)
    proc = silkscope(tmp_path, "update", "--only", "wdi", "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2 and f"{mirror / 'wdi' / GDP}:1:" in proc.flat, proc.stderr
    no_traceback(proc)
    assert checksum(db) == before


def test_partial_mirror_crs_zip_replaced_by_an_html_page(tmp_path, db):
    mirror = tmp_path / "mirror"
    (mirror / "oecd" / "crs").mkdir(parents=True)
    (mirror / "oecd" / "crs" / "CRS 2019 data.zip").write_bytes(HTML)
    before = checksum(db)
    proc = silkscope(tmp_path, "ingest", "oecd_crs", "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"{mirror / 'oecd' / 'crs' / 'CRS 2019 data.zip'}:1:" in proc.flat
    assert checksum(db) == before


@pytest.mark.parametrize(
    ("source", "subdir", "name"),
    [
        ("wdi", "wdi", GDP),
        ("chinavitae", "chinavitae", "china_leader_engagements_2003_2018.csv"),
        ("aiddata_flows", "aiddata", "aiddata2_flows_donor_recipient_year.csv"),
    ],
)
def test_a_folder_where_the_mirror_file_should_be(tmp_path, db, source, subdir, name):
    mirror = tmp_path / "mirror"
    (mirror / subdir / name).mkdir(parents=True)
    before = checksum(db)
    proc = silkscope(tmp_path, "ingest", source, "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"{mirror / subdir / name}: expected the file {name}, found a folder" in proc.flat
    assert checksum(db) == before


def test_a_mirror_folder_that_does_not_exist(tmp_path, db):
    proc = silkscope(tmp_path, "ingest", "chinavitae", "--mirror", str(tmp_path / "nowhere"), "--db", str(db))
    assert proc.returncode == 2 and f"{tmp_path / 'nowhere'}: the mirror folder does not exist" in proc.flat
    no_traceback(proc)


def test_a_folder_handed_to_a_connector_past_the_mirror(tmp_path, db):
    """The check every connector's files pass before a reader opens them (library entry point: no CLI path hands a
    connector a folder once the mirror refuses one, but a caller of ingest() may)."""
    from datetime import UTC, datetime

    from silkscope.errors import InputError
    from silkscope.fetch import FetchedFile
    from silkscope.ingest import get_connector, ingest

    before = checksum(db)
    for name in ("wdi", "chinavitae", "comtrade", "gdelt1"):
        remote = get_connector(name).remote_files()[0] if name != "comtrade" else RemoteFile("x", "c.json")
        folder = tmp_path / name / remote.name
        folder.mkdir(parents=True)
        file = FetchedFile(remote, folder, "0" * 64, 0, datetime.now(UTC), "test")
        with pytest.raises(InputError, match=rf"{folder}:0: column '\(file\)': expected the file .*found 'a folder'"):
            ingest(name, [file], db)
    assert checksum(db) == before


# --- item 2: the fetch cache's manifest ----------------------------------------------------------------------


def test_a_truncated_manifest_is_a_cache_miss_and_is_rewritten(http_server, tmp_path):
    body = b"date,donor,recipient\n2005,JPN,UZB\n"
    remote = RemoteFile(http_server.add("/flows.csv", body), "flows.csv")
    first = download(remote, tmp_path)
    manifest = first.path.parents[1] / "manifest.json"
    manifest.write_text(manifest.read_text()[:37])  # a crash mid-write under the old code left this
    assert cached(remote, tmp_path) is None
    again = fetch(remote, cache_dir=tmp_path)
    assert again.origin == "download" and again.path.read_bytes() == body
    assert json.loads(manifest.read_text())["sha256"] == again.sha256
    assert fetch(remote, cache_dir=tmp_path).origin == "cache"
    for broken in ("", "[]", '{"path": 3}', "\xff", '{"path": "/nowhere", "sha256": "x", "size": "?"}'):
        manifest.write_text(broken, encoding="latin-1")
        assert cached(remote, tmp_path) is None


def test_the_manifest_is_replaced_atomically(http_server, tmp_path, monkeypatch):
    """A crash while the new manifest is written leaves the old one whole (and no temporary file behind)."""
    remote = RemoteFile(http_server.add("/a.csv", b"a,b\n1,2\n"), "a.csv")
    first = download(remote, tmp_path)
    manifest = first.path.parents[1] / "manifest.json"
    old = manifest.read_text()
    real_write = Path.write_text

    def crash(self, data, *args, **kwargs):
        real_write(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", crash)
    with pytest.raises(OSError):
        fetch_module._store(remote, first.path, tmp_path, "download", move=False)
    monkeypatch.undo()
    assert manifest.read_text() == old and cached(remote, tmp_path) is not None
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


# --- item 3: implausible numbers and exact duplicate rows, one shared check for every connector -------------------


def crs_zip(text: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("CRS 2019 data.txt", date_time=(2025, 7, 10, 9, 30, 0))
        archive.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# connector, fixture, (mirror subdir, published name), the cell to spoil, its line and published column (snake_cased)
SPOILED = {
    "aiddata_flows": ("aiddata/aiddata2_flows_donor_recipient_year.csv", b"131122099", 3, "sum_amount_usd_constant"),
    "aiddata_china": ("aiddata/china_official_finance_projects.csv", b"337245412.23", 2, "usd_defl"),
    "oecd_dac2a": ("oecd/dac2a_c5.csv", b"92.518734", 2, "obs_value"),
    "oecd_crs": ("oecd/CRS 2019 data.txt", b"|120.5|", 2, "usd_commitment"),
    "wdi": (f"wdi/{GDP}", b"221415570815.2", 11, "2014"),
    "imf_cdis": ("imf_cdis/imf_dip_c5_partners.csv", b"7345800000", 3, "obs_value"),
}
PLACES = {
    "aiddata_flows": ("aiddata", "aiddata2_flows_donor_recipient_year.csv"),
    "aiddata_china": ("aiddata", "china_official_finance_projects.csv"),
    "oecd_dac2a": ("oecd", "oecd_dac2a_c5.csv"),
    "oecd_crs": ("oecd/crs", "CRS 2019 data.zip"),
    "wdi": ("wdi", GDP),
    "imf_cdis": ("imf_cdis", "imf_dip_c5_partners.csv"),
    "chinavitae": ("chinavitae", "china_leader_engagements_2003_2018.csv"),
}


def mirror_with(tmp_path: Path, source: str, text: bytes) -> Path:
    subdir, name = PLACES[source]
    mirror = tmp_path / "mirror"
    (mirror / subdir).mkdir(parents=True, exist_ok=True)
    (mirror / subdir / name).write_bytes(crs_zip(text) if source == "oecd_crs" else text)
    return mirror


@pytest.mark.parametrize(
    ("source", "token"),
    [
        ("aiddata_flows", "NaN"),
        ("aiddata_flows", "1e308"),
        ("aiddata_china", "inf"),
        ("oecd_dac2a", "1e308"),
        ("oecd_crs", "NaN"),
        ("wdi", "-inf"),
        ("imf_cdis", "1e308"),
    ],
)
def test_implausible_numbers_are_refused_with_file_line_and_column(tmp_path, db, source, token):
    fixture, cell, line, column = SPOILED[source]
    text = (FIXTURES / fixture).read_bytes()
    assert text.count(cell) == 1
    spoiled = text.replace(cell, cell.replace(cell.strip(b"|"), token.encode()))
    mirror = mirror_with(tmp_path, source, spoiled)
    before = checksum(db)
    proc = silkscope(tmp_path, "ingest", source, "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    name = PLACES[source][1]
    assert f"{name}:{line}: column '{column}': expected a finite number" in proc.flat, proc.stderr
    assert f"found '{token.lower()}'" in proc.flat.lower()
    assert checksum(db) == before


@pytest.mark.parametrize(
    ("source", "fixture", "line"),
    [
        ("aiddata_flows", "aiddata/aiddata2_flows_donor_recipient_year.csv", 3),
        ("oecd_dac2a", "oecd/dac2a_c5.csv", 2),
        ("oecd_crs", "oecd/CRS 2019 data.txt", 2),
        ("wdi", f"wdi/{GDP}", 11),
        ("imf_cdis", "imf_cdis/imf_dip_c5_partners.csv", 3),
        ("chinavitae", "chinavitae/china_leader_engagements_2003_2018.csv", 2),
    ],
)
def test_an_exact_duplicate_row_is_refused_not_counted_twice(tmp_path, db, source, fixture, line):
    text = (FIXTURES / fixture).read_bytes()
    sep = b"\r\n" if text.split(b"\n", 1)[0].endswith(b"\r") else b"\n"  # as the header line ends
    lines = text.split(sep)
    copied = sep.join([*lines[:line], lines[line - 1], *lines[line:]])  # line `line` again, right after itself
    mirror = mirror_with(tmp_path, source, copied)
    before = checksum(db)
    proc = silkscope(tmp_path, "ingest", source, "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    name = PLACES[source][1]
    assert f"{name}:{line + 1}: column '(row)': expected no exact copy of another row" in proc.flat, proc.stderr
    assert f"the row on line {line} again" in proc.flat
    assert checksum(db) == before


def _api_files(tmp_path: Path, subdir: str, contents: dict[str, bytes], expect: tuple[bytes, ...]):
    """Files the CLI cannot take from a mirror of fixtures (planned API requests, dated GDELT files), fetched from a
    mirror folder by the library as `silkscope ingest` would."""
    from silkscope.fetch import from_mirror

    folder = tmp_path / "mirror" / subdir
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        remote = RemoteFile(f"https://example.invalid/{name}", name, expect=expect, mirror_subdir=subdir)
        files.append(from_mirror(remote, tmp_path / "mirror", tmp_path / "cache"))
    return files


def _gdelt_zip(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(member, date_time=(2015, 3, 2, 0, 0, 0)), data)
    return buffer.getvalue()


@pytest.mark.parametrize("token", ["NaN", "Infinity", "1e308"])
def test_implausible_numbers_from_apis_and_dated_files(tmp_path, db, token):
    import gzip

    from silkscope.errors import InputError
    from silkscope.ingest import ingest
    from silkscope.sources.wdi_api import WdiApi

    before = checksum(db)
    kaz = (FIXTURES / "comtrade" / "comtrade_S3_KAZ_2019.json").read_bytes()
    bulk = (FIXTURES / "comtrade" / "COMTRADE-FINAL-CA3982019S3.tsv").read_bytes()
    page1 = (FIXTURES / "wdi" / "api_NY.GDP.MKTP.CD_page1.json").read_bytes()
    page2 = (FIXTURES / "wdi" / "api_NY.GDP.MKTP.CD_page2.json").read_bytes()
    gdelt = (FIXTURES / "gdelt" / "20150301.export.CSV").read_bytes()
    cases = [
        (
            "comtrade",
            _api_files(
                tmp_path / "ct",
                "comtrade",
                {
                    "comtrade_S3_KAZ_2019.json": kaz.replace(
                        b'"primaryValue":5970000000.5', f'"primaryValue":{token}'.encode()
                    )
                },
                (b'"data"',),
            ),
            "comtrade_S3_KAZ_2019.json:1: column 'primaryvalue'",
        ),
        (
            "comtrade_bulk",
            _api_files(
                tmp_path / "ctb",
                "comtrade",
                {
                    "COMTRADE-FINAL-CA3982019S3.gz": gzip.compress(
                        bulk.replace(b"\t5970000000.5\t0\t1", f"\t{token}\t0\t1".encode()), mtime=0
                    )
                },
                (b"\x1f\x8b",),
            ),
            "COMTRADE-FINAL-CA3982019S3.gz:2: column 'primaryvalue'",
        ),
        (
            "gdelt1",
            _api_files(
                tmp_path / "gd",
                "gdelt/events",
                {
                    "20150301.export.CSV.zip": _gdelt_zip(
                        "20150301.export.CSV", gdelt.replace(b"\t1.9\t", f"\t{token}\t".encode(), 1)
                    )
                },
                (b"PK\x03\x04",),
            ),
            "20150301.export.CSV.zip:1: column 'goldstein_scale'",
        ),
    ]
    api = WdiApi(["NY.GDP.MKTP.CD"])
    spoiled = page1.replace(b'"value":225496328912.85', f'"value":{token}'.encode())
    mirror = tmp_path / "wa" / "mirror" / "wdi"
    mirror.mkdir(parents=True)
    (mirror / "wdi_api_NY.GDP.MKTP.CD_p1.json").write_bytes(spoiled)
    (mirror / "wdi_api_NY.GDP.MKTP.CD_p2.json").write_bytes(page2)
    files = api.fetch_files(mirror=mirror.parent, cache_dir=tmp_path / "wa" / "cache")
    cases.append(("wdi_api", files, "wdi_api_NY.GDP.MKTP.CD_p1.json:2: column 'value'"))
    for source, files, place in cases:
        with pytest.raises(InputError) as caught:
            ingest(source, files, db)
        assert place in str(caught.value) and "expected a finite number" in str(caught.value), (source, caught.value)
    assert checksum(db) == before


def _connectors() -> list[str]:
    from silkscope.ingest import available

    return available()


@pytest.mark.realdata
@pytest.mark.parametrize("source", _connectors())
def test_real_published_files_do_not_trip_the_shared_checks(shared_dir, tmp_path, db, source):
    """Every real extract in ../shared/data loads with the duplicate and plausibility checks on (the AidData
    geocoded file's one repeated location is allowed: it never reaches core)."""
    proc = silkscope(tmp_path, "ingest", source, "--mirror", str(shared_dir / "data"), "--db", str(db))
    absent = ("is not in the mirror folder", "files is in the mirror folder")  # one file, or none of several
    if proc.returncode != 0 and any(a in proc.flat for a in absent):
        pytest.skip(f"no real extract of {source} in ../shared/data")
    assert proc.returncode == 0, proc.stderr
    assert f"{source} loaded" in proc.flat


# --- item 3 (the reference pack): implausible numbers, empty files, NUL, URLs, big fields, U+2028 --------------------
PACK = ROOT / "src" / "silkscope" / "reference_pack"
csv.field_size_limit(64 << 20)  # this module's own reads of packs holding the big notes written below


@pytest.fixture
def pack(tmp_path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(PACK, target)
    return target


def build_pack(tmp_path: Path, pack: Path, db: Path) -> subprocess.CompletedProcess:
    return silkscope(tmp_path, "build", "--pack", str(pack), "--db", str(db))


@pytest.mark.parametrize(
    ("file", "column", "value"),
    [
        ("finance.csv", "amount_usd", "NaN"),
        ("finance.csv", "amount_usd", "1e308"),
        ("investment.csv", "value_usd", "inf"),
        ("trade.csv", "value_usd", "-Infinity"),
        ("opinion.csv", "share_pct", "nan"),
        ("published_claims.csv", "value", "1e308"),
        ("presence.csv", "count", "99999999999999999999"),
    ],
)
def test_pack_refuses_implausible_numbers_with_file_line_and_column(tmp_path, db, pack, file, column, value):
    line = set_cell(pack, file, 0, column, value)
    before = checksum(db)
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"reference_pack/{file}:{line}: column '{column}': expected a" in proc.flat
    assert "of plausible size" in proc.flat and repr(value) in proc.flat
    assert checksum(db) == before


def test_pack_header_only_events_file_is_an_error_not_an_empty_timeline(tmp_path, db, pack):
    path = pack / "events.csv"
    path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")
    before = checksum(db)
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert "reference_pack/events.csv:2: column '(file)': expected at least one row after the header" in proc.flat
    assert checksum(db) == before
    assert query(db, "SELECT count(*) FROM core.events")[0][0] > 100


def test_pack_nul_character_is_located(tmp_path, db, pack):
    line = set_cell(pack, "events.csv", 3, "title", "State visit\x00 to Astana")
    before = checksum(db)
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"reference_pack/events.csv:{line}: column 'title': expected text without NUL characters" in proc.flat
    assert checksum(db) == before


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>", "file:///etc/passwd",
            "//example.org/x", "https://", "https://example.org/a b"],
)  # fmt: skip
def test_pack_source_urls_must_be_web_addresses(tmp_path, db, pack, url):
    line = set_cell(pack, "sources.csv", 4, "url", url)
    before = checksum(db)
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"reference_pack/sources.csv:{line}: column 'url': expected an http:// or https:// address" in proc.flat
    assert checksum(db) == before


def test_pack_a_one_megabyte_note_loads(tmp_path, db, pack):
    note = ("A long curated note, kept whole. " * 32_768)[: 1 << 20]
    set_cell(pack, "events.csv", 2, "note", note)
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 0, proc.stderr
    event_id = list(csv.DictReader((pack / "events.csv").open(encoding="utf-8", newline="")))[2]["event_id"]
    assert query(db, "SELECT length(note) FROM core.events WHERE event_id = ?", [event_id]) == [(len(note),)]


def test_pack_a_field_over_the_bound_is_a_located_error(tmp_path, db, pack):
    from silkscope.pack.read import FIELD_LIMIT

    line = set_cell(pack, "events.csv", 2, "note", "x" * (FIELD_LIMIT + 1))
    before = checksum(db)
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"reference_pack/events.csv:{line}: column '(row)': expected CSV with fields of at most" in proc.flat
    assert checksum(db) == before


def test_pack_line_separator_characters_stay_inside_their_field(tmp_path, db, pack):
    title = "Summit\u2028second line\u2029third\x85 fourth"
    set_cell(pack, "events.csv", 2, "title", title)
    line = set_cell(pack, "events.csv", 6, "date_start", "not a date")  # rows after it keep their line numbers
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 2 and f"reference_pack/events.csv:{line}: column 'date_start'" in proc.flat
    set_cell(pack, "events.csv", 6, "date_start", list(csv.DictReader((PACK / "events.csv").open()))[6]["date_start"])
    proc = build_pack(tmp_path, pack, db)
    assert proc.returncode == 0, proc.stderr
    event_id = list(csv.DictReader((pack / "events.csv").open(encoding="utf-8", newline="")))[2]["event_id"]
    assert query(db, "SELECT title FROM core.events WHERE event_id = ?", [event_id]) == [(title,)]


# --- item 4: tracebacks from connectors and from opening the warehouse ------------------------------------------


def test_header_only_china_vitae_file_is_a_located_error(tmp_path, db):
    header = (FIXTURES / "chinavitae" / "china_leader_engagements_2003_2018.csv").read_bytes().split(b"\n")[0]
    mirror = mirror_with(tmp_path, "chinavitae", header + b"\n")
    before = checksum(db)
    proc = silkscope(tmp_path, "ingest", "chinavitae", "--mirror", str(mirror), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    name = "china_leader_engagements_2003_2018.csv"
    assert f"{name}:2: column '(file)': expected at least one engagement record after the header" in proc.flat
    assert checksum(db) == before


PAGE1 = (FIXTURES / "wdi" / "api_NY.GDP.MKTP.CD_page1.json").read_bytes()
PAGE2 = (FIXTURES / "wdi" / "api_NY.GDP.MKTP.CD_page2.json").read_bytes()


@pytest.mark.parametrize(
    ("page1", "line", "column", "words"),
    [
        (PAGE1[: len(PAGE1) // 2], 1, "(file)", "cut short"),
        (PAGE1[:-2], 1, "(file)", "cut short"),
        (b'{"page": 1, "pages": 1}', 1, "(structure)", "a JSON dict"),
        (b'["page", 1]', 1, "(structure)", "starting with a str"),
        (PAGE1.replace(b'"pages":2', b'"pages":"two"'), 1, "pages", "a whole number from 1 to"),
        (PAGE1.replace(b'"pages":2', b'"pages":99999999'), 1, "pages", "a whole number from 1 to"),
        (PAGE1.replace(b"Kazakhstan", "Kazakhstán".encode("latin-1")), 1, "(file)", "UTF-8 text"),
        (b'[{"page": 1, "pages": 1, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}]", 1, "(file)", "nested too deeply"),
        (PAGE1 + PAGE1, 1, "(file)", "two answers in one file"),
    ],
    ids=["half", "last-bytes", "object", "list-of-str", "pages-text", "pages-huge", "latin-1", "deep", "twice"],
)
def test_truncated_or_odd_wdi_api_json_is_a_located_error(tmp_path, db, page1, line, column, words):
    """`silkscope ingest wdi_api` fetches every indicator's pages (no partial mirror): the connector's own
    fetch_files and ingest are called here as the command calls them, for one indicator."""
    from silkscope.errors import SilkscopeError
    from silkscope.ingest import ingest
    from silkscope.sources.wdi_api import WdiApi

    mirror = tmp_path / "mirror" / "wdi"
    mirror.mkdir(parents=True)
    (mirror / "wdi_api_NY.GDP.MKTP.CD_p1.json").write_bytes(page1)
    (mirror / "wdi_api_NY.GDP.MKTP.CD_p2.json").write_bytes(PAGE2)
    before = checksum(db)
    with pytest.raises(SilkscopeError) as caught:
        files = WdiApi(["NY.GDP.MKTP.CD"]).fetch_files(mirror=mirror.parent, cache_dir=tmp_path / "cache")
        ingest("wdi_api", files, db)
    message = " ".join(str(caught.value).split())
    assert f"wdi_api_NY.GDP.MKTP.CD_p1.json:{line}: column '{column}'" in message and words in message, message
    assert checksum(db) == before


def chinavitae_mirror(tmp_path: Path) -> Path:
    return mirror_with(tmp_path, "chinavitae", (FIXTURES / "chinavitae" / PLACES["chinavitae"][1]).read_bytes())


def test_a_folder_given_as_the_warehouse(tmp_path):
    folder = tmp_path / "warehouse"
    folder.mkdir()
    for args in (["sources"], ["timeline"], ["ingest", "chinavitae", "--mirror", str(chinavitae_mirror(tmp_path))]):
        proc = silkscope(tmp_path, *args, "--db", str(folder))
        assert proc.returncode == 2, proc.stderr
        no_traceback(proc)
        assert f"{folder}: is a folder; expected a warehouse file" in proc.flat
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("content", [b"not a database\n", os.urandom(20_000), b""], ids=["text", "random", "empty"])
def test_a_corrupt_file_given_as_the_warehouse(tmp_path, content):
    path = tmp_path / "w.duckdb"
    path.write_bytes(content)
    for args in (["sources"], ["ingest", "chinavitae", "--mirror", str(chinavitae_mirror(tmp_path))]):
        proc = silkscope(tmp_path, *args, "--db", str(path))
        no_traceback(proc)
        if content == b"" and args == ["sources"]:
            continue  # DuckDB takes an empty file as a new database: `sources` then finds no tables
        assert proc.returncode == 2, proc.stderr
        assert f"{path}: is not a complete DuckDB warehouse file" in proc.flat
        assert path.read_bytes() == content


def test_a_warehouse_cut_short(tmp_path, db):
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    proc = silkscope(tmp_path, "sources", "--db", str(cut))
    assert proc.returncode == 2, proc.stderr
    no_traceback(proc)
    assert f"{cut}: is not a complete DuckDB warehouse file" in proc.flat


HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(db: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_writer_waits_then_says_who_holds_the_lock(tmp_path, db):
    mirror = chinavitae_mirror(tmp_path)
    before = checksum(db)
    holder = _hold(db, 60)
    try:
        proc = silkscope(
            tmp_path, "ingest", "chinavitae", "--mirror", str(mirror), "--db", str(db), env={"SILKSCOPE_LOCK_WAIT": "1"}
        )
        reader = silkscope(tmp_path, "sources", "--db", str(db), env={"SILKSCOPE_LOCK_WAIT": "0.2"})
    finally:
        holder.kill()
        holder.wait()
    for p in (proc, reader):
        assert p.returncode == 2, p.stderr
        no_traceback(p)
        assert f"{db}: the warehouse is locked by another process" in p.flat
        assert f"(PID {holder.pid})" in p.flat and "SILKSCOPE_LOCK_WAIT" in p.flat
    assert "Waited 1 s" in proc.flat
    assert checksum(db) == before
    assert not warehouse.write_wanted_marker(db).exists()  # the writer that gave up said so and took it back


def test_a_second_writer_gets_the_lock_once_it_is_released(tmp_path, db):
    mirror = chinavitae_mirror(tmp_path)
    holder = _hold(db, 5)  # longer than the command takes to start, well inside its wait
    try:
        proc = silkscope(
            tmp_path,
            "ingest",
            "chinavitae",
            "--mirror",
            str(mirror),
            "--db",
            str(db),
            env={"SILKSCOPE_LOCK_WAIT": "30"},
        )
    finally:
        holder.wait()
    assert proc.returncode == 0, proc.stderr
    assert "chinavitae loaded" in proc.flat


def test_a_server_keeping_the_file_open_lets_a_writer_in(tmp_path, db):
    """The served connection stays open between requests (DuckDB's buffers stay warm), yet a writer in another
    process gets the file: it says it waits (warehouse.write_wanted), the idle server lets go, and answers from the
    new data after."""
    from silkscope.serving.state import ServedWarehouse

    served = ServedWarehouse(db)
    with served.read() as con:
        before = con.execute("SELECT count(*) FROM core.sources").fetchone()[0]
    assert served._con is not None  # kept open between requests: a writer cannot open the file now
    proc = silkscope(tmp_path, "ingest", "chinavitae", "--mirror", str(chinavitae_mirror(tmp_path)), "--db", str(db),
                     env={"SILKSCOPE_LOCK_WAIT": "20"})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert served._con is None, "the server kept the file"
    assert not warehouse.write_wanted_marker(db).exists()
    with served.read() as con:
        assert con.execute("SELECT count(*) FROM core.sources").fetchone()[0] > before
    served.close()
