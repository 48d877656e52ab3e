"""One country's (or the C5's) profile against its partners: the summary table, each instrument's section, charts
of visits, finance, presence and context, public opinion, the public–private balance and its ratios; and the
brief's content, which is this profile plus the timeline's events and the sources of what it shows.

The dashboard's country page and the PDF/HTML brief both render what `country` returns, so they never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from silkscope import instruments, labels, opinion, views
from silkscope.countries import registry, resolve_list, resolve_scope
from silkscope.figures import charts
from silkscope.figures.style import partner_name
from silkscope.profiles.common import (
    TIMELINE_PARTNERS,
    Direct,
    Source,
    figure,
    lane_events,
    scope_members,
    section,
)
from silkscope.result import Result, cited_ids


def country(served: Source, value: str, partners: str | None, since: int | None, until: int | None) -> dict[str, Any]:
    members, group = scope_members(value)
    scope = group or ",".join(members)
    chosen = resolve_list(partners) if partners else list(TIMELINE_PARTNERS)
    key = ("profile+summary", scope, ",".join(chosen), since, until)
    bundle, summary = served.cached(
        key, lambda con: views.profile_and_summary(scope, chosen, since, until, con=con)
    )  # the profile and the partners side by side, from the same statements
    lo, hi = since or 1991, until or 2100
    by_year = _finance_by_year(served, members, group, chosen, lo, hi)
    finance_rows, finance_label = _main_definition(by_year.rows)
    visits_year = section(bundle, "Leader-level visits by year")
    presence = section(bundle, "Presence")
    finance = section(bundle, "Official finance")
    trade = section(bundle, "Trade")
    investment = section(bundle, "Investment")
    # A note the page already shows once at the top (the timeline's coverage) is not repeated under the summary.
    summary = replace(summary, notes=[n for n in summary.notes if n not in bundle.notes])
    latest_presence = _latest_per_kind(presence.rows if presence else [])
    title = partner_name(group) if group else ", ".join(partner_name(m) for m in members)
    out: dict[str, Any] = {
        "scope": scope,
        "members": members,
        "title": title,
        "partners": chosen,
        "since": since,
        "until": until,
        "bundle": bundle,
        "summary": summary,
        "sections": {s.title: s for s in bundle.sections},
        "visits_year": visits_year,
        "finance": finance,
        "finance_by_year": by_year,
        "finance_label": finance_label,
        "presence": presence,
        "trade": trade,
        "investment": investment,
        "inbound": section(bundle, "Leader-level visits from"),
        "leader_visits": section(bundle, "Leader-level visits by partner"),
        "formats": section(bundle, "Dialogue formats"),
        "opinion": section(bundle, "Public opinion"),
        "polls": _opinion(served, members, chosen, title),
        "trade_partners": _latest_years(section(bundle, "Largest trading partners"), 3),
        "context": section(bundle, "Context"),
        "balance": balance(summary, finance, investment, presence, trade, chosen),
        "ratios": balance_ratios(served, members, chosen, since, until),
    }
    if visits_year and visits_year.rows:
        out["visits_chart"] = figure(
            charts.visits_by_year(visits_year.rows, chosen), f"Leader-level visits to {out['title']} by year"
        )
    if finance_rows:
        out["finance_chart"] = figure(
            charts.finance_by_year(finance_rows, chosen), f"Official finance to {out['title']} by year and partner"
        )
        if len({r["partner_iso3"] for r in finance_rows}) > 1:
            out["shares_chart"] = figure(
                charts.finance_shares(finance_rows, chosen), "Each partner's share of the finance shown, by year"
            )
    context = out["context"]
    if context and context.rows:
        out["context_chart"] = figure(charts.context_lines(context.rows), f"GDP and FDI inflows of {out['title']}")
    if latest_presence:
        out["presence_chart"] = figure(
            charts.bars(latest_presence, "count", chosen, detail="presence_kind", measure_title="count (latest)"),
            f"Companies and enterprises present in {out['title']}, latest count by kind",
        )
    return out


def brief(
    con: Any, value: str, partners: str | list[str] | None, since: int | None, until: int | None, *, max_events: int
) -> dict[str, Any]:
    """What a country brief shows: the country profile, the last `max_events` events of the partners' timeline
    lanes (`dropped`: how many earlier ones are left out) and the sources of the figures and of the events kept."""
    scope = value.upper() if value.upper() in registry().groups else ",".join(resolve_scope(value))
    chosen = ",".join(partners) if isinstance(partners, list) else partners
    context = country(Direct(con), scope, chosen, since, until)
    timeline = views.timeline(None, scope, since, until, con=con)
    by_id: dict[str, dict[str, Any]] = {}
    for lane in context["partners"]:
        for e in lane_events(timeline.rows, lane):
            # A summit with several partners is one event: the first partner's lane keeps it.
            by_id.setdefault(e["event_id"], e)
    events = sorted(by_id.values(), key=lambda e: (e["date_start"], e["event_id"]))
    dropped = max(0, len(events) - max_events)
    events = events[dropped:]
    kept = cited_ids(events)
    cited = [context["summary"].sources, [s for s in timeline.sources if s["source_id"] in kept]]
    cited += [s.sources for s in context["bundle"].sections]
    if context.get("ratios"):
        cited.append(context["ratios"].sources)
    return {**context, "events": events, "dropped": dropped, "sources": _all_sources(cited)}


def _all_sources(lists: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Sources of the figures shown and of the events listed (not of events the brief leaves out)."""
    seen: dict[str, dict[str, Any]] = {}
    for sources in lists:
        for s in sources:
            seen.setdefault(s["source_id"], s)
    return sorted(seen.values(), key=lambda s: (s.get("publisher") or "", s["source_id"]))


def _opinion(served: Source, members: list[str], partners: list[str], title: str) -> dict[str, Any]:
    """Poll results about the partners among these respondents, and one chart per question, pollster and answer."""
    key = ("opinion", tuple(members), tuple(partners))
    result = served.cached(key, lambda con: opinion.polls(members, partners, con))
    charts_out = []
    for s in opinion.series(result.rows):
        label = f"{s['label']} ({s['pollster']}, answer '{s['answer']}'), respondents in {title}"
        charts_out.append({**s, "chart": figure(charts.opinion_over_time(s["rows"], s["partners"]), label)})
    return {"result": result, "series": charts_out}


def _finance_by_year(served: Source, members, group, partners, lo, hi) -> Result:
    key = ("finance_by_year", tuple(members), group, tuple(partners), lo, hi)
    return served.cached(key, lambda con: instruments.finance(members, group, partners, lo, hi, con, by_year=True))


def _main_definition(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of the definition most rows share, and its label: never mix definitions in one chart."""
    if not rows:
        return [], None
    keys = Counter((r["dataset"], r["flow_class"], r["measure"], r["price_basis"], r["base_year"]) for r in rows)
    best = keys.most_common(1)[0][0]
    chosen = [
        r for r in rows if (r["dataset"], r["flow_class"], r["measure"], r["price_basis"], r["base_year"]) == best
    ]
    dataset, flow, measure, basis, base = best
    return (
        chosen,
        f"{labels.dataset(dataset)}: {labels.flow_class(flow)}, {measure.replace('_', ' ')}, {basis} US$"
        + (f" ({base} prices)" if base else ""),
    )


def _latest_years(result: Result | None, years: int) -> Result | None:
    """The rows of each state's last `years` years, newest first (the full series is in the API and CSV)."""
    if result is None or not result.rows:
        return result
    last: dict[str, int] = {}
    for r in result.rows:
        last[r["country_iso3"]] = max(last.get(r["country_iso3"], 0), r["year"])
    rows = [r for r in result.rows if r["year"] > last[r["country_iso3"]] - years]
    rows.sort(key=lambda r: (r["country_iso3"], -r["year"], r.get("rank") or 0))
    note = f"Showing the last {years} years with data of each state ({len(rows)} of {len(result.rows)} rows)."
    return replace(result, rows=rows, notes=[*result.notes, note])


def _latest_per_kind(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        k = (r["partner_iso3"], r["presence_kind"])
        if k not in latest or r["as_of"] > latest[k]["as_of"]:
            latest[k] = r
    return list(latest.values())


def balance(summary, finance, investment, presence, trade, partners) -> list[dict[str, Any]]:
    """Public side (official finance) next to the private side (investment, companies, trade), per partner.

    Shown side by side, never divided: the periods and definitions differ, and the notes say how.
    """
    rows = []
    for p in partners:
        fin = instruments.preferred_finance(finance.rows if finance else [], p)
        inv = [r for r in (investment.rows if investment else []) if r["partner_iso3"] == p]
        pres = _latest_per_kind([r for r in (presence.rows if presence else []) if r["partner_iso3"] == p])
        trd = [r for r in (trade.rows if trade else []) if r["partner_iso3"] == p]
        if not (fin or inv or pres or trd):
            continue
        rows.append(
            {
                "partner_iso3": p,
                "official_finance": fin,
                "investment": inv,
                "presence": pres,
                "trade": trd,
            }
        )
    return rows


# The public side of the balance ratios, best first: (panel column, finance measure and price basis it sums).
PUBLIC_SIDES = (
    ("official_disb_gross_current_usd", "disbursement_gross", "current"),
    ("official_commit_current_usd", "commitment", "current"),
    ("official_commit_constant_usd", "commitment", "constant"),
)


def _public_side(con, members: list[str], partners: list[str]) -> str | None:
    """The public definition that covers the most of these partners (ties: PUBLIC_SIDES order), from one cheap
    query rather than a panel per candidate: a definition only one partner has would hide the others."""
    donors = dict(
        ((m, b), n)
        for m, b, n in con.execute(
            "SELECT measure, price_basis, count(DISTINCT donor_iso3) FROM core.finance_flows "
            "WHERE donor_iso3 IN (SELECT unnest($1)) AND country_iso3 IN (SELECT unnest($2)) GROUP BY ALL",
            [partners, members],
        ).fetchall()
    )
    best = max(PUBLIC_SIDES, key=lambda side: (donors.get(side[1:], 0), -PUBLIC_SIDES.index(side)))
    return best[0] if donors.get(best[1:]) else None


def balance_ratios(served, members: list[str], partners: list[str], since, until) -> Result | None:
    """The balance indicator's ratios (public share, public per trade dollar, per company) over one period.

    The public side is the first of PUBLIC_SIDES the warehouse has: one definition for every partner in the
    table, named in its notes. None when there is nothing to show.
    """
    from silkscope.analysis import catalogue as indicators

    def compute(con):
        public = _public_side(con, members, partners) or PUBLIC_SIDES[0][0]
        result = indicators.run(
            "balance", country=",".join(members), partners=",".join(partners), since=since, until=until, con=con,
            options={"measures": [public]},
        )  # fmt: skip
        note = f"Public side: {public.replace('_', ' ')}."
        if "constant" in public:
            note += " Constant prices against current-dollar FDI and trade: read the ratios for direction only."
        return replace(result, notes=[*result.notes, note])

    result = served.cached(("balance", tuple(members), tuple(partners), since, until), compute)
    return result if result.rows else None
