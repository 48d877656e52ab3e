"""A state's trade with all partners, as its statistics publish it (partner WLD): the denominator of its partners'
shares, never a partner itself; and a partner it trades with one way has that trade as its turnover."""

from __future__ import annotations

import duckdb
import pytest

from silkscope.analysis.materialise import materialise
from silkscope.build import build
from silkscope.countries import WORLD_CODE
from silkscope.indicators.panel import all_partners
from silkscope.indicators.shares import shares
from silkscope.indicators.tables import duckdb_tables
from silkscope.series import trade_partners

# partner, direction, value (Kazakhstan's own report of 2019): the total row holds Uzbekistan (a neighbour, no
# partner in the panel) and the 10 Kazakhstan does not allocate
KAZ_2019 = [
    (WORLD_CODE, "country_to_partner", 100.0),
    (WORLD_CODE, "partner_to_country", 60.0),
    ("CHN", "country_to_partner", 30.0),
    ("CHN", "partner_to_country", 20.0),
    ("RUS", "country_to_partner", 40.0),
    ("RUS", "partner_to_country", 25.0),
    ("AFG", "country_to_partner", 5.0),  # exports only: the sheet's import cell is blank, no trade that way
    ("UZB", "country_to_partner", 15.0),
    ("UZB", "partner_to_country", 5.0),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("totals") / "silkscope.duckdb"
    build(path, snapshot=False)
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO core.sources (source_id, kind, publisher, title, citation, loaded_by) VALUES "
        "('src_t_kz', 'dataset', 'BNS (test rows)', 'BNS: synthetic rows', 'BNS, synthetic rows', 'kz_bns')"
    )
    con.executemany(
        """INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, year, direction, reporter_iso3,
               classification, product_code, value_usd, price_basis, definition, source_id, source_ids,
               citation_status, record)
           VALUES (?, ?, 'KAZ', 2019, ?, 'KAZ', 'total', 'TOTAL', ?, 'current', 'test', 'src_t_kz', ['src_t_kz'],
                   'cited', 'test')""",
        [(f"t:kz:{i}", p, d, v * 1e6) for i, (p, d, v) in enumerate(KAZ_2019)],
    )
    materialise(con)
    con.close()
    return path


def test_the_total_is_no_partner(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        partners = all_partners(duckdb_tables(con=con), ["KAZ"])
    finally:
        con.close()
    assert WORLD_CODE not in partners and {"CHN", "RUS", "AFG"} <= set(partners)


def test_shares_of_a_states_trade_are_of_its_published_total(db):
    result = shares(["CHN", "RUS", "AFG"], ["KAZ"], ["trade_total_mirror_usd"], 2019, 2019, db=db)
    rows = {r["partner_iso3"]: r for r in result.rows}
    assert WORLD_CODE not in rows
    assert rows["CHN"]["total"] == pytest.approx(160e6)  # not 120 (the partners recorded, without Uzbekistan)
    assert rows["CHN"]["share_pct"] == pytest.approx(100 * 50 / 160)
    assert rows["RUS"]["rank"] == 1
    # one way: Kazakhstan's exports to it are its turnover with it (it was blank: exports + a blank import)
    assert rows["AFG"]["value"] == pytest.approx(5e6)


def test_largest_partners_rank_countries_and_take_shares_of_the_total(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = trade_partners(["KAZ"], 2019, 2019, 10, con)
    finally:
        con.close()
    ranked = [r["partner_iso3"] for r in result.rows]
    assert ranked[:3] == ["RUS", "CHN", "UZB"] and WORLD_CODE not in ranked
    assert result.rows[0]["share_pct"] == pytest.approx(100 * 65 / 160)
    assert result.rows[0]["of_total_usd"] == pytest.approx(160e6)  # the denominator, shown beside the share
    # each direction's share, and the total it is a share of: the total row's exports (100) and imports (60)
    russia = result.rows[0]
    assert russia["exports_total_usd"] == pytest.approx(100e6) and russia["imports_total_usd"] == pytest.approx(60e6)
    assert russia["export_share_pct"] == pytest.approx(40.0) and russia["import_share_pct"] == pytest.approx(
        100 * 25 / 60
    )
