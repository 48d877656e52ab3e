"""Verify: dispatch a claim to its family's check (claims/checks/), then hold the verdict to the rules every check
obeys: evidence always, a known verdict, no contradiction on an uncertain binding."""

from __future__ import annotations

from silkscope.claims import plan as PL
from silkscope.claims.checks import change as C
from silkscope.claims.checks import events as E
from silkscope.claims.checks import figures as F
from silkscope.claims.checks import finance as M
from silkscope.claims.checks import firsts as R
from silkscope.claims.checks import formats as V
from silkscope.claims.checks import independence as I
from silkscope.claims.checks import observations as O
from silkscope.claims.checks import terms as L
from silkscope.claims.checks import timeline as T
from silkscope.claims.checks import trade_share as S
from silkscope.claims.checks.base import VERDICTS, Check
from silkscope.claims.checks.opinion import opinion
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context


def verify(claim: Claim, ctx: Context) -> Check:
    fam = PL.family(claim)
    handler = {
        "opinion": opinion,
        "change": lambda c, x: C.change(c, x, verify),  # its data endpoints are verified as amounts, here
        "presence": F.presence,
        "finance": M.finance,
        "trade": F.trade,
        "investment": F.investment,
        "poll": F.poll,
        "trade_share": S.share,
        "trade_rank": S.rank,
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
        "independence": I.independence,
        "leader_term": L.leader_term,
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
    checks/observations.py); None leaves the claim to its family's own check."""
    if claim.type == "comparison":
        return None if fam == "trade_rank" else O.rank(claim, ctx)
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
