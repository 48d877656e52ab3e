"""The curated pack against the shared reference it was compiled from: no fact lost, no source dropped."""

from __future__ import annotations

import csv
import re

import pytest

from silkscope.pack.read import read_pack

pytestmark = pytest.mark.realdata


def _shared_rows(shared_dir, name):
    with (shared_dir / "reference" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_timeline_row_and_url_is_carried(shared_dir):
    shared = _shared_rows(shared_dir, "leader_visits_2000_2026.csv")
    more = _shared_rows(shared_dir, "leader_visits_eu_tur_ind_2000_2026.csv")
    pack = read_pack()
    # the five states' independence (from the Factbook) is not in the shared timeline
    events = [e for e in pack.tables["core.events"] if e["event_type"] != "independence"]
    # one EU/TUR/IND row (the 2012 Turkic Council summit and Gul's official visit around it) is split in two
    assert len(events) == len(shared) + len(more) + 1
    urls = {s["url"] for s in pack.tables["core.sources"] if s["url"]}
    assert len(urls) == len({s["url"] for s in pack.tables["core.sources"] if s["url"]})  # one source per URL
    for row in shared + more:
        for url in filter(None, (u.strip() for u in row["source"].split(" ; "))):
            assert url in urls, url
    assert sum(r["basis"].startswith("unsourced") for r in shared + more) == sum(
        e["citation_status"] == "unsourced" for e in events
    )


def test_eu_turkiye_india_rows_keep_confidence_and_attendance(shared_dir):
    more = _shared_rows(shared_dir, "leader_visits_eu_tur_ind_2000_2026.csv")
    events = read_pack().tables["core.events"]
    partners = {"EUU", "TUR", "IND"}
    mine = [e for e in events if partners & set(e["visitor_iso3"] + e["host_iso3"])]
    assert sum(r["confidence"] == "medium" for r in more) == 8
    assert sum(e["confidence"] == "medium" for e in mine) == 8
    for e in events:  # a host never visits itself (the source rows list hosts among the attendees)
        assert not set(e["visitor_iso3"]) & set(e["host_iso3"]), e["event_id"]
    turkic = [e for e in events if e["format_id"] == "fmt_turkic_council"]
    assert len(turkic) >= 15 and all(e["event_type"] == "organisation_summit" for e in turkic)
    istanbul = next(e for e in turkic if e["event_id"] == "ev_20211112_ots_summit8_tur")
    assert "TKM" in istanbul["visitor_iso3"] and "OBSERVER" in istanbul["note"]
    singh = next(e for e in events if e["event_id"] == "ev_20060425_ind_singh_uzb")
    assert (singh["level"], singh["host_iso3"], str(singh["date_start"])) == (
        "head_of_government",
        ["UZB"],
        "2006-04-25",
    )
    sco = [e for e in mine if "SCO" in e["title"] and "IND" in e["visitor_iso3"]]
    assert sco and all(e["event_type"] in ("organisation_summit", "official_visit") for e in sco)


def test_every_poll_is_carried_with_its_question_and_basis(shared_dir):
    polls = _shared_rows(shared_dir, "opinion_polls.csv")
    pack = read_pack()
    rows = pack.tables["core.opinion"]
    assert len(rows) == len(polls)  # the 4 MOFA rows already in the pack are the same results, not carried twice
    urls = {s["url"] for s in pack.tables["core.sources"] if s["url"]}
    for poll in polls:
        for url in filter(None, (u.strip() for u in poll["source_url"].split(" ; "))):
            assert url in urls, url
    low = [r for r in rows if r["confidence"] == "low"]
    assert len(low) == 4 and all(r["indicator"] == "opinion_war_side_support_share" for r in low)
    assert {r["basis"] for r in rows} == {"publisher", "secondary_report"}
    eaeu = [r for r in rows if r["indicator"] == "opinion_eaeu_support_share"]
    assert len(eaeu) == 6 and all(r["subject_iso3"] == "RUS" for r in eaeu)


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
