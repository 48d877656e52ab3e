"""What a share is taken of: the state's own total with all partners where it publishes one; else the partners
recorded, the EU not counted twice beside its members, a lone partner with no share, and a year nobody has any
ranking nobody."""

from __future__ import annotations

import duckdb
import ibis
import pytest

from silkscope.indicators.flows import STATE_TOTAL
from silkscope.indicators.shares import shares_expr
from silkscope.indicators.tables import _tidy_sql


def _shares(rows: list[dict], instruments: list[str], partners: list[str]) -> dict[tuple, dict]:
    panel = ibis.memtable(rows)
    con = ibis.duckdb.connect()
    out = con.to_pyarrow(shares_expr(panel, instruments, partners)).to_pylist()
    return {(r["partner_iso3"], r["instrument"]): r for r in out}


def _row(partner: str, **values: float | None) -> dict:
    base = {"partner_iso3": partner, "country_iso3": "KAZ", "year": 2019}
    empty = {"trade_total_mirror_usd": None, STATE_TOTAL: None, "official_commit_constant_usd": None}
    return {**base, **empty, **values}


def test_in_trade_the_eu_is_counted_once_beside_its_members_in_finance_each_counts():
    # A state's trade statistics list the EU (EU-27 together) and Italy, one of its members; DAC finance lists the EU
    # institutions and Italy's own aid, which do not overlap.
    rows = [
        _row("EUU", trade_total_mirror_usd=30.0, official_commit_constant_usd=10.0),
        _row("ITA", trade_total_mirror_usd=8.0, official_commit_constant_usd=10.0),
        _row("CHN", trade_total_mirror_usd=20.0, official_commit_constant_usd=20.0),
    ]
    got = _shares(rows, ["trade_total_mirror_usd", "official_commit_constant_usd"], ["EUU", "ITA", "CHN"])
    trade = {p: got[(p, "trade_total_mirror_usd")] for p in ("EUU", "ITA", "CHN")}
    assert {r["total"] for r in trade.values()} == {50.0}  # not 58: Italy is inside the EU's 30
    assert trade["EUU"]["share_pct"] == pytest.approx(60.0) and trade["ITA"]["share_pct"] == pytest.approx(16.0)
    assert trade["CHN"]["n_partners"] == 2
    finance = {p: got[(p, "official_commit_constant_usd")] for p in ("EUU", "ITA", "CHN")}
    assert {r["total"] for r in finance.values()} == {40.0} and finance["CHN"]["n_partners"] == 3


def test_members_count_when_the_eu_is_not_recorded():
    rows = [_row("ITA", trade_total_mirror_usd=8.0), _row("CHN", trade_total_mirror_usd=24.0)]
    got = _shares(rows, ["trade_total_mirror_usd"], ["ITA", "CHN"])
    assert got[("ITA", "trade_total_mirror_usd")]["share_pct"] == pytest.approx(25.0)


def test_a_lone_recorded_partner_has_no_share_and_a_year_of_zeros_no_rank():
    rows = [
        _row("RUS", trade_total_mirror_usd=15.0, official_commit_constant_usd=0.0),
        _row("CHN", official_commit_constant_usd=0.0),
    ]
    got = _shares(rows, ["trade_total_mirror_usd", "official_commit_constant_usd"], ["RUS", "CHN"])
    alone = got[("RUS", "trade_total_mirror_usd")]
    assert alone["value"] == 15.0 and alone["share_pct"] is None and alone["rank"] == 1
    zeros = [got[(p, "official_commit_constant_usd")] for p in ("RUS", "CHN")]
    assert [r["rank"] for r in zeros] == [None, None] and [r["share_pct"] for r in zeros] == [None, None]


def test_window_frames_left_out_of_the_sql_change_no_answer():
    t = ibis.table({"g": "string", "o": "int64", "x": "float64"}, name="t")
    expr = t.mutate(
        whole=t.x.sum().over(group_by="g"),
        running=t.x.sum().over(group_by="g", order_by="o"),
        everything=t.x.sum().over(),
        place=ibis.rank().over(group_by="g", order_by=ibis.desc(t.x)),
    ).order_by("g", "o")
    full = ibis.to_sql(expr, dialect="duckdb")
    plain = _tidy_sql(full)
    # only the ordered sum keeps its frame
    assert full.count("UNBOUNDED FOLLOWING") == 4 and plain.count("UNBOUNDED FOLLOWING") == 1
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 1, 1.0), ('a', 2, 3.0), ('b', 1, 2.0)) v(g, o, x)")
    assert con.sql(plain).fetchall() == con.sql(full).fetchall()


def _index_rows(rows: list[dict]) -> dict[tuple, dict]:
    from silkscope.indicators.index import COMPONENTS, parse_weights, scores_expr

    columns = {c for comp in COMPONENTS.values() for c in comp.columns} | {"trade_total_usd", STATE_TOTAL}
    full = [{**{c: None for c in columns}, **r} for r in rows]
    schema = {"partner_iso3": "string", "country_iso3": "string", "year": "int64", **{c: "float64" for c in columns}}
    panel = ibis.memtable(full, schema=schema)
    out = ibis.duckdb.connect().to_pyarrow(scores_expr(panel, parse_weights(None))).to_pylist()
    return {(r["partner_iso3"], r["country_iso3"], r["k"]): r for r in out}


def test_the_index_takes_trade_from_the_states_own_statistics_and_counts_the_eu_once():
    def at(partner, country, **values):
        return {"partner_iso3": partner, "country_iso3": country, "year": 2021, **values}

    rows = [
        at("EUU", "KAZ", trade_total_mirror_usd=30.0),
        at("ITA", "KAZ", trade_total_mirror_usd=8.0),
        at("CHN", "KAZ", trade_total_mirror_usd=20.0),
        at("RUS", "KAZ", trade_total_usd=25.0),  # Rosstat's report: not the state's statistics
        at("EUU", "UZB", leader_visits_to_country=1.0),  # the EU has a row in Uzbekistan, but no trade there
        at("ITA", "UZB", trade_total_mirror_usd=8.0),
        at("CHN", "UZB", trade_total_mirror_usd=24.0),
    ]
    got = _index_rows(rows)
    assert got[("CHN", "KAZ", "trade")]["share"] == pytest.approx(0.4)  # of 50, not of 58
    assert got[("RUS", "KAZ", "trade")]["has_data"] is False
    assert got[("ITA", "UZB", "trade")]["share"] == pytest.approx(0.25)  # members count where the EU has no value


def test_a_share_of_a_states_trade_is_of_the_total_it_publishes():
    # Kazakhstan's total row (100) holds its trade with Uzbekistan and the partners it does not allocate, which no
    # partner row here holds; and its EU row counted the UK in 2019, beside the UK's own row
    rows = [
        _row("EUU", trade_total_mirror_usd=30.0, **{STATE_TOTAL: 100.0}),
        _row("GBR", trade_total_mirror_usd=2.0, **{STATE_TOTAL: 100.0}),
        _row("CHN", trade_total_mirror_usd=20.0, **{STATE_TOTAL: 100.0}, official_commit_constant_usd=5.0),
        _row("JPN", official_commit_constant_usd=5.0),
    ]
    got = _shares(rows, ["trade_total_mirror_usd", "official_commit_constant_usd"], ["EUU", "GBR", "CHN", "JPN"])
    assert got[("EUU", "trade_total_mirror_usd")]["total"] == 100.0
    assert got[("EUU", "trade_total_mirror_usd")]["share_pct"] == pytest.approx(30.0)
    assert got[("CHN", "trade_total_mirror_usd")]["rank"] == 2
    assert got[("CHN", "official_commit_constant_usd")]["total"] == 10.0  # other instruments: the partners' sum


def test_with_the_states_total_a_lone_recorded_partner_has_its_share():
    rows = [_row("RUS", trade_total_mirror_usd=15.0, **{STATE_TOTAL: 60.0})]
    got = _shares(rows, ["trade_total_mirror_usd"], ["RUS"])
    assert got[("RUS", "trade_total_mirror_usd")]["share_pct"] == pytest.approx(25.0)


def test_pooled_shares_do_not_take_one_states_total_for_the_five():
    rows = [
        _row("CHN", trade_total_mirror_usd=20.0, **{STATE_TOTAL: 100.0}),
        _row("RUS", trade_total_mirror_usd=30.0, **{STATE_TOTAL: 100.0}),
    ]
    panel = ibis.memtable(rows)
    out = ibis.duckdb.connect().to_pyarrow(shares_expr(panel, ["trade_total_mirror_usd"], ["CHN"], pooled=True))
    (row,) = out.to_pylist()
    assert row["country_iso3"] == "C5" and row["total"] == 50.0


def test_the_index_takes_a_states_trade_dependence_of_its_published_total():
    rows = [
        {"partner_iso3": "CHN", "country_iso3": "KAZ", "year": 2021, "trade_total_mirror_usd": 20.0, STATE_TOTAL: 80.0},
        {"partner_iso3": "RUS", "country_iso3": "KAZ", "year": 2021, "trade_total_mirror_usd": 20.0, STATE_TOTAL: 80.0},
        {"partner_iso3": "CHN", "country_iso3": "UZB", "year": 2021, "trade_total_mirror_usd": 10.0},
        {"partner_iso3": "RUS", "country_iso3": "UZB", "year": 2021, "trade_total_mirror_usd": 30.0},
    ]
    got = _index_rows(rows)
    assert got[("CHN", "KAZ", "trade")]["share"] == pytest.approx(0.25)  # of 80, not of the 40 recorded
    assert got[("CHN", "UZB", "trade")]["share"] == pytest.approx(0.25)  # no total published: of the 40 recorded
    assert got[("CHN", "KAZ", "finance")]["share"] == 0.0


def test_the_index_takes_one_kind_of_company_count_never_their_sum():
    rows = [
        {"partner_iso3": "JPN", "country_iso3": "UZB", "year": 2021, "presence_companies_operating": 30.0,
         "presence_enterprises_with_foreign_capital": 70.0},
        {"partner_iso3": "KOR", "country_iso3": "UZB", "year": 2021, "presence_enterprises_with_foreign_capital": 50.0},
    ]  # fmt: skip
    got = _index_rows(rows)
    assert got[("JPN", "UZB", "presence")]["share"] == pytest.approx(30.0 / 80.0)  # not 100 of 150
    assert got[("KOR", "UZB", "presence")]["share"] == pytest.approx(50.0 / 80.0)


def test_group_by_positions_on_one_line_change_no_answer():
    t = ibis.table({"g": "string", "h": "string", "x": "float64"}, name="t")
    expr = t.group_by("g", "h").aggregate(s=t.x.sum()).order_by("g", "h")
    full = ibis.to_sql(expr, dialect="duckdb")
    plain = _tidy_sql(full)
    assert "GROUP BY\n" in full and "GROUP BY 1, 2\n" in plain
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 'x', 1.0), ('a', 'x', 3.0), ('b', 'y', 2.0)) v(g, h, x)")
    assert con.sql(plain).fetchall() == con.sql(full).fetchall()


def test_one_line_operands_calls_and_ranks_from_one_change_no_answer():
    long = "a_column_name_long_enough_to_break_the_line"
    t = ibis.table({"g": "string", "x": "float64", "y": "float64", long: "float64", f"{long}_2": "float64"}, name="t")
    expr = t.mutate(
        either=(t.x.notnull() | (t.y >= 2)),
        pct=(t.x * 100.0) / t.y,
        filled=ibis.coalesce(t[long], t[f"{long}_2"], t.x),
        place=ibis.rank().over(group_by="g", order_by=ibis.desc(t.x)) + 1,  # Ibis: (RANK() OVER (...) - 1) + 1
        from_zero=ibis.rank().over(group_by="g", order_by=ibis.desc(t.x)),  # RANK() OVER (...) - 1: kept
    ).order_by("g", "x")
    full = ibis.to_sql(expr, dialect="duckdb")
    plain = _tidy_sql(full)
    assert full.count("- 1") == 2 and plain.count("- 1") == 1
    assert 'RANK() OVER (PARTITION BY "t0"."g" ORDER BY "t0"."x" DESC) AS "place"' in plain
    assert '("t0"."x" IS NOT NULL) OR ("t0"."y" >= 2) AS "either"' in plain and len(plain) < len(full)
    assert "COALESCE(\n" in full and f'COALESCE("t0"."{long}", "t0"."{long}_2", "t0"."x") AS "filled"' in plain
    assert "SELECT\n  *\n" in full and "SELECT *\n" in plain
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES ('a', 1.0, 3.0, NULL, 5.0), ('a', NULL, 1.0, 4.0, NULL), "
        f"('b', 2.0, 2.0, NULL, NULL)) v(g, x, y, {long}, {long}_2)"
    )
    assert con.sql(plain).fetchall() == con.sql(full).fetchall()
