"""AidData Chinese official finance: project records into core.finance_flows.

Projects: AidData's Chinese official finance project file in the column layout of its Global Chinese Official
Finance dataset (TUFF method; 56 columns: project_id ... usd_defl, usd_current ... recipient_iso3 ...), as shipped
in AidData's China Public Diplomacy Dashboard dataset v2.0 (commitment years 2000-2017, South and Central Asia and
the Pacific). One core row per project and price basis, for Central Asian recipients only. Decisions:

- `usd_defl` is constant 2017 USD: the file's own `deflators_used` is exactly 1 for 2017 and for no other year
  (GCDF 1.0 used 2014 USD; this later extract was rebased). load_raw asserts it, so a rebased edition stops
  the ingest instead of being mislabelled.
- Projects without a USD value (in-kind grants, scholarships, unvalued pledges: 52 of the 228 Central Asian rows)
  are not written to core (amount_usd is NOT NULL, and a 0 would read as "worth nothing"); they stay in raw.
- Rows with recommended_for_research = false (umbrella projects, pledges, cancelled or suspended projects) are
  kept in raw but not harmonised: AidData recommends leaving them out of any aggregate to avoid double counting.
- `currency` is the currency of the commitment as AidData recorded it (`currency`; blank with exchange rate 1
  means USD); amount_usd is AidData's own conversion (usd_current, usd_defl).
- donor_actor_id is the registry actor of the funding agency when the listed Chinese agencies name exactly one
  actor silkscope knows (china_exim, cdb, mofcom...); the agencies as published are kept in the note.

Geocoded locations of the same projects are another connector (aiddata_china_geo.py), loaded into raw only.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from silkscope.countries import C5, normalise
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import (
    Connector,
    check_allowed,
    check_types,
    mapping_table,
    read_csv_raw,
    require_columns,
    require_values,
    resolve_names,
)
from silkscope.sources.csvfiles import csv_located

# AidData distributes the Dashboard dataset as a zip of several files (data, ReadMe, methodology); the project
# file is read as redistributed, next to AidData's ReadMe, in this repository, pinned to a commit (the mirror's
# copy matches it in length and opening). Another commit means other bytes: ingest then treats it as a new edition.
PROJECTS_URL = (
    "https://raw.githubusercontent.com/milesdwilliams15/chinese_media_and_foreign_aid/"
    "d569b5186ae6a796a03406a0ef5a76274853949e/01_data/PublicDiplomacy/ChineseFinancialPublicDiplomacyProjectDetails.csv"
)
PROJECTS_FILE = "china_official_finance_projects.csv"
PROJECTS_TABLE = "aiddata_china_projects"
# Columns silkscope reads (the file has 56; the others stay in raw). `year` is `_year` once DuckDB snake_cases the
# header (it prefixes reserved words).
PROJECT_COLUMNS = [
    "project_id",
    "recommended_for_research",
    "_year",
    "donor",
    "funding_agencies",
    "title",
    "status",
    "flow",
    "flow_class",
    "intent",
    "crs_sector_code",
    "amount",
    "currency",
    "deflators_used",
    "exchange_rates_used",
    "usd_defl",
    "usd_current",
    "recipient_iso3",
    "year_uncertain",
]
PROJECT_TYPES = {
    "project_id": "BIGINT",
    "_year": "INTEGER",
    "recommended_for_research": "BOOLEAN",
    "year_uncertain": "BOOLEAN",
    "crs_sector_code": "INTEGER",
    "amount": "DOUBLE",
    "deflators_used": "DOUBLE",
    "exchange_rates_used": "DOUBLE",
    "usd_defl": "DOUBLE",
    "usd_current": "DOUBLE",
}
# Needed for every Central Asian row that is harmonised.
PROJECT_REQUIRED = ["project_id", "_year", "flow_class", "recommended_for_research"]
# Base year of usd_defl: the year whose deflator is 1. Change it (and DEFINITION) if AidData rebases.
BASE_YEAR = 2017
FLOW_CLASSES = {"ODA-like": "oda_like", "OOF-like": "oof_like", "Vague (Official Finance)": "vague_official"}
# AidData's spellings of Chinese funding agencies that the actor registry does not list as aliases (yet); the
# registry's own names and aliases (e.g. 'Export-Import Bank of China', 'CDB') are matched as well.
AGENCY_ACTORS = {
    "China Export-Import Bank": "china_exim",
    "China Development Bank": "cdb",
    "China Ministry of Commerce": "mofcom",
}
DEFINITION = (
    "AidData Chinese official finance, project level (TUFF method; China Public Diplomacy Dashboard dataset "
    "v2.0, financial diplomacy project details): one commitment per project, recommended_for_research rows only; "
    "flow class as coded by AidData (ODA-like, OOF-like, vague official finance); current USD = usd_current, "
    f"constant = usd_defl in {BASE_YEAR} USD; projects without a USD value are not included"
)

PUBLISHER = "AidData (William & Mary)"
LICENCE = "not stated in the files; AidData's terms of use require citing AidData (check them before reuse)"


def _agency_actor(agency: str, index: dict[str, str]) -> str | None:
    """'China Development Bank (CDB), Government Agency' -> 'cdb' via the name, the name without the
    parenthesis, or the abbreviation in it."""
    name = agency.strip()
    if "," in name:
        name = name.rsplit(",", 1)[0].strip()  # drop AidData's ', <kind of institution>'
    candidates = [name]
    match = re.fullmatch(r"(.*?)\s*\(([^()]+)\)", name)
    if match:
        candidates += [match.group(1), match.group(2)]
    for candidate in candidates:
        actor = index.get(normalise(candidate))
        if actor:
            return actor
    return None


class AidDataChinaProjects(Connector):
    name = "aiddata_china"
    publisher = PUBLISHER
    title = "AidData Chinese official finance, project records (China Public Diplomacy Dashboard dataset v2.0)"
    short = "AidData, Chinese official finance"  # how a table cell or a heading names it
    licence = LICENCE
    homepage = "https://www.aiddata.org/china-public-diplomacy"
    citation = (
        "AidData. China Public Diplomacy Dashboard Dataset, Version 2.0: Chinese financial public "
        "diplomacy project details (ChineseFinancialPublicDiplomacyProjectDetails.csv; Chinese official finance "
        "project records in the layout of AidData's Global Chinese Official Finance Dataset, TUFF method). "
        "Williamsburg, VA: AidData at William & Mary. Read as redistributed in "
        "github.com/milesdwilliams15/chinese_media_and_foreign_aid (01_data/PublicDiplomacy, commit d569b51); "
        "AidData serves the dataset only as a zip."
    )
    core_tables = ("core.finance_flows",)
    # One row per project (project_id); an exact repeat would add the project's amount twice.
    duplicate_rows = "error"

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                PROJECTS_URL,
                PROJECTS_FILE,
                expect=(b"project_id,type,category,recommended_for_research",),
                mirror_subdir="aiddata",
            )
        ]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        (file,) = files
        path = file.path
        # Quotes inside quoted fields are escaped as \" in AidData's China files; with read_csv_raw's default
        # escape ('"') DuckDB's sniffer gives up on this file.
        with csv_located(path, escapechar="\\"):
            read_csv_raw(
                con,
                PROJECTS_TABLE,
                path,
                escape="\\",
                source_id=source_id_for(self, file),
                expected="a UTF-8 CSV in AidData's Chinese official finance layout (quotes escaped as \\\")",
            )
        require_columns(con, PROJECTS_TABLE, path, PROJECT_COLUMNS)
        check_types(con, PROJECTS_TABLE, path, PROJECT_TYPES)
        check_allowed(con, PROJECTS_TABLE, path, "flow_class", set(FLOW_CLASSES))
        recipients = resolve_names(con, PROJECTS_TABLE, "recipient_iso3", path)
        mapping_table(con, "_aiddata_china_recipients", {k: v for k, v in recipients.items() if v in C5})
        # Central Asian rows: the ones harmonise reads, so the ones that must be complete.
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW _aiddata_china_scope AS SELECT * FROM raw.{PROJECTS_TABLE}
            WHERE recipient_iso3 IN (SELECT label FROM _aiddata_china_recipients)"""
        )
        scope = "source_line IN (SELECT source_line FROM _aiddata_china_scope)"
        require_values(con, PROJECTS_TABLE, path, PROJECT_REQUIRED, where=scope)
        self._check_unique_ids(con, path)
        self._check_base_year(con, path)
        self._check_currency(con, path)

    @staticmethod
    def _check_unique_ids(con: duckdb.DuckDBPyConnection, path: Path) -> None:
        rows = con.execute(
            f"""SELECT source_line, project_id FROM (
                    SELECT source_line, project_id,
                           row_number() OVER (PARTITION BY trim(project_id) ORDER BY source_line) AS n
                    FROM raw.{PROJECTS_TABLE} WHERE nullif(trim(project_id), '') IS NOT NULL)
                WHERE n > 1 ORDER BY source_line LIMIT 10"""
        ).fetchall()
        if rows:
            raise InputError(
                [
                    Problem(str(path), line, "project_id", "a project id not used on an earlier line", v)
                    for line, v in rows
                ]
            )

    @staticmethod
    def _check_base_year(con: duckdb.DuckDBPyConnection, path: Path) -> None:
        """usd_defl is constant BASE_YEAR USD only if the deflator is 1 in BASE_YEAR and in no other year."""
        rows = con.execute(
            f"""SELECT source_line, deflators_used FROM raw.{PROJECTS_TABLE}
            WHERE nullif(trim(deflators_used), '') IS NOT NULL
              AND ((TRY_CAST(_year AS INTEGER) = ? AND abs(deflators_used::DOUBLE - 1) > 1e-9)
                OR (TRY_CAST(_year AS INTEGER) <> ? AND abs(deflators_used::DOUBLE - 1) <= 1e-9))
            ORDER BY source_line LIMIT 10""",
            [BASE_YEAR, BASE_YEAR],
        ).fetchall()
        if rows:
            expected = (
                f"a deflator of 1 in {BASE_YEAR} and only then (usd_defl taken as constant {BASE_YEAR} USD; "
                "if AidData rebased the file, change BASE_YEAR in silkscope.sources.aiddata_china)"
            )
            raise InputError([Problem(str(path), line, "deflators_used", expected, v) for line, v in rows])

    @staticmethod
    def _check_currency(con: duckdb.DuckDBPyConnection, path: Path) -> None:
        """A valued row with a blank currency is read as USD only when AidData's exchange rate is 1."""
        rows = con.execute(
            """SELECT source_line, exchange_rates_used FROM _aiddata_china_scope
            WHERE nullif(trim(currency), '') IS NULL AND nullif(trim(usd_current), '') IS NOT NULL
              AND coalesce(TRY_CAST(exchange_rates_used AS DOUBLE), 0) <> 1
            ORDER BY source_line LIMIT 10"""
        ).fetchall()
        if rows:
            expected = "a currency code (a blank is read as USD only when exchange_rates_used is 1)"
            raise InputError([Problem(str(path), line, "currency", expected, "") for line, _ in rows])

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        source_id = source_ids[PROJECTS_FILE]
        mapping_table(con, "_aiddata_china_agencies", self._agency_actors(con))
        con.execute("CREATE OR REPLACE TEMP TABLE _aiddata_china_flow_classes (label VARCHAR, flow_class VARCHAR)")
        con.executemany("INSERT INTO _aiddata_china_flow_classes VALUES (?, ?)", sorted(FLOW_CLASSES.items()))
        con.execute(
            """INSERT INTO core.finance_flows (fact_id, donor_iso3, donor_actor_id, country_iso3, group_id, year,
                   flow_class, measure, price_basis, base_year, currency, amount_usd, project_count, project_id,
                   project_title, sector_code, definition, source_id, source_ids, citation_status, record, note)
            WITH scoped AS (
                SELECT r.*, c.iso3 AS country, f.flow_class AS silk_flow_class, a.iso3 AS actor_id
                FROM _aiddata_china_scope r
                JOIN _aiddata_china_recipients c ON c.label = r.recipient_iso3
                JOIN _aiddata_china_flow_classes f ON f.label = r.flow_class
                LEFT JOIN _aiddata_china_agencies a ON a.label = r.funding_agencies
                WHERE r.recommended_for_research::BOOLEAN),
            priced AS (
                SELECT s.*, p.basis, p.base,
                       nullif(trim(CASE p.basis WHEN 'current' THEN s.usd_current ELSE s.usd_defl END), '') AS usd
                FROM scoped s CROSS JOIN (VALUES ('current', NULL::INTEGER), ('constant', ?::INTEGER)) p(basis, base))
            SELECT 'aiddata_china:' || source_line || ':' || basis, 'CHN', actor_id, country, NULL,
                   _year::INTEGER, silk_flow_class, 'commitment', basis, base,
                   coalesce(nullif(trim(currency), ''), 'USD'), usd::DOUBLE, 1, trim(project_id),
                   trim(title), nullif(trim(crs_sector_code), ''), ?, ?, [?], 'cited',
                   'raw.aiddata_china_projects:' || source_line,
                   concat_ws('; ',
                       'AidData flow: ' || nullif(trim(flow), ''),
                       'intent: ' || nullif(trim(intent), ''),
                       'status: ' || nullif(trim(status), ''),
                       'funding agencies: ' || nullif(trim(funding_agencies), ''),
                       CASE WHEN nullif(trim(currency), '') IS NULL
                            THEN 'currency blank in the file; exchange rate 1, so USD' END,
                       CASE WHEN TRY_CAST(year_uncertain AS BOOLEAN)
                            THEN 'AidData marks the commitment year uncertain' END)
            FROM priced WHERE usd IS NOT NULL""",
            [BASE_YEAR, DEFINITION, source_id, source_id],
        )

    @staticmethod
    def _agency_actors(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        """funding_agencies as published -> actor_id, when its Chinese agencies name exactly one known actor."""
        actors = con.execute("SELECT actor_id, name, aliases FROM core.actors WHERE country_iso3 = 'CHN'").fetchall()
        known = {actor_id for actor_id, _, _ in actors}
        index: dict[str, str] = {}
        for actor_id, name, aliases in actors:
            for label in (actor_id, name, *(aliases or [])):
                index.setdefault(normalise(label), actor_id)
        for label, actor_id in AGENCY_ACTORS.items():
            if actor_id in known:  # never point at an actor the warehouse does not hold
                index.setdefault(normalise(label), actor_id)
        mapping: dict[str, str] = {}
        rows = con.execute(
            "SELECT DISTINCT funding_agencies FROM _aiddata_china_scope WHERE nullif(trim(funding_agencies), '') "
            "IS NOT NULL"
        ).fetchall()
        for (label,) in rows:
            found = {a for agency in label.split(";") if (a := _agency_actor(agency, index))}
            if len(found) == 1:
                mapping[label] = found.pop()
        return mapping
