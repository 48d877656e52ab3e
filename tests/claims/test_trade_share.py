"""A partner's share of a Central Asian state's trade and its rank among the state's trading partners, checked
against the state's own statistics (Kyrgyzstan's, in the embedded snapshot: its total row is the denominator)."""

from __future__ import annotations

import pytest

from silkscope.build import build
from silkscope.claims import check_text


@pytest.fixture(scope="module")
def snapshot_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("wh_snapshot") / "silkscope.duckdb"
    build(path)  # the reference pack and the embedded snapshot (Kyrgyzstan's trade statistics, 1994-2023)
    return path


def _claims(text: str, db, published: str = "2024-05-01"):
    report = check_text(f"Published: {published} | Title: t\n\n{text}", db=db, fmt="text")
    return [c for c in report.claims if c.claim.type in {"share", "comparison"}]


def _one(text: str, db, published: str = "2024-05-01"):
    (c,) = _claims(text, db, published)
    assert c.check.evidence
    return c


def test_a_share_of_the_states_trade_is_of_the_total_it_publishes(snapshot_db):
    c = _one("In 2022 China accounted for 34% of Kyrgyzstan's foreign trade, ahead of Russia.", snapshot_db)
    assert c.claim.indicator == "trade" and c.check.verdict == "supported"
    (basis,) = [e for e in c.check.evidence if e.role == "basis"]
    assert basis.value == pytest.approx(34.25, abs=0.01) and basis.period == [2022]
    assert "of US$12.06 billion" in basis.definition  # Kyrgyzstan's total row, not the partners' sum
    assert basis.source_id and basis.source_id.startswith("kg_nsc") and '"out"."panel"' in basis.query


def test_a_share_far_from_the_statistics_is_contradicted(snapshot_db):
    c = _one("In 2022 Russia accounted for 60% of Kyrgyzstan's trade.", snapshot_db)
    assert c.check.verdict == "contradicted" and "2022" in c.check.explanation


def test_the_largest_trading_partner_is_ranked_among_every_partner_country(snapshot_db):
    first = _one("China is Kyrgyzstan's largest trading partner.", snapshot_db)
    assert first.check.verdict == "supported" and "2023" in first.check.explanation
    second = _one("Russia is Kyrgyzstan's largest trading partner.", snapshot_db)
    assert second.check.verdict == "contradicted" and "ranks 2" in second.check.explanation
    # its Central Asian neighbours are ranked too: Kazakhstan is third
    assert "3. Kazakhstan" in second.check.explanation


def test_several_main_partners_are_among_the_first_few(snapshot_db):
    c = _one("China and Russia are Kyrgyzstan's main trading partners.", snapshot_db)
    assert c.check.verdict == "supported"


def test_a_ranking_of_an_outside_powers_partners_is_not_taken_for_the_states(snapshot_db):
    c = _one("Kyrgyzstan is China's largest trading partner in Central Asia.", snapshot_db)
    assert c.check.verdict == "unverifiable" and "outside Central Asia" in c.check.explanation


def test_a_share_of_exports_is_not_checked_as_a_share_of_trade(snapshot_db):
    (c,) = _claims("In 2022 China accounted for 20% of Kyrgyzstan's exports.", snapshot_db)
    assert c.claim.indicator != "trade"


def test_without_the_states_statistics_a_share_is_unverifiable(built_db):
    c = _one("In 2022 China accounted for 34% of Kyrgyzstan's foreign trade.", built_db)
    assert c.claim.indicator == "trade" and c.check.verdict == "unverifiable"


def _amounts(text: str, db, published: str = "2024-05-01"):
    report = check_text(f"Published: {published} | Title: t\n\n{text}", db=db, fmt="text")
    return [c for c in report.claims if c.claim.type == "amount"]


def test_a_states_own_total_is_its_trade_with_all_partners_not_a_partner_named_before(snapshot_db):
    # China, named in the sentence before, is not carried into a figure of Kyrgyzstan's exports (it was: a false
    # "contradicted" against its exports to China)
    (c,) = _amounts(
        "China's trade with Kyrgyzstan grew.\n\nKyrgyzstan's exports totalled $2 billion in 2019.", snapshot_db
    )
    assert c.claim.partners == ["WLD"] and c.check.verdict == "supported"
    (wrong,) = _amounts("Kyrgyzstan's exports totalled $5 billion in 2019.", snapshot_db)
    assert wrong.check.verdict == "contradicted"


def test_a_regions_total_is_not_one_members_figure(snapshot_db):
    # only Kyrgyzstan's statistics are loaded: the five's total trade cannot be summed, and no single state's figure
    # stands for it
    (c,) = _amounts("China's trade grew.\n\nCentral Asia's total trade reached $150 billion in 2019.", snapshot_db)
    assert c.check.verdict == "unverifiable"
