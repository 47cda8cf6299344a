"""Letting go of a big table and its check piece by piece, so that no single step frees it all.

Dropping the last reference to a million-row table frees every cell, the findings and the key
index in one C call: 0.26 s on the thread that drops it, holding the GIL. `release_steps` takes
apart only what nobody else holds any more (its reference count says so): one attribute, or
one slice of a long list or dictionary, per step; the caller waits (or lets the event loop
run) between the steps. Whatever another object still holds is left alone and freed when that
one lets go.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

_PACKAGE = __name__.rpartition(".")[0]
_SLICE = 65_536  # items of a long list freed in one step
_ENTRIES = 8_192  # entries of a big dictionary freed in one step (each may free a tuple)
_OWNED = 2  # the caller's one reference, and getrefcount's argument


def _ours(value: object) -> bool:
    """True for an object of this package (a table, a check, a key index...)."""
    return type(value).__module__.startswith(_PACKAGE)


def _names(obj: object) -> list[str]:
    names = list(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names += [s for s in ((slots,) if isinstance(slots, str) else slots)
                  if s not in ("__dict__", "__weakref__") and s not in names]
    return names


def release_steps(parts: list[object]) -> Iterator[None]:
    """Free `parts` (the caller's only references: it keeps none of its own) step by step.

    Yields after each step; every step frees at most one attribute's value or `_SLICE` items
    of a list (a column). Objects still held elsewhere are only let go of.
    """
    while parts:
        obj = parts.pop()
        if sys.getrefcount(obj) > _OWNED:
            del obj  # held elsewhere: just let go
        elif isinstance(obj, dict) and len(obj) > _ENTRIES:
            pop = obj.popitem  # from the end: no emptied entries to skip at the start
            while obj:  # the findings of 700,000 rows: 0.1 s freed in one go
                for _ in range(min(_ENTRIES, len(obj))):
                    pop()
                yield
            del obj, pop
        elif isinstance(obj, list):
            while obj:  # the list of columns, a column, a key list: a slice at a time
                if isinstance(obj[-1], list):
                    parts.append(obj.pop())
                    break
                del obj[-_SLICE:]
                yield
            if obj:
                parts.append(obj)  # the rest, after the column just put aside
            del obj
        elif _ours(obj):
            for name in _names(obj):
                value = getattr(obj, name, None)
                try:
                    delattr(obj, name)
                except (AttributeError, TypeError):
                    continue
                if isinstance(value, list | dict) or _ours(value):
                    parts.append(value)  # taken apart in its turn (if nobody else holds it)
                    del value  # (else its reference counted as someone else's)
                else:
                    del value  # an array, a string...: freed in one go
                    yield
            del obj
        else:
            del obj
        yield
