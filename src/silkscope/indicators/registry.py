"""The indicators by name, with what each answers: the one table the CLI and other entry points dispatch on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from silkscope.errors import SilkscopeError
from silkscope.result import Bundle, Result


@dataclass(frozen=True)
class Indicator:
    name: str
    summary: str
    run: Callable[..., Result | Bundle]


def _panel(o: dict[str, Any]):
    from silkscope.indicators.panel import panel

    return panel(o["partners"], o["countries"], o["since"], o["until"], db=o["db"], nonempty=o["nonempty"],
                 finance_dataset=o["dataset"])  # fmt: skip


def _shares(o):
    from silkscope.indicators.shares import shares

    return shares(o["partners"], o["countries"], o["measures"], o["since"], o["until"], pooled=o["pooled"], db=o["db"])


def _change(o):
    from silkscope.indicators.change import change

    if not (o["start"] and o["end"] and o["measures"]):
        raise SilkscopeError("change needs --start, --end and --measure (e.g. --measure oda_commit_constant_usd)")
    return change(o["partners"], o["measures"], o["start"], o["end"], o["countries"], db=o["db"])


def _balance(o):
    from silkscope.indicators.balance import DEFAULT_PUBLIC, balance

    public = o["measures"][0] if o["measures"] else DEFAULT_PUBLIC
    return balance(o["partners"], o["countries"], o["since"], o["until"], public=public, by_year=o["by_year"],
                   db=o["db"])  # fmt: skip


def _composition(what: str):
    def run(o):
        from silkscope.indicators.composition import composition

        return composition(what, o["partners"], o["countries"], o["since"], o["until"], level=o["level"],
                           direction=o["direction"], db=o["db"])  # fmt: skip

    return run


def _index(o):
    from silkscope.indicators.index import index

    return index(o["partners"], o["countries"], o["since"], o["until"], weights=o["weights"], db=o["db"])


def _sensitivity(o):
    from silkscope.indicators.index import sensitivity_report

    return sensitivity_report(o["partners"], o["countries"], o["since"], o["until"], weights=o["weights"],
                              draws=o["draws"], pooled=o["pooled"], db=o["db"])  # fmt: skip


def _disagreement(what: str):
    def run(o):
        from silkscope.indicators.disagreement import disagreement

        extra = {}
        if o["dataset"]:
            a, _, b = o["dataset"].partition(",")
            extra = {"dataset_a": a, "dataset_b": b or "oecd_crs"}
        if o["measures"]:
            extra["column"] = o["measures"][0]
        return disagreement(what, o["partners"], o["countries"], o["since"], o["until"], db=o["db"], **extra)

    return run


INDICATORS = {
    i.name: i
    for i in (
        Indicator("panel", "dyad-year engagement panel: finance, trade, FDI, presence, visits, meetings, news", _panel),
        Indicator("shares", "each partner's share of a C5 country's total per instrument and year, and rank", _shares),
        Indicator("change", "absolute change, fold change and CAGR between two years or periods, rows used", _change),
        Indicator("balance", "public vs private: official finance against FDI, companies and trade", _balance),
        Indicator("composition", "trade by SITC section or division, shares", _composition("composition")),
        Indicator("rca", "revealed comparative advantage (Balassa) in the C5 market", _composition("rca")),
        Indicator("complementarity", "trade complementarity index (Michaely)", _composition("complementarity")),
        Indicator("index", "composite engagement index with bandwidth and dependence", _index),
        Indicator("sensitivity", "how index ranks move when weights change", _sensitivity),
        Indicator(
            "disagreement-finance", "two finance datasets side by side, gap and reasons", _disagreement("finance")
        ),
        Indicator("disagreement-trade", "reporter vs mirror trade, gap and reasons", _disagreement("trade")),
    )
}


def get(name: str) -> Indicator:
    try:
        return INDICATORS[name]
    except KeyError:
        raise SilkscopeError(f"unknown indicator {name!r}; expected one of: {', '.join(INDICATORS)}") from None
