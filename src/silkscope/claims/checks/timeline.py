"""Checks against the curated timeline: visit counts ('only twice'), firsts, dated visits, formats and events."""

from __future__ import annotations

import re
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, needs, needs_text
from silkscope.claims.entities import is_c5
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.countries import name

FIRST_NOTE = re.compile(r"\bfirst(?:[- ]ever)?\b[^.;]{0,60}\bvisits?\b", re.I)
FREQUENT, RARE = (
    0.25,
    0.2,
)  # leader trips per year: 'frequent' = at least one every four years; 'rare' = at most one in five
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _visitor(claim: Claim) -> str | None:
    return claim.partners[0] if claim.partners else None


def _hosts(claim: Claim, visitor: str | None, prefer_scope: bool = False) -> list[str]:
    named = [h for h in claim.hosts if h != visitor and (is_c5(h) != is_c5(visitor))]
    scope = PL.members(claim.scope)
    named_region = claim.extra.get("scope_from") == "region"
    if prefer_scope and claim.scope and len(scope) > 1 and not is_c5(visitor) and (named_region or not named):
        return scope
    return named or [h for h in scope if h != visitor]


def _levels(claim: Claim) -> list[str] | None:
    return None if claim.person else PL.leader_levels(claim)


def _visits(ctx: Context, visitors: list[str], hosts: list[str], levels, lo: int, hi: int, person: str | None):
    who = PL.surname(person)
    query = PL.record("visits", visitors=visitors, hosts=hosts, levels=levels, since=lo, until=hi, person=who)
    return query, ctx.rows(query)


def _visit_ev(ctx: Context, r: dict[str, Any], query: Query, role: str = "basis"):
    when = r["date_start"].isoformat() if r["date_precision"] == "day" else str(r["date_start"])[:7]
    label = f"{r['title']} [{r['level']}, trip {r['trip_key']}]"
    return PL_evidence(
        ctx, f"{r['visitor_iso3']}->{r['host_iso3']} {when}", "visit", [r["year"]], label, r, query, role
    )


def PL_evidence(ctx, value, unit, period, label, r, query, role="basis"):
    note = r.get("note")
    return evidence(ctx, value, unit, period, label, r.get("source_id"), query, role, note)


def _complete(ctx: Context, partner: str | None, lo: int, hi: int | None = None) -> bool:
    """Is every leader-level visit by this partner from `lo` in the timeline? (Absence then means no visit.)"""
    return PL.complete(ctx, partner, lo, hi)


def _date_text(year: int | None, month: int | None) -> str:
    return f"{MONTHS[month - 1]} {year}" if month and year else str(year)


# --- counts -------------------------------------------------------------------------------------------------------


def _window(claim: Claim, ctx: Context) -> tuple[int, int]:
    win = claim.extra.get("window")
    if win:
        return win[0], win[1] or ctx.as_of
    if claim.period and claim.period_kind in {"point", "range"}:
        return claim.period[0], claim.period[-1]
    return PL.INDEPENDENCE, ctx.as_of


def visit_count(claim: Claim, ctx: Context) -> Check:
    visitors = claim.partners or []
    if not visitors:
        ev = evidence(
            ctx, None, "trips", claim.period, "no partner named", None, "no query: the visitor is unknown", "absence"
        )
        return Check("unverifiable", [ev], "Whose visits are counted could not be read from the text.")
    lo, hi = _window(claim, ctx)
    qualitative = (claim.unit or "").startswith("qualitative")
    if qualitative and not claim.extra.get("window"):
        lo = PL.timeline_start(ctx)
    results = [_count_one(claim, ctx, v, lo, hi, qualitative) for v in visitors]
    order = ["contradicted", "unverifiable", "imprecise", "supported"]
    verdict = min((r[0] for r in results), key=order.index)
    evs = [e for r in results for e in r[1]]
    text = " ".join(r[2] for r in results)
    need = next((r[3] for r in results if r[3]), None)
    return Check(verdict, evs, text, need, definitions=["trips", "country_visits"])


def _count_one(claim: Claim, ctx: Context, visitor: str, lo: int, hi: int, qualitative: bool):
    hosts = _hosts(claim, visitor)
    levels = _levels(claim)
    query, rows = _visits(ctx, [visitor], hosts, levels, lo, hi, claim.person)
    trips = sorted({r["trip_key"] for r in rows})
    cvs = {(r["host_iso3"], r["trip_key"]) for r in rows}
    who = claim.person or f"{name(visitor)}'s leaders ({'/'.join(levels or ['any level'])})"
    start = PL.timeline_start(ctx)
    complete = _complete(ctx, visitor, lo, hi) or (
        lo < start and _complete(ctx, visitor, start, hi) and _first_noted(ctx, visitor, hosts, levels)
    )
    years = sorted({r["year"] for r in rows})
    summary = evidence(
        ctx,
        len(trips),
        "trips",
        [lo, hi],
        f"{who} to {', '.join(hosts)}: {_n(len(trips), 'trip')} = {_n(len(cvs), 'country-visit')} "
        f"({', '.join(map(str, years)) or 'none'})",
        "pack_events",
        query,
    )
    evs = [summary, *(_visit_ev(ctx, r, query) for r in rows)]
    later = _after_as_of(ctx, claim, visitor, hosts, levels, hi)
    if later:
        evs += later[0]
    tail = (" " + later[1]) if later else ""
    cover = "" if complete else f" The timeline is not complete for {name(visitor)} ({len(trips)} is a lower bound)."
    if qualitative:
        span = max(1, hi - max(lo, start) + 1)
        rate = len(trips) / span
        word = (claim.unit or "").split(":")[-1]
        rare = word in {"rare", "rarely", "seldom", "occasional", "infrequent"}
        if word in {"several", "many", "numerous", "multiple", "a few", "a number of"}:
            return _several(claim, ctx, rows, trips, who, lo, hi, evs, word)
        text = f"{who}: {len(trips)} trips in {max(lo, start)}-{hi} ({rate:.2f} a year; '{word}' read as "
        text += f"{'at most one in five years' if rare else 'at least one every four years'})."
        if rare:
            verdict = (
                "supported" if rate <= RARE and complete else "contradicted" if rate >= FREQUENT else "unverifiable"
            )
        else:
            verdict = "supported" if rate >= FREQUENT else "contradicted" if complete and rate < 0.1 else "unverifiable"
        return verdict, evs, text + cover + tail, None
    n, q = claim.value or 0, claim.qualifier
    counted = f"{who}: {_n(len(trips), 'trip')} ({_n(len(cvs), 'country-visit')}) in {_years(lo, hi)}"
    if complete:
        if _ok(len(trips), n, q):
            return "supported", evs, f"{counted}: matches {n:g} trips.{tail}", None
        if _ok(len(cvs), n, q) and claim.unit != "trips":
            return "imprecise", evs, f"{counted}: {n:g} matches country-visits, not trips.{tail}", None
        return "contradicted", evs, f"{counted}, not {n:g}.{tail}", None
    need = needs("visits", ctx)
    if len(trips) > n and q in (None, "exact", "at_most", "less"):
        return "contradicted", evs, f"{counted}: already more than {n:g}.{cover}{tail}", None
    if q in ("at_least", "more") and _ok(len(trips), n, q):
        return (
            "supported",
            evs,
            f"{counted}: the recorded lower bound already meets '{q.replace('_', ' ')} {n:g}'.{cover}{tail}",
            None,
        )
    return "unverifiable", evs, f"{counted}.{cover} {needs_text(need)}{tail}", need


def _several(claim: Claim, ctx: Context, rows, trips, who: str, lo: int, hi: int, evs, word: str):
    """'has visited several times, most recently in Nov 2016': at least two trips, and the latest one as dated."""
    year, month = (claim.period[0] if claim.period else None), claim.month
    latest = rows[-1] if rows else None
    text = f"{who}: {len(trips)} recorded trip(s) {lo}-{hi} ('{word}' read as at least two)"
    if claim.extra.get("latest") and year:
        if latest is None:
            return "unverifiable", evs, text + "; the dated most recent visit is not recorded.", needs("visits", ctx)
        d = latest["date_start"]
        if d.year != year or (month and d.month != month):
            return "contradicted", evs, text + f"; the most recent recorded is {latest['title']} ({d}).", None
        text += f"; the most recent is {latest['title']} ({d})"
    if len(trips) >= 2:
        return "supported", evs, text + ". Visits before 2000 are not in the timeline.", None
    return "unverifiable", evs, text + ".", needs("visits", ctx)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _years(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _ok(actual: int, claimed: float, q: str | None) -> bool:
    return {"more": actual > claimed, "at_least": actual >= claimed, "less": actual < claimed}.get(
        q or "", actual == claimed
    )


def _first_noted(ctx: Context, visitor: str, hosts: list[str], levels) -> bool:
    """The earliest recorded visit says it was the first ever: then nothing before 2000 is missing."""
    _, rows = _visits(ctx, [visitor], hosts, levels, PL.INDEPENDENCE, ctx.as_of + 10, None)
    return bool(rows) and bool(FIRST_NOTE.search(f"{rows[0]['title']} {rows[0].get('note') or ''}"))


def _after_as_of(ctx: Context, claim: Claim, visitor: str, hosts: list[str], levels, hi: int):
    """How the count changed after the article's date: later trips, cancelled or planned ones, summits at home."""
    if hi != ctx.as_of:
        return None
    last = ctx.rows(PL.record("last_year"))[0]["last_year"]
    if last is None or last <= hi:
        return None
    query, rows = _visits(ctx, [visitor], hosts, levels, hi + 1, 2100, claim.person)
    nq = PL.record("not_held", visitors=[visitor], hosts=hosts, since=hi + 1, until=2100)
    other = [r for r in ctx.rows(nq) if levels is None or r["level"] in levels]
    hq = PL.record("hosted_summits", host=visitor, visitors=hosts, since=hi + 1)
    hosted = ctx.rows(hq)
    evs = [_visit_ev(ctx, r, query, "context") for r in rows]
    evs += [PL_evidence(ctx, r["status"], "event", [r["year"]], r["title"], r, nq, "context") for r in other]
    evs += [PL_evidence(ctx, "hosted", "event", [r["year"]], r["title"], r, hq, "context") for r in hosted]
    trips = len({r["trip_key"] for r in rows})
    parts = [f"{_n(trips, 'more trip')} in {hi + 1}-{last}" if trips else f"no further trip through {last}"]
    parts += [f"{r['status']}: {r['title']}" for r in other]
    parts += [f"summit hosted at home: {r['title']}" for r in hosted]
    return evs, f"Since {hi}: " + "; ".join(parts) + "."


def format_frequency(claim: Claim, ctx: Context) -> Check:
    query = PL.record("format_events", format_id=claim.format_id)
    rows = [r for r in ctx.rows(query) if r["status"] == "held"]
    need = needs("format", ctx)
    evs = [
        PL_evidence(ctx, r["date_start"].isoformat(), "meeting", [r["year"]], r["title"], r, query, "context")
        for r in rows
    ]
    if not evs:
        evs = [evidence(ctx, None, "meetings", claim.period, "no meetings recorded", None, query, "absence")]
    return Check(
        "unverifiable",
        evs,
        f"The timeline records {len(rows)} held meeting(s) of this format; it does not record every meeting, so a "
        f"regular frequency cannot be confirmed or refuted. {needs_text(need)}",
        need,
    )
