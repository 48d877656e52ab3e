"""Shares, change, balance, composition, index and disagreement on DuckDB, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from silkscope.errors import SilkscopeError
from silkscope.indicators import balance, change, composition, disagreement, index, shares


def test_shares_use_every_recorded_partner_as_denominator(indicator_db):
    r = shares.shares(["JPN", "CHN", "KOR"], ["UZB"], ["official_commit_constant_usd", "fdi_flow_usd"], 2010, 2010,
                      db=indicator_db)  # fmt: skip
    by = {(x["partner_iso3"], x["instrument"]): x for x in r.rows}
    jpn = by[("JPN", "official_commit_constant_usd")]
    assert jpn["total"] == 195e6  # JPN 95 + KOR 20 + DEU 80 (DEU is not shown but counts)
    assert jpn["share_pct"] == pytest.approx(100 * 95 / 195)
    assert (jpn["rank"], by[("KOR", "official_commit_constant_usd")]["rank"]) == (1, 3)
    assert [by[(p, "fdi_flow_usd")]["rank"] for p in ("CHN", "KOR", "JPN")] == [1, 2, 3]
    assert "DEU" in r.definitions["partner universe"]
    assert r.sources


def test_change_fold_cagr_and_rows_used(indicator_db):
    bundle = change.change(["JPN"], ["official_commit_constant_usd", "trade_total_usd"], 2010, 2012, ["UZB"],
                           db=indicator_db)  # fmt: skip
    main, used = bundle.sections
    fin = next(r for r in main.rows if r["instrument"] == "official_commit_constant_usd")
    assert (fin["start_value"], fin["end_value"], fin["abs_change"]) == (95e6, 300e6, 205e6)
    assert fin["fold_change"] == pytest.approx(300 / 95)
    assert fin["cagr_pct"] == pytest.approx(100 * (math.sqrt(300 / 95) - 1))
    assert [r["year"] for r in used.rows] == [2010, 2012]
    assert "src_t_oecd" in used.rows[0]["source_ids"]
    with pytest.raises(SilkscopeError, match="expected a year"):
        change.change(["JPN"], ["trade_total_usd"], "early", 2012, db=indicator_db)


def test_change_over_periods(indicator_db):
    main, _ = change.change(["JPN"], ["official_commit_constant_usd"], "2010-2011", "2012-2013", ["UZB"],
                            db=indicator_db).sections  # fmt: skip
    row = main.rows[0]
    assert (row["start_value"], row["start_years_with_data"], row["end_value"]) == (140e6, 2, 300e6)
    assert row["cagr_pct"] == pytest.approx(100 * ((300 / 140) ** 0.5 - 1))


def test_public_private_balance(indicator_db):
    r = balance.balance(["JPN", "KOR"], ["UZB"], 2010, 2010, public="official_commit_constant_usd", db=indicator_db)
    by = {x["partner_iso3"]: x for x in r.rows}
    assert by["JPN"]["public_share_pct"] == pytest.approx(100 * 95 / 105)  # government-led
    assert by["KOR"]["public_share_pct"] == pytest.approx(100 * 20 / 110)  # business-led
    assert by["JPN"]["companies"] == 18
    assert by["JPN"]["public_per_trade_pct"] == pytest.approx(100 * 95 / 120)


def test_balance_ratios_use_only_the_years_both_sides_have(indicator_db):
    r = balance.balance(["JPN"], ["UZB"], 2009, 2013, public="official_commit_constant_usd", db=indicator_db)
    (jpn,) = r.rows
    assert jpn["public_usd"] == pytest.approx(95e6 + 45e6 + 300e6)  # every year with public finance
    assert (jpn["first_year"], jpn["last_year"]) == (2010, 2012)  # years with data, not the period asked
    # FDI only in 2010: the share compares 2010 with 2010, not three years of aid with one year of FDI.
    assert jpn["years_public_and_fdi"] == 1
    assert jpn["public_share_pct"] == pytest.approx(100 * 95 / 105)
    # Trade as Uzbekistan reports it, in 2010 only (Japan's own report has 2012 too): 2011's and 2012's aid have no
    # trade to set against.
    assert jpn["years_public_and_trade"] == 1
    assert jpn["public_per_trade_pct"] == pytest.approx(100 * 95 / 120)


def test_composition_rca_and_complementarity(indicator_db):
    comp = composition.composition("composition", ["JPN", "KOR"], ["UZB"], 2010, 2010, db=indicator_db)
    jpn = {r["code"]: r for r in comp.rows if r["partner_iso3"] == "JPN"}
    assert jpn["7"]["share_pct"] == 80 and jpn["7"]["label"] == "machinery and transport equipment"
    kor7 = next(r for r in comp.rows if r["partner_iso3"] == "KOR" and r["code"] == "7")
    assert kor7["value_usd"] == 350e6  # the importer's report, not the exporter's 999
    div = composition.composition("composition", ["JPN"], ["UZB"], 2010, 2010, level="division", db=indicator_db)
    assert {r["code"] for r in div.rows} >= {"65"}
    rca = composition.composition("rca", ["JPN"], ["UZB"], 2010, 2010, db=indicator_db)
    r5 = next(r for r in rca.rows if r["code"] == "5")
    assert r5["rca"] == pytest.approx(12.0 / (100 * 62 / 1500))  # chemicals: 12% of JPN vs 62/1500 of market
    tc = composition.composition("complementarity", ["JPN", "CHN"], ["UZB"], 2010, 2010, db=indicator_db)
    by = {r["partner_iso3"]: r["complementarity"] for r in tc.rows}
    # UZB's imports by section: 7 930, 6 308, 8 200, 5 62 of 1500; JPN exports 7 .80, 6 .08, 5 .12
    m = {"7": 930 / 1500, "6": 308 / 1500, "8": 200 / 1500, "5": 62 / 1500}
    x = {"7": 0.80, "6": 0.08, "5": 0.12}
    assert by["JPN"] == pytest.approx(100 * (1 - sum(abs(m[k] - x.get(k, 0)) for k in m) / 2))
    assert tc.sources


def test_index_weights_bandwidth_dependence_and_sensitivity(indicator_db):
    r = index.index(["JPN", "CHN", "KOR"], ["UZB"], 2010, 2010, db=indicator_db)
    by = {x["partner_iso3"]: x for x in r.rows}
    assert all(0 <= x["engagement_index"] <= 100 for x in r.rows)
    assert by["JPN"]["presence_score"] == pytest.approx(100) and by["CHN"]["fdi_score"] == pytest.approx(100)
    trade_only = index.index(["JPN", "CHN", "KOR"], ["UZB"], 2010, 2010, weights="trade=1", db=indicator_db)
    assert {x["partner_iso3"]: x["engagement_index"] for x in trade_only.rows}["CHN"] == pytest.approx(100)
    assert "weights used" in trade_only.definitions and r.sources
    dep = {x["partner_iso3"]: x["country_dependence_pct"] for x in trade_only.rows}
    assert dep["CHN"] == pytest.approx(100 * 1500 / 2120)
    with pytest.raises(SilkscopeError, match="unknown index component"):
        index.parse_weights("tourism=1")
    sens = index.sensitivity_report(["JPN", "CHN", "KOR", "RUS"], ["UZB", "KAZ"], 2005, 2015, draws=50,
                                    db=indicator_db)  # fmt: skip
    assert sorted(x["rank"] for x in sens.rows) == [1, 2, 3, 4]
    assert all(x["rank_min"] <= x["rank"] <= x["rank_max"] for x in sens.rows)
    assert "rank_without_trade" in sens.columns


def test_finance_and_trade_disagreement(indicator_db):
    fin = disagreement.disagreement("finance", ["JPN", "KOR"], ["UZB"], 2009, 2013, db=indicator_db)
    by = {(r["partner_iso3"], r["year"]): r for r in fin.rows}
    row = by[("JPN", 2012)]
    assert (row["value_a_usd"], row["value_b_usd"], row["gap_usd"]) == (400e6, 300e6, 100e6)
    assert "different constant-price base years" in row["reasons"]
    assert by[("KOR", 2010)]["reasons"].startswith("only AidData Core Research Release records it")  # in words
    assert {s["source_id"] for s in fin.sources} == {"src_t_aiddata", "src_t_oecd"}
    trade = disagreement.disagreement("trade", ["JPN"], ["UZB"], 2010, 2010, db=indicator_db)
    ex, im = sorted(trade.rows, key=lambda r: r["flow"])
    assert (ex["reported_usd"], ex["mirror_usd"], ex["gap_pct"]) == (100e6, 108e6, 8.0)
    assert ex["reasons"].startswith("gap within a CIF/FOB margin")
    assert im["reasons"].startswith("gap beyond a CIF/FOB margin")


def test_compute_takes_names_like_the_cli(indicator_db):
    from silkscope.indicators.registry import compute

    by_name = compute("balance", "Japan,ROK", "Uzbekistan", 2010, 2010, db=indicator_db,
                      measures=["official_commit_constant_usd"])  # fmt: skip
    public = "official_commit_constant_usd"
    by_code = balance.balance(["JPN", "KOR"], ["UZB"], 2010, 2010, public=public, db=indicator_db)
    assert by_name.rows == by_code.rows and len(by_name.rows) == 2
    with pytest.raises(SilkscopeError, match="unknown indicator option"):
        compute("balance", "JPN", db=indicator_db, public="oda")
