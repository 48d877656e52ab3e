"""The `silkscope` command: thin wrappers over library functions; no logic of its own."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from silkscope import views
from silkscope.build import build as build_warehouse
from silkscope.cli.common import DbOption, Format, FormatOption, PartnersOption, SinceOption, UntilOption
from silkscope.errors import SilkscopeError
from silkscope.indicators.registry import check_period  # the years the API accepts, with the API's message
from silkscope.render import print_bundle, print_result

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Measure, compare and check how outside powers engage Central Asia.",
)
console = Console()
err = Console(stderr=True)


@app.command()
def build(
    db: DbOption = None,
    pack: Annotated[Path | None, typer.Option(help="reference pack folder (default: the packaged one)")] = None,
    force: Annotated[bool, typer.Option(help="reload even if the pack is unchanged")] = False,
    snapshot: Annotated[
        bool, typer.Option("--snapshot/--no-snapshot", help="also load the embedded snapshot of publisher data")
    ] = True,
) -> None:
    """Load the reference pack and the embedded publisher snapshot in one transaction (a no-op when unchanged)."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("building", total=1)

        def step(description: str, done: int, total: int) -> None:
            progress.update(task, description=description, completed=done, total=max(total, 1))

        report = build_warehouse(db, pack_dir=pack, progress=step, force=force, snapshot=snapshot)
    verb = "built" if report.changed else "already up to date (no change)"
    snap = f", snapshot {report.snapshot_edition}" if report.snapshot_edition else ", no snapshot"
    err.print(f"[green]warehouse {verb}[/green]: {report.db_path}  (reference pack {report.digest[:12]}{snap})")
    # what the build itself loads: rows a connector loaded since (`silkscope update`) are not counted here
    err.print("  from the reference pack:")
    for table, count in sorted(report.row_counts.items()):
        unsourced = report.unsourced.get(table, 0)
        flag = f", {unsourced} unsourced" if unsourced else ""
        err.print(f"  {table:<28} {count:>6} rows{flag}")
    if report.snapshot_rows:
        err.print("  from the embedded snapshot:")
    for table, count in sorted(report.snapshot_rows.items()):
        err.print(f"  {table:<28} {count:>6} rows")


@app.command()
def profile(
    country: Annotated[str, typer.Argument(help="country or group, e.g. UZB, Uzbekistan, C5")],
    partners: PartnersOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Each partner's engagement with a country: visits, formats, presence, finance, trade, with sources."""
    check_period(since, until)
    print_bundle(views.profile(country, partners, since, until, db=db), fmt.value, console)


@app.command()
def timeline(
    partner: Annotated[str | None, typer.Option("--partner", help="e.g. JPN")] = None,
    country: Annotated[str | None, typer.Option("--country", help="e.g. KAZ or C5")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    leaders_only: Annotated[bool, typer.Option(help="head of state/government only")] = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Dated visits, summits and dialogue meetings, oldest first."""
    check_period(since, until)
    print_result(views.timeline(partner, country, since, until, leaders_only=leaders_only, db=db), fmt.value, console)


@app.command()
def compare(
    country: Annotated[str, typer.Option("--country", help="country or group")] = "C5",
    partners: PartnersOption = None,
    indicator: Annotated[str, typer.Option(help=f"one of: {', '.join(views.INDICATORS)}")] = "all",
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Partners side by side on one indicator over a period."""
    check_period(since, until)
    print_result(views.compare(country, partners, indicator, since, until, db=db), fmt.value, console)


@app.command("trade-partners")
def trade_partners(
    country: Annotated[str, typer.Argument(help="country or group, e.g. KAZ or C5")] = "C5",
    since: SinceOption = None,
    until: UntilOption = None,
    top: Annotated[int, typer.Option(help="partners per state and year", min=1, max=50)] = 5,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Each state's largest trading partners by year: its own statistics where loaded, else partners' reports."""
    check_period(since, until)
    print_result(views.trade_partners(country, since, until, top, db=db), fmt.value, console)


@app.command()
def context(
    country: Annotated[str, typer.Argument(help="country or group, e.g. KAZ or C5")] = "C5",
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """GDP, FDI net inflows and ODA received by state and year (World Bank WDI), with the latest year published."""
    check_period(since, until)
    print_result(views.context(country, since, until, db=db), fmt.value, console)


@app.command()
def sources(
    kind: Annotated[str | None, typer.Option(help="only this kind, e.g. official, news, publication")] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Every source with its provenance (publisher, URL, licence, checksum) and how many rows cite it."""
    print_result(views.sources(kind, db=db), fmt.value, console)


MirrorOption = Annotated[
    Path | None, typer.Option("--mirror", help="take files from this folder instead of the publisher (air-gapped use)")
]
CacheOption = Annotated[Path | None, typer.Option("--cache", help="download cache (default: $SILKSCOPE_CACHE)")]


def _byte_progress(progress: Progress):
    tasks: dict[str, int] = {}

    def update(name: str, done: int, total: int | None) -> None:
        if name not in tasks:
            tasks[name] = progress.add_task(f"downloading {name}", total=total)
        progress.update(tasks[name], completed=done, total=total)

    return update


@app.command()
def fetch(
    source: Annotated[str, typer.Argument(help="connector name; see `silkscope sources-available`")],
    mirror: MirrorOption = None,
    cache: CacheOption = None,
    refresh: Annotated[bool, typer.Option(help="download again even if cached")] = False,
) -> None:
    """Download a source's files into the checksummed cache (or copy them from --mirror)."""
    from silkscope.ingest import fetch_source

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err) as progress:
        files = fetch_source(source, mirror=mirror, cache_dir=cache, refresh=refresh, progress=_byte_progress(progress))
    for f in files:
        err.print(f"{f.remote.name}: {f.size:,} bytes, sha256 {f.sha256[:16]}..., from {f.origin}  ({f.path})")


@app.command()
def ingest(
    source: Annotated[str, typer.Argument(help="connector name")],
    mirror: MirrorOption = None,
    cache: CacheOption = None,
    db: DbOption = None,
) -> None:
    """Fetch (cache or --mirror) and load a source into raw.* and core.* in one transaction."""
    from silkscope.ingest import fetch_source
    from silkscope.ingest import ingest as run_ingest

    with err.status(f"ingesting {source}") as status:
        files = fetch_source(source, mirror=mirror, cache_dir=cache)
        report = run_ingest(source, files, db, step=lambda msg: status.update(msg))
    _print_ingest(report)


def _print_ingest(report) -> None:
    verb = "loaded" if report.changed else "already loaded (no change)"
    counts = ", ".join(f"{t}: {n:,}" for t, n in report.row_counts.items())
    edition = f", edition {report.edition}" if report.edition else ""
    err.print(f"[green]{report.connector}[/green] {verb}{edition}: {counts}  sources {', '.join(report.source_ids)}")


@app.command()
def update(
    only: Annotated[str | None, typer.Option(help="comma-separated connector names (default: all)")] = None,
    mirror: MirrorOption = None,
    cache: CacheOption = None,
    db: DbOption = None,
) -> None:
    """Build the reference pack, then fetch and ingest every source (skipping those absent from --mirror)."""
    from silkscope.ingest import Skipped
    from silkscope.ingest import update as run_update

    build_warehouse(db)
    names = [n.strip() for n in only.split(",")] if only else None
    with err.status("updating") as status:
        results = run_update(names, db=db, mirror=mirror, cache_dir=cache, step=lambda msg: status.update(msg))
    for result in results:
        if isinstance(result, Skipped):
            err.print(f"[yellow]{result.connector} skipped[/yellow]: {result.reason}", markup=True, highlight=False)
        else:
            _print_ingest(result)


@app.command("sources-available")
def sources_available() -> None:
    """Connectors this installation can fetch and ingest."""
    from silkscope.ingest import available, get_connector

    for name in available():
        c = get_connector(name)
        console.print(f"{name}\t{c.publisher}\t{c.title}\t{c.licence}")


@app.command()
def resolve(names: Annotated[list[str], typer.Argument(help="country names or codes")]) -> None:
    """Resolve names, aliases and codes to ISO3 (errors list near matches)."""
    from silkscope.countries import name
    from silkscope.countries import resolve as resolve_one

    for value in names:
        iso3 = resolve_one(value)
        console.print(f"{value}\t{iso3}\t{name(iso3)}")


def _mount() -> None:
    """Commands whose modules live beside their layer (web, claims, indicators): thin wrappers all the same."""
    from silkscope.cli import indicators, web
    from silkscope.cli.check import check as check_command
    from silkscope.cli.snapshot import snapshot_app

    app.command("serve")(web.serve)
    app.command("brief")(web.brief)
    app.command("check")(check_command)
    app.command("indicator")(indicators.indicator)
    app.command("indicators")(indicators.list_indicators)
    app.add_typer(indicators.model_app, name="model")
    app.add_typer(snapshot_app, name="snapshot")


_mount()


# Exit status of the console script (docs/claims.md and the README say the same):
EXIT_OK = 0  # done
EXIT_FOUND = 1  # `check --fail-on` found a claim with that verdict or a worse one (or a prompt was aborted)
EXIT_USAGE = 2  # bad arguments, or an input the user can fix (file, country, option value, warehouse): `error: ...`
EXIT_INTERRUPTED = 130  # Ctrl+C in a command (typer's status for KeyboardInterrupt; `serve` stops cleanly with 0)


def _error(message: str) -> None:
    # soft_wrap: one line whatever the terminal's width (rich would break it at 80 columns in a pipe)
    err.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def main() -> None:
    """The `silkscope` console script: runs the command and exits with its status (see EXIT_*), never a traceback
    for an error the user can cause."""
    try:
        code = app(standalone_mode=False)  # returns the status a command exits with (typer.Exit) instead of exiting
    except SilkscopeError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(EXIT_FOUND)
    except OSError as exc:  # a path the user gave (--output, --out, --db's folder) that cannot be written or read
        _error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        sys.exit(EXIT_USAGE)
    except Exception as exc:
        # Usage errors (bad option values) come from typer's bundled click; they know how to show themselves.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
