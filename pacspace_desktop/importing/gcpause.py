"""Pausing the cyclic garbage collector while a big table is built or checked.

Reading a million-row file creates millions of short-lived row lists and a few huge column
lists. None of them form reference cycles, so reference counting frees them; but every
collection the allocations trigger walks the growing columns (about 0.3 s per full pass over
a million rows, holding the GIL). The pause is process-wide, nests across threads, and ends
with the last paused call; cycles made elsewhere meanwhile are collected afterwards.
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
            if _depth == 0 and _was_enabled:
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
