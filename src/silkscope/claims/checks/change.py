"""Fold and percentage changes: the article's own endpoints first, so internal arithmetic is always checkable."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, article_evidence, needs, needs_text, tolerance_text, within
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context

# The dispatcher (claims/verify.py:verify), passed in by it: this module never imports it back.
Verifier = Callable[[Claim, Context], Check]


def change(claim: Claim, ctx: Context, verify: Verifier) -> Check:
    """Internal arithmetic first: the article's own endpoints always allow it, even where they are unverifiable."""
    ends = [
        c
        for c in ctx.claims
        if c.type in {"amount", "count"}
        and c.sentence == claim.sentence
        and c.start < claim.start
        and c.value
        and abs(c.start - claim.start) < 600
    ]
    ends = [c for c in ends if c.unit == ends[-1].unit] if ends else []
    if len(ends) < 2:
        need = needs(claim.indicator if claim.indicator in PL.NEEDS else "other", ctx)
        ev = article_evidence(
            ctx,
            claim,
            None,
            claim.unit,
            "the text gives no two figures to compare",
            "internal arithmetic: no endpoints in the sentence",
        )
        return Check("unverifiable", [ev], f"The change has no stated endpoints to recompute. {needs_text(need)}", need)
    first, last = ends[0], ends[-1]
    ratio = last.value / first.value  # type: ignore[operator]
    q = claim.qualifier
    if claim.unit == "percent":
        actual, claimed, kind = (ratio - 1) * 100, claim.value or 0, "share"
        shown = f"{actual:+.1f}%"
        falling = re.search(
            r"\b(?:drop|fell|fall|declin|decreas|down|shr[ai]nk|lower|cut|slump|plung)", claim.text, re.I
        )
        if falling and actual < 0:
            actual = -actual  # "a drop of 40 percent" states the size of a fall
        ok = (
            within(actual, claimed, q, "share")
            if q not in (None, "exact")
            else abs(actual - claimed) <= max(1.0, 0.05 * abs(claimed))
        )
    else:
        actual, claimed, kind = ratio, claim.value or 0, "fold"
        shown = f"{ratio:.2f}x"
        falling = None
        if claimed == 2 and q is None and re.search(r"doubl", claim.text, re.I):
            ok = 1.8 <= ratio <= 2.2
        else:
            ok = within(ratio, claimed, q, "fold")
    years = [y for c in (first, last) for y in c.period[:1]]
    duration = claim.extra.get("duration")
    span_ok = duration is None or len(years) < 2 or years[-1] - years[0] == duration
    how = f"internal arithmetic: {last.value:,.4g} / {first.value:,.4g} = {ratio:.4g}"
    definition = f"ratio of the article's own figures ({last.text!r} over {first.text!r})"
    ev = article_evidence(ctx, claim, round(actual, 2), claim.unit, definition, how)
    ev.period = years
    tol = tolerance_text(q, kind)
    qual = {"almost": "almost ", "more": "more than ", "about": "about ", "less": "less than "}.get(q or "", "")
    said = f"{qual}{claimed:g}{'%' if claim.unit == 'percent' else 'x'}"
    data = _data_endpoints(first, last, ctx, verify)
    if ok and span_ok:
        text = f"Holds on the article's own numbers: {shown} vs '{said}' ({tol})"
        text += f" over {years[-1] - years[0]} years." if len(years) == 2 else "."
        if data is None:
            # Arithmetic only: internally consistent, not confirmed. 'supported' is kept for what the data confirm.
            need = needs(claim.indicator if claim.indicator in PL.NEEDS else "other", ctx)
            text = (
                f"Arithmetic only: {text} The data hold no endpoints under one definition to recompute it, so the "
                f"change is not confirmed. {needs_text(need)}"
            )
            return Check("unverifiable", [ev], text, need, tolerance=tol, mark="arithmetic holds")
        data_ratio, data_evs, label = data
        data_value = (data_ratio - 1) * 100 if claim.unit == "percent" else data_ratio
        if claim.unit == "percent" and falling and data_value < 0:
            data_value = -data_value
        data_ok = _fits(data_value, claimed, q, kind, claim)
        shown_data = f"{data_value:+.1f}%" if claim.unit == "percent" else f"{data_ratio:.2f}x"
        text += f" On the data's own endpoints ({label}) the change is {shown_data}"
        if data_ok:
            return Check("supported", [*data_evs, ev], text + f", which also fits '{said}'.", tolerance=tol)
        return Check(
            "imprecise",
            [*data_evs, ev],
            text + f", which does not fit '{said}' ({tol}): the article's rounding of its endpoints matters.",
            tolerance=tol,
        )
    if ok and not span_ok:
        return Check(
            "imprecise",
            [ev],
            f"The ratio {shown} fits '{said}', but the years span {years[-1] - years[0]}, not {duration}.",
        )
    return Check("contradicted", [ev], f"The article's own numbers give {shown}, not '{said}' ({tol}).", tolerance=tol)


def _fits(actual: float, claimed: float, q: str | None, kind: str, claim: Claim) -> bool:
    """The same tolerance the article's own figures were held to."""
    if kind == "share":
        return (
            within(actual, claimed, q, "share")
            if q not in (None, "exact")
            else abs(actual - claimed) <= max(1.0, 0.05 * abs(claimed))
        )
    if claimed == 2 and q is None and re.search(r"doubl", claim.text, re.I):
        return 1.8 <= actual <= 2.2
    return within(actual, claimed, q, "fold")


def _data_endpoints(first: Claim, last: Claim, ctx: Context, verify: Verifier) -> tuple[float, list, str] | None:
    """The change recomputed from the warehouse: both endpoints verified under one definition (the basis evidence
    of each), or None when either endpoint has no figure there. `verify` is the dispatcher; endpoints are amounts,
    never changes."""
    if first.type not in {"amount", "count"} or last.type != first.type:
        return None
    checks = [verify(c, ctx) for c in (first, last)]
    if any(c.verdict not in ("supported", "imprecise") for c in checks):
        return None
    bases = [next((e for e in c.evidence if e.role == "basis" and e.value), None) for c in checks]
    # dataset: definition, without the date a count is "as of" (both endpoints are of one series, not one date)
    labels = [re.sub(r",?\s*as of \S+", "", ": ".join(b.definition.split(": ")[:2])) if b else None for b in bases]
    if first.type == "count":  # a count's kind ("enterprises_with_foreign_capital"), whichever row counted it
        labels = [lb.split(" (")[0] if lb else None for lb in labels]
    if None in labels or labels[0] != labels[1] or not bases[0].value:
        return None
    label = labels[0]
    evs = [
        replace(b, role="basis", note=f"data endpoint for the change ({b.period[-1] if b.period else ''})")
        for b in bases
    ]
    return bases[1].value / bases[0].value, evs, label
