"""`silkscope check FILE|-`: check an article's claims against the warehouse (a thin wrapper over silkscope.claims)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from silkscope.cli.common import DbOption
from silkscope.errors import SilkscopeError

app = typer.Typer(add_completion=False, help="Check the figures and events an article states.")


class CheckFormat(StrEnum):
    text = "text"
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class FailOn(StrEnum):
    contradicted = "contradicted"
    imprecise = "imprecise"
    unverifiable = "unverifiable"


# --fail-on VERDICT: exit 1 when a claim has this verdict or a worse one (contradicted < imprecise < unverifiable).
_SEVERITY = ["contradicted", "imprecise", "unverifiable"]


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on the terminal (stderr), none when stderr is a pipe or a file: a long article takes a while."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None)

        yield update


@app.command()
def check(
    file: Annotated[str, typer.Argument(help="article (.txt, .md, .html, .pdf), or - to read standard input")],
    fmt: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="text (80 columns) or table (wide) for people; json, markdown, html"),
    ] = CheckFormat.text,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="exit with status 1 if any claim has this verdict (or worse)")
    ] = None,
    db: DbOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write the report here instead of stdout")
    ] = None,
    input_format: Annotated[
        str | None, typer.Option("--input-format", help="text, markdown, html or pdf (default: from the name/content)")
    ] = None,
    as_of: Annotated[
        int | None, typer.Option("--as-of", help="year the claims speak of (default: publication)")
    ] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="refuse larger inputs")] = 2 * 1024 * 1024,
) -> None:
    """Extract every checkable claim of an article and give each a verdict with its evidence and sources."""
    from silkscope.claims import check_document
    from silkscope.claims.reader import read_file, read_stream

    try:
        if file == "-":
            doc = read_stream(sys.stdin.buffer, "<stdin>", input_format, max_bytes=max_bytes)
        else:
            doc = read_file(file, input_format, max_bytes=max_bytes)
        with _progress() as progress:
            report = check_document(doc, db=db, as_of=as_of, progress=progress)
    except SilkscopeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    text = report.render(fmt.value)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({len(report.claims)} claims: {report.summary})", err=True)
    else:
        typer.echo(text, nl=not text.endswith("\n"))
    if fail_on is not None:
        worst = _SEVERITY[: _SEVERITY.index(fail_on.value) + 1]
        if any(c.check.verdict in worst for c in report.claims):
            raise typer.Exit(1)


if __name__ == "__main__":
    app()
