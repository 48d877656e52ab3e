"""The claim checker as the API and pages use it: imported lazily, so silkscope serves without it (503 then)."""

from __future__ import annotations

import importlib
import inspect
import io
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from silkscope.errors import SilkscopeError
from silkscope.result import dumps

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 500_000
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
VERDICTS = ("supported", "contradicted", "imprecise", "unverifiable", "not_checkable")


class ClaimsUnavailableError(SilkscopeError):
    def __init__(self, why: str = ""):
        super().__init__("claim checker not installed" + (f" ({why})" if why else ""))


class TooLargeError(SilkscopeError):
    pass


@dataclass
class Checked:
    text: str  # the plain text the claims' start/end offsets point into
    payload: dict[str, Any]  # Report.to_dict(), the documented JSON contract
    report: Any  # the Report object itself (for its own HTML rendering, when it has one)


def module() -> Any:
    try:
        mod = importlib.import_module("silkscope.claims")
    except ImportError as exc:
        raise ClaimsUnavailableError(str(exc)) from None
    if not callable(getattr(mod, "check_text", None)):
        raise ClaimsUnavailableError("silkscope.claims has no check_text")
    return mod


def available() -> bool:
    try:
        module()
    except ClaimsUnavailableError:
        return False
    return True


def _call(fn: Any, first: Any, **given: Any) -> Any:
    """Pass only the keyword arguments the checker's function declares (db, con, max_bytes)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return fn(first, **{k: v for k, v in given.items() if v is not None})
    return fn(first, **{k: v for k, v in given.items() if k in params and v is not None})


def _checked(report: Any, fallback_text: str) -> Checked:
    payload = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    # Offsets point into the text the checker read (HTML and PDF become plain text first).
    text = payload.get("text") or getattr(getattr(report, "document", None), "text", None) or fallback_text
    return Checked(text, payload, report)


def check_text(text: str, *, db: Path, con: Any = None, max_chars: int = MAX_TEXT_CHARS) -> Checked:
    if not text or not text.strip():
        raise SilkscopeError("text: expected the article's text, got nothing")
    if len(text) > max_chars:
        raise TooLargeError(f"text: {len(text):,} characters is over the limit of {max_chars:,}")
    mod = module()
    return _checked(_call(mod.check_text, text, db=db, con=con), text)


def check_upload(
    data: bytes, filename: str, *, db: Path, con: Any = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> Checked:
    name = Path(filename or "upload.txt").name
    suffix = Path(name).suffix.lower() or ".txt"
    if suffix not in SUFFIXES:
        raise SilkscopeError(f"file {name!r}: expected one of {', '.join(SUFFIXES)}, got {suffix!r}")
    if len(data) > max_bytes:
        raise TooLargeError(f"file {name!r}: {len(data):,} bytes is over the limit of {max_bytes:,}")
    mod = module()
    read_bytes, check_document = getattr(mod, "read_bytes", None), getattr(mod, "check_document", None)
    if callable(read_bytes) and callable(check_document):
        # The checker's own readers keep offsets into the text a reader sees, and name the file as uploaded (a
        # temporary copy would put the server's temp path into the error messages).
        doc = _call(read_bytes, data, name=name, fmt=None if Path(name).suffix else "text", max_bytes=max_bytes)
        return _checked(_call(check_document, doc, db=db, con=con), "")
    return check_text(plain_text(data, name, suffix), db=db, con=con)


def check_text_json(text: str, *, db: Path, con: Any = None, max_chars: int = MAX_TEXT_CHARS) -> bytes:
    """check_text's answer as the JSON body the API sends: serialised where it was computed (a worker process), so
    the server only passes bytes on (a long article's report is megabytes of JSON)."""
    return dumps(check_text(text, db=db, con=con, max_chars=max_chars).payload)


def check_upload_json(
    data: bytes, filename: str, *, db: Path, con: Any = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> bytes:
    return dumps(check_upload(data, filename, db=db, con=con, max_bytes=max_bytes).payload)


def plain_text(data: bytes, name: str, suffix: str) -> str:
    """Text of an upload when the checker has no reader of its own: UTF-8 text, HTML text nodes, a PDF text layer."""
    if suffix == ".pdf":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            return "\n\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        except (PdfReadError, ValueError, KeyError) as exc:
            raise SilkscopeError(f"file {name!r}: not a readable PDF ({exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SilkscopeError(f"file {name!r}: expected UTF-8 text; byte {exc.start} is not valid UTF-8") from None
    if suffix in (".html", ".htm"):
        parser = _Text()
        parser.feed(text)
        return "".join(parser.parts)
    return text


class _Text(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "template"})
    _BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def segments(text: str, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain runs and claim runs (by start/end offsets) for highlighting; overlaps are skipped."""
    out: list[dict[str, Any]] = []
    pos = 0
    spans = sorted(
        (
            (int(c.get("start") or 0), int(c.get("end") or 0), i)
            for i, c in enumerate(claims)
            if isinstance(c.get("start"), int) and isinstance(c.get("end"), int)
        ),
        key=lambda s: (s[0], -s[1]),
    )
    for start, end, index in spans:
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            out.append({"text": text[pos:start]})
        verdict = claims[index].get("verdict")
        out.append({"text": text[start:end], "claim": index, "verdict": verdict if verdict in VERDICTS else "other"})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def counts(claims: list[dict[str, Any]]) -> dict[str, int]:
    tally = dict.fromkeys(VERDICTS, 0)
    for c in claims:
        if c.get("verdict") in tally:
            tally[c["verdict"]] += 1
    return tally
