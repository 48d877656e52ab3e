"""Entities in running text: countries (names, demonyms, cities), regions, leaders, roles, formats and agencies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from silkscope.actors import actors
from silkscope.countries import C5, registry

# Leaders by the name articles use -> (full name, ISO3, level). Level None: the person held more than one office
# (Medvedev was president, then prime minister), so the date decides and any leader level is accepted.
LEADERS: dict[str, tuple[str, str, str | None]] = {
    r"(?:Junichiro )?Koizumi": ("Junichiro Koizumi", "JPN", "head_of_government"),
    r"(?:Shinzo )?Abe": ("Shinzo Abe", "JPN", "head_of_government"),
    r"(?:Ryutaro )?Hashimoto": ("Ryutaro Hashimoto", "JPN", "head_of_government"),
    r"(?:Keizo )?Obuchi": ("Keizo Obuchi", "JPN", "head_of_government"),
    r"(?:Yasuo )?Fukuda": ("Yasuo Fukuda", "JPN", "head_of_government"),
    r"(?:Taro )?Aso": ("Taro Aso", "JPN", "head_of_government"),
    r"(?:Yukio )?Hatoyama": ("Yukio Hatoyama", "JPN", "head_of_government"),
    r"Naoto Kan": ("Naoto Kan", "JPN", "head_of_government"),
    r"(?:Yoshihiko )?Noda": ("Yoshihiko Noda", "JPN", "head_of_government"),
    r"(?:Yoshihide )?Suga": ("Yoshihide Suga", "JPN", "head_of_government"),
    r"(?:Fumio )?Kishida": ("Fumio Kishida", "JPN", "head_of_government"),
    r"(?:Shigeru )?Ishiba": ("Shigeru Ishiba", "JPN", "head_of_government"),
    r"(?:Sanae )?Takaichi": ("Sanae Takaichi", "JPN", "head_of_government"),
    r"Xi(?: Jinping)?(?!['’]an)": ("Xi Jinping", "CHN", "head_of_state"),
    r"Hu(?: Jintao)?": ("Hu Jintao", "CHN", "head_of_state"),
    r"Jiang Zemin": ("Jiang Zemin", "CHN", "head_of_state"),
    r"Wen Jiabao": ("Wen Jiabao", "CHN", "head_of_government"),
    r"Li Keqiang": ("Li Keqiang", "CHN", "head_of_government"),
    r"Li Qiang": ("Li Qiang", "CHN", "head_of_government"),
    r"(?:Vladimir )?Putin": ("Vladimir Putin", "RUS", "head_of_state"),
    r"(?:Dmitry )?Medvedev": ("Dmitry Medvedev", "RUS", None),
    r"(?:Boris )?Yeltsin": ("Boris Yeltsin", "RUS", "head_of_state"),
    r"Roh Moo-hyun": ("Roh Moo-hyun", "KOR", "head_of_state"),
    r"Lee Myung-bak": ("Lee Myung-bak", "KOR", "head_of_state"),
    r"Park Geun-hye": ("Park Geun-hye", "KOR", "head_of_state"),
    r"Moon Jae-in": ("Moon Jae-in", "KOR", "head_of_state"),
    r"Yoon(?: Suk[- ]Yeol)?": ("Yoon Suk Yeol", "KOR", "head_of_state"),
    r"Lee Jae-myung": ("Lee Jae-myung", "KOR", "head_of_state"),
    r"(?:Barack )?Obama": ("Barack Obama", "USA", "head_of_state"),
    r"(?:Donald )?Trump": ("Donald Trump", "USA", "head_of_state"),
    r"(?:Joe )?Biden": ("Joe Biden", "USA", "head_of_state"),
    r"(?:George W\. )?Bush": ("George W. Bush", "USA", "head_of_state"),
    r"(?:Bill )?Clinton": ("Bill Clinton", "USA", "head_of_state"),
    r"(?:Narendra )?Modi": ("Narendra Modi", "IND", "head_of_government"),
    r"(?:Recep Tayyip )?Erdo[gğ]an": ("Recep Tayyip Erdoğan", "TUR", None),
    r"(?:John )?Kerry": ("John Kerry", "USA", "foreign_minister"),
    r"(?:Sergei )?Lavrov": ("Sergei Lavrov", "RUS", "foreign_minister"),
    r"Wang Yi": ("Wang Yi", "CHN", "foreign_minister"),
    r"(?:Nursultan )?Nazarbayev": ("Nursultan Nazarbayev", "KAZ", "head_of_state"),
    r"(?:Kassym-Jomart )?Tokayev": ("Kassym-Jomart Tokayev", "KAZ", "head_of_state"),
    r"(?:Islam )?Karimov": ("Islam Karimov", "UZB", "head_of_state"),
    r"(?:Shavkat )?Mirziyoyev": ("Shavkat Mirziyoyev", "UZB", "head_of_state"),
    r"(?:Emomali )?Rah?mon(?:ov)?": ("Emomali Rahmon", "TJK", "head_of_state"),
    r"(?:Gurbanguly |Serdar )?Berdimuhamedov": ("Berdimuhamedov", "TKM", "head_of_state"),
    r"(?:Saparmurat )?Niyazov": ("Saparmurat Niyazov", "TKM", "head_of_state"),
    r"(?:Sadyr )?Japarov": ("Sadyr Japarov", "KGZ", "head_of_state"),
    r"(?:Askar )?Akayev": ("Askar Akayev", "KGZ", "head_of_state"),
    r"(?:Kurmanbek )?Bakiyev": ("Kurmanbek Bakiyev", "KGZ", "head_of_state"),
    r"(?:Almazbek )?Atambayev": ("Almazbek Atambayev", "KGZ", "head_of_state"),
}
CITIES = {
    "KAZ": "Astana|Nur-Sultan|Almaty|Alma-Ata|Baikonur",
    "UZB": "Tashkent|Samarkand|Bukhara|Andijan|Khiva|Navoi",
    "KGZ": "Bishkek|Osh|Kant air base|Kant",
    "TJK": "Dushanbe|Khujand",
    "TKM": "Ashgabat|Ashkhabad|Turkmenbashi",
    "JPN": "Tokyo|Hiroshima|Nagoya|Osaka|Kyoto",
    "CHN": "Beijing|Shanghai|Xi['’]an|Urumqi|Qingdao",
    "KOR": "Seoul|Busan",
    "RUS": "Moscow|the Kremlin|Kremlin|St\\.? Petersburg|Sochi|Kazan",
    "USA": "Washington|the White House|White House|New York",
    "TUR": "Ankara|Istanbul",
    "IND": "New Delhi",
}
# Dialogue formats by how articles name them -> format_id in core.dialogue_formats. Two sources, both data: the alias
# list (registry/format_aliases.csv: names no rule derives, such as "C5+1" or "the US–Central Asia summit") and the
# catalogue of formats itself (core.dialogue_formats, or the reference pack's copy before a warehouse is open):
# "<partner> – Central Asia [summit|dialogue|forum|format]" in either order, the partner by any of its names. A
# partner with several formats (Korea's forum and summit) is told apart by the word after the name.
_DASH = r"\s*(?:[-–—+/]|and|[Pp]lus)\s*"
_BARE = r"\s*(?:[-–—+/]|[Pp]lus)\s*"
_SUFFIXES = {
    "summit": r"[Ss]ummits?",
    "dialogue": r"[Dd]ialogue",
    "forum": r"(?:[Cc]ooperation )?[Ff]orum",
    "format": r"format|mechanism|framework",
}
_PARTNER_NAMES = {
    "EUU": ["EU", "European Union"], "USA": ["US", "U.S.", "United States"], "KOR": ["South Korea", "Korea"],
}  # fmt: skip
_FORMAT_ROWS: tuple[tuple[str, str, str], ...] = ()


def _pack_formats() -> tuple[tuple[str, str, str], ...]:
    import csv
    from importlib.resources import files

    with files("silkscope").joinpath("reference_pack/dialogue_formats.csv").open(encoding="utf-8") as f:
        return tuple((r["format_id"], r["name"], r["partner_iso3"]) for r in csv.DictReader(f))


def use_formats(rows: list[tuple[str, str, str]] | tuple) -> None:
    """Name the formats of this warehouse (format_id, name, partner_iso3 from core.dialogue_formats)."""
    global _FORMAT_ROWS
    rows = tuple(sorted(tuple(r) for r in rows))
    if rows and rows != _FORMAT_ROWS:
        _FORMAT_ROWS = rows
        _compiled.cache_clear()


def format_patterns() -> list[tuple[str, str]]:
    """(regex, format_id) for every way the text may name a format, the alias list first."""
    import csv
    from importlib.resources import files

    with files("silkscope").joinpath("registry/format_aliases.csv").open(encoding="utf-8") as f:
        out = [(r["alias"], r["format_id"]) for r in csv.DictReader(f)]
    rows = _FORMAT_ROWS or _pack_formats()
    by_partner: dict[str, list[tuple[str, str]]] = {}
    for fid, fname, partner in rows:
        by_partner.setdefault(partner, []).append((fid, fname.lower()))
    for partner, formats in by_partner.items():
        names = _PARTNER_NAMES.get(partner) or [n for n in [_short_name(partner)] if n]
        alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        for fid, fname in formats:
            kinds = [k for k in _SUFFIXES if k in fname] or ["format"]
            suffix = "|".join(_SUFFIXES[k] for k in kinds)
            tail = rf"\s+(?:{suffix})"
            out.append((rf"(?:{alt}){_DASH}Central Asian?{tail}", fid))
            out.append((rf"Central Asian?{_DASH}(?:{alt}){tail}", fid))
            if len(formats) == 1:  # one format: the hyphenated pair names it ("China–Central Asia cooperation")
                out.append((rf"(?:{alt}){_BARE}Central Asia(?!n)", fid))
                out.append((rf"Central Asia{_BARE}(?:{alt})\b", fid))
    return out


def _short_name(iso3: str) -> str | None:
    from silkscope.countries import name

    try:
        return name(iso3)
    except Exception:  # an unknown code names no format
        return None


_REGIONS = [
    (
        r"Central Asian? and (?:the )?(?:South )?Caucas(?:us|ian)(?: states| countries| republics| region)?",
        "C5_CAUCASUS",
    ),
    (r"(?:the )?four Central Asian (?:states|countries|republics)", "C4_EXCL_TKM"),
    (r"(?:the )?(?:five )?(?:post-Soviet )?Central Asian? (?:states|countries|republics|nations|governments)", "C5"),
    (r"(?:all )?five Central Asian (?:presidents|leaders)|the five (?:states|countries|republics)", "C5"),
    (r"Central Asia|the C5\b", "C5"),
]
ROLE = re.compile(
    r"\b(?P<role>prime ministers?|premiers?|PMs?|presidents?|heads? of state|heads? of government|leaders?|"
    r"foreign ministers?)\b",
    re.I,
)
ROLE_LEVELS = {
    "prime minister": ("head_of_government",),
    "premier": ("head_of_government",),
    "pm": ("head_of_government",),
    "president": ("head_of_state",),
    "head of state": ("head_of_state",),
    "head of government": ("head_of_government",),
    "leader": ("head_of_state", "head_of_government"),
    "foreign minister": ("foreign_minister",),
}
_EXCLUDED_ALIASES = {"Soviet Union", "USSR", "Kirghiz SSR", "European", "America", "Nippon", "Korean"}


@dataclass(frozen=True)
class Mention:
    kind: str  # country, city, region, person, role, format, agency
    start: int
    end: int
    text: str
    iso3: str | None = None  # country of the mention; the group id for a region
    level: str | None = None  # person's office, or role level
    name: str | None = None  # full name of a person, actor id of an agency, format id


@cache
def _country_pattern() -> re.Pattern:
    names: dict[str, str] = {}
    for alias, iso3, kind in registry().alias_rows:
        if kind in {"iso2", "iso3"} or alias in _EXCLUDED_ALIASES or (len(alias) < 4 and alias not in {"US", "UK"}):
            continue
        if "," in alias or "(" in alias:
            continue
        names.setdefault(alias, iso3)
    for extra, iso3 in {"U.S.": "USA", "US": "USA", "EU": "EUU", "PRC": "CHN", "ROK": "KOR", "Korean": "KOR"}.items():
        names[extra] = iso3
    _country_pattern.names = names  # type: ignore[attr-defined]
    # One trie of the ~2,500 names, not an alternation of them: the engine follows one branch per character instead
    # of trying every name at every position (the same matches, longest first; about 20x less time per sentence).
    # The lookahead skips, without entering the trie, every position whose character starts no name.
    return re.compile(rf"(?<![\w.]){_first_chars(names)}(?:{literal_trie(names)})(?![\w$]|\.\w)")


_NOT_A_PERSON = r"(?!['’]?s? (?:University|Airport|Street|Avenue|Prospect|School|Foundation))"


def literal_trie(words) -> str:
    """A regex matching exactly the given literal strings, their common prefixes written once ("Kazakh(?:stan)?"
    instead of "Kazakhstan|Kazakh"). At one position it finds the longest word first and backtracks to a shorter one
    only when what follows the pattern fails, as an alternation sorted longest first does, at a fraction of the cost.
    """
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return emit(root)


def _first_chars(words) -> str:
    """A lookahead for the characters the words start with (empty when one is a space or the class would be huge)."""
    firsts = {w[0] for w in words if w}
    if not firsts or len(firsts) > 200 or any(ch.isspace() for ch in firsts):
        return ""
    return "(?=[" + "".join(re.escape(ch) for ch in sorted(firsts)) + "])"


def _top_level(pattern: str) -> tuple[list[str], int | None]:
    """The pattern's top-level alternatives, and where the group that opens it closes (None if it opens none)."""
    depth, i, start, parts, close = 0, 0, 0, [], None
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":  # an escaped character
            i += 1
        elif ch == "[":  # a character class: its brackets and bars are not structure
            i = pattern.find("]", i + 2)
            if i < 0:
                return [pattern], None
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and close is None and pattern.startswith("("):
                close = i
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]], close


def starts_with_capital(pattern: str) -> bool:
    """True when every string the pattern matches starts with A-Z, judged conservatively from the pattern's text: each
    alternative starts with a capital, or with a non-capturing group whose alternatives do (if the group is optional,
    what follows it must too). Anything else answers False, and no prefilter is used."""
    branches, _ = _top_level(pattern)
    if len(branches) > 1:
        return all(starts_with_capital(b) for b in branches)
    if "A" <= pattern[:1] <= "Z":
        return True
    _, close = _top_level(pattern)
    if not pattern.startswith("(?:") or close is None or not starts_with_capital(pattern[3:close]):
        return False
    rest = pattern[close + 1 :]
    if rest[:1] in {"?", "*"}:
        return starts_with_capital(rest[1:].removeprefix("?"))  # an optional group: what follows may come first
    return rest[:1] != "{"


def _alternation(
    items: list[tuple[str, object]], wrap: str = r"\b(?:{})\b", literal: bool = False
) -> tuple[re.Pattern, Any]:
    """One regex for many patterns: group g<i> tells which item matched (one scan per kind, not one per item).

    Literal items are one trie (see literal_trie), the value looked up by the text matched; when every item can only
    start with a capital letter, a lookahead lets the scan skip every other position before trying the items (the
    matches are the same)."""
    if literal:  # the value is looked up by the text matched
        texts = [t for t, _ in items]
        return re.compile(_first_chars(texts) + wrap.format(literal_trie(texts))), dict(reversed(items))
    parts = [f"(?P<g{i}>{pattern})" for i, (pattern, _) in enumerate(items)]
    head = "(?=[A-Z])" if items and all(starts_with_capital(p) for p, _ in items) else ""
    return re.compile(head + wrap.format("|".join(parts))), [value for _, value in items]


@cache
def _compiled() -> dict[str, tuple[re.Pattern, Any]]:
    labels: dict[str, str] = {}
    for actor in actors().values():
        for label in (actor.name, *actor.aliases):
            if len(label) >= 3:
                labels.setdefault(label, actor.actor_id)
    agencies = sorted(labels.items(), key=lambda kv: -len(kv[0]))
    return {
        # "Nazarbayev University" and "Karimov Street" are places, not the leaders.
        "person": _alternation(list(LEADERS.items()), r"\b(?:{})\b" + _NOT_A_PERSON),
        "city": _alternation([(p, iso3) for iso3, p in CITIES.items()]),
        "format": _alternation(format_patterns(), r"\b(?:{})"),
        "region": _alternation(_REGIONS),
        "agency": _alternation(agencies, literal=True),
    }


def _scan(kind: str, text: str):
    pattern, values = _compiled()[kind]
    for m in pattern.finditer(text):
        yield m, values[m.group()] if isinstance(values, dict) else values[int(m.lastgroup[1:])]  # type: ignore


def find_mentions(text: str) -> list[Mention]:
    """All entity mentions, longest first where they overlap, in text order (a sentence is scanned once: binding,
    triggers and checks ask about the same sentences)."""
    return list(_mentions(text, _FORMAT_ROWS))


@lru_cache(maxsize=4096)
def _mentions(text: str, formats: tuple) -> tuple[Mention, ...]:
    return tuple(_find_mentions(text))


def _find_mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    found += [Mention("format", m.start(), m.end(), m.group(), name=str(v)) for m, v in _scan("format", text)]
    found += [Mention("region", m.start(), m.end(), m.group(), iso3=str(v)) for m, v in _scan("region", text)]
    for m, aid in _scan("agency", text):
        home = actors()[str(aid)].country_iso3
        found.append(Mention("agency", m.start(), m.end(), m.group(), iso3=home, name=str(aid)))
    for m, (full, iso3, level) in _scan("person", text):  # type: ignore[misc]
        found.append(Mention("person", m.start(), m.end(), m.group(), iso3, level, full))
    found += [Mention("city", m.start(), m.end(), m.group(), iso3=str(v)) for m, v in _scan("city", text)]
    names = _country_pattern()
    lookup = _country_pattern.names  # type: ignore[attr-defined]
    found += [Mention("country", m.start(), m.end(), m.group(), lookup[m.group()]) for m in names.finditer(text)]
    for m in ROLE.finditer(text):
        key = re.sub(r"s$", "", m.group("role").lower()).replace("heads", "head")
        key = "pm" if key in {"pm", "pms"} else key
        levels = ROLE_LEVELS.get(key) or ROLE_LEVELS.get(key.rstrip("s"), ("head_of_state", "head_of_government"))
        found.append(Mention("role", m.start(), m.end(), m.group(), level=",".join(levels)))
    # Keep the longest of overlapping mentions (a format name contains country names; a city can hold a leader's).
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    kept: list[Mention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def is_c5(iso3: str | None) -> bool:
    return iso3 in C5


def group_members(group_id: str) -> tuple[str, ...]:
    return registry().groups[group_id].members
