"""A small warehouse for the indicators: the reference pack plus synthetic core rows written with SQL."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from silkscope.analysis.materialise import materialise
from silkscope.build import build

SOURCES = [
    # source_id, kind, publisher, loaded_by
    ("src_t_aiddata", "dataset", "AidData (test rows)", "aiddata_flows"),
    ("src_t_oecd", "dataset", "OECD CRS (test rows)", "oecd_crs"),
    ("src_t_china", "dataset", "AidData China (test rows)", "aiddata_china"),
    ("src_t_comtrade", "dataset", "UN Comtrade (test rows)", "comtrade"),
    ("src_t_unctad", "dataset", "UNCTAD FDI (test rows)", "unctad_fdi"),
    ("src_t_gdelt", "news", "GDELT (test rows)", "gdelt"),
    ("src_t_vitae", "dataset", "China Vitae (test rows)", "chinavitae"),
]

# donor, country, year, flow_class, measure, basis, amount_usd, source, project_id, project_count, base_year
FINANCE = [
    # JPN -> UZB in AidData: commitments, constant USD (one mixed class)
    ("JPN", "UZB", 2010, "development_finance", "commitment", "constant", 100e6, "src_t_aiddata", None, 3, 2009),
    ("JPN", "UZB", 2011, "development_finance", "commitment", "constant", 50e6, "src_t_aiddata", None, 1, 2009),
    ("JPN", "UZB", 2012, "development_finance", "commitment", "constant", 400e6, "src_t_aiddata", None, 2, 2009),
    ("KOR", "UZB", 2010, "development_finance", "commitment", "constant", 20e6, "src_t_aiddata", None, 1, 2009),
    ("DEU", "UZB", 2010, "development_finance", "commitment", "constant", 80e6, "src_t_aiddata", None, 2, 2009),
    # JPN -> UZB in OECD CRS: ODA parts and total, OOF, commitments and disbursements, two price bases
    ("JPN", "UZB", 2010, "oda_grant", "commitment", "constant", 30e6, "src_t_oecd", "p1", None, 2022),
    ("JPN", "UZB", 2010, "oda_loan", "commitment", "constant", 60e6, "src_t_oecd", "p2", None, 2022),
    ("JPN", "UZB", 2010, "oof", "commitment", "constant", 5e6, "src_t_oecd", "p3", None, 2022),
    ("JPN", "UZB", 2010, "oda_grant", "commitment", "current", 25e6, "src_t_oecd", "p1", None, None),
    ("JPN", "UZB", 2010, "oda_total", "disbursement_gross", "current", 70e6, "src_t_oecd", None, None, None),
    ("JPN", "UZB", 2010, "oda_grant", "disbursement_gross", "current", 20e6, "src_t_oecd", "p1", None, None),
    ("JPN", "UZB", 2011, "oda_loan", "commitment", "constant", 45e6, "src_t_oecd", "p4", None, 2022),
    ("JPN", "UZB", 2012, "oda_loan", "commitment", "constant", 300e6, "src_t_oecd", "p5", None, 2022),
    # China: project-level AidData China, OOF-like and vague
    ("CHN", "KAZ", 2012, "oof_like", "commitment", "constant", 1000e6, "src_t_china", "c1", None, 2014),
    ("CHN", "KAZ", 2012, "vague_official", "commitment", "constant", 200e6, "src_t_china", "c2", None, 2014),
    ("CHN", "UZB", 2012, "oda_like", "commitment", "constant", 50e6, "src_t_china", "c3", None, 2014),
]

# partner, country, year, direction, reporter, classification, product_code, value_usd
TRADE = [
    ("JPN", "UZB", 2010, "partner_to_country", "JPN", "total", "TOTAL", 100e6),
    ("JPN", "UZB", 2010, "partner_to_country", "UZB", "total", "TOTAL", 108e6),
    ("JPN", "UZB", 2010, "country_to_partner", "JPN", "total", "TOTAL", 20e6),
    ("JPN", "UZB", 2010, "country_to_partner", "UZB", "total", "TOTAL", 12e6),
    ("JPN", "UZB", 2012, "partner_to_country", "JPN", "total", "TOTAL", 150e6),
    ("JPN", "UZB", 2012, "country_to_partner", "JPN", "total", "TOTAL", 30e6),
    ("CHN", "UZB", 2010, "partner_to_country", "CHN", "total", "TOTAL", 1000e6),
    ("CHN", "UZB", 2010, "country_to_partner", "CHN", "total", "TOTAL", 500e6),
    ("KOR", "UZB", 2010, "partner_to_country", "KOR", "total", "TOTAL", 400e6),
    ("KOR", "UZB", 2010, "country_to_partner", "KOR", "total", "TOTAL", 100e6),
    # Uzbekistan's own report of the same years (the index's trade): 1,500 and 500, as its partners report them
    ("CHN", "UZB", 2010, "partner_to_country", "UZB", "total", "TOTAL", 1100e6),
    ("CHN", "UZB", 2010, "country_to_partner", "UZB", "total", "TOTAL", 400e6),
    ("KOR", "UZB", 2010, "partner_to_country", "UZB", "total", "TOTAL", 450e6),
    ("KOR", "UZB", 2010, "country_to_partner", "UZB", "total", "TOTAL", 50e6),
    # SITC sections of exports to UZB, 2010, reported by UZB (importer)
    ("JPN", "UZB", 2010, "partner_to_country", "UZB", "SITC", "7", 80e6),
    ("JPN", "UZB", 2010, "partner_to_country", "UZB", "SITC", "65", 8e6),
    ("JPN", "UZB", 2010, "partner_to_country", "UZB", "SITC", "5", 12e6),
    ("CHN", "UZB", 2010, "partner_to_country", "UZB", "SITC", "7", 500e6),
    ("CHN", "UZB", 2010, "partner_to_country", "UZB", "SITC", "65", 300e6),
    ("CHN", "UZB", 2010, "partner_to_country", "UZB", "SITC", "8", 200e6),
    ("KOR", "UZB", 2010, "partner_to_country", "UZB", "SITC", "7", 350e6),
    ("KOR", "UZB", 2010, "partner_to_country", "UZB", "SITC", "5", 50e6),
    # exporter-reported copy of one flow: the importer's figure must win
    ("KOR", "UZB", 2010, "partner_to_country", "KOR", "SITC", "7", 999e6),
]

# partner, country, year, measure, value
FDI = [
    ("JPN", "UZB", 2010, "fdi_flow", 10e6),
    ("CHN", "UZB", 2010, "fdi_flow", 300e6),
    ("KOR", "UZB", 2010, "fdi_flow", 90e6),
]

# date, actor1, actor2, class, count
NEWS = [
    ("2010-03-01", "JPN", "UZB", "visit_made", 3),
    ("2010-03-02", "UZB", "JPN", "meeting", 2),
    ("2010-05-01", "UZB", "JPN", "agreement", 1),
    ("2011-01-01", "CHN", "KAZ", "visit_made", 5),
]

# date, leader, level, counterpart, kind
VITAE = [
    ("2012-06-01", "Hu Jintao", "head_of_state", "KAZ", "travel"),
    ("2012-06-02", "Hu Jintao", "head_of_state", "KAZ", "travel"),
    ("2012-06-02", "Hu Jintao", "head_of_state", "KAZ", "travel"),
    ("2012-09-10", "Hu Jintao", "head_of_state", "KAZ", "meeting_at_home"),
    ("2012-03-01", "Yang Jiechi", "foreign_minister", "KAZ", "travel"),
]


def load_synthetic(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.executemany(
            "INSERT INTO core.sources (source_id, kind, publisher, title, citation, loaded_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(s, k, p, f"{p}: synthetic rows", f"{p}, synthetic rows for tests", lb) for s, k, p, lb in SOURCES],
        )
        con.executemany(
            """INSERT INTO core.finance_flows (fact_id, donor_iso3, country_iso3, year, flow_class, measure,
                   price_basis, base_year, currency, amount_usd, project_count, project_id, definition, source_id,
                   source_ids, citation_status, record)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?, 'test definition ' || ?, ?, [?], 'cited', 'test')""",
            [
                (f"t:fin:{i}", d, c, y, fc, m, b, by, a, n, pid, s, s, s)
                for i, (d, c, y, fc, m, b, a, s, pid, n, by) in enumerate(FINANCE)
            ],
        )
        con.executemany(
            """INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, year, direction, reporter_iso3,
                   classification, product_code, value_usd, price_basis, definition, source_id, source_ids,
                   citation_status, record)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'current', 'test', 'src_t_comtrade', ['src_t_comtrade'], 'cited',
                       'test')""",
            [(f"t:tr:{i}", *row) for i, row in enumerate(TRADE)],
        )
        con.executemany(
            """INSERT INTO core.investments (fact_id, partner_iso3, country_iso3, period_start, period_end,
                   date_precision, year, measure, bound, value_usd, price_basis, definition, source_id, source_ids,
                   citation_status, record)
               VALUES (?, ?, ?, make_date(?, 1, 1), make_date(?, 12, 31), 'year', ?, ?, 'exact', ?, 'current', 'test',
                       'src_t_unctad', ['src_t_unctad'], 'cited', 'test')""",
            [(f"t:iv:{i}", p, c, y, y, y, m, v) for i, (p, c, y, m, v) in enumerate(FDI)],
        )
        con.executemany(
            """INSERT INTO core.news_events (event_date, year, actor1_iso3, actor2_iso3, cameo_code, cameo_root,
                   event_class, event_count, source_id, source_ids, citation_status, record)
               VALUES (?::DATE, year(?::DATE), ?, ?, '042', '04', ?, ?, 'src_t_gdelt', ['src_t_gdelt'], 'cited',
                       'test')""",
            [(d, d, a1, a2, cl, n) for d, a1, a2, cl, n in NEWS],
        )
        con.executemany(
            """INSERT INTO core.leader_engagements (engagement_date, year, leader, leader_iso3, level,
                   counterpart_iso3, kind, text, source_id, source_ids, citation_status, record)
               VALUES (?::DATE, year(?::DATE), ?, 'CHN', ?, ?, ?, 'test', 'src_t_vitae', ['src_t_vitae'], 'cited',
                       'test')""",
            [(d, d, leader, lv, c, k) for d, leader, lv, c, k in VITAE],
        )
        materialise(con)  # as a connector's load does: out.* derive from the rows just written
    finally:
        con.close()


@pytest.fixture(scope="session")
def indicator_db(tmp_path_factory) -> Path:
    """The reference pack (real curated events) plus the synthetic rows above."""
    path = tmp_path_factory.mktemp("ind") / "silkscope.duckdb"
    build(path)
    load_synthetic(path)
    return path


@pytest.fixture(scope="session")
def duck(indicator_db):
    from silkscope.indicators.tables import duckdb_tables

    return duckdb_tables(indicator_db)


@pytest.fixture(scope="session")
def spark(indicator_db):
    """Spark local[1] over the same warehouse. Skipped only outside CI when pyspark is absent; in CI, a failure."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pyspark is not installed: CI must install the spark extra to run the two-engine tests")
        pytest.skip("pyspark not installed (pip install 'silkscope[spark]')")
    import warnings

    from silkscope.indicators.tables import local_spark, spark_tables

    warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
    session = local_spark(cores=1)
    session.sparkContext.setLogLevel("ERROR")
    yield spark_tables(session, indicator_db)
    session.stop()
