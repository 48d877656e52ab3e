"""OECD Creditor Reporting System bulk files: project-level official finance, summed for Central Asia.

Reading the files into raw (zip extraction, the published header, located errors) is in oecd_crs_files.py; this
module says what the rows mean (flow codes, measures, donors and agencies) and sums them into core.finance_flows.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import duckdb

from silkscope.countries import resolve_dac
from silkscope.errors import InputError, Problem, UnknownCountryError
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector
from silkscope.sources.oecd_crs_files import C5_CODES, CENTRAL_ASIA_REGIONAL, exact_country, extracted, load_member

# The OECD serves one zip per year ("CRS 2019 data.zip" holding "CRS 2019 data.txt"; the oldest years come in
# multi-year files). They are listed as EXT_RESOURCE annotations of the DSD_CRS@DF_CRS dataflow: add a year here
# when the dataflow lists it. The zip names are also the mirror/cache file names.
BASE_URL = "https://webfs-dcd.oecd.org/files/dotStat/DSD_CRS/"
YEARS = ("1973-94", "1995-99", "2000-01", "2002-03", "2004-05", *(str(y) for y in range(2006, 2025)))
MIRROR_SUBDIR = "oecd/crs"

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


def table_for(file_name: str) -> str:
    """'CRS 2019 data.zip' -> 'oecd_crs_2019'; 'CRS 2004-05 data.zip' -> 'oecd_crs_2004_05'."""
    token = re.sub(r"(?i)^crs\s*|\s*data$", "", Path(file_name).stem).strip()
    return "oecd_crs_" + (re.sub(r"[^0-9a-z]+", "_", token.lower()).strip("_") or "file")


class OecdCrs(Connector):
    name = "oecd_crs"
    publisher = "OECD Development Co-operation Directorate"
    title = "Creditor Reporting System (CRS), bulk files in dotStat format"
    short = "OECD CRS"  # how a table cell or a heading names it
    licence = "CC BY 4.0 (OECD data, since July 2024)"
    homepage = (
        "https://data-explorer.oecd.org/vis?df[ds]=dsDisseminateFinalDMZ&df[id]=DSD_CRS%40DF_CRS&df[ag]=OECD.DCD.FSD"
    )
    citation = "OECD (2025). Creditor Reporting System (CRS). OECD Data Explorer, bulk download (dotStat format)."
    core_tables = ("core.finance_flows",)
    # Activity rows are summed per donor, agency, recipient and year. A row equal to another in every published
    # field (CrsID, project number, descriptions and amounts included) is a copy of that activity, not a second
    # one; the message names both lines so a genuine case can be looked at (no real CRS file is in the test data).
    duplicate_rows = "error"
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
                with extracted(file, Path(work), table, source_id_for(self, file)) as member:
                    load_member(con, member)
                self._tables[file.remote.name] = table
                self._displays[table] = member.display
        _mapping_tables(con, self._displays)

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        tables = self._tables or {name: table_for(name) for name in source_ids}
        con.execute(harmonise_sql([(tables[name], source_ids[name]) for name in sorted(tables)]))


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
            iso3 = exact_country(donor_name) or exact_country(re.sub(r"\s*\(.*\)\s*$", "", donor_name))
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
