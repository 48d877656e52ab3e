"""Series routes: any catalogue measure year by year (/api/observations), the measure catalogue, each state's
largest trading partners and its context indicators. Plain `def` routes: FastAPI runs them in its threadpool, so
a slow answer never holds the event loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from silkscope import observations, validate, views
from silkscope.analysis.measures import catalogue, measure
from silkscope.api.params import CountryQ, IncludeQueryQ, PartnersQ, SinceQ, UntilQ
from silkscope.api.respond import Fmt, safe_filename, send_json, send_result
from silkscope.serving.state import ServedWarehouse

router = APIRouter(prefix="/api")
FormatQ = Annotated[Fmt, Query(alias="format", description="json (default) or csv")]
MeasureQ = Annotated[str, Query(max_length=80, description="a measure of /api/measures, e.g. oda_net_disbursement_usd")]


def _wh(request: Request) -> ServedWarehouse:
    return request.app.state.wh


@router.get("/measures", summary="The measure catalogue: name, label, unit, instrument, definition, connectors")
def measures(request: Request) -> Response:
    held = {r["measure"]: r for r in _wh(request).cached(("observations-available",), observations.available)}
    rows = [
        {
            "measure": m.name,
            "label": m.label,
            "unit": m.unit,
            "instrument": m.instrument,
            "definition": m.definition,
            "connectors": list(m.connectors),
            "family": m.family,
            "held": sorted(k for k in held if k == m.name or k.startswith(m.name + ".")),
        }
        for m in catalogue().values()
    ]
    return send_json({"measures": rows})


@router.get("/observations", summary="One measure by partner, state and year (out.observations), with sources")
def observations_route(
    request: Request,
    measure_name: Annotated[str, Query(alias="measure", max_length=80)] = "oda_net_disbursement_usd",
    partners: PartnersQ = None,
    countries: CountryQ = "C5",
    since: SinceQ = None,
    until: UntilQ = None,
    dataset: Annotated[str | None, Query(max_length=80)] = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    measure(measure_name)  # an unknown measure is a 422 naming the known ones
    scope, chosen = validate.country(countries, "countries"), validate.partners(partners)
    since, until = validate.period(since, until)
    key = ("observations", measure_name, chosen, scope, since, until, dataset)
    result = _wh(request).cached(
        key,
        lambda con: observations.observations(measure_name, chosen, scope, since, until, dataset=dataset, con=con),
    )
    name = safe_filename("observations", measure_name, scope, since, until)
    return send_result(request, result, fmt=fmt, include_query=include_query, filename=name)


@router.get("/trade/partners", summary="Each state's largest trading partners by year (own statistics or mirror)")
def trade_partners(
    request: Request,
    country: CountryQ = "C5",
    since: SinceQ = None,
    until: UntilQ = None,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    scope = validate.country(country)
    since, until = validate.period(since, until)
    key = ("trade_partners", scope, since, until, top)
    result = _wh(request).cached(key, lambda con: views.trade_partners(scope, since, until, top, con=con))
    name = safe_filename("trade_partners", scope, since, until)
    return send_result(request, result, fmt=fmt, include_query=include_query, filename=name)


@router.get("/context", summary="GDP, FDI net inflows and ODA received by state and year (World Bank WDI)")
def context(
    request: Request,
    country: CountryQ = "C5",
    since: SinceQ = None,
    until: UntilQ = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    scope = validate.country(country)
    since, until = validate.period(since, until)
    key = ("context", scope, since, until)
    result = _wh(request).cached(key, lambda con: views.context(scope, since, until, con=con))
    name = safe_filename("context", scope, since, until)
    return send_result(request, result, fmt=fmt, include_query=include_query, filename=name)
