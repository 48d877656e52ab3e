"""The indicators by name, with what each answers: the one table the CLI and other entry points dispatch on."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from silkscope.errors import SilkscopeError
from silkscope.result import Bundle, Result


@dataclass(frozen=True)
class Indicator:
    """`options`: the settings beyond scope, partners and period that `run` reads; `measure`: the column a chart
    shows first (None when the table has no single headline column)."""

    name: str
    summary: str
    run: Callable[..., Result | Bundle]
    options: tuple[str, ...] = ()
    measure: str | None = None


# Every setting an indicator can read, with its default: entry points (CLI, API, pages) fill in what they were
# given. `tables` is an open Tables (e.g. over a served connection); without it `db` is opened read-only.
DEFAULTS: dict[str, Any] = {
    "partners": None,
    "countries": None,
    "since": None,
    "until": None,
    "measures": [],
    "start": None,
    "end": None,
    "weights": None,
    "level": "section",
    "direction": "exports",
    "dataset": None,
    "pooled": False,
    "by_year": False,
    "nonempty": True,
    "draws": 500,
    "db": None,
    "tables": None,
}


# --- Option checks: the one definition the CLI, the API and the pages call (same bounds, same messages) ---------

FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_PARTNERS = 20
# Inclusive ranges of the numeric options; `lag` and `window` are the visits model's (stats.visit_effects).
RANGES = {"draws": (10, 2000), "lag": (0, 5), "window": (1, 6)}
CHOICES = {"level": ("section", "division"), "direction": ("exports", "imports")}
# What each option means and accepts, for the catalogue, the OpenAPI text, the CLI help and the pages.
OPTION_HELP = {
    "measures": "panel column(s), e.g. oda_commit_constant_usd (shares, change, balance, disagreement)",
    "start": "change: start year or period, e.g. 1993 or 1993-1995",
    "end": "change: end year or period",
    "weights": "index/sensitivity: e.g. trade=0.5,leader_visits=0.5",
    "level": "composition/rca/complementarity: section or division",
    "direction": "composition: exports or imports (of the partner)",
    "dataset": "panel: finance dataset; disagreement-finance: A,B (e.g. aiddata_flows,oecd_crs)",
    "pooled": "shares/sensitivity: the five countries together",
    "by_year": "balance: one row per year",
    "nonempty": "panel: drop dyad-years with nothing recorded",
    "draws": "sensitivity: random weight draws (10 to 2000)",
}
_FORMATS = {
    "measures": (re.compile(r"^[a-z][a-z0-9_]{0,79}$"), "a column name (letters, digits and _)"),
    "start": (re.compile(r"^\d{4}(-\d{4})?$"), "a year or a period such as 1993-1995"),
    "end": (re.compile(r"^\d{4}(-\d{4})?$"), "a year or a period such as 1993-1995"),
    "weights": (re.compile(r"^[a-z_]+=\d+(\.\d+)?(,[a-z_]+=\d+(\.\d+)?)*$"),
                "name=number pairs such as trade=0.5,leader_visits=0.5"),
    "dataset": (re.compile(r"^[a-z0-9_]+(,[a-z0-9_]+)?$"), "a dataset id or two (A,B)"),
}  # fmt: skip


class OptionError(SilkscopeError, ValueError):
    """An option given a value outside what it accepts: names the option, what it accepts and what it got (the CLI
    exits with status 2, the API answers 422)."""

    def __init__(self, option: str, expected: str, got: Any, message: str | None = None):
        self.option, self.expected, self.got = option, expected, got
        super().__init__(message or f"{option}: expected {expected}, got {got!r}")


def check_range(option: str, value: int | None) -> int | None:
    lo, hi = RANGES[option]
    if value is not None and not (isinstance(value, int) and lo <= value <= hi):
        raise OptionError(option, f"{lo} to {hi}", value)
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


def check_value(option: str, value: Any) -> Any:
    """One option's value checked against its range, choices or format (unknown options pass: see `options`)."""
    if option in RANGES:
        check_range(option, value)
    elif option in CHOICES and value not in CHOICES[option]:
        raise OptionError(option, " or ".join(CHOICES[option]), value)
    elif option in _FORMATS:
        pattern, expected = _FORMATS[option]
        for item in value if option == "measures" else [value]:
            if not (isinstance(item, str) and pattern.match(item)):
                if option == "measures":
                    raise OptionError("measure", expected, item, f"measure: {item!r} is not {expected}")
                raise OptionError(option, expected, item)
    return value


def checked_options(name: str, given: dict[str, Any], *, unread: str = "refuse") -> dict[str, Any]:
    """The options of indicator `name` in `given` (None, [] and () mean not given), each value checked. An option
    the indicator does not read is refused (`unread="refuse"`: the API, whose parameters are all optional) or
    dropped (`"ignore"`: the CLI, whose options all have defaults)."""
    accepted = set(get(name).options)
    chosen = {k: v for k, v in given.items() if v not in (None, [], ())}
    for option, value in chosen.items():
        check_value(option, value)
    extra = sorted(set(chosen) - accepted)
    if extra and unread == "refuse":
        allowed = ", ".join(sorted(accepted)) or "none"
        raise SilkscopeError(f"{', '.join(extra)}: not an option of indicator {name!r} (its options: {allowed})")
    return {k: v for k, v in chosen.items() if k in accepted}


def options(**given: Any) -> dict[str, Any]:
    """DEFAULTS updated with `given`, each value checked; an unknown setting is an error rather than ignored."""
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise SilkscopeError(f"unknown indicator option(s): {', '.join(unknown)}; expected: {', '.join(DEFAULTS)}")
    for option, value in given.items():
        if value not in (None, [], ()):
            check_value(option, value)
    check_period(given.get("since"), given.get("until"))
    check_partners(given.get("partners"))
    out = dict(DEFAULTS)
    out.update(given)
    if out["countries"] is None:
        from silkscope.countries import C5

        out["countries"] = list(C5)
    return out


def _where(o: dict[str, Any]) -> dict[str, Any]:
    return {"db": o["db"], "tables": o["tables"]}


def _panel(o: dict[str, Any]):
    from silkscope.indicators.stored import panel

    return panel(o["partners"], o["countries"], o["since"], o["until"], nonempty=o["nonempty"],
                 finance_dataset=o["dataset"], **_where(o))  # fmt: skip


def _shares(o):
    from silkscope.indicators.shares import shares

    return shares(o["partners"], o["countries"], o["measures"], o["since"], o["until"], pooled=o["pooled"],
                  **_where(o))  # fmt: skip


def _change(o):
    from silkscope.indicators.change import change

    if not (o["start"] and o["end"] and o["measures"]):
        raise SilkscopeError(
            "change needs a start, an end and a measure (CLI: --start 1993 --end 2003 --measure "
            "oda_commit_constant_usd; API: start=1993&end=2003&measure=oda_commit_constant_usd)"
        )
    return change(o["partners"], o["measures"], o["start"], o["end"], o["countries"], **_where(o))


def _balance(o):
    from silkscope.indicators.balance import DEFAULT_PUBLIC, balance

    public = o["measures"][0] if o["measures"] else DEFAULT_PUBLIC
    return balance(o["partners"], o["countries"], o["since"], o["until"], public=public, by_year=o["by_year"],
                   **_where(o))  # fmt: skip


def _composition(what: str):
    def run(o):
        from silkscope.indicators.composition import composition

        return composition(what, o["partners"], o["countries"], o["since"], o["until"], level=o["level"],
                           direction=o["direction"], **_where(o))  # fmt: skip

    return run


def _index(o):
    from silkscope.indicators.index import index

    return index(o["partners"], o["countries"], o["since"], o["until"], weights=o["weights"], **_where(o))


def _sensitivity(o):
    from silkscope.indicators.index import sensitivity_report

    return sensitivity_report(o["partners"], o["countries"], o["since"], o["until"], weights=o["weights"],
                              draws=o["draws"], pooled=o["pooled"], **_where(o))  # fmt: skip


def _disagreement(what: str):
    def run(o):
        from silkscope.indicators.disagreement import disagreement

        extra = {}
        if o["dataset"]:
            a, _, b = o["dataset"].partition(",")
            extra = {"dataset_a": a, "dataset_b": b or "oecd_crs"}
        if o["measures"]:
            extra["column"] = o["measures"][0]
        return disagreement(what, o["partners"], o["countries"], o["since"], o["until"], **extra, **_where(o))

    return run


INDICATORS = {
    i.name: i
    for i in (
        Indicator(
            "panel",
            "dyad-year engagement panel: finance, trade, FDI, presence, visits, meetings, news",
            _panel,
            options=("dataset", "nonempty"),
            measure="official_commit_constant_usd",
        ),
        Indicator(
            "shares",
            "each partner's share of a C5 country's total per instrument and year, and rank",
            _shares,
            options=("measures", "pooled"),
            measure="share_pct",
        ),
        Indicator(
            "change",
            "absolute change, fold change and CAGR between two years or periods, rows used",
            _change,
            options=("measures", "start", "end"),
            measure="abs_change",
        ),
        Indicator(
            "balance",
            "public vs private: official finance against FDI, companies and trade",
            _balance,
            options=("measures", "by_year"),
            measure="public_share_pct",
        ),
        Indicator(
            "composition",
            "trade by SITC section or division, shares",
            _composition("composition"),
            options=("level", "direction"),
            measure="share_pct",
        ),
        Indicator(
            "rca",
            "revealed comparative advantage (Balassa) in the C5 market",
            _composition("rca"),
            options=("level",),
            measure="rca",
        ),
        Indicator(
            "complementarity",
            "trade complementarity index (Michaely)",
            _composition("complementarity"),
            options=("level",),
            measure="complementarity",
        ),
        Indicator(
            "index",
            "composite engagement index with bandwidth and dependence",
            _index,
            options=("weights",),
            measure="engagement_index",
        ),
        Indicator(
            "sensitivity",
            "how index ranks move when weights change",
            _sensitivity,
            options=("weights", "draws", "pooled"),
            measure="mean_index",
        ),
        Indicator(
            "disagreement-finance",
            "two finance datasets side by side, gap and reasons",
            _disagreement("finance"),
            options=("dataset", "measures"),
            measure="gap_pct",
        ),
        Indicator(
            "disagreement-trade",
            "reporter vs mirror trade, gap and reasons",
            _disagreement("trade"),
            options=(),
            measure="gap_pct",
        ),
    )
}


def get(name: str) -> Indicator:
    try:
        return INDICATORS[name]
    except KeyError:
        raise SilkscopeError(f"unknown indicator {name!r}; expected one of: {', '.join(INDICATORS)}") from None


def compute(
    name: str,
    partners: str | Sequence[str] | None = None,
    countries: str | Sequence[str] = "C5",
    since: int | None = None,
    until: int | None = None,
    *,
    db: Any = None,
    **settings: Any,
) -> Result | Bundle:
    """One indicator from a notebook: countries and partners by any name the CLI takes (codes, names, aliases,
    groups), settings as in DEFAULTS, e.g. compute("change", "Japan,ROK", "UZB", measures=[...], start=1995,
    end=2005)."""
    from silkscope.countries import resolve_list, resolve_scope

    def text(value: str | Sequence[str]) -> str:
        return value if isinstance(value, str) else ",".join(value)

    chosen = resolve_list(text(partners)) if partners else None
    scope = list(resolve_scope(text(countries)))
    return get(name).run(options(partners=chosen, countries=scope, since=since, until=until, db=db, **settings))
