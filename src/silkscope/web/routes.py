"""Page routes: parse the form, call a page builder (web/pages.py or silkscope.profiles), render the template.

The brief downloads the country page links to are served by silkscope.brief_routes (the dashboard does not
import the briefs)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkscope import validate
from silkscope.analysis.catalogue import catalogue
from silkscope.countries import C5, DEFAULT_PARTNERS, registry
from silkscope.errors import SilkscopeError
from silkscope.figures import maps
from silkscope.indicators import options
from silkscope.profiles.country import country as country_profile
from silkscope.profiles.overview import overview as overview_profile
from silkscope.profiles.partner import partner as partner_profile
from silkscope.serving import checking
from silkscope.web import compare as compare_page
from silkscope.web import explorer as explorer_page
from silkscope.web import model_page, pages
from silkscope.web.render import STATIC_DIR, query_string, render

router = APIRouter()
Text100 = Annotated[str | None, Query(max_length=100)]
_partners, _period = validate.form_partners, validate.form_period  # form text: years as text, checkboxes


def _page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("nav", "")
    html = render(template, request=request, all_partners=DEFAULT_PARTNERS, c5_members=C5, **context)
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status: int, message: str, near: list[str]) -> HTMLResponse:
    return _page(request, "error.html", status, status=status, message=message, near=near)


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    partner: Text100 = "JPN",
    metric: Annotated[str, Query(pattern="^(visits|finance)$")] = "visits",
) -> HTMLResponse:
    chosen = validate.one_country(partner or "JPN", "partner")
    context = overview_profile(request.app.state.wh, chosen, metric)
    return _page(request, "overview.html", nav="overview", **context)


@router.get("/country")
def country_form(
    country: Annotated[str, Query(max_length=100)] = "UZB",
    partners: Annotated[list[str] | None, Query(max_length=20)] = None,
    since: Text100 = None,
    until: Text100 = None,
) -> RedirectResponse:
    """The country selector's form target: to /country/{ISO3} with the same choices."""
    scope = validate.country(country, "country")
    chosen = _partners(partners)
    query = query_string({"partners": chosen.split(",") if chosen else None, "since": since, "until": until})
    return RedirectResponse(f"/country/{quote(scope)}" + (f"?{query}" if query else ""), status_code=303)


@router.get("/partner")
def partner_form(partner: Text100 = "JPN", since: Text100 = None, until: Text100 = None) -> RedirectResponse:
    iso3 = validate.one_country(partner or "JPN", "partner")
    query = query_string({"since": since, "until": until})
    return RedirectResponse(f"/partner/{iso3}" + (f"?{query}" if query else ""), status_code=303)


@router.get("/country/{value}", response_class=HTMLResponse)
def country(
    request: Request,
    value: str,
    partners: Annotated[list[str] | None, Query(max_length=20)] = None,
    since: Text100 = None,
    until: Text100 = None,
) -> HTMLResponse:
    scope = validate.country(value, "country")
    lo, hi = _period(since, until)
    context = country_profile(request.app.state.wh, scope, _partners(partners), lo, hi)
    return _page(request, "country.html", nav="country", **context)


@router.get("/partner/{value}", response_class=HTMLResponse)
def partner(request: Request, value: str, since: Text100 = None, until: Text100 = None) -> HTMLResponse:
    iso3 = validate.one_country(value, "partner")
    lo, hi = _period(since, until)
    context = partner_profile(request.app.state.wh, iso3, lo, hi)
    return _page(request, "partner.html", nav="partner", **context)


def _form_field(option: options.Option):
    """A compare-page query parameter from the options table: what a form sends (text, a box, a number); the
    library checks the value with the CLI's and the API's message."""
    if option.kind is bool:
        return Query(description=option.help)
    if option.bounds:
        return Query(description=option.help)
    return Query(max_length=option.max_length, description=option.help)


def compare(
    request: Request,
    *,
    indicator: Annotated[str, Query(max_length=60)] = "leader_visits",
    country: Annotated[str, Query(max_length=100)] = "C5",
    partners: Annotated[list[str] | None, Query(max_length=20)] = None,
    since: Text100 = None,
    until: Text100 = None,
    **settings: Any,
) -> HTMLResponse:
    if indicator not in catalogue():
        raise SilkscopeError(f"indicator: unknown {indicator!r}; expected one of: {', '.join(catalogue())}")
    scope = validate.country(country, "country")
    lo, hi = _period(since, until)
    given = options.from_form(settings)
    context = compare_page.compare(request.app.state.wh, indicator, scope, _partners(partners), lo, hi, given)
    return _page(request, "compare.html", nav="compare", **context)


router.get("/compare", response_class=HTMLResponse)(
    options.with_parameters(compare, options.parameters(_form_field, optional=True))
)


@router.get("/explore", response_class=HTMLResponse)
def explore(
    request: Request,
    measure: Annotated[str | None, Query(max_length=80)] = None,
    # the explorer's own text field sends partners=JPN,KOR; links from other pages may repeat partners=JPN&partners=KOR
    partners: Annotated[list[str] | None, Query(max_length=20)] = None,
    countries: Annotated[str, Query(max_length=100)] = "C5",
    since: Text100 = None,
    until: Text100 = None,
    tab: Annotated[str, Query(max_length=10)] = "chart",
) -> HTMLResponse:
    scope = validate.country(countries, "countries")
    given = [p for p in (partners or []) if p and p.strip()]
    chosen = _partners(given) if given else None
    lo, hi = _period(since, until)
    context = explorer_page.explorer(request.app.state.wh, measure, chosen, scope, lo, hi, tab)
    return _page(request, "explorer.html", nav="explore", **context)


@router.get("/model", response_class=HTMLResponse)
def model(
    request: Request,
    outcome: Annotated[str, Query(max_length=80, pattern="^[a-z][a-z0-9_]*$")] = "finance",
    country: Annotated[str, Query(max_length=100)] = "C5",
    partners: Annotated[list[str] | None, Query(max_length=20)] = None,
    since: Text100 = None,
    until: Text100 = None,
    lag: Annotated[int, Query(ge=0, le=5)] = 1,
    window: Annotated[int, Query(ge=1, le=6)] = 3,
) -> HTMLResponse:
    scope = validate.country(country, "country")
    lo, hi = _period(since, until)
    context = model_page.model(request.app.state.wh, outcome, scope, _partners(partners), lo, hi, lag, window)
    return _page(request, "model.html", nav="model", **context)


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, kind: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
    context = pages.sources(request.app.state.wh, kind or None)
    return _page(request, "sources.html", nav="sources", **context)


@router.get(maps.GEOMETRY_PATH + "/{part}.json")
def map_shapes(part: str) -> Response:
    """The map's shapes, which every map a page draws in the browser fetches (maps.geometry_url: versioned, so they
    are cached for good). Without world-atlas installed the pages say the map is unavailable; so does this."""
    if part not in maps.SHAPE_SETS:
        return Response(f"no map shapes called {part!r}", status_code=404, media_type="text/plain")
    try:
        body = maps.geometry(part)
    except maps.MapUnavailableError as exc:
        return Response(str(exc), status_code=503, media_type="text/plain")
    return Response(
        body, media_type="application/json", headers={"cache-control": "public, max-age=31536000, immutable"}
    )


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request) -> HTMLResponse:
    return _page(request, "check.html", nav="check", available=checking.available(), result=None, text="")


@router.post("/check", response_class=HTMLResponse)
def check(
    request: Request,
    text: Annotated[str | None, Form(max_length=checking.MAX_TEXT_CHARS)] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    state = request.app.state
    upload = None
    if file is not None and file.filename:
        upload = (file.file.read(state.max_upload_bytes + 1), file.filename)
    elif not text or not text.strip():
        raise SilkscopeError("paste the article's text or choose a file to upload: both were empty")
    result = pages.check(state.wh, text, upload, max_chars=state.max_text_chars, max_bytes=state.max_upload_bytes)
    return _page(request, "check.html", nav="check", available=result["available"], result=result, text=text or "")


@router.post("/check/report.html")
def check_report(
    request: Request, text: Annotated[str, Form(min_length=1, max_length=checking.MAX_TEXT_CHARS)]
) -> HTMLResponse:
    state = request.app.state
    result = pages.check(state.wh, text, None, max_chars=state.max_text_chars)
    if not result["available"]:
        raise checking.ClaimsUnavailableError()
    html = None
    if hasattr(result["report"], "to_html"):
        # The checker's own single-file report, when it has a working one; ours otherwise.
        with contextlib.suppress(Exception):
            html = result["report"].to_html()
    if not html:
        html = render("check_report.html", result=result, css=(STATIC_DIR / "style.css").read_text(encoding="utf-8"))
    return HTMLResponse(html, headers={"Content-Disposition": 'attachment; filename="silkscope-claims-report.html"'})


def groups() -> list[tuple[str, str]]:
    return [(g.group_id, g.name) for g in registry().groups.values()]
