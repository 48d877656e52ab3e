"""An API client over a warehouse built from the reference pack (its own file: the app holds it open)."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from silkscope.server import create_app


@pytest.fixture(scope="session")
def api_db(built_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("apiwh") / "silkscope.duckdb"
    shutil.copy(built_db, path)
    return path


@pytest.fixture(scope="session")
def client(api_db):
    with TestClient(create_app(api_db, token="")) as c:
        yield c
