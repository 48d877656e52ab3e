"""AidData China public diplomacy: country-year counts (visits, Confucius Institutes, students...) into core.indicators.

One row per country, year and column: partner_iso3 CHN, indicator_code 'aiddata_pd.<column>', unit 'count'.
AidData writes "N/A" where a measure was not collected for that country or year: that is a NULL value with a
note, not an error; any other non-number is. All 39 receiving countries are kept (the 13 of South and Central
Asia and the 26 of East Asia and the Pacific), so the Central Asian figures can be set beside their neighbours'.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import (
    Connector,
    check_types,
    mapping_table,
    read_csv_raw,
    require_columns,
    require_values,
    resolve_names,
)
from silkscope.sources.csvfiles import csv_located

# AidData's China Public Diplomacy Dashboard dataset v2.0 (ChinesePublicDiplomacy.csv), read as redistributed,
# next to AidData's ReadMe, in this repository, pinned to a commit (AidData serves the dataset only as a zip; the
# mirror's copy matches that commit's file in length and opening).
URL = (
    "https://raw.githubusercontent.com/milesdwilliams15/chinese_media_and_foreign_aid/"
    "d569b5186ae6a796a03406a0ef5a76274853949e/01_data/PublicDiplomacy/ChinesePublicDiplomacy.csv"
)
FILE = "china_public_diplomacy_country_year.csv"
TABLE = "aiddata_diplomacy_country_year"
MISSING = "N/A"
CODE_PREFIX = "aiddata_pd."
# column -> (indicator name, definition). The definitions paraphrase the dataset's ReadMe; where AidData's
# wording is not at hand they say only what the column name and the numbers show. Adding a column here is all
# it takes to harmonise a new one; a column AidData drops makes require_columns stop the ingest.
INDICATORS = {
    "confucius_institutes": (
        "Confucius Institutes established",
        "Number of Confucius Institutes opened in the receiving country in the year (AidData).",
    ),
    "sister_cities_established": (
        "Sister-city relationships established",
        "Number of sister-city (friendship city) agreements between Chinese and receiving-country cities signed "
        "in the year (AidData).",
    ),
    "government_visits": (
        "Government official visits",
        "Total number of high-level and provincial-level visits by government officials between China and the "
        "receiving country in the year, in the receiving country, in China or in a third location (AidData).",
    ),
    "military_visits": (
        "Military official visits",
        "Number of visits by military officials between China and the receiving country in the year (AidData).",
    ),
    "total_elite_visits": (
        "Elite visits, government and military",
        "Government plus military official visits between China and the receiving country in the year, as "
        "summed by AidData.",
    ),
    "ambassador_op_eds": (
        "Op-eds by the Chinese ambassador",
        "Number of opinion pieces by China's ambassador published in the receiving country's media in the year "
        "(AidData).",
    ),
    "journalist_visits": (
        "Journalist visits",
        "AidData's count of China-sponsored visits or trainings for the receiving country's journalists; in the "
        "South and Central Asia rows the series never falls from one year to the next, so read it as AidData "
        "reports it, not as a count of new visits.",
    ),
    "media_partnerships": (
        "Media partnerships",
        "Number of content-sharing or cooperation agreements between Chinese state media and the receiving "
        "country's outlets in the year (AidData).",
    ),
    "outbound_chinese_students": (
        "Chinese students in the receiving country",
        "Number of students from China studying in the receiving country in the year (AidData).",
    ),
    "inbound_students_to_china": (
        "Students from the receiving country in China",
        "Number of students from the receiving country studying in China in the year (AidData).",
    ),
}
COLUMNS = ["receiving_country", "_year", *INDICATORS]  # DuckDB snake_cases 'year' to '_year' (reserved word)
# Names AidData uses that silkscope's country registry does not know (yet).
EXTRA_NAMES: dict[str, str | None] = {"Brunei": "BRN", "Micronesia": "FSM"}
UNIT = "count"


class AidDataPublicDiplomacy(Connector):
    name = "aiddata_diplomacy"
    publisher = "AidData (William & Mary)"
    title = "AidData China Public Diplomacy Dashboard dataset v2.0, country-year measures"
    short = "AidData, China's public diplomacy"  # how a table cell or a heading names it
    licence = "not stated in the file; AidData's terms of use require citing AidData (check them before reuse)"
    homepage = "https://www.aiddata.org/china-public-diplomacy"
    citation = (
        "AidData. China Public Diplomacy Dashboard Dataset, Version 2.0: country-year measures of China's "
        "public diplomacy (ChinesePublicDiplomacy.csv), built for Custer, S. et al. (2018), Ties That Bind: "
        "Quantifying China's public diplomacy and its 'good neighbor' effect, and Custer, S. et al. (2019), Silk "
        "Road Diplomacy: Deconstructing Beijing's toolkit to influence South and Central Asia. Williamsburg, VA: "
        "AidData at William & Mary. Read as redistributed in "
        "github.com/milesdwilliams15/chinese_media_and_foreign_aid (01_data/PublicDiplomacy, commit d569b51); "
        "AidData serves the dataset only as a zip."
    )
    core_tables = ("core.indicators",)
    # One row per receiving country and year (counts of diplomacy events): a repeat would be a second value.
    duplicate_rows = "error"

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(URL, FILE, expect=(b"receiving_country,year,",), mirror_subdir="aiddata")]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        (file,) = files
        path = file.path
        with csv_located(path):
            read_csv_raw(
                con,
                TABLE,
                path,
                source_id=source_id_for(self, file),
                expected=f"a UTF-8, comma-separated CSV with columns {COLUMNS}",
            )
        require_columns(con, TABLE, path, COLUMNS)
        require_values(con, TABLE, path, ["receiving_country", "_year"])
        check_types(con, TABLE, path, {"_year": "INTEGER"})
        self._check_counts(con, path)
        self._check_unique(con, path)
        mapping_table(
            con, "_aiddata_pd_countries", resolve_names(con, TABLE, "receiving_country", path, extra=EXTRA_NAMES)
        )

    @staticmethod
    def _check_counts(con: duckdb.DuckDBPyConnection, path: Path, limit: int = 10) -> None:
        """Each measure is 'N/A', empty, or a number that is not negative."""
        problems: list[Problem] = []
        for column in INDICATORS:
            rows = con.execute(
                f"""SELECT source_line, "{column}" FROM raw.{TABLE}
                WHERE nullif(trim("{column}"), '') IS NOT NULL AND trim("{column}") <> ?
                  AND coalesce(TRY_CAST(trim("{column}") AS DOUBLE) < 0, true)
                ORDER BY source_line LIMIT {limit}""",
                [MISSING],
            ).fetchall()
            expected = f"a count (a number >= 0) or {MISSING!r}"
            problems += [Problem(str(path), line, column, expected, value) for line, value in rows]
        if problems:
            raise InputError(problems)

    @staticmethod
    def _check_unique(con: duckdb.DuckDBPyConnection, path: Path) -> None:
        """One row per country and year, or the indicator values would be ambiguous."""
        rows = con.execute(
            f"""SELECT source_line, receiving_country || ' ' || _year FROM (
                    SELECT source_line, receiving_country, _year, row_number() OVER (
                        PARTITION BY trim(receiving_country), trim(_year) ORDER BY source_line) AS n
                    FROM raw.{TABLE})
                WHERE n > 1 ORDER BY source_line LIMIT 10"""
        ).fetchall()
        if rows:
            expected = "one row per receiving_country and year (this pair appears on an earlier line)"
            raise InputError([Problem(str(path), line, "receiving_country", expected, v) for line, v in rows])

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        source_id = source_ids[FILE]
        con.execute("CREATE OR REPLACE TEMP TABLE _aiddata_pd_indicators (col VARCHAR, name VARCHAR, def VARCHAR)")
        con.executemany(
            "INSERT INTO _aiddata_pd_indicators VALUES (?, ?, ?)",
            [(column, name, definition) for column, (name, definition) in INDICATORS.items()],
        )
        measures = ", ".join(f'"{c}"' for c in INDICATORS)
        con.execute(
            f"""INSERT INTO core.indicators (indicator_code, indicator_name, country_iso3, partner_iso3, year, value,
                   unit, definition, source_id, source_ids, citation_status, record, note)
            SELECT ? || u.col, i.name, c.iso3, 'CHN', u._year::INTEGER,
                   CASE WHEN trim(u.value) = ? THEN NULL ELSE nullif(trim(u.value), '')::DOUBLE END,
                   ?, i.def, ?, [?], 'cited', 'raw.{TABLE}:' || u.source_line,
                   CASE WHEN trim(u.value) = ? THEN 'AidData: N/A (not collected or not available)'
                        WHEN nullif(trim(u.value), '') IS NULL THEN 'empty cell in the file' END
            FROM raw.{TABLE} UNPIVOT INCLUDE NULLS (value FOR col IN ({measures})) u
            JOIN _aiddata_pd_indicators i ON i.col = u.col
            JOIN _aiddata_pd_countries c ON c.label = u.receiving_country""",
            [CODE_PREFIX, MISSING, UNIT, source_id, source_id, MISSING],
        )
