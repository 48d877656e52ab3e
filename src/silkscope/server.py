"""`create_app(db, token)`: the REST API under /api, the dashboard pages and the briefs, one FastAPI application.

The entry points never import each other (api/, web/, briefs/); this module is where they meet: it adds each
one's routers, the middleware every response passes through (body limit, security headers), the front-end
packages under /assets, /docs, and the start-up and shutdown of the served warehouse.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silkscope import brief_routes
from silkscope.api import app as api
from silkscope.api.respond import send_json
from silkscope.serving import checking, heap
from silkscope.serving.offload import Offload
from silkscope.serving.state import ServedWarehouse
from silkscope.web import app as web
from silkscope.web.assets import SERVED_PACKAGES, import_map_hash, node_package

TOKEN_ENV, MIRROR_ENV = api.TOKEN_ENV, api.MIRROR_ENV


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
        extra = _COMMON if api.is_api(path) else _COMMON + _PAGES

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


def _read_endpoint_sources(app: FastAPI) -> None:
    """What FastAPI reads on an endpoint's first request, read now: the file and line of its function (for error
    messages), found by tokenising the function's source, 2-5 ms an endpoint that no visitor should wait for. The
    helper is FastAPI's own (private, so looked up: a release without it leaves the first requests to do it)."""
    extract = getattr(fastapi.routing, "_extract_endpoint_context", None)
    for call in endpoints(app.routes) if extract else ():
        with contextlib.suppress(Exception):
            extract(call)


def endpoints(routes: list[Any]) -> Iterator[Callable[..., Any]]:
    """The function behind each route, in included routers too (FastAPI keeps those as the router included)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from endpoints(included.routes)
        elif isinstance(route, fastapi.routing.APIRoute):
            yield route.endpoint


def _warm(app: FastAPI, stop: threading.Event) -> None:
    """The landing pages (drawn and kept: web.PageCache), then (indicators run here when there are no workers;
    workers warm their own) every indicator's plan."""
    served = app.state.wh
    try:
        _read_endpoint_sources(app)
        web.warm_up(app, stop)
        if served.offload.workers or stop.is_set():
            return
        from silkscope.analysis.catalogue import warm

        with contextlib.suppress(Exception), served.read() as con:
            warm(con, stop)
    finally:
        heap.settle()  # what the warm-up made is kept: no full collection walks it again on a request
        served.warmed.set()


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
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    mirror = mirror or os.environ.get(MIRROR_ENV) or None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop, warming = threading.Event(), None
        if warm:
            app.state.wh.offload.start()
            warming = threading.Thread(target=_warm, args=(app, stop), name="warm-up")
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
        app.state.wh.close()  # the idle connection, if no request holds it
        if warm:
            heap.release()  # a process that goes on (tests, a notebook) collects the app's objects again

    app = FastAPI(
        lifespan=lifespan,
        title="silkscope",
        version="0.1.0",
        description=api.DESCRIPTION,
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
    api.add_api(app, token, page=web.error_page)
    web.add_pages(app)
    app.include_router(brief_routes.router, include_in_schema=False)
    _mount_assets(app)
    app.add_middleware(web.PageCache)  # innermost: a kept page still gets the security headers below
    # Multipart framing adds a little to the file itself.
    app.add_middleware(BodyLimit, limit=max_upload_bytes + 64 * 1024)
    app.add_middleware(SecurityHeaders)
    # outermost: pages (300-400 kB with their chart specs), JSON and CSV leave compressed for clients that take it;
    # a kept page is compressed once, by PageCache (and passes through here as it is)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=web.GZIP_LEVEL)
    return app


def _mount_assets(app: FastAPI) -> None:
    """/assets/<package>/ for the npm packages the pages use, and /docs drawing the API reference from them."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

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
