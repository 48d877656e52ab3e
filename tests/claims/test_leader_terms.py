"""Leaders' terms in office: reference_pack/leader_terms.csv as core.leader_terms, and the claims about them."""

from __future__ import annotations

import duckdb
import pytest
from one_claim import the_event_claim

from silkscope.build import build
from silkscope.errors import InputError
from warehouse_helpers import set_cell


def test_terms_load_with_their_sources_and_records(built_db):
    with duckdb.connect(str(built_db), read_only=True) as con:
        rows = con.execute(
            "SELECT person, office, term_start, term_end, source_id, citation_status, record FROM core.leader_terms"
        ).fetchall()
        countries = {r[0] for r in con.execute("SELECT DISTINCT country_iso3 FROM core.leader_terms").fetchall()}
        orphans = con.execute(
            "SELECT count(*) FROM core.leader_terms t ANTI JOIN core.sources s USING (source_id)"
        ).fetchone()[0]
    assert {"JPN", "CHN", "KOR", "RUS", "USA", "TUR", "IND", "EUU", "KAZ", "KGZ", "TJK", "TKM", "UZB"} <= countries
    assert orphans == 0
    koizumi = next(r for r in rows if r[0] == "Junichiro Koizumi")
    assert (str(koizumi[2]), str(koizumi[3]), koizumi[4]) == ("2001-04-26", "2006-09-26", "src_kantei_past_cabinets")
    assert koizumi[6].startswith("reference_pack/leader_terms.csv:")
    assert all(r[3] is None or r[3] >= r[2] for r in rows)
    # an uncited row says so
    assert all((r[4] == "src_compiler_assertion") == (r[5] == "unsourced") for r in rows)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("term_end", "1990-01-01", "on or after term_start"),
        ("office", "emperor", "one of acting_president"),
        ("term_start", "2001-04", "a date written as YYYY-MM-DD"),
        ("country_iso3", "Japn", "ISO3"),
    ],
)
def test_a_malformed_term_is_rejected_with_file_line_and_column(tmp_path, pack_copy, column, value, expected):
    set_cell(pack_copy, "leader_terms.csv", 2, column, value)
    with pytest.raises(InputError) as info:
        build(tmp_path / "w.duckdb", pack_dir=pack_copy)
    message = str(info.value)
    assert "reference_pack/leader_terms.csv:4" in message and repr(column) in message and expected in message


@pytest.mark.parametrize(
    ("text", "published", "verdict"),
    [
        # a month without a year, and "next month", read against the article's date
        ("Prime Minister Fukuda is due to step down in September.", "2008-09-02", "supported"),
        ("Yasuo Fukuda is due to step down as prime minister next month.", "2008-08-20", "supported"),
        # the row agrees but is the compiler's assertion (no cited list yet): never a "supported" without a source
        ("Askar Akayev resigned in April 2005.", "2006-01-01", "unverifiable"),
        ("India's Manmohan Singh took office in May 2004.", "2010-01-01", "supported"),
        # an election precedes the term it opens
        ("Joe Biden was elected president in November 2020.", "2022-01-01", "supported"),
        # the right year, another month
        ("India's Manmohan Singh took office in March 2004.", "2010-01-01", "imprecise"),
        # a certain person, a cited row, another year: contradicted
        ("Taro Aso stepped down in 2011.", "2012-01-01", "contradicted"),
        ("Naoto Kan took office in 2008.", "2012-01-01", "contradicted"),
        # in office then: a new term may be meant
        ("Narendra Modi was sworn in as prime minister in May 2019.", "2019-06-01", "unverifiable"),
        # a row of the compiler's own (no cited list): never contradicted
        ("Islam Karimov stepped down in 2010.", "2012-01-01", "unverifiable"),
        # a plan in the future tense may change
        ("Shinzo Abe is due to step down in 2015.", "2014-01-01", "unverifiable"),
    ],
)
def test_term_claims(built_db, text, published, verdict):
    c = the_event_claim(text, built_db, published)
    assert c.check.verdict == verdict, c.check.explanation
    if verdict in {"supported", "contradicted"}:
        assert any(e.source_id and e.source_id.startswith("src_") for e in c.check.evidence)


def test_a_name_two_leaders_share_is_not_identified(built_db):
    c = the_event_claim("Berdimuhamedov became president in 2007.", built_db, "2010-01-01")
    assert c.check.verdict == "unverifiable" and "several leaders" in c.check.explanation


def test_the_koizumi_step_down_reads_september_as_2006(built_db):
    c = the_event_claim("Mr Koizumi is due to step down in September.", built_db, "2006-08-28")
    assert c.check.verdict == "supported"
    basis = [e for e in c.check.evidence if e.role == "basis"]
    assert (
        basis[0].value == "2006-09-26" and basis[0].source_url == "https://japan.kantei.go.jp/past_cabinet/index.html"
    )


def test_an_uncited_row_that_agrees_says_so_instead_of_supporting(built_db):
    c = the_event_claim("Askar Akayev resigned in April 2005.", built_db, "2006-01-01")
    assert c.check.verdict == "unverifiable" and "cites no source yet" in c.check.explanation
