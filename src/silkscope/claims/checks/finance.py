"""Official finance: a claimed amount against every definition the warehouse holds (measure, flow, prices, scope)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Check, absent, evidence, money, needs, needs_text, tolerance_text, within
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context, Query

_FLOW_GROUP = {"oda": "oda", "oof": "oof", "export_credit": "oof", "development_finance": "development_finance"}


def _flow_group(flow_class: str) -> str:
    for prefix, group in _FLOW_GROUP.items():
        if flow_class.startswith(prefix):
            return group
    return flow_class


def _years(claim: Claim, ctx: Context) -> tuple[int, int] | None:
    if not claim.period:
        return None
    kind = claim.period_kind
    if kind == "cumulative":
        return 1960, claim.period[-1]
    if kind == "since":
        return claim.period[0], ctx.as_of
    return claim.period[0], claim.period[-1]


def _query(donor: str | None, countries: list[str] | None, lo: int, hi: int) -> Query:
    """Every finance measure of the catalogue from this donor: out.observations, one row per measure, dataset, flow
    class, recipient (a state or a group's own row), year and source."""
    return PL.measure_query(PL.measures_of("finance"), countries, lo, hi, [donor])


def _rows(ctx: Context, query: Query) -> list[dict[str, Any]]:
    """The query's rows with the catalogue's terms for each measure (finance measure, price basis) and its label."""
    from silkscope.analysis.measures import measure

    out = []
    for r in ctx.rows(query):
        entry = measure(r["measure"])
        terms = dict(entry.terms)
        out.append(
            {
                **r,
                "catalogue": r["measure"],
                "label": entry.label,
                "measure": terms["measure"],
                "price_basis": terms["price_basis"],
                "recipient": r["country_iso3"],
                "amount_usd": r["value"],
            }
        )
    keys = ("dataset", "flow_class", "measure", "price_basis", "base_year", "recipient", "year")
    return sorted(out, key=lambda r: tuple((r[k] is None, r[k] or 0) for k in keys))


def finance(claim: Claim, ctx: Context) -> Check:
    donor = claim.partners[0] if claim.partners else None
    span = _years(claim, ctx)
    scope_members = PL.members(claim.scope)
    if span is None:
        query = _query(donor, [*scope_members, claim.scope], 1960, ctx.as_of)
        return absent(ctx, claim, query, "year for this amount in the text, so no finance row can be chosen", "finance")
    groups = ["C5", "C5_CAUCASUS", "C4_EXCL_TKM"]
    query = _query(donor, [*scope_members, *groups], span[0], span[1])
    # WDI's DC.DAC.<donor>L.CD net ODA disbursements are finance_flows rows too (dataset = the WDI connector), so
    # they are one more definition here, compared like the OECD's own DAC2A rows.
    rows = _rows(ctx, query)
    defs: dict[tuple, dict[str, Any]] = defaultdict(
        lambda: {"amount": 0.0, "years": set(), "sources": set(), "recipients": set()}
    )
    for r in rows:
        in_scope = r["recipient"] in scope_members or r["recipient"] == claim.scope
        scope_label = claim.scope if in_scope else r["recipient"]
        key = (r["dataset"], _flow_group(r["flow_class"]), r["measure"], r["price_basis"], r["base_year"], scope_label)
        d = defs[key]
        d["amount"] += r["amount_usd"]
        d["years"].add(r["year"])
        d["sources"].add(r["source_id"])
        d["recipients"].add(r["recipient"])
        d["definition"], d["in_scope"], d["query"] = f"{r['label']}; {r['definition']}", in_scope, query
    # A group scope is exact only when every member (or the group's own aggregate row) is present: a dataset that
    # holds only the five Central Asian states cannot give a Central Asia + Caucasus total.
    # A year without a row is a zero flow when the dataset covers that recipient in other years.
    coverage: dict[str, set[str]] = defaultdict(set)
    for r in ctx.rows(_query(donor, None, 1960, 2100)):
        coverage[r["dataset"]].add(r["country_iso3"])
    for key, d in defs.items():
        covered = coverage[key[0]] | d["recipients"]
        whole = claim.scope in d["recipients"] or set(scope_members) <= covered
        d["missing"] = [] if whole or not d["in_scope"] else sorted(set(scope_members) - covered)
        d["exact_scope"] = d["in_scope"] and not d["missing"]
    if not defs:
        what = f"official finance from {donor} to {claim.scope} in {_span(span)} (any definition)"
        key = "finance_chn" if donor == "CHN" else "finance"
        return absent(ctx, claim, query, what, key)
    q, value = claim.qualifier, claim.value or 0.0
    want_measure, want_flow, want_basis = (
        claim.extra.get("measure"),
        claim.extra.get("flow"),
        claim.extra.get("price_basis"),
    )
    scored = []
    for key, d in defs.items():
        dataset, flow, measure, basis, base_year, scope_label = key
        needed_years = set(range(span[0], span[1] + 1)) if claim.period_kind != "cumulative" else d["years"]
        complete = needed_years <= d["years"] or claim.period_kind == "cumulative"
        compatible = (
            d["exact_scope"]
            and complete
            and (want_flow is None or flow == want_flow or (want_flow == "loan" and flow in {"oda", "oof"}))
            and (want_measure is None or measure.startswith(want_measure))
            and (want_basis is None or basis == want_basis)
        )
        label = f"{dataset}: {flow} {measure}, {basis} USD{f' ({base_year})' if base_year else ''}, {scope_label}"
        if len(d["recipients"]) > 1:  # say that the figure is a sum over states, and over how many
            label += f" (summed over {len(d['recipients'])} states: {', '.join(sorted(d['recipients']))})"
        if d["missing"]:
            label += f" without {', '.join(d['missing'])} (not in the dataset)"
        scored.append((compatible, within(d["amount"], value, q, "money"), label, d, key))
    evs = []
    for compatible, _ok, label, d, _key in sorted(scored, key=lambda x: (not x[0], not x[1])):
        role = "basis" if compatible else "alternative"
        years = sorted(d["years"])
        evs.append(
            evidence(
                ctx,
                d["amount"],
                "USD",
                [years[0], years[-1]] if len(years) > 1 else years,
                f"{label}: {d['definition']}",
                sorted(d["sources"])[0],
                d["query"],
                role,
            )
        )
    compat = [x for x in scored if x[0]]
    tol = tolerance_text(q, "money")
    claimed = money(value)
    if any(ok for c, ok, *_ in compat):
        label = next(lbl for c, ok, lbl, *_ in compat if ok)
        return Check("supported", evs, f"{claimed} matches under {label} ({tol}).", tolerance=tol)
    # A figure that matches under another definition or scope (Central Asia + Caucasus for "Central Asia") is the
    # article's looseness, not an error: imprecise, never contradicted, even where the claim's own definition
    # gives another figure.
    matches = [x for x in scored if x[1]]
    if matches:
        differs = "; ".join(f"{money(d['amount'])} under {lbl}" for c, ok, lbl, d, k in compat)
        return Check(
            "imprecise",
            evs,
            f"{claimed} matches only under a different definition: {matches[0][2]}. The claim's own definition "
            f"({_stated(claim)}, {claim.scope}) has "
            + (f"another figure: {differs}." if differs else "no matching figure."),
            tolerance=tol,
        )
    stated = want_measure is not None or any(k[2].startswith("disbursement") for *_, k in compat)
    if compat and stated:
        got = "; ".join(f"{money(d['amount'])} under {lbl}" for c, ok, lbl, d, k in compat)
        return Check("contradicted", evs, f"The claimed {claimed} differs from {got} ({tol}).", tolerance=tol)
    need = needs("finance_chn" if donor == "CHN" else "finance", ctx)
    got = "; ".join(f"{money(d['amount'])} under {lbl}" for c, ok, lbl, d, k in scored[:3])
    return Check(
        "unverifiable",
        evs,
        f"No figure under the claim's definition ({_stated(claim)}, {claim.scope}, {_span(span)}). The warehouse "
        f"has {got}: a different measure, flow or scope, which neither confirms nor refutes {claimed}. "
        f"{needs_text(need)}",
        need,
        tolerance=tol,
    )


def _span(span: tuple[int, int]) -> str:
    if span[0] == span[1]:
        return str(span[0])
    return f"up to {span[1]}" if span[0] <= 1960 else f"{span[0]}-{span[1]}"


def _stated(claim: Claim) -> str:
    parts = [claim.extra.get("flow") or "flow unstated", claim.extra.get("measure") or "measure unstated"]
    parts.append(claim.extra.get("price_basis") or "prices unstated")
    return ", ".join(parts)


def finance_rank(claim: Claim, ctx: Context) -> Check:
    donor = claim.partners[0] if claim.partners else None
    query = _query(donor, None, 1960, ctx.as_of)
    rows = _by_recipient(_rows(ctx, query))
    need = needs("finance", ctx)
    if not rows:
        return absent(ctx, claim, query, f"finance rows from {donor} by recipient", "finance")
    evs = [
        evidence(
            ctx,
            r["amount_usd"],
            "USD",
            [r["first_year"], r["last_year"]],
            f"{r['dataset']} {r['measure']} {r['price_basis']} to {r['recipient']} ({r['label']})",
            r["source_id"],
            query,
            "context",
        )
        for r in rows[:8]
    ]
    return Check(
        "unverifiable",
        evs,
        "The warehouse holds finance to Central Asian recipients only, so a ranking among all of the donor's "
        f"recipients (or by one agency) cannot be made; the Central Asian figures are context. {needs_text(need)}",
        need,
    )


def _by_recipient(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Totals by recipient, dataset, measure and price basis over the years given, largest first within each."""
    out: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r["recipient"], r["dataset"], r["measure"], r["price_basis"])
        t = out.setdefault(key, {**r, "amount_usd": 0.0, "first_year": r["year"], "last_year": r["year"]})
        t["amount_usd"] += r["amount_usd"]
        t["first_year"], t["last_year"] = min(t["first_year"], r["year"]), max(t["last_year"], r["year"])
        t["source_id"] = min(t["source_id"], r["source_id"])
    return sorted(out.values(), key=lambda t: (t["dataset"], t["measure"], t["price_basis"], -t["amount_usd"]))
