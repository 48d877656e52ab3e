"""Scope values are parameters of the compiled SQL: one compile serves every scope, the values are written into the
SQL that runs and that an answer shows, and a Tables that binds two scopes never mixes them up."""

from __future__ import annotations

import duckdb
import pytest

from silkscope.indicators import registry, tables
from silkscope.indicators.tables import duckdb_tables

SCOPED = ["panel", "shares", "balance", "index", "composition", "rca", "disagreement-trade"]


def _answer(con, name: str, t=None, **scope):
    result = registry.get(name).run(registry.options(tables=t or duckdb_tables(con=con, parameters=True), **scope))
    return result.sections[0] if hasattr(result, "sections") else result


@pytest.mark.parametrize("name", SCOPED)
def test_a_new_scope_reuses_the_compiled_statement_and_shows_its_own_values(indicator_db, name, monkeypatch):
    compiled = []
    real = tables.ibis.to_sql
    monkeypatch.setattr(tables.ibis, "to_sql", lambda *a, **k: compiled.append(1) or real(*a, **k))
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        _answer(con, name, since=2005, until=2012, countries=["KAZ", "UZB"])
        first = len(compiled)
        other = _answer(con, name, since=2008, until=2011, countries=["KGZ"])
        assert len(compiled) == first, "the second scope compiled again"
        assert "__silkscope_scope_" not in other.query and str(tables._SENTINEL_INT)[:5] not in other.query
        # the SQL an answer shows runs as it stands and gives its rows
        assert len(con.sql(other.query).fetchall()) == len(other.rows)
    years = [r["year"] for r in other.rows if r.get("year") is not None]
    assert all(2008 <= y <= 2011 for y in years)
    assert {r["country_iso3"] for r in other.rows if "country_iso3" in r} <= {"KGZ"}


def test_one_tables_binding_two_scopes_keeps_each_answer_to_its_own(indicator_db):
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        shared = duckdb_tables(con=con, parameters=True)
        a = _answer(con, "panel", shared, since=2000, until=2005)
        b = _answer(con, "panel", shared, since=2010, until=2012, countries=["TJK"])
        fresh = _answer(con, "panel", since=2010, until=2012, countries=["TJK"])
    assert {r["year"] for r in a.rows} == set(range(2000, 2006))
    assert {r["year"] for r in b.rows} == {2010, 2011, 2012} and {r["country_iso3"] for r in b.rows} == {"TJK"}
    assert b.rows == fresh.rows


def test_spark_and_default_tables_get_literals(indicator_db):
    assert tables.Tables(None, "pyspark", parameters=True).bind("since", 2001).op().__class__.__name__ == "Literal"
    assert duckdb_tables(indicator_db).bind("since", 2001).op().__class__.__name__ == "Literal"


def test_a_library_expression_runs_directly_on_the_backend(indicator_db):
    """A notebook (or bench/panel.py) executes a library expression with Ibis itself: without parameters it must."""
    from silkscope.indicators.panel import dyad_year_panel

    t = duckdb_tables(indicator_db)
    panel = dyad_year_panel(t, ["JPN", "CHN"], ["KAZ", "UZB"], 2005, 2010)
    table = t.backend.to_pyarrow(panel)
    assert table.num_rows == 2 * 2 * 6


def test_threads_binding_scopes_at_once_each_get_their_own_answer(indicator_db):
    """Server threads create parameters and compile at the same time: no answer takes another's values."""
    from concurrent.futures import ThreadPoolExecutor

    with duckdb.connect(str(indicator_db), read_only=True) as con:
        scopes = [(2000 + i, 2004 + i, [["KAZ"], ["KGZ", "UZB"], ["TJK"]][i % 3]) for i in range(8)]

        def ask(scope):
            lo, hi, countries = scope
            cursor = con.cursor()
            try:
                return _answer(cursor, "panel", since=lo, until=hi, countries=countries).rows
            finally:
                cursor.close()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, scopes))
    for (lo, hi, countries), rows in zip(scopes, answers, strict=True):
        assert rows and {r["year"] for r in rows} <= set(range(lo, hi + 1))
        assert {r["country_iso3"] for r in rows} <= set(countries)
