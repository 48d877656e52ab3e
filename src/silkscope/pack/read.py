"""Read and validate the curated reference pack: every cell checked, every problem located (file:line:column)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from silkscope.errors import InputError, Problem
from silkscope.pack import tables as pack_tables  # the per-file converters, kept apart so this module stays small
from silkscope.pack.base import PACK_PREFIX, Pack, RowReader, problem_at

# csv's default field limit is 128 kB; a curated note or quote may be longer (a whole article excerpt of 1 MB
# loads). The limit stays, raised and bounded: a field larger than this is a broken quote swallowing the rest of
# the file, reported with its line.
FIELD_LIMIT = 16 * 1024 * 1024
# Pack files that may hold a header and no rows. None may today: a header-only events.csv would silently empty the
# timeline, so an empty file is an error naming it unless it is listed here.
MAY_BE_EMPTY: set[str] = set()


def pack_root(pack_dir: str | Path | None = None) -> Traversable:
    return Path(pack_dir) if pack_dir else resources.files("silkscope").joinpath(PACK_PREFIX)


def _rows(
    root: Traversable, name: str, required_columns: Iterable[str], problems: list[Problem], files: dict[str, str]
) -> Iterable[tuple[RowReader, dict[str, str]]]:
    entry = root.joinpath(name)
    label = f"{PACK_PREFIX}/{name}"
    if not entry.is_file():
        problems.append(Problem(label, 0, "(file)", "the file to exist", "missing"))
        return
    data = entry.read_bytes()
    files[name] = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(label, 0, "(file)", "UTF-8 text", f"undecodable byte at offset {exc.start}"))
        return
    if "\x00" in text:
        problems.append(_nul_problem(label, text))
        return
    records = _records(label, text, problems)
    if records is None:
        return
    header = records[0][1] if records else []
    missing = [c for c in required_columns if c not in header]
    if missing:
        problems.append(Problem(label, 1, ",".join(missing), "these columns in the header", ",".join(header)))
        return
    if len(records) < 2 and name not in MAY_BE_EMPTY:
        problems.append(Problem(label, 2, "(file)", "at least one row after the header", "the header only"))
        return
    for line, cells in records[1:]:
        if len(cells) > len(header):  # more cells than header columns: a stray comma or unquoted text
            problems.append(Problem(label, line, "(row)", f"{len(header)} cells", f"{len(cells)}"))
            continue
        row = dict(zip(header, cells, strict=False))  # missing trailing cells read as absent, as DictReader did
        yield RowReader(label, line, row, problems), row


def _records(label: str, text: str, problems: list[Problem]) -> list[tuple[int, list[str]]] | None:
    """(line where the record starts, its cells) for every non-blank record, the header first.

    Lines end only at \n or \r\n (the csv module's own rule; str.splitlines would also split at U+2028, U+2029,
    \x0b, \x1c... inside a quoted field); a quoted field may span lines. None, with a Problem, when the csv
    module gives up (a field over FIELD_LIMIT).
    """
    previous = csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if cells:
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        expected = f"CSV with fields of at most {FIELD_LIMIT:,} characters and balanced quotes"
        problems.append(Problem(label, start, "(row)", expected, str(exc)))
        return None
    finally:
        csv.field_size_limit(previous)
    return records


def _nul_problem(label: str, text: str) -> Problem:
    """Where the first NUL character sits: line, and the header's name for the field (or its position)."""
    at = text.index("\x00")
    line = text.count("\n", 0, at) + 1
    line_start = text.rfind("\n", 0, at) + 1
    position = at - line_start + 1
    header = next(csv.reader([text[: text.find("\n")] if "\n" in text else text]), [])
    before = text[line_start:at].replace("\r", " ")
    field = len(next(csv.reader([before]), [""])) - 1 if before else 0
    column = header[field] if line > 1 and field < len(header) else f"(character {position})"
    return Problem(label, line, column, "text without NUL characters", f"a NUL at character {position} of the line")


def _record(reader: RowReader) -> str:
    return f"{reader.file}:{reader.line}"


def read_pack(pack_dir: str | Path | None = None) -> Pack:
    """Validate every pack file; raise InputError listing all problems, or return rows ready to load."""
    root = pack_root(pack_dir)
    problems: list[Problem] = []
    pack = Pack()
    pack.tables["core.sources"] = sources = []
    for name in sorted(_source_files(root)):
        for reader, _ in _rows(root, name, pack_tables.SOURCE_COLUMNS, problems, pack.files):
            row = pack_tables.source_row(reader)
            if row:
                sources.append(row)
    known = _unique(sources, "source_id", problems)
    for name, table, columns, convert in pack_tables.FACT_FILES:
        rows: list[dict] = []
        for reader, _ in _rows(root, name, columns, problems, pack.files):
            row = convert(reader, known)
            if row is not None:
                row["record"] = _record(reader)
                rows.append(row)
        pack.tables[table] = rows
    pack_tables.cross_checks(pack.tables, problems)
    if problems:
        raise InputError(problems)
    pack.tables["core.event_participants"] = pack_tables.participants(pack.tables["core.events"])
    digest = hashlib.sha256()
    for name in sorted(pack.files):
        digest.update(f"{name}:{pack.files[name]}\n".encode())
    pack.digest = digest.hexdigest()
    return pack


def _source_files(root: Traversable) -> list[str]:
    return [e.name for e in root.iterdir() if e.name.startswith("sources") and e.name.endswith(".csv")]


def _unique(rows: list[dict], key: str, problems: list[Problem]) -> set[str]:
    seen: dict[str, str] = {}
    for row in rows:
        value = row[key]
        if value in seen:
            problems.append(problem_at(row, key, f"a unique id (already used at {seen[value]})", value))
        seen[value] = row["record"]
    return set(seen)
