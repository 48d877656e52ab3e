"""Internal names said the way people read them: panel columns, dataset ids, flow classes and model terms.

Pages, charts and CLI tables take their headings from here (and measure labels from the measure catalogue), so
'official_commit_constant_usd', 'aiddata_flows', 'oda_like' or 'leader_visits_to_country_lag1' never reach a
reader as a heading. Rules, not a list of every name: a new panel column or connector gets a readable label from
its parts; a name no rule knows falls back to its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from silkscope.formatting import is_money_column

ACRONYMS = {"fdi": "FDI", "oda": "ODA", "oof": "OOF", "cagr": "CAGR", "rca": "RCA", "sitc": "SITC", "c5": "C5",
            "gdp": "GDP", "usd": "US$", "eu": "EU", "ci": "CI"}  # fmt: skip
FINANCE = re.compile(r"^(oda|oof|official)_(commit|disb_gross|disb_net)_(current|constant)_usd$")
FAMILIES = {"oda": "ODA", "oof": "Other official flows", "official": "Official finance (ODA + OOF)"}
MEASURES = {"commit": "commitments", "disb_gross": "gross disbursements", "disb_net": "net disbursements"}
COLUMNS = {
    "coef": "Coefficient",  # a model's estimates (stats.visit_effects)
    "std_err": "Standard error",
    "exports_usd": "Partner's exports to the state (US$)",
    "imports_usd": "Partner's imports from the state (US$)",
    "trade_total_usd": "Trade turnover (US$)",
    "exports_mirror_usd": "Exports as the state reports them (US$)",
    "imports_mirror_usd": "Imports as the state reports them (US$)",
    "trade_total_mirror_usd": "Trade turnover as the state reports it (US$)",
    "trade_mirror_gap_usd": "Gap between the two reports (US$)",
    "trade_mirror_gap_pct": "Gap between the two reports (%)",
    "state_trade_all_partners_usd": "The state's trade with all partners (US$)",
    "of_total_usd": "Of the state's trade with all partners (US$)",
    "state_exports_usd": "The state's exports to the partner (US$)",
    "state_imports_usd": "The state's imports from the partner (US$)",
    "exports_to_partner_usd": "The state's exports to the partner (US$)",
    "imports_from_partner_usd": "The state's imports from the partner (US$)",
    "export_share_pct": "Share of the state's exports (%)",
    "import_share_pct": "Share of the state's imports (%)",
    "exports_total_usd": "The state's exports to all partners (US$)",
    "imports_total_usd": "The state's imports from all partners (US$)",
    "fdi_flow_usd": "FDI flows (US$)",
    "fdi_stock_usd": "FDI stock (US$)",
    "fdi_stock_mirror_usd": "FDI stock as the state reports it (US$)",
    "finance_projects": "Finance projects",
    "finance_dataset": "Finance dataset",
    "trade_dataset": "Trade dataset",
    "leader_visits_to_country": "Leader visits to the state",
    "leader_visits_to_partner": "The state's leader visits to the partner",
    "ministerial_meetings": "Ministerial meetings",
    "dialogue_meetings": "Dialogue-format meetings",
    "vitae_leader_travel_days": "Chinese leaders' travel days (China Vitae)",
    "vitae_leader_home_meeting_days": "Chinese leaders' meetings at home (China Vitae)",
    "vitae_other_travel_days": "Other Chinese officials' travel days (China Vitae)",
    "news_visit_events": "News-coded visits (GDELT)",
    "news_meeting_events": "News-coded meetings (GDELT)",
    "news_agreement_events": "News-coded agreements (GDELT)",
    "news_events_total": "News-coded events (GDELT)",
    "partner_iso3": "Partner",
    "country_iso3": "State",
}
FLOW_CLASSES = {
    "oda_like": "ODA-like",
    "oof_like": "OOF-like",
    "vague_official": "official finance of unclear kind",
    "development_finance": "development finance (all classes)",
    "oda_total": "ODA (total)",
    "oda_grant": "ODA grants",
    "oda_loan": "ODA loans",
    "oof": "other official flows",
}
LAG = re.compile(r"^(?P<base>.+)_lag(?P<n>\d+)$")
PER_PARTNER = re.compile(r"^(?P<iso3>[A-Z][A-Z0-9]{2})_(?P<what>usd|states)$")
EVENT = re.compile(r"^event_t(?P<sign>[+-])(?P<n>\d+)$")


def words(name: str) -> str:
    """The fallback: a snake_case name as words, units and acronyms spelled out ('fdi_flow_usd' -> 'FDI flow (US$)')."""
    text = name.replace("_iso3", "").replace("_usd", " (US$)").replace("_pct", " (%)").replace("_", " ")
    text = " ".join(ACRONYMS.get(w, w) for w in text.split(" "))
    return text[:1].upper() + text[1:]


@cache
def _datasets() -> dict[str, tuple[str, str, str]]:
    from silkscope.sources.registry import available, get_connector

    found = {}
    for name in available():
        connector = get_connector(name)
        found[name] = (connector.publisher, connector.title, connector.short)
    return found


def dataset_short(name: str | None) -> str:
    """A connector/dataset id in a few words, for a table cell or a heading ('oecd_crs' -> 'OECD CRS')."""
    if not name:
        return "–"
    found = _datasets().get(name)
    return found[2] if found else words(name)


DIRECTIONS = {"partner_to_country": "partner → state", "country_to_partner": "state → partner"}


def direction(name: str) -> str:
    """A trade flow's direction (core.trade_flows.direction) as an arrow between partner and state."""
    return DIRECTIONS.get(name, words(name))


# Table columns whose values are internal names, and how a reader is told them: a measure or panel column by its
# label, a dataset by its short name, a flow class or a trade direction in words. CSV and JSON keep the names.
NAMING_COLUMNS = {"instrument": "measure", "measure": "measure", "dataset": "dataset", "dataset_a": "dataset",
                  "dataset_b": "dataset", "finance_dataset": "dataset", "trade_dataset": "dataset",
                  "loaded_by": "dataset", "flow_class": "flow_class", "direction": "direction"}  # fmt: skip


def named(column: str, value: object) -> str | None:
    """A cell that holds an internal name, said in words (a list: each, joined); None when the column holds none."""
    kind = NAMING_COLUMNS.get(column)
    if kind is None or value is None or value == "":
        return None
    say = {"measure": label, "dataset": dataset_short, "flow_class": flow_class, "direction": direction}[kind]
    if isinstance(value, list | tuple):
        return ", ".join(say(str(v)) for v in value) or None
    return say(str(value))


# Columns holding an amount in the unit of the row's measure (shares, change): money when that measure is in US$.
MEASURED_COLUMNS = {"value", "total", "start_value", "end_value", "abs_change"}


def row_in_money(row: dict) -> bool:
    """Whether a shares or change row's amounts (MEASURED_COLUMNS) are money: its measure is in US$."""
    return is_money_column(str(row.get("instrument") or row.get("measure") or ""))


def dataset(name: str | None) -> str:
    """A connector/dataset id as its publisher and title ('aiddata_flows' -> 'AidData (William & Mary): ...')."""
    if not name:
        return "–"
    found = _datasets().get(name)
    return f"{found[0]}: {found[1]}" if found else words(name)


def publisher(name: str | None) -> str:
    """A connector/dataset id as its publisher only, for a table cell ('wdi_ddf' -> 'World Bank (...)')."""
    if not name:
        return "–"
    found = _datasets().get(name)
    return found[0] if found else words(name)


def flow_class(name: str | None) -> str:
    return FLOW_CLASSES.get(name or "", words(name or "").lower())


@cache
def label(name: str) -> str:
    """The heading for a column, measure or model term."""
    if m := FINANCE.match(name):
        family, measure, basis = m.groups()
        return f"{FAMILIES[family]}, {MEASURES[measure]} ({basis} US$)"
    if name in COLUMNS:
        return COLUMNS[name]
    if m := PER_PARTNER.match(name):  # a partner's own columns in a wide table (series.finance_series)
        from silkscope.countries import name_or_code

        said = name_or_code(m["iso3"])
        return f"{said} (US$)" if m["what"] == "usd" else f"{said}: states summed"
    if name.startswith("presence_"):
        return f"Companies present: {name.removeprefix('presence_').replace('_', ' ')}"
    if m := LAG.match(name):
        n = int(m["n"])
        return f"{label(m['base'])}, {n} year{'s' if n != 1 else ''} earlier"
    if m := EVENT.match(name):
        n = int(m["n"])
        when = "the year of the visit" if n == 0 else f"{n} year{'s' if n != 1 else ''} "
        return f"Visit effect, {when}{'' if n == 0 else ('after' if m['sign'] == '+' else 'before')}".rstrip()
    from silkscope.analysis.measures import catalogue

    entry = catalogue().get(name)
    return entry.label if entry is not None else words(name)


# A snake_case name standing alone in prose: not part of a dotted table name (core.news_events), a file name
# (…_2022.xls), a glob (oda_*) or a call (list_contains(…)), and not a name being defined ("meetings = …").
IDENTIFIER = re.compile(r"(?<![\w.$/])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.*(/])(?!\s*=)")


def prose(text: str, columns: Iterable[str] = ()) -> str:
    """A definition or note with the names it uses said in words: a column of its own table or a known measure by
    its heading, a dataset by its short name ('100 * gap_usd / reported_usd' -> '100 * Gap (US$) / Reported (US$)').
    A name no rule knows is left as written, so the text never says something other than what it meant; so is
    everything in `backticks` (a command to type)."""
    return _prose(str(text), tuple(columns))


@lru_cache(maxsize=4096)
def _prose(text: str, columns: tuple[str, ...]) -> str:
    # odd pieces are `code` (a command to type, with its connector ids): kept as written
    pieces = text.split("`")
    for i in range(0, len(pieces), 2):
        pieces[i] = IDENTIFIER.sub(lambda m: _said(m.group(), columns) or m.group(), pieces[i])
    return "`".join(pieces)


def _said(name: str, columns: tuple[str, ...]) -> str | None:
    if name in _datasets():
        return dataset_short(name)
    return label(name) if name in columns or _known(name) else None


def _known(name: str) -> bool:
    """Whether `label` has a rule for the name (else it would only split it into words)."""
    if name in COLUMNS or FINANCE.match(name) or EVENT.match(name) or name.startswith("presence_"):
        return True
    if m := LAG.match(name):
        return _known(m["base"])
    from silkscope.analysis.measures import catalogue

    return name in catalogue()
