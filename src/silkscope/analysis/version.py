"""Which code wrote a warehouse's derived tables (out.*): a digest of the measure catalogue, the visits query and the
panel's modules, stored in core.meta by analysis.materialise. Light on purpose (no Ibis): the claim checker and
the server read it on every start to refuse derived tables another silkscope wrote, with the command that
rewrites them, instead of failing on a column that moved."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from silkscope.analysis.measures import MEASURES
from silkscope.errors import SilkscopeError
from silkscope.schema import VISITS_SQL

META_KEY = "out_version"


# The modules that define out.panel and the stored fits: a change to any of them makes the next build re-materialise.
PANEL_MODULES = (
    "indicators/panel.py",
    "indicators/stored.py",
    "indicators/flows.py",
    "indicators/events.py",
    "stats/visit_effects.py",
    "stats/stored_fits.py",
)


@cache
def out_version() -> str:
    """Changes when a measure's SQL, the visits query or the panel's code changes: a build then re-materialises."""
    here = Path(__file__).resolve().parents[1]
    panel_code = "".join((here / name).read_text(encoding="utf-8") for name in PANEL_MODULES)
    text = VISITS_SQL + "".join(f"{m.name}|{m.unit}|{m.sql}|{m.facets}" for m in MEASURES) + panel_code
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class StaleDerivedTablesError(SilkscopeError):
    """The warehouse's out.* tables were written by another version of silkscope."""


def check_current(con) -> None:
    """Raise StaleDerivedTablesError naming `silkscope build` when out.* were written by other code."""
    # The key inlined, not bound: DuckDB imports pandas to inspect bound parameters, and a cold check must not
    # pay for it (tests/claims/test_verify.py).
    row = con.execute(f"SELECT value FROM core.meta WHERE key = '{META_KEY}'").fetchone()
    if row is None or row[0] != out_version():
        raise StaleDerivedTablesError(
            "the warehouse's derived tables (out.*) were written by another version of silkscope: run "
            "`silkscope build` to rewrite them (the facts are kept)"
        )
