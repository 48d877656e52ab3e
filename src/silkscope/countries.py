"""Country registry and the one resolver that turns any name or code into ISO3 (or a group into members)."""

from __future__ import annotations

import csv
import difflib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import pycountry

from silkscope.errors import UnknownCountryError

# The EU is a partner in its own right but has no ISO 3166 code; EUU is the World Bank's code for it.
EU_CODE = "EUU"
C5 = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
DEFAULT_PARTNERS = ("JPN", "CHN", "KOR", "RUS", "USA", "EUU", "TUR", "IND")
# A reporter's trade with all partners together, as its statistics publish it (their total row): stored as a
# trade fact whose partner is WLD (the World Bank's and UN Comtrade's code for the world). It is no partner: never
# in a partner universe, a share's partners or a rank, and no text resolves to it; it is the denominator of a
# state's trade shares. Not in the registry's countries: WDI files use WLD for their world aggregate rows too.
WORLD_CODE = "WLD"
WORLD_NAME = "All partners (the reporter's total)"


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str | None
    iso_numeric: int | None  # also the UN M49 code for countries
    name: str
    official_name: str | None
    common_name: str
    dac_code: int | None
    role: str  # central_asia, caucasus, partner, dac_member, other


@dataclass(frozen=True)
class Group:
    group_id: str
    name: str
    members: tuple[str, ...]
    definition: str


@dataclass
class Registry:
    countries: dict[str, Country]
    groups: dict[str, Group]
    # normalised key -> (iso3, kind of alias); built once, used by every resolve call
    index: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (alias as written, iso3, kind) for every name the resolver knows; loaded into core.country_aliases
    alias_rows: set[tuple[str, str, str]] = field(default_factory=set)


def normalise(text: str) -> str:
    """Casefold, strip accents and punctuation, drop a leading 'the': 'the Kyrgyz Rep.' -> 'kyrgyz rep'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ı", "i").casefold()
    cleaned = "".join(ch if ch.isalnum() else " " for ch in plain)
    words = cleaned.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


TRANSLATED_LANGUAGES = ("ru", "kk", "ky", "uz")


def _translation(lang: str):
    import gettext

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]).gettext


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("silkscope.registry").joinpath(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def registry() -> Registry:
    extra = {row["country_iso3"]: row for row in _read_csv("countries.csv")}
    countries: dict[str, Country] = {}
    for c in pycountry.countries:
        row = extra.get(c.alpha_3, {})
        countries[c.alpha_3] = Country(
            iso3=c.alpha_3,
            iso2=c.alpha_2,
            iso_numeric=int(c.numeric),
            name=c.name,
            official_name=getattr(c, "official_name", None),
            common_name=row.get("common_name") or getattr(c, "common_name", None) or c.name,
            dac_code=int(row["dac_code"]) if row.get("dac_code") else None,
            role=row.get("role") or "other",
        )
    # Codes outside ISO 3166 that publishers use: the EU as a partner, Kosovo as a recipient.
    for code, display in ((EU_CODE, "European Union"), ("XKX", "Kosovo")):
        row = extra[code]
        countries[code] = Country(code, None, None, display, None, display, int(row["dac_code"]), row["role"])

    groups = {
        row["group_id"]: Group(row["group_id"], row["name"], tuple(row["members"].split(";")), row["definition"])
        for row in _read_csv("groups.csv")
    }
    reg = Registry(countries=countries, groups=groups)

    def add(alias: str, iso3: str, kind: str) -> None:
        key = normalise(alias)
        if not key:
            return
        # First writer wins: ISO codes and official names are added before looser aliases.
        reg.index.setdefault(key, (iso3, kind))
        reg.alias_rows.add((alias, iso3, kind))

    for c in countries.values():
        add(c.iso3, c.iso3, "iso3")
        if c.iso2:
            add(c.iso2, c.iso3, "iso2")
        add(c.name, c.iso3, "name")
        add(c.common_name, c.iso3, "name")
        if c.official_name:
            add(c.official_name, c.iso3, "official_name")
    # Names in the languages of the region's statistics offices, from pycountry's own iso3166-1 translations (a
    # maintained source): Kazakh, Kyrgyz, Russian and Uzbek publishers name partners in these. Spellings a
    # publisher uses that differ from these are curated in aliases.csv.
    for lang in TRANSLATED_LANGUAGES:
        translate = _translation(lang)
        for c in pycountry.countries:
            for english in {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)} - {None}:
                local = translate(english)
                if local != english:
                    add(local, c.alpha_3, f"name_{lang}")
    for row in _read_csv("aliases.csv"):
        iso3 = row["country_iso3"]
        if iso3 not in countries:  # a typo here would silently resolve to nothing
            raise AssertionError(f"registry/aliases.csv: alias {row['alias']!r} points to unknown {iso3}")
        # Curated aliases override pycountry's two-letter codes where they collide ("US" is fine; "EU" is not
        # an ISO code, and "UK" is not GB's ISO code).
        reg.index[normalise(row["alias"])] = (iso3, row["kind"])
        reg.alias_rows.add((row["alias"], iso3, row["kind"]))
    for g in groups.values():
        for member in g.members:
            if member not in countries:
                raise AssertionError(f"registry/groups.csv: group {g.group_id} has unknown member {member}")
    return reg


def _numeric_lookup(code: str) -> str | None:
    if code.isdigit():
        reg = registry()
        num = int(code)
        for c in reg.countries.values():
            if c.iso_numeric == num:
                return c.iso3
    return None


def near_matches(value: str, limit: int = 5) -> list[str]:
    """Known names close to `value`, formatted 'Name (ISO3)', best first."""
    reg = registry()
    key = normalise(value)
    keys = difflib.get_close_matches(key, list(reg.index), n=limit * 3, cutoff=0.6)
    # Substring hits catch 'kyrgyz' -> 'kyrgyzstan' that the ratio may rank low.
    keys += [k for k in reg.index if key and len(key) >= 4 and key in k and k not in keys][:limit]
    seen: list[str] = []
    for k in keys:
        iso3 = reg.index[k][0]
        label = f"{reg.countries[iso3].common_name} ({iso3})"
        if label not in seen:
            seen.append(label)
    return seen[:limit]


def resolve(value: str, *, field_name: str | None = None) -> str:
    """Return the ISO3 code (or EUU) for a country name, alias, demonym, ISO2/ISO3/numeric code.

    Raises UnknownCountryError listing near matches when the value cannot be resolved.
    """
    if value is None or not str(value).strip():
        raise UnknownCountryError(str(value), [], field_name=field_name)
    text = str(value).strip()
    reg = registry()
    hit = reg.index.get(normalise(text))
    if hit:
        return hit[0]
    by_number = _numeric_lookup(text)
    if by_number:
        return by_number
    raise UnknownCountryError(text, near_matches(text), field_name=field_name)


def resolve_dac(code: int | str) -> str:
    """ISO3 for an OECD DAC donor/recipient code known to the registry."""
    num = int(code)
    for c in registry().countries.values():
        if c.dac_code == num:
            return c.iso3
    raise UnknownCountryError(f"DAC code {code}", [])


def resolve_scope(value: str) -> tuple[str, ...]:
    """Members for a group id (C5, EU27...) or a semicolon/comma list of countries; one country -> 1-tuple."""
    text = value.strip()
    groups = registry().groups
    if text.upper() in groups:
        return groups[text.upper()].members
    if text.lower() in {"central asia", "ca", "ca5"}:
        return groups["C5"].members
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    return tuple(resolve(p) for p in parts)


def resolve_list(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """Resolve 'JPN,KOR,China' or a list of names, keeping order and dropping duplicates."""
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if item.strip():
            iso3 = resolve(item)
            if iso3 not in out:
                out.append(iso3)
    return out


def scope_name(value: str) -> str:
    """A scope as a heading says it: a group by its name ('Central Asia (five states)'), else its countries'."""
    members = resolve_scope(value)
    group = value.strip().upper() if value.strip().upper() in registry().groups else None
    if group is None and len(members) > 1:
        group = group_for_members(members)
    return name(group) if group else ", ".join(name(m) for m in members)


def group_for_members(members: tuple[str, ...] | list[str]) -> str | None:
    """The id of the registry group whose members are exactly `members`, if there is one."""
    wanted = set(members)
    for g in registry().groups.values():
        if set(g.members) == wanted:
            return g.group_id
    return None


def name_or_code(code: str | None) -> str:
    """The name people know a country or group by ('–' for none; the code itself when the registry lacks it)."""
    if not code:
        return "–"
    try:
        return name(code)
    except KeyError:
        return code


def name(iso3: str) -> str:
    if iso3 == WORLD_CODE:
        return WORLD_NAME
    reg = registry()
    if iso3 in reg.groups:
        return reg.groups[iso3].name
    return reg.countries[iso3].common_name
