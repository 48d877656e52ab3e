import pytest

from silkscope.actors import UnknownActorError, actors, resolve_actor


@pytest.mark.parametrize(
    ("value", "actor_id"),
    [
        ("JICA", "jica"),
        ("Japan International Cooperation Agency", "jica"),
        ("KOICA", "koica"),
        ("China Eximbank", "china_exim"),
        ("Export-Import Bank of China", "china_exim"),
        ("ADB", "adb"),
        ("World Bank", "world_bank"),
        ("IDA", "world_bank"),
        ("EBRD", "ebrd"),
        ("AIIB", "aiib"),
        ("TİKA", "tika"),
        ("Turkic Council", "ots"),
    ],
)
def test_resolve_actor(value, actor_id):
    assert resolve_actor(value) == actor_id


def test_unknown_actor_lists_near_matches():
    with pytest.raises(UnknownActorError) as info:
        resolve_actor("Korea Exim Bank")
    assert any("kexim" in s for s in info.value.suggestions)


def test_actors_have_home_states_except_multilaterals():
    for actor in actors().values():
        if actor.kind.startswith(("multilateral", "regional")):
            assert actor.country_iso3 in (None, "EUU"), actor.actor_id  # the EIB is the EU's own bank
        else:
            assert actor.country_iso3, actor.actor_id
