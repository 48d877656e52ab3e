"""Read-only REST routes: each validates its parameters, calls one library function and sends its answer."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from silkscope import actors, validate, views
from silkscope.api.params import CountryQ, IncludeQueryQ, PageQ, PartnersQ, PerPageQ, SinceQ, UntilQ
from silkscope.api.respond import Fmt, safe_filename, send_bundle, send_json, send_result
from silkscope.countries import registry
from silkscope.errors import SilkscopeError
from silkscope.result import Result, cited_ids
from silkscope.serving import checking
from silkscope.serving.state import ServedWarehouse

router = APIRouter(prefix="/api")
FormatQ = Annotated[Fmt, Query(alias="format", description="json (default) or csv")]


class Role(StrEnum):
    central_asia = "central_asia"
    caucasus = "caucasus"
    partner = "partner"
    dac_member = "dac_member"
    other = "other"


class EventStatus(StrEnum):
    held = "held"
    planned = "planned"
    cancelled = "cancelled"
    postponed = "postponed"


def wh(request: Request) -> ServedWarehouse:
    return request.app.state.wh


@router.get("", summary="What this API offers")
def index(request: Request) -> Response:
    return send_json(
        {
            "name": "silkscope",
            "openapi": "/openapi.json",
            "docs": "/docs",
            "warehouse": wh(request).path.name,  # the file name: the server's folders are nobody's business
            "write_endpoints": bool(request.app.state.token),
            "claim_checker": checking.available(),
            "endpoints": sorted({r.path for r in router.routes}),
        }
    )


@router.get("/health", summary="Is the warehouse there?")
def health(request: Request) -> Response:
    served = wh(request)
    # warm: the start-up warm-up is over (first answers no longer wait for compiling); false too when not warming
    warm = served.warmed.is_set() and (served.offload is None or served.offload.warm())
    return send_json(
        {"status": "ok", "warehouse": served.path.name, "warehouse_exists": served.path.exists(), "warm": warm}
    )


@router.get("/countries", summary="Countries the resolver knows, with codes and roles")
def countries(
    request: Request,
    role: Annotated[Role | None, Query(description="only this role, e.g. central_asia or partner")] = None,
    page: PageQ = None,
    per_page: PerPageQ = None,
    fmt: FormatQ = Fmt.json,
) -> Response:
    result = _registry_countries(role.value if role else None)
    return send_result(
        request,
        result,
        fmt=fmt,
        include_query=False,
        filename=safe_filename("countries", role),
        page=page,
        per_page=per_page,
        default_per_page=100,
    )


def _registry_countries(role: str | None) -> Result:
    reg = registry()
    member_of: dict[str, list[str]] = {}
    for g in reg.groups.values():
        for m in g.members:
            member_of.setdefault(m, []).append(g.group_id)
    rows = [
        {
            "iso3": c.iso3,
            "iso2": c.iso2,
            "iso_numeric": c.iso_numeric,
            "name": c.common_name,
            "official_name": c.official_name,
            "dac_code": c.dac_code,
            "role": c.role,
            "groups": sorted(member_of.get(c.iso3, [])),
        }
        for c in sorted(reg.countries.values(), key=lambda c: c.iso3)
        if role is None or c.role == role
    ]
    columns = ["iso3", "iso2", "iso_numeric", "name", "official_name", "dac_code", "role", "groups"]
    return Result("Countries", columns, rows, definitions={"role": "central_asia, caucasus, partner, dac_member"})


@router.get("/countries/{country}", summary="Resolve one country or group (names, aliases, codes)")
def country(request: Request, country: Annotated[str, Path(max_length=100)]) -> Response:
    reg = registry()
    key = country.strip().upper()
    if key in reg.groups:
        g = reg.groups[key]
        return send_json(
            {"group_id": g.group_id, "name": g.name, "members": list(g.members), "definition": g.definition}
        )
    iso3 = validate.one_country(country, "country")
    c = reg.countries[iso3]
    groups = sorted(g.group_id for g in reg.groups.values() if iso3 in g.members)
    return send_json(
        {
            "iso3": c.iso3,
            "iso2": c.iso2,
            "iso_numeric": c.iso_numeric,
            "name": c.common_name,
            "official_name": c.official_name,
            "dac_code": c.dac_code,
            "role": c.role,
            "groups": groups,
        }
    )


@router.get("/groups", summary="Country groups (C5, C5_CAUCASUS, EU27...) and their members")
def groups(request: Request) -> Response:
    return send_json(
        {
            "groups": [
                {"group_id": g.group_id, "name": g.name, "members": list(g.members), "definition": g.definition}
                for g in registry().groups.values()
            ]
        }
    )


@router.get("/actors", summary="Agencies, state banks and multilaterals")
def actor_list(
    request: Request,
    kind: Annotated[str | None, Query(max_length=60, description="e.g. aid_agency, state_bank")] = None,
    country: Annotated[str | None, Query(max_length=100, description="home state, e.g. JPN")] = None,
    page: PageQ = None,
    per_page: PerPageQ = None,
    fmt: FormatQ = Fmt.json,
) -> Response:
    home = validate.one_country(country, "country") if country else None
    rows = [
        {
            "actor_id": a.actor_id,
            "name": a.name,
            "kind": a.kind,
            "country_iso3": a.country_iso3,
            "aliases": list(a.aliases),
            "url": a.url,
        }
        for a in actors.actors().values()
        if (kind is None or a.kind == kind) and (home is None or a.country_iso3 == home)
    ]
    result = Result("Actors", ["actor_id", "name", "kind", "country_iso3", "aliases", "url"], rows)
    return send_result(
        request,
        result,
        fmt=fmt,
        include_query=False,
        filename=safe_filename("actors", kind, home),
        page=page,
        per_page=per_page,
        default_per_page=100,
    )


@router.get("/actors/{actor}", summary="Resolve one actor by id, name or alias")
def actor(actor: Annotated[str, Path(max_length=100)]) -> Response:
    a = actors.actors()[actors.resolve_actor(actor)]
    return send_json(
        {
            "actor_id": a.actor_id,
            "name": a.name,
            "kind": a.kind,
            "country_iso3": a.country_iso3,
            "aliases": list(a.aliases),
            "url": a.url,
        }
    )


@router.get("/profile/{country}", summary="Every partner's engagement with a country, section by section")
async def profile(
    request: Request,
    country: Annotated[str, Path(max_length=100, description="country or group, e.g. UZB or C5")],
    partners: PartnersQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    scope, chosen = validate.country(country), validate.partners(partners)
    since, until = validate.period(since, until)
    key = ("profile", scope, chosen, since, until)
    served = wh(request)

    def make() -> Response:
        bundle = served.cached(key, lambda con: views.profile(scope, chosen, since, until, con=con))
        return send_bundle(
            request, bundle, fmt=fmt, include_query=include_query, filename=safe_filename("profile", scope)
        )

    return await _cached_response(served, (*key, fmt, include_query), make)


@router.get("/compare", summary="Partners side by side on one indicator over a period")
async def compare(
    request: Request,
    indicator: Annotated[str, Query(max_length=60, description="see /api/indicators")] = "all",
    country: CountryQ = "C5",
    partners: PartnersQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    if indicator not in views.INDICATORS:
        raise SilkscopeError(f"indicator: unknown {indicator!r}; expected one of: {', '.join(views.INDICATORS)}")
    scope, chosen = validate.country(country), validate.partners(partners)
    since, until = validate.period(since, until)
    key = ("compare", scope, chosen, indicator, since, until)
    served = wh(request)

    def make() -> Response:
        result = served.cached(key, lambda con: views.compare(scope, chosen, indicator, since, until, con=con))
        name = safe_filename("compare", scope, indicator, since, until)
        return send_result(request, result, fmt=fmt, include_query=include_query, filename=name)

    return await _cached_response(served, (*key, fmt, include_query), make)


@router.get("/timeline", summary="Dated visits, summits and dialogue meetings, oldest first")
def timeline(
    request: Request,
    partner: Annotated[str | None, Query(max_length=100, description="e.g. JPN")] = None,
    country: Annotated[str | None, Query(max_length=100, description="country or group, e.g. KAZ or C5")] = None,
    since: SinceQ = None,
    until: UntilQ = None,
    leaders_only: Annotated[bool, Query(description="head of state or government only")] = False,
    status: Annotated[EventStatus | None, Query(description="only events with this status")] = None,
    event_type: Annotated[str | None, Query(max_length=60, description="e.g. bilateral_visit, summit")] = None,
    page: PageQ = None,
    per_page: PerPageQ = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    who = validate.one_country(partner, "partner") if partner else None
    scope = validate.country(country) if country else None
    since, until = validate.period(since, until)
    key = ("timeline", who, scope, since, until, leaders_only)
    result = wh(request).cached(
        key, lambda con: views.timeline(who, scope, since, until, leaders_only=leaders_only, con=con)
    )
    result = filter_rows(result, status=status.value if status else None, event_type=event_type)
    return send_result(
        request,
        result,
        fmt=fmt,
        include_query=include_query,
        filename=safe_filename("timeline", who, scope, since, until),
        page=page,
        per_page=per_page,
        default_per_page=100,
    )


def filter_rows(result: Result, **equals: Any) -> Result:
    """Rows whose columns equal the given values (None: no filter); sources narrowed to the rows kept."""
    wanted = {k: v for k, v in equals.items() if v is not None}
    if not wanted:
        return result
    rows = [r for r in result.rows if all(r.get(k) == v for k, v in wanted.items())]
    ids = cited_ids(rows)
    return replace(result, rows=rows, sources=[s for s in result.sources if s["source_id"] in ids])


@router.get("/sources", summary="Every source: publisher, URL, licence, edition, checksum, rows citing it")
def sources(
    request: Request,
    kind: Annotated[str | None, Query(max_length=60, description="e.g. official, news, dataset")] = None,
    page: PageQ = None,
    per_page: PerPageQ = None,
    include_query: IncludeQueryQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    result = wh(request).cached(("sources", kind), lambda con: views.sources(kind, con=con))
    return send_result(
        request,
        result,
        fmt=fmt,
        include_query=include_query,
        filename=safe_filename("sources", kind),
        page=page,
        per_page=per_page,
        default_per_page=100,
    )


@router.get("/sources/{source_id}", summary="One source's provenance")
def source(request: Request, source_id: Annotated[str, Path(max_length=200)]) -> Response:
    result = wh(request).cached(("sources", None), lambda con: views.sources(None, con=con))
    for row in result.rows:
        if row["source_id"] == source_id:
            return send_json(row)
    raise validate.NotFoundError(f"source_id: no source {source_id!r} in the warehouse (see /api/sources)")


class CheckRequest(BaseModel):
    text: str = Field(
        min_length=1,
        max_length=checking.MAX_TEXT_CHARS,
        description="the article's plain text; claims' start/end are offsets into it",
    )


# Checks are heavy: plain `def` routes (FastAPI's thread pool, never the event loop) that hand the work to a worker
# process when the server has workers (api.offload), so cheap requests are answered while they compute.


@router.post("/claims/check", summary="Check the claims in a text (JSON body)")
def check_claims(request: Request, body: CheckRequest) -> Response:
    checking.module()  # 503 before anything else when the checker is not installed
    served = wh(request)
    answer = served.compute("check_text", text=body.text, db=served.path, max_chars=request.app.state.max_text_chars)
    return Response(answer, media_type="application/json")


@router.post("/claims/check-file", summary="Check the claims in an uploaded .txt, .md, .html or .pdf file")
def check_claims_file(request: Request, file: Annotated[UploadFile, File(description="the article")]) -> Response:
    checking.module()
    limit = request.app.state.max_upload_bytes
    data = file.file.read(limit + 1)
    served = wh(request)
    answer = served.compute(
        "check_upload", data=data, filename=file.filename or "upload.txt", db=served.path, max_bytes=limit
    )
    return Response(answer, media_type="application/json")


async def _cached_response(served: ServedWarehouse, key: tuple, make) -> Response:
    """A repeat is answered on the event loop from the body cache; a new question runs in the thread pool."""
    full = (key, served.version())
    hit = served.bodies.get(full)
    if hit is not None:
        body, media_type, headers = hit
        return Response(body, media_type=media_type, headers=headers)
    response = await run_in_threadpool(make)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    served.bodies.put(full, (response.body, response.media_type, headers))
    return response
