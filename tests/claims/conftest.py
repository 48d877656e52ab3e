"""The checker's tests and labels expect a warehouse built from the reference pack alone (their stated basis): the
embedded publisher snapshot that `silkscope build` now loads too would settle claims the labels keep unverifiable.
A test that wants the snapshot builds its own warehouse (test_verify.py: the seed's hundredfold with WDI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkscope.build import build


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wh_pack") / "silkscope.duckdb"
    build(path, snapshot=False)
    return path
