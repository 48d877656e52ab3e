"""Verdicts with evidence: the timeline, formats, company counts, finance under several definitions, arithmetic."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from silkscope.analysis.materialise import materialise
from silkscope.claims import check_text
from silkscope.claims.report import Report

CONTRACT = ("value", "unit", "period", "definition", "source_id", "source_title", "source_url", "query")


def _verdicts(report: Report) -> list[tuple[str, str]]:
    return [(c.claim.type, c.check.verdict) for c in report.claims]


def _assert_evidence(report: Report) -> None:
    """A verdict without evidence is a bug; every evidence row carries the contract's fields and its query."""
    for c in report.claims:
        assert c.check.evidence, f"{c.claim.id} {c.check.verdict} has no evidence"
        for e in c.check.evidence:
            d = e.to_dict()
            assert all(k in d for k in CONTRACT) and d["query"]
        if c.check.verdict == "unverifiable" and c.check.needs:
            assert "data" in c.check.needs and isinstance(c.check.needs["connectors"], list)


def check(text: str, db, **kw) -> Report:
    report = check_text(text, db=db, fmt="text", **kw)
    _assert_evidence(report)
    return report


def test_first_japanese_pm_visit(built_db):
    r = check(
        "Koizumi became the first Japanese prime minister to visit Central Asia in an official capacity when he went "
        "to Uzbekistan and Kazakhstan in 2006.",
        built_db,
        as_of=2018,
    )
    (c,) = r.claims
    assert c.check.verdict == "supported"
    assert any(e.value and "2006-08-28" in str(e.value) for e in c.check.evidence)
    assert "out.visits" in c.check.evidence[0].query and "'JPN'" in c.check.evidence[0].query


def test_only_twice_counts_trips_with_caveats(built_db):
    text = "Since the Central Asian countries gained independence, Japanese prime ministers have visited only twice."
    (c,) = check(text, built_db, as_of=2018).claims
    assert c.check.verdict == "supported"
    assert "2 trips (7 country-visits)" in c.check.explanation
    assert "cancelled" in c.check.explanation  # Kishida's Aug 2024 trip: the count did not change after 2018
    summary = c.check.evidence[0]
    assert (summary.value, summary.unit, summary.period) == (2, "trips", [1991, 2018])


def test_wrong_first_and_wrong_count(built_db):
    r = check(
        "Moon Jae-in became the first South Korean leader to visit Uzbekistan, in April 2019. "
        "Yoon Suk Yeol visited the region twice in 2024. "
        "Between 2000 and 2025 Russian presidents travelled to Central Asia only five times.",
        built_db,
        as_of=2025,
    )
    assert [v for _, v in _verdicts(r)] == ["contradicted", "contradicted", "contradicted"]
    assert "Roh Moo-hyun" in r.claims[0].check.explanation
    assert "lower bound" in r.claims[2].check.explanation  # Russia's leader travel is only partly recorded


def test_visits_and_formats(built_db):
    r = check(
        "The first China–Central Asia Summit was held in Astana in May 2023. The second summit followed in Astana in "
        "June 2025. No sitting US president has ever visited Central Asia. Barack Obama visited Kazakhstan in 2010. "
        "The first Korea–Central Asia summit was held in Seoul in 2025.",
        built_db,
        as_of=2025,
    )
    assert [v for _, v in _verdicts(r)] == ["contradicted", "supported", "supported", "contradicted", "contradicted"]
    assert "Xi'an" in r.claims[0].check.explanation and "postponed" in r.claims[4].check.explanation


def test_presence_definitions_give_imprecise_not_supported(built_db):
    r = check(
        "In 2016, there were only 18 Japanese companies operating in Uzbekistan, compared to 410 South Korean "
        "companies and 480 Chinese companies. At the start of 2018, 510 enterprises with South Korean capital were "
        "registered in Uzbekistan. By January 2022 the count had climbed to 1,200 enterprises with Korean capital.",
        built_db,
    )
    assert [v for _, v in _verdicts(r)] == ["imprecise", "imprecise", "imprecise", "supported", "contradicted"]
    jp = r.claims[0].check
    assert "2010" in jp.explanation and jp.evidence[0].value == 18 and jp.evidence[0].period == [2010]
    assert {e.unit for e in jp.evidence} >= {"enterprises_with_foreign_capital", "representative_offices"}


def test_internal_arithmetic_holds_even_when_inputs_are_unverifiable(built_db):
    r = check(
        "Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003: almost a "
        "hundredfold in 10 years. Korean-Uzbek trade grew from US$600 million in 2005 to US$2.1 billion in 2019, a "
        "tenfold increase.",
        built_db,
    )
    verdicts = _verdicts(r)
    # The arithmetic holds, but with no data endpoints it is marked as such and never shown as 'supported'.
    assert verdicts[:3] == [("amount", "unverifiable"), ("amount", "unverifiable"), ("change", "unverifiable")]
    assert verdicts[5] == ("change", "contradicted")
    fold = r.claims[2].check
    assert fold.mark == "arithmetic holds" and fold.explanation.startswith("Arithmetic only")
    assert fold.evidence[0].value == pytest.approx(94.27, abs=0.01) and fold.evidence[0].source_id == "article"
    assert r.claims[2].to_dict()["mark"] == "arithmetic holds" and r.claims[5].check.mark is None
    assert "oecd_dac2a" in r.claims[0].check.needs["connectors"]


def test_opinion_is_not_checkable_with_its_marker_as_evidence(built_db):
    (c,) = check("Korean investment has led to a boom in car manufacturing in the Fergana Valley.", built_db).claims
    assert c.check.verdict == "not_checkable" and "led to" in c.check.evidence[0].definition


def test_polls_investment_and_trade(built_db):
    r = check(
        "According to polls, Central Asian public opinion on Japanese engagement is overwhelmingly positive. "
        "In a 2015 poll, only 5% named Japan the most reliable country. "
        "China's stock of direct investment in Central Asia reached US$37.7 billion in 2024. "
        "Trade between Japan and Uzbekistan slipped to about US$190 million in 2014.",
        built_db,
        as_of=2018,
    )
    assert [v for _, v in _verdicts(r)] == ["supported", "contradicted", "contradicted", "supported"]
    assert "Turkmenistan not polled" in r.claims[0].check.explanation


# --- finance under several definitions: rows inserted as connectors would load them ------------------------------


@pytest.fixture
def finance_db(built_db, tmp_path):
    """A copy of the warehouse with finance rows in the shapes the connectors write (DAC2A-like, CRS-like, WDI)."""
    path = tmp_path / "finance.duckdb"
    shutil.copy(built_db, path)
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO core.sources (source_id, kind, publisher, title, url, citation, loaded_by) VALUES "
        "('oecd_dac2a_test', 'dataset', 'OECD', 'DAC Table 2a (test rows)', 'https://example.org/dac2a', 'OECD DAC2a', "
        "'oecd_dac2a'), ('oecd_crs_test', 'dataset', 'OECD', 'CRS (test rows)', NULL, 'OECD CRS', 'oecd_crs'), "
        "('wdi_test', 'dataset', 'World Bank', 'WDI (test rows)', NULL, 'WDI', 'wdi')"
    )
    rows = []
    # Net ODA disbursements 1993 (2.57m over two recipients) and 2003 (242.28m over five).
    for year, parts in (
        (1993, {"KGZ": 2.0e6, "KAZ": 0.57e6}),
        (2003, {"UZB": 120e6, "KAZ": 60e6, "KGZ": 40e6, "TJK": 20e6, "TKM": 2.28e6}),
    ):
        for iso3, amount in parts.items():
            rows.append(
                ("dac", "JPN", iso3, year, "oda_total", "disbursement_net", "current", amount, "oecd_dac2a_test")
            )
    # Commitments differ from disbursements (a different measure): CRS-like rows for 2003.
    for iso3, amount in {"UZB": 300e6, "KAZ": 100e6}.items():
        rows.append(("crs", "JPN", iso3, 2003, "oda_loan", "commitment", "current", amount, "oecd_crs_test"))
    for i, (prefix, donor, iso3, year, flow, measure, basis, amount, sid) in enumerate(rows):
        con.execute(
            "INSERT INTO core.finance_flows (fact_id, donor_iso3, country_iso3, year, flow_class, measure, "
            "price_basis, currency, amount_usd, definition, source_id, source_ids, citation_status, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?, [?], 'cited', 'test')",
            [f"{prefix}:{i}", donor, iso3, year, flow, measure, basis, amount, f"{prefix} test row", sid, sid],
        )
    materialise(con)  # as an ingest does: the checker reads finance from out.observations
    con.close()
    return path


def test_finance_supported_under_net_disbursements(finance_db):
    r = check(
        "Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003.", finance_db
    )
    assert [v for _, v in _verdicts(r)] == ["supported", "supported"]
    basis = r.claims[1].check.evidence[0]
    assert basis.role == "basis" and "disbursement_net" in basis.definition and basis.source_id == "oecd_dac2a_test"
    assert basis.value == pytest.approx(242.28e6)
    # The CRS-like commitment rows are shown too, as another definition (and incomplete: three states missing).
    assert any(
        "commitment" in e.definition and "without KGZ, TJK, TKM" in e.definition for e in r.claims[1].check.evidence
    )


def test_finance_stated_measure_contradicted_and_other_measure_imprecise(finance_db):
    r = check(
        "In 2003 Japan's ODA disbursements to Central Asia were US$150 million. "
        "Japan committed US$242.28 million of ODA to Central Asia in 2003.",
        finance_db,
    )
    assert [v for _, v in _verdicts(r)] == ["contradicted", "imprecise"]
    assert "different definition" in r.claims[1].check.explanation


def test_finance_region_mismatch_is_not_a_match(finance_db):
    # The rows cover the five Central Asian states only: a Central Asia + Caucasus total cannot be formed.
    (c,) = check("In 2003 Japan's ODA to Central Asia and the Caucasus was US$242.28 million.", finance_db).claims
    assert c.check.verdict in {"unverifiable", "imprecise"}
    assert any("without ARM, AZE, GEO" in e.definition for e in c.check.evidence)


def test_finance_pack_rows_c5_caucasus(built_db):
    (c,) = check(
        "Japan's bilateral ODA to Central Asia and the Caucasus reached US$290.91 million in 2004.", built_db
    ).claims
    assert c.check.verdict == "supported" and c.check.evidence[0].source_id == "src_mofa_jp_oda_wp_2005"
    (c,) = check("Japan's bilateral ODA to Central Asia reached US$290.91 million in 2004.", built_db).claims
    assert c.check.verdict == "imprecise"  # the figure is the eight-state total, not the five states'


def test_foreign_currency_needs_an_exchange_rate(built_db):
    (c,) = check("Japan pledged ¥130 million of aid to Kyrgyzstan in 2010.", built_db).claims
    assert c.check.verdict == "unverifiable" and "wdi" in c.check.needs["connectors"]


@pytest.mark.realdata
def test_seed_odas_with_real_aiddata_flows(shared_dir, built_db, tmp_path):
    from silkscope.ingest import fetch_source, ingest

    path = tmp_path / "aid.duckdb"
    shutil.copy(built_db, path)
    ingest("aiddata_flows", fetch_source("aiddata_flows", mirror=shared_dir / "data", cache_dir=tmp_path / "c"), path)
    r = check(
        "Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003: almost a "
        "hundredfold in 10 years.",
        path,
    )
    # AidData's commitments match neither endpoint under the claim's own definition: arithmetic only.
    assert [v for _, v in _verdicts(r)] == ["unverifiable", "unverifiable", "unverifiable"]
    assert r.claims[2].check.mark == "arithmetic holds"
    first = r.claims[0].check
    assert "commitment" in first.explanation and first.evidence[0].value == pytest.approx(60.70063e6)
    assert first.evidence[0].source_id.startswith("aiddata_flows_")


INTERACTION_CLAIM = (
    "Japanese studies have demonstrated that a higher frequency of interaction results in more collaborative projects."
)


def test_causal_claim_about_interaction_says_when_the_model_cannot_be_fitted(built_db):
    (c,) = check(INTERACTION_CLAIM, built_db).claims
    assert c.check.verdict == "not_checkable" and len(c.check.evidence) == 1
    expected = r"cannot be fitted on this warehouse \(core.finance_flows has \d partner-country-years up to \d{4}; "
    assert re.search(expected + r"the model needs at least 10\)", c.check.explanation)


@pytest.mark.realdata
def test_causal_claim_about_interaction_shows_the_visits_model(shared_dir, built_db, tmp_path):
    from silkscope.ingest import fetch_source, ingest

    path = tmp_path / "aid.duckdb"
    shutil.copy(built_db, path)
    ingest("aiddata_flows", fetch_source("aiddata_flows", mirror=shared_dir / "data", cache_dir=tmp_path / "c"), path)
    (c,) = check(INTERACTION_CLAIM, path, as_of=2018).claims
    assert c.check.verdict == "not_checkable"  # a model shows an association; it cannot demonstrate a cause
    text, model = c.check.evidence
    assert text.source_id == "article" and model.role == "context"
    assert model.period == [1992, 2018] and model.source_id.startswith("aiddata_flows_")
    assert "log(1 + finance_projects)" in model.definition and "dyad FE + year FE" in model.definition
    assert model.query.startswith("silkscope model visits --outcome projects")
    assert "What the warehouse shows instead (visits model, outcome projects)" in c.check.explanation
    assert "not a demonstration of cause" in c.check.explanation


def test_an_open_connection_can_be_reused_and_no_claims_is_fine(built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        report = check_text("The C5+1 format was launched in New York in September 2015.", con=con)
        assert [c.check.verdict for c in report.claims] == ["supported"] and report.warehouse == "<connection>"
        empty = check_text("Nothing here is a claim.", con=con)
        assert empty.claims == [] and "no claims found" in empty.to_table()
    finally:
        con.close()


def test_a_check_without_a_causal_claim_imports_no_estimator_and_no_pandas(built_db):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from silkscope.claims import check_text\n"
        "r = check_text('Barack Obama visited Kazakhstan in 2010. Koizumi went to Uzbekistan in August 2006.', "
        f"db={str(built_db)!r})\n"
        "assert r.claims, r\n"
        "print(sorted(m for m in ('linearmodels', 'pandas', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_queries_inline_their_parameters_as_escaped_literals():
    from silkscope.claims.plan import Query

    q = Query("SELECT ? AS a, ?::VARCHAR[] AS b, ? AS c", ["O'Brien", ["KAZ", "UZB"], None])
    assert q.inlined() == "SELECT 'O''Brien' AS a, ['KAZ', 'UZB']::VARCHAR[] AS b, NULL AS c"


def test_the_model_fit_summary_is_stored_and_reused(tmp_path, monkeypatch):
    from silkscope.claims.checks import model as VM

    monkeypatch.setenv("SILKSCOPE_CACHE", str(tmp_path))
    key = (("db", 1, 2), "projects", 2018)
    VM._store(key, "not enough data")
    assert VM._load_stored(key) == "not enough data"
    assert VM._load_stored((("db", 1, 3), "projects", 2018)) is None  # a changed warehouse is refitted


def test_hosting_a_summit_is_not_a_visit_and_format_aliases_name_formats(built_db):
    (hosted,) = check(
        "Prime Minister Sanae Takaichi hosted the first Central Asia plus Japan summit in Tokyo in December 2025.",
        built_db,
    ).claims
    assert hosted.claim.format_id == "fmt_ca_japan" and hosted.check.verdict == "supported"
    (visit,) = check("Sanae Takaichi visited Central Asia in December 2025.", built_db).claims
    assert visit.check.verdict == "contradicted" and "a summit hosted is not a visit" in visit.check.explanation
    (us,) = check("The US–Central Asia summit was held at the White House in November 2025.", built_db).claims
    assert us.claim.format_id == "fmt_c5_plus_1" and us.check.verdict == "supported"


def test_first_at_leader_level_is_the_first_leaders_meeting_of_the_format(built_db):
    from datetime import date

    from silkscope.claims import check_text

    text = (
        "Prime Minister Narendra Modi will host the first India-Central Asia Summit in a virtual format on January 27. "
        "This will be the first engagement of its kind between India and the Central Asian countries at the level "
        "of leaders."
    )
    r = check_text(f"Published: {date(2022, 1, 19)} | Title: t | URL: https://example.org\n\n{text}", db=built_db)
    first = r.claims[-1]
    assert first.claim.type == "first_or_only" and first.check.verdict == "supported"


def test_internal_arithmetic_is_supported_when_the_data_endpoints_fit_too(tmp_path):
    """With the embedded snapshot (WDI's net ODA by DAC donor), both endpoints verify under one definition and the
    data's own ratio (94.28x) fits 'almost a hundredfold': supported, with the data endpoints as its basis."""
    from silkscope.build import build

    path = tmp_path / "snap.duckdb"
    build(path)
    r = check(
        "Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003: almost a "
        "hundredfold in 10 years.",
        path,
    )
    fold = r.claims[2].check
    if r.claims[0].check.verdict != "supported":
        pytest.skip("the embedded snapshot does not hold Japan's net ODA for 1993")
    assert fold.verdict == "supported" and fold.mark is None and "data's own endpoints" in fold.explanation


def test_a_figure_of_another_scope_is_imprecise_not_contradicted_with_the_snapshot(tmp_path):
    """With WDI's net ODA loaded (the embedded snapshot), the eight-state total stated for the five states still
    matches the pack's Central Asia + Caucasus figure: imprecise, never a false contradicted."""
    from silkscope.build import build

    db = tmp_path / "snap.duckdb"
    assert build(db).snapshot_edition
    (c,) = check("Japan's bilateral ODA to Central Asia reached US$290.91 million in 2004.", db).claims
    assert c.check.verdict == "imprecise", c.check.explanation
    assert "another figure" in c.check.explanation and "wdi_ddf" in c.check.explanation


def test_an_amount_announced_at_a_summit_matches_the_amount_its_record_gives_in_that_currency(built_db):
    # The reference pack's record of the first EU–Central Asia summit (April 2025) names a EUR 12bn package.
    text = (
        "Published: 2025-04-05 | Title: A test brief\n\nAt the summit in Samarkand the European Commission announced a "
        "€12 billion package for transport, energy and water."
    )
    (c,) = check(text, built_db).claims
    assert (c.claim.unit, c.claim.value, c.check.verdict) == ("EUR", 12e9, "supported")
    assert c.check.evidence[0].unit == "EUR" and "EU-Central Asia Summit" in c.check.evidence[0].definition
    assert "not a disbursement" in c.check.explanation
    # Another amount is not that record's: the euro figure then needs an exchange rate, which is not loaded.
    (c,) = check(text.replace("€12 billion", "€20 billion"), built_db).claims
    assert c.check.verdict == "unverifiable" and "exchange rate" in c.check.explanation
    # The same figure in another currency is not the record's either: a currency is never assumed.
    (c,) = check(text.replace("€12 billion", "US$12 billion"), built_db).claims
    assert c.check.verdict != "supported"


def test_a_date_counted_from_another_named_event_in_the_timeline(built_db):
    head = "Published: 2022-09-05 | Title: A test brief\n\n"
    # The pack records the SCO summit in Samarkand from 15 Sep 2022 and Xi's visit to Kazakhstan on 14 Sep.
    (c,) = check(head + "Xi Jinping will visit Kazakhstan a day before the SCO Samarkand summit.", built_db).claims
    assert c.check.verdict == "supported" and (c.claim.period, c.claim.month, c.claim.day) == ([2022], 9, 14)
    assert "read as 2022-09-14" in c.claim.extra["date_read"]
    assert [e.role for e in c.check.evidence] == ["basis", "context"]  # the visit, then the event counted from
    # Another count of days, or another host, finds no such visit: unverifiable, never contradicted (which record
    # the text counts from is read, not stated).
    (c,) = check(head + "Xi Jinping will visit Kazakhstan two days before the SCO Samarkand summit.", built_db).claims
    assert c.check.verdict == "unverifiable" and "2022-09-13" in c.check.explanation
    (c,) = check(head + "Xi Jinping will visit Kyrgyzstan a day before the SCO Samarkand summit.", built_db).claims
    assert c.check.verdict == "unverifiable"  # Samarkand is the summit's place, not the visit's


def test_a_partners_own_first_summit_is_not_a_race_among_powers(built_db):
    text = (
        "Published: 2022-01-20 | Title: A test brief\n\nIndia's first summit with the Central Asian presidents, held "
        "online, is to take place next week."
    )
    (c,) = check(text, built_db).claims
    assert c.claim.type == "first_or_only" and c.check.verdict == "supported"
    assert "India" in c.check.explanation and "Turkic" not in c.check.explanation
