"""The brief download route (/country/{value}/brief.pdf|html), mounted by silkscope.server.

It lives outside web/ and briefs/ so that the dashboard never imports the briefs: the country page links here,
and this route calls silkscope.briefs, which renders the library's country profile on its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from silkscope import validate
from silkscope.briefs import brief as briefs

router = APIRouter()
Text100 = Annotated[str | None, Query(max_length=100)]


@router.get("/country/{value}/brief.{ext}")
def brief(
    request: Request,
    value: str,
    ext: str,
    partners: Annotated[list[str] | None, Query(max_length=20)] = None,
    since: Text100 = None,
    until: Text100 = None,
) -> Response:
    if ext not in ("pdf", "html"):
        raise validate.NotFoundError(f"brief.{ext}: expected brief.pdf or brief.html")
    scope = validate.country(value, "country")
    lo, hi = validate.form_period(since, until)
    chosen = validate.form_partners(partners)
    served = request.app.state.wh
    made = served.cached(
        ("brief", scope, chosen, lo, hi),
        lambda con: briefs.make_brief(scope, chosen, lo, hi, con=con),
    )
    name = f"silkscope-brief-{scope.replace(',', '-')}"
    if ext == "html":
        return HTMLResponse(made.html, headers={"Content-Disposition": f'inline; filename="{name}.html"'})
    pdf = served.cached(("brief.pdf", scope, chosen, lo, hi), lambda con: made.pdf())
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'}
    )
