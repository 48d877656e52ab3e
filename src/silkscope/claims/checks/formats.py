"""Checks about summits and dialogue formats beyond their dates: who attended, who belongs, how often they meet,
the first meeting at leader level, amounts pledged at them, and events matched by their own words.

Definitions: a summit hosted at home is a meeting, never a visit; "the first engagement at the level of leaders" (or
"the first summit involving presidents") is the first meeting of that format at leader level; attendance and
membership are read from the event's participants (or, for a summit the timeline lacks, the format's own record).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, money, needs, needs_text
from silkscope.claims.checks.timeline import PL_evidence
from silkscope.claims.entities import find_mentions, is_c5
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.countries import name
from silkscope.schema import LEADER_LEVELS

LEADER_WORDS = re.compile(r"\b(?:leaders?|presidents?|heads? of (?:state|government)|prime ministers?|summit)", re.I)
PLEDGE = re.compile(r"\b(?:pledg\w*|promis\w*|announc\w*|unveil\w*|offer\w*)\b", re.I)
# An event record that names an amount as a package, fund or facility records an offer made there, as much as one
# saying "pledged" does ("... a EUR 5bn investment package" in the record of a summit).
OFFERED = re.compile(r"\b(?:packages?|funds?|facilit(?:y|ies)|credit lines?|grants?|loans?)\b", re.I)
# Words that name no particular event: a match on them alone is no evidence.
_GENERIC_WORDS = (
    "the a an and of in on at to for with from by as its his her their this that was were is are be been has have had "
    "into over after before during then also which who when while than more most first second third visit visited "
    "official state president prime minister leader leaders summit held took place country countries region central "
    "asia asian january february march april may june july august september october november december cooperation "
    "co-operation ministry foreign affairs trade government organization organisation meeting meetings talks bilateral "
    "joint will would expected due release statement develop development countries nations republic day year years "
    "said says told new between both two five all other heads head"
)
_GENERIC = set(_GENERIC_WORDS.split())


def _norm(word: str) -> str:
    """One spelling for comparison: 'Co-operation' = 'cooperation', 'Organization' = 'organisation'."""
    w = word.lower().replace("-", "").strip("'’")
    return re.sub(r"iz(?=ation|e|ed|ing)", "is", w)


def format_of(claim: Claim, ctx: Context) -> dict[str, Any] | None:
    """The dialogue format a claim speaks of: named in it (or before it), else the partner's leaders' format."""
    rows = ctx.rows(PL.record("formats", format_id=None))
    if claim.format_id:
        return next((f for f in rows if f["format_id"] == claim.format_id), None)
    outside = [p for p in claim.partners if not is_c5(p)]
    partner = outside[0] if outside else claim.extra.get("main_partner")
    own = [f for f in rows if f["partner_iso3"] == partner]
    # "Its first summit": the partner's leaders' format, the one named a summit first (not its ministerials).
    summit = re.search(r"\bsummit|\bleaders|\bpresidents", claim.text, re.I)
    ranked = sorted(
        own,
        key=lambda f: (
            not (summit and "summit" in f["name"].lower()),
            f["top_level"] not in LEADER_LEVELS,
            str(f["first_summit"] or f["launched"]),
        ),
    )
    return (ranked or [None])[0]


def _events(ctx: Context, fid: str) -> tuple[Query, list[dict[str, Any]]]:
    query = PL.record("format_events", format_id=fid)
    return query, ctx.rows(query)


def _row_ev(ctx: Context, r: dict[str, Any], query: Query, role: str = "basis"):
    label = f"{r['title']} [{r['status']}, {r['mode']}, {r['level']}]"
    return PL_evidence(ctx, str(r["date_start"]), r["event_type"], [r["year"]], label, r, query, role)


def _format_ev(ctx: Context, fmt: dict[str, Any], what: str) -> Any:
    fq = PL.record("formats", format_id=fmt["format_id"])
    value = str(fmt["first_summit"] or fmt["launched"])
    return evidence(ctx, value, "format", [], f"{fmt['name']}: {what}", fmt["source_id"], fq, note=fmt["note"])


def _on_date(claim: Claim, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not claim.period:
        return []
    year, month = claim.period[0], claim.month
    return [
        r
        for r in rows
        if r["date_start"].year <= year <= r["date_end"].year
        and (month is None or (r["date_start"].month <= month <= r["date_end"].month) or r["year"] != year)
    ]


def _named(claim: Claim) -> tuple[set[str], bool]:
    """Countries the claim says took part, and whether it says 'leaders/presidents'."""
    text = claim.text
    found = {m.iso3 for m in find_mentions(text) if m.kind in {"country", "city"} and m.iso3}
    regions = [m.iso3 for m in find_mentions(text) if m.kind == "region"]
    if regions or re.search(r"\b(?:the )?five (?:presidents|leaders|heads of state|countries|states)\b", text, re.I):
        found |= set(PL.members("C5"))
    found -= {None}  # type: ignore[arg-type]
    return {f for f in found if f}, bool(LEADER_WORDS.search(text))


def attendance(claim: Claim, ctx: Context) -> Check:
    """'The summit is attended by the leaders of ...', 'he was joined by the leaders of ...': the participants of
    the meeting the sentence speaks of (the event row; else the format's record for its first summit)."""
    fmt = format_of(claim, ctx)
    named, leaders = _named(claim)
    named = {n for n in named if n != (fmt or {}).get("partner_iso3")}
    if fmt is None or not named:
        return _open(claim, ctx, "which meeting, or who attended it, could not be read", "format")
    query, rows = _events(ctx, fmt["format_id"])
    held = [r for r in rows if r["status"] == "held" and (not leaders or r["level"] in LEADER_LEVELS)]
    dated = _on_date(claim, held)
    if dated:
        r = dated[0]
        present = {*r["visitor_iso3"], *r["host_iso3"]}
        missing = sorted(named - present)
        evs = [_row_ev(ctx, r, query)]
        if not missing:
            return Check("supported", evs, f"Recorded: {r['title']}; taking part: {', '.join(sorted(present))}.")
        return Check(
            "imprecise",
            evs,
            f"{r['title']} records {', '.join(sorted(present))}, not {', '.join(missing)} (attendance lists can be "
            "partial; the date and meeting match).",
        )
    first = fmt.get("first_summit")
    if first and claim.period and first.year == claim.period[0] and (not claim.month or first.month == claim.month):
        members = set(fmt["members_iso3"] or [])
        members = set(PL.members(next(iter(members)))) if len(members) == 1 else members
        ev = _format_ev(ctx, fmt, f"first summit {first:%b %Y}, members {', '.join(sorted(members))}")
        if named <= members:
            return Check(
                "supported",
                [ev],
                f"{fmt['name']}'s first summit ({first:%b %Y}) is recorded in the format's own record, whose members "
                f"are {', '.join(sorted(members))}; the timeline has no row listing who attended.",
            )
        return _open(claim, ctx, f"the format's record does not list {', '.join(sorted(named - members))}", "format")
    return _open(claim, ctx, f"no meeting of {fmt['name']} is recorded on that date", "format")


def membership(claim: Claim, ctx: Context) -> Check:
    """'The dialogue is an initiative between Japan and Kazakhstan, Kyrgyzstan, Tajikistan and Uzbekistan': the
    format's recorded members."""
    fmt = format_of(claim, ctx) if claim.format_id else None
    named, _ = _named(claim)
    if fmt is None or not named:
        return _open(claim, ctx, "no dialogue format's membership is recorded for this", "format")
    members = set(fmt["members_iso3"] or [])
    members = set(PL.members(next(iter(members)))) if len(members) == 1 else members
    named_c5 = {n for n in named if is_c5(n)}
    ev = _format_ev(ctx, fmt, f"members {', '.join(sorted(members))}")
    if named_c5 == members:
        return Check("supported", [ev], f"{fmt['name']}: the recorded members are {', '.join(sorted(members))}.")
    if named_c5 < members:
        left = ", ".join(name(m) for m in sorted(members - named_c5))
        return Check(
            "imprecise",
            [ev],
            f"{fmt['name']} records {', '.join(sorted(members))} as members: the text leaves out {left} (a member may "
            "have joined later or taken part as an observer; see the note).",
        )
    return Check(
        "contradicted", [ev], f"{fmt['name']} records {', '.join(sorted(members))}, not {', '.join(sorted(named_c5))}."
    )


_EVERY = {"annually": 1, "every year": 1, "each year": 1, "yearly": 1, "biennially": 2}


def frequency(claim: Claim, ctx: Context) -> Check:
    """'Held every two years': the intervals between the recorded meetings of the format (leader-level ones for a
    summit). The timeline may miss meetings, so a mismatch is never a contradiction."""
    fmt = format_of(claim, ctx)
    word = (claim.unit or "").split(":")[-1]
    m = re.search(r"every (\w+) years", word)
    years = _EVERY.get(word) or ({"two": 2, "three": 3, "four": 4, "five": 5}.get(m.group(1)) if m else None)
    if fmt is None or years is None:
        return _open(claim, ctx, "the format or the stated frequency could not be read", "format")
    query, rows = _events(ctx, fmt["format_id"])
    summit = re.search(r"summit", claim.sentence, re.I)
    held = [
        r
        for r in rows
        if r["status"] == "held" and r["mode"] == "in_person" and (not summit or r["level"] in LEADER_LEVELS)
    ]
    evs = [_row_ev(ctx, r, query) for r in held]
    if len(held) < 2:
        evs = evs or [evidence(ctx, None, "meeting", claim.period, "fewer than two meetings", None, query, "absence")]
        return Check(
            "unverifiable",
            evs,
            f"{len(held)} held meeting(s) of {fmt['name']} recorded: no interval to compare. "
            + needs_text(needs("format", ctx)),
            needs("format", ctx),
        )
    gaps = [(b["date_start"] - a["date_start"]).days / 365.25 for a, b in itertools.pairwise(held)]
    shown = ", ".join(f"{g:.1f}" for g in gaps)
    if all(abs(g - years) <= 0.35 for g in gaps):
        hosts = " / ".join(",".join(r["host_iso3"]) for r in held)
        return Check(
            "supported",
            evs,
            f"The recorded meetings of {fmt['name']} are {shown} years apart (stated: every {years}); hosts: {hosts}.",
        )
    return Check(
        "unverifiable",
        evs,
        f"The recorded meetings of {fmt['name']} are {shown} years apart, not every {years}; the timeline may not "
        f"record every meeting. {needs_text(needs('format', ctx))}",
        needs("format", ctx),
    )


def leader_first(claim: Claim, ctx: Context) -> Check:
    """'The first engagement of its kind at the level of leaders' / 'the first summit involving presidents': the
    first meeting of that format at leader level, in person or virtual, against the date the text gives."""
    fmt = format_of(claim, ctx)
    if fmt is None:
        return _open(claim, ctx, "the format could not be read", "format")
    query, rows = _events(ctx, fmt["format_id"])
    held = [r for r in rows if r["status"] in {"held", "planned"} and r["level"] in LEADER_LEVELS]
    year, month = (claim.period[0] if claim.period else ctx.as_of), claim.month
    if held:
        r = held[0]
        when, label, evs = r["date_start"], r["title"], [_row_ev(ctx, x, query, "basis" if x is r else "context")
                                                          for x in held[:3]]  # fmt: skip
    elif fmt.get("first_summit"):
        when, label = fmt["first_summit"], f"{fmt['name']}'s first summit"
        evs = [_format_ev(ctx, fmt, f"first leader-level meeting {fmt['first_summit']}")]
    else:
        return _open(claim, ctx, f"no leader-level meeting of {fmt['name']} is recorded", "format")
    same = when.year == year and (month is None or when.month == month or abs(when.month - month) <= 1)
    if same:
        return Check("supported", evs, f"The first leader-level meeting of {fmt['name']}: {label} ({when}).")
    return Check(
        "contradicted" if claim.period and not claim.extra.get("period_from_article") else "unverifiable",
        evs,
        f"The first leader-level meeting of {fmt['name']} was {label} ({when}), not {month or ''}/{year}.",
    )


def pledge(claim: Claim, ctx: Context) -> Check | None:
    """An amount pledged or announced is a statement at an event, not a flow: matched against the amounts the
    events' records give as pledged or as a package, fund or facility, in the currency the text states (a euro
    amount against a euro amount: no exchange rate is involved). None when no record speaks of one, so the finance
    and currency checks run instead."""
    partner = claim.partners[0] if claim.partners else None
    if partner is None or claim.value is None:
        return None
    year = claim.period[0] if claim.period else ctx.as_of
    hosts = PL.members(claim.scope)
    query = PL.record("events_near", states=[partner, *hosts], since=year - 1, until=year)
    for r in ctx.rows(query):
        if partner not in {*r["visitor_iso3"], *r["host_iso3"]}:
            continue
        text = f"{r['title']} {r.get('note') or ''}"
        if not (PLEDGE.search(text) or OFFERED.search(text)):
            continue
        from silkscope.claims.patterns import find_money

        for q in find_money(text):
            if q.unit == claim.unit and q.value and abs(q.value - claim.value) <= 0.03 * claim.value:
                ev = PL_evidence(ctx, q.value, q.unit, [r["year"]], f"{r['title']}: '{q.raw}' in the record", r, query)
                return Check(
                    "supported",
                    [ev],
                    f"{money(claim.value, claim.unit)} pledged or announced: recorded with {r['title']} "
                    f"({r['date_start']}). A pledge is a statement, not a disbursement: finance data would show it "
                    "only as it is spent.",
                )
    return None


# "a day after the Republic Day", "two days before the SCO summit": a date given relative to another named event.
_COUNT_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
RELATIVE_DAY = re.compile(
    r"\b(?P<n>an?|one|two|three|four|five|six|seven|ten|\d{1,2})\s+days?\s+(?P<dir>after|before|ahead of)\s+"
    r"(?:the\s+)?(?P<anchor>(?-i:[A-Z][\w'’-]*)(?:\s+(?:of\s+)?(?-i:[A-Z][\w'’-]*)){0,4})",
    re.I,
)
_SUBJECT = re.compile(r"\b(?P<noun>summit|meeting|forum|dialogue|conference|talks|visit|ceremony)s?\b", re.I)


def anchored_event(claim: Claim, ctx: Context) -> Check | None:
    """An event dated relative to another ("the summit will be held a day after the Republic Day"): the other event
    is found in the timeline by its own name (every word of it in a record's title, near the article's year), the
    date counted from it, and the claim's event (its noun: summit, meeting, visit...) looked for on that day among
    the same countries' records. None when the text names no such anchor or the timeline has none (the other checks
    run then); never `contradicted`: which record the text counts from is read, not stated."""
    m = RELATIVE_DAY.search(claim.text)
    subject = _SUBJECT.search(claim.text[: m.start()]) if m else None
    if m is None or subject is None:
        return None
    from datetime import timedelta

    said = m.group("n").lower()
    n = int(said) if said.isdigit() else _COUNT_WORDS.get(said, 1)
    sign = 1 if m.group("dir").lower() == "after" else -1
    anchor_words = {_norm(w) for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", m.group("anchor")) if _norm(w) != "of"}
    year = claim.period[0] if claim.period else ctx.as_of
    entities = [e for e in claim.entities if e] or PL.members("C5")
    query = PL.record("events_near", states=entities, since=year - 1, until=year + 1)
    rows = ctx.rows(query)
    titles = {r["event_id"]: {_norm(w) for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", r["title"])} for r in rows}
    anchors = [r for r in rows if anchor_words <= titles[r["event_id"]]]
    if not anchors:
        return None
    published = ctx.doc.published
    # The record most about the named event (fewest other words in its title), then the one nearest the article.
    anchor = min(
        anchors,
        key=lambda r: (
            len(titles[r["event_id"]] - anchor_words),
            abs((r["date_start"] - published).days) if published else 0,
        ),
    )
    when = anchor["date_start"] + timedelta(days=sign * n)
    noun = subject.group("noun").lower()
    # The places named before the relative date are the event's own ("will visit Kazakhstan"); the anchor's place
    # ("the SCO Samarkand summit") is the other event's.
    own_hosts = {
        x.iso3 for x in find_mentions(claim.text[: m.start()]) if x.kind in {"country", "city"} and is_c5(x.iso3)
    }
    same_day = [
        r
        for r in rows
        if r is not anchor
        and r["date_start"] <= when <= r["date_end"]
        and (noun in r["title"].lower() or noun in r["event_type"])
        and (not claim.partners or set(claim.partners) & {*r["visitor_iso3"], *r["host_iso3"]})
        and (not own_hosts or own_hosts & set(r["host_iso3"]))
    ]
    read = f"'{m.group()}' read as {when}: {m.group('anchor')} recorded on {anchor['date_start']} ({anchor['title']})"
    claim.period, claim.month, claim.day = [when.year], when.month, when.day
    claim.extra["date_read"] = read
    anchor_ev = _row_ev(ctx, anchor, query, "context")
    held = [r for r in same_day if r["status"] == "held"]
    if held:
        best = held[0]
        return Check(
            "supported",
            [_row_ev(ctx, best, query), anchor_ev],
            f"{read}. Recorded on that day: {best['title']} ({best['date_start']}).",
        )
    need = needs("event", ctx)
    why = (
        f"recorded on that day, but {same_day[0]['status']}: {same_day[0]['title']}"
        if same_day
        else f"no {noun} of these countries is recorded on that day"
    )
    return Check("unverifiable", [anchor_ev], f"{read}; {why}. {needs_text(need)}", need)


def matched_event(claim: Claim, ctx: Context) -> Check | None:
    """An event matched by its own distinctive words (names of places, organisations, programmes) against the
    titles and notes of the recorded events of its countries, with or without a date. None when nothing matches."""
    words, proper = _words(claim.text)
    if not proper and len(words) < 3:
        return None
    entities = [e for e in claim.entities if e] or PL.members("C5")
    if claim.period:
        lo, hi = claim.period[0] - 1, claim.period[-1] + 1
    else:
        lo, hi = PL.INDEPENDENCE, ctx.as_of
    query = PL.record("events_near", states=entities, since=lo, until=hi)
    best: tuple[int, dict[str, Any]] | None = None
    for r in ctx.rows(query):
        text = f"{r['title']} {r.get('note') or ''} {r.get('visitor_person') or ''}"
        hay = {_norm(w) for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)}
        who = (r.get("visitor_person") or "").lower()
        hits_proper = len(proper & hay)  # a leader's name alone matches every event of that leader: not evidence
        person = bool(claim.person) and claim.person.split()[-1].lower() in who
        score = 2 * hits_proper + len((words - proper) & hay) + person
        # A name of the event itself; or the leader recorded there on the day the text gives, with another word.
        on_day = person and claim.day is not None and _on_day(claim, r)
        if (hits_proper or on_day) and score >= 2 and (best is None or score > best[0]):
            best = (score, r)
    if best is None:
        return None
    r = best[1]
    ev = PL_evidence(ctx, str(r["date_start"]), r["event_type"], [r["year"]], f"{r['title']} [{r['status']}]", r, query)
    label = f"{r['title']} ({r['date_start']})"
    if not claim.period:
        return Check("supported", [ev], f"Recorded: {label}. The text gives no date to compare.")
    year, month = claim.period[0], claim.month
    d0, d1 = r["date_start"], r["date_end"]
    if r["status"] != "held":
        return None
    if d0.year <= year <= d1.year and (month is None or (d0.month <= month <= d1.month)):
        day = claim.day
        if day is None or (d0.month, d0.day) <= (month or d0.month, day) <= (d1.month, d1.day):
            return Check("supported", [ev], f"Matches: {label}.")
    return None


def _on_day(claim: Claim, r: dict[str, Any]) -> bool:
    from datetime import date

    try:
        when = date(claim.period[0], claim.month or 1, claim.day or 1)
    except (ValueError, IndexError):
        return False
    return r["date_start"] <= when <= r["date_end"]


def _words(text: str) -> tuple[set[str], set[str]]:
    """Content words of a claim and the distinctive ones among them (capitalised names other than countries,
    regions, leaders and their roles: 'Shanghai', 'Tokyo', 'Cheongju', 'ECO')."""
    skip = {
        _norm(w)
        for m in find_mentions(text)
        if m.kind in {"country", "region", "role", "format"}
        for w in re.findall(r"[A-Za-z]+", m.text)
    }
    people = {_norm(w) for m in find_mentions(text) if m.kind == "person" for w in re.findall(r"[A-Za-z]+", m.text)}
    words, proper = set(), set()
    for i, m in enumerate(re.finditer(r"[A-Za-z][A-Za-z'-]{2,}", text)):
        w = _norm(m.group().strip("'"))
        parts = [_norm(x) for x in m.group().split("-") if x]
        if len(parts) > 1 and any(x in skip or x in _GENERIC for x in parts):
            continue  # "Korea-Central (Asia)": a pair of names, not a name of the event
        acronym = m.group().isupper() and len(m.group()) >= 3
        if w in _GENERIC or w in skip or (len(w) < 4 and not acronym):
            continue
        words.add(w)
        if (acronym or (m.group()[0].isupper() and i > 0)) and w not in people:
            proper.add(w)  # a leader's name is a content word, not a name of the event
    return words, proper


def _open(claim: Claim, ctx: Context, why: str, key: str) -> Check:
    need = needs(key, ctx)
    ev = evidence(ctx, None, "event", claim.period, why, None, "no row matched", "absence")
    return Check("unverifiable", [ev], f"Not settled: {why}. {needs_text(need)}", need)
