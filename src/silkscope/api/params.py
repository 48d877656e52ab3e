"""Request parameters as FastAPI declares them (types, limits, descriptions for the OpenAPI document); their
validation is the library's (silkscope.validate), shared with the CLI and the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from silkscope.indicators import options

# Bounds are the library's (indicators.registry), checked there for the CLI, the API and the pages alike, with one
# message; the schema below only documents them (a Query(ge=...) would answer first, in pydantic's words).
FIRST_YEAR, LAST_YEAR = options.FIRST_YEAR, options.LAST_YEAR


def bounds(option: str) -> dict:
    """JSON-schema minimum/maximum of a numeric option, for the OpenAPI document."""
    lo, hi = options.bounds(option)
    return {"json_schema_extra": {"minimum": lo, "maximum": hi}}


CountryQ = Annotated[
    str,
    Query(
        min_length=1,
        max_length=100,
        description="a country (ISO3/ISO2/M49 code, name, alias, demonym) or a group id such as C5",
        examples=["C5", "UZB", "Kazakhstan"],
    ),
]
PartnersQ = Annotated[
    str | None,
    Query(
        max_length=300,
        description="comma-separated partners, e.g. JPN,KOR,CHN (default: the eight partners silkscope tracks)",
        examples=["JPN,KOR,CHN"],
    ),
]
SinceQ = Annotated[int | None, Query(description="first year (inclusive), 1900 to 2100", **bounds("since"))]
UntilQ = Annotated[int | None, Query(description="last year (inclusive), 1900 to 2100", **bounds("until"))]
IncludeQueryQ = Annotated[
    bool, Query(alias="_query", description="include the SQL and its parameters that produced the rows")
]
PageQ = Annotated[int | None, Query(ge=1, le=1_000_000, description="page number, from 1")]
PerPageQ = Annotated[int | None, Query(ge=1, le=1000, description="rows per page (JSON default 100; CSV: all)")]
