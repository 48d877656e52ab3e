"""Views on the reference pack, against values counted by hand from the cited timeline."""

from __future__ import annotations

import pytest

from silkscope import views
from silkscope.errors import SilkscopeError, UnknownCountryError, WarehouseMissingError


def _by_partner(result):
    return {row["partner_iso3"]: row for row in result.rows}


def test_japanese_pm_trips_to_central_asia_2000_2018(built_db):
    """The article's 'Japanese prime ministers have visited only twice': Koizumi 2006, Abe 2015."""
    rows = _by_partner(views.compare("C5", "JPN,CHN,KOR,RUS,USA", "leader_visits", 2000, 2018, db=built_db))
    assert rows["JPN"]["trips"] == 2
    assert rows["JPN"]["country_visits"] == 7  # KAZ+UZB in 2006, all five in 2015
    assert rows["JPN"]["years"] == [2006, 2015]
    assert str(rows["JPN"]["first_visit"]) == "2006-08-28"


def test_china_korea_russia_usa_leader_visits_2000_2018(built_db):
    rows = _by_partner(views.compare("C5", "JPN,CHN,KOR,RUS,USA", "leader_visits", 2000, 2018, db=built_db))
    # Hu 2003 KAZ, 2004 UZB, 2009 KAZ+TKM, 2010 UZB+KAZ; Xi 2013 TKM+KAZ+UZB+KGZ, 2014 TJK, 2015 KAZ,
    # 2016 UZB, 2017 KAZ
    assert (rows["CHN"]["trips"], rows["CHN"]["country_visits"]) == (9, 14)
    # Roh 2004 KAZ, 2005 UZB; Lee 2009 UZB+KAZ, 2011 UZB+KAZ; Park 2014 UZB+KAZ+TKM
    assert (rows["KOR"]["trips"], rows["KOR"]["country_visits"]) == (5, 9)
    # Putin 2000 UZB+TKM, 2002 KGZ, 2003 KGZ, 2004 TJK, 2012 UZB
    assert (rows["RUS"]["trips"], rows["RUS"]["country_visits"]) == (5, 6)
    assert rows["USA"]["trips"] == 0
    assert [
        r["partner_iso3"] for r in views.compare("C5", "JPN,CHN,KOR", "leader_visits", 2000, 2018, db=built_db).rows
    ] == ["CHN", "KOR", "JPN"]


def test_cancelled_and_virtual_events_are_not_visits(built_db):
    rows = _by_partner(views.compare("C5", "JPN", "leader_visits", 2024, 2024, db=built_db))
    assert rows["JPN"]["trips"] == 0  # Kishida's August 2024 trip was cancelled
    inbound = _by_partner(views.compare("C5", "CHN", "inbound_visits", 2022, 2022, db=built_db))
    assert inbound["CHN"]["inbound_visits"] == 0  # the January 2022 China–CA summit was virtual


def test_inbound_visits_to_japan_count_a_summit_trip_once(built_db):
    rows = _by_partner(views.compare("C5", "JPN", "inbound_visits", 2000, 2025, db=built_db))
    # Karimov 2002, 2011; Bakiyev 2007; Nazarbayev 2008, 2016 (2019 as former president excluded);
    # G. Berdimuhamedov 2013, 2019; Rahmon 2018; Mirziyoyev 2019; Japarov 2023; S. Berdimuhamedov 2025-04;
    # December 2025: the five presidents, each once although they also attended the summit
    assert rows["JPN"]["inbound_visits"] == 16


def test_compare_summary_has_a_row_per_partner_with_sources(built_db):
    result = views.compare("C5", "JPN,CHN,KOR", "all", 2000, 2025, db=built_db)
    rows = _by_partner(result)
    assert rows["JPN"]["formats"].startswith("Central Asia + Japan Dialogue (2004)")
    assert rows["KOR"]["formats"].startswith("Korea–Central Asia Cooperation Forum (2007)")
    assert rows["CHN"]["presence"] == "812 enterprises with foreign capital (UZB)"  # 2018, as for Japan
    assert str(rows["JPN"]["presence_as_of"]) == "2018-07-01"
    assert all(r["source_ids"] for r in result.rows)
    cited = {s["source_id"] for s in result.sources}
    assert all(set(r["source_ids"]) <= cited for r in result.rows)
    assert "SELECT" in result.query


def test_partners_outside_the_timeline_are_not_zero(built_db):
    result = views.compare("C5", "DEU,JPN", "all", 2000, 2025, db=built_db)
    rows = _by_partner(result)
    assert rows["DEU"]["leader_trips"] is None  # member states' leaders are outside the timeline
    assert any("DEU" in note and "not covered" in note for note in result.notes)


def test_eu_turkiye_and_india_are_covered_with_their_periods(built_db):
    result = views.compare("C5", "TUR,IND,EUU", "all", 2000, 2025, db=built_db)
    rows = _by_partner(result)
    assert rows["IND"]["leader_trips"] >= 8 and rows["TUR"]["leader_trips"] >= 15 and rows["EUU"]["leader_trips"] >= 6
    assert rows["IND"]["inbound_leader_visits"] >= 10
    # Turkic Council / OTS summits are the format's meetings, never Erdogan's visits
    assert rows["TUR"]["format_meetings"] >= 15 and "Organization of Turkic States" in rows["TUR"]["formats"]
    (note,) = [n for n in result.notes if n.startswith("Curated timeline coverage")]
    assert "India: leader visits to the five states 2000-2026 complete" in note
    assert "Türkiye: leader visits to the five states 2000-2008 partial" in note


def test_profile_sections_and_sources(built_db):
    bundle = views.profile("Uzbekistan", "Japan,ROK,PRC", db=built_db)
    sections = {s.title: s for s in bundle.sections}
    visits = _by_partner(sections["Leader-level visits by partner to the scope"])
    assert visits["JPN"]["country_visits"] == 2  # Koizumi 2006, Abe 2015
    assert visits["KOR"]["country_visits"] == 6
    presence = sections["Presence: companies, joint ventures, offices"].rows
    assert {(r["partner_iso3"], r["count"]) for r in presence} >= {("JPN", 18), ("KOR", 510), ("CHN", 812)}
    for section in bundle.sections:
        for row in section.rows:
            if "source_id" in row:
                assert row["source_id"] in {s["source_id"] for s in section.sources}


def test_profile_keeps_claims_out_of_measured_presence(built_db):
    """The article's '18 Japanese companies in 2016' is a claim, not a measurement."""
    bundle = views.profile("UZB", "JPN", db=built_db)
    presence = next(s for s in bundle.sections if s.title.startswith("Presence"))
    assert all(r["as_of"].year != 2016 for r in presence.rows)


def test_timeline_filters(built_db):
    result = views.timeline("JPN", "KAZ", since=2000, db=built_db)
    titles = [r["title"] for r in result.rows]
    assert any("Koizumi" in t and "Kazakhstan" in t for t in titles)
    assert all("JPN" in r["visitor_iso3"] + r["host_iso3"] for r in result.rows)
    assert all("KAZ" in r["visitor_iso3"] + r["host_iso3"] for r in result.rows)
    dates = [r["date_start"] for r in result.rows]
    assert dates == sorted(dates)
    leaders = views.timeline("JPN", "C5", since=2000, until=2018, leaders_only=True, db=built_db)
    assert {r["visitor_person"] for r in leaders.rows if r["visitor_iso3"] == ["JPN"]} == {
        "Junichiro Koizumi",
        "Shinzo Abe",
    }


def test_sources_view_counts_citations(built_db):
    rows = views.sources(db=built_db).rows
    by_id = {r["source_id"]: r for r in rows}
    assert by_id["src_compiler_assertion"]["cited_by_rows"] == 9  # 9 events (the EU and India formats are cited now)
    assert by_id["src_dadabaev_2018"]["kind"] == "publication"
    assert all(r["sha256"] for r in rows if r["kind"] == "curated_file")


def test_unknown_country_and_indicator_errors(built_db):
    with pytest.raises(UnknownCountryError, match="Uzbekistan"):
        views.profile("Uzbekstan", db=built_db)
    with pytest.raises(SilkscopeError, match="unknown indicator"):
        views.compare("C5", "JPN", "gdp", db=built_db)
    with pytest.raises(SilkscopeError, match="since 2020 is after --until 2000"):
        views.compare("C5", "JPN", "all", 2020, 2000, db=built_db)


def test_missing_warehouse_says_how_to_build(tmp_path):
    with pytest.raises(WarehouseMissingError, match="silkscope build"):
        views.sources(db=tmp_path / "nope.duckdb")


def test_side_by_side_cells_compare_the_same_kind_and_year(built_db):
    """Company counts side by side share one kind and year (2018 exists for all three partners in Uzbekistan)."""
    result = views.compare("UZB", "JPN,CHN,KOR", "all", db=built_db)
    years = {r["partner_iso3"]: r["presence_as_of"].year for r in result.rows if r["presence_as_of"]}
    assert set(years) == {"JPN", "CHN", "KOR"} and len(set(years.values())) == 1, years
    kinds = {r["presence"].split(" (")[0].split(" ", 1)[1] for r in result.rows if r["presence"]}
    assert len(kinds) == 1, kinds
    assert not any("differs" in (r["presence"] or "") for r in result.rows)


@pytest.mark.parametrize(
    ("country", "partners", "since", "until"),
    [("C5", None, None, None), ("KAZ", "JPN,CHN,RUS", 2001, 2015), ("TJK,KGZ", "KOR,USA,TUR", None, 2012)],
)
def test_profile_and_summary_from_the_same_statements_equal_each_asked_apart(built_db, country, partners, since, until):
    import duckdb

    with duckdb.connect(str(built_db), read_only=True) as con:
        bundle, summary = views.profile_and_summary(country, partners, since, until, con=con)
        assert summary == views.compare(country, partners, "all", since, until, con=con)  # its own statements
    assert summary.rows and any(s.rows for s in bundle.sections) and len(bundle.sections) == 13


def test_a_finance_cell_under_another_definition_says_what_differs_in_words():
    rows = [
        {"partner_iso3": "JPN", "dataset": "aiddata_flows", "flow_class": "development_finance",
         "measure": "commitment", "price_basis": "constant", "base_year": None, "first_year": 1992,
         "last_year": 2009, "amount_usd": 3e9},
        {"partner_iso3": "CHN", "dataset": "aiddata_china", "flow_class": "oda_like", "measure": "commitment",
         "price_basis": "constant", "base_year": 2017, "first_year": 2000, "last_year": 2017, "amount_usd": 6e9},
    ]  # fmt: skip
    common = views._common_finance(rows, ["JPN", "CHN"])
    _, differs = views._comparable_finance(rows, "CHN" if common[0] == "development_finance" else "JPN", common)
    assert differs and "_" not in differs, differs  # "development finance (all classes)", not development_finance
