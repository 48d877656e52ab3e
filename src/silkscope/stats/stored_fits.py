"""The visits model's default fits, stored in out.model_fits when the facts change (analysis.materialise writes
them with its `store_defaults`) and read back on request: the dashboard's model page and the API answer the
specifications their forms offer without refitting them (and without importing the estimator) on every request.

Stored: each outcome's default specification (every tracked partner, 1992 to the build's year, lag 1, window 3) for
the five states together and for each state alone, the scopes the model page's country menu offers. Any other
specification is fitted on request, as before. A stored answer is used only while out.panel is current (the same
fact counts), so it never outlives the facts it was fitted on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from silkscope.errors import SilkscopeError
from silkscope.result import Bundle, Result

TABLE = "out.model_fits"
MODEL = "visits"
DEFAULT_LAG, DEFAULT_WINDOW = 1, 3


def spec_key(outcome: str, partners, countries, since: int, until: int, lag: int, window: int) -> str:
    """One text per specification: what a stored fit is looked up by."""
    return json.dumps([outcome, sorted(partners), sorted(countries), since, until, lag, window])


def default_key(outcome: str, countries: Sequence[str] | None = None) -> str:
    """The default specification's key, for the five states (`countries` None) or the states named."""
    from silkscope.indicators.tables import in_scope

    partners, chosen, lo, hi = in_scope(None, countries, None, None)
    return spec_key(outcome, partners, chosen, lo, hi, DEFAULT_LAG, DEFAULT_WINDOW)


def stored_scopes() -> list[list[str] | None]:
    """The country scopes whose default specification is stored: the five states (None), then each state alone."""
    from silkscope.countries import C5

    return [None, *([state] for state in C5)]


def load(t: Any, key: str) -> Bundle | None:
    """The stored answer for this specification when out.panel is current; raises the stored reason when the fit
    was impossible; None when nothing is stored (fit it)."""
    from silkscope.indicators.stored import stored_scope

    if t.engine != "duckdb" or not t.has_table("out", "model_fits") or stored_scope(t) is None:
        return None
    found = _stored(t).get(key) if t.memo.get("shared") else _one(t, key)
    if found is None:
        return None
    answer, error = found
    if error is not None:
        raise SilkscopeError(error)
    data = json.loads(answer)
    return Bundle(data["title"], [Result(**section) for section in data["sections"]], data.get("notes", []))


def _stored(t: Any) -> dict[str, tuple[str | None, str | None]]:
    """Every stored fit by key, read once per warehouse version on a read-only connection (t.memo is shared: the
    server's): a few MB of JSON text, so that a page asking for any state's default fit runs no statement."""
    if "model_fits" not in t.memo:
        rows = t.query(f"SELECT spec, answer, error FROM {TABLE} WHERE model = ?", [MODEL])
        t.memo["model_fits"] = {spec: (answer, error) for spec, answer, error in rows}
    return t.memo["model_fits"]


def _one(t: Any, key: str) -> tuple[str | None, str | None] | None:
    found = t.query(f"SELECT answer, error FROM {TABLE} WHERE model = ? AND spec = ?", [MODEL, key])
    return tuple(found[0]) if found else None
