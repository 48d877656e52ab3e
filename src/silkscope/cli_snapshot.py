"""`silkscope snapshot`: build the embedded default snapshot from publisher files, or show what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

snapshot_app = typer.Typer(no_args_is_help=True, help="The embedded default snapshot of publisher data.")
err = Console(stderr=True)
console = Console()


@snapshot_app.command("build")
def build(
    mirror: Annotated[Path, typer.Option("--mirror", help="folder of publisher files laid out like ../shared/data")],
    out: Annotated[Path | None, typer.Option("--out", help="where to write (default: the packaged snapshot)")] = None,
) -> None:
    """Run the connectors on the mirror's files and write the licensed rows in scope as Parquet + manifest."""
    from silkscope.snapshot import build_snapshot

    with err.status("building the snapshot") as status:
        report = build_snapshot(mirror, out, say=lambda msg: status.update(msg))
    _print(report.manifest, report.out_dir)


@snapshot_app.command("show")
def show(
    folder: Annotated[Path | None, typer.Option("--dir", help="snapshot folder (default: the packaged one)")] = None,
) -> None:
    """The snapshot's edition, tables, and every input with its licence decision."""
    from silkscope.snapshot import read_manifest, snapshot_dir

    manifest = read_manifest(folder)
    if manifest is None:
        err.print("no snapshot in " + str(folder or snapshot_dir()))
        raise typer.Exit(1)
    _print(manifest, folder or snapshot_dir())


def _print(manifest: dict, folder: Path) -> None:
    size = sum(p.stat().st_size for p in Path(folder).glob("*.parquet"))
    console.print(f"snapshot {manifest['edition']} in {folder}: {size / 1e6:.2f} MB")
    for table, entry in sorted(manifest["tables"].items()):
        console.print(f"  {table:<24} {entry['rows']:>7,} rows  {entry['file']}")
    grid = Table("connector", "file", "in", "rows kept", "licence / reason", show_lines=False)
    for e in manifest["inputs"]:
        kept = sum(e["rows_kept"].values())
        grid.add_row(e["connector"], e["file"], "yes" if e["included"] else "no", f"{kept:,}", e["reason"])
    console.print(grid)
