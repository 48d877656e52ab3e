"""Instrument summaries on real AidData rows: sums stay within one definition and match the published file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from silkscope import labels, views
from silkscope.build import build
from silkscope.ingest import fetch_source, ingest

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def aiddata_db(tmp_path_factory, shared_dir):
    path = tmp_path_factory.mktemp("aid") / "w.duckdb"
    build(path, snapshot=False)  # AidData alone: the figures below are checked against its published file
    files = fetch_source("aiddata_flows", mirror=shared_dir / "data", cache_dir=path.parent / "cache")
    ingest("aiddata_flows", files, path)
    return path


# ../shared beside the project (not `from conftest import SHARED`: tests/claims has a conftest module of its own,
# and which one `import conftest` finds depends on the test order)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _published(sql: str) -> float:
    path = SHARED / "data" / "aiddata" / "aiddata2_flows_donor_recipient_year.csv"
    return duckdb.sql(sql.replace("FILE", f"read_csv('{path}')")).fetchone()[0]


def test_profile_finance_matches_the_published_file(aiddata_db):
    bundle = views.profile("UZB", "JPN,KOR", since=2000, until=2012, db=aiddata_db)
    finance = next(s for s in bundle.sections if s.title == "Official finance by definition")
    by_partner = {r["partner_iso3"]: r for r in finance.rows}
    expected = _published(
        "SELECT sum(sum_amount_usd_constant) FROM FILE WHERE donor = 'JPN' AND recipient = 'UZB' "
        "AND date BETWEEN 2000 AND 2012"
    )
    assert by_partner["JPN"]["amount_usd"] == pytest.approx(expected)
    assert by_partner["JPN"]["measure"] == "commitment" and by_partner["JPN"]["price_basis"] == "constant"
    assert finance.sources[0]["sha256"]


def test_compare_summary_shows_one_definition_per_partner(aiddata_db):
    result = views.compare("C5", "JPN,USA,CHN", "all", 1995, 2012, db=aiddata_db)
    rows = {r["partner_iso3"]: r for r in result.rows}
    expected = _published(
        "SELECT sum(sum_amount_usd_constant) FROM FILE WHERE donor = 'JPN' AND "
        "recipient IN ('KAZ','KGZ','TJK','TKM','UZB','Central Asia, regional') "
        "AND date BETWEEN 1995 AND 2012"
    )
    assert rows["JPN"]["official_finance_usd"] == pytest.approx(expected)
    definition = rows["JPN"]["finance_definition"]
    assert definition.startswith("AidData (William & Mary): development finance (all classes), commitment, constant")
    assert rows["CHN"]["official_finance_usd"] is None  # AidData 2.x has no Chinese donor rows


def test_finance_indicator_by_country_excludes_regional_rows(aiddata_db):
    """Year by year for one state, regional ('Central Asia, regional') rows excluded, one definition."""
    result = views.compare("KAZ", "JPN", "finance", 1995, 2012, db=aiddata_db)
    expected = _published(
        "SELECT sum(sum_amount_usd_constant) FROM FILE WHERE donor = 'JPN' AND recipient = 'KAZ' "
        "AND date BETWEEN 1995 AND 2012"
    )
    assert {r["country_iso3"] for r in result.rows} == {"KAZ"}
    assert sum(r["JPN_usd"] or 0 for r in result.rows) == pytest.approx(expected)
    assert "commitment" in result.title and labels.dataset_short("aiddata_flows") in result.definitions["JPN_usd"]
