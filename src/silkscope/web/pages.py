"""What each dashboard page shows: library calls, charts and tables assembled into a template context."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from silkscope import coverage, instruments, opinion, series, views
from silkscope.countries import C5, DEFAULT_PARTNERS, registry, resolve_list, resolve_scope
from silkscope.result import Bundle, Result
from silkscope.serving import checking
from silkscope.serving.state import ServedWarehouse
from silkscope.web import charts, maps
from silkscope.web.leaders import leaders_result, standing
from silkscope.web.render import partner_name

# Default partners of the country, compare and model pages: every tracked partner, each of which the curated
# timeline now covers (how completely, and since when, is declared in reference_pack/coverage.csv: `_coverage`).
TIMELINE_PARTNERS = DEFAULT_PARTNERS
VISIT_TYPES = ("state_visit", "official_visit", "working_visit", "visit", "ceremonial", "conference")
MEETING_TYPES = ("multilateral_summit", "dialogue_launch", "dialogue_ministerial", "organisation_summit")
LEADERS = ("head_of_state", "head_of_government")
SUMMARY_MEASURES = {
    "leader_country_visits": "Leader-level country-visits to the scope",
    "inbound_leader_visits": "Central Asian leaders' visits to the partner",
    "format_meetings": "Dialogue-format meetings",
    "official_finance_usd": "Official finance (each partner's best definition)",
}


class Direct:
    """A page's data straight from one connection, uncached (briefs, notebooks): the `cached` of ServedWarehouse."""

    def __init__(self, con: Any, path: Any = None):
        self.con, self.path = con, path

    def cached(self, key: tuple, compute: Any) -> Any:
        return compute(self.con)

    @contextmanager
    def read(self) -> Iterator[Any]:
        yield self.con


def figure(fig: charts.Figure, label: str) -> dict[str, Any]:
    """A chart ready for a template: its SVG, or the reason it could not be drawn."""
    try:
        return {"svg": charts.svg(fig, label=label), "spec": charts.embeddable(fig), "label": label, "error": None}
    except charts.ChartError as exc:
        return {"svg": None, "label": label, "error": str(exc)}


def _compare(served: ServedWarehouse, scope: str, partners: list[str], indicator: str, since=None, until=None):
    key = ("compare", scope, ",".join(partners), indicator, since, until)
    return served.cached(key, lambda con: views.compare(scope, partners, indicator, since, until, con=con))


def _scope(value: str) -> tuple[list[str], str | None]:
    groups = registry().groups
    if value.upper() in groups:
        return list(groups[value.upper()].members), value.upper()
    return list(resolve_scope(value)), None


def overview(served: ServedWarehouse, partner: str = "JPN", metric: str = "visits") -> dict[str, Any]:
    partner = resolve_list(partner)[0]
    partners = list(DEFAULT_PARTNERS)
    summary = _compare(served, "C5", partners, "all")
    indicator = "finance" if metric == "finance" else "leader_visits"
    values: dict[str, float | None] = {}
    sources: dict[str, dict[str, Any]] = {}
    for host in C5:
        if indicator == "finance":  # totals per definition, from which the map takes the partner's best one
            key = ("finance_totals", host, partner)
            result = served.cached(key, lambda con, h=host: instruments.finance([h], None, [partner], 1991, 2100, con))
        else:
            result = _compare(served, host, [partner], indicator)
        for s in result.sources:
            sources.setdefault(s["source_id"], s)
        if indicator == "finance":
            best = instruments.preferred_finance(result.rows, partner)
            values[host] = best["amount_usd"] / 1e6 if best else None
        else:
            values[host] = result.rows[0].get("country_visits") if result.rows else None
    if metric == "finance":
        measure, value_format = f"official finance from {partner_name(partner)}, US$ m", ",.0f"
    else:
        measure, value_format = f"leader-level visits by {partner_name(partner)}", ",d"
    try:
        shape = maps.central_asia(
            values, measure=measure, colour=charts.PARTNER_COLOURS.get(partner, "#0072B2"), value_format=value_format
        )
        the_map = figure(shape, f"Map of Central Asia: {measure} per country")
    except maps.MapUnavailableError as exc:
        the_map = {"svg": None, "label": measure, "error": str(exc)}
    glance = charts.small_multiples(summary.rows, SUMMARY_MEASURES, partners, columns=4, width=170)
    leaders, leaders_source = leaders_result(served)
    mine = next((r for r in summary.rows if r["partner_iso3"] == partner), {})
    covered = _coverage(served)
    return {
        "coverage": {p: _coverage_cells(covered, p) for p in partners},
        "covered": partner in covered,
        "partner": partner,
        "metric": metric,
        "partners": partners,
        "summary": summary,
        "mine": mine,
        "map": the_map,
        "map_values": values,
        "map_measure": measure,
        "map_sources": sorted(sources.values(), key=lambda s: s["source_id"]),
        "glance": figure(glance, "Partners' engagement with the five states, by instrument"),
        "leaders": leaders,
        "leaders_result": leaders_source,
    }


def _coverage(served: ServedWarehouse) -> coverage.Coverage:
    """The curated timeline's declared coverage (reference_pack/coverage.csv), per partner and instrument."""
    return served.cached(("coverage",), coverage.load)


def _coverage_cells(covered: coverage.Coverage, partner: str) -> list[dict[str, Any]]:
    return [
        {
            "instrument": coverage.INSTRUMENT_LABELS.get(s.instrument, s.instrument),
            "years": f"{s.first_year}–{s.last_year}",
            "completeness": s.completeness,
            "note": s.note,
        }
        for s in covered.spans(partner)
    ]


def _opinion(served: ServedWarehouse, members: list[str], partners: list[str], title: str) -> dict[str, Any]:
    """Poll results about the partners among these respondents, and one chart per question, pollster and answer."""
    key = ("opinion", tuple(members), tuple(partners))
    result = served.cached(key, lambda con: opinion.polls(members, partners, con))
    charts_out = []
    for s in opinion.series(result.rows):
        label = f"{s['label']} ({s['pollster']}, answer '{s['answer']}'), respondents in {title}"
        charts_out.append({**s, "chart": figure(charts.opinion_over_time(s["rows"], s["partners"]), label)})
    return {"result": result, "series": charts_out}


def _finance_by_year(served: ServedWarehouse, members, group, partners, lo, hi) -> Result:
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
        f"{dataset}: {flow.replace('_', ' ')} {measure.replace('_', ' ')}, {basis} US${f' ({base})' if base else ''}",
    )


def _section(bundle: Bundle, prefix: str) -> Result | None:
    return next((s for s in bundle.sections if s.title.startswith(prefix)), None)


def country(
    served: ServedWarehouse, value: str, partners: str | None, since: int | None, until: int | None
) -> dict[str, Any]:
    members, group = _scope(value)
    scope = group or ",".join(members)
    chosen = resolve_list(partners) if partners else list(TIMELINE_PARTNERS)
    key = ("profile", scope, ",".join(chosen), since, until)
    bundle = served.cached(key, lambda con: views.profile(scope, chosen, since, until, con=con))
    lo, hi = since or 1991, until or 2100
    by_year = _finance_by_year(served, members, group, chosen, lo, hi)
    finance_rows, finance_label = _main_definition(by_year.rows)
    visits_year = _section(bundle, "Leader-level visits by year")
    presence = _section(bundle, "Presence")
    finance = _section(bundle, "Official finance")
    trade = _section(bundle, "Trade")
    investment = _section(bundle, "Investment")
    summary = _compare(served, scope, chosen, "all", since, until)
    latest_presence = _latest_per_kind(presence.rows if presence else [])
    out: dict[str, Any] = {
        "scope": scope,
        "members": members,
        "title": partner_name(group) if group else ", ".join(partner_name(m) for m in members),
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
        "inbound": _section(bundle, "Leader-level visits from"),
        "leader_visits": _section(bundle, "Leader-level visits by partner"),
        "formats": _section(bundle, "Dialogue formats"),
        "opinion": _section(bundle, "Public opinion"),
        "polls": _opinion(served, members, chosen, partner_name(group) if group else ", ".join(members)),
        "trade_partners": _latest_years(_section(bundle, "Largest trading partners"), 3),
        "context": _section(bundle, "Context"),
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


def partner(served: ServedWarehouse, value: str, since: int | None, until: int | None) -> dict[str, Any]:
    iso3 = resolve_list(value)[0]
    hosts = []
    sources: dict[str, dict[str, Any]] = {}
    for host in C5:
        result = _compare(served, host, [iso3], "all", since, until)
        row = dict(result.rows[0]) if result.rows else {}
        row["host_iso3"] = host
        hosts.append(row)
        for s in result.sources:
            sources.setdefault(s["source_id"], s)
    formats = _compare(served, "C5", [iso3], "dialogue_meetings", since, until)
    lanes = [iso3, *[p for p in ("CHN", "KOR", "JPN") if p != iso3][:2]]
    events: list[dict[str, Any]] = []
    own: Result | None = None
    for lane in lanes:
        key = ("timeline", lane, "C5", since, until, False)
        result = served.cached(key, lambda con, lane=lane: views.timeline(lane, "C5", since, until, con=con))
        if lane == iso3:
            own = result
        events += lane_events(result.rows, lane)
    try:
        values = {h["host_iso3"]: h.get("leader_country_visits") for h in hosts}
        shape = maps.central_asia(
            values,
            measure=f"leader-level visits by {partner_name(iso3)}",
            colour=charts.PARTNER_COLOURS.get(iso3, "#0072B2"),
        )
        the_map = figure(shape, f"Map: leader-level visits by {partner_name(iso3)} to each Central Asian state")
    except maps.MapUnavailableError as exc:
        the_map = {"svg": None, "label": "map", "error": str(exc)}
    _, shares = leaders_result(served)
    lo, hi = since or 1991, until or 2100
    finance_years = served.cached(
        ("finance_series", iso3, lo, hi), lambda con: series.finance_series(list(C5), [iso3], lo, hi, con)
    )
    trade_years = served.cached(
        ("partner_trade", iso3, lo, hi), lambda con: series.partner_trade(iso3, list(C5), lo, hi, con)
    )
    long = [
        {"partner_iso3": iso3, "country_iso3": r["country_iso3"], "year": r["year"], "amount_usd": r[f"{iso3}_usd"]}
        for r in finance_years.rows
        if r.get(f"{iso3}_usd") is not None
    ]
    finance_chart = None
    if long:
        by_state = [{**r, "partner_iso3": r["country_iso3"]} for r in long]  # one line per state
        finance_chart = figure(
            charts.finance_by_year(by_state, list(C5)), f"{partner_name(iso3)}'s official finance to each state by year"
        )
    return {
        "finance_years": finance_years,
        "finance_chart": finance_chart,
        "trade_years": trade_years,
        "partner": iso3,
        "since": since,
        "until": until,
        "standing": standing(shares.rows, iso3),
        "standing_result": shares,
        "hosts": hosts,
        "host_sources": sorted(sources.values(), key=lambda s: s["source_id"]),
        "formats": formats,
        "timeline": own,
        "lanes": lanes,
        "map": the_map,
        "timeline_chart": figure(
            charts.event_timeline(events, lanes),
            f"Leader visits, summits and dialogue meetings: {', '.join(partner_name(p) for p in lanes)}",
        )
        if events
        else None,
        "covered": iso3 in _coverage(served),
        "coverage": _coverage_cells(_coverage(served), iso3),
    }


def lane_events(rows: list[dict[str, Any]], lane: str) -> list[dict[str, Any]]:
    """Timeline rows as chart marks: which way the visit went, or a summit/format meeting."""
    out = []
    for r in rows:
        taking_part = lane in (r["visitor_iso3"] or []) or lane in (r["host_iso3"] or [])
        if r["event_type"] in MEETING_TYPES:
            if not taking_part:  # a summit of another partner's format is not this lane's (the brief's defect)
                continue
            kind = charts.TIMELINE_KINDS[2]
        elif r["event_type"] in VISIT_TYPES and r["level"] in LEADERS:
            if lane in (r["visitor_iso3"] or []):
                kind = charts.TIMELINE_KINDS[0]
            elif lane in (r["host_iso3"] or []):
                kind = charts.TIMELINE_KINDS[1]
            else:
                continue
        else:
            continue
        out.append({**r, "lane": lane, "kind": kind})
    return out


def sources(served: ServedWarehouse, kind: str | None) -> dict[str, Any]:
    result = served.cached(("sources", kind), lambda con: views.sources(kind, con=con))
    everything = served.cached(("sources", None), lambda con: views.sources(None, con=con))
    kinds = Counter(r["kind"] for r in everything.rows)
    return {"result": result, "kind": kind, "kinds": sorted(kinds.items())}


def check(
    served: ServedWarehouse,
    text: str | None = None,
    upload: tuple[bytes, str] | None = None,
    *,
    max_chars: int = checking.MAX_TEXT_CHARS,
    max_bytes: int = checking.MAX_UPLOAD_BYTES,
) -> dict[str, Any]:
    """The checker's report with the article cut into highlighted runs; `available` False when not installed."""
    if not checking.available():
        return {"available": False, "report": None}
    with served.read() as con:
        if upload is not None:
            checked = checking.check_upload(upload[0], upload[1], db=served.path, con=con, max_bytes=max_bytes)
        else:
            checked = checking.check_text(text or "", db=served.path, con=con, max_chars=max_chars)
    claims = checked.payload.get("claims") or []
    return {
        "available": True,
        "text": checked.text,
        "payload": checked.payload,
        "claims": claims,
        "segments": checking.segments(checked.text, claims) if checked.text else [],
        "counts": checking.counts(claims),
        "report": checked.report,
    }
