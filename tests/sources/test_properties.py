"""Every connector, fed generated variants of its committed fixture (cut short, re-encoded, other delimiter, a column
more or less, NaN/inf/1e308 in a number, a line twice, empty, a folder): a clean load or a located SilkscopeError,
never another exception, and never a changed warehouse after an error (issue 16)."""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from silkscope import warehouse
from silkscope.build import build
from silkscope.errors import InputError, SilkscopeError
from silkscope.fetch import FetchedFile, RemoteFile, from_mirror
from silkscope.ingest import CONNECTORS, get_connector, ingest
from warehouse_helpers import checksum

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class Case:
    """One connector and the fixture files that make a clean load of it.

    `files` maps each fixture (path under tests/fixtures) to the name it is published under ("" = the fixture's
    own name); `subdir` is where the connector looks in a mirror; `pack` turns a fixture into the file as the
    publisher ships it ("zip": one member named like the fixture, "gz": gzip, "xls"/"xlsx": a workbook from a grid
    fixture, one CSV line per sheet row with the sheet name first, "xlsx-sheets": from "=== sheet" tab-separated
    text); `expect` is the content check for files the connector does not list by name (API responses, dated
    files); `own_fetch` takes the files in through the connector's own fetch_files (partial mirrors, files found
    by pattern), as `silkscope ingest --mirror` does.
    """

    connector: str
    files: dict[str, str]
    subdir: str
    pack: str = "plain"
    expect: tuple[bytes, ...] = ()
    own_fetch: bool = False


def _published(connector: str, name: str) -> RemoteFile | None:
    return next((r for r in get_connector(connector).remote_files() if r.name == name), None)


def _wdi_api_page(name: str) -> RemoteFile:
    from silkscope.sources.wdi_api import API_NAME_RE, WdiApi

    match = API_NAME_RE.match(name)
    return WdiApi([match.group("code")]).page_file(match.group("code"), int(match.group("page")))


# The table: add a connector by adding a row (its module must be registered in ingest.CONNECTORS and its fixtures
# committed under tests/fixtures/). Rows whose connector module does not exist yet are skipped, not failed.
CASES = [
    Case("aiddata_flows", {"aiddata/aiddata2_flows_donor_recipient_year.csv": ""}, "aiddata"),
    Case("aiddata_china", {"aiddata/china_official_finance_projects.csv": ""}, "aiddata"),
    Case("aiddata_china_geo", {"aiddata/china_aid_geocoded_locations.csv": ""}, "aiddata"),
    Case("aiddata_diplomacy", {"aiddata/china_public_diplomacy_country_year.csv": ""}, "aiddata"),
    Case("oecd_dac2a", {"oecd/dac2a_c5.csv": "oecd_dac2a_c5.csv"}, "oecd"),
    Case("oecd_crs", {"oecd/CRS 2019 data.txt": "CRS 2019 data.zip"}, "oecd/crs", pack="zip"),
    Case(
        "wdi",
        {"wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv": "", "wdi/API_DC.DAC.JPNL.CD_DS2_en_csv_v2.csv": ""},
        "wdi",
    ),
    Case(
        "wdi_api",
        {
            "wdi/api_NY.GDP.MKTP.CD_page1.json": "wdi_api_NY.GDP.MKTP.CD_p1.json",
            "wdi/api_NY.GDP.MKTP.CD_page2.json": "wdi_api_NY.GDP.MKTP.CD_p2.json",
        },
        "wdi",
    ),
    Case(
        "comtrade",
        {f"comtrade/comtrade_S3_{c}_2019.json": "" for c in ("KAZ", "CHN", "USA")},
        "comtrade",
        expect=(b'"data"',),
    ),
    Case(
        "comtrade_bulk",
        {f"comtrade/COMTRADE-FINAL-CA{c}2019S3.tsv": f"COMTRADE-FINAL-CA{c}2019S3.gz" for c in ("398", "156")},
        "comtrade",
        pack="gz",
    ),
    Case(
        "gdelt1",
        {"gdelt/20150301.export.CSV": "20150301.export.CSV.zip", "gdelt/201303.csv": "201303.zip"},
        "gdelt/events",
        pack="zip",
        expect=(b"PK\x03\x04",),
    ),
    Case("chinavitae", {"chinavitae/china_leader_engagements_2003_2018.csv": ""}, "chinavitae"),
    Case("imf_cdis", {"imf_cdis/imf_dip_c5_partners.csv": ""}, "imf_cdis"),
    # the national statistics offices, Eurostat and the WDI DDF extracts
    Case(
        "wdi_ddf",
        {f"wdi_ddf/ddf--datapoints--{c}--by--economy--year.csv": "" for c in ("ny_gdp_mktp_cd", "dc_dac_cecl_cd")},
        "wdi",
        own_fetch=True,
    ),
    Case(
        "eurostat_comext",
        {
            "eurostat/comext_eu_member_exports_to_kazakhstan_codelabel.csv": "",
            "eurostat/comext_eu27_exports_annual_en.csv": "",
        },
        "eurostat",
        own_fetch=True,
    ),
    Case(
        "kz_bns",
        {f"kz_bns/kz_bns_foreign_trade_main_indicators_by_country_{y}.csv": "" for y in (2022, 2023)},
        "kz_stat",
        pack="xls",
        own_fetch=True,
    ),
    Case(
        "kg_nsc",
        {
            f"kg_nsc/kg_nsc_4.03.00.{n}_geographic_distribution_of_{flow}_1994-2023.csv": ""
            for n, flow in (("18", "exports"), ("20", "imports"))
        },
        "kg_stat",
        pack="xlsx",
        own_fetch=True,
    ),
    Case("uz_stat", {"uz_stat/sdmx_data_1105.csv": "", "uz_stat/sdmx_data_1176.csv": ""}, "uz_stat", own_fetch=True),
    Case(
        "rosstat",
        {
            "rosstat/94itog.txt": "rosstat_94itog_fts_main_indicators_cis_1994-2021.xlsx",
            "rosstat/96stran.txt": "rosstat_96stran_fts_trade_main_countries_monthly_2006-2021.xlsx",
        },
        "ru_stat",
        pack="xlsx-sheets",
        own_fetch=True,
    ),
]


def _available(case: Case) -> bool:
    from importlib.util import find_spec

    module = CONNECTORS.get(case.connector, "").split(":")[0]
    return bool(module) and find_spec(module) is not None and all((FIXTURES / f).is_file() for f in case.files)


def published_name(fixture: str, name: str, case: Case | None = None) -> str:
    if name:
        return name
    if case is not None and case.pack in ("xls", "xlsx"):
        return Path(fixture).with_suffix(f".{case.pack}").name
    return Path(fixture).name


def pack(case: Case, fixture: str, data: bytes) -> bytes:
    """The fixture's text as the publisher ships it."""
    if case.pack == "gz":
        return gzip.compress(data, mtime=0)
    if case.pack == "zip":
        buffer = io.BytesIO()
        info = zipfile.ZipInfo(Path(fixture).name, date_time=(2020, 1, 1, 0, 0, 0))
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()
    if case.pack in ("xls", "xlsx", "xlsx-sheets"):
        try:
            sheets = _sheets_from_text(data.decode("utf-8-sig"), case.pack)
            return _xls(sheets) if case.pack == "xls" else _xlsx(sheets)
        except Exception:  # no longer a grid a workbook can hold (a sheet name with ':'...): the bytes are the file
            return data
    return data


_NUMERIC = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
Sheets = dict[str, list[list[str]]]


def _sheets_from_text(text: str, kind: str) -> Sheets:
    sheets: Sheets = {}
    if kind == "xlsx-sheets":  # "=== name" starts a sheet; cells tab-separated; "\\n" a line break in a cell
        rows: list[list[str]] = []
        for line in text.rstrip("\n").split("\n"):
            if line.startswith("=== "):
                rows = sheets.setdefault(line[4:], [])
            else:
                rows.append([c.replace("\\n", "\n") for c in line.split("\t")])
        return sheets
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)  # "sheet,cells from column A"
    for sheet, *cells in reader:
        sheets.setdefault(sheet[:31] or "Sheet", []).append(cells)
    return sheets


def _cell(value: str) -> float | str:
    return float(value) if _NUMERIC.match(value) and math.isfinite(float(value)) else value


def _xls(sheets: Sheets) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows[:65_000]):
            for c, value in enumerate(row[:250]):
                if value != "":
                    sheet.write(r, c, _cell(value))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx(sheets: Sheets) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "nan_inf_to_errors": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    cell = _cell(value)
                    sheet.write_number(r, c, cell) if isinstance(cell, float) else sheet.write_string(r, c, cell)
    book.close()
    return out.getvalue()


def remote_for(case: Case, name: str) -> RemoteFile:
    if case.connector == "wdi_api":
        return _wdi_api_page(name)
    return _published(case.connector, name) or RemoteFile(
        f"https://example.invalid/{case.connector}/{name}", name, expect=case.expect, mirror_subdir=case.subdir
    )


def fetched(case: Case, contents: dict[str, bytes | None], folder: Path) -> list[FetchedFile]:
    """Place the published files in a mirror (None: a folder under the file's name) and fetch them from there,
    as an air-gapped analyst would."""
    mirror = folder / "mirror"
    for name, data in contents.items():
        target = mirror / case.subdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            target.mkdir()
        else:
            target.write_bytes(data)
    if case.own_fetch:
        return get_connector(case.connector).fetch_files(mirror=mirror, cache_dir=folder / "cache")
    return [from_mirror(remote_for(case, name), mirror, folder / "cache") for name in contents]


def clean_contents(case: Case) -> dict[str, bytes]:
    return {published_name(f, n, case): pack(case, f, (FIXTURES / f).read_bytes()) for f, n in case.files.items()}


def load(case: Case, contents: dict[str, bytes | None], db: Path, folder: Path) -> None:
    ingest(case.connector, fetched(case, contents, folder), db)


# --- variants of a fixture --------------------------------------------------------------------------------------
TOKENS = ("NaN", "inf", "-Infinity", "1e308", "-1e308")
_NUMBER = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def _delimiter(text: bytes) -> bytes:
    head = text.split(b"\n", 1)[0]
    return max((b"\t", b"|", b",", b";"), key=head.count)


def _lines(text: bytes) -> list[bytes]:
    return text.splitlines(keepends=True) or [b""]


@st.composite
def variants(draw, text: bytes) -> tuple[str, bytes | None]:
    """(what was done, the spoiled text; None = a folder where the file should be)."""
    kind = draw(
        st.sampled_from(
            ["truncate", "encoding", "delimiter", "extra_column", "drop_column", "number", "duplicate", "empty",
             "folder"]
        )
    )  # fmt: skip
    lines = _lines(text)
    delim = _delimiter(text)
    if kind == "truncate":
        cut = draw(st.integers(0, max(len(text) - 1, 0)))
        return f"cut at byte {cut}", text[:cut]
    if kind == "encoding":
        encoding = draw(st.sampled_from(["latin-1", "utf-16", "utf-16-be", "cp1251"]))
        decoded = text.decode("utf-8", "replace")
        # a latin-1 rendering of text that has letters outside latin-1 (Cyrillic, CJK) is a lossy '?' for them
        return f"re-encoded as {encoding}", decoded.replace("a", "á").encode(encoding, "replace")
    if kind == "delimiter":
        other = draw(st.sampled_from([d for d in (b",", b";", b"\t", b"|") if d != delim]))
        return f"delimiter {delim!r} -> {other!r}", text.replace(delim, other)
    if kind == "extra_column":
        return "a column more", b"".join(
            _append_cell(line, delim, b"extra" if i == 0 else b"1") for i, line in enumerate(lines)
        )
    if kind == "drop_column":
        index = draw(st.integers(0, 10))
        return f"column {index} dropped", b"".join(_drop_cell(line, delim, index) for line in lines)
    if kind == "number":
        spots = [(i, m.span()) for i, line in enumerate(lines[1:], 1) for m in _NUMBER.finditer(line)]
        if not spots:
            return "no number to spoil", text
        i, (start, end) = draw(st.sampled_from(spots))
        token = draw(st.sampled_from(TOKENS)).encode()
        line = lines[i]
        lines = [*lines[:i], line[:start] + token + line[end:], *lines[i + 1 :]]
        return f"line {i + 1}: {line[start:end]!r} -> {token!r}", b"".join(lines)
    if kind == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i] if lines[i].endswith(b"\n") else lines[i] + b"\n"
        return f"line {i + 1} twice", b"".join([*lines[:i], line, *lines[i:]])
    if kind == "empty":
        return "empty file", b""
    return "a folder instead of the file", None


def _append_cell(line: bytes, delim: bytes, cell: bytes) -> bytes:
    body = line.rstrip(b"\r\n")
    return body + delim + cell + line[len(body) :]


def _drop_cell(line: bytes, delim: bytes, index: int) -> bytes:
    body = line.rstrip(b"\r\n")
    cells = body.split(delim)
    if len(cells) > 1:
        del cells[index % len(cells)]
    return delim.join(cells) + line[len(body) :]


# --- the property -----------------------------------------------------------------------------------------------
RUNNABLE = [case for case in CASES if _available(case)]


@dataclass(frozen=True)
class Base:
    db: Path
    sha256: str  # of the file's bytes: an unchanged file needs no row-by-row comparison
    checksum: str  # of every row (warehouse.content_checksum)


@pytest.fixture(scope="module")
def base() -> Base:
    """The reference pack plus every connector's clean fixture, built once per module: each variant's load either
    replaces a connector's rows with a clean load or must leave all of this exactly as it was."""
    folder = Path(tempfile.mkdtemp(prefix="silkscope_properties_"))
    db = folder / "base.duckdb"
    build(db, snapshot=False)  # the connector alone: no embedded snapshot rows beside its own
    for case in RUNNABLE:
        load(case, clean_contents(case), db, folder / case.connector)
    yield Base(db, warehouse.file_sha256(db), checksum(db))
    shutil.rmtree(folder, ignore_errors=True)


def unchanged(db: Path, base: Base) -> bool:
    if warehouse.file_sha256(db) == base.sha256 and not Path(f"{db}.wal").exists():
        return True
    return checksum(db) == base.checksum


def located(error: SilkscopeError, names: list[str]) -> bool:
    """The message names one of the connector's files (as published, in the mirror or the cache) and, for an
    InputError, every problem names a file."""
    message = str(error)
    if isinstance(error, InputError) and not all(p.file for p in error.problems):
        return False
    return any(name in message for name in names)


def implausible_rows(db: Path, case: Case) -> list[tuple]:
    """Core rows of this connector holding NaN, inf or |x| > 1e18 in a DOUBLE column (a clean load never does)."""
    con = warehouse.connect(db, read_only=True)
    try:
        bad = []
        for table in get_connector(case.connector).core_tables:
            schema, name = table.split(".")
            for (column,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                "AND data_type = 'DOUBLE'",
                [schema, name],
            ).fetchall():
                bad += con.execute(
                    f"""SELECT '{table}', '{column}', {column} FROM {table} WHERE source_id IN
                        (SELECT source_id FROM core.sources WHERE loaded_by = ?)
                        AND (NOT isfinite({column}) OR abs({column}) > 1e18)""",
                    [case.connector],
                ).fetchall()
        return bad
    finally:
        con.close()


@pytest.mark.parametrize("case", RUNNABLE, ids=[c.connector for c in RUNNABLE])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_variants_load_cleanly_or_fail_located_and_change_nothing(base, case, data):
    contents = clean_contents(case)
    fixture, name = data.draw(st.sampled_from(sorted(case.files.items())), label="file")
    published = published_name(fixture, name, case)
    what, text = data.draw(variants((FIXTURES / fixture).read_bytes()), label="variant")
    contents[published] = None if text is None else pack(case, fixture, text)
    packed = contents[published]
    if case.pack != "plain" and packed and what.startswith("cut at") and data.draw(st.booleans(), label="cut packed"):
        cut = data.draw(st.integers(0, len(packed) - 1), label="cut the packed file at")
        what, contents[published] = f"{case.pack} file cut at byte {cut}", packed[:cut]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        shutil.copyfile(base.db, db)
        try:
            load(case, contents, db, Path(tmp))
        except SilkscopeError as exc:
            assert located(exc, [published, Path(fixture).name]), f"{case.connector}, {what}: {exc}"
            assert unchanged(db, base), f"{case.connector}, {what}: the failed load changed the warehouse"
            return
        assert not implausible_rows(db, case), f"{case.connector}, {what}: loaded implausible values"
