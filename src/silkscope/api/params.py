"""Request parameters: declared types and limits, and validation of countries, partners and periods."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from silkscope.countries import registry, resolve, resolve_list, resolve_scope
from silkscope.errors import SilkscopeError, UnknownCountryError
from silkscope.indicators import registry as options

# Bounds are the library's (indicators.registry), checked there for the CLI, the API and the pages alike, with one
# message; the schema below only documents them (a Query(ge=...) would answer first, in pydantic's words).
FIRST_YEAR, LAST_YEAR = options.FIRST_YEAR, options.LAST_YEAR


def bounds(option: str) -> dict:
    """JSON-schema minimum/maximum of a numeric option, for the OpenAPI document."""
    lo, hi = options.RANGES.get(option, (FIRST_YEAR, LAST_YEAR))
    return {"json_schema_extra": {"minimum": lo, "maximum": hi}}


class NotFoundError(SilkscopeError):
    """A named thing (source id, indicator) that does not exist: 404 with what does."""


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


def country(value: str, field: str = "country") -> str:
    """Canonical scope text (group id or comma-joined ISO3) or UnknownCountryError naming the field."""
    text = value.strip()
    if text.upper() in registry().groups:
        return text.upper()
    try:
        members = resolve_scope(text)
    except UnknownCountryError as exc:
        raise UnknownCountryError(exc.value, exc.suggestions, field_name=field) from None
    if not members:
        raise UnknownCountryError(value, [], field_name=field)
    return ",".join(members)


def one_country(value: str, field: str) -> str:
    try:
        return resolve(value, field_name=field)
    except UnknownCountryError as exc:
        raise UnknownCountryError(exc.value, exc.suggestions, field_name=field) from None


def partners(value: str | None, field: str = "partners") -> str | None:
    if value is None or not value.strip():
        return None
    try:
        chosen = resolve_list(value)
    except UnknownCountryError as exc:
        raise UnknownCountryError(exc.value, exc.suggestions, field_name=field) from None
    options.check_partners(chosen, field)
    return ",".join(chosen)


def period(since: int | None, until: int | None) -> tuple[int | None, int | None]:
    return options.check_period(since, until)
