"""Statistics Agency of Uzbekistan open data: Uzbekistan's goods exports (1105) and imports (1176) by partner."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from silkscope.countries import WORLD_CODE, resolve
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector, missing_columns, read_csv_raw
from silkscope.sources.csvfiles import csv_located


@dataclass(frozen=True)
class Dataset:
    id: str
    direction: str  # core.trade_flows.direction, Uzbekistan being the country
    flow: str  # for people: 'exports to' / 'imports from'

    @property
    def file(self) -> str:
        return f"sdmx_data_{self.id}.csv"

    @property
    def table(self) -> str:
        return f"uz_stat_{self.id}"


# The files do not say which flow they hold. 1105 = exports and 1176 = imports was worked out from magnitudes
# (../shared/data/README.md) and is checked at every load by `_check_direction`: if that check fires, swap the two
# directions here (and say so in the README), after confirming on the dataset pages which file is which.
DATASETS = {
    "1105": Dataset("1105", "country_to_partner", "exports to"),
    "1176": Dataset("1176", "partner_to_country", "imports from"),
}
# The SIAT portal (siat.stat.uz) serves each dataset as api.siat.stat.uz/media/uploads/sdmx/sdmx_data_<id>.json and
# .pdf (several public projects fetch those); the .csv beside them is inferred from the file names of the mirror
# copies, which match: fairly, not fully, certain. The dataset pages are siat.stat.uz/data/<id>/.
URL = "https://api.siat.stat.uz/media/uploads/sdmx/sdmx_data_{id}.csv"
# Loose on purpose: an HTML page fails it at fetch, while a wrong delimiter or header reaches load_raw and gets a
# located error naming the line.
EXPECT = (b"Code,", b"Code;", b"Code\t")
LABELS = ["code", "klassifikator", "klassifikator_ru", "klassifikator_en"]  # snake-cased by DuckDB
PUBLISHED = {
    "code": "Code",
    "klassifikator": "Klassifikator",
    "klassifikator_ru": "Klassifikator_ru",
    "klassifikator_en": "Klassifikator_en",
}
YEAR_COLUMN = re.compile(r"^_(\d{4})$")  # DuckDB's normalize_names turns the header 2023 into _2023
# Thousand US$ as published: digits and a point, an exponent at times (1176 has 8e-05); NaN, inf, signs, commas refused
NUMBER = r"^\d+(\.\d+)?([eE][-+]?\d+)?$"
CAP_USD = 1e12  # Uzbekistan trades under 100 bn US$ a year: a trillion in one cell is a misplaced unit
# Codes that are not one present-day country, with the English label the file gives them. Kept in raw, out of the
# country rows; their amounts are stated in the note of every row of that file and year.
NON_COUNTRIES = {
    0: "Other countries",  # an unallocated remainder (2023 exports: 10.4 bn US$, mostly gold)
    530: "Netherlands Antilles",  # dissolved in 2010; no successor can be told apart
}
# Withdrawn ISO numeric codes the agency still uses. 736 is Sudan's code before South Sudan's independence (July
# 2011); the files have no 729 row, so 736 is Sudan throughout.
WITHDRAWN = {736: "SDN"}
# The files have no total row: Uzbekistan's trade with all partners (a fact with partner WORLD_CODE, see countries.py,
# the denominator of its trade shares) is the sum of every row of the file, NON_COUNTRIES included, as those flows
# are part of its trade with the world though in no partner row.
WORLD_NOTE = (
    "Uzbekistan's trade with all partners together: the sum of every row of the file for the year (the agency "
    "publishes no total), not a partner; the rows of no country included, flows not allocated to a partner among "
    f"them ({', '.join(f'code {c} {n!r}' for c, n in NON_COUNTRIES.items())})."
)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _published(column: str) -> str:
    match = YEAR_COLUMN.match(column)
    return match.group(1) if match else PUBLISHED.get(column, column)


class UzStatTrade(Connector):
    name = "uz_stat"
    publisher = "Statistics Agency under the President of the Republic of Uzbekistan (stat.uz)"
    title = "Uzbekistan's exports and imports of goods by partner country, thousand US$ (open data 1105, 1176)"
    short = "Uzbekistan statistics agency"  # how a table cell or a heading names it
    # The files state no licence. A third party's note reads the SIAT open data as CC BY 4.0; not verified here.
    licence = "not stated in the files; Statistics Agency open-data terms (siat.stat.uz), unverified"
    homepage = "https://siat.stat.uz/"
    citation = (
        "Statistics Agency under the President of the Republic of Uzbekistan, open data: exports (1105) and "
        "imports (1176) of goods by partner country, https://siat.stat.uz/."
    )
    core_tables = ("core.trade_flows",)

    def __init__(self) -> None:
        self._paths: dict[str, Path] = {}  # dataset id -> file, to name files in harmonise-time errors
        self._iso3: dict[str, dict[int, str]] = {}  # dataset id -> code -> partner ISO3

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(URL.format(id=d.id), d.file, expect=EXPECT, mirror_subdir="uz_stat") for d in DATASETS.values()
        ]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        by_name = {d.file: d for d in DATASETS.values()}
        self._paths, self._iso3 = {}, {}
        for file in files:
            dataset = by_name[file.remote.name]
            self._paths[dataset.id] = file.path
            _check_file(file.path)
            with csv_located(file.path):
                read_csv_raw(
                    con,
                    dataset.table,
                    file.path,
                    source_id=source_id_for(self, file),
                    expected="the Statistics Agency's CSV: Code,Klassifikator,Klassifikator_ru,Klassifikator_en,years",
                )
            years = _check_header(con, dataset.table, file.path)
            _check_cells(con, dataset.table, file.path, years)
            self._iso3[dataset.id] = _partners(con, dataset.table, file.path)
        missing = [d.file for d in DATASETS.values() if d.id not in self._paths]
        if missing:
            raise InputError(
                [Problem(m, 0, "(file)", "both files, exports (1105) and imports (1176)", "absent") for m in missing]
            )
        _check_direction(con, self._paths)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        for dataset in DATASETS.values():
            codes = self._iso3[dataset.id]
            con.execute("CREATE OR REPLACE TEMP TABLE _uz_codes (code INTEGER, iso3 VARCHAR, note VARCHAR)")
            if codes:  # executemany refuses an empty list
                con.executemany(
                    "INSERT INTO _uz_codes VALUES (?, ?, ?)",
                    [(c, iso3, _code_note(c)) for c, iso3 in sorted(codes.items())],
                )
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _uz_long AS
                SELECT source_id, source_line, trim(code)::INTEGER AS code, replace(yr, '_', '')::INTEGER AS year,
                       trim(v)::DOUBLE AS value
                FROM (UNPIVOT raw.{dataset.table} ON COLUMNS('^_[0-9]{{4}}$') INTO NAME yr VALUE v)"""
            )
            con.execute("CREATE OR REPLACE TEMP TABLE _uz_other (year INTEGER, note VARCHAR)")
            if notes := _unallocated_notes(con, dataset):
                con.executemany("INSERT INTO _uz_other VALUES (?, ?)", notes)
            definition = (
                f"Uzbekistan's goods {dataset.flow} the partner, calendar year, current US$, as reported by "
                f"Uzbekistan's Statistics Agency (open data {dataset.id}, by partner country; partner by ISO 3166 "
                "numeric code; published in thousand US$). Flows not allocated to a partner (code 0, 'Other "
                "countries') are in no partner row."
            )
            con.execute(
                f"""INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, group_id, year, month,
                       direction, reporter_iso3, classification, product_code, product_label, value_usd, currency,
                       value_published, unit_published, price_basis, definition, source_id, source_ids,
                       citation_status, record, note)
                SELECT l.source_id || ':' || l.source_line || ':' || l.year, c.iso3, 'UZB', NULL, l.year, NULL,
                       ?, 'UZB', 'total', 'TOTAL', 'All goods', l.value * 1000, 'USD', l.value * 1000,
                       'thousand USD', 'current', ?, l.source_id, [l.source_id], 'cited',
                       'raw.{dataset.table}:' || l.source_line || ':' || l.year,
                       nullif(concat_ws(' ', c.note, o.note), '')
                FROM _uz_long l JOIN _uz_codes c ON c.code = l.code LEFT JOIN _uz_other o ON o.year = l.year""",
                [dataset.direction, definition],
            )
            _insert_world(con, dataset, definition)
        for table in ("_uz_codes", "_uz_long", "_uz_other"):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _insert_world(con: duckdb.DuckDBPyConnection, dataset: Dataset, definition: str) -> None:
    """Per year, the sum of all the file's rows as a fact with partner WORLD_CODE; its record and id name the raw
    table, the line span summed (every line of the file) and the year column."""
    con.execute(
        f"""INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, group_id, year, month,
               direction, reporter_iso3, classification, product_code, product_label, value_usd, currency,
               value_published, unit_published, price_basis, definition, source_id, source_ids,
               citation_status, record, note)
        SELECT l.source_id || ':' || l.lines || ':' || l.year, ?, 'UZB', NULL, l.year, NULL,
               ?, 'UZB', 'total', 'TOTAL', 'All goods', l.value * 1000, 'USD', l.value * 1000,
               'thousand USD', 'current', ?, l.source_id, [l.source_id], 'cited',
               'raw.{dataset.table}:' || l.lines || ':' || l.year, concat_ws(' ', ?, o.note)
        FROM (SELECT source_id, year, min(source_line) || '-' || max(source_line) AS lines,
                     sum(value ORDER BY source_line) AS value  -- in file order: the same double at every load
              FROM _uz_long GROUP BY source_id, year) l
        LEFT JOIN _uz_other o ON o.year = l.year""",
        [WORLD_CODE, dataset.direction, definition, WORLD_NOTE],
    )


def _check_file(path: Path) -> None:
    """A directory, an empty file or an HTML page where the CSV should be: say so before DuckDB guesses."""
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(file, 0, "(file)", "a CSV file", "a directory" if path.is_dir() else "nothing")])
    with path.open("rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise InputError([Problem(file, 1, "(file)", "the header line Code,Klassifikator,...", "an empty file")])
    if head.startswith(b"<"):  # <!DOCTYPE, <html, <?xml: a portal page, not the export
        found = f"an HTML/XML page: {head[:60].decode('utf-8', 'replace')!r}"
        raise InputError([Problem(file, 1, "(file)", "the Statistics Agency's CSV (not a web page)", found)])


def _check_header(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> list[str]:
    """Code and the three labels first, then only year columns; at least one year and one row. Returns the years."""
    have = [r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()][:-2]  # less source_line, source_id
    problem = missing_columns(path, have, LABELS, published=_published)
    if problem:
        raise InputError([problem])
    years = have[len(LABELS) :]
    problems = [
        Problem(str(path), 1, _published(c), "a year (4 digits) after the label columns", _published(c))
        for c in years
        if not YEAR_COLUMN.match(c)
    ]
    if have[: len(LABELS)] != LABELS:
        found = ",".join(map(_published, have[: len(LABELS)]))
        problems.append(
            Problem(str(path), 1, "(header)", "Code,Klassifikator,Klassifikator_ru,Klassifikator_en", found)
        )
    if not years:
        problems.append(Problem(str(path), 1, "(header)", "one column per year after the labels", "none"))
    if problems:
        raise InputError(problems)
    if con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0] == 0:
        raise InputError([Problem(str(path), 2, "(file)", "one row per partner after the header", "no rows")])
    return years


def _check_cells(con: duckdb.DuckDBPyConnection, table: str, path: Path, years: list[str]) -> None:
    """Codes are integers, every year cell a plain non-negative number below the cap, each code on one line."""
    problems: list[Problem] = []
    bad = con.execute(
        f"""SELECT source_line, code FROM raw.{table}
        WHERE NOT regexp_full_match(coalesce(trim(code), ''), '[0-9]{{1,3}}') ORDER BY 1 LIMIT 10"""
    ).fetchall()
    problems += [Problem(str(path), line, "Code", "an ISO 3166 numeric code (1-3 digits)", v or "") for line, v in bad]
    for column in years:
        rows = con.execute(
            f"""SELECT source_line, "{column}" FROM raw.{table}
            WHERE NOT regexp_full_match(coalesce(trim("{column}"), ''), '{NUMBER[1:-1]}')
               OR TRY_CAST(trim("{column}") AS DOUBLE) * 1000 > {CAP_USD} ORDER BY 1 LIMIT 10"""
        ).fetchall()
        expected = f"a non-negative number in thousand US$ below {CAP_USD / 1000:,.0f}"
        problems += [Problem(str(path), line, _published(column), expected, v or "") for line, v in rows]
    if problems:
        raise InputError(problems)
    duplicates = con.execute(
        f"""SELECT trim(code)::INTEGER, list(source_line ORDER BY source_line) FROM raw.{table}
        GROUP BY 1 HAVING count(*) > 1 ORDER BY 2 LIMIT 10"""
    ).fetchall()
    if duplicates:
        raise InputError(
            [
                Problem(
                    str(path),
                    lines[1],
                    "Code",
                    f"one row per partner (code {code} is already on line {lines[0]})",
                    str(code),
                )
                for code, lines in duplicates
            ]
        )


def _partners(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> dict[int, str]:
    """Code -> ISO3 for country rows, each code checked against its English label (located error if they part)."""
    rows = con.execute(
        f"SELECT source_line, trim(code)::INTEGER, klassifikator_ru, klassifikator_en FROM raw.{table} ORDER BY 1"
    ).fetchall()
    mapping: dict[int, str] = {}
    problems: list[Problem] = []
    for line, code, ru, en in rows:
        english, en = (en or "").strip(), en or ""
        # The publisher swapped the Russian and English labels on one row (580, Northern Mariana Islands).
        if CYRILLIC.search(english) and ru and not CYRILLIC.search(ru):
            english = ru.strip()
        if code in NON_COUNTRIES:
            if english.casefold() != NON_COUNTRIES[code].casefold():
                problems.append(Problem(str(path), line, "Klassifikator_en", repr(NON_COUNTRIES[code]), en))
            continue
        try:
            iso3 = WITHDRAWN.get(code) or resolve(str(code))
        except UnknownCountryError:
            expected = "an ISO 3166 numeric country code (or 0, 'Other countries')"
            problems.append(Problem(str(path), line, "Code", expected, str(code)))
            continue
        if iso3 == "UZB":
            problems.append(Problem(str(path), line, "Code", "a partner of Uzbekistan, not Uzbekistan", str(code)))
            continue
        try:
            named = resolve(english)
        except UnknownCountryError:
            named = None
        if named != iso3:
            expected = (
                f"the English name of {iso3} (code {code}), not of {named}"
                if named
                else f"a name silkscope knows for {iso3} (code {code}; a new spelling goes in registry/aliases.csv)"
            )
            problems.append(Problem(str(path), line, "Klassifikator_en", expected, en))
            continue
        mapping[code] = iso3
    if problems:
        raise InputError(problems)
    return mapping


def _check_direction(con: duckdb.DuckDBPyConnection, paths: dict[str, Path]) -> None:
    """Uzbekistan buys far more from China than it sells there (2023: 11.3 bn vs 2.5 bn US$): over all years the
    file taken as imports must show the larger China figure. If not, the datasets are swapped (see DATASETS)."""
    totals = {}
    for dataset in DATASETS.values():
        years = [
            c
            for (c,) in con.execute(f"SELECT name FROM pragma_table_info('raw.{dataset.table}')").fetchall()
            if YEAR_COLUMN.match(c)
        ]
        row = con.execute(
            f"""SELECT min(source_line), sum({" + ".join(f'"{y}"::DOUBLE' for y in years)})
            FROM raw.{dataset.table} WHERE trim(code)::INTEGER = 156"""
        ).fetchone()
        if row[0] is None:
            expected = "a row for China (156): the check that this file holds the flow assumed relies on it"
            raise InputError([Problem(str(paths[dataset.id]), 0, "Code", expected, "no row 156")])
        totals[dataset.direction] = (row[0], row[1], dataset)
    line, imports, dataset = totals["partner_to_country"]
    exports = totals["country_to_partner"][1]
    if not imports > exports:
        expected = (
            f"imports from China (dataset {dataset.id}) larger than exports to China over all years, as in every "
            "edition so far; if the agency swapped or renumbered the datasets, change uz_stat.DATASETS"
        )
        found = f"{imports:,.1f} vs exports {exports:,.1f} thousand US$"
        raise InputError([Problem(str(paths[dataset.id]), line, "(all years)", expected, found)])


def _code_note(code: int) -> str | None:
    if code in WITHDRAWN:
        return f"Published under the withdrawn ISO 3166 code {code} (Sudan before July 2011), read as SDN."
    return None


def _unallocated_notes(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> list[tuple[int, str]]:
    """Per year, the amounts of this file under codes that are no country (0 = Other countries), for the notes."""
    rows = con.execute(
        """SELECT year, list((code, value) ORDER BY code) FROM _uz_long
        WHERE list_contains(?, code) AND value > 0 GROUP BY year""",
        [sorted(NON_COUNTRIES)],
    ).fetchall()
    notes = []
    for year, parts in rows:
        shown = "; ".join(f"code {c} '{NON_COUNTRIES[c]}' {v:,.1f}" for c, v in parts)
        gold = (
            " (for exports, mostly gold, which the agency does not allocate to partners)"
            if dataset.id == "1105"
            else ""
        )
        notes.append((year, f"Not in any partner row for {year} (thousand US$): {shown}{gold}."))
    return notes
