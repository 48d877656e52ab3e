"""Eurostat Comext web-tool CSV exports (Relational View): EU members' and EU27 goods trade with the C5, in EUR."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from silkscope.countries import name as country_name
from silkscope.errors import InputError, Problem
from silkscope.fetch import ByteProgress, FetchedFile, FetchError, RemoteFile, from_mirror
from silkscope.sources import eurostat_labels as labels
from silkscope.sources.base import Connector, read_csv_raw
from silkscope.sources.csvfiles import check_utf8, delimiter_problem, separator_problem

# Web-tool exports have no stable address: the tool builds each file on request. The Comext dissemination API
# serves the same figures from dataset DS-045409 (EU trade since 1988 by SITC) with the key
# FREQ.REPORTER.PARTNER.PRODUCT.FLOW.INDICATORS, e.g. M.DE+FR+EU27_2020.KZ.TOTAL.2.VALUE_IN_EUROS = the monthly
# VALUE_IN_EUR of the kazakhstan file below. The API answers in SDMX-CSV, not in the Relational View layout, so a
# download fails EXPECT and nothing is cached: today the files are read from a mirror (<mirror>/eurostat/).
API_URL = "https://ec.europa.eu/eurostat/api/comext/dissemination/sdmx/2.1/data/DS-045409"
WEB_TOOL_URL = "https://ec.europa.eu/eurostat/comext/newxtweb/"
MIRROR_SUBDIR = "eurostat"
PATTERN = "comext_*.csv"
COLUMNS = ["REPORTER", "PARTNER", "PRODUCT", "FLOW", "STAT_PROCEDURE", "PERIOD", "VALUE_IN_EUR"]
EXPECT = (b"REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR",)
# Above this a cell is a slip (a unit or a thousand separator gone wrong): the EU's goods exports to the whole
# world are about 2.6e12 EUR a year.
MAX_EUR = 1e13
RAW = "eurostat_comext_relational"
STAGE = "eurostat_comext_stage"
RATE = ("PA.NUS.FCRF", "DEU")  # WDI official exchange rate, LCU per US$, of Germany, whose LCU is the euro
# What the definition says of value_usd ({} = year, rate source). A rate is never assumed: no loaded rate, no US$.
CONVERTED = (
    "in EUR; value_usd converted at the WDI official exchange rate of the euro (PA.NUS.FCRF, DEU, {} annual average, "
    "source {})"
)
MONTHLY_NOTE = "; a monthly value converted at the annual average of its year"
NO_RATE_FOR_YEAR = "in EUR; the loaded exchange-rate series (PA.NUS.FCRF, DEU) has no value for {}: value_usd is empty"
NO_RATE = "in EUR; no exchange-rate series loaded (silkscope update wdi loads PA.NUS.FCRF)"
REPORTERS = "AT+BE+BG+CY+CZ+DE+DK+EE+ES+FI+FR+GR+HR+HU+IE+IT+LT+LU+LV+MT+NL+PL+PT+RO+SE+SI+SK+GB+EU27_2020"
MEMBERS_MONTHLY, SPAN = f"M.{REPORTERS}", ("2019-01", "2024-08")
# The mirror's files and the API query each one corresponds to: (key, first period, last period).
QUERIES = {
    "comext_eu_member_exports_to_kazakhstan_monthly_2019-01_2024-08.csv": (f"{MEMBERS_MONTHLY}.KZ.TOTAL.2", *SPAN),
    "comext_eu_member_exports_to_kyrgyzstan_monthly_2019-01_2024-08.csv": (f"{MEMBERS_MONTHLY}.KG.TOTAL.2", *SPAN),
    "comext_eu_member_exports_to_uzbekistan_monthly_2019-01_2024-08.csv": (f"{MEMBERS_MONTHLY}.UZ.TOTAL.2", *SPAN),
    "comext_eu_member_imports_from_kyrgyzstan_monthly_2019-01_2024-08.csv": (f"{MEMBERS_MONTHLY}.KG.TOTAL.1", *SPAN),
    "comext_eu27_exports_by_partner_annual_2010-2023.c5.csv": ("A.EU27_2020.KZ+KG+TJ+TM+UZ.TOTAL.2", "2010", "2023"),
}
# Dimension -> parser; each distinct label of a file is parsed once and joined back in SQL.
PARSERS = {
    "reporter": labels.reporter,
    "partner": labels.partner,
    "product": labels.product,
    "flow": labels.flow,
    "stat_procedure": labels.procedure,
    "period": labels.period,
}


class EurostatComext(Connector):
    name = "eurostat_comext"
    publisher = "Eurostat"
    title = "Eurostat Comext, EU trade in goods (DS-045409), total goods, web-tool Relational View exports"
    short = "Eurostat Comext"  # how a table cell or a heading names it
    licence = "Eurostat reuse policy: CC BY 4.0"
    homepage = "https://ec.europa.eu/eurostat/web/international-trade-in-goods/database"
    citation = (
        "Eurostat. Comext database, EU trade since 1988 by SITC (DS-045409), https://ec.europa.eu/eurostat/comext/."
    )
    core_tables = ("core.trade_flows",)

    def __init__(self) -> None:
        self._paths: dict[str, Path] = {}  # source_id -> file, to name files in errors found across files

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                f"{API_URL}/{key}.VALUE_IN_EUROS",
                file,
                params={"startPeriod": start, "endPeriod": end, "format": "SDMX-CSV"},
                expect=EXPECT,
                mirror_subdir=MIRROR_SUBDIR,
            )
            for file, (key, start, end) in QUERIES.items()
        ]

    def fetch_files(
        self,
        *,
        cache_dir: Path | None = None,
        mirror: Path | None = None,
        refresh: bool = False,
        progress: ByteProgress | None = None,
    ) -> list[FetchedFile]:
        """With a mirror: every comext_*.csv in <mirror>/eurostat/ (an analyst names each web-tool export so)."""
        if mirror is None:
            return super().fetch_files(cache_dir=cache_dir, refresh=refresh, progress=progress)
        folder = Path(mirror) / MIRROR_SUBDIR
        paths = sorted(folder.glob(PATTERN)) if folder.is_dir() else []
        if not paths:
            raise FetchError(f"no {PATTERN} file in the mirror folder {folder}")
        # A present file that cannot be read is the analyst's to fix, not a file to skip (InputError, not FetchError:
        # `silkscope update` skips a connector whose files are absent).
        problems = [p for p in map(_unreadable, paths) if p]
        if problems:
            raise InputError(problems)
        known = {r.name: r for r in self.remote_files()}
        files = []
        for path in paths:
            remote = known.get(path.name)
            # No EXPECT on mirror files: load_raw says what is wrong and where, which a fetch check cannot.
            url, params = (remote.url, remote.params) if remote else (f"{WEB_TOOL_URL}#{path.name}", {})
            remote = RemoteFile(url, path.name, params, mirror_subdir=MIRROR_SUBDIR)
            files.append(from_mirror(remote, Path(mirror), cache_dir))
        return files

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        columns = [c.lower() for c in COLUMNS]
        con.execute(f"DROP TABLE IF EXISTS raw.{RAW}")
        con.execute(
            f"CREATE TABLE raw.{RAW} ({', '.join(f'{c} VARCHAR' for c in columns)}, source_line BIGINT, "
            "source_id VARCHAR)"
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _cx_labels (col VARCHAR, label VARCHAR, code VARCHAR, month INTEGER)")
        self._paths = {}
        parsed: dict[tuple[str, str | None], object] = {}
        for file in files:
            source_id = source_id_for(self, file)
            if source_id in self._paths:
                continue  # the same bytes under a second name: one file, read once
            self._paths[source_id] = file.path
            _check_file(file.path)
            read_csv_raw(con, STAGE, file.path, source_id=source_id, expected="a Comext web-tool Relational View CSV")
            _check_values(con, file.path)
            _check_labels(con, file.path, parsed)
            con.execute(f"INSERT INTO raw.{RAW} SELECT {', '.join(columns)}, source_line, source_id FROM raw.{STAGE}")
            con.execute(f"DROP TABLE raw.{STAGE}")
        rows = [(col, label, *_codes(value)) for (col, label), value in parsed.items()]
        if rows:
            con.executemany("INSERT INTO _cx_labels VALUES (?, ?, ?, ?)", rows)
        _build_facts(con)
        self._check_duplicates(con)

    def _file(self, source_id: str) -> str:
        return str(self._paths.get(source_id, source_id))

    def _check_duplicates(self, con: duckdb.DuckDBPyConnection) -> None:
        """One row per reporter, partner, flow and period in a file; where files overlap, the same value."""
        key = "reporter_iso3, country_iso3, flow, year, month"
        problems = []
        for source_id, lines, reporter, period in con.execute(
            f"""SELECT source_id, list(source_line ORDER BY source_line), any_value(reporter_label),
                   any_value(period_label)
            FROM _cx_facts GROUP BY source_id, {key} HAVING count(*) > 1 ORDER BY 1, 2 LIMIT 10"""
        ).fetchall():
            expected = f"one row per reporter, partner, flow, product and period (the row on line {lines[0]} again)"
            problems.append(Problem(self._file(source_id), lines[1], "(row)", expected, f"{reporter}, {period}"))
        for ids, lines, values in con.execute(
            f"""SELECT list(source_id ORDER BY value_eur, source_id), list(source_line ORDER BY value_eur, source_id),
                   list(value_eur ORDER BY value_eur, source_id)
            FROM _cx_facts GROUP BY {key} HAVING count(DISTINCT value_eur) > 1 ORDER BY 1, 2 LIMIT 10"""
        ).fetchall():
            first = f"{self._file(ids[0])}:{lines[0]}"
            expected = f"the value of the overlapping file {first} ({values[0]:,.0f} EUR)"
            problems.append(Problem(self._file(ids[-1]), lines[-1], "VALUE_IN_EUR", expected, f"{values[-1]:,.0f}"))
        if problems:
            raise InputError(problems)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        series_loaded = _rates(con)
        con.execute(
            f"""INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, group_id, year, month, direction,
                   reporter_iso3, classification, product_code, product_label, value_usd, currency, value_published,
                   unit_published, price_basis, definition, source_id, source_ids, citation_status, record, note)
            SELECT f.source_id || ':' || f.source_line, f.reporter_iso3, f.country_iso3, NULL, f.year, f.month,
                   CASE f.flow WHEN '2' THEN 'partner_to_country' ELSE 'country_to_partner' END, f.reporter_iso3,
                   'total', 'TOTAL', 'Total (all products)', f.value_eur / x.rate, 'EUR', f.value_eur, 'EUR', 'current',
                   'Eurostat Comext goods trade, all products, all statistical procedures, as reported by '
                       || f.reporter_name || ': ' || CASE f.flow WHEN '2' THEN 'exports to ' ELSE 'imports from ' END
                       || f.country_name || ', '
                       || CASE WHEN f.month IS NULL THEN 'calendar year ' || f.year
                               ELSE strftime(make_date(f.year, f.month, 1), '%B %Y') END
                       || CASE f.flow WHEN '2' THEN ', FOB' ELSE ', CIF' END || ', current prices; '
                       || CASE WHEN x.rate IS NOT NULL
                               THEN format(?, f.year, x.source_id) || CASE WHEN f.month IS NULL THEN '' ELSE ? END
                               WHEN ? THEN format(?, f.year) ELSE ? END,
                   f.source_id,
                   list_concat(f.source_ids, CASE WHEN x.rate IS NULL THEN [] ELSE [x.source_id] END), 'cited',
                   'raw.{RAW}:' || f.source_line,
                   'Comext REPORTER ' || f.reporter_label || '; FLOW ' || f.flow_label || '; PERIOD ' || f.period_label
                       || CASE WHEN len(f.source_ids) > 1 THEN '; the same value in the overlapping file(s) '
                               || array_to_string(list_filter(f.source_ids, s -> s <> f.source_id), ', ') ELSE '' END
            FROM _cx_merged f LEFT JOIN _cx_rates x ON x.year = f.year""",
            [CONVERTED, MONTHLY_NOTE, series_loaded, NO_RATE_FOR_YEAR, NO_RATE],
        )
        for table in ("_cx_labels", "_cx_facts", "_cx_merged", "_cx_rates", "_cx_names"):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _codes(value: object) -> tuple[str | None, int | None]:
    """A parsed label as (code, month): periods carry the year as code and the month (NULL for a whole year)."""
    if isinstance(value, tuple):
        return str(value[0]), value[1]
    return (None if value is None else str(value)), None


def _unreadable(path: Path) -> Problem | None:
    if path.is_dir():
        return Problem(str(path), 0, "(file)", "a CSV file exported from the Comext web tool", "a directory")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return Problem(str(path), 0, "(file)", "a readable file", f"{type(exc).__name__}: {exc.strerror}")
    return None


def _check_file(path: Path) -> None:
    """What DuckDB would misreport: a directory, no bytes, an HTML page, not UTF-8, the wrong header or delimiter."""
    file = str(path)
    problem = _unreadable(path)
    if problem is None and path.stat().st_size == 0:
        problem = Problem(file, 1, "(file)", f"the header {','.join(COLUMNS)}", "an empty file")
    if problem:
        raise InputError([problem])
    with path.open("rb") as fh:
        head = fh.read(4096)
    opening = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if opening.startswith(b"<") or b"<html" in head.lower():
        found = "an HTML page: " + opening[:80].decode("utf-8", "replace")
        raise InputError([Problem(file, 1, "(file)", "a Comext web-tool CSV export (Relational View)", found)])
    check_utf8(path, file, COLUMNS)
    with path.open(encoding="utf-8", newline="") as fh:
        header = fh.readline().lstrip("\ufeff").rstrip("\r\n")
        rest = next((line for line in fh if line.strip()), None)
    found = next(csv.reader([header]), [])
    if [c.strip().upper() for c in found] != COLUMNS:
        if len(found) == 1 and (delim := delimiter_problem(path)):
            raise InputError([delim])
        column = next(
            (c for i, c in enumerate(COLUMNS) if i >= len(found) or found[i].strip().upper() != c), "(header)"
        )
        raise InputError([Problem(file, 1, column, f"the header {','.join(COLUMNS)} (Relational View)", header[:200])])
    if rest is None:
        raise InputError([Problem(file, 2, "(file)", "at least one data row after the header", "only the header")])
    separator = separator_problem(file, 2, rest.rstrip("\r\n"), quote='"')
    if separator:
        raise InputError([separator])
    _check_fields(path)


def _check_fields(path: Path, limit: int = 10) -> None:
    """Seven fields on every line, streamed: DuckDB's sniffer gives up on a ragged file without naming a line."""
    problems = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        for row in reader:
            if row and len(row) != len(COLUMNS):
                expected = f"{len(COLUMNS)} comma-separated fields ({','.join(COLUMNS)})"
                problems.append(Problem(str(path), reader.line_num, "(row)", expected, f"{len(row)}: {row}"[:200]))
                if len(problems) == limit:
                    break
    if problems:
        raise InputError(problems)


def _check_values(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """VALUE_IN_EUR: a finite number, >= 0, not absurdly large; an empty stage is a header-only file."""
    file = str(path)
    if con.execute(f"SELECT count(*) FROM raw.{STAGE}").fetchone()[0] == 0:
        raise InputError([Problem(file, 2, "(file)", "at least one data row after the header", "only the header")])
    rows = con.execute(
        f"""SELECT source_line, value_in_eur, TRY_CAST(trim(value_in_eur) AS DOUBLE) AS v FROM raw.{STAGE}
        WHERE v IS NULL OR NOT isfinite(v) OR v < 0 OR v > {MAX_EUR} ORDER BY 1 LIMIT 10"""
    ).fetchall()
    problems = []
    for line, text, value in rows:
        if text is None or not text.strip():
            expected = "a value in EUR (the cell is empty)"
        elif value is None:
            expected = "a number (EUR, digits only)"
        elif value != value or value in (float("inf"), float("-inf")):
            expected = "a finite number (EUR)"
        elif value < 0:
            expected = "a value >= 0 (EUR)"
        else:
            expected = f"a value up to {MAX_EUR:.0e} EUR (the EU's goods exports to the world are ~2.6e12 EUR a year)"
        problems.append(Problem(file, line, "VALUE_IN_EUR", expected, text or ""))
    if problems:
        raise InputError(problems)


def _check_labels(con: duckdb.DuckDBPyConnection, path: Path, parsed: dict) -> None:
    """Parse each distinct label of each dimension once; unknown labels are located on their first line."""
    problems = []
    for column, parse in PARSERS.items():
        for label, line in con.execute(
            f"SELECT {column}, min(source_line) FROM raw.{STAGE} GROUP BY 1 ORDER BY 2"
        ).fetchall():
            if (column, label) in parsed:
                continue
            try:
                parsed[(column, label)] = parse(label)
            except labels.LabelError as exc:
                problems.append(Problem(str(path), line, column.upper(), exc.expected, label or ""))
    if problems:
        raise InputError(problems)


def _build_facts(con: duckdb.DuckDBPyConnection) -> None:
    """_cx_facts: every row with its codes (aggregates other than EU27_2020 left out); _cx_merged: one row per
    reporter, partner, flow and period, agreeing rows of overlapping files merged (their source_ids listed)."""
    codes = {
        r[0]
        for r in con.execute("SELECT DISTINCT code FROM _cx_labels WHERE col IN ('reporter', 'partner')").fetchall()
    }
    con.execute("CREATE OR REPLACE TEMP TABLE _cx_names (iso3 VARCHAR, display VARCHAR)")
    display = {c: _display(c) for c in codes if c is not None}
    if display:
        con.executemany("INSERT INTO _cx_names VALUES (?, ?)", sorted(display.items()))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _cx_facts AS
        SELECT r.source_id, r.source_line, rep.code AS reporter_iso3, par.code AS country_iso3, fl.code AS flow,
               per.code::INTEGER AS year, per.month, trim(r.value_in_eur)::DOUBLE AS value_eur,
               r.reporter AS reporter_label, r.flow AS flow_label, r.period AS period_label
        FROM raw.{RAW} r
        JOIN _cx_labels rep ON rep.col = 'reporter' AND rep.label = r.reporter
        JOIN _cx_labels par ON par.col = 'partner' AND par.label = r.partner
        JOIN _cx_labels fl ON fl.col = 'flow' AND fl.label = r.flow
        JOIN _cx_labels per ON per.col = 'period' AND per.label = r.period
        WHERE rep.code IS NOT NULL"""
    )
    key = "reporter_iso3, country_iso3, flow, year, month"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _cx_merged AS
        SELECT m.* EXCLUDE (n), rn.display AS reporter_name, cn.display AS country_name
        FROM (SELECT f.*, list_sort(list_distinct(list(f.source_id) OVER (PARTITION BY {key}))) AS source_ids,
                     row_number() OVER (PARTITION BY {key} ORDER BY f.source_id, f.source_line) AS n
              FROM _cx_facts f) m
        JOIN _cx_names rn ON rn.iso3 = m.reporter_iso3
        JOIN _cx_names cn ON cn.iso3 = m.country_iso3
        WHERE m.n = 1"""
    )


def _display(iso3: str) -> str:
    if iso3 == "EUU":
        return "the EU27_2020 aggregate as published (EUU; never add it to member rows)"
    if iso3 in labels.FORMER_MEMBERS:
        return f"{country_name(iso3)} ({iso3}, an EU member until 31 January 2020)"
    return f"{country_name(iso3)} ({iso3})"


def _rates(con: duckdb.DuckDBPyConnection) -> bool:
    """_cx_rates: one loaded euro rate per year, from the newest current source if several WDI editions hold one.
    Only years of the euro: before 1999 DEU's LCU was the Deutsche Mark."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _cx_rates AS
        SELECT year, value AS rate, source_id FROM (
            SELECT i.year, i.value, i.source_id,
                   row_number() OVER (PARTITION BY i.year ORDER BY s.retrieved_at DESC NULLS LAST, i.source_id) AS n
            FROM core.indicators i JOIN core.sources s ON s.source_id = i.source_id
            WHERE i.indicator_code = ? AND i.country_iso3 = ? AND i.partner_iso3 IS NULL AND s.superseded_at IS NULL
              AND i.year >= 1999 AND isfinite(i.value) AND i.value > 0)
        WHERE n = 1""",
        list(RATE),
    )
    return bool(con.execute("SELECT count(*) FROM _cx_rates").fetchone()[0])
