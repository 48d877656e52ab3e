"""Public opinion as an instrument with time: one measure per question wording, kept with basis and confidence."""

from __future__ import annotations

import duckdb
import pytest

from silkscope import opinion
from silkscope.build import build
from silkscope.errors import InputError
from warehouse_helpers import set_cell


@pytest.fixture(scope="module")
def con(built_db):
    with duckdb.connect(str(built_db), read_only=True) as c:
        yield c


def test_every_row_has_a_declared_measure_and_its_basis(con):
    rows = con.execute("SELECT indicator, answer, confidence, basis FROM core.opinion").fetchall()
    assert len(rows) == 82
    assert {r[0] for r in rows} <= set(opinion.INDICATORS)
    assert all(r[1] and r[2] in opinion.CONFIDENCE and r[3] in opinion.BASES for r in rows)
    assert len({r[0] for r in rows}) >= 15  # approval, friendly, relations good, EAEU support... never merged


def test_questions_stay_apart(con):
    result = opinion.polls(["KGZ"], ["JPN"], con)
    by = {r["indicator"] for r in result.rows}
    # 'friendly' (MOFA, pooled four states) and 'relations good' (IRI, Kyrgyzstan) are different measures
    assert {"opinion_relations_friendly_share", "opinion_relations_good_share"} <= by
    series = opinion.series(result.rows)
    assert all(len({r["indicator"] for r in s["rows"]}) == 1 for s in series)
    good = next(s for s in series if s["indicator"] == "opinion_relations_good_share")
    assert good["questions"] == ["How would you assess current relations between Kyrgyzstan and [country]?"]
    assert good["pollster"].startswith("IRI") and good["rows"][0]["share_pct"] == 41


def test_approval_and_disapproval_are_separate_series(con):
    result = opinion.polls(["KAZ"], ["RUS"], con)
    approval = [s for s in opinion.series(result.rows) if s["indicator"] == "opinion_leadership_approval_share"]
    assert {s["answer"] for s in approval} == {"approve", "disapprove"}
    approve = next(s for s in approval if s["answer"] == "approve")
    assert [(r["year"], r["share_pct"]) for r in approve["rows"]] == [(2014, 72), (2021, 55), (2022, 29)]
    # the 2006-2018 pooled average is in the table, not on the line
    assert any(r["span_years"] > 1 for r in result.rows)


def test_secondary_reports_and_low_confidence_stay_visible(con):
    rows = opinion.polls(["TJK"], ["RUS"], con).rows
    war = next(r for r in rows if r["indicator"] == "opinion_war_side_support_share")
    assert (war["basis"], war["confidence"]) == ("secondary_report", "low") and "verify" in war["note"]
    eaeu = next(r for r in rows if r["indicator"] == "opinion_eaeu_support_share")
    assert opinion.measure(eaeu["indicator"]).label == "Support for the Eurasian Economic Union"
    assert "not of Russia as such" in opinion.measure(eaeu["indicator"]).definition


def test_observations_keep_answers_apart(con):
    rows = con.execute(
        "SELECT measure, value FROM out.observations WHERE measure LIKE 'opinion.opinion_leadership_approval%' "
        "AND partner_iso3 = 'RUS' AND country_iso3 = 'KAZ' AND year = 2022 ORDER BY measure"
    ).fetchall()
    assert rows == [
        ("opinion.opinion_leadership_approval_share.approve", 29.0),
        ("opinion.opinion_leadership_approval_share.disapprove", 50.0),
    ]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("indicator", "opinion_happiness_share", "opinion_relations_friendly_share"),
        ("confidence", "certain", "high, low, medium"),
        ("basis", "hearsay", "publisher, secondary_report"),
        ("answer", "", "a non-empty value"),
        ("share_pct", "120", "between 0 and 100"),
    ],
)
def test_malformed_poll_row_is_located(tmp_path, pack_copy, column, value, expected):
    set_cell(pack_copy, "opinion.csv", 40, column, value)
    with pytest.raises(InputError) as info:
        build(tmp_path / "w.duckdb", pack_dir=pack_copy)
    message = str(info.value)
    assert "reference_pack/opinion.csv:42" in message and repr(column) in message and expected in message
