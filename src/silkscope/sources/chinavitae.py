"""China Vitae activity records of seven Chinese leaders, 2003-2018: travel abroad versus meetings at home."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from silkscope.countries import resolve
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector, check_types, mapping_table, read_csv_raw, require_columns, resolve_names

# The publisher (China Vitae, Carnegie Endowment) serves HTML activity pages, not a file. G. Walker scraped them
# (china_vitae_scraper.R) into an R data file; silkscope reads its CSV conversion. The URL below is that R file at
# a pinned commit: a download of it fails the CSV `expect` check, so take the CSV from a mirror (chinavitae/) or
# pass `url=` where the CSV is hosted. If the CSV is regenerated, FILE and COLUMNS stay; EXPECT guards the header.
URL = (
    "https://raw.githubusercontent.com/gbwalker/chinese-diplomacy-and-financing/"
    "7039e35bbb78b378e67ffdaea309318395af5237/data/leaderdf.rds"
)
FILE = "china_leader_engagements_2003_2018.csv"
# Loose on purpose: an HTML error page fails it, while a file whose header changed reaches load_raw and gets a
# located error naming the column.
EXPECT = (b"date,", b"date;", b"date\t")
COLUMNS = ["date", "year", "country", "leader", "text"]
# read_csv_raw snake-cases names with DuckDB's normalize_names, which prefixes SQL keywords: year -> _year.
RAW_COLUMNS = ["date", "_year", "country", "leader", "_text"]
TYPES = {"date": "DATE", "_year": "INTEGER"}
TABLE = "chinavitae_leader_engagements"

# Offices held, as [start, end) dates: the scrape keeps only engagements in these offices (its README), so a
# date outside them means the file is not what this connector expects. Levels as in core.events.level.
TERMS: dict[str, list[tuple[str, date, date | None]]] = {
    "Hu Jintao": [("head_of_state", date(2003, 3, 15), date(2013, 3, 14))],
    "Xi Jinping": [("head_of_state", date(2013, 3, 14), None)],
    "Wen Jiabao": [("head_of_government", date(2003, 3, 16), date(2013, 3, 15))],
    "Li Keqiang": [("head_of_government", date(2013, 3, 15), date(2023, 3, 11))],
    "Li Zhaoxing": [("foreign_minister", date(2003, 3, 17), date(2007, 4, 27))],
    "Yang Jiechi": [
        ("foreign_minister", date(2007, 4, 27), date(2013, 3, 16)),
        ("state_councilor", date(2013, 3, 16), date(2018, 3, 19)),
    ],
    "Wang Yi": [("foreign_minister", date(2013, 3, 16), date(2022, 12, 30))],
}
LEADER_ISO3 = "CHN"

# The scraper's country labels that silkscope's registry does not resolve (it writes the UK as "England" and keeps
# older short names). The general names among them belong in registry/aliases.csv; until then they live here.
COUNTRY_LABELS: dict[str, str | None] = {
    "England": "GBR",
    "Wales": "GBR",
    "Antigua": "ATG",
    "Brunei": "BRN",
    "Cape Verde": "CPV",
    "Democratic Republic of the Congo": "COD",
    "East Timor": "TLS",
    "Macedonia": "MKD",
    "Micronesia": "FSM",
}

# --- Classification rules (data). A text is either a China Vitae activity record
#   "<Name> travelled to <Country>, <City> [and met with the following: ...] [Others Attending: ...]"
#   "<Name> was in Beijing Municipality and met with the following: ..."
# or a news headline ending in its location, "Wen Jiabao held talks with ... (Germany, Berlin)".
# The row's leader is the record's subject or among "Others Attending"; either way they took part.
RECORD = re.compile(
    r"^(?P<subject>(?:[A-Z][\w.'-]*\s+){0,4}?)\s*(?:travelled to|was in)\b\s*(?P<place>.*?)\s*"
    r"(?=and met with the following:|Others Attending:|$)"
)
RECORD_MEETING = "and met with the following:"
HEADLINE_PLACE = re.compile(r"\((?P<place>[^()]*)\)\s*$")
NOT_A_MEETING = re.compile(
    r"phone|telephone|message|letter|congratulat|condolence|credential|interview|signed article", re.IGNORECASE
)
MEETING = re.compile(
    r"\bmet with\b|\bmeets?\b|\bmeeting with\b|\b(?:held|holds?) talks\b|\btalks with\b|\breceive[sd]?\b", re.I
)
PRESENCE = re.compile(r"\bvisit(s|ed)\b|\bwas welcomed\b|\bmade a speech\b|\battended\b", re.IGNORECASE)
# Where: a Chinese province, municipality, autonomous region or SAR is "home"; other labels name a state.
CHINA_UNIT = re.compile(r"(Province|Municipality|Autonomous Region|SAR)$")
PLACES: dict[str, tuple[str, ...]] = {
    "Beijing": ("CHN",),
    "People's Republic of China": ("CHN",),
    "UAE": ("ARE",),
    "Republic of Korea (South Korea)": ("KOR",),
    "Czechoslovakia": ("CZE", "SVK"),  # China Vitae still labels Prague so in 2016
    "Serbia-Montenegro": ("SRB", "MNE"),
    "Yugoslavia": ("SRB", "MNE"),
}
# (activity, where) -> kind. Missing pairs -> 'other' with rule 'unclassified' (a meeting whose place is unknown).
DECISIONS = {
    ("meeting", "china"): "meeting_at_home",
    ("meeting", "counterpart"): "travel",
    ("presence", "counterpart"): "travel",
    ("meeting", "third_country"): "other",  # met them abroad, in another state (a summit, a UN session)
    ("presence", "third_country"): "other",
    ("presence", "china"): "other",  # in China, no meeting recorded
    **{("none", w): "other" for w in ("china", "counterpart", "third_country", "unknown")},  # a news item only
    **{("not_a_meeting", w): "other" for w in ("china", "counterpart", "third_country", "unknown")},
}


@dataclass(frozen=True)
class Classification:
    kind: str  # travel, meeting_at_home, other
    rule: str  # '<format>:<activity>@<where>' or 'unclassified'
    place: str


def classify(text: str | None, counterpart_iso3: str) -> Classification:
    """Travel to the counterpart, meeting its officials in China, or other, from the text alone."""
    plain = re.sub(r"\s+", " ", text or "").strip()
    record = RECORD.match(plain)
    if record:
        fmt, place = "record", record.group("place").strip()
        activity = "meeting" if RECORD_MEETING in plain else "presence"
    else:
        found = HEADLINE_PLACE.search(plain)
        fmt, place = "headline", found.group("place").strip() if found else ""
        activity = (
            "not_a_meeting"
            if NOT_A_MEETING.search(plain)
            else "meeting"
            if MEETING.search(plain)
            else "presence"
            if PRESENCE.search(plain)
            else "none"
        )
    where = locate(place, counterpart_iso3)
    kind = DECISIONS.get((activity, where))
    if kind is None:
        return Classification("other", "unclassified", place)
    return Classification(kind, f"{fmt}:{activity}@{where}", place)


def locate(place: str, counterpart_iso3: str) -> str:
    """'china', 'counterpart', 'third_country' or 'unknown' for a place label like 'Kazakhstan, Astana'."""
    head = place.split(",")[0].strip()
    if not head:
        return "unknown"
    if CHINA_UNIT.search(head):
        return "china"
    states = PLACES.get(head)
    if states is None:
        label = COUNTRY_LABELS.get(head)
        try:
            states = (label or resolve(head),)
        except UnknownCountryError:
            return "unknown"
    if "CHN" in states:
        return "china"
    return "counterpart" if counterpart_iso3 in states else "third_country"


def level_on(leader: str, day: date) -> str | None:
    for level, start, end in TERMS.get(leader, []):
        if start <= day and (end is None or day < end):
            return level
    return None


class ChinaVitae(Connector):
    name = "chinavitae"
    publisher = "China Vitae (Carnegie Endowment for International Peace), via G. Walker's scrape"
    title = "China Vitae activity records of seven Chinese leaders, 2003-2018"
    short = "China Vitae"  # how a table cell or a heading names it
    licence = "China Vitae terms of use (chinavitae.com); scrape published on GitHub without a stated licence"
    homepage = "https://www.chinavitae.com/"
    citation = (
        "China Vitae, leader activity pages (chinavitae.com/vip, events by year) for Hu Jintao, Xi Jinping, Wen "
        "Jiabao, Li Keqiang, Li Zhaoxing, Yang Jiechi and Wang Yi, 2003-2018. Scraped by Gabriel Walker, "
        "'Elite Chinese Diplomacy and Financial Flows' (github.com/gbwalker/chinese-diplomacy-and-financing, "
        "china_vitae_scraper.R and process_data.R -> data/leaderdf.rds, commit 7039e35), one row per country "
        "named in an activity and day; converted from .rds to CSV (date,year,country,leader,text) for silkscope."
    )
    core_tables = ("core.leader_engagements",)
    # One record per engagement (date, leader, country, text): the same record twice would count one meeting or
    # trip twice. The published file has none (tests/test_reliability_load.py checks the real extract).
    duplicate_rows = "error"

    def __init__(self, url: str = URL):
        self.url = url

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(self.url, FILE, expect=EXPECT, mirror_subdir="chinavitae")]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        (file,) = files
        expected = f"comma-separated UTF-8 {COLUMNS}"
        try:
            read_csv_raw(con, TABLE, file.path, source_id=source_id_for(self, file), expected=expected)
        except InputError as exc:
            if exc.problems[0].line:
                raise
            raise _located_by_csv(file.path, expected) or exc from exc
        _physical_lines(con, file.path)
        require_columns(con, TABLE, file.path, RAW_COLUMNS)
        if not con.execute(f"SELECT count(*) FROM raw.{TABLE}").fetchone()[0]:
            # an empty export would silently delete every earlier engagement on re-ingest
            expected = "at least one engagement record after the header"
            raise InputError([Problem(str(file.path), 2, "(file)", expected, "the header only")])
        check_types(con, TABLE, file.path, TYPES)
        countries = resolve_names(con, TABLE, "country", file.path, extra=COUNTRY_LABELS)
        rows = con.execute(
            f"SELECT source_line, date::DATE, _year::INTEGER, leader, country, _text FROM raw.{TABLE} ORDER BY 1"
        ).fetchall()
        problems, kinds = [], []
        for line, day, year, leader, country, text in rows:
            level = level_on(leader, day) if day else None
            if day is None:
                problems.append(Problem(str(file.path), line, "date", "a date (YYYY-MM-DD)", ""))
            elif leader not in TERMS:
                problems.append(Problem(str(file.path), line, "leader", f"one of {', '.join(TERMS)}", str(leader)))
            elif level is None:
                expected = f"a date in {leader}'s offices ({_terms(leader)})"
                problems.append(Problem(str(file.path), line, "date", expected, str(day)))
            elif year != day.year:
                problems.append(Problem(str(file.path), line, "year", f"the year of the date ({day.year})", str(year)))
            else:
                found = classify(text, countries[country])
                kinds.append((line, level, found.kind, found.rule, found.place))
        if problems:
            raise InputError(problems)
        mapping_table(con, "_chinavitae_countries", countries)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _chinavitae_kinds "
            "(source_line BIGINT, level VARCHAR, kind VARCHAR, rule VARCHAR, place VARCHAR)"
        )
        con.executemany("INSERT INTO _chinavitae_kinds VALUES (?, ?, ?, ?, ?)", kinds)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        source_id = source_ids[FILE]
        con.execute(
            f"""INSERT INTO core.leader_engagements (engagement_date, year, leader, leader_iso3, level,
                   counterpart_iso3, kind, text, source_id, source_ids, citation_status, record, note)
            SELECT r.date::DATE, r._year::INTEGER, r.leader, ?, k.level, c.iso3, k.kind, r._text, ?, [?], 'cited',
                   'raw.{TABLE}:' || r.source_line,
                   'China Vitae activity record (biographical source, not the curated visit timeline); kind by '
                   || 'silkscope rule ' || k.rule || CASE WHEN k.place <> '' THEN ', place ''' || k.place || ''''
                   ELSE '' END
            FROM raw.{TABLE} r
            JOIN _chinavitae_countries c ON c.label = r.country
            JOIN _chinavitae_kinds k ON k.source_line = r.source_line""",
            [LEADER_ISO3, source_id, source_id],
        )


def _terms(leader: str) -> str:
    return "; ".join(f"{lvl} {s}..{e or 'now'}" for lvl, s, e in TERMS[leader])


def _located_by_csv(path: Path, expected: str) -> InputError | None:
    """DuckDB's sniffer names no line for some damage (a file cut inside a quoted text): find it with a strict
    reading, record by record."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            start = 1
            for _ in reader:
                start = reader.line_num + 1
    except (csv.Error, UnicodeDecodeError) as exc:
        return InputError([Problem(str(path), start, "(file)", expected, f"{exc} (truncated or malformed record)")])
    return None


def _physical_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Texts hold quoted line breaks: point source_line at the line where each record starts, so that errors name
    the line an editor shows (DuckDB numbers records, not lines)."""
    starts = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        previous = reader.line_num
        for row in reader:
            if row:
                starts.append((len(starts) + 2, previous + 1))
            previous = reader.line_num
    if not starts or len(starts) != con.execute(f"SELECT count(*) FROM raw.{TABLE}").fetchone()[0]:
        return  # no records, or the two readers disagree on them: keep DuckDB's numbering rather than guess
    con.execute("CREATE OR REPLACE TEMP TABLE _chinavitae_lines (record BIGINT, line BIGINT)")
    con.executemany("INSERT INTO _chinavitae_lines VALUES (?, ?)", starts)
    con.execute(
        f"UPDATE raw.{TABLE} r SET source_line = l.line FROM _chinavitae_lines l WHERE r.source_line = l.record"
    )
