"""Drawn pages kept by URL while the warehouse file is unchanged, and the warm-up that draws the landing pages.

A page costs 0.1-1 s to draw (its answers, its charts built and rendered to SVG) and is the same for everyone who
asks that URL until the warehouse changes: the HTML is kept (an ASGI wrapper, like the API's body cache) under the
path, the query, the warehouse file's version and the date (default periods end this year). Only what a GET page
answered with 200 and HTML is kept: never the API, assets, redirects, errors, the check form or forms sent.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silkscope.serving.state import LRU

# The URLs the navigation links to: the warm-up draws each once, so a fresh server's first visitor gets them drawn.
LANDING = ("/", "/country/UZB", "/partner/JPN", "/compare", "/explore", "/model", "/sources", "/tables")
# Not kept: the API (its own body cache), files, and the check form (it says whether the checker is installed, and
# costs nothing to draw)
NOT_PAGES = ("/api", "/assets", "/static", "/docs", "/openapi.json", "/check")
KEPT = 64  # pages (the largest, with maps, are about 0.6 MB)


class PageCache:
    def __init__(self, app: ASGIApp, size: int = KEPT):
        self.app = app
        self.pages = LRU(size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or path.startswith(NOT_PAGES):
            await self.app(scope, receive, send)
            return
        served = scope["app"].state.wh
        key = (path, scope.get("query_string", b""), served.version(), date.today())
        hit = self.pages.get(key)
        if hit is not None:
            headers, body = hit
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        headers = dict(start.get("headers", []))
        if start.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html"):
            self.pages.put(key, (start["headers"], b"".join(chunks)))


def draw_landing(app: ASGIApp, stop: threading.Event | None = None) -> None:
    """GET each landing page through the application (in this thread's own event loop), so its answers, charts and
    HTML are kept before anyone asks. A page that fails is left for its first visitor to see the error."""
    import httpx

    async def draw() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warm-up", timeout=None) as client:
            for url in LANDING:
                if stop is not None and stop.is_set():
                    return
                try:
                    await client.get(url)
                except Exception:  # an interrupted query at shutdown, a missing warehouse: the visitor sees it
                    return

    asyncio.run(draw())
