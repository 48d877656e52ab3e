"""The measure catalogue, declared once as data: each measure's name, label, unit, definition, instrument, the
connectors that fill it, the phrases that name it in text, and the SQL that derives it from core.*.

Pages, charts, CLI tables and the claim planner take labels, units and definitions from here; `materialise`
builds out.observations from the `sql` of every entry. Each `sql` yields (partner_iso3, country_iso3, year, value,
definition, source_id) at the grain of one partner, one state (or group), one year and one source; a family entry
(presence kinds, poll questions, AidData public-diplomacy series) also yields `measure`, named `<name>.<kind>`. An
entry's `facets` name the further columns of FACETS its SQL yields (a finance row's flow class and base year, an
investment figure's bound, a count's date): out.observations keeps them, so a reader choosing among definitions (the
claim checker) needs no query of its own over core.*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from silkscope.countries import C5
from silkscope.errors import SilkscopeError
from silkscope.schema import LEADER_LEVELS

_SCOPE = "coalesce(country_iso3, group_id)"

# Columns of out.observations beyond the grain that a measure's SQL may yield (NULL for the others): what the
# measure's name leaves open and a reader needs to tell definitions apart.
FACETS: dict[str, str] = {
    "flow_class": "VARCHAR",  # finance: the publisher's flow class (oda_total, oda_like, oof_like, vague_official...)
    "base_year": "INTEGER",  # finance at constant prices: the base year, where the publisher states it
    "bound": "VARCHAR",  # investment: exact, or a lower bound ("more than")
    "as_of": "VARCHAR",  # counts: the date the count stands at, at its source's precision (2010, 2018-07, 2018-01-01)
}


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    unit: str  # USD (current unless the name says constant), count, percent, LCU per USD
    instrument: str  # finance, trade, investment, presence, visits, formats, opinion, diplomacy, context
    definition: str
    sql: str
    connectors: tuple[str, ...] = ()
    phrases: tuple[str, ...] = field(default_factory=tuple)
    family: bool = False  # the SQL names `<name>.<kind>` measures itself
    facets: tuple[str, ...] = ()  # the FACETS its SQL yields
    terms: tuple[tuple[str, str], ...] = ()  # the core.* values it selects, e.g. (("measure", "commitment"), ...)

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        return any(p in lowered for p in self.phrases)


def _finance(name, label, unit, definition, flow_sql, measure, basis, connectors, phrases) -> Measure:
    """A finance measure: one flow selection, one measure (commitment, gross or net disbursement), one price basis;
    the flow class and base year of every row are kept as facets."""
    sql = f"""SELECT donor_iso3 AS partner_iso3, {_SCOPE} AS country_iso3, year, sum(amount_usd) AS value,
       any_value(definition) AS definition, source_id, flow_class, base_year
FROM core.finance_flows
WHERE donor_iso3 IS NOT NULL AND ({flow_sql}) AND measure = '{measure}' AND price_basis = '{basis}'
GROUP BY ALL"""
    terms = (("measure", measure), ("price_basis", basis))
    facets = ("flow_class", "base_year")
    return Measure(name, label, unit, "finance", definition, sql, connectors, phrases, facets=facets, terms=terms)


def _trade(direction: str, reporter_side: str) -> str:
    return f"""SELECT partner_iso3, {_SCOPE} AS country_iso3, year, sum(value_usd) AS value,
       any_value(definition) AS definition, source_id
FROM core.trade_flows
WHERE month IS NULL AND product_code = 'TOTAL' AND value_usd IS NOT NULL AND direction = '{direction}'
  AND reporter_iso3 = {reporter_side}
GROUP BY ALL"""


def _indicator(code: str) -> str:
    return f"""SELECT NULL::VARCHAR AS partner_iso3, country_iso3, year, value, definition, source_id
FROM core.indicators WHERE indicator_code = '{code}' AND partner_iso3 IS NULL AND value IS NOT NULL"""


_ODA = "flow_class LIKE 'oda%'"
_OOF = "flow_class NOT LIKE 'oda%' AND flow_class NOT LIKE 'private%'"
_OFFICIAL = "flow_class NOT LIKE 'private%'"

MEASURES: tuple[Measure, ...] = (
    _finance(
        "oda_net_disbursement_usd",
        "Net ODA disbursements",
        "USD",
        "Official development assistance disbursed, net of repayments, current US$ (OECD DAC Table 2a; WDI "
        "DC.DAC.<donor>L.CD republishes it)",
        _ODA,
        "disbursement_net",
        "current",
        ("wdi_ddf", "wdi", "wdi_api", "oecd_dac2a"),
        ("net oda", "net official development assistance", "net disbursement", "net bilateral aid"),
    ),
    _finance(
        "oda_gross_disbursement_usd",
        "Gross ODA disbursements",
        "USD",
        "Official development assistance disbursed, before repayments, current US$ (OECD DAC2A or CRS)",
        _ODA,
        "disbursement_gross",
        "current",
        ("oecd_dac2a", "oecd_crs"),
        ("gross disbursement", "oda disbursement", "aid disbursed"),
    ),
    _finance(
        "oda_gross_disbursement_constant_usd",
        "Gross ODA disbursements (constant prices)",
        "USD constant",
        "Official development assistance disbursed, before repayments, constant US$ of the stated base year",
        _ODA,
        "disbursement_gross",
        "constant",
        ("oecd_dac2a", "oecd_crs"),
        ("constant prices", "constant dollars"),
    ),
    _finance(
        "oof_gross_disbursement_usd",
        "Other official flows disbursed",
        "USD",
        "Other official flows (official finance that is not ODA, export credits included) disbursed, before "
        "repayments, current US$ (OECD CRS)",
        _OOF,
        "disbursement_gross",
        "current",
        ("oecd_crs",),
        ("other official flows",),
    ),
    _finance(
        "oof_gross_disbursement_constant_usd",
        "Other official flows disbursed (constant prices)",
        "USD constant",
        "Other official flows disbursed, before repayments, constant US$ of the stated base year (OECD CRS)",
        _OOF,
        "disbursement_gross",
        "constant",
        ("oecd_crs",),
        ("constant other official flows",),
    ),
    _finance(
        "official_commitment_usd",
        "Official finance committed",
        "USD",
        "Official finance committed (ODA, OOF, export credits and vaguely official flows), current US$ (CRS, AidData)",
        _OFFICIAL,
        "commitment",
        "current",
        ("oecd_crs", "aiddata_china"),
        ("committed", "commitment", "pledged", "loans", "official finance"),
    ),
    _finance(
        "official_commitment_constant_usd",
        "Official finance committed (constant prices)",
        "USD constant",
        "Official finance committed, constant US$ (AidData's deflator or the CRS base year)",
        _OFFICIAL,
        "commitment",
        "constant",
        ("aiddata_flows", "aiddata_china", "oecd_crs"),
        ("development finance", "development assistance committed"),
    ),
    Measure(
        "exports_usd",
        "Exports to the partner (the state's statistics)",
        "USD",
        "trade",
        "Goods exported by the Central Asian state to the partner, as the state reports them, current US$",
        _trade("country_to_partner", "country_iso3"),
        ("kz_bns", "kg_nsc", "uz_stat", "comtrade", "comtrade_bulk"),
        ("exports to", "exported to", "export to"),
    ),
    Measure(
        "imports_usd",
        "Imports from the partner (the state's statistics)",
        "USD",
        "trade",
        "Goods imported by the Central Asian state from the partner, as the state reports them, current US$",
        _trade("partner_to_country", "country_iso3"),
        ("kz_bns", "kg_nsc", "uz_stat", "comtrade", "comtrade_bulk"),
        ("imports from", "imported from", "import from"),
    ),
    Measure(
        "partner_exports_usd",
        "Partner's exports to the state (partner's statistics)",
        "USD",
        "trade",
        "Goods the partner exported to the Central Asian state, as the partner reports them (mirror of the state's "
        "imports), current US$",
        _trade("partner_to_country", "partner_iso3"),
        ("rosstat", "eurostat_comext", "comtrade", "comtrade_bulk"),
        ("exports to central asia",),
    ),
    Measure(
        "partner_imports_usd",
        "Partner's imports from the state (partner's statistics)",
        "USD",
        "trade",
        "Goods the partner imported from the Central Asian state, as the partner reports them (mirror of the "
        "state's exports), current US$",
        _trade("country_to_partner", "partner_iso3"),
        ("rosstat", "eurostat_comext", "comtrade", "comtrade_bulk"),
        ("imports from central asia",),
    ),
    Measure(
        "trade_turnover_stated_usd",
        "Trade turnover stated as one figure",
        "USD",
        "trade",
        "Goods trade turnover (exports plus imports) as a secondary source states it, current US$",
        f"""SELECT partner_iso3, {_SCOPE} AS country_iso3, year, sum(value_usd) AS value,
       any_value(definition) AS definition, source_id
FROM core.trade_flows WHERE month IS NULL AND direction = 'total' AND value_usd IS NOT NULL GROUP BY ALL""",
        (),
        ("trade turnover", "bilateral trade", "trade volume", "trade between"),
    ),
    Measure(
        "investment_usd",
        "Investment (as each source measures it)",
        "USD",
        "investment",
        "Direct investment positions, flows or cumulative totals, each as its source defines it (family by measure)",
        f"""SELECT 'investment_usd.' || measure AS measure, partner_iso3, {_SCOPE} AS country_iso3, year,
       sum(value_usd) AS value, any_value(definition) AS definition, source_id, bound
FROM core.investments GROUP BY ALL""",
        ("imf_cdis",),
        ("investment", "invested", "fdi"),
        family=True,
        facets=("bound",),
    ),
    Measure(
        "presence",
        "Companies present",
        "count",
        "presence",
        "Companies, enterprises with foreign capital, offices or joint ventures of the partner in the state, each "
        "kind as its source counts it (family by kind)",
        f"""SELECT 'presence.' || presence_kind AS measure, partner_iso3, {_SCOPE} AS country_iso3, year,
       max(count) AS value, any_value(definition) AS definition, source_id,
       left(CAST(as_of AS VARCHAR), CASE date_precision WHEN 'year' THEN 4 WHEN 'month' THEN 7 ELSE 10 END) AS as_of
FROM core.presence GROUP BY ALL""",
        (),
        ("companies operating", "companies", "enterprises", "joint ventures", "representative offices", "firms"),
        family=True,
        facets=("as_of",),
    ),
    Measure(
        "leader_visits",
        "Leader-level visits to the state",
        "count",
        "visits",
        "Held, in-person visits by the partner's head of state or government to the state, one per trip and host",
        f"""SELECT visitor_iso3 AS partner_iso3, host_iso3 AS country_iso3, year, count(DISTINCT trip_key) AS value,
       'leader-level visits (curated timeline)' AS definition, min(source_id) AS source_id
FROM out.visits WHERE level IN {LEADER_LEVELS} AND host_iso3 IN {C5} AND visitor_iso3 NOT IN {C5}
GROUP BY visitor_iso3, host_iso3, year""",
        (),
        ("leader visits", "visited", "visit", "trips"),
    ),
    Measure(
        "inbound_leader_visits",
        "The state's leaders' visits to the partner",
        "count",
        "visits",
        "Held, in-person visits by the Central Asian state's head of state or government to the partner",
        f"""SELECT host_iso3 AS partner_iso3, visitor_iso3 AS country_iso3, year, count(DISTINCT trip_key) AS value,
       'leader-level visits to the partner (curated timeline)' AS definition, min(source_id) AS source_id
FROM out.visits WHERE level IN {LEADER_LEVELS} AND visitor_iso3 IN {C5} AND host_iso3 NOT IN {C5}
GROUP BY host_iso3, visitor_iso3, year""",
        (),
        ("visits to", "visited tokyo", "visited beijing", "visited seoul", "visited moscow"),
    ),
    Measure(
        "opinion",
        "Public opinion",
        "percent",
        "opinion",
        "Share of respondents giving an answer to one poll question, kept apart by question wording (family by "
        "question indicator)",
        # one measure per question and answer: approval and disapproval of one poll are never averaged
        f"""SELECT 'opinion.' || indicator || '.'
       || regexp_replace(lower(coalesce(answer, 'share')), '[^a-z0-9]+', '_', 'g') AS measure,
       subject_iso3 AS partner_iso3, {_SCOPE} AS country_iso3,
       year(fieldwork_end) AS year, avg(share_pct) AS value, any_value(question) AS definition, source_id
FROM core.opinion GROUP BY ALL""",
        (),
        ("public opinion", "poll", "survey", "respondents", "approval", "favourable", "positive"),
        family=True,
    ),
    Measure(
        "diplomacy",
        "Chinese public diplomacy (AidData)",
        "count",
        "diplomacy",
        "AidData's counts of China's public diplomacy in the state: Confucius Institutes, sister cities, official "
        "and military visits (family by series)",
        """SELECT 'diplomacy.' || replace(indicator_code, 'aiddata_pd.', '') AS measure, partner_iso3, country_iso3,
       year, value, definition, source_id
FROM core.indicators WHERE indicator_code LIKE 'aiddata_pd.%' AND value IS NOT NULL""",
        ("aiddata_diplomacy",),
        ("government visits", "official visits", "confucius institutes", "sister cities", "military visits"),
        family=True,
    ),
    Measure(
        "gdp_usd",
        "GDP",
        "USD",
        "context",
        "Gross domestic product at purchaser's prices, current US$ (World Bank WDI NY.GDP.MKTP.CD)",
        _indicator("NY.GDP.MKTP.CD"),
        ("wdi_ddf", "wdi", "wdi_api"),
        ("gdp", "gross domestic product", "economy"),
    ),
    Measure(
        "fdi_inflows_usd",
        "FDI net inflows (all investors)",
        "USD",
        "context",
        "Foreign direct investment, net inflows (balance of payments), all partners together, current US$ (World "
        "Bank WDI BX.KLT.DINV.CD.WD)",
        _indicator("BX.KLT.DINV.CD.WD"),
        ("wdi_ddf", "wdi", "wdi_api"),
        ("fdi inflows", "foreign direct investment inflows", "net inflows"),
    ),
    Measure(
        "oda_received_usd",
        "Net ODA received (all donors)",
        "USD",
        "context",
        "Net official development assistance received from all donors, multilaterals included, current US$ "
        "(World Bank WDI DT.ODA.ODAT.CD)",
        _indicator("DT.ODA.ODAT.CD"),
        ("wdi_ddf", "wdi", "wdi_api"),
        ("oda received", "aid received"),
    ),
    Measure(
        "dac_bilateral_oda_usd",
        "Net bilateral ODA from all DAC donors",
        "USD",
        "context",
        "Net bilateral aid flows from all DAC donors together, current US$ (World Bank WDI DC.DAC.TOTL.CD)",
        _indicator("DC.DAC.TOTL.CD"),
        ("wdi_ddf", "wdi", "wdi_api"),
        ("dac donors",),
    ),
    Measure(
        "exchange_rate_lcu_per_usd",
        "Official exchange rate",
        "LCU per USD",
        "context",
        "Official exchange rate, local currency units per US$, period average (World Bank WDI PA.NUS.FCRF)",
        _indicator("PA.NUS.FCRF"),
        ("wdi_ddf", "wdi", "wdi_api"),
        ("exchange rate",),
    ),
)


@cache
def catalogue() -> dict[str, Measure]:
    names = [m.name for m in MEASURES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:  # a second entry with one name would silently shadow the first
        raise AssertionError(f"measure catalogue: duplicate names {sorted(duplicates)}")
    return {m.name: m for m in MEASURES}


def measure(name: str) -> Measure:
    """The catalogue entry for a measure name (a family member `presence.companies_operating` gives `presence`)."""
    entries = catalogue()
    base = name.split(".", 1)[0]
    if base in entries:
        return entries[base]
    near = sorted(n for n in entries if n.startswith(base[:4]))[:5]
    raise SilkscopeError(f"unknown measure {name!r}; expected one of: {', '.join(near or sorted(entries))}")


def label(name: str) -> str:
    """The label people read: 'Companies present: enterprises with foreign capital' for a family member."""
    entry = measure(name)
    if "." in name:
        return f"{entry.label}: {name.split('.', 1)[1].replace('_', ' ')}"
    return entry.label
