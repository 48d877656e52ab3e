"""GDELT's published event files: where they are, which of them cover a time window, and the columns they hold.

The connectors (gdelt.py) fetch the files these lists name and read them with these column lists.
"""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile

# --- Endpoints (data). A mirror lays files out as <mirror>/gdelt/events/<name> and <mirror>/gdelt/gdeltv2/<name>.
V1_BASE = "http://data.gdeltproject.org/events/"
V2_BASE = "http://data.gdeltproject.org/gdeltv2/"
V2_MASTER_LIST = "masterfilelist.txt"  # "<size> <md5> <url>" per line, every 15-minute file since 2015-02-18
V2_LAST_UPDATE = "lastupdate.txt"  # same format, the three files of the latest 15-minute update
# GDELT 1.0: yearly backfiles to 2005, monthly to 2013-03 (57 columns, no SOURCEURL), daily from 2013-04-01 (58).
# If GDELT changes a boundary, change these dates and the column lists below together.
V1_FIRST_DAY = date(1979, 1, 1)
V1_MONTHLY_FROM = date(2006, 1, 1)
V1_DAILY_FROM = date(2013, 4, 1)
V2_FIRST_STAMP = datetime(2015, 2, 18, 23, 0)  # first 15-minute export in the 2.0 master file list
V2_STEP = timedelta(minutes=15)
ZIP_MAGIC = b"PK\x03\x04"

# --- Column lists, in file order, from GDELT's codebooks: "GDELT Data Format Codebook V1.03" (57 historical
# fields + SOURCEURL in the daily updates) and "GDELT Event Codebook V2.0" (ADM2Code added to each of the three
# geographies, DATEADDED as YYYYMMDDHHMMSS, SOURCEURL last: 61 fields). The files have no header row.
_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
          "Type1Code", "Type2Code", "Type3Code"]  # fmt: skip
_EVENT = ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
          "NumMentions", "NumSources", "NumArticles", "AvgTone"]  # fmt: skip
_GEO_V1 = ["Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID"]
_GEO_V2 = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]


def _columns(geo: list[str], tail: list[str]) -> list[str]:
    return (
        ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
        + [f"Actor1{c}" for c in _ACTOR]
        + [f"Actor2{c}" for c in _ACTOR]
        + _EVENT
        + [f"{who}Geo_{c}" for who in ("Actor1", "Actor2", "Action") for c in geo]
        + tail
    )


COLUMNS_V1_HISTORICAL = _columns(_GEO_V1, ["DATEADDED"])  # 57
COLUMNS_V1_DAILY = _columns(_GEO_V1, ["DATEADDED", "SOURCEURL"])  # 58
COLUMNS_V2 = _columns(_GEO_V2, ["DATEADDED", "SOURCEURL"])  # 61
assert (len(COLUMNS_V1_HISTORICAL), len(COLUMNS_V1_DAILY), len(COLUMNS_V2)) == (57, 58, 61)


def snake(name: str) -> str:
    """'Actor1CountryCode' -> 'actor1_country_code', 'ActionGeo_ADM1Code' -> 'action_geo_adm1_code'."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.replace("ADM", "Adm").replace("ID", "Id"))
    return re.sub(r"_+", "_", spaced).lower()


# Numeric fields, checked cell by cell before anything is harmonised (codes stay VARCHAR: '042' is not 42).
TYPES = {
    "globaleventid": "BIGINT",
    "month_year": "INTEGER",
    "year": "INTEGER",
    "fraction_date": "DOUBLE",
    "is_root_event": "INTEGER",
    "quad_class": "INTEGER",
    "goldstein_scale": "DOUBLE",
    "num_mentions": "INTEGER",
    "num_sources": "INTEGER",
    "num_articles": "INTEGER",
    "avg_tone": "DOUBLE",
}


# --- file lists --------------------------------------------------------------------------------------------------
def v1_file_names(start: date, end: date) -> list[str]:
    """One name per day from 2013-04-01; before that the monthly (2006-) or yearly backfile holding the day."""
    if start < V1_FIRST_DAY:
        raise ValueError(f"GDELT 1.0 starts on {V1_FIRST_DAY}; {start} is earlier")
    names: list[str] = []
    day = start
    while day <= end:
        if day >= V1_DAILY_FROM:
            name = f"{day:%Y%m%d}.export.CSV.zip"
        elif day >= V1_MONTHLY_FROM:
            name = f"{day:%Y%m}.zip"
        else:
            name = f"{day:%Y}.zip"
        if not names or names[-1] != name:
            names.append(name)
        day += timedelta(days=1)
    return names


def v2_stamps(start: datetime, end: datetime) -> list[datetime]:
    """Every 15-minute stamp from `start` (rounded down to the quarter) to `end`."""
    first = max(start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0), V2_FIRST_STAMP)
    stamps, stamp = [], first
    while stamp <= end:
        stamps.append(stamp)
        stamp += V2_STEP
    return stamps


def v2_exports_in_list(lines: Iterable[str]) -> dict[datetime, str]:
    """Export URLs of a masterfilelist.txt / lastupdate.txt, by their 15-minute stamp (mentions/gkg ignored)."""
    found = {}
    for line in lines:
        parts = line.split()
        match = re.search(r"/(\d{14})\.export\.CSV\.zip$", parts[-1]) if len(parts) == 3 else None
        if match:
            found[datetime.strptime(match.group(1), "%Y%m%d%H%M%S")] = parts[-1]
    return found


def extract_member(file: FetchedFile, folder: Path) -> Path:
    """Stream the zip's single member to disk (DuckDB then reads it); a damaged archive is a located error."""
    try:
        with zipfile.ZipFile(file.path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise InputError(
                    [Problem(str(file.path), 0, "(file)", "a zip with one CSV member", f"{len(members)} members")]
                )
            target = folder / Path(members[0].filename).name
            with archive.open(members[0]) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return target
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(
            [Problem(str(file.path), 0, "(file)", "a complete zip archive (GDELT export)", str(exc)[:200])]
        ) from exc
