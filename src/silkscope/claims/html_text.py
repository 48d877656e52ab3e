"""HTML as the text a reader sees: scripts, styles and navigation dropped, blocks on their own lines; linear time."""

from __future__ import annotations

import re
from html import parser as _html_parser
from html import unescape
from html.parser import HTMLParser

# Meta tags that give the publication date (property, name or itemprop), the first found wins.
_DATE_META = {
    "article:published_time", "og:article:published_time", "article:published", "datepublished", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "dcterms.issued", "citation_publication_date", "citation_date", "pubdate",
    "publish-date", "publication_date", "parsely-pub-date", "sailthru.date",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "canvas", "object", "nav", "form"}
_BLOCK = {"p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote", "ul", "ol", "li"}
_BLOCK |= {"h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "figure", "figcaption", "pre", "hr", "dl", "dt", "dd"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "source", "area", "base", "col", "embed", "param", "track"}


class _WholeDocumentParser(HTMLParser):
    """HTMLParser for a document fed whole: a construct left open runs to the end of the data, in one step.

    Python 3.11's parser gives up on an unterminated tag, comment or declaration and retries from the next "<",
    rescanning to the end each time: quadratic ("<a " * 80,000 took 140 s). Here a failed construct swallows at
    least what was scanned: a start tag with a ">" later (an unclosed quote) becomes text, as before; one without,
    and an unterminated end tag, comment, declaration or processing instruction, hide the rest, as a browser does.
    """

    _TAG = getattr(_html_parser, "locatestarttagend_tolerant", None)  # what parse_starttag scans

    def parse_starttag(self, i: int) -> int:
        k = super().parse_starttag(i)
        if k >= 0:
            return k
        rawdata = self.rawdata
        gt = rawdata.find(">", i + 1)
        if gt < 0 or self._TAG is None:
            return len(rawdata)
        end = max(gt + 1, self._TAG.match(rawdata, i).end())
        self.handle_data(unescape(rawdata[i:end]))
        return end

    def parse_endtag(self, i: int) -> int:
        k = super().parse_endtag(i)
        return k if k >= 0 else len(self.rawdata)

    def parse_comment(self, i: int, report: int = 1) -> int:
        k = super().parse_comment(i, report)
        if k >= 0:
            return k
        self.handle_comment(self.rawdata[i + 4 :])
        return len(self.rawdata)

    def parse_pi(self, i: int) -> int:
        k = super().parse_pi(i)
        return k if k >= 0 else len(self.rawdata)

    def parse_html_declaration(self, i: int) -> int:
        try:
            k = super().parse_html_declaration(i)
        except AssertionError:  # "<![" without a known keyword: a bogus comment to the next ">", as browsers read it
            k = self.parse_bogus_comment(i)
        return k if k >= 0 else len(self.rawdata)


class HtmlText(_WholeDocumentParser):
    """Text as a browser shows it: whitespace collapsed, blocks on their own lines, scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0
        self.title: str | None = None  # the page's <title>; the article's <h1> or og:title win over it
        self.h1: str | None = None
        self.og_title: str | None = None
        self.url: str | None = None
        self.date: str | None = None
        self._in_title = False
        self._h1: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in _DATE_META and not self.date:
                self.date = a.get("content")
            elif key == "og:url" and not self.url:
                self.url = a.get("content")
            elif key == "og:title" and not self.og_title:
                self.og_title = a.get("content")
        elif tag == "link" and a.get("rel", "").lower() == "canonical":
            self.url = self.url or a.get("href")
        elif tag == "time" and a.get("datetime") and not self.date:
            self.date = a["datetime"]
        elif tag == "script" and "ld+json" in a.get("type", "").lower():
            self._ld_json = True  # schema.org metadata: datePublished, headline
        if tag == "title":
            self._in_title = True
        if tag in _SKIP:
            self.skip += tag not in _VOID
            return
        if tag == "h1" and self._h1 is None:
            self._h1 = []
        if tag == "pre":
            self.pre += 1
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "h1" and self._h1 is not None and not self.h1:
            self.h1 = " ".join("".join(self._h1).split()) or None
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if getattr(self, "_ld_json", False):
            self._ld_json = False
            m = re.search(r'"datePublished"\s*:\s*"([^"]{8,40})"', data)
            if m and not self.date:
                self.date = m.group(1)
        if self._in_title and not self.title:
            self.title = " ".join(data.split()) or None
        if self.skip:
            return
        if self._h1 is not None and not self.h1:
            self._h1.append(data)
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))

    def result(self) -> str:
        text = "".join(self.parts)
        if "\n" in text:  # spaces and tabs around each line break go (a regex `[ \t]*\n` rescans runs of spaces)
            first, *middle, last = text.split("\n")
            text = "\n".join([first.rstrip(" \t"), *(ln.strip(" \t") for ln in middle), last.lstrip(" \t")])
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip("\n ")
