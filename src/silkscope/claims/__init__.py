"""The claim checker: read an article, extract its claims, check each against the warehouse with evidence."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from silkscope import warehouse
from silkscope.claims.checks.base import VERDICTS
from silkscope.claims.extract import Claim, extract
from silkscope.claims.plan import Context
from silkscope.claims.reader import MAX_BYTES, Document, ReadError, read_bytes, read_file, read_text
from silkscope.claims.report import CheckedClaim, Report
from silkscope.claims.verify import verify

__all__ = [
    "MAX_BYTES",
    "VERDICTS",
    "CheckedClaim",
    "Claim",
    "Document",
    "ReadError",
    "Report",
    "check_document",
    "check_file",
    "check_text",
    "extract",
    "read_bytes",
    "read_file",
    "read_text",
]


Progress = Callable[[str, int, int], None]  # (step, done, total); total 0: not known yet


@contextmanager
def _connection(con: duckdb.DuckDBPyConnection | None, db: str | Path | None) -> Iterator[tuple[object, str]]:
    if con is not None:
        yield con, "<connection>"
        return
    path = warehouse.resolve_path(db)
    own = warehouse.connect(path, read_only=True)
    try:
        yield own, str(path)
    finally:
        own.close()


def check_document(
    doc: Document,
    *,
    db: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    as_of: int | None = None,
    progress: Progress | None = None,
) -> Report:
    """Extract every claim of `doc` and verify it. `as_of` defaults to the article's publication year. `progress`
    hears (step, done, total) as the work goes: total 0 while claims are being found, then one call per claim."""
    started = time.perf_counter()
    say = progress or (lambda step, done, total: None)
    year = as_of or (doc.published.year if doc.published else None)
    with _connection(con, db) as (c, where):
        _name_formats(c)
        say(f"finding claims in {len(doc.text):,} characters", 0, 0)
        claims = extract(doc.text, as_of=year, published=doc.published)
        ctx = Context.open(c, doc, claims, year)  # type: ignore[arg-type]
        # A check reads its claim's siblings in the same sentence or paragraph (a change's endpoints, a count's
        # kinds, a poll's earlier shares); giving it that paragraph's claims, not the article's, keeps the cost
        # linear in the article's length (every change claim scanning every claim: 50 MB took over 600 s).
        paragraphs: dict[int, list[Claim]] = {}
        for claim in claims:
            paragraphs.setdefault(claim.paragraph, []).append(claim)
        checked = []
        for done, claim in enumerate(claims, 1):
            ctx.claims = paragraphs[claim.paragraph]
            checked.append(CheckedClaim(claim, verify(claim, ctx)))
            say("checking claims", done, len(claims))
        ctx.claims = claims
    return Report(
        doc, checked, ctx.as_of, where, sorted(ctx.connectors), time.perf_counter() - started, _sources=ctx.sources
    )


def _name_formats(con) -> None:
    """The dialogue formats of this warehouse name formats in the text (with the alias list)."""
    from silkscope.analysis.records import statement
    from silkscope.claims.entities import use_formats

    with suppress(duckdb.Error):  # an older warehouse without the table: the reference pack's formats stand in
        use_formats(con.execute(statement("format_names")[0]).fetchall())


def check_text(
    text: str,
    *,
    db: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    fmt: str | None = None,
    name: str = "<text>",
    as_of: int | None = None,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
) -> Report:
    """Check an article given as a string. `fmt`: text, markdown, html (sniffed when None)."""
    doc = read_text(text, name, fmt, max_bytes=max_bytes)
    return check_document(doc, db=db, con=con, as_of=as_of, progress=progress)


def check_file(
    path: str | Path,
    *,
    db: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    fmt: str | None = None,
    as_of: int | None = None,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
) -> Report:
    """Check an article file (.txt, .md, .html, .pdf); inputs over `max_bytes` (default 2 MB) are refused."""
    doc = read_file(path, fmt, max_bytes=max_bytes)
    return check_document(doc, db=db, con=con, as_of=as_of, progress=progress)
