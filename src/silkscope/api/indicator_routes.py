"""REST routes for the analysis: the indicator catalogue, one indicator with its options, and the visits model."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from silkscope import validate
from silkscope.analysis import catalogue as indicators
from silkscope.api import params
from silkscope.api.params import CountryQ, IncludeQueryQ, PageQ, PartnersQ, PerPageQ, SinceQ, UntilQ
from silkscope.api.respond import Fmt, safe_filename, send_bundle, send_json, send_result
from silkscope.api.routes import FormatQ, wh
from silkscope.indicators import options
from silkscope.result import Bundle

router = APIRouter(prefix="/api")
OutcomeQ = Annotated[
    str, Query(max_length=80, pattern="^[a-z][a-z0-9_]*$", description="finance, projects, trade or a panel column")
]


@router.get("/indicators", summary="Indicators this installation can compute")
def indicator_list() -> Response:
    return send_json({"indicators": [i.info() for i in indicators.catalogue().values()]})


def _query(option: options.Option):
    """A query parameter from the options table. Bounds are documented, not enforced here: the library's check
    answers with its own message (the CLI's too), not pydantic's."""
    if option.bounds:
        return Query(description=option.help, **params.bounds(option.name))
    if option.kind is bool:
        return Query(description=option.help)
    return Query(max_length=option.max_length, description=option.help)


def indicator(
    request: Request,
    name: Annotated[str, Path(max_length=60)],
    *,
    country: CountryQ = "C5",
    partners: PartnersQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
    page: PageQ = None,
    per_page: PerPageQ = None,
    **settings: Any,
) -> Response:
    """Summaries (provider views.compare) take the scope only; library indicators (provider silkscope.indicators)
    also take the options /api/indicators lists for them. A table-and-rows-used answer (change) is a bundle."""
    if name not in indicators.catalogue():
        raise validate.NotFoundError(
            f"indicator: unknown {name!r}; expected one of: {', '.join(indicators.catalogue())}"
        )
    scope, chosen = validate.country(country), validate.partners(partners)
    since, until = validate.period(since, until)
    # before the cache: a bad option never reaches a connection
    given = indicators.checked_options(name, options.given(settings))
    key = ("indicator", name, scope, chosen, since, until, tuple(sorted((k, str(v)) for k, v in given.items())))
    if indicators.catalogue()[name].provider == indicators.LIBRARY:  # Ibis compiles a wide panel: a worker's job
        result = wh(request).compute(
            "indicator", key, name=name, country=scope, partners=chosen, since=since, until=until, options=given
        )
    else:
        result = wh(request).cached(
            key, lambda con: indicators.run(name, country=scope, partners=chosen, since=since, until=until, con=con)
        )
    filename = safe_filename(name, scope, since, until)
    if isinstance(result, Bundle):
        return send_bundle(request, result, fmt=fmt, include_query=include_query, filename=filename)
    return send_result(
        request, result, fmt=fmt, include_query=include_query, filename=filename, page=page, per_page=per_page
    )


router.get("/indicators/{name}", summary="One indicator for a scope, partners and period")(
    options.with_parameters(indicator, options.parameters(_query, optional=True))
)


@router.get("/models/visits", summary="Does interaction bring cooperation? Panel model and event study")
def visits_model(
    request: Request,
    outcome: OutcomeQ = "finance",
    country: CountryQ = "C5",
    partners: PartnersQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    lag: Annotated[
        int, Query(description="years between visit and outcome in the panel model (0 to 5)", **params.bounds("lag"))
    ] = 1,
    window: Annotated[
        int, Query(description="event study: years of leads and lags (1 to 6)", **params.bounds("window"))
    ] = 3,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    """Outcome (log1p) on lagged leader visits both ways and dialogue meetings, dyad and year fixed effects,
    standard errors clustered by dyad; and an event study around visits. Each section carries its specification,
    N, a plain reading and the caveats (associations, not causal effects)."""
    options.check("lag", lag), options.check("window", window)  # before the cache, as the CLI does
    scope, chosen = validate.country(country), validate.partners(partners)
    since, until = validate.period(since, until)
    key = ("model.visits", outcome, scope, chosen, since, until, lag, window)
    bundle = wh(request).compute(
        "visits_model", key, outcome=outcome, country=scope, partners=chosen, since=since, until=until, lag=lag,
        window=window,
    )  # fmt: skip
    name = safe_filename("visits-model", outcome, scope, since, until)
    return send_bundle(request, bundle, fmt=fmt, include_query=include_query, filename=name)
