"""out.* is materialised with the facts: by build, by each ingest (same transaction), and never left stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from silkscope.analysis import measures
from silkscope.analysis.version import out_version
from silkscope.build import build
from silkscope.ingest import CONNECTORS, fetch_source, ingest
from warehouse_helpers import query

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_every_measure_is_declared_once_with_what_people_read():
    entries = measures.catalogue()
    assert len(entries) == len(measures.MEASURES)
    for m in entries.values():
        assert m.label and m.unit and m.instrument and m.definition and m.phrases, m.name
        assert set(m.connectors) <= set(CONNECTORS), m.name
        assert "_" not in m.label  # labels are for people, never internal names
    assert measures.label("presence.companies_operating") == "Companies present: companies operating"
    with pytest.raises(Exception, match="unknown measure 'oda_lik'"):
        measures.measure("oda_lik")


def test_build_materialises_visits_and_observations(tmp_path):
    db = tmp_path / "w.duckdb"
    build(db, snapshot=False)
    (visits,) = query(db, "SELECT count(*) FROM out.visits")[0]
    assert visits > 100
    rows = dict(query(db, "SELECT measure, count(*) FROM out.observations GROUP BY 1"))
    assert rows["leader_visits"] > 0 and rows["inbound_leader_visits"] > 0
    assert any(k.startswith("presence.") for k in rows)
    assert query(db, "SELECT value FROM core.meta WHERE key = 'out_version'") == [(out_version(),)]
    # every observation names a catalogue measure and a source that exists
    bad = query(
        db,
        "SELECT count(*) FROM out.observations o LEFT JOIN core.sources s USING (source_id) WHERE s.source_id IS NULL",
    )
    assert bad == [(0,)]
    for (name,) in query(db, "SELECT DISTINCT measure FROM out.observations"):
        measures.measure(name)


def test_an_ingest_updates_observations_in_its_own_transaction(tmp_path):
    db = tmp_path / "w.duckdb"
    build(db, snapshot=False)
    mirror = tmp_path / "mirror" / "wdi"
    mirror.mkdir(parents=True)
    shutil.copy(FIXTURES / "wdi" / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv", mirror)
    files = fetch_source("wdi", mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache")
    ingest("wdi", files, db)
    (gdp,) = query(db, "SELECT count(*) FROM out.observations WHERE measure = 'gdp_usd'")[0]
    (facts,) = query(db, "SELECT count(*) FROM core.indicators WHERE indicator_code = 'NY.GDP.MKTP.CD'")[0]
    assert gdp == facts > 0


def test_derived_tables_of_another_version_are_refused_by_the_checker_until_a_build(built_db, tmp_path):
    """A warehouse whose out.* another silkscope wrote: `check` exits 2 naming `silkscope build`, which fixes it."""
    import subprocess
    import sys

    import duckdb

    db = tmp_path / "w.duckdb"
    shutil.copy(built_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE core.meta SET value = 'older' WHERE key = 'out_version'")
    article = tmp_path / "a.txt"
    article.write_text("Japan's prime minister visited Uzbekistan in 2015.", encoding="utf-8")
    silkscope = Path(sys.executable).with_name("silkscope")
    refused = subprocess.run([str(silkscope), "check", str(article), "--db", str(db)], capture_output=True, text=True)
    assert refused.returncode == 2 and "silkscope build" in refused.stderr, refused.stderr
    build(db)
    assert query(db, "SELECT value FROM core.meta WHERE key = 'out_version'")[0][0] == out_version()
    checked = subprocess.run([str(silkscope), "check", str(article), "--db", str(db)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
