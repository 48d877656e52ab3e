"""Search: states by any name the resolver knows, partners, measures, dialogue formats, events and sources, each
hit linking to the page that shows it; limits, totals and bad input."""

from __future__ import annotations

import pytest

from silkscope import warehouse
from silkscope.errors import SilkscopeError
from silkscope.search import search


@pytest.fixture(scope="module")
def con(built_db):
    c = warehouse.connect(built_db, read_only=True)
    yield c
    c.close()


def hits(result, kind):
    return next((g.hits for g in result.groups if g.kind == kind), [])


@pytest.mark.parametrize("query", ["Uzbekistan", "uzbek", "UZB", "Узбекистан"])
def test_a_state_by_any_name_links_to_its_country_page(con, query):
    found = hits(search(con, query), "countries")
    assert found and found[0].title == "Uzbekistan" and found[0].url == "/country/UZB"


@pytest.mark.parametrize(
    ("query", "title", "iso3"),
    [
        ("O'zbekiston", "Uzbekistan", "UZB"),
        ("Ozbekiston", "Uzbekistan", "UZB"),
        ("Qozog'iston", "Kazakhstan", "KAZ"),
        ("Qirgiziston", "Kyrgyzstan", "KGZ"),
        ("Tojikiston", "Tajikistan", "TJK"),
        ("Turkmaniston", "Turkmenistan", "TKM"),
    ],
)
def test_a_state_by_its_uzbek_latin_name(con, query, title, iso3):
    found = hits(search(con, query), "countries")
    assert found and found[0].title == title and found[0].url == f"/country/{iso3}"
    assert "matched" in found[0].detail


def test_partners_link_to_their_page_and_other_states_to_their_registry_row(con):
    korea = hits(search(con, "Korea"), "partners")
    assert [h.url for h in korea][:2] == ["/partner/KOR", "/tables/core.countries?country_iso3=PRK"]
    assert "matched" in korea[0].detail
    assert hits(search(con, "EU"), "partners")[0].url == "/partner/EUU"
    assert hits(search(con, "EU27"), "groups")[0].url == "/tables/core.country_group_members?group_id=EU27"


def test_a_dialogue_format_and_its_meetings(con):
    result = search(con, "C5+1")
    assert [h.url for h in hits(result, "formats")] == ["/tables/core.events?format_id=fmt_c5_plus_1"]
    events = hits(result, "events")
    assert events and all("C5+1" in h.title for h in events)
    assert all(h.url.startswith("/tables/core.events?event_id=ev_") for h in events)
    assert [h.detail[:10] for h in events] == sorted((h.detail[:10] for h in events), reverse=True)  # newest first


def test_measures_link_to_the_explorer(con):
    found = hits(search(con, "net ODA"), "measures")
    assert found[0].url == "/explore?measure=oda_net_disbursement_usd"
    assert "USD" in found[0].detail


def test_sources_by_publisher_title_or_id(con):
    wdi = hits(search(con, "World Bank"), "sources")
    assert wdi and all(h.url.startswith("/tables/core.sources?source_id=") for h in wdi)
    source_id = wdi[0].url.rsplit("=", 1)[1]
    by_id = hits(search(con, source_id), "sources")
    assert [h.url for h in by_id] == [wdi[0].url]


def test_words_match_the_start_of_words_only(con):
    # 'oda' names official development assistance; it must not find 'Today's Zaman'
    assert not any("Today" in h.detail for h in hits(search(con, "oda", limit=500), "sources"))
    assert search(con, "zzqx").groups == []


def test_limits_totals_and_chosen_kinds(con):
    full = search(con, "Uzbekistan", limit=500)
    short = search(con, "Uzbekistan", limit=3)
    for g in short.groups:
        whole = next(x for x in full.groups if x.kind == g.kind)
        assert len(g.hits) == min(3, whole.total) and g.total == whole.total and g.more == whole.total - len(g.hits)
    only = search(con, "Uzbekistan", kinds=["events"])
    assert [g.kind for g in only.groups] == ["events"]
    assert only.to_dict()["groups"][0]["total"] == only.groups[0].total


def test_short_and_bad_queries(con):
    assert search(con, "u").note and search(con, "u").groups == []
    assert search(con, "  ").groups == []
    with pytest.raises(SilkscopeError, match="at most 100 characters"):
        search(con, "x" * 101)
    with pytest.raises(SilkscopeError, match="kind: unknown 'bogus'"):
        search(con, "Uzbekistan", kinds=["bogus"])
    with pytest.raises(SilkscopeError, match="limit: expected 1 to 500"):
        search(con, "Uzbekistan", limit=0)


def test_sql_looking_text_is_a_value(con):
    assert search(con, "'); DROP TABLE core.events; --").total == 0
    assert search(con, "C5+1").total > 0  # the table is still there
