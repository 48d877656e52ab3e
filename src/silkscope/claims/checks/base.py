"""What every claim check shares: the verdicts, Evidence and Check, evidence constructors and the tolerances."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from silkscope.claims.extract import Claim
from silkscope.claims.plan import NEEDS, Context, Query

VERDICTS = ("supported", "contradicted", "imprecise", "unverifiable", "not_checkable")

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


def absent(ctx: Context, claim: Claim, query: Query, what: str, key: str, unit: str | None = None) -> Check:
    """The unverifiable verdict for a figure no table holds: the absence, as evidence, and what would settle it."""
    need = needs(key, ctx)
    ev = evidence(ctx, None, unit or claim.unit, claim.period, f"no rows: {what}", None, query, "absence")
    return Check("unverifiable", [ev], f"The warehouse holds no {what}. {needs_text(need)}", need)


def date_fits(when: date, year: int, month: int | None, day: int | None) -> str:
    """'' when a day either side of the recorded date `when` falls in the stated year (and month, day); else what
    differs first: 'year', 'month' or 'day'. A day either side: sources differ on a date across a time zone or a
    signing late at night."""
    near = [when + timedelta(days=k) for k in (-1, 0, 1)]
    if all(d.year != year for d in near):
        return "year"
    if month and all((d.year, d.month) != (year, month) for d in near):
        return "month"
    if month and day and all((d.year, d.month, d.day) != (year, month, day) for d in near):
        return "day"
    return ""
