"""Look-ups that hold for a warehouse file as long as it is unchanged (core/out schemas, out.panel's scope, the
coverage declaration, the sources table, the stored model fits), shared by every read-only connection to it.

A read-only connection is safe to remember: the file cannot change while one is open (a writer needs the file to
itself), and the key, the file's path, size and modification time, changes as soon as it does. A writable
connection gets a fresh memo every time: a writer may change anything at any time.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from pathlib import Path
from typing import Any

from silkscope import warehouse

_SHARED: dict[tuple, dict[str, Any]] = {}
_SHARED_MAX = 8
LOCK = threading.Lock()
# Per read-only connection, the memo found for it (by the statements run first): a request asks for its memo many
# times (each answer's sources, the coverage), and finding it is a statement of its own.
_FOUND: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


def read_only_memo(con: Any, before: str = "") -> dict[str, Any]:
    """The look-ups memo for `con`'s warehouse: shared by key (path, size and mtime of the file and its log) when
    `con` is read-only on a file; a fresh one otherwise. `before`: statements to run first, in the same call (once
    per connection: their settings stay with it)."""
    with LOCK:
        try:
            known = _FOUND.get(con, {})
        except TypeError:  # a connection that cannot be referred to weakly is never remembered
            known = {}
        found, plain = known.get(before), known.get("")
    if found is not None:
        return found
    if plain is not None and before:  # the memo is known (a served cursor): only the settings are new to it
        con.execute(before)
        with LOCK:
            _FOUND[con][before] = plain
        return plain
    mode, path = con.execute(
        f"{before}SELECT current_setting('access_mode'), "
        "(SELECT path FROM duckdb_databases() WHERE database_name = current_database())"
    ).fetchone()
    if mode != "read_only" or not path:
        return {}
    return _remember(con, (before,), Path(path))


def adopt(con: Any, path: Path, settled: tuple[str, ...] = ()) -> None:
    """`con` is a new cursor on a read-only connection to `path` (the server's): its memo is known without asking
    DuckDB, a statement saved on every cursor a request takes. `settled`: `before` statements already in effect on
    it (set globally on its connection), which read_only_memo then does not run."""
    _remember(con, ("", *settled), path)


def _remember(con: Any, befores: tuple[str, ...], path: Path) -> dict[str, Any]:
    resolved = path.resolve()
    key = (str(resolved), warehouse.file_version(resolved))
    with LOCK:
        if key not in _SHARED:
            if len(_SHARED) >= _SHARED_MAX:
                _SHARED.pop(next(iter(_SHARED)))
            _SHARED[key] = {"shared": True}
        memo = _SHARED[key]
        with contextlib.suppress(TypeError):  # a connection that cannot be referred to weakly: found again next time
            _FOUND.setdefault(con, {}).update(dict.fromkeys(befores, memo))
        return memo
