"""The dyad-year panel on DuckDB: values counted by hand from the fixture rows and the reference pack."""

from __future__ import annotations

import pytest

from silkscope import views
from silkscope.indicators import events, stored


def _rows(result):
    return {(r["partner_iso3"], r["country_iso3"], r["year"]): r for r in result.rows}


@pytest.fixture(scope="module")
def p2010(indicator_db):
    return stored.panel(["JPN", "CHN", "KOR", "TUR"], ["UZB", "KAZ"], 2010, 2012, db=indicator_db)


def test_finance_keeps_measures_bases_and_classes_apart(p2010):
    jpn = _rows(p2010)[("JPN", "UZB", 2010)]
    assert jpn["finance_dataset"] == "oecd_crs"  # preferred over the AidData rows for the same flows
    assert jpn["oda_commit_constant_usd"] == 90e6  # grant 30 + loan 60
    assert jpn["oof_commit_constant_usd"] == 5e6
    assert jpn["official_commit_constant_usd"] == 95e6
    assert jpn["oda_commit_current_usd"] == 25e6
    assert jpn["oda_disb_gross_current_usd"] == 70e6  # the ODA total, not total + its grant part
    assert jpn["oda_disb_net_current_usd"] is None
    assert jpn["finance_projects"] == 3
    chn = _rows(p2010)[("CHN", "KAZ", 2012)]
    assert (chn["oof_commit_constant_usd"], chn["official_commit_constant_usd"]) == (1000e6, 1200e6)
    assert chn["oda_commit_constant_usd"] is None
    assert _rows(p2010)[("KOR", "UZB", 2010)]["finance_dataset"] == "aiddata_flows"


def test_trade_reporter_and_mirror(p2010):
    jpn = _rows(p2010)[("JPN", "UZB", 2010)]
    assert (jpn["exports_usd"], jpn["imports_usd"], jpn["trade_total_usd"]) == (100e6, 20e6, 120e6)
    assert (jpn["exports_mirror_usd"], jpn["imports_mirror_usd"]) == (108e6, 12e6)
    assert jpn["trade_mirror_gap_usd"] == 0 and jpn["trade_mirror_gap_pct"] == 0
    assert _rows(p2010)[("JPN", "UZB", 2012)]["trade_total_mirror_usd"] is None


def test_fdi_presence_news_and_biographies_stay_apart(p2010):
    rows = _rows(p2010)
    assert rows[("CHN", "UZB", 2010)]["fdi_flow_usd"] == 300e6
    assert rows[("JPN", "UZB", 2010)]["presence_companies_operating"] == 18
    jpn = rows[("JPN", "UZB", 2010)]
    assert (jpn["news_visit_events"], jpn["news_meeting_events"], jpn["news_agreement_events"]) == (3, 2, 1)
    assert jpn["news_events_total"] == 6
    chn = rows[("CHN", "KAZ", 2012)]
    assert (chn["vitae_leader_travel_days"], chn["vitae_leader_home_meeting_days"]) == (2, 1)
    assert chn["vitae_other_travel_days"] == 1
    assert jpn["vitae_leader_travel_days"] is None  # biographies cover China only: not 0
    assert rows[("KOR", "UZB", 2010)]["news_events_total"] is None
    # Türkiye is in the timeline since the EU/Türkiye/India rows were carried: no visit that year is 0, not NULL
    assert rows[("TUR", "UZB", 2010)]["leader_visits_to_country"] == 0


def test_sources_definitions_and_sql(p2010):
    jpn = _rows(p2010)[("JPN", "UZB", 2010)]
    assert {"src_t_oecd", "src_t_comtrade", "src_t_unctad", "src_t_gdelt"} <= set(jpn["source_ids"])
    assert "src_t_aiddata" not in jpn["source_ids"]  # not the dataset used
    cited = {s["source_id"] for s in p2010.sources}
    assert all(set(r["source_ids"]) <= cited for r in p2010.rows)
    assert "commitments" in p2010.definitions["oda_commit_constant_usd"]
    assert "SELECT" in p2010.query and '"out"."panel"' in p2010.query  # the materialised panel, filtered


def test_visits_match_the_curated_views(built_db):
    """The Ibis re-derivation of out.visits gives the counts the SQL views give (README figures)."""
    result = stored.panel(["JPN", "CHN", "KOR", "RUS", "USA"], None, 2000, 2025, db=built_db)
    for partner in ("JPN", "CHN", "KOR", "RUS", "USA"):
        mine = [r for r in result.rows if r["partner_iso3"] == partner]
        out = views.compare("C5", partner, "leader_visits", 2000, 2025, db=built_db).rows[0]
        inbound = views.compare("C5", partner, "inbound_visits", 2000, 2025, db=built_db).rows[0]
        assert sum(r["leader_visits_to_country"] for r in mine) == out["country_visits"], partner
        assert sum(r["leader_visits_to_partner"] for r in mine) == inbound["inbound_visits"], partner
    jpn = [r for r in result.rows if r["partner_iso3"] == "JPN" and r["leader_visits_to_country"]]
    assert sorted({r["year"] for r in jpn}) == [2006, 2015]
    jpn_in = sum(r["leader_visits_to_partner"] for r in result.rows if r["partner_iso3"] == "JPN")
    assert jpn_in == 16  # the December 2025 summit-and-visit trips count once each


def test_dialogue_and_ministerial_meetings(built_db):
    result = stored.panel(["JPN", "USA"], None, 2004, 2017, db=built_db)
    rows = _rows(result)
    assert rows[("JPN", "KAZ", 2004)]["dialogue_meetings"] == 1  # CA+Japan launch in Astana
    assert rows[("USA", "UZB", 2015)]["dialogue_meetings"] == 2  # C5+1 launch (New York) and Samarkand
    early = stored.panel(["JPN"], ["KAZ", "UZB", "TKM"], 2002, 2002, db=built_db)
    assert all(r["ministerial_meetings"] == 1 for r in early.rows)  # Sugiura mission, July 2002


def test_visit_pairs_inherit_trip_ids_like_the_view(built_db):
    import duckdb

    from silkscope.indicators.tables import duckdb_tables

    t = duckdb_tables(built_db)
    mine = {(r["event_id"], r["visitor_iso3"], r["host_iso3"]): r["trip_key"] for r in t.rows(events.visit_pairs(t))}
    with duckdb.connect(str(built_db), read_only=True) as con:
        view = {(e, v, h): k for e, v, h, k in con.execute(
            "SELECT event_id, visitor_iso3, host_iso3, trip_key FROM out.visits").fetchall()}  # fmt: skip
    assert mine == view
