"""A country brief: key figures, charts, the visits timeline and the sources, as HTML and as a 2–4 page PDF.

It renders the library's country profile (silkscope.profiles.country.brief), the same answer the dashboard's
country page shows; charts are inline SVG drawn by vl-convert, and WeasyPrint is given a URL fetcher that refuses
the network, so a brief is made fully offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from silkscope import warehouse
from silkscope.errors import SilkscopeError
from silkscope.figures import templating
from silkscope.figures.style import partner_name
from silkscope.profiles import country as profile

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
MAX_TIMELINE_ROWS = 20  # keeps the brief within four pages; the rest is in the API and the dashboard


@dataclass
class Brief:
    title: str
    html: str

    def pdf(self) -> bytes:
        from weasyprint import HTML

        return HTML(string=self.html, url_fetcher=_offline_fetcher).write_pdf()


def _offline_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"briefs are made offline: refusing to fetch {url}")


@cache
def environment() -> Environment:
    return templating.environment([TEMPLATES_DIR])


def make_brief(
    country: str,
    partners: str | list[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    con: Any = None,
    db: str | Path | None = None,
) -> Brief:
    """The brief for one country (or C5) and its partners."""
    own = None
    if con is None:
        own = con = warehouse.connect(db, read_only=True)
    try:
        context = profile.brief(con, country, partners, since, until, max_events=MAX_TIMELINE_ROWS)
    finally:
        if own is not None:
            own.close()
    title = f"{context['title']} and {', '.join(partner_name(p) for p in context['partners'])}"
    html = (
        environment()
        .get_template("brief.html")
        .render(
            **{**context, "title": title},
            css=(TEMPLATES_DIR / "brief.css").read_text(encoding="utf-8"),
            made=datetime.now(UTC).strftime("%d %B %Y"),
            numbers={s["source_id"]: i for i, s in enumerate(context["sources"], start=1)},
        )
    )
    return Brief(title, html)


def write_brief(
    out: str | Path,
    country: str,
    partners: str | list[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    *,
    db: str | Path | None = None,
) -> Path:
    """Write the brief as PDF or HTML, chosen by the file's suffix."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise SilkscopeError(f"--out {out}: expected a file name ending in .pdf or .html")
    brief = make_brief(country, partners, since, until, db=db)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        path.write_bytes(brief.pdf())
    else:
        path.write_text(brief.html, encoding="utf-8")
    return path
