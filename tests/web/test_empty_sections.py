"""A section with no rows says so once: why, and how to load the data, not the same note twice."""

from __future__ import annotations

from fastapi.testclient import TestClient

from silkscope.server import create_app


def test_an_empty_finance_section_says_why_once(built_db):
    with TestClient(create_app(built_db, token="")) as client:
        page = client.get("/partner/RUS")  # Russia reports no official finance to the DAC: no rows in the snapshot
    assert page.status_code == 200
    assert "No official finance from Russia to the five states" in page.text
    assert page.text.count("No official finance rows for these partners and states") == 1
