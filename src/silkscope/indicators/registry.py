"""The indicators by name, with what each answers: the one table the CLI and other entry points dispatch on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from silkscope.errors import SilkscopeError
from silkscope.indicators import options as options_table
from silkscope.indicators.options import OPTIONS, check_partners, check_period
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


# Every setting an indicator can read, with its default: the options table (indicators.options) plus the scope
# and where to read. `tables` is an open Tables (e.g. over a served connection); without it `db` is opened read-only.
DEFAULTS: dict[str, Any] = {
    "partners": None,
    "countries": None,
    "since": None,
    "until": None,
    **{o.name: o.default for o in OPTIONS.values()},
    "db": None,
    "tables": None,
}


def checked_options(name: str, given: dict[str, Any], *, unread: str = "refuse") -> dict[str, Any]:
    """The options of indicator `name` in `given` (None, [] and () mean not given), each value checked. An option
    the indicator does not read is refused (`unread="refuse"`: the API, whose parameters are all optional) or
    dropped (`"ignore"`: the CLI, whose options all have defaults)."""
    accepted = set(get(name).options)
    chosen = {k: v for k, v in given.items() if v not in (None, [], ())}
    for option, value in chosen.items():
        options_table.check(option, value)
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
            options_table.check(option, value)
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
