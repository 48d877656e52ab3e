"""Read an article (.txt, .md, .html, .pdf) into the plain text a reader sees; claim offsets index into it."""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from silkscope.claims.html_text import HtmlText
from silkscope.errors import SilkscopeError

MAX_BYTES = 2 * 1024 * 1024
FORMATS = ("text", "markdown", "html", "pdf")
_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".htm": "html"}
_SUFFIXES |= {".html": "html", ".xhtml": "html", ".pdf": "pdf"}


class ReadError(SilkscopeError):
    """An article that cannot be read: names the input, the place and what was expected."""


@dataclass
class Document:
    """`text` is what the user sees (markup stripped, escapes resolved): every claim offset points into it."""

    text: str
    name: str
    fmt: str
    title: str | None = None
    url: str | None = None
    published: date | None = None


def sniff(data: bytes, name: str = "") -> str:
    suffix = Path(name).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")) or re.search(rb"<(p|div|body|article|h1)\b", head):
        return "html"
    return "text"


def read_bytes(data: bytes, name: str = "<text>", fmt: str | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    if len(data) > max_bytes:
        raise ReadError(
            f"{name}: input is {len(data):,} bytes; the limit is {max_bytes:,} bytes ({max_bytes / 2**20:.1f} MB). "
            "Check a shorter extract or raise the limit (max_bytes / --max-bytes)."
        )
    fmt = fmt or sniff(data, name)
    if fmt not in FORMATS:
        raise ReadError(f"{name}: unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if fmt == "pdf":
        text = _pdf_text(data, name)
        title, published = _pdf_info(data)
        return _finish(Document(text, name, fmt, title, None, published))
    raw = _decode(data, name)
    if fmt == "html":
        parser = HtmlText()
        parser.feed(raw)
        parser.close()
        title = parser.h1 or parser.og_title or parser.title
        doc = Document(parser.result(), name, fmt, title, parser.url, _parse_date(parser.date or ""))
        return _finish(doc)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    title = None
    if fmt == "markdown" or _looks_markdown(raw):
        text = markdown_to_text(raw)
        title = _title(raw)
    else:
        text = raw
    return _finish(Document(text, name, fmt, title))


def read_text(text: str, name: str = "<text>", fmt: str | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    return read_bytes(text.encode("utf-8"), name, fmt, max_bytes=max_bytes)


def read_file(path: str | Path, fmt: str | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    p = Path(path)
    if not p.is_file():
        raise ReadError(f"{p}: no such file; expected a .txt, .md, .html or .pdf article")
    size = p.stat().st_size
    if size > max_bytes:  # refuse before reading a huge file into memory
        raise ReadError(
            f"{p}: input is {size:,} bytes; the limit is {max_bytes:,} bytes ({max_bytes / 2**20:.1f} MB). "
            "Check a shorter extract or raise the limit (max_bytes / --max-bytes)."
        )
    return read_bytes(p.read_bytes(), str(p), fmt, max_bytes=max_bytes)


def read_stream(
    stream: io.BufferedIOBase, name: str = "<stdin>", fmt: str | None = None, *, max_bytes: int = MAX_BYTES
):
    data = stream.read(max_bytes + 1)  # one byte over the limit is enough to refuse
    return read_bytes(data, name, fmt, max_bytes=max_bytes)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ReadError(
            f"{name}: line {line}, column {column} (byte {exc.start}): byte 0x{data[exc.start]:02x} is not valid "
            "UTF-8; expected a UTF-8 text, Markdown or HTML file"
        ) from None


# --- Markdown (and markdown-ish .txt exports such as "US\\$2.57" and "[text](#)") ------------------------------
# Every pattern here runs on user text: none may scan from one start to the end of the line and then fail, or each
# start would cost a line (a quadratic: 64 kB of " **a" took 17 s). Link text takes one level of nested brackets
# and no bare "[" (a bare "[" ends it), autolinks stop at "<", and bold is paired by a single left-to-right pass.

_ESCAPE = re.compile(r"\\+([!-/:-@\[-`{-~])")  # runs of backslashes before ASCII punctuation (double-escaped too)
_LINK = re.compile(r"!?\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*+)\]\((?:[^()\s]|\([^()\s]*\))*+(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_EM = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_TITLE = re.compile(r"^\s{0,3}#\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_PLACEHOLDER_BASE = 0xF0000  # Unicode private use plane: escaped characters hide here while markup is stripped


def _looks_markdown(text: str) -> bool:
    return bool(_ESCAPE.search(text) or _LINK.search(text) or re.search(r"^#{1,6} ", text, re.M))


def _heading_text(rest: str) -> str:
    """A heading's words without its closing hashes (what `(.*?)\\s*#*\\s*$` kept, without its backtracking)."""
    return rest.rstrip().rstrip("#").rstrip()


def _title(raw: str) -> str | None:
    for line in raw.split("\n"):
        m = _TITLE.match(line)
        if m and _heading_text(m.group(1)):
            return markdown_to_text(_heading_text(m.group(1)))
    return None


def _strip_strong(line: str) -> str:
    """`**words**` and `__words__` -> words, as `(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1` would, in linear time: the
    closing delimiter is looked up among the closers (a delimiter after a non-space) instead of scanned for."""
    if "**" not in line and "__" not in line:
        return line
    closers: dict[str, list[int]] = {"**": [], "__": []}
    for delim, found in closers.items():
        at = line.find(delim, 1)
        while at >= 0:
            if not line[at - 1].isspace():
                found.append(at)
            at = line.find(delim, at + 1)
    out, last, i, n = [], 0, 0, len(line)
    while i < n - 2:
        delim = line[i : i + 2]
        if delim in closers and not line[i + 2].isspace():
            found = closers[delim]
            k = bisect_left(found, i + 3)  # the words are one character or more
            if k < len(found):
                out += [line[last:i], line[i + 2 : found[k]]]
                i = last = found[k] + 2
                continue
        i += 1
    out.append(line[last:])
    return "".join(out)


def markdown_to_text(source: str) -> str:
    """Strip Markdown markup, keeping the words a reader sees: link text, emphasised text, escaped characters."""
    out = []
    for line in source.split("\n"):
        if _FENCE.match(line):
            continue
        line = _ESCAPE.sub(lambda m: chr(_PLACEHOLDER_BASE + ord(m.group(1))), line)
        heading = _HEADING.match(line)
        if heading:
            line = _heading_text(heading.group(1))
        line = re.sub(r"^\s{0,3}>\s?", "", line)
        line = _LINK.sub(lambda m: m.group(1), line)
        line = _AUTOLINK.sub(lambda m: m.group(1), line)
        line = _strip_strong(line)
        line = _EM.sub(lambda m: m.group(1) or m.group(2), line)
        out.append(re.sub("[\U000f0000-\U000f007f]", lambda m: chr(ord(m.group()) - _PLACEHOLDER_BASE), line))
    return "\n".join(out)


# --- PDF ---------------------------------------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ReadError(f"{name}: not a readable PDF ({exc}); expected a PDF with a text layer") from None
    text = "\n\n".join(p.strip() for p in pages)
    # A word hyphenated across a line break is one word to the reader.
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    if not text.strip():
        raise ReadError(f"{name}: the PDF has no text layer (a scan?); expected a PDF with selectable text")
    return text


def _pdf_info(data: bytes) -> tuple[str | None, date | None]:
    """The PDF's own metadata: /Title, and /CreationDate as the publication date (a dateline or header in the text,
    read by `_finish`, is preferred to it)."""
    from pypdf import PdfReader

    try:
        info = PdfReader(io.BytesIO(data)).metadata
        title = (info.title or "").strip() if info else ""
        created = info.creation_date if info else None
    except Exception:  # metadata is optional: a PDF whose text reads but whose /Info does not
        return None, None
    return title or None, created.date() if created else None


# --- Metadata ----------------------------------------------------------------------------------------------------

# A metadata header line as the development set's files open: `Published: 2006-08-28 | Title: ... | URL: ...`.
HEADER = re.compile(r"\A\s*(?P<line>(?:Published|Date)\s*:[^\n]*\|[^\n]*)(?:\n|\Z)", re.I)
# A dateline opening the body: "DUSHANBE, November 12, 2012, Asia-Plus --" or "Tashkent, Uzbekistan, Nov. 2".
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Za-z'.-]+(?:\s[A-Z][A-Za-z'.-]+)?,\s+(?:[A-Z][a-z]+,\s+)?(?P<date>[^,\n]{3,30},?\s*(?:19|20)\d\d)\b"
)


def header_end(text: str) -> int:
    """Offset where a leading metadata header line ends (0 when the text has none): the line is metadata, not
    article text, so no claim is read from it."""
    m = HEADER.match(text)
    return m.end("line") if m else 0


def _header_fields(text: str) -> dict[str, str]:
    m = HEADER.match(text)
    if not m:
        return {}
    fields = {}
    for part in m.group("line").split(" | "):
        key, sep, value = part.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


_MONTHS = "january february march april may june july august september october november december".split()  # noqa: SIM905
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
    re.compile(r"\b(?P<d>\d{1,2})\s+(?P<mn>[A-Z][a-z]+)\.?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<mn>[A-Z][a-z]+)\.?\s+(?P<d>\d{1,2}),\s*(?P<y>(?:19|20)\d\d)\b"),
]


def _parse_date(value: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        m = pattern.search(value)
        if not m:
            continue
        try:
            month = int(m.group("m")) if "m" in m.groupdict() else None
        except (IndexError, TypeError):
            month = None
        if month is None:
            word = m.group("mn").lower()
            month = next((i + 1 for i, full in enumerate(_MONTHS) if full.startswith(word[:3])), None)
        if month is None:
            continue
        try:
            return date(int(m.group("y")), month, int(m.group("d")))
        except ValueError:
            continue
    return _dateparser_date(value)


def _dateparser_date(value: str) -> date | None:
    """Other spellings of a full date ("Nov. 2, 2015", "2015/11/02", "Monday 28th Aug 2006") by dateparser; only a
    short string that names a year is tried, so a sentence is never read as a date."""
    value = value.strip()
    if len(value) > 40 or not re.search(r"\b(?:19|20)\d\d\b", value):
        return None
    from silkscope.claims.dates import parser

    found = parser("past").get_date_data(value)
    return found.date_obj.date() if found and found.date_obj and found.period == "day" else None


def _finish(doc: Document) -> Document:
    """Fill title, publication date and URL from a metadata header line, then from the opening lines (a date line or
    a dateline), where the markup did not give them. A header line wins over the markup and the PDF's metadata."""
    fields = _header_fields(doc.text)
    if fields:
        doc.published = _parse_date(fields.get("published") or fields.get("date") or "") or doc.published
        doc.title = re.sub(r"\s*\((?:title|headline)\b[^)]*\)\s*$", "", fields.get("title", "")) or doc.title
        doc.url = fields.get("url") or doc.url
    lines = [ln.strip() for ln in doc.text[header_end(doc.text) :].split("\n") if ln.strip()]
    head = lines[:15]
    if doc.published is None or (doc.fmt == "pdf" and not fields):
        for line in head:
            dateline = _DATELINE.match(line)
            if len(line) <= 60 or re.match(r"(?i)(published|date|posted|updated|last updated)\b", line) or dateline:
                found = _parse_date(dateline.group("date") if dateline else line)
                if found:
                    doc.published = found
                    break
    if doc.title is None:
        # A title stands alone: a one-line paragraph near the top, not a wrapped line of body text.
        alone = [p.strip() for p in re.split(r"\n\s*\n", doc.text) if p.strip() and "\n" not in p.strip()]
        candidates = [
            ln
            for ln in alone[:12]
            if 3 <= len(ln.split()) <= 20
            and not ln.endswith((".", ",", ";"))
            and not ln.isupper()
            and not re.match(r"(?i)(by|published|date|posted)\b", ln)
            and not _parse_date(ln)
        ]
        if candidates:
            doc.title = max(candidates, key=lambda ln: len(ln.split()))
    if doc.url is None:
        m = re.search(r"(?i)url of this article:?\s*<?(https?://[^\s>]+)", doc.text)
        if m:
            doc.url = m.group(1)
    return doc
