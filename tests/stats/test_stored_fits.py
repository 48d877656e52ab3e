"""The visits model's default fits are stored with the facts and read back, not refitted per request."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest

from silkscope.errors import SilkscopeError
from silkscope.indicators.tables import duckdb_tables
from silkscope.stats import stored_fits
from silkscope.stats.visit_effects import OUTCOMES, visits_model


def _rows(bundle):
    return [section.rows for section in bundle.sections]


def test_every_outcome_has_a_stored_answer_or_its_reason(indicator_db):
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        stored = dict(con.execute("SELECT spec, coalesce(answer::VARCHAR, error) FROM out.model_fits").fetchall())
    scopes = stored_fits.stored_scopes()
    assert scopes[0] is None and sorted(s[0] for s in scopes[1:]) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert set(stored) == {stored_fits.default_key(o, countries) for o in OUTCOMES for countries in scopes}
    assert all(stored.values())


def test_the_default_specification_is_read_back_equal_to_a_fresh_fit(indicator_db):
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        t = duckdb_tables(con=con)
        key = stored_fits.default_key("finance")
        try:
            fresh = visits_model("finance", tables=t, use_stored=False)
        except SilkscopeError as exc:  # too little data in the synthetic warehouse: the stored reason is the same
            with pytest.raises(SilkscopeError, match=re.escape(str(exc))):
                stored_fits.load(t, key)
            assert str(exc)
            return
        kept = stored_fits.load(t, key)
        served = visits_model("finance", tables=t)
    as_stored = [s["rows"] for s in json.loads(fresh.to_json())["sections"]]  # stored as JSON: same values
    assert kept is not None and _rows(kept) == as_stored
    assert _rows(served) == _rows(kept)


def test_another_specification_is_fitted_on_request(indicator_db):
    with duckdb.connect(str(indicator_db), read_only=True) as con:
        t = duckdb_tables(con=con)
        assert stored_fits.load(t, stored_fits.spec_key("finance", ["JPN"], ["UZB"], 2000, 2020, 1, 3)) is None


def test_a_stored_fit_is_not_used_once_the_facts_change(indicator_db, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(indicator_db, copy)
    with duckdb.connect(str(copy)) as con:
        t = duckdb_tables(con=con)
        key = stored_fits.default_key("finance")
        assert con.execute("SELECT count(*) FROM out.model_fits WHERE spec = ?", [key]).fetchone()[0] == 1
        con.execute("DELETE FROM core.news_events")
        assert stored_fits.load(duckdb_tables(con=con), key) is None
        del t


def test_each_state_alone_is_answered_from_its_stored_fit_without_fitting(indicator_db, monkeypatch):
    from silkscope.stats import visit_effects

    with duckdb.connect(str(indicator_db), read_only=True) as con:
        t = duckdb_tables(con=con)
        fresh = {}
        for state in ("KAZ", "UZB"):
            try:
                fresh[state] = ("answer", _rows(visits_model("finance", countries=[state], tables=t, use_stored=False)))
            except SilkscopeError as exc:
                fresh[state] = ("reason", str(exc))

        def no_fit(*args, **kwargs):
            raise AssertionError("fitted on request although the fit is stored")

        monkeypatch.setattr(visit_effects, "_fit", no_fit)
        for state, (kind, expected) in fresh.items():
            if kind == "reason":
                with pytest.raises(SilkscopeError, match=re.escape(expected)):
                    visits_model("finance", countries=[state], tables=t)
            else:
                served = _rows(visits_model("finance", countries=[state], tables=t))
                assert json.loads(json.dumps(served, default=str)) == json.loads(json.dumps(expected, default=str))
