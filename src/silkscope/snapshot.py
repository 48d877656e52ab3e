"""The embedded default snapshot: publisher rows in silkscope's scope, built from a mirror, shipped as Parquet.

`build_snapshot` runs the connectors on publisher files into a scratch warehouse and writes the rows in scope (the
five states with any partner; context indicators of the five and the tracked partners) to one Parquet file per
core table, plus a manifest naming, for every input file, its publisher, URL, licence, edition, sha256 and the rows
kept. Only sources whose licence permits redistribution go in (LICENCES below, with the reason for each).

`load_snapshot` puts those rows into a warehouse inside the caller's transaction (`silkscope build` does so with
the reference pack). Snapshot sources get their own source_id (`<original>_snapshot`) and `loaded_by` = the
connector, so `silkscope update` of that connector supersedes them exactly like an older edition: their rows go,
both provenance rows stay.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from silkscope import warehouse
from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.errors import InputError, Problem, SilkscopeError

SNAPSHOT_PACKAGE = "silkscope.snapshot_data"
MANIFEST = "manifest.json"
SUFFIX = "_snapshot"  # snapshot source ids: '<connector>_<sha12>_snapshot'
FORMAT_VERSION = 1

# Connector -> (redistribution allowed?, the reason). Connectors absent here stay out ("licence not reviewed").
# WDI and Eurostat are CC BY 4.0 (the World Bank's and Eurostat's reuse policies); attribution travels with every
# row through core.sources.
LICENCES: dict[str, tuple[bool, str]] = {
    "wdi_ddf": (
        True,
        "CC BY 4.0: World Bank WDI terms of use (open data, attribution); Open Numbers republishes WDI under the "
        "same terms",
    ),
    "eurostat_comext": (True, "CC BY 4.0: Eurostat reuse policy (Commission Decision 2011/833/EU), attribution"),
    "kg_nsc": (
        True,
        "CC BY: stated for these tables in the dataset notes of the repository the mirror copy came from "
        "(mary-lev/eu-export-sanctions); the National Statistical Committee publishes them as open data",
    ),
    "wdi": (
        False,
        "CC BY 4.0, but left out as superseded: the same series come in from a newer WDI edition (wdi_ddf, data "
        "to 2024), and two editions of one series are never mixed",
    ),
    "kz_bns": (False, "licence not stated in the file or the mirror; stat.gov.kz terms not verified"),
    "uz_stat": (False, "licence not stated in the file or the mirror; stat.uz open-data terms not verified"),
    "rosstat": (False, "licence not stated in the file or the mirror; rosstat.gov.ru terms not verified"),
    "aiddata_flows": (
        False,
        "licence not stated in the mirror copy (a third-party repository); AidData terms unverified",
    ),
    "aiddata_china": (
        False,
        "licence not stated in the mirror copy (a third-party repository); AidData terms unverified",
    ),
    "aiddata_china_geo": (
        False,
        "licence not stated in the mirror copy (a third-party repository); AidData terms unverified",
    ),
    "aiddata_diplomacy": (
        False,
        "licence not stated in the mirror copy (a third-party repository); AidData terms unverified",
    ),
    "chinavitae": (False, "scraped from China Vitae's pages; no licence for redistribution"),
}
# Connectors run in this order: the exchange-rate series (WDI) before the trade that it converts.
ORDER = ("wdi_ddf", "wdi", "eurostat_comext", "kg_nsc", "kz_bns", "uz_stat", "rosstat")

# Core tables the snapshot carries, and which rows are in scope. `{c5}` and `{context}` are SQL lists.
SCOPE_SQL = {
    "core.finance_flows": "country_iso3 IN {region} OR group_id IS NOT NULL",
    "core.trade_flows": "country_iso3 IN {region} OR group_id IS NOT NULL",
    "core.investments": "country_iso3 IN {region} OR group_id IS NOT NULL",
    "core.indicators": "country_iso3 IN {context}",
    "core.leader_engagements": "counterpart_iso3 IN {c5}",
    "core.news_events": "actor1_iso3 IN {c5} OR actor2_iso3 IN {c5}",
}
# Context indicators (GDP, FDI inflows, exchange rates) are kept for the five, the partners and the DAC donors the
# snapshot carries (DEU's official exchange rate is the euro's, which converts Eurostat's EUR values).
CONTEXT_COUNTRIES = (*C5, *DEFAULT_PARTNERS, "DEU", "FRA", "GBR")
# Finance, trade and investment rows are kept for the five and the South Caucasus: articles state totals for
# "Central Asia and the Caucasus" (the group C5_CAUCASUS), which need the three Caucasus states' rows.
REGION = (*C5, "ARM", "AZE", "GEO")


@dataclass
class SnapshotReport:
    out_dir: Path
    manifest: dict[str, Any]


def snapshot_dir() -> Path:
    """The packaged snapshot folder."""
    return Path(str(resources.files(SNAPSHOT_PACKAGE)))


def read_manifest(folder: Path | None = None) -> dict[str, Any] | None:
    path = (folder or snapshot_dir()) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError([Problem(str(path), 0, "(file)", "the snapshot manifest (JSON)", str(exc)[:200])]) from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise InputError(
            [Problem(str(path), 0, "format", f"snapshot format {FORMAT_VERSION}", str(manifest.get("format")))]
        )
    return manifest


def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def build_snapshot(mirror: Path, out_dir: Path | None = None, *, say=lambda _m: None) -> SnapshotReport:
    """Run every connector with files in `mirror`, keep the licensed ones' rows in scope, write Parquet + manifest."""
    from silkscope.ingest import available, fetch_source, get_connector, ingest

    mirror = Path(mirror)
    if not mirror.is_dir():
        raise SilkscopeError(f"--mirror {mirror}: not a folder")
    out_dir = Path(out_dir) if out_dir else snapshot_dir()
    scratch = Path(tempfile.mkdtemp(prefix="silkscope_snapshot_"))
    try:
        db = scratch / "scratch.duckdb"
        warehouse.connect(db).close()
        inputs: list[dict[str, Any]] = []
        included: dict[str, str] = {}  # source_id -> connector
        installed = available()
        names = [n for n in ORDER if n in installed] + sorted(n for n in installed if n not in ORDER)
        for name in names:
            allowed, reason = LICENCES.get(name, (False, "licence not reviewed for the snapshot"))
            try:
                files = fetch_source(name, mirror=mirror, cache_dir=scratch / "cache")
            except SilkscopeError:
                continue  # no file of this connector in the mirror
            connector = get_connector(name)
            entries = {
                f.remote.name: {
                    "connector": name,
                    "file": f.remote.name,
                    "publisher": connector.publisher,
                    "title": connector.title,
                    "url": f.remote.full_url,
                    "licence": connector.licence,
                    "included": allowed,
                    "reason": reason,
                    "sha256": f.sha256,
                    "edition": None,
                    "rows_kept": {},
                }
                for f in files
            }
            if allowed:
                say(f"{name}: loading {len(files)} file(s)")
                ingest(name, files, db)
                with duckdb.connect(str(db), read_only=True) as con:
                    for source_id, file_name, version in con.execute(
                        "SELECT source_id, split_part(title, ': ', -1), version FROM core.sources "
                        "WHERE loaded_by = ? AND superseded_at IS NULL",
                        [name],
                    ).fetchall():
                        included[source_id] = name
                        if file_name in entries:
                            entries[file_name]["edition"] = version
                            entries[file_name]["source_id"] = source_id + SUFFIX
            else:
                say(f"{name}: left out ({reason})")
            inputs += [entries[k] for k in sorted(entries)]
        tables = _export(db, out_dir, included, inputs)
        # the inputs and the rows silkscope's connectors made of them: the same files read by a connector that now
        # stores more (a state's total trade row) are a new edition, which `silkscope build` loads again
        made = [f"{table}:{entry['sha256']}" for table, entry in sorted(tables.items())]
        read = sorted(e["sha256"] for e in inputs if e["included"])
        edition = hashlib.sha256("".join(read + made).encode()).hexdigest()
        manifest = {
            "format": FORMAT_VERSION,
            "edition": edition[:12],
            "scope": {
                "rows": "finance, trade and investment of the five Central Asian states and the South Caucasus with "
                "any partner; context indicators of " + ", ".join(CONTEXT_COUNTRIES),
                "built_by": "silkscope snapshot build --mirror DIR",
            },
            "inputs": inputs,
            "tables": tables,
        }
        _stamp_edition(out_dir, manifest)
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        return SnapshotReport(out_dir, manifest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _export(db: Path, out_dir: Path, included: dict[str, str], inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """One Parquet per table, rows ordered, source ids renamed; deterministic for the same inputs and DuckDB."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.parquet"):
        old.unlink()
    ids = _sql_list(tuple(sorted(included))).replace("(", "[").replace(")", "]")
    rename = f"list_transform(source_ids, x -> CASE WHEN list_contains({ids}, x) THEN x || '{SUFFIX}' ELSE x END)"
    tables: dict[str, Any] = {}
    by_source = {e["source_id"]: e for e in inputs if e.get("source_id")}
    with duckdb.connect(str(db)) as con:
        con.execute("SET threads = 1")  # one writer thread: the same row groups every time
        con.execute("CREATE TEMP TABLE _snap_ids (source_id VARCHAR)")
        if included:
            con.executemany("INSERT INTO _snap_ids VALUES (?)", [(i,) for i in sorted(included)])
        selections = {"core.sources": (_sources_sql(), None)}
        for table, where in SCOPE_SQL.items():
            scope = where.format(c5=_sql_list(C5), region=_sql_list(REGION), context=_sql_list(CONTEXT_COUNTRIES))
            rows = f"FROM {table} WHERE source_id IN (SELECT source_id FROM _snap_ids) AND ({scope})"
            sql = f"SELECT * REPLACE (source_id || '{SUFFIX}' AS source_id, {rename} AS source_ids) {rows} ORDER BY ALL"
            selections[table] = (sql, rows)
        for table, (sql, rows) in selections.items():
            count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            if not count:
                continue
            path = out_dir / f"{table.split('.')[1]}.parquet"
            con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
            tables[table] = {"file": path.name, "rows": count, "sha256": warehouse.file_sha256(path)}
            if rows:
                for sid, n in con.execute(f"SELECT source_id, count(*) {rows} GROUP BY 1").fetchall():
                    entry = by_source.get(sid + SUFFIX)
                    if entry is not None:
                        entry["rows_kept"][table] = n
    return tables


def _sources_sql() -> str:
    # retrieved_at says when the scratch load ran: dropped, so that the same inputs give the same bytes
    return f"""SELECT * REPLACE (source_id || '{SUFFIX}' AS source_id, NULL::TIMESTAMP AS retrieved_at,
                   title || ' (silkscope snapshot)' AS title,
                   regexp_replace(citation, ', retrieved [0-9-]+ from ', ' from ')
                       || ' Via the silkscope embedded snapshot.' AS citation)
               FROM core.sources WHERE source_id IN (SELECT source_id FROM _snap_ids) ORDER BY source_id"""


def _stamp_edition(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Name the snapshot edition in every snapshot source's version and citation (the Parquet is rewritten)."""
    path = out_dir / "sources.parquet"
    if not path.exists():
        return
    edition = manifest["edition"]
    with duckdb.connect() as con:
        con.execute("SET threads = 1")
        con.execute(
            f"""COPY (SELECT * REPLACE (coalesce(version, '') || ' | snapshot ' || '{edition}' AS version,
                   replace(citation, 'Via the silkscope embedded snapshot.',
                           'Via the silkscope embedded snapshot, edition {edition}.') AS citation)
                FROM read_parquet('{path}') ORDER BY source_id) TO '{path}.tmp' (FORMAT parquet, COMPRESSION zstd)"""
        )
    Path(f"{path}.tmp").replace(path)
    manifest["tables"]["core.sources"]["sha256"] = warehouse.file_sha256(path)


def snapshot_connectors(manifest: dict[str, Any]) -> list[str]:
    return sorted({e["connector"] for e in manifest["inputs"] if e["included"]})


def load_snapshot(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> dict[str, int]:
    """Put the snapshot's rows into the warehouse (inside the caller's transaction); returns rows per table.

    A connector the user has loaded from the publisher (`silkscope update`) keeps those rows: its snapshot rows
    are not put back. Earlier snapshot rows are replaced, so a new snapshot edition never mixes with an old one.
    """
    folder = folder or snapshot_dir()
    manifest = read_manifest(folder)
    unload_snapshot(con)
    if manifest is None:
        return {}
    fresh = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT loaded_by FROM core.sources WHERE superseded_at IS NULL "
            f"AND source_id NOT LIKE '%{SUFFIX}'"
        ).fetchall()
    }
    skip = [c for c in snapshot_connectors(manifest) if c in fresh]
    for entry in manifest["tables"].values():  # every file whole before any row goes in
        path = folder / entry["file"]
        if not path.is_file() or warehouse.file_sha256(path) != entry["sha256"]:
            found = "a different file" if path.is_file() else "no file"
            raise InputError([Problem(str(path), 0, "(file)", f"sha256 {entry['sha256'][:12]} (manifest)", found)])
    counts: dict[str, int] = {}
    sources_file = folder / manifest["tables"]["core.sources"]["file"]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _snap_sources AS SELECT * FROM read_parquet('{sources_file}') "
        "WHERE NOT list_contains(?, loaded_by)",
        [skip],
    )
    for table, entry in sorted(manifest["tables"].items()):
        path = folder / entry["file"]
        source = "_snap_sources" if table == "core.sources" else f"read_parquet('{path}')"
        where = "" if table == "core.sources" else "WHERE source_id IN (SELECT source_id FROM _snap_sources)"
        columns = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        cols = ", ".join(f'"{c}"' for c in columns)
        verb = "INSERT OR REPLACE" if table == "core.sources" else "INSERT"
        con.execute(f"{verb} INTO {table} ({cols}) SELECT {cols} FROM {source} {where}")
        counts[table] = con.execute(f"SELECT count(*) FROM {source} {where}").fetchone()[0]
    con.execute("DROP TABLE _snap_sources")
    warehouse.set_meta(con, "snapshot_edition", manifest["edition"])
    return counts


def unload_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every snapshot row that is still current (superseded snapshot provenance rows stay)."""
    current = f"SELECT source_id FROM core.sources WHERE source_id LIKE '%{SUFFIX}' AND superseded_at IS NULL"
    for table in SCOPE_SQL:
        con.execute(f"DELETE FROM {table} WHERE source_id IN ({current})")
    con.execute(f"DELETE FROM core.sources WHERE source_id IN ({current})")
    con.execute("DELETE FROM core.meta WHERE key = 'snapshot_edition'")
