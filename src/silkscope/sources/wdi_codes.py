"""What the two World Bank WDI connectors share: the indicators, their units and definitions, and the codes.

Scope decision: every country is harmonised, not only C5 and partners — GDP, population, FDI inflows and trade
openness are context for comparisons (Japan's aid against the recipient's GDP, C5 against its neighbours).
Regional and income aggregates (WLD, EAS, LMC...) stay in raw only. EUU ("European Union", the sum of its
members) is kept in core because silkscope treats the EU as a partner in its own right.
The DC.DAC.<DONOR>L.CD series are dyadic: donor -> partner_iso3, recipient -> country_iso3.
"""

from __future__ import annotations

import re

import duckdb

from silkscope.countries import EU_CODE, near_matches, registry
from silkscope.errors import InputError, Problem

MIRROR_SUBDIR = "wdi"  # bulk CSVs and API pages sit side by side in a mirror's wdi/ folder

# Context series: (unit, definition).
CONTEXT = {
    "NY.GDP.MKTP.CD": (
        "USD current",
        "GDP at purchaser's prices, current US dollars, converted from domestic currency at official annual "
        "exchange rates (World Bank WDI)",
    ),
    "SP.POP.TOTL": (
        "persons",
        "Total population: all residents regardless of legal status or citizenship, midyear estimate (World Bank WDI)",
    ),
    "BX.KLT.DINV.CD.WD": (
        "USD current",
        "Foreign direct investment, net inflows (balance of payments): new investment inflows less disinvestment "
        "from all foreign investors, current US dollars; all partners together, not bilateral (World Bank WDI)",
    ),
    "NE.TRD.GNFS.ZS": (
        "percent of GDP",
        "Trade: exports plus imports of goods and services as a share of GDP (World Bank WDI)",
    ),
}
# Bilateral aid by DAC donor: DC.DAC.<code>L.CD. CEC ("European Union institutions") is the EU partner; TOT is
# all DAC donors together, which no single partner can be credited with.
DAC_CODE_RE = re.compile(r"^DC\.DAC\.(?P<donor>[A-Z]{3})L\.CD$")
DAC_DONOR_ISO3 = {"CEC": EU_CODE}
DAC_NOT_BILATERAL = {"TOT"}
DAC_DONORS = ("JPN", "KOR", "USA", "DEU", "CEC")
DAC_DEFINITION = (
    "Net bilateral aid flows from a DAC donor (partner_iso3) to the recipient (country_iso3): net disbursements "
    "of official development assistance, current US dollars (OECD DAC data as republished in World Bank WDI)"
)
DEFAULT_INDICATORS = (*CONTEXT, *(f"DC.DAC.{d}L.CD" for d in DAC_DONORS))

# World Bank aggregates (regions, income and lending groups) and CHI (Channel Islands, not an ISO 3166 country):
# kept in raw, never in core. A code that is neither a country nor listed here stops the ingest. AFE/AFW arrived
# in 2021, NOC/OEC were used until 2015: if the World Bank adds an aggregate, add its code here.
# fmt: off
AGGREGATES = frozenset(
    {
        "AFE", "AFW", "ARB", "CEB", "CHI", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "FCS", "HIC", "HPC",
        "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC", "LMY", "LTE", "MEA", "MIC",
        "MNA", "NAC", "NOC", "OEC", "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA", "SSF", "SST", "TEA", "TEC",
        "TLA", "TMN", "TSA", "TSS", "UMC", "WLD",
    }
)
# fmt: on
# Codes older WDI editions used for countries that now have other ISO3 codes.
LEGACY_CODES = {"ADO": "AND", "KSV": "XKX", "ROM": "ROU", "TMP": "TLS", "ZAR": "COD"}
EUU_NOTE = "WDI aggregate 'European Union' (sum of member states), kept as the EU partner"


def dac_donor(code: str) -> str | None:
    """ISO3 of the donor of a DC.DAC.<X>L.CD series; None for any other code. ValueError for non-bilateral."""
    match = DAC_CODE_RE.match(code)
    if not match:
        return None
    donor = match.group("donor")
    if donor in DAC_NOT_BILATERAL:
        raise ValueError(f"{code} sums all DAC donors: it cannot be attributed to one partner")
    iso3 = DAC_DONOR_ISO3.get(donor, donor)
    if iso3 not in registry().countries:
        raise ValueError(f"{code}: donor code {donor!r} is not a country silkscope knows")
    return iso3


def indicator_meta(code: str, name: str) -> tuple[str, str, str | None]:
    """(unit, definition, partner ISO3 for dyadic series) for an indicator code and its published name."""
    if code in CONTEXT:
        unit, definition = CONTEXT[code]
        return unit, definition, None
    donor = dac_donor(code)
    if donor:
        return "USD current", DAC_DEFINITION, donor
    paren = re.search(r"\(([^()]*)\)\s*$", name or "")
    unit = paren.group(1) if paren else "as published"
    unit = {"current US$": "USD current", "% of GDP": "percent of GDP"}.get(unit, unit)
    return unit, f"World Bank WDI indicator {code}: {name} (definition as published by the World Bank)", None


def resolve_codes(rows: list[tuple[str, str, int, str]]) -> tuple[dict[str, str], list[Problem]]:
    """(code, file, line, column) -> {code: ISO3} for countries; aggregates skipped; unknown codes are Problems."""
    countries = registry().countries
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for code, file, line, column in rows:
        value = code or ""
        if value in AGGREGATES or value in mapping:
            continue
        if value in countries:
            mapping[value] = value
        elif value in LEGACY_CODES:
            mapping[value] = LEGACY_CODES[value]
        else:
            near = near_matches(value) if value else []
            hint = f" (near: {', '.join(near)})" if near else ""
            expected = f"an ISO3 country code or a World Bank aggregate code{hint}"
            problems.append(Problem(file, line, column, expected, value))
    return mapping, problems


def meta_table(con: duckdb.DuckDBPyConnection, indicators: list[tuple[str, str, str, int, str]]) -> None:
    """Temp table _wdi_meta(code, unit, definition, partner) from (code, name, file, line, column) of each
    indicator; a DC.DAC code that names no single donor is a located Problem."""
    rows, problems, seen = [], [], set()
    for code, name, file, line, column in indicators:
        if code in seen:
            continue
        seen.add(code)
        try:
            rows.append((code, *indicator_meta(code, name)))
        except ValueError as exc:
            problems.append(Problem(file, line, column, "a bilateral DC.DAC.<donor>L.CD series", str(exc)))
    if problems:
        raise InputError(problems)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _wdi_meta (code VARCHAR, unit VARCHAR, definition VARCHAR, partner VARCHAR)"
    )
    if rows:
        con.executemany("INSERT INTO _wdi_meta VALUES (?, ?, ?, ?)", rows)
