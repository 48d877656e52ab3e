"""Checks of a partner's place in a Central Asian state's trade: its share ('34% of Kyrgyzstan's trade') and its rank
('Uzbekistan's largest trading partner'), from the state's own statistics (the indicators `shares` and the largest
partners series, which take a share of the total the state publishes)."""

from __future__ import annotations

from typing import Any

from silkscope.claims.checks.base import Check, absent, evidence, money, needs, needs_text, tolerance_text, within
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.claims.trade_terms import NTH, owner, ranking
from silkscope.countries import C5, EU_CODE, name
from silkscope.indicators.flows import STATE_TRADE


def _years(claim: Claim, ctx: Context) -> tuple[int, int, int | None]:
    """(first, last, stated) years to read: the year stated (with one either side), or the ten up to the article."""
    if claim.period:
        year = claim.period[-1]
        return year - 1, year + 1, year
    return ctx.as_of - 10, ctx.as_of, None


def _state(claim: Claim) -> str | None:
    return claim.scope if claim.scope in C5 else None


def _missing(ctx: Context, claim: Claim, what: str) -> Check:
    query = Query("-- not run: the claim names no Central Asian state and partner")
    return absent(ctx, claim, query, what, "trade")


def share(claim: Claim, ctx: Context) -> Check:
    """A partner's share of the state's trade, of the total the state's statistics publish (indicators.shares)."""
    from silkscope.indicators.shares import shares
    from silkscope.indicators.tables import duckdb_tables

    if claim.extra.get("one_way"):
        return one_way(claim, ctx)
    partner, state = (claim.partners[0] if claim.partners else None), _state(claim)
    if partner is None or state is None:
        return _missing(ctx, claim, "share of trade without a partner and one Central Asian state named")
    lo, hi, stated = _years(claim, ctx)
    result = shares([partner], [state], [STATE_TRADE], lo, hi, tables=duckdb_tables(con=ctx.con))
    query = Query(result.query)
    rows = sorted((r for r in result.rows if r["share_pct"] is not None), key=lambda r: r["year"])
    what = f"share of {name(partner)} in {name(state)}'s trade as {name(state)}'s statistics publish it, {lo}-{hi}"
    if not rows:
        return absent(ctx, claim, query, what, "trade")
    year = stated if stated is not None else rows[-1]["year"]
    evs = [
        evidence(
            ctx, r["share_pct"], "percent", [r["year"]],
            f"{name(partner)}'s share of {name(state)}'s goods turnover with all partners, its own statistics "
            f"({money(r['value'])} of {money(r['total'])})",
            _source(ctx, result, state), query, "basis" if r["year"] == year else "alternative",
        )
        for r in rows
    ]  # fmt: skip
    return _verdict(claim, ctx, evs, {r["year"]: r["share_pct"] for r in rows}, year)


def one_way(claim: Claim, ctx: Context) -> Check:
    """A partner's share of the state's exports or of its imports ("China took 14% of Kazakhstan's exports"), of the
    state's own total that way (its statistics' total row; series.trade_partners). The partner and the state are
    those the sentence's wording makes the part and the whole (claims.trade_terms.one_way_share), never carried."""
    from silkscope.series import trade_partners

    way, partner, named = claim.extra["one_way"]
    state = named or _state(claim)
    if state not in C5:
        query = Query("-- not run: the share is of the trade of a country outside Central Asia")
        ev = evidence(ctx, None, None, claim.period, "no share computed", None, query, "absence")
        why = (
            f"The sentence gives a share of {name(state) if state else 'an unnamed country'}'s {way}: the warehouse "
            "computes shares of a Central Asian state's exports and imports, from that state's own statistics."
        )
        return Check("unverifiable", [ev], why, needs("trade", ctx))
    lo, hi, stated = _years(claim, ctx)
    result = trade_partners([state], lo, hi, 500, ctx.con)
    query = Query(result.query, list(result.params))
    column = "export_share_pct" if way == "exports" else "import_share_pct"
    what = f"share of {name(partner)} in {name(state)}'s {way} as {name(state)}'s statistics publish them, {lo}-{hi}"
    if partner == EU_CODE:
        ev = evidence(ctx, None, None, [lo, hi], what, None, query, "context")
        why = "Shares are of partner countries: the statistics list the EU's members, and no EU total is kept apart."
        return Check("unverifiable", [ev], why, needs("trade", ctx))
    rows = sorted((r for r in result.rows if r["partner_iso3"] == partner and r[column] is not None),
                  key=lambda r: r["year"])  # fmt: skip
    if not rows:
        return absent(ctx, claim, query, what, "trade")
    year = stated if stated is not None else rows[-1]["year"]
    flow = f"state_{way}_usd"
    toward = "to" if way == "exports" else "from"
    evs = [
        evidence(
            ctx, r[column], "percent", [r["year"]],
            f"{name(partner)}'s share of {name(state)}'s {way}, its own statistics ({money(r[flow] or 0)} {toward} "
            f"{name(partner)} of {money(r[f'{way}_total_usd'])} {toward} all partners, its total row)",
            r["source_ids"][0] if r["source_ids"] else None, query, "basis" if r["year"] == year else "alternative",
        )
        for r in rows
    ]  # fmt: skip
    return _verdict(claim, ctx, evs, {r["year"]: r[column] for r in rows}, year)


def _verdict(claim: Claim, ctx: Context, evs: list[Any], at: dict[int, float], year: int) -> Check:
    """A stated share against the shares found by year: the stated year's, else whether a neighbouring year's fits."""
    q, value = claim.qualifier, claim.value or 0.0
    tol = tolerance_text(q, "share")
    said = f"{value:g}%"
    if year in at:
        got = f"{at[year]:.1f}% in {year}"
        if within(at[year], value, q, "share"):
            return Check("supported", evs, f"{said} matches {got} ({tol}).", tolerance=tol)
        if any(within(v, value, q, "share") for y, v in at.items() if y != year):
            return Check("imprecise", evs, f"{said} matches a neighbouring year, not {got}.", tolerance=tol)
        return Check("contradicted", evs, f"{said} differs from {got} ({tol}).", tolerance=tol)
    need = needs("trade", ctx)
    return Check("unverifiable", evs, f"No share for {year}. {needs_text(need)}", need)


def rank(claim: Claim, ctx: Context) -> Check:
    """'China is Uzbekistan's largest trading partner': the partner countries ranked by turnover in the state's own
    statistics, its Central Asian neighbours among them (series.trade_partners)."""
    from silkscope.claims.entities import find_mentions
    from silkscope.series import trade_partners

    text = claim.text if ranking(claim.text) else claim.sentence
    m, way = ranking(text) or (None, None)
    mentions = find_mentions(text)
    ranked_for = owner(text, m, mentions) if m else None
    # the ranked partners are those the sentence names: one carried from an earlier sentence ranks nothing here
    said = {x.iso3 for x in (mentions if text == claim.sentence else find_mentions(claim.sentence))}
    partners, state = [p for p in claim.partners if p in said], _state(claim)
    if ranked_for in C5 and (state is None or not partners):
        # "Kazakhstan is Kyrgyzstan's largest trading partner": two of the five named, which the binder reads as
        # about the region. The ranking says whose partners it ranks; the partners are the other countries the
        # sentence names (before the ranking first), never one carried from another sentence.
        named = [x for x in mentions if x.kind == "country" and x.iso3 not in (None, ranked_for)]
        ordered = [x for x in named if x.end <= m.start()] + [x for x in named if x.end > m.start()]
        state, partners = ranked_for, list(dict.fromkeys(x.iso3 for x in ordered))
    partner = partners[0] if partners else None
    if m is None or partner is None or state is None or ranked_for != state:
        query = Query("-- not run: the sentence does not rank a Central Asian state's trading partners")
        ev = evidence(ctx, None, None, claim.period, "no ranking run", None, query, "absence")
        why = (
            "The sentence ranks the trading partners of a country outside Central Asia, does not say whose, or names "
            "no partner: the warehouse ranks a Central Asian state's partners from that state's own statistics."
        )
        return Check("unverifiable", [ev], why, needs("trade", ctx))
    place = NTH[m.group("nth").lower()] if m.group("nth") else 1
    # "one of the largest", "main trading partners": among the first few (five), not first
    among = max(5, len(partners)) if m.group("one_of") or m.group("plural") else None
    lo, hi, stated = _years(claim, ctx)
    result = trade_partners([state], lo, hi, 10 if way is None else 500, ctx.con)
    query = Query(result.query, list(result.params))
    own = [r for r in result.rows if r["reported_by"].endswith("own statistics")]
    measure, by = "turnover_usd", "goods turnover"
    if way is not None:  # ranked again by the one direction the sentence names
        measure, by = f"state_{way}_usd", f"{way} {'to' if way == 'exports' else 'from'} each partner"
        own = _reranked(own, measure)
    what = f"{name(state)}'s own trade statistics by partner ({by}), {lo}-{hi}"
    if not own:
        return absent(ctx, claim, query, what, "trade")
    if partner == EU_CODE:
        ev = evidence(ctx, None, None, [lo, hi], what, None, query, "context")
        return Check("unverifiable", [ev], "Partners are ranked as countries: the EU is ranked through its members.")
    year = stated if stated is not None else max(r["year"] for r in own)
    that = sorted((r for r in own if r["year"] == year), key=lambda r: r["rank"])
    if not that:
        need = needs("trade", ctx)
        ev = evidence(ctx, None, None, [year], what, None, query, "absence")
        return Check("unverifiable", [ev], f"No {year} ranking. {needs_text(need)}", need)
    shown = max(place, among or 0, 3)  # the first places, and every partner the sentence names wherever it ranks
    evs = [
        evidence(
            ctx, r[measure], "USD", [year], f"rank {r['rank']}: {r['partner']}, {by} in "
            f"{name(state)}'s own statistics", r["source_ids"][0] if r["source_ids"] else None, query,
            "basis" if r["partner_iso3"] in partners else "context",
        )
        for r in that
        if r["rank"] <= shown or r["partner_iso3"] in partners
    ]  # fmt: skip
    order = ", ".join(f"{r['rank']}. {r['partner']}" for r in that[:shown])
    now = "" if stated is not None else f" (the latest year of {name(state)}'s statistics)"
    if among:
        named = {p: next((r["rank"] for r in that if r["partner_iso3"] == p), None) for p in partners}
        ranks = "; ".join(f"{name(p)} {r or 'not in the first ten'}" for p, r in named.items())
        if all(r is not None and r <= among for r in named.values()):
            return Check("supported", evs, f"Among the first {among} in {year}{now}: {ranks} ({order}).")
        if all(r is not None for r in named.values()):  # in the first ten: "one of the largest" is a matter of words
            return Check("imprecise", evs, f"Not all among the first {among} in {year}{now}: {ranks} ({order}).")
        return Check("contradicted", evs, f"Not all among the first ten in {year}{now}: {ranks} ({order}).")
    held = next((r["rank"] for r in that if r["partner_iso3"] == partner), None)
    if held == place:
        return Check("supported", evs, f"{name(partner)} ranks {place} in {year}{now}: {order}.")
    mine = next((r[measure] for r in that if r["partner_iso3"] == partner), None)
    theirs = next((r[measure] for r in that if r["rank"] == place), None)
    if mine and theirs and abs(theirs - mine) <= RANK_MARGIN * max(mine, theirs):
        gap = abs(theirs - mine) / max(mine, theirs)
        why = (f"{name(partner)} ranks {held} in {year}{now}, not {place}, by {gap:.1%} of the larger figure: a margin "
               f"a revision of the statistics can close ({order}).")  # fmt: skip
        return Check("imprecise", evs, why)
    where = f"ranks {held}" if held else "is not among the first ten partners"
    return Check("contradicted", evs, f"{name(partner)} {where} in {year}{now}, not {place}: {order}.")


def _reranked(rows: list[dict[str, Any]], measure: str) -> list[dict[str, Any]]:
    """Each year's partners ranked by `measure` (one direction of trade), the first ten kept, as by turnover."""
    out: list[dict[str, Any]] = []
    for year in sorted({r["year"] for r in rows}):
        that = sorted((r for r in rows if r["year"] == year and r[measure]), key=lambda r: -r[measure])
        out += [{**r, "rank": i} for i, r in enumerate(that[:10], 1)]
    return out


# Two partners this close in a year are not ranked against a sentence: statistics offices revise their figures by
# more than this (a partner said to be first that is second by 1.1% is `imprecise`, not `contradicted`)
RANK_MARGIN = 0.02


# the state's own statistics office, whose files are the basis of a share of its trade
OWN_STATISTICS = {"KAZ": "kz_bns", "KGZ": "kg_nsc", "UZB": "uz_stat"}


def _source(ctx: Context, result: Any, state: str) -> str | None:
    """The state's own statistics among the answer's sources (the newest edition): the basis a share is taken of."""
    ids = [s["source_id"] if isinstance(s, dict) else s.source_id for s in result.sources]
    own = [i for i in ids if ctx.source(i).get("loaded_by") == OWN_STATISTICS.get(state)]
    return max(own, key=lambda i: str(ctx.source(i).get("version") or ""), default=None)
