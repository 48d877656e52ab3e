"""AidData 2.x core research release, aggregated: development finance commitments by donor, recipient and year."""

from __future__ import annotations

import duckdb

from silkscope.countries import C5
from silkscope.fetch import FetchedFile, RemoteFile
from silkscope.sources.base import (
    Connector,
    check_types,
    mapping_table,
    read_csv_raw,
    require_columns,
    require_values,
    resolve_names,
)
from silkscope.sources.csvfiles import csv_located

# The aggregate is not served as one file by AidData: this is the release's donor x recipient x year roll-up as
# published in ilyabo/aiddata (data/flows.csv). Endpoint as data, so a mirror or a newer roll-up can replace it.
URL = "https://raw.githubusercontent.com/ilyabo/aiddata/792cd86/data/flows.csv"
FILE = "aiddata2_flows_donor_recipient_year.csv"
COLUMNS = ["date", "donor", "recipient", "sum_amount_usd_constant", "count"]
TYPES = {"date": "INTEGER", "sum_amount_usd_constant": "DOUBLE", "count": "INTEGER"}
# Every aggregate row needs these: an empty one would otherwise surface as a NOT NULL/CHECK violation in core.
REQUIRED = ["date", "donor", "recipient", "sum_amount_usd_constant"]

# Multilateral donors appear as "(CODE)": map the ones silkscope's actor registry knows; the EU's institutions
# count as the EU partner. Other non-state donors (UN agencies, funds, foundations) keep their AidData label as a
# snake_cased actor id, so no money to Central Asia is dropped.
MULTILATERALS = {
    "(EC)": ("EUU", "eu_commission"),
    "(IBRD)": (None, "world_bank"),
    "(IDA)": (None, "world_bank"),
    "(IFC)": (None, "ifc"),
    "(ASDB)": (None, "adb"),
    "(ASDF)": (None, "adb"),
    "(EBRD)": (None, "ebrd"),
    "(ISDB)": (None, "isdb"),
    "(IMF)": (None, "imf"),
}
# Non-country labels, so that only genuinely unknown names stop an ingest. If AidData adds a region, add it here.
REGIONS = {
    "Africa, regional",
    "America, regional",
    "Arab Countries",
    "Asia, regional",
    "Bilateral, unspecified",
    "Europe, regional",
    "Far East Asia, regional",
    "GLOBAL",
    "MADCT Unspecified",
    "Middle East, regional",
    "N. & C. America, regional",
    "North of Sahara, regional",
    "Oceania, regional",
    "South & Central Asia, regional",
    "South America, regional",
    "South Asia, regional",
    "South of Sahara, regional",
    "Sts Ex-Yugo. Unspec.",
    "West Indies, regional",
}
CENTRAL_ASIA_REGIONAL = "Central Asia, regional"
# Codes AidData uses that are not current ISO 3166 (Netherlands Antilles was dissolved in 2010; IRA is
# undocumented): kept in raw, not harmonised. Neither occurs as a donor to Central Asia in the 2.x release.
LEGACY = {"ANT", "IRA"}
OTHER_DONORS = {
    "WFP",
    "WHO",
    "Bill & Melinda Gates Foundation",
    "World Bank - Managed Trust Funds",
    "World Bank - Carbon Finance Unit",
    "World Bank - Debt Reduction Facility",
    "Multilateral Fund for the Implementation of the Montreal Protocol",
    "(WTO) - International Trade Centre",
}
DEFINITION = (
    "AidData 2.x core research release: development finance commitments (ODA and other official flows, "
    "all flow types) aggregated by donor, recipient and year; constant USD, base year not stated in the "
    "file"
)


class AidDataFlows(Connector):
    name = "aiddata_flows"
    publisher = "AidData (William & Mary)"
    title = "AidData Core Research Release 2.x, commitments aggregated by donor, recipient and year"
    short = "AidData Core Research Release"  # how a table cell or a heading names it
    licence = "CC BY 4.0 (AidData research releases)"
    homepage = "https://www.aiddata.org/datasets"
    citation = (
        "Tierney, M. J. et al. (2011). More Dollars than Sense: Refining Our Knowledge of Development "
        "Finance Using AidData. World Development 39(11). AidData Core Research Release, aggregated."
    )
    core_tables = ("core.finance_flows",)
    # One row per donor, recipient and year (sums of commitments): an exact repeat would be summed twice.
    duplicate_rows = "error"

    def remote_files(self) -> list[RemoteFile]:
        return [RemoteFile(URL, FILE, expect=(b"date,donor,recipient",), mirror_subdir="aiddata")]

    def load_raw(self, con: duckdb.DuckDBPyConnection, files: list[FetchedFile]) -> None:
        from silkscope.ingest import source_id_for

        (file,) = files
        with csv_located(file.path):
            read_csv_raw(
                con,
                "aiddata_flows_donor_recipient_year",
                file.path,
                source_id=source_id_for(self, file),
                expected=f"a UTF-8, comma-separated CSV with columns {', '.join(COLUMNS)}",
            )
        require_columns(con, "aiddata_flows_donor_recipient_year", file.path, COLUMNS)
        require_values(con, "aiddata_flows_donor_recipient_year", file.path, REQUIRED)
        check_types(con, "aiddata_flows_donor_recipient_year", file.path, TYPES)
        self._check_labels(con, file)

    def _check_labels(self, con: duckdb.DuckDBPyConnection, file: FetchedFile) -> None:
        """Every donor/recipient is a country code, a known multilateral or a known region; else list it."""
        known = {k: None for k in REGIONS | LEGACY | OTHER_DONORS | {CENTRAL_ASIA_REGIONAL}}
        known |= {k: None for k in self._parenthesised(con)}
        donors = resolve_names(con, "aiddata_flows_donor_recipient_year", "donor", file.path, extra=known)
        recipients = resolve_names(con, "aiddata_flows_donor_recipient_year", "recipient", file.path, extra=known)
        mapping_table(con, "_aiddata_codes", donors | recipients)

    @staticmethod
    def _parenthesised(con: duckdb.DuckDBPyConnection) -> set[str]:
        rows = con.execute(
            "SELECT DISTINCT donor FROM raw.aiddata_flows_donor_recipient_year WHERE donor LIKE '(%)'"
        ).fetchall()
        return {r[0] for r in rows}

    def harmonise(self, con: duckdb.DuckDBPyConnection, source_ids: dict[str, str]) -> None:
        source_id = source_ids[FILE]
        multilaterals = [(code, iso3, actor) for code, (iso3, actor) in MULTILATERALS.items()]
        con.execute("CREATE OR REPLACE TEMP TABLE _aiddata_multilaterals (code VARCHAR, iso3 VARCHAR, actor VARCHAR)")
        con.executemany("INSERT INTO _aiddata_multilaterals VALUES (?, ?, ?)", multilaterals)
        con.execute(
            """INSERT INTO core.finance_flows (fact_id, donor_iso3, donor_actor_id, country_iso3, group_id, year,
                   flow_class, measure, price_basis, base_year, currency, amount_usd, project_count, definition,
                   source_id, source_ids, citation_status, record, note)
            SELECT 'aiddata_flows:' || r.source_line,
                   coalesce(d.iso3, m.iso3),
                   CASE WHEN d.iso3 IS NULL
                        THEN coalesce(m.actor, regexp_replace(lower(trim(r.donor, '()')), '[^a-z0-9]+', '_', 'g'))
                   END,
                   CASE WHEN r.recipient = ? THEN NULL ELSE rc.iso3 END,
                   CASE WHEN r.recipient = ? THEN 'C5' END,
                   r.date::INTEGER, 'development_finance', 'commitment', 'constant', NULL, 'USD',
                   r.sum_amount_usd_constant::DOUBLE, r.count::INTEGER, ?, ?, [?], 'cited',
                   'raw.aiddata_flows_donor_recipient_year:' || r.source_line,
                   CASE WHEN r.recipient = ? THEN 'AidData label ''Central Asia, regional''' END
            FROM raw.aiddata_flows_donor_recipient_year r
            LEFT JOIN _aiddata_codes d ON d.label = r.donor
            LEFT JOIN _aiddata_codes rc ON rc.label = r.recipient
            LEFT JOIN _aiddata_multilaterals m ON m.code = r.donor
            WHERE (list_contains(?, rc.iso3) OR r.recipient = ?)
              AND r.donor NOT IN (SELECT unnest(?::VARCHAR[]))""",
            [
                CENTRAL_ASIA_REGIONAL,
                CENTRAL_ASIA_REGIONAL,
                DEFINITION,
                source_id,
                source_id,
                CENTRAL_ASIA_REGIONAL,
                list(C5),
                CENTRAL_ASIA_REGIONAL,
                sorted(LEGACY | REGIONS),
            ],
        )
