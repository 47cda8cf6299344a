"""Pausing the cyclic garbage collector while a big table is built or checked.

Reading a million-row file creates millions of short-lived row lists and a few huge column
lists. None of them form reference cycles, so reference counting frees them; but every
collection the allocations trigger walks the growing columns (about 0.3 s per full pass over
a million rows, holding the GIL). The pause is process-wide, nests across threads, and ends
with the last paused call.

When the last pause ends, every object then alive is frozen (`gc.freeze`, O(1)): the table just
built would otherwise sit in the youngest generation, and the first collection after the job
(of young objects, or a full one that a few thousand new widgets trigger) walked all of it,
0.15–0.25 s on whichever thread ran it, the Qt thread's longest stall when a million rows land,
when the next file opens, or after a big edit. Frozen objects are still freed by reference
counting (a table let go of is freed as before, see `release.py`); only a reference cycle among
them would stay, so the package builds its tables without cycles, and `thaw()` hands everything
frozen back to the collector once a table has been let go of (cycles made anywhere while a
job ran, which froze with it, are then collected; what is left alive is small by then).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (restored afterwards)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()  # what the job built (a table, a check) is never walked again
                if _was_enabled:
                    gc.enable()


def promote_young() -> None:
    """Collect the two young generations now, so that the containers just made age at once.

    Cheap (only recent objects are walked) while the new containers are still empty; once a
    table fills them, collections of young objects no longer walk their million entries (only
    rarer full collections do). Does nothing when the collector was switched off by the app.
    """
    with _lock:
        enabled = _was_enabled if _depth else gc.isenabled()
    if enabled:
        gc.collect(1)


def thaw() -> None:
    """Give everything frozen back to the cyclic collector (after a table was let go of)."""
    with _lock:
        if _depth == 0:  # a job running now freezes again when it ends
            gc.unfreeze()
