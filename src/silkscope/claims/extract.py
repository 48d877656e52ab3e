"""Find claims in plain text: their spans, types and values (triggers come from `triggers`, entities from `bind`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from silkscope.claims import patterns as P
from silkscope.claims.sentences import body_end, split_sentences
from silkscope.claims.triggers import Trigger, triggers

TYPES = ("amount", "count", "change", "share", "comparison", "first_or_only", "frequency", "event", "opinion")
CHECKABLE = tuple(t for t in TYPES if t != "opinion")


@dataclass
class Claim:
    """One checkable (or explicitly not checkable) statement: a span of the plain text and its parts."""

    id: str
    text: str
    start: int
    end: int
    type: str
    sentence: str
    paragraph: int
    value: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    subtype: str | None = None
    period: list[int] = field(default_factory=list)
    period_kind: str | None = None  # point, range, cumulative, since, after
    month: int | None = None
    day: int | None = None
    partners: list[str] = field(default_factory=list)
    scope: str | None = None  # group id (C5, C5_CAUCASUS, C4_EXCL_TKM) or one ISO3
    hosts: list[str] = field(default_factory=list)
    person: str | None = None
    levels: tuple[str, ...] = ()
    format_id: str | None = None
    agency: str | None = None
    indicator: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def entities(self) -> list[str]:
        from silkscope.countries import registry

        out: list[str] = []
        groups = registry().groups
        scope_members = list(groups[self.scope].members) if self.scope in groups else [self.scope] if self.scope else []
        for iso3 in [*self.partners, *self.hosts, *scope_members]:
            if iso3 and iso3 not in out:
                out.append(iso3)
        return out


_DISCOURSE = re.compile(
    r"^(?:(?:In addition|Also|However|Thus|In fact|Later|Moreover|Meanwhile|Still|Indeed|Finally|First|Second|Third|"
    r"Then|For instance|For example|Similarly|Likewise|Instead|Nevertheless|Nonetheless|Therefore|Consequently|"
    r"Even so|By contrast|In contrast),\s+|(?:But|And|So|Yet)\s+)"
)
_BOUNDARY = re.compile(r",[\"”’']?\s+|;\s+|:\s+|\s[–—]\s|\s(?=(?:and|but|while|whereas|compared (?:to|with))\s)")
_LEAD_IN = re.compile(r"\b(?:compared (?:to|with)|to|from|versus|vs\.?|than)\s")


def spans(s: str, found: list[Trigger]) -> list[tuple[int, int]]:
    """Non-overlapping spans, one per trigger: quantities take their clause chunk; other claims their clause."""
    bounds = [(m.start(), m.end()) for m in _BOUNDARY.finditer(s)]
    lefts: list[int] = []
    for i, t in enumerate(found):
        if i == 0:
            lefts.append(0)
            continue
        prev_end = found[i - 1].end
        lead = [x for x in (m.start() for m in _LEAD_IN.finditer(s, prev_end, t.start))][-1:]
        lefts.append(max([prev_end, *lead] + [b for a, b in bounds if b <= t.start and a >= prev_end]))
    reported = [m.start() for m in P.REPORTED.finditer(s)]
    out: list[tuple[int, int]] = []
    for i, t in enumerate(found):
        next_left = lefts[i + 1] if i + 1 < len(found) else len(s)
        right = min([next_left, *(r for r in reported if r >= t.end)])
        if t.quantity:
            later = i + 1 < len(found)
            stops = [a for a, b in bounds if a >= t.end and (later or s[a:b].strip())]
            right = min([next_left, *stops])
        out.append(_trim(s, lefts[i], max(right, t.end)))
    return out


def _trim(s: str, left: int, right: int) -> tuple[int, int]:
    m = _DISCOURSE.match(s[left:right])
    if m:
        left += m.end()
    while left < right and s[left] in " ,;:–—":
        left += 1
    while right > left and s[right - 1] in " ,;:.–—":
        right -= 1
    if right > left and s[right - 1] in "\"”'’" and s[left:right].count(s[right - 1]) % 2 and s[right - 2] in ",.":
        right -= 2  # a closing quote after a comma ends "Silk Road Diplomacy,"
    return left, right


def extract(text: str, *, as_of: int | None = None, published: date | None = None) -> list[Claim]:
    """All claims of the article body (text after a 'Further Reading' or 'References' heading is left out, and so
    is a metadata header line). Dates without a year are read against `published` (or the end of `as_of`)."""
    from silkscope.claims.bind import Binder
    from silkscope.claims.reader import header_end

    binder = Binder(text, as_of, published)
    claims: list[Claim] = []
    first = header_end(text)
    for sentence in split_sentences(text, body_end(text)):
        if sentence.start < first:
            continue
        s = sentence.text(text)
        binder.start_sentence(sentence, s)
        found = triggers(s, [(c.start, c.end) for c in binder.cues])
        cut = spans(s, found)
        binder.set_spans([(a, b, t) for t, (a, b) in zip(found, cut, strict=True)])
        for t, (a, b) in zip(found, cut, strict=True):
            claim = Claim(
                id=f"c{len(claims) + 1}",
                text=s[a:b],
                start=sentence.start + a,
                end=sentence.start + b,
                type=t.type,
                sentence=s,
                paragraph=sentence.paragraph,
                value=t.value,
                unit=t.unit,
                qualifier=t.qualifier,
                subtype=t.subtype,
                extra={**t.extra, "trigger": s[t.start : t.end], "trigger_at": [t.start, t.end]},
            )
            binder.bind(claim, a, b, t)
            claims.append(claim)
        binder.end_sentence()
    return claims
