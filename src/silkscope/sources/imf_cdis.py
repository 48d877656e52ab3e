"""IMF Direct Investment Positions by Counterpart Economy (DIP, formerly CDIS): bilateral FDI stocks.

Format: the IMF retired the old data portal (and its CDIS "timeSeries" CSV bulk download, columns "Country Name",
"Country Code", "Indicator Name", ..., "Attribute", one column per year) in 2025; CDIS is now served as the SDMX
dataflow IMF.STA:DIP from api.imf.org. This connector reads that service's SDMX-CSV (1.0) answer: one row per
observation, columns DATAFLOW, COUNTRY, DV_TYPE, INDICATOR, COUNTERPART_COUNTRY, FREQUENCY, TIME_PERIOD, OBS_VALUE,
then attributes such as SCALE and STATUS. Countries are ISO3 codes; groups are IMF codes like G001 (World).

Harmonised into core.investments, for partner x C5 dyads only (every counterpart stays in raw):
- inward position reported by the C5 host, by immediate investing economy (partner = counterpart);
- the mirror: outward position reported by the investing partner in the C5 host (partner = reporter).
Both are kept as separate rows with different definitions, so that the sources' disagreement can be shown.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from silkscope.countries import C5, DEFAULT_PARTNERS, EU_CODE, near_matches, registry
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.ingest import source_id_for
from silkscope.sources.base import Connector, check_types, mapping_table, read_csv_raw, require_columns
from silkscope.sources.csvfiles import check_utf8, separator_problem, utf16_bom_problem

# Partners: silkscope's outside powers (the EU itself is no CDIS economy) and the EU's member states.
PARTNERS = tuple(sorted({p for p in DEFAULT_PARTNERS if p != EU_CODE} | set(registry().groups["EU27"].members)))
DATAFLOW = "IMF.STA:DIP"  # SDMX-CSV DATAFLOW cells read 'IMF.STA:DIP(<version>)'; the version is the edition
INWARD = "INWD_D_NETLA_FALL_ALL"  # inward, net (liabilities less assets), all instruments, all entities
OUTWARD = "OTWD_D_NETAL_FALL_ALL"  # outward, net (assets less liabilities), all instruments, all entities
REPORTED = "O"  # DV_TYPE: as reported by the economy itself; 'SCC' (derived from counterparts' data) stays in raw
ANNUAL = "A"
# The service key is COUNTRY.DV_TYPE.INDICATOR.COUNTERPART_COUNTRY.FREQUENCY; empty = all. If the IMF reorders
# the dimensions, change KEY and COLUMNS together.
KEY = f"{'+'.join(sorted(set(C5) | set(PARTNERS)))}..{INWARD}+{OUTWARD}..{ANNUAL}"
URL = f"https://api.imf.org/external/sdmx/2.1/data/IMF.STA,DIP/{KEY}"
PARAMS = {"startPeriod": "2009", "format": "csv"}  # CDIS starts with end-2009 positions
FILE = "imf_dip_c5_partners.csv"
RAW = "imf_cdis_dip"
COLUMNS = [
    "DATAFLOW",
    "COUNTRY",
    "DV_TYPE",
    "INDICATOR",
    "COUNTERPART_COUNTRY",
    "FREQUENCY",
    "TIME_PERIOD",
    "OBS_VALUE",
]
RAW_COLUMNS = [c.lower() for c in COLUMNS]
# OBS_VALUE is in US dollars: the series' SCALE attribute (6) only tells the portal to display millions. Several
# independent users of the service found the same. If the IMF ever serves millions, set this to 1e6.
OBS_VALUE_TO_USD = 1.0
# IMF group codes (G001 World, regions, 'not specified') and SDMX special codes (_X, _Z): kept in raw only.
GROUP_CODE = re.compile(r"^(G\d{3}|_[A-Z])$")
# Economies that no longer exist (Netherlands Antilles, Serbia and Montenegro): raw only.
FORMER = {"ANT", "SCG"}
# IMF-specific codes for current economies.
ALIASES = {"UVK": "XKX", "KOS": "XKX"}
INWARD_DEFINITION = (
    "IMF DIP (formerly CDIS): inward direct investment position of the host (country_iso3) vis-a-vis the partner "
    "(partner_iso3) as immediate investing economy, reported by the host; net (liabilities less assets), all "
    "instruments, all resident entities; directional principle, immediate counterpart basis; end-of-year stock, "
    "current US dollars"
)
MIRROR_DEFINITION = (
    "IMF DIP (formerly CDIS), mirror: outward direct investment position of the partner (partner_iso3) in the "
    "host (country_iso3) as immediate counterpart, reported by the partner (the investing economy); net (assets "
    "less liabilities), all instruments, all resident entities; directional principle, immediate counterpart "
    "basis; end-of-year stock, current US dollars"
)


def _check_text(path: Path) -> None:
    """UTF-8 throughout and a comma-separated header, with located errors (DuckDB's do not always name a line)."""
    display = str(path)
    with path.open("rb") as fh:
        first = fh.readline()
    header_text = first.decode("utf-8-sig", "replace").rstrip("\r\n")
    problem = utf16_bom_problem(display, first) or separator_problem(
        display, 1, header_text, expected="comma-separated SDMX-CSV"
    )
    if problem:
        raise InputError([problem])
    check_utf8(path, display, next(csv.reader([header_text]), []))


class ImfCdis(Connector):
    name = "imf_cdis"
    publisher = "International Monetary Fund"
    title = "Direct Investment Positions by Counterpart Economy (formerly Coordinated Direct Investment Survey)"
    short = "IMF direct investment positions"  # how a table cell or a heading names it
    licence = "IMF terms of use (free reuse with attribution)"
    homepage = "https://data.imf.org/en/datasets/IMF.STA:DIP"
    citation = (
        "International Monetary Fund (n.d.). Direct Investment Positions by Counterpart Economy (formerly CDIS), "
        "dataflow IMF.STA:DIP. Washington, DC: IMF."
    )
    core_tables = ("core.investments",)
    # SDMX-CSV: one row per series key and period; an exact repeat would be a second position for the same dyad.
    duplicate_rows = "error"

    def __init__(self, url: str = URL, params: dict[str, str] | None = None):
        self.url = url
        self.params = dict(PARAMS if params is None else params)

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(self.url, FILE, params=self.params, expect=(b"DATAFLOW",), mirror_subdir="imf_cdis")]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        (file,) = files
        _check_text(file.path)
        read_csv_raw(con, RAW, file.path, source_id=source_id_for(self, file), expected=f"SDMX-CSV with {COLUMNS}")
        try:
            require_columns(con, RAW, file.path, RAW_COLUMNS)
            check_types(con, RAW, file.path, {"time_period": "INTEGER", "obs_value": "DOUBLE"})
        except InputError as exc:  # name columns as published (upper case), not as normalised
            raise InputError(
                [Problem(p.file, p.line, p.column.upper(), p.expected, p.found) for p in exc.problems]
            ) from exc
        problems = [
            Problem(str(file.path), line, column.upper(), expected, found or "")
            for line, column, expected, found in con.execute(
                f"""SELECT source_line, 'dataflow', '{DATAFLOW}(<version>)', dataflow FROM raw.{RAW}
                    WHERE dataflow IS NULL OR NOT starts_with(dataflow, '{DATAFLOW}(')
                    UNION ALL
                    SELECT source_line, 'frequency', 'A (annual)', frequency FROM raw.{RAW}
                    WHERE frequency IS DISTINCT FROM '{ANNUAL}'
                    ORDER BY 1 LIMIT 20"""
            ).fetchall()
        ]
        if problems:
            raise InputError(problems)
        mapping_table(con, "_cdis_codes", self._resolve(con, file))

    @staticmethod
    def _resolve(con: duckdb.DuckDBPyConnection, file: FetchedFile) -> dict[str, str]:
        """Country codes to ISO3; IMF groups and former economies skipped; anything else is a located Problem."""
        countries = registry().countries
        mapping: dict[str, str] = {}
        problems: list[Problem] = []
        for column in ("country", "counterpart_country"):
            rows = con.execute(
                f"SELECT coalesce({column}, ''), min(source_line) FROM raw.{RAW} GROUP BY 1 ORDER BY 2"
            ).fetchall()
            for code, line in rows:
                if GROUP_CODE.match(code) or code in FORMER or code in mapping:
                    continue
                if code in countries:
                    mapping[code] = code
                elif code in ALIASES:
                    mapping[code] = ALIASES[code]
                else:
                    near = near_matches(code) if code else []
                    hint = f" (near: {', '.join(near)})" if near else ""
                    expected = f"an ISO3 country code or an IMF group code (G001...){hint}"
                    problems.append(Problem(str(file.path), line, column.upper(), expected, code))
        if problems:
            raise InputError(problems)
        return mapping

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        # The dataflow version ('IMF.STA:DIP(12.0.1)') changes with each release.
        return con.execute(f"SELECT max(dataflow) FROM raw.{RAW}").fetchone()[0]

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        source_id = source_ids[FILE]
        has_status = bool(
            con.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = 'raw' AND table_name = ? AND column_name = 'status'",
                [RAW],
            ).fetchone()[0]
        )
        note = "CASE WHEN nullif(trim(r.status), '') IS NOT NULL THEN 'IMF status ' || trim(r.status) END"
        con.execute(
            f"""INSERT INTO core.investments (fact_id, partner_iso3, country_iso3, group_id, period_start, period_end,
                   date_precision, year, measure, reporter_iso3, bound, value_usd, price_basis, definition, source_id,
                   source_ids, citation_status, record, note)
            SELECT 'imf_cdis:' || r.source_line,
                   CASE WHEN r.indicator = ? THEN cp.iso3 ELSE rep.iso3 END,
                   CASE WHEN r.indicator = ? THEN rep.iso3 ELSE cp.iso3 END,
                   NULL, make_date(r.time_period::INTEGER, 1, 1), make_date(r.time_period::INTEGER, 12, 31), 'year',
                   r.time_period::INTEGER, 'fdi_stock', rep.iso3, 'exact', trim(r.obs_value)::DOUBLE * ?, 'current',
                   CASE WHEN r.indicator = ? THEN ? ELSE ? END,
                   ?, [?], 'cited', 'raw.{RAW}:' || r.source_line, {note if has_status else "NULL"}
            FROM raw.{RAW} r
            JOIN _cdis_codes rep ON rep.label = r.country
            JOIN _cdis_codes cp ON cp.label = r.counterpart_country
            WHERE r.dv_type = ? AND nullif(trim(r.obs_value), '') IS NOT NULL
              AND ((r.indicator = ? AND list_contains(?, rep.iso3) AND list_contains(?, cp.iso3))
                OR (r.indicator = ? AND list_contains(?, rep.iso3) AND list_contains(?, cp.iso3)))""",
            [
                INWARD,
                INWARD,
                OBS_VALUE_TO_USD,
                INWARD,
                INWARD_DEFINITION,
                MIRROR_DEFINITION,
                source_id,
                source_id,
                REPORTED,
                INWARD,
                list(C5),
                list(PARTNERS),
                OUTWARD,
                list(PARTNERS),
                list(C5),
            ],
        )
