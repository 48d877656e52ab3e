"""Browse routes: the warehouse's core.* and out.* tables as JSON pages or CSV/JSON exports, each with the SQL
that ran (datasette's habit), and one search over states, partners, measures, formats, events and sources. Plain
`def` routes: FastAPI runs them in its threadpool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from silkscope import browse, search
from silkscope.api.respond import Fmt, safe_filename, send_json
from silkscope.result import dumps

router = APIRouter(prefix="/api")
TableP = Annotated[str, Path(max_length=80, description="schema.table, e.g. core.events (see /api/tables)")]
SortQ = Annotated[str | None, Query(alias="_sort", max_length=80, description="sort by this column, ascending")]
SortDescQ = Annotated[str | None, Query(alias="_sort_desc", max_length=80, description="sort descending")]
# Bounds are the library's (browse.py), checked there with one message; the schema only documents them.
SizeQ = Annotated[
    int,
    Query(
        alias="_size", description="rows per page", json_schema_extra={"minimum": 1, "maximum": browse.MAX_PAGE_SIZE}
    ),
]
PageQ = Annotated[
    int, Query(alias="_page", description="page number", json_schema_extra={"minimum": 1, "maximum": browse.MAX_PAGE})
]
OffsetQ = Annotated[
    int | None,
    Query(
        alias="_offset",
        description="first row, from 0; wins over _page",
        json_schema_extra={"minimum": 0, "maximum": browse.MAX_OFFSET},
    ),
]
AllQ = Annotated[bool, Query(alias="_all", description="JSON: every filtered row up to the export cap")]
FormatQ = Annotated[Fmt, Query(alias="format", description="json (a page; _all=1 for all rows) or csv (all rows)")]


def _wh(request: Request):
    """The served warehouse (api.state.ServedWarehouse)."""
    return request.app.state.wh


@router.get("/tables", summary="The browsable tables (core.*, out.*) with row counts and what each holds")
def tables(request: Request) -> Response:
    listed = _wh(request).cached(("browse-tables",), browse.tables)
    rows = [
        {"table": t.full_name, "rows": t.rows, "description": t.description, "url": f"/api/tables/{t.full_name}"}
        for t in listed
    ]
    return send_json({"tables": rows})


@router.get(
    "/tables/{name}",
    summary="One table, filtered (?column=value, ?column__contains=, __gte=, __lte=), sorted and paged, with its SQL",
)
def table(
    request: Request,
    name: TableP,
    sort: SortQ = None,
    sort_desc: SortDescQ = None,
    size: SizeQ = browse.DEFAULT_PAGE_SIZE,
    page: PageQ = 1,
    offset: OffsetQ = None,
    all_rows: AllQ = False,
    fmt: FormatQ = Fmt.json,
) -> Response:
    filters = browse.parse_filters(list(request.query_params.multi_items()))
    column, desc = browse.sort_of(sort, sort_desc)
    served = _wh(request)
    if fmt is Fmt.csv or all_rows:
        with served.read() as con:  # not cached: an export may hold tens of thousands of rows
            made = browse.export(con, name, filters, column, desc)
        headers = {
            "X-Total-Count": str(made.total),
            "X-Silkscope-Capped": "true" if made.capped else "false",
            "Content-Disposition": f'attachment; filename="{safe_filename(name, "filtered" if filters else "")}.'
            f'{fmt.value}"',
        }
        if made.note:
            headers["X-Silkscope-Note"] = made.note
        if fmt is Fmt.csv:
            return Response(made.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
        return Response(dumps(made.to_dict()), media_type="application/json", headers=headers)
    key = ("browse", name, tuple(filters), column, desc, size, page, offset)
    shown = served.cached(key, lambda con: browse.query(con, name, filters, column, desc, size, page, offset))
    return Response(dumps(shown.to_dict()), media_type="application/json", headers={"X-Total-Count": str(shown.total)})


@router.get("/search", summary="Search states, partners, measures, dialogue formats, events and sources")
def search_route(
    request: Request,
    q: Annotated[str, Query(max_length=search.MAX_CHARS, description="words; each must start a word of a hit")],
    kind: Annotated[list[str] | None, Query(description=f"only these kinds: {', '.join(search.KINDS)}")] = None,
    limit: Annotated[
        int, Query(description="hits per kind", json_schema_extra={"minimum": 1, "maximum": search.MAX_LIMIT})
    ] = search.DEFAULT_LIMIT,
) -> Response:
    kinds = tuple(kind) if kind else None
    found = _wh(request).cached(
        ("search", q.strip(), kinds, limit), lambda con: search.search(con, q, list(kinds or []) or None, limit)
    )
    return send_json(found.to_dict())
