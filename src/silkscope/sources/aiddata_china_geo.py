"""AidData Chinese official finance, geocoded locations: into raw only, for maps, and checked against projects.

AidData's Geocoded Global Chinese Official Finance v1.1.1 (2000-2014) has one row per project location. Nothing
goes to core: the amounts come from the project file (aiddata_china.py). `check_geocoded_projects` compares the
locations' Central Asian projects with the project file where the ids match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from silkscope.countries import C5, resolve
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.aiddata_china import FLOW_CLASSES, LICENCE, PROJECTS_TABLE, PUBLISHER
from silkscope.sources.base import (
    Connector,
    check_allowed,
    check_types,
    mapping_table,
    read_csv_raw,
    require_columns,
    require_values,
)
from silkscope.sources.csvfiles import csv_located

# Geocoded locations: AidData's file (GeoCoded_China_Data_Merged_Files.zip, all_flow_classes.csv) was cut to 13
# columns and its country names cleaned by gbwalker (data/aiddf.rds); the CSV in the mirror is that .rds written
# out as CSV. No CSV of it is served anywhere: this URL records where the data came from, and the `expect`
# check refuses the R binary a direct download would return. Take the file from a mirror.
GEO_URL = (
    "https://raw.githubusercontent.com/gbwalker/chinese-diplomacy-and-financing/"
    "7039e35bbb78b378e67ffdaea309318395af5237/data/aiddf.rds"
)
GEO_FILE = "china_aid_geocoded_locations.csv"
GEO_TABLE = "aiddata_china_geo_locations"
GEO_COLUMNS = [
    "id",
    "_year",
    "country",
    "place",
    "sector",
    "title",
    "funder",
    "flow",
    "flow_class",
    "intent",
    "usd_current",
    "latitude",
    "longitude",
]
GEO_TYPES = {"id": "BIGINT", "_year": "INTEGER", "usd_current": "DOUBLE", "latitude": "DOUBLE", "longitude": "DOUBLE"}
GEO_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


class AidDataChinaGeocoded(Connector):
    name = "aiddata_china_geo"
    publisher = PUBLISHER
    title = "AidData Geocoded Global Chinese Official Finance, v1.1.1: project locations (13-column extract)"
    short = "AidData, geocoded Chinese finance"  # how a table cell or a heading names it
    licence = LICENCE
    homepage = "https://www.aiddata.org/data/geocoded-chinese-global-official-finance-dataset"
    citation = (
        "Bluhm, R., Dreher, A., Fuchs, A., Parks, B. C., Strange, A., and Tierney, M. J. (2018). Connective "
        "Financing: Chinese Infrastructure Projects and the Diffusion of Economic Activity in Developing "
        "Countries. AidData Working Paper #64. AidData's Geocoded Global Chinese Official Finance Dataset, "
        "Version 1.1.1 (GeoCoded_China_Data_Merged_Files.zip, all_flow_classes.csv), cut to 13 columns with "
        "country names cleaned by G. Walker (github.com/gbwalker/chinese-diplomacy-and-financing, data/aiddf.rds, "
        "commit 7039e35) and written out as CSV for silkscope's offline mirror."
    )
    core_tables = ()  # locations stay in raw (for maps); see check_geocoded_projects
    # Locations never reach core (nothing is summed or counted from them), and the published file does hold an
    # exact repeat (project 46985, one location listed twice): refusing it would refuse the real file.
    duplicate_rows = "keep"

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(GEO_URL, GEO_FILE, expect=(b"id,year,country,place",), mirror_subdir="aiddata")]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        (file,) = files
        path = file.path
        with csv_located(path):
            read_csv_raw(
                con,
                GEO_TABLE,
                path,
                source_id=source_id_for(self, file),
                expected=f"a UTF-8, comma-separated CSV with columns {GEO_COLUMNS}",
            )
        require_columns(con, GEO_TABLE, path, GEO_COLUMNS)
        require_values(con, GEO_TABLE, path, ["id", "_year", "country"])
        check_types(con, GEO_TABLE, path, GEO_TYPES)
        check_allowed(con, GEO_TABLE, path, "flow_class", set(FLOW_CLASSES))
        problems: list[Problem] = []
        for column, (lo, hi) in GEO_RANGES.items():
            rows = con.execute(
                f"""SELECT source_line, {column} FROM raw.{GEO_TABLE}
                WHERE NOT TRY_CAST({column} AS DOUBLE) BETWEEN ? AND ? ORDER BY source_line LIMIT 10""",
                [lo, hi],
            ).fetchall()
            problems += [Problem(str(path), line, column, f"a value between {lo} and {hi}", v) for line, v in rows]
        if problems:
            raise InputError(problems)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        """Nothing goes to core: the project amounts come from the project file, not from its locations."""


@dataclass
class GeoProjectCheck:
    """How the geocoded file's Central Asian projects line up with the project file, matched by AidData id."""

    c5_projects: int  # distinct ids whose country is one Central Asian state
    matched: list[str] = field(default_factory=list)  # ids found in the project file with the same recipient
    missing: list[str] = field(default_factory=list)  # ids not in the project file (other edition or scope)
    country_differs: list[tuple[str, str, str]] = field(default_factory=list)  # id, geocoded, project file
    year_differs: list[tuple[str, int, int]] = field(default_factory=list)
    flow_class_differs: list[tuple[str, str, str]] = field(default_factory=list)


def check_geocoded_projects(con: duckdb.DuckDBPyConnection) -> GeoProjectCheck:
    """Compare raw.aiddata_china_geo_locations with raw.aiddata_china_projects for Central Asian projects.

    Multi-country geocoded rows ('A; B') are left out: their locations cannot be assigned to one recipient.
    """
    labels = [r[0] for r in con.execute(f"SELECT DISTINCT country FROM raw.{GEO_TABLE}").fetchall()]
    mapping = {}
    for label in labels:
        try:
            iso3 = resolve(label)
        except UnknownCountryError:
            continue  # raw-only file: names outside Central Asia need not resolve
        if iso3 in C5:
            mapping[label] = iso3
    mapping_table(con, "_aiddata_geo_c5", mapping)
    geo = con.execute(
        f"""SELECT trim(g.id) AS id, any_value(m.iso3) AS iso3, min(g._year::INTEGER) AS year,
                   any_value(g.flow_class) AS flow_class
            FROM raw.{GEO_TABLE} g JOIN _aiddata_geo_c5 m ON m.label = g.country GROUP BY 1"""
    ).fetchall()
    projects = {
        r[0]: r[1:]
        for r in con.execute(
            f"SELECT trim(project_id), recipient_iso3, TRY_CAST(_year AS INTEGER), flow_class FROM raw.{PROJECTS_TABLE}"
        ).fetchall()
    }
    check = GeoProjectCheck(len(geo))
    for project_id, iso3, year, flow_class in sorted(geo, key=lambda r: int(r[0])):
        if project_id not in projects:
            check.missing.append(project_id)
            continue
        p_iso3, p_year, p_flow_class = projects[project_id]
        if p_iso3 != iso3:
            check.country_differs.append((project_id, iso3, p_iso3))
            continue
        check.matched.append(project_id)
        if p_year != year:
            check.year_differs.append((project_id, year, p_year))
        if p_flow_class != flow_class:
            check.flow_class_differs.append((project_id, flow_class, p_flow_class))
    return check
