"""Does interaction bring cooperation? Panel model and event study of outcomes on leader visits and meetings."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from silkscope import formatting
from silkscope.errors import SilkscopeError
from silkscope.indicators.flows import STATE_TRADE
from silkscope.labels import label
from silkscope.result import Result

REGRESSORS = ("leader_visits_to_country", "leader_visits_to_partner", "dialogue_meetings")
# Each named outcome is a list of panel columns, the first with enough observations in scope is fitted: a default
# install holds WDI's net ODA disbursements but no project-level commitments. Trade is the states' own reports first
# (flows.STATE_TRADE), then partners' reports where a state publishes none. The answer names the column it used and
# why.
OUTCOMES = {
    "finance": ("official_commit_constant_usd", "oda_disb_net_current_usd"),
    "projects": ("finance_projects",),
    "trade": (STATE_TRADE, "trade_total_usd"),
}
MIN_OBSERVED = 10
# Absent from a project-level finance dataset = no commitment recorded: 0 for a partner the dataset covers.
ZERO_FILLED = {"official_commit_constant_usd", "official_commit_current_usd", "finance_projects"}


@dataclass
class Estimate:
    """A fitted model: what was estimated, on what, and how to read it."""

    title: str
    specification: str
    outcome: str
    n_obs: int
    n_dyads: int
    n_years: int
    coefficients: list[dict[str, Any]]
    reading: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)

    def to_result(self, sources: list[dict[str, Any]] | None = None) -> Result:
        # `term` is the model's own name (JSON, CSV, the formula); `label` the same in words for people
        columns = ["term", "label", "coef", "std_err", "ci_low", "ci_high", "p_value"]
        return Result(
            self.title,
            columns,
            [{"term": c["term"], "label": label(c["term"]), **c} for c in self.coefficients],
            "",
            [],
            sources or [],
            {
                "specification": self.specification,
                "N": f"{self.n_obs} dyad-years, {self.n_dyads} dyads (clusters), {self.n_years} years",
            },
            [*self.reading, *[f"caveat: {c}" for c in self.caveats]],
        )


def prepare(df: pd.DataFrame, outcome: str, *, transform: str = "log1p") -> pd.DataFrame:
    """Index by (dyad, year), transform the outcome, and drop dyad-years where it is missing."""
    data = df.copy()
    data["dyad"] = data["partner_iso3"] + "-" + data["country_iso3"]
    data = data.sort_values(["dyad", "year"])
    y = pd.to_numeric(data[outcome], errors="coerce").astype(float)
    if outcome in ZERO_FILLED:
        covered = y.notna().groupby(data["partner_iso3"]).transform("any")
        y = y.where(~(covered & y.isna()), 0.0)
    data["_y"] = np.log1p(y.clip(lower=0)) if transform == "log1p" else y
    return data


def _lagged(data: pd.DataFrame, column: str, k: int) -> pd.Series:
    """column at year t - k within each dyad (k < 0: a lead). Years outside the panel: 0 (no event recorded)."""
    s = pd.to_numeric(data[column], errors="coerce").fillna(0).astype(float)
    return s.groupby(data["dyad"]).shift(k).fillna(0.0)


class TooFewObservationsError(SilkscopeError):
    """No outcome column has MIN_OBSERVED observed dyad-years in the scope: nothing to fit. A narrower scope (fewer
    partners, states or years) observes fewer still, so it has nothing to fit either."""


class NotIdentifiedError(SilkscopeError):
    """The data chosen cannot separate the regressors from the fixed effects (exog without full column rank)."""

    def __init__(self, terms: list[str], dyads: list[str], n_years: int, context: str = "cannot be estimated"):
        self.terms, self.dyads, self.n_years = terms, dyads, n_years
        shown = ", ".join(dyads[:6]) + (f" and {len(dyads) - 6} more" if len(dyads) > 6 else "")
        if len(dyads) < 2:
            why = f"one dyad ({shown}) over {n_years} years, and its year effects absorb every regressor"
        else:
            why = (f"{', '.join(terms) or 'the regressors'} do not vary apart from the dyad and year effects in "
                   f"{len(dyads)} dyads ({shown}) over {n_years} years")  # fmt: skip
        super().__init__(
            f"{context}: {why}; choose more partners or countries (dyads whose visits differ) or a longer period"
        )


def _without_variation(frame: pd.DataFrame, terms: list[str]) -> list[str]:
    """The terms that add nothing to the dyad and year dummies (and the terms before them): the collinear ones."""
    idx = frame.index
    dummies = pd.concat(
        [pd.get_dummies(idx.get_level_values(0)), pd.get_dummies(idx.get_level_values(1)).iloc[:, 1:]], axis=1
    ).to_numpy(float)
    rank, out, columns = np.linalg.matrix_rank(dummies), [], [dummies]
    for term in terms:
        trial = np.column_stack([*columns, frame[term].to_numpy(float)])
        new_rank = np.linalg.matrix_rank(trial)
        if new_rank > rank:
            rank, columns = new_rank, [trial]
        else:
            out.append(term)
    return out


def _fit(data: pd.DataFrame, terms: list[str], level: float):
    from linearmodels import PanelOLS
    from linearmodels.panel.utility import AbsorbingEffectWarning

    frame = data.dropna(subset=["_y"]).set_index(["dyad", "year"])
    try:
        with warnings.catch_warnings():
            # a term the effects absorb is dropped, and the reading says so (_absorbed): no warning on the console
            warnings.simplefilter("ignore", AbsorbingEffectWarning)
            model = PanelOLS(frame["_y"], frame[terms], entity_effects=True, time_effects=True, drop_absorbed=True)
            res = model.fit(cov_type="clustered", cluster_entity=True)
    except ValueError as exc:
        # linearmodels: "exog does not have full column rank", every column "fully absorbed", or no residual
        # "degrees of freedom" left after the effects: the scope cannot separate the regressors from the effects
        if not any(why in str(exc) for why in ("rank", "absorbed", "degrees of freedom")):
            raise
        dyads, years = frame.index.get_level_values(0), frame.index.get_level_values(1)
        raise NotIdentifiedError(_without_variation(frame, terms), sorted(dyads.unique()), years.nunique()) from None
    ci = res.conf_int(level=level)
    rows = [
        {
            "term": term,
            "coef": float(res.params[term]),
            "std_err": float(res.std_errors[term]),
            "ci_low": float(ci.loc[term, "lower"]),
            "ci_high": float(ci.loc[term, "upper"]),
            "p_value": float(res.pvalues[term]),
        }
        for term in res.params.index
    ]
    idx = frame.index
    return rows, int(res.nobs), idx.get_level_values(0).nunique(), idx.get_level_values(1).nunique()


CAVEATS = [
    "reverse causality: leaders travel where deals are already being prepared, so a visit may announce money "
    "rather than bring it; lags reduce but do not remove this",
    "small N: few dyads (clusters) and few visits per dyad; clustered standard errors are unreliable with fewer "
    "than about 40 clusters",
    "the curated visit timeline covers some partners only; datasets differ in coverage",
    "an association under dyad and year fixed effects, not a causal effect",
]
# What else moves the outcome, by the kind of panel column it is
OUTCOME_CAVEATS = {
    "trade": "trade moves with commodity prices and exchange rates: the year effects take out what moves every "
    "dyad alike, not a price that moves one state's exports (oil, gas, metals)",
    "finance": "finance commitments are lumpy: one loan can dominate a dyad's series",
}


def caveats(outcome: str) -> list[str]:
    """The model's caveats, with the one that belongs to its outcome's kind (trade or finance), if any."""
    kinds = {"trade": ("trade_", "exports_", "imports_"), "finance": ("oda_", "oof_", "official_", "finance_")}
    extra = [OUTCOME_CAVEATS[k] for k, prefixes in kinds.items() if outcome.startswith(prefixes)]
    return [*CAVEATS[:3], *extra, *CAVEATS[3:]]


def panel_model(
    df: pd.DataFrame,
    outcome: str = "official_commit_constant_usd",
    regressors: Sequence[str] = REGRESSORS,
    *,
    lag: int = 1,
    transform: str = "log1p",
    level: float = 0.95,
) -> Estimate:
    """outcome_{dt} = a_d + g_t + sum_r b_r * regressor_{d,t-lag} + e_dt; PanelOLS, SEs clustered by dyad."""
    data = prepare(df, outcome, transform=transform)
    terms = []
    for r in regressors:
        name = f"{r}_lag{lag}"
        data[name] = _lagged(data, r, lag)
        terms.append(name)
    coefs, n, n_dyads, n_years = _fit(data, terms, level)
    y = f"log(1 + {outcome})" if transform == "log1p" else outcome
    spec = (
        f"{y}[d,t] = dyad FE + year FE + " + " + ".join(f"b * {t.removesuffix(f'_lag{lag}')}[d,t-{lag}]" for t in terms)
        + f" + e; PanelOLS (linearmodels), standard errors clustered by dyad, {int(level * 100)}% CIs"
    )  # fmt: skip
    reading = [_read(c, transform, level) for c in coefs] + _absorbed(terms, coefs)
    return Estimate(
        "Visits and cooperation: panel model", spec, outcome, n, n_dyads, n_years, coefs, reading, caveats(outcome)
    )


def event_study(
    df: pd.DataFrame,
    outcome: str = "official_commit_constant_usd",
    event: str = "leader_visits_to_country",
    *,
    window: int = 3,
    transform: str = "log1p",
    level: float = 0.95,
) -> Estimate:
    """outcome_{dt} = a_d + g_t + sum_{k=-window..window, k != -1} b_k * 1[event at t-k] + e; b_k for k < 0 are
    leads (a pre-trend check: they should be near 0), k >= 0 the year of the visit and after."""
    data = prepare(df, outcome, transform=transform)
    terms = []
    for k in range(-window, window + 1):
        if k == -1:  # reference year: the year before the visit
            continue
        name = f"event_t{k:+d}"
        data[name] = (_lagged(data, event, k) > 0).astype(float)
        terms.append(name)
    coefs, n, n_dyads, n_years = _fit(data, terms, level)
    y = f"log(1 + {outcome})" if transform == "log1p" else outcome
    spec = (
        f"{y}[d,t] = dyad FE + year FE + sum_k b_k * 1[{event} > 0 in year t-k], k = -{window}..{window}, "
        f"k = -1 omitted; PanelOLS, SEs clustered by dyad, {int(level * 100)}% CIs"
    )
    leads = [c for c in coefs if c["term"].startswith("event_t-")]
    pre = [c for c in leads if c["ci_low"] > 0 or c["ci_high"] < 0]
    reading = [_read(c, transform, level) for c in coefs if not c["term"].startswith("event_t-")]
    reading.append(
        f"pre-trend: {len(pre)} of {len(leads)} leads differ from zero at this level"
        + (" — outcomes were already moving before visits, which points to reverse causality" if pre else "")
    )
    reading += _absorbed(terms, coefs)
    return Estimate(
        "Visits and cooperation: event study", spec, outcome, n, n_dyads, n_years, coefs, reading, caveats(outcome)
    )


def _absorbed(terms: list[str], coefs: list[dict[str, Any]]) -> list[str]:
    """What the reader is told of terms the dyad and year effects absorbed (linearmodels drops them)."""
    estimated = {c["term"] for c in coefs}
    dropped = [label(t) for t in terms if t not in estimated]
    if not dropped:
        return []
    return [f"{', '.join(dropped)}: no estimate; in this scope it does not vary apart from the dyad and year effects, "
            "so it was left out of the regression"]  # fmt: skip


def _read(c: dict[str, Any], transform: str, level: float) -> str:
    """One coefficient in words. On the log scale the estimate is the change it implies, said as formatting.change
    says it: "+13%", and past a doubling as a multiple ("×113 (more than 100-fold)"), never "+11248%"."""
    sig = c["ci_low"] > 0 or c["ci_high"] < 0
    if transform == "log1p":
        size = formatting.effect(c["coef"])
        ci = f"{formatting.effect(c['ci_low'], compact=True)} to {formatting.effect(c['ci_high'], compact=True)}"
    else:
        size = f"{c['coef']:+.3g}"
        ci = f"{c['ci_low']:+.3g} to {c['ci_high']:+.3g}"
    verdict = "distinguishable from zero" if sig else "not distinguishable from zero"
    return f"{label(c['term'])}: {size} in the outcome per unit (CI {ci}); {verdict} at {int(level * 100)}%"


def _model_panel(t, partners, countries, since: int, until: int, *, candidates: tuple[str, ...], stored: bool):
    """The panel columns the model reads: keys, the outcome candidates the panel has, the regressors."""
    from silkscope.indicators.stored import panel_table

    panel = panel_table(t, partners, countries, since, until, with_sources=False, stored=stored)
    cols = ["partner_iso3", "country_iso3", "year", *[c for c in candidates if c in panel.columns], *REGRESSORS]
    return panel.select(*dict.fromkeys(cols))


def warm_evidence(tables: Callable[[], Any], scopes: Sequence[tuple[list[str], list[str], int, int]]) -> None:
    """Build the statements of the model's evidence (the sources of its outcome's fact table and the visits') for
    every outcome, once per scope (partners, countries, since, until) on fresh `tables()`, as a server's warm-up
    does: a fit for a new scope then compiles nothing (two scopes show the plan which values vary)."""
    from silkscope.indicators.panel import fact_tables
    from silkscope.indicators.shares import panel_source_ids

    read = {fact_tables([c, *REGRESSORS]): c for columns in OUTCOMES.values() for c in columns}
    for column in read.values():
        for partners, countries, since, until in scopes:
            panel_source_ids(tables(), partners, countries, since, until, [column, *REGRESSORS])


def visits_model(
    outcome: str = "finance",
    partners: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    lag: int = 1,
    window: int = 3,
    tables=None,
    db=None,
    use_stored: bool = True,
):
    """Both models on the warehouse's dyad-year panel (built with the Ibis indicators), as a Bundle. `lag`, `window`
    and the period are checked by the library's one definition (indicators.registry), as the CLI and API check them.
    The default specification is read from out.model_fits when the warehouse holds a current fit (stored_fits)."""
    from silkscope.indicators import options
    from silkscope.indicators.plans import planned
    from silkscope.indicators.shares import panel_source_ids
    from silkscope.indicators.stored import covered
    from silkscope.indicators.tables import duckdb_tables, in_scope
    from silkscope.result import Bundle
    from silkscope.stats import stored_fits

    options.check("lag", lag), options.check("window", window), options.check_period(since, until)
    candidates = OUTCOMES.get(outcome, (outcome,))
    t = tables or duckdb_tables(db)
    partners, countries, lo, hi = in_scope(partners, countries, since, until)
    if use_stored:
        stored = stored_fits.load(t, stored_fits.spec_key(outcome, partners, countries, lo, hi, lag, window))
        if stored is not None:
            return stored
    scope = {"partners": partners, "countries": countries, "since": lo, "until": hi}
    stored = covered(t, partners, countries, lo, hi)
    expr = planned(t, _model_panel, scope, candidates=candidates, stored=stored)
    candidates = tuple(c for c in candidates if c in expr.columns)
    if not candidates:
        raise SilkscopeError(f"unknown outcome {outcome!r}; expected {', '.join(OUTCOMES)} or a panel column")
    df = t.execute(expr)
    # partners the visit timeline does not cover carry NULL visits: they cannot inform the estimate
    df = df[df[list(REGRESSORS)].notna().all(axis=1)]
    observed = {c: int(prepare(df, c)["_y"].notna().sum()) for c in candidates}
    usable = [c for c in candidates if observed[c] >= MIN_OBSERVED]
    if not usable:
        named = " or ".join(repr(c) for c in candidates)
        raise TooFewObservationsError(
            f"outcome {named} has fewer than {MIN_OBSERVED} observed dyad-years in {lo}-{hi}: nothing to fit"
        )
    query = t.sql(expr)
    # The first candidate the scope can estimate: one with too few observations, or whose regressors do not vary
    # apart from the effects (a partner's report of two dyads), gives way to the next (the state's own report).
    failed: dict[str, str] = {}
    first_error: NotIdentifiedError | None = None
    for column in usable:
        try:
            estimates = (panel_model(df, column, lag=lag), event_study(df, column, window=window))
            break
        except NotIdentifiedError as exc:
            first_error = first_error or exc
            failed[column] = f"cannot be estimated in this scope ({len(exc.dyads)} dyads)"
    else:  # say which inputs: the scope the user chose
        assert first_error is not None
        chosen = f"partners {','.join(partners)} and countries {','.join(countries)} in {lo}-{hi}"
        context = f"the visits model of {outcome!r} cannot be estimated for {chosen}"
        raise NotIdentifiedError(first_error.terms, first_error.dyads, first_error.n_years, context) from None
    passed_over = [
        f"{label(c)} {failed.get(c) or f'has fewer than {MIN_OBSERVED} observed dyad-years in this scope'}"
        for c in candidates[: candidates.index(column)]
    ]
    fallback = f"outcome: {label(column)}, as {'; '.join(passed_over)}" if passed_over else None
    # the sources of what the model read: its outcome and the visits (a finance model cites no trade file)
    sources = t.sources(panel_source_ids(t, partners, countries, lo, hi, [column, *REGRESSORS]))
    sections = []
    for est in estimates:
        result = est.to_result(sources)
        result.query = query
        if fallback:
            result.notes.insert(0, fallback)
        sections.append(result)
    said = label(column)
    said = said if said[1:2].isupper() else said[:1].lower() + said[1:]  # "ODA, ..." keeps its capitals
    return Bundle(f"Leader visits and {said}, {lo}-{hi}", sections)
