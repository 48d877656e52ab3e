"""Plan: map a claim to the warehouse queries (under every reasonable definition) that can settle it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from silkscope.claims.extract import Claim
from silkscope.claims.reader import Document
from silkscope.countries import registry
from silkscope.coverage import Coverage
from silkscope.result import fetch_rows
from silkscope.schema import LEADER_LEVELS

# What the curated timeline covers, per partner and instrument (years; complete, or partial with lower-bound
# counts), is declared once in reference_pack/coverage.csv (core.coverage): Context.covered holds it and
# `complete` / `timeline_start` below read it.
INDEPENDENCE = 1991

# What data would settle a claim the warehouse cannot, and the connector that provides it.
NEEDS: dict[str, tuple[str, list[str]]] = {
    "finance": (
        "the donor's ODA to the recipients for those years under one stated measure: net or gross disbursements "
        "(OECD DAC Table 2a; WDI DC.DAC.<donor>L.CD) or commitments (OECD CRS; AidData before 2013)",
        ["oecd_dac2a", "oecd_crs", "wdi", "wdi_api", "wdi_ddf", "aiddata_flows"],
    ),
    "finance_chn": (
        "project-level Chinese official finance commitments (AidData's Chinese official finance dataset)",
        ["aiddata_china"],
    ),
    "trade": ("bilateral goods trade by reporter, partner and year (UN Comtrade)", ["comtrade", "comtrade_bulk"]),
    "composition": ("bilateral trade by product (UN Comtrade, HS or SITC)", ["comtrade", "comtrade_bulk"]),
    "investment": (
        "bilateral direct investment positions or flows (IMF Coordinated Direct Investment Survey); WDI has only "
        "total FDI inflows",
        ["imf_cdis", "wdi"],
    ),
    "remittances": (
        "bilateral remittance estimates (World Bank/KNOMAD matrix): no silkscope connector; WDI gives total "
        "personal remittances received (BX.TRF.PWKR.CD.DT), not by sending country",
        ["wdi"],
    ),
    "presence": (
        "a count of the partner's companies in the host country for that year from its statistics agency: no "
        "connector; add it to reference_pack/presence.csv with its source",
        [],
    ),
    "visits": (
        "leader travel beyond the curated timeline: news-coded visit events (GDELT 1.0 to 2013, GDELT 2.0 from "
        "2015) and, for Chinese leaders 2003-2018, China Vitae",
        ["gdelt1", "gdelt2", "chinavitae"],
    ),
    "event": (
        "a dated record of this event: none of the connectors provides policy launches or such happenings; add it "
        "to reference_pack/events.csv with its source (GDELT news events can show that it was reported)",
        ["gdelt1", "gdelt2"],
    ),
    "format": ("the meetings of this dialogue format: add them to reference_pack/events.csv with their sources", []),
    "poll": (
        "a poll asking this question in these countries (e.g. Central Asia Barometer): no connector; add it to "
        "reference_pack/opinion.csv with its source",
        [],
    ),
    "other": ("a dataset measuring this quantity: no silkscope connector covers it", []),
    "exchange_rate": ("the official exchange rate for the year (WDI PA.NUS.FCRF)", ["wdi"]),
    "leaders": (
        "the leader's terms in office from an official list (a cabinet office, a presidency): add them to "
        "reference_pack/leader_terms.csv with their source",
        [],
    ),
    "history": (
        "a history of diplomatic initiatives (who did what first): outside silkscope's data; needs a historian's "
        "source",
        [],
    ),
}


@dataclass
class Query:
    """SQL with its parameters; `text` inlines them so a reader can paste the query into DuckDB."""

    sql: str
    params: list[Any] = field(default_factory=list)

    def run(self, con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        # Parameters inlined as escaped literals: binding Python values makes DuckDB import pandas (about a second
        # of a cold check), and the inlined text is the query the evidence shows anyway.
        return fetch_rows(con, self.inlined())[1]

    def inlined(self) -> str:
        parts = self.sql.split("?")
        out = [parts[0]]
        for value, rest in zip(self.params, parts[1:], strict=True):
            out.append(_literal(value) + rest)
        return "".join(out)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", self.inlined()).strip()


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "NULL"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Context:
    """What every check of one article shares: the connection, the article's date and the warehouse's coverage."""

    con: duckdb.DuckDBPyConnection
    doc: Document
    claims: list[Claim]
    as_of: int
    covered: Coverage
    connectors: set[str]
    sources: dict[str, dict[str, Any]]
    _cache: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def open(cls, con: duckdb.DuckDBPyConnection, doc: Document, claims: list[Claim], as_of: int | None) -> Context:
        from silkscope.analysis.version import check_current
        from silkscope.visits import covered_partners

        check_current(con)  # derived tables another silkscope wrote: say which command rewrites them
        sources = {r["source_id"]: r for r in record("sources").run(con)}
        connectors = {r["loaded_by"] for r in sources.values()}
        year = as_of or (doc.published.year if doc.published else date.today().year)
        return cls(con, doc, claims, year, covered_partners(con), connectors, sources)

    def rows(self, query: Query) -> list[dict[str, Any]]:
        """Run a query once per article: several claims often ask the same question."""
        key = (query.sql, repr(query.params))
        if key not in self._cache:
            self._cache[key] = query.run(self.con)
        return self._cache[key]

    def source(self, source_id: str | None) -> dict[str, Any]:
        return self.sources.get(source_id or "", {})


def complete(ctx: Context, partner: str | None, lo: int, hi: int | None = None, instrument: str = "leader_visits"):
    """Is every event of this kind by this partner from `lo` to `hi` (default: the article's year) in the timeline?
    (Absence then means no event.)"""
    return ctx.covered.complete(partner, instrument, lo, ctx.as_of if hi is None else hi)


def timeline_start(ctx: Context) -> int:
    return ctx.covered.start()


def members(scope: str | None) -> list[str]:
    groups = registry().groups
    if scope in groups:
        return list(groups[scope].members)
    return [scope] if scope else list(groups["C5"].members)


def leader_levels(claim: Claim) -> list[str]:
    levels = [lv for lv in claim.levels if lv]
    return levels or list(LEADER_LEVELS)


def surname(person: str | None) -> str | None:
    if not person:
        return None
    return person.replace("-", " ").split()[-1] if person[:2] not in {"Xi", "Hu"} else person.split()[0]


# --- SQL ---------------------------------------------------------------------------------------------------------
# Quantities come from the measure catalogue (analysis/measures.py) through out.observations: finance by donor,
# recipient and year under every definition, trade by partner as each side reports it, investment, company counts,
# GDP, FDI, exchange rates. The queries below are about events, formats, polls and classes, which no measure holds.


def measure_query(
    names: list[str],
    countries: list[str] | None,
    lo: int,
    hi: int,
    partners: list[str | None] | None = None,
    *,
    own_series: bool = False,
) -> Query:
    """A catalogue measure's rows (a family name selects its members) with their definitions, units, sources and
    facets: the one way a check asks for a quantity."""
    from silkscope.observations import select

    return Query(*select(names, countries, lo, hi, partners, own_series=own_series))


def measures_of(instrument: str) -> list[str]:
    from silkscope.observations import names_of

    return names_of(instrument)


def record(name: str, **values: Any) -> Query:
    """A record of the catalogue (analysis/records.py: visits, summits, formats, polls, terms...) by name, with its
    values: the one way a check asks about events and records, as `measure_query` is for quantities."""
    from silkscope.analysis.records import statement

    return Query(*statement(name, **values))


# Visits: the verbs of travel. "The visiting ministers" are someone else's visit; hosting a summit is no visit.
VISIT_WORDS = re.compile(
    r"\b(?:visit(?:ed|s)?\b(?!\s+(?:ministers?|delegations?|leaders?))|visiting (?!(?:the )?(?:ministers?|delegation|"
    r"leaders?|officials?|president|premier|foreign)\b)|went to|travel+ed|toured|arrived in|returned to|trip|"
    r"(?:was|were) in (?-i:[A-Z])|fly to|flew to|will fly)",
    re.I,
)
MEMBERSHIP = re.compile(
    r"\b(?:comprises|comprising|consists of|(?:is|was) an? (?:\w+ ){0,3}(?:initiative|format|framework|forum|dialogue|"
    r"mechanism|grouping|bloc|organi[sz]ation) (?:between|of|linking|bringing together|comprising))\b",
    re.I,
)
# "Kazakhstan declared its independence", "the five gained independence", "became independent": a claim about a
# state's independence (claims/checks/independence.py), whatever else the clause names.
DECLARED_INDEPENDENCE = re.compile(
    r"\b(?:declared|proclaimed|gained|won|achieved|attained|obtained|regained)\s+(?:(?:their|its|full|formal|state)\s+)"
    r"{0,2}independence\b|\bbecame\s+(?:an?\s+)?(?:fully\s+|formally\s+)?independent\b"
    r"|\bindependence\s+(?:was|were)\s+(?:declared|proclaimed)\b",
    re.I,
)
# A leader's term: its end ("is due to step down", "resigned", "left office") or its start ("took office", "was
# sworn in", "became prime minister", "was elected president"). claims/checks/terms.py.
TERM_END = re.compile(
    r"\b(?:step(?:s|ped)?\s+down|stepping\s+down|resign(?:s|ed)?|left\s+office|leaves?\s+office|leaving\s+office|"
    r"stand(?:s)?\s+down|stood\s+down|quit(?:s)?\s+(?:as|office)|(?:was|were)\s+(?:ousted|removed\s+from\s+office))\b",
    re.I,
)
TERM_START = re.compile(
    r"\b(?:t(?:ook|akes?|aking)\s+office|assumed\s+office|(?:was|were)\s+sworn\s+in|came\s+to\s+power|"
    r"took\s+power|(?:was|were)\s+(?:re-?)?elected|(?:became|become|becomes)\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:prime\s+minister|premier|president|chancellor)|(?:was|were)\s+(?:appointed|inaugurated)\s+(?:as\s+)?"
    r"(?:the\s+)?(?:\w+\s+)?(?:prime\s+minister|premier|president))\b",
    re.I,
)
LEADER_FIRST = re.compile(
    r"\bof its kind\b|\bat (?:the )?(?:level of (?:leaders|heads of state)|leader(?:s['’])?[- ]level|summit level)\b"
    r"|\binvolving (?:the )?(?:presidents|leaders|heads of state)\b"
    # "India's first summit with ...", "its first summit": the partner's own first summit, not a race among powers
    r"|(?:['’]s?|\bits|\btheir)\s+first\s+(?:[\w-]+\s+){0,2}summit\b",
    re.I,
)


def _format_family(claim: Claim) -> str | None:
    """Checks about formats and summits beyond their dates (claims/checks/formats.py)."""
    if claim.type == "event" and claim.subtype == "attendance":
        return "attendance"
    if claim.type == "event" and claim.format_id and MEMBERSHIP.search(claim.text):
        return "membership"
    if claim.type == "frequency" and claim.subtype == "format_meetings":
        return "format_frequency"
    if claim.type == "first_or_only" and claim.subtype == "first" and LEADER_FIRST.search(claim.sentence):
        return "leader_first"
    return None


def family(claim: Claim) -> str:
    """Which check a claim gets: the verifier dispatches on this name."""
    if claim.type == "opinion":
        return "opinion"
    special = _format_family(claim)
    if special:
        return special
    if claim.type == "change":
        return "change"
    if claim.type in {"amount", "count"}:
        if claim.type == "count" and claim.indicator == "presence":
            return "presence"
        if claim.type == "amount" and claim.indicator in {"finance", "trade", "investment"}:
            return claim.indicator
        return "other_figure"
    if claim.type == "share":
        shares = {"poll": "poll", "composition": "composition", "trade": "trade_share"}
        return shares.get(claim.indicator or "", "other_share")
    if claim.type == "comparison":
        return {
            "presence": "presence_rank",
            "finance": "finance_rank",
            "visits": "visits_rank",
            "trade": "trade_rank",
        }.get(claim.indicator or "", "other_comparison")
    if claim.type == "frequency":
        return "format_frequency" if claim.subtype == "format_meetings" else "visit_count"
    if claim.type in {"event", "first_or_only"} and re.search(
        r"\b(?:was|were|has been|had been) (?:cancel+ed|postponed|called off|scrapped|put off)\b"
        r"|\bthere (?:will be|was|were|is) no\b|\bwill not be held\b",
        claim.text,
        re.I,
    ):
        return "dropped_event"
    if claim.type == "first_or_only":
        if claim.subtype == "hedged":
            return "hedged_first"
        if re.search(r"\bsummits?\b|\bformat\b|\bdialogue\b", claim.text, re.I) and not claim.person:
            return "format_first"
        return "visit_first"
    if claim.type == "event":
        if DECLARED_INDEPENDENCE.search(claim.text):
            return "independence"
        term = TERM_END.search(claim.text) or TERM_START.search(claim.text)
        if term and not (VISIT_WORDS.search(claim.text) and claim.hosts):  # "X, who took office in 2001, visited"
            return "leader_term"
        if claim.subtype == "ordinal" and not claim.format_id and claim.extra.get("format_of_partner"):
            return "format_event"
        if claim.format_id and (
            claim.subtype == "ordinal"
            or re.search(r"launch|establish|found|set up|\bstart|\bbegan\b|\bbegun\b|inception", claim.text, re.I)
        ):
            return "format_event"
        if VISIT_WORDS.search(claim.text) and (claim.hosts or claim.scope):
            return "visit_event"
        return "generic_event"
    return "other"
