"""Errors a user can cause, each naming the input, the place and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


class SilkscopeError(Exception):
    """Base class: the CLI prints these without a traceback and exits non-zero."""


class UnknownCountryError(SilkscopeError, ValueError):
    def __init__(self, value: str, suggestions: list[str], *, field_name: str | None = None):
        self.value = value
        self.suggestions = suggestions
        self.field_name = field_name
        where = f" in {field_name}" if field_name else ""
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else "; no close match is known"
        super().__init__(f"unknown country or group {value!r}{where}{hint}")


@dataclass(frozen=True)
class Problem:
    """One bad cell: file, 1-based line (header = line 1), column name, what was expected, what was found."""

    file: str
    line: int
    column: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column {self.column!r}: expected {self.expected}, found {self.found!r}"


class InputError(SilkscopeError):
    """An input file failed validation; nothing was written."""

    def __init__(self, problems: list[Problem], *, limit: int = 20):
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:limit])
        more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
        super().__init__(f"{len(problems)} problem(s) in the input; the warehouse was not changed:\n  {shown}{more}")


class WarehouseMissingError(SilkscopeError):
    def __init__(self, path: str):
        super().__init__(f"no warehouse at {path}; run `silkscope build` first (or pass --db / set SILKSCOPE_DB)")
