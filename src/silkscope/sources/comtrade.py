"""UN Comtrade: annual goods trade by reporter, partner and commodity (public API preview and bulk files).

Both mirror flows are kept: Kazakhstan's reported imports from China and China's reported exports to Kazakhstan
land as separate core rows (same direction, different `reporter_iso3`), so their discrepancy can be shown.

The public preview API (no key) answers at most PREVIEW_LIMIT (500) rows per call and says nothing when it cuts a
result short. `api_requests` therefore sends one request per reporter and packs as many years into it as fit
below the limit (rows per year = partners x flows x commodity codes; requests are split further by partner only
if one year would not fit). A response that still reaches the limit is refused at ingest as possibly truncated.

Bulk files ("final" data, one gzip-compressed tab-separated file per reporter and year, premium key required) hold
the same fields without the *Desc/*ISO columns. Comtrade serves them in two steps (a listing, then a file URL), which
silkscope's one-step fetch cannot follow yet: put them in a mirror folder under `comtrade/`, named
COMTRADE-FINAL-CA<reporter code, 3 digits><year><classification>.gz (comtradeapicall's names without the release
date), and run with --mirror.

For JSON files, the `line` of a field error is the record's 1-based position in the response's `data` array
(responses are one-line JSON); an unparseable file names the text line where parsing stopped.
"""

from __future__ import annotations

import codecs
import re
import zlib
from pathlib import Path
from typing import ClassVar

import duckdb

from silkscope.countries import C5
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources import comtrade_codes as codes
from silkscope.sources.base import Connector, check_types, read_csv_raw, require_columns
from silkscope.sources.comtrade_codes import API_URL, BULK_URL, PREVIEW_LIMIT, Plan, api_requests, bulk_files

# Fields silkscope reads (lowercased as DuckDB's normalize_names does: "CIFValue" and "cifvalue" both -> cifvalue).
REQUIRED = [
    "freqcode",
    "refyear",
    "reportercode",
    "flowcode",
    "partnercode",
    "partner2code",
    "classificationcode",
    "cmdcode",
    "customscode",
    "moscode",
    "motcode",
    "cifvalue",
    "fobvalue",
    "primaryvalue",
]
TYPES = {
    "refyear": "INTEGER",
    "reportercode": "INTEGER",
    "partnercode": "INTEGER",
    "partner2code": "INTEGER",
    "motcode": "INTEGER",
    "cifvalue": "DOUBLE",
    "fobvalue": "DOUBLE",
    "primaryvalue": "DOUBLE",
}
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_AT_BYTE = re.compile(r"at byte (\d+)")


class _Comtrade(Connector):
    """Checks and harmonisation shared by the API and bulk connectors; subclasses stage one file at a time."""

    publisher = "United Nations Statistics Division (UN Comtrade)"
    licence = "UN Comtrade terms of use (free for analysis with attribution; no commercial redistribution)"
    homepage = "https://comtradeplus.un.org/"
    citation = "United Nations Statistics Division. UN Comtrade Database, https://comtradeplus.un.org/."
    core_tables = ("core.trade_flows",)
    # One figure per reporter, partner, flow, commodity and year (harmonise also refuses a repeated key): an exact
    # copy of a row would be a second value for the same trade flow.
    duplicate_rows = "error"
    raw_table: ClassVar[str]

    def __init__(self, plan: Plan | None = None, base_url: str | None = None):
        self._plan = plan
        self._base_url = base_url
        self._paths: dict[str, Path] = {}  # source_id -> file, to name files in harmonise-time errors

    @property
    def plan(self) -> Plan:
        return self._plan or Plan.from_env()

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        con.execute(f"DROP TABLE IF EXISTS raw.{self.raw_table}")
        self._paths = {}
        stage = f"{self.raw_table}_stage"
        for file in files:
            source_id = source_id_for(self, file)
            self._paths[source_id] = file.path
            self._stage(con, stage, file.path, source_id)
            self._check(con, stage, file.path)
            _append(con, stage, self.raw_table)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS raw.{self.raw_table} ({', '.join(f'{c} VARCHAR' for c in REQUIRED)}, "
            "source_line BIGINT, source_id VARCHAR)"
        )

    def _stage(self, con: duckdb.DuckDBPyConnection, stage: str, path: Path, source_id: str) -> None:
        raise NotImplementedError

    def _check(self, con: duckdb.DuckDBPyConnection, stage: str, path: Path) -> None:
        """Types, annual frequency, known classification, known reporter/partner codes, no negative values."""
        check_types(con, stage, path, TYPES)
        file = str(path)
        problems = [
            Problem(file, line, "refyear", "a year", "")
            for (line,) in con.execute(
                f"SELECT source_line FROM raw.{stage} WHERE nullif(trim(refyear), '') IS NULL ORDER BY 1 LIMIT 10"
            ).fetchall()
        ]
        problems += [
            Problem(file, line, "freqcode", "'A' (annual data)", str(value))
            for line, value in con.execute(
                f"SELECT source_line, freqcode FROM raw.{stage} WHERE coalesce(trim(freqcode), '') <> 'A' "
                "ORDER BY 1 LIMIT 10"
            ).fetchall()
        ]
        for value, line in con.execute(
            f"SELECT classificationcode, min(source_line) FROM raw.{stage} GROUP BY 1 ORDER BY 2"
        ).fetchall():
            if value not in codes.CLASSIFICATIONS:
                expected = (
                    f"a classification code in comtrade_codes.CLASSIFICATIONS ({', '.join(codes.CLASSIFICATIONS)})"
                )
                problems.append(Problem(file, line, "classificationcode", expected, str(value)))
        for column in ("reportercode", "partnercode"):
            for value, line in con.execute(
                f"SELECT trim({column}), min(source_line) FROM raw.{stage} GROUP BY 1 ORDER BY 2"
            ).fetchall():
                try:
                    codes.iso3_for(int(value))
                except (TypeError, ValueError, codes.UnknownCode):
                    expected = "a UN M49 country code or a Comtrade code in comtrade_codes.QUIRKS/NON_COUNTRIES"
                    problems.append(Problem(file, line, column, expected, str(value)))
        problems += [
            Problem(file, line, "primaryvalue", "a value >= 0 (US$)", value)
            for line, value in con.execute(
                f"SELECT source_line, primaryvalue FROM raw.{stage} WHERE TRY_CAST(primaryvalue AS DOUBLE) < 0 "
                "ORDER BY 1 LIMIT 10"
            ).fetchall()
        ]
        if problems:
            raise InputError(problems)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        _build_facts(con, self.raw_table)
        duplicates = con.execute(
            """SELECT list(source_id ORDER BY source_id, source_line),
                      list(source_line ORDER BY source_id, source_line), any_value(reporter_iso3),
                      any_value(flowcode), any_value(product_code), any_value(year)
               FROM _ct_facts GROUP BY partner_iso3, country_iso3, year, direction, reporter_iso3, classification,
                    product_code HAVING count(*) > 1 LIMIT 10"""
        ).fetchall()
        if duplicates:
            problems = []
            for ids, lines, reporter, flow, product, year in duplicates:
                seen = [f"{self._paths.get(i, i)}:{n}" for i, n in zip(ids, lines, strict=True)]
                problems.append(
                    Problem(
                        str(self._paths.get(ids[1], ids[1])),
                        lines[1],
                        "cmdcode",
                        f"one row per reporter, partner, flow, commodity and year ({reporter} {flow} {product} "
                        f"{year} appears again)",
                        ", ".join(seen),
                    )
                )
            raise InputError(problems)
        con.execute(
            f"""INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, group_id, year, direction,
                   reporter_iso3, classification, product_code, product_label, value_usd, currency, value_published,
                   unit_published, price_basis, definition, source_id, source_ids, citation_status, record, note)
            SELECT source_id || ':' || source_line, partner_iso3, country_iso3, NULL, year, direction, reporter_iso3,
                   classification, product_code, product_label, value, 'USD', value, 'USD', 'current',
                   'UN Comtrade annual goods trade as reported by ' || reporter_iso3 || ': '
                       || CASE WHEN flowcode = 'M' THEN 'imports from ' ELSE 'exports to ' END
                       || CASE WHEN reporter_iso3 = country_iso3 THEN partner_iso3 ELSE country_iso3 END
                       || '; primaryValue, ' || basis || ', current US$; ' || classification,
                   source_id, [source_id], 'cited', 'raw.{self.raw_table}:' || source_line,
                   'Comtrade reporterCode ' || reporter_code || ', partnerCode ' || partner_code
                       || ', flowCode ' || flowcode || ', cmdCode ' || product_code
            FROM _ct_facts"""
        )
        for table in ("_ct_facts", "_ct_codes", "_ct_classes", "_ct_products"):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _append(con: duckdb.DuckDBPyConnection, stage: str, table: str) -> None:
    """Move a checked stage into raw.<table> (the first one becomes it), adding columns the table lacks."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [table]
    ).fetchone()[0]
    if not exists:
        con.execute(f"ALTER TABLE raw.{stage} RENAME TO {table}")
        return
    have = {r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()}
    for column, _type, *_rest in con.execute(f"DESCRIBE raw.{stage}").fetchall():
        if column not in have:
            con.execute(f'ALTER TABLE raw.{table} ADD COLUMN "{column}" VARCHAR')
    con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM raw.{stage}")
    con.execute(f"DROP TABLE raw.{stage}")


def _build_facts(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """_ct_facts: the rows of raw.<table> that are totals (all customs procedures, transport modes, second
    partners) of imports or exports between a C5 state and a partner, in a product group, with a value."""
    present = con.execute(
        f"SELECT DISTINCT TRY_CAST(reportercode AS INTEGER) FROM raw.{table} "
        f"UNION SELECT DISTINCT TRY_CAST(partnercode AS INTEGER) FROM raw.{table}"
    ).fetchall()
    mapping = [(code, codes.iso3_for(code)) for (code,) in present if code is not None]
    con.execute("CREATE OR REPLACE TEMP TABLE _ct_codes (code INTEGER, iso3 VARCHAR)")
    known = [m for m in mapping if m[1] is not None]
    if known:
        con.executemany("INSERT INTO _ct_codes VALUES (?, ?)", known)
    con.execute("CREATE OR REPLACE TEMP TABLE _ct_classes (code VARCHAR, family VARCHAR, label VARCHAR)")
    con.executemany(
        "INSERT INTO _ct_classes VALUES (?, ?, ?)", [(k, f, lab) for k, (f, lab) in codes.CLASSIFICATIONS.items()]
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _ct_products (family VARCHAR, code VARCHAR, label VARCHAR)")
    products = [(f, c, lab) for f, groups in codes.PRODUCT_GROUPS.items() for c, lab in groups.items()]
    con.executemany("INSERT INTO _ct_products VALUES (?, ?, ?)", products)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ct_facts AS
        WITH t AS (
            SELECT r.source_id, r.source_line, trim(r.flowcode) AS flowcode, trim(r.cmdcode) AS product_code,
                   r.refyear::INTEGER AS year, r.reportercode::INTEGER AS reporter_code,
                   r.partnercode::INTEGER AS partner_code, rc.iso3 AS reporter, pc.iso3 AS partner,
                   cl.label AS classification, p.label AS product_label, r.primaryvalue::DOUBLE AS value,
                   TRY_CAST(r.cifvalue AS DOUBLE) AS cif, TRY_CAST(r.fobvalue AS DOUBLE) AS fob,
                   list_contains(?, rc.iso3) AND list_contains(?, pc.iso3) AS by_country
            FROM raw.{table} r
            JOIN _ct_codes rc ON rc.code = r.reportercode::INTEGER
            JOIN _ct_codes pc ON pc.code = r.partnercode::INTEGER
            JOIN _ct_classes cl ON cl.code = r.classificationcode
            JOIN _ct_products p ON p.family = cl.family AND p.code = trim(r.cmdcode)
            WHERE trim(r.flowcode) IN ('M', 'X')
              AND coalesce(nullif(trim(r.partner2code), ''), '0') = '0'
              AND coalesce(nullif(trim(r.customscode), ''), 'C00') = 'C00'
              AND coalesce(nullif(trim(r.motcode), ''), '0') = '0'
              -- mosCode -1 is a known Comtrade slip for 0 (total modes of supply)
              AND coalesce(nullif(trim(r.moscode), ''), '0') IN ('0', '-1')
              AND nullif(trim(r.primaryvalue), '') IS NOT NULL)
        SELECT source_id, source_line, flowcode, reporter_code, partner_code, reporter AS reporter_iso3,
               CASE WHEN by_country THEN reporter ELSE partner END AS country_iso3,
               CASE WHEN by_country THEN partner ELSE reporter END AS partner_iso3,
               year,
               CASE WHEN (flowcode = 'M') = by_country THEN 'partner_to_country' ELSE 'country_to_partner' END
                   AS direction,
               classification, product_code, product_label, value,
               CASE WHEN value = cif THEN 'CIF' WHEN value = fob THEN 'FOB' ELSE 'valuation not stated' END AS basis
        FROM t
        WHERE by_country OR (list_contains(?, reporter) AND list_contains(?, partner))""",
        [list(C5), list(codes.partner_scope()), list(codes.partner_scope()), list(C5)],
    )


class ComtradeApi(_Comtrade):
    name = "comtrade"
    title = "UN Comtrade, annual goods trade by reporter, partner and commodity (public API v1 preview)"
    short = "UN Comtrade (API)"  # how a table cell or a heading names it
    raw_table = "comtrade_preview"

    def remote_files(self) -> list[RemoteFile]:
        return api_requests(self.plan, self._base_url or API_URL)

    def _stage(self, con: duckdb.DuckDBPyConnection, stage: str, path: Path, source_id: str) -> None:
        _stage_json(con, stage, path, source_id)


class ComtradeBulk(_Comtrade):
    name = "comtrade_bulk"
    title = "UN Comtrade, annual goods trade by reporter, partner and commodity (bulk final data files)"
    short = "UN Comtrade (bulk files)"  # how a table cell or a heading names it
    raw_table = "comtrade_bulk_final"

    def remote_files(self) -> list[RemoteFile]:
        return bulk_files(self.plan, self._base_url or BULK_URL)

    def _stage(self, con: duckdb.DuckDBPyConnection, stage: str, path: Path, source_id: str) -> None:
        _check_gzip(path)
        expected = "a gzip-compressed, tab-separated UN Comtrade bulk file with a header line"
        read_csv_raw(con, stage, path, delim="\t", compression="gzip", source_id=source_id, expected=expected)
        require_columns(con, stage, path, REQUIRED, delim="\t")


def _check_gzip(path: Path) -> None:
    """Decompress once to the end, checking UTF-8 on the way: DuckDB may read a cut-off gzip stream as a shorter,
    valid-looking file, and names no encoding in its CSV errors."""
    lines, file = 0, str(path)
    inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # gzip header and trailer
    utf8 = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                text = inflate.decompress(chunk)
                while inflate.eof and inflate.unused_data:  # a file of several gzip members
                    rest, inflate = inflate.unused_data, zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
                    text += inflate.decompress(rest)
                try:
                    utf8.decode(text)
                except UnicodeDecodeError as exc:
                    line = lines + text[: exc.start].count(b"\n") + 1
                    found = f"byte {text[exc.start : exc.start + 1]!r} that is not UTF-8"
                    raise InputError([Problem(file, line, "(file)", "UTF-8 text", found)]) from exc
                lines += text.count(b"\n")
        if not inflate.eof:
            raise EOFError("the compressed stream ends before its end marker (a cut-off download?)")
    except (zlib.error, EOFError) as exc:
        found = f"{type(exc).__name__}: {exc}"[:300]
        raise InputError([Problem(file, lines + 1, "(file)", "a complete gzip-compressed file", found)]) from exc


def _json_error(path: Path, exc: duckdb.Error) -> InputError:
    """A DuckDB JSON read error as a Problem; 'at byte N' becomes the text line holding that byte."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    line = 0
    match = _AT_BYTE.search(str(exc))
    if match:
        with path.open("rb") as fh:
            line = fh.read(int(match.group(1))).count(b"\n") + 1
    return InputError(
        [Problem(str(path), line, "(file)", "a UTF-8 JSON response of the UN Comtrade API", message[:300])]
    )


def _stage_json(con: duckdb.DuckDBPyConnection, stage: str, path: Path, source_id: str) -> None:
    """raw.<stage> from one API response: one row per record of `data`, every field as VARCHAR (JSON text for
    numbers, 'true'/'false' for booleans), names lowercased, plus source_line (record position) and source_id."""
    file = str(path)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ct_doc AS SELECT json AS j "
            "FROM read_json_objects(?, format = 'auto', maximum_object_size = 1073741824)",
            [file],
        )
        docs = con.execute(
            "SELECT json_type(j), json_type(j, '$.data'), j->>'$.error', j->>'$.count', json_array_length(j, '$.data') "
            "FROM _ct_doc"
        ).fetchall()
    except duckdb.Error as exc:
        raise _json_error(path, exc) from exc
    shape = 'one JSON object {"elapsedTime", "count", "data": [...], "error"}'
    if len(docs) != 1 or docs[0][0] != "OBJECT" or docs[0][1] != "ARRAY":
        found = "no JSON value" if not docs else f"{len(docs)} value(s); first {docs[0][0]}, data {docs[0][1]}"
        raise InputError([Problem(file, 1, "data", shape, found)])
    _kind, _data, error, count, n = docs[0]
    if error and error.strip():
        raise InputError([Problem(file, 1, "error", 'an empty "error" (Comtrade reported a failed request)', error)])
    problems = []
    if count is not None and count.strip() != str(n):
        problems.append(Problem(file, 1, "count", f"the number of records in data ({n})", count))
    if n >= PREVIEW_LIMIT:
        found = f"{n} records: the response may be cut short; plan smaller requests (comtrade.PREVIEW_LIMIT)"
        problems.append(Problem(file, 1, "data", f"fewer than {PREVIEW_LIMIT} records", found))
    records = con.execute(
        "SELECT e.key::BIGINT + 1, json_type(e.value), json_keys(e.value) FROM _ct_doc, json_each(j, '$.data') e "
        "ORDER BY 1"
    ).fetchall()
    keys: dict[str, str] = {}  # lowercased -> as published, in order of first appearance
    missing: dict[str, list[int]] = {}  # required field -> records without it
    for line, kind, names in records:
        if kind != "OBJECT":
            problems.append(Problem(file, line, "data", "a JSON object per record", kind))
            continue
        for name in names:
            if not _KEY.match(name):
                problems.append(Problem(file, line, name, "a field name of letters and digits", name))
            keys.setdefault(name.lower(), name)
        have = {name.lower() for name in names}
        for column in REQUIRED:
            if column not in have:
                missing.setdefault(column, []).append(line)
    for column, lines in missing.items():
        found = f"missing in {len(lines)} of {len(records)} record(s); fields present: {', '.join(keys.values())}"
        expected = f"every record of data to have the field {column!r} (UN Comtrade API v1)"
        problems.append(Problem(file, lines[0], column, expected, found[:300]))
    if problems:
        raise InputError(problems)
    keys |= {c: c for c in REQUIRED if c not in keys}  # an empty response still has the required columns
    columns = ", ".join(f'json_extract_string(e.value, \'$."{name}"\') AS "{low}"' for low, name in keys.items())
    con.execute(
        f"""CREATE OR REPLACE TABLE raw.{stage} AS
        SELECT {columns}, (e.key::BIGINT + 1) AS source_line, ?::VARCHAR AS source_id
        FROM _ct_doc, json_each(j, '$.data') e ORDER BY source_line""",
        [source_id],
    )
    con.execute("DROP TABLE _ct_doc")
