"""National Statistical Committee of the Kyrgyz Republic: exports and imports of goods by partner since 1994 (xlsx)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from silkscope.countries import WORLD_CODE
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector
from silkscope.sources.spreadsheets import (
    EXPECT,
    Sheet,
    TradeFact,
    check_sum,
    column_letter,
    insert_trade_facts,
    label_key,
    read_workbook,
    resolve_partner,
    write_raw,
)

# The committee's tables are linked from its foreign-trade page as https://www.stat.gov.kg/media/files/<uuid>.xlsx,
# with ids that only the page shows. URL is that page (not a file: a download of it fails the EXPECT check), so take
# the files from a mirror folder (kg_stat/) with --mirror.
URL = "https://www.stat.gov.kg/ru/statistics/vneshneekonomicheskaya-deyatelnost/"
SUBDIR = "kg_stat"
TABLE = "kg_nsc_trade_by_country"
REPORTER = "KGZ"


@dataclass(frozen=True)
class Table:
    file: str  # name in the mirror folder
    sheet: str
    direction: str
    flow: str


# The publisher's table code -> where it is and what it holds.
TABLES = {
    "4.03.00.18": Table(
        "kg_nsc_4.03.00.18_geographic_distribution_of_exports_1994-2023.xlsx", "Лист1", "country_to_partner", "exports"
    ),
    "4.03.00.20": Table(
        "kg_nsc_4.03.00.20_geographic_distribution_of_imports_1994-2023.xlsx", "import", "partner_to_country", "imports"
    ),
}
EXPECTED = "an NSC xlsx table 'Geographic distribution of {flow} of goods' ({code})"

# --- The layout, as published (assumptions: a file that breaks one gets a located error) -------------------------
LABELS = {0: "Kyrgyz", 1: "Russian", 2: "English"}  # A, B, C: the row's partner in three languages
FIRST_YEAR_COL = 3  # D: one column per year from 1994
YEAR_HEADER = re.compile(r"^(\d{4})(?:\s+(\d))?$")  # '2022' or '2023 1' (footnote 1: preliminary)
FOOTNOTE = re.compile(r"^(\d)\s+(\S.*)$")  # '1 Предварительные данные' below the table (B; C in English)
UNITS = ("thousand us dollars", "тыс. долларов сша")  # harmonise multiplies by 1000: another unit must stop the load
TOTAL_LABELS = {"total", "всего", "бардыгы"}
EU_LABELS = {"the eu", "ес"}  # the EU aggregate at the top: stored as partner EUU
# Group rows (aggregates of partner rows), skipped. Matched on any of the three labels.
GROUP_LABELS = {
    "cis",  # СНГ
    "sco",  # ШОС, Shanghai Cooperation Organisation
    "eaeu",  # ЕАЭС
    "europe",
    "asia",
    "america",  # also an alias of the USA in the registry: groups are matched before countries
    "africa",
    "australia and oceania",
}
# Partner rows that are no ISO 3166 country: counted in the check against the total (the publisher counts them
# in it), never stored as partners.
UNALLOCATED = {
    "undefined country",  # Неопределенная страна
    "un",  # ООН: international organisations
    "european union (eu)",  # imports 'from the EU' with no member state named (not the aggregate)
    "channel islands",  # Guernsey and Jersey together
    "netherlands antilles",  # dissolved 2010; silkscope's registry has no ISO code for it (10.8 thousand in 2012)
}
BLANKS = frozenset({"", "-"})  # '-': no trade; '': not published. Neither gives a row.
MAX_THOUSAND_USD = 1e9  # 1 trillion US$ with one partner in a year: a value above it is a broken cell
# Partner rows (countries and UNALLOCATED) must sum to 'Total' within this share of it: the committee's own rows
# fall short by up to 0.147% (exports 2023). Years known to be further off, as published, are in KNOWN_GAPS.
TOTAL_TOLERANCE = 0.0015
KNOWN_GAPS = {
    # 2021 exports: the partner rows sum to 1,646,709.5 of a published total of 2,752,163.7 (the continent rows
    # do not add up either); 2021 imports: 5,554,309.8 of 5,580,207.3.
    ("4.03.00.18", 2021): 0.41,
    ("4.03.00.20", 2021): 0.005,
}
DEFINITION = (
    "Kyrgyzstan's {flow} of goods {prep} the partner as reported by the National Statistical Committee of the Kyrgyz "
    "Republic (stat.gov.kg), table {code} 'Geographic distribution of {flow} of goods', thousand US$ converted to "
    "US$; the table does not state the trade system or how partners are attributed"
)
EU_NOTE = "EU aggregate as published (sum of member states): never add to member rows"
# The total row, stored as a fact with partner WORLD_CODE (see countries.py): Kyrgyzstan's trade with all partners as
# published, the denominator of its trade shares. The UNALLOCATED rows are inside it and in no partner fact, so the
# partner facts do not add up to it.
WORLD_NOTE = (
    "Kyrgyzstan's trade with all partners together: the table's total over all partners (row 'Бардыгы / Всего / "
    "Total'), not a partner; unallocated trade included (rows such as 'Undefined country' and 'UN', which are in "
    "no partner fact)"
)


class KgNscTrade(Connector):
    name = "kg_nsc"
    publisher = "National Statistical Committee of the Kyrgyz Republic"
    title = "Geographic distribution of exports (4.03.00.18) and imports (4.03.00.20) of goods"
    short = "Kyrgyz statistics committee"  # how a table cell or a heading names it
    licence = (
        "Not stated in the files; listed as Creative Commons Attribution by the repository the mirror copies came "
        "from (mary-lev/eu-export-sanctions), not confirmed at stat.gov.kg"
    )
    homepage = "https://www.stat.gov.kg/"
    citation = (
        "National Statistical Committee of the Kyrgyz Republic. Tables 4.03.00.18 and 4.03.00.20, Geographic "
        "distribution of exports / imports of goods, https://www.stat.gov.kg/."
    )
    core_tables = ("core.trade_flows",)

    def __init__(self) -> None:
        self._facts: list[TradeFact] = []
        self._notes: list[str] = []

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(URL, t.file, expect=EXPECT, mirror_subdir=SUBDIR) for t in TABLES.values()]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        con.execute(f"DROP TABLE IF EXISTS raw.{TABLE}")
        self._facts, self._notes = [], []
        for file in sorted(files, key=lambda f: f.remote.name):
            code = next((c for c, t in TABLES.items() if t.file == file.remote.name), None)
            if code is None:
                found = f"a file named {file.remote.name}"
                raise InputError([Problem(str(file.path), 0, "(file)", "one of the files in kg_nsc.TABLES", found)])
            table = TABLES[code]
            expected = EXPECTED.format(flow=table.flow, code=code)
            sheets = read_workbook(file.path, expected=expected)
            if table.sheet not in sheets:
                read_workbook(file.path, [table.sheet], expected=expected)  # raises: names the missing sheet
            source_id = source_id_for(self, file)
            write_raw(con, TABLE, sheets.values(), source_id=source_id)
            problems: list[Problem] = []
            self._facts += _table(sheets[table.sheet], code, source_id, problems, self._notes)
            if problems:
                raise InputError(problems)

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        years = sorted({f.year for f in self._facts})
        span = f"{years[0]}-{years[-1]}" if years else "no years"
        return "; ".join([span, *self._notes])

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        insert_trade_facts(con, self._facts)
        self._facts, self._notes = [], []


def _years(sheet: Sheet, problems: list[Problem]) -> tuple[int, dict[int, tuple[int, str | None]]]:
    """The header row and its year columns: column -> (year, footnote marker or None)."""
    for row in range(1, min(len(sheet.rows), 10) + 1):
        if any(YEAR_HEADER.match(sheet.cell(row, col).strip()) for col in range(FIRST_YEAR_COL, sheet.width)):
            break
    else:
        problems.append(sheet.problem(1, FIRST_YEAR_COL, "a header row of years (1994, 1995 ...) from column D"))
        return 0, {}
    years: dict[int, tuple[int, str | None]] = {}
    for col in range(FIRST_YEAR_COL, sheet.width):
        text = sheet.cell(row, col).strip()
        match = YEAR_HEADER.match(text)
        previous = max((y for y, _ in years.values()), default=None)
        if not text and all(not sheet.cell(r, col).strip() for r in range(row, len(sheet.rows) + 1)):
            continue  # an empty column right of the table
        if not match or (previous is not None and int(match.group(1)) != previous + 1):
            after = f"the year after {previous}" if previous else "a year"
            problems.append(sheet.problem(row, col, f"{after}, like '2022' or '2023 1' (with a footnote mark)"))
            continue
        years[col] = (int(match.group(1)), match.group(2))
    return row, years


def _table(sheet: Sheet, code: str, source_id: str, problems: list[Problem], notes: list[str]) -> list[TradeFact]:
    """The partner facts of one table, after checking title, unit, header years, labels, values and totals."""
    if not any(code in sheet.cell(1, c) for c in LABELS):
        problems.append(sheet.problem(1, 0, f"the table code {code} in the title"))
    preamble = [label_key(c) for r in sheet.rows[:3] for c in r]
    if not any(unit in c for c in preamble for unit in UNITS):
        problems.append(sheet.problem(2, 2, "the unit '(thousand US dollars)' below the title"))
    header, years = _years(sheet, problems)
    if not years:
        return []
    totals: dict[int, float | None] = {}
    total_row = 0
    sums = dict.fromkeys(years, 0.0)
    seen: dict[str, dict[int, int]] = {}  # partner -> year column -> row with its value
    footnotes: dict[str, str] = {}
    rows: list[tuple[int, str, dict[int, float]]] = []  # (row, partner, column -> value)
    for row in range(header + 1, len(sheet.rows) + 1):
        labels = {col: sheet.cell(row, col) for col in LABELS}
        keys = {label_key(text) for text in labels.values()} - {""}
        raw_values = [sheet.cell(row, col).strip() for col in years]
        marks = [m for text in (labels[1], labels[2]) if (m := FOOTNOTE.match(text.strip()))]
        if marks and all(v == "" for v in raw_values):
            footnotes[marks[0].group(1)] = " / ".join(m.group(2).strip() for m in marks)
            continue
        values = {
            col: sheet.number(row, col, problems, blanks=BLANKS, maximum=MAX_THOUSAND_USD, unit="(thousand US$)")
            for col in years
        }
        if not keys:
            if any(v is not None for v in values.values()):
                problems.append(sheet.problem(row, 0, "partner labels (Kyrgyz, Russian, English) for the row's values"))
            continue
        if keys & TOTAL_LABELS:
            if total_row:
                problems.append(sheet.problem(row, 0, f"one total row (row {total_row} is the total)"))
            total_row, totals = row, dict(values)
            continue
        if keys & GROUP_LABELS:
            continue
        if keys & UNALLOCATED:
            for col, value in values.items():
                sums[col] += value or 0.0
            continue
        if keys & EU_LABELS:
            partner = "EUU"
        else:
            partner = resolve_partner(sheet, row, labels, problems)
            if partner is None:
                continue
            if partner == REPORTER:
                problems.append(sheet.problem(row, 0, f"a partner other than the reporter {REPORTER}"))
                continue
        # The committee splits a few partners over two spellings in different years (imports: 'Salvador' and
        # 'El Salvador'): two rows are one partner as long as no year has a value on both.
        earlier = seen.setdefault(partner, {})
        for col, value in values.items():
            if value is None:
                continue
            if col in earlier:
                expected = f"one value per partner and year ({partner} {years[col][0]} is also on row {earlier[col]})"
                problems.append(sheet.problem(row, col, expected))
            earlier[col] = row
            if partner != "EUU":  # the aggregate of members counted on their own rows
                sums[col] += value
        rows.append((row, partner, {c: v for c, v in values.items() if v is not None}))
    if not total_row:
        problems.append(sheet.problem(header + 1, 0, "the total row 'Бардыгы / Всего / Total' below the header"))
        return []
    countries = len(seen) - ("EUU" in seen)
    for col, (year, _mark) in years.items():
        check_sum(
            sheet,
            total_row,
            col,
            totals.get(col) or 0.0,  # a blank total under partner values fails here
            sums[col],
            what=f"the {countries} partner rows and unallocated rows of {year}",
            tolerance=KNOWN_GAPS.get((code, year), TOTAL_TOLERANCE),
            constant="kg_nsc.TOTAL_TOLERANCE, or kg_nsc.KNOWN_GAPS for a year off as published",
            problems=problems,
        )
    rows.append((total_row, WORLD_CODE, {col: v for col, v in totals.items() if v is not None}))
    year_notes: dict[int, list[str]] = {}
    for col, (year, mark) in years.items():
        if mark:
            text = footnotes.get(mark, "(footnote text not found)")
            year_notes.setdefault(col, []).append(f"the table marks {year} with footnote {mark}: {text}")
            notes.append(f"table {code} marks {year}: {text}")
        if (code, year) in KNOWN_GAPS and totals.get(col):
            share = sums[col] / totals[col]  # type: ignore[operator]
            year_notes.setdefault(col, []).append(
                f"as published, the partner rows of {year} sum to {share:.1%} of the table's total (kg_nsc.KNOWN_GAPS)"
            )
    return _facts(sheet, code, source_id, rows, {col: year for col, (year, _m) in years.items()}, year_notes)


def _facts(
    sheet: Sheet,
    code: str,
    source_id: str,
    rows: list[tuple[int, str, dict[int, float]]],
    years: dict[int, int],
    year_notes: dict[int, list[str]],
) -> list[TradeFact]:
    """One fact per published partner value (and total: partner WORLD_CODE): its cell is its record and, with the
    file, its id."""
    table = TABLES[code]
    prep = "to" if table.direction == "country_to_partner" else "from"
    definition = DEFINITION.format(flow=table.flow, prep=prep, code=code)
    facts = []
    for row, partner, values in rows:
        for col, value in values.items():
            cell = f"'{sheet.name}'!{column_letter(col)}{row}"
            what = {"EUU": [EU_NOTE], WORLD_CODE: [WORLD_NOTE]}.get(partner, [])
            note = "; ".join(what + year_notes.get(col, [])) or None
            facts.append(
                TradeFact(
                    fact_id=f"{source_id}:{cell}",
                    country_iso3=REPORTER,
                    partner_iso3=partner,
                    year=years[col],
                    direction=table.direction,
                    thousand_usd=value,
                    definition=definition,
                    source_id=source_id,
                    source_ids=(source_id,),
                    record=f"raw.{TABLE}:{cell}",
                    note=note,
                )
            )
    return facts
