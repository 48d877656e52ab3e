"""Who leads where: the window ends at the last year two partners are recorded; ties and shares of all partners."""

from __future__ import annotations

import pytest

from silkscope.profiles.leaders import leaders


def row(partner, country, year, value, total, instrument="official_commit_constant_usd"):
    return {"partner_iso3": partner, "country_iso3": country, "year": year, "instrument": instrument,
            "value": value, "total": total}  # fmt: skip


def test_window_stops_where_only_one_partner_is_recorded():
    rows = [
        # 2010-2013: Japan and China both recorded in Uzbekistan; DEU (untracked) is in the totals
        *[row("JPN", "UZB", y, 60.0, 100.0) for y in range(2010, 2014)],
        *[row("CHN", "UZB", y, 30.0, 100.0) for y in range(2010, 2014)],
        # 2014-2017: only China's dataset continues; counting these years would hand China the lead
        *[row("CHN", "UZB", y, 500.0, 500.0) for y in range(2014, 2018)],
        *[row("JPN", "UZB", y, None, 500.0) for y in range(2014, 2018)],
    ]
    (finance,) = leaders(rows, window=10)
    assert (finance["since"], finance["until"]) == (2004, 2013)
    cell = finance["cells"]["UZB"]
    assert cell["partners"] == ["JPN"] and cell["share_pct"] == pytest.approx(60.0)  # 240 of 400, DEU's 40 counted
    assert finance["cells"]["KAZ"] is None  # nothing recorded: shown as "–", not as zero


def test_ties_are_shown_together_and_an_instrument_with_one_partner_is_left_out():
    visits = "leader_visits_to_country"
    rows = [row("CHN", "KGZ", 2020, 1.0, 2.0, visits), row("RUS", "KGZ", 2020, 1.0, 2.0, visits),
            row("JPN", "UZB", 2013, 5e6, 5e6, "trade_total_usd")]  # fmt: skip
    (only,) = leaders(rows)
    assert only["instrument"] == visits and only["cells"]["KGZ"]["partners"] == ["CHN", "RUS"]
    assert only["cells"]["KGZ"]["share_pct"] == pytest.approx(50.0)


def test_standing_gives_one_partners_share_and_rank_over_the_same_window():
    from silkscope.profiles.leaders import standing

    rows = [
        *[row("JPN", "UZB", y, 60.0, 100.0) for y in range(2010, 2014)],
        *[row("CHN", "UZB", y, 30.0, 100.0) for y in range(2010, 2014)],
        *[row("CHN", "UZB", y, 500.0, 500.0) for y in range(2014, 2018)],
    ]
    (finance,) = standing(rows, "CHN")
    assert (finance["since"], finance["until"]) == (2004, 2013)
    cell = finance["cells"]["UZB"]
    assert cell["share_pct"] == pytest.approx(30.0) and cell["rank"] == 2 and cell["tracked"] == 2
    assert finance["cells"]["TJK"] is None


def test_a_year_only_one_partner_is_recorded_in_gives_nobody_the_lead():
    # Rosstat alone reports Russia's trade with Tajikistan: the shares indicator gives it no share that year
    trade = "trade_total_mirror_usd"
    rows = [
        {**row("RUS", "TJK", 2020, 4e9, 4e9, trade), "share_pct": None},
        {**row("CHN", "KAZ", 2020, 2e9, 8e9, trade), "share_pct": 25.0},
        {**row("RUS", "KAZ", 2020, 3e9, 8e9, trade), "share_pct": 37.5},
    ]
    (only,) = leaders(rows)
    assert only["cells"]["TJK"] is None
    assert only["cells"]["KAZ"]["partners"] == ["RUS"] and only["cells"]["KAZ"]["share_pct"] == pytest.approx(37.5)
