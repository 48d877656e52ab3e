"""The embedded snapshot: built from a mirror by silkscope's own connectors, deterministic, licensed, loaded by
`silkscope build` in the pack's transaction, superseded by `silkscope update`, and refused when tampered with."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from silkscope import snapshot as S
from silkscope.build import build
from silkscope.errors import InputError
from silkscope.ingest import fetch_source, ingest
from warehouse_helpers import checksum, query

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GDP_FILE = "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv"


@pytest.fixture
def mirror(tmp_path) -> Path:
    """A mirror with one WDI bulk file (licensed for the test) and one China Vitae file (never licensed)."""
    folder = tmp_path / "mirror"
    (folder / "wdi").mkdir(parents=True)
    shutil.copy(FIXTURES / "wdi" / GDP_FILE, folder / "wdi" / GDP_FILE)
    (folder / "chinavitae").mkdir()
    for f in (FIXTURES / "chinavitae").glob("*.csv"):
        shutil.copy(f, folder / "chinavitae" / "china_leader_engagements_2003_2018.csv")
        break
    return folder


@pytest.fixture
def licensed_wdi(monkeypatch):
    monkeypatch.setitem(S.LICENCES, "wdi", (True, "CC BY 4.0 (test)"))
    monkeypatch.setattr(S, "ORDER", ("wdi",))


def test_build_is_deterministic_and_says_what_is_in_and_out(tmp_path, mirror, licensed_wdi):
    first = S.build_snapshot(mirror, tmp_path / "a").manifest
    second = S.build_snapshot(mirror, tmp_path / "b").manifest
    assert first == second
    for name in ("sources.parquet", "indicators.parquet", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    by_connector = {e["connector"]: e for e in first["inputs"]}
    wdi = by_connector["wdi"]
    assert wdi["included"] and wdi["licence"] == "CC BY 4.0" and wdi["edition"]
    assert len(wdi["sha256"]) == 64 and wdi["url"].startswith("https://api.worldbank.org/")
    assert wdi["rows_kept"]["core.indicators"] == first["tables"]["core.indicators"]["rows"] > 0
    if "chinavitae" in by_connector:  # present in the mirror, never redistributed
        vitae = by_connector["chinavitae"]
        assert not vitae["included"] and vitae["rows_kept"] == {} and "licence" in vitae["reason"]
    # only the five states, the partners and the donors' context rows are kept
    db = tmp_path / "probe.duckdb"
    build(db, snapshot_dir=tmp_path / "a")
    countries = query(db, "SELECT DISTINCT country_iso3 FROM core.indicators WHERE source_id LIKE '%_snapshot'")
    assert countries and {c for (c,) in countries} <= set(S.CONTEXT_COUNTRIES)


def test_build_loads_the_snapshot_with_the_pack_and_update_supersedes_it(tmp_path, mirror, licensed_wdi):
    folder = tmp_path / "snap"
    manifest = S.build_snapshot(mirror, folder).manifest
    db = tmp_path / "w.duckdb"
    report = build(db, snapshot_dir=folder)
    assert report.snapshot_edition == manifest["edition"]
    assert report.snapshot_rows["core.indicators"] == manifest["tables"]["core.indicators"]["rows"]
    cited = query(db, "SELECT version, citation FROM core.sources WHERE source_id LIKE 'wdi_%_snapshot'")
    assert cited and all(manifest["edition"] in v and "snapshot" in c and "World Bank" in c for v, c in cited)
    assert not build(db, snapshot_dir=folder).changed  # same pack, same snapshot: a no-op

    files = fetch_source("wdi", mirror=mirror, cache_dir=tmp_path / "cache")
    ingest("wdi", files, db)
    rows = query(db, "SELECT count(*) FROM core.indicators WHERE source_id LIKE '%_snapshot'")
    assert rows == [(0,)]  # the fresh download replaced the snapshot's rows ...
    kept = query(
        db, "SELECT count(*) FROM core.sources WHERE source_id LIKE 'wdi_%_snapshot' AND superseded_at IS NOT NULL"
    )
    assert kept == [(1,)]  # ... and both provenance rows stay
    build(db, snapshot_dir=folder, force=True)  # a rebuild does not put the superseded rows back
    assert query(db, "SELECT count(*) FROM core.indicators WHERE source_id LIKE '%_snapshot'") == [(0,)]


def test_no_snapshot_removes_its_rows(tmp_path, mirror, licensed_wdi):
    folder = tmp_path / "snap"
    S.build_snapshot(mirror, folder)
    db = tmp_path / "w.duckdb"
    build(db, snapshot_dir=folder)
    report = build(db, snapshot=False)
    assert report.changed and report.snapshot_edition is None
    assert query(db, "SELECT count(*) FROM core.sources WHERE source_id LIKE '%_snapshot'") == [(0,)]
    assert query(db, "SELECT count(*) FROM core.indicators") == [(0,)]


def test_a_tampered_snapshot_is_refused_and_changes_nothing(tmp_path, mirror, licensed_wdi):
    folder = tmp_path / "snap"
    S.build_snapshot(mirror, folder)
    db = tmp_path / "w.duckdb"
    build(db, snapshot=False)
    before = checksum(db)
    parquet = folder / "indicators.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-20] + b"\0" * 20)
    with pytest.raises(InputError) as info:
        build(db, snapshot_dir=folder)
    assert "indicators.parquet" in str(info.value) and "sha256" in str(info.value)
    assert checksum(db) == before


def test_a_corrupt_manifest_is_a_located_error(tmp_path):
    folder = tmp_path / "snap"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"format": 1, "edition": ')
    with pytest.raises(InputError, match=r"manifest\.json"):
        build(tmp_path / "w.duckdb", snapshot_dir=folder)


def test_the_cli_builds_and_shows_a_snapshot(tmp_path, mirror):
    out = tmp_path / "snap"
    exe = Path(sys.executable).parent / "silkscope"
    done = subprocess.run(
        [str(exe), "snapshot", "build", "--mirror", str(mirror), "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == S.FORMAT_VERSION
    shown = subprocess.run([str(exe), "snapshot", "show", "--dir", str(out)], capture_output=True, text=True)
    assert shown.returncode == 0 and manifest["edition"] in shown.stdout
    missing = subprocess.run(
        [str(exe), "snapshot", "build", "--mirror", str(tmp_path / "nowhere"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "nowhere" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.realdata
def test_the_packaged_snapshot_is_what_the_mirror_builds(tmp_path, shared_dir):
    """The committed Parquet is reproducible from the publisher files by silkscope's own code."""
    packaged = S.read_manifest()
    assert packaged is not None, "no packaged snapshot: run `silkscope snapshot build --mirror ../shared/data`"
    rebuilt = S.build_snapshot(shared_dir / "data", tmp_path / "snap").manifest
    assert rebuilt["edition"] == packaged["edition"]
    assert {t: e["rows"] for t, e in rebuilt["tables"].items()} == {t: e["rows"] for t, e in packaged["tables"].items()}
    size = sum(p.stat().st_size for p in S.snapshot_dir().glob("*.parquet"))
    assert size < 25e6  # the budget the package ships within
    for entry in packaged["inputs"]:
        assert entry["reason"] and entry["licence"] is not None
        if entry["included"]:
            assert S.LICENCES[entry["connector"]][0]
