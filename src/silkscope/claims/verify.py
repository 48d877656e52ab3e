"""Verify: run a claim's queries, compare with stated tolerances and return a verdict that carries its evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.extract import Claim
from silkscope.claims.plan import NEEDS, Context, Query

VERDICTS = ("supported", "contradicted", "imprecise", "unverifiable", "not_checkable")
# Opinion markers that state a cause: only these get the visits model beside them.
CAUSAL = re.compile(r"result|lead|led to|caus|push", re.I)

# Relative tolerance for money by qualifier; counts are exact unless qualified ("about 500" = +/-5%).
MONEY_TOLERANCE = {None: 0.03, "exact": 0.03, "about": 0.10}
COUNT_TOLERANCE = {None: 0.0, "exact": 0.0, "about": 0.05}
SHARE_TOLERANCE_PP = {None: 0.5, "exact": 0.5, "about": 3.0}
FOLD_TOLERANCE = {None: 0.10, "exact": 0.10, "about": 0.15}
ALMOST_RANGE = 0.15  # "almost/nearly X": the true value lies within 15% below X (and not above it)


@dataclass
class Evidence:
    value: Any
    unit: str | None
    period: list[int]
    definition: str
    source_id: str | None
    source_title: str | None
    source_url: str | None
    query: str
    role: str = "basis"  # basis | alternative | context | absence | text
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None or k in _CONTRACT}


_CONTRACT = ("value", "unit", "period", "definition", "source_id", "source_title", "source_url", "query")


@dataclass
class Check:
    verdict: str
    evidence: list[Evidence]
    explanation: str
    needs: dict[str, Any] | None = None
    definitions: list[str] = field(default_factory=list)
    tolerance: str | None = None
    # A qualifier of the verdict people must see beside it: "arithmetic only" for a change that holds on the
    # article's own figures but that the data cannot confirm (never shown as a green 'supported').
    mark: str | None = None


def evidence(
    ctx: Context,
    value: Any,
    unit: str | None,
    period: list[int],
    definition: str,
    source_id: str | None,
    query: Query | str,
    role: str = "basis",
    note: str | None = None,
) -> Evidence:
    src = ctx.source(source_id)
    text = query.text if isinstance(query, Query) else query
    return Evidence(value, unit, period, definition, source_id, src.get("title"), src.get("url"), text, role, note)


def needs(key: str, ctx: Context) -> dict[str, Any]:
    """What data would settle the claim, which connectors provide it, and which of them are already loaded."""
    data, connectors = NEEDS[key]
    return {"data": data, "connectors": connectors, "loaded": [c for c in connectors if c in ctx.connectors]}


def needs_text(need: dict[str, Any]) -> str:
    via = f" (connector: {', '.join(need['connectors'])})" if need["connectors"] else ""
    return f"Would settle it: {need['data']}{via}."


def article_evidence(ctx: Context, claim: Claim, value: Any, unit: str | None, definition: str, how: str) -> Evidence:
    """Evidence drawn from the article's own words (internal arithmetic, the opinion marker)."""
    return Evidence(
        value, unit, claim.period, definition, "article", ctx.doc.title or ctx.doc.name, ctx.doc.url, how, "text"
    )


# --- tolerances --------------------------------------------------------------------------------------------------


def within(actual: float, claimed: float, qualifier: str | None, kind: str) -> bool:
    """Does `actual` make the claim true? kind: money, count, share (percentage points) or fold."""
    if qualifier and qualifier.startswith("range"):  # a stated range: its ends (range: relative, range_pp: points)
        half = float(qualifier.split(":")[1])
        width = half if qualifier.startswith("range_pp") else half * abs(claimed)
        return claimed - width - 1e-9 <= actual <= claimed + width + 1e-9
    if qualifier == "more":
        return actual > claimed
    if qualifier == "at_least":
        return actual >= claimed
    if qualifier == "less":
        return actual < claimed
    if qualifier == "at_most":
        return actual <= claimed
    if qualifier == "almost":
        return claimed * (1 - ALMOST_RANGE) <= actual <= claimed * 1.005
    if kind == "share":
        return abs(actual - claimed) <= SHARE_TOLERANCE_PP.get(qualifier, 0.5)
    table = {"money": MONEY_TOLERANCE, "count": COUNT_TOLERANCE, "fold": FOLD_TOLERANCE}[kind]
    tol = table.get(qualifier, table[None])
    return abs(actual - claimed) <= tol * abs(claimed)


def tolerance_text(qualifier: str | None, kind: str) -> str:
    if qualifier and qualifier.startswith("range"):
        return "within the stated range"
    if qualifier in {"more", "at_least", "less", "at_most"}:
        return {"more": "above", "at_least": "at or above", "less": "below", "at_most": "at or below"}[qualifier]
    if qualifier == "almost":
        return f"within {ALMOST_RANGE:.0%} below the stated figure ('almost')"
    if kind == "share":
        return f"+/-{SHARE_TOLERANCE_PP.get(qualifier, 0.5)} percentage points"
    table = {"money": MONEY_TOLERANCE, "count": COUNT_TOLERANCE, "fold": FOLD_TOLERANCE}[kind]
    tol = table.get(qualifier, table[None])
    return "exact" if tol == 0 else f"+/-{tol:.0%}"


def money(value: float | None, unit: str | None = "USD") -> str:
    if value is None:
        return "n/a"
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= scale:
            return f"{'US$' if unit == 'USD' else (unit or '') + ' '}{value / scale:,.2f} {word}"
    return f"{'US$' if unit == 'USD' else (unit or '') + ' '}{value:,.0f}"


# --- dispatch ----------------------------------------------------------------------------------------------------


def verify(claim: Claim, ctx: Context) -> Check:
    from silkscope.claims import verify_change as C
    from silkscope.claims import verify_events as E
    from silkscope.claims import verify_figures as F
    from silkscope.claims import verify_finance as M
    from silkscope.claims import verify_firsts as R
    from silkscope.claims import verify_formats as V
    from silkscope.claims import verify_timeline as T

    fam = PL.family(claim)
    handler = {
        "opinion": opinion,
        "change": C.change,
        "presence": F.presence,
        "finance": M.finance,
        "trade": F.trade,
        "investment": F.investment,
        "poll": F.poll,
        "presence_rank": F.presence_rank,
        "finance_rank": M.finance_rank,
        "visit_count": T.visit_count,
        "format_frequency": V.frequency,
        "attendance": V.attendance,
        "membership": V.membership,
        "leader_first": V.leader_first,
        "visit_first": R.visit_first,
        "format_first": R.format_first,
        "hedged_first": R.hedged_first,
        "visit_event": E.visit_event,
        "format_event": E.format_event,
        "generic_event": lambda c, x: V.matched_event(c, x) or E.generic_event(c, x),
        "dropped_event": E.dropped_event,
    }.get(fam, F.unsupported_figure)
    if claim.type == "amount" and claim.unit not in (None, "USD"):
        handler = F.foreign_currency
    pledged = V.pledge(claim, ctx) if claim.type == "amount" and V.PLEDGE.search(claim.sentence) else None
    anchored = V.anchored_event(claim, ctx) if claim.type == "event" and V.RELATIVE_DAY.search(claim.text) else None
    check = pledged or anchored or _observed(claim, ctx, fam) or handler(claim, ctx)
    check = _binding_rule(claim, check)
    if not check.evidence:  # a verdict without evidence is a bug: fail loudly in development, never silently
        raise AssertionError(f"claim {claim.id} ({fam}) got verdict {check.verdict} without evidence")
    if check.verdict not in VERDICTS:
        raise AssertionError(f"claim {claim.id}: unknown verdict {check.verdict!r}")
    return check


def _observed(claim: Claim, ctx: Context, fam: str) -> Check | None:
    """The generic check over out.observations, where a catalogue measure covers the figure (claims/
    verify_observations.py); None leaves the claim to its family's own check."""
    from silkscope.claims import verify_observations as O

    if claim.type == "comparison":
        return O.rank(claim, ctx)
    if claim.type not in {"amount", "count"} or (claim.unit not in (None, "USD") and claim.type == "amount"):
        return None
    if fam in {"presence", "finance", "investment"} or not O.applies(claim):
        return None
    check = O.observation(claim, ctx)
    no_rows = all(e.role == "absence" for e in check.evidence)
    return None if no_rows and fam == "trade" else check  # trade: the stated totals in core.trade_flows next


def _binding_rule(claim: Claim, check: Check) -> Check:
    """A claim bound to a date the text does not state (the article's own date) cannot be contradicted by the data
    of that date: the binding is uncertain, so the verdict is unverifiable and says why."""
    if check.verdict != "contradicted":
        return check
    why = None
    if claim.extra.get("period_from_article"):
        why = f"the text gives no date; it was read as of the article's date ({claim.extra['period_from_article']})"
    elif claim.extra.get("undated") or (
        claim.type in {"amount", "count", "share"} and not claim.period and not claim.extra.get("period_now")
    ):
        why = "the text gives no year for this figure"
    elif claim.extra.get("year_unstated"):
        why = f"the text gives no year for this figure; it was read as {claim.extra['year_unstated']}"
    if why is None:
        return check
    check.explanation = f"Binding uncertain ({why}): not contradicted. What the data show: {check.explanation}"
    check.verdict = "unverifiable"
    return check


def opinion(claim: Claim, ctx: Context) -> Check:
    marker = claim.subtype or claim.extra.get("trigger", "")
    ev = article_evidence(
        ctx,
        claim,
        None,
        None,
        f"an opinion or causal claim (marker: '{marker}'); facts cannot settle it without a model and its caveats",
        f"classification: the opinion/causal pattern '{marker}' matched the sentence",
    )
    explanation = (
        f"Opinion or causal claim ('{marker}'): a judgement, not a figure or an event the warehouse can check."
    )
    if not CAUSAL.search(marker):  # a quotation or a judgement: no model speaks to it
        return Check("not_checkable", [ev], explanation)
    from silkscope.claims.verify_model import interaction_model  # fits a model: imported only when needed

    model = interaction_model(claim, ctx)
    if model is not None:
        extra, reading = model
        return Check("not_checkable", [ev, *extra], explanation + reading)
    return Check("not_checkable", [ev], explanation)
