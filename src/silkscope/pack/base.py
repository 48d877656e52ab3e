"""The reference pack's shared definitions: vocabularies, the Pack of validated rows, and RowReader's typed checks."""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from silkscope.countries import group_for_members, near_matches, registry
from silkscope.errors import Problem

PACK_PREFIX = "reference_pack"
EVENT_TYPES = {
    "state_visit",
    "official_visit",
    "working_visit",
    "visit",
    "multilateral_summit",
    "dialogue_ministerial",
    "dialogue_launch",
    "ministerial_mission",
    "ceremonial",
    "finding",
    "organisation_summit",  # a summit of a multilateral organisation the partner is one member of: never a visit
    "conference",
    "policy_milestone",  # a strategy or decision adopted; host_iso3 lists the states it addresses: never a visit
    "independence",  # a state's declaration of independence: host_iso3 is the state, no visitor; never a visit
}
STATUSES = {"held", "planned", "cancelled", "postponed"}
LEVELS = {
    "head_of_state",
    "head_of_government",
    "former_head_of_state",
    "foreign_minister",
    "vice_minister",
    "minister",
    "officials",
    "none",
}
PRECISIONS = {"day", "month", "year"}
SOURCE_KINDS = {"official", "news", "analysis", "dataset", "publication", "compilation"}
CITATION_STATUSES = {"cited", "unsourced"}
UNSOURCED_SOURCE_ID = "src_compiler_assertion"
INTEGER_MAX = 2**31 - 1  # the warehouse's INTEGER columns (counts, years, sample sizes)
_DATE_FORMS = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "year": re.compile(r"^\d{4}$"),
    "range": re.compile(r"^\d{4}$"),
}


@dataclass
class Pack:
    """Validated rows per warehouse table, plus the digest of the files they came from."""

    tables: dict[str, list[dict]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    digest: str = ""


def problem_at(row: dict, column: str, expected: str, found: str) -> Problem:
    """A Problem at the file and line a converted row came from (its `record`, "file:line"): for checks across rows."""
    file, line = row["record"].rsplit(":", 1)
    return Problem(file, int(line), column, expected, found)


class RowReader:
    """Typed access to one CSV row; each failed check becomes a Problem naming file, line and column."""

    def __init__(self, file: str, line: int, row: dict[str, str], problems: list[Problem]):
        self.file, self.line, self.row, self.problems = file, line, row, problems

    def problem(self, column: str, expected: str, found: str) -> None:
        self.problems.append(Problem(self.file, self.line, column, expected, found))

    def raw(self, column: str) -> str:
        value = self.row.get(column)
        return "" if value is None else value.strip()

    def text(self, column: str, *, required: bool = True) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, "a non-empty value", value)
            return None
        return value

    def enum(self, column: str, allowed: set[str], *, required: bool = True) -> str | None:
        value = self.text(column, required=required)
        if value is not None and value not in allowed:
            self.problem(column, f"one of {', '.join(sorted(allowed))}", value)
            return None
        return value

    def integer(self, column: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.problem(column, "a whole number", value)
            return None
        if abs(number) > INTEGER_MAX:
            self.problem(column, f"a whole number of plausible size (|x| <= {INTEGER_MAX})", value)
            return None
        if minimum is not None and number < minimum:
            self.problem(column, f"a whole number >= {minimum}", value)
            return None
        return number

    def year_span(self, first: str, last: str, *, minimum: int) -> tuple[int | None, int | None]:
        """Two year columns where the second may not come before the first."""
        lo, hi = self.integer(first, minimum=minimum), self.integer(last, minimum=minimum)
        if lo is not None and hi is not None and hi < lo:
            self.problem(last, f"a year on or after {first} ({lo})", str(hi))
        return lo, hi

    def number(
        self, column: str, *, required: bool = True, minimum: float | None = None, maximum: float | None = None
    ) -> float | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            self.problem(column, "a number", value)
            return None
        from silkscope.sources.plausible import bound_for  # one bound for pack and connectors

        bound = bound_for(column)
        if not math.isfinite(number) or abs(number) > bound:  # NaN, inf, 1e308: a slip, never a fact
            self.problem(column, f"a finite number of plausible size (|x| <= {bound:g})", value)
            return None
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            self.problem(column, f"a number {bounds}", value)
            return None
        return number

    def iso3(self, column: str, *, required: bool = True) -> str | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        return self._code(column, value)

    def iso3_list(self, column: str) -> list[str]:
        value = self.text(column) or ""
        codes = [self._code(column, part.strip()) for part in value.split(";") if part.strip()]
        return [c for c in codes if c]

    def _code(self, column: str, value: str) -> str | None:
        if value in registry().countries:
            return value
        near = near_matches(value)
        hint = f" (near: {', '.join(near)})" if near else ""
        self.problem(column, f"an ISO3 country code known to the registry{hint}", value)
        return None

    def scope(self, column: str = "scope") -> tuple[str | None, str | None]:
        """(country_iso3, group_id): a single code, a group id, or a list equal to a known group."""
        value = self.text(column)
        if value is None:
            return None, None
        if value in registry().groups:
            return None, value
        codes = self.iso3_list(column)
        if len(codes) == 1:
            return codes[0], None
        group = group_for_members(codes)
        if len(codes) > 1 and group is None:
            self.problem(column, "one ISO3 code, or a group id (" + ", ".join(registry().groups) + ")", value)
        return None, group

    def partial_date(
        self, column: str, precision: str | None, *, end: bool = False, required: bool = True
    ) -> date | None:
        """A date written at its precision; for `end`, the last day of the month or year it names."""
        value = self.text(column, required=required)
        if value is None or precision is None:
            return None
        pattern = _DATE_FORMS.get(precision)
        if pattern is None or not pattern.match(value):
            self.problem(column, f"a date written as {_form_name(precision)} (precision {precision!r})", value)
            return None
        parts = [int(p) for p in value.split("-")]
        try:
            if len(parts) == 3:
                return date(*parts)
            if len(parts) == 2:
                day = calendar.monthrange(*parts)[1] if end else 1
                return date(parts[0], parts[1], day)
            return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
        except ValueError:
            self.problem(column, "a real calendar date", value)
            return None

    def citation(self, known_sources: set[str]) -> tuple[str | None, list[str], str | None]:
        """(first source id, all ids, citation_status); a row must cite or be flagged unsourced."""
        status = self.enum("citation_status", CITATION_STATUSES)
        ids = [s.strip() for s in self.raw("source_ids").split(";") if s.strip()]
        if not ids:
            self.problem(
                "source_ids",
                "at least one source id (use src_compiler_assertion with citation_status=unsourced for an uncited row)",
                "",
            )
            return None, [], status
        for source_id in ids:
            if source_id not in known_sources:
                self.problem("source_ids", "ids defined in sources*.csv", source_id)
        if status == "unsourced" and ids != [UNSOURCED_SOURCE_ID]:
            self.problem("source_ids", f"exactly {UNSOURCED_SOURCE_ID} for an unsourced row", ";".join(ids))
        if status == "cited" and UNSOURCED_SOURCE_ID in ids:
            self.problem("citation_status", "'unsourced' when citing the compiler's assertion", status)
        return ids[0], ids, status


def _form_name(precision: str) -> str:
    return {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY", "range": "YYYY"}.get(precision, "?")


Converter = Callable[[RowReader, set[str]], dict | None]
