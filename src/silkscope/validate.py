"""Validation of the inputs every entry point takes (countries, partners, periods): one rule and one message for
the CLI, the REST API and the pages. Option checks of the indicators are in indicators.registry."""

from __future__ import annotations

from silkscope.countries import registry, resolve, resolve_list, resolve_scope
from silkscope.errors import SilkscopeError, UnknownCountryError
from silkscope.indicators import options

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


def form_year(value: str | None, field: str) -> int | None:
    """A year from a form or a page address, where it arrives as text ('' when left empty)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise SilkscopeError(f"{field}: expected a year between {FIRST_YEAR} and {LAST_YEAR}, got {text!r}")
    return int(text)


def form_partners(values: list[str] | None) -> str | None:
    """Partners from a form: checkboxes send partners=JPN&partners=KOR; links may send partners=JPN,KOR."""
    if not values:
        return None
    return partners(",".join(values))


def form_period(since: str | None, until: str | None) -> tuple[int | None, int | None]:
    return period(form_year(since, "since"), form_year(until, "until"))
