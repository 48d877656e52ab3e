"""The dashboard's part of the application: its page routers, /static, the error page and the warm-up.

silkscope.server puts it beside the REST API (and serves the npm packages the pages load under /assets)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from silkscope.web import browse_routes, page_cache, routes
from silkscope.web.render import STATIC_DIR

error_page = routes.error_page  # (request, status, message, near matches) -> the error page
PageCache = page_cache.PageCache  # drawn pages kept by URL while the warehouse is unchanged
draw_landing = page_cache.draw_landing  # the warm-up: draws the landing pages once, in the background


def add_pages(app: FastAPI) -> None:
    """The page routers (left out of the API schema) and the static files they use."""
    app.include_router(routes.router, include_in_schema=False)
    app.include_router(browse_routes.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
