"""`silkscope indicator NAME` and `silkscope model visits`: thin wrappers over silkscope.indicators and .stats."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from silkscope.indicators import registry
from silkscope.render import print_bundle, print_result
from silkscope.result import Bundle

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Indicators and statistical models.")
model_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Statistical models over the panel.")
app.add_typer(model_app, name="model")
console = Console()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[Path | None, typer.Option("--db", help="warehouse file (default: $SILKSCOPE_DB)")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json/csv for machines")]
PartnersOption = Annotated[str | None, typer.Option("--partners", "-p", help="comma-separated, e.g. JPN,KOR,CHN")]
CountryOption = Annotated[str, typer.Option("--country", "-c", help="C5, a country or a list: KAZ,UZB")]
SinceOption = Annotated[int | None, typer.Option("--since", help="first year")]
UntilOption = Annotated[int | None, typer.Option("--until", help="last year")]
LAG_HELP = "years between visit and outcome in the panel model ({} to {})".format(*registry.RANGES["lag"])
WINDOW_HELP = "event study: years of leads and lags ({} to {})".format(*registry.RANGES["window"])


def _scope(partners: str | None, country: str) -> tuple[list[str] | None, list[str]]:
    from silkscope.countries import resolve_list, resolve_scope

    return (resolve_list(partners) if partners else None), list(resolve_scope(country))


def _print(result, fmt: Format) -> None:
    if isinstance(result, Bundle):
        print_bundle(result, fmt.value, console)
    else:
        print_result(result, fmt.value, console)


@app.command("indicator")
def indicator(
    name: Annotated[str, typer.Argument(help=f"one of: {', '.join(registry.INDICATORS)}")],
    partners: PartnersOption = None,
    country: CountryOption = "C5",
    since: SinceOption = None,
    until: UntilOption = None,
    measure: Annotated[
        list[str] | None, typer.Option("--measure", "-m", help="panel column(s): shares, change, balance, disagreement")
    ] = None,
    start: Annotated[str | None, typer.Option(help="change: start year or period, e.g. 1993 or 1993-1995")] = None,
    end: Annotated[str | None, typer.Option(help="change: end year or period")] = None,
    weights: Annotated[str | None, typer.Option(help="index: e.g. trade=0.5,leader_visits=0.5")] = None,
    level: Annotated[str, typer.Option(help="composition: section or division")] = "section",
    direction: Annotated[str, typer.Option(help="composition: exports or imports (of the partner)")] = "exports",
    dataset: Annotated[
        str | None, typer.Option(help="panel: finance dataset; disagreement-finance: A,B (e.g. aiddata_flows,oecd_crs)")
    ] = None,
    pooled: Annotated[bool, typer.Option(help="shares/sensitivity: the five countries together")] = False,
    by_year: Annotated[bool, typer.Option(help="balance: one row per year")] = False,
    nonempty: Annotated[bool, typer.Option(help="panel: drop dyad-years with nothing recorded")] = True,
    draws: Annotated[int, typer.Option(help=registry.OPTION_HELP["draws"])] = 500,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Compute an indicator; prints its rows, definitions, sources and (in JSON) the SQL."""
    # The library's checks, the API's too: a bad value is an error naming the option (status 2) before any work.
    given = registry.checked_options(name, dict(
        measures=measure or [], start=start, end=end, weights=weights, level=level, direction=direction,
        dataset=dataset, pooled=pooled, by_year=by_year, nonempty=nonempty, draws=draws,
    ), unread="ignore")  # fmt: skip
    registry.check_period(since, until)
    chosen, countries = _scope(partners, country)
    options = registry.options(partners=chosen, countries=countries, since=since, until=until, db=db, **given)
    _print(registry.get(name).run(options), fmt)


@app.command("indicators")
def list_indicators() -> None:
    """The indicators and what each answers."""
    for item in registry.INDICATORS.values():
        console.print(f"{item.name}\t{item.summary}", highlight=False)


@model_app.command("visits")
def model_visits(
    outcome: Annotated[str, typer.Option(help="finance, projects, trade, or a panel column")] = "finance",
    partners: PartnersOption = None,
    country: CountryOption = "C5",
    since: SinceOption = None,
    until: UntilOption = None,
    lag: Annotated[int, typer.Option(help=LAG_HELP)] = 1,
    window: Annotated[int, typer.Option(help=WINDOW_HELP)] = 3,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Does interaction bring cooperation? Panel model (dyad + year FE, clustered SEs) and event study."""
    from silkscope.stats.visit_effects import visits_model

    registry.check_range("lag", lag), registry.check_range("window", window), registry.check_period(since, until)
    chosen, countries = _scope(partners, country)
    bundle = visits_model(outcome, chosen, countries, since, until, lag=lag, window=window, db=db)
    _print(bundle, fmt)  # specification, N, reading and caveats print as each section's definitions and notes
