"""Kept plans (indicators.plans): an indicator's expression is built once per shape and reused for other scopes only
when that is proven safe, and a reused plan answers exactly as a fresh build does."""

from __future__ import annotations

import contextlib
import shutil

import duckdb
import pytest

from silkscope.errors import SilkscopeError
from silkscope.indicators import plans, registry
from silkscope.indicators.plans import planned
from silkscope.indicators.tables import duckdb_tables

OPTIONS = {"change": {"measures": ["oda_disb_net_current_usd"], "start": "2000", "end": "2010"}}
SCOPES = [
    {},
    {"countries": ["KAZ", "UZB"], "partners": ["JPN", "CHN"], "since": 2003, "until": 2011},
    {"countries": ["KGZ"], "partners": ["KOR"], "since": 2008, "until": 2008},  # equal years: a key of its own
    {"countries": ["TJK", "KAZ", "UZB"], "since": 1999, "until": 2016},
    {"countries": ["UZB"], "partners": ["RUS", "JPN", "KOR"], "since": 2001, "until": 2019},
]


def _answer(con, name: str, **scope) -> list[tuple]:
    cursor = con.cursor()
    try:
        t = duckdb_tables(con=cursor, parameters=True)
        options = {**OPTIONS.get(name, {}), **scope}
        if name == "change":
            options.pop("since", None), options.pop("until", None)
        result = registry.get(name).run(registry.options(tables=t, **options))
    finally:
        cursor.close()
    sections = result.sections if hasattr(result, "sections") else [result]
    return [(s.title, s.columns, [_rounded(r) for r in s.rows], s.query, s.sources) for s in sections]


def _rounded(row: dict) -> dict:
    """Floats to 9 digits: DuckDB adds a float sum in whatever order its threads finish (45.0 or 44.99999999999999)."""
    return {k: float(f"{v:.9g}") if isinstance(v, float) else v for k, v in row.items()}


@pytest.mark.parametrize("name", list(registry.INDICATORS))
def test_a_kept_plan_answers_every_scope_as_a_fresh_build_does(indicator_db, name):
    plans.clear()
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        kept = [_answer(con, name, **scope) for scope in SCOPES]
        reused = plans.STATS["reused"]
        fresh = []
        for scope in SCOPES:
            plans.clear()
            fresh.append(_answer(con, name, **scope))
            assert plans.STATS["reused"] == 0
    assert reused > 0, "no scope was answered from a kept plan"
    for a, b, scope in zip(kept, fresh, SCOPES, strict=True):
        assert a == b, f"{name} {scope}: the kept plan's answer differs from a fresh build's"


def _literal_countries(t, countries, since, until):
    p = t("panel")
    kept = p.filter(p.country_iso3.isin(list(countries)), t.between(p.year, since, until))
    return kept.select("country_iso3", "year")


def _year_after(t, countries, since, until):
    p = t("panel")
    return p.filter(t.isin(p.country_iso3, "countries", countries), t.between(p.year, since + 1, until))


def _literal_year(t, countries, since, until):
    p = t("panel")
    return p.filter(t.isin(p.country_iso3, "countries", countries), p.year >= since, p.year <= until)


def _ask(con, build, countries, since, until):
    t = duckdb_tables(con=con, parameters=True)
    rows = t.rows(planned(t, build, {"countries": countries, "since": since, "until": until}))
    return {r["country_iso3"] for r in rows}, {r["year"] for r in rows}


def test_a_build_that_writes_a_scope_value_as_a_constant_is_never_reused(indicator_db):
    plans.clear()
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        for countries in (["KAZ"], ["UZB"], ["TJK"], ["KGZ"]):
            assert _ask(con, _literal_countries, countries, 2000, 2005)[0] == set(countries)
    assert plans.STATS["reused"] == 0 and plans.STATS["refused"] == 1


def test_a_value_derived_from_a_scope_input_is_never_reused(indicator_db):
    plans.clear()
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        for since in (2000, 2003, 2006):
            assert min(_ask(con, _year_after, ["KAZ"], since, 2010)[1]) == since + 1
    assert plans.STATS["reused"] == 0


def test_an_input_not_yet_seen_to_vary_is_not_trusted(indicator_db):
    """Two builds that differ only in the countries prove the countries are parameters, not the years: a third
    request with other years builds again (and finds the years are constants), rather than reuse."""
    plans.clear()
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        _ask(con, _literal_year, ["KAZ"], 2000, 2005)
        _ask(con, _literal_year, ["UZB"], 2000, 2005)
        assert plans.STATS["built"] == 2
        assert _ask(con, _literal_year, ["TJK"], 2000, 2005) == ({"TJK"}, set(range(2000, 2006)))
        assert plans.STATS["reused"] == 1
        assert _ask(con, _literal_year, ["KGZ"], 2007, 2009) == ({"KGZ"}, {2007, 2008, 2009})
    assert plans.STATS["built"] == 3 and plans.STATS["refused"] == 1


def test_no_plan_is_kept_on_a_writable_connection(indicator_db, tmp_path):
    """A writer may change the warehouse under a kept plan: plans are kept on read-only connections only."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(indicator_db, copy)
    plans.clear()
    with duckdb.connect(str(copy)) as con:
        for scope in SCOPES[:2] + SCOPES[3:]:
            _answer(con, "panel", **scope)
    assert plans.STATS["reused"] == 0 and plans.STATS["built"] == 0


def test_after_the_servers_warm_up_a_new_scope_builds_nothing(indicator_db):
    """`silkscope serve` warms every indicator for two scopes (analysis.catalogue.warm): a visitor's scope of the
    same shape is then answered from kept plans, for every library indicator."""
    from silkscope.analysis import catalogue

    plans.clear()
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        catalogue.warm(con)
        built = plans.STATS["built"]
        assert built > 0
        for name in registry.INDICATORS:
            given = catalogue.WARM_OPTIONS.get(name, {})
            catalogue.run(name, country="KAZ,TJK", partners="KOR,RUS,USA", since=2004, until=2013, con=con,
                          options=given)  # fmt: skip
        reused = plans.STATS["reused"]
        with contextlib.suppress(SilkscopeError):  # too few observations to fit is fine: the panel was read
            catalogue.visits_model("finance", country="TJK,UZB", partners="JPN,CHN,KOR", since=2002, until=2017,
                                   lag=1, window=3, con=con)  # fmt: skip
    assert plans.STATS["built"] == built and reused >= len(registry.INDICATORS)
    assert plans.STATS["reused"] > reused, "the visits model's panel read was not kept"
