"""World Bank WDI, v2 JSON API: paged observations for a few countries, into core.indicators.

What is harmonised (DC.DAC bilateral series into core.finance_flows), and how codes and indicators are read, is
shared with the bulk and DDF connectors (wdi.py, wdi_ddf.py) in wdi_codes.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from silkscope.countries import C5, DEFAULT_PARTNERS
from silkscope.errors import InputError, Problem
from silkscope.fetch import ByteProgress, FetchedFile, FetchError, RemoteFile, fetch
from silkscope.ingest import source_id_for
from silkscope.sources.base import Connector, located, mapping_table
from silkscope.sources.wdi_codes import DEFAULT_INDICATORS, MIRROR_SUBDIR, insert_core, meta_table, resolve_codes

# The API answers in pages of at most API_PER_PAGE observations. `countries` are ISO3 codes joined by ';'.
API_URL = "https://api.worldbank.org/v2/country/{countries}/indicator/{code}"
API_PER_PAGE = 1000
API_COUNTRIES = (*C5, *DEFAULT_PARTNERS)
API_NAME = "wdi_api_{code}_p{page}.json"  # if this changes, change API_NAME_RE too
API_NAME_RE = re.compile(r"^wdi_api_(?P<code>[A-Z0-9.]+)_p(?P<page>\d+)\.json$")


class WdiApiError(FetchError):
    """The World Bank API answered with an error message instead of data (it does so with HTTP status 200)."""


def api_message(path: Path) -> str | None:
    """'[120] Invalid value: ...' when the file is the API's error answer, else None (only the head is parsed)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not re.match(rb'\s*\[\s*\{\s*"message"', head):
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        messages = doc[0]["message"]
        return "; ".join(f"[{m.get('id')}] {m.get('key')}: {m.get('value')}" for m in messages)
    except (ValueError, KeyError, IndexError, TypeError):
        return head[:200].decode("utf-8", "replace")


# More pages than this in one answer is not a WDI indicator for a few countries (about 1,300 observations: two
# pages of API_PER_PAGE); it would start thousands of downloads. Raise it with API_PER_PAGE lowered or more countries.
MAX_PAGES = 1000


def page_count(path: Path) -> int:
    """`pages` of a data page 1, read before any page is loaded (to fetch the others); InputError naming the file,
    line and column when the page is cut short, not UTF-8, not JSON of the API's shape, or its `pages` is odd."""
    expected = "a World Bank API v2 JSON page: [{page, pages, per_page, total, ...}, [observations]]"
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), 1, "(file)", f"UTF-8 text, {expected}", f"byte {exc.start}")]) from exc
    except json.JSONDecodeError as exc:
        hint = "two answers in one file?" if exc.msg == "Extra data" else "cut short?"
        found = f"{exc.msg} at character {exc.colno} ({hint})"
        raise InputError([Problem(str(path), exc.lineno, "(file)", expected, found)]) from exc
    except RecursionError as exc:
        raise InputError([Problem(str(path), 1, "(file)", expected, "JSON nested too deeply")]) from exc
    head = doc[0] if isinstance(doc, list) and doc and isinstance(doc[0], dict) else None
    if head is None:
        first = f" starting with a {type(doc[0]).__name__}" if isinstance(doc, list) and doc else ""
        found = f"a JSON {type(doc).__name__}{first}"
        raise InputError([Problem(str(path), 1, "(structure)", expected, found)])
    pages = head.get("pages") or 1
    if isinstance(pages, str) and pages.strip().isdigit():
        pages = int(pages)
    if isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= MAX_PAGES:
        raise InputError([Problem(str(path), 1, "pages", f"a whole number from 1 to {MAX_PAGES}", repr(pages))])
    return pages


class WdiApi(Connector):
    name = "wdi_api"
    publisher = "World Bank"
    title = "World Development Indicators, API v2"
    short = "World Bank WDI (API)"  # how a table cell or a heading names it
    licence = "CC BY 4.0"
    homepage = "https://datahelpdesk.worldbank.org/knowledgebase/articles/889392"
    citation = "World Bank (n.d.). World Development Indicators, API v2. Washington, DC: The World Bank."
    core_tables = ("core.indicators", "core.finance_flows")

    def __init__(
        self,
        indicators: tuple[str, ...] | list[str] = DEFAULT_INDICATORS,
        countries: tuple[str, ...] | list[str] = API_COUNTRIES,
        url: str = API_URL,
        per_page: int = API_PER_PAGE,
    ):
        self.indicators = tuple(indicators)
        self.countries = tuple(countries)
        self.url = url
        self.per_page = per_page

    def page_file(self, code: str, page: int) -> RemoteFile:
        return RemoteFile(
            self.url.format(countries=";".join(self.countries), code=code),
            API_NAME.format(code=code, page=page),
            params={"format": "json", "per_page": str(self.per_page), "page": str(page)},
            # A data page starts [{"page":..., an error answer [{"message":...: both are the API's, load_raw
            # tells them apart; an HTML error page matches neither.
            expect=(b'"page"', b'"message"'),
            mirror_subdir=MIRROR_SUBDIR,
        )

    def remote_files(self) -> list[RemoteFile]:
        """Page 1 of each indicator; `fetch_files` follows `pages` for the rest."""
        return [self.page_file(code, 1) for code in self.indicators]

    def fetch_files(
        self,
        *,
        cache_dir: Path | None = None,
        mirror: Path | None = None,
        refresh: bool = False,
        client=None,
        progress: ByteProgress | None = None,
    ) -> list[FetchedFile]:
        """Every page of every indicator: page 1 says how many pages there are."""
        files: list[FetchedFile] = []
        for code in self.indicators:
            kwargs = {"cache_dir": cache_dir, "mirror": mirror, "refresh": refresh, "client": client}
            first = fetch(self.page_file(code, 1), progress=progress, **kwargs)
            message = api_message(first.path)
            if message is not None:
                first.path.unlink(missing_ok=True)  # an error answer is not data: keep it out of the cache
                raise WdiApiError(
                    f"{first.remote.full_url}: the World Bank API refused the request: {message} "
                    f"(check the indicator code {code!r} and the country codes {';'.join(self.countries)!r}); "
                    "nothing was cached"
                )
            pages = page_count(first.path)  # a located InputError for a cut-short or odd page 1, not a traceback
            files.append(first)
            files += [fetch(self.page_file(code, n), progress=progress, **kwargs) for n in range(2, pages + 1)]
        return files

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        con.execute(
            """CREATE OR REPLACE TABLE raw.wdi_api_pages (source_id VARCHAR, file_name VARCHAR, request VARCHAR,
               page INTEGER, pages INTEGER, per_page INTEGER, total INTEGER, sourceid VARCHAR, sourcename VARCHAR,
               lastupdated VARCHAR, records INTEGER)"""
        )
        con.execute(
            """CREATE OR REPLACE TABLE raw.wdi_api_observations (indicator_id VARCHAR, indicator_value VARCHAR,
               country_id VARCHAR, country_value VARCHAR, countryiso3code VARCHAR, date VARCHAR, value VARCHAR,
               value_type VARCHAR, unit VARCHAR, obs_status VARCHAR, decimal VARCHAR, file_name VARCHAR,
               source_line BIGINT, source_id VARCHAR)"""
        )
        problems: list[Problem] = []
        for file in files:
            problems += self._load_page(con, file)
        if problems:
            raise InputError(problems)
        problems += self._check_paging(con, files)
        problems += self._check_values(con, files)
        if problems:
            raise InputError(problems)
        rows = con.execute(
            """SELECT coalesce(o.countryiso3code, ''), o.file_name, min(o.source_line)
               FROM raw.wdi_api_observations o GROUP BY 1, 2 ORDER BY 2, 3"""
        ).fetchall()
        paths = {f.remote.name: str(f.path) for f in files}
        mapping, problems = resolve_codes([(c, paths[n], line, "countryiso3code") for c, n, line in rows])
        if problems:
            raise InputError(problems)
        mapping_table(con, "_wdi_codes", mapping)
        indicators = con.execute(
            """SELECT indicator_id, coalesce(any_value(indicator_value), indicator_id), arg_min(file_name, source_line),
                      min(source_line), 'indicator.id'
               FROM raw.wdi_api_observations GROUP BY indicator_id ORDER BY 1"""
        ).fetchall()
        meta_table(con, [(c, n, paths[f], line, col) for c, n, f, line, col in indicators])

    def _load_page(self, con: duckdb.DuckDBPyConnection, file: FetchedFile) -> list[Problem]:
        match = API_NAME_RE.match(file.remote.name)
        if not match:
            return [
                Problem(str(file.path), 0, "(file name)", API_NAME.format(code="<code>", page="<n>"), file.remote.name)
            ]
        message = api_message(file.path)
        if message is not None:
            return [Problem(str(file.path), 1, "message", "a data page [{page, pages, ...}, [observations]]", message)]
        doc = (
            "(SELECT json AS doc FROM read_json(?, format = 'unstructured', records = false, "
            "columns = {'json': 'JSON'}))"
        )
        with located(file.path, "a World Bank API v2 JSON page: [{page, pages, per_page, total, ...}, [...]]"):
            shape = con.execute(
                f"""SELECT json_type(doc), json_type(doc -> '$[0]'), json_type(doc -> '$[1]'),
                       try_cast(doc ->> '$[0].page' AS INTEGER), try_cast(doc ->> '$[0].pages' AS INTEGER),
                       try_cast(doc ->> '$[0].total' AS INTEGER)
                    FROM {doc}""",
                [str(file.path)],
            ).fetchone()
            if shape is None or shape[0] != "ARRAY" or shape[1] != "OBJECT" or shape[2] not in ("ARRAY", "NULL"):
                found = "the wrong JSON structure" if shape else "an empty file"
                return [Problem(str(file.path), 1, "(structure)", "[{page, pages, ...}, [observations]]", found)]
            if shape[3] is None or shape[4] is None:
                return [Problem(str(file.path), 1, "page", "integer page and pages in the first element", str(shape))]
            if shape[5] is None:  # the paging check counts the pages against it: without it, this file is at fault
                return [Problem(str(file.path), 1, "total", "an integer total in the first element", str(shape))]
            values = con.execute(f"SELECT count(*) FROM {doc}", [str(file.path)]).fetchone()[0]
            if values != 1:  # e.g. a page saved twice into one file: its observations would count twice
                return [Problem(str(file.path), 1, "(structure)", "one JSON answer per file", f"{values} answers")]
            sid = source_id_for(self, file)
            con.execute(
                f"""INSERT INTO raw.wdi_api_pages
                SELECT ?, ?, ?, (doc ->> '$[0].page')::INTEGER, (doc ->> '$[0].pages')::INTEGER,
                       try_cast(doc ->> '$[0].per_page' AS INTEGER), try_cast(doc ->> '$[0].total' AS INTEGER),
                       doc ->> '$[0].sourceid', doc ->> '$[0].sourcename', doc ->> '$[0].lastupdated',
                       coalesce(json_array_length(doc -> '$[1]'), 0)
                FROM {doc}""",
                [sid, file.remote.name, match.group("code"), str(file.path)],
            )
            con.execute(
                f"""INSERT INTO raw.wdi_api_observations
                WITH items AS (SELECT coalesce(json_extract(doc, '$[1][*]'), []) AS l FROM {doc})
                SELECT l[i + 1] ->> '$.indicator.id', l[i + 1] ->> '$.indicator.value',
                       l[i + 1] ->> '$.country.id', l[i + 1] ->> '$.country.value',
                       l[i + 1] ->> '$.countryiso3code', l[i + 1] ->> '$.date', l[i + 1] ->> '$.value',
                       json_type(l[i + 1] -> '$.value'), l[i + 1] ->> '$.unit', l[i + 1] ->> '$.obs_status',
                       l[i + 1] ->> '$.decimal', ?, i + 1, ?
                FROM items, range(len(l)) t(i)""",
                [str(file.path), file.remote.name, sid],
            )
        return []

    @staticmethod
    def _check_paging(con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> list[Problem]:
        """All pages 1..pages of each request are present and together hold `total` observations."""
        paths = {f.remote.name: str(f.path) for f in files}
        problems = []
        for request, pages, totals, have, records, first in con.execute(
            """SELECT request, max(pages), list(DISTINCT total), list(page ORDER BY page), sum(records),
                      arg_min(file_name, page)
               FROM raw.wdi_api_pages GROUP BY request ORDER BY request"""
        ).fetchall():
            wanted = list(range(1, max(pages, 1) + 1))
            if have != wanted or len(totals) != 1 or (pages and records != totals[0]):
                problems.append(
                    Problem(
                        paths[first],
                        1,
                        "page",
                        f"pages {wanted[0]}..{wanted[-1]} of {request} holding {totals[0]} observations "
                        "(fetch them with WdiApi.fetch_files)",
                        f"pages {have} holding {records}",
                    )
                )
        return problems

    @staticmethod
    def _check_values(con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> list[Problem]:
        paths = {f.remote.name: str(f.path) for f in files}
        bad = con.execute(
            """SELECT o.file_name, o.source_line, 'value', 'a number or null', coalesce(o.value, '')
               FROM raw.wdi_api_observations o WHERE o.value_type NOT IN ('NULL', 'DOUBLE', 'BIGINT', 'UBIGINT')
               UNION ALL
               SELECT o.file_name, o.source_line, 'date', 'a year (annual data)', coalesce(o.date, '')
               FROM raw.wdi_api_observations o WHERE try_cast(o.date AS INTEGER) IS NULL
               UNION ALL
               SELECT o.file_name, o.source_line, 'indicator.id', p.request, coalesce(o.indicator_id, '')
               FROM raw.wdi_api_observations o JOIN raw.wdi_api_pages p USING (file_name)
               WHERE o.indicator_id IS DISTINCT FROM p.request
               ORDER BY 1, 2 LIMIT 20"""
        ).fetchall()
        return [Problem(paths[f], line, col, exp, found) for f, line, col, exp, found in bad]

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        return con.execute("SELECT max(lastupdated) FROM raw.wdi_api_pages").fetchone()[0]

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        con.execute("CREATE OR REPLACE TEMP TABLE _wdi_api_sources (file_name VARCHAR, source_id VARCHAR)")
        con.executemany("INSERT INTO _wdi_api_sources VALUES (?, ?)", sorted(source_ids.items()))
        insert_core(
            con,
            """SELECT o.indicator_id AS indicator_code, o.indicator_value AS indicator_name, m.iso3 AS country_iso3,
                   o.date::INTEGER AS year, o.value::DOUBLE AS value, s.source_id,
                   'raw.wdi_api_observations:' || o.file_name || ':' || o.source_line AS record, NULL::VARCHAR AS note
            FROM raw.wdi_api_observations o
            JOIN _wdi_api_sources s ON s.file_name = o.file_name
            JOIN _wdi_codes m ON m.label = o.countryiso3code
            WHERE o.value IS NOT NULL""",
            [],
        )
