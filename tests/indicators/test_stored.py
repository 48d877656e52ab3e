"""out.panel: the indicators answer from the materialised panel exactly as from core.*, in a few kB of SQL, and
never from a stale copy."""

from __future__ import annotations

import math
import shutil

import duckdb
import pytest

from silkscope.indicators import registry, stored
from silkscope.indicators.tables import duckdb_tables

PARTNERS = ["JPN", "CHN", "KOR", "RUS", "USA"]
CASES = {
    "panel": {},
    "shares": {},
    "shares-pooled": {"pooled": True},
    "balance": {},
    "balance-by-year": {"by_year": True},
    "index": {},
    "change": {"measures": ["official_commit_constant_usd", "trade_total_usd"], "start": "2010", "end": "2011-2012"},
    "sensitivity": {"draws": 20},
}


def _run(db, case: str, *, live: bool, monkeypatch, partners=PARTNERS, countries=None):
    name = case.split("-")[0] if case != "shares-pooled" and case != "balance-by-year" else case.rsplit("-", 1)[0]
    name = {"balance-by": "balance"}.get(name, name)
    with duckdb.connect(str(db), read_only=True) as con, monkeypatch.context() as m:
        if live:
            m.setattr(stored, "stored_scope", lambda t: None)
        extra = {"countries": countries} if countries else {}
        result = registry.get(name).run(
            registry.options(tables=duckdb_tables(con=con), partners=partners, **CASES[case], **extra)
        )
    return result.sections if hasattr(result, "sections") else [result]


def _same_rows(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for k in x:
            if isinstance(x[k], float) and isinstance(y[k], float):
                assert math.isclose(x[k], y[k], rel_tol=1e-9, abs_tol=1e-9), (k, x, y)
            else:
                assert x[k] == y[k], (k, x, y)


@pytest.mark.parametrize("case", sorted(CASES))
def test_answers_from_out_panel_equal_answers_from_core(case, indicator_db, monkeypatch):
    fast = _run(indicator_db, case, live=False, monkeypatch=monkeypatch)
    slow = _run(indicator_db, case, live=True, monkeypatch=monkeypatch)
    assert '"out"."panel"' in fast[0].query and '"out"."panel"' not in slow[0].query
    assert any(s.rows for s in fast), case
    for a, b in zip(fast, slow, strict=True):
        _same_rows(a.rows, b.rows)
        assert a.sources == b.sources


@pytest.mark.parametrize("case", ["shares", "index", "balance"])
def test_a_subset_of_states_gives_the_same_shares_from_the_stored_universe(case, indicator_db, monkeypatch):
    """out.panel holds every partner recorded with any C5 state; asked for two states, the extra partners add
    only empty rows, which neither a total nor a rank counts."""
    fast = _run(indicator_db, case, live=False, monkeypatch=monkeypatch, countries=["UZB", "KAZ"])
    slow = _run(indicator_db, case, live=True, monkeypatch=monkeypatch, countries=["UZB", "KAZ"])
    _same_rows(fast[0].rows, slow[0].rows)


@pytest.mark.parametrize("case", ["panel", "shares", "balance", "change", "index"])
def test_the_sql_an_answer_shows_is_short(case, indicator_db, monkeypatch):
    query = _run(indicator_db, case, live=False, monkeypatch=monkeypatch)[0].query
    assert len(query) < 4096, (case, len(query))


def test_facts_written_without_materialising_are_not_answered_from_a_stale_panel(indicator_db, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(indicator_db, copy)
    with duckdb.connect(str(copy)) as con:
        assert stored.stored_scope(duckdb_tables(con=con)) is not None
        con.execute(
            """INSERT INTO core.finance_flows (fact_id, donor_iso3, country_iso3, year, flow_class, measure,
                   price_basis, base_year, currency, amount_usd, definition, source_id, source_ids, citation_status,
                   record)
               VALUES ('t:late', 'JPN', 'TJK', 2011, 'oda_loan', 'commitment', 'constant', 2022, 'USD', 7e6, 'test',
                       'src_t_oecd', ['src_t_oecd'], 'cited', 'test')"""
        )
        t = duckdb_tables(con=con)
        assert stored.stored_scope(t) is None  # the fact counts changed: out.panel is not used
        rows = stored.panel(["JPN"], ["TJK"], 2011, 2011, tables=t).rows
    assert rows and rows[0]["oda_commit_constant_usd"] == pytest.approx(7e6)


def test_years_after_the_stored_panel_are_computed(indicator_db):
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        t = duckdb_tables(con=con)
        lo, hi, _, _ = stored.stored_scope(t)
        assert lo == stored.STORED_SINCE
        late = stored.panel_table(t, ["JPN"], ["UZB"], hi, hi + 1)
    assert '"out"."panel"' not in t.sql(late)


def test_the_index_sql_reads_its_components_by_name(indicator_db, monkeypatch):
    """Long form: one unpivot, each formula written once and each stage a named CTE (the six components with five
    outputs each as wide columns were 15 kB of SQL, and 40 kB with every expression repeated inside each window)."""
    query = _run(indicator_db, "index", live=False, monkeypatch=monkeypatch)[0].query
    assert len(query) < 4096 and query.count("LN(") == 1, len(query)
    for stage in ("components", "ranges", "scores", "dyads"):
        assert f'"{stage}" AS (' in query, stage
