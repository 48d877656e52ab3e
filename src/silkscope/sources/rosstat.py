"""Rosstat (FTS data): Russia's trade with the Central Asian states, annual 1994-2021 and monthly 2006-2021."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from silkscope.countries import C5, resolve
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector
from silkscope.sources.spreadsheets import EXPECT, Sheet, cell_ref, label_key, read_workbook, write_raw

# Rosstat's foreign-trade tables (https://rosstat.gov.ru/statistics/vneshnyaya_torgovlya) are xlsx files in its
# media bank. The file names 94itog.xlsx and 96stran.xlsx are the publisher's (kept by the mirror's source); the
# media-bank folder is from memory and uncertain: check it on that page. The FTS stopped publishing trade by country
# in 2022, so both tables end with 2021.
URLS = {
    "94itog": "https://rosstat.gov.ru/storage/mediabank/94itog.xlsx",
    "96stran": "https://rosstat.gov.ru/storage/mediabank/96stran.xlsx",
}
FILES = {
    "94itog": "rosstat_94itog_fts_main_indicators_cis_1994-2021.xlsx",
    "96stran": "rosstat_96stran_fts_trade_main_countries_monthly_2006-2021.xlsx",
}
# silkscope's scope is the five Central Asian states: of Russia's partners only their rows are kept (Armenia,
# Belarus, China, ... are read and resolved, so an unknown name still stops the load, but not stored).
SCOPE = set(C5)
# Russia's exports to a C5 state flow partner (RUS) -> country; its imports from one flow country -> partner.
DIRECTIONS = {"экспорт": ("partner_to_country", "exports to"), "импорт": ("country_to_partner", "imports from")}
TOC = "содержание"  # the table-of-contents sheet of both files
AGGREGATES = {"со странами дальнего зарубежья", "со странами снг"}  # 94itog: group rows within each section
MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
# The unit line; 96stran misspells it "(млн доллалов США)", so the word after "млн" is matched loosely.
UNIT = re.compile(r"млн\s+долл\w*\s+сша")
# Rosstat's sign for "no data": in 96stran, Kazakhstan July-December 2010, the first months of the customs union
# (both sheets). Such a cell gives no row; any other text in a value cell, an empty one included, stops the load.
NO_DATA = "…"
CAP_MILLION = 1e6  # a trillion US$ in one cell is twice Russia's yearly exports: a misplaced unit, not trade
# The publisher typed Latin look-alikes inside Russian names ("Китaй" with a Latin a); folded before resolving.
HOMOGLYPHS = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def label(value: str) -> str:
    """A row or column label compared as words: look-alikes folded, spaces collapsed, lower case."""
    return label_key(value.translate(HOMOGLYPHS) if CYRILLIC.search(value) else value)


@dataclass(frozen=True)
class Fact:
    sheet: str
    row: int
    col: int  # 0-based
    iso3: str  # the C5 state
    direction: str
    year: int
    month: int | None
    value: float  # million US$


def _sheet_problem(sheet: Sheet, expected: str, found: str) -> InputError:
    """A problem with a sheet as a whole (no one cell to point at)."""
    return InputError([Problem(sheet.file, 0, f"sheet {sheet.name!r}", expected, found)])


def _filled(sheet: Sheet) -> list[tuple[int, tuple[str, ...]]]:
    """The sheet's non-empty rows with their 1-based row numbers."""
    return [(n, cells) for n, cells in enumerate(sheet.rows, start=1) if any(c.strip() for c in cells)]


def _unit(sheet: Sheet, rows: list[tuple[int, tuple[str, ...]]], before: int) -> None:
    """The unit line (million US$) stands above row `before`: the values are scaled by it."""
    if not any(UNIT.search(label(c)) for n, cells in rows if n < before for c in cells):
        raise InputError([sheet.problem(before, 0, "the unit '(млн долларов США)' above this row", "")])


def _country(sheet: Sheet, row: int, col: int) -> str:
    name = sheet.cell(row, col)
    try:
        return resolve(label(name))
    except UnknownCountryError as exc:
        near = f" (near: {', '.join(exc.suggestions)})" if exc.suggestions else ""
        raise InputError([sheet.problem(row, col, f"a country name silkscope knows{near}")]) from exc


def _value(sheet: Sheet, row: int, col: int, problems: list[Problem]) -> float | None:
    return sheet.number(row, col, problems, blanks=frozenset({NO_DATA}), maximum=CAP_MILLION, unit="in million US$")


def parse_annual(sheet: Sheet, problems: list[Problem]) -> Iterator[Fact]:
    """94itog, one year: a header row with the year, then the sections 'Экспорт' and 'Импорт', each a total, two
    group rows and one row per CIS member. The year's column is found by its header, not assumed to be B."""
    rows = _filled(sheet)
    header = next(((n, cells) for n, cells in rows if sheet.name in cells[1:]), None)
    if header is None:
        raise _sheet_problem(sheet, f"a header row holding the sheet's year {sheet.name}", "none")
    top, col = header[0], header[1].index(sheet.name, 1)
    _unit(sheet, rows, top)
    section, seen = None, set()
    for n, cells in rows:
        name = label(cells[0]) if n > top else ""
        if not name:
            continue
        if name in DIRECTIONS:
            if name in seen:
                raise InputError([sheet.problem(n, 0, f"one section '{cells[0].strip()}' per sheet")])
            section, seen = name, seen | {name}
            continue
        if section is None:
            raise InputError([sheet.problem(n, 0, "the section 'Экспорт' or 'Импорт' before any country")])
        if name in AGGREGATES:
            continue
        iso3 = _country(sheet, n, 0)
        if (section, iso3) in seen:
            expected = f"one row per country in section {section.capitalize()} ({iso3} is already there)"
            raise InputError([sheet.problem(n, 0, expected)])
        seen.add((section, iso3))
        value = _value(sheet, n, col, problems) if iso3 in SCOPE else None
        if value is not None:
            yield Fact(sheet.name, n, col, iso3, DIRECTIONS[section][0], int(sheet.name), None, value)
    for name in DIRECTIONS:
        if name not in seen:
            raise _sheet_problem(sheet, f"a section '{name.capitalize()}'", "none")


def parse_monthly(sheet: Sheet, problems: list[Problem]) -> Iterator[Fact]:
    """96stran, one flow: a header row of partner names, then a year row (its year in A) before twelve month rows."""
    direction = DIRECTIONS[label(sheet.name)][0]
    rows = _filled(sheet)
    if not any(label(c).startswith(label(sheet.name)) for _, cells in rows for c in cells):
        raise _sheet_problem(sheet, f"a title starting '{sheet.name}' (the flow the sheet holds)", "none")
    first_year = next((n for n, cells in rows if re.fullmatch(r"\d{4}", cells[0].strip())), None)
    if first_year is None:
        raise _sheet_problem(sheet, "a year row (e.g. 2006) above the months", "none")
    top, names = max(((n, cells) for n, cells in rows if n < first_year), default=(0, ()))
    if names[:1] != ("",) or not any(c.strip() for c in names[1:]):
        raise InputError([sheet.problem(top, 0, "a header row of partner names above the first year")])
    _unit(sheet, rows, top)
    partners: dict[int, str] = {}
    for i, name in enumerate(names):
        if i and name.strip():
            iso3 = _country(sheet, top, i)
            if iso3 in partners.values():
                raise InputError([sheet.problem(top, i, f"one column per partner ({iso3} has one already)")])
            partners[i] = iso3
    year, month, seen = 0, 0, set()
    for n, cells in rows:
        if n < first_year:
            continue
        head = label(cells[0])
        if re.fullmatch(r"\d{4}", head):
            if head in seen or (year and int(head) != year + 1):
                raise InputError([sheet.problem(n, 0, f"the year after {year} (each year once, in order)")])
            if year and month != 12:
                raise InputError([sheet.problem(n, 0, f"twelve months of {year} before the next year")])
            year, month = int(head), 0
            seen.add(head)
            continue
        if head not in MONTHS:
            raise InputError([sheet.problem(n, 0, "a year or a month name (январь ... декабрь)")])
        if MONTHS.index(head) != month:
            expected = f"{MONTHS[month] if month < 12 else 'a new year'} (months of {year} in order, each once)"
            raise InputError([sheet.problem(n, 0, expected)])
        month += 1
        for i, iso3 in partners.items():
            value = _value(sheet, n, i, problems) if iso3 in SCOPE else None
            if value is not None:
                yield Fact(sheet.name, n, i, iso3, direction, year, month, value)


@dataclass(frozen=True)
class Table:
    key: str  # 94itog, 96stran
    what: str  # for definitions
    monthly: bool  # 96stran: one sheet per flow (Экспорт, Импорт); 94itog: one sheet per year

    @property
    def raw(self) -> str:
        return f"rosstat_{self.key}"


TABLES = {
    "94itog": Table("94itog", "main indicators of Russia's exports and imports, annual", monthly=False),
    "96stran": Table("96stran", "Russia's foreign trade with its main partner countries, monthly", monthly=True),
}


class RosstatCisTrade(Connector):
    name = "rosstat"
    publisher = "Federal State Statistics Service of the Russian Federation (Rosstat), from FTS customs data"
    title = "Russia's exports to and imports from the CIS and main partner countries, million US$ (94itog, 96stran)"
    short = "Rosstat"  # how a table cell or a heading names it
    # Neither file states a licence (only the contact of the responsible officer); rosstat.gov.ru asks that reuse
    # cite Rosstat. Not verified for redistribution.
    licence = "not stated in the files; rosstat.gov.ru terms (reuse with a reference to Rosstat), unverified"
    homepage = "https://rosstat.gov.ru/statistics/vneshnyaya_torgovlya"
    citation = (
        "Rosstat, 'Основные показатели экспорта и импорта Российской Федерации (по данным ФТС России)' (94itog) and "
        "'Внешняя торговля Российской Федерации с основными странами' (96stran), https://rosstat.gov.ru/."
    )
    core_tables = ("core.trade_flows",)

    def __init__(self) -> None:
        self._facts: list[tuple[str, str, Fact]] = []  # (table key, source_id, fact)

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(URLS[k], FILES[k], expect=EXPECT, mirror_subdir="ru_stat") for k in TABLES]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        keys = {name: key for key, name in FILES.items()}
        self._facts = []
        for file in files:
            table = TABLES[keys[file.remote.name]]
            sheets = read_workbook(file.path, expected=f"Rosstat's workbook {table.key} ({table.what})")
            source_id = source_id_for(self, file)
            con.execute(f"DROP TABLE IF EXISTS raw.{table.raw}")  # write_raw appends
            write_raw(con, table.raw, sheets.values(), source_id=source_id)
            problems: list[Problem] = []
            facts = list(_facts(table, file.path, sheets, problems))
            if problems:
                raise InputError(problems)
            self._facts += [(table.key, source_id, f) for f in facts]

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        rows = []
        for key, source_id, fact in self._facts:
            table = TABLES[key]
            direction, flow = next(v for v in DIRECTIONS.values() if v[0] == fact.direction)
            period = f"{fact.year}-{fact.month:02d}" if fact.month else str(fact.year)
            definition = (
                f"Russia's goods {flow} {fact.iso3}, {period}, current US$, as reported by Russia (Rosstat, from "
                f"Federal Customs Service data; table {key}: {table.what}; published in million US$). A mirror "
                "flow: the Central Asian state's own figure for the same trade is a separate row."
            )
            cell = cell_ref(fact.sheet, fact.row, fact.col)
            value = fact.value * 1e6
            rows.append(
                [
                    f"{source_id}:{cell}",
                    fact.iso3,
                    fact.year,
                    fact.month,
                    direction,
                    value,
                    value,
                    definition,
                    source_id,
                    source_id,
                    f"raw.{table.raw}:{cell}",
                ]
            )
        self._facts = []
        if not rows:  # executemany refuses an empty list
            return
        con.executemany(
            """INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, group_id, year, month, direction,
                   reporter_iso3, classification, product_code, product_label, value_usd, currency, value_published,
                   unit_published, price_basis, definition, source_id, source_ids, citation_status, record, note)
            VALUES (?, 'RUS', ?, NULL, ?, ?, ?, 'RUS', 'total', 'TOTAL', 'All goods', ?, 'USD', ?, 'million USD',
                    'current', ?, ?, [?], 'cited', ?, NULL)""",
            rows,
        )


def _facts(table: Table, path: Path, sheets: dict[str, Sheet], problems: list[Problem]) -> Iterator[Fact]:
    """Every sheet of the workbook checked (layouts may drift between years), the C5 facts of each."""
    empty = [name for name, sheet in sheets.items() if not _filled(sheet)]
    names = [n for n in sheets if label(n) != TOC]
    if table.monthly:
        wrong = sorted(label(n) for n in names) != sorted(DIRECTIONS)
        expected = "a table of contents and the sheets Экспорт and Импорт"
    else:
        wrong = not names or any(not re.fullmatch(r"\d{4}", n) for n in names)
        expected = "a table of contents and one sheet per year (e.g. 2021)"
    if empty or wrong:
        found = f"empty sheet(s): {', '.join(empty)}" if empty else f"sheets {', '.join(sheets) or '(none)'}"
        raise InputError([Problem(str(path), 0, "(sheets)", expected, found)])
    for name in names:
        parse = parse_monthly if table.monthly else parse_annual
        yield from parse(sheets[name], problems)
