"""Indicator 5: trade composition by SITC section/division, revealed comparative advantage, complementarity."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from silkscope.indicators.flows import one_trade_dataset, with_dataset
from silkscope.indicators.plans import planned
from silkscope.indicators.tables import Tables, duckdb_tables, in_scope, to_result
from silkscope.result import Result

# SITC Rev. 3 groups the project's questions turn on; the rest keep their code.
SITC_LABELS = {
    "0": "food and live animals",
    "2": "crude materials, inedible, except fuels",
    "3": "mineral fuels, lubricants",
    "5": "chemicals",
    "6": "manufactured goods by material",
    "7": "machinery and transport equipment",
    "8": "miscellaneous manufactured articles",
    "65": "textile yarn, fabrics, made-up articles",
    "67": "iron and steel",
    "68": "non-ferrous metals",
    "78": "road vehicles",
}
DIRECTIONS = {"exports": "partner_to_country", "imports": "country_to_partner"}


def products(t: Tables, level: str, direction: str, dataset: str | None = None) -> ibis.Table:
    """SITC product rows at section (1 digit) or division (2 digits) level: partner, country, year, code, value."""
    digits = {"section": 1, "division": 2}[level]
    r = t("trade_flows")
    r = r.filter(
        r.classification.upper().startswith("SITC"),
        r.product_code != "TOTAL",
        r.month.isnull(),  # annual figures only
        r.direction == DIRECTIONS[direction],
        r.product_code.length() >= digits,
    )
    r = one_trade_dataset(with_dataset(t, r), dataset)
    # one reporter per flow: prefer the importer's figure (CIF, usually better attributed), else the exporter's
    importer = r.country_iso3 if direction == "exports" else r.partner_iso3
    r = r.mutate(_mirror=ibis.ifelse(r.reporter_iso3 == importer, 0, 1))
    best = r.group_by(_k1=r.partner_iso3, _k2=r.country_iso3, _k3=r.year).aggregate(_m=r._mirror.min())
    r = r.join(best, [r.partner_iso3 == best._k1, r.country_iso3 == best._k2, r.year == best._k3, r._mirror == best._m])
    r = r.mutate(code=r.product_code.substr(0, digits))
    # Publishers may list a section and its divisions side by side (6, 65, 68): where the code at this level is
    # published, use it alone; roll finer codes up only where it is not — never both, or trade counts twice.
    exact = r.filter(r.product_code.length() == digits)
    keys = ["partner_iso3", "country_iso3", "year", "code"]
    finer = r.filter(r.product_code.length() > digits).anti_join(exact.select(*keys).distinct(), keys)
    r = exact.union(finer)
    g = r.group_by("partner_iso3", "country_iso3", "year", "code").aggregate(
        value_usd=r.value_usd.sum(), source_ids=r.source_id.collect(distinct=True)
    )
    return g.mutate(year=g.year.cast(dt.int64))


def composition_expr(
    t: Tables, partners: Sequence[str], countries: Sequence[str], lo: int, hi: int, *, level: str, direction: str
) -> ibis.Table:
    """Share of each SITC group in a partner's trade with a country (and in its trade with all of `countries`)."""
    g = products(t, level, direction)
    g = g.filter(t.isin(g.partner_iso3, "partners", partners), t.isin(g.country_iso3, "countries", countries),
                 t.between(g.year, lo, hi))  # fmt: skip
    w = ibis.window(group_by=[g.partner_iso3, g.country_iso3, g.year])
    labels = ibis.cases(*[(g.code == k, v) for k, v in SITC_LABELS.items()], else_=ibis.null(dt.string))
    out = g.mutate(label=labels, total_usd=g.value_usd.sum().over(w))
    out = out.mutate(share_pct=100.0 * out.value_usd / out.total_usd.nullif(0))
    cols = [
        "partner_iso3",
        "country_iso3",
        "year",
        "code",
        "label",
        "value_usd",
        "total_usd",
        "share_pct",
        "source_ids",
    ]
    return out.select(*cols).order_by("partner_iso3", "country_iso3", "year", ibis.desc("value_usd"))


def rca_expr(t: Tables, partners: Sequence[str], countries: Sequence[str], lo: int, hi: int, *, level: str):
    """Balassa RCA of each partner in the C5 market: (X_pk / X_p) / (X_k / X), with X summed over every
    exporter the warehouse records to `countries` (a market-specific RCA, not against world exports)."""
    g = products(t, level, "exports")
    g = g.filter(t.isin(g.country_iso3, "countries", countries), t.between(g.year, lo, hi))
    x = g.group_by("partner_iso3", "year", "code").aggregate(x_pk=g.value_usd.sum())
    w_p = ibis.window(group_by=[x.partner_iso3, x.year])
    w_k = ibis.window(group_by=[x.year, x.code])
    w_all = ibis.window(group_by=[x.year])
    x = x.mutate(x_p=x.x_pk.sum().over(w_p), x_k=x.x_pk.sum().over(w_k), x_all=x.x_pk.sum().over(w_all))
    x = x.mutate(
        share_in_partner_pct=100.0 * x.x_pk / x.x_p.nullif(0),
        share_in_market_pct=100.0 * x.x_k / x.x_all.nullif(0),
    )
    x = x.mutate(rca=x.share_in_partner_pct / x.share_in_market_pct.nullif(0))
    x = x.filter(t.isin(x.partner_iso3, "partners", partners))
    cols = ["partner_iso3", "year", "code", "x_pk", "share_in_partner_pct", "share_in_market_pct", "rca"]
    return x.select(*cols).order_by("partner_iso3", "year", ibis.desc("rca"))


def complementarity_expr(t: Tables, partners: Sequence[str], countries: Sequence[str], lo: int, hi: int, *, level):
    """Michaely's trade complementarity index TC_pc = 100 * (1 - sum_k |m_ck - x_pk| / 2): x_pk = share of k in
    partner p's exports to the C5 countries in scope, m_ck = share of k in country c's imports from every
    partner recorded. 100 = p exports exactly what c imports; 0 = nothing in common."""
    ex = products(t, level, "exports")
    ex = ex.filter(t.isin(ex.country_iso3, "countries", countries), t.between(ex.year, lo, hi))
    xs = ex.filter(t.isin(ex.partner_iso3, "partners", partners)).group_by("partner_iso3", "year", "code").aggregate(
        v=ex.value_usd.sum()
    )  # fmt: skip
    xs = xs.mutate(x=xs.v / xs.v.sum().over(ibis.window(group_by=[xs.partner_iso3, xs.year])))
    ms = ex.group_by("country_iso3", "year", "code").aggregate(v=ex.value_usd.sum())
    ms = ms.mutate(m=ms.v / ms.v.sum().over(ibis.window(group_by=[ms.country_iso3, ms.year])))
    px = xs.select("partner_iso3", "year").distinct()
    cy = ms.select(c_country="country_iso3", c_year="year").distinct()
    pairs = px.join(cy, px.year == cy.c_year).select("partner_iso3", country_iso3="c_country", year="year")
    codes = ex.select(k_year="year", k="code").distinct()
    grid = pairs.join(codes, pairs.year == codes.k_year).select("partner_iso3", "country_iso3", "year", code="k")
    xr = xs.select(px="partner_iso3", yx="year", cx="code", x="x")
    gx = grid.left_join(xr, [grid.partner_iso3 == xr.px, grid.year == xr.yx, grid.code == xr.cx])
    gx = gx.select("partner_iso3", "country_iso3", "year", "code", "x")
    mr = ms.select(pm="country_iso3", ym="year", cm="code", m="m")
    gm = gx.left_join(mr, [gx.country_iso3 == mr.pm, gx.year == mr.ym, gx.code == mr.cm])
    gm = gm.select("partner_iso3", "country_iso3", "year", "code", "x", "m")
    diff = (gm.m.fill_null(0.0) - gm.x.fill_null(0.0)).abs()
    tc = gm.group_by("partner_iso3", "country_iso3", "year").aggregate(
        complementarity=100.0 * (1.0 - diff.sum() / 2.0), products=gm.code.nunique()
    )
    return tc.order_by("partner_iso3", "country_iso3", "year")


DEFINITIONS = {
    "share_pct": "100 * value_usd / total_usd: the SITC group's share in the partner's trade with the country "
    "that year (total = sum over the groups recorded at that level)",
    "rca": "Balassa: (X_pk / X_p) / (X_k / X); X = exports to the C5 countries in scope by every exporter "
    "recorded; > 1 = the partner is relatively specialised in k in this market",
    "complementarity": "Michaely: 100 * (1 - sum_k |m_ck - x_pk| / 2); x = product shares of the partner's exports "
    "to the C5 countries in scope, m = product shares of the country's imports from all recorded partners",
    "reporter": "one reporter per flow: the importer's figure where it exists, else the exporter's",
    "SITC": "; ".join(f"{k} {v}" for k, v in SITC_LABELS.items()),
}


def _plan(t: Tables, partners, countries, since: int, until: int, *, what: str, level: str, direction: str):
    if what == "composition":
        return composition_expr(t, partners, countries, since, until, level=level, direction=direction)
    if what == "rca":
        return rca_expr(t, partners, countries, since, until, level=level)
    return complementarity_expr(t, partners, countries, since, until, level=level)


def _sources_plan(t: Tables, countries, since: int, until: int, *, level: str) -> ibis.Table:
    """The exporters' product rows RCA and complementarity read (every exporter's: the market's totals)."""
    src = products(t, level, "exports")
    src = src.filter(t.isin(src.country_iso3, "countries", countries), t.between(src.year, since, until))
    return src.select("source_ids")


def composition(
    what: str = "composition",
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    level: str = "section",
    direction: str = "exports",
    tables: Tables | None = None,
    db=None,
) -> Result:
    """`what`: composition (shares by SITC group), rca, or complementarity."""
    t = tables or duckdb_tables(db)
    partners, countries, lo, hi = in_scope(partners, countries, since, until)
    scope = {"partners": partners, "countries": countries, "since": lo, "until": hi}
    expr = planned(t, _plan, scope, what=what, level=level, direction=direction)
    title = {
        "composition": f"Trade composition ({direction}, SITC {level}), {lo}-{hi}",
        "rca": f"RCA in the C5 market, {lo}-{hi}",
    }.get(what, f"Trade complementarity index, {lo}-{hi}")
    ids: set[str] = set()
    if what != "composition":
        src = planned(t, _sources_plan, {"countries": countries, "since": lo, "until": hi}, level=level)
        ids = {s for r in t.rows(src) for s in r["source_ids"] or []}
    result = to_result(t, expr, title, DEFINITIONS, extra_source_ids=ids)
    for row in result.rows:
        if "source_ids" in row:
            row["source_ids"] = sorted(row["source_ids"] or [])
    return result
