"""The timeline's coverage, declared once (reference_pack/coverage.csv): loaded, validated, read by views."""

from __future__ import annotations

import csv

import duckdb
import pytest

from silkscope import coverage, views
from silkscope.build import build
from silkscope.countries import DEFAULT_PARTNERS
from silkscope.errors import InputError


@pytest.fixture(scope="module")
def covered(built_db) -> coverage.Coverage:
    with duckdb.connect(str(built_db), read_only=True) as con:
        return coverage.load(con)


def test_every_tracked_partner_is_covered_with_a_period(covered):
    assert set(DEFAULT_PARTNERS) <= set(covered)
    for partner in DEFAULT_PARTNERS:
        for instrument in ("leader_visits", "inbound_visits", "dialogue_meetings"):
            assert covered.period(partner, instrument), (partner, instrument)
    assert covered.start() == 2000


def test_complete_and_partial_spans(covered):
    for partner in ("JPN", "KOR", "USA", "EUU", "IND"):
        assert covered.complete(partner, "leader_visits", 2000, 2026), partner
    for partner in ("CHN", "RUS", "TUR"):
        assert not covered.complete(partner, "leader_visits", 2010, 2012), partner
    assert not covered.complete("JPN", "leader_visits", 1995, 2005)  # before the timeline starts
    assert not covered.complete("JPN", "inbound_visits", 2010, 2010)  # inbound visits are partial everywhere
    assert covered.period("TUR", "leader_visits") == (2000, 2026)  # two spans, 2000-2008 and 2009-2026
    assert "2000-2008 partial" in covered.text("TUR")
    assert not covered.covers("DEU")


def test_notes_state_each_partners_period(covered):
    (line,) = coverage.notes(["IND", "TUR"], covered)
    assert "India: leader visits to the five states 2000-2026 complete" in line
    assert "Türkiye: leader visits to the five states 2000-2008 partial" in line
    assert any("not covered" in n for n in coverage.notes(["DEU"], covered))


def test_a_warehouse_without_a_declaration_falls_back_to_its_events(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA core")
    con.execute("CREATE TABLE core.events (visitor_iso3 VARCHAR[], host_iso3 VARCHAR[], year INTEGER)")
    con.execute("INSERT INTO core.events VALUES (['JPN'], ['UZB'], 2006), (['JPN'], ['KAZ'], 2015)")
    fallback = coverage.load(con)
    assert set(fallback) == {"JPN"} and fallback.period("JPN") == (2006, 2015)
    assert not fallback.complete("JPN", "leader_visits", 2006, 2006)


def test_views_read_the_declaration(built_db):
    result = views.compare("C5", "JPN,TUR", "leader_visits", 2000, 2025, db=built_db)
    rows = {r["partner_iso3"]: r for r in result.rows}
    assert rows["TUR"]["trips"] >= 15  # covered: counted, not '–'
    assert any("Türkiye" in n and "partial" in n for n in result.notes)


def _write(pack, name, rows):
    with (pack / name).open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize(
    ("name", "column", "value", "expected"),
    [
        ("coverage.csv", "completeness", "mostly", "complete, partial"),
        ("coverage.csv", "instrument", "trade", "dialogue_meetings"),
        ("coverage.csv", "last_year", "1999", "on or after first_year"),
        ("coverage.csv", "partner_iso3", "Turkiye", "ISO3"),
        ("country_classes.csv", "member", "maybe", "no, yes"),
        ("country_classes.csv", "source_ids", "src_nowhere", "ids defined in sources"),
    ],
)
def test_malformed_declaration_rows_are_located(tmp_path, pack_copy, name, column, value, expected):
    db = tmp_path / "w.duckdb"
    with (pack_copy / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[3][column] = value
    _write(pack_copy, name, rows)
    with pytest.raises(InputError) as info:
        build(db, pack_dir=pack_copy)
    message = str(info.value)
    assert f"reference_pack/{name}:5" in message and repr(column) in message and expected in message
    assert not db.exists()
