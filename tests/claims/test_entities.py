"""The entity scan's cheaper patterns: a trie of literal names finds what the longest-first alternation found, and the
capital-letter prefilter is only used where every pattern of a kind must start with a capital."""

from __future__ import annotations

import random
import re

from silkscope.claims import entities as E
from silkscope.claims.entities import find_mentions, literal_trie, starts_with_capital


def _alternation(words: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def test_trie_matches_what_the_sorted_alternation_matches():
    words = ["Gondor", "Gondor Republic", "Gond", "Rohan", "Rohan's", "Ro", "Isen.gard", "Mordor (Old)", "Dale"]
    wrap = r"(?<![\w.])(?:{})(?![\w$]|\.\w)"
    old = re.compile(wrap.format(_alternation(words).pattern))
    new = re.compile(wrap.format(literal_trie(words)))
    rng = random.Random(7)
    pieces = [*words, "Gondorian", "Rohans", "Isen", "gard", ".", " ", ", ", "$", "Dales", "Mordor"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) + rng.choice([" ", "", ". ", "-"]) for _ in range(12))
        assert [(m.start(), m.group()) for m in old.finditer(text)] == [
            (m.start(), m.group()) for m in new.finditer(text)
        ], text


def test_trie_prefers_the_longest_name_that_fits():
    pattern = re.compile(rf"\b(?:{literal_trie(['New', 'New Amsterdam', 'New Amsterdam Port'])})\b")
    found = pattern.findall("to New Amsterdam Portside and New Amsterdam Port")
    assert found == ["New Amsterdam", "New Amsterdam Port"]


def test_capital_prefilter_only_where_every_alternative_starts_with_a_capital():
    assert starts_with_capital("(?:Gurbanguly |Serdar )?Berdimuhamedov")
    assert starts_with_capital(r"(?:US|U\.S\.|United States)\s*(?:[-–—+]|and)\s*Central Asia")
    assert starts_with_capital("Xi(?: Jinping)?(?!['’]an)")
    assert not starts_with_capital("Moscow|the Kremlin")  # one alternative starts lowercase
    assert not starts_with_capital("(?:the )?Kremlin")  # an optional lowercase group
    assert not starts_with_capital("[A-Z]x")  # a class: not judged, so no prefilter
    assert not starts_with_capital("(?:A){2}")
    kinds = E._compiled()
    assert kinds["person"][0].pattern.startswith("(?=[A-Z])")
    assert not kinds["city"][0].pattern.startswith("(?=")  # "the White House" starts lowercase


def test_mentions_unchanged_by_the_cheaper_patterns():
    text = (
        "The U.S. and the Kyrgyz Republic met in the White House; JICA and KOICA, Japan's and South Korea's agencies, "
        "joined a C5+1 summit with President Tokayev in Astana. Kazakhstani and Uzbek officials, Nazarbayev "
        "University and Karimov Street aside, spoke of Central Asia and the Caucasus."
    )
    got = [(m.kind, m.text, m.iso3 or m.name) for m in find_mentions(text)]
    assert ("country", "U.S.", "USA") in got
    assert ("country", "Kyrgyz Republic", "KGZ") in got
    assert ("city", "the White House", "USA") in got
    assert ("agency", "JICA", "JPN") in got and ("agency", "KOICA", "KOR") in got
    assert ("format", "C5+1 summit", "fmt_c5_plus_1") in got
    assert any(k == "person" and t == "Tokayev" for k, t, _ in got)
    assert not any(k == "person" and t in {"Nazarbayev", "Karimov"} for k, t, _ in got)
    assert ("region", "Central Asia and the Caucasus", "C5_CAUCASUS") in got
