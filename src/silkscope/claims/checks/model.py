"""Causal claims about interaction and cooperation: still not checkable, but shown next to the visits model.

"A higher frequency of interaction results in more collaborative projects" is a judgement no figure settles. The
warehouse can say what the panel shows (an association under dyad and year fixed effects, with its pre-trend
reading), so a fact-checker sees the measurement beside the verdict instead of nothing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from silkscope.claims import plan as PL
from silkscope.claims.checks.base import Evidence
from silkscope.claims.extract import Claim
from silkscope.claims.plan import Context
from silkscope.errors import SilkscopeError

INTERACTION = re.compile(r"\b(interactions?|visits?|summits?|meetings?|dialogues?|contacts?|exchanges?)\b", re.I)
# The outcome a sentence speaks of -> the model's outcome; first match wins.
OUTCOMES = (
    ("projects", re.compile(r"\bprojects?\b|\bcollaborat|\bcooperat", re.I)),
    ("finance", re.compile(r"\b(aid|ODA|loans?|financ\w*|investments?)\b", re.I)),
    ("trade", re.compile(r"\btrade\b", re.I)),
)
FINANCE_CONNECTORS = ("aiddata_flows", "aiddata_china", "oecd_crs", "oecd_dac2a")


def outcome_of(text: str) -> str | None:
    """The model outcome a causal sentence about interaction is about, or None if it is not such a sentence."""
    if not INTERACTION.search(text):
        return None
    return next((name for name, pattern in OUTCOMES if pattern.search(text)), None)


def interaction_model(claim: Claim, ctx: Context) -> tuple[list[Evidence], str] | None:
    """Evidence from the visits model for a causal claim about interaction, and the sentence that reads it."""
    outcome = outcome_of(claim.text)
    if outcome is None:
        return None
    fitted = _cached_fit(ctx, outcome)
    command = f"silkscope model visits --outcome {outcome} (GET /api/models/visits?outcome={outcome})"
    if isinstance(fitted, str):
        return [], f" The visits model cannot be fitted on this warehouse ({fitted}); `{command}` once data is loaded."
    if fitted is None:
        return None
    row, title = fitted["row"], fitted["title"]
    reading = fitted["reading"].replace("in the outcome per unit", f"in {outcome} the next year per leader visit")
    pretrend = fitted["pretrend"]
    source = _outcome_source(fitted["sources"], ctx)
    evidence = Evidence(
        round(row["coef"], 3),
        "log points of the outcome per leader visit, the following year",
        _period(title),
        f"{fitted['specification']}; N: {fitted['N']}",
        source.get("source_id"),
        source.get("title"),
        source.get("url"),
        f"{command}; the panel's SQL is in its JSON output",
        "context",
        f"95% CI [{row['ci_low']:.3f}, {row['ci_high']:.3f}], p = {row['p_value']:.3f}; "
        f"{len(fitted['sources'])} sources behind the panel",
    )
    text = (
        f" What the warehouse shows instead (visits model, outcome {outcome}): {reading.split(': ', 1)[-1]}."
        + (f" Event study {pretrend}." if pretrend else "")
        + " An association under partner-country and year fixed effects, not a demonstration of cause."
    )
    return [evidence], text


# Fits shared across articles (a server checks many): keyed by the warehouse file's path, size and mtime.
_FITS: dict[tuple, Any] = {}


def _cached_fit(ctx: Context, outcome: str) -> Any:
    """The fit's summary: from this process, else from the fit store beside the user's cache (keyed by the
    warehouse file's version, so a rebuilt warehouse is refitted), else fitted now and stored. A cold check of an
    unchanged warehouse then neither refits the model nor imports the estimator."""
    key = ("visits_model", outcome)
    if key not in ctx._cache:
        stamp = _warehouse_stamp(ctx.con)
        shared = (stamp, outcome, ctx.as_of) if stamp else None
        if shared is not None and shared in _FITS:
            ctx._cache[key] = _FITS[shared]
        else:
            stored = _load_stored(shared) if shared else None
            ctx._cache[key] = stored if stored is not None else _summary(_fit(ctx, outcome))
            if shared is not None:
                if stored is None:
                    _store(shared, ctx._cache[key])
                if len(_FITS) > 32:
                    _FITS.clear()
                _FITS[shared] = ctx._cache[key]
    return ctx._cache[key]


FIT_STORE_VERSION = 3  # bump when _summary's fields or the model's wording change (3: terms said in words)


def _summary(fitted: Any) -> Any:
    """What the checker shows of a fit, as plain data (JSON-able): a reason string stays a string."""
    if isinstance(fitted, str):
        return fitted
    title, panel, event = fitted
    row = next((r for r in panel.rows if r["term"].startswith("leader_visits_to_country")), None)
    if row is None:
        return None
    return {
        "title": title,
        "row": {k: float(row[k]) for k in ("coef", "ci_low", "ci_high", "p_value")} | {"term": row["term"]},
        "reading": next((n for n in panel.notes if n.startswith(row.get("label") or row["term"])), ""),
        "pretrend": next((n for n in event.notes if n.startswith("pre-trend")), ""),
        "specification": panel.definitions["specification"],
        "N": panel.definitions["N"],
        "sources": [{"source_id": s["source_id"]} for s in panel.sources],
    }


def _store_path(shared: tuple) -> Path:
    import hashlib

    from platformdirs import user_cache_dir

    digest = hashlib.sha256(repr((FIT_STORE_VERSION, *shared)).encode()).hexdigest()[:24]
    root = Path(os.environ.get("SILKSCOPE_CACHE") or user_cache_dir("silkscope", appauthor=False))
    return root / "model_fits" / f"{digest}.json"


def _load_stored(shared: tuple) -> Any:
    try:
        return json.loads(_store_path(shared).read_text(encoding="utf-8"))["fit"]
    except (OSError, ValueError, KeyError):
        return None


def _store(shared: tuple, fit: Any) -> None:
    """Best effort: a read-only cache folder only costs the next run a refit."""
    path = _store_path(shared)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fit": fit}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def _warehouse_stamp(con) -> tuple | None:
    """The database file's path and version, or None for an in-memory database (never shared)."""
    from silkscope.warehouse import file_version

    rows = con.execute("PRAGMA database_list").fetchall()
    path = rows[0][2] if rows else None
    return (path, *file_version(path)) if path else None


# Where each outcome's series lives (a record counting its partner-state-years): a cheap count there spares building
# the panel when it cannot be fitted.
OUTCOME_TABLES = {"projects": "core.finance_flows", "finance": "core.finance_flows", "trade": "core.trade_flows"}
DYAD_YEARS = {"core.finance_flows": "finance_dyad_years", "core.trade_flows": "trade_dyad_years"}


def _fit(ctx: Context, outcome: str) -> Any:
    import numpy as np

    from silkscope.countries import C5
    from silkscope.indicators.tables import duckdb_tables
    from silkscope.stats.visit_effects import visits_model

    table = OUTCOME_TABLES[outcome]
    dyad_years = ctx.rows(PL.record(DYAD_YEARS[table], states=list(C5), until=ctx.as_of))[0]["dyad_years"]
    if dyad_years < 10:
        return f"{table} has {dyad_years} partner-country-years up to {ctx.as_of}; the model needs at least 10"
    try:
        bundle = visits_model(outcome, tables=duckdb_tables(con=ctx.con), until=ctx.as_of)
    except SilkscopeError as exc:
        return str(exc)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:  # a panel the estimator refuses (rank)
        return f"the estimator refused this panel: {str(exc).split('. ')[0]}"
    return bundle.title, bundle.sections[0], bundle.sections[1]


def _outcome_source(sources: list[dict[str, Any]], ctx: Context) -> dict[str, Any]:
    """The panel's outcome data source (a finance dataset when there is one), else its first source."""
    for s in sources:
        if ctx.source(s["source_id"]).get("loaded_by") in FINANCE_CONNECTORS:
            return s
    return sources[0] if sources else {}


def _period(title: str) -> list[int]:
    years = re.findall(r"(\d{4})-(\d{4})\s*$", title)  # "Leader visits and finance_projects, 1992-2018"
    return [int(years[0][0]), int(years[0][1])] if years else []
