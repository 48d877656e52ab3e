"""GDELT 1.0 and 2.0 event tables: CAMEO-coded news events between the partners and the C5, de-duplicated.

Which files cover a window, what columns they hold and how they are extracted: gdelt_files.py.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import duckdb

from silkscope.countries import C5, registry, resolve_scope
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile, fetch
from silkscope.sources.base import Connector, check_types, error_line, mapping_table
from silkscope.sources.gdelt_files import (
    COLUMNS_V1_DAILY,
    COLUMNS_V1_HISTORICAL,
    COLUMNS_V2,
    TYPES,
    V1_BASE,
    V2_BASE,
    V2_LAST_UPDATE,
    V2_MASTER_LIST,
    V2_STEP,
    ZIP_MAGIC,
    extract_member,
    snake,
    v1_file_names,
    v2_exports_in_list,
    v2_stamps,
)

# The window to fetch when none is passed: environment (YYYY-MM-DD or YYYYMMDDHHMMSS), else yesterday (UTC).
ENV_START, ENV_END, ENV_LISTING = "SILKSCOPE_GDELT_START", "SILKSCOPE_GDELT_END", "SILKSCOPE_GDELT2_LISTING"

# --- CAMEO actor country codes (GDELT lookup CAMEO.country.txt): ISO 3166 alpha-3, except Serbia's 'SER' and
# codes CAMEO's dictionaries kept from older ISO editions, listed here so that they resolve if a file carries
# them. A code that is in none of these tables stops the ingest with its file and line: add it here.
CAMEO_NOT_ISO: dict[str, str | None] = {
    "SER": "SRB",  # Serbia
    "ROM": "ROU",  # Romania (ISO alpha-3 until 2002)
    "TMP": "TLS",  # East Timor (ISO alpha-3 until 2002)
    "ZAR": "COD",  # Zaire / DR Congo (ISO alpha-3 until 1997)
    "YUG": None,  # Yugoslavia: no single successor state
    "SCG": None,  # Serbia and Montenegro (2003-2006): no single successor state
}
# Regions and places that are not states (CAMEO manual, table 3.3; the first three head CAMEO.country.txt): the
# record stays in raw with no country to attribute. 'CAS' is "Central Asia" as a region, not one of the C5.
CAMEO_REGIONS = {
    "WSB": "West Bank", "BAG": "Baghdad", "GZS": "Gaza Strip", "AFR": "Africa", "ASA": "Asia", "BLK": "Balkans",
    "CRB": "Caribbean", "CAU": "Caucasus", "CFR": "Central Africa", "CAS": "Central Asia", "CEU": "Central Europe",
    "EIN": "East Indies", "EAF": "Eastern Africa", "EEU": "Eastern Europe", "EUR": "Europe", "LAM": "Latin America",
    "MEA": "Middle East", "MDT": "Mediterranean", "NAF": "North Africa", "NMR": "North America",
    "PGS": "Persian Gulf", "SCN": "Scandinavia", "SAM": "South America", "SAS": "South Asia",
    "SEA": "Southeast Asia", "SAF": "Southern Africa", "WAF": "West Africa", "WST": "The West",
}  # fmt: skip
# Known groups that are partners in their own right: CAMEO codes the European Union as IGOEEC.
KNOWN_GROUP_PARTNERS = {"EEC": "EUU"}

# --- Event classes by CAMEO code prefix; the longest matching prefix wins, anything else is 'other'.
EVENT_CLASSES = {
    "042": "visit_made",  # Make a visit: Actor1 travels to Actor2
    "043": "visit_hosted",  # Host a visit: Actor1 receives Actor2
    "036": "meeting",  # Express intent to meet or negotiate
    "04": "meeting",  # Consult: 040 consult, 041 discuss by telephone, 044 meet at a third location, 045, 046
    "057": "agreement",  # Sign formal agreement
}
DEFINITION = (
    "News-derived: GDELT {version} event records, machine-coded (CAMEO) from news reports; dyadic events between "
    "a partner and a Central Asian state in either direction, de-duplicated so that one dyad, event code, source "
    "URL and day count once (records without a SOURCEURL cannot be de-duplicated: each counts). Counts of reported "
    "events, kept apart from the curated leader-visit timeline (core.events)."
)


class _GdeltEvents(Connector):
    """Shared by both versions. `start`/`end` bound the files to fetch; ingest reads whatever files it is given."""

    version: ClassVar[str]
    mirror_subdir: ClassVar[str]
    core_tables = ("core.news_events",)
    # Every GDELT record has its own GLOBALEVENTID, so a row equal to another in every field is a copy of the line.
    # Records of one event in several files are merged by harmonise; rows without a source URL are summed there,
    # so a copied line would count twice.
    duplicate_rows = "error"
    publisher = "The GDELT Project"
    licence = "Free and open for any use, with citation of the GDELT Project (gdeltproject.org terms of use)"
    homepage = "https://www.gdeltproject.org/data.html"

    def __init__(
        self,
        start: date | datetime | str | None = None,
        end: date | datetime | str | None = None,
        *,
        base_url: str | None = None,
        cache_dir: Path | None = None,
        mirror: Path | None = None,
    ):
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        first = _when(start or os.environ.get(ENV_START) or yesterday)
        self.start, self.end = self._window(first, _when(end or os.environ.get(ENV_END) or first))
        if self.end < self.start:
            raise ValueError(f"GDELT window ends ({self.end}) before it starts ({self.start})")
        self.base_url = base_url
        self.cache_dir, self.mirror = cache_dir, mirror

    def _window(self, start: date | datetime, end: date | datetime) -> tuple:
        raise NotImplementedError

    def columns_for(self, name: str) -> list[str]:
        raise NotImplementedError

    def _remote(self, url: str) -> RemoteFile:
        return RemoteFile(url, url.rsplit("/", 1)[-1], expect=(ZIP_MAGIC,), mirror_subdir=self.mirror_subdir)

    # --- parse -------------------------------------------------------------------------------------------------
    @property
    def raw_table(self) -> str:
        return f"{self.name}_events"

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for  # the content-addressed id ingest will record

        widest = max((self.columns_for(f.remote.name) for f in files), key=len, default=[])
        names = [snake(c) for c in widest]
        cols = ", ".join(f'"{c}" VARCHAR' for c in names)
        con.execute(
            f"CREATE OR REPLACE TABLE raw.{self.raw_table} ({cols}, source_file VARCHAR, source_line BIGINT, "
            "source_id VARCHAR)"
        )
        codes: dict[str, str | None] = {}
        with tempfile.TemporaryDirectory(prefix="silkscope-gdelt-") as tmp:
            for file in sorted(files, key=lambda f: f.remote.name):
                member = extract_member(file, Path(tmp))
                where = f"{file.path}!{member.name}"
                stage = f"{self.raw_table}_stage"
                self._read(con, stage, member, where, self.columns_for(file.remote.name))
                check_types(con, stage, where, TYPES)
                _check_codes(con, stage, where)
                codes |= _country_codes(con, stage, where)
                present = [snake(c) for c in self.columns_for(file.remote.name)]
                select = ", ".join(f'"{c}"' if c in present else "NULL" for c in names)
                con.execute(
                    f"INSERT INTO raw.{self.raw_table} SELECT {select}, ?, source_line, ? FROM raw.{stage}",
                    [file.remote.name, source_id_for(self, file)],
                )
                con.execute(f"DROP TABLE raw.{stage}")
                member.unlink()
        mapping_table(con, "_gdelt_codes", {k: v for k, v in codes.items() if v})
        mapping_table(con, "_gdelt_groups", KNOWN_GROUP_PARTNERS)
        con.execute("CREATE OR REPLACE TEMP TABLE _gdelt_classes (prefix VARCHAR, event_class VARCHAR)")
        con.executemany("INSERT INTO _gdelt_classes VALUES (?, ?)", sorted(EVENT_CLASSES.items()))

    @staticmethod
    def _read(con: duckdb.DuckDBPyConnection, table: str, member: Path, where: str, columns: list[str]) -> None:
        """The member as published: tab-separated, no header, no quoting, UTF-8; every field VARCHAR."""
        spec = "{" + ", ".join(f"'{snake(c)}': 'VARCHAR'" for c in columns) + "}"
        try:
            con.execute(
                f"""CREATE OR REPLACE TABLE raw.{table} AS
                SELECT *, (row_number() OVER ())::BIGINT AS source_line
                FROM read_csv(?, delim = '\t', header = false, columns = {spec}, auto_detect = false,
                              quote = '', escape = '', encoding = 'utf-8', strict_mode = true, null_padding = false)""",
                [str(member)],
            )
        except duckdb.Error as exc:
            text = str(exc)
            detail = next(
                (ln for ln in text.splitlines() if ln.startswith(("Expected Number", "Invalid unicode"))),
                text.splitlines()[0] if text else type(exc).__name__,
            )
            raise InputError(
                [
                    Problem(
                        where,
                        error_line(exc),
                        "(columns)",
                        f"{len(columns)} tab-separated UTF-8 fields per line (GDELT export without header)",
                        detail[:300],
                    )
                ]
            ) from exc

    # --- harmonise ---------------------------------------------------------------------------------------------
    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        partners = list(resolve_scope("PARTNERS"))
        con.execute(
            f"""INSERT INTO core.news_events (event_date, year, actor1_iso3, actor2_iso3, cameo_code, cameo_root,
                   event_class, goldstein, num_mentions, num_articles, event_count, source_url,
                   source_id, source_ids, citation_status, record, note)
            WITH coded AS (
                SELECT r.*, strptime(r.sqldate, '%Y%m%d')::DATE AS day, nullif(trim(r.sourceurl), '') AS url,
                       coalesce(g1.iso3, c1.iso3) AS a1, coalesce(g2.iso3, c2.iso3) AS a2
                FROM raw.{self.raw_table} r
                LEFT JOIN _gdelt_codes c1 ON c1.label = r.actor1_country_code
                LEFT JOIN _gdelt_codes c2 ON c2.label = r.actor2_country_code
                LEFT JOIN _gdelt_groups g1 ON g1.label = r.actor1_known_group_code
                LEFT JOIN _gdelt_groups g2 ON g2.label = r.actor2_known_group_code),
            kept AS (
                SELECT * FROM coded
                WHERE (list_contains(?, a1) AND list_contains(?, a2))
                   OR (list_contains(?, a1) AND list_contains(?, a2))),
            events AS (  -- one row per dyad, event code, source URL and day
                SELECT day, a1, a2, event_code, url, any_value(event_root_code) AS root,
                       max(goldstein_scale::DOUBLE) AS goldstein,
                       CASE WHEN url IS NULL THEN sum(num_mentions::INTEGER) ELSE max(num_mentions::INTEGER) END
                           AS mentions,
                       CASE WHEN url IS NULL THEN sum(num_articles::INTEGER) ELSE max(num_articles::INTEGER) END
                           AS articles,
                       CASE WHEN url IS NULL THEN count(*) ELSE 1 END AS n_events, count(*) AS n_records,
                       arg_min(source_id, (source_file, source_line)) AS first_source,
                       arg_min(source_file || ':' || source_line, (source_file, source_line)) AS first_record,
                       min(globaleventid::BIGINT) AS first_event_id,
                       list(DISTINCT source_id ORDER BY source_id) AS all_sources
                FROM kept GROUP BY day, a1, a2, event_code, url)
            SELECT day, year(day), a1, a2, event_code, coalesce(root, left(event_code, 2)),
                   coalesce((SELECT c.event_class FROM _gdelt_classes c WHERE starts_with(e.event_code, c.prefix)
                             ORDER BY length(c.prefix) DESC LIMIT 1), 'other'),
                   goldstein, mentions, articles, n_events, url, first_source, all_sources, 'cited',
                   'raw.{self.raw_table}:' || first_record,
                   ? || ' Merged ' || n_records || ' GDELT record(s); first GLOBALEVENTID ' || first_event_id || '.'
            FROM events e""",
            [partners, list(C5), list(C5), partners, DEFINITION.format(version=self.version)],
        )


class Gdelt1(_GdeltEvents):
    """GDELT 1.0: one file per day from 2013-04-01; monthly and yearly backfiles before (one URL each)."""

    name = "gdelt1"
    version = "1.0"
    mirror_subdir = "gdelt/events"
    title = "GDELT 1.0 Event Database (daily event exports)"
    short = "GDELT 1.0"  # how a table cell or a heading names it
    citation = (
        "Leetaru, K. and Schrodt, P. A. (2013). GDELT: Global Data on Events, Location and Tone, 1979-2012. "
        "ISA Annual Convention. GDELT 1.0 Event Database, The GDELT Project, http://data.gdeltproject.org/events/."
    )

    def _window(self, start: date | datetime, end: date | datetime) -> tuple[date, date]:
        return _day(start), _day(end)

    def remote_files(self) -> list[RemoteFile]:
        base = self.base_url or V1_BASE
        return [self._remote(base + name) for name in v1_file_names(self.start, self.end)]

    def columns_for(self, name: str) -> list[str]:
        if re.fullmatch(r"\d{8}\.export\.CSV\.zip", name):
            return COLUMNS_V1_DAILY
        if re.fullmatch(r"\d{4}(\d{2})?\.zip", name):
            return COLUMNS_V1_HISTORICAL
        raise InputError([Problem(name, 0, "(file)", "a GDELT 1.0 file name (YYYYMMDD.export.CSV.zip)", name)])


class Gdelt2(_GdeltEvents):
    """GDELT 2.0: one export every 15 minutes. The list comes from the master file list ('master'), the latest
    update ('latest'), or is generated from the window ('generated': no listing download, but GDELT's rare
    missing quarters then fail as 404s)."""

    name = "gdelt2"
    version = "2.0"
    mirror_subdir = "gdelt/gdeltv2"
    title = "GDELT 2.0 Event Database (15-minute event exports)"
    short = "GDELT 2.0"  # how a table cell or a heading names it
    citation = (
        "The GDELT Project. GDELT 2.0 Event Database, 15-minute exports, http://data.gdeltproject.org/gdeltv2/ "
        "(GDELT Event Codebook V2.0, 2015)."
    )
    LISTINGS = ("generated", "master", "latest")

    def __init__(self, *args, listing: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.listing = listing or os.environ.get(ENV_LISTING) or "generated"
        if self.listing not in self.LISTINGS:
            raise ValueError(f"GDELT 2.0 listing {self.listing!r}: expected one of {', '.join(self.LISTINGS)}")

    def _window(self, start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
        """A day bound covers the whole day: from 00:00:00 to the 23:45:00 export."""
        if not isinstance(start, datetime):
            start = datetime.combine(start, datetime.min.time())
        if not isinstance(end, datetime):
            end = datetime.combine(end, datetime.min.time()) + timedelta(days=1) - V2_STEP
        return start, end

    def remote_files(self) -> list[RemoteFile]:
        base = self.base_url or V2_BASE
        if self.listing == "generated":
            return [self._remote(f"{base}{s:%Y%m%d%H%M%S}.export.CSV.zip") for s in v2_stamps(self.start, self.end)]
        name = V2_MASTER_LIST if self.listing == "master" else V2_LAST_UPDATE
        listing = fetch(
            RemoteFile(base + name, name, expect=(b".export.CSV.zip",), mirror_subdir=self.mirror_subdir),
            cache_dir=self.cache_dir,
            mirror=self.mirror,
            refresh=self.mirror is None,  # the list grows every 15 minutes
        )
        with listing.path.open(encoding="utf-8", errors="replace") as lines:  # the master list runs to 100s of MB
            urls = v2_exports_in_list(lines)
        if self.listing == "latest":
            return [self._remote(u) for u in urls.values()]
        return [self._remote(u) for stamp, u in sorted(urls.items()) if self.start <= stamp <= self.end]

    def columns_for(self, name: str) -> list[str]:
        if re.fullmatch(r"\d{14}\.export\.CSV\.zip", name):
            return COLUMNS_V2
        raise InputError([Problem(name, 0, "(file)", "a GDELT 2.0 file name (YYYYMMDDHHMMSS.export.CSV.zip)", name)])


# --- helpers -------------------------------------------------------------------------------------------------------
def _when(value: date | datetime | str) -> date | datetime:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%Y%m%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.date() if fmt in ("%Y-%m-%d", "%Y%m%d") else parsed
    raise ValueError(f"GDELT window bound {text!r}: expected YYYY-MM-DD or YYYYMMDDHHMMSS")


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _check_codes(con: duckdb.DuckDBPyConnection, table: str, where: str) -> None:
    """Dates and CAMEO event codes: SQLDATE is YYYYMMDD, EventCode two to four digits (kept as text)."""
    problems = []
    for column, test, expected in (
        ("sqldate", "try_strptime(sqldate, '%Y%m%d') IS NULL OR length(sqldate) <> 8", "a date as YYYYMMDD"),
        ("event_code", "NOT regexp_full_match(coalesce(event_code, ''), '[0-9]{2,4}')", "a CAMEO event code"),
    ):
        rows = con.execute(
            f"SELECT source_line, {column} FROM raw.{table} WHERE {test} ORDER BY source_line LIMIT 10"
        ).fetchall()
        problems += [Problem(where, line, column, expected, str(value)) for line, value in rows]
    if problems:
        raise InputError(problems)


def _country_codes(con: duckdb.DuckDBPyConnection, table: str, where: str) -> dict[str, str | None]:
    """ISO3 (or None for a region) for every actor country code in the file; unknown codes listed with a line."""
    isos = set(registry().countries)
    mapping: dict[str, str | None] = {}
    problems = []
    for column in ("actor1_country_code", "actor2_country_code"):
        rows = con.execute(
            f"""SELECT "{column}", min(source_line) FROM raw.{table}
            WHERE nullif(trim("{column}"), '') IS NOT NULL GROUP BY 1 ORDER BY 2"""
        ).fetchall()
        for code, line in rows:
            if code in CAMEO_NOT_ISO:
                mapping[code] = CAMEO_NOT_ISO[code]
            elif code in CAMEO_REGIONS:
                mapping[code] = None
            elif code in isos:
                mapping[code] = code
            else:
                expected = "a CAMEO country code (ISO3, or in gdelt.CAMEO_NOT_ISO / CAMEO_REGIONS)"
                problems.append(Problem(where, line, column, expected, code))
    if problems:
        raise InputError(problems)
    return mapping
