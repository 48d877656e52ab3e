"""Dyad-year blocks from dated events: curated visits (trip-aware), meetings, agreements, news and biographies."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt

from silkscope.indicators.tables import Tables, nullable
from silkscope.schema import LEADER_LEVELS, NOT_VISITS

KEYS = ["partner_iso3", "country_iso3", "year"]
AGREEMENT_TYPES = ("agreement", "agreement_signing", "agreement_signed")
# Counted from the curated timeline (core.events): 0 for a partner the timeline covers, NULL for one it does not.
TIMELINE_COLUMNS = [
    "leader_visits_to_country",
    "leader_visits_to_partner",
    "ministerial_meetings",
    "dialogue_meetings",
    "agreements",
]
# Counted from China Vitae-style biographies (core.leader_engagements): days with an engagement.
VITAE_COLUMNS = ["vitae_leader_travel_days", "vitae_leader_home_meeting_days", "vitae_other_travel_days"]
# Counted from machine-coded news (core.news_events): reported events, never visits.
NEWS_COLUMNS = ["news_visit_events", "news_meeting_events", "news_agreement_events", "news_events_total"]


def _week(d: ibis.Value) -> ibis.Value:
    return (d.epoch_days() // 7).cast("int64")


def _pairs(events: ibis.Table) -> ibis.Table:
    """(visitor, host) pairs of each event, from the events' own arrays: core.event_participants is derived from
    them, and exploding arrays avoids joining tens of millions of rows on a string event id."""
    base = events.select(
        "event_id", "year", "date_start", "date_end", "event_type", "level", "trip_id", "format_id", "source_id",
        visitor_iso3=events.visitor_iso3.unnest(), _hosts=events.host_iso3,
    )  # fmt: skip
    return base.mutate(host_iso3=base._hosts.unnest()).drop("_hosts")


def visit_pairs(t: Tables) -> ibis.Table:
    """The Ibis twin of the out.visits view, for any backend: one row per held, in-person (visitor, host) pair of
    an event, with `trip_key` — a summit row with no trip id takes the smallest trip id of the same delegation's
    visit to the same host on overlapping days, so one journey counts once."""
    e = t("events")
    pairs = _pairs(e.filter(e.status == "held", e.mode == "in_person", ~e.event_type.isin(NOT_VISITS)))
    # Overlap joins scale badly on (visitor, host) alone; both sides are spread over the calendar weeks they
    # cover, so two overlapping stays always meet in at least one week (exact, not an approximation).
    orphans = pairs.filter(pairs.trip_id.isnull())
    orphans = orphans.select(
        o_event="event_id",
        o_visitor="visitor_iso3",
        o_host="host_iso3",
        o_start="date_start",
        o_end="date_end",
        w0=_week(orphans.date_start),
        w1=_week(orphans.date_end) + 1,
    )
    orphans = orphans.mutate(o_week=ibis.range(orphans.w0, orphans.w1, 1).unnest())
    trips = pairs.filter(pairs.trip_id.notnull())
    trips = trips.select(
        t_visitor="visitor_iso3",
        t_host="host_iso3",
        t_start="date_start",
        t_end="date_end",
        t_trip="trip_id",
        v0=_week(trips.date_start),
        v1=_week(trips.date_end) + 1,
    )
    trips = trips.mutate(t_week=ibis.range(trips.v0, trips.v1, 1).unnest())
    m = orphans.join(
        trips,
        [
            orphans.o_visitor == trips.t_visitor,
            orphans.o_host == trips.t_host,
            orphans.o_week == trips.t_week,
            trips.t_start <= orphans.o_end,
            trips.t_end >= orphans.o_start,
        ],
    )
    inherited = m.group_by(["o_event", "o_visitor", "o_host"]).aggregate(inherited=m.t_trip.min())
    # only rows without a trip id need the inherited one: joining it back to every pair would cost a full pass
    orph = pairs.filter(pairs.trip_id.isnull())
    orph = orph.left_join(
        inherited,
        [
            orph.event_id == inherited.o_event,
            orph.visitor_iso3 == inherited.o_visitor,
            orph.host_iso3 == inherited.o_host,
        ],
    )
    orph = orph.mutate(trip_key=ibis.coalesce(orph.inherited, orph.event_id))
    orph = orph.drop("o_event", "o_visitor", "o_host", "inherited")
    with_trip = pairs.filter(pairs.trip_id.notnull())
    out = ibis.union(nullable(with_trip.mutate(trip_key=with_trip.trip_id)), nullable(orph))
    return out.mutate(leader_level=out.level.isin(LEADER_LEVELS))


def _long(table: ibis.Table, measure: str, partner, country, year, item, source) -> ibis.Table:
    # explicit nullable types: a union needs identical schemas, and NOT NULL columns differ from nullable ones
    return table.select(
        partner_iso3=partner.cast(dt.string),
        country_iso3=country.cast(dt.string),
        year=year.cast(dt.int64),
        measure=ibis.literal(measure, type=dt.string),
        item=item.cast(dt.string),
        source_id=source.cast(dt.string),
    )


def event_long(t: Tables, partners: list[str], countries: list[str]) -> ibis.Table:
    """Every counted item in one long table: (dyad, year, measure, item, source_id). Counts are distinct items:
    trips for visits, events for meetings, engagement days for biographies."""
    v = visit_pairs(t)
    # one pass over the visit pairs for both directions (a second reference would recompute the trip join)
    out = v.leader_level & v.visitor_iso3.isin(partners) & v.host_iso3.isin(countries)
    inbound = v.leader_level & v.host_iso3.isin(partners) & v.visitor_iso3.isin(countries)
    lv = v.filter(out | inbound)
    outward = lv.visitor_iso3.isin(partners) & lv.host_iso3.isin(countries)
    parts = [
        lv.select(
            partner_iso3=ibis.ifelse(outward, lv.visitor_iso3, lv.host_iso3).cast(dt.string),
            country_iso3=ibis.ifelse(outward, lv.host_iso3, lv.visitor_iso3).cast(dt.string),
            year=lv.year.cast(dt.int64),
            measure=ibis.ifelse(outward, "leader_visits_to_country", "leader_visits_to_partner").cast(dt.string),
            item=lv.trip_key.cast(dt.string),
            source_id=lv.source_id.cast(dt.string),
        )
    ]
    e = t("events")
    held = e.filter(e.status == "held", e.event_type != "finding")
    # Ministerial: a minister-level meeting between the two (one visits the other, any mode), outside formats.
    mp = _pairs(held.filter(held.level.contains("minister"), held.format_id.isnull()))
    fwd = mp.visitor_iso3.isin(partners) & mp.host_iso3.isin(countries)
    mini = mp.filter(fwd | (mp.host_iso3.isin(partners) & mp.visitor_iso3.isin(countries)))
    fwd = mini.visitor_iso3.isin(partners)
    parts.append(
        _long(mini, "ministerial_meetings", ibis.ifelse(fwd, mini.visitor_iso3, mini.host_iso3),
              ibis.ifelse(fwd, mini.host_iso3, mini.visitor_iso3), mini.year, mini.event_id, mini.source_id)
    )  # fmt: skip
    # Agreements (rare rows: a join is cheap) and dialogue meetings: anyone on either side.
    everyone = held.select("event_id", "year", "event_type", "format_id", "source_id",
                           country_iso3=held.visitor_iso3.concat(held.host_iso3).unnest())  # fmt: skip
    agree = everyone.filter(everyone.event_type.isin(AGREEMENT_TYPES))
    ap = agree.filter(agree.country_iso3.isin(partners)).select(a_event="event_id", a_partner="country_iso3")
    ac = agree.filter(agree.country_iso3.isin(countries))
    ag = ac.join(ap, ac.event_id == ap.a_event)
    parts.append(_long(ag, "agreements", ag.a_partner, ag.country_iso3, ag.year, ag.event_id, ag.source_id))
    f = t("dialogue_formats").select(f_format="format_id", f_partner="partner_iso3")
    fm = everyone.filter(everyone.format_id.notnull(), everyone.country_iso3.isin(countries))
    fm = fm.join(f, fm.format_id == f.f_format)
    fm = fm.filter(fm.f_partner.isin(partners))
    parts.append(_long(fm, "dialogue_meetings", fm.f_partner, fm.country_iso3, fm.year, fm.event_id, fm.source_id))
    g = t("leader_engagements")
    g = g.filter(g.leader_iso3.isin(partners), g.counterpart_iso3.isin(countries))
    leader = g.level.isin(LEADER_LEVELS)
    for name, cond in (
        ("vitae_leader_travel_days", leader & (g.kind == "travel")),
        ("vitae_leader_home_meeting_days", leader & (g.kind == "meeting_at_home")),
        ("vitae_other_travel_days", ~leader & (g.kind == "travel")),
    ):
        sel = g.filter(cond)
        parts.append(
            _long(sel, name, sel.leader_iso3, sel.counterpart_iso3, sel.year, sel.engagement_date, sel.source_id)
        )
    return ibis.union(*parts)


def event_block(t: Tables, partners: list[str], countries: list[str]) -> tuple[ibis.Table, ibis.Table]:
    long = event_long(t, partners, countries)
    # distinct first, then plain conditional sums: several COUNT(DISTINCT ...) FILTER in one aggregate make
    # Spark expand every row once per distinct aggregate
    items = long.select(*KEYS, "measure", "item").distinct()
    metrics = {m: (items.measure == m).cast("int64").sum() for m in TIMELINE_COLUMNS + VITAE_COLUMNS}
    return items.group_by(KEYS).aggregate(**metrics), long.select(*KEYS, "source_id")


def news_block(t: Tables, partners: list[str], countries: list[str]) -> tuple[ibis.Table, ibis.Table]:
    """Machine-coded news events between the two, either actor first; summed de-duplicated event counts."""
    n = t("news_events")
    fwd = n.actor1_iso3.isin(partners) & n.actor2_iso3.isin(countries)
    rev = n.actor2_iso3.isin(partners) & n.actor1_iso3.isin(countries)
    n = n.filter(fwd | rev)
    n = n.mutate(
        partner_iso3=ibis.ifelse(n.actor1_iso3.isin(partners), n.actor1_iso3, n.actor2_iso3),
        country_iso3=ibis.ifelse(n.actor1_iso3.isin(partners), n.actor2_iso3, n.actor1_iso3),
        year=n.year.cast("int64"),
    )
    c = n.event_count
    values = n.group_by(KEYS).aggregate(
        news_visit_events=c.sum(where=n.event_class.isin(["visit_made", "visit_hosted"])),
        news_meeting_events=c.sum(where=n.event_class == "meeting"),
        news_agreement_events=c.sum(where=n.event_class == "agreement"),
        news_events_total=c.sum(),
    )
    return values, n.select(*KEYS, "source_id")


def coverage(t: Tables) -> ibis.Table:
    """Per partner: does each event source cover it at all? (Absent from a source: NULL, not 0.)"""
    p = t("event_participants").select(partner_iso3="country_iso3", s=ibis.literal("timeline"))
    g = t("leader_engagements").select(partner_iso3="leader_iso3", s=ibis.literal("vitae"))
    n = t("news_events")
    n1 = n.select(partner_iso3="actor1_iso3", s=ibis.literal("news"))
    n2 = n.select(partner_iso3="actor2_iso3", s=ibis.literal("news"))
    u = ibis.union(*[nullable(x) for x in (p, g, n1, n2)], distinct=True)
    return u.group_by(_cp="partner_iso3").aggregate(
        timeline_covered=(u.s == "timeline").any(),
        vitae_covered=(u.s == "vitae").any(),
        news_covered=(u.s == "news").any(),
    )


def definitions() -> dict[str, str]:
    return {
        "leader_visits_to_country": "held, in-person visits by the partner's head of state or government to the "
        "country (distinct trips: a summit attended during a bilateral visit counts once); curated timeline",
        "leader_visits_to_partner": "held, in-person visits by the country's head of state or government to the "
        "partner (trip-aware as above); curated timeline",
        "ministerial_meetings": "held minister-level events (foreign, vice and other ministers; any mode) where one "
        "side visits the other, outside dialogue formats; curated timeline",
        "dialogue_meetings": "held meetings (any level, any mode) of the partner's Central Asia dialogue formats "
        "that the country took part in; curated timeline",
        "agreements": f"held events of type {', '.join(AGREEMENT_TYPES)} between the two; curated timeline",
        "vitae_leader_travel_days": "days on which the partner's head of state/government was recorded travelling "
        "in the country (China Vitae-style biographies; core.leader_engagements); kept apart from the timeline",
        "vitae_leader_home_meeting_days": "days on which the partner's leader met the country's officials at home",
        "vitae_other_travel_days": "travel days of the partner's other recorded officials (e.g. foreign ministers)",
        "news_visit_events": "machine-coded news events (GDELT CAMEO 042/043) between the two, de-duplicated by "
        "source URL and day; reports of events, not visits",
        "news_meeting_events": "news-coded meetings (core.news_events event_class 'meeting')",
        "news_agreement_events": "news-coded agreements (event_class 'agreement')",
        "news_events_total": "all news-coded events between the two",
        "timeline coverage": "curated-timeline counts are 0 for partners whose travel the timeline records and "
        "NULL (not covered) for others; likewise for biographies and news",
    }
