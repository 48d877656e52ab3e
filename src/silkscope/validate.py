"""Validation of the inputs every entry point takes (countries, partners, periods): one rule and one message for
the CLI, the REST API and the pages. Option checks of the indicators are in indicators.registry."""

from __future__ import annotations

from silkscope.countries import registry, resolve, resolve_list, resolve_scope
from silkscope.errors import SilkscopeError, UnknownCountryError
from silkscope.indicators import registry as options

FIRST_YEAR, LAST_YEAR = options.FIRST_YEAR, options.LAST_YEAR


class NotFoundError(SilkscopeError):
    """A named thing (source id, indicator) that does not exist: 404 with what does."""


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
