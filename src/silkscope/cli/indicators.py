"""`silkscope indicator NAME` and `silkscope model visits`: thin wrappers over silkscope.indicators and .stats."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from silkscope.cli.common import (
    CountryOption,
    DbOption,
    Format,
    FormatOption,
    PartnersOption,
    SinceOption,
    UntilOption,
)
from silkscope.indicators import options, registry
from silkscope.render import print_bundle, print_result
from silkscope.result import Bundle

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Indicators and statistical models.")
model_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Statistical models over the panel.")
app.add_typer(model_app, name="model")
console = Console()


LAG_HELP = "years between visit and outcome in the panel model ({} to {})".format(*options.bounds("lag"))
WINDOW_HELP = "event study: years of leads and lags ({} to {})".format(*options.bounds("window"))


def _scope(partners: str | None, country: str) -> tuple[list[str] | None, list[str]]:
    from silkscope.countries import resolve_list, resolve_scope

    return (resolve_list(partners) if partners else None), list(resolve_scope(country))


def _print(result, fmt: Format) -> None:
    if isinstance(result, Bundle):
        print_bundle(result, fmt.value, console)
    else:
        print_result(result, fmt.value, console)


def _cli_option(option: options.Option) -> typer.models.OptionInfo:
    """A typer option from the options table (flags from the parameter's name: --by-year, --pooled/--no-pooled)."""
    decls = ("--measure", "-m") if option.name == "measures" else ()
    return typer.Option(*decls, help=option.help)


def indicator(
    name: Annotated[str, typer.Argument(help=f"one of: {', '.join(registry.INDICATORS)}")],
    *,
    partners: PartnersOption = None,
    country: CountryOption = "C5",
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
    **chosen: Any,
) -> None:
    """Compute an indicator; prints its rows, definitions, sources and (in JSON) the SQL. Its options come from the
    options table (silkscope.indicators.options), as the API's parameters and the compare page's fields do."""
    # The library's checks, the API's too: a bad value is an error naming the option (status 2) before any work.
    given = registry.checked_options(name, options.given(chosen), unread="ignore")
    options.check_period(since, until)
    picked, countries = _scope(partners, country)
    settings = registry.options(partners=picked, countries=countries, since=since, until=until, db=db, **given)
    _print(registry.get(name).run(settings), fmt)


app.command("indicator")(options.with_parameters(indicator, options.parameters(_cli_option, optional=False)))


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

    options.check("lag", lag), options.check("window", window), options.check_period(since, until)
    chosen, countries = _scope(partners, country)
    bundle = visits_model(outcome, chosen, countries, since, until, lag=lag, window=window, db=db)
    _print(bundle, fmt)  # specification, N, reading and caveats print as each section's definitions and notes
