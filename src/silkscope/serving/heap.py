"""The warm-up's objects kept out of the cyclic garbage collector's way.

After the warm-up a server holds some 270,000 long-lived objects (modules, compiled templates and plans, the
search's look-ups, kept pages). Python's full collection walks them all: 160 ms, which fell on whichever request
happened to trigger it. Freezing them (gc.freeze, meant for this) leaves a full collection only what came later:
3 ms. Objects frozen are still freed by reference counting; only cycles among them would stay until `release`,
which the server calls when it stops (a process that goes on, such as the test suite, collects them then).
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect the warm-up's garbage, then freeze what survives. Returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def release() -> None:
    """Back under the collector: what was frozen can be collected again (an app stopped in a process that goes on)."""
    gc.unfreeze()
