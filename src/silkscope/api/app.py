"""The REST API's part of the application: its routers and how a failure is answered (status, type, message).

The application itself is assembled in silkscope.server, which adds the dashboard beside the API. The error
handlers are installed here because the status a failure maps to is the API's contract; a request for a page is
answered by the `page` function the server passes in, so this module never imports the dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import duckdb
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from silkscope.actors import UnknownActorError
from silkscope.api import admin, browse_routes, indicator_routes, routes, series_routes
from silkscope.api.respond import send_json
from silkscope.errors import SilkscopeError, UnknownCountryError, WarehouseMissingError
from silkscope.serving import checking
from silkscope.serving.state import WarehouseBusyError
from silkscope.validate import NotFoundError

TOKEN_ENV = "SILKSCOPE_API_TOKEN"
MIRROR_ENV = "SILKSCOPE_MIRROR"
log = logging.getLogger("silkscope.api")

DESCRIPTION = """Who engages Central Asia, how, since when, compared with whom — with sources.

Every table answer carries `sources` (publisher, URL, licence, checksum) and `definitions`; add `_query=1` to get
the SQL and parameters that produced the rows, and `format=csv` for CSV. Long lists are paginated (`page`,
`per_page`; `Link` and `X-Total-Count` headers). Countries can be given by ISO3/ISO2/M49 code, name, alias or
demonym; an unknown one is a 422 listing near matches. Read-only unless a token is configured."""

# A page's answer to a failure: (request, status, message, near matches) -> response.
PageError = Callable[[Request, int, str, list[str]], Response]


def add_api(app: FastAPI, token: str | None, page: PageError | None = None) -> None:
    """The API routers (the write endpoints listed in the schema only when a token is set) and the error handlers.
    `page`: how a failure on a path outside /api, /docs and /openapi is shown (None: JSON there too)."""
    app.include_router(routes.router, tags=["read"])
    app.include_router(indicator_routes.router, tags=["read"])
    app.include_router(series_routes.router, tags=["read"])
    app.include_router(browse_routes.router, tags=["browse"])
    app.include_router(admin.router, include_in_schema=bool(token))
    _errors(app, page)


def is_api(path: str) -> bool:
    return path.startswith(("/api", "/openapi", "/docs"))


def _errors(app: FastAPI, page: PageError | None) -> None:
    def error(request: Request, status: int, kind: str, message: str, headers: dict | None = None, **extra: Any):
        if page is not None and not is_api(request.url.path):
            return page(request, status, message, extra.get("near_matches") or [])
        return send_json({"error": {"type": kind, "message": message, **extra}}, status, headers)

    @app.exception_handler(UnknownCountryError)
    async def unknown_country(request: Request, exc: UnknownCountryError):
        return error(
            request,
            422,
            "unknown_country",
            str(exc),
            field=exc.field_name,
            value=exc.value,
            near_matches=exc.suggestions,
        )

    @app.exception_handler(UnknownActorError)
    async def unknown_actor(request: Request, exc: UnknownActorError):
        return error(request, 422, "unknown_actor", str(exc), value=exc.value, near_matches=exc.suggestions)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body")),
                "problem": e["msg"],
            }
            for e in exc.errors()
        ]
        message = "; ".join(f"{d['field'] or 'request'}: {d['problem']}" for d in details)
        return error(request, 422, "invalid_parameter", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        text = {404: "no such page or endpoint", 405: "method not allowed here"}.get(exc.status_code, str(exc.detail))
        return error(request, exc.status_code, "http", f"{text}: {request.url.path}", dict(exc.headers or {}))

    @app.exception_handler(SilkscopeError)
    async def silkscope_error(request: Request, exc: SilkscopeError):
        if isinstance(exc, admin.AuthError):
            extra = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return error(request, exc.status, "forbidden" if exc.status == 403 else "unauthorised", str(exc), extra)
        if isinstance(exc, NotFoundError):
            return error(request, 404, "not_found", str(exc))
        if isinstance(exc, checking.TooLargeError):
            return error(request, 413, "too_large", str(exc))
        if isinstance(exc, checking.ClaimsUnavailableError):
            return error(request, 503, "claim_checker_missing", str(exc))
        if isinstance(exc, WarehouseMissingError | WarehouseBusyError):
            return error(request, 503, "warehouse_unavailable", str(exc), {"Retry-After": "5"})
        return error(request, 422, "invalid_input", str(exc))

    @app.exception_handler(duckdb.InterruptException)
    async def interrupted(request: Request, exc: duckdb.InterruptException):
        # Queries are interrupted only when the server stops (ServedWarehouse.interrupt, at Ctrl+C, e.g. during the
        # warm-up): an answer that will not come, not a fault to log with its traceback.
        return error(request, 503, "interrupted", "the server is stopping; retry in a moment", {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error(request, 500, "internal", "internal error: the server log has the details")
