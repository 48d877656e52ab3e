import pytest

from silkscope.countries import (
    group_for_members,
    near_matches,
    normalise,
    resolve,
    resolve_dac,
    resolve_list,
    resolve_scope,
)
from silkscope.errors import UnknownCountryError


@pytest.mark.parametrize(
    ("value", "iso3"),
    [
        ("Kyrgyz Republic", "KGZ"),
        ("Kirghizia", "KGZ"),
        ("Kyrgyzstan", "KGZ"),
        ("the Kyrgyz Republic", "KGZ"),
        ("Turkmenia", "TKM"),
        ("Turkmenistan", "TKM"),
        ("Republic of Korea", "KOR"),
        ("ROK", "KOR"),
        ("South Korea", "KOR"),
        ("Korea, Rep.", "KOR"),
        ("PRC", "CHN"),
        ("People's Republic of China", "CHN"),
        ("China", "CHN"),
        ("Russian Federation", "RUS"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("U.S.", "USA"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Turkiye", "TUR"),
        ("EU", "EUU"),
        ("European Union", "EUU"),
        ("India", "IND"),
        ("Japan", "JPN"),
        ("uzbekistan", "UZB"),
        ("UZBEKISTAN", "UZB"),
        ("Republic of Uzbekistan", "UZB"),
        ("Kazakhstan", "KAZ"),
        ("Tajikistan", "TJK"),
        # codes of every issuer
        ("UZB", "UZB"),
        ("uz", "UZB"),
        ("860", "UZB"),
        ("398", "KAZ"),
        # adjectives and demonyms, as articles write them
        ("Japanese", "JPN"),
        ("Uzbek", "UZB"),
        ("South Korean", "KOR"),
        ("Chinese", "CHN"),
        ("Kazakh", "KAZ"),
        ("Kyrgyz", "KGZ"),
        ("Tajik", "TJK"),
        ("Turkmen", "TKM"),
    ],
)
def test_resolve_aliases(value, iso3):
    assert resolve(value) == iso3


def test_unknown_name_lists_near_matches():
    with pytest.raises(UnknownCountryError) as info:
        resolve("Uzbekstan")
    assert "Uzbekistan (UZB)" in info.value.suggestions
    assert "Uzbekstan" in str(info.value) and "did you mean" in str(info.value)


def test_unknown_name_without_near_match_says_so():
    with pytest.raises(UnknownCountryError, match="no close match"):
        resolve("Qqqqqqq")


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_is_an_error(value):
    with pytest.raises(UnknownCountryError):
        resolve(value)


def test_normalise_strips_accents_punctuation_and_article():
    assert normalise("The Kyrgyz Rep.") == "kyrgyz rep"
    assert normalise("Türkiye") == "turkiye"


def test_groups():
    assert resolve_scope("C5") == ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    assert resolve_scope("Central Asia") == resolve_scope("C5")
    assert len(resolve_scope("C5_CAUCASUS")) == 8
    assert "TKM" not in resolve_scope("C4_EXCL_TKM")
    assert len(resolve_scope("EU27")) == 27
    assert "JPN" in resolve_scope("DAC") and "KOR" in resolve_scope("DAC") and "CHN" not in resolve_scope("DAC")
    assert resolve_scope("Uzbekistan;Kazakhstan") == ("UZB", "KAZ")
    assert group_for_members(["UZB", "KAZ", "KGZ", "TJK", "TKM"]) == "C5"


def test_resolve_list_keeps_order_and_dedupes():
    assert resolve_list("Japan, ROK,PRC,JPN") == ["JPN", "KOR", "CHN"]


def test_dac_codes():
    assert resolve_dac(617) == "UZB"
    assert resolve_dac("701") == "JPN"
    assert resolve_dac(742) == "KOR"


def test_near_matches_for_misspelling():
    assert near_matches("Kirgyzstan")[0] == "Kyrgyzstan (KGZ)"
