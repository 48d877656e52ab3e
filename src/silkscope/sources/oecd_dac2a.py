"""OECD DAC2A via the Data Explorer's SDMX API: ODA disbursements from each DAC donor to the Central Asian states."""

from __future__ import annotations

import duckdb

from silkscope.countries import C5, registry, resolve_dac
from silkscope.errors import InputError, Problem
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import Connector, check_types, mapping_table, read_csv_raw, require_columns
from silkscope.sources.csvfiles import utf8_located

# SDMX REST data query: {API}{agency},{dataflow},{version}/{DONOR}.{RECIPIENT}.{MEASURE}.{UNIT_MEASURE}.{PRICE_BASE}.
# The version is pinned so a re-versioned dataflow is noticed: change DATAFLOW and STRUCTURE_ID together.
API = "https://sdmx.oecd.org/public/rest/data/"
DATAFLOW = "OECD.DCD.FSD,DSD_DAC2@DF_DAC2A,1.6"
STRUCTURE_ID = "OECD.DCD.FSD:DSD_DAC2@DF_DAC2A(1.6)"  # what each CSV row says back in STRUCTURE_ID
START_PERIOD = "1990"
FILE = "oecd_dac2a_c5.csv"
RAW = "oecd_dac2a_flows"
# format=csvfile is SDMX-CSV 1.0 with codes only (csvfilewithlabels adds a label column after each code column).
PARAMS = {"startPeriod": START_PERIOD, "dimensionAtObservation": "AllDimensions", "format": "csvfile"}
COLUMNS = [
    "structure", "structure_id", "_action", "donor", "recipient", "measure", "unit_measure", "price_base",
    "time_period", "obs_value", "base_per", "unit_mult", "flow_type", "obs_status",
]  # fmt: skip
TYPES = {"time_period": "INTEGER", "obs_value": "DOUBLE", "base_per": "INTEGER", "unit_mult": "INTEGER"}

# Donors: the registry's partners and DAC members that report to the DAC, by DAC donor code. The Data Explorer
# codes states by ISO3; the EU's institutions (DAC 918) are 4EU001. China and India hold DAC *recipient* codes
# and report no donor statistics.
DONOR_API_CODES = {"EUU": "4EU001"}
NOT_DAC_REPORTERS = {"CHN", "IND"}
# Recipients: the five states, and S4_X = DAC 619 'Central Asia, regional' (activities for the region as a whole).
CENTRAL_ASIA_REGIONAL = "S4_X"
RECIPIENTS = {**{iso3: iso3 for iso3 in C5}, CENTRAL_ASIA_REGIONAL: None}

# MEASURE (DAC2A aid type, same numbering as OECD.Stat) -> (flow_class, measure, what it is). DAC2A holds
# disbursements only (commitments are in DAC3A and the CRS) and ODA only (OOF is in DAC2B and the CRS).
MEASURES = {
    "206": ("oda_total", "disbursement_net", "ODA, total net disbursements (grants + loans - repayments)"),
    "240": ("oda_total", "disbursement_gross", "ODA, gross disbursements"),
    "201": ("oda_grant", "disbursement_gross", "ODA grants, disbursements"),
    "204": ("oda_loan", "disbursement_gross", "ODA loans, gross disbursements"),
    "218": ("oda_loan", "disbursement_net", "ODA loans, net disbursements (gross - repayments)"),
}
# Aid types published in DAC2A that stay in raw only: components or memo items of the totals above (summing them
# with the totals would double count), flows silkscope has no class for, and imputed multilateral ODA (a share of
# multilateral agencies' outflows attributed to the donor: not the donor's own flow to the country, and readers
# that sum a dyad's oda_* classes would add it to bilateral aid). Any code in neither dict stops the ingest: a new
# OECD code must be looked at before it is mapped or ignored.
RAW_ONLY_MEASURES = {
    "106": "imputed multilateral ODA (attributed share of multilateral outflows)",
    "205": "ODA loans, repayments",
    "207": "technical co-operation (component of grants)",
    "208": "associated financing / interest subsidies",
    "209": "interest received (memo)",
    "210": "capital subscriptions, deposit basis",
    "211": "capital subscriptions, encashment basis (memo)",
    "212": "debt forgiveness (component)",
    "213": "development food aid (component)",
    "214": "rescheduled debt (component of loans)",
    "215": "offsetting entries for debt relief",
    "216": "humanitarian aid (component)",
    "217": "equity investment (component)",
    "219": "recoveries on grants",
    "221": "other debt grants (component)",
    "250": "ODA, total net excluding debt relief (alternative total)",
    "255": "net debt relief (component)",
}
PRICE_BASES = {"V": "current", "Q": "constant"}
UNIT = "USD"


def donor_codes() -> dict[str, str]:
    """Data Explorer DONOR code -> ISO3 (EUU for the EU's institutions), from the registry's DAC donor codes."""
    codes = {}
    for country in registry().countries.values():
        if country.role not in ("partner", "dac_member") or not country.dac_code or country.iso3 in NOT_DAC_REPORTERS:
            continue
        if resolve_dac(country.dac_code) != country.iso3:  # two registry rows claiming one DAC code
            raise AssertionError(f"registry: DAC code {country.dac_code} is not unique to {country.iso3}")
        codes[DONOR_API_CODES.get(country.iso3, country.iso3)] = country.iso3
    return dict(sorted(codes.items()))


def query_key() -> str:
    """DONOR.RECIPIENT.MEASURE.UNIT_MEASURE.PRICE_BASE: our donors and recipients, every aid type, USD, both prices."""
    return f"{'+'.join(donor_codes())}.{'+'.join(RECIPIENTS)}..{UNIT}."


class OecdDac2a(Connector):
    name = "oecd_dac2a"
    publisher = "OECD Development Co-operation Directorate"
    title = "DAC2A: Aid (ODA) disbursements to countries and regions (OECD Data Explorer, SDMX API)"
    short = "OECD DAC2A"  # how a table cell or a heading names it
    licence = "CC BY 4.0 (OECD data, since July 2024)"
    homepage = (
        "https://data-explorer.oecd.org/vis?df[ds]=dsDisseminateFinalDMZ&df[id]=DSD_DAC2%40DF_DAC2A&df[ag]=OECD.DCD.FSD"
    )
    citation = "OECD (2025). DAC2A: Aid (ODA) disbursements to countries and regions. OECD Data Explorer."
    core_tables = ("core.finance_flows",)
    # SDMX-CSV: one row per series key and year; an exact repeat would be summed into the same flow twice.
    duplicate_rows = "error"

    def remote_files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                f"{API}{DATAFLOW}/{query_key()}",
                FILE,
                params=dict(PARAMS),
                expect=(b"STRUCTURE,STRUCTURE_ID,ACTION,DONOR,RECIPIENT",),
                mirror_subdir="oecd",
            )
        ]

    def edition(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> str | None:
        """The dataflow version each row states (the API states no data release date)."""
        rows = con.execute(f"SELECT DISTINCT structure_id FROM raw.{RAW} ORDER BY 1").fetchall()
        return "; ".join(r[0] for r in rows) or None

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        (file,) = files
        expected = "SDMX-CSV 1.0 (format=csvfile) from the OECD Data Explorer, UTF-8"
        with utf8_located(file.path, str(file.path), ","):
            read_csv_raw(con, RAW, file.path, source_id=source_id_for(self, file), expected=expected)
        require_columns(con, RAW, file.path, COLUMNS)
        check_types(con, RAW, file.path, TYPES)
        donors = donor_codes()
        _check_codes(con, file, "structure_id", {STRUCTURE_ID}, f"the dataflow {STRUCTURE_ID}")
        _check_codes(con, file, "donor", set(donors), "one of the DONOR codes requested")
        _check_codes(con, file, "recipient", set(RECIPIENTS), "one of the RECIPIENT codes requested")
        known = set(MEASURES) | set(RAW_ONLY_MEASURES)
        _check_codes(con, file, "measure", known, "a DAC2A MEASURE code silkscope maps or keeps in raw")
        _check_codes(con, file, "unit_measure", {UNIT}, "UNIT_MEASURE USD (the query asks for USD)")
        _check_codes(con, file, "price_base", set(PRICE_BASES), "PRICE_BASE V (current) or Q (constant)")
        mapping_table(con, "_dac2a_donors", donors)
        mapping_table(con, "_dac2a_recipients", {k: v for k, v in RECIPIENTS.items() if v})
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _dac2a_measures (code VARCHAR, flow_class VARCHAR, measure VARCHAR, "
            "label VARCHAR)"
        )
        con.executemany("INSERT INTO _dac2a_measures VALUES (?, ?, ?, ?)", [(c, *v) for c, v in MEASURES.items()])

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        source_id = source_ids[FILE]
        con.execute(
            f"""INSERT INTO core.finance_flows (fact_id, donor_iso3, donor_actor_id, country_iso3, group_id, year,
                   flow_class, measure, price_basis, base_year, currency, amount_usd, project_count, definition,
                   source_id, source_ids, citation_status, record, note)
            SELECT 'oecd_dac2a:' || r.source_line, d.iso3, NULL, rc.iso3,
                   CASE WHEN r.recipient = ? THEN 'C5' END,
                   r.time_period::INTEGER, m.flow_class, m.measure,
                   CASE r.price_base WHEN 'V' THEN 'current' ELSE 'constant' END,
                   CASE WHEN r.price_base = 'Q' THEN r.base_per::INTEGER END,
                   'USD', round(r.obs_value::DOUBLE * pow(10, coalesce(r.unit_mult::INTEGER, 0)), 2), NULL,
                   'OECD DAC2A aid type ' || r.measure || ': ' || m.label || ', '
                       || CASE WHEN r.price_base = 'V' THEN 'current USD'
                               ELSE 'constant USD of ' || coalesce(r.base_per, 'a base year the row does not state')
                          END,
                   ?, [?], 'cited', 'raw.{RAW}:' || r.source_line,
                   nullif(concat_ws('; ',
                       CASE WHEN r.recipient = ? THEN 'DAC2A recipient S4_X ''Central Asia, regional'' (DAC 619)' END,
                       CASE WHEN d.iso3 = 'EUU' THEN 'DAC2A donor ' || r.donor || ' ''EU Institutions'' (DAC 918)' END
                   ), '')
            FROM raw.{RAW} r
            JOIN _dac2a_donors d ON d.label = r.donor
            JOIN _dac2a_measures m ON m.code = r.measure
            LEFT JOIN _dac2a_recipients rc ON rc.label = r.recipient
            WHERE nullif(trim(r.obs_value), '') IS NOT NULL
              AND (rc.iso3 IS NOT NULL OR r.recipient = ?)""",
            [CENTRAL_ASIA_REGIONAL, source_id, source_id, CENTRAL_ASIA_REGIONAL, CENTRAL_ASIA_REGIONAL],
        )


def _check_codes(
    con: duckdb.DuckDBPyConnection, file: FetchedFile, column: str, allowed: set[str], expected: str
) -> None:
    """Every value of a code column is one we asked for or know; else one Problem per unknown value, located."""
    rows = con.execute(
        f"""SELECT min(source_line), coalesce("{column}", '') FROM raw.{RAW}
        WHERE NOT list_contains(?, coalesce("{column}", '')) GROUP BY 2 ORDER BY 1 LIMIT 20""",
        [sorted(allowed)],
    ).fetchall()
    if rows:
        raise InputError([Problem(str(file.path), line, column.upper(), expected, value) for line, value in rows])
