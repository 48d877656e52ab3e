"""Checks for figures: company counts and rankings, trade, investment, polls, and figures no table holds."""

from __future__ import annotations

import re
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import (
    Check,
    absent,
    evidence,
    money,
    needs,
    needs_text,
    tolerance_text,
    within,
)
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.countries import WORLD_CODE, name

KIND_LABEL = {
    "companies_operating": "companies operating",
    "enterprises_with_foreign_capital": "enterprises with {adj} capital",
    "representative_offices": "representative offices",
    "joint_ventures_operating": "joint ventures",
}


def _kind(kind: str | None) -> str:
    return (KIND_LABEL.get(kind or "", kind or "?")).replace("{adj} ", "foreign ")


def _as_of(row: dict[str, Any]) -> str:
    """A date at the precision its source gave: 2010, 2018-07 or 2018-01-01 (the catalogue's `as_of` facet)."""
    return row.get("as_of") or str(row["year"])


def _label(name: str) -> str:
    from silkscope.analysis.measures import label

    return label(name)


def _year(claim: Claim, ctx: Context) -> int:
    return claim.period[-1] if claim.period else ctx.as_of


# --- company presence --------------------------------------------------------------------------------------------


def _presence(ctx: Context, partner: list[str | None] | None, scope: str | None) -> tuple[Query, list[dict[str, Any]]]:
    """Company counts of the catalogue's `presence` family for one scope as stored (a state or a group's own count),
    each with its kind, the date it stands at and its source's definition, in date order."""
    query = PL.measure_query(["presence"], [scope] if scope else [], 1900, 2100, partner)
    rows = [{**r, "presence_kind": r["measure"].split(".", 1)[1], "count": _whole(r["value"])} for r in ctx.rows(query)]
    return query, sorted(rows, key=lambda r: (_as_of(r), r["partner_iso3"] or ""))


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def presence(claim: Claim, ctx: Context) -> Check:
    partner = claim.partners[0] if claim.partners else None
    year, kind, value = _year(claim, ctx), claim.extra.get("kind"), claim.value or 0
    scope = claim.scope
    query, rows = _presence(ctx, [partner], scope)
    what = f"counts of {name(partner) if partner else '?'} companies in {scope}"
    if not rows:
        return absent(ctx, claim, query, what, "presence", claim.unit)
    q = claim.qualifier
    tol = tolerance_text(q, "count")

    def ev(r: dict[str, Any], role: str, note: str | None = None):
        label = f"{r['presence_kind']} ({r['definition']}), as of {_as_of(r)}"
        return evidence(ctx, r["count"], r["presence_kind"], [r["year"]], label, r["source_id"], query, role, note)

    same = [r for r in rows if r["presence_kind"] == kind and r["year"] == year]
    others = [r for r in rows if r not in same]
    alternatives = [ev(r, "alternative") for r in others]
    if same:
        r = same[0]
        verdict = "supported" if within(r["count"], value, q, "count") else "contradicted"
        says = "matches" if verdict == "supported" else "differs from"
        text = (
            f"{_kind(kind)} in {year}: the source counts {r['count']:,}, which {says} the claimed {value:,.0f} ({tol})."
        )
        return Check(verdict, [ev(r, "basis"), *alternatives], text, tolerance=tol, definitions=[kind or "?"])
    matches = sorted(
        (r for r in rows if within(r["count"], value, q, "count")),
        key=lambda r: (r["presence_kind"] != kind, abs(r["year"] - year)),
    )
    if matches:
        r = matches[0]
        rest = [ev(x, "alternative") for x in rows if x is not r]
        text = (
            f"The figure {value:,.0f} is the count of {_kind(r['presence_kind'])} in {r['year']}, not "
            f"{_kind(kind)} in {year}: right figure, different {'year' if r['presence_kind'] == kind else 'definition'}"
            f"{' and year' if r['presence_kind'] != kind and r['year'] != year else ''}. " + _others_text(rows, r)
        )
        return Check("imprecise", [ev(r, "basis"), *rest], text, tolerance=tol)
    near = sorted(
        (r for r in rows if abs(r["year"] - year) <= 3),
        key=lambda r: (abs(r["year"] - year), r["presence_kind"] != kind),
    )
    if not near:
        evs = [ev(r, "context") for r in rows]
        return Check(
            "unverifiable",
            evs,
            f"No count within three years of {year}; the nearest are listed as context. "
            f"{needs_text(needs('presence', ctx))}",
            needs("presence", ctx),
        )
    r = near[0]
    ratio = value / r["count"] if r["count"] else float("inf")
    rest = [ev(x, "alternative") for x in rows if x is not r]
    if 0.5 <= ratio <= 2:
        text = (
            f"No {year} count of {_kind(kind)}; the nearest is {r['count']:,} {_kind(r['presence_kind'])} in "
            f"{r['year']} ({ratio:.2f}x the claimed {value:,.0f}): the right order of magnitude under a different "
            f"definition or year, so the figure cannot be confirmed as stated."
        )
        return Check("imprecise", [ev(r, "basis"), *rest], text, tolerance=tol)
    text = (
        f"Even allowing for definitions, the nearest count ({r['count']:,} {_kind(r['presence_kind'])} in {r['year']}) "
        f"is {ratio:.1f}x off the claimed {value:,.0f}."
    )
    return Check("contradicted", [ev(r, "basis"), *rest], text, tolerance=tol)


def _others_text(rows: list[dict[str, Any]], skip: dict[str, Any]) -> str:
    others = [r for r in rows if r is not skip]
    if not others:
        return ""
    listed = "; ".join(f"{r['count']:,} {_kind(r['presence_kind'])} ({_as_of(r)})" for r in others[:4])
    return f"Other counts: {listed}."


def presence_rank(claim: Claim, ctx: Context) -> Check:
    subject = claim.partners[0] if claim.partners else None
    objects = claim.partners[1:]
    scope = claim.scope
    kind, year = _sibling_count(claim, ctx)
    query, rows = _presence(ctx, None, scope)
    rows = [r for r in rows if kind is None or r["presence_kind"] == kind]
    years = sorted({r["year"] for r in rows if r["partner_iso3"] == subject})
    if not rows or not years:
        return absent(ctx, claim, query, f"comparable company counts for {subject} in {scope}", "presence")
    use = year if year in years else years[-1]
    same = sorted((r for r in rows if r["year"] == use), key=lambda r: -r["count"])
    order = [r["partner_iso3"] for r in same]
    evs = [
        evidence(
            ctx,
            r["count"],
            r["presence_kind"],
            [r["year"]],
            f"{r['partner_iso3']}: {r['definition']}",
            r["source_id"],
            query,
        )
        for r in same
    ]
    text = claim.text.lower()
    if re.search(r"any other", text):
        ok, what = order[0] == subject, f"{name(subject)} has the most"
    elif m := re.search(r"(second|third)", text):
        rank = {"second": 2, "third": 3}[m.group(1)]
        ok, what = len(order) >= rank and order[rank - 1] == subject, f"{name(subject)} ranks {m.group(1)}"
    elif objects and re.search(r"outnumber|more than|larger|greater|higher", text):
        ok = all(order.index(subject) < order.index(o) for o in objects if o in order)
        what = f"{name(subject)} has more than {', '.join(name(o) for o in objects)}"
    elif objects and re.search(r"fewer|less|smaller|lower", text):
        ok = all(order.index(subject) > order.index(o) for o in objects if o in order)
        what = f"{name(subject)} has fewer than {', '.join(name(o) for o in objects)}"
    else:
        return Check("unverifiable", evs, "The comparison's direction could not be read; the counts are listed.")
    ranking = ", ".join(f"{r['partner_iso3']} {r['count']:,}" for r in same)
    caveat = f" (latest count, {_as_of(same[0])}; the claim is dated {year})" if use != year else ""
    verdict = "supported" if ok else "contradicted"
    return Check(
        verdict,
        evs,
        f"'{what}': {'holds' if ok else 'does not hold'} for {_kind(same[0]['presence_kind'])} in {use}{caveat}: "
        f"{ranking}. Only partners the source lists are ranked.",
    )


def _sibling_count(claim: Claim, ctx: Context) -> tuple[str | None, int | None]:
    """The kind and year of the count claims next to a comparison ('more than from any other country')."""
    siblings = [c for c in ctx.claims if c.type == "count" and c.paragraph == claim.paragraph and c.extra.get("kind")]
    before = [c for c in siblings if c.start <= claim.start] or siblings
    if before:
        c = before[-1]
        return c.extra.get("kind"), (c.period[-1] if c.period else None)
    return None, claim.period[-1] if claim.period else None


# --- trade, investment -------------------------------------------------------------------------------------------


def trade(claim: Claim, ctx: Context) -> Check:
    partner = claim.partners[0] if claim.partners else None
    year = _year(claim, ctx)
    # total goods trade under each of the catalogue's trade measures (each side's report, a stated turnover)
    members = [*PL.members(claim.scope), claim.scope]
    query = PL.measure_query(PL.measures_of("trade"), members, year - 1, year + 1, [partner])
    rows = sorted(({**r, "value_usd": r["value"]} for r in ctx.rows(query)), key=lambda r: (r["year"], r["measure"]))
    if len(set(members)) > 2:  # a group: one member's figure is not the group's (complete sums: observations.py)
        rows = [r for r in rows if r["country_iso3"] == claim.scope]
    if not rows:
        who = (
            f"figure of the goods trade of {name(claim.scope)} with all partners"
            if partner == WORLD_CODE
            else f"total goods trade between {partner} and {claim.scope}"
        )
        return absent(ctx, claim, query, f"{who} around {year}", "trade")
    q, value = claim.qualifier, claim.value or 0.0
    tol = "+/-10% (mirror statistics differ by reporter)" if q in (None, "exact") else tolerance_text(q, "money")
    evs, same_ok, same_any, other_ok = [], False, False, False
    for r in rows:
        ok = within(r["value_usd"], value, q if q not in (None, "exact") else "about", "money")
        same_year = r["year"] == year
        same_any |= same_year
        same_ok |= same_year and ok
        other_ok |= (not same_year) and ok
        label = f"{_label(r['measure'])}, {r['country_iso3']}: {r['definition']}"
        evs.append(
            evidence(
                ctx,
                r["value_usd"],
                "USD",
                [r["year"]],
                label,
                r["source_id"],
                query,
                "basis" if same_year else "alternative",
            )
        )
    if same_ok:
        return Check("supported", evs, f"{money(value)} matches the {year} figure ({tol}).", tolerance=tol)
    if same_any:
        return Check("contradicted", evs, f"{money(value)} differs from every {year} figure ({tol}).", tolerance=tol)
    if other_ok:
        return Check("imprecise", evs, f"{money(value)} matches a neighbouring year, not {year}.", tolerance=tol)
    need = needs("trade", ctx)
    return Check("unverifiable", evs, f"No {year} figure; neighbouring years differ. {needs_text(need)}", need)


def investment(claim: Claim, ctx: Context) -> Check:
    partner = claim.partners[0] if claim.partners else None
    query = PL.measure_query(["investment_usd"], [*PL.members(claim.scope), claim.scope], 1900, 2100, [partner])
    rows = sorted(
        ({**r, "measure": r["measure"].split(".", 1)[1], "value_usd": r["value"]} for r in ctx.rows(query)),
        key=lambda r: r["year"],
    )
    if not rows:
        return absent(ctx, claim, query, f"investment figures for {partner} in {claim.scope}", "investment")
    text = claim.sentence.lower()
    want = (
        "fdi_stock"
        if re.search(r"\bstock\b", text)
        else "fdi_flow"
        if re.search(r"inflows?|\bflows?\b", text)
        else None
    )
    year = claim.period[-1] if claim.period else None
    q, value = claim.qualifier, claim.value or 0.0
    evs, verdict, why = [], None, ""
    for r in rows:
        same = (want is None or r["measure"] == want) and year is not None and r["year"] == year
        if r["bound"] == "lower":
            ok = value >= r["value_usd"] if q in ("more", "at_least") else False
        else:
            ok = within(r["value_usd"], value, q, "money")
        label = f"{r['measure']} ({r['bound']}), {r['definition']}"
        evs.append(
            evidence(
                ctx, r["value_usd"], "USD", [r["year"]], label, r["source_id"], query, "basis" if same else "context"
            )
        )
        if same and verdict is None:
            verdict = "supported" if ok else "contradicted"
            said = "matches" if ok else "differs from"
            why = f"{money(value)} {said} {money(r['value_usd'])} ({r['measure']}, {r['year']})."
    if verdict:
        return Check(verdict, evs, why, tolerance=tolerance_text(q, "money"))
    need = needs("investment", ctx)
    return Check(
        "unverifiable",
        evs,
        f"No figure of the same measure and year ({want or 'measure unstated'}, {year or 'year unstated'}); the rows "
        f"shown use other measures or periods. {needs_text(need)}",
        need,
    )


# --- polls, composition, other figures ---------------------------------------------------------------------------


def poll(claim: Claim, ctx: Context) -> Check:
    """Poll figures: checked against the polls of that question, period and country (claims/checks/poll.py)."""
    from silkscope.claims.checks.poll import check_poll

    return check_poll(claim, ctx)


def unsupported_figure(claim: Claim, ctx: Context) -> Check:
    """Figures no warehouse table holds (remittances, populations, product composition...): show what was searched."""
    key = claim.indicator if claim.indicator in PL.NEEDS else "other"
    words = [w for w in re.findall(r"[a-z]{5,}", (claim.unit or "") + " " + claim.text.lower())][:3] or ["%"]
    query = PL.record("indicators_named", states=PL.members(claim.scope), pattern=f"%{words[0]}%")
    rows = ctx.rows(query)
    need = needs(key, ctx)
    if rows:
        evs = [
            evidence(ctx, r["value"], None, [r["year"]], r["indicator_name"], None, query, "context") for r in rows[:5]
        ]
    else:
        evs = [
            evidence(ctx, None, claim.unit, claim.period, f"no indicator matching '{words[0]}'", None, query, "absence")
        ]
    return Check("unverifiable", evs, f"No table in the warehouse measures this. {needs_text(need)}", need)


# Whose official rate converts a currency (WDI PA.NUS.FCRF is local currency units per US$, by country).
CURRENCY_COUNTRY = {
    "JPY": "JPN", "KRW": "KOR", "CNY": "CHN", "RUB": "RUS", "EUR": "EMU", "KZT": "KAZ", "UZS": "UZB", "KGS": "KGZ",
    "TJS": "TJK", "TMT": "TKM", "GBP": "GBR", "SGD": "SGP", "AUD": "AUS", "CAD": "CAN", "HKD": "HKG", "NZD": "NZL",
    "BRL": "BRA", "TWD": "TWN", "INR": "IND", "TRY": "TUR", "CHF": "CHE",
}  # fmt: skip


def foreign_currency(claim: Claim, ctx: Context) -> Check:
    """An amount in another currency keeps it: converted only with the year's official rate when one is loaded
    (and then said so); otherwise unverifiable, with the article's own conversion shown if it gives one."""
    iso3 = CURRENCY_COUNTRY.get(claim.unit or "", claim.unit)
    year = _year(claim, ctx)
    query = PL.measure_query(["exchange_rate_lcu_per_usd"], [iso3], year, year)
    rows = ctx.rows(query)
    need = needs("exchange_rate", ctx)
    stated = claim.extra.get("stated_usd")
    own = (
        f" The article converts it itself to {money(stated)} ({(claim.value or 0) / stated:,.4g} {claim.unit} per "
        "US$), which is not a source."
        if stated
        else ""
    )
    if not rows:
        ev = evidence(
            ctx, None, f"{claim.unit} per USD", claim.period, "no official exchange rate row", None, query, "absence"
        )
        return Check(
            "unverifiable",
            [ev],
            f"The amount is in {claim.unit} and stays so: converting it needs {need['data']}, which is not loaded."
            + own,
            need,
        )
    rate = rows[0]["value"]
    converted = Claim(**{**claim.__dict__, "value": (claim.value or 0) / rate, "unit": "USD"})
    from silkscope.claims.checks.finance import finance

    check = {"finance": finance, "trade": trade, "investment": investment}.get(
        claim.indicator or "", unsupported_figure
    )(converted, ctx)
    check.evidence.append(
        evidence(
            ctx,
            rate,
            f"{claim.unit} per USD",
            claim.period,
            rows[0]["definition"],
            rows[0]["source_id"],
            query,
            "context",
        )
    )
    conversion = ""
    if stated:
        ok = within(stated, converted.value or 0, "about", "money")
        conversion = f" The article's own {money(stated)} {'agrees' if ok else 'does not agree'} with that (+/-10%)."
    check.explanation = (
        f"Converted at the official {rate:,.4g} {claim.unit}/USD for {_year(claim, ctx)} ({money(converted.value)})."
        f"{conversion} {check.explanation}"
    )
    return check
