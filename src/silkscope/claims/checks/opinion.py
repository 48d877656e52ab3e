"""Opinions and causal claims: not checkable, with the visits model beside a causal one."""

from __future__ import annotations

import re

from silkscope.claims.checks.base import Check, article_evidence
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context

# Opinion markers that state a cause: only these get the visits model beside them.
CAUSAL = re.compile(r"result|lead|led to|caus|push", re.I)


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
    from silkscope.claims.checks.model import interaction_model  # fits a model: imported only when needed

    model = interaction_model(claim, ctx)
    if model is not None:
        extra, reading = model
        return Check("not_checkable", [ev, *extra], explanation + reading)
    return Check("not_checkable", [ev], explanation)
