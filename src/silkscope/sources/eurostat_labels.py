"""Comext web-tool labels (code-label and label-only forms, English and French) parsed into codes and ISO3."""

from __future__ import annotations

import re
import unicodedata

from silkscope.countries import C5, near_matches, normalise, registry, resolve
from silkscope.errors import UnknownCountryError

# The web tool writes a dimension either as "CODE-Label" ("2-EXPORT", "TOTAL-Total", "202408-Aug. 2024") or as the
# label alone ("EXPORT", "Total", "Aug. 2024"). A code is upper-case letters, digits and underscores, so a label such
# as "Jan.-Dec. 2018" or "Euro area - 20 countries" never reads as one.
CODE_LABEL = re.compile(r"^(?P<code>[A-Z0-9][A-Z0-9_]*)-(?P<label>\S.*)$")
# Comext appends a note on territory or composition to some names: "Ireland (Eire)", "Germany (incl. German
# Democratic Republic 'DD' from 1991)", "European Union - 27 countries (AT, BE, ...)".
NOTE = re.compile(r"^(?P<base>[^(]*?)\s*\((?P<note>.*)\)\s*$")

FLOWS = {"import": "1", "importation": "1", "imports": "1", "export": "2", "exportation": "2", "exports": "2"}
TOTAL_LABELS = {"total"}  # product and statistical procedure totals: "Total" in English and in French

# Month names as the web tool abbreviates them, in English and French (accents and dots removed before lookup).
MONTHS = {
    **dict.fromkeys(("jan", "january", "janv", "janvier"), 1),
    **dict.fromkeys(("feb", "february", "fev", "fevr", "fevrier"), 2),
    **dict.fromkeys(("mar", "march", "mars"), 3),
    **dict.fromkeys(("apr", "april", "avr", "avril"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("jun", "june", "juin"), 6),
    **dict.fromkeys(("jul", "july", "juil", "juillet"), 7),
    **dict.fromkeys(("aug", "august", "aout"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre"), 9),
    **dict.fromkeys(("oct", "october", "octobre"), 10),
    **dict.fromkeys(("nov", "november", "novembre"), 11),
    **dict.fromkeys(("dec", "december", "decembre"), 12),
}
PERIOD_LABEL = re.compile(r"^(?P<first>[a-z]+)(?:\s*-\s*(?P<last>[a-z]+))?\s+(?P<year>\d{4})$")
PERIOD_CODE = re.compile(r"^(?P<year>\d{4})(?P<part>\d{2})$")
ANNUAL_PART = 52  # Comext's period code for January-December: 201952 = the year 2019
# VALUE_IN_EUR before 1999 is in ECU; the euro rate series (PA.NUS.FCRF of DEU) starts with the euro too.
FIRST_YEAR, LAST_YEAR = 1999, 2100

# The EU27_2020 aggregate, named by its code or its label in English, French or German (normalised).
EU27_CODES = {"EU27_2020"}
EU27_NAMES = {"european union 27 countries", "union europeenne 27 pays", "europaische union 27 lander"}
# Other aggregates the web tool adds next to member rows: the EU in its changing composition (with the UK until
# 01/2020), the euro area, extra/intra-EU. Their members' rows are in the same file, and they are not EU27_2020, so
# they are left out (they stay in raw.*); if EU28 figures are ever wanted, they need a group id of their own.
AGGREGATE_CODES = {"EU", "EU28", "EU27_2007", "EU15", "EA", "EA19", "EA20", "EXT_EU27_2020", "INT_EU27_2020"}
AGGREGATE_PREFIXES = (
    "european union",
    "union europeenne",
    "europaische union",
    "euro area",
    "zone euro",
    "euroraum",
    "extra eu",
    "intra eu",
)
# The UK reported to Eurostat as a member until 31 January 2020; its rows are bilateral facts of GBR, kept.
FORMER_MEMBERS = {"GBR"}


class LabelError(ValueError):
    """A label this connector does not read; `expected` says what would have been read."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def split(value: str) -> tuple[str | None, str]:
    """("2", "EXPORT") for "2-EXPORT"; (None, "EXPORT") for the label-only form."""
    text = value.strip()
    match = CODE_LABEL.match(text)
    return (match["code"], match["label"].strip()) if match else (None, text)


def _plain(text: str) -> str:
    """Casefolded, accents and dots removed, spaces collapsed: "Janv.-Déc. 2016" -> "janv-dec 2016"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace(".", " ")
    return " ".join(plain.split())


def _required(value: str | None) -> str:
    if value is None or not value.strip():
        raise LabelError("a value (the cell is empty)")
    return value


def product(value: str | None) -> str:
    code, label = split(_required(value))
    if code in (None, "TOTAL") and _plain(label) in TOTAL_LABELS:
        return "TOTAL"
    raise LabelError("total goods, 'TOTAL-Total' or 'Total' (only total-goods exports are read, no product breakdown)")


def flow(value: str | None) -> str:
    """'1' for imports, '2' for exports (Comext's flow codes)."""
    code, label = split(_required(value))
    by_label = FLOWS.get(_plain(label))
    if by_label is None or code not in (None, by_label):
        raise LabelError("a flow '1-IMPORT', '2-EXPORT', 'IMPORT', 'EXPORT', 'IMPORTATION' or 'EXPORTATION'")
    return by_label


def procedure(value: str | None) -> str:
    code, label = split(_required(value))
    if code in (None, "T") and _plain(label) in TOTAL_LABELS:
        return "T"
    # A single procedure (normal trade, inward or outward processing) is a part of the total, never the total.
    raise LabelError("the total of all statistical procedures, 'T-Total' or 'Total'")


def _period_label(label: str) -> tuple[int, int | None]:
    match = PERIOD_LABEL.match(_plain(label))
    if match:
        first, last = MONTHS.get(match["first"]), MONTHS.get(match["last"]) if match["last"] else None
        year = int(match["year"])
        if first and not match["last"]:
            return year, first
        if first == 1 and last == 12:
            return year, None
    # Cumulated periods ("Jan.-Jun. 2024") would overlap the months they cover.
    raise LabelError("a month ('Aug. 2024', '202408-Aug. 2024') or a whole year ('Jan.-Dec. 2019', '201952-...')")


def period(value: str | None) -> tuple[int, int | None]:
    """(year, month) for a month, (year, None) for January-December."""
    code, label = split(_required(value))
    parsed = _period_label(label)
    if code is not None:
        match = PERIOD_CODE.match(code)
        part = int(match["part"]) if match else 0
        if not match or not (1 <= part <= 12 or part == ANNUAL_PART):
            raise LabelError("a period code YYYYMM (a month) or YYYY52 (January-December) before the label")
        if (int(match["year"]), None if part == ANNUAL_PART else part) != parsed:
            raise LabelError(f"a period code and label that agree (the code {code} says another period)")
    if not FIRST_YEAR <= parsed[0] <= LAST_YEAR:
        raise LabelError(f"a period from {FIRST_YEAR} on (earlier Comext values are in ECU, not EUR)")
    return parsed


def _country(label: str) -> str:
    """ISO3 through the registry: the label as written, else without Comext's note in brackets."""
    try:
        return resolve(label)
    except UnknownCountryError:
        pass
    match = NOTE.match(label)
    base = match["base"] if match else label
    try:
        return resolve(base)
    except UnknownCountryError:
        near = near_matches(base)
        hint = f" (near: {', '.join(near)})" if near else ""
        raise LabelError(f"a country name silkscope knows{hint}; add one to registry/aliases.csv") from None


def _eu27_note_agrees(note: str | None) -> bool:
    """The note after the EU27 label lists its members' codes; it must list exactly registry group EU27's (if
    Eurostat's EU27_2020 ever changes, registry/groups.csv EU27 must change with it)."""
    codes = {c.strip() for c in (note or "").split(",") if c.strip()}
    if not codes or not all(re.fullmatch(r"[A-Z]{2}", c) for c in codes):
        return True  # no member list in the label: nothing to compare
    reg = registry()
    return codes == {reg.countries[m].iso2 for m in reg.groups["EU27"].members}


def reporter(value: str | None) -> str | None:
    """ISO3 of a member state, 'EUU' for the EU27_2020 aggregate, None for an aggregate that is left out."""
    code, label = split(_required(value))
    match = NOTE.match(label)
    base, note = (match["base"], match["note"]) if match else (label, None)
    name = normalise(base)
    if code in EU27_CODES or name in EU27_NAMES:
        if not _eu27_note_agrees(note):
            raise LabelError("the EU27_2020 aggregate listing its 27 members (registry group EU27)")
        return "EUU"
    if code in AGGREGATE_CODES or name.startswith(AGGREGATE_PREFIXES):
        return None
    iso3 = _country(label)
    if iso3 not in set(registry().groups["EU27"].members) | FORMER_MEMBERS:
        raise LabelError("an EU member state (or the EU27_2020 aggregate) as reporter")
    return iso3


def partner(value: str | None) -> str:
    _code, label = split(_required(value))
    iso3 = _country(label)
    if iso3 not in C5:
        raise LabelError(f"a Central Asian state ({', '.join(C5)}) as partner: export only these from the web tool")
    return iso3
