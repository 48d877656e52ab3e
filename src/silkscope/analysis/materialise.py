"""Build the out.* tables from core.* inside the caller's transaction: out.visits, out.observations from every
entry of the measure catalogue, and out.panel (the indicators' dyad-year panel). Build, ingest and the snapshot
load call it, so derived rows never lag."""

from __future__ import annotations

from datetime import date

import duckdb

from silkscope.analysis.measures import FACETS, MEASURES
from silkscope.analysis.version import META_KEY, out_version
from silkscope.errors import SilkscopeError
from silkscope.indicators.stored import materialise_panel
from silkscope.indicators.tables import duckdb_tables
from silkscope.schema import VISITS_SQL
from silkscope.stats import stored_fits
from silkscope.warehouse import set_meta


def materialise(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace out.visits, out.observations and out.panel; returns rows per measure (family members counted apart).
    out.panel is built last: the panel reads core.* only, and the indicators read it instead of recompiling it."""
    # Stamped first: the fits below read out.panel, which is only read when stamped by this code (same transaction)
    set_meta(con, META_KEY, out_version())
    con.execute("DELETE FROM out.visits")
    con.execute(f"INSERT INTO out.visits {VISITS_SQL}")
    con.execute("DELETE FROM out.observations")
    facets = ", ".join(FACETS)
    for m in MEASURES:
        name = "d.measure" if m.family else f"'{m.name}'"
        values = ", ".join(f"d.{f}::{t}" if f in m.facets else f"NULL::{t}" for f, t in FACETS.items())
        con.execute(
            f"""INSERT INTO out.observations (measure, partner_iso3, country_iso3, year, value, unit, definition,
                   source_id, dataset, edition, {facets})
            SELECT {name}, d.partner_iso3, d.country_iso3, d.year::INTEGER, d.value::DOUBLE, '{m.unit}',
                   coalesce(d.definition, '{m.definition.replace("'", "''")}'), d.source_id, s.loaded_by, s.version,
                   {values}
            FROM ({m.sql}) d JOIN core.sources s USING (source_id)
            WHERE d.value IS NOT NULL AND isfinite(d.value::DOUBLE) AND d.country_iso3 IS NOT NULL
              AND s.superseded_at IS NULL"""
        )
    materialise_panel(con)
    store_defaults(con)  # the visits model's default fits, from the panel just written
    return dict(con.execute("SELECT measure, count(*) FROM out.observations GROUP BY 1 ORDER BY 1").fetchall())


def store_defaults(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Fit each outcome's default specification, for the five states and for each state alone
    (stored_fits.stored_scopes), on out.panel and store the answer, or why there is none (too few observations, not
    identified): the reason is an answer too. Returns the stored key -> 'fitted' or the reason."""
    from silkscope.stats.visit_effects import OUTCOMES, TooFewObservationsError, visits_model  # only when fitting

    con.execute(
        f"CREATE TABLE IF NOT EXISTS {stored_fits.TABLE} (model VARCHAR, spec VARCHAR, answer JSON, error VARCHAR, "
        "fitted_on DATE, PRIMARY KEY (model, spec))"
    )
    con.execute(f"DELETE FROM {stored_fits.TABLE}")
    tables = duckdb_tables(con=con, parameters=True)  # one compile serves every scope: the scope is a parameter
    done = {}
    for outcome in OUTCOMES:
        too_few = None
        for countries in stored_fits.stored_scopes():  # the five states first
            answer, error = None, too_few  # a state alone observes fewer than the five: nothing to fit either
            if too_few is None:
                try:
                    answer = visits_model(outcome, countries=countries, tables=tables, use_stored=False).to_json(
                        indent=None
                    )
                except TooFewObservationsError as exc:
                    error = str(exc)
                    too_few = error if countries is None else None
                except SilkscopeError as exc:
                    error = str(exc)
            key = stored_fits.default_key(outcome, countries)
            con.execute(
                f"INSERT INTO {stored_fits.TABLE} VALUES (?, ?, ?, ?, ?)",
                [stored_fits.MODEL, key, answer, error, date.today()],
            )
            done[key] = "fitted" if answer else error
    return done
