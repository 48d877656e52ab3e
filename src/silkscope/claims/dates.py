"""Dates in running text, with or without a year: "on April 17", "on Sunday", "May 18 and 19", "last July".

A date without a year is resolved against the article's publication date (or the --as-of year) with dateparser,
the tense of its clause deciding the direction: "will fly to Tashkent on Tuesday" is the Tuesday after the article,
"held on Friday" the Friday on or before it. Candidate spans are found here; dateparser parses them (a sentence is
never handed to it whole, so "may" the verb and "March" the verb are not dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|"
    r"Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_TO = r"\s*(?:to|and|until|through|[-–—])\s*"

# One alternation, longest forms first; each branch names its parts.
DATES = re.compile(
    rf"(?P<md>(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:{_TO}(?P<d1b>{_DAY})(?!\s*(?:{_MONTH}|%|percent|per)))?"
    rf"(?:,?\s+(?P<y1>{_YEAR}))?)\b(?![-–]\w)"
    rf"|(?P<dm>(?P<d2>{_DAY})(?:{_TO}(?P<d2b>{_DAY}))?\s+(?:of\s+)?(?P<m2>{_MONTH})(?:,?\s+(?P<y2>{_YEAR}))?)\b"
    rf"|(?P<wd>\b(?P<wrel>last|next|this|on|by|until|since|from)?\s*(?P<w>{_WEEKDAY})\b(?:,?\s+(?:the\s+)?"
    rf"(?P<d3>{_DAY})\s+(?:of\s+)?(?P<m3>{_MONTH})(?:,?\s+(?P<y3>{_YEAR}))?)?)"
    rf"|(?P<mo>\b(?P<mrel>last|next|this|in|on|since|from|until|by|early|late|mid-?|during|of|through)\s+"
    rf"(?P<m4>(?-i:{_MONTH}))(?!\.?\s*(?:\d|{_YEAR}))\b)"
    r"|(?P<dd>\b(?:on|by|until|from|since)\s+the\s+(?P<d5>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)))\b"
    r"|(?P<rel>\b(?:later|earlier)\s+(?:in|on)\s+the\s+day\b|\btoday\b|\byesterday\b|\btomorrow\b)",
    re.I,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|is|are|was|were)\s+(?:(?:due|expected|scheduled|set|slated|planned|going)\s+to|to\s+be)\b"
    r"|\bwill\b|\b(?:plans?|intends?)\s+to\b|\bnext\b|\bupcoming\b|\bforthcoming\b",
    re.I,
)
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}  # noqa: SIM905


@dataclass(frozen=True)
class Found:
    """A date in the text: where, what it resolves to, and at what precision (day or month)."""

    start: int
    end: int
    year: int
    month: int
    day: int | None
    stated_year: bool
    end_day: int | None = None  # "May 18 to 19": the last day of a stated range
    how: str = ""  # for a resolved date: "'Tuesday' read as 2006-08-29 (after the article's date, 2006-08-28)"


@lru_cache(maxsize=64)
def parser(prefer: str, base: date | None = None):
    """A dateparser parser for English, preferring past or future dates relative to `base` (default: today)."""
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


def tense(clause: str) -> str:
    """'future' when the clause speaks of what is to come ("will", "is due to", "next"), else 'past'."""
    return "future" if _FUTURE.search(clause) else "past"


def find(s: str, base: date | None, context: date | None = None) -> list[Found]:
    """Every date in the sentence: those with a year as stated, those without resolved against `base` (the
    article's date; None leaves them out). `context` is the last date the article gave (for "on the 16th")."""
    out: list[Found] = []
    for m in DATES.finditer(s):
        found = _one(s, m, base, context)
        if found is not None:
            out.append(found)
            if found.day is not None:
                context = date(found.year, found.month, found.day)
    return out


def _month(word: str) -> int:
    return _MONTHS[word.lower()[:3]]


def _day(text: str | None) -> int | None:
    return int(re.sub(r"\D", "", text)) if text else None


def _one(s: str, m: re.Match, base: date | None, context: date | None) -> Found | None:
    a, b = m.span()
    clause = _clause(s, a)
    when = tense(clause)
    if m.group("md") or m.group("dm"):
        month = _month(m.group("m1") or m.group("m2"))
        day, last = _day(m.group("d1") or m.group("d2")), _day(m.group("d1b") or m.group("d2b"))
        year = m.group("y1") or m.group("y2")
        if year:
            return _valid(Found(a, b, int(year), month, day, True, last))
        label = f"{m.group('m1') or m.group('m2')} {day}"
        return _resolve(a, b, label, when, base, "day", last)
    if m.group("wd"):
        if m.group("m3"):  # "Monday, 28 August 2006": the weekday only repeats the date
            month, day = _month(m.group("m3")), _day(m.group("d3"))
            if m.group("y3"):
                return _valid(Found(a, b, int(m.group("y3")), month, day, True))
            return _resolve(a, b, f"{m.group('m3')} {day}", when, base, "day")
        rel = (m.group("wrel") or "").lower()
        when = {"last": "past", "next": "future", "since": "past", "until": "future"}.get(rel, when)
        return _weekday(a, b, m.group("w"), when, base)
    if m.group("mo"):
        rel = m.group("mrel").lower()
        when = {"last": "past", "next": "future", "since": "past", "until": "future"}.get(rel, when)
        start = a + m.group(0).lower().index(m.group("m4").lower())
        return _resolve(start, b, m.group("m4").rstrip("."), when, base, "month")
    if m.group("dd"):
        day = _day(m.group("d5"))
        anchor = context or base
        if anchor is None or day is None:
            return None
        month_start = anchor.replace(day=1)
        if context is None and day > anchor.day:  # "on the 16th" before the 28th: this month; after: the last
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        try:
            d = month_start.replace(day=day)
        except ValueError:
            return None
        how = f"'{m.group('d5')}' read as {d} (the month of {'the date before' if context else 'the article'})"
        return Found(a + m.group(0).index(m.group("d5")) - 4, b, d.year, d.month, d.day, False, how=how)
    if m.group("rel") and base is not None:
        word = m.group("rel").lower()
        shift = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
        d = base + timedelta(days=shift)
        return Found(a, b, d.year, d.month, d.day, False, how=f"'{m.group('rel')}' read as {d} (the article's date)")
    return None


def _clause(s: str, pos: int) -> str:
    """The clause around a date: from the last boundary before it to the next one after it."""
    left = max((s.rfind(x, 0, pos) for x in (", and ", "; ", ". ", ", while", ", but")), default=-1)
    right = [i for i in (s.find(x, pos) for x in ("; ", ", and ", ", but")) if i >= 0]
    return s[max(0, left) : min(right) if right else len(s)]


def _valid(found: Found) -> Found | None:
    try:
        date(found.year, found.month, found.day or 1)
    except ValueError:
        return None
    return found


def _resolve(a: int, b: int, label: str, when: str, base: date | None, precision: str, last: int | None = None):
    if base is None:
        return None
    data = parser(when, base).get_date_data(label)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    if (d.month, d.day) == (base.month, base.day) and precision == "day":
        d = base  # "on November 28" in an article of 28 November: that day, whichever the tense
    if precision == "month":
        same = d.month == base.month  # "in September" written in September: this September
        if same and d.year != base.year:
            d = d.replace(year=base.year)
        return Found(a, b, d.year, d.month, None, False, how=_how(label, d, when, base, "month"))
    return Found(a, b, d.year, d.month, d.day, False, last, _how(label, d, when, base, "day"))


def _weekday(a: int, b: int, word: str, when: str, base: date | None) -> Found | None:
    if base is None:
        return None
    if word.lower() == base.strftime("%A").lower():  # "on Friday" in a Friday's article: that day
        d = base
    else:
        data = parser(when, base).get_date_data(word)
        if data is None or data.date_obj is None:
            return None
        d = data.date_obj.date()
    return Found(a, b, d.year, d.month, d.day, False, how=_how(word, d, when, base, "day"))


def _how(label: str, d: date, when: str, base: date, precision: str) -> str:
    shown = f"{d:%Y-%m}" if precision == "month" else str(d)
    side = "on or after" if when == "future" else "on or before"
    return f"'{label}' read as {shown} ({side} the article's date, {base})"


_RELATIVE_PERIOD = re.compile(
    r"\b(?P<rel>next|last|this|the coming|the following|the previous)\s+(?P<unit>month|year)\b", re.I
)


def relative_period(s: str, base: date | None) -> Found | None:
    """ "next month", "last year" against `base` (the article's date): a month (or a year, month 0) read by
    dateparser, or None. Not part of `find` (a claim's period stays what the binder read); a check asks for it."""
    m = _RELATIVE_PERIOD.search(s)
    if m is None or base is None:
        return None
    rel, unit = m.group("rel").lower(), m.group("unit").lower()
    word = {"the coming": "next", "the following": "next", "the previous": "last"}.get(rel, rel)
    if word == "this":
        d = base
    else:
        data = parser("future" if word == "next" else "past", base).get_date_data(f"{word} {unit}")
        if data is None or data.date_obj is None:
            return None
        d = data.date_obj.date()
    how = f"'{m.group(0)}' read as {d:%Y-%m} (from the article's date, {base})" if unit == "month" else ""
    how = how or f"'{m.group(0)}' read as {d.year} (from the article's date, {base})"
    return Found(m.start(), m.end(), d.year, d.month if unit == "month" else 0, None, False, how=how)
