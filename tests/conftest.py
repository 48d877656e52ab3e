"""Shared fixtures: a warehouse built once from the packaged reference pack, and paths to ../shared."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from silkscope.build import build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# every chart a test draws (here or in a server a test starts) is checked against the Vega-Lite schema
os.environ["SILKSCOPE_VALIDATE_CHARTS"] = "1"
PACK = ROOT / "src" / "silkscope" / "reference_pack"


@pytest.fixture(autouse=True)
def _isolated_default_db(tmp_path, monkeypatch):
    """No test may touch the user's real warehouse."""
    monkeypatch.setenv("SILKSCOPE_DB", str(tmp_path / "default.duckdb"))


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "silkscope.duckdb"
    build(path)
    return path


@pytest.fixture
def pack_copy(tmp_path) -> Path:
    """A writable copy of the reference pack, for tests that plant bad rows."""
    target = tmp_path / "pack"
    shutil.copytree(PACK, target)
    return target


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared/reference and ../shared/data; required in CI, skipped elsewhere if absent."""
    if not SHARED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI must run with ../shared beside the project")
        pytest.skip("../shared not present")
    return SHARED


@pytest.fixture
def http_server():
    """A local HTTP server on 127.0.0.1 (see tests/httpserver.py); stopped after the test."""
    from httpserver import start

    server, httpd = start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
