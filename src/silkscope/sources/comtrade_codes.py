"""UN Comtrade as data: endpoints, reporter/partner code quirks, classifications, product groups, request plans."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from silkscope.countries import C5, DEFAULT_PARTNERS, EU_CODE, registry
from silkscope.errors import SilkscopeError
from silkscope.fetch import RemoteFile

# Endpoints (data): API_URL + "/C/A/<classification>"; BULK_URL + "/C/A/<classification>" is the bulk listing.
API_URL = "https://comtradeapi.un.org/public/v1/preview"
BULK_URL = "https://comtradeapi.un.org/bulk/v1/get"
PREVIEW_LIMIT = 500  # rows per public preview call; api_requests plans below it, _stage_json refuses it
FLOWS = ("M", "X")  # imports and exports; re-exports/re-imports stay out of the requests and of core
MIRROR_SUBDIR = "comtrade"
DEFAULT_YEARS = tuple(range(1995, 2024))  # C5 reporting starts mid-1990s; move the end as Comtrade publishes
DEFAULT_CLASSIFICATION = "S3"  # SITC Rev.3: one classification for the whole period (Comtrade converts to it)
# Environment overrides, for runs started from the CLI: "1995-2023" or "2019,2020"; aggregate|members|both; S3...
ENV_YEARS, ENV_EU, ENV_CLASSIFICATION = "SILKSCOPE_COMTRADE_YEARS", "SILKSCOPE_COMTRADE_EU", "SILKSCOPE_COMTRADE_CL"
EU_MODES = ("aggregate", "members", "both")

# Comtrade reporter/partner codes are UN M49 numbers, which equal ISO 3166 numeric codes for most countries. These
# are the exceptions Comtrade uses for countries silkscope knows (its "country" includes a neighbour or territory).
# Resolution order: QUIRKS, then NON_COUNTRIES, then the ISO numeric code in silkscope's registry.
QUIRKS: dict[int, str] = {
    842: "USA",  # ISO 840; Comtrade's "USA" includes Puerto Rico and the US Virgin Islands
    699: "IND",  # ISO 356
    757: "CHE",  # ISO 756; Switzerland with Liechtenstein
    251: "FRA",  # ISO 250; France with Monaco
    579: "NOR",  # ISO 578; Norway with Svalbard and Jan Mayen
    97: EU_CODE,  # the European Union as one reporter/partner (Comtrade ISO-like code "EUR")
}

# Codes that are not a single present-day country: kept in raw, never harmonised. A code in neither table nor the
# ISO registry stops an ingest with the file and line, so a new Comtrade area is added here, not silently dropped.
NON_COUNTRIES: dict[int, str] = {
    0: "World",
    58: "Belgium-Luxembourg (until 1998)",
    129: "Caribbean, nes",
    200: "Czechoslovakia (former)",
    221: "Eastern Europe, nes",
    278: "German Democratic Republic (former)",
    280: "Federal Republic of Germany (former)",
    290: "Northern Africa, nes",
    472: "Africa CAMEU region, nes",
    473: "LAIA, nes",
    490: "Other Asia, nes (in practice Taiwan, Province of China)",
    492: "Europe EU, nes",  # ISO 492 is Monaco, which Comtrade counts with France (251)
    527: "Oceania, nes",
    530: "Netherlands Antilles (former)",
    532: "Netherlands Antilles and Aruba (former)",
    536: "Neutral Zone",
    568: "Other Europe, nes",
    577: "Other Africa, nes",
    636: "Rest of America, nes",
    637: "North America and Central America, nes",
    697: "Europe EFTA, nes",
    711: "Southern African Customs Union (until 1999)",
    720: "Democratic Yemen (former)",
    736: "Sudan (former)",
    810: "USSR (former)",
    837: "Bunkers",
    838: "Free Zones",
    839: "Special Categories",
    849: "US Misc. Pacific Islands",
    879: "Western Asia, nes",
    886: "Arab Republic of Yemen (former)",
    890: "Yugoslavia (former)",
    891: "Serbia and Montenegro (former)",
    899: "Areas, nes",
    975: "ASEAN",
}

# classificationCode as published -> (family, label stored in core.trade_flows.classification). A code not listed
# stops an ingest: add it here (and its product groups below) before loading such a file.
CLASSIFICATIONS: dict[str, tuple[str, str]] = {
    "S1": ("SITC", "SITC Rev.1"),
    "S2": ("SITC", "SITC Rev.2"),
    "S3": ("SITC", "SITC Rev.3"),
    "S4": ("SITC", "SITC Rev.4"),
    "H0": ("HS", "HS 1992"),
    "H1": ("HS", "HS 1996"),
    "H2": ("HS", "HS 2002"),
    "H3": ("HS", "HS 2007"),
    "H4": ("HS", "HS 2012"),
    "H5": ("HS", "HS 2017"),
    "H6": ("HS", "HS 2022"),
}

# Product groups harmonised into core (cmdCode as published -> label). Sections and the divisions listed keep their
# codes and scope across SITC revisions 1-4; other codes stay in raw. Adding a code here makes it harmonised.
PRODUCT_GROUPS: dict[str, dict[str, str]] = {
    "SITC": {
        "TOTAL": "All commodities",
        "0": "Food and live animals",
        "1": "Beverages and tobacco",
        "2": "Crude materials, inedible, except fuels",
        "3": "Mineral fuels, lubricants and related materials",
        "4": "Animal and vegetable oils, fats and waxes",
        "5": "Chemicals and related products, n.e.s.",
        "6": "Manufactured goods classified chiefly by material",
        "65": "Textile yarn, fabrics, made-up articles, n.e.s., and related products",
        "68": "Non-ferrous metals",
        "7": "Machinery and transport equipment",
        "8": "Miscellaneous manufactured articles",
        "9": "Commodities and transactions not classified elsewhere in the SITC",
    },
    "HS": {
        "TOTAL": "All commodities",
        "27": "Mineral fuels, mineral oils and products of their distillation; bituminous substances; mineral waxes",
        "71": "Pearls, precious or semi-precious stones, precious metals and articles thereof; imitation jewellery",
        "74": "Copper and articles thereof",
        "84": "Nuclear reactors, boilers, machinery and mechanical appliances; parts thereof",
        "85": "Electrical machinery and equipment and parts thereof; sound and television recorders and reproducers",
        "87": "Vehicles other than railway or tramway rolling stock, and parts and accessories thereof",
    },
}

# What the API connector asks for by default: the article's lens (machinery, textiles, non-ferrous metals, fuels)
# plus the total. Every code here must be in PRODUCT_GROUPS for its family, or it would be fetched and not used.
LENS: dict[str, tuple[str, ...]] = {
    "SITC": ("TOTAL", "3", "65", "68", "7"),
    "HS": ("TOTAL", "27", "74", "84", "85", "87"),
}
# API classification path segments and their family ("HS" and "SS" mean "as reported" in Comtrade's API).
REQUEST_CLASSIFICATIONS: dict[str, str] = {code: family for code, (family, _label) in CLASSIFICATIONS.items()} | {
    "HS": "HS",
    "SS": "SITC",
}


def eu_members() -> tuple[str, ...]:
    return registry().groups["EU27"].members


def partner_scope() -> tuple[str, ...]:
    """Outside powers whose dyads with the C5 are harmonised: silkscope's partners, the EU and each EU member."""
    return tuple(dict.fromkeys((*DEFAULT_PARTNERS, *eu_members())))


@cache
def _iso_numeric() -> dict[int, str]:
    return {c.iso_numeric: c.iso3 for c in registry().countries.values() if c.iso_numeric is not None}


class UnknownCode(KeyError):
    """A Comtrade reporter/partner code that is neither a country, a quirk nor a known non-country area."""


def iso3_for(code: int) -> str | None:
    """ISO3 (or EUU) for a Comtrade reporter/partner code; None for a known non-country; UnknownCode otherwise."""
    if code in QUIRKS:
        return QUIRKS[code]
    if code in NON_COUNTRIES:
        return None
    iso3 = _iso_numeric().get(code)
    if iso3 is None:
        raise UnknownCode(code)
    return iso3


def code_for(iso3: str) -> int:
    """The Comtrade code to request for an ISO3 code (the inverse of iso3_for for countries)."""
    for code, quirk in QUIRKS.items():
        if quirk == iso3:
            return code
    numeric = registry().countries[iso3].iso_numeric
    if numeric is None:
        raise KeyError(f"{iso3} has no UN M49 code and no Comtrade quirk")
    return numeric


@dataclass(frozen=True)
class Plan:
    """What to fetch: classification, years, and whether the EU is one partner (code 97), its 27 members, or both."""

    classification: str = DEFAULT_CLASSIFICATION
    years: tuple[int, ...] = DEFAULT_YEARS
    eu: str = "aggregate"
    cmd_codes: tuple[str, ...] | None = None  # default: LENS for the classification's family

    def __post_init__(self) -> None:
        if self.classification not in REQUEST_CLASSIFICATIONS:
            raise SilkscopeError(
                f"Comtrade classification {self.classification!r}: expected one of {', '.join(REQUEST_CLASSIFICATIONS)}"
            )
        if self.eu not in EU_MODES:
            raise SilkscopeError(f"Comtrade EU mode {self.eu!r}: expected one of {', '.join(EU_MODES)}")

    @classmethod
    def from_env(cls, **overrides) -> Plan:
        """Defaults, overridden by SILKSCOPE_COMTRADE_* variables, overridden by arguments."""
        values = {"classification": os.environ.get(ENV_CLASSIFICATION), "eu": os.environ.get(ENV_EU)}
        if os.environ.get(ENV_YEARS):
            values["years"] = parse_years(os.environ[ENV_YEARS])
        values |= overrides
        return cls(**{k: v for k, v in values.items() if v is not None})

    @property
    def partners(self) -> tuple[str, ...]:
        base = tuple(p for p in DEFAULT_PARTNERS if p != EU_CODE)
        eu = {"aggregate": (EU_CODE,), "members": eu_members(), "both": (EU_CODE, *eu_members())}
        return base + eu[self.eu]

    @property
    def commodities(self) -> tuple[str, ...]:
        return self.cmd_codes or LENS[REQUEST_CLASSIFICATIONS[self.classification]]

    def reporters(self) -> list[tuple[str, tuple[str, ...]]]:
        """(reporter, its counterparts): each C5 state against the partners, then each partner against the C5."""
        return [(c, self.partners) for c in C5] + [(p, C5) for p in self.partners]


def parse_years(text: str) -> tuple[int, ...]:
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", part)
        if not match:
            raise SilkscopeError(f"{ENV_YEARS}={text!r}: expected years like 1995-2023 or 2019,2020")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        years.update(range(first, last + 1))
    return tuple(sorted(years))


def _chunks(items: tuple, size: int) -> list[tuple]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def api_requests(plan: Plan, base_url: str = API_URL, limit: int = PREVIEW_LIMIT) -> list[RemoteFile]:
    """One request per reporter and year span, each planned to stay below `limit` rows (the public preview cuts
    longer answers short without saying so); partners are split only when one year would not fit."""
    per_cell = len(FLOWS) * len(plan.commodities)  # rows per reporter x partner x year
    if per_cell >= limit:
        raise SilkscopeError(
            f"{len(plan.commodities)} commodity codes x {len(FLOWS)} flows exceed the {limit}-row "
            "preview limit for a single partner and year: request fewer codes"
        )
    remotes = []
    for reporter, counterparts in plan.reporters():
        partner_chunks = _chunks(counterparts, (limit - 1) // per_cell)
        for k, partners in enumerate(partner_chunks):
            for years in _chunks(tuple(sorted(plan.years)), (limit - 1) // (per_cell * len(partners))):
                span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
                part = f"_p{k + 1}" if len(partner_chunks) > 1 else ""
                params = {
                    "reporterCode": str(code_for(reporter)),
                    "partnerCode": ",".join(str(code_for(p)) for p in partners),
                    "period": ",".join(str(y) for y in years),
                    "flowCode": ",".join(FLOWS),
                    "cmdCode": ",".join(plan.commodities),
                    "partner2Code": "0",
                    "customsCode": "C00",
                    "motCode": "0",
                    "includeDesc": "true",
                }
                remotes.append(
                    RemoteFile(
                        f"{base_url}/C/A/{plan.classification}",
                        f"comtrade_{plan.classification}_{reporter}_{span}{part}.json",
                        params=params,
                        expect=(b'"data"',),
                        mirror_subdir=MIRROR_SUBDIR,
                    )
                )
    return remotes


def bulk_files(plan: Plan, base_url: str = BULK_URL) -> list[RemoteFile]:
    """One bulk file per reporter (C5 and partners) and year; silkscope.sources.comtrade says how to obtain them."""
    remotes = []
    for reporter, _counterparts in plan.reporters():
        code = code_for(reporter)
        for year in sorted(plan.years):
            remotes.append(
                RemoteFile(
                    f"{base_url}/C/A/{plan.classification}",
                    f"COMTRADE-FINAL-CA{code:03d}{year}{plan.classification}.gz",
                    params={"reporterCode": str(code), "period": str(year)},
                    expect=(b"\x1f\x8b",),
                    mirror_subdir=MIRROR_SUBDIR,
                )
            )
    return remotes
