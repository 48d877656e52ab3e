"""Year-by-year series: one finance definition for every partner, trading-partner ranks, context indicators."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from silkscope import labels, views
from silkscope.build import build


def _source(con, source_id: str, loaded_by: str, version: str = "e1") -> None:
    con.execute(
        "INSERT INTO core.sources (source_id, kind, publisher, title, citation, loaded_by, version) "
        "VALUES (?, 'dataset', 'P', ?, ?, ?, ?)",
        [source_id, f"title {source_id}", f"cite {source_id}", loaded_by, version],
    )


def _finance(con, donor, country, year, amount, source_id, measure="disbursement_net", basis="current", flow="oda"):
    con.execute(
        """INSERT INTO core.finance_flows (fact_id, donor_iso3, country_iso3, year, flow_class, measure, price_basis,
               currency, amount_usd, definition, source_id, source_ids, citation_status, record)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'USD', ?, 'def', ?, [?], 'cited', 'test')""",
        [
            f"{source_id}:{donor}{country}{year}",
            donor,
            country,
            year,
            flow,
            measure,
            basis,
            amount,
            source_id,
            source_id,
        ],
    )


def _trade(con, reporter, country, partner, year, direction, value, source_id, month=None):
    con.execute(
        """INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, year, month, direction, reporter_iso3,
               classification, product_code, value_usd, currency, value_published, unit_published, price_basis,
               definition, source_id, source_ids, citation_status, record)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'total', 'TOTAL', ?, 'USD', ?, 'USD', 'current', 'd', ?, [?], 'cited', 't')""",
        [f"{source_id}:{reporter}{partner}{country}{year}{direction}{month}", partner, country, year, month,
         direction, reporter, value, value, source_id, source_id],
    )  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("series") / "w.duckdb"
    build(path, snapshot=False)
    with duckdb.connect(str(path)) as con:
        _source(con, "wdi_a", "wdi_ddf")
        _source(con, "dac_a", "oecd_dac2a")
        _source(con, "aid_a", "aiddata_china")
        _source(con, "kg_a", "kg_nsc")
        _source(con, "eu_a", "eurostat_comext")
        _source(con, "wdi_old", "wdi", version="2017-06-01")
        for year, jpn, kor in ((2001, 10.0, 1.0), (2002, 20.0, None), (2003, 30.0, 3.0)):
            _finance(con, "JPN", "UZB", year, jpn, "wdi_a")
            if kor is not None:
                _finance(con, "KOR", "UZB", year, kor, "wdi_a")
        _finance(con, "JPN", "UZB", 2001, 99.0, "dac_a")  # the same definition from the publisher itself
        _finance(con, "CHN", "UZB", 2002, 500.0, "aid_a", measure="commitment", basis="constant")
        # Kyrgyzstan's own statistics, and the EU's report of its exports to Kazakhstan
        _trade(con, "KGZ", "KGZ", "CHN", 2023, "partner_to_country", 5000.0, "kg_a")
        _trade(con, "KGZ", "KGZ", "RUS", 2023, "partner_to_country", 3000.0, "kg_a")
        _trade(con, "KGZ", "KGZ", "RUS", 2023, "country_to_partner", 900.0, "kg_a")
        _trade(con, "KGZ", "KGZ", "EUU", 2023, "partner_to_country", 9999.0, "kg_a")
        _trade(con, "KGZ", "KGZ", "KAZ", 2023, "country_to_partner", 400.0, "kg_a")  # KGZ's exports to KAZ
        _trade(con, "DEU", "KAZ", "DEU", 2023, "partner_to_country", 700.0, "eu_a")
        _trade(con, "DEU", "KAZ", "DEU", 2023, "partner_to_country", 60.0, "eu_a", month=8)
        for year, value, sid in ((2015, 1.0, "wdi_old"), (2015, 2.0, "wdi_a"), (2024, 4.0, "wdi_a")):
            con.execute(
                "INSERT INTO core.indicators (indicator_code, indicator_name, country_iso3, year, value, unit, "
                "definition, source_id, source_ids, citation_status, record) VALUES "
                "('NY.GDP.MKTP.CD', 'GDP', 'KGZ', ?, ?, 'USD current', 'GDP def', ?, [?], 'cited', 't')",
                [year, value, sid, sid],
            )
    return path


def test_finance_compares_every_partner_under_the_definition_most_share(db):
    result = views.compare("UZB", "JPN,KOR,CHN", "finance", 2000, 2005, db=db)
    assert "net" in result.title and "disbursement" in result.title
    rows = {r["year"]: r for r in result.rows}
    assert rows[2001]["JPN_usd"] == 10.0  # the most complete dataset, never spliced with the one-year DAC2A file
    assert [rows[y]["JPN_usd"] for y in (2002, 2003)] == [20.0, 30.0]
    assert rows[2003]["KOR_usd"] == 3.0 and rows[2002]["KOR_usd"] is None
    assert rows[2002]["CHN_usd"] is None
    assert any("China" in n and "commitment" in n for n in result.notes)  # says what China has instead
    said = labels.dataset_short("wdi_ddf")  # the dataset each series comes from, in words
    assert said in result.definitions["JPN_usd"] and said in result.definitions["KOR_usd"]
    assert {s["source_id"] for s in result.sources} == {"wdi_a"}


def test_trade_partners_rank_own_statistics_and_label_partner_reports(db):
    result = views.trade_partners("C5", 2023, 2023, top=5, db=db)
    kgz = [r for r in result.rows if r["country_iso3"] == "KGZ"]
    assert [r["partner_iso3"] for r in kgz] == ["CHN", "RUS", "KAZ"]  # the EU aggregate never beside members
    assert kgz[1]["turnover_usd"] == 3900.0 and kgz[0]["share_pct"] == pytest.approx(100 * 5000 / 9300)
    assert "own statistics" in kgz[0]["reported_by"]
    kaz = {r["partner_iso3"]: r for r in result.rows if r["country_iso3"] == "KAZ"}
    assert kaz["DEU"]["turnover_usd"] == 700.0  # the monthly row is not added to the year
    assert kaz["DEU"]["reported_by"] == "partners' reports (DEU, KGZ)" and kaz["DEU"]["share_pct"] is None
    assert kaz["KGZ"]["state_imports_usd"] == 400.0  # Kyrgyzstan's exports to Kazakhstan, on Kazakhstan's side
    assert any("Kazakhstan" in n and "no statistics of its own" in n for n in result.notes)
    with pytest.raises(Exception, match="--top 0"):
        views.trade_partners("C5", top=0, db=db)


def test_context_takes_each_indicator_from_its_newest_dataset(db):
    result = views.context("KGZ", db=db)
    assert [(r["year"], r["gdp_usd"]) for r in result.rows] == [(2015, 2.0), (2024, 4.0)]
    assert "gdp_usd: latest year 2024" in result.notes[0]
