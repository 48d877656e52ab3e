"""The five states' independence: Factbook rows in core.events that are never visits, and the claims about them."""

from __future__ import annotations

import csv

import duckdb
import pytest
from one_claim import the_event_claim

from silkscope.build import build
from silkscope.errors import InputError
from warehouse_helpers import set_cell

FACTBOOK = {"KAZ": "1991-12-16", "KGZ": "1991-08-31", "TJK": "1991-09-09", "TKM": "1991-10-27", "UZB": "1991-09-01"}


def _check(text, db, published="2015-11-02"):
    return the_event_claim(text, db, published)


def test_the_rows_cite_the_factbook_and_are_never_visits(built_db):
    with duckdb.connect(str(built_db), read_only=True) as con:
        rows = con.execute(
            "SELECT host_iso3[1], strftime(date_start, '%Y-%m-%d'), len(visitor_iso3), source_id FROM core.events "
            "WHERE event_type = 'independence' ORDER BY 1"
        ).fetchall()
        assert {r[0]: r[1] for r in rows} == FACTBOOK
        assert all(r[2] == 0 and r[3] == f"src_cia_factbook_{r[0].lower()}" for r in rows)
        urls = dict(con.execute("SELECT source_id, url FROM core.sources WHERE source_id LIKE 'src_cia%'").fetchall())
        assert urls["src_cia_factbook_kaz"] == "https://www.cia.gov/the-world-factbook/countries/kazakhstan/"
        # no visit, no participant as visitor, no year of the visit panel
        assert not con.execute("SELECT count(*) FROM out.visits WHERE event_id LIKE '%independence'").fetchone()[0]
        roles = con.execute(
            "SELECT DISTINCT role FROM core.event_participants WHERE event_id LIKE '%independence'"
        ).fetchall()
        assert roles == [("host",)]
        assert not con.execute("SELECT count(*) FROM out.panel WHERE year = 1991").fetchone()[0]


def test_an_independence_row_with_a_visitor_is_rejected_where_it_stands(tmp_path, pack_copy):
    with (pack_copy / "events.csv").open(encoding="utf-8", newline="") as fh:
        index = next(i for i, r in enumerate(csv.DictReader(fh)) if r["event_type"] == "independence")
    set_cell(pack_copy, "events.csv", index, "visitor_iso3", "RUS")
    with pytest.raises(InputError) as info:
        build(tmp_path / "w.duckdb", pack_dir=pack_copy)
    message = str(info.value)
    assert f"reference_pack/events.csv:{index + 2}" in message and "'visitor_iso3'" in message
    assert "empty for an independence row" in message


def test_five_states_declaring_independence_in_1991_is_supported(built_db):
    c = _check(
        "Since 1991, when Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan declared their "
        "independence, Washington has spent heavily in the region.",
        built_db,
    )
    assert c.check.verdict == "supported"
    basis = [e for e in c.check.evidence if e.role == "basis"]
    assert {e.source_id for e in basis} == {f"src_cia_factbook_{k.lower()}" for k in FACTBOOK}
    assert "CIA World Factbook" in c.check.explanation


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Tajikistan gained independence in September 1991.", "supported"),
        ("The five Central Asian republics won their independence in 1991.", "supported"),
        # the declaration adopted on 31 August, in force (and in the Factbook) from 1 September: a day either side
        ("Uzbekistan became independent on 31 August 1991.", "supported"),
        ("Kyrgyzstan, which declared independence in August 1991, hosts a Russian air base.", "supported"),
        ("Kazakhstan declared independence in 1992.", "contradicted"),
        ("Turkmenistan became an independent state in October 1990.", "contradicted"),
        # the right year, another month: imprecise (the rule for dates)
        ("Kazakhstan declared independence in August 1991.", "imprecise"),
        # another year beside it: the stated year may not be the declaration's own
        ("In 2016 Kazakhstan marked 25 years since it declared independence in 1990.", "unverifiable"),
        # a state the warehouse has no date for
        ("Ukraine and Kazakhstan declared independence in 1991.", "unverifiable"),
    ],
)
def test_independence_claims(built_db, text, verdict):
    c = _check(text, built_db)
    assert c.check.verdict == verdict, c.check.explanation


def test_since_independence_without_a_verb_stays_a_visit_window(built_db):
    from silkscope.claims import plan as PL
    from silkscope.claims.extract import extract

    (claim,) = extract("No US president has visited Kazakhstan since independence.", as_of=2015)
    assert PL.family(claim) != "independence"
