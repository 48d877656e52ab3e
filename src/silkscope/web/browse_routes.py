"""Browse pages: the list of tables, one table with its filters, sort, paging, downloads and SQL (datasette's habit),
and the search results page. The address holds the whole view, so every state of a table page is a link."""

from __future__ import annotations

from numbers import Number
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from silkscope import browse, search
from silkscope.web.render import render

router = APIRouter()
SIZES = (25, 50, 100, 500, 1000)
Text80 = Annotated[str | None, Query(max_length=80)]
# Columns whose values name a row of another table: their cells link to that row.
LINKED = {"source_id": "core.sources", "event_id": "core.events", "format_id": "core.dialogue_formats"}


def _html(template: str, nav: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, nav=nav, **context))


def table_url(name: str, filters: list[browse.Filter], sort: str | None = None, desc: bool = False,
              size: int = browse.DEFAULT_PAGE_SIZE, page: int = 1, prefix: str = "/tables/",
              **extra: Any) -> str:  # fmt: skip
    """The canonical address of a view: filters as `column__op=value`, then sort, size, page (when not default)."""
    pairs: list[tuple[str, Any]] = [(f.key, f.value) for f in filters]
    if sort:
        pairs.append(("_sort_desc" if desc else "_sort", sort))
    if size != browse.DEFAULT_PAGE_SIZE:
        pairs.append(("_size", size))
    if page > 1:
        pairs.append(("_page", page))
    pairs += [(k, v) for k, v in extra.items() if v not in (None, "")]
    query = urlencode(pairs)
    return f"{prefix}{quote(name)}" + (f"?{query}" if query else "")


@router.get("/tables", response_class=HTMLResponse)
def tables_page(request: Request) -> HTMLResponse:
    listed = request.app.state.wh.cached(("browse-tables",), browse.tables)
    schemas = {s: [t for t in listed if t.schema == s] for s in browse.SCHEMAS}
    return _html("browse_list.html", "tables", schemas=schemas)


@router.get("/tables/{name}", response_class=HTMLResponse, response_model=None)
def table_page(
    request: Request,
    name: Annotated[str, Path(max_length=80)],
    sort: Annotated[str | None, Query(alias="_sort", max_length=80)] = None,
    sort_desc: Annotated[str | None, Query(alias="_sort_desc", max_length=80)] = None,
    size: Annotated[int, Query(alias="_size")] = browse.DEFAULT_PAGE_SIZE,
    page: Annotated[int, Query(alias="_page")] = 1,
    add_column: Annotated[str | None, Query(alias="_col", max_length=80)] = None,
    add_op: Annotated[str | None, Query(alias="_op", max_length=20)] = None,
    add_value: Annotated[str | None, Query(alias="_val", max_length=browse.MAX_VALUE_CHARS)] = None,
) -> HTMLResponse | RedirectResponse:
    filters = browse.parse_filters(list(request.query_params.multi_items()))
    column, desc = browse.sort_of(sort, sort_desc)
    if add_column:  # the filter form's new row: fold it into the canonical address, back to page 1
        if add_value is not None and add_value.strip():
            filters.append(browse.Filter(add_column, add_op or "eq", add_value.strip()))
        return RedirectResponse(table_url(name, filters, column, desc, size), status_code=303)
    served = request.app.state.wh
    key = ("browse", name, tuple(filters), column, desc, size, page, None)
    shown = served.cached(key, lambda con: browse.query(con, name, filters, column, desc, size, page))
    return _html("browse_table.html", "tables", **_table_context(shown))


def _table_context(shown: browse.Page) -> dict[str, Any]:
    name, filters, size = shown.table.full_name, shown.filters, shown.size

    def at(page: int) -> str:
        return table_url(name, filters, shown.sort, shown.desc, size, page)

    def sort_link(column: str) -> dict[str, Any]:
        current = shown.sort == column
        desc = current and not shown.desc  # a second click on the sorted column reverses it
        state = ("descending" if shown.desc else "ascending") if current else None
        return {"url": table_url(name, filters, column, desc, size), "state": state}

    removed = [
        {"text": str(f), "url": table_url(name, filters[:i] + filters[i + 1 :], shown.sort, shown.desc, size)}
        for i, f in enumerate(filters)
    ]
    api = {"prefix": "/api/tables/"}
    links = {c: t for c, t in LINKED.items() if t != name}
    return {
        "cells": _cells(shown, links),
        "page": shown,
        "info": shown.table,
        "filters": removed,
        "hidden": [(f.key, f.value) for f in filters],
        "sorts": {c.name: sort_link(c.name) for c in shown.columns},
        "prev_url": at(shown.number - 1) if shown.number > 1 else None,
        "next_url": at(shown.number + 1) if shown.number < shown.pages else None,
        "first_url": at(1),
        "last_url": at(shown.pages),
        "sizes": SIZES,
        "ops": browse.OP_WORDS,
        "csv_url": table_url(name, filters, shown.sort, shown.desc, **api, format="csv"),
        "json_url": table_url(name, filters, shown.sort, shown.desc, **api, _all=1),
        "page_json_url": table_url(name, filters, shown.sort, shown.desc, size, shown.number, **api),
        "cap": browse.EXPORT_CAP,
        "default_size": browse.DEFAULT_PAGE_SIZE,
        "clear_url": table_url(name, [], shown.sort, shown.desc, size),
    }


def _cells(shown: browse.Page, links: dict[str, str]) -> list[list[tuple[str, str, str | None]]]:
    """Each row's cells as (class, text, link): classified here in one pass, not by Jinja's tests on every cell
    (four tests a cell were most of a 50-row page's time). Class 'null' shows '–', 'num' aligns a number, 'long'
    wraps text over 40 characters; a value that names a row of another table links to it."""
    names = [c.name for c in shown.columns]
    out = []
    for row in shown.rows:
        cells = []
        for name in names:
            value = row[name]
            if value is None:
                cells.append(("null", "", None))
            elif isinstance(value, str) and name in links:
                cells.append(("", value, table_url(links[name], [browse.Filter(name, "eq", value)])))
            elif isinstance(value, Number) and not isinstance(value, bool):  # Decimal too, as Jinja's test
                cells.append(("num", str(value), None))
            elif isinstance(value, list | tuple | set | dict):
                cells.append(("", ", ".join(str(v) for v in value), None))
            else:
                text = str(value)
                cells.append(("long" if len(text) > 40 else "", text, None))
        out.append(cells)
    return out


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=search.MAX_CHARS)] = None,
    kind: Text80 = None,
    limit: Annotated[int, Query()] = search.DEFAULT_LIMIT,
) -> HTMLResponse:
    text = (q or "").strip()
    found = None
    if text:
        key = ("search", text, (kind,) if kind else None, limit)
        found = request.app.state.wh.cached(key, lambda con: search.search(con, text, [kind] if kind else None, limit))
    more = {g: f"/search?{urlencode({'q': text, 'kind': g, 'limit': search.MAX_LIMIT})}" for g in search.KINDS}
    return _html("search.html", "search", q=text, kind=kind, found=found, more=more, kinds=search.KINDS)
