"""World Bank WDI: the bulk wide CSV (zip or bare) and the v2 JSON API, unpivoted into core.indicators.

Scope decision: every country is harmonised, not only C5 and partners — GDP, population, FDI inflows and trade
openness are context for comparisons (Japan's aid against the recipient's GDP, C5 against its neighbours).
Regional and income aggregates (WLD, EAS, LMC...) stay in raw only. EUU ("European Union", the sum of its
members) is kept in core because silkscope treats the EU as a partner in its own right.
The DC.DAC.<DONOR>L.CD series are dyadic: donor -> partner_iso3, recipient -> country_iso3.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from silkscope.countries import C5, DEFAULT_PARTNERS, EU_CODE, near_matches, registry
from silkscope.errors import InputError, Problem
from silkscope.fetch import ByteProgress, FetchedFile, FetchError, RemoteFile, fetch
from silkscope.ingest import source_id_for
from silkscope.sources.base import Connector, check_types, located, mapping_table, read_csv_raw

# --- Bulk download. The World Bank serves a zip per indicator; the mirror (../shared/data/wdi) holds the bare
# data CSV under the name below, so the RemoteFile carries that name and load_raw decides zip/bare by content.
BULK_URL = "https://api.worldbank.org/v2/en/indicator/{code}"
BULK_PARAMS = {"downloadformat": "csv"}
BULK_NAME = "API_{code}_DS2_en_csv_v2.csv"  # if this changes, change BULK_NAME_RE too
BULK_NAME_RE = re.compile(r"^API_(?P<code>[A-Z0-9.]+)_DS2_en_csv_v2\.csv$")
# The data member of the zip is API_<code>_DS2_en_csv_v2_<n>.csv; the Metadata_*.csv members are skipped.
ZIP_MEMBER_RE = re.compile(r"^API_(?P<code>[A-Z0-9.]+)_DS2_[a-z]{2}_csv_v2(_\d+)?\.csv$")
ZIP_MAGIC = b"PK\x03\x04"
MIRROR_SUBDIR = "wdi"
# Preamble: line 1 "Data Source", line 3 "Last Updated Date" (the edition), lines 2 and 4 blank, header on line 5.
# If the World Bank changes the preamble, change PREAMBLE_LINES and the two labels together.
PREAMBLE_LINES = 4
HEADER_LINE = PREAMBLE_LINES + 1
DATA_SOURCE_LABEL = "Data Source"
UPDATED_LABEL = "Last Updated Date"
ID_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
YEAR_COLUMN = re.compile(r"^\d{4}$")
YEAR_COLUMNS_SQL = "^_[0-9]{4}$"  # how read_csv's normalize_names spells a '1960' header

# --- v2 JSON API, paged. `countries` are ISO3 codes joined by ';'.
API_URL = "https://api.worldbank.org/v2/country/{countries}/indicator/{code}"
API_PER_PAGE = 1000
API_COUNTRIES = (*C5, *DEFAULT_PARTNERS)
API_NAME = "wdi_api_{code}_p{page}.json"  # if this changes, change API_NAME_RE too
API_NAME_RE = re.compile(r"^wdi_api_(?P<code>[A-Z0-9.]+)_p(?P<page>\d+)\.json$")

# --- Indicators. Context series: (unit, definition).
CONTEXT = {
    "NY.GDP.MKTP.CD": (
        "USD current",
        "GDP at purchaser's prices, current US dollars, converted from domestic currency at official annual "
        "exchange rates (World Bank WDI)",
    ),
    "SP.POP.TOTL": (
        "persons",
        "Total population: all residents regardless of legal status or citizenship, midyear estimate (World Bank WDI)",
    ),
    "BX.KLT.DINV.CD.WD": (
        "USD current",
        "Foreign direct investment, net inflows (balance of payments): new investment inflows less disinvestment "
        "from all foreign investors, current US dollars; all partners together, not bilateral (World Bank WDI)",
    ),
    "NE.TRD.GNFS.ZS": (
        "percent of GDP",
        "Trade: exports plus imports of goods and services as a share of GDP (World Bank WDI)",
    ),
}
# Bilateral aid by DAC donor: DC.DAC.<code>L.CD. CEC ("European Union institutions") is the EU partner; TOT is
# all DAC donors together, which no single partner can be credited with.
DAC_CODE_RE = re.compile(r"^DC\.DAC\.(?P<donor>[A-Z]{3})L\.CD$")
DAC_DONOR_ISO3 = {"CEC": EU_CODE}
DAC_NOT_BILATERAL = {"TOT"}
DAC_DONORS = ("JPN", "KOR", "USA", "DEU", "CEC")
DAC_DEFINITION = (
    "Net bilateral aid flows from a DAC donor (partner_iso3) to the recipient (country_iso3): net disbursements "
    "of official development assistance, current US dollars (OECD DAC data as republished in World Bank WDI)"
)
DEFAULT_INDICATORS = (*CONTEXT, *(f"DC.DAC.{d}L.CD" for d in DAC_DONORS))

# World Bank aggregates (regions, income and lending groups) and CHI (Channel Islands, not an ISO 3166 country):
# kept in raw, never in core. A code that is neither a country nor listed here stops the ingest. AFE/AFW arrived
# in 2021, NOC/OEC were used until 2015: if the World Bank adds an aggregate, add its code here.
# fmt: off
AGGREGATES = frozenset(
    {
        "AFE", "AFW", "ARB", "CEB", "CHI", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "FCS", "HIC", "HPC",
        "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC", "LMY", "LTE", "MEA", "MIC",
        "MNA", "NAC", "NOC", "OEC", "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA", "SSF", "SST", "TEA", "TEC",
        "TLA", "TMN", "TSA", "TSS", "UMC", "WLD",
    }
)
# fmt: on
# Codes older WDI editions used for countries that now have other ISO3 codes.
LEGACY_CODES = {"ADO": "AND", "KSV": "XKX", "ROM": "ROU", "TMP": "TLS", "ZAR": "COD"}
EUU_NOTE = "WDI aggregate 'European Union' (sum of member states), kept as the EU partner"


def bulk_table(code: str) -> str:
    return "wdi_" + re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


def dac_donor(code: str) -> str | None:
    """ISO3 of the donor of a DC.DAC.<X>L.CD series; None for any other code. ValueError for non-bilateral."""
    match = DAC_CODE_RE.match(code)
    if not match:
        return None
    donor = match.group("donor")
    if donor in DAC_NOT_BILATERAL:
        raise ValueError(f"{code} sums all DAC donors: it cannot be attributed to one partner")
    iso3 = DAC_DONOR_ISO3.get(donor, donor)
    if iso3 not in registry().countries:
        raise ValueError(f"{code}: donor code {donor!r} is not a country silkscope knows")
    return iso3


def indicator_meta(code: str, name: str) -> tuple[str, str, str | None]:
    """(unit, definition, partner ISO3 for dyadic series) for an indicator code and its published name."""
    if code in CONTEXT:
        unit, definition = CONTEXT[code]
        return unit, definition, None
    donor = dac_donor(code)
    if donor:
        return "USD current", DAC_DEFINITION, donor
    paren = re.search(r"\(([^()]*)\)\s*$", name or "")
    unit = paren.group(1) if paren else "as published"
    unit = {"current US$": "USD current", "% of GDP": "percent of GDP"}.get(unit, unit)
    return unit, f"World Bank WDI indicator {code}: {name} (definition as published by the World Bank)", None


def resolve_codes(rows: list[tuple[str, str, int, str]]) -> tuple[dict[str, str], list[Problem]]:
    """(code, file, line, column) -> {code: ISO3} for countries; aggregates skipped; unknown codes are Problems."""
    countries = registry().countries
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for code, file, line, column in rows:
        value = code or ""
        if value in AGGREGATES or value in mapping:
            continue
        if value in countries:
            mapping[value] = value
        elif value in LEGACY_CODES:
            mapping[value] = LEGACY_CODES[value]
        else:
            near = near_matches(value) if value else []
            hint = f" (near: {', '.join(near)})" if near else ""
            expected = f"an ISO3 country code or a World Bank aggregate code{hint}"
            problems.append(Problem(file, line, column, expected, value))
    return mapping, problems


def meta_table(con: duckdb.DuckDBPyConnection, indicators: list[tuple[str, str, str, int, str]]) -> None:
    """Temp table _wdi_meta(code, unit, definition, partner) from (code, name, file, line, column) of each
    indicator; a DC.DAC code that names no single donor is a located Problem."""
    rows, problems, seen = [], [], set()
    for code, name, file, line, column in indicators:
        if code in seen:
            continue
        seen.add(code)
        try:
            rows.append((code, *indicator_meta(code, name)))
        except ValueError as exc:
            problems.append(Problem(file, line, column, "a bilateral DC.DAC.<donor>L.CD series", str(exc)))
    if problems:
        raise InputError(problems)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _wdi_meta (code VARCHAR, unit VARCHAR, definition VARCHAR, partner VARCHAR)"
    )
    if rows:
        con.executemany("INSERT INTO _wdi_meta VALUES (?, ?, ?, ?)", rows)


# ---------------------------------------------------------------------------------------------------- bulk files


@contextmanager
def data_csv(file: FetchedFile) -> Iterator[tuple[Path, str]]:
    """The data CSV of a bulk file and the name to show in errors: the file itself, or its zip member extracted
    (streamed, never held in memory) to a temporary folder that is removed afterwards."""
    with file.path.open("rb") as fh:
        magic = fh.read(4)
    if magic != ZIP_MAGIC:
        yield file.path, str(file.path)
        return
    tmp = Path(tempfile.mkdtemp(prefix="silkscope_wdi_"))
    try:
        try:
            with zipfile.ZipFile(file.path) as archive:
                members = [n for n in archive.namelist() if ZIP_MEMBER_RE.match(Path(n).name)]
                if len(members) != 1:
                    raise InputError(
                        [
                            Problem(
                                str(file.path),
                                0,
                                "(archive)",
                                "exactly one API_<code>_DS2_en_csv_v2_<n>.csv member besides the Metadata files",
                                ", ".join(archive.namelist())[:300],
                            )
                        ]
                    )
                target = tmp / Path(members[0]).name
                with archive.open(members[0]) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise InputError(
                [
                    Problem(
                        str(file.path), 0, "(archive)", "a complete zip archive as the World Bank serves it", str(exc)
                    )
                ]
            ) from exc
        yield target, f"{file.path}!{members[0]}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _delimiter_problem(display: str, line_no: int, text: str) -> Problem | None:
    if '","' not in text and ('";"' in text or '"\t"' in text):
        sep = "semicolon" if '";"' in text else "tab"
        return Problem(display, line_no, "(delimiter)", f"comma-separated values, found {sep}-separated", text[:120])
    return None


def _check_utf8(path: Path, display: str, header: list[str]) -> None:
    """Every line decodes as UTF-8 (DuckDB's own error does not always name the right line)."""
    problems: list[Problem] = []
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, 1):
            if line_no == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise InputError([Problem(display, 1, "(encoding)", "UTF-8 text", "a UTF-16 byte order mark")])
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                before = raw[: exc.start].decode("utf-8", "replace")
                index = len(next(csv.reader([before]), [""])) - 1 if before else 0
                column = header[index] if line_no > HEADER_LINE and index < len(header) else "(encoding)"
                found = raw[max(0, exc.start - 20) : exc.start + 20].decode("utf-8", "replace")
                problems.append(Problem(display, line_no, column, "UTF-8 text", found))
                if len(problems) >= 10:
                    break
    if problems:
        raise InputError(problems)


def read_preamble(path: Path, display: str) -> tuple[str, str, list[str]]:
    """(data source, last updated date, header fields) from the first five lines; located errors otherwise."""
    with path.open("rb") as fh:
        lines = [fh.readline().decode("utf-8-sig", "replace").rstrip("\r\n") for _ in range(HEADER_LINE)]
    for line_no, text in enumerate(lines, 1):
        problem = _delimiter_problem(display, line_no, text)
        if problem:
            raise InputError([problem])
    fields = [next(csv.reader([t]), []) for t in lines]
    source = fields[0][1] if len(fields[0]) > 1 and fields[0][0] == DATA_SOURCE_LABEL else None
    updated = fields[2][1] if len(fields[2]) > 1 and fields[2][0] == UPDATED_LABEL else None
    problems = []
    if source is None:
        problems.append(
            Problem(display, 1, "(preamble)", f'"{DATA_SOURCE_LABEL}","World Development Indicators"', lines[0][:120])
        )
    if updated is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", updated):
        problems.append(Problem(display, 3, "(preamble)", f'"{UPDATED_LABEL}","YYYY-MM-DD"', lines[2][:120]))
    header = fields[HEADER_LINE - 1]
    missing = [c for c in ID_COLUMNS if c not in header]
    problems += [
        Problem(display, HEADER_LINE, c, f"columns {', '.join(ID_COLUMNS)}, then years", ",".join(header)[:200])
        for c in missing
    ]
    for name in header[len(ID_COLUMNS) :]:
        if name and not YEAR_COLUMN.match(name) and name not in ID_COLUMNS:
            problems.append(Problem(display, HEADER_LINE, name, "a year column (YYYY)", name))
    if not missing and not any(YEAR_COLUMN.match(n) for n in header):
        problems.append(Problem(display, HEADER_LINE, "(years)", "at least one year column", ",".join(header)[:200]))
    if problems:
        raise InputError(problems)
    return source or "", updated or "", header


def _renamed(exc: InputError, tmp: Path, display: str) -> InputError:
    """Errors on an extracted zip member name the archive and member, not the temporary copy."""
    if str(tmp) == display:
        return exc
    return InputError(
        [
            Problem(display if p.file == str(tmp) else p.file, p.line, p.column, p.expected, p.found)
            for p in exc.problems
        ]
    )


class WdiBulk(Connector):
    name = "wdi"
    publisher = "World Bank"
    title = "World Development Indicators, bulk download by indicator"
    licence = "CC BY 4.0"
    homepage = "https://databank.worldbank.org/source/world-development-indicators"
    citation = "World Bank (n.d.). World Development Indicators. Washington, DC: The World Bank."
    core_tables = ("core.indicators",)
    partial_mirror_ok = True  # an analyst's mirror may hold only the indicators they need

    def __init__(self, indicators: tuple[str, ...] | list[str] = DEFAULT_INDICATORS, url: str = BULK_URL):
        self.indicators = tuple(indicators)
        self.url = url

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                self.url.format(code=code),
                BULK_NAME.format(code=code),
                params=dict(BULK_PARAMS),
                expect=(ZIP_MAGIC, DATA_SOURCE_LABEL.encode()),
                mirror_subdir=MIRROR_SUBDIR,
            )
            for code in self.indicators
        ]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        con.execute(
            """CREATE OR REPLACE TABLE raw.wdi_bulk_files (source_id VARCHAR, file_name VARCHAR, data_file VARCHAR,
               indicator_code VARCHAR, raw_table VARCHAR, data_source VARCHAR, last_updated_date VARCHAR)"""
        )
        codes: list[tuple[str, str, int, str]] = []
        indicators: list[tuple[str, str, str, int, str]] = []
        for file in files:
            code, table, display = self._load_file(con, file)
            codes += [
                (c, display, line, "Country Code")
                for c, line in con.execute(
                    f"SELECT coalesce(country_code, ''), min(source_line) FROM raw.{table} GROUP BY 1 ORDER BY 2"
                ).fetchall()
            ]
            name, line = con.execute(f"SELECT any_value(indicator_name), min(source_line) FROM raw.{table}").fetchone()
            indicators.append((code, name or code, display, line or HEADER_LINE, "Indicator Code"))
        mapping, problems = resolve_codes(codes)
        if problems:
            raise InputError(problems)
        mapping_table(con, "_wdi_codes", mapping)
        meta_table(con, indicators)

    def _load_file(self, con: duckdb.DuckDBPyConnection, file: FetchedFile) -> tuple[str, str, str]:
        match = BULK_NAME_RE.match(file.remote.name)
        if not match:
            raise InputError(
                [Problem(str(file.path), 0, "(file name)", BULK_NAME.format(code="<code>"), file.remote.name)]
            )
        code = match.group("code")
        table = bulk_table(code)
        with data_csv(file) as (path, display):
            source, updated, header = read_preamble(path, display)
            _check_utf8(path, display, header)
            try:
                read_csv_raw(
                    con,
                    table,
                    path,
                    skip=PREAMBLE_LINES,
                    source_id=source_id_for(self, file),
                    expected=f"the WDI bulk CSV layout (preamble, then {', '.join(ID_COLUMNS)}, years)",
                )
            except InputError as exc:
                raise _renamed(exc, path, display) from exc
        years = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
                "AND regexp_matches(column_name, ?) ORDER BY ordinal_position",
                [table, YEAR_COLUMNS_SQL],
            ).fetchall()
        ]
        try:
            check_types(con, table, display, dict.fromkeys(years, "DOUBLE"))
        except InputError as exc:  # name the year column as published ('2015'), not as normalised ('_2015')
            raise InputError(
                [Problem(p.file, p.line, p.column.lstrip("_"), p.expected, p.found) for p in exc.problems]
            ) from exc
        wrong = con.execute(
            f"""SELECT source_line, coalesce(indicator_code, '') FROM raw.{table}
                WHERE indicator_code IS DISTINCT FROM ? ORDER BY source_line LIMIT 10""",
            [code],
        ).fetchall()
        if wrong:
            raise InputError([Problem(display, line, "Indicator Code", code, found) for line, found in wrong])
        con.execute(
            "INSERT INTO raw.wdi_bulk_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [source_id_for(self, file), file.remote.name, display, code, f"raw.{table}", source, updated],
        )
        return code, table, display

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        # Every indicator of one WDI release carries the release date; if files mix releases, the newest wins.
        return con.execute("SELECT max(last_updated_date) FROM raw.wdi_bulk_files").fetchone()[0]

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        for name, source_id in source_ids.items():
            code = BULK_NAME_RE.match(name).group("code")
            table = bulk_table(code)
            con.execute(
                f"""INSERT INTO core.indicators (indicator_code, indicator_name, country_iso3, partner_iso3, year,
                       value, unit, definition, source_id, source_ids, citation_status, record, note)
                SELECT u.indicator_code, u.indicator_name, m.iso3, meta.partner, ltrim(u.year_col, '_')::INTEGER,
                       trim(u.v)::DOUBLE, meta.unit, meta.definition, ?, [?], 'cited',
                       'raw.{table}:' || u.source_line,
                       CASE WHEN m.iso3 = ? AND meta.partner IS NULL THEN ? END
                FROM (UNPIVOT raw.{table} ON COLUMNS('{YEAR_COLUMNS_SQL}') INTO NAME year_col VALUE v) u
                JOIN _wdi_codes m ON m.label = u.country_code
                JOIN _wdi_meta meta ON meta.code = u.indicator_code
                WHERE nullif(trim(u.v), '') IS NOT NULL""",
                [source_id, source_id, EU_CODE, EUU_NOTE],
            )


# ------------------------------------------------------------------------------------------------------ JSON API


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


class WdiApi(Connector):
    name = "wdi_api"
    publisher = "World Bank"
    title = "World Development Indicators, API v2"
    licence = "CC BY 4.0"
    homepage = "https://datahelpdesk.worldbank.org/knowledgebase/articles/889392"
    citation = "World Bank (n.d.). World Development Indicators, API v2. Washington, DC: The World Bank."
    core_tables = ("core.indicators",)

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
            with first.path.open(encoding="utf-8") as fh:
                pages = int(json.load(fh)[0].get("pages") or 1)
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
                       try_cast(doc ->> '$[0].page' AS INTEGER), try_cast(doc ->> '$[0].pages' AS INTEGER)
                    FROM {doc}""",
                [str(file.path)],
            ).fetchone()
            if shape is None or shape[0] != "ARRAY" or shape[1] != "OBJECT" or shape[2] not in ("ARRAY", "NULL"):
                found = "the wrong JSON structure" if shape else "an empty file"
                return [Problem(str(file.path), 1, "(structure)", "[{page, pages, ...}, [observations]]", found)]
            if shape[3] is None or shape[4] is None:
                return [Problem(str(file.path), 1, "page", "integer page and pages in the first element", str(shape))]
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
        con.execute(
            """INSERT INTO core.indicators (indicator_code, indicator_name, country_iso3, partner_iso3, year, value,
                   unit, definition, source_id, source_ids, citation_status, record, note)
            SELECT o.indicator_id, o.indicator_value, m.iso3, meta.partner, o.date::INTEGER, o.value::DOUBLE,
                   meta.unit, meta.definition, s.source_id, [s.source_id], 'cited',
                   'raw.wdi_api_observations:' || o.file_name || ':' || o.source_line,
                   CASE WHEN m.iso3 = ? AND meta.partner IS NULL THEN ? END
            FROM raw.wdi_api_observations o
            JOIN _wdi_api_sources s ON s.file_name = o.file_name
            JOIN _wdi_codes m ON m.label = o.countryiso3code
            JOIN _wdi_meta meta ON meta.code = o.indicator_id
            WHERE o.value IS NOT NULL""",
            [EU_CODE, EUU_NOTE],
        )
