"""Kazakhstan's Bureau of National Statistics: exports and imports of goods by partner country, yearly xls editions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from silkscope.countries import WORLD_CODE
from silkscope.errors import InputError, Problem
from silkscope.fetch import ByteProgress, FetchedFile, RemoteFile
from silkscope.sources.base import Connector
from silkscope.sources.spreadsheets import (
    EXPECT,
    Sheet,
    TradeFact,
    check_sum,
    insert_trade_facts,
    label_key,
    read_workbook,
    resolve_partner,
    write_raw,
)

# Each edition ("Основные показатели внешней торговли Республики Казахстан", by partner country) holds its year and
# the year before, revised. BNS serves the xls at https://stat.gov.kz/api/iblock/element/<element id>/file/ru/, with
# an element id that only its listing page shows; PAGE is that listing (its `name=19182` is taken from a third-party
# fetcher, not verified). silkscope's one-step fetch cannot follow the page, and a download of it fails the EXPECT
# check: put the files in a mirror folder (kz_stat/) and run with --mirror.
PAGE = (
    "https://stat.gov.kz/ru/industries/economy/foreign-market/spreadsheets/"
    "?year={year}&name=19182&period=&type=spreadsheets"
)
FILE = "kz_bns_foreign_trade_main_indicators_by_country_{year}.xls"
FILE_NAME = re.compile(r"^kz_bns_foreign_trade_main_indicators_by_country_(\d{4})\.xls$")
EDITIONS = range(2019, 2024)  # editions known to exist; any other FILE found in a mirror is taken too
SUBDIR = "kz_stat"
TABLE = "kz_bns_trade_by_country"
REPORTER = "KAZ"
EXPECTED = "a BNS xls edition of 'Основные показатели внешней торговли Республики Казахстан' by partner country"

# --- The layout, as published 2019-2023 (assumptions: a file that breaks one gets a located error) ---------------
YEAR_SHEET = re.compile(r"^(?:12_)?(\d{4})$")  # '12_2019' (January-December 2019) or '2023'
PUBLISHED = re.compile(r"Дата опубликования:\s*(\d{2}\.\d{2}\.\d{4})")  # the 2023 edition's cover sheet
UNIT = "тыс. долларов сша"  # thousand US$: harmonise multiplies by 1000, so a change of unit must stop the load
HEADER_LABEL = "наименование"  # A: 'Наименование', 'Наименование страны' or (sic) 'Наименование области'
HEADERS = {1: "товарооборот", 3: "экспорт", 5: "импорт"}  # B turnover, D exports, F imports (C, E, G: shares, %)
SUBHEADER = "всего"  # the row below: 'всего' over each value column
FLOWS = {3: "country_to_partner", 5: "partner_to_country"}  # D = Kazakhstan's exports, F = its imports
TURNOVER = 1  # B = D + F on every row; checked so a shifted column cannot pass, never stored (derivable)
TOTAL_LABELS = {"всего", "всего в том числе"}
EU_LABEL = "страны ес"  # stored as partner EUU; the rows under it (up to the next group) are its members
# Group rows among the partner rows: aggregates of the rows below them, skipped.
GROUP_LABELS = {
    "страны снг",  # CIS
    "страны еаэс",  # EAEU
    "страны вне еаэс",  # CIS outside the EAEU
    "остальные страны мира",  # the rest of the world (outside the CIS)
    "европа",
    "страны вне ес",  # Europe outside the EU
    "азия",
    "америка",
    "африка",
    "австралия и океания",
}
BLANKS = frozenset({"", "-"})  # a blank value cell: no trade that way (no row is written)
MAX_THOUSAND_USD = 1e9  # 1 trillion US$ with one partner in a year: a value above it is a broken cell
# Partner rows must sum to 'Всего' (and the EU's members to 'Страны ЕС') within this share of the total: the
# 2018 sheet rounds to 0.1 thousand, so ~190 rows may drift by ~10 thousand. Raise it if an edition rounds coarser.
TOTAL_TOLERANCE = 1e-5
TURNOVER_SLACK = 0.2  # thousand US$: B = D + F up to the rounding of three cells to 0.1 (the 2018 sheet)

DEFINITION = (
    "Kazakhstan's {flow} of goods {prep} the partner as reported by the Bureau of National Statistics "
    "(stat.gov.kz), 'Основные показатели внешней торговли Республики Казахстан' by partner country, thousand US$ "
    "converted to US$; trade with EAEU members from the 1-ТС mutual-trade survey, with other partners from the State "
    "Revenue Committee's customs data (the 2023 edition's methodological notes); the files do not state the trade "
    "system, nor whether partners are countries of origin, destination or trading countries"
)
EU_NOTE = "EU aggregate as published (sum of member states): never add to member rows"
# The total row, stored as a fact with partner WORLD_CODE (see countries.py): Kazakhstan's trade with all partners as
# published, the denominator of its trade shares, rather than a sum re-added from the partner rows.
WORLD_NOTE = (
    "Kazakhstan's trade with all partners together: the publisher's total over all partners (row 'Всего'), not a "
    "partner; the sheet has no row of unallocated trade: its partner rows sum to this total (checked at load, "
    "kz_bns.TOTAL_TOLERANCE)"
)


@dataclass
class Edition:
    """One file: its latest year names the edition; `facts` maps each year sheet to its rows."""

    file: str
    source_id: str
    year: int
    published: str | None
    facts: dict[int, list[TradeFact]] = field(default_factory=dict)


class KzBnsTrade(Connector):
    name = "kz_bns"
    publisher = "Bureau of National Statistics, Agency for Strategic Planning and Reforms of the Republic of Kazakhstan"
    title = "Основные показатели внешней торговли Республики Казахстан (main foreign trade indicators by partner)"
    short = "Kazakhstan statistics bureau"  # how a table cell or a heading names it
    licence = (
        "Not stated in the files; the 2023 edition's legend sheet carries '© Бюро национальной статистики Агентства "
        "по стратегическому планированию и реформам Республики Казахстан'. Check stat.gov.kz's terms before "
        "redistributing."
    )
    homepage = "https://stat.gov.kz/"
    citation = (
        "Bureau of National Statistics of the Republic of Kazakhstan. Основные показатели внешней торговли "
        "Республики Казахстан, by partner country (annual editions), https://stat.gov.kz/."
    )
    core_tables = ("core.trade_flows",)
    partial_mirror_ok = True  # an analyst carries in the editions they have

    def __init__(self) -> None:
        self._editions: list[Edition] = []
        self._mirror_years: set[int] = set()

    def remote_files(self) -> list[RemoteFile]:
        return [_remote(year) for year in sorted({*EDITIONS, *self._mirror_years})]

    def fetch_files(
        self,
        *,
        cache_dir: Path | None = None,
        mirror: Path | None = None,
        refresh: bool = False,
        progress: ByteProgress | None = None,
    ) -> list[FetchedFile]:
        """Every known edition; with a mirror, also every other edition file in it (kz_stat/ or anywhere below)."""
        self._mirror_years = set()
        if mirror is not None and mirror.is_dir():
            found = [p for p in mirror.rglob(FILE.format(year="*")) if FILE_NAME.match(p.name)]
            folders = [p for p in found if p.is_dir()]
            if folders:  # a folder under a file's name must not pass as an absent edition (its rows would go)
                raise InputError([Problem(str(p), 0, "(file)", EXPECTED, "a folder, not a file") for p in folders])
            self._mirror_years = {int(FILE_NAME.match(p.name).group(1)) for p in found}  # type: ignore[union-attr]
        return super().fetch_files(cache_dir=cache_dir, mirror=mirror, refresh=refresh, progress=progress)

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        con.execute(f"DROP TABLE IF EXISTS raw.{TABLE}")
        self._editions = []
        for file in sorted(files, key=lambda f: f.remote.name):
            source_id = source_id_for(self, file)
            sheets = read_workbook(file.path, expected=EXPECTED)
            write_raw(con, TABLE, sheets.values(), source_id=source_id)
            self._editions.append(_edition(file, sheets, source_id))
        by_year: dict[int, str] = {}
        for edition in self._editions:
            if edition.year in by_year:  # two files claim to be the latest word on the same year
                found = f"also the edition of {by_year[edition.year]}"
                raise InputError([Problem(edition.file, 0, "(file)", "one file per edition year", found)])
            by_year[edition.year] = edition.file

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        if not self._editions:
            return None
        years = sorted(e.year for e in self._editions)
        latest = max(self._editions, key=lambda e: e.year)
        when = f", published {latest.published}" if latest.published else ""
        return f"editions {', '.join(map(str, years))} (latest: {latest.year}{when})"

    def file_edition(self, file: FetchedFile, edition: str | None) -> str | None:
        """Each file's own edition in core.sources.version: its year, its sheets and its publication date."""
        mine = next((e for e in self._editions if e.file == str(file.path)), None)
        if mine is None:
            return edition
        when = f", published {mine.published}" if mine.published else ""
        return f"{mine.year} edition (years {', '.join(map(str, sorted(mine.facts)))}){when}"

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        """Each year from the latest edition that publishes it: a later edition's revision supersedes; the earlier
        edition's figures stay in raw.* and its source row stays, listed in the fact's source_ids."""
        facts: list[TradeFact] = []
        years = {y for e in self._editions for y in e.facts}
        for year in sorted(years):
            holders = sorted((e for e in self._editions if year in e.facts), key=lambda e: e.year, reverse=True)
            latest, earlier = holders[0], holders[1:]
            before = {_key(f): f.thousand_usd for e in earlier[:1] for f in e.facts[year]}
            for fact in latest.facts[year]:
                note = fact.note
                if earlier:
                    revised = _revision(latest.year, earlier[0].year, before.get(_key(fact)), fact.thousand_usd)
                    note = f"{note}; {revised}" if note else revised
                ids = (latest.source_id, *(e.source_id for e in earlier))
                facts.append(replace(fact, note=note, source_ids=ids))
        insert_trade_facts(con, facts)
        self._editions = []


def _key(fact: TradeFact) -> tuple[str, str]:
    return fact.partner_iso3, fact.direction


def _revision(latest: int, earlier: int, old: float | None, new: float) -> str:
    """The note on a figure of a year two editions publish: which one wins, and what the other said."""
    was = "no figure" if old is None else "the same figure" if old == new else f"{old:,.5f} thousand US$"
    return f"the {latest} edition supersedes the {earlier} edition's figure ({was})"


def _remote(year: int) -> RemoteFile:
    return RemoteFile(PAGE.format(year=year), FILE.format(year=year), expect=EXPECT, mirror_subdir=SUBDIR)


def _edition(file: FetchedFile, sheets: dict[str, Sheet], source_id: str) -> Edition:
    """Parse every year sheet of one file; all problems of the file are raised together."""
    path = str(file.path)
    years: dict[int, Sheet] = {}
    for name, sheet in sheets.items():
        if match := YEAR_SHEET.match(name.strip()):
            if int(match.group(1)) in years:  # '2023' and '12_2023' in one file: which one is the year?
                found = f"sheets {years[int(match.group(1))].name!r} and {name!r}"
                raise InputError([Problem(path, 0, f"sheet {name!r}", "one sheet per year", found)])
            years[int(match.group(1))] = sheet
    if not years:
        found = ", ".join(repr(n) for n in sheets) or "no sheets"
        raise InputError([Problem(path, 0, "(sheets)", "year sheets named like '2023' or '12_2023'", found)])
    published = next(
        (m.group(1) for s in sheets.values() for r in s.rows for c in r if (m := PUBLISHED.search(c))), None
    )
    edition = Edition(path, source_id, max(years), published)
    named = FILE_NAME.match(file.remote.name)
    if named and int(named.group(1)) != edition.year:
        found = f"the file name says {named.group(1)}, its latest year sheet is {edition.year}"
        raise InputError(
            [Problem(path, 0, "(file)", "an edition whose latest year sheet is its file name's year", found)]
        )
    problems: list[Problem] = []
    for year, sheet in sorted(years.items()):
        edition.facts[year] = _year_sheet(sheet, year, source_id, problems)
    if problems:
        raise InputError(problems)
    return edition


def _header(sheet: Sheet, year: int, problems: list[Problem]) -> int | None:
    """The row of the column headers, after checking the title names `year` and the unit is thousand US$."""
    header = next(
        (r for r in range(1, min(len(sheet.rows), 12) + 1) if label_key(sheet.cell(r, 0)).startswith(HEADER_LABEL)),
        None,
    )
    if header is None:
        problems.append(
            sheet.problem(
                1,
                0,
                "a header row 'Наименование' | 'Товарооборот' | | 'Экспорт' | | 'Импорт'",
                "none in the first 12 rows",
            )
        )
        return None
    above = [c for r in sheet.rows[: header - 1] for c in r]
    if not any(str(year) in c for c in above):
        problems.append(sheet.problem(min(2, header), 0, f"a title naming the sheet's year {year}"))
    if not any(UNIT in label_key(c) for c in above):
        problems.append(sheet.problem(max(header - 1, 1), 4, "the unit 'тыс. долларов США' above the header"))
    for col, word in HEADERS.items():
        if not label_key(sheet.cell(header, col)).startswith(word):
            problems.append(sheet.problem(header, col, f"the column header {word.capitalize()!r}"))
        if label_key(sheet.cell(header + 1, col)) != SUBHEADER:
            problems.append(sheet.problem(header + 1, col, f"the sub-header {SUBHEADER!r} (value, not share)"))
    return header


def _year_sheet(sheet: Sheet, year: int, source_id: str, problems: list[Problem]) -> list[TradeFact]:
    header = _header(sheet, year, problems)
    if header is None:
        return []
    facts: list[TradeFact] = []
    total_row: int | None = None
    totals: dict[int, float | None] = {}  # the total row's value per FLOWS column
    seen: dict[str, int] = {}  # partner -> row: one row per partner
    sums = dict.fromkeys(FLOWS, 0.0)
    eu_row: int | None = None
    in_eu = False  # between 'Страны ЕС' and the next group row: the EU's members as the publisher counts them
    eu_members: list[str] = []
    eu_sums = dict.fromkeys(FLOWS, 0.0)
    for row in range(header + 2, len(sheet.rows) + 1):
        key = label_key(sheet.cell(row, 0))
        values = {
            col: sheet.number(row, col, problems, blanks=BLANKS, maximum=MAX_THOUSAND_USD, unit="(thousand US$)")
            for col in (TURNOVER, *FLOWS)
        }
        if not key:
            if any(v is not None for v in values.values()):
                problems.append(sheet.problem(row, 0, "a partner name or group label for the row's values"))
            continue
        flows = {col: values[col] for col in FLOWS}
        both = sum(v or 0.0 for v in flows.values())
        if values[TURNOVER] is not None and abs(values[TURNOVER] - both) > TURNOVER_SLACK:
            expected = f"turnover = exports (D) + imports (F) = {both:,.3f} (kz_bns.TURNOVER_SLACK)"
            problems.append(sheet.problem(row, TURNOVER, expected))
        if key in TOTAL_LABELS:
            if total_row is not None:
                problems.append(sheet.problem(row, 0, f"one total row (row {total_row} is the total)"))
            total_row, totals = row, flows
            continue
        if key in GROUP_LABELS:
            in_eu = False
            continue
        if key == EU_LABEL:
            partner, eu_row, in_eu = "EUU", row, True
        else:
            partner = resolve_partner(sheet, row, {0: sheet.cell(row, 0)}, problems)
            if partner is None:
                continue
            if partner == REPORTER or partner in seen:
                why = "the reporter itself" if partner == REPORTER else f"already on row {seen[partner]}"
                problems.append(sheet.problem(row, 0, f"one row per partner country ({partner} is {why})"))
                continue
            seen[partner] = row
            for col, value in flows.items():
                sums[col] += value or 0.0
                if in_eu:
                    eu_sums[col] += value or 0.0
            if in_eu:
                eu_members.append(partner)
        facts += [_fact(sheet, row, col, year, partner, v, source_id) for col, v in flows.items() if v is not None]
    if total_row is None:
        problems.append(sheet.problem(header + 2, 0, "the total row 'Всего' below the header"))
        return facts
    _check(sheet, total_row, sums, f"the {len(seen)} partner rows", problems)
    facts += _world(sheet, total_row, totals, year, source_id)
    if eu_row is not None:
        _check(sheet, eu_row, eu_sums, f"the {len(eu_members)} rows under it", problems)
        uk = ", the United Kingdom among them" if "GBR" in eu_members else ""
        note = f"{EU_NOTE}; the publisher lists {len(eu_members)} states under it{uk}"
        facts = [replace(f, note=note) if f.partner_iso3 == "EUU" else f for f in facts]
    return facts


def _check(sheet: Sheet, row: int, sums: dict[int, float], what: str, problems: list[Problem]) -> None:
    """A published total or aggregate row against the sum of the rows it covers, per value column."""
    for col, parts in sums.items():
        published = sheet.number(row, col, [], blanks=BLANKS) or 0.0
        check_sum(
            sheet,
            row,
            col,
            published,
            parts,
            what=what,
            tolerance=TOTAL_TOLERANCE,
            constant="kz_bns.TOTAL_TOLERANCE",
            problems=problems,
        )


def _world(sheet: Sheet, row: int, totals: dict[int, float | None], year: int, source_id: str) -> list[TradeFact]:
    """The total row's exports and imports as facts with partner WORLD_CODE, each pointing at its cell (a blank
    total gives no fact, like a blank partner cell)."""
    return [
        replace(_fact(sheet, row, col, year, WORLD_CODE, value, source_id), note=WORLD_NOTE)
        for col, value in totals.items()
        if value is not None
    ]


def _fact(sheet: Sheet, row: int, col: int, year: int, partner: str, value: float, source_id: str) -> TradeFact:
    direction = FLOWS[col]
    exports = direction == "country_to_partner"
    cell = f"'{sheet.name}'!{'D' if exports else 'F'}{row}"
    return TradeFact(
        fact_id=f"{source_id}:{cell}",
        country_iso3=REPORTER,
        partner_iso3=partner,
        year=year,
        direction=direction,
        thousand_usd=value,
        definition=DEFINITION.format(flow="exports" if exports else "imports", prep="to" if exports else "from"),
        source_id=source_id,
        source_ids=(source_id,),
        record=f"raw.{TABLE}:{cell}",
    )
