"""Answers as HTTP: JSON (with sources, and the SQL on request) or CSV, paginated where lists are long."""

from __future__ import annotations

import math
from dataclasses import replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response

from silkscope.result import Bundle, Result, dumps, jsonable  # noqa: F401  (dumps: re-exported to routes)

MAX_PER_PAGE = 1000


class Fmt(StrEnum):
    json = "json"
    csv = "csv"


def result_payload(result: Result, *, include_query: bool) -> dict[str, Any]:
    body = result.to_dict()
    body["layout"] = result.layout
    if not include_query:
        body.pop("query", None)
        body.pop("params", None)
    return body


def bundle_payload(bundle: Bundle, *, include_query: bool) -> dict[str, Any]:
    return {
        "title": bundle.title,
        "notes": bundle.notes,
        "sections": [result_payload(s, include_query=include_query) for s in bundle.sections],
    }


def page_of(result: Result, page: int | None, per_page: int | None) -> tuple[Result, dict[str, Any] | None]:
    """The rows of one page (1-based) and the pagination block; no pagination when neither is given."""
    if page is None and per_page is None:
        return result, None
    page, per_page = page or 1, min(per_page or 100, MAX_PER_PAGE)
    total = len(result.rows)
    pages = max(1, math.ceil(total / per_page))
    rows = result.rows[(page - 1) * per_page : page * per_page]
    info = {"page": page, "per_page": per_page, "total": total, "pages": pages}
    return replace(result, rows=rows), info


def _link(request: Request, page: int) -> str:
    query = dict(request.query_params)
    query["page"] = str(page)
    return f"{request.url.path}?{urlencode(query)}"


def source_header(sources: list[dict[str, Any]]) -> str:
    # Headers are latin-1: source ids are ASCII by construction, but never let one break a response.
    text = ",".join(s["source_id"] for s in sources)
    return text.encode("ascii", "replace").decode()[:4000]


def send_result(
    request: Request,
    result: Result,
    *,
    fmt: Fmt,
    include_query: bool,
    filename: str,
    page: int | None = None,
    per_page: int | None = None,
    default_per_page: int | None = None,
) -> Response:
    """JSON pages by default when `default_per_page` is set; CSV is the whole table unless a page is asked for."""
    if fmt is Fmt.json and default_per_page and per_page is None:
        per_page = default_per_page
    shown, info = page_of(result, page, per_page)
    headers = {"X-Silkscope-Sources": source_header(result.sources)}
    if info:
        headers["X-Total-Count"] = str(info["total"])
        links = []
        if info["page"] < info["pages"]:
            info["next"] = _link(request, info["page"] + 1)
            links.append(f'<{info["next"]}>; rel="next"')
        if info["page"] > 1:
            info["prev"] = _link(request, min(info["page"] - 1, info["pages"]))
            links.append(f'<{info["prev"]}>; rel="prev"')
        if links:
            headers["Link"] = ", ".join(links)
    if fmt is Fmt.csv:
        headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return Response(shown.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
    body = result_payload(shown, include_query=include_query)
    if info:
        body["pagination"] = info
    return Response(dumps(body), media_type="application/json", headers=headers)


def send_bundle(request: Request, bundle: Bundle, *, fmt: Fmt, include_query: bool, filename: str) -> Response:
    sources: dict[str, dict[str, Any]] = {}
    for section in bundle.sections:
        for s in section.sources:
            sources.setdefault(s["source_id"], s)
    headers = {"X-Silkscope-Sources": source_header(list(sources.values()))}
    if fmt is Fmt.csv:
        headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return Response(bundle.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(
        dumps(bundle_payload(bundle, include_query=include_query)), media_type="application/json", headers=headers
    )


def send_json(payload: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(payload), status_code=status_code, media_type="application/json", headers=headers)


def safe_filename(*parts: Any) -> str:
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:120] or "silkscope"
