"""Every curated alias in registry/aliases.csv resolves to the country it names."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from silkscope.countries import resolve


def _aliases() -> list[dict[str, str]]:
    with resources.files("silkscope.registry").joinpath("aliases.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_alias_resolves_to_its_country():
    rows = _aliases()
    assert rows and all(set(row) == {"alias", "country_iso3", "kind"} for row in rows)
    wrong = [(row["alias"], row["country_iso3"], resolve(row["alias"])) for row in rows]
    assert [w for w in wrong if w[1] != w[2]] == []


def test_aliases_for_the_statistics_offices_are_there():
    # spellings of the Kazakh (Russian) and Kyrgyz (English) trade tables that pycountry's names do not cover
    kinds = {(row["alias"], row["country_iso3"], row["kind"]) for row in _aliases()}
    assert {
        ("Россия", "RUS", "name_ru"),
        ("Тайвань (Китай)", "TWN", "name_ru"),
        ("Eastern Samoa", "ASM", "name_en"),
    } <= kinds


@pytest.mark.parametrize(
    ("alias", "iso3"),
    [
        # Uzbek in Latin script, as Uzbek publishers and readers write it: with the apostrophe (ASCII, typographic or
        # the modifier letter pycountry uses), without it, and with the Turkic "Ö"
        ("O'zbekiston", "UZB"),
        ("O‘zbekiston", "UZB"),
        ("Oʻzbekiston", "UZB"),
        ("Ozbekiston", "UZB"),
        ("Özbekiston", "UZB"),
        ("O'zbekiston Respublikasi", "UZB"),
        ("Qozog'iston", "KAZ"),
        ("Qozogiston", "KAZ"),
        ("Qirg'iziston", "KGZ"),
        ("Qirgiziston", "KGZ"),
        ("Tojikiston", "TJK"),
        ("Turkmaniston", "TKM"),
    ],
)
def test_uzbek_latin_names_of_the_five_states(alias, iso3):
    assert resolve(alias) == iso3
    kinds = {(row["alias"], row["country_iso3"], row["kind"]) for row in _aliases()}
    if alias != "Oʻzbekiston":  # pycountry's own Uzbek translation; the other spellings are curated
        assert (alias, iso3, "name_uz") in kinds
