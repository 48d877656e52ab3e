"""`create_app(db, token)`: the REST API under /api and the dashboard pages, one FastAPI application."""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silkscope.actors import UnknownActorError
from silkscope.api import admin, browse_routes, indicator_routes, routes, series_routes
from silkscope.api.respond import send_json
from silkscope.errors import SilkscopeError, UnknownCountryError, WarehouseMissingError
from silkscope.serving import checking
from silkscope.serving.offload import Offload
from silkscope.serving.state import ServedWarehouse, WarehouseBusyError
from silkscope.validate import NotFoundError
from silkscope.web.assets import import_map_hash

TOKEN_ENV = "SILKSCOPE_API_TOKEN"
MIRROR_ENV = "SILKSCOPE_MIRROR"
log = logging.getLogger("silkscope.api")

DESCRIPTION = """Who engages Central Asia, how, since when, compared with whom — with sources.

Every table answer carries `sources` (publisher, URL, licence, checksum) and `definitions`; add `_query=1` to get
the SQL and parameters that produced the rows, and `format=csv` for CSV. Long lists are paginated (`page`,
`per_page`; `Link` and `X-Total-Count` headers). Countries can be given by ISO3/ISO2/M49 code, name, alias or
demonym; an unknown one is a 422 listing near matches. Read-only unless a token is configured."""


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413) before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(scope, send, self.limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(scope, send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    response = send_json(
        {"error": {"type": "too_large", "message": f"request body is over the limit of {limit:,} bytes"}}, 413
    )
    await response(scope, None, send)  # type: ignore[arg-type]


_COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
# Everything is served from here: no CDN, no inline scripts. Chart SVGs carry style attributes.
_PAGES = [
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self' '"
        + import_map_hash().encode()
        + b"'; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
]


class SecurityHeaders:
    """Adds the headers to every response (a plain ASGI wrapper: cheaper than an http middleware)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = _COMMON if path.startswith(("/api", "/docs", "/openapi")) else _COMMON + _PAGES

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    db: str | Path | None = None,
    token: str | None = None,
    *,
    mirror: str | Path | None = None,
    max_upload_bytes: int = checking.MAX_UPLOAD_BYTES,
    max_text_chars: int = checking.MAX_TEXT_CHARS,
    warm: bool = False,
    workers: int | None = None,
) -> FastAPI:
    """The application. `token` (else $SILKSCOPE_API_TOKEN) turns the write endpoints on; none: read-only.
    `workers`: processes for claim checks, model fits and library indicators (None: $SILKSCOPE_API_WORKERS, else
    none: they run on the request's thread)."""
    from silkscope.web import browse_routes as browse_pages
    from silkscope.web import routes as pages
    from silkscope.web.render import STATIC_DIR

    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    mirror = mirror or os.environ.get(MIRROR_ENV) or None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop, warming = threading.Event(), None
        if warm:
            app.state.wh.offload.start()
            warming = threading.Thread(target=pages.warm, args=(app.state.wh, stop), name="warm-up")
            warming.start()
        yield
        # Shutdown (Ctrl+C): the warm-up must end before the interpreter does. A thread left inside a DuckDB query
        # while the process exits aborts it (SIGABRT, exit -6) instead of the clean exit 0 a user expects.
        stop.set()
        deadline = time.monotonic() + 120
        while warming is not None and warming.is_alive() and time.monotonic() < deadline:
            app.state.wh.interrupt()  # again each time: a page may start another query after the first interrupt
            warming.join(timeout=0.5)
        app.state.wh.offload.close()

    app = FastAPI(
        lifespan=lifespan,
        title="silkscope",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served below from the npm package swagger-ui-dist: no CDN, works offline
        redoc_url=None,
    )
    app.state.wh = ServedWarehouse(db)
    app.state.wh.offload = Offload(app.state.wh.path, workers)
    app.state.token = token
    app.state.mirror = Path(mirror) if mirror else None
    app.state.max_upload_bytes = max_upload_bytes
    app.state.max_text_chars = max_text_chars
    app.include_router(routes.router, tags=["read"])
    app.include_router(indicator_routes.router, tags=["read"])
    app.include_router(series_routes.router, tags=["read"])
    app.include_router(browse_routes.router, tags=["browse"])
    app.include_router(admin.router, include_in_schema=bool(token))
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(browse_pages.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _mount_assets(app)
    # Multipart framing adds a little to the file itself.
    app.add_middleware(BodyLimit, limit=max_upload_bytes + 64 * 1024)

    app.add_middleware(SecurityHeaders)
    _errors(app)
    return app


def _mount_assets(app: FastAPI) -> None:
    """/assets/<package>/ for the npm packages the pages use, and /docs drawing the API reference from them."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    from silkscope.web.assets import SERVED_PACKAGES, node_package

    for name in SERVED_PACKAGES:
        folder = node_package(name)
        if folder is not None:
            app.mount(f"/assets/{name}", StaticFiles(directory=folder), name=f"assets-{name}")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if node_package("swagger-ui-dist") is None:
            return HTMLResponse(
                "<h1>API reference unavailable</h1><p>The npm package swagger-ui-dist is not installed: run "
                "<code>npm ci</code> in the project folder. The schema itself is at <a href='/openapi.json'>"
                "/openapi.json</a>.</p>",
                status_code=503,
            )
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="silkscope API",
            swagger_js_url="/assets/swagger-ui-dist/swagger-ui-bundle.js",
            swagger_css_url="/assets/swagger-ui-dist/swagger-ui.css",
            swagger_favicon_url="/assets/swagger-ui-dist/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # the spec validator badge would call swagger.io
        )


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api") or path.startswith("/openapi") or path.startswith("/docs"))


def _error(request: Request, status: int, kind: str, message: str, headers: dict | None = None, **extra: Any):
    if _wants_page(request):
        from silkscope.web.routes import error_page

        return error_page(request, status, message, extra.get("near_matches") or [])
    return send_json({"error": {"type": kind, "message": message, **extra}}, status, headers)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(UnknownCountryError)
    async def unknown_country(request: Request, exc: UnknownCountryError):
        return _error(
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
        return _error(request, 422, "unknown_actor", str(exc), value=exc.value, near_matches=exc.suggestions)

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
        return _error(request, 422, "invalid_parameter", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        text = {404: "no such page or endpoint", 405: "method not allowed here"}.get(exc.status_code, str(exc.detail))
        return _error(request, exc.status_code, "http", f"{text}: {request.url.path}", dict(exc.headers or {}))

    @app.exception_handler(SilkscopeError)
    async def silkscope_error(request: Request, exc: SilkscopeError):
        if isinstance(exc, admin.AuthError):
            extra = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return _error(request, exc.status, "forbidden" if exc.status == 403 else "unauthorised", str(exc), extra)
        if isinstance(exc, NotFoundError):
            return _error(request, 404, "not_found", str(exc))
        if isinstance(exc, checking.TooLargeError):
            return _error(request, 413, "too_large", str(exc))
        if isinstance(exc, checking.ClaimsUnavailableError):
            return _error(request, 503, "claim_checker_missing", str(exc))
        if isinstance(exc, WarehouseMissingError | WarehouseBusyError):
            return _error(request, 503, "warehouse_unavailable", str(exc), {"Retry-After": "5"})
        return _error(request, 422, "invalid_input", str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, "internal", "internal error: the server log has the details")
