"""A country brief: key figures, charts, the visits timeline and the sources, as HTML and as a 2–4 page PDF.

Built from the same page builder as the dashboard's country page; charts are inline SVG drawn by vl-convert, and
WeasyPrint is given a URL fetcher that refuses the network, so a brief is made fully offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from silkscope import views, warehouse
from silkscope.countries import registry, resolve_scope
from silkscope.errors import SilkscopeError
from silkscope.result import cited_ids
from silkscope.web import pages
from silkscope.web.render import partner_name, render

HERE = Path(__file__).resolve().parent
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
        scope = country.upper() if country.upper() in registry().groups else ",".join(resolve_scope(country))
        chosen = ",".join(partners) if isinstance(partners, list) else partners
        source = pages.Direct(con)
        context = pages.country(source, scope, chosen, since, until)
        timeline = views.timeline(None, scope, since, until, con=con)
        events: dict[str, dict[str, Any]] = {}
        for lane in context["partners"]:
            for e in pages.lane_events(timeline.rows, lane):
                # A summit with several partners is one event: the first partner's lane keeps it.
                events.setdefault(e["event_id"], e)
        events = sorted(events.values(), key=lambda e: (e["date_start"], e["event_id"]))
        dropped = max(0, len(events) - MAX_TIMELINE_ROWS)
        events = events[-MAX_TIMELINE_ROWS:]
        kept = cited_ids(events)
        cited = [context["summary"].sources, [s for s in timeline.sources if s["source_id"] in kept]]
        cited += [section.sources for section in context["bundle"].sections]
        if context.get("ratios"):
            cited.append(context["ratios"].sources)
    finally:
        if own is not None:
            own.close()
    numbered = _all_sources(cited)
    title = f"{context['title']} and {', '.join(partner_name(p) for p in context['partners'])}"
    context = {**context, "title": title}
    html = render(
        "brief.html",
        css=(HERE / "templates" / "brief.css").read_text(encoding="utf-8"),
        made=datetime.now(UTC).strftime("%d %B %Y"),
        events=events,
        dropped=dropped,
        sources=numbered,
        numbers={s["source_id"]: i for i, s in enumerate(numbered, start=1)},
        **context,
    )
    return Brief(title, html)


def _all_sources(lists: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Sources of the figures shown and of the events listed (not of events the brief leaves out)."""
    seen: dict[str, dict[str, Any]] = {}
    for sources in lists:
        for s in sources:
            seen.setdefault(s["source_id"], s)
    return sorted(seen.values(), key=lambda s: (s.get("publisher") or "", s["source_id"]))


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
