"""World Bank WDI as Open Numbers republishes it (DDF: one long CSV per indicator), each file at its own edition."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import duckdb

from silkscope.errors import InputError, Problem
from silkscope.fetch import ByteProgress, FetchedFile, FetchError, RemoteFile, fetch, from_mirror
from silkscope.ingest import source_id_for
from silkscope.sources.base import Connector, located, mapping_table
from silkscope.sources.wdi_codes import MIRROR_SUBDIR, indicator_name, insert_core, meta_table, resolve_codes
from silkscope.sources.wdi_ddf_editions import (
    COMMITS,
    HISTORY_URL,
    KNOWN_FILES,
    LATEST_COMMIT,
    RAW_URL,
    choose_editions,
    publisher_name,
)

# The publisher's file is ddf--datapoints--<code>--by--economy--year.csv; a mirror may also hold row-filtered
# copies of it (...year.c5.csv, ...year.caucasus.csv). If the layout's name changes, change both patterns.
NAME_RE = re.compile(r"^ddf--datapoints--(?P<ddf>[a-z0-9_]+)--by--economy--year(?P<filter>\.[A-Za-z0-9_.-]+)?\.csv$")
MIRROR_GLOB = "ddf--datapoints--{ddf}--by--economy--year*.csv"
HEADER = ("economy", "year")  # then the indicator's column, named like the file: dc_dac_jpnl_cd
LAYOUT = "the Open Numbers DDF layout: header economy,year,<code>, then one row per economy and year"
# No WDI series silkscope reads comes near this in its own unit (world GDP is ~1e14 US$): a larger value is a
# unit or parsing mistake, not data.
MAX_ABS = 1e15
YEARS = (1900, 2100)
NUMBER_RE = r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?"
COMMIT_IN_URL = re.compile(r"/(?P<commit>[0-9a-f]{40})/datapoints/")


def ddf_code(code: str) -> str:
    """WDI code -> the DDF column and file-name code: DC.DAC.JPNL.CD -> dc_dac_jpnl_cd."""
    return code.lower().replace(".", "_")


def wdi_code(ddf: str, known: tuple[str, ...]) -> str:
    """DDF code -> WDI code; the series silkscope reads have dots only, so an unlisted one is upper-cased."""
    return {ddf_code(c): c for c in known}.get(ddf, ddf.upper().replace("_", "."))


def header_problem(path: Path, shown: str, column: str) -> Problem | None:
    """What is wrong with a file before any reader opens it: not a file, unreadable, empty, HTML, wrong header."""
    expected = f"the header {','.join((*HEADER, column))} ({LAYOUT})"
    if not path.is_file():
        return Problem(shown, 0, "(file)", "a CSV file", "a folder" if path.is_dir() else "no regular file")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return Problem(shown, 0, "(file)", "a readable CSV file", str(exc))
    first, _, rest = head.partition(b"\n")
    text = first.rstrip(b"\r").decode("utf-8-sig", "replace")
    if not head.strip():
        return Problem(shown, 1, "(file)", expected, "an empty file")
    if text.lstrip().startswith("<"):
        return Problem(shown, 1, "(file)", expected, f"an HTML page, not CSV: {text.strip()[:80]}")
    fields = text.split(",")
    if fields != [*HEADER, column]:
        wanted = [*HEADER, column]
        wrong = next((w for i, w in enumerate(wanted) if i >= len(fields) or fields[i] != w), "(header)")
        return Problem(shown, 1, wrong, expected, text[:200])
    if not rest.strip() and len(head) < 4096:
        return Problem(shown, 2, "(rows)", "at least one data row after the header", "only the header")
    return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class WdiDdf(Connector):
    name = "wdi_ddf"
    publisher = "World Bank (republished by Open Numbers)"
    title = "World Development Indicators, Open Numbers DDF datapoints"
    short = "World Bank WDI (Open Numbers)"  # how a table cell or a heading names it
    licence = "CC BY 4.0"
    homepage = "https://github.com/open-numbers/ddf--world_bank--world_development_indicators"
    citation = (
        "World Bank (n.d.). World Development Indicators. Washington, DC: The World Bank. Republished as DDF by "
        "Open Numbers, github.com/open-numbers/ddf--world_bank--world_development_indicators."
    )
    core_tables = ("core.indicators", "core.finance_flows")
    partial_mirror_ok = True  # an analyst's mirror holds the indicators they need, often row-filtered

    def __init__(self, indicators: tuple[str, ...] | list[str] = tuple(COMMITS), url: str = RAW_URL):
        self.indicators = tuple(indicators)
        self.url = url

    def remote_files(self) -> list[RemoteFile]:
        """The publisher's file of each indicator, at the commit (= edition) COMMITS names for it."""
        return [
            RemoteFile(
                self.url.format(commit=COMMITS.get(code, LATEST_COMMIT), file=publisher_name(code)),
                publisher_name(code),
                expect=(b"economy,year,",),
                mirror_subdir=MIRROR_SUBDIR,
            )
            for code in self.indicators
        ]

    def fetch_files(
        self,
        *,
        cache_dir: Path | None = None,
        mirror: Path | None = None,
        refresh: bool = False,
        client=None,
        progress: ByteProgress | None = None,
    ) -> list[FetchedFile]:
        """Online: each publisher file. From a mirror: every file of each indicator, publisher-named or
        row-filtered; an indicator without one is absent, but a file that is there and wrong stops the fetch."""
        if mirror is None:
            kwargs = {"cache_dir": cache_dir, "refresh": refresh, "client": client, "progress": progress}
            return [fetch(remote, **kwargs) for remote in self.remote_files()]
        mirror = Path(mirror)
        files, problems = [], []
        for code in self.indicators:
            for path in self._mirror_paths(mirror, code):
                problem = header_problem(path, str(path), ddf_code(code))
                if problem:
                    problems.append(problem)
                    continue
                files.append(from_mirror(self._mirror_remote(path, code), mirror, cache_dir))
        if problems:
            raise InputError(problems)
        if not files:
            wanted = ", ".join(MIRROR_GLOB.format(ddf=ddf_code(c)) for c in self.indicators)
            raise FetchError(f"none of {self.name}'s files is in the mirror folder {mirror} ({wanted})")
        return files

    @staticmethod
    def _mirror_paths(mirror: Path, code: str) -> list[Path]:
        """Each matching name once, where from_mirror takes it from: <mirror>/wdi, <mirror>, else anywhere below."""
        pattern = MIRROR_GLOB.format(ddf=ddf_code(code))
        found: dict[str, Path] = {}
        for path in [*sorted((mirror / MIRROR_SUBDIR).glob(pattern)), *sorted(mirror.glob(pattern))]:
            found.setdefault(path.name, path)
        for path in sorted(mirror.rglob(pattern)):
            found.setdefault(path.name, path)
        return [found[name] for name in sorted(found)]

    @staticmethod
    def _mirror_remote(path: Path, code: str) -> RemoteFile:
        """A mirror file's origin: the publisher's file at its commit when the bytes are known, else its history."""
        publisher_file = publisher_name(code)
        known = KNOWN_FILES.get(sha256(path))
        url = RAW_URL.format(commit=known[0], file=publisher_file) if known else HISTORY_URL.format(file=publisher_file)
        return RemoteFile(url, path.name, expect=(b"economy,year,",), mirror_subdir=MIRROR_SUBDIR)

    def file_edition(self, file: FetchedFile, edition: str | None) -> str | None:
        """The repository commit the file was taken at: known bytes, else the commit in the download URL, else the
        file's own checksum (a mirror copy of unknown origin)."""
        known = KNOWN_FILES.get(file.sha256)
        if known:
            return known[0]
        match = COMMIT_IN_URL.search(file.remote.url)
        if match and not file.origin.startswith("mirror:"):
            return match.group("commit")
        return f"sha256:{file.sha256[:12]}"

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        editions = sorted({r[0] for r in con.execute("SELECT edition FROM raw.wdi_ddf_files").fetchall()})
        if len(editions) == 1:
            return editions[0]
        return "mixed: " + ", ".join(e[:12] if ":" not in e else e for e in editions)

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        con.execute(
            """CREATE OR REPLACE TABLE raw.wdi_ddf_files (source_id VARCHAR, file_name VARCHAR, path VARCHAR,
               indicator_code VARCHAR, indicator_name VARCHAR, edition VARCHAR, publisher_file VARCHAR,
               rows BIGINT)"""
        )
        con.execute(
            """CREATE OR REPLACE TABLE raw.wdi_ddf_datapoints (indicator_code VARCHAR, economy VARCHAR,
               year VARCHAR, value VARCHAR, file_name VARCHAR, source_line BIGINT, source_id VARCHAR)"""
        )
        problems: list[Problem] = []
        for file in files:
            try:
                self._load_file(con, file)
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        paths = dict(con.execute("SELECT file_name, path FROM raw.wdi_ddf_files").fetchall())
        codes = con.execute(
            """SELECT upper(economy), arg_min(file_name, source_line), min(source_line), arg_min(economy, source_line)
               FROM raw.wdi_ddf_datapoints GROUP BY 1 ORDER BY 2, 3"""
        ).fetchall()
        published = {(paths[f], line): economy for _, f, line, economy in codes}
        mapping, problems = resolve_codes([(c, paths[f], line, "economy") for c, f, line, _ in codes])
        if problems:  # name the code as the file spells it (lower case)
            raise InputError([dataclasses.replace(p, found=published[(p.file, p.line)]) for p in problems])
        mapping_table(con, "_wdi_codes", mapping)
        meta_table(
            con,
            [
                (code, name, paths[f], 1, ddf_code(code))
                for code, name, f in con.execute(
                    "SELECT indicator_code, any_value(indicator_name), min(file_name) FROM raw.wdi_ddf_files GROUP BY 1"
                ).fetchall()
            ],
        )
        choose_editions(con, paths)

    def _load_file(self, con: duckdb.DuckDBPyConnection, file: FetchedFile) -> None:
        shown = str(file.path)
        match = NAME_RE.match(file.remote.name)
        if not match:
            expected = MIRROR_GLOB.format(ddf="<code>")
            raise InputError([Problem(shown, 0, "(file name)", expected, file.remote.name)])
        ddf = match.group("ddf")
        code = wdi_code(ddf, (*self.indicators, *COMMITS))
        problem = header_problem(file.path, shown, ddf)
        if problem:
            raise InputError([problem])
        with located(shown, LAYOUT):
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _wdi_ddf_load AS
                SELECT economy, year, value, (row_number() OVER () + 1)::BIGINT AS source_line
                FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                              columns = {'economy': 'VARCHAR', 'year': 'VARCHAR', 'value': 'VARCHAR'},
                              null_padding = false, strict_mode = true)""",
                [str(file.path)],
            )
        _check_rows(con, shown, ddf)
        sid = source_id_for(self, file)
        known = KNOWN_FILES.get(file.sha256)
        con.execute(
            """INSERT INTO raw.wdi_ddf_datapoints
            SELECT ?, lower(trim(economy)), trim(year), trim(value), ?, source_line, ? FROM _wdi_ddf_load""",
            [code, file.remote.name, sid],
        )
        con.execute(
            "INSERT INTO raw.wdi_ddf_files SELECT ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM _wdi_ddf_load)",
            [
                sid,
                file.remote.name,
                shown,
                code,
                indicator_name(code),
                self.file_edition(file, None),
                known[1] if known else f"datapoints/{publisher_name(code)}",
            ],
        )
        con.execute("DROP TABLE _wdi_ddf_load")

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        con.execute("CREATE OR REPLACE TEMP TABLE _wdi_ddf_sources (file_name VARCHAR, source_id VARCHAR)")
        con.executemany("INSERT INTO _wdi_ddf_sources VALUES (?, ?)", sorted(source_ids.items()))
        # Each series (indicator, economy) comes from one edition only: the newest that has it (choose_editions).
        # Row-filtered copies of one edition are one edition: an economy-year both hold is taken once.
        insert_core(
            con,
            """SELECT d.indicator_code, f.indicator_name, m.iso3 AS country_iso3, d.year::INTEGER AS year,
                   d.value::DOUBLE AS value, s.source_id,
                   'raw.wdi_ddf_datapoints:' || d.file_name || ':' || d.source_line AS record,
                   'Open Numbers WDI edition ' || f.edition || ' (' || f.publisher_file || ')'
                       || CASE WHEN len(se.editions) > 1 THEN '; supersedes edition '
                          || array_to_string(list_sort(list_filter(se.editions, e -> e <> f.edition)), ', ')
                          || ' for this series' ELSE '' END AS note
            FROM raw.wdi_ddf_datapoints d
            JOIN raw.wdi_ddf_files f USING (file_name)
            JOIN _wdi_ddf_sources s USING (file_name)
            JOIN _wdi_codes m ON m.label = upper(d.economy)
            JOIN _wdi_ddf_series se
              ON se.indicator_code = d.indicator_code AND se.economy = upper(d.economy) AND se.edition = f.edition
            QUALIFY row_number() OVER (PARTITION BY d.indicator_code, m.iso3, d.year ORDER BY d.file_name) = 1""",
            [],
        )


def _check_rows(con: duckdb.DuckDBPyConnection, shown: str, column: str) -> None:
    """Every row of _wdi_ddf_load has an economy, a year and a finite, plausible number, once per economy-year."""
    bad = con.execute(
        f"""SELECT source_line, col, expected, found FROM (
            SELECT source_line, 'economy' AS col, 'an economy code (lower-case ISO3)' AS expected,
                   coalesce(economy, '') AS found FROM _wdi_ddf_load WHERE nullif(trim(economy), '') IS NULL
            UNION ALL
            SELECT source_line, 'year', 'a year (YYYY, {YEARS[0]}-{YEARS[1]})', coalesce(year, '')
            FROM _wdi_ddf_load
            WHERE NOT regexp_full_match(coalesce(trim(year), ''), '[0-9]{{4}}')
               OR TRY_CAST(trim(year) AS INTEGER) NOT BETWEEN {YEARS[0]} AND {YEARS[1]}
            UNION ALL
            SELECT source_line, ?, CASE
                       WHEN regexp_full_match(lower(trim(value)), '[-+]?(nan|inf|infinity)') THEN 'a finite number'
                       WHEN NOT regexp_full_match(coalesce(trim(value), ''), '{NUMBER_RE}') THEN 'a number'
                       ELSE 'at most {MAX_ABS:.0e} in absolute value (WDI amounts are in US$, not millions)'
                   END, coalesce(value, '')
            FROM _wdi_ddf_load
            WHERE NOT regexp_full_match(coalesce(trim(value), ''), '{NUMBER_RE}')
               OR NOT isfinite(TRY_CAST(trim(value) AS DOUBLE)) OR abs(TRY_CAST(trim(value) AS DOUBLE)) > {MAX_ABS}
        ) ORDER BY source_line LIMIT 20""",
        [column],
    ).fetchall()
    if bad:
        raise InputError([Problem(shown, line, col, expected, found) for line, col, expected, found in bad])
    dups = con.execute(
        """SELECT source_line, economy, year, first FROM (
            SELECT *, min(source_line) OVER (PARTITION BY lower(trim(economy)), trim(year)) AS first FROM _wdi_ddf_load
        ) WHERE source_line > first ORDER BY source_line LIMIT 10"""
    ).fetchall()
    if dups:
        raise InputError(
            [
                Problem(shown, line, "year", "one row per economy and year", f"{economy},{year} again (line {first})")
                for line, economy, year, first in dups
            ]
        )
    if con.execute("SELECT count(*) FROM _wdi_ddf_load").fetchone()[0] == 0:
        raise InputError([Problem(shown, 2, "(rows)", "at least one data row after the header", "only the header")])
