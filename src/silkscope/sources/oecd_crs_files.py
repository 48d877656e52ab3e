"""The OECD CRS bulk files as published: one zip per year holding one pipe-delimited text file, read into raw.

`extracted` streams the text file out of its zip, `load_member` reads it into raw.oecd_crs_<year> exactly as
published (+ source_line, source_id) and runs the checks that locate bad input: missing columns, cells of the
wrong type, bytes that are not UTF-8, recipient codes and names that disagree. What the rows mean (flows,
measures, donors) and how they are summed into core is oecd_crs.py's business.
"""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from silkscope.countries import C5, near_matches, normalise, registry
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile
from silkscope.sources.base import located, missing_columns
from silkscope.sources.csvfiles import UTF16_BOMS, utf8_located

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
EXPECTED = "the OECD CRS bulk text file: pipe-delimited, UTF-8 (UTF-16 with a byte-order mark in legacy files)"
CHUNK = 16 << 20  # zip extraction buffer: larger chunks measured ~7% faster than 4 MiB


@dataclass(frozen=True)
class CrsMember:
    """One extracted text file and how to name it in messages."""

    path: Path
    display: str  # "<zip path>:<member>"
    encoding: str
    table: str  # raw table name without schema
    source_id: str


@contextmanager
def extracted(file: FetchedFile, work: Path, table: str, source_id: str) -> Iterator[CrsMember]:
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
    encoding = "utf-16" if head.startswith(UTF16_BOMS) else "utf-8"
    try:
        yield CrsMember(target, f"{file.path}:{info.filename}", encoding, table, source_id)
    finally:
        target.unlink(missing_ok=True)


def load_member(con: duckdb.DuckDBPyConnection, member: CrsMember) -> None:
    """raw.<table> as published (+ source_line, source_id), then the checks that locate bad input."""
    header = read_header(con, member)
    problem = missing_columns(member.display, header, COLUMNS, delim="|", published=_published)
    if problem:
        raise InputError([problem])
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


def read_header(con: duckdb.DuckDBPyConnection, member: CrsMember) -> list[str]:
    """Column names as DuckDB will snake_case them, from a sniff of the first rows (cheap)."""
    sql, params = _read_csv(member.path, member.encoding)
    with _located(member):
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {sql}", params).fetchall()]


def read_raw(con: duckdb.DuckDBPyConnection, member: CrsMember, types: dict[str, str]) -> None:
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
def _located(member: CrsMember) -> Iterator[None]:
    """DuckDB read errors as located Problems: bad cells and bad bytes precisely, anything else via base.located."""
    try:
        with utf8_located(member.path, member.display, "|"), located(member.display, EXPECTED):
            yield
    except InputError as exc:
        cause = str(exc.__cause__ or "")
        line = exc.problems[0].line if exc.problems else 0
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
        iso3 = exact_country(label)
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


def exact_country(label: str | None) -> str | None:
    """ISO3 for a name the registry knows exactly (no near-match search: most CRS labels are regions)."""
    hit = registry().index.get(normalise(label or ""))
    return hit[0] if hit else None


def _dac_code(iso3: str) -> int | None:
    return registry().countries[iso3].dac_code
