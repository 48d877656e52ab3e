"""One check for every measure the warehouse holds: a figure bound to a catalogue measure (by the phrases that name
it in analysis/measures.py) and compared with out.observations by partner, state (summed over a group) and year.

GDP, FDI inflows, ODA received, trade by partner (as each side reports it, or as a turnover stated by a source),
Chinese government visits and other public-diplomacy counts from AidData, company counts: no verifier per measure.
A figure matches under a definition when it is within the tolerance for that definition's year; a group total
(Central Asia) counts only when every member has a row for that year and definition.
"""

from __future__ import annotations

import re
from collections import defaultdict

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, evidence, money, needs, needs_text, tolerance_text, within
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query
from silkscope.countries import name


def _query(names: list[str], partner: str | None, members: list[str], lo: int, hi: int) -> Query:
    """The measures' rows for this partner (or a state's own series, partner NULL) over the members and years."""
    return PL.measure_query(names, members, lo, hi, [partner], own_series=True)


# Trade: one definition per side that reports it; a turnover is exports plus imports as one side reports them.
_TRADE = {
    "exports": (("exports_usd",), ("partner_imports_usd",)),
    "imports": (("imports_usd",), ("partner_exports_usd",)),
    "turnover": (("exports_usd", "imports_usd"), ("partner_exports_usd", "partner_imports_usd")),
}
_EXPORTS = re.compile(r"\bexports?\b|\bexported\b|\bsales? to\b", re.I)
_IMPORTS = re.compile(r"\bimports?\b|\bimported\b|\bpurchases? from\b", re.I)
_RANK = re.compile(
    r"\b(?:primary|main|principal) (?:focus|recipient|beneficiary)|\b(?:largest|biggest|top|main|leading) "
    r"(?:\w+ ){0,2}?(?:recipient|beneficiary)",
    re.I,
)


def measures_for(claim: Claim) -> list[str]:
    """Catalogue measures the claim's sentence names (family members are matched by their base name)."""
    from silkscope.analysis.measures import MEASURES

    unit = {"amount": "USD", "count": "count", "share": "percent"}.get(claim.type)
    text = claim.sentence
    found = [m for m in MEASURES if m.unit == unit and m.matches(text)]
    return [m.name for m in found]


def applies(claim: Claim) -> bool:
    """A figure the specialised checks do not cover but a catalogue measure does (GDP, FDI inflows, public
    diplomacy counts...), or any trade figure."""
    if claim.type == "amount" and claim.indicator == "trade":
        return True
    names = measures_for(claim)
    if claim.type == "count":
        return any(n.split(".")[0] == "diplomacy" for n in names)
    return claim.type == "amount" and any(n in {"gdp_usd", "fdi_inflows_usd", "oda_received_usd"} for n in names)


def observation(claim: Claim, ctx: Context) -> Check:
    partner = claim.partners[0] if claim.partners else None
    members = PL.members(claim.scope)
    year = claim.period[-1] if claim.period else None
    if year is None:  # "currently": the latest year with data before the article's
        year = ctx.as_of - 1 if claim.extra.get("period_now") else None
    definitions = _definitions(claim)
    names = sorted({n for parts in definitions.values() for n in parts})
    lo, hi = (year - 1, year + 1) if year else (ctx.as_of - 3, ctx.as_of)
    query = _query(names, partner, members, lo, hi)  # a family name selects its members
    rows = sorted(ctx.rows(query), key=lambda r: (r["measure"], r["dataset"], r["year"], r["country_iso3"]))
    series = _series(rows, definitions, members, claim.scope)
    key = "trade" if claim.indicator == "trade" else "other"
    if not series:
        need = needs(key, ctx)
        what = ", ".join(definitions) or "no catalogue measure"
        ev = evidence(ctx, None, claim.unit, claim.period, f"no observations: {what}", None, query, "absence")
        return Check(
            "unverifiable", [ev], f"The warehouse holds no {what} for {claim.scope} around {year}. {needs_text(need)}"
        )
    q, value = claim.qualifier, claim.value or 0.0
    kind = "count" if claim.type == "count" else "money"
    trade = claim.indicator == "trade"
    loose = "about" if trade and q in (None, "exact") else q  # mirror statistics differ by reporter: +/-10%
    tol = "+/-10% (reporters differ)" if trade and q in (None, "exact") else tolerance_text(q, kind)
    evs, same_ok, same_any, near_ok = [], [], [], []
    for (label, y), (total, src, parts) in sorted(series.items(), key=lambda kv: (kv[0][1] != year, kv[0])):
        ok = within(total, value, loose, kind)
        role = "basis" if y == year else "alternative"
        shown = f"{label}, {claim.scope} ({', '.join(parts)})" if len(parts) > 1 else f"{label}, {parts[0]}"
        evs.append(evidence(ctx, total, claim.unit if kind == "money" else "count", [y], shown, src, query, role))
        if y == year:
            same_any.append(label)
            if ok:
                same_ok.append(label)
        elif ok:
            near_ok.append((label, y))
    said = money(value) if kind == "money" else f"{value:,.0f}"
    if same_ok:
        return Check("supported", evs, f"{said} matches {same_ok[0]} for {year} ({tol}).", tolerance=tol)
    if near_ok:
        label, y = near_ok[0]
        return Check(
            "imprecise", evs, f"{said} matches {label} for {y}, not {year}: right figure, another year.", tolerance=tol
        )
    if same_any and year and len(definitions) >= 1 and not claim.extra.get("period_carried"):
        got = "; ".join(f"{_fmt(series[(lb, year)][0], kind)} ({lb})" for lb in same_any)
        return Check("contradicted", evs, f"{said} differs from every {year} figure: {got} ({tol}).", tolerance=tol)
    need = needs(key, ctx)
    return Check("unverifiable", evs, f"No {year or 'dated'} figure under these definitions. {needs_text(need)}", need)


def _fmt(value: float, kind: str) -> str:
    return money(value) if kind == "money" else f"{value:,.0f}"


def _definitions(claim: Claim) -> dict[str, tuple[str, ...]]:
    """Definition label -> the measures summed for it."""
    if claim.indicator == "trade":
        text = claim.sentence
        flow = "exports" if _EXPORTS.search(text) and not _IMPORTS.search(text) else None
        flow = flow or ("imports" if _IMPORTS.search(text) and not _EXPORTS.search(text) else "turnover")
        own, mirror = _TRADE[flow]
        out = {f"{flow} as the Central Asian side reports": own, f"{flow} as the partner reports": mirror}
        if flow == "turnover":
            out["turnover as a secondary source states it"] = ("trade_turnover_stated_usd",)
        return out
    return {_label(n): (n,) for n in measures_for(claim)}


def _label(measure: str) -> str:
    from silkscope.analysis.measures import label

    return label(measure)


def _series(rows, definitions, members, scope) -> dict[tuple[str, int], tuple[float, str, list[str]]]:
    """(definition, year) -> (total over the scope, a source, the states summed); a group only when complete."""
    by: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    parts_seen: dict[tuple[str, int], dict[str, set]] = defaultdict(lambda: defaultdict(set))
    sources: dict[tuple[str, int], str] = {}
    for label, parts in definitions.items():
        for r in rows:
            base = r["measure"].split(".")[0]
            if r["measure"] not in parts and base not in parts:
                continue
            k = (label if len(parts) > 1 or base == r["measure"] else _label(r["measure"]), r["year"])
            by[k][r["country_iso3"]] += r["value"]
            parts_seen[k][r["country_iso3"]].add(r["measure"])
            sources.setdefault(k, r["source_id"])
    out = {}
    for k, values in by.items():
        needed = set(definitions.get(k[0], ()))
        complete = [c for c in members if c in values and (len(needed) < 2 or parts_seen[k][c] >= needed)]
        if len(complete) < len(members):
            continue  # a group total needs every member (and both flows of a turnover)
        out[k] = (sum(values[c] for c in complete), sources[k], complete)
    return out


def rank(claim: Claim, ctx: Context) -> Check | None:
    """'Uzbekistan has become the primary focus of Japan's ODA in Central Asia since 2015': the recipients of the
    partner's net ODA among the five states, summed over the years the text gives. None when it does not apply."""
    if not _RANK.search(claim.text) or not claim.partners:
        return None
    partner = claim.partners[0]
    from silkscope.claims.entities import find_mentions, is_c5

    named = [m.iso3 for m in find_mentions(claim.text) if m.kind in {"country", "city"} and is_c5(m.iso3)]
    subject = named[0] if named else claim.scope if claim.scope in PL.members("C5") else None
    if subject is None:
        return None
    lo = claim.period[0] if claim.period else ctx.as_of - 10
    query = _query(["oda_net_disbursement_usd"], partner, PL.members("C5"), lo, ctx.as_of)
    rows = ctx.rows(query)
    if not rows:
        return None
    datasets = sorted({r["dataset"] for r in rows})
    use = [r for r in rows if r["dataset"] == datasets[0]]
    totals: dict[str, float] = defaultdict(float)
    years: set[int] = set()
    for r in use:
        totals[r["country_iso3"]] += r["value"]
        years.add(r["year"])
    order = sorted(totals, key=lambda c: -totals[c])
    span = f"{min(years)}-{max(years)}"
    evs = [
        evidence(
            ctx, totals[c], "USD", [min(years), max(years)], f"{datasets[0]}: net ODA from {partner} to {c}, {span}",
            next(r["source_id"] for r in use if r["country_iso3"] == c), query, "basis" if c == subject else "context",
        )
        for c in order
    ]  # fmt: skip
    ranking = "; ".join(f"{name(c)} {money(totals[c])}" for c in order)
    if order[0] == subject:
        return Check(
            "supported", evs, f"{name(subject)} received the most of {name(partner)}'s net ODA in {span}: {ranking}."
        )
    return Check("contradicted", evs, f"{name(order[0])}, not {name(subject)}, received the most in {span}: {ranking}.")
