"""The record catalogue: named queries for the single events and records the warehouse keeps (a visit, a summit, a
format and its meetings, a poll, a leader's term, a state's class), as the measure catalogue (measures.py) names the
quantities. What a claim about events is checked against: the claim checker asks for a record by name
(`statement(name, **values)`) and keeps no SQL of its own; the evidence it shows is the statement run.

Declared once as data: a name, what it answers in words, its SQL over out.* and core.*, and the names of its
parameters in the order the SQL binds them (a name given twice is bound twice: "NULL means all" filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from silkscope.errors import SilkscopeError


@dataclass(frozen=True)
class Record:
    name: str
    about: str  # what it answers, for people
    sql: str
    parameters: tuple[str, ...] = ()


_VISITS = """SELECT v.event_id, v.visitor_iso3, v.host_iso3, v.year, v.date_start, v.date_end, v.date_precision,
       v.level, v.visitor_person, v.trip_key, v.event_type, v.format_id, v.title, e.note, v.source_id
FROM out.visits v JOIN core.events e USING (event_id)
WHERE list_contains(?::VARCHAR[], v.visitor_iso3) AND list_contains(?::VARCHAR[], v.host_iso3)
  AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], v.level)) AND v.year BETWEEN ? AND ?
  AND (?::VARCHAR IS NULL OR strip_accents(v.visitor_person) ILIKE '%' || strip_accents(?::VARCHAR) || '%')
ORDER BY v.date_start, v.host_iso3"""

_CLASS_VISITS = """SELECT v.event_id, v.visitor_iso3, v.host_iso3, v.year, v.date_start, v.date_end, v.date_precision,
       v.level, v.visitor_person, v.trip_key, v.event_type, v.title, e.note, e.confidence, v.source_id
FROM out.visits v JOIN core.events e USING (event_id)
WHERE list_contains(?::VARCHAR[], v.visitor_iso3) AND list_contains(?::VARCHAR[], v.host_iso3)
  AND v.level IN ('head_of_state', 'head_of_government') AND v.date_start BETWEEN ? AND ?
ORDER BY v.date_start, v.visitor_iso3"""

_NOT_HELD = """SELECT event_id, date_start, date_end, year, event_type, status, mode, level, visitor_iso3,
       visitor_person, host_iso3, format_id, title, note, source_id
FROM core.events
WHERE (status <> 'held' OR mode <> 'in_person' OR event_type = 'finding')
  AND list_has_any(visitor_iso3, ?::VARCHAR[]) AND list_has_any(host_iso3, ?::VARCHAR[])
  AND year(date_end) >= ? AND year <= ?
ORDER BY date_start"""

_HOSTED_SUMMITS = """SELECT event_id, date_start, year, event_type, status, level, title, note, source_id
FROM core.events
WHERE list_contains(host_iso3, ?) AND list_has_any(visitor_iso3, ?::VARCHAR[]) AND event_type = 'multilateral_summit'
  AND status = 'held' AND mode = 'in_person' AND year >= ?
ORDER BY date_start"""

_ORG_SUMMITS = """SELECT event_id, date_start, date_end, year, event_type, status, level, visitor_iso3, visitor_person,
       host_iso3, format_id, title, note, source_id
FROM core.events
WHERE event_type = 'organisation_summit' AND status = 'held' AND mode = 'in_person'
  AND list_has_any(visitor_iso3, ?::VARCHAR[]) AND list_has_any(host_iso3, ?::VARCHAR[]) AND year BETWEEN ? AND ?
ORDER BY date_start"""

_EVENTS_NEAR = """SELECT event_id, date_start, date_end, year, event_type, status, mode, level, visitor_iso3,
       visitor_person, host_iso3, format_id, title, note, source_id
FROM core.events
WHERE list_has_any(list_concat(visitor_iso3, host_iso3), ?::VARCHAR[]) AND year BETWEEN ? AND ?
ORDER BY date_start"""

_EARLIEST_EVENTS = """SELECT event_id, date_start, year, event_type, status, level, visitor_person, title, source_id
FROM core.events WHERE list_contains(list_concat(visitor_iso3, host_iso3), ?) ORDER BY date_start LIMIT 3"""

_LAST_YEAR = """SELECT max(year) AS last_year FROM core.events WHERE status = 'held'"""

_INDEPENDENCE = """SELECT event_id, date_start, date_end, year, host_iso3, title, note, source_id
FROM core.events WHERE event_type = 'independence' ORDER BY date_start"""

_FORMATS = """SELECT format_id, name, partner_iso3, members_iso3, launched, launched_precision, launch_level,
       first_summit, top_level, note, source_id
FROM core.dialogue_formats WHERE (?::VARCHAR IS NULL OR format_id = ?::VARCHAR) ORDER BY launched"""

_FORMAT_EVENTS = """SELECT e.event_id, e.date_start, e.date_end, e.year, e.event_type, e.status, e.mode, e.level,
       e.visitor_iso3, e.host_iso3, e.format_id, f.name AS format_name, f.partner_iso3, f.launched, e.title, e.note,
       e.source_id
FROM core.events e JOIN core.dialogue_formats f USING (format_id)
WHERE (?::VARCHAR IS NULL OR e.format_id = ?::VARCHAR)
ORDER BY e.date_start"""

_OPINION = """SELECT o.fact_id, o.subject_iso3, coalesce(o.country_iso3, o.group_id) AS scope,
       CASE WHEN o.country_iso3 IS NOT NULL THEN [o.country_iso3]
            ELSE (SELECT list(m.country_iso3 ORDER BY m.country_iso3) FROM core.country_group_members m
                  WHERE m.group_id = o.group_id) END AS scope_members,
       o.fieldwork_start, o.fieldwork_end, o.fieldwork_precision, o.indicator, o.question, o.answer, o.share_pct,
       o.sample_n, o.pollster, o.confidence, o.basis, o.note, o.source_id
FROM core.opinion o WHERE (?::VARCHAR IS NULL OR o.subject_iso3 = ?::VARCHAR)
ORDER BY o.fieldwork_start, o.fact_id"""

_ENGAGEMENTS = """SELECT engagement_date, year, leader, leader_iso3, counterpart_iso3, kind, text, source_id
FROM core.leader_engagements
WHERE leader ILIKE '%' || ? || '%' AND kind = 'travel' AND list_contains(?::VARCHAR[], counterpart_iso3)
ORDER BY engagement_date LIMIT 10"""

_LEADER_TERMS = """SELECT fact_id, person, country_iso3, office, level, term_start, term_end, confidence, note,
       source_id, citation_status
FROM core.leader_terms ORDER BY term_start, fact_id"""

_CLASSES = """SELECT fact_id, class_id, country_iso3, first_year, last_year, member, basis, confidence, note, source_id
FROM core.country_classes WHERE class_id = ? ORDER BY country_iso3, first_year"""

_INDICATORS_NAMED = """SELECT indicator_code, indicator_name, country_iso3, year, value FROM core.indicators
WHERE list_contains(?::VARCHAR[], country_iso3) AND indicator_name ILIKE ? LIMIT 20"""

_FINANCE_DYAD_YEARS = """SELECT count(DISTINCT (donor_iso3, country_iso3, year)) AS dyad_years FROM core.finance_flows
WHERE list_contains(?::VARCHAR[], country_iso3) AND year <= ?"""

_TRADE_DYAD_YEARS = """SELECT count(DISTINCT (partner_iso3, country_iso3, year)) AS dyad_years FROM core.trade_flows
WHERE list_contains(?::VARCHAR[], country_iso3) AND year <= ? AND partner_iso3 <> 'WLD'"""

_SOURCES = """SELECT source_id, publisher, title, url, citation, loaded_by FROM core.sources"""

_FORMAT_NAMES = """SELECT format_id, name, partner_iso3 FROM core.dialogue_formats"""


RECORDS: dict[str, Record] = {
    r.name: r
    for r in (
        Record(
            "visits",
            (
                "leader visits, one row per visit with its trip key: by these visitors to these hosts, at these "
                "levels (all when NULL), in these years, by a person whose name contains this text (anyone when "
                "NULL)"
            ),
            _VISITS,
            ("visitors", "hosts", "levels", "levels", "since", "until", "person", "person"),
        ),
        Record(
            "class_visits",
            (
                "head-of-state and head-of-government visits with their confidence, by these visitors to these "
                "hosts between two dates: who came first among a class of countries"
            ),
            _CLASS_VISITS,
            ("visitors", "hosts", "from_date", "to_date"),
        ),
        Record(
            "not_held",
            (
                "events that were not held in person as planned (cancelled, postponed, virtual) and findings, of "
                "these visitors and hosts, overlapping these years"
            ),
            _NOT_HELD,
            ("visitors", "hosts", "since", "until"),
        ),
        Record(
            "hosted_summits",
            "multilateral summits a state hosted at home with these visitors, held in person from this year",
            _HOSTED_SUMMITS,
            ("host", "visitors", "since"),
        ),
        Record(
            "org_summits",
            (
                "summits of multilateral organisations these leaders attended in these hosts in these years: "
                "meetings, never counted as visits"
            ),
            _ORG_SUMMITS,
            ("visitors", "hosts", "since", "until"),
        ),
        Record(
            "events_near",
            "every event in which these states took part, as visitor or host, in these years",
            _EVENTS_NEAR,
            ("states", "since", "until"),
        ),
        Record(
            "earliest_events",
            "the three earliest events on record of a state, as visitor or host",
            _EARLIEST_EVENTS,
            ("state",),
        ),
        Record(
            "last_year",
            "the last year with an event held on record",
            _LAST_YEAR,
            (),
        ),
        Record(
            "independence",
            "the states' declarations of independence (the Factbook's dates): single dated records, never visits",
            _INDEPENDENCE,
            (),
        ),
        Record(
            "formats",
            "a dialogue format's record (every format when NULL): partner, members, launch, first summit, top level",
            _FORMATS,
            ("format_id", "format_id"),
        ),
        Record(
            "format_events",
            "a dialogue format's meetings (every format's when NULL)",
            _FORMAT_EVENTS,
            ("format_id", "format_id"),
        ),
        Record(
            "opinion",
            (
                "the poll results about a partner (every partner when NULL): question wording, answer, fieldwork, "
                "sample, pollster and the states polled"
            ),
            _OPINION,
            ("subject", "subject"),
        ),
        Record(
            "engagements",
            "a leader's travel to these states in China Vitae's record (the first ten), by part of the leader's name",
            _ENGAGEMENTS,
            ("person", "hosts"),
        ),
        Record(
            "leader_terms",
            "heads of state and government with their terms in office",
            _LEADER_TERMS,
            (),
        ),
        Record(
            "classes",
            (
                "which states belong to a class of countries (liberal democracies, Asian...) in which years, by "
                "which index"
            ),
            _CLASSES,
            ("class_id",),
        ),
        # Claims stated as figures no measure holds (remittances, populations...): what the warehouse has by name.
        Record(
            "indicators_named",
            "the development indicators of these states whose name contains this text (the first twenty)",
            _INDICATORS_NAMED,
            ("states", "pattern"),
        ),
        Record(
            "sources",
            "every source: publisher, title, address, citation and the connector that loaded it",
            _SOURCES,
            (),
        ),
        Record(
            "format_names",
            "every dialogue format's id, name and partner: the names an article may call a format by",
            _FORMAT_NAMES,
        ),
        # How many partner-state-years an outcome of the visits model has: a cheap count that spares building the
        # panel when it cannot be fitted.
        Record(
            "finance_dyad_years",
            "how many donor-state-years of official finance these states have up to a year",
            _FINANCE_DYAD_YEARS,
            ("states", "until"),
        ),
        Record(
            "trade_dyad_years",
            "how many partner-state-years of trade these states have up to a year",
            _TRADE_DYAD_YEARS,
            ("states", "until"),
        ),
    )
}


def statement(name: str, **values: Any) -> tuple[str, list[Any]]:
    """The record's SQL and its parameters in binding order, from values given by name (each exactly once)."""
    record = RECORDS.get(name)
    if record is None:
        raise SilkscopeError(f"unknown record {name!r}; known: {', '.join(sorted(RECORDS))}")
    wanted = set(record.parameters)
    if wanted != values.keys():
        missing, extra = sorted(wanted - values.keys()), sorted(values.keys() - wanted)
        raise SilkscopeError(f"record {name!r} takes {', '.join(record.parameters) or 'no values'}; missing "
                             f"{', '.join(missing) or 'none'}, unexpected {', '.join(extra) or 'none'}")  # fmt: skip
    return record.sql, [values[p] for p in record.parameters]
