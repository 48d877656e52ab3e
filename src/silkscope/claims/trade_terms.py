"""The words that make a claim one about a partner's place in a state's trade: a share of its trade turnover, or its
rank among the state's trading partners (claims.bind reads them; claims.checks.trade_share checks such claims)."""

from __future__ import annotations

import re

# "largest", "second-largest", "third biggest", "top", "main", "leading": the rank a sentence gives a partner
RANK = re.compile(
    r"(?P<one_of>\bone of\s+(?:the\s+|its\s+|\w+'s\s+)?)?"
    r"\b(?:(?P<nth>second|third|2nd|3rd)[- ](?:largest|biggest|most important)"
    r"|(?P<first>largest|biggest|top|main|leading|principal|chief|most important))\b"
    r"(?:\s+\w+){0,2}?\s+(?:trad(?:e|ing)\s+partner(?P<plural>s)?|partners? in trade)",
    re.I,
)
NTH = {"second": 2, "2nd": 2, "third": 3, "3rd": 3}
# The same ranks by one direction of the state's trade: "Kazakhstan's largest export market", "the main buyers of
# Kyrgyzstan's exports", "the largest source of Kazakhstan's imports", "its second-largest import partner". A bare
# "main supplier" or "largest market" is not one: a supplier of gas, a market for wheat.
_OF_STATES = r"(?=s?\s+(?:of|for|to)\s+(?:the\s+)?(?:[^\W\d][\w-]*['’]s?\s+|its\s+)?(?:\w+\s+)?{}\b)"
RANK_WAY = re.compile(
    r"(?P<one_of>\bone of\s+(?:the\s+|its\s+|\w+'s\s+)?)?"
    r"\b(?:(?P<nth>second|third|2nd|3rd)[- ](?:largest|biggest|most important)"
    r"|(?P<first>largest|biggest|top|main|leading|principal|chief|most important))\s+"
    r"(?:(?P<exports>export\s+(?:market|destination|partner)|(?:buyer|customer|market|destination)"
    + _OF_STATES.format("exports")
    + r")|(?P<imports>import\s+(?:source|partner|supplier)|(?:supplier|source)"
    + _OF_STATES.format("imports")
    + r"))(?P<plural>s)?\b",
    re.I,
)
# 'exports'/'imports': a share of one direction (one_way_share reads those), never of the state's turnover
ONE_WAY = re.compile(r"\bexports?\b|\bimports?\b", re.I)


def applies_to_share(text: str) -> bool:
    """Whether a percentage is a share of trade turnover (not of one direction, nor of a product)."""
    return bool(re.search(r"\btrad(?:e|ing)\b|\bturnover\b", text, re.I)) and not ONE_WAY.search(text)


def applies_to_rank(text: str) -> bool:
    return ranking(text) is not None


def ranking(text: str) -> tuple[re.Match, str | None] | None:
    """The words ranking a partner among a state's trading partners, and by which direction of its trade: (match,
    None) by turnover, (match, "exports"|"imports") by one direction; None when the text ranks no trading partner."""
    m = RANK.search(text)
    if m:
        return m, None
    m = RANK_WAY.search(text)
    return (m, "exports" if m.group("exports") else "imports") if m else None


def owner(text: str, match: re.Match, mentions) -> str | None:
    """The country whose partners a ranking ranks: "<X>'s largest trading partner", or "... trading partner of <X>"
    (None when the sentence does not say: "Kazakhstan is China's largest partner" ranks China's partners)."""
    before = [
        m
        for m in mentions
        if m.end <= match.start() and re.fullmatch(r"['’]s\s+(?:\w+\s+)?", text[m.end : match.start()])
    ]
    if before:
        return before[-1].iso3
    after = [m for m in mentions if m.start >= match.end() and _AFTER_OWNER.fullmatch(text[match.end() : m.start])]
    return after[0].iso3 if after else None


# "... trading partner of <X>", "... source of imports for <X>", "... buyer of exports from <X>"
_AFTER_OWNER = re.compile(r"\s+(?:(?:of|for)\s+(?:the\s+)?(?:exports|imports)\s+)?(?:of|for|from)\s+", re.I)


# "Kazakhstan's exports", "Uzbekistan's total trade", "Kyrgyzstan's foreign trade turnover": a state's trade with
# all partners together (its statistics' total row, partner WLD), not with a partner a previous sentence named
_OWN_TOTAL = re.compile(
    r"^['’]s\s+(?:(?:total|overall|foreign|external|annual|goods)\s+){0,2}"
    r"(?:trade(?:\s+turnover)?|turnover|exports|imports)\b",
    re.I,
)


def own_total(text: str, mentions) -> str | None:
    """The one Central Asian state (or region: "Central Asia's total trade") whose trade with all partners `text`
    states a figure of, or None."""
    from silkscope.countries import C5

    owners = {m.iso3 for m in mentions if (m.iso3 in C5 or m.kind == "region") and _OWN_TOTAL.match(text[m.end :])}
    return owners.pop() if len(owners) == 1 else None


# A partner's share of one direction of a state's trade, said in one of three shapes around the percentage:
#   "<partner> accounted for / took / supplied N% of <state>'s exports|imports"
#   "N% of <state>'s exports went to <partner>", "N% of its imports came from <partner>"
#   "<partner>'s share of <state>'s exports was N%"
# Nothing else is read as one: "oil made up 60% of Kazakhstan's exports" names no partner as the part, and
# "70% of its exports to China were metals" is a share of the trade with one partner, by product.
_LEAD = re.compile(
    r"\s*(?:alone\s+)?(?:accounted|accounts|account|accounting)\s+for\s+"
    r"|\s*(?:took|takes|take|received|receives|bought|buys|absorbed|absorbs|supplied|supplies|provided|provides"
    r"|made up|makes up|represented|represents|was the destination of|is the destination of|was the source of"
    r"|is the source of)\s+"
    r"(?:(?:about|around|some|nearly|almost|over|more than|roughly|approximately|just under|just over|less than|under"
    r"|only|a)\s+)*$",
    re.I,
)
_OF_WAY = re.compile(
    r"\s*(?:per\s?cent\s+|percent\s+)?of\s+(?:(?P<its>its|their|the country's|the country['’]s)\s+|the\s+)?"
    r"(?:(?P<state>[^\W\d][\w\s-]{1,40}?)['’]s?\s+)?"
    r"(?:(?:total|overall|foreign|annual|goods|merchandise)\s+){0,2}(?P<way>export|import)s\b(?P<rest>.{0,80})",
    re.I | re.S,
)
_WENT = {
    "export": re.compile(
        r"\s+(?:went|go|goes|were sent|was sent|were shipped|was shipped|were destined|was destined"
        r"|were bought by|was bought by|were sold|was sold)\s+(?:to\s+)?$",
        re.I,
    ),
    "import": re.compile(
        r"\s+(?:came|come|comes|originated|originate|were sourced|was sourced|were bought)\s+(?:from|in)\s+$", re.I
    ),
}
# "Kazakhstan sent N% of its exports to Russia", "bought N% of its imports from China": the verb before the figure
# makes "to/from <partner>" after it the destination of the share, not a bilateral flow split by product
_SENT = {
    "export": re.compile(
        r"\b(?:sent|sends|send|shipped|ships|ship|sold|sells|sell|directed|directs)\s+(?:\w+\s+)?$", re.I
    ),
    "import": re.compile(
        r"\b(?:bought|buys|buy|sourced|sources|source|obtained|obtains|got|gets)\s+(?:\w+\s+)?$", re.I
    ),
}
_TO = {"export": re.compile(r"\s+to\s+$", re.I), "import": re.compile(r"\s+from\s+$", re.I)}
_SHARE_OF = re.compile(
    r"^['’]s?\s+share\s+(?:of|in)\s+(?:(?P<its>its|their)\s+|the\s+)?(?:(?P<state>[^\W\d][\w\s-]{1,40}?)['’]s?\s+)?"
    r"(?:(?:total|overall|foreign|annual|goods|merchandise)\s+){0,2}(?P<way>export|import)s\b.{0,60}?"
    r"\b(?:was|is|stood at|reached|amounted to|rose to|fell to|grew to|of)\s+"
    r"(?:(?:about|around|some|nearly|almost|over|more than|roughly|approximately|just under|just over)\s+)*$",
    re.I | re.S,
)


def one_way_share(text: str, start: int, end: int, mentions) -> tuple[str, str, str | None] | None:
    """(direction "exports"|"imports", partner ISO3, state ISO3 or None for "its") when the percentage at
    text[start:end] is a partner's share of a state's exports or imports, in one of the shapes above; else None."""
    countries = [m for m in mentions if m.kind in {"country", "region"} and m.iso3]
    of = _OF_WAY.match(text, end)
    if of:
        state = _named(of, "state", countries)
        if state is False:
            return None  # "of the company's exports": not a state's
        way = of.group("way").lower()
        sent = _SENT[way].search(text[max(0, start - 40) : start]) and _went(of, countries, _TO)
        if sent and sent.iso3 != state:
            return way + "s", sent.iso3, state
        if re.match(r"\s+(?:to|from|of)\s", of.group("rest")) and not _went(of, countries):
            return None  # "exports to China were ...", "imports of machinery": a split of one flow
        leading = [m for m in countries if m.end <= start and _LEAD.fullmatch(text[m.end : start])]
        if leading and leading[-1].iso3 != state:
            return way + "s", leading[-1].iso3, state
        went = _went(of, countries)
        if went and went.iso3 != state:
            return way + "s", went.iso3, state
        return None
    for m in countries:  # "<partner>'s share of <state>'s exports was N%"
        shared = _SHARE_OF.match(text[m.end : start])
        if shared:
            state = _named(shared, "state", countries, offset=m.end)
            if state is not False and m.iso3 != state:
                return shared.group("way").lower() + "s", m.iso3, state
    return None


def _named(match: re.Match, group: str, countries, offset: int = 0) -> str | bool | None:
    """The country a match's possessive names (None: none named, "its"; False: the words name no country)."""
    if match.group(group) is None:
        return None
    at = match.start(group) + offset
    named = [m for m in countries if m.start == at]
    return named[0].iso3 if named else False


def _went(of: re.Match, countries, words: dict[str, re.Pattern] = _WENT):
    """The partner of "... exports went to <partner>" / "... imports came from <partner>" (or the words given, by
    direction), or None."""
    way, rest_at = of.group("way").lower(), of.start("rest")
    pattern = words[way]
    for m in countries:
        if m.start >= rest_at and pattern.fullmatch(of.string[rest_at : m.start]) and _ENDS.match(of.string, m.end):
            return m
    return None


# What may follow the partner of "... went to <partner>": the sentence's end, a date, another clause; not "as metals"
_ENDS = re.compile(r"\s*(?:$|[,.;:)]|(?:in|during|by|and|while|whereas|compared|up|down|from|last|this)\b)", re.I)
