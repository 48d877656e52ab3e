"""OECD Creditor Reporting System bulk files: project-level official finance, summed for Central Asia."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from silkscope.countries import C5, near_matches, normalise, registry, resolve_dac
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector, located

# The OECD serves one zip per year ("CRS 2019 data.zip" holding "CRS 2019 data.txt"; the oldest years come in
# multi-year files). They are listed as EXT_RESOURCE annotations of the DSD_CRS@DF_CRS dataflow: add a year here
# when the dataflow lists it. The zip names are also the mirror/cache file names.
BASE_URL = "https://webfs-dcd.oecd.org/files/dotStat/DSD_CRS/"
YEARS = ("1973-94", "1995-99", "2000-01", "2002-03", "2004-05", *(str(y) for y in range(2006, 2025)))
MIRROR_SUBDIR = "oecd/crs"

# The published header of the dotStat-format text files, pipe-delimited, in order. Names are snake_cased by DuckDB
# on read (CamelCase is lower-cased, not split; 'Year' is a keyword and becomes '_year').
HEADER_LINE = (
    "Year|DonorCode|DonorName|AgencyCode|AgencyName|CrsID|ProjectNumber|InitialReport|RecipientCode|RecipientName|"
    "RegionCode|RegionName|IncomegroupCode|IncomegroupName|FlowCode|FlowName|Bi_Multi|Category|Finance_t|Aid_t|"
    "USD_Commitment|USD_Disbursement|USD_Received|USD_Commitment_Defl|USD_Disbursement_Defl|USD_Received_Defl|"
    "USD_Adjustment|USD_Adjustment_Defl|USD_AmountUntied|USD_AmountPartialTied|USD_AmountTied|USD_AmountUntied_Defl|"
    "USD_AmountPartialTied_Defl|USD_AmountTied_Defl|USD_IRTC|USD_Expert_Commitment|USD_Expert_Extended|"
    "USD_Export_Credit|CurrencyCode|Commitment_National|Disbursement_National|GrantEquiv|USD_GrantEquiv|"
    "ShortDescription|ProjectTitle|PurposeCode|PurposeName|SectorCode|SectorName|ChannelCode|ChannelName|"
    "ChannelReportedName|ParentChannelCode|Geography|LDCflag|LDCflagName|ExpectedStartDate|CompletionDate|"
    "LongDescription|SDGfocus|Gender|Environment|PDGG|Trade|RMNCH|DRR|Nutrition|Disability|FTC|PBA|"
    "InvestmentProject|AssocFinance|Biodiversity|ClimateMitigation|ClimateAdaptation|Desertification|"
    "CommitmentDate|TypeRepayment|NumberRepayment|Interest1|Interest2|Repaydate1|Repaydate2|USD_Interest|"
    "USD_Outstanding|USD_Arrears_Principal|USD_Arrears_Interest|BudgetIdent|CapitalExpend|PSIflag|PSIAddType|"
    "PSIAddAssess|PSIAddDevObj"
)
HEADER = HEADER_LINE.split("|")
PUBLISHED = {("_year" if h == "Year" else h.lower()): h for h in HEADER}  # DuckDB's snake_case -> published name
# What harmonise reads (older vintages carry fewer of the other columns, so only these are required).
COLUMNS = [
    "_year", "donorcode", "donorname", "agencycode", "agencyname", "crsid", "projectnumber", "recipientcode",
    "recipientname", "flowcode", "flowname", "usd_commitment", "usd_disbursement", "usd_received",
    "usd_commitment_defl", "usd_disbursement_defl", "purposecode",
]  # fmt: skip
TYPES = {
    "_year": "INTEGER",
    "donorcode": "INTEGER",
    "agencycode": "INTEGER",
    "recipientcode": "INTEGER",
    "flowcode": "INTEGER",
    "usd_commitment": "DOUBLE",
    "usd_disbursement": "DOUBLE",
    "usd_received": "DOUBLE",
    "usd_commitment_defl": "DOUBLE",
    "usd_disbursement_defl": "DOUBLE",
    "purposecode": "INTEGER",
}
# Every amount in the bulk files is in USD millions (CRS user guide: "All amounts are expressed in USD millions").
USD_PER_UNIT = 1_000_000
# The *_Defl columns are constant USD of the base year the CRS readme of the release states ("crs readme_en.txt"
# beside the zips); the text files themselves do not say it. Change with every re-basing of a release.
DEFLATED_BASE_YEAR = 2023

# FlowCode -> (flow_class, label). Codes 12 and 30 are kept in raw only (see RAW_ONLY_FLOWS); any other code in a
# Central Asian row stops the ingest, so a new OECD code is looked at before it is summed.
FLOWS = {
    11: ("oda_grant", "ODA grants"),
    13: ("oda_loan", "ODA loans"),
    19: ("oda_equity", "ODA equity investment"),
    14: ("oof", "other official flows (non export credit)"),
}
RAW_ONLY_FLOWS = {
    12: "ODA grant-like (reimbursable grants): neither a grant nor a loan in silkscope's classes",
    30: "private development finance (foundations, NGOs): not official finance",
}
# (measure, price basis, raw column, label). Received amounts (reflows) stay in raw: net flows come from DAC2A.
MEASURES = [
    ("commitment", "current", "usd_commitment", "commitments, current USD"),
    ("disbursement_gross", "current", "usd_disbursement", "gross disbursements, current USD"),
    ("commitment", "constant", "usd_commitment_defl", f"commitments, constant {DEFLATED_BASE_YEAR} USD"),
    ("disbursement_gross", "constant", "usd_disbursement_defl",
     f"gross disbursements, constant {DEFLATED_BASE_YEAR} USD"),
]  # fmt: skip

# DAC recipient codes of Central Asia; 619 'Central Asia, regional' covers activities not allocable to one state.
C5_CODES = {registry().countries[iso3].dac_code: iso3 for iso3 in C5}
CENTRAL_ASIA_REGIONAL = 619
# Every other DAC area code a recipient can carry (current and historical states, regions, 'unspecified'): a
# code outside this list is accepted only when its name resolves to a country. Extend when the OECD adds codes.
DAC_RECIPIENT_CODES = frozenset({
    30, 35, 45, 55, 57, 61, 62, 63, 64, 65, 66, 71, 72, 75, 76, 77, 82, 83, 84, 85,
    86, 87, 88, 89, 93, 130, 133, 136, 139, 142, 189, 218, 225, 227, 228, 229, 230, 231, 232, 233,
    234, 235, 236, 238, 239, 240, 241, 243, 244, 245, 247, 248, 249, 251, 252, 253, 255, 256, 257, 258,
    259, 260, 261, 265, 266, 268, 269, 270, 271, 272, 273, 274, 275, 276, 278, 279, 280, 282, 283, 285,
    287, 288, 289, 298, 328, 329, 331, 336, 338, 340, 342, 347, 349, 351, 352, 354, 358, 361, 364, 366,
    373, 375, 376, 377, 378, 380, 381, 382, 383, 384, 385, 386, 387, 388, 389, 425, 428, 431, 434, 437,
    440, 443, 446, 451, 454, 457, 460, 463, 489, 498, 530, 540, 543, 546, 549, 550, 552, 555, 558, 561,
    566, 573, 576, 580, 589, 610, 611, 612, 613, 614, 615, 616, 617, 619, 625, 630, 635, 640, 645, 655,
    660, 665, 666, 679, 689, 725, 728, 730, 732, 735, 738, 740, 742, 745, 748, 751, 753, 755, 761, 764,
    765, 769, 789, 798, 831, 832, 836, 840, 845, 850, 854, 856, 858, 859, 860, 861, 862, 866, 868, 870,
    872, 876, 880, 889, 998, 1027, 1028, 1029, 1030, 1031, 1032, 1033, 1034, 1035, 9998,
})  # fmt: skip

# Multilateral donors silkscope's actor registry knows, by DAC donor code. Other non-state donors keep their CRS
# name as a snake_cased actor id (as AidData's do), so no money to Central Asia is dropped.
MULTILATERAL_ACTORS = {
    901: "world_bank", 905: "world_bank", 903: "ifc", 907: "imf", 958: "imf", 915: "adb", 916: "adb",
    976: "isdb", 990: "ebrd", 1024: "aiib",
}  # fmt: skip
# (donor, agency name as the CRS spells it) -> actor, where the actor registry has no such name or alias. Keyed by
# donor because agency names like "Ministry of Foreign Affairs" recur across donors.
AGENCY_ACTORS = {
    ("USA", "Agency for International Development"): "usaid",
    ("USA", "Overseas Private Investment Corporation"): "dfc",
    ("JPN", "Ministry of Foreign Affairs"): "mofa_jpn",
    ("EUU", "European Development Fund"): "eu_commission",
}
AGENCY_PREFIX_ACTORS = {("EUU", "European Commission"): "eu_commission"}  # "European Commission - <budget line>"
EXPECTED = "the OECD CRS bulk text file: pipe-delimited, UTF-8 (UTF-16 with a byte-order mark in legacy files)"
CHUNK = 16 << 20  # zip extraction buffer: larger chunks measured ~7% faster than 4 MiB


@dataclass(frozen=True)
class _Member:
    """One extracted text file and how to name it in messages."""

    path: Path
    display: str  # "<zip path>:<member>"
    encoding: str
    table: str  # raw table name without schema
    source_id: str


def table_for(file_name: str) -> str:
    """'CRS 2019 data.zip' -> 'oecd_crs_2019'; 'CRS 2004-05 data.zip' -> 'oecd_crs_2004_05'."""
    token = re.sub(r"(?i)^crs\s*|\s*data$", "", Path(file_name).stem).strip()
    return "oecd_crs_" + (re.sub(r"[^0-9a-z]+", "_", token.lower()).strip("_") or "file")


class OecdCrs(Connector):
    name = "oecd_crs"
    publisher = "OECD Development Co-operation Directorate"
    title = "Creditor Reporting System (CRS), bulk files in dotStat format"
    licence = "CC BY 4.0 (OECD data, since July 2024)"
    homepage = (
        "https://data-explorer.oecd.org/vis?df[ds]=dsDisseminateFinalDMZ&df[id]=DSD_CRS%40DF_CRS&df[ag]=OECD.DCD.FSD"
    )
    citation = "OECD (2025). Creditor Reporting System (CRS). OECD Data Explorer, bulk download (dotStat format)."
    core_tables = ("core.finance_flows",)
    partial_mirror_ok = True  # an analyst may carry in only the years they need

    def __init__(self) -> None:
        self._tables: dict[str, str] = {}  # remote file name -> raw table
        self._displays: dict[str, str] = {}  # raw table -> "<zip>:<member>" for messages

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                BASE_URL + f"CRS {year} data.zip",
                f"CRS {year} data.zip",
                expect=(b"PK\x03\x04",),  # a zip, not an HTML error page
                mirror_subdir=MIRROR_SUBDIR,
            )
            for year in YEARS
        ]

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        """The newest build date of the text files inside the zips (the OECD states no edition in the data)."""
        dates = []
        for file in files:
            with zipfile.ZipFile(file.path) as zf:
                dates += [i.date_time[:3] for i in zf.infolist() if i.filename.lower().endswith(".txt")]
        if not dates:
            return None
        year, month, day = max(dates)
        return f"files built {year:04d}-{month:02d}-{day:02d}"

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        self._tables, self._displays = {}, {}
        with tempfile.TemporaryDirectory(prefix="silkscope_crs_") as work:
            for file in files:
                table = table_for(file.remote.name)
                if table in self._tables.values():
                    raise InputError([Problem(str(file.path), 0, "(file)", "one file per CRS year", file.remote.name)])
                with _extracted(file, Path(work), table, source_id_for(self, file)) as member:
                    load_member(con, member)
                self._tables[file.remote.name] = table
                self._displays[table] = member.display
        _mapping_tables(con, self._displays)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        tables = self._tables or {name: table_for(name) for name in source_ids}
        con.execute(harmonise_sql([(tables[name], source_ids[name]) for name in sorted(tables)]))


@contextmanager
def _extracted(file: FetchedFile, work: Path, table: str, source_id: str) -> Iterator[_Member]:
    """Stream the zip's one .txt member to `work` (never into memory); removed afterwards."""
    zip_problem = "a complete zip archive holding one CRS .txt file"
    try:
        with zipfile.ZipFile(file.path) as zf:
            members = [i for i in zf.infolist() if i.filename.lower().endswith(".txt") and not i.is_dir()]
            if len(members) != 1:
                found = ", ".join(i.filename for i in zf.infolist()) or "an empty archive"
                raise InputError([Problem(str(file.path), 0, "(file)", zip_problem, found[:300])])
            info = members[0]
            target = work / f"{table}.txt"
            with zf.open(info) as src, target.open("wb") as out:
                head = src.read(CHUNK)
                out.write(head)
                shutil.copyfileobj(src, out, CHUNK)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError([Problem(str(file.path), 0, "(file)", zip_problem, f"{type(exc).__name__}: {exc}")]) from exc
    # Legacy stats.oecd.org files are UTF-16 (little-endian, with a byte-order mark); current ones are UTF-8.
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    try:
        yield _Member(target, f"{file.path}:{info.filename}", encoding, table, source_id)
    finally:
        target.unlink(missing_ok=True)


def load_member(con: duckdb.DuckDBPyConnection, member: _Member) -> None:
    """raw.<table> as published (+ source_line, source_id), then the checks that locate bad input."""
    header = read_header(con, member)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        hint = " (the header was read as one column: is the file delimited by '|'?)" if len(header) == 1 else ""
        want = f"columns {', '.join(_published(c) for c in COLUMNS)}{hint}"
        found = ",".join(_published(c) for c in header)[:300]
        raise InputError([Problem(member.display, 1, ",".join(_published(c) for c in missing), want, found)])
    types = {c: TYPES.get(c, "DOUBLE") for c in header if c in TYPES or _is_amount(c)}
    read_raw(con, member, types)
    check_recipients(con, member.table, member.display)


def _published(column: str) -> str:
    return PUBLISHED.get(column, column)


def _is_amount(column: str) -> bool:
    return column.startswith("usd_") or column.endswith("_national") or column == "grantequiv"


def _read_csv(path: Path, encoding: str, types: dict[str, str] | None = None) -> tuple[str, list]:
    """read_csv call text and parameters shared by the header sniff and the load."""
    pairs = ", ".join(f"'{c}': '{t}'" for c, t in (types or {}).items())
    typed = f", types = {{{pairs}}}" if types else ""
    sql = f"""read_csv(?, delim = '|', header = true, all_varchar = true, normalize_names = true, encoding = ?,
                       quote = '"', escape = '"', null_padding = false, strict_mode = true{typed})"""
    return sql, [str(path), encoding]


def read_header(con: duckdb.DuckDBPyConnection, member: _Member) -> list[str]:
    """Column names as DuckDB will snake_case them, from a sniff of the first rows (cheap)."""
    sql, params = _read_csv(member.path, member.encoding)
    with _located(member):
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {sql}", params).fetchall()]


def read_raw(con: duckdb.DuckDBPyConnection, member: _Member, types: dict[str, str]) -> None:
    """Like base.read_csv_raw, with two changes that keep a CRS year near a bare DuckDB load:
    - the columns silkscope reads and the amounts are typed while reading (DuckDB then reports the first bad cell
      with its line and column); text columns stay VARCHAR as published;
    - no row_number() OVER () in the load: that window holds every column of every row in one partition. DuckDB
      keeps file order on insert, so the line is the row's rank by rowid, computed afterwards on one column."""
    sql, params = _read_csv(member.path, member.encoding, types)
    with _located(member):
        con.execute(f"CREATE OR REPLACE TABLE raw.{member.table} AS SELECT * FROM {sql}", params)
    table = f"raw.{member.table}"
    con.execute(f"ALTER TABLE {table} ADD COLUMN source_line BIGINT")
    con.execute(
        f"""UPDATE {table} SET source_line = n.line
        FROM (SELECT rowid AS rid, row_number() OVER (ORDER BY rowid) + 1 AS line FROM {table}) n
        WHERE {table}.rowid = n.rid"""
    )
    quoted = member.source_id.replace("'", "''")
    con.execute(f"ALTER TABLE {table} ADD COLUMN source_id VARCHAR DEFAULT '{quoted}'")


_CONVERSION = re.compile(
    r'converting column "(?P<column>[^"]+)"\. Could not convert string "(?P<value>.*?)" to \'?(?P<type>\w+)'
)


@contextmanager
def _located(member: _Member) -> Iterator[None]:
    """DuckDB read errors as located Problems: bad cells and bad bytes precisely, anything else via base.located."""
    try:
        with located(member.display, EXPECTED):
            yield
    except InputError as exc:
        cause = str(exc.__cause__ or "")
        line = exc.problems[0].line if exc.problems else 0
        if "unicode" in cause.lower():
            raise InputError([_encoding_problem(member)]) from exc.__cause__
        match = _CONVERSION.search(cause)
        if match:
            want = f"a value of type {match['type']}"
            column = _published(match["column"])
            raise InputError([Problem(member.display, line, column, want, match["value"])]) from exc.__cause__
        raise


def check_recipients(con: duckdb.DuckDBPyConnection, table: str, file: str) -> None:
    """Each (RecipientCode, RecipientName) pair is a DAC recipient, and Central Asian codes and names agree."""
    pairs = con.execute(
        f"SELECT recipientcode, recipientname, min(source_line) FROM raw.{table} GROUP BY ALL ORDER BY 3"
    ).fetchall()
    problems = []
    for code, label, line in pairs:
        iso3 = _country(label)
        if code in C5_CODES and iso3 != C5_CODES[code]:
            want = f"the name of DAC recipient {code} ({C5_CODES[code]})"
            problems.append(Problem(file, line, "RecipientName", want, str(label)))
        elif code == CENTRAL_ASIA_REGIONAL and (label or "").strip().lower() != "central asia, regional":
            want = f"'Central Asia, regional' for DAC recipient {code}"
            problems.append(Problem(file, line, "RecipientName", want, str(label)))
        elif iso3 in C5 and code != _dac_code(iso3):
            want = f"DAC recipient code {_dac_code(iso3)} for {label}"
            problems.append(Problem(file, line, "RecipientCode", want, str(code)))
        elif code is None or (code not in DAC_RECIPIENT_CODES and iso3 is None):
            near = near_matches(label or "")
            want = "a DAC recipient code (or a country name silkscope resolves)" + (
                f"; near: {', '.join(near)}" if near else ""
            )
            problems.append(Problem(file, line, "RecipientCode", want, f"{code} {label!r}"))
    if problems:
        raise InputError(problems)


def _country(label: str | None) -> str | None:
    """ISO3 for a name the registry knows exactly (no near-match search: most CRS labels are regions)."""
    hit = registry().index.get(normalise(label or ""))
    return hit[0] if hit else None


def _dac_code(iso3: str) -> int | None:
    return registry().countries[iso3].dac_code


def _encoding_problem(member: _Member) -> Problem:
    return locate_invalid_utf8(member.path, member.display, "|")


def locate_invalid_utf8(path: Path, display: str, delim: str) -> Problem:
    """Where the first byte sequence that is not UTF-8 sits: line, column and the field (run only after DuckDB has
    refused the file, so the scan costs nothing on good input)."""
    header: list[str] = []
    separator = delim.encode()
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                index = raw[: exc.start].count(separator)
                fields = raw.split(separator)
                column = header[index] if index < len(header) else f"field {index + 1}"
                field = fields[index].rstrip(b"\r\n") if index < len(fields) else b""
                shown = field[:60].decode("utf-8", "backslashreplace")
                want = "UTF-8 text (these bytes look like Latin-1/Windows-1252: re-save the file as UTF-8)"
                return Problem(display, number, column, want, shown)
            if number == 1:
                header = text.lstrip("\ufeff").rstrip("\r\n").split(delim)
    return Problem(display, 0, "(file)", "UTF-8 text", "a byte sequence that is not UTF-8")


def _mapping_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> None:
    """Temp tables for the harmonise join (donor and agency, recipient, flow), from the Central Asian rows only."""
    codes = sorted([*C5_CODES, CENTRAL_ASIA_REGIONAL])
    union = " UNION ALL ".join(
        f"""SELECT donorcode AS donor, donorname, agencycode AS agency, agencyname, flowcode AS flow, source_line,
                   '{t}' AS tbl
            FROM raw.{t} WHERE recipientcode IN ({", ".join(map(str, codes))})"""
        for t in tables
    )
    rows = con.execute(
        f"SELECT donor, donorname, agency, agencyname, flow, min(source_line), arg_min(tbl, source_line) "
        f"FROM ({union}) GROUP BY ALL"
    ).fetchall()
    problems = []
    donors: dict[tuple[int | None, int | None], tuple[str | None, str | None]] = {}
    for donor, donor_name, agency, agency_name, flow, line, tbl in rows:
        if flow not in FLOWS and flow not in RAW_ONLY_FLOWS:
            known = ", ".join(str(c) for c in sorted([*FLOWS, *RAW_ONLY_FLOWS]))
            want = f"a CRS flow code silkscope maps or keeps raw ({known})"
            problems.append(Problem(tables[tbl], line, "FlowCode", want, str(flow)))
        donors[(donor, agency)] = donor_actor(donor, donor_name or "", agency_name or "")
    if problems:
        raise InputError(problems)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _crs_donors (donor INTEGER, agency INTEGER, donor_iso3 VARCHAR, actor VARCHAR)"
    )
    if donors:
        con.executemany("INSERT INTO _crs_donors VALUES (?, ?, ?, ?)", [(*k, *v) for k, v in donors.items()])
    con.execute("CREATE OR REPLACE TEMP TABLE _crs_recipients (code INTEGER, iso3 VARCHAR, group_id VARCHAR)")
    con.executemany(
        "INSERT INTO _crs_recipients VALUES (?, ?, ?)",
        [(code, iso3, None) for code, iso3 in C5_CODES.items()] + [(CENTRAL_ASIA_REGIONAL, None, "C5")],
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _crs_flows (code INTEGER, flow_class VARCHAR, label VARCHAR)")
    con.executemany("INSERT INTO _crs_flows VALUES (?, ?, ?)", [(c, fc, lb) for c, (fc, lb) in FLOWS.items()])


def donor_actor(code: int | None, donor_name: str, agency_name: str) -> tuple[str | None, str | None]:
    """(donor_iso3, donor_actor_id) for a CRS donor and agency: a state (with its agency when the actor registry
    knows it, else NULL: that donor's other agencies are summed together), or a multilateral/private donor as an
    actor."""
    from silkscope.actors import actors, resolve_actor

    def registry_actor(label: str) -> str | None:
        try:
            return resolve_actor(label)
        except ValueError:
            return None

    if code in MULTILATERAL_ACTORS:
        return None, MULTILATERAL_ACTORS[code]
    iso3 = None
    if code is not None and (code < 900 or code == 918):  # 9xx, 1xxx: multilateral, private; 918: the EU's
        try:
            iso3 = resolve_dac(code)
        except UnknownCountryError:
            iso3 = _country(donor_name) or _country(re.sub(r"\s*\(.*\)\s*$", "", donor_name))
    if iso3 is None:
        snake = re.sub(r"[^a-z0-9]+", "_", donor_name.lower()).strip("_")
        return None, registry_actor(donor_name) or snake or f"dac_donor_{code}"
    actor = AGENCY_ACTORS.get((iso3, agency_name))
    actor = actor or next(
        (a for (d, p), a in AGENCY_PREFIX_ACTORS.items() if d == iso3 and agency_name.startswith(p)), None
    )
    actor = actor or (registry_actor(agency_name) if agency_name else None)
    if actor is not None and actors()[actor].country_iso3 != iso3:
        actor = None  # a name that matches another state's agency is not this donor's agency
    return iso3, actor


def harmonise_sql(tables: list[tuple[str, str]]) -> str:
    """One INSERT for all files: Central Asian rows, unpivoted into the four measures, summed per group."""
    codes = ", ".join(str(c) for c in sorted([*C5_CODES, CENTRAL_ASIA_REGIONAL]))
    amount = "CASE m.k " + " ".join(f"WHEN {k} THEN r.{col}" for k, (_, _, col, _) in enumerate(MEASURES)) + " END"
    measures = ", ".join(f"({k}, '{m}', '{p}', '{lb}')" for k, (m, p, _, lb) in enumerate(MEASURES))
    rows = " UNION ALL ".join(
        f"""SELECT '{t}' AS tbl, '{sid}' AS source_id, source_line, _year AS year, donorcode AS donor,
                   agencycode AS agency, agencyname, recipientcode AS recipient, flowcode AS flow,
                   {", ".join(col for _, _, col, _ in MEASURES)}
            FROM raw.{t} WHERE recipientcode IN ({codes})"""
        for t, sid in tables
    )
    return f"""
    INSERT INTO core.finance_flows (fact_id, donor_iso3, donor_actor_id, country_iso3, group_id, year, flow_class,
        measure, price_basis, base_year, currency, amount_usd, project_count, definition, source_id, source_ids,
        citation_status, record, note)
    WITH r AS ({rows}),
    long AS (
        SELECT r.*, m.measure, m.price_basis, m.label, {amount} AS value
        FROM r CROSS JOIN (VALUES {measures}) AS m(k, measure, price_basis, label)
    )
    SELECT 'oecd_crs:' || substr(r.tbl, 10) || ':' || min(r.source_line) || ':' || r.measure || ':' || r.price_basis,
           d.donor_iso3, d.actor, rc.iso3, rc.group_id, r.year, f.flow_class, r.measure, r.price_basis,
           CASE WHEN r.price_basis = 'constant' THEN {DEFLATED_BASE_YEAR} END, 'USD',
           round(sum(r.value) * {USD_PER_UNIT}, 2), count(*)::INTEGER,
           'OECD CRS, project rows summed by donor, agency, recipient and year: ' || f.label || ', ' || r.label
               || ' (the file''s USD millions x 1,000,000)',
           r.source_id, [r.source_id], 'cited',
           'raw.' || r.tbl || ':' || string_agg(r.source_line::VARCHAR, ',' ORDER BY r.source_line),
           CASE WHEN rc.group_id IS NOT NULL THEN 'DAC recipient 619 ''Central Asia, regional''; ' ELSE '' END
               || 'CRS agencies: ' || string_agg(DISTINCT coalesce(r.agencyname, '(none)'), '; ')
    FROM long r
    JOIN _crs_flows f ON f.code = r.flow
    JOIN _crs_recipients rc ON rc.code = r.recipient
    JOIN _crs_donors d ON d.donor IS NOT DISTINCT FROM r.donor AND d.agency IS NOT DISTINCT FROM r.agency
    WHERE r.value IS NOT NULL
    GROUP BY r.tbl, r.source_id, d.donor_iso3, d.actor, rc.iso3, rc.group_id, r.year, f.flow_class, f.label,
             r.measure, r.price_basis, r.label
    """
