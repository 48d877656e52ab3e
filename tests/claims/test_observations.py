"""The generic check over out.observations: any catalogue measure, summed over a group only when complete."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from silkscope.claims import check_text


@pytest.fixture
def obs_db(built_db, tmp_path):
    path = tmp_path / "obs.duckdb"
    shutil.copy(built_db, path)
    con = duckdb.connect(str(path))
    src = con.execute("SELECT source_id FROM core.sources LIMIT 1").fetchone()[0]
    rows = [
        ("gdp_usd", None, "KAZ", 2019, 181.67e9),
        # Russia's trade with the five states as the partner reports it: exports and imports per state
        *[("partner_exports_usd", "RUS", c, 2021, v) for c, v in [("KAZ", 15e9), ("KGZ", 2e9), ("TJK", 1e9)]],
        *[("partner_imports_usd", "RUS", c, 2021, v) for c, v in [("KAZ", 7e9), ("KGZ", 1e9), ("TJK", 0.5e9)]],
        ("partner_exports_usd", "RUS", "TKM", 2021, 0.6e9),
        ("partner_imports_usd", "RUS", "TKM", 2021, 0.4e9),
        ("partner_exports_usd", "RUS", "UZB", 2021, 6e9),
        ("partner_imports_usd", "RUS", "UZB", 2021, 3e9),
    ]
    for measure, partner, country, year, value in rows:
        con.execute(
            "INSERT INTO out.observations (measure, partner_iso3, country_iso3, year, value, unit, definition, "
            "source_id, dataset, edition) VALUES (?, ?, ?, ?, ?, 'USD', 'test row', ?, 'test', NULL)",
            [measure, partner, country, year, value, src],
        )
    con.close()
    return path


def _verdicts(text, db):
    return [(c.claim.type, c.check.verdict) for c in check_text(text, db=db).claims]


def test_a_context_measure_is_checked_without_its_own_verifier(obs_db):
    assert _verdicts("Kazakhstan's GDP was US$181.7 billion in 2019.", obs_db) == [("amount", "supported")]
    assert _verdicts("Kazakhstan's GDP was US$250 billion in 2019.", obs_db) == [("amount", "contradicted")]
    assert _verdicts("Kazakhstan's GDP was US$181.7 billion in 2020.", obs_db) == [("amount", "imprecise")]


def test_a_group_total_sums_every_member_and_a_year_not_stated_is_never_contradicted(obs_db):
    # 15+2+1+0.6+6 exported and 7+1+0.5+0.4+3 imported = 36.5 billion as Russia reports it
    (c,) = check_text("Russia's trade with Central Asia reached US$36.5 billion in 2021.", db=obs_db).claims
    assert c.check.verdict == "supported" and "partner reports" in c.check.explanation
    (c,) = check_text("Russia's trade with Central Asia reached US$50 billion.", db=obs_db, as_of=2022).claims
    assert c.check.verdict == "unverifiable"  # no year stated: the binding is uncertain, never 'contradicted'
