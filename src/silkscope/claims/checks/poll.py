"""Poll claims ('overwhelmingly positive', '63% named Russia'): checked against one question's polls of the claim's
period and countries, saying which question, answer and pollster; other questions are context, never compared."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, needs, needs_text, tolerance_text, within
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context
from silkscope.countries import name, name_or_code
from silkscope.opinion import MEASURES, PollMeasure

QUALITATIVE = [(r"overwhelming", 75.0), (r"vast majority", 75.0), (r"majority|mostly|largely", 50.0)]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _measure_for(text: str) -> PollMeasure | None:
    return next((m for m in MEASURES if any(re.search(p, text, re.I) for p in m.phrases)), None)


def _pick(claim: Claim, ctx: Context) -> PollMeasure | None:
    found = _measure_for(claim.sentence)
    if found is None and claim.extra.get("period_carried"):
        prev = [c for c in ctx.claims if c.type == "share" and c.paragraph == claim.paragraph and c.start < claim.start]
        found = next((m for c in prev[-1:] if (m := _measure_for(c.sentence))), None)
    return found


def _when(r: dict[str, Any]) -> str:
    a, b = r["fieldwork_start"], r["fieldwork_end"]
    if r.get("fieldwork_precision") == "year":
        return str(a.year) if a.year == b.year else f"{a.year}-{b.year}"
    one = f"{_MONTHS[a.month - 1]} {a.year}"
    return one if (a.year, a.month) == (b.year, b.month) else f"{one}-{_MONTHS[b.month - 1]} {b.year}"


def _label(r: dict[str, Any]) -> str:
    return (
        f"'{r['question']}' - answer '{r['answer']}'; respondents in {name_or_code(r['scope'])}; "
        f"n={r['sample_n'] or 'n/a'}; "
        f"{r['pollster']}; {r['basis'].replace('_', ' ')}, {r['confidence']} confidence"
    )


def _in_period(claim: Claim, ctx: Context, r: dict[str, Any]) -> bool:
    """The claim's years if it states them; else polls fielded by the article's date (later ones are context)."""
    if claim.period:
        years = set(range(claim.period[0], claim.period[-1] + 1))
        return bool({r["fieldwork_start"].year, r["fieldwork_end"].year} & years)
    published = ctx.doc.published
    if published is not None:
        limit = published if isinstance(published, date) else date(published.year, 12, 31)
        return r["fieldwork_end"] <= limit
    return r["fieldwork_end"].year <= ctx.as_of


def check_poll(claim: Claim, ctx: Context) -> Check:
    subject = claim.partners[0] if claim.partners else None
    query = PL.record("opinion", subject=subject)
    rows = ctx.rows(query)
    m = _pick(claim, ctx)
    members = set(PL.members(claim.scope))
    here = [r for r in rows if members & set(r["scope_members"] or [])]
    same = [r for r in here if m and r["indicator"] == m.indicator]
    named = [r for r in same if (r["answer"] or "").lower()[:7] in claim.sentence.lower()]
    if named:  # the answer the sentence names ('approved', 'supported Russia'), not the others of that question
        same = named
    elif m and m.favourable:
        same = [r for r in same if r["answer"] in m.favourable]
    dated = [r for r in same if _in_period(claim, ctx, r)]
    usable = [r for r in dated if r["confidence"] != "low"]
    others = [r for r in here if r not in dated]
    evs = [evidence(ctx, r["share_pct"], "percent", [r["fieldwork_start"].year, r["fieldwork_end"].year], _label(r),
                    r["source_id"], query, "basis" if r in usable else "context", r.get("note"))
           for r in [*dated, *others[:6]]]  # fmt: skip
    who = name(subject) if subject else "the partner"
    context = "; ".join(
        f"{r['pollster']} '{r['question']}' {r['answer']} {r['share_pct']:g}% ({r['scope']}, {_when(r)})"
        for r in others[:3]
    )
    context = f" Other questions or periods, not compared: {context}." if context else ""
    if m is None or not same:
        need = needs("poll", ctx)
        what = f"'{m.label}'" if m else "this question"
        evs = evs or [evidence(ctx, None, "percent", claim.period, "no poll rows", None, query, "absence")]
        return Check("unverifiable", evs, f"No poll about {who} asks {what} here.{context} {needs_text(need)}", need)
    if not usable:
        why = "only figures flagged for checking (low confidence)" if dated else "no poll of that period"
        return Check("unverifiable", evs, f"{m.label}: {why}.{context}", needs("poll", ctx))
    first = usable[0]
    series = ", ".join(f"{r['share_pct']:g}% ({_when(r)}, {r['scope']})" for r in usable)
    asked = f"{m.label}: {first['pollster']} asked '{first['question']}', answer '{first['answer']}': {series}"
    pooled = any(r["scope"] == "C4_EXCL_TKM" for r in usable)
    caveat = " The polls cover four states (Turkmenistan not polled)." if pooled else ""
    second = [r for r in usable if r["basis"] == "secondary_report"]
    caveat += " Figures quoted by a secondary report." if second else ""
    if claim.value is None:
        floor = next((v for pattern, v in QUALITATIVE if re.search(pattern, claim.text, re.I)), 50.0)
        above = [r for r in usable if r["share_pct"] > floor]
        verdict = "supported" if len(above) == len(usable) else "contradicted" if not above else "imprecise"
        claimed = f"above {floor:.0f}% ('{claim.extra.get('trigger')}')"
    else:
        ok = [r for r in usable if within(r["share_pct"], claim.value, claim.qualifier, "share")]
        verdict = "supported" if ok else "contradicted"
        claimed = f"{claim.value:g}% ({tolerance_text(claim.qualifier, 'share')})"
    return Check(verdict, evs, f"Claim: {claimed}. {asked}.{caveat}{context}", definitions=[m.indicator])
