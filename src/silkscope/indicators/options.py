"""The indicators' options, declared once: name, type, default, what it means and accepts. The CLI options
(cli/indicators.py), the API's query parameters and OpenAPI schema (api/indicator_routes.py) and the compare page's
form fields (web templates) are generated from this table, and `check` validates a value for all of them with one
message (CLI exit 2, API 422, the page's error)."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from silkscope.errors import SilkscopeError

FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_PARTNERS = 20
PERIOD = re.compile(r"^\d{4}(-\d{4})?$")


@dataclass(frozen=True)
class Option:
    """`param`: the name people type (CLI --param, API ?param=, the form's field); `name`: the library's.
    `kind`: str, int, bool or list (repeatable text). Exactly one of `choices`, `bounds`, `pattern` constrains it
    (or none). Which indicators read an option is said in indicators.registry (Indicator.options)."""

    name: str
    kind: type
    default: Any
    help: str
    param: str = ""
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None
    pattern: re.Pattern | None = None
    expected: str = ""
    max_length: int = 80
    placeholder: str = ""
    label: str = ""  # the form field's label

    @property
    def flag(self) -> str:
        return self.param or self.name

    def accepts(self) -> str:
        if self.choices:
            return " or ".join(self.choices)
        if self.bounds:
            return f"{self.bounds[0]} to {self.bounds[1]}"
        return self.expected


OPTIONS: dict[str, Option] = {
    o.name: o
    for o in (
        Option("measures", list, [], "panel column(s), e.g. oda_commit_constant_usd (shares, change, balance, "
               "disagreement)", param="measure", pattern=re.compile(r"^[a-z][a-z0-9_]{0,79}$"),
               expected="a column name (letters, digits and _)", placeholder="panel column", label="Measure"),
        Option("start", str, None, "change: start year or period, e.g. 1993 or 1993-1995", pattern=PERIOD,
               expected="a year or a period such as 1993-1995", max_length=9, placeholder="1993-1995", label="Start"),
        Option("end", str, None, "change: end year or period", pattern=PERIOD,
               expected="a year or a period such as 1993-1995", max_length=9, placeholder="2003-2005", label="End"),
        Option("weights", str, None, "index/sensitivity: e.g. trade=0.5,leader_visits=0.5",
               pattern=re.compile(r"^[a-z_]+=\d+(\.\d+)?(,[a-z_]+=\d+(\.\d+)?)*$"),
               expected="name=number pairs such as trade=0.5,leader_visits=0.5", max_length=300,
               placeholder="trade=0.5,leader_visits=0.5", label="Weights"),
        Option("level", str, "section", "composition/rca/complementarity: section or division",
               choices=("section", "division"), label="SITC level"),
        Option("direction", str, "exports", "composition: exports or imports (of the partner)",
               choices=("exports", "imports"), label="Direction (of the partner's trade)"),
        Option("dataset", str, None, "panel: finance dataset; disagreement-finance: A,B (e.g. aiddata_flows,oecd_crs)",
               pattern=re.compile(r"^[a-z0-9_]+(,[a-z0-9_]+)?$"), expected="a dataset id or two (A,B)",
               placeholder="aiddata_flows,oecd_crs", label="Dataset(s)"),
        Option("pooled", bool, False, "shares/sensitivity: the five countries together", label="five countries pooled"),
        Option("by_year", bool, False, "balance: one row per year", label="one row per year"),
        Option("nonempty", bool, True, "panel: drop dyad-years with nothing recorded", label="drop empty dyad-years"),
        Option("draws", int, 500, "sensitivity: random weight draws (10 to 2000)", bounds=(10, 2000), label="Draws"),
    )
}  # fmt: skip
# The visits model's two settings (stats.visit_effects), checked by the same rule.
MODEL_BOUNDS = {"lag": (0, 5), "window": (1, 6)}


class OptionError(SilkscopeError, ValueError):
    """An option given a value outside what it accepts: names the option, what it accepts and what it got (the CLI
    exits with status 2, the API answers 422)."""

    def __init__(self, option: str, expected: str, got: Any, message: str | None = None):
        self.option, self.expected, self.got = option, expected, got
        super().__init__(message or f"{option}: expected {expected}, got {got!r}")


def check(name: str, value: Any) -> Any:
    """One option's value against its declaration (None and [] mean not given and pass)."""
    if value in (None, [], ()):
        return value
    if name in MODEL_BOUNDS:
        lo, hi = MODEL_BOUNDS[name]
        if not (isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi):
            raise OptionError(name, f"{lo} to {hi}", value)
        return value
    option = OPTIONS.get(name)
    if option is None:
        return value
    if option.bounds:
        lo, hi = option.bounds
        if not (isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi):
            raise OptionError(option.flag, option.accepts(), value)
    elif option.choices and value not in option.choices:
        raise OptionError(option.flag, option.accepts(), value)
    elif option.pattern is not None:
        for item in value if option.kind is list else [value]:
            if not (isinstance(item, str) and option.pattern.match(item)):
                if option.kind is list:
                    raise OptionError(option.flag, option.expected, item, f"{option.flag}: {item!r} is not "
                                      f"{option.expected}")  # fmt: skip
                raise OptionError(option.flag, option.expected, item)
    return value


def check_period(since: int | None, until: int | None) -> tuple[int | None, int | None]:
    for option, year in (("since", since), ("until", until)):
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise OptionError(option, f"a year from {FIRST_YEAR} to {LAST_YEAR}", year)
    if since is not None and until is not None and since > until:
        raise OptionError("since", f"a year no later than until={until}", since)
    return since, until


def check_partners(partners: Sequence[str] | None, option: str = "partners") -> list[str] | None:
    if partners is not None and len(partners) > MAX_PARTNERS:
        count, most = len(partners), MAX_PARTNERS
        raise OptionError(option, f"at most {most}", count, f"{option}: at most {most} partners at once, got {count}")
    return None if partners is None else list(partners)


def parameters(make: Callable[[Option], Any], *, optional: bool) -> list[inspect.Parameter]:
    """One keyword parameter per option, `Annotated[type, make(option)]`: how the CLI (make = a typer.Option) and
    the API (make = a fastapi.Query) declare them. `optional`: defaults None, so an option the caller did not give
    stays unset (the API refuses options an indicator does not read; the CLI drops them)."""
    out = []
    for o in OPTIONS.values():
        kind = list[str] if o.kind is list else o.kind
        annotation = Annotated[kind | None if optional or o.default is None else kind, make(o)]
        default = None if optional or o.kind is list else o.default
        out.append(inspect.Parameter(o.flag, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation))
    return out


def given(values: dict[str, Any]) -> dict[str, Any]:
    """Entry-point values keyed by `param` (CLI/API/form names) -> library names."""
    by_flag = {o.flag: o.name for o in OPTIONS.values()}
    return {by_flag[k]: v for k, v in values.items() if k in by_flag}


def from_form(values: dict[str, Any]) -> dict[str, Any]:
    """What a form sent, as the library takes it: text stripped (an empty field is not given), a list field split
    at commas, a yes/no choice as a bool."""
    out = {}
    for name, value in given(values).items():
        option = OPTIONS[name]
        if option.kind is list:
            value = [x.strip() for v in value or [] for x in str(v).split(",") if x.strip()]
        elif isinstance(value, str):
            value = value.strip() or None
        out[name] = value
    return out


def form_fields() -> list[dict[str, Any]]:
    """The page form's fields, one per option, in the table's order (the template draws each by its kind)."""
    return [
        {
            "name": o.name,
            "param": o.flag,
            "label": o.label or o.flag,
            "kind": o.kind.__name__,
            "default": o.default,
            "choices": o.choices,
            "bounds": o.bounds,
            "placeholder": o.placeholder,
            "help": o.help,
            "max_length": o.max_length,
        }
        for o in OPTIONS.values()
    ]


def with_parameters(function: Callable, extra: list[inspect.Parameter]) -> Callable:
    """`function` (taking **options) presented with its own parameters plus `extra`: Typer and FastAPI read a
    function's parameters from its signature, so the options table becomes their options and query parameters."""
    hints = typing.get_type_hints(function, include_extras=True)  # resolved: modules use postponed annotations
    own = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in inspect.signature(function).parameters.values()
        if p.kind != inspect.Parameter.VAR_KEYWORD
    ]
    positional = [p for p in own if p.kind != inspect.Parameter.KEYWORD_ONLY]
    keyword = [p for p in own if p.kind == inspect.Parameter.KEYWORD_ONLY]
    function.__signature__ = inspect.Signature([*positional, *keyword, *extra])
    function.__annotations__ = {p.name: p.annotation for p in function.__signature__.parameters.values()}
    return function


HELP = {o.name: o.help for o in OPTIONS.values()}


def bounds(name: str) -> tuple[int, int]:
    """Inclusive bounds of a numeric option (a year when it is not an option: since, until)."""
    if name in MODEL_BOUNDS:
        return MODEL_BOUNDS[name]
    option = OPTIONS.get(name)
    return option.bounds if option is not None and option.bounds else (FIRST_YEAR, LAST_YEAR)
