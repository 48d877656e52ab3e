"""Split plain text into sentences with offsets, and find the section where the article body ends."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tokens that end with a period but do not end a sentence.
_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "st", "no", "vs", "etc", "approx", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "corp", "gen", "col",
    "sen", "rep", "gov", "pres", "fig", "vol", "pp", "ed", "eds", "al", "cf", "bn", "mn", "u.s.a",
}  # fmt: skip
# Linear on any text: a run of punctuation is tried once, from its first character, and never given back; the
# heading pattern's spaces stop at the line's end (`^\s*` with re.M rescanned every run of blank lines).
_END = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+(?=\s)")
_STOP_HEADING = re.compile(
    r"^[^\S\n]*(?:further reading|references|bibliography|endnotes|footnotes|notes|works cited|related articles|"
    r"read more|about the authors?)[^\S\n]*:?[^\S\n]*$",
    re.I | re.M,
)
_CONTINUES = set("abcdefghijklmnopqrstuvwxyz,;-")  # a line ending so does not end its sentence
_WORD_WINDOW = 64  # longer than any abbreviation: the word before a period is looked for this far back only


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int

    def text(self, full: str) -> str:
        return full[self.start : self.end]


def body_end(text: str) -> int:
    """Offset where the article body ends (a 'Further Reading' or 'References' heading), else the text's end."""
    m = _STOP_HEADING.search(text)
    return m.start() if m else len(text)


def split_sentences(text: str, limit: int | None = None) -> list[Sentence]:
    limit = len(text) if limit is None else limit
    out: list[Sentence] = []
    paragraph = 0
    for block_start, block_end, is_break in _blocks(text[:limit]):
        if is_break:
            paragraph += 1
            continue
        _split_block(text, block_start, block_end, paragraph, out)
    return out


def _blocks(text: str):
    """Paragraph blocks; a blank line inside a sentence (a page break in an export) does not end it."""
    start = 0
    for m in re.finditer(r"\n[ \t]*\n\s*", text):
        # The line before the break (not the whole block so far: a block of many page breaks would be rescanned).
        line_start = text.rfind("\n", start, m.start()) + 1 or start
        last_line = text[line_start : m.start()].rstrip()
        after = text[m.end() : m.end() + 1]
        if len(last_line.split()) >= 4 and last_line[-1] in _CONTINUES and after.islower():
            continue  # the sentence continues after the break (a page break in an export)
        yield start, m.start(), False
        yield m.start(), m.end(), True
        start = m.end()
    yield start, len(text), False


def _split_block(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    # Single newlines end a line-sentence when the text since the last one (stripped) is short and heading-like, or
    # ends with terminal punctuation. Its first and last non-space offsets are kept as lines go by, not rescanned.
    line_start = pos = start
    first = last = -1  # offsets of the first and just past the last non-space character since line_start
    while (nl := text.find("\n", pos, end)) >= 0:
        line = text[pos:nl]
        if not line.isspace() and line:
            if first < 0:
                first = pos + len(line) - len(line.lstrip())
            last = pos + len(line.rstrip())
        nxt = text[nl + 1 : nl + 2]
        if last >= 0 and (text[last - 1] in '.!?:"”' or (last - first < 80 and nxt.isupper())):
            _split_line(text, line_start, nl, paragraph, out)
            line_start, first, last = nl + 1, -1, -1
        pos = nl + 1
    _split_line(text, line_start, end, paragraph, out)


def _split_line(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    seg_start = start
    for m in _END.finditer(text, start, end):
        before = text[max(seg_start, m.start() - _WORD_WINDOW) : m.start()].removesuffix("\n")  # as `(\S+)$` did
        word = before.split()[-1].lower().rstrip(".") if before and not before[-1].isspace() else ""
        nxt = text[m.end() : m.end() + 3].lstrip()
        if text[m.start()] == "." and (word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word)):
            continue
        if nxt and not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"'“‘(["):
            continue
        _add(text, seg_start, m.end(), paragraph, out)
        seg_start = m.end()
    _add(text, seg_start, end, paragraph, out)


def _add(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, paragraph))
