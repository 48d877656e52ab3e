"""Kept indicator plans: an indicator's Ibis expression built once per shape and reused for every scope.

Building an indicator's Ibis expression costs more Python than DuckDB spends running it (tens of milliseconds
against a few). Scope values (countries, partners, years) enter expressions as canonical parameters
(`Tables.bind`, `isin`, `between`), so two builds of one indicator with the same options for different scopes are
the same expression: only the values bound to its parameters differ. `planned(t, build, scope, **fixed)` keeps the
first build for its key and answers later scopes by binding their values to the kept expression's parameters,
without building.

Trust is earned, not assumed. A build that writes a scope value into the expression as a constant (a literal IN
list, a year plus one) gives another expression for other values, and must never be reused. So a kept expression
is reused for new values of an input only after a second build, for values that differed in that input, gave an
identical expression whose parameters took the same inputs' values (`Entry.proven`). Until then every request
builds, as before. Anything a build reads besides its arguments (the warehouse's partner universe, whether
out.panel holds the scope) must be one of its `fixed` arguments, which are part of the key. And a build must not
branch on a scope value (`if "CHN" in partners`), only on its shape (a list or None, empty, longer than an IN list
parameter takes), which is part of the key: two builds that happen not to take the branch cannot see it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from silkscope.indicators.tables import PARAM_LIST_MAX, Tables

PLANS_MAX = 512


@dataclass
class Entry:
    expr: Any
    binds: tuple[tuple[Any, str], ...]  # (parameter, the scope input whose value it takes)
    values: dict[str, Any]  # the scope of the first build (normalised)
    proven: set[str] = field(default_factory=set)  # inputs seen to vary with an identical expression
    reusable: bool = True


_PLANS: dict[tuple, Entry] = {}
_LOCK = threading.Lock()
STATS: Counter[str] = Counter()  # built / reused / refused: what tests and bench/first_call.py read


def clear() -> None:
    with _LOCK:
        _PLANS.clear()
        STATS.clear()


def _normal(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(value))
    return int(value)


def _shape(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):  # empty lists are literals, long ones IN lists (Tables.bind, Tables.isin)
        return ("list", not value, len(value) > PARAM_LIST_MAX)
    return "int"


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(_frozen(v) for v in value))
    return value


def planned(t: Tables, build: Callable[..., Any], scope: dict[str, Any], /, **fixed: Any) -> Any:
    """`build(t, **scope, **fixed)`, or the expression a proven earlier build of the same key returned, with this
    scope's values bound to its parameters. `scope`: the inputs that may vary between requests (lists of codes,
    years); `fixed`: everything else the build reads (options, and what the caller looked up in the warehouse)."""
    stamp = t.plan_stamp() if t.parameters else None  # the warehouse's table schemas, as a number
    if stamp is None or t._plan_prefix:  # Spark, literals, a writable connection; or inside another plan
        return build(t, **scope, **fixed)
    name = f"{build.__module__}.{build.__qualname__}"
    calls = t._plan_calls[name] = t._plan_calls.get(name, 0) + 1
    values = {k: _normal(v) for k, v in scope.items()}
    names = sorted(values)
    equal = tuple(
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if values[a] is not None and values[a] == values[b]
    )
    key = (name, calls, stamp, _frozen(fixed), tuple((k, _shape(values[k])) for k in names), equal)
    with _LOCK:
        entry = _PLANS.get(key)
    if entry is not None and entry.reusable:
        changed = {k for k in names if values[k] != entry.values[k]}
        if changed <= entry.proven:
            for param, source in entry.binds:
                t.bind_again(param, values[source])
            STATS["reused"] += 1
            return entry.expr
    expr, binds = _build(t, build, name, calls, scope, fixed, values)
    STATS["built"] += 1
    with _LOCK:
        entry = _PLANS.get(key)
        if entry is None:
            if len(_PLANS) >= PLANS_MAX:
                _PLANS.pop(next(iter(_PLANS)))
            _PLANS[key] = Entry(expr, binds, values, reusable=binds is not None)
        elif entry.reusable:
            same = binds is not None and _ops(binds) == _ops(entry.binds) and _op(expr) == _op(entry.expr)
            if same:
                entry.proven |= {k for k in names if values[k] != entry.values[k]}
            else:
                entry.reusable = False
                STATS["refused"] += 1
    return expr


def _op(expr: Any) -> Any:
    """The operation of an expression, or of each of a tuple of them (a plan may build several)."""
    return tuple(e.op() for e in expr) if isinstance(expr, tuple) else expr.op()


def _ops(binds: tuple[tuple[Any, str], ...]) -> tuple:
    return tuple((param.op(), source) for param, source in binds)


def _build(t: Tables, build: Callable[..., Any], name: str, calls: int, scope: dict, fixed: dict, values: dict):
    """Build with this plan's parameters named after it, and map each parameter bound to the scope input whose
    value it took (None: a value no input has, e.g. a year derived from one: not reusable)."""
    t._plan_prefix, t._recorded = f"{name}#{calls}:", []
    try:
        expr = build(t, **scope, **fixed)
        recorded = t._recorded
    finally:
        t._plan_prefix, t._recorded = "", None
    binds: dict[Any, tuple[Any, str]] = {}
    for param, value in recorded:
        source = next((k for k in sorted(values) if values[k] is not None and values[k] == _normal(value)), None)
        if source is None:
            return expr, None
        binds.setdefault((param.op(), source), (param, source))
    return expr, tuple(binds.values())
