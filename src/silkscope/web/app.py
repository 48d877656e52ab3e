"""The dashboard's part of the application: its page routers, /static, the error page and the warm-up.

silkscope.server puts it beside the REST API (and serves the npm packages the pages load under /assets)."""

from __future__ import annotations

import threading

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from silkscope import search
from silkscope.web import browse_routes, page_cache, routes
from silkscope.web.render import STATIC_DIR, compile_templates

error_page = routes.error_page  # (request, status, message, near matches) -> the error page
PageCache = page_cache.PageCache  # drawn pages kept by URL while the warehouse is unchanged
GZIP_LEVEL = page_cache.GZIP_LEVEL  # how hard what leaves the server is compressed


def warm_up(app: FastAPI, stop: threading.Event | None = None) -> None:
    """The pages' warm-up, in the background: every template compiled and the search's look-ups built, then the
    landing pages drawn and kept."""
    compile_templates()
    search.prepare()
    page_cache.draw_landing(app, stop)


def add_pages(app: FastAPI) -> None:
    """The page routers (left out of the API schema) and the static files they use."""
    app.include_router(routes.router, include_in_schema=False)
    app.include_router(browse_routes.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
