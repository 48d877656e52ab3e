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
# 'exports'/'imports' shares are of one direction, which these checks do not compute: left to the others
ONE_WAY = re.compile(r"\bexports?\b|\bimports?\b", re.I)


def applies_to_share(text: str) -> bool:
    """Whether a percentage is a share of trade turnover (not of one direction, nor of a product)."""
    return bool(re.search(r"\btrad(?:e|ing)\b|\bturnover\b", text, re.I)) and not ONE_WAY.search(text)


def applies_to_rank(text: str) -> bool:
    return bool(RANK.search(text))


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
    after = [
        m for m in mentions if m.start >= match.end() and re.fullmatch(r"\s+(?:of|for)\s+", text[match.end() : m.start])
    ]
    return after[0].iso3 if after else None


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
