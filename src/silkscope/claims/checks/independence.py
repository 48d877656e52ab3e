"""The independence of the five Central Asian states: "Since 1991, when Kazakhstan, ... and Uzbekistan declared
their independence", "Tajikistan gained independence in September 1991".

The dates are rows of core.events of type `independence` (reference_pack/events.csv, from the CIA World Factbook's
"Independence" field), never counted as visits or meetings. The stated year decides: another year is
`contradicted`, the right year with another month or day `imprecise` (the docs' rule for dates); a day either side of
the recorded date is accepted (a declaration adopted late on one day is dated the next by some sources).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from silkscope.claims import patterns as P
from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, date_fits, evidence, needs, needs_text
from silkscope.claims.checks.timeline import PL_evidence, _date_text
from silkscope.claims.entities import find_mentions
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.countries import name

# Where the clause that names the states begins: "Since 1991, when Kazakhstan ... declared".
_CLAUSE_START = re.compile(r"\b(?:when|after|since|because|while|once|until|before)\b|[;:(]", re.I)
# "Kazakhstan, which declared independence ...": the state is the noun before the relative pronoun.
_RELATIVE = re.compile(r",?\s*(?:which|that|who)\s+(?:had\s+|has\s+)?(?:\w+\s+)?$", re.I)
_PRONOUN = re.compile(r"\b(?:it|they|these|the five|the (?:country|countries|republics?|states?))\b", re.I)
# Words that put a second date beside the independence date ("the 30th anniversary of the day Kazakhstan declared
# independence in 1991"): the year is then not certainly the declaration's own.
_OTHER_DATE = re.compile(r"anniversar|years? (?:since|after|of)|celebrat|jubilee", re.I)


def states_named(claim: Claim, at: int) -> tuple[list[str], list[str]]:
    """The Central Asian states the clause says became independent, and other countries named with them."""
    head = claim.text[:at]
    cuts = [m.end() for m in _CLAUSE_START.finditer(head)]
    subject = head[cuts[-1] :] if cuts else head
    kinds = {"country", "region"}
    mentions = [m for m in find_mentions(subject) if m.kind in kinds]
    if not mentions and _RELATIVE.search(head):
        before = [m for m in find_mentions(head[: _RELATIVE.search(head).start() + 1]) if m.kind in kinds]
        mentions = before[-1:]
    c5 = PL.members("C5")
    states: list[str] = []
    others: list[str] = []
    for m in mentions:
        codes = PL.members(m.iso3) if m.kind == "region" else [m.iso3]
        for code in codes:
            target = states if code in c5 else others
            if code and code not in target:
                target.append(code)
    if not mentions and _PRONOUN.search(subject):  # "since it declared independence": the state named before
        earlier = [m for m in find_mentions(head[: len(head) - len(subject)]) if m.kind in kinds]
        for m in earlier[-1:]:
            states = [c for c in (PL.members(m.iso3) if m.kind == "region" else [m.iso3]) if c in c5]
        if not earlier and claim.scope in {"C5", *c5}:
            states = PL.members(claim.scope)
    return states, others


def stated_date(claim: Claim, at: int) -> tuple[int | None, int | None, int | None, bool]:
    """(year, month, day, certain): the date the text gives the independence, and whether it is certainly that
    date (one year in the clause and no other date beside it: an anniversary, a count of years since)."""
    if not claim.period or claim.extra.get("period_from_article") or claim.extra.get("undated"):
        return None, None, None, False
    years = [(m.start(), int(m.group("y"))) for m in P.YEAR.finditer(claim.text)]
    if not years:
        return None, None, None, False
    year = min(years, key=lambda y: abs(y[0] - at))[1]
    month, day = (claim.month, claim.day) if claim.period[0] == year else (None, None)
    certain = len({y for _, y in years}) == 1 and not _OTHER_DATE.search(claim.sentence)
    return year, month, day, certain


def independence(claim: Claim, ctx: Context) -> Check:
    found = PL.DECLARED_INDEPENDENCE.search(claim.text)
    at = found.start() if found else len(claim.text)
    states, others = states_named(claim, at)
    query = PL.record("independence")
    rows = {r["host_iso3"][0]: r for r in ctx.rows(query) if r["host_iso3"]}
    need = needs("event", ctx)
    if not states:
        ev = evidence(ctx, None, "independence", claim.period, "no Central Asian state named", None, query, "absence")
        who = f" (named: {', '.join(name(o) for o in others)})" if others else ""
        return Check(
            "unverifiable",
            [ev],
            f"The text names no Central Asian state as becoming independent{who}; the warehouse records the "
            f"independence of the five Central Asian states only.",
            need,
        )
    year, month, day, certain = stated_date(claim, at)
    evs = [_row_ev(ctx, rows[s], query) for s in states if s in rows]
    missing = [s for s in states if s not in rows]
    if year is None:
        evs = evs or [evidence(ctx, None, "independence", [], "no date in the text", None, query, "absence")]
        return Check("unverifiable", evs, "The text gives no date for the independence: nothing to compare.", need)
    wrong = {s: date_fits(rows[s]["date_start"], year, month, day) for s in states if s in rows}
    said = _date_text(year, month) if not day else f"{day} {_date_text(year, month)}"
    recorded = "; ".join(f"{name(s)} on {_day_text(rows[s]['date_start'])}" for s in states if s in rows)
    off_year = [s for s, w in wrong.items() if w == "year"]
    if off_year and certain:
        said = f"Wrong year: independence declared {recorded} (CIA World Factbook), not {said}."
        return Check("contradicted", evs, said)
    if off_year:
        return Check(
            "unverifiable",
            evs,
            f"The text gives another date beside {year}, which may not be the declaration's own: not contradicted. "
            f"Recorded: independence declared {recorded} (CIA World Factbook).",
            need,
        )
    if missing or others:
        unknown = ", ".join(name(s) for s in [*missing, *others])
        return Check(
            "unverifiable",
            evs,
            f"Recorded: independence declared {recorded} (CIA World Factbook); the warehouse has no independence "
            f"date for {unknown}. {needs_text(need)}",
            need,
        )
    off = [s for s, w in wrong.items() if w]
    if off:
        return Check(
            "imprecise",
            evs,
            f"Right year, another {wrong[off[0]]}: independence declared {recorded} (CIA World Factbook), not {said}.",
        )
    return Check("supported", evs, f"Matches: independence declared {recorded} (CIA World Factbook).")


def _day_text(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _row_ev(ctx: Context, r: dict[str, Any], query: Query):
    return PL_evidence(ctx, str(r["date_start"]), "independence", [r["year"]], r["title"], r, query)
