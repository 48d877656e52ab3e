"""The report: the JSON contract (documented in docs/claims.md), Markdown, table, and a one-file offline HTML page."""

from __future__ import annotations

import json
import re

import pytest

from silkscope.claims import VERDICTS, check_text
from silkscope.claims.extract import TYPES

ARTICLE = """# Test brief

Published 2018-08-30

Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003: almost a hundredfold
in 10 years. In 2016, there were only 18 Japanese companies operating in Uzbekistan. Koizumi became the first Japanese
prime minister to visit Central Asia when he went to Uzbekistan and Kazakhstan in 2006. Barack Obama visited
Kazakhstan in 2010. This has led to Japan's engagement being dominated by government-driven projects.
"""


@pytest.fixture(scope="module")
def report(built_db):
    return check_text(ARTICLE, db=built_db, fmt="markdown")


def test_json_contract(report):
    payload = json.loads(report.to_json())
    assert payload["version"] == 1 and payload["as_of"] == 2018
    assert set(payload["summary"]) == set(VERDICTS)
    claims = payload["claims"]
    assert len(claims) == 7
    text = report.document.text
    for c in claims:
        assert isinstance(c["text"], str) and text[c["start"] : c["end"]] == c["text"]
        assert c["type"] in TYPES and c["verdict"] in VERDICTS
        assert all(re.fullmatch(r"[A-Z]{3}", iso3) for iso3 in c["entities"])
        assert all(isinstance(y, int) for y in c["period"])
        assert c["value"] is None or isinstance(c["value"], int | float)
        assert c["unit"] is None or isinstance(c["unit"], str)
        assert isinstance(c["explanation"], str) and c["explanation"]
        assert c["evidence"], "a verdict without evidence is a bug"
        for e in c["evidence"]:
            assert {"value", "unit", "period", "definition", "source_id", "source_title", "source_url", "query"} <= set(
                e
            )
            assert isinstance(e["period"], list) and isinstance(e["query"], str) and e["query"]
    by_text = {c["text"][:20]: c for c in claims}
    oda = by_text["Japan's ODA in Centr"]
    assert (oda["value"], oda["unit"], oda["period"], oda["type"]) == (2570000.0, "USD", [1993], "amount")
    assert oda["entities"][:2] == ["JPN", "KAZ"] and oda["verdict"] == "unverifiable"
    assert "oecd_dac2a" in oda["needs"]["connectors"]
    cited = {e["source_id"] for c in claims for e in c["evidence"]} - {None, "article"}
    assert cited == {s["source_id"] for s in payload["sources"]}


def test_markdown_lists_claims_evidence_and_numbered_sources(report):
    md = report.to_markdown()
    assert md.startswith("# Claim check: Test brief")
    assert "## c1. unverifiable — amount" in md and "```sql" in md
    assert re.search(r"^## Sources\n\n1\. ", md, re.M)


def test_table_is_plain_text(report):
    table = report.to_table(width=160)
    assert "contradicted" in table and "Koizumi" in table and "\x1b[" not in table


def test_html_is_one_offline_file_with_highlights(report):
    page = report.to_html()
    assert page.startswith("<!doctype html>") and "</html>" in page
    # Works offline: no external scripts, styles, fonts or images.
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", page, re.I)
    assert "@import" not in page and "url(" not in page
    marks = re.findall(r'<mark class="claim" id="m-(c\d+)" data-id="c\d+" data-verdict="(\w+)"', page)
    assert len(marks) == 7 and {v for _, v in marks} <= set(VERDICTS)
    assert all(f'id="card-{cid}"' in page for cid, _ in marks)  # a click opens each claim's evidence
    assert "<h2>Sources</h2>" in page and 'id="src-1"' in page
    assert "US$2.57 million in 1993" in page and "&lt;script" not in page


def test_html_escapes_article_text(built_db):
    page = check_text(
        "<b>Trust me</b> & Japan gave US$5 million to Kyrgyzstan in 2004.", db=built_db, fmt="text"
    ).to_html()
    assert "&lt;b&gt;Trust me&lt;/b&gt; &amp; " in page


def test_render_rejects_unknown_format(report):
    with pytest.raises(ValueError, match="expected one of"):
        report.render("pdf")


def test_terminal_text_is_a_tally_then_one_block_per_claim_in_80_columns(report):
    text = report.render("text")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    tally = next(i for i, line in enumerate(lines) if "claims:" in line)
    first_block = next(i for i, line in enumerate(lines) if line.startswith("c1 "))
    assert tally < first_block  # the tally comes before any claim
    assert "7 claims: " in lines[tally] and "supported" in lines[tally]
    # one block per claim, in text order, each headed by its id and verdict
    heads = [line.split()[0] for line in lines if re.match(r"c\d+ ", line)]
    assert heads == [c.claim.id for c in report.claims]
    assert "Sources:" in text
    # "almost a hundredfold" holds on the article's own figures only: marked, never shown as supported
    assert "UNVERIFIABLE (arithmetic holds) · change" in text


def test_wide_table_still_renders(report):
    table = report.render("table")
    assert "verdict" in table and max(len(line) for line in table.splitlines()) > 80


# --- the 'arithmetic holds' mark in every rendering: a change that holds on the article's own figures only -------


def _arithmetic_only(report):
    (c,) = [c for c in report.claims if c.claim.type == "change"]
    assert c.check.verdict == "unverifiable" and c.check.mark == "arithmetic holds"
    return c


def test_html_report_shows_the_mark_beside_an_unverifiable_badge(report):
    c = _arithmetic_only(report)
    page = report.to_html()
    card = page[page.index(f'id="card-{c.claim.id}"') :]
    card = card[: card.index('<div class="quote">')]
    assert '<span class="badge">Unverifiable</span>' in card and ">arithmetic holds</span>" in card
    assert "Supported" not in card  # never the green verdict for arithmetic alone
    highlight = page[page.index(f'id="m-{c.claim.id}"') :]
    assert highlight[: highlight.index(">")].count("Unverifiable (arithmetic holds):") == 1
    # Claims without a mark carry none.
    others = [k for k in report.claims if k.check.mark is None]
    assert others and page.count('<span class="mark"') == len(report.claims) - len(others)


def test_web_check_page_and_downloadable_report_show_the_mark(report):
    from silkscope.serving import checking
    from silkscope.web.render import render

    c = _arithmetic_only(report)
    claims = report.to_dict()["claims"]
    result = {
        "claims": claims,
        "segments": checking.segments(report.document.text, claims),
        "counts": checking.counts(claims),
    }
    page = render("check_report.html", result=result, css="")
    index = [k["text"] for k in claims].index(c.claim.text) + 1
    details = page[page.index(f'id="claim-{index}"') :]
    summary = details[: details.index("</summary>")]
    assert 'class="verdict unverifiable">unverifiable</span>' in summary and ">arithmetic holds</span>" in summary
    assert "supported" not in summary
    assert 'title="unverifiable (arithmetic holds)"' in page  # the highlight in the article
    assert page.count("arithmetic holds</span>") == 1


def test_api_json_of_a_check_carries_the_mark(built_db):
    from silkscope.serving import checking

    body = json.loads(checking.check_text_json(ARTICLE, db=built_db))  # the bytes /api/claims/check sends
    (change,) = [c for c in body["claims"] if c["type"] == "change"]
    assert change["verdict"] == "unverifiable" and change["mark"] == "arithmetic holds"
    assert all(c["mark"] is None for c in body["claims"] if c is not change)


def test_markdown_and_table_show_the_mark(report):
    c = _arithmetic_only(report)
    assert f"## {c.claim.id}. unverifiable (arithmetic holds) — change" in report.to_markdown()
    assert "(arithmetic" in report.render("table")  # the verdict column folds the mark onto its next lines
