"""Indicator 6: composite engagement index (default or user weights), bandwidth/dependence, weight sensitivity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import numpy as np

from silkscope.errors import SilkscopeError
from silkscope.indicators.stored import universe_table
from silkscope.indicators.tables import Tables, duckdb_tables, in_scope, to_result
from silkscope.result import Result


@dataclass(frozen=True)
class Component:
    columns: tuple[str, ...]  # summed (NULL when all are NULL)
    weight: float
    log: bool  # money and company counts: log(1 + x), so one giant does not flatten everyone else


# Default weights: economic weight (finance, trade, FDI, companies) 0.6, political attention (visits both ways,
# meetings) 0.4 — close to the Lowy Asia Power Index's split between economic and diplomatic measures.
COMPONENTS: dict[str, Component] = {
    "finance": Component(("official_commit_constant_usd",), 0.20, True),
    "trade": Component(("trade_total_usd",), 0.20, True),
    "fdi": Component(("fdi_flow_usd",), 0.15, True),
    "presence": Component(("presence_companies_operating", "presence_enterprises_with_foreign_capital"), 0.05, True),
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


def scores_expr(p: ibis.Table) -> ibis.Table:
    """Per dyad-year and component: the raw value, a 0-100 score among all partners of the panel in that
    country-year (min-max), the partner's share of the country's total (dependence) and value / panel maximum
    (bandwidth). Build the panel over the whole partner universe."""
    # Two selects: the values first, then the windows over them by name. In one select Ibis would inline each
    # value's expression into every window that reads it (40 kB of SQL for the default components); a select with
    # window functions is never merged into the one below it.
    base = {}
    for name, comp in COMPONENTS.items():
        raw = ibis.ifelse(
            ibis.and_(*[p[c].isnull() for c in comp.columns]),
            ibis.null(dt.float64),
            sum((p[c].cast(dt.float64).fill_null(0.0) for c in comp.columns), ibis.literal(0.0)),
        )
        base[f"{name}_value"] = raw
        base[f"{name}_v"] = (ibis.greatest(raw, 0.0) + 1.0).ln() if comp.log else raw
    b = p.select("partner_iso3", "country_iso3", "year", **base)
    w = ibis.window(group_by=[b.country_iso3, b.year])
    bounds = {}
    for name in COMPONENTS:
        v = b[f"{name}_v"]
        bounds |= {f"{name}_lo": v.min().over(w), f"{name}_hi": v.max().over(w), f"{name}_top": v.max().over()}
    m = b.mutate(**bounds)
    out = {}
    for name in COMPONENTS:
        raw, v, mn, mx = m[f"{name}_value"], m[f"{name}_v"], m[f"{name}_lo"], m[f"{name}_hi"]
        out[f"{name}_value"] = raw
        out[f"{name}_score"] = ibis.ifelse(
            mx > mn, 100.0 * (v - mn) / (mx - mn), ibis.ifelse(mx > 0, 100.0, 0.0)
        ).fill_null(0.0)
        out[f"{name}_has_data"] = raw.notnull()
        # a window here too: it keeps this select from being merged into the index's (which would repeat it)
        out[f"{name}_share"] = (raw / raw.sum().over(w).nullif(0)).fill_null(0.0)
        out[f"{name}_band"] = (v / m[f"{name}_top"].nullif(0)).fill_null(0.0)
    return m.select("partner_iso3", "country_iso3", "year", **out)


def index_expr(panel: ibis.Table, partners: Sequence[str], weights: Mapping[str, float]) -> ibis.Table:
    """Index, bandwidth and dependence per dyad-year under `weights`, among every partner of `panel`, keeping the
    rows of `partners`."""
    s = scores_expr(panel)
    total = float(sum(weights.values()))

    def weighted(suffix: str, scale: float = 1.0) -> ibis.Value:
        parts = [s[f"{k}_{suffix}"].cast(dt.float64) * w for k, w in weights.items()]
        return scale * sum(parts, ibis.literal(0.0)) / total

    s = s.mutate(
        engagement_index=weighted("score"),
        bandwidth=weighted("band", 100.0),
        country_dependence_pct=weighted("share", 100.0),
        weight_with_data_pct=weighted("has_data", 100.0),
    )
    return s.filter(s.partner_iso3.isin(list(partners)))


def universe_panel(t: Tables, partners, countries, since: int, until: int) -> ibis.Table:
    return universe_table(t, list(partners), list(countries), since, until)[0]


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
    "much of the country's recorded outside engagement is with this partner (FBIC's 'dependence' idea)",
    "weight_with_data_pct": "share of the weight whose component has data for the dyad-year",
    "components": "; ".join(
        f"{k} = {' + '.join(c.columns)} (default weight {c.weight})" for k, c in COMPONENTS.items()
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
    cols = ["partner_iso3", "country_iso3", "year", "engagement_index", "bandwidth", "country_dependence_pct",
            "weight_with_data_pct", *[f"{k}_score" for k in COMPONENTS]]  # fmt: skip
    expr = index_expr(universe_panel(t, partners, countries, lo, hi), partners, w).select(*cols)
    expr = expr.order_by("country_iso3", "year", ibis.desc("engagement_index"), "partner_iso3")
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
    expr = index_expr(universe_panel(t, partners, countries, lo, hi), partners, w)
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
