"""Print results for people (Rich tables with numbered source notes) or machines (JSON, CSV).

Tables fit the terminal: numbers, dates and codes are never split across lines, text wraps inside its cell, and
columns that cannot fit are left out by priority and named under the table (never a table split into parts)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from silkscope import formatting, labels
from silkscope.result import Bundle, Result

# Columns that are evidence plumbing: shown as footnote numbers in tables, in full in JSON/CSV.
_HIDDEN_IN_TABLES = {"source_id", "source_ids", "record", "event_ids", "citation"}


def print_result(result: Result, fmt: str, console: Console) -> None:
    if fmt == "json":
        console.print_json(result.to_json(), highlight=False) if console.is_terminal else print(result.to_json())
    elif fmt == "csv":
        print(result.to_csv(), end="")
    else:
        _table(result, console)


def print_bundle(bundle: Bundle, fmt: str, console: Console) -> None:
    if fmt == "json":
        print(bundle.to_json())
    elif fmt == "csv":
        print(bundle.to_csv(), end="")
        return
    else:
        console.rule(Text(bundle.title, style="bold"))
        for note in bundle.notes:
            console.print(Text(f"note: {note}", style="yellow"))
        for section in bundle.sections:
            _table(section, console)


def _definitions_as_notes(result: Result) -> Result:
    """Long per-row definitions become lettered notes under the table, so the table stays readable."""
    if "definition" not in result.columns or not result.rows:
        return result
    letters: dict[str, str] = {}
    rows = []
    for row in result.rows:
        text = row.get("definition")
        if text and text not in letters:
            letters[text] = chr(ord("a") + len(letters)) if len(letters) < 26 else str(len(letters))
        rows.append({**row, "definition": f"({letters[text]})" if text else None})
    notes = {f"({letter})": text for text, letter in letters.items()}
    return Result(
        result.title,
        result.columns,
        rows,
        result.query,
        result.params,
        result.sources,
        {**result.definitions, **notes},
        result.notes,
        result.layout,
    )


def _row_sources(row: dict[str, Any], numbers: dict[str, int]) -> str:
    ids = row.get("source_ids") or ([row["source_id"]] if row.get("source_id") else [])
    return " ".join(f"[{numbers[i]}]" for i in ids if i in numbers)


# Rich draws each column with one space of padding either side and a rule: 3 characters, plus the left edge.
_EDGE, _PER_COLUMN = 1, 3
# Columns that identify a row: kept at every width.
_KEYS = ("partner_iso3", "partner", "country_iso3", "host_iso3", "scope", "year", "instrument", "code", "date_start")
# Columns dropped first when a table is too wide for the terminal (the JSON and CSV keep every column).
_LOW_PRIORITY = (
    "citation_status",
    "url",
    "notes",
    "note",
    "definition",
    "record",
    "edition",
    "version",
    "event_id",
    "date_precision",
    "date_end",
    "trip_id",
    "source_note",
)
# Columns kept longest after the keys: what a row is about, and its source numbers.
_HIGH_PRIORITY = ("title", "name", "visitor_person", "visitor_iso3", "src", "value_usd", "amount_usd", "country_visits")
# A text column may wrap down to this many characters (a number, a date or a code never wraps).
_TEXT_MIN = 12


def _header(column: str) -> str:
    """A column's heading: no _iso3 suffix (the cells are codes), no _usd (the cells say US$), spaces for _."""
    return column.removesuffix("_iso3").replace("_usd", "").replace("_", " ").strip() or column


def _whole(value: Any) -> bool:
    """Values that are never split across lines: numbers, dates, missing values and codes (no spaces)."""
    if isinstance(value, str):
        return " " not in value and len(value) <= 16
    return value is None or isinstance(value, int | float | date)


def _need(header: str, cells: list[tuple[str, bool]]) -> int:
    """The narrowest a column may be: its widest whole value, its longest heading word, and text wrapped at
    _TEXT_MIN (or shorter, when all of its text is shorter)."""
    whole = [len(text) for text, is_whole in cells if is_whole]
    text = [len(text) for text, is_whole in cells if not is_whole]
    return max([max(len(w) for w in header.split()), *whole, min(max(text), _TEXT_MIN) if text else 0])


def _fit(order: list[str], needs: dict[str, int], width: int, keep: set[str]) -> tuple[list[str], list[str]]:
    """The columns (in `order`) that fit `width`, dropping low-priority columns first, then from the right; the
    columns in `keep` are never dropped."""
    kept = list(order)
    droppable = [c for c in order if c not in keep]
    normal = [c for c in reversed(droppable) if c not in _LOW_PRIORITY and c not in _HIGH_PRIORITY]
    high = [c for c in reversed(droppable) if c in _HIGH_PRIORITY]
    victims = [c for c in droppable if c in _LOW_PRIORITY] + normal + high
    dropped: list[str] = []
    while sum(needs[c] + _PER_COLUMN for c in kept) + _EDGE > width and victims:
        victim = victims.pop(0)
        kept.remove(victim)
        dropped.append(victim)
    return kept, [c for c in order if c in dropped]


def _allot(kept: list[str], needs: dict[str, int], natural: dict[str, int], width: int) -> dict[str, int]:
    """Each kept column's width: its need, then the room left shared out (left to right) up to its natural width.
    Fixed widths: Rich then never squeezes a number below its length nor lets the table run past the terminal."""
    widths = {c: needs[c] for c in kept}
    room = width - _EDGE - sum(widths[c] + _PER_COLUMN for c in kept)
    while room > 0:
        growing = [c for c in kept if widths[c] < natural[c]]
        if not growing:
            break
        share = max(room // len(growing), 1)
        for c in growing:
            extra = min(share, natural[c] - widths[c], room)
            widths[c] += extra
            room -= extra
            if room <= 0:
                break
    return widths


def _natural(header: str, cells: list[tuple[str, bool]]) -> int:
    return max([len(header), *[len(text) for text, _ in cells]])


def _dropped_note(dropped: list[str], width: int, what: str = "columns") -> Text | None:
    if not dropped:
        return None
    return Text(
        f"  Not shown at {width} columns: {', '.join(dropped)} ({what} left out to keep numbers and dates whole; "
        "widen the terminal or use --format csv or json for everything).",
        style="yellow",
    )


def _transposed(result: Result, numbers: dict[str, int], width: int) -> tuple[Table, list[str]]:
    """Side-by-side: one column per entity (the first column's values), one row per measure; entities that do not
    fit the terminal are left out and named under the table."""
    key, *measures = [c for c in result.columns if c not in _HIDDEN_IN_TABLES]
    measures = [m for m in measures if m != f"{key}_iso3"]  # the code of the entity already heading its column
    heads = [_fmt(row.get(key)) for row in result.rows]
    labels = [measure.replace("_", " ") for measure in measures] + (["sources"] if numbers else [])
    label_need = min(max(len(t) for t in labels), 18)
    cells = {
        i: [(_fmt(row.get(m), m), _whole(row.get(m))) for m in measures]
        + ([(_row_sources(row, numbers), False)] if numbers else [])
        for i, row in enumerate(result.rows)
    }
    ids = [str(i) for i in range(len(result.rows))]
    needs = {str(i): _need(heads[i], cells[i]) for i in range(len(result.rows))}
    needs["label"] = label_need
    kept, dropped = _fit(["label", *ids], needs, width, {"label", ids[0]} if ids else {"label"})
    natural = {str(i): _natural(heads[i], cells[i]) for i in range(len(result.rows))}
    natural["label"] = max(len(t) for t in labels)
    widths = _allot(kept, needs, natural, width)
    table = Table(title=result.title, title_justify="left", title_style="bold")
    table.add_column("", width=widths["label"], overflow="fold")
    shown = [int(i) for i in kept if i != "label"]
    for i in shown:
        table.add_column(heads[i], width=widths[str(i)], overflow="fold", justify="right")
    for m in range(len(measures)):
        # numbers, dates and codes line up on the right; wrapped text reads from the left
        table.add_row(
            Text(labels[m], style="bold"),
            *[_cell_text(*cells[i][m]) for i in shown],
        )
    if numbers:
        table.add_row(Text("sources", style="dim"), *[Text(cells[i][-1][0], style="dim") for i in shown])
    return table, [heads[int(i)] for i in dropped]


def _cell_text(text: str, whole: bool) -> Text:
    """A side-by-side cell: whole values on the right; text on the left, free to wrap after an en dash ("Korea –
    Central Asia" wraps at the dash rather than in the middle of a word)."""
    if whole:
        return Text(text, justify="right")
    return Text(re.sub(r"(?<=\w)–(?=\w)", " – ", text), justify="left")


def _table(result: Result, console: Console) -> None:
    numbers = {s["source_id"]: i for i, s in enumerate(result.sources, start=1)}
    result = _definitions_as_notes(result)
    width = console.width
    if result.layout == "by_column" and result.rows:
        table, dropped = _transposed(result, numbers, width)
        console.print(table)
        note = _dropped_note(dropped, width, "entities")
        if note:
            console.print(note)
        _footer(result, numbers, console)
        return
    worded = "label" in result.columns  # a model's terms in words: the machine name stays in JSON and CSV
    columns = [c for c in result.columns if c not in _HIDDEN_IN_TABLES and not (worded and c == "term")]
    if not result.rows:
        console.print(Text(f"{result.title}: no rows in the warehouse for this selection", style="dim"))
    else:
        table, dropped = _plain_table(result.title, result.rows, columns, numbers, width)
        console.print(table)
        note = _dropped_note([_header(c) for c in dropped], width)
        if note:
            console.print(note)
    _footer(result, numbers, console)


def _plain_table(
    title: str, rows: list[dict[str, Any]], columns: list[str], numbers: dict[str, int], width: int
) -> tuple[Table, list[str]]:
    """One table that fits `width`: numbers, dates and codes whole (never split across lines), text wrapped inside
    its cell, low-priority and then right-most columns left out (and returned) when they cannot all fit."""
    cells = {c: [(_fmt(r.get(c), c, r), _whole(r.get(c))) for r in rows] for c in columns}
    needs = {c: _need(_header(c), cells[c]) for c in columns}
    order = list(columns)
    if numbers:
        sources = [_row_sources(r, numbers) for r in rows]
        cells["src"] = [(t, True) for t in sources]
        needs["src"] = max([3, *[len(t) for t in sources]])
        order.append("src")
    keys = {c for c in columns if c in _KEYS} or set(columns[:1])
    kept, dropped = _fit(order, needs, width, keys)
    widths = _allot(kept, needs, {c: _natural(_header(c), cells[c]) for c in order}, width)
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
    for column in kept:
        numeric = all(isinstance(r.get(column), int | float | type(None)) for r in rows) and column != "src"
        table.add_column(
            _header(column) if column != "src" else "src",
            overflow="fold",
            width=widths[column],
            justify="right" if numeric else "left",
            style="dim" if column == "src" else None,
        )
    for i in range(len(rows)):
        table.add_row(*[Text(cells[c][i][0]) for c in kept])
    return table, dropped


def _footer(result: Result, numbers: dict[str, int], console: Console) -> None:
    for key, text in result.definitions.items():  # names said in words, as on the dashboard (JSON keeps them)
        console.print(Text(f"  {labels.label(key)}: {labels.prose(text, result.columns)}", style="dim"))
    for note in result.notes:
        console.print(Text(f"  note: {labels.prose(note, result.columns)}", style="yellow"))
    if result.sources:
        console.print(Text("  Sources:", style="bold"))
        for source in result.sources:
            console.print(Text(f"  [{numbers[source['source_id']]}] {source.get('citation') or source['source_id']}"))
    console.print()


def _fmt(value: Any, column: str = "", row: dict[str, Any] | None = None) -> str:
    """A cell as people read it, the same as on the dashboard (silkscope.formatting.cell, web.render.table_cells);
    checksums shortened as on the sources page (JSON and CSV have them whole)."""
    if column == "sha256" and isinstance(value, str) and len(value) > 16:
        return value[:12] + "…"
    said = labels.named(column, value)  # a measure or dataset name in words, as on the dashboard
    if said is not None:
        return said
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and row is not None and column in labels.MEASURED_COLUMNS and labels.row_in_money(row):
        return formatting.money(value)  # a share's value and total in a row whose measure is in US$
    return formatting.cell(value, column)
