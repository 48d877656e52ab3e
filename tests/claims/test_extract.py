"""Extraction: money, counts, changes, periods, entities and claim types, with spans into the plain text."""

from __future__ import annotations

import itertools

import pytest

from silkscope.claims.entities import find_mentions
from silkscope.claims.extract import TYPES, extract
from silkscope.claims.patterns import find_folds, find_money, find_percent


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("US$2.57 million", 2.57e6, "USD"),
        ("$3.2bn", 3.2e9, "USD"),
        ("¥130 million", 130e6, "JPY"),
        ("280 billion yen", 280e9, "JPY"),
        ("USD 1.5 billion", 1.5e9, "USD"),
        ("€50m", 50e6, "EUR"),
        ("1.98 billion US dollars", 1.98e9, "USD"),
        ("RMB 10 billion", 10e9, "CNY"),
        ("US$1,250,000", 1.25e6, "USD"),
    ],
)
def test_money(text, value, currency):
    (q,) = find_money(f"It was {text} in 2003.")
    assert q.value == pytest.approx(value) and q.unit == currency


def test_money_ignores_words_that_are_also_currencies():
    assert find_money("the sum of the parts") == []


def test_percent_and_folds():
    assert [q.value for q in find_percent("rose 20% and 7 per cent, then 12 percent")] == [20, 7, 12]
    folds = {
        q.raw.lower(): (q.value, q.qualifier)
        for q in find_folds("almost a hundredfold; tenfold; doubled; a 3-fold rise")
    }
    assert folds["hundredfold"] == (100, "almost")
    assert folds["tenfold"][0] == 10 and folds["doubled"][0] == 2 and folds["3-fold"][0] == 3


def test_entities_demonyms_leaders_formats_agencies_cities():
    mentions = find_mentions(
        "Koizumi met Uzbek and South Korean officials in Tashkent at the Central Asia Plus Japan Dialogue; "
        "JICA and China Eximbank lent to Kyrgyz firms; Nazarbayev University hosted Xi Jinping, not Xi'an."
    )
    got = {(m.kind, m.text): (m.iso3, m.name) for m in mentions}
    assert got[("person", "Koizumi")] == ("JPN", "Junichiro Koizumi")
    assert got[("country", "Uzbek")][0] == "UZB" and got[("country", "South Korean")][0] == "KOR"
    assert got[("city", "Tashkent")][0] == "UZB"
    assert got[("format", "Central Asia Plus Japan Dialogue")][1] == "fmt_ca_japan"
    assert got[("agency", "JICA")] == ("JPN", "jica") and got[("agency", "China Eximbank")] == ("CHN", "china_exim")
    assert ("person", "Nazarbayev") not in got  # a university, not the president
    assert got[("person", "Xi Jinping")][0] == "CHN" and got[("city", "Xi'an")][0] == "CHN"


def _one(text: str, **kw):
    claims = extract(text, **kw)
    assert len(claims) == 1, [(c.type, c.text) for c in claims]
    return claims[0]


def test_amounts_with_period_partner_scope_and_definition_words():
    text = (
        "Japan's ODA in Central Asia increased from US$2.57 million in 1993 to US$242.28 million in 2003: "
        "almost a hundredfold in 10 years. By 2003, Japan's accumulated bilateral ODA disbursements to Central "
        "Asian and Caucasus states had reached US$1.98 billion."
    )
    a, b, fold, cum = extract(text)
    assert (a.type, a.value, a.unit, a.period, a.partners, a.scope) == ("amount", 2.57e6, "USD", [1993], ["JPN"], "C5")
    assert a.text == "Japan's ODA in Central Asia increased from US$2.57 million in 1993"
    assert (b.text, b.period) == ("to US$242.28 million in 2003", [2003])
    assert (fold.type, fold.value, fold.qualifier, fold.extra["duration"]) == ("change", 100, "almost", 10)
    assert fold.text == "almost a hundredfold in 10 years"
    assert cum.scope == "C5_CAUCASUS" and cum.period_kind == "cumulative" and cum.extra["measure"] == "disbursement"
    for c in (a, b, fold, cum):
        assert text[c.start : c.end] == c.text
        assert c.entities[0] == "JPN"


def test_counts_bind_each_number_to_its_demonym():
    text = (
        "In 2016, there were only 18 Japanese companies operating in Uzbekistan, compared to 410 South Korean "
        "companies and 480 Chinese companies."
    )
    jp, kr, cn = extract(text)
    assert [c.partners for c in (jp, kr, cn)] == [["JPN"], ["KOR"], ["CHN"]]
    assert [c.value for c in (jp, kr, cn)] == [18, 410, 480]
    assert all(
        c.scope == "UZB" and c.period == [2016] and c.extra["kind"] == "companies_operating" for c in (jp, kr, cn)
    )
    assert jp.text == "In 2016, there were only 18 Japanese companies operating in Uzbekistan"
    assert kr.text == "compared to 410 South Korean companies" and cn.text == "and 480 Chinese companies"


def test_elided_count_shares_its_noun():
    _, c2 = [
        c
        for c in extract("Officials counted 812 enterprises with Chinese capital in 2018 and 1,927 in 2022.")
        if c.type == "count"
    ]
    assert (c2.value, c2.extra["kind"], c2.period, c2.partners) == (
        1927,
        "enterprises_with_foreign_capital",
        [2022],
        ["CHN"],
    )


def test_frequency_since_independence():
    c = _one(
        "Since the Central Asian countries gained independence from the Soviet Union, Japanese prime ministers have "
        "visited only twice."
    )
    assert (c.type, c.value, c.qualifier, c.partners) == ("frequency", 2, "exact", ["JPN"])
    assert c.levels == ("head_of_government",) and c.extra["window"][0] == 1991
    assert "RUS" not in c.entities  # "the Soviet Union" dates the period here; it is not an actor


def test_first_claim_and_event_claims():
    first = _one(
        "Koizumi became the first Japanese prime minister to visit Central Asia in an official capacity when he went "
        "to Uzbekistan and Kazakhstan in 2006."
    )
    assert (first.type, first.person, first.period, first.scope) == ("first_or_only", "Junichiro Koizumi", [2006], "C5")
    assert set(first.hosts) == {"UZB", "KAZ"}
    event = _one("Later, in August 2004, Japan launched the Central Asia Plus Japan Dialogue.")
    assert (event.type, event.period, event.month, event.format_id) == ("event", [2004], 8, "fmt_ca_japan")
    assert event.text.startswith("in August 2004")  # the discourse connector is not part of the claim


def test_ordinal_summit_is_an_event_with_its_venue():
    c = _one("The first Russia–Central Asia summit took place in Astana in October 2022.")
    assert (c.type, c.subtype, c.extra["ordinal"], c.format_id, c.extra["venues"]) == (
        "event", "ordinal", 1, "fmt_russia_ca", ["KAZ"]
    )  # fmt: skip


def test_pronoun_carries_the_leader():
    claims = extract("Vladimir Putin visited Uzbekistan in May 2000. His first visit to Kyrgyzstan came in 2002.")
    assert claims[-1].person == "Vladimir Putin" and claims[-1].type == "first_or_only"


def test_share_comparison_and_opinion():
    share = _one(
        "In a 2015 poll, 63% of respondents in four Central Asian states named Russia the most reliable country."
    )
    assert (share.type, share.value, share.partners, share.scope) == ("share", 63, ["RUS"], "C4_EXCL_TKM")
    comp = _one("Chinese-owned firms now outnumber Russian ones in Uzbekistan.")
    assert (comp.type, comp.partners) == ("comparison", ["CHN", "RUS"])
    op = _one("Moscow's war in Ukraine has pushed Central Asian governments towards China.")
    assert op.type == "opinion"


def test_text_after_further_reading_is_not_checked():
    claims = extract("Japan gave US$5 million in 2004.\n\nFurther Reading\n\nSmith, J. Aid, 2010, pp. 30-41.\n")
    assert len(claims) == 1


def test_spans_never_overlap_and_types_are_known():
    text = (
        "Russia's trade with Kazakhstan was worth about US$26 billion in 2022. Remittances rose from US$2.6 billion "
        "in 2021 to US$5.3 billion in 2022, a more than threefold increase. China and South Korea, whose leaders are "
        "frequent visitors to Central Asia, have demonstrated that a higher frequency of interaction results in more "
        "collaborative projects."
    )
    claims = extract(text)
    assert [c.type for c in claims] == ["amount", "amount", "amount", "change", "frequency", "opinion"]
    for a, b in itertools.pairwise(claims):
        assert a.end <= b.start
    assert all(c.type in TYPES and text[c.start : c.end] == c.text for c in claims)
    assert claims[3].qualifier == "more" and claims[0].qualifier == "about"


# --- real-text forms: dates without a year, numbers in words, other currencies, binding within the clause ---------


def test_dates_without_a_year_are_read_against_the_article_date():
    from datetime import date

    (c,) = extract("Mr Koizumi will fly to Tashkent on Tuesday.", published=date(2006, 8, 28))
    assert (c.period, c.month, c.day) == ([2006], 8, 29) and "Tuesday" in c.extra["date_read"]
    (c,) = extract("The leaders held their first summit with Central Asia on Friday.", published=date(2025, 4, 4))
    assert (c.period, c.month, c.day) == ([2025], 4, 4)  # a Friday's article: that Friday
    (c,) = extract("The forum was held in Seoul on Nov. 15.", published=date(2007, 11, 20))
    assert (c.period, c.month, c.day) == ([2007], 11, 15)
    (c,) = extract("Japan organized a seminar on Central Asia in Tokyo last July.", published=date(2007, 11, 20))
    assert (c.period, c.month) == ([2007], 7)
    (c,) = extract(
        "Japan organized a seminar on Central Asia in Tokyo last July.", published=date(2007, 11, 20), as_of=2010
    )
    assert c.period == [2010]  # --as-of moves the base to the end of that year


def test_numbers_in_words_and_other_forms():
    (c,) = extract("Six memorandums were signed in Tashkent in 2019.")
    assert (c.type, c.value, c.unit) == ("count", 6, "memorandums")
    (c,) = extract("The projects will cover twenty-five priority areas in Kazakhstan in 2012.")
    assert (c.type, c.value) == ("count", 25)
    (c,) = extract("Japan provided a third of the aid Kyrgyzstan received in 2010.")
    assert (c.type, c.subtype, round(c.value)) == ("share", "fraction", 33)
    (c,) = extract("Korea lent US$10-15 billion to Uzbekistan in 2019.")
    assert c.value == 12.5e9 and c.qualifier.startswith("range") and c.extra["range"] == [10e9, 15e9]


def test_currencies_are_never_assumed():
    (c,) = extract("Singapore pledged S$25 billion to Kazakhstan in 2019.")
    assert (c.value, c.unit) == (25e9, "SGD")
    (c,) = extract("The EU announced a 12 billion-euro ($13.2 billion) package for Central Asia in 2025.")
    assert (c.value, c.unit, c.extra["stated_usd"]) == (12e9, "EUR", 13.2e9)  # one claim, the conversion kept
    (c,) = extract("Kazakhstan spent 5 billion tenge on the project in 2020.")
    assert c.unit == "KZT"


def test_a_relative_clause_keeps_its_own_date_and_place():
    from datetime import date

    text = (
        "Gemba spoke after the fourth edition of the Central Asia plus Japan Dialogue, which started in Kazakhstan "
        "in 2004."
    )
    ordinal, launch = extract(text, published=date(2012, 11, 12))
    assert ordinal.subtype == "ordinal" and ordinal.period != [2004] and "KAZ" not in ordinal.extra.get("venues", [])
    assert launch.text.startswith("which started") and launch.period == [2004]


def test_the_leader_met_is_the_counterpart_not_the_visitor():
    from datetime import date

    text = (
        "Koizumi arrived in Kazakhstan. The Japanese premier is due to meet Kazakh President Nursultan Nazarbayev "
        "later in the day."
    )
    claims = extract(text, published=date(2006, 8, 28))
    meet = claims[-1]
    assert meet.person == "Junichiro Koizumi" and meet.extra.get("counterpart") == "Nursultan Nazarbayev"
    assert (meet.period, meet.day) == ([2006], 28)


def test_quotations_and_attributed_views_are_opinions():
    text = (
        "“We had frank discussions to help build a stronger, richer and more open Central Asia,” Gemba told reporters."
    )
    (c,) = extract(text)
    assert c.type == "opinion" and c.subtype == "quotation"


def test_a_statement_reported_from_others_is_not_part_of_the_claim_before_it():
    from datetime import date

    text = "The forum will be held in Tashkent on Friday and officials said the same format was used back in 2019."
    (c,) = extract(text, published=date(2023, 3, 14))
    assert c.text == "The forum will be held in Tashkent on Friday"
    assert c.period == [2023] and (c.month, c.day) == (3, 17)  # the Friday after the article, not 2019
    # Without a date of its own the clause is read as of the article's date; the reported statement, dated, is a
    # claim of its own and keeps its year.
    first, second = extract(
        "The forum will be held in Tashkent and sources said it had first met in 2019.", published=date(2023, 3, 14)
    )
    assert first.period == [2023] and first.extra.get("period_from_article")
    assert second.text.endswith("first met in 2019") and second.period == [2019]


@pytest.mark.parametrize(
    "text",
    [
        "In the first half of the year trade increased by another 16%.",
        "In the first quarter of 2023 exports rose by 7%.",
        "During the last half of the decade aid rose by 40%.",
    ],
)
def test_a_period_named_by_first_or_half_is_neither_a_first_claim_nor_a_share(text):
    types = [c.type for c in extract(text, as_of=2023)]
    assert types == ["change"], types


def test_half_of_something_is_still_a_share():
    assert [c.type for c in extract("Half of the aid went to Uzbekistan in 2010.", as_of=2012)] == ["share"]


def test_declared_that_is_reported_speech_not_an_event():
    claims = extract("Costa declared that “the European Union is eager to build a partnership”.", as_of=2025)
    assert [c.type for c in claims] == ["opinion"]
    assert [c.type for c in extract("The leaders declared 2025 the Year of Cooperation.", as_of=2025)] == ["event"]
