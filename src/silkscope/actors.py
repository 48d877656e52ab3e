"""Actors below the state (aid agencies, state banks, multilaterals) and the resolver for their names."""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from silkscope.countries import normalise
from silkscope.errors import SilkscopeError


@dataclass(frozen=True)
class Actor:
    actor_id: str
    name: str
    kind: str  # aid_agency, state_bank, export_credit_agency, ministry, multilateral_bank, regional_organisation...
    country_iso3: str | None  # home state; None for multilaterals
    aliases: tuple[str, ...]
    url: str | None


class UnknownActorError(SilkscopeError, ValueError):
    def __init__(self, value: str, suggestions: list[str]):
        self.value, self.suggestions = value, suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else "; no close match is known"
        super().__init__(f"unknown actor {value!r}{hint}")


@cache
def actors() -> dict[str, Actor]:
    with resources.files("silkscope.registry").joinpath("actors.csv").open(encoding="utf-8", newline="") as fh:
        return {
            row["actor_id"]: Actor(
                row["actor_id"],
                row["name"],
                row["kind"],
                row["country_iso3"] or None,
                tuple(a for a in row["aliases"].split(";") if a),
                row["url"] or None,
            )
            for row in csv.DictReader(fh)
        }


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for actor in actors().values():
        for label in (actor.actor_id, actor.name, *actor.aliases):
            index.setdefault(normalise(label), actor.actor_id)
    return index


def resolve_actor(value: str) -> str:
    """actor_id for an actor's id, name or alias ('China Eximbank' -> 'china_exim'); near matches on failure."""
    key = normalise(value or "")
    if key in _index():
        return _index()[key]
    close = difflib.get_close_matches(key, list(_index()), n=5, cutoff=0.6)
    names = list(dict.fromkeys(f"{actors()[_index()[k]].name} ({_index()[k]})" for k in close))
    raise UnknownActorError(value, names)
