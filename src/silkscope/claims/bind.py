"""Bind each claim to its period, partners, scope, leader, format and indicator, with carry-over between sentences."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from silkscope.claims import dates as D
from silkscope.claims import patterns as P
from silkscope.claims import trade_terms
from silkscope.claims.entities import Mention, find_mentions, is_c5
from silkscope.countries import WORLD_CODE

_INDICATORS = [
    ("finance", r"\b(?:ODA|official development assistance|development assistance|aid|assistance|grants?|loans?|lent|"
     r"lend\w*|credits?|disburs\w*|commit\w*|pledg\w*|development finance|official finance|concessional|spent)\b"),
    ("investment", r"\b(?:invest\w*|FDI|direct investment)\b"),
    ("trade", r"\b(?:trade|turnover|exports?|imports?|exported|imported)\b"),
    ("remittances", r"\bremittances?\b"),
]  # fmt: skip
_POLL = re.compile(r"\b(?:polls?|survey\w*|respondents|opinion|named|view(?:ed|s)?|favou?rabl\w*|admired)\b", re.I)
_CUMULATIVE = re.compile(r"\b(?:accumulated|cumulative(?:ly)?|in total|a total of|so far|to date|altogether)\b", re.I)
_AFTER = re.compile(r"\b(?:following|after|since)\b", re.I)
_PRONOUN = re.compile(r"\b(?:he|she|his|her)\b", re.I)
_NOW = re.compile(r"\b(?:currently|now|at present|presently|today|these days|this year)\b", re.I)
_PRESENT = re.compile(r"\b(?:is|are|has|have)\s+(?:being\s+|now\s+)?(?:\w+ed|\w+ing|in)\b|\b(?:takes?|begins?)\b", re.I)
_COUNTERPART = re.compile(
    r"\b(?:meet|meets|met|meeting|talks with|talk with|held talks with|counterpart,?|hosted by|received by|"
    r"welcomed by|with)\s+(?:(?:his|her|their|the)\s+)?(?:[A-Z][\w'’.-]*\s+){0,3}$"
)


@dataclass
class Cue:
    start: int
    end: int
    years: list[int]
    kind: str  # point, range, since, by, after
    month: int | None = None
    day: int | None = None
    read: str | None = None  # how a date without a year was resolved ("'Tuesday' read as 2006-08-29 (...)")
    end_day: int | None = None


def period_cues(s: str, base: date | None = None, context: date | None = None) -> list[Cue]:
    """The dates of a sentence; `base` (the article's date) resolves those without a year ("on Friday")."""
    cues: list[Cue] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in P.INDEPENDENCE.finditer(s):
        cues.append(Cue(m.start(), m.end(), [1991], "since"))
        taken.append(m.span())
    for f in D.find(s, base, context):
        # Dates without a year, and day ranges with one ("From May 18 to 19, 2023"); other dated forms below.
        if (f.stated_year and f.end_day is None) or not free(f.start, f.end):
            continue
        if f.stated_year and P.RANGE.search(s[f.start : f.end]):
            continue
        kind = "point" if f.end_day else _word_kind(s, f.start)
        cues.append(Cue(f.start, f.end, [f.year], kind, f.month, f.day, f.how or None, f.end_day))
        taken.append((f.start, f.end))
    for m in P.RANGE.finditer(s):
        if not free(*m.span()):
            continue
        a = int(m.group("a") or m.group("c"))
        b_text = m.group("b") or m.group("d")
        b = int(b_text) if len(b_text) == 4 else int(str(a)[:2] + b_text)
        if b >= a:
            cues.append(Cue(m.start(), m.end(), [a, b], "range"))
            taken.append(m.span())
    for m in P.DATE.finditer(s):
        if not free(*m.span()):
            continue
        month = P.MONTHS.get(m.group("mon").lower().rstrip("."))
        if month is None:
            month = next((v for k, v in P.MONTHS.items() if k.startswith(m.group("mon").lower()[:3])), None)
        day = m.group("d1") or m.group("d2")
        cues.append(
            Cue(m.start(), m.end(), [int(m.group("y"))], _word_kind(s, m.start()), month, int(day) if day else None)
        )
        taken.append(m.span())
    for m in P.YEAR.finditer(s):
        if not free(*m.span()):
            continue
        kind = _word_kind(s, m.start())
        month = 1 if re.search(r"(?:start|beginning) of\s+$", s[max(0, m.start() - 25) : m.start()], re.I) else None
        cues.append(Cue(m.start(), m.end(), [int(m.group("y"))], kind, month))
    return sorted(cues, key=lambda c: c.start)


def _word_kind(s: str, pos: int) -> str:
    m = P.PERIOD_WORD.search(s[max(0, pos - 30) : pos])
    word = (m.group("w") or "").lower() if m else ""
    if word in {"since", "from"}:
        return "since"
    if word in {"by", "as of", "until", "through"}:
        return "by"
    if word in {"after", "following"}:
        return "after"
    return "point"


class Binder:
    """Per-document state: the article's main partner and region, and what the previous sentences were about."""

    def __init__(self, text: str, as_of: int | None, published: date | None = None) -> None:
        self.as_of = as_of
        # Dates without a year are read against the article's date; an --as-of year other than the publication's
        # moves that base to the end of the as-of year.
        if published is not None and (as_of is None or as_of == published.year):
            self.base: date | None = published
        else:
            self.base = date(as_of, 12, 31) if as_of else None
        self.context: date | None = None  # the last full date the article gave ("on the 16th" is of its month)
        mentions = find_mentions(text)
        counts = Counter(m.iso3 for m in mentions if m.kind in {"country", "person", "agency"} and m.iso3)
        outside = [(n, iso3) for iso3, n in counts.items() if not is_c5(iso3)]
        self.main_partner = max(outside)[1] if outside else None
        regions = Counter(m.iso3 for m in mentions if m.kind == "region")
        self.default_scope = (
            "C5"
            if regions or not counts
            else max(((n, iso3) for iso3, n in counts.items() if is_c5(iso3)), default=(0, "C5"))[1]
        )
        self.paragraph = -1
        self.last: dict[str, object] = {}
        self.pair: str | None = None  # the one Central Asian state of the last event, for "both countries"

    def start_sentence(self, sentence, s: str) -> None:
        if sentence.paragraph != self.paragraph:
            self.paragraph = sentence.paragraph
            for key in ("period", "partner", "scope", "poll", "kind", "indicator"):
                self.last.pop(key, None)
        self.s = s
        self.mentions = find_mentions(s)
        self.cues = period_cues(s, self.base, self.context)
        for c in self.cues:
            if c.day and c.month:
                self.context = date(c.years[0], c.month, c.day)

    def end_sentence(self) -> None:
        for m in self.mentions:
            if m.kind == "person":
                self.last["person"] = m
            elif m.kind == "format":
                self.last["format"] = m.name

    # --- binding --------------------------------------------------------------------------------------------------

    def set_spans(self, spans: list[tuple[int, int, object]]) -> None:
        """The spans of every claim of the sentence: a relative clause that is another claim ("..., which started
        in Kazakhstan in 2004") keeps its own dates and places (binding stays within the clause holding them)."""
        self.spans = spans

    def _foreign(self, a: int, b: int) -> list[tuple[int, int]]:
        """Relative clauses of the sentence that are other claims than the span a..b."""
        return [
            (x, y)
            for x, y, t in getattr(self, "spans", [])
            if (x, y) != (a, b)
            and (t.extra.get("clause") in {"which", "who"} or re.match(r"(?:which|who)\s", self.s[x:y]))  # type: ignore[attr-defined]
        ]

    def bind(self, claim, a: int, b: int, trigger) -> None:
        foreign = self._foreign(a, b)
        for cut in (m.start() for m in P.REPORTED.finditer(self.s)):  # "..., and sources said ...": another statement
            foreign.append((cut, len(self.s)) if cut >= b else (0, cut) if cut <= a else (cut, cut))
        all_cues, all_mentions = self.cues, self.mentions
        self.cues = [c for c in all_cues if not any(x <= c.start < y for x, y in foreign)]
        self.mentions = [m for m in all_mentions if not any(x <= m.start < y for x, y in foreign)]
        try:
            self._bind(claim, a, b, trigger)
        finally:
            self.cues, self.mentions = all_cues, all_mentions

    def _bind(self, claim, a: int, b: int, trigger) -> None:
        s = self.s
        inside = [m for m in self.mentions if a <= m.start and m.end <= b]
        self._period(claim, a, b, trigger)
        self._people(claim, a, b, trigger, inside)
        self._partners_and_scope(claim, a, b, trigger, inside)
        fmt = next((m.name for m in self.mentions if m.kind == "format"), None)
        carried = claim.subtype in {"ordinal", "attendance", "format_meetings"} or (
            claim.type == "first_or_only" and re.search(r"\bof its kind\b|\bat the level of\b", s, re.I)
        )
        if fmt is None and carried and not any(m.kind == "agency" for m in self.mentions):
            fmt = self.last.get("format")  # "The second summit followed in Astana": the format named before
            claim.extra["format_carried"] = fmt is not None
            if fmt is None and claim.partners and re.search(r"\bsummit", s, re.I) and "Central Asia" in s:
                claim.extra["format_of_partner"] = claim.partners[0]  # "the EU held its first summit with ..."
        claim.format_id = fmt
        claim.agency = next((m.name for m in inside + self.mentions if m.kind == "agency"), None)
        claim.indicator = self._indicator(claim, a, b, trigger)
        span = s[a:b]
        claim.extra["measure"] = _measure(span if claim.type == "amount" else s)
        claim.extra["flow"] = _flow(s)
        claim.extra["price_basis"] = _price_basis(s)
        if claim.type == "count":
            self.last["kind"] = claim.extra.get("kind")
        if claim.period and claim.type in {"amount", "count", "share", "change", "comparison"}:
            self.last["period"] = (claim.period, claim.period_kind, claim.month)  # a figure's year, not an event's

    def _period(self, claim, a: int, b: int, trigger) -> None:
        cues = self.cues
        in_span = [c for c in cues if a <= c.start < b]
        chosen: Cue | None = None
        if trigger.quantity or claim.type in {"share", "comparison"}:
            after = [c for c in in_span if c.start >= trigger.end]
            before = [c for c in in_span if c.start < trigger.start]
            chosen = (after or before[-1:] or [None])[0]
            if chosen is None and claim.type != "change" and len(cues) == 1:
                chosen = cues[0]  # the sentence's only date ("In 2016, ... 18 companies ..., compared to 410 ...")
        else:
            ranged = [c for c in cues if c.kind in {"range", "since"}]
            dated = [c for c in cues if c.kind in {"point", "by", "after"}]
            if claim.type in {"frequency", "first_or_only"} and ranged:
                claim.extra["window"] = [ranged[0].years[0], ranged[0].years[-1] if ranged[0].kind == "range" else None]
            if claim.type == "first_or_only" and dated and claim.subtype != "hedged":
                # "the first ... to visit Uzbekistan following the sanctions imposed in May 2005": a lower bound
                after = [c for c in dated if _AFTER.search(s_before(self.s, c.start, 250))]
                if after and c_after_trigger(after[0], trigger):
                    claim.extra["after"] = [after[0].years[0], after[0].month]
                    claim.period, claim.period_kind, claim.month = list(after[0].years), "after", after[0].month
                    return
            pool = [c for c in cues if a <= c.start < b]
            if not pool and not re.match(r"(?:which|who)\s", self.s[a:b]):
                pool = cues  # a relative clause ("which later became ... the 1st Forum") keeps to its own dates
            chosen = next((c for c in pool if c.kind in {"point", "by", "after"}), None) or (pool[0] if pool else None)
        if claim.type == "change":
            duration = P.DURATION.search(self.s[a:b])
            if duration:
                claim.extra["duration"] = P.parse_number(duration.group("n")) if duration.group("n") else 10
        if chosen is None and trigger.quantity and _NOW.search(self.s[a:b]):
            claim.extra["period_now"] = True  # "which currently has a volume of": the latest year, stated as now
        if chosen is None and claim.type in {"share", "count", "amount"} and "period" in self.last:
            years, kind, month = self.last["period"]  # type: ignore[misc]
            claim.period, claim.period_kind, claim.month = list(years), kind, month
            claim.extra["period_carried"] = True
            return
        if chosen is None and self.base is not None and claim.type == "event":
            # No date in the clause: an event told in the present or future tense ("is attended by", "will be
            # held") is the article's own; a past one is left undated. Either way the date was not stated.
            if D.tense(self.s[a:b]) == "future" or _PRESENT.search(self.s[a:b]):
                claim.period, claim.period_kind, claim.month = [self.base.year], "point", self.base.month
                claim.extra["period_from_article"] = str(self.base)
            return
        if chosen is None:
            return
        if chosen.read:
            claim.extra["date_read"] = chosen.read
        if chosen.end_day:
            claim.extra["end_day"] = chosen.end_day
        claim.period = list(chosen.years)
        if chosen.kind == "since" and self.as_of and claim.period[-1] < self.as_of:
            claim.period = [claim.period[0], self.as_of]  # "since independence": the window up to the article's date
        claim.month, claim.day = chosen.month, chosen.day
        kind = chosen.kind
        if kind == "by" and _CUMULATIVE.search(self.s):
            kind = "cumulative"
        claim.period_kind = {"by": "point"}.get(kind, kind)

    def _people(self, claim, a: int, b: int, trigger, inside: list[Mention]) -> None:
        people = [m for m in inside if m.kind == "person"] or [m for m in self.mentions if m.kind == "person"]
        # The person met or talked with ("due to meet Kazakh President Nazarbayev", "talks with his counterpart")
        # is the counterpart, not the one who travels.
        met = [m for m in people if _COUNTERPART.search(s_before(self.s, m.start, 45))]
        if met and len(met) < len(people):
            people = [m for m in people if m not in met]
        elif met and re.search(r"\b(?:premier|prime minister|president|leader)\b", self.s[a : met[0].start], re.I):
            people = []  # "the Japanese premier is due to meet Nazarbayev": the subject is the leader named before
            claim.extra["counterpart"] = met[0].name
        last = self.last.get("person")
        if not people and last is not None:
            # "he", or the bare family or given name of the leader named before ("In 2011 Lee returned...")
            tokens = {t for t in re.split(r"[\s-]+", last.name or "") if len(t) > 1}  # type: ignore[union-attr]
            words = set(re.findall(r"\b[A-Z][a-z]+\b", self.s[a:b]))
            if _PRONOUN.search(self.s[a:b]) or tokens & words or claim.extra.get("counterpart"):
                people = [last]  # type: ignore[list-item]
                claim.extra["person_carried"] = True
        if people:
            claim.person = people[0].name
        roles = [m for m in inside if m.kind == "role"] or [m for m in self.mentions if m.kind == "role"]
        if roles:
            claim.levels = tuple(roles[0].level.split(","))  # type: ignore[union-attr]
        elif people and people[0].level:
            claim.levels = (people[0].level,)

    def _partners_and_scope(self, claim, a: int, b: int, trigger, inside: list[Mention]) -> None:
        s = self.s
        actors = [m for m in inside if m.kind in {"country", "person", "agency", "city"} and m.iso3]
        outside = [m for m in actors if not is_c5(m.iso3) and m.kind != "city"]
        sentence_outside = [
            m for m in self.mentions if m.kind in {"country", "person", "agency"} and m.iso3 and not is_c5(m.iso3)
        ]
        partners: list[str] = []
        if claim.type in {"count", "amount", "change"}:
            near = [m for m in outside if trigger.start <= m.start <= trigger.end + 45]
            before = [m for m in outside if m.end <= trigger.start]
            pick = near[:1] or before[-1:] or outside[:1]
            partners = [m.iso3 for m in pick]
        elif claim.type == "share" and trigger.unit == "percent":
            after = [m for m in outside if m.start >= trigger.end]
            partners = [m.iso3 for m in (after[:1] or outside[:1])]
            if _POLL.search(s):
                self.last["poll"] = True
        elif claim.type in {"frequency", "first_or_only", "event"}:
            visitors = [m for m in actors if m.kind != "city" and m.start < trigger.end]
            if claim.type == "first_or_only" and claim.subtype == "hedged":
                # "before China, one of the first ... was Japan": the article's own subject, not the foil
                named = [m.iso3 for m in self.mentions if m.iso3 and not is_c5(m.iso3)]
                partners = [self.main_partner] if self.main_partner in named else named[-1:]
            elif (
                claim.type == "frequency"
                and trigger.unit
                and trigger.unit.startswith("qualitative")
                and not claim.person
            ):
                partners = [m.iso3 for m in visitors if not is_c5(m.iso3)]
            elif visitors:
                partners = [visitors[0].iso3] if claim.person is None else [self._person_iso3(claim)]
            elif claim.person:
                partners = [self._person_iso3(claim)]
            else:
                partners = [m.iso3 for m in outside[:1]]
            verb = re.search(r"\b(?:visit\w*|went to|travel+ed|toured|arrived in|returned to|trip|tour)\b", s)
            anchor = min(trigger.start, verb.start() if verb else trigger.start)
            hosts = [m.iso3 for m in actors if m.start >= anchor and m.iso3 not in partners]
            hosts += [m.iso3 for m in self.mentions if m.kind == "city" and m.iso3 not in partners]
            claim.hosts = list(dict.fromkeys(h for h in hosts if h))
            if not claim.hosts and re.search(r"\b(?:both|the two) (?:countries|states|capitals)\b", s, re.I):
                claim.hosts = list(self.last.get("hosts", []))  # type: ignore[arg-type]
                claim.extra["hosts_carried"] = True
            if claim.hosts:
                self.last["hosts"] = claim.hosts
            # Venues: places introduced by 'in' or 'at' ("held in Astana"), not a capital used for its government.
            claim.extra["venues"] = list(
                dict.fromkeys(
                    m.iso3
                    for m in self.mentions
                    if m.kind in {"city", "country"}
                    and m.iso3
                    and re.search(r"\b(?:in|at)\s+(?:the\s+)?$", s[max(0, m.start - 8) : m.start])
                )
            )
            latest = re.search(
                r"\b(?:most recently|last|latest)\b[^.;]{0,20}?\b(?:in|on)\s+$",
                s[: next((c.start for c in self.cues if c.start > trigger.end), 0)],
            )
            if latest:
                claim.extra["latest"] = True
        else:
            partners = [m.iso3 for m in outside] or [m.iso3 for m in sentence_outside]
        if not partners and claim.type in {"count", "amount", "change", "share", "comparison"}:
            partners = [m.iso3 for m in sentence_outside[:1]]
        if not partners and claim.type in {"amount", "change"} and trade_terms.own_total(s, self.mentions):
            partners = [WORLD_CODE]  # the state's trade with all partners: no partner carried from before
            claim.extra["partner_world"] = True
        if not partners and "partner" in self.last:
            partners = [self.last["partner"]]  # type: ignore[list-item]
            claim.extra["partner_carried"] = True
        if not partners and self.main_partner and claim.type != "opinion":
            partners = [self.main_partner]
            claim.extra["partner_default"] = True
        claim.partners = list(dict.fromkeys(p for p in partners if p))
        if self.main_partner and claim.type in {"event", "first_or_only", "frequency"}:
            claim.extra["main_partner"] = self.main_partner  # the article's outside power, for its formats
        if claim.partners:
            self.last["partner"] = claim.partners[0]
        # Scope: a Central Asian place or region in the span, else the sentence's, the paragraph's, the article's.
        claim.scope = self._scope(inside) or self._scope(self.mentions)
        regions = [m for m in self.mentions if m.kind == "region"]
        claim.extra["scope_from"] = "region" if regions else "places" if claim.scope else None
        placeless = not any(m.kind in {"region", "city"} or is_c5(m.iso3) for m in self.mentions)
        if claim.scope is None and "scope" in self.last and (placeless or re.search(r"\bthe country\b", s, re.I)):
            claim.scope = self.last["scope"]  # type: ignore[assignment]
        if claim.scope is None and re.search(r"\bboth countries|\bthe two countries|\bbilateral\b", s, re.I):
            claim.scope = self.pair  # "bilateral trade" after a sentence on Erdogan in Turkmenistan
            claim.extra["scope_carried"] = claim.scope is not None
        if claim.scope is None:
            claim.scope = self.default_scope
            claim.extra["scope_default"] = True
        self.last["scope"] = claim.scope
        single = [h for h in claim.hosts if is_c5(h)] if claim.type == "event" else []
        if len(single) == 1:
            self.pair = single[0]

    def _person_iso3(self, claim) -> str | None:
        from silkscope.claims.entities import LEADERS

        return next((iso3 for full, iso3, _ in LEADERS.values() if full == claim.person), None)

    def _scope(self, mentions: list[Mention]) -> str | None:
        regions = [m.iso3 for m in mentions if m.kind == "region"]
        if regions:
            return regions[0]
        places = list(dict.fromkeys(m.iso3 for m in mentions if m.kind in {"country", "city"} and is_c5(m.iso3)))
        if len(places) == 1:
            return places[0]
        if len(places) > 1:
            return "C5"
        return None

    def _indicator(self, claim, a: int, b: int, trigger) -> str | None:
        s = self.s
        if claim.type == "count":
            return "presence" if claim.extra.get("kind") else "other"
        if claim.type in {"frequency", "first_or_only", "event"}:
            return None
        if claim.type == "share":
            if trigger.unit == "qualitative" and re.search(r"exports?|imports?", s[a:b], re.I):
                return "composition"
            if _POLL.search(s) or self.last.get("poll"):
                return "poll"
            if trigger.unit != "percent":
                return "other"
            one_way = trade_terms.one_way_share(s, trigger.start, trigger.end, self.mentions)
            if one_way:  # a partner's share of the state's exports or imports: (direction, partner, state)
                claim.extra["one_way"] = list(one_way)
                return "trade"
            return "trade" if trade_terms.applies_to_share(s[a:b]) else "other"
        if claim.type == "comparison":
            text = s[a:b]
            if trade_terms.applies_to_rank(text):
                return "trade"
            if re.search(r"compan|firms|enterprises|joint ventures", s, re.I):
                return "presence"
            if re.search(r"visit|trip", text, re.I):
                return "visits"
        span = s[a:b]
        best: tuple[int, str] | None = None
        for name, pattern in _INDICATORS:
            for m in re.finditer(pattern, span, re.I):
                distance = abs(m.start() - (trigger.start - a))
                if best is None or distance < best[0]:
                    best = (distance, name)
        if best is None:
            for name, pattern in _INDICATORS:
                if re.search(pattern, s, re.I):
                    return name
            if claim.type == "change" and re.search(r"compan|firms|enterprises", s, re.I):
                return "presence"
            return "other"
        return best[1]


def c_after_trigger(cue: Cue, trigger) -> bool:
    return cue.start > trigger.end


def s_before(s: str, pos: int, width: int) -> str:
    return s[max(0, pos - width) : pos]


def _measure(text: str) -> str | None:
    if re.search(r"\bnet\b", text, re.I):
        return "disbursement_net"
    if re.search(r"\bdisburs\w*|\bspent\b|\bspend\w*", text, re.I):
        return "disbursement"
    if re.search(r"\bcommit\w*|\bpledg\w*|\bapprov\w*", text, re.I):
        return "commitment"
    return None


def _flow(text: str) -> str | None:
    if re.search(r"\b(?:ODA|official development assistance)\b", text):
        return "oda"
    if re.search(r"\bgrants?\b", text, re.I):
        return "grant"
    if re.search(r"\b(?:loans?|lent|lending|credit line)\b", text, re.I):
        return "loan"
    if re.search(r"\b(?:aid|development assistance)\b", text, re.I):
        return "oda"
    return None


def _price_basis(text: str) -> str | None:
    if re.search(r"\bconstant\b|\bin (?:19|20)\d\d (?:US )?(?:dollars|prices)\b|\breal terms\b", text, re.I):
        return "constant"
    if re.search(r"\bcurrent (?:prices|dollars|US)\b|\bnominal\b", text, re.I):
        return "current"
    return None
