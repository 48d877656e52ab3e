"""'The first leader of a liberal democracy to visit': a first among a class of countries, checked against every
covered partner's leaders and the class list (reference_pack/country_classes.csv, with the index it follows)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, needs, needs_text
from silkscope.claims.checks.timeline import PL_evidence, _visit_ev
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context
from silkscope.countries import C5, name

# How a sentence names a class, the class id in core.country_classes, and the index that class follows. A claim
# about 'democratic' countries is checked against the stricter 'Free' list: a Free country is a democracy, so an
# earlier visit by its leader still refutes the claim (and no claim is supported from this list alone).
CLASS_PHRASES = [
    (r"democra|free (?:countr|nation|world)", "liberal_democracy",
     "Freedom House, Freedom in the World: status 'Free' in the year of the visit"),
    (r"\basian\b", "asian", "UN M49 geographic region Asia"),
]  # fmt: skip


def _class_of(text: str) -> tuple[str, str] | None:
    return next(((cid, index) for pattern, cid, index in CLASS_PHRASES if re.search(pattern, text, re.I)), None)


def _member(rows: list[dict[str, Any]], iso3: str, year: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["country_iso3"] == iso3 and r["first_year"] <= year <= r["last_year"]), None)


def _after_start(after: list[int] | None, lo: int) -> tuple[int, int]:
    return (after[0], after[1] or 0) if after else (lo, 0)


def _clearly_after(r: dict[str, Any], start: tuple[int, int]) -> bool:
    """The visit began after (year, month); a visit dated only to a year or month must lie wholly after it."""
    d: date = r["date_start"]
    if start[1] == 0:
        return d.year >= start[0] if r["date_precision"] == "day" else d.year > start[0] - 1
    return (d.year, d.month) > start


def class_first(claim: Claim, ctx: Context, cls: str, visitor, hosts, lo, after, query, rows, evs) -> Check:
    start = _after_start(after, lo)
    if not visitor:
        ev = evidence(ctx, None, "visit", [lo], "no visitor read from the text", None, query, "absence")
        return Check("unverifiable", [ev], "Whose visit is claimed to be the first could not be read from the text.")
    who = claim.person or f"{name(visitor)}'s leader"
    found = _class_of(cls)
    covered = sorted(p for p in ctx.covered if p not in C5)
    scope = "; ".join(f"{name(p)}: {ctx.covered.text(p, 'leader_visits')}" for p in covered)
    if found is None:
        need = needs("visits", ctx)
        return Check(
            "unverifiable",
            evs or [evidence(ctx, None, "visit", [lo], "no visit recorded", None, query, "absence")],
            f"The claim compares with a class of countries ('{cls}') that silkscope has no list for; the timeline "
            f"covers these partners' leaders: {scope}. {needs_text(need)}",
            need,
        )
    class_id, index = found
    cq = PL.record("classes", class_id=class_id)
    classes = ctx.rows(cq)
    mine = [r for r in rows if _clearly_after(r, start) and (not claim.person or PL.surname(claim.person) in
                                                              (r["visitor_person"] or ""))]  # fmt: skip
    if not mine:
        return Check(
            "unverifiable",
            evs or [evidence(ctx, None, "visit", [lo], f"no visit by {who} recorded", None, query, "absence")],
            f"The visit the claim is about ({who} to {', '.join(hosts)} after {start[0]}) is not in the timeline, "
            "so there is nothing to rank.",
            needs("visits", ctx),
        )
    subject = mine[0]
    vq = PL.record(
        "class_visits",
        visitors=[p for p in covered if p != visitor],
        hosts=hosts,
        from_date=date(start[0], 1, 1),
        to_date=subject["date_start"],
    )
    earlier, unsure = [], []
    for r in ctx.rows(vq):
        if not _clearly_after(r, start) or r["date_end"] >= subject["date_start"]:
            continue
        m = _member(classes, r["visitor_iso3"], r["year"])
        if m is None or m["confidence"] != "high" or r["confidence"] != "high":
            unsure.append((r, m))
        elif m["member"]:
            earlier.append((r, m))
    relied = [p for p in covered if (m := _member(classes, p, subject["year"])) and m["member"]]
    relied_text = "; ".join(f"{name(p)} ({ctx.covered.text(p, 'leader_visits')})" for p in relied)
    basis = f"'{cls}' read as the class '{class_id}' by {index}"
    own = _visit_ev(ctx, subject, query)
    if earlier:
        r, m = earlier[0]
        evs = [
            _visit_ev(ctx, r, vq),
            PL_evidence(ctx, "member", "class", [r["year"]], f"{name(r['visitor_iso3'])}: {m['basis']}", m, cq),
            own,
        ]
        return Check(
            "contradicted",
            evs,
            f"Not the first: {r['title']} ({r['date_start']}) came before {subject['title']} "
            f"({subject['date_start']}). "
            f"{name(r['visitor_iso3'])} belongs to the class: {m['basis']} ({basis}). Partners whose leaders were "
            f"checked as class members: {relied_text}.",
        )
    evs = [own]
    evs += [PL_evidence(ctx, "member" if m["member"] else "not a member", "class", [m["first_year"], m["last_year"]],
                        f"{name(m['country_iso3'])}: {m['basis']}", m, cq, "context")
            for m in classes if m["first_year"] <= subject["year"] <= m["last_year"]]  # fmt: skip
    doubt = "; ".join(f"{x['title']} (class membership or date uncertain)" for x, _ in unsure[:3])
    need = needs("visits", ctx)
    return Check(
        "unverifiable",
        evs,
        f"No earlier visit by a leader of a class member is recorded ({basis}); the partners checked: "
        f"{relied_text or 'none'}. The class includes countries the timeline does not cover (e.g. EU member "
        f"states), so a first cannot be confirmed.{' Not relied on: ' + doubt + '.' if doubt else ''} "
        f"{needs_text(need)}",
        need,
    )
