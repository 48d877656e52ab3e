"""Drawn pages kept by URL while the warehouse file is unchanged, and the warm-up that draws the landing pages.

A page costs tens of milliseconds to draw (its answers, its charts' specs) and is the same for everyone who asks
that URL until the warehouse changes: the HTML is kept (an ASGI wrapper, like the API's body cache) under the path,
the query, the warehouse file's version and the date (default periods end this year), with its gzip-compressed copy
made once for the browsers that take it (the server compresses everything else on the way out). Only what a GET page
answered with 200 and HTML is kept: never the API, assets, redirects, errors, the check form or forms sent.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from datetime import date
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silkscope.countries import DEFAULT_PARTNERS
from silkscope.serving.state import LRU

# The URLs the navigation links to, and the overview as its partner and measure pickers ask for it (the form sends
# both): the warm-up draws each once, so a fresh server's first visitor, clicking through the landing page's
# partners, gets them drawn (16 overviews: about 0.5 s more warm-up, 7 MB kept).
NAVIGATION = ("/", "/country/UZB", "/partner/JPN", "/compare", "/explore", "/model", "/sources", "/tables")
PICKED = tuple(f"/?partner={p}&metric={m}" for p in DEFAULT_PARTNERS for m in ("visits", "finance"))
LANDING = NAVIGATION + PICKED
# Not kept: the API (its own body cache), files, and the check form (it says whether the checker is installed, and
# costs nothing to draw)
NOT_PAGES = ("/api", "/assets", "/static", "/docs", "/openapi.json", "/check", "/map/")
# Compression of what leaves the server (server.py's GZipMiddleware, and kept pages here): 384 kB of HTML to 92 kB
# in about 4 ms (level 9: 87 kB in 17 ms)
GZIP_LEVEL = 4
KEPT = 96  # pages (the largest, with maps, are about 0.4 MB, and 0.1 MB compressed): the warm-up's 24 and others


class PageCache:
    def __init__(self, app: ASGIApp, size: int = KEPT):
        self.app = app
        self.pages = LRU(size)
        self.zipped = LRU(size)  # the same pages, gzip-compressed

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
            if _takes_gzip(scope):
                headers, body = await self._compressed(key, headers, body)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        zipped = _takes_gzip(scope)

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if message["status"] == 200 and headers.get(b"content-type", b"").startswith(b"text/html"):
                    start.update(message)  # a page: kept, and sent once whole (compressed when the client takes it)
                    return
            elif start and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                headers, body = start["headers"], b"".join(chunks)
                self.pages.put(key, (headers, body))
                if zipped:
                    headers, body = await self._compressed(key, headers, body)
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)  # anything else (errors, redirects, files) as it comes

        await self.app(scope, receive, keep)

    async def _compressed(self, key: tuple, headers: list, body: bytes) -> tuple[list, bytes]:
        """The kept page gzip-compressed, made on the first ask that takes it and kept beside it. Compressed in a
        thread (4-9 ms for a page with a map), as GZipMiddleware does large bodies: the event loop keeps serving."""
        kept = self.zipped.get(key)
        if kept is None:
            packed = await asyncio.to_thread(gzip.compress, body, compresslevel=GZIP_LEVEL, mtime=0)
            plain = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-encoding", b"vary")]
            encoded = [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            kept = ([*plain, *encoded, (b"content-length", str(len(packed)).encode())], packed)
            self.zipped.put(key, kept)
        return kept


def _takes_gzip(scope: Scope) -> bool:
    accepted = dict(scope.get("headers", [])).get(b"accept-encoding", b"")
    return b"gzip" in accepted.lower()


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
