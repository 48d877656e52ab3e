"""`silkscope snapshot`: build the embedded default snapshot from publisher files, or show what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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
    """One block per connector (fits 80 columns): in or out, files, rows kept, licence and the reason."""
    size = sum(p.stat().st_size for p in Path(folder).glob("*.parquet"))
    console.print(f"snapshot {manifest['edition']} in {folder}: {size / 1e6:.2f} MB")
    for table, entry in sorted(manifest["tables"].items()):
        console.print(f"  {table:<24} {entry['rows']:>7,} rows  {entry['file']}")
    by_connector: dict[str, list[dict]] = {}
    for e in manifest["inputs"]:
        by_connector.setdefault(e["connector"], []).append(e)
    for name, entries in by_connector.items():
        first = entries[0]
        kept = sum(sum(e["rows_kept"].values()) for e in entries)
        verdict = "[green]in[/green] " if first["included"] else "[yellow]out[/yellow]"
        console.print(f"{verdict} {name}: {len(entries)} file(s), {kept:,} rows kept; {first['publisher']}")
        console.print(f"     licence: {first['licence'] or 'not stated'}", highlight=False)
        console.print(f"     decision: {first['reason']}", highlight=False)
