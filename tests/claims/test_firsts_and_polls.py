"""'First leader of a class of countries' across every covered partner, and poll claims by question and period."""

from __future__ import annotations

import pytest

from silkscope.claims import check_file, check_text

ANDIJAN = (
    "Koizumi was the first leader of a liberal democratic country to visit Uzbekistan following the imposition of "
    "sanctions by the United States and Europe on former Uzbek President Islam Karimov's government for the massacre "
    "of protesters in the city of Andijan in May 2005."
)


def _one(text, db, **kw):
    (c,) = check_text(text, db=db, fmt="text", **kw).claims
    assert c.check.evidence
    return c


def test_first_liberal_democracy_after_andijan_is_contradicted_by_singh(built_db):
    c = _one(ANDIJAN, built_db, as_of=2018)
    assert c.claim.type == "first_or_only" and c.check.verdict == "contradicted"
    basis = [e for e in c.check.evidence if e.role == "basis"]
    assert basis[0].value == "IND->UZB 2006-04-25" and "Manmohan Singh" in basis[0].definition
    assert basis[1].source_id == "src_freedomhouse_fiw_ratings" and "Free" in basis[1].definition
    text = c.check.explanation
    assert "Freedom House" in text and "liberal_democracy" in text
    # which partners' coverage the verdict relied on
    assert "India (leader visits to the five states 2000-2026 complete)" in text and "Japan" in text


def test_first_asian_leader_uses_the_m49_list(built_db):
    c = _one("Koizumi was the first Asian leader to visit Uzbekistan after the Andijan massacre of May 2005.", built_db)
    assert c.check.verdict == "contradicted" and "UN M49" in c.check.explanation


def test_no_earlier_member_visit_is_unverifiable_not_supported(built_db):
    c = _one(
        "India's Prime Minister Vajpayee was the first leader of a democratic country to visit Kazakhstan.", built_db
    )
    assert c.check.verdict == "unverifiable"
    assert "countries the timeline does not cover" in c.check.explanation
    # Türkiye's president went first (Oct 2000), but Türkiye is 'Partly Free': not a counterexample
    assert "Sezer" not in c.check.explanation


def test_a_class_without_a_list_is_unverifiable(built_db):
    c = _one("Abe was the first Western-backed leader to visit Turkmenistan after 2010.", built_db)
    assert c.check.verdict == "unverifiable"


@pytest.mark.realdata
def test_seed_article_andijan_and_opinion_verdicts(shared_dir, built_db):
    report = check_file(shared_dir / "reference" / "articles" / "japan-central-asian-frontier-2018.txt", db=built_db)
    andijan = next(c for c in report.claims if c.claim.text.startswith("Koizumi was the first leader of a liberal"))
    assert andijan.check.verdict == "contradicted" and "Manmohan Singh" in andijan.check.explanation
    opinion = next(c for c in report.claims if "overwhelmingly positive" in c.claim.text)
    assert opinion.check.verdict == "supported"
    assert "MOFA Japan" in opinion.check.explanation and "How do you view your country's relations with Japan?" in (
        opinion.check.explanation
    )


def test_poll_claim_names_question_answer_and_pollster(built_db):
    c = _one(
        "According to polls, Central Asian public opinion on Japanese engagement in the region is overwhelmingly "
        "positive.",
        built_db,
        as_of=2018,
    )
    assert c.check.verdict == "supported"
    text = c.check.explanation
    assert "'How do you view your country's relations with Japan?'" in text and "MOFA Japan" in text
    assert "Turkmenistan not polled" in text
    # the IRI Kyrgyzstan question is another measure: context, never a basis
    friendly = [e.role for e in c.check.evidence if e.definition.startswith("'How do you view your country's")]
    assert friendly == ["basis", "basis"]
    assert all(e.role == "context" for e in c.check.evidence if "assess current relations" in e.definition)


def test_approval_is_checked_against_approval_only(built_db):
    c = _one("In a 2022 Gallup poll, only 29% of Kazakhstanis approved of the job performance of Russia's leadership.",
             built_db)  # fmt: skip
    assert c.check.verdict == "supported" and "answer 'approve': 29% (2022, KAZ)" in c.check.explanation
    assert "50%" not in c.check.explanation.split("Other questions")[0]  # disapproval is another answer
    assert "secondary report" in c.check.explanation


def test_low_confidence_poll_figures_are_not_relied_on(built_db):
    c = _one("In a 2025 Gallup poll, 64% of Tajiks supported Russia's side in the war in Ukraine.", built_db)
    assert c.check.verdict == "unverifiable" and "low confidence" in c.check.explanation
