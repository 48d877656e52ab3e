"""The labelled evaluation set: labels agree with the reader's text, and the checker meets its quality targets.

Figures per claim type are printed by bench/claims_eval.py; here only the targets are asserted (not timed).
"""

from __future__ import annotations

import evalset
import pytest

from silkscope.claims import VERDICTS, check_file, read_file
from silkscope.claims.extract import TYPES

OWN = [a for a in evalset.load(include_shared=False)]


def test_the_set_has_articles_about_korea_china_and_russia():
    names = {a.name for a in OWN}
    assert {"korea-2024", "china-2025", "russia-2025"} <= names
    false = [lb for a in OWN for lb in a.labels if lb["truth"] == "false"]
    assert len(false) >= 15  # deliberately wrong figures, years and firsts


@pytest.mark.parametrize("article", OWN, ids=lambda a: a.name)
def test_labels_match_the_plain_text(article):
    text = read_file(article.path).text
    for label in article.labels:
        assert text[label["start"] : label["end"]] == label["quote"], label["quote"]
        assert (
            label["type"] in TYPES and label["verdict"] in VERDICTS and label["truth"] in {"true", "false", "unknown"}
        )


@pytest.mark.realdata
def test_seed_labels_match_the_plain_text(shared_dir):
    (seed,) = [a for a in evalset.load() if a.name.startswith("seed")]
    text = read_file(seed.path).text
    for label in seed.labels:
        assert text[label["start"] : label["end"]] == label["quote"]


def _score(articles, db) -> evalset.Score:
    score = evalset.Score()
    for art in articles:
        report = check_file(art.path, db=db)
        for c in report.claims:
            assert c.check.evidence, f"{art.name} {c.claim.id}: a verdict without evidence"
        score.add(art.labels, [c.to_dict() for c in report.claims])
    return score


def test_quality_targets_on_own_articles(built_db):
    score = _score(OWN, built_db)
    assert score.recall() >= 0.9
    ok, n = score.accuracy()
    assert ok / n >= 0.85
    assert score.false_supported() == []


@pytest.mark.realdata
def test_quality_targets_with_the_seed_article(shared_dir, built_db):
    score = _score(evalset.load(), built_db)
    assert score.recall() >= 0.9 and score.false_supported() == []
    ok, n = score.accuracy()
    assert ok / n >= 0.85


# --- the development set: real published articles (../shared/eval), read in place ------------------------------


@pytest.fixture(scope="session")
def dev_db(tmp_path_factory):
    """The reference pack plus every publisher file in ../shared/data, as `silkscope update --mirror` loads them."""
    from silkscope.build import build
    from silkscope.ingest import update

    if not evalset.DEV.exists():
        pytest.skip("../shared/eval not present")
    tmp = tmp_path_factory.mktemp("dev")
    path = tmp / "dev.duckdb"
    build(path)
    update(db=path, mirror=evalset.SHARED / "data", cache_dir=tmp / "cache")
    return path


@pytest.mark.realdata
def test_development_set_targets(shared_dir, dev_db):
    """Real articles nobody on the project wrote. Recall of checkable statements >= 0.90 and never a false
    'supported' or 'contradicted' (the issue's targets, met). Verdict accuracy where the gold verdict is supported,
    contradicted or imprecise: the target is 0.85; measured 0.80 of those found when this test was written — the
    rest need data the warehouse lacks (summit outcomes, organisation memberships, leaders' terms, the uranium
    reserves share, Turkey-Turkmenistan trade, the EU's package) — so the floor asserted here guards against
    regressions, not the target (bench/claims_eval.py prints every figure)."""
    score = evalset.Score()
    for art in evalset.load_dev():
        report = check_file(art.path, db=dev_db)
        for c in report.claims:
            assert c.check.evidence, f"{art.name} {c.claim.id}: a verdict without evidence"
        score.add(art.labels, [c.to_dict() for c in report.claims])
    assert score.recall() >= 0.9
    assert score.false_supported() == [], [lb["quote"] for lb, _ in score.false_supported()]
    assert score.false_contradicted() == [], [lb["quote"] for lb, _ in score.false_contradicted()]
    ok, n = score.decided_accuracy()
    assert ok / n >= 0.75
