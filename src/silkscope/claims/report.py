"""The claim report: the JSON contract, Markdown, a terminal text (tally, then one block per claim in 80 columns), a
wide table and (via report_html) a one-file HTML page."""

from __future__ import annotations

import html
import io
import json
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from silkscope.claims.checks.base import VERDICTS, Check
from silkscope.claims.extract import Claim
from silkscope.claims.reader import Document

CONTRACT_VERSION = 1
RENDER_FORMATS = ("text", "table", "json", "markdown", "html")


@dataclass
class CheckedClaim:
    claim: Claim
    check: Check

    def to_dict(self) -> dict[str, Any]:
        c, k = self.claim, self.check
        return {
            "id": c.id,
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "type": c.type,
            "entities": c.entities,
            "period": c.period,
            "value": c.value,
            "unit": c.unit,
            "verdict": k.verdict,
            "evidence": [e.to_dict() for e in k.evidence],
            "explanation": k.explanation,
            # Additions to the contract (consumers ignore fields they do not know):
            "qualifier": c.qualifier,
            "subtype": c.subtype,
            "partners": c.partners,
            "scope": c.scope,
            "hosts": c.hosts,
            "person": c.person,
            "format_id": c.format_id,
            "indicator": c.indicator,
            "tolerance": k.tolerance,
            "needs": k.needs,
            "mark": k.mark,  # e.g. "arithmetic holds": a qualifier shown beside the verdict
        }


@dataclass
class Report:
    document: Document
    claims: list[CheckedClaim]
    as_of: int
    warehouse: str
    connectors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    _sources: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.check.verdict for c in self.claims)
        return {v: counts.get(v, 0) for v in VERDICTS}

    @property
    def sources(self) -> list[dict[str, Any]]:
        """Every source the evidence cites, in order of first citation (numbered in Markdown and HTML)."""
        seen: list[str] = []
        for c in self.claims:
            for e in c.check.evidence:
                if e.source_id and e.source_id != "article" and e.source_id not in seen:
                    seen.append(e.source_id)
        out = []
        for i, sid in enumerate(seen, 1):
            s = self._sources.get(sid, {})
            out.append(
                {"number": i, "source_id": sid, **{k: s.get(k) for k in ("publisher", "title", "url", "citation")}}
            )
        return out

    def count(self, verdict: str) -> int:
        return self.summary.get(verdict, 0)

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        return {
            "version": CONTRACT_VERSION,
            "document": {
                "name": doc.name,
                "format": doc.fmt,
                "title": doc.title,
                "url": doc.url,
                "published": doc.published,
                "characters": len(doc.text),
            },
            "as_of": self.as_of,
            "summary": self.summary,
            "claims": [c.to_dict() for c in self.claims],
            "sources": self.sources,
            "warehouse": {"path": self.warehouse, "connectors": self.connectors},
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=_json_default)

    def to_markdown(self) -> str:
        """Markdown in which the article's text and the data's are text, never markup: a `<script>` in an article or a
        `[link](javascript:...)` reads as written instead of running in a Markdown viewer."""
        from silkscope.claims.report_html import web_url

        numbers = {s["source_id"]: s["number"] for s in self.sources}
        doc = self.document
        lines = [f"# Claim check: {_md(doc.title or doc.name)}", ""]
        meta = [f"source file {_md(doc.name)}", f"claims checked as of {self.as_of}"]
        if doc.url:
            url = web_url(doc.url)
            meta.append(f"<{url}>" if url and not set(url) & set("<> ") else _md(doc.url))
        lines += ["; ".join(meta), "", _summary_line(self.summary), ""]
        for c in self.claims:
            cl, k = c.claim, c.check
            lines += [
                f"## {cl.id}. {k.verdict.replace('_', ' ')}{f' ({_md(k.mark)})' if k.mark else ''} — {_md(cl.type)}",
                "",
                f"> {_md(cl.text)}",
                "",
                _md(k.explanation),
                "",
            ]
            if k.evidence:
                lines += ["| role | value | unit | period | definition | source |", "|---|---|---|---|---|---|"]
                for e in k.evidence:
                    src = f"[{numbers[e.source_id]}]" if e.source_id in numbers else (e.source_id or "")
                    row = [e.role, _cell(e.value), e.unit or "", _cell(e.period), e.definition, src]
                    lines.append("| " + " | ".join(_md(x) for x in row) + " |")
                queries = list(dict.fromkeys(e.query for e in k.evidence))
                lines += ["", "<details><summary>query</summary>", ""]
                lines += [_fenced(q, "sql") for q in queries]
                lines += ["", "</details>", ""]
        lines += ["## Sources", ""]
        for s in self.sources:
            lines.append(f"{s['number']}. {_md(s.get('citation') or s.get('title') or s['source_id'])}")
        return "\n".join(lines) + "\n"

    def to_text(self, width: int = 80) -> str:
        """For a terminal: the verdict tally first, then one block per claim (verdict, claim, why, the evidence that
        decided it, its sources), wrapped to `width` columns; the sources listed at the end."""
        doc, numbers = self.document, {s["source_id"]: s["number"] for s in self.sources}
        wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ", break_long_words=True)
        head = doc.title or doc.name
        when = f"published {doc.published}; " if doc.published else ""
        lines = textwrap.wrap(f"Claim check: {head}", width) + textwrap.wrap(
            f"{doc.name} ({when}claims read as of {self.as_of})", width
        )
        counts = self.summary
        tally = " · ".join(f"{n} {v.replace('_', ' ')}" for v, n in counts.items())
        lines += ["", *textwrap.wrap(f"{len(self.claims)} claims: {tally}", width), ""]
        for c in self.claims:
            cl, k = c.claim, c.check
            verdict = k.verdict.replace("_", " ").upper() + (f" ({k.mark})" if k.mark else "")
            lines.append(f"{cl.id:<4}{verdict} · {cl.type}"[:width])
            lines += wrap.wrap(f"“{cl.text}”")
            lines += wrap.wrap(k.explanation)
            basis = [e for e in k.evidence if e.role in {"basis", "absence"}][:2] or k.evidence[:1]
            for e in basis:
                cite = f" [{numbers[e.source_id]}]" if e.source_id in numbers else ""
                shown = "" if e.value is None else f"{_cell(e.value)} {e.unit or ''}".strip() + ": "
                lines += textwrap.wrap(
                    f"{shown}{e.definition}{cite}", width, initial_indent="    - ", subsequent_indent="      "
                )
            lines.append("")
        if self.sources:
            lines.append("Sources:")
            for s in self.sources:
                text = s.get("citation") or s.get("title") or s["source_id"]
                cited = f"[{s['number']}] {text}"
                lines += textwrap.wrap(cited, width, initial_indent="  ", subsequent_indent="      ")
        return "\n".join(lines) + "\n"

    def to_table(self, width: int = 140) -> str:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{self.document.title or self.document.name} (as of {self.as_of})", expand=True)
        for col, kw in (
            ("#", {"width": 4}),
            ("verdict", {"width": 13}),
            ("type", {"width": 13}),
            ("claim", {"ratio": 3}),
            ("explanation", {"ratio": 4}),
            ("sources", {"width": 9}),
        ):
            table.add_column(col, overflow="fold", **kw)
        styles = {"supported": "green", "contradicted": "red", "imprecise": "yellow", "unverifiable": "blue"}
        numbers = {s["source_id"]: s["number"] for s in self.sources}
        for c in self.claims:
            v = c.check.verdict
            cited = sorted({numbers[e.source_id] for e in c.check.evidence if e.source_id in numbers})
            refs = " ".join(f"[{n}]" for n in cited[:6]) or ("the text" if v in {"supported", "contradicted"} else "")
            shown = v + (f" ({c.check.mark})" if c.check.mark else "")
            row = [c.claim.id, f"[{styles.get(v, 'dim')}]{shown}[/]", c.claim.type, c.claim.text, c.check.explanation]
            table.add_row(*row, refs.replace("[", "\\["))
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
        console.print(table)
        console.print(_summary_line(self.summary))
        if self.sources:
            console.print("Sources:")
            for s in self.sources:
                console.print(
                    f"  [{s['number']}] {s.get('citation') or s.get('title') or s['source_id']}", markup=False
                )
        return buffer.getvalue()

    def to_html(self) -> str:
        from silkscope.claims.report_html import render_html

        return render_html(self)

    def render(self, fmt: str) -> str:
        if fmt not in RENDER_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(RENDER_FORMATS)}")
        renderers = {"json": self.to_json, "markdown": self.to_markdown, "html": self.to_html, "table": self.to_table}
        return {**renderers, "text": self.to_text}[fmt]()


def _summary_line(summary: dict[str, int]) -> str:
    return ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in summary.items() if n) or "no claims found"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list):
        return "–".join(str(v) for v in value)
    return str(value)


# Characters Markdown or the HTML inside it would read as markup: backslash-escaped (HTML's three as entities).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def _md(text: Any) -> str:
    """Text for one Markdown line or table cell: markup characters escaped, HTML inert, line breaks as spaces."""
    text = html.escape(str(text), quote=False).replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _fenced(code: str, lang: str) -> str:
    """A code block whose fence is longer than any run of backticks inside it (a run could close a shorter one)."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{code}\n{fence}"


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
