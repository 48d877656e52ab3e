"""`silkscope serve` and `silkscope brief`: the dashboard/API server and exportable briefs (mounted by cli/main.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from silkscope.cli.common import DbOption

app = typer.Typer(add_completion=False, help="Serve the dashboard and API; export briefs.")
err = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on (127.0.0.1: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", min=1, max=65535)] = 8000,
    db: DbOption = None,
    workers: Annotated[
        int,
        typer.Option(min=0, max=32, help="processes for claim checks, model fits and indicators (0: in the server)"),
    ] = min(2, os.cpu_count() or 1),
) -> None:
    """Build the warehouse if it is missing, then serve the dashboard and the REST API (read-only unless
    $SILKSCOPE_API_TOKEN is set)."""
    import uvicorn

    from silkscope import warehouse
    from silkscope.build import build
    from silkscope.server import create_app

    path = warehouse.resolve_path(db)
    if not path.exists():
        err.print(f"no warehouse at {path}: building it from the reference pack")
        build(path)
    application = create_app(path, warm=True, workers=workers)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"silkscope dashboard: http://{shown}:{port}/   API: http://{shown}:{port}/docs   (Ctrl+C stops)")
    if application.state.token:
        err.print("write endpoints are on (an API token is configured)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def brief(
    country: Annotated[str, typer.Option("--country", help="a Central Asian country or C5")],
    out: Annotated[Path, typer.Option("--out", "-o", help="brief.pdf or brief.html")],
    partners: Annotated[str | None, typer.Option("--partners", "-p", help="e.g. JPN,KOR,CHN")] = None,
    since: Annotated[int | None, typer.Option(help="first year")] = None,
    until: Annotated[int | None, typer.Option(help="last year")] = None,
    db: DbOption = None,
) -> None:
    """A 2–4 page brief (PDF or HTML, by the file name) with key figures, charts, the visits timeline, sources."""
    from silkscope.briefs.brief import write_brief

    with err.status(f"making {out}"):
        path = write_brief(out, country, partners, since, until, db=db)
    err.print(f"[green]brief written[/green]: {path}")
