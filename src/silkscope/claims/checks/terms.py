"""A leader's term in office: "Mr Koizumi is due to step down in September", "Nazarbayev resigned in March 2019",
"Modi took office in May 2014", "was elected president in 2008".

The terms are rows of core.leader_terms (reference_pack/leader_terms.csv, each citing an official list or flagged as
the compiler's assertion). A date without a year ("in September", "next month") is read against the article's date
(claims/dates.py). The boundary in the stated month (or year) is `supported`; the right year with another month
`imprecise`; `contradicted` only for a past-tense claim about a person identified for certain, whose rows are cited
with high confidence, when the term's date is clearly different (another year, and for a start not a day of a
continuing tenure); everything else `unverifiable`, saying why.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from silkscope.claims import dates as D
from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, date_fits, evidence, needs, needs_text
from silkscope.claims.checks.timeline import PL_evidence, _date_text
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query

_OFFICE_WORDS = {
    "prime minister": {"prime_minister", "premier"},
    "premier": {"premier", "prime_minister"},
    "president": {"president", "acting_president", "president_european_council", "president_european_commission"},
}
_OFFICE = re.compile(r"\b(prime\s+minister|premier|president)\b", re.I)
_CHINESE_ORDER = {"CHN"}  # family name first
ELECTION_LEAD = timedelta(days=120)  # an election precedes the term it opens by up to about four months (US: 11 weeks)


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _name_key(row: dict[str, Any]) -> str:
    parts = row["person"].split()
    return parts[0] if row["country_iso3"] in _CHINESE_ORDER else parts[-1]


def people(claim: Claim, rows: list[dict[str, Any]], before: int) -> tuple[list[str], bool]:
    """The persons the clause names (before the term's verb), and whether the person is certain: one person, named
    in full or by a name no other leader in the table shares."""
    text = _plain(claim.text[:before] or claim.text)
    if claim.person:  # the binder's leader (a full name from the entity list)
        named = [r for r in rows if _plain(r["person"]) == _plain(claim.person)]
        if not named:
            key = _plain(claim.person.split()[-1])
            named = [r for r in rows if _plain(_name_key(r)) == key]
    else:
        named = [r for r in rows if re.search(rf"\b{re.escape(_plain(_name_key(r)))}\b", text)]
    persons = list(dict.fromkeys(r["person"] for r in named))
    if len(persons) != 1:
        return persons, False
    person = persons[0]
    full = re.search(rf"\b{re.escape(_plain(person))}\b", text) is not None
    key = _plain(_name_key(next(r for r in rows if r["person"] == person)))
    shared = {r["person"] for r in rows if _plain(_name_key(r)) == key}
    return persons, full or len(shared) == 1


def _offices(claim: Claim, at: int) -> set[str] | None:
    """The office the sentence names next to the verb ("step down as prime minister"), if any."""
    window = claim.text[max(0, at - 60) : at + 60]
    m = _OFFICE.search(window)
    return _OFFICE_WORDS[re.sub(r"\s+", " ", m.group(1).lower())] if m else None


def _stated(claim: Claim, ctx: Context) -> tuple[int | None, int | None, int | None, str]:
    """(year, month, day, how) of the date the text gives the term's boundary; a relative 'next month' is read
    against the article's date; nothing when the text gives no date (the article's own date is not a claim's)."""
    rel = D.relative_period(claim.text, ctx.doc.published)
    if rel is not None:
        return rel.year, rel.month or None, None, rel.how
    if not claim.period or claim.extra.get("period_from_article") or claim.extra.get("undated"):
        return None, None, None, ""
    return claim.period[0], claim.month, claim.day, claim.extra.get("date_read") or ""


def _label(r: dict[str, Any]) -> str:
    end = f"to {r['term_end']}" if r["term_end"] else "in office"
    return f"{r['person']}, {r['office'].replace('_', ' ')} ({r['country_iso3']}), {r['term_start']} {end}"


def _ev(ctx: Context, r: dict[str, Any], query: Query, role: str, value: date | None):
    return PL_evidence(ctx, str(value) if value else None, "term", [(value or r["term_start"]).year], _label(r), r,
                       query, role)  # fmt: skip


def leader_term(claim: Claim, ctx: Context) -> Check:
    end_m, start_m = PL.TERM_END.search(claim.text), PL.TERM_START.search(claim.text)
    ending = end_m is not None and (start_m is None or end_m.start() <= start_m.start())
    verb = end_m if ending else start_m
    at = verb.start() if verb else len(claim.text)
    elected = not ending and bool(re.search(r"\belected\b", verb.group(0) if verb else "", re.I))
    query = PL.record("leader_terms")
    table = ctx.rows(query)
    persons, certain = people(claim, table, at)
    need = needs("leaders", ctx)
    if len(persons) != 1:
        why = f"several leaders match ({', '.join(persons)})" if persons else "no leader in the table is named"
        ev = evidence(ctx, None, "term", claim.period, f"leader not identified: {why}", None, query, "absence")
        return Check("unverifiable", [ev], f"The leader could not be identified: {why}. {needs_text(need)}", need)
    person = persons[0]
    rows = [r for r in table if r["person"] == person]
    offices = _offices(claim, at)
    chosen = [r for r in rows if offices is None or r["office"] in offices]
    office_known = bool(chosen)
    rows = chosen or rows
    year, month, day, how = _stated(claim, ctx)
    boundary = "term_end" if ending else "term_start"
    evs = [_ev(ctx, r, query, "context", r[boundary]) for r in rows]
    read = f" ({how})" if how else ""
    if year is None:
        return Check("unverifiable", evs, f"The text gives no date for this: nothing to compare. Recorded: "
                     f"{'; '.join(_label(r) for r in rows)}.", need)  # fmt: skip
    said = _date_text(year, month) if not day else f"{day} {_date_text(year, month)}"
    fits = [(r, date_fits(r[boundary], year, month, day)) for r in rows if r[boundary]]
    if elected:  # an election precedes the term it opens: the stated month, or up to four months before the start
        lo = date(year, month or 1, 1)
        hi = date(year, month or 12, 28) + timedelta(days=4)
        fits = [(r, "" if lo <= r["term_start"] <= hi + ELECTION_LEAD else f) for r, f in fits]
    target = date(year, month or 7, day or 1)
    exact = sorted((r for r, f in fits if not f), key=lambda r: (r[boundary].year != year, abs(r[boundary] - target)))
    what = "left office" if ending else "took office"
    if exact:
        best = exact[0]
        evs = [_ev(ctx, r, query, "basis" if r is best else "context", r[boundary]) for r in rows]
        if best["citation_status"] != "cited":  # a verdict rests on a cited source, never on the compiler's word
            return Check("unverifiable", evs, f"The table's row agrees ({person} {what} on {best[boundary]}{read}) "
                         f"but cites no source yet: {_label(best)}.", need)  # fmt: skip
        return Check("supported", evs, f"Matches: {person} {what} on {best[boundary]}{read}: {_label(best)}.")
    near = [r for r, f in fits if f in {"month", "day"} and r["citation_status"] == "cited"]
    if near:
        best = near[0]
        evs = [_ev(ctx, r, query, "basis" if r is best else "context", r[boundary]) for r in rows]
        return Check("imprecise", evs, f"Right year, another {'month' if month else 'day'}: {person} {what} on "
                     f"{best[boundary]}, not {said}{read}.")  # fmt: skip
    recorded = "; ".join(_label(r) for r in rows)
    when = date(year, month or 6, day or 15)
    serving = [r for r in rows if r["term_start"] <= when and (r["term_end"] is None or when <= r["term_end"])]
    # Why it cannot be contradicted, if it cannot.
    doubt = None
    if not certain:
        doubt = "the name may stand for more than one leader"
    elif not office_known and offices is not None:
        doubt = "the table holds no term of that office for this person"
    elif any(r["citation_status"] != "cited" or r["confidence"] != "high" for r in rows):
        doubt = "a row is the compiler's assertion or of medium confidence"
    elif D.tense(claim.sentence) == "future":
        doubt = "a plan stated in the article may have changed"
    elif elected:
        doubt = "the table holds terms, not election dates"
    elif not ending and serving:
        doubt = f"{person} was in office then (a new term or inauguration may be meant)"
    elif ending and not any(r["term_end"] for r in rows) and when > date.today():
        doubt = "the term is still open"
    if doubt:
        return Check("unverifiable", evs, f"No {boundary.replace('_', ' ')} of {person} in {said}{read}; not "
                     f"contradicted ({doubt}). Recorded: {recorded}.", need)  # fmt: skip
    return Check("contradicted", evs, f"Wrong date: {person} {what} "
                 f"{' and '.join(str(r[boundary]) for r in rows if r[boundary]) or 'never'}, not {said}{read}. "
                 f"Recorded: {recorded}.")  # fmt: skip
