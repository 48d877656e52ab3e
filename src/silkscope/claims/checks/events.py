"""Checks for dated events: a leader's visit, a dialogue format's launch or n-th summit, any other recorded event."""

from __future__ import annotations

import re
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, needs, needs_text
from silkscope.claims.checks.timeline import PL_evidence, _complete, _date_text, _hosts, _visit_ev, _visitor, _visits
from silkscope.claims.entities import find_mentions
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.claims.triggers import ORDINALS
from silkscope.countries import name
from silkscope.schema import LEADER_LEVELS

_STOP_WORDS = (
    "the a an and of in on at to for with from by as its his her their this that was were is are be been has have "
    "had into over after before during then also which who when while than more most first second third visit "
    "visited official state president prime minister leader leaders summit held took place country countries "
    "region central asia asian january february march april may june july august september october november "
    "december"
)
_STOP = set(_STOP_WORDS.split())


def _keywords(text: str) -> set[str]:
    """Content words that identify an event; country names and people are the query's filters, not evidence."""
    names = {
        w.lower()
        for m in find_mentions(text)
        if m.kind in {"country", "region", "person", "role"}
        for w in re.findall(r"[A-Za-z]+", m.text)
    }
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}|\b[A-Z]{3,}\b", text)}
    return {w.strip("'") for w in words if w not in _STOP and w not in names and not w.isdigit()}


def _month_ok(claim: Claim, row: dict[str, Any]) -> bool:
    if not claim.month:
        return True
    start, end = row["date_start"], row["date_end"]
    return (start.year, start.month) <= (claim.period[0], claim.month) <= (end.year, end.month)


# --- visits -------------------------------------------------------------------------------------------------------


def visit_event(claim: Claim, ctx: Context) -> Check:
    visitor = _visitor(claim)
    hosts = _hosts(claim, visitor)
    if not claim.period or not visitor:
        ev = evidence(ctx, None, "visit", claim.period, "no date or visitor in the text", None, "no query", "absence")
        return Check("unverifiable", [ev], "The visit's date or visitor could not be read.", needs("visits", ctx))
    year = claim.period[0]
    levels = None if claim.person else PL.leader_levels(claim)
    query, rows = _visits(ctx, [visitor], hosts, levels, year - 1, year + 1, claim.person)
    named = [h for h in claim.hosts if h in hosts] or hosts
    same = [r for r in rows if r["year"] == year]
    exact = [r for r in same if _month_ok(claim, r)]
    evs = [_visit_ev(ctx, r, query, "basis" if r in same else "context") for r in rows]
    who = claim.person or name(visitor)
    covered = {r["host_iso3"] for r in exact}
    if exact and (covered >= set(named) or len(named) > 3):
        return Check("supported", evs, f"Recorded: {'; '.join(r['title'] for r in exact[:3])}.")
    missing = [h for h in named if h not in covered]
    if exact and missing:
        # "visited Tajikistan and then attended the Caspian summit in Ashgabat": a summit of an organisation the
        # leader attended is a meeting, not a visit, but it is where the text says the leader went.
        oq = PL.record("org_summits", visitors=[visitor], hosts=missing, since=year, until=year)
        went = [r for r in ctx.rows(oq) if _month_ok(claim, r)]
        if {h for r in went for h in r["host_iso3"]} >= set(missing):
            evs += [PL_evidence(ctx, str(r["date_start"]), "meeting", [r["year"]], r["title"], r, oq) for r in went]
            titles = "; ".join(r["title"] for r in [*exact[:2], *went[:2]])
            return Check(
                "supported",
                evs,
                f"Recorded: {titles} (a summit of an organisation attended there: a meeting, not a bilateral visit).",
            )
    if same:
        what = "month" if claim.month and not exact else "stops"
        return Check("imprecise", evs, f"{who} visited in {year} but the {what} differ: {same[0]['title']}.")
    nq = PL.record("not_held", visitors=[visitor], hosts=hosts, since=year, until=year)
    other = ctx.rows(nq)
    evs += [PL_evidence(ctx, r["status"], "event", [r["year"]], r["title"], r, nq, "basis") for r in other]
    findings = [r for r in other if r["event_type"] == "finding"]
    dropped = [r for r in other if r["event_type"] != "finding"]
    if dropped:
        return Check("contradicted", evs, f"Not held: {dropped[0]['title']} ({dropped[0]['status']}).")
    if findings:
        return Check("contradicted", evs, f"The timeline records the finding: {findings[0]['title']}.")
    oq = PL.record("org_summits", visitors=[visitor], hosts=named, since=year, until=year)
    attended = [r for r in ctx.rows(oq) if _month_ok(claim, r)]
    if attended:
        evs += [
            PL_evidence(ctx, r["date_start"].isoformat(), "meeting", [r["year"]], r["title"], r, oq) for r in attended
        ]
        return Check(
            "unverifiable",
            evs,
            f"No bilateral visit by {who} is recorded, but {name(visitor)} took part in {attended[0]['title']} there: "
            "a summit of a multilateral organisation (a meeting, not a visit; the row says who attended).",
            needs("visits", ctx),
        )
    inbound = visitor in PL.members("C5")
    if not inbound and _complete(ctx, visitor, year, year):
        evs = evs or [
            evidence(ctx, None, "visit", [year], f"no visit by {who} to {', '.join(hosts)}", None, query, "absence")
        ]
        near = f" Nearest: {rows[0]['title']}." if rows else ""
        # Hosting a summit at home is a meeting, never a visit: say so when one explains the claim.
        hq = PL.record("hosted_summits", host=visitor, visitors=hosts, since=year)
        hosted = [r for r in ctx.rows(hq) if r["year"] == year]
        evs += [PL_evidence(ctx, "hosted", "event", [r["year"]], r["title"], r, hq, "context") for r in hosted]
        home = ""
        if hosted:
            home = f" {name(visitor)} hosted {hosted[0]['title']} at home: a summit hosted is not a visit."
        return Check(
            "contradicted",
            evs,
            f"No visit by {who} to {', '.join(named)} in {year} is recorded; the timeline is complete for "
            f"{name(visitor)} leaders.{near}{home}",
        )
    need = needs("visits", ctx)
    evs = evs or [evidence(ctx, None, "visit", [year], f"no visit by {who}", None, query, "absence")]
    return Check("unverifiable", evs, f"Not in the curated timeline, which is partial here. {needs_text(need)}", need)


# --- dialogue formats ----------------------------------------------------------------------------------------------


def format_event(claim: Claim, ctx: Context) -> Check:
    fid = claim.format_id
    if fid is None:  # the partner's leaders' format ("the EU held its first summit with the five presidents")
        from silkscope.claims.checks.formats import format_of

        found = format_of(claim, ctx)
        fid = found["format_id"] if found else None
    fq = PL.record("formats", format_id=fid)
    fmt = next(iter(ctx.rows(fq)), None)
    query = PL.record("format_events", format_id=fid)
    rows = ctx.rows(query)
    if fmt is None:
        ev = evidence(ctx, None, "format", claim.period, f"format {fid} is not in the warehouse", None, fq, "absence")
        return Check("unverifiable", [ev], "This dialogue format is not recorded.", needs("format", ctx))
    year, month = (claim.period[0] if claim.period else None), claim.month
    place = list(claim.extra.get("venues") or [])
    launch = claim.subtype != "ordinal"
    if launch:
        d = fmt["launched"]
        launch_event = next((r for r in rows if r["date_start"] == d), rows[0] if rows else None)
        evs = [
            evidence(
                ctx, str(d), "launch", [d.year], f"{fmt['name']} launched ({fmt['launch_level']})", fmt["source_id"], fq
            )
        ]
        if launch_event:
            evs.append(_row_ev(ctx, launch_event, query))
        host = launch_event["host_iso3"] if launch_event else []
        return _judge(claim, year, month, d, place, host, evs, f"{fmt['name']} was launched on {d}")
    text = claim.text.lower()
    ordinal = claim.extra.get("ordinal") or 1
    wants_summit = "summit" in text
    held = [
        r
        for r in rows
        if r["status"] == "held" and (not wants_summit or (r["mode"] == "in_person" and r["level"] in LEADER_LEVELS))
    ]
    evs = [_row_ev(ctx, r, query, "basis" if i == ordinal - 1 else "context") for i, r in enumerate(held)]
    virtual = [r for r in rows if r["mode"] == "virtual" and r["status"] == "held" and r["level"] in LEADER_LEVELS]
    note = ""
    if virtual and wants_summit and ordinal == 1:
        note = f" (a virtual summit was held on {virtual[0]['date_start']}; in-person summits are counted)"
    kind = "summit" if wants_summit else "meeting"
    series = fmt["name"] if fmt["name"].lower().endswith(kind) else f"{fmt['name']} {kind}"
    if len(held) >= ordinal:
        r = held[ordinal - 1]
        hosts = list(r["host_iso3"])
        label = f"the {_ordinal_word(ordinal)} {series} was {r['title']} ({r['date_start']})"
        return _judge(claim, year, month, r["date_start"], place, hosts, evs, label + note)
    if ordinal == 1 and wants_summit and not held and fmt["first_summit"]:
        # The format table records a first summit the event timeline lacks: judge the date, the venue by the note.
        d = fmt["first_summit"]
        ev = evidence(
            ctx,
            str(d),
            "summit",
            [d.year],
            f"{fmt['name']}: first summit (from the format's record)",
            fmt["source_id"],
            fq,
            note=fmt["note"],
        )
        named = [m.text for m in find_mentions(claim.text) if m.kind == "city"]
        venue_ok = not named or any(n.lower() in (fmt["note"] or "").lower() for n in named)
        hosts = place if venue_ok else []
        return _judge(claim, year, month, d, place, hosts, [ev], f"{fmt['name']}'s first summit was held {d:%b %Y}")
    other = [r for r in rows if r["status"] != "held"]
    evs += [_row_ev(ctx, r, query, "basis") for r in other]
    if other:
        listed = "; ".join(f"{r['title']} ({r['status']})" for r in other)
        return Check(
            "contradicted", evs, f"No {_ordinal_word(ordinal)} {kind} has been held (as of the timeline): {listed}."
        )
    need = needs("format", ctx)
    evs = evs or [
        evidence(ctx, None, kind, claim.period, f"no {kind}s of {fmt['name']} recorded", None, query, "absence")
    ]
    return Check("unverifiable", evs, f"Only {len(held)} {kind}(s) recorded. {needs_text(need)}", need)


def _ordinal_word(n: int) -> str:
    return next((w for w, v in ORDINALS.items() if v == n and w.isalpha()), f"{n}th")


def _row_ev(ctx: Context, r: dict[str, Any], query: Query, role: str = "basis"):
    return PL_evidence(
        ctx, str(r["date_start"]), r["event_type"], [r["year"]], f"{r['title']} [{r['status']}]", r, query, role
    )


def _judge(claim: Claim, year, month, when, place: list[str], hosts: list[str], evs, label: str) -> Check:
    if place and hosts and not set(place) & set(hosts):
        where = ", ".join(name(h) for h in hosts)
        return Check(
            "contradicted", evs, f"Wrong place: {label}, hosted by {where}, not {', '.join(name(p) for p in place)}."
        )
    if year is None:
        return Check("supported", evs, f"Recorded: {label}.")
    if when.year != year:
        return Check("contradicted", evs, f"Wrong year: {label}, not {_date_text(year, month)}.")
    if month and when.month != month:
        return Check("imprecise", evs, f"Right year, different month: {label}.")
    return Check("supported", evs, f"Matches: {label}.")


# --- any other event -----------------------------------------------------------------------------------------------


def generic_event(claim: Claim, ctx: Context) -> Check:
    if not claim.period:
        ev = evidence(ctx, None, "event", [], "no date in the text", None, "no query", "absence")
        return Check("unverifiable", [ev], "The event has no date to check.", needs("event", ctx))
    year = claim.period[0]
    entities = [e for e in claim.entities if e] or PL.members("C5")
    query = PL.record("events_near", states=entities, since=year - 1, until=year + 1)
    rows = ctx.rows(query)
    words = _keywords(claim.text)
    quoted = [q.lower() for q in re.findall(r"[\"“]([^\"”]{4,60})[\"”]", claim.text)]
    person = claim.person.split()[-1].lower() if claim.person else None
    content, proper = _distinctive(claim.text)
    scored = []
    for r in rows:
        hay = f"{r['title']} {r.get('note') or ''} {r.get('visitor_person') or ''}".lower()
        score = sum(1 for w in words if re.search(rf"\b{re.escape(w)}", hay)) + sum(
            3 for q in quoted if q.rstrip(",.") in hay
        )
        if person and person in hay:
            score += 1
        # A match needs a name of its own (a place, an organisation, a quoted title), and the day when one is given.
        hay_words = set(_norm(hay).split())
        named = bool(proper & hay_words) or len(content & hay_words) >= 2 or any(q.rstrip(",.") in hay for q in quoted)
        if not named or not _day_ok(claim, r):
            score = min(score, 1)
        scored.append((score, r))
    target = (year, claim.month or 6)
    scored.sort(key=lambda x: (-x[0], abs((x[1]["year"] - target[0]) * 12 + x[1]["date_start"].month - target[1])))
    if scored and scored[0][0] >= 2:
        best = scored[0][1]
        evs = [_row_ev(ctx, r, query, "basis" if r is best else "context") for s, r in scored[:3] if s >= 2]
        label = f"{best['title']} ({best['date_start']}{'' if best['status'] == 'held' else ', ' + best['status']})"
        if best["status"] != "held":
            return Check("contradicted", evs, f"Recorded as {best['status']}: {label}.")
        return _judge(claim, year, claim.month, best["date_start"], [], [], evs, label)
    need = needs("event", ctx)
    start = PL.timeline_start(ctx)
    before = f" The timeline starts in {start}." if year < start else ""
    ev = evidence(ctx, None, "event", [year], f"no recorded event matching {sorted(words)[:6]}", None, query, "absence")
    return Check(
        "unverifiable", [ev], f"No matching event in the warehouse around {year}.{before} {needs_text(need)}", need
    )


def _day_ok(claim: Claim, row: dict[str, Any]) -> bool:
    """A claim dated to the day matches an event on that day (a day either side for time zones)."""
    if not (claim.day and claim.month and claim.period):
        return True
    from datetime import date, timedelta

    try:
        when = date(claim.period[0], claim.month, claim.day)
    except ValueError:
        return True
    return row["date_start"] - timedelta(days=1) <= when <= row["date_end"] + timedelta(days=1)


def _distinctive(text: str):
    from silkscope.claims.checks.formats import _words

    return _words(text)


def _norm(text: str) -> str:
    from silkscope.claims.checks.formats import _norm as norm

    return " ".join(norm(w) for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text))


def dropped_event(claim: Claim, ctx: Context) -> Check:
    """'The summit planned for Astana in August 2024 was cancelled': a cancelled or postponed event of that date."""
    partner = _visitor(claim)
    year = claim.period[0] if claim.period else None
    hosts = list(dict.fromkeys([*claim.hosts, *PL.members(claim.scope)])) or PL.members("C5")
    lo, hi = (year, year) if year else (PL.INDEPENDENCE, ctx.as_of + 5)
    query = PL.record("not_held", visitors=[partner, *hosts], hosts=[partner, *hosts], since=lo, until=hi)
    rows = [
        r
        for r in ctx.rows(query)
        if r["status"] in {"cancelled", "postponed"} and partner in {*r["visitor_iso3"], *r["host_iso3"]}
    ]
    exact = [r for r in rows if _month_ok(claim, r)]
    evs = [_row_ev(ctx, r, query, "basis" if r in exact else "context") for r in rows]
    if exact:
        return Check("supported", evs, f"Recorded as {exact[0]['status']}: {exact[0]['title']}.")
    if rows:
        return Check("imprecise", evs, f"Recorded as {rows[0]['status']}, in another month: {rows[0]['title']}.")
    need = needs("event", ctx)
    evs = [
        evidence(ctx, None, "event", claim.period, "no cancelled or postponed event recorded", None, query, "absence")
    ]
    return Check(
        "unverifiable", evs, f"No cancelled or postponed event of that date is recorded. {needs_text(need)}", need
    )
