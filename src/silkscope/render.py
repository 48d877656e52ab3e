"""Print results for people (Rich tables with numbered source notes) or machines (JSON, CSV)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

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


def _transposed(result: Result, numbers: dict[str, int]) -> Table:
    """Side-by-side: one column per entity (the first column's values), one row per measure."""
    key, *measures = [c for c in result.columns if c not in _HIDDEN_IN_TABLES]
    table = Table(title=result.title, title_justify="left", title_style="bold")
    table.add_column("", no_wrap=True)
    for row in result.rows:
        table.add_column(_fmt(row.get(key)), overflow="fold")
    for measure in measures:
        table.add_row(Text(measure.replace("_", " "), style="bold"), *[Text(_fmt(r.get(measure))) for r in result.rows])
    if numbers:
        table.add_row(Text("sources", style="dim"), *[Text(_row_sources(r, numbers), style="dim") for r in result.rows])
    return table


def _table(result: Result, console: Console) -> None:
    numbers = {s["source_id"]: i for i, s in enumerate(result.sources, start=1)}
    result = _definitions_as_notes(result)
    if result.layout == "by_column" and result.rows:
        console.print(_transposed(result, numbers))
        _footer(result, numbers, console)
        return
    columns = [c for c in result.columns if c not in _HIDDEN_IN_TABLES]
    if not result.rows:
        console.print(Text(f"{result.title}: no rows in the warehouse for this selection", style="dim"))
    else:
        parts = _column_groups(result.rows, columns, console.width)
        for i, part in enumerate(parts, start=1):
            title = result.title if len(parts) == 1 else f"{result.title} (part {i} of {len(parts)})"
            last = i == len(parts)
            console.print(_plain_table(title, result.rows, part, numbers if last else {}, split=len(parts) > 1))
    _footer(result, numbers, console)


# Columns that identify a row: repeated in every part when a wide table is split to fit the terminal.
_KEYS = ("partner_iso3", "partner", "country_iso3", "host_iso3", "scope", "year", "instrument", "code")


def _min_width(column: str, rows: list[dict[str, Any]]) -> int:
    """Width a column needs: number and date columns never wrap (header included); text headers may take two
    lines."""
    if _never_wraps(column, rows):
        header = len(column)
    else:
        header = max(max(len(w) for w in column.split("_")), (len(column) + 1) // 2 + 1)
    return max([header, *[len(_fmt(r.get(column))) for r in rows]]) + 3  # padding and the rule


def _never_wraps(column: str, rows: list[dict[str, Any]]) -> bool:
    return all(isinstance(r.get(column), date | int | float | type(None)) for r in rows)


def _column_groups(rows: list[dict[str, Any]], columns: list[str], width: int) -> list[list[str]]:
    """The columns in parts that each fit `width`, key columns leading every part (one part when all fit)."""
    widths = {c: _min_width(c, rows) for c in columns}
    if sum(widths.values()) + 6 <= width:
        return [columns]
    keys = [c for c in columns if c in _KEYS]
    room = max(width - sum(widths[c] for c in keys) - 6, 12)
    parts: list[list[str]] = []
    current: list[str] = []
    used = 0
    for column in (c for c in columns if c not in keys):
        if current and used + widths[column] > room:
            parts.append(current)
            current, used = [], 0
        current.append(column)
        used += widths[column]
    parts.append(current)
    return [keys + part for part in parts if part] or [columns]


def _plain_table(
    title: str, rows: list[dict[str, Any]], columns: list[str], numbers: dict[str, int], *, split: bool = False
) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
    for column in columns:
        # Dates and counts never wrap mid-value; long text folds. A split table holds each column at the width it
        # was planned with, so Rich does not squeeze the key columns away.
        minimum = _min_width(column, rows) - 3 if split else None
        table.add_column(
            column.replace("_", " "), overflow="fold", no_wrap=_never_wraps(column, rows), min_width=minimum
        )
    if numbers:
        table.add_column("src", overflow="fold")
    for row in rows:
        cells = [_fmt(row.get(c)) for c in columns]
        if numbers:
            cells.append(_row_sources(row, numbers))
        table.add_row(*[Text(c) for c in cells])
    return table


def _footer(result: Result, numbers: dict[str, int], console: Console) -> None:
    for key, text in result.definitions.items():
        console.print(Text(f"  {key}: {text}", style="dim"))
    for note in result.notes:
        console.print(Text(f"  note: {note}", style="yellow"))
    if result.sources:
        console.print(Text("  Sources:", style="bold"))
        for source in result.sources:
            console.print(Text(f"  [{numbers[source['source_id']]}] {source.get('citation') or source['source_id']}"))
    console.print()


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ",".join(_fmt(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)
