"""First views over the warehouse: timeline, profile, compare, sources — each an answer with its evidence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from silkscope import instruments, labels, series, visits, warehouse
from silkscope.countries import DEFAULT_PARTNERS, name, registry, resolve, resolve_list, resolve_scope, scope_name
from silkscope.errors import SilkscopeError
from silkscope.result import Bundle, Result, cited_ids, fetch_rows, sources_for

INDICATORS = (
    "leader_visits",
    "inbound_visits",
    "dialogue_meetings",
    "presence",
    "finance",
    "trade",
    "investment",
    "leader_engagements",
    "news_events",
    "all",
)
PRESENCE_PREFERENCE = (
    "enterprises_with_foreign_capital",
    "companies_operating",
    "representative_offices",
    "joint_ventures_operating",
)


@contextmanager
def _connection(con: duckdb.DuckDBPyConnection | None, db: str | Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    if con is not None:
        yield con
        return
    own = warehouse.connect(db, read_only=True)
    try:
        yield own
    finally:
        own.close()


def _scope(country: str) -> tuple[list[str], str]:
    return list(resolve_scope(country)), scope_name(country)


def _group(country: str) -> str | None:
    """The group id when the question is about a group (C5): then regional rows for that group count too."""
    return country.upper() if country.upper() in registry().groups else None


def _period(since: int | None, until: int | None) -> tuple[int, int]:
    lo, hi = since or 1991, until or 2100
    if lo > hi:
        raise SilkscopeError(f"--since {lo} is after --until {hi}: expected since <= until")
    return lo, hi


def timeline(
    partner: str | None = None,
    country: str | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    leaders_only: bool = False,
    con=None,
    db=None,
) -> Result:
    """Dated events involving `partner` and/or `country` (a country or group such as C5), oldest first."""
    partner_iso3 = resolve(partner, field_name="partner") if partner else None
    members = _scope(country)[0] if country else None
    lo, hi = _period(since, until)
    sql = """SELECT event_id, date_start, date_end, date_precision, event_type, status, level,
       visitor_iso3, visitor_person, host_iso3, trip_id, format_id, title, citation_status, source_ids
FROM core.events
WHERE (?::VARCHAR IS NULL OR list_contains(visitor_iso3, ?::VARCHAR) OR list_contains(host_iso3, ?::VARCHAR))
  AND (?::VARCHAR[] IS NULL OR list_has_any(list_concat(visitor_iso3, host_iso3), ?::VARCHAR[]))
  AND year_end(date_end) >= ? AND year <= ?
  AND (NOT ? OR level IN ('head_of_state', 'head_of_government'))
ORDER BY date_start, event_id"""
    sql = sql.replace("year_end(date_end)", "year(date_end)")
    params = [partner_iso3, partner_iso3, partner_iso3, members, members, lo, hi, leaders_only]
    with _connection(con, db) as c:
        columns, rows = fetch_rows(c, sql, params)
        sources = sources_for(c, cited_ids(rows))
    who = " and ".join(
        x for x in (name(partner_iso3) if partner_iso3 else "", _scope(country)[1] if country else "") if x
    )
    unsourced = sum(1 for r in rows if r["citation_status"] == "unsourced")
    notes = [f"{unsourced} of {len(rows)} events have no citation yet (compiler's assertion)"] if unsourced else []
    return Result(
        f"Timeline: {who or 'all events'}, {lo}-{min(hi, 2026)}",
        columns,
        rows,
        sql,
        params,
        sources,
        {"status": "held, planned, cancelled or postponed, as of the cited source"},
        notes,
    )


def figures(table: str, partner_column: str, members: list[str], partners: list[str], con) -> Result:
    """All curated or ingested rows of a fact table for the dyads in scope (finance, trade, investment, opinion)."""
    sql = f"""SELECT * EXCLUDE (record, note), record
FROM {table}
WHERE list_contains(?::VARCHAR[], {partner_column})
  AND (list_contains(?::VARCHAR[], country_iso3)
       OR group_id IN (SELECT group_id FROM core.country_group_members WHERE list_contains(?::VARCHAR[], country_iso3)))
ORDER BY ALL"""
    params = [partners, members, members]
    columns, rows = fetch_rows(con, sql, params)
    titles = {
        "core.finance_flows": "Official finance",
        "core.trade_flows": "Trade",
        "core.investments": "Investment",
        "core.opinion": "Public opinion",
    }
    return Result(titles[table], columns, rows, sql, params, sources_for(con, cited_ids(rows)))


def _partners(partners: str | list[str] | None) -> list[str]:
    return resolve_list(partners) if partners else list(DEFAULT_PARTNERS)


def profile(
    country: str,
    partners: str | list[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    con=None,
    db=None,
) -> Bundle:
    """Everything the warehouse knows about each partner's engagement with `country`, section by section."""
    return profile_and_summary(country, partners, since, until, con=con, db=db)[0]


def profile_and_summary(
    country: str,
    partners: str | list[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    con=None,
    db=None,
) -> tuple[Bundle, Result]:
    """`profile` and `compare(..., indicator="all")` of the same scope, from the same statements: a country page
    shows both, and the nine parts they share were run twice (9 of the page's 28 statements)."""
    members, label = _scope(country)
    group = _group(country)
    chosen = _partners(partners)
    lo, hi = _period(since, until)
    with _connection(con, db) as c:
        covered = visits.covered_partners(c)
        parts = {key: run() for key, run in _parts(members, group, chosen, lo, hi, c).items()}
        sections = [
            parts["leader_visits"],
            parts["inbound_visits"],
            visits.visits_by_year(members, chosen, lo, hi, c),
            *(parts[k] for k in ("dialogue_meetings", "presence", "finance", "trade", "investment")),
            parts["leader_engagements"],
            parts["news_events"],
            figures("core.opinion", "subject_iso3", members, chosen, c),
            series.trade_partners(members, lo, hi, 5, c),
            series.context(members, lo, hi, c),
        ]
    notes = visits.coverage_notes(chosen, covered)
    by = ", ".join(name(p) for p in chosen)
    bundle = Bundle(f"Profile of {label}: engagement by {by}, {lo}-{min(hi, 2026)}", sections, notes)
    return bundle, _summary(parts, chosen, covered, label, lo, hi)


def _parts(members: list[str], group: str | None, chosen: list[str], lo: int, hi: int, c) -> dict[str, Any]:
    """The per-instrument answers a side-by-side summary is made of, each to be called (in this order)."""
    return {
        "leader_visits": lambda: visits.leader_visits(members, chosen, lo, hi, c),
        "inbound_visits": lambda: visits.inbound_visits(members, chosen, lo, hi, c),
        "dialogue_meetings": lambda: visits.dialogue_meetings(members, chosen, lo, hi, c),
        "presence": lambda: visits.presence(members, chosen, lo, hi, c),
        "finance": lambda: instruments.finance(members, group, chosen, lo, hi, c),
        "trade": lambda: instruments.trade(members, group, chosen, lo, hi, c),
        "investment": lambda: instruments.investment(members, group, chosen, lo, hi, c),
        "leader_engagements": lambda: instruments.leader_engagements(members, chosen, lo, hi, c),
        "news_events": lambda: instruments.news_events(members, chosen, lo, hi, c),
    }


def compare(
    country: str = "C5",
    partners: str | list[str] | None = None,
    indicator: str = "all",
    since: int | None = None,
    until: int | None = None,
    *,
    con=None,
    db=None,
) -> Result:
    """Partners side by side for one indicator over a period (or a summary of all indicators)."""
    if indicator not in INDICATORS:
        raise SilkscopeError(f"unknown indicator {indicator!r}; expected one of: {', '.join(INDICATORS)}")
    members, label = _scope(country)
    group = _group(country)
    chosen = _partners(partners)
    lo, hi = _period(since, until)
    with _connection(con, db) as c:
        covered = visits.covered_partners(c)
        parts = _parts(members, group, chosen, lo, hi, c)
        if indicator == "finance":  # year by year, every partner under one definition (series.finance_series)
            result = series.finance_series(members, chosen, lo, hi, c, total=group)
            result.title = f"{result.title} ({label}, {lo}-{min(hi, 2026)})"
            return result
        if indicator != "all":
            result = parts[indicator]()
            visits.mark_uncovered(result, covered)
            result.title = f"{result.title} ({label}, {lo}-{min(hi, 2026)})"
            result.notes += visits.coverage_notes(chosen, covered)
            return result
        computed = {k: f() for k, f in parts.items()}
    return _summary(computed, chosen, covered, label, lo, hi)


def trade_partners(
    country: str = "C5", since: int | None = None, until: int | None = None, top: int = 5, *, con=None, db=None
) -> Result:
    """Each state's largest trading partners by year, from its own statistics where loaded (else partners')."""
    if not 1 <= top <= 50:
        raise SilkscopeError(f"--top {top}: expected a number of partners from 1 to 50")
    members, label = _scope(country)
    lo, hi = _period(since, until)
    with _connection(con, db) as c:
        result = series.trade_partners(members, lo, hi, top, c)
    result.title = f"{result.title}: {label}, {lo}-{min(hi, 2026)}"
    return result


def context(country: str = "C5", since: int | None = None, until: int | None = None, *, con=None, db=None) -> Result:
    """GDP, FDI net inflows and ODA received by state and year (World Bank WDI)."""
    members, label = _scope(country)
    lo, hi = _period(since, until)
    with _connection(con, db) as c:
        result = series.context(members, lo, hi, c)
    result.title = f"{result.title}: {label}, {lo}-{min(hi, 2026)}"
    return result


def _summary(parts: dict[str, Result], partners: list[str], covered: set[str], label: str, lo: int, hi: int) -> Result:
    by = {k: {r["partner_iso3"]: r for r in parts[k].rows} for k in ("leader_visits", "inbound_visits")}
    formats: dict[str, list[dict[str, Any]]] = {}
    for r in parts["dialogue_meetings"].rows:
        formats.setdefault(r["partner_iso3"], []).append(r)
    presence_rows: dict[str, list[dict[str, Any]]] = {}
    for r in parts["presence"].rows:
        presence_rows.setdefault(r["partner_iso3"], []).append(r)
    rows = []
    common_fin = _common_finance(parts["finance"].rows, partners)
    common_pres = _common_presence(presence_rows, partners)
    for p in partners:
        lv, iv = by["leader_visits"].get(p, {}), by["inbound_visits"].get(p, {})
        fm = formats.get(p, [])
        pres, pres_differs = _comparable_presence(presence_rows.get(p, []), common_pres)
        fin, fin_differs = _comparable_finance(parts["finance"].rows, p, common_fin)
        travel = [r for r in parts["leader_engagements"].rows if r["partner_iso3"] == p and r["kind"] == "travel"]
        news = [r for r in parts["news_events"].rows if r["partner_iso3"] == p]
        is_covered = p in covered
        rows.append(
            {
                "partner": name(p),
                "partner_iso3": p,
                "leader_trips": lv.get("trips") if is_covered else None,
                "leader_country_visits": lv.get("country_visits") if is_covered else None,
                "first_leader_visit": lv.get("first_visit"),
                "last_leader_visit": lv.get("last_visit"),
                "inbound_leader_visits": iv.get("inbound_visits") if is_covered else None,
                "formats": "; ".join(_format_label(f, lo) for f in fm) or None,
                "format_meetings": sum(f["format_meetings"] for f in fm) if fm else None,
                "first_format_summit": min((f["first_summit"] for f in fm if f["first_summit"]), default=None),
                "presence": f"{pres['count']} {pres['presence_kind'].replace('_', ' ')} ({pres['scope']})"
                + (f" — differs: {pres_differs}" if pres_differs else "")
                if pres
                else None,
                "presence_as_of": pres["as_of"] if pres else None,
                "official_finance_usd": fin["amount_usd"] if fin else None,
                "finance_definition": (_finance_label(fin) + (f" — differs: {fin_differs}" if fin_differs else ""))
                if fin
                else None,
                "leader_travel_engagements": sum(r["engagements"] for r in travel) if travel else None,
                "news_events": sum(r["events"] for r in news) if news else None,
                "source_ids": sorted(
                    cited_ids([lv, iv, *fm, *([pres] if pres else []), *([fin] if fin else []), *travel, *news])
                ),
            }
        )
    all_sources: list[dict[str, Any]] = []
    seen: set[str] = set()
    for part in parts.values():
        for s in part.sources:
            if s["source_id"] not in seen:
                seen.add(s["source_id"])
                all_sources.append(s)
    definitions = dict(visits.DEFINITIONS)
    definitions["presence"] = (
        "count of the kind and year most partners share (the latest such year); a partner without it shows its "
        "own latest count and the cell says what differs"
    )
    definitions["official_finance_usd"] = (
        "total over the period under the definition most partners share (flow, measure, prices); a partner "
        "without it shows its best other definition ("
        + "; ".join(
            f"{labels.dataset_short(d)} {m.replace('_', ' ')} {b}" for d, m, b in instruments.FINANCE_PREFERENCE
        )
        + ") and finance_definition says what differs"
    )
    definitions["leader_travel_engagements"] = "trips recorded by biographical sources (China Vitae), all levels"
    query = "\n\n".join(f"-- {k}\n{v.query}" for k, v in parts.items())
    return Result(
        f"Engagement with {label}, {lo}-{min(hi, 2026)}: partners side by side",
        list(rows[0].keys()) if rows else [],
        rows,
        query,
        [],
        sorted(all_sources, key=lambda s: s["source_id"]),
        definitions,
        visits.coverage_notes(partners, covered),
        layout="by_column",
    )


def _finance_key(row: dict[str, Any]) -> tuple:
    return (row["flow_class"], row["measure"], row["price_basis"], row["base_year"])


def _common_finance(rows: list[dict[str, Any]], partners: list[str]) -> tuple | None:
    """The finance definition (flow, measure, prices) that the most partners have: side by side cells use it."""
    holders: dict[tuple, set[str]] = {}
    for r in rows:
        if r["partner_iso3"] in partners:
            holders.setdefault(_finance_key(r), set()).add(r["partner_iso3"])
    if not holders:
        return None
    order = {(m, b): i for i, (_d, m, b) in enumerate(instruments.FINANCE_PREFERENCE)}
    return min(holders, key=lambda k: (-len(holders[k]), order.get((k[1], k[2]), 99), str(k)))


def _comparable_finance(rows, partner: str, common: tuple | None) -> tuple[dict[str, Any] | None, str | None]:
    """The partner's row under the common definition (its most complete dataset), else its preferred row with
    what differs."""
    mine = [r for r in rows if r["partner_iso3"] == partner and _finance_key(r) == common]
    if mine:
        return max(mine, key=lambda r: (r["last_year"] - r["first_year"], r["amount_usd"] or 0)), None
    best = instruments.preferred_finance(rows, partner)
    if best is None or common is None:
        return best, None
    flow, measure, basis, _ = common
    said = f"{labels.flow_class(flow)}, {measure.replace('_', ' ')}, {basis} US$"
    return best, f"others are compared on {said}, which it lacks"


def _common_presence(by_partner: dict[str, list[dict[str, Any]]], partners: list[str]) -> tuple | None:
    """(kind, year) of presence counts that the most partners have, latest year on a tie."""
    holders: dict[tuple, set[str]] = {}
    for p in partners:
        for r in by_partner.get(p, []):
            holders.setdefault((r["presence_kind"], r["as_of"].year), set()).add(p)
    if not holders:
        return None
    kinds = {k: i for i, k in enumerate(PRESENCE_PREFERENCE)}
    return min(holders, key=lambda k: (-len(holders[k]), kinds.get(k[0], 99), -k[1]))


def _comparable_presence(rows: list[dict[str, Any]], common: tuple | None) -> tuple[dict[str, Any] | None, str | None]:
    if common:
        same = [r for r in rows if (r["presence_kind"], r["as_of"].year) == common]
        if same:
            return max(same, key=lambda r: r["as_of"]), None
    latest = _latest_presence(rows)
    if latest is None or common is None:
        return latest, None
    return latest, f"others are counted as {common[0].replace('_', ' ')} in {common[1]}"


def _finance_label(row: dict[str, Any]) -> str:
    """'AidData (William & Mary): development finance (all classes), commitment, constant US$ (2011), 1992-2012'."""
    base = f" ({row['base_year']})" if row.get("base_year") else ""
    return (
        f"{labels.publisher(row['dataset'])}: {labels.flow_class(row['flow_class'])}, "
        f"{row['measure'].replace('_', ' ')}, {row['price_basis']} US${base}, {row['first_year']}-{row['last_year']}"
    )


def _format_label(fmt: dict[str, Any], since: int) -> str:
    """'C5+1 (2015)', or 'Korea–Central Asia Summit (planned 2026)' for a format with no held meeting yet."""
    held = fmt["format_meetings"] > 0 or fmt["launched"].year < since
    return f"{fmt['name']} ({'' if held else 'planned '}{fmt['launched'].year})"


def _latest_presence(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    for kind in PRESENCE_PREFERENCE:
        of_kind = [r for r in rows if r["presence_kind"] == kind]
        if of_kind:
            return max(of_kind, key=lambda r: r["as_of"])
    return None


def sources(kind: str | None = None, *, con=None, db=None) -> Result:
    """Every source in the warehouse with its provenance, and how many fact rows cite it."""
    sql = """WITH cites AS (
    SELECT unnest(source_ids) AS source_id FROM core.events
    UNION ALL SELECT unnest(source_ids) FROM core.dialogue_formats
    UNION ALL SELECT unnest(source_ids) FROM core.presence
    UNION ALL SELECT unnest(source_ids) FROM core.opinion
    UNION ALL SELECT unnest(source_ids) FROM core.finance_flows
    UNION ALL SELECT unnest(source_ids) FROM core.trade_flows
    UNION ALL SELECT unnest(source_ids) FROM core.investments
    UNION ALL SELECT unnest(source_ids) FROM core.published_claims
    UNION ALL SELECT source_id FROM core.indicators
    UNION ALL SELECT source_id FROM core.news_events
    UNION ALL SELECT source_id FROM core.leader_engagements)
SELECT s.source_id, s.kind, s.publisher, s.title, s.url, s.licence, s.sha256, s.version, s.retrieved_at,
       count(c.source_id) AS cited_by_rows, s.citation
FROM core.sources s LEFT JOIN cites c USING (source_id)
WHERE (?::VARCHAR IS NULL OR s.kind = ?::VARCHAR)
GROUP BY ALL ORDER BY s.kind, s.source_id"""
    params = [kind, kind]
    with _connection(con, db) as c:
        columns, rows = fetch_rows(c, sql, params)
    return Result("Sources", columns, rows, sql, params)
