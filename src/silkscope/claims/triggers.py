"""Claim triggers of one sentence: the pattern of each claim type, and which trigger wins where they overlap."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from silkscope.claims import patterns as P
from silkscope.claims.entities import find_mentions


@dataclass
class Trigger:
    type: str
    start: int
    end: int
    value: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    subtype: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def quantity(self) -> bool:
        return self.type in {"amount", "count", "change"} or (self.type == "share" and self.unit == "percent")


COUNT_NOUNS = {
    "companies": "companies_operating", "company": "companies_operating", "firms": "companies_operating",
    "businesses": "companies_operating", "enterprises": "enterprises_with_foreign_capital",
    "joint ventures": "joint_ventures_operating", "joint enterprises": "joint_ventures_operating",
    "representative offices": "representative_offices", "offices": "representative_offices",
}  # fmt: skip
_OTHER_NOUNS = (
    r"projects|agreements|documents|deals|memoranda|contracts|students|scholarships|Confucius Institutes|institutes|"
    r"universities|people|citizens|nationals|migrants|workers|troops|soldiers|bases|flights|tourists|Koreans|loans|"
    r"grants|branches"
)
_VISIT_NOUNS = r"visits|trips|tours|summits|meetings|sessions"
_COUNT = re.compile(
    rf"(?P<n>{P.NUMBER})\s+(?:(?:[A-Z][\w'’-]*|foreign|joint|registered|new|active|accredited|operating|more|other|"
    r"ethnic|private|state-owned|small|large|additional|official|state|separate|presidential|bilateral|leader-level)"
    rf"\s+){{0,3}}(?P<noun>joint ventures|joint enterprises|representative offices|{'|'.join(COUNT_NOUNS)}|"
    rf"{_OTHER_NOUNS}|{_VISIT_NOUNS})\b"
)
_COUNT_AFTER = re.compile(
    rf"\b(?P<noun>joint ventures|joint enterprises|representative offices|{'|'.join(COUNT_NOUNS)})\b[^.;:]{{0,50}}?\b"
    r"(?:numbered|totall?ed|reached|stood at|came to|rose to|climbed to|fell to|grew to|amounted to)\s+"
    rf"(?:about |some |around |nearly |almost |over |more than |just |only )?(?P<n>{P.NUM})\b(?!\s*(?:%|per ?cent))",
    re.I,
)
_VAGUE_TIMES = re.compile(
    r"\b(?:visited|been to|travel+ed to|gone to|come to)\b[^.;]{0,50}?"
    r"\b(?P<w>several|many|numerous|multiple|a few|a number of) times\b",
    re.I,
)
_VISIT_VERB = r"(?:visited|visit|been to|travel+ed to|travel+ed|gone to|come to|toured|made|paid|went to)"
_TIMES = re.compile(
    rf"\b{_VISIT_VERB}\b[^.;]{{0,70}}?\b(?P<q>only |just |merely |exactly )?"
    rf"(?P<n>once|twice|thrice|(?:{P.NUMBER}) times)\b",
    re.I,
)
_QUAL_FREQ = re.compile(
    r"\b(?P<w>frequent|regular|rare|occasional|infrequent)\s+(?:visitors?|visits|guests?)\b"
    r"|\bvisit(?:s|ed)?\s+(?P<a>frequently|regularly|often|rarely|seldom)\b"
    r"|\b(?:has |have )?(?:met|convened|gathered) "
    r"(?P<m>annually|every year|each year|yearly|regularly|every two years)\b",
    re.I,
)
_FIRST = re.compile(
    r"\b(?P<hedge>one of the (?:very )?first)\b"
    r"|\b(?:the|his|her|its|their|[A-Z][\w-]*['’]s)\s+(?:very\s+)?(?:first(?:-ever)?|only)\b(?!\s+time)"
    r"|\bfirst-ever\b|\bfor the first time\b"
    r"|\b(?P<never>no (?:sitting |serving |incumbent )?(?:[A-Z][\w.]*\s+){0,2}(?:presidents?|prime ministers?|leaders?|"
    r"heads? of state)\s+(?:has|have|had)\s+ever\s+(?:visited|been to|travel+ed to)|(?:has|have|had) never "
    r"(?:visited|been to|travel+ed to))",
    re.I,
)
_ORDINAL = re.compile(
    r"\b(?:the|a|its)\s+(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|[4-9]th)"
    r"\s+(?:[\w+–—'’-]+\s+){0,4}?(?P<kind>summit|meeting|forum|session|ministerial)s?\b",
    re.I,
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
ORDINALS |= {"ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3}
_COMPARISON = re.compile(
    r"\bmore than (?:from |in |of )?any other (?:[A-Z]\w+ ){0,2}"
    r"(?:country|partner|nation|state|donor|investor|source)\b"
    r"|\boutnumber(?:s|ed)?\b|\bsecond only to\b"
    r"|\b(?:larger|bigger|greater|higher|fewer|smaller|lower|more|less) than (?=(?:those |that |the )?(?-i:[A-Z][a-z]))"
    r"|\b(?:one of )?(?:the )?(?:top|largest|biggest|main|leading|second[- ]largest|chief)\s+(?:\w+\s+){0,2}?"
    r"(?:recipients?|donors?|investors?|trading partners?|lenders?|creditors?|sources?|destinations?)\b"
    r"|\b(?:came|ranked|ranks|placed) (?:first|second|third)\b",
    re.I,
)
_SHARE_WORDS = re.compile(
    r"\b(?:overwhelmingly|largely|mostly) (?P<pol>positive|favou?rable|negative|friendly|hostile)\b"
    r"|\b(?:a|the) (?:large |vast |clear |slim )?majority of\b"
    r"|\b(?:exports?|imports?)\s+(?:\w+\s+){0,2}?(?:mostly|mainly|primarily|largely|chiefly)\b"
    r"|\b(?:mostly|mainly|primarily|largely|chiefly)\s+(?:exports?|imports?)\b",
    re.I,
)
_CHANGE_VERB = re.compile(
    r"\b(?:rose|risen|increased|grew|grown|climbed|jumped|soared|surged|fell|fallen|declined|dropped|decreased|shrank|"
    r"up|down|growth|increase|rise|decline|drop|fall|gain)\b(?:\s+\w+){0,3}\s+(?:by\s+)?$",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:result(?:s|ed)? in|leads? to|led to|pushed\b[^.]{0,40}?\btowards?|caused|"
    r"is indicative of|(?:have |has )?demonstrated that|shows? that|proves? that|much less impressive|"
    r"(?:are|is) not enough|insufficient|unmatched|indispensable|"
    r"(?:was|is|marked|proved) an? (?:real |major |historic )?"
    r"(?:turning point|milestone|watershed|landmark|breakthrough))\b",
    re.I,
)
_EVENT_VERB = re.compile(
    r"\b(?:visit(?:ed|s)?|went to|travel+ed to|toured|arrived in|returned to|launched|established|founded|set up|"
    r"created|inaugurated|opened|signed|held|hosted|convened|took place|attended|dispatched|sent|met|proposed|"
    r"announced|unveiled|adopted|concluded|joined|embroiled|followed|chose|pledged|became)\b",
    re.I,
)
_PRIORITY = ["amount", "change", "share", "count", "frequency", "first_or_only", "event", "comparison", "opinion"]


def triggers(s: str) -> list[Trigger]:
    """Every claim trigger in one sentence, overlaps resolved by type priority."""
    found: list[Trigger] = []
    for q in P.find_money(s):
        found.append(Trigger("amount", q.start, q.end, q.value, q.unit, q.qualifier, extra={"raw": q.raw}))
    for q in P.find_percent(s):
        change = _CHANGE_VERB.search(s[max(0, q.start - 40) : q.start])
        found.append(Trigger("change" if change else "share", q.start, q.end, q.value, "percent", q.qualifier))
    for q in P.find_folds(s):
        if re.search(r"\bmore than\s+$", s[max(0, q.start - 12) : q.start], re.I):
            q.qualifier = "more"
        found.append(Trigger("change", q.start, q.end, q.value, "fold", q.qualifier))
    for m in _COUNT.finditer(s):
        value = P.parse_number(m.group("n"))
        if value is None or (1900 <= value <= 2099 and "," not in m.group("n") and "." not in m.group("n")):
            continue
        noun = m.group("noun")
        qualifier = P.qualifier_before(s, m.start())
        if re.fullmatch(_VISIT_NOUNS, noun.lower()):
            sub = "visits" if noun.lower() in {"visits", "trips", "tours"} else "format_meetings"
            found.append(Trigger("frequency", m.start(), m.end(), value, noun.lower(), qualifier, sub))
        else:
            kind = COUNT_NOUNS.get(noun.lower())
            found.append(Trigger("count", m.start(), m.end(), value, noun.lower(), qualifier, extra={"kind": kind}))
    for m in _COUNT_AFTER.finditer(s):
        value = P.parse_number(m.group("n"))
        kind = COUNT_NOUNS.get(m.group("noun").lower())
        if value is not None and not (1900 <= value <= 2099 and "," not in m.group("n")):
            found.append(
                Trigger(
                    "count",
                    m.start(),
                    m.end(),
                    value,
                    m.group("noun").lower(),
                    P.qualifier_before(s, m.start("n")),
                    extra={"kind": kind},
                )
            )
    for m in _VAGUE_TIMES.finditer(s):
        found.append(
            Trigger("frequency", m.start("w"), m.end(), None, f"qualitative:{m.group('w').lower()}", None, "visits")
        )
    for m in _TIMES.finditer(s):
        word = m.group("n").lower()
        n = {"once": 1, "twice": 2, "thrice": 3}.get(word) or P.parse_number(word.replace(" times", ""))
        q = "exact" if m.group("q") else None
        found.append(Trigger("frequency", m.start("n"), m.end(), n, "visits", q, "visits"))
    for m in _QUAL_FREQ.finditer(s):
        word = (m.group("w") or m.group("a") or m.group("m")).lower()
        sub = "format_meetings" if m.group("m") else "visits"
        found.append(Trigger("frequency", m.start(), m.end(), None, f"qualitative:{word}", None, sub))
    for m in _ORDINAL.finditer(s):
        ordinal = ORDINALS.get(m.group("ord").lower(), int(re.sub(r"\D", "", m.group("ord")) or 0))
        found.append(Trigger("event", m.start(), m.end(), None, None, None, "ordinal", {"ordinal": ordinal}))
    for m in _FIRST.finditer(s):
        if any(t.type == "event" and t.start <= m.start() < t.end for t in found):
            continue  # "the first China-Central Asia summit": an ordinal of a series, an event claim
        sub = "hedged" if m.group("hedge") else "never" if m.group("never") else "first"
        if (
            sub == "first"
            and re.search(r"\bonly\b", m.group(), re.I)
            and not re.search(r"\bonly\s+(?:[\w-]+\s+){0,3}(?:to|who)\b", s[m.start() : m.end() + 60])
        ):
            continue  # "the only" that is not "the only X to/who ...": not a precedence claim
        found.append(Trigger("first_or_only", m.start(), m.end(), None, None, None, sub))
    for m in _COMPARISON.finditer(s):
        found.append(Trigger("comparison", m.start(), m.end()))
    for m in _SHARE_WORDS.finditer(s):
        found.append(Trigger("share", m.start(), m.end(), None, "qualitative", None, m.group().lower()))
    for m in _OPINION.finditer(s):
        found.append(Trigger("opinion", m.start(), m.end(), subtype=m.group().lower()))
    for t in found:
        if t.qualifier and t.type in {"amount", "count", "change", "share"}:
            t.start = P.qualifier_start(s, t.start)
    if not P.YEAR.search(s) and any(t.type == "opinion" for t in found):
        found = [t for t in found if t.subtype != "ordinal"]  # "the first summit was a turning point": a judgement
    found = _resolve(found)
    found = _resolve([*found, *_elided_counts(s, found)])
    events = _event_triggers(s, found)
    return _merge_opinions(_resolve([*found, *events]) if events else found)


def _elided_counts(s: str, found: list[Trigger]) -> list[Trigger]:
    """ "812 enterprises ... and 1,927 at the start of 2022": a bare number coordinated with a count shares its noun."""
    counts = [t for t in found if t.type == "count"]
    out = []
    for m in re.finditer(
        rf"\b(?:and|to|from|with|versus|against|compared (?:to|with))\s+(?P<n>{P.NUM})\b"
        r"(?!\s*(?:%|per|percent|[-–]?fold))",
        s,
    ):
        value = P.parse_number(m.group("n"))
        before = [t for t in counts if t.end <= m.start()]
        if not before or value is None or (1900 <= value <= 2099 and "," not in m.group("n")):
            continue
        if any(t.start <= m.start("n") < t.end for t in found):
            continue
        src = before[-1]
        extra = {**src.extra, "elided": True}
        out.append(
            Trigger(
                "count", m.start("n"), m.end("n"), value, src.unit, P.qualifier_before(s, m.start("n")), extra=extra
            )
        )
    return out


_EVENT_CLAUSE = re.compile(
    r";\s+|,\s+(?=(?:and|but|while|whereas)\s)|\s+(?=and\s+(?:in|on|by|then|later|has|have|had|was|were)\b)"
)


def _event_triggers(s: str, found: list[Trigger]) -> list[Trigger]:
    """One event per clause that has a date, an event verb and an entity, and holds no other claim."""
    cuts = [0, *(m.end() for m in _EVENT_CLAUSE.finditer(s)), len(s)]
    events: list[Trigger] = []
    for a, b in itertools.pairwise(cuts):
        inside = [t for t in found if a <= t.start < b and not (t.type == "first_or_only" and t.subtype == "hedged")]
        if any(t.type != "opinion" for t in inside):
            continue
        hedged = [t for t in found if a <= t.start < b and t.type == "first_or_only"]
        event = _event_trigger(s[a:b])
        if event and all(event.end + a <= t.start for t in hedged):
            events.append(Trigger("event", event.start + a, event.end + a, subtype=event.subtype))
    return events


def _merge_opinions(found: list[Trigger]) -> list[Trigger]:
    """Adjacent opinion markers ("have demonstrated that ... results in") make one opinion claim."""
    out: list[Trigger] = []
    for t in found:
        if out and t.type == "opinion" and out[-1].type == "opinion":
            out[-1] = Trigger("opinion", out[-1].start, t.end, subtype=f"{out[-1].subtype}; {t.subtype}")
        else:
            out.append(t)
    return out


def _event_trigger(s: str) -> Trigger | None:
    has_date = P.YEAR.search(s)
    verb = _EVENT_VERB.search(s)
    noun_visit = re.search(
        r"\b(?:his|her|their|its|the)\s+(?:1[89]\d\d|20\d\d)\s+(?:state |official )?(?:visit|trip|tour)\b", s
    )
    if not has_date or not (verb or noun_visit):
        return None
    named = any(m.kind in {"country", "city", "person", "format", "agency", "region"} for m in find_mentions(s))
    # A leader named earlier ("In 2011 Lee returned"), a pronoun or "both countries" also tie the clause to entities.
    referring = re.search(
        r"\b(?:he|she|both countries|the two countries)\b|(?<=\s)[A-Z][a-z]+\s+(?:returned|visited|went)", s
    )
    if not (named or referring):
        return None
    anchor = noun_visit or verb
    return Trigger("event", anchor.start(), anchor.end(), subtype="visit_noun" if noun_visit else None)


def _resolve(found: list[Trigger]) -> list[Trigger]:
    found.sort(key=lambda t: (_PRIORITY.index(t.type), t.start))
    kept: list[Trigger] = []
    for t in found:
        if all(t.end <= k.start or t.start >= k.end for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.start)
