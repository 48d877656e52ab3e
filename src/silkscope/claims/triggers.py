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
    r"projects|agreements|documents|deals|memoranda|memorandums|contracts|students|scholarships|Confucius Institutes|"
    r"institutes|universities|people|citizens|nationals|migrants|workers|troops|soldiers|bases|flights|tourists|"
    r"Koreans|loans|grants|branches|participants|delegates|delegations|areas|outcomes|results|centers|centres|"
    r"opportunities|places|programmes|programs|initiatives|priorities|sectors|fields|routes|plants|factories|jobs|"
    r"declarations|statements|treaties|accords|pacts|mechanisms|platforms|corridors|zones|parks|hospitals|schools"
)
_VISIT_NOUNS = r"visits|trips|tours|summits|meetings|sessions"
_COUNT = re.compile(
    rf"(?P<n>{P.NUMBER})\s+(?:(?:[A-Z][\w'’-]*|foreign|joint|registered|new|active|accredited|operating|more|other|"
    r"ethnic|private|state-owned|small|large|additional|official|state|separate|presidential|bilateral|leader-level|"
    rf"(?=[a-z-]+\s+(?:[a-z-]+\s+)?(?:{_OTHER_NOUNS})\b)[a-z-]+)"
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
    r"|\b(?:has |have )?(?:met|convened|gathered|(?:be |being |is |are )?held) "
    r"(?P<m>annually|every year|each year|yearly|regularly|every (?:two|three|four|five|2|3|4|5) years|biennially)\b",
    re.I,
)
_FIRST = re.compile(
    r"\b(?P<hedge>one of the (?:very )?first)\b"
    r"|\b(?:the|his|her|its|their|[A-Z][\w-]*['’]s)\s+(?:very\s+)?(?:first(?:-ever)?|only)\b(?!\s+time)"
    # "the first half of the year", "the first months of 2022": a period, not a precedence
    r"(?!\s+(?:half|quarter|(?:few |two |three |six |nine )?(?:months?|weeks?|days?)|year of|decade of)\b)"
    r"|\bfirst-ever\b|\bfor the first time\b"
    r"|\b(?P<never>no (?:sitting |serving |incumbent )?(?:[A-Z][\w.]*\s+){0,2}(?:presidents?|prime ministers?|leaders?|"
    r"heads? of state)\s+(?:has|have|had)\s+ever\s+(?:visited|been to|travel+ed to)|(?:has|have|had) never "
    r"(?:visited|been to|travel+ed to))",
    re.I,
)
_ORDINAL = re.compile(
    r"\b(?:the|a|its|their|his|her|our)\s+(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|\d{1,2}(?:st|nd|rd|th))"
    r"\s+(?:[\w+–—'’“”\"-]+\s+){0,4}?(?P<kind>summit|meeting|forum|session|ministerial|edition|round|conference)s?\b",
    re.I,
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
ORDINALS |= {"ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "1st": 1, "2nd": 2, "3rd": 3}
_COMPARISON = re.compile(
    r"\bmore than (?:from |in |of )?any other (?:[A-Z]\w+ ){0,2}"
    r"(?:country|partner|nation|state|donor|investor|source)\b"
    r"|\boutnumber(?:s|ed)?\b|\bsecond only to\b"
    r"|\b(?:larger|bigger|greater|higher|fewer|smaller|lower|more|less) than (?=(?:those |that |the )?(?-i:[A-Z][a-z]))"
    r"|\b(?:one of )?(?:the )?(?:top|largest|biggest|main|leading|second[- ]largest|chief)\s+(?:\w+\s+){0,2}?"
    r"(?:recipients?|donors?|investors?|trading partners?|lenders?|creditors?|sources?|destinations?"
    r"|(?:export|import) (?:markets?|partners?)|buyers?|customers?|suppliers?)\b"
    r"|\b(?:the )?(?:primary|main|principal) (?:focus|recipient|beneficiary)\b|\ba peak of\b"
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
    r"(?:are|is) not enough|insufficient|unmatched|indispensable|(?:is|was|are|were) (?:a |an )?reflection of|"
    r"(?:is|was|are|were) (?:a )?(?:symbolic|symbol|sign|testament) of|in our opinion|we believe|"
    r"(?:analysts|experts|observers|critics|commentators) (?:say|said|believe|argue)|feels? it has a role|"
    r"(?:was|is|marked|proved) an? (?:real |major |historic )?"
    r"(?:turning point|milestone|watershed|landmark|breakthrough))\b",
    re.I,
)
_EVENT_VERB = re.compile(
    r"\b(?:visit(?:ed|s)?|went to|travel+ed to|toured|arrived in|returned to|launched|established|founded|set up|"
    r"created|inaugurated|opened|signed|held|hosted|convened|took place|attended|dispatched|sent|met|proposed|"
    r"announced|unveiled|adopted|concluded|joined|embroiled|followed|chose|pledged|became|"
    r"started|began|declared(?!\s+(?:that\b|[“\"]))|designated|organi[sz]ed|told|received|welcomed|"
    r"(?:will|to) (?:host|hold|meet|visit|fly|"
    r"attend|sign|step down|be held|be implemented|release)|was in|were in|"
    r"(?:gained|won|achieved|attained|obtained|regained)\s+(?:(?:their|its|full|formal)\s+){0,2}independence|"
    r"stepped down|steps down|resigned|left office|took office|assumed office|sworn in|came to power|took power|"
    r"was elected|was re-elected)\b",
    re.I,
)
# An event clause needs no date of its own when it speaks of what is happening or about to (the article's date
# dates it: "the summit in Samarkand is attended by ...", "the virtual summit will be held with ..."), or of a
# trip, a membership or a founding that the timeline may hold.
_UNDATED_VERB = re.compile(
    r"\b(?:(?:is|are|was|were) (?:being )?(?:attended|joined) by|with the participation of|took part|take part|"
    r"(?:will|is due to|are due to|is expected to|are expected to|is set to|is to|are to) (?:be )?(?:host|hold|held|"
    r"meet|visit|fly|attend|sign|step down|release|implement|launch)\w*|"
    r"(?:trip|visit|tour)\b[^.;]{0,40}\b(?:takes? in|also includes?|covers?)|comprises|comprising|consists of|"
    r"(?:the )?(?:formation|founding|creation|establishment) of (?:the )?(?=(?-i:[A-Z]))|"
    r"declared(?!\s+(?:that\b|[“\"]))|designated|signed|"
    r"is holding|are holding|begins?|has arrived|have arrived|"
    r"(?:is|was) an? (?:\w+ ){0,3}(?:initiative|format|framework|forum|dialogue|mechanism|grouping|bloc|"
    r"organi[sz]ation) (?:between|of|linking|bringing together|comprising))\b",
    re.I,
)
_ATTENDANCE = re.compile(
    r"\b(?:(?:is|are|was|were|be) (?:being )?(?:attended|joined) by|with the participation of|took part|take part|"
    r"attended by|joined by)\b",
    re.I,
)
# A quoted sentence of opinion: a direct quotation of six words or more with no figure in it.
_QUOTE = re.compile(r"[“\"](?P<q>[^”\"]{30,})[”\"]")
_PRIORITY = ["amount", "change", "share", "count", "frequency", "first_or_only", "event", "comparison", "opinion"]


def triggers(s: str, dates: list[tuple[int, int]] | tuple = ()) -> list[Trigger]:
    """Every claim trigger in one sentence, overlaps resolved by type priority. `dates` are the spans of the dates
    the binder found (with or without a year), so a clause dated "on Friday" is an event clause too."""
    found: list[Trigger] = []
    for q in P.find_money(s):
        extra: dict[str, Any] = {"raw": q.raw}
        if q.low is not None:
            extra["range"] = [q.low, q.high]
        if q.usd is not None:
            extra["stated_usd"] = q.usd  # the article's own conversion, kept with the amount it converts
        found.append(Trigger("amount", q.start, q.end, q.value, q.unit, q.qualifier, extra=extra))
    for q in P.find_fractions(s):
        found.append(Trigger("share", q.start, q.end, q.value, "percent", q.qualifier, "fraction"))
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
        if t.qualifier and not t.qualifier.startswith("range") and t.type in {"amount", "count", "change", "share"}:
            t.start = P.qualifier_start(s, t.start)
    if not P.YEAR.search(s) and any(t.type == "opinion" for t in found):
        found = [t for t in found if t.subtype != "ordinal"]  # "the first summit was a turning point": a judgement
    found += _quotations(s, found)
    found = _resolve(found)
    found = _resolve([*found, *_elided_counts(s, found)])
    events = _event_triggers(s, found, list(dates))
    return _merge_opinions(_resolve([*found, *events]) if events else found)


def _quotations(s: str, found: list[Trigger]) -> list[Trigger]:
    """A direct quotation that states no figure is a quoted view: not checkable (the speaker's opinion). Only a
    quotation that is the sentence's point: most of it, or introduced by a verb of saying."""
    out = []
    for m in _QUOTE.finditer(s):
        quote = m.group("q")
        if len(quote.split()) < 6 or re.search(r"\d", quote):
            continue
        said = re.search(r"\b(?:said|says|say|told|declared|stated|added|noted|wrote|urged|according to)\b[^.]{0,40}$"
                         r"|[:,]\s*$", s[: m.start()])  # fmt: skip
        after = re.match(r"^\W{0,3}\s*(?:\w+\s+){0,6}(?:said|says|told|added|noted)\b", s[m.end() :])
        if not (said or after or m.end() - m.start() >= 0.5 * len(s)):
            continue
        if any(m.start() <= t.start < m.end() and t.type != "opinion" for t in found):
            continue
        out.append(Trigger("opinion", m.start(), m.end(), subtype="quotation"))
    return out


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
    r"|,\s+(?=(?:especially |particularly |notably |ever )?since\s+the\s)"
    r"|\s+(?=and\s+(?:declared|signed|agreed|announced|adopted|launched|designated|unveiled)\b)"
    r"|\s+(?=and\s+(?:sources|officials|analysts|experts|reports?|diplomats)\s+(?:said|say|says)\b)"
)
# A subordinate clause with its own verb ("Since 1991, when the five declared their independence, the US has ...";
# "the Dialogue, which started in Kazakhstan in 2004"; "where he was joined by the leaders of ..."): an event of its
# own when it has its own date, says who attended, or sits in a clause that holds a figure. A "which took place /
# was held" clause describes the event before it and stays with it.
_WH_CLAUSE = re.compile(r"(?:^|,\s+|\s+)(?P<wh>when|where|which|who)\s", re.I)
_SAME_EVENT = re.compile(r"^\w+\s+(?:took place|was held|were held|is held|is being held|was hosted)\b", re.I)


def _event_triggers(s: str, found: list[Trigger], dates: list[tuple[int, int]]) -> list[Trigger]:
    """One event per clause that has a date (or speaks of what is happening), an event verb and an entity, and
    holds no other claim; and one per subordinate clause of its own (see _WH_CLAUSE)."""
    cuts = sorted({0, *(m.end() for m in _EVENT_CLAUSE.finditer(s)), *_wh_cuts(s, found), len(s)})
    events: list[Trigger] = []
    for a, b in itertools.pairwise(cuts):
        inside = [t for t in found if a <= t.start < b and not (t.type == "first_or_only" and t.subtype == "hedged")]
        hedged = [t for t in found if a <= t.start < b and t.type == "first_or_only"]
        wh = _wh_event(s, a, b, found, dates)
        if wh is not None:
            events.append(wh)
        if any(t.type != "opinion" for t in inside):
            continue
        clause_dates = [(x - a, y - a) for x, y in dates if a <= x < b]
        shared = s if re.match(r"and\s", s[a:b]) else None  # "... and declared a new strategic partnership"
        event = _event_trigger(s[a:b], clause_dates, shared)
        if event and all(event.end + a <= t.start for t in hedged):
            if wh is not None and event.start + a >= wh.start:
                continue
            events.append(Trigger("event", event.start + a, event.end + a, subtype=event.subtype, extra=event.extra))
    return events


def _wh_cuts(s: str, found: list[Trigger]) -> list[int]:
    """A relative clause that holds another claim ("..., which later became a steppingstone for the 1st Forum")
    leaves the clause before it to stand as an event of its own."""
    cuts = []
    for m in _WH_CLAUSE.finditer(s):
        if m.start() == 0 or _SAME_EVENT.match(s[m.start("wh") :]):
            continue
        end = s.find(". ", m.end())
        end = len(s) if end < 0 else end
        if any(m.end() <= t.start < end and t.type not in {"opinion"} for t in found):
            cuts.append(m.start())
    return cuts


def _wh_event(s: str, a: int, b: int, found: list[Trigger], dates: list[tuple[int, int]]) -> Trigger | None:
    for m in _WH_CLAUSE.finditer(s, a, b):
        start = m.start("wh")
        rest = s[start:b]
        if _SAME_EVENT.match(rest):
            continue
        verb = _EVENT_VERB.search(rest) or _ATTENDANCE.search(rest)
        if verb is None or verb.start() > 120:
            continue
        # The clause runs to the first comma after its verb (a list of countries before the verb keeps its commas).
        comma = s.find(", ", start + verb.end(), b)
        end = comma if comma >= 0 else b
        own_date = any(start <= x < end for x, _ in dates) or P.YEAR.search(s[start:end])
        attendance = _ATTENDANCE.search(s[start:end])
        figure = any(a <= t.start < b and t.type in {"amount", "count", "change", "share"} for t in found)
        if any(start <= t.start < end and t.type != "opinion" for t in found):
            continue
        # A "when/where" clause dates or places the claim before it ("the first ... when he went to Uzbekistan in
        # 2006") unless that claim is a figure; a "which/who" clause with its own date is a claim of its own.
        relative = m.group("wh").lower() in {"which", "who"}
        if not (attendance or figure or (own_date and relative)):
            continue
        anchor = attendance or verb
        sub = "attendance" if attendance else None
        return Trigger(
            "event", start, start + anchor.end(), subtype=sub, extra={"clause": m.group("wh").lower(), "wh_end": end}
        )
    return None


def _merge_opinions(found: list[Trigger]) -> list[Trigger]:
    """Adjacent opinion markers ("have demonstrated that ... results in") make one opinion claim."""
    out: list[Trigger] = []
    for t in found:
        if out and t.type == "opinion" and out[-1].type == "opinion":
            out[-1] = Trigger("opinion", out[-1].start, t.end, subtype=f"{out[-1].subtype}; {t.subtype}")
        else:
            out.append(t)
    return out


def _event_trigger(s: str, dates: list[tuple[int, int]] | tuple = (), shared: str | None = None) -> Trigger | None:
    has_date = P.YEAR.search(s) or dates
    verb = _EVENT_VERB.search(s)
    noun_visit = re.search(
        r"\b(?:his|her|their|its|the)\s+(?:1[89]\d\d|20\d\d)\s+(?:state |official )?(?:visit|trip|tour)\b", s
    )
    attendance = _ATTENDANCE.search(s)
    undated = None if has_date else _UNDATED_VERB.search(s)
    if attendance:
        verb = attendance
    if not has_date and undated is None:
        return None
    if not has_date:
        verb = undated
    if not (verb or noun_visit):
        return None
    named = any(
        m.kind in {"country", "city", "person", "format", "agency", "region"} for m in find_mentions(shared or s)
    )
    # A leader named earlier ("In 2011 Lee returned"), a pronoun or "both countries" also tie the clause to entities.
    referring = re.search(
        r"\b(?:he|she|they|both countries|the two countries)\b|(?<=\s)[A-Z][a-z]+\s+(?:returned|visited|went)"
        r"|\b(?:the|this|that)\s+(?:\w+\s+){0,2}(?:premier|prime minister|president|summit|meeting|forum)\b",
        s,
        re.I,
    )
    # An organisation or programme by its proper name ("the Shanghai Co-operation Organization", "ECO").
    proper = re.search(r"(?<=\s)[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|of|for))*[ -][A-Z][a-z]+\b|\b[A-Z]{3,}\b", s)
    if not (named or referring or proper):
        return None
    anchor = noun_visit or verb
    sub = "visit_noun" if noun_visit else "attendance" if attendance else None
    return Trigger("event", anchor.start(), anchor.end(), subtype=sub, extra={"undated": not has_date})


def _resolve(found: list[Trigger]) -> list[Trigger]:
    found.sort(key=lambda t: (_PRIORITY.index(t.type), t.start))
    kept: list[Trigger] = []
    for t in found:
        if all(t.end <= k.start or t.start >= k.end for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.start)
