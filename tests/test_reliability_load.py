"""Loading never loses or invents data silently: bad mirror files, cache manifests, implausible numbers, duplicate
rows, locked or broken warehouses — each a located error through the installed `silkscope` command, exit status
non-zero, the warehouse's content unchanged (issue 16, the loading side)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from silkscope import fetch as fetch_module
from silkscope.build import build
from silkscope.fetch import RemoteFile, cached, download, fetch
from warehouse_helpers import checksum, query

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
