"""Run a connector: fetch its files, then parse and harmonise them in one transaction with provenance rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from silkscope import warehouse
from silkscope.analysis.materialise import materialise
from silkscope.fetch import ByteProgress, ContentError, FetchedFile, FetchError
from silkscope.sources import plausible
from silkscope.sources.base import Connector, require_files
from silkscope.sources.registry import CONNECTORS, available, get_connector  # noqa: F401  (CONNECTORS: re-exported)

Step = Callable[[str], None]


@dataclass
class IngestReport:
    connector: str
    changed: bool
    source_ids: list[str]
    row_counts: dict[str, int] = field(default_factory=dict)
    edition: str | None = None


def fetch_source(
    name: str,
    *,
    mirror: Path | None = None,
    cache_dir: Path | None = None,
    refresh: bool = False,
    progress: ByteProgress | None = None,
) -> list[FetchedFile]:
    connector = get_connector(name)
    return connector.fetch_files(cache_dir=cache_dir, mirror=mirror, refresh=refresh, progress=progress)


def source_id_for(connector: Connector, file: FetchedFile) -> str:
    """Content-addressed: the same bytes always get the same id, so a re-ingest is recognisably a repeat."""
    return f"{connector.name}_{file.sha256[:12]}"


def ingest(
    name: str, files: list[FetchedFile], db: str | Path | None = None, *, step: Step | None = None
) -> IngestReport:
    """Parse `files` into raw.*, harmonise into core.*, record provenance — all in one transaction.

    Re-ingesting the same bytes is a no-op. A different edition replaces the connector's core rows and marks the
    older sources superseded (their provenance rows stay). Any error rolls everything back.
    """
    say = step or (lambda _msg: None)
    connector = get_connector(name)
    require_files(files)  # before any reader opens them: one located error for a folder given as a file
    ids = {f.remote.name: source_id_for(connector, f) for f in files}
    con = warehouse.connect(db)
    try:
        current = {
            r[0]
            for r in con.execute(
                "SELECT source_id FROM core.sources WHERE loaded_by = ? AND superseded_at IS NULL", [name]
            ).fetchall()
        }
        if current == set(ids.values()):
            return IngestReport(name, False, sorted(ids.values()), _counts(con, connector, ids))
        with warehouse.transaction(con):
            say(f"{name}: parsing {len(files)} file(s) into raw")
            connector.load_raw(con, files)
            if connector.duplicate_rows == "error":
                plausible.check_duplicates(con, name, ids, files)
            edition = connector.edition(con, files)
            say(f"{name}: replacing earlier rows")
            for table in connector.core_tables:
                con.execute(
                    f"DELETE FROM {table} WHERE source_id IN (SELECT source_id FROM core.sources WHERE loaded_by = ?)",
                    [name],
                )
            now = datetime.now(UTC)
            con.execute(
                "UPDATE core.sources SET superseded_at = ? WHERE loaded_by = ? AND superseded_at IS NULL "
                "AND NOT list_contains(?, source_id)",
                [now, name, list(ids.values())],
            )
            con.execute(
                "UPDATE core.sources SET superseded_at = NULL WHERE list_contains(?, source_id)", [list(ids.values())]
            )
            for file in files:
                _record_source(con, connector, file, ids[file.remote.name], connector.file_edition(file, edition), now)
            say(f"{name}: harmonising into core")
            connector.harmonise(con, ids)
            plausible.check_values(con, connector.core_tables, ids, files)  # NaN, inf, 1e308: located, rolled back
            say(f"{name}: materialising out.*")
            materialise(con)  # derived tables change in the same transaction as the facts
        con.execute("CHECKPOINT")
        return IngestReport(name, True, sorted(ids.values()), _counts(con, connector, ids), edition)
    finally:
        con.close()


def _record_source(
    con: duckdb.DuckDBPyConnection,
    connector: Connector,
    file: FetchedFile,
    source_id: str,
    edition: str | None,
    now: datetime,
) -> None:
    con.execute(
        """INSERT INTO core.sources (source_id, kind, publisher, title, url, licence, accessed, retrieved_at,
               sha256, version, citation, loaded_by, superseded_at)
           VALUES (?, 'dataset', ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL)
           ON CONFLICT (source_id) DO NOTHING""",
        [
            source_id,
            connector.publisher,
            f"{connector.title}: {file.remote.name}",
            file.remote.full_url,
            connector.licence,
            file.retrieved_at or now,
            file.sha256,
            edition,
            f"{connector.citation} File {file.remote.name}, sha256 {file.sha256[:12]}, retrieved "
            f"{(file.retrieved_at or now).date().isoformat()} from {file.remote.full_url}.",
            connector.name,
        ],
    )


def _counts(con: duckdb.DuckDBPyConnection, connector: Connector, ids: dict[str, str]) -> dict[str, int]:
    counts = {}
    for table in connector.core_tables:
        counts[table] = con.execute(
            f"SELECT count(*) FROM {table} WHERE list_contains(?, source_id)", [list(ids.values())]
        ).fetchone()[0]
    return counts


# Left out of a bare `silkscope update` (name them with --only): GDELT 2.0 is 96 files a day, and its events
# overlap GDELT 1.0's after 2015-02-19, so both together would double-count.
NOT_IN_DEFAULT_UPDATE = {"gdelt2"}


@dataclass
class Skipped:
    connector: str
    reason: str


def update(
    names: list[str] | None = None,
    *,
    db: str | Path | None = None,
    mirror: Path | None = None,
    cache_dir: Path | None = None,
    refresh: bool = False,
    step: Step | None = None,
) -> list[IngestReport | Skipped]:
    """Fetch and ingest every available connector (or the named ones), one transaction each.

    With a mirror, a connector whose files are not in it is skipped and reported, not fatal: an air-gapped
    analyst carries in what they have. Named connectors must succeed. A file that is in the mirror but is not
    what it should be (ContentError) always stops the update: it is a mistake to fix, not a file to do without.
    """
    results: list[IngestReport | Skipped] = []
    for name in names or [n for n in available() if n not in NOT_IN_DEFAULT_UPDATE]:
        try:
            files = fetch_source(name, mirror=mirror, cache_dir=cache_dir, refresh=refresh)
        except FetchError as exc:
            if names or isinstance(exc, ContentError):
                raise
            results.append(Skipped(name, str(exc)))
            continue
        results.append(ingest(name, files, db, step=step))
    return results
