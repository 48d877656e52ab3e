"""Indicator 6: composite engagement index (default or user weights), bandwidth/dependence, weight sensitivity."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.datatypes as dt
import numpy as np

from silkscope.countries import EU_CODE
from silkscope.errors import SilkscopeError
from silkscope.indicators.flows import MEMBER_SUMS, STATE_TOTAL, STATE_TRADE
from silkscope.indicators.plans import planned
from silkscope.indicators.shares import eu_members
from silkscope.indicators.stored import universe, universe_panel
from silkscope.indicators.tables import Tables, duckdb_tables, in_scope, to_result
from silkscope.result import Result


@dataclass(frozen=True)
class Component:
    columns: tuple[str, ...]
    weight: float
    log: bool  # money and company counts: log(1 + x), so one giant does not flatten everyone else
    # how several columns make the component's one value: "add" (columns blank together, from one source's
    # coverage), or "first" (kinds of one count, never added: the first recorded)
    combine: Literal["add", "first"] = "add"

    def value(self, p: ibis.Table) -> ibis.Value:
        values = [p[c] for c in self.columns]
        value = ibis.coalesce(*values) if self.combine == "first" else functools.reduce(operator.add, values)
        # Spark sums counts as decimals, whose struct Ibis cannot unify with the others' (DuckDB's stay integers)
        return value.cast("float64") if value.type().is_decimal() else value


# Default weights: economic weight (finance, trade, FDI, companies) 0.6, political attention (visits both ways,
# meetings) 0.4 — close to the Lowy Asia Power Index's split between economic and diplomatic measures. The visit
# and meeting columns are the curated timeline's, blank together where it does not cover the partner.
COMPONENTS: dict[str, Component] = {
    "finance": Component(("official_commit_constant_usd",), 0.20, True),
    "trade": Component((STATE_TRADE,), 0.20, True),
    "fdi": Component(("fdi_flow_usd",), 0.15, True),
    "presence": Component(
        ("presence_companies_operating", "presence_enterprises_with_foreign_capital"), 0.05, True, "first"
    ),
    "leader_visits": Component(("leader_visits_to_country", "leader_visits_to_partner"), 0.25, False),
    "meetings": Component(("dialogue_meetings", "ministerial_meetings"), 0.15, False),
}


def parse_weights(text: str | Mapping[str, float] | None) -> dict[str, float]:
    """'trade=0.5,leader_visits=0.5' -> weights; unnamed components get 0. None -> the defaults."""
    if text is None:
        return {k: c.weight for k, c in COMPONENTS.items()}
    pairs = dict(text) if isinstance(text, Mapping) else {}
    if isinstance(text, str):
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            try:
                pairs[name.strip()] = float(value)
            except ValueError:
                raise SilkscopeError(f"weights {text!r}: expected name=number, got {part!r}") from None
    unknown = sorted(set(pairs) - set(COMPONENTS))
    if unknown:
        raise SilkscopeError(f"unknown index component(s) {unknown}; expected: {', '.join(COMPONENTS)}")
    if any(v < 0 for v in pairs.values()) or sum(pairs.values()) <= 0:
        raise SilkscopeError(f"weights {text!r}: expected non-negative weights with a positive sum")
    return {k: float(pairs.get(k, 0.0)) for k in COMPONENTS}


def scores_expr(p: ibis.Table, weights: Mapping[str, float]) -> ibis.Table:
    """Long form, one row per dyad-year and component (k): its weight, a 0-100 score among all partners of the panel
    in that country-year (min-max, on log(1 + x) for money and company counts; a missing value scores 0), whether it
    has data, the partner's share of the country's total (dependence) and value / the component's maximum over the
    panel (bandwidth). Build the panel over the whole partner universe.

    Long, not wide: one unpivot, one min/max/total per component-country-year and one maximum per component, each
    formula written once (six components times five outputs as wide columns were 15 kB of SQL). The stages are
    named (WITH components, ranges, scores, dyads) so the SQL an answer shows reads top to bottom; short names
    (k, w, x) keep it under 4 kB."""
    # one row per dyad-year and component (k: component, w: weight, x: value, t: the state's own total with all
    # partners, the denominator of its trade (flows.STATE_TOTAL); an untyped NULL elsewhere, as the cells are cast
    # to one struct type)
    cells = [
        ibis.struct(
            {"k": k, "w": float(weights[k]), "x": c.value(p), "t": p[STATE_TOTAL] if k == "trade" else ibis.null()}
        )
        for k, c in COMPONENTS.items()
    ]
    u = p.select("partner_iso3", "country_iso3", "year", c=ibis.array(cells).unnest())
    x, logged = u.c.x, u.c.k.isin([k for k, c in COMPONENTS.items() if c.log])
    v = ibis.ifelse(logged, (ibis.greatest(x, 0.0) + 1.0).ln(), x)
    comp = u.select("partner_iso3", "country_iso3", "year", k=u.c.k, weight=u.c.w, raw=x, v=v, t=u.c.t)
    comp = comp.alias("components")
    cy = ["k", "country_iso3", "year"]
    # the EU's trade and investment are its members' sum: beside it, the members stay out of the total (shares.py)
    # (a value of the EU's, not only its row: Uzbekistan's statistics list the members and not the EU)
    sums = [k for k, c in COMPONENTS.items() if MEMBER_SUMS.issuperset(c.columns)]
    twice = eu_members(comp.partner_iso3) & comp.k.isin(sums)
    eu_beside = comp.raw.count(where=comp.partner_iso3 == EU_CODE) > 0
    total = ibis.ifelse(eu_beside, comp.raw.sum(where=~twice), comp.raw.sum())
    ranges = comp.group_by(cy).aggregate(lo=comp.v.min(), hi=comp.v.max(), total=total).alias("ranges")
    m = comp.join(ranges, cy)
    top = m.v.max().over(group_by="k")  # the component's maximum over the whole panel
    # a missing value scores 0 (as its v were the minimum); all recorded equal: 100 each when they have any (and a
    # partner with no value still 0: it had scored 100 beside a lone recorded partner)
    scaled = 100.0 * (m.v.fill_null(m.lo) - m.lo) / (m.hi - m.lo).nullif(0)
    score = scaled.fill_null(ibis.ifelse(m.v > 0, 100.0, 0.0))
    return m.select(
        "partner_iso3",
        "country_iso3",
        "year",
        "k",
        "weight",
        score=score,
        has_data=m.raw.notnull(),
        share=(m.raw / m.t.fill_null(m.total).nullif(0)).fill_null(0.0),  # of the state's own total if published
        band=(m.v / top.nullif(0)).fill_null(0.0),
    ).alias("scores")


def index_expr(
    panel: ibis.Table, partners: Sequence[str], weights: Mapping[str, float], tables: Tables | None = None
) -> ibis.Table:
    """Index, bandwidth, dependence and each component's score per dyad-year under `weights`, among every partner
    of `panel`, keeping the rows of `partners` (a parameter of `tables`' statements when given, else a constant)."""
    s = scores_expr(panel, weights)
    total = float(sum(weights.values()))

    def weighted(value: ibis.Value, scale: float = 100.0) -> ibis.Value:
        value = value if scale == 1.0 else scale * value
        return value if total == 1.0 else value / total

    # The index sums exactly (decimals): partners tied on their scores stay tied whatever order the rows are added in.
    exact = (s.score * s.weight).cast(dt.Decimal(38, 18)).sum().cast(dt.float64)
    dyads = (
        s.group_by("partner_iso3", "country_iso3", "year")
        .aggregate(
            engagement_index=weighted(exact, 1.0),
            bandwidth=weighted((s.band * s.weight).sum()),
            country_dependence_pct=weighted((s.share * s.weight).sum()),
            weight_with_data_pct=weighted((s.has_data.cast(dt.float64) * s.weight).sum()),
            **{f"{k}_score": s.score.max(where=s.k == k) for k in COMPONENTS},
        )
        .alias("dyads")
    )
    shown = tables.isin(dyads.partner_iso3, "partners", partners) if tables else dyads.partner_iso3.isin(partners)
    return dyads.filter(shown)


COLUMNS = ["partner_iso3", "country_iso3", "year", "engagement_index", "bandwidth", "country_dependence_pct",
           "weight_with_data_pct", *[f"{k}_score" for k in COMPONENTS]]  # fmt: skip


def _index_plan(t: Tables, partners, countries, since, until, *, weights, stored, universe, ordered):
    """The index over the universe panel; `ordered`: its columns in order, as the index answer shows them."""
    panel = universe_panel(t, countries, since, until, stored=stored, partners=universe)
    expr = index_expr(panel, partners, dict(weights), tables=t)
    if ordered:
        expr = expr.select(*COLUMNS).order_by("country_iso3", "year", ibis.desc("engagement_index"), "partner_iso3")
    return expr


def _planned_index(t: Tables, partners, countries, lo: int, hi: int, weights: Mapping[str, float], *, ordered):
    stored, names = universe(t, partners, countries, lo, hi)
    scope = {"partners": list(partners), "countries": list(countries), "since": lo, "until": hi}
    return planned(t, _index_plan, scope, weights=tuple(weights.items()), stored=stored, universe=names,
                   ordered=ordered)  # fmt: skip


def _rank_columns(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Ranks of `values` (rows x draws) within each group of rows, column by column: 1 = largest, ties share the
    smallest rank (pandas' method='min'), i.e. one plus the number of rows in the group that are strictly larger."""
    ranks = np.empty(values.shape, dtype=int)
    for group in np.unique(groups):
        rows = np.flatnonzero(groups == group)
        block = values[rows]
        ranks[rows] = 1 + (block[None, :, :] > block[:, None, :]).sum(axis=1)
    return ranks


def sensitivity(df, weights: Mapping[str, float], *, draws: int = 500, spread: float = 0.5, seed: int = 0, pooled=True):
    """Rank of each partner by mean index over the period (per country, or all C5 together), under the given
    weights, under `draws` random perturbations (each weight times U(1-spread, 1+spread)) and with each
    component left out. Returns plain rows.

    Vectorised: a partner's mean index is linear in the weights (mean of its component scores times the weights),
    so every draw is one matrix product and the ranks of all draws are taken at once (it was one pandas groupby per
    draw: 500 draws took seconds)."""
    names = list(weights)
    scope = "_all" if pooled else "country_iso3"
    if pooled:
        df = df.assign(_all="C5")
    means = df.groupby([scope, "partner_iso3"])[[f"{k}_score" for k in names]].mean()
    scores = means.to_numpy(dtype=float)
    groups = means.index.get_level_values(0).to_numpy()
    base_w = np.array([weights[k] for k in names], dtype=float)

    def index_of(w: np.ndarray) -> np.ndarray:  # weights (components x columns) -> mean index (partners x columns)
        total = w.sum(axis=0)
        return scores @ w / np.where(total == 0, 1.0, total)

    base = index_of(base_w[:, None])[:, 0]
    base_rank = _rank_columns(base[:, None], groups)[:, 0]
    factors = np.random.default_rng(seed).uniform(1 - spread, 1 + spread, (draws, len(names)))
    stack = _rank_columns(index_of((base_w[None, :] * factors).T), groups)
    without = {}
    for i, k in enumerate(names):
        if weights[k] > 0:
            rest = base_w.copy()
            rest[i] = 0.0
            without[k] = _rank_columns(index_of(rest[:, None]), groups)[:, 0] if rest.sum() else None
    rows = []
    for i, key in enumerate(means.index):
        r0 = int(base_rank[i])
        row = {
            "scope": key[0],
            "partner_iso3": key[-1],
            "mean_index": float(base[i]),
            "rank": r0,
            "rank_median": float(np.median(stack[i])),
            "rank_min": int(stack[i].min()),
            "rank_max": int(stack[i].max()),
            "rank_changed_pct": float(100.0 * np.mean(stack[i] != r0)),
        }
        for k, ranks in without.items():
            row[f"rank_without_{k}"] = int(ranks[i]) if ranks is not None else None
        rows.append(row)
    return sorted(rows, key=lambda r: (r["scope"], r["rank"]))


INDEX_DEFINITIONS = {
    "component score": "0-100 min-max score among every partner recorded with the country that year; money and "
    "company counts as log(1 + x); a missing value scores 0",
    "engagement_index": "sum_c w_c * score_c / sum_c w_c",
    "bandwidth": "100 * sum_c w_c * (v_c / max v_c over the whole panel) / sum_c w_c: how much the two interact, "
    "comparable across years (FBIC's 'bandwidth' idea)",
    "country_dependence_pct": "100 * sum_c w_c * (partner's share of the country's total of c) / sum_c w_c: how "
    "much of the country's recorded outside engagement is with this partner (FBIC's 'dependence' idea); the total of "
    "trade is the state's own total with all partners where it publishes one; in trade and FDI, where the EU's "
    "figure is its members' sum, the members stay out of a total summed over partners when the EU has a value",
    "weight_with_data_pct": "share of the weight whose component has data for the dyad-year",
    "components": "; ".join(
        f"{k} = {(', else ' if c.combine == 'first' else ' + ').join(c.columns)} (default weight {c.weight})"
        for k, c in COMPONENTS.items()
    ),
}


def index(
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    weights: str | Mapping[str, float] | None = None,
    tables: Tables | None = None,
    db=None,
) -> Result:
    from silkscope.indicators.shares import panel_source_ids

    t = tables or duckdb_tables(db)
    partners, countries, lo, hi = in_scope(partners, countries, since, until)
    w = parse_weights(weights)
    expr = _planned_index(t, partners, countries, lo, hi, w, ordered=True)
    ids = panel_source_ids(t, partners, countries, lo, hi)
    defs = {**INDEX_DEFINITIONS, "weights used": ", ".join(f"{k}={v:g}" for k, v in w.items())}
    return to_result(t, expr, f"Engagement index, {lo}-{hi}", defs, extra_source_ids=ids)


def sensitivity_report(
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    weights: str | Mapping[str, float] | None = None,
    draws: int = 500,
    spread: float = 0.5,
    pooled: bool = True,
    tables: Tables | None = None,
    db=None,
) -> Result:
    t = tables or duckdb_tables(db)
    partners, countries, lo, hi = in_scope(partners, countries, since, until)
    w = parse_weights(weights)
    expr = _planned_index(t, partners, countries, lo, hi, w, ordered=False)
    rows = sensitivity(t.execute(expr), w, draws=draws, spread=spread, pooled=pooled)
    defs = {
        "rank": "rank by the mean engagement index over the period under the weights used",
        "rank_median/min/max": f"over {draws} draws, each weight multiplied by U({1 - spread:g}, {1 + spread:g})",
        "rank_changed_pct": "share of draws in which the rank differs from `rank`",
        "rank_without_<c>": "rank with component c's weight set to 0",
        "weights used": ", ".join(f"{k}={v:g}" for k, v in w.items()),
    }
    columns = list(rows[0]) if rows else []
    from silkscope.indicators.shares import panel_source_ids

    sql = t.sql(expr)
    notes = ["The SQL computes the index under the given weights; the draws re-weight its component scores."]
    sources = t.sources(panel_source_ids(t, partners, countries, lo, hi))
    return Result(f"Index rank sensitivity, {lo}-{hi}", columns, rows, sql, [], sources, defs, notes)
