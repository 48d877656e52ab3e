"""Where a publisher's text file stops being readable CSV: bytes that are not UTF-8, or the wrong delimiter.

DuckDB refuses such files with a bare 'CSV Error on Line: N' (not always the right N), or with a sniffing failure
that names no line at all. These helpers read the file again, line by line and streamed, and say which line,
which column and what was wrong, as Problems. One scan (`bad_utf8_lines`) serves every connector; the wording
of each connector's message is kept where its users already know it.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from silkscope.errors import InputError, Problem

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class BadUtf8:
    """One line that does not decode as UTF-8, and where in it the first bad byte sits."""

    line: int  # 1-based
    raw: bytes  # the line as read, line break included
    start: int  # offset in `raw` of the first byte that is not UTF-8
    end: int  # offset just past the bytes that failed to decode
    field: int  # 0-based index of the field holding that byte
    column: str | None  # the header's name for that field; None on the header line or above, or past its end

    @property
    def utf16(self) -> bool:
        """The line looks like UTF-16 text: a byte-order mark, or a NUL among its first bytes."""
        return self.raw.startswith(UTF16_BOMS) or b"\x00" in self.raw[:8]

    def column_or(self, fallback: str) -> str:
        return fallback if self.column is None else self.column


def bad_utf8_lines(
    path: str | Path,
    *,
    delim: str = ",",
    escapechar: str | None = None,
    header: list[str] | None = None,
    header_line: int = 1,
) -> Iterator[BadUtf8]:
    """Each line of `path` that is not UTF-8, in file order, never holding more than one line in memory.

    Fields are split as the csv module splits them (quotes respected). Column names come from `header` when
    given, else from line `header_line` of the file (a UTF-8 byte-order mark dropped).
    """
    names = list(header) if header is not None else []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                # A bare carriage return makes csv.reader raise; it separates no fields, so it is blanked (here and in
                # the header).
                before = raw[: exc.start].decode("utf-8", "replace").replace("\r", " ")
                # csv.reader yields no row at all for an empty string
                fields = next(csv.reader([before], delimiter=delim, escapechar=escapechar), None) if before else None
                field = len(fields) - 1 if fields else 0
                column = names[field] if number > header_line and field < len(names) else None
                yield BadUtf8(number, raw, exc.start, exc.end, field, column)
                continue
            if header is None and number == header_line:
                text = text.lstrip("\ufeff").rstrip("\r\n").replace("\r", " ")
                names = next(csv.reader([text], delimiter=delim, escapechar=escapechar), [])


def first_bad_utf8(path: str | Path, **options) -> BadUtf8 | None:
    """The first line `bad_utf8_lines` yields (same options), or None when the whole file decodes."""
    with closing(bad_utf8_lines(path, **options)) as lines:
        return next(lines, None)


def utf8_problem(path: str | Path, delim: str = ",", escapechar: str | None = None) -> Problem | None:
    """The first line of `path` that is not UTF-8, named with the column it falls in; None if all of it decodes.

    DuckDB reports such a file as a bare 'CSV Error on Line: N' (or, for UTF-16, as a sniffing failure with no
    line at all); this says what is wrong and where.
    """
    bad = first_bad_utf8(path, delim=delim, escapechar=escapechar)
    if bad is None:
        return None
    if bad.utf16:
        expected = "UTF-8 text (this file is UTF-16: save it again as UTF-8 CSV)"
        return Problem(str(path), bad.line, "(file)", expected, f"bytes {bad.raw[:8].hex(' ')}")
    found = bad.raw[max(0, bad.start - 20) : bad.end + 20].decode("utf-8", "backslashreplace").strip()
    expected = "UTF-8 text (was the file saved in another encoding?)"
    return Problem(str(path), bad.line, bad.column_or("(header)"), expected, found)


def utf8_field_problem(path: Path, display: str, delim: str) -> Problem:
    """Where the first byte sequence that is not UTF-8 sits: line, column and the field (run only after DuckDB has
    refused the file, so the scan costs nothing on good input)."""
    bad = first_bad_utf8(path, delim=delim)
    if bad is None:
        return Problem(display, 0, "(file)", "UTF-8 text", "a byte sequence that is not UTF-8")
    separator = delim.encode()
    field = bad.raw.split(separator)[bad.raw[: bad.start].count(separator)].rstrip(b"\r\n")
    want = "UTF-8 text (these bytes look like Latin-1/Windows-1252: re-save the file as UTF-8)"
    column = bad.column_or(f"field {bad.field + 1}")
    return Problem(display, bad.line, column, want, field[:60].decode("utf-8", "backslashreplace"))


def utf16_bom_problem(display: str, first_line: bytes) -> Problem | None:
    """A file whose first line opens with a UTF-16 byte-order mark, as one Problem on line 1; else None."""
    if first_line.startswith(UTF16_BOMS):
        return Problem(display, 1, "(encoding)", "UTF-8 text", "a UTF-16 byte order mark")
    return None


def check_utf8(path: Path, display: str, header: list[str], *, header_line: int = 1, limit: int = 10) -> None:
    """Every line decodes as UTF-8, else up to `limit` located Problems (a UTF-16 file: one, on line 1). Run before
    DuckDB reads the file: DuckDB's own error does not always name the right line."""
    problems: list[Problem] = []
    with closing(bad_utf8_lines(path, header=header, header_line=header_line)) as lines:
        for bad in islice(lines, limit):
            bom = utf16_bom_problem(display, bad.raw) if bad.line == 1 else None
            if bom:
                raise InputError([bom])
            found = bad.raw[max(0, bad.start - 20) : bad.start + 20].decode("utf-8", "replace")
            problems.append(Problem(display, bad.line, bad.column_or("(encoding)"), "UTF-8 text", found))
    if problems:
        raise InputError(problems)


def delimiter_problem(path: str | Path, delim: str = ",") -> Problem | None:
    """A header without the expected delimiter (DuckDB's sniffer then fails with no line): say so, on line 1."""
    with open(path, "rb") as fh:
        header = fh.readline().decode("utf-8", "replace").rstrip("\r\n")
    if delim in header:
        return None
    guess = next((d for d in (";", "\t", "|") if d in header), None)
    hint = f" (it looks separated by {guess!r})" if guess else ""
    return Problem(str(path), 1, "(header)", f"a header with columns separated by {delim!r}{hint}", header[:200])


def separator_problem(
    display: str, line: int, text: str, *, expected: str = "comma-separated values", quote: str = ""
) -> Problem | None:
    """A line of a comma-separated file that is separated by semicolons or tabs instead (how spreadsheets in many
    locales save 'CSV'). With `quote`, only separators between quoted fields count."""
    if f"{quote},{quote}" in text or not (f"{quote};{quote}" in text or f"{quote}\t{quote}" in text):
        return None
    sep = "semicolon" if f"{quote};{quote}" in text else "tab"
    return Problem(display, line, "(delimiter)", f"{expected}, found {sep}-separated", text[:120])


@contextmanager
def csv_located(path: str | Path, delim: str = ",", escapechar: str | None = None) -> Iterator[None]:
    """Around a DuckDB CSV read: when it fails on a file that is not UTF-8 or not `delim`-separated, raise that
    (file, line, column) instead of DuckDB's bare 'CSV Error on Line: N' or line-less sniffing failure."""
    try:
        yield
    except InputError as exc:
        problem = utf8_problem(path, delim, escapechar) or delimiter_problem(path, delim)
        if problem is None:
            raise
        raise InputError([problem]) from exc


@contextmanager
def utf8_located(path: Path, display: str, delim: str) -> Iterator[None]:
    """Around a DuckDB read wrapped in base.located: when DuckDB refused the file over bytes that are not UTF-8,
    raise where they sit (`utf8_field_problem`) instead of DuckDB's message, which names no column."""
    try:
        yield
    except InputError as exc:
        if "unicode" not in str(exc.__cause__).lower():
            raise
        raise InputError([utf8_field_problem(path, display, delim)]) from exc.__cause__
