"""What the three World Bank WDI connectors share: the indicators, their units and definitions, codes, and core rows.

Scope decision: every country is harmonised, not only C5 and partners — GDP, population, FDI inflows and trade
openness are context for comparisons (Japan's aid against the recipient's GDP, C5 against its neighbours).
Regional and income aggregates (WLD, EAS, LMC...) stay in raw only. EUU ("European Union", the sum of its
members) is kept in core because silkscope treats the EU as a partner in its own right.
The DC.DAC.<DONOR>L.CD series are dyadic net ODA disbursements (OECD DAC Table 2a as republished by the World
Bank): donor -> donor_iso3, recipient -> country_iso3, in core.finance_flows next to the OECD's own rows.
"""

from __future__ import annotations

import re

import duckdb

from silkscope.countries import EU_CODE, near_matches, registry
from silkscope.errors import InputError, Problem

MIRROR_SUBDIR = "wdi"  # bulk CSVs, API pages and DDF files sit side by side in a mirror's wdi/ folder

# Country-level series into core.indicators: code -> (name as the World Bank publishes it, unit, definition).
CONTEXT = {
    "NY.GDP.MKTP.CD": (
        "GDP (current US$)",
        "USD current",
        "GDP at purchaser's prices, current US dollars, converted from domestic currency at official annual "
        "exchange rates (World Bank WDI)",
    ),
    "SP.POP.TOTL": (
        "Population, total",
        "persons",
        "Total population: all residents regardless of legal status or citizenship, midyear estimate (World Bank WDI)",
    ),
    "BX.KLT.DINV.CD.WD": (
        "Foreign direct investment, net inflows (BoP, current US$)",
        "USD current",
        "Foreign direct investment, net inflows (balance of payments): new investment inflows less disinvestment "
        "from all foreign investors, current US dollars; all partners together, not bilateral (World Bank WDI)",
    ),
    "NE.TRD.GNFS.ZS": (
        "Trade (% of GDP)",
        "percent of GDP",
        "Trade: exports plus imports of goods and services as a share of GDP (World Bank WDI)",
    ),
    # Converts other publishers' local-currency values: Germany's rate is the euro's (EUR per US$).
    "PA.NUS.FCRF": (
        "Official exchange rate (LCU per US$, period average)",
        "LCU per USD",
        "Official exchange rate, local currency units per US dollar, annual average of monthly rates as "
        "determined by national authorities or the legally sanctioned exchange market (World Bank WDI)",
    ),
    "DT.ODA.ODAT.CD": (
        "Net official development assistance received (current US$)",
        "USD current",
        "Net ODA received from all donors together (DAC members, multilateral agencies and non-DAC donors): "
        "disbursements of grants and concessional loans less repayments, current US dollars (World Bank WDI "
        "from OECD DAC data); not attributable to one partner",
    ),
    # All DAC donors together: never credited to one partner, so it is a country-level series, not a dyad.
    "DC.DAC.TOTL.CD": (
        "Net bilateral aid flows from DAC donors, Total (current US$)",
        "USD current",
        "Net bilateral ODA disbursements from all DAC member countries together to the recipient (country_iso3), "
        "current US dollars (OECD DAC Table 2a as republished in World Bank WDI); excludes multilateral agencies "
        "and non-DAC donors; not attributable to one partner",
    ),
}
# Bilateral aid by DAC donor: DC.DAC.<code>L.CD. CEC ("European Union institutions") is the EU partner; TOTL is
# all DAC donors together and sits in CONTEXT above.
DAC_CODE_RE = re.compile(r"^DC\.DAC\.(?P<donor>[A-Z]{3})L\.CD$")
DAC_DONOR_ISO3 = {"CEC": EU_CODE}
DAC_DONORS = ("JPN", "KOR", "USA", "DEU", "FRA", "GBR", "CEC")
DAC_DEFINITION = (
    "Net bilateral aid flows from a DAC donor (donor_iso3) to the recipient (country_iso3): net disbursements "
    "of official development assistance (grants and loans less repayments; negative = net repayments), current "
    "US dollars (OECD DAC Table 2a data as republished in World Bank WDI)"
)
# The net ODA disbursement class other connectors use (oecd_dac2a aid type 206): keep them the same, so that the
# claim checker and the panel compare WDI's rows with the OECD's under one definition.
DAC_FLOW_CLASS, DAC_MEASURE = "oda_total", "disbursement_net"
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
    """ISO3 of the donor of a bilateral DC.DAC.<X>L.CD series; None for any other code (TOTL included).

    ValueError when the donor code is not a country silkscope knows."""
    match = DAC_CODE_RE.match(code)
    if not match or code in CONTEXT:
        return None
    donor = match.group("donor")
    iso3 = DAC_DONOR_ISO3.get(donor, donor)
    if iso3 not in registry().countries:
        raise ValueError(f"{code}: donor code {donor!r} is not a country silkscope knows")
    return iso3


def indicator_name(code: str) -> str:
    """The World Bank's name for a code silkscope knows (for files that carry no names, e.g. the DDF layout)."""
    if code in CONTEXT:
        return CONTEXT[code][0]
    donor = dac_donor(code)
    if donor:
        who = "EU institutions" if donor == EU_CODE else registry().countries[donor].name
        return f"Net bilateral aid flows from DAC donors, {who} (current US$)"
    return code


def indicator_meta(code: str, name: str) -> tuple[str, str, str | None]:
    """(unit, definition, donor ISO3 for DC.DAC bilateral series) for an indicator code and its published name."""
    if code in CONTEXT:
        _name, unit, definition = CONTEXT[code]
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
    indicator; a DC.DAC code whose donor is no country silkscope knows is a located Problem."""
    rows, problems, seen = [], [], set()
    for code, name, file, line, column in indicators:
        if code in seen:
            continue
        seen.add(code)
        try:
            rows.append((code, *indicator_meta(code, name)))
        except ValueError as exc:
            problems.append(Problem(file, line, column, "a DC.DAC.<donor>L.CD series of a known donor", str(exc)))
    if problems:
        raise InputError(problems)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _wdi_meta (code VARCHAR, unit VARCHAR, definition VARCHAR, partner VARCHAR)"
    )
    if rows:
        con.executemany("INSERT INTO _wdi_meta VALUES (?, ?, ?, ?)", rows)


def insert_core(con: duckdb.DuckDBPyConnection, rows_sql: str, params: list) -> None:
    """Write harmonised WDI rows, the same way for every WDI connector: bilateral DC.DAC rows into
    core.finance_flows (net ODA disbursements), every other series into core.indicators (partner NULL).

    `rows_sql` yields indicator_code, indicator_name, country_iso3, year, value, source_id, record and note (the
    connector's remark, or NULL), one row per country-year with a value; _wdi_meta must exist.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE _wdi_rows AS {rows_sql}", params)
    con.execute(
        """INSERT INTO core.indicators (indicator_code, indicator_name, country_iso3, partner_iso3, year, value, unit,
               definition, source_id, source_ids, citation_status, record, note)
        SELECT r.indicator_code, r.indicator_name, r.country_iso3, NULL, r.year, r.value, m.unit, m.definition,
               r.source_id, [r.source_id], 'cited', r.record,
               nullif(concat_ws('; ', r.note, CASE WHEN r.country_iso3 = ? THEN ? END), '')
        FROM _wdi_rows r JOIN _wdi_meta m ON m.code = r.indicator_code
        WHERE m.partner IS NULL""",
        [EU_CODE, EUU_NOTE],
    )
    # The EU aggregate as a *recipient* would count its members' receipts twice in any sum over recipients.
    con.execute(
        """INSERT INTO core.finance_flows (fact_id, donor_iso3, donor_actor_id, country_iso3, group_id, year,
               flow_class, measure, price_basis, base_year, currency, amount_usd, project_count, definition,
               source_id, source_ids, citation_status, record, note)
        SELECT r.source_id || ':' || r.indicator_code || ':' || r.country_iso3 || ':' || r.year, m.partner, NULL,
               r.country_iso3, NULL, r.year, ?, ?, 'current', NULL, 'USD', r.value, NULL, m.definition,
               r.source_id, [r.source_id], 'cited', r.record, r.note
        FROM _wdi_rows r JOIN _wdi_meta m ON m.code = r.indicator_code
        WHERE m.partner IS NOT NULL AND r.value IS NOT NULL AND r.country_iso3 <> ?""",
        [DAC_FLOW_CLASS, DAC_MEASURE, EU_CODE],
    )
    con.execute("DROP TABLE _wdi_rows")
