"""'First' and 'never' claims: the earliest recorded visit, a first since a year, the first format summit."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, needs, needs_text
from silkscope.claims.checks.class_firsts import class_first
from silkscope.claims.checks.timeline import (
    FIRST_NOTE,
    PL_evidence,
    _complete,
    _date_text,
    _hosts,
    _levels,
    _visit_ev,
    _visitor,
    _visits,
)
from silkscope.claims.entities import find_mentions
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context
from silkscope.countries import name
from silkscope.schema import LEADER_LEVELS


def visit_first(claim: Claim, ctx: Context) -> Check:
    visitor = _visitor(claim)
    text = claim.text
    if claim.subtype == "never":
        return _never(claim, ctx, visitor)
    personal = bool(re.search(r"\b(?:his|her|their|[A-Z][\w-]*['’]s)\s+(?:very\s+)?first\b", text))
    klass = re.search(r"\bfirst(?:-ever)?\s+(?P<cls>[^,]{0,60}?)\s+to\s+(?:visit|travel|go|come|hold|convene)", text)
    broad = (
        bool(klass)
        and not any(m.kind == "country" for m in find_mentions(klass.group("cls")))
        and bool(re.search(r"countr|democra|western|foreign|outside|nation|power|asian", klass.group("cls"), re.I))
    )
    hosts = _hosts(claim, visitor, prefer_scope=True)
    levels = None if personal else PL.leader_levels(claim)
    since = claim.extra.get("window")
    after = claim.extra.get("after")
    lo = since[0] if since else after[0] if after else PL.INDEPENDENCE
    query, rows = _visits(
        ctx, [visitor] if visitor else [], hosts, levels, lo, ctx.as_of, claim.person if personal else None
    )
    if after and after[1]:
        rows = [r for r in rows if (r["date_start"].year, r["date_start"].month) > (after[0], after[1])]
    evs = [_visit_ev(ctx, r, query) for r in rows[:6]]
    year, month = (claim.period[0] if claim.period and claim.period_kind != "after" else None), claim.month
    if broad:
        return class_first(claim, ctx, klass.group("cls"), visitor, hosts, lo, after, query, rows, evs)
    if since:
        return _first_since(claim, ctx, rows, query, since[0], year, month, evs)
    who = claim.person if personal else f"{name(visitor)} leader ({'/'.join(levels or ['any'])})"
    if not rows:
        nq = PL.record("not_held", visitors=[visitor], hosts=hosts, since=lo, until=ctx.as_of)
        findings = [r for r in ctx.rows(nq) if r["event_type"] == "finding"]
        if findings:
            evs = [PL_evidence(ctx, 0, "visits", [r["year"], r["date_end"].year], r["title"], r, nq) for r in findings]
            return Check("contradicted", evs, f"No such visit ever happened: {findings[0]['title']}.")
        complete = _complete(ctx, visitor, lo)
        evs = [
            evidence(
                ctx, None, "visit", [lo, ctx.as_of], f"no visit by {who} to {', '.join(hosts)}", None, query, "absence"
            )
        ]
        if complete:
            return Check("contradicted", evs, f"No visit by {who} to {', '.join(hosts)} is recorded at all.")
        return Check(
            "unverifiable",
            evs,
            f"No visit recorded; the timeline is partial for {name(visitor)}.",
            needs("visits", ctx),
        )
    first = rows[0]
    d: date = first["date_start"]
    first_text = f"the earliest recorded is {first['title']} ({d})"
    if year and (d.year < year or (d.year == year and month and d.month < month)):
        return Check("contradicted", evs, f"Not the first: {first_text}, before {_date_text(year, month)}.")
    if claim.person and not personal and PL.surname(claim.person) not in (first["visitor_person"] or ""):
        return Check("contradicted", evs, f"Not {claim.person}: {first_text}.")
    if year and d.year > year:
        verdict = "imprecise" if d.year - year <= 1 and claim.person else "contradicted"
        return Check(verdict, evs, f"The first visit was in {d.year}, not {year}: {first_text}.")
    noted = bool(FIRST_NOTE.search(f"{first['title']} {first.get('note') or ''}"))
    if (_complete(ctx, visitor, lo) or noted) and (not month or d.month == month):
        why = "the source row records it as the first" if noted else f"the timeline is complete for {name(visitor)}"
        return Check("supported", evs, f"Consistent: {first_text}; {why}. Stops on that trip: {_stops(rows, first)}.")
    if month and d.month != month:
        return Check("imprecise", evs, f"Right year, different month: {first_text}.")
    chk = _engagements(claim, ctx, hosts)
    if chk:
        return chk
    need = needs("visits", ctx)
    return Check(
        "unverifiable",
        evs,
        f"Consistent with the timeline ({first_text}), but the timeline is not complete for {name(visitor)}, so an "
        f"earlier unrecorded visit cannot be ruled out. {needs_text(need)}",
        need,
    )


def _stops(rows: list[dict[str, Any]], first: dict[str, Any]) -> str:
    return ", ".join(r["host_iso3"] for r in rows if r["trip_key"] == first["trip_key"])


def _engagements(claim: Claim, ctx: Context, hosts: list[str]) -> Check | None:
    """China Vitae (when loaded) records Chinese leaders' travel: the earliest trip settles a Chinese 'first'."""
    if not claim.person or "chinavitae" not in ctx.connectors:
        return None
    query = PL.record("engagements", person=PL.surname(claim.person), hosts=hosts)
    rows = ctx.rows(query)
    if not rows:
        return None
    first = rows[0]
    evs = [
        evidence(ctx, str(r["engagement_date"]), "travel", [r["year"]], r["text"] or "travel", r["source_id"], query)
        for r in rows[:5]
    ]
    year = claim.period[0] if claim.period else None
    ok = year is None or first["year"] == year
    return Check(
        "supported" if ok else "contradicted", evs, f"China Vitae's earliest recorded trip: {first['engagement_date']}."
    )


def _first_since(claim, ctx, rows, query, since_year: int, year, month, evs) -> Check:
    claimed = [r for r in rows if r["year"] == year and (not month or r["date_start"].month == month)]
    between = [
        r
        for r in rows
        if since_year < r["year"]
        and r not in claimed
        and (r["date_start"].year, r["date_start"].month) < (year or 9999, month or 13)
    ]
    before = [r for r in rows if r["year"] == since_year]
    if between:
        listed = "; ".join(f"{r['title']} ({r['date_start']})" for r in between[:3])
        return Check("contradicted", evs, f"Visits in between: {listed}.")
    if claimed:
        prior = f" The previous one: {before[0]['title']}." if before else ""
        return Check("supported", evs, f"No such visit between {since_year} and {_date_text(year, month)}.{prior}")
    return Check(
        "unverifiable",
        evs or [evidence(ctx, None, "visit", [since_year], "no visit", None, query, "absence")],
        "The visit itself is not recorded.",
    )


def _never(claim: Claim, ctx: Context, visitor: str | None) -> Check:
    hosts = _hosts(claim, visitor, prefer_scope=True)
    levels = _levels(claim)
    query, rows = _visits(ctx, [visitor] if visitor else [], hosts, levels, PL.INDEPENDENCE, ctx.as_of, claim.person)
    nq = PL.record("not_held", visitors=[visitor], hosts=hosts, since=PL.INDEPENDENCE, until=ctx.as_of)
    findings = [r for r in ctx.rows(nq) if r["event_type"] == "finding"]
    evs = [_visit_ev(ctx, r, query) for r in rows]
    evs += [PL_evidence(ctx, 0, "visits", [r["year"], r["date_end"].year], r["title"], r, nq) for r in findings]
    if rows:
        return Check("contradicted", evs, f"Recorded visits: {'; '.join(r['title'] for r in rows[:3])}.")
    if findings or _complete(ctx, visitor, PL.timeline_start(ctx)):
        evs = evs or [
            evidence(ctx, 0, "visits", [PL.INDEPENDENCE, ctx.as_of], "no visit recorded", "pack_events", query)
        ]
        why = f" The timeline records the finding: {findings[0]['title']}." if findings else ""
        return Check("supported", evs, f"No visit recorded {PL.INDEPENDENCE}-{ctx.as_of}.{why}")
    need = needs("visits", ctx)
    evs = [evidence(ctx, 0, "visits", [PL.INDEPENDENCE, ctx.as_of], "no visit recorded", None, query, "absence")]
    return Check("unverifiable", evs, f"None recorded, but the timeline is partial here. {needs_text(need)}", need)


def format_first(claim: Claim, ctx: Context) -> Check:
    """'The first outside power to hold a summit with all five': the earliest first summit across formats."""
    query = PL.record("format_events", format_id=None)
    rows = ctx.rows(query)
    launch = bool(re.search(r"launch|establish|found|set up|dialogue|format", claim.text, re.I)) and not re.search(
        r"summit", claim.text, re.I
    )
    firsts: dict[str, dict[str, Any]] = {}
    for r in rows:
        held = r["status"] == "held" and (launch or (r["mode"] == "in_person" and r["level"] in LEADER_LEVELS))
        if held and r["format_id"] not in firsts:
            firsts[r["format_id"]] = r
    ranked = sorted(firsts.values(), key=lambda r: r["launched"] if launch else r["date_start"])
    evs = [
        PL_evidence(
            ctx,
            r["partner_iso3"],
            "format",
            [r["year"]],
            f"first {'meeting' if launch else 'in-person leaders summit'} of {r['format_name']}: {r['title']}",
            r,
            query,
        )
        for r in ranked
    ]
    if not ranked:
        return Check(
            "unverifiable",
            [evidence(ctx, None, None, [], "no format meetings", None, query, "absence")],
            "No formats recorded.",
        )
    subject = _visitor(claim)
    winner = ranked[0]
    when = winner["launched"] if launch else winner["date_start"]
    if winner["partner_iso3"] == subject:
        return Check("supported", evs, f"{name(subject)}'s {winner['format_name']} was first ({when}).")
    own = next((r for r in ranked if r["partner_iso3"] == subject), None)
    mine = f"; {name(subject)}'s came on {own['launched'] if launch else own['date_start']}" if own else ""
    return Check(
        "contradicted", evs, f"{winner['format_name']} ({name(winner['partner_iso3'])}) was earlier: {when}{mine}."
    )


def hedged_first(claim: Claim, ctx: Context) -> Check:
    partner = _visitor(claim)
    query = PL.record("earliest_events", state=partner)
    rows = ctx.rows(query)
    evs = [
        PL_evidence(
            ctx,
            str(r["date_start"]),
            "event",
            [r["year"]],
            f"earliest {partner} event in the timeline: {r['title']}",
            r,
            query,
            "context",
        )
        for r in rows
    ]
    need = needs("history", ctx)
    evs = evs or [evidence(ctx, None, None, [], "no events", None, query, "absence")]
    return Check(
        "unverifiable",
        evs,
        f"'One of the first' is a hedged precedence claim about ideas and initiatives; the warehouse (timeline from "
        f"{PL.timeline_start(ctx)}) cannot rank who came first. {needs_text(need)}",
        need,
    )
