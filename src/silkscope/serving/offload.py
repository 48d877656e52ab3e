"""Heavy work in worker processes: claim checks, model fits, library indicators; the server process stays free.

Threads alone do not keep the server responsive: a CPU-bound request holds the interpreter lock its threads share,
so with four checks or model fits computing, /api/health waited up to a second (bench/api_load.py --mixed). A
worker process has its own. Each worker keeps its own read-only connection between tasks and lets go of it, like
the served connection (serving/state.py), when a writer in another process waits for the file or after long
idleness. With no workers (the default of create_app; tests) a task runs on the calling thread, on the served
connection.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from silkscope.errors import SilkscopeError

WORKERS_ENV = "SILKSCOPE_API_WORKERS"
# A worker is replaced after this many tasks: memory a huge article took is given back to the system.
TASKS_PER_WORKER = 100
WORKER_NICENESS = 10  # lower priority than the server process (0): a runnable server thread gets the CPU first
# The work a worker may be asked to do: name -> "module:function" taking con= and keyword arguments.
TASKS = {
    "check_text": "silkscope.serving.checking:check_text_json",
    "check_upload": "silkscope.serving.checking:check_upload_json",
    "indicator": "silkscope.analysis.catalogue:run",
    "visits_model": "silkscope.analysis.catalogue:visits_model",
}
log = logging.getLogger("silkscope.api")


class WorkerDiedError(RuntimeError):
    """A worker process ended in the middle of a task (killed, out of memory): the pool is replaced."""


def _function(task: str):
    module, _, name = TASKS[task].partition(":")
    return getattr(importlib.import_module(module), name)


def _start_worker(parent: int) -> None:
    """Worker start: yield the CPU to the server process (its cheap requests must not wait behind a model fit on a
    2-core machine), stop with the server even when it is killed, and import what the tasks need."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)  # the server is gone: nobody will read the answer

    threading.Thread(target=watch, daemon=True).start()
    _warm()


_served: dict[str, Any] = {}  # in a worker: the warehouse it reads, per path (a serving.state.ServedWarehouse)


def _warehouse(path: str) -> Any:
    """In a worker: its own read-only connection to the warehouse, kept between tasks and let go of when a writer
    waits or after long idleness, like the server's (opening it per task cost tens of milliseconds and DuckDB's
    warm buffers)."""
    from silkscope.serving.state import ServedWarehouse

    if path not in _served:
        _served[path] = ServedWarehouse(path)
    return _served[path]


def _warm_indicators(path: str) -> None:
    """In a worker: every indicator once on the warehouse, so its statement is compiled before a request asks."""
    from silkscope.analysis.catalogue import warm
    from silkscope.serving import heap

    try:
        with _warehouse(path).read() as con:
            warm(con)
    except Exception:  # no warehouse yet: the first task reports it
        return
    heap.settle()


def _warm() -> None:
    """Import what the tasks need and initialise Ibis's DuckDB backend and SQL compiler once (a third of a second a
    process): the first heavy request then pays for its own work only."""
    for task in TASKS:
        _function(task)
    import duckdb
    import ibis
    import pandas  # noqa: F401  (DuckDB imports it on the first fetch)

    ibis.duckdb.from_connection(duckdb.connect()).con.execute("SELECT ?", [1]).fetchall()
    ibis.to_sql(ibis.table({"a": "int64"}, name="t").filter(ibis._.a > 1), dialect="duckdb")


def _work(path: str, task: str, kwargs: dict[str, Any]) -> tuple[str, Any]:
    """In the worker. Errors the user caused travel back as (class, message, attributes): not every SilkscopeError
    can be rebuilt from its message alone (UnknownCountryError keeps its near matches)."""
    try:
        with _warehouse(path).read() as con:
            return "ok", _function(task)(con=con, **kwargs)
    except SilkscopeError as exc:  # the task's, or the warehouse's (missing, locked by a writer)
        return "error", (type(exc), str(exc), dict(vars(exc)))
    except Exception:
        return "crash", traceback.format_exc()


def _rebuilt(cls: type[SilkscopeError], message: str, attrs: dict[str, Any]) -> SilkscopeError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(attrs)
    return exc


class Offload:
    """`run(task, con, **kwargs)`: in a worker process when there are workers, else here on `con`. `workers`: None
    takes $SILKSCOPE_API_WORKERS, else 0."""

    def __init__(self, path: Path, workers: int | None = None):
        if workers is None:
            workers = int(os.environ.get(WORKERS_ENV) or 0)
        self.path, self.workers = Path(path), max(0, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._warming: list[Any] = []
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a fork of a server with threads and an open DuckDB connection is not safe
                self._pool = ProcessPoolExecutor(
                    self.workers, multiprocessing.get_context("spawn"), initializer=_start_worker,
                    initargs=(os.getpid(),), max_tasks_per_child=TASKS_PER_WORKER,
                )  # fmt: skip
            return self._pool

    def start(self) -> None:
        """Start the workers now (server start-up), not on the first heavy request, and have each compile every
        indicator's statement on the warehouse (one warm-up task per idle worker: each takes one)."""
        if self.workers:
            pool = self._executor()
            self._warming = [pool.submit(_warm_indicators, str(self.path)) for _ in range(self.workers)]

    def warm(self) -> bool:
        """Whether the workers' start-up compiling is over (no workers: nothing to wait for)."""
        return all(f.done() for f in self._warming)

    def run(self, task: str, con: Any, **kwargs: Any) -> Any:
        if not self.workers:
            return _function(task)(con=con, **kwargs)
        pool = self._executor()
        try:
            status, value = pool.submit(_work, str(self.path), task, kwargs).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerDiedError(f"a worker process died during {task!r}; it has been replaced") from None
        if status == "ok":
            return value
        if status == "error":
            raise _rebuilt(*value)
        log.error("task %s failed in a worker:\n%s", task, value)
        raise RuntimeError(f"{task} failed in a worker process")

    def close(self) -> None:
        """Stop the workers now, tasks in progress included (the server is shutting down: nobody awaits them)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        # Then wait for the executor's manager thread (it sees its workers gone and ends): left running, CPython's
        # exit hook wakes it through a pipe shutdown(wait=False) already closed, and prints 'Bad file descriptor'.
        pool.shutdown(wait=True, cancel_futures=True)
