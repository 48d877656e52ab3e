"""The visit-effect model on real numbers: the curated timeline plus AidData and China Vitae extracts, read from
../shared/data with DuckDB (the connectors for them are separate work; these rows stand in for their output)."""

from __future__ import annotations

import duckdb
import pytest

from silkscope.build import build
from silkscope.stats.visit_effects import visits_model

pytestmark = pytest.mark.realdata
C5 = "('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')"
LEVELS = {
    "Xi Jinping": "head_of_state", "Hu Jintao": "head_of_state", "Li Keqiang": "head_of_government",
    "Wen Jiabao": "head_of_government", "Wang Yi": "foreign_minister", "Yang Jiechi": "foreign_minister",
    "Li Zhaoxing": "foreign_minister",
}  # fmt: skip


def load_real(path, shared) -> None:
    """AidData 2.x donor-recipient-year commitments, AidData's Chinese official finance projects and China Vitae
    engagements with the five countries, as core rows."""
    aid, china = (
        shared / "data/aiddata/aiddata2_flows_donor_recipient_year.csv",
        shared / "data/aiddata/china_official_finance_projects.csv",
    )
    vitae = shared / "data/chinavitae/china_leader_engagements_2003_2018.csv"
    con = duckdb.connect(str(path))
    for sid, loader in (
        ("real_aiddata", "aiddata_flows"),
        ("real_china", "aiddata_china"),
        ("real_vitae", "chinavitae"),
    ):
        con.execute("INSERT INTO core.sources (source_id, kind, publisher, title, citation, loaded_by) "
                    "VALUES (?, 'dataset', 'AidData / China Vitae', ?, ?, ?)", [sid, sid, sid, loader])  # fmt: skip
    con.execute(f"""INSERT INTO core.finance_flows BY NAME
        SELECT 'real:aid:' || row_number() OVER () AS fact_id, donor AS donor_iso3, recipient AS country_iso3,
               date AS year, 'development_finance' AS flow_class, 'commitment' AS measure, 'constant' AS price_basis,
               'USD' AS currency, sum_amount_usd_constant::DOUBLE AS amount_usd, count AS project_count,
               'AidData 2.x commitments' AS definition, 'real_aiddata' AS source_id, ['real_aiddata'] AS source_ids,
               'cited' AS citation_status, 'aiddata2' AS record
        FROM read_csv('{aid}') WHERE recipient IN {C5} AND length(donor) = 3 AND donor = upper(donor)""")
    con.execute(f"""INSERT INTO core.finance_flows BY NAME
        SELECT 'real:chn:' || project_id AS fact_id, 'CHN' AS donor_iso3, recipient_iso3 AS country_iso3, year,
               CASE flow_class WHEN 'ODA-like' THEN 'oda_like' WHEN 'OOF-like' THEN 'oof_like'
                    ELSE 'vague_official' END AS flow_class,
               'commitment' AS measure, 'constant' AS price_basis, 'USD' AS currency,
               coalesce(usd_defl, 0)::DOUBLE AS amount_usd, project_id::VARCHAR AS project_id,
               'AidData Chinese official finance' AS definition, 'real_china' AS source_id,
               ['real_china'] AS source_ids, 'cited' AS citation_status, 'aiddata_china' AS record
        FROM read_csv('{china}') WHERE recipient_iso3 IN {C5}""")
    levels = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in LEVELS.items())
    con.execute(f"""INSERT INTO core.leader_engagements BY NAME
        SELECT date AS engagement_date, year, leader, 'CHN' AS leader_iso3, CASE leader {levels} END AS level,
               CASE country WHEN 'Kazakhstan' THEN 'KAZ' WHEN 'Kyrgyzstan' THEN 'KGZ' WHEN 'Tajikistan' THEN 'TJK'
                    WHEN 'Turkmenistan' THEN 'TKM' ELSE 'UZB' END AS counterpart_iso3,
               CASE WHEN text LIKE '%travelled to%' THEN 'travel' WHEN text LIKE '%met with%' THEN 'meeting_at_home'
                    ELSE 'other' END AS kind, text, 'real_vitae' AS source_id, ['real_vitae'] AS source_ids,
               'cited' AS citation_status, 'chinavitae' AS record
        FROM read_csv('{vitae}')
        WHERE country IN ('Kazakhstan', 'Kyrgyzstan', 'Tajikistan', 'Turkmenistan', 'Uzbekistan')""")
    con.close()


@pytest.fixture(scope="module")
def real_db(tmp_path_factory, shared_dir):
    path = tmp_path_factory.mktemp("real") / "silkscope.duckdb"
    build(path)
    load_real(path, shared_dir)
    return path


def test_visit_model_runs_on_real_finance_and_states_its_caveats(real_db):
    bundle = visits_model("finance", ["JPN", "CHN", "KOR", "RUS", "USA"], since=2000, until=2017, db=real_db)
    panel_model, event_study = bundle.sections
    terms = {r["term"] for r in panel_model.rows}
    assert terms == {"leader_visits_to_country_lag1", "leader_visits_to_partner_lag1", "dialogue_meetings_lag1"}
    n_obs = int(panel_model.definitions["N"].split()[0])
    assert 100 <= n_obs <= 5 * 5 * 18  # partners with timeline coverage x C5 x years
    assert all(r["ci_low"] <= r["coef"] <= r["ci_high"] for r in panel_model.rows)
    assert any("reverse causality" in n for n in panel_model.notes)
    assert {s["source_id"] for s in panel_model.sources} >= {"real_aiddata", "real_china"}
    assert any(r["term"] == "event_t+0" for r in event_study.rows)


def test_china_vitae_travel_sits_beside_the_curated_visits(real_db):
    from silkscope.indicators.stored import panel

    result = panel(["CHN"], None, 2013, 2013, db=real_db)
    kaz = next(r for r in result.rows if r["country_iso3"] == "KAZ")
    assert kaz["leader_visits_to_country"] == 1  # Xi's September 2013 state visit (curated timeline)
    assert kaz["vitae_leader_travel_days"] >= 1  # the same trip as China Vitae records it, in its own column
