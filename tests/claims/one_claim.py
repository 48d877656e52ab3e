"""Check one sentence as an article of a given date, and return its one event claim (with evidence)."""

from __future__ import annotations


def the_event_claim(text: str, db, published: str):
    from silkscope.claims import check_text

    report = check_text(f"Published: {published} | Title: t\n\n{text}", db=db, fmt="text")
    (c,) = [c for c in report.claims if c.claim.type == "event"]
    assert c.check.evidence
    return c
