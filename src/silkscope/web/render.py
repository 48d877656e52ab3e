"""The dashboard's Jinja environment (the shared filters of silkscope.figures.templating, plus the pages' own
globals: links, source numbers, how to load missing data) and its template and static folders."""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from numbers import Number
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup, escape

from silkscope import labels
from silkscope.countries import name as country_name
from silkscope.countries import registry
from silkscope.figures import templating
from silkscope.figures.style import PARTNER_COLOURS, partner_name
from silkscope.formatting import cell_formatter, money
from silkscope.web.assets import IMPORT_MAP

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
HIDDEN = {"source_id", "source_ids", "record", "event_ids", "citation", "citation_status"}


def query_string(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", [])}, doseq=True)


def visible(columns: list[str]) -> list[str]:
    """The columns a reader sees: no provenance plumbing, and a model's `term` only when no `label` says it in words
    (both stay in the CSV and JSON)."""
    worded = "label" in columns
    return [c for c in columns if c not in HIDDEN and not c.startswith("source_id") and not (worded and c == "term")]


def source_numbers(rows: list[dict[str, Any]], sources: list[dict[str, Any]]) -> list[str]:
    numbers = {s["source_id"]: i for i, s in enumerate(sources, start=1)}
    out = []
    for row in rows:
        ids = row.get("source_ids") or ([row["source_id"]] if row.get("source_id") else [])
        out.append(" ".join(f"[{numbers[i]}]" for i in ids if i in numbers))
    return out


# Where each instrument's rows come from: curated in the reference pack, or loaded by connectors.
CURATED = {"visits": "the curated visit timeline", "formats": "the curated dialogue formats",
           "presence": "the curated company-presence counts", "opinion": "the curated opinion polls"}  # fmt: skip
EXTRA_CONNECTORS = {"news": ("gdelt2", "gdelt1")}
# Compare-page indicators (views.INDICATORS) by the instrument whose data they read.
INDICATOR_INSTRUMENTS = {
    "leader_visits": "visits", "inbound_visits": "visits", "leader_engagements": "visits",
    "dialogue_meetings": "formats", "presence": "presence", "finance": "finance", "trade": "trade",
    "investment": "investment", "news_events": "news", "context": "context",
}  # fmt: skip


def connectors_for(instrument: str) -> tuple[list[str], list[str]]:
    """The connector ids (ingest.CONNECTORS) that load an instrument's rows, from the measure catalogue: the first
    connector of each measure, then the alternatives (other editions or publishers of the same rows)."""
    from silkscope.analysis.measures import catalogue

    instrument = INDICATOR_INSTRUMENTS.get(instrument, instrument)
    first: list[str] = list(EXTRA_CONNECTORS.get(instrument, ()))[:1]
    rest: list[str] = list(EXTRA_CONNECTORS.get(instrument, ()))[1:]
    for measure in catalogue().values():
        if measure.instrument == instrument and measure.connectors:
            head, *tail = measure.connectors
            first += [head] if head not in first else []
            rest += [c for c in tail if c not in rest]
    return first, [c for c in rest if c not in first]


def how_to_load(instrument: str) -> Markup:
    """One sentence naming the source an empty table or chart lacks and the command that loads it."""
    instrument = INDICATOR_INSTRUMENTS.get(instrument, instrument)
    if instrument in CURATED:
        return Markup("It comes from {} in the reference pack: load it with <code>silkscope build</code>.").format(
            CURATED[instrument]
        )
    first, rest = connectors_for(instrument)
    if not first:
        return Markup("Load the publisher data with <code>silkscope update</code>.")
    others = Markup("; alternatives: {}").format(", ".join(rest)) if rest else ""
    return Markup(
        "Load it with <code>silkscope update --only {} --mirror DIR</code> (DIR: a folder of publisher files; "
        "without <code>--mirror</code> it downloads{})."
    ).format(",".join(first), others)


def this_page_with(request: Any, param: str, value: str) -> str:
    """This page's address with one query parameter set (repeated parameters, partners=JPN&partners=KOR, kept)."""
    if getattr(request, "query_params", None) is None:
        return ""
    items = [(k, v) for k, v in request.query_params.multi_items() if k != param]
    return f"{request.url.path}?{urlencode([*items, (param, value)])}"


def show_all_url(request: Any, param: str = "all") -> str:
    """This page's address with every row shown (the tables' "show all" link)."""
    return this_page_with(request, param, "1")


SERVER_DRAWN = "charts"  # ?charts=svg: the page with its charts drawn by the server (for browsers without JavaScript)


def server_drawn(request: Any) -> bool:
    query = getattr(request, "query_params", None)  # a template rendered without a request draws in the browser
    return bool(query is not None and query.get(SERVER_DRAWN) == "svg")


def server_drawn_url(request: Any) -> str:
    """This page's address with its charts drawn by the server as SVG."""
    return this_page_with(request, SERVER_DRAWN, "svg")


# Columns holding one country or group code: a reader is told its name ("Kazakhstan", not "KAZ"); CSV keeps codes
PLACE_COLUMNS = {"partner_iso3", "country_iso3", "host_iso3", "reporter_iso3", "visitor_iso3", "donor_iso3",
                 "recipient_iso3", "counterpart_iso3", "leader_iso3"}  # fmt: skip


def table_cells(rows: list[dict[str, Any]], columns: list[str]) -> list[list[tuple[str, str]]]:
    """Each row's cells as (class, text) for the result table (macros.table): classified and formatted here in one
    pass, each column's formatting decided once (formatting.cell_formatter), not by three Jinja tests and a filter
    call on every cell (most of a 50-row table's rendering). A number is aligned ('num'), a date kept on one line
    ('nowrap'), a country code said as its name, a measure or dataset name in words (labels.named), and an amount
    in a row's measure (shares, change) as money when that measure is in US$."""
    formats = [(column, cell_formatter(column), column in labels.NAMING_COLUMNS) for column in columns]
    measured = labels.MEASURED_COLUMNS.intersection(columns)
    out = []
    for row in rows:
        in_money = bool(measured) and labels.row_in_money(row)
        cells = []
        for column, fmt, naming in formats:
            value = row.get(column)
            if column in PLACE_COLUMNS and isinstance(value, str):
                cells.append(("", partner_name(value)))
            elif naming and (said := labels.named(column, value)) is not None:
                cells.append(("", said))
            elif isinstance(value, Number) and not isinstance(value, bool):
                cells.append(("num", money(value) if in_money and column in measured else fmt(value)))
            elif isinstance(value, date):
                cells.append(("nowrap", fmt(value)))
            else:
                cells.append(("", fmt(value)))
        out.append(cells)
    return out


def table_rows(rows: list[dict[str, Any]], columns: list[str], numbers: list[str] | None) -> Markup:
    """The result table's body rows (macros.table) as HTML, joined here: a Jinja loop over every cell (an escape and
    a test each) was half of drawing a 270-row table. `numbers`: each row's source numbers, or None for a table
    without sources."""
    out = []
    for i, cells in enumerate(table_cells(rows, columns)):
        tds = "".join(
            f'<td class="{cls}">{escape(text)}</td>' if cls else f"<td>{escape(text)}</td>" for cls, text in cells
        )
        src = "" if numbers is None else f'<td class="src">{escape(numbers[i])}</td>'
        out.append(f"    <tr>{tds}{src}</tr>\n")
    return Markup("".join(out))


_SOURCE_FIELDS = ("url", "publisher", "title", "licence", "sha256")


def source_items(sources: list[Any]) -> Markup:
    """A source list's items (macros.sources_list), each drawn once per distinct source and reused: the same few
    hundred sources are cited on every page, and drawing their entries through Jinja (six look-ups and escapes
    each) was most of a page's rendering: 8 of the overview's 12 ms. An item has no id: a source cited in several
    sections would repeat it on the page (its one anchor is its row on /sources).

    A whole list is kept too, by the identity of its entries: the lists come from answers the server keeps, so a
    page drawn again, or for another partner beside the same tables, joins no item (reading the five fields of
    the overview's 529 sources again was 2 of its 3 ms of rendering). The entry holds the sources themselves, so
    their identities cannot be reused by other objects while it is kept."""
    key = tuple(map(id, sources))
    kept = _LISTS.get(key)
    if kept is not None:
        return kept[1]
    items = Markup("".join(_source_item(tuple(map(_reader(s), _SOURCE_FIELDS))) for s in sources))
    if len(_LISTS) >= _LISTS_KEPT:
        _LISTS.pop(next(iter(_LISTS)))  # the oldest
    _LISTS[key] = (list(sources), items)
    return items


_LISTS: dict[tuple[int, ...], tuple[list[Any], Markup]] = {}
_LISTS_KEPT = 256


def _reader(source: Any) -> Any:
    # a source row (dict) or record (attributes): a missing field reads as None
    return source.get if isinstance(source, dict) else lambda name: getattr(source, name, None)


@lru_cache(maxsize=4096)
def _source_item(fields: tuple[Any, ...]) -> Markup:
    url, publisher, title, licence, sha256 = (escape(v) if v is not None else "" for v in fields)
    who = Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, publisher) if url else publisher
    item = Markup("    <li>{}:\n      {}").format(who, title)
    if licence:
        item += Markup(' <span class="src">· {}</span>').format(licence)
    if sha256:
        item += Markup(' <span class="src">· sha256 {}</span>').format(fields[4][:12])
    return item + Markup("</li>\n")


def showing_all(request: Any, param: str = "all") -> bool:
    return bool(request is not None and request.query_params.get(param))


def all_blank(rows: list[dict[str, Any]], columns: list[str]) -> bool:
    """True when every row has no value in any column but its keys (an indicator whose data is not loaded)."""
    keys = {"partner", "partner_iso3", "country_iso3", "host_iso3", "reporter_iso3", "year", "scope", "measure"}
    values = [c for c in columns if c not in keys]
    return bool(rows) and bool(values) and all(r.get(c) in (None, "") for r in rows for c in values)


@cache
def environment() -> Environment:
    env = templating.environment([TEMPLATES_DIR])
    env.globals.update(
        query_string=query_string,
        visible=visible,
        source_numbers=source_numbers,
        colours=PARTNER_COLOURS,
        import_map=IMPORT_MAP,
        how_to_load=how_to_load,
        show_all_url=show_all_url,
        showing_all=showing_all,
        server_drawn=server_drawn,
        server_drawn_url=server_drawn_url,
        all_blank=all_blank,
        table_rows=table_rows,
        source_items=source_items,
        c5=lambda: [(i, country_name(i)) for i in registry().groups["C5"].members],
    )
    return env


def compile_templates() -> None:
    """Compile every page template now (the warm-up): Jinja compiles one on its first use, 10-35 ms, which was
    most of the first answer of a page the warm-up does not draw (a table, the search)."""
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
