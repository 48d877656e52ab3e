"""The curated pack against the shared reference it was compiled from: no fact lost, no source dropped."""

from __future__ import annotations

import csv
import re

import pytest

from silkscope.pack import read_pack

pytestmark = pytest.mark.realdata


def _shared_rows(shared_dir, name):
    with (shared_dir / "reference" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_timeline_row_and_url_is_carried(shared_dir):
    shared = _shared_rows(shared_dir, "leader_visits_2000_2026.csv")
    pack = read_pack()
    events = pack.tables["core.events"]
    assert len(events) == len(shared)
    urls = {s["url"] for s in pack.tables["core.sources"] if s["url"]}
    for row in shared:
        for url in filter(None, (u.strip() for u in row["source"].split(" ; "))):
            assert url in urls, url
    assert sum(r["basis"].startswith("unsourced") for r in shared) == sum(
        e["citation_status"] == "unsourced" for e in events
    )


def test_every_shared_figure_is_carried(shared_dir):
    facts = _shared_rows(shared_dir, "facts.csv")
    pack = read_pack()
    measured = []
    for table in ("core.presence", "core.opinion", "core.finance_flows", "core.trade_flows", "core.investments"):
        for row in pack.tables[table]:
            measured.append(row.get("count") or row.get("share_pct") or row.get("amount_usd") or row.get("value_usd"))
    for fact in facts:
        value = float(fact["value"]) * (1e6 if "million" in fact["unit"] else 1)
        assert any(m is not None and abs(float(m) - value) < 1e-6 * max(value, 1) for m in measured), fact["fact_id"]


def test_article_figures_are_claims_not_measurements(shared_dir):
    raw = (shared_dir / "reference" / "articles" / "japan-central-asian-frontier-2018.txt").read_text("utf-8")
    article = _plain(raw)
    claims = read_pack().tables["core.published_claims"]
    for claim in claims:
        # every quoted fragment appears in the article's plain text (links and escapes removed)
        for fragment in claim["quote"].split(" ... "):
            assert _plain(fragment) in article, claim["claim_id"]


def _plain(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](#) -> text
    text = text.replace("\\", "").replace("“", '"').replace("”", '"').replace("’", "'")
    return " ".join(text.split())
