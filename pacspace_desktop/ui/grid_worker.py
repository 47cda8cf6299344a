"""The Qt-free side of the import grid's edits: the worker-thread check of a big edit, what
follows it, and the row arithmetic of an edit (rows changed, view rows moved)."""

from __future__ import annotations

import asyncio
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter, lt
from typing import Any

from pacspace_desktop.importing import TableValidation
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.importing.release import release_steps
from pacspace_desktop.importing.validate import StagedRevalidation
from pacspace_desktop.services.tasks import start_task

Change = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class CellEdit:
    """What an edit changed, for the problems panel and the totals to follow incrementally.

    Attributes:
        rows: The rows whose cells were edited.
        affected: Rows whose problems may have changed (edited rows and rows sharing a key),
            numbered after the edit.
        before: For each edited row, its account ID and bits before the edit.
        at: For rows put in or taken out: the first such row; else -1.
        delta: Rows put in (> 0) or taken out (< 0) at `at`; 0 for an edit of cells.
        removed: For rows taken out, their account ID and bits (in order).
        worked: What the worker of a big edit computed for the panels that follow it (the
            totals' change), or None.
    """

    rows: tuple[int, ...]
    affected: tuple[int, ...]
    before: Mapping[int, tuple[str, int]]
    at: int = -1
    delta: int = 0
    removed: tuple[tuple[str, int], ...] = ()
    worked: object = None
Before = Mapping[int, tuple[str, int]]
"""Edited rows' account ID and bits before an edit."""
WorkerHook = Callable[[StagedRevalidation, Mapping[int, tuple[str, int]]], object]


def loop_running() -> bool:
    """True on a running asyncio loop (then a big check can go to a worker)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def let_go(parts: list[object]) -> None:
    """Free big lists (and objects of the importing package) that nobody else holds, a piece
    at a time with the event loop running between the pieces (at once without a loop): the
    250,000 changes of an undone replace, freed at once when the next step was pushed, held
    the Qt thread up to 0.2 s."""
    if not loop_running():
        parts.clear()
        return
    start_task(_release(parts), name="letting go of a big edit")


async def _release(parts: list[object]) -> None:
    for _step in release_steps(parts):
        await asyncio.sleep(0)


def in_worker(validation: TableValidation, rows: list[int],
               progress: Callable[[int, int], None], before: Before | BeforeLater,
               follow: WorkerHook | None) -> tuple[StagedRevalidation, object, Before]:
    """The staged check of `rows`, and what `follow` computes from it (in the worker).

    The cyclic collector is paused meanwhile: a full collection that the copies of the row
    state triggered walked the million-row table for 0.28 s holding the GIL (the Qt thread's
    longest stall of a replace in 249k cells)."""
    with gc_paused():
        if callable(before):
            before = before(rows)
        staged = validation.staged_revalidation(rows, progress)
        return staged, (follow(staged, before) if follow is not None else None), before


def in_worker_rows(validation: TableValidation, rows: list[int],
                   progress: Callable[[int, int], None], before: Before | BeforeLater,
                   follow: WorkerHook | None) -> Worked:
    """`in_worker`, with the rows first (as `written_in_worker` gives them)."""
    staged, worked, before = in_worker(validation, rows, progress, before, follow)
    return rows, staged, worked, before


_SLICE = 16_384  # cells read or written in one call: the GIL is held for the whole call,
# 2–4 ms at this size (a call over 250,000 cells held it 15–70 ms against the Qt thread)


def write_cells(columns: list[list[str]], changes: Sequence[Change],
                texts: Sequence[str] | None = None, old_out: list[str] | None = None) -> None:
    """Write each change's text (or `texts`, in order) into `columns`, at C speed for the
    changes of one column, a slice at a time (so that from a worker thread the Qt thread gets
    the GIL between slices); `old_out` first gets the texts written over, in order (every one
    read before any is written, so a cell named twice is undone exactly)."""
    slices = range(0, len(changes), _SLICE)
    if old_out is not None:
        for start in slices:
            part = changes[start:start + _SLICE]
            if len(set(map(itemgetter(1), part))) == 1:
                old_out += map(columns[part[0][1]].__getitem__, map(itemgetter(0), part))
            else:
                old_out += [columns[c][r] for r, c, _t in part]
    for start in slices:
        part = changes[start:start + _SLICE]
        new = (texts[start:start + _SLICE] if texts is not None
               else list(map(itemgetter(2), part)))
        if len(set(map(itemgetter(1), part))) == 1:
            deque(map(columns[part[0][1]].__setitem__, map(itemgetter(0), part), new),
                  maxlen=0)
        else:
            for (row, column, _t), text in zip(part, new, strict=True):
                columns[column][row] = text


Worked = tuple[list[int], StagedRevalidation, object, Before]
"""A big edit's rows, its staged check, what followed it in the worker, the rows before."""


def written_in_worker(validation: TableValidation, changes: Sequence[Change],
                      texts: Sequence[str] | None, old_out: list[str] | None,
                      progress: Callable[[int, int], None],
                      follow: WorkerHook | None) -> Worked:
    """A big edit made from start to end in the worker: its rows, their accounts and bits
    before it, the texts it writes over (into `old_out`), the cells, and then the staged
    check of `in_worker`. The Qt thread only locks the grid: collecting 250,000 old texts,
    the rows and their accounts and writing the cells took it 50–200 ms there."""
    with gc_paused():
        rows = rows_of(changes)
        before: Before = (accounts_and_bits(validation, rows)
                          if touches_totals(validation, changes) else {})
        write_cells(validation.table.columns, changes, texts, old_out)
        staged, worked, _b = in_worker(validation, rows, progress, before, follow)
        return rows, staged, worked, before


def rows_of(changes: Sequence[Change]) -> list[int]:
    """The changed rows, sorted, each once — at C speed, without a set when the changes come
    in row order (a replace in one column: 250,000 changes), a slice at a time."""
    rows: list[int] = []
    for start in range(0, len(changes), _SLICE):
        rows += map(itemgetter(0), changes[start:start + _SLICE])
    if all(all(map(lt, rows[start:start + _SLICE], rows[start + 1:start + _SLICE + 1]))
           for start in range(0, len(rows), _SLICE)):
        return rows
    return sorted(set(rows))


def moved_view(rows: list[int], at: int, delta: int, ascending: bool) -> list[int]:
    """The view rows (table rows in view order) after `delta` rows were put in (> 0) or taken
    out (< 0) at table row `at`; new rows appear where they were put, even if a filter would
    hide them."""
    if delta < 0:
        stop = at - delta
        return [r + delta if r >= stop else r for r in rows if not at <= r < stop]
    moved = [r + delta if r >= at else r for r in rows]
    new = list(range(at, at + delta))
    if ascending:
        i = bisect_left(moved, at)
    else:
        i = moved.index(at + delta) if at + delta in set(moved) else len(moved)
    moved[i:i] = new
    return moved


def filtered(columns: list[list[str]], rows: list[int] | None,
             filters: dict[int, str]) -> list[int] | None:
    """The rows (None: all) whose cell in each filtered column is the filter's value (trimmed
    and casefolded), at C speed."""
    for col, value in filters.items():
        cells = columns[col]
        wanted = {v for v in set(cells) if v.strip().casefold() == value}
        if rows is None:
            rows = list(compress(range(len(cells)), map(wanted.__contains__, cells)))
        else:
            rows = list(compress(rows, map(wanted.__contains__, map(cells.__getitem__, rows))))
    return rows


def by_bits(validation: TableValidation, rows: Sequence[int], descending: bool) -> list[int]:
    """Rows ordered by their amounts as numbers; the ones that are not amounts last."""
    bad = {p.row for p in validation.problems() if p.field == "bits"}
    good = [r for r in rows if r not in bad] if bad else list(rows)
    good.sort(key=validation.bits.__getitem__, reverse=descending)
    return good + [r for r in rows if r in bad]


def touches_totals(validation: TableValidation, changes: Sequence[Change]) -> bool:
    """True when an edit may change a row's account or bits (else they are as they are)."""
    plan = validation.plan
    sources = [plan.account_source, plan.bits_source]
    columns = {validation.table.column_index(c) for s in sources for c in s.columns()}
    if plan.signed:
        columns.add(validation.table.column_index(plan.sign_column))
    return any(not columns.isdisjoint(map(itemgetter(1), changes[start:start + _SLICE]))
               for start in range(0, len(changes), _SLICE))  # at C speed, a slice at a time


class RowsBefore(Mapping[int, tuple[str, int]]):
    """The edited rows' account IDs and bits before a big edit, kept as two flat columns
    (no tuple and no dict entry per row on the Qt thread: building those for 250,000 rows
    took 70–290 ms there, garbage collections included); a row is looked up by bisection."""

    __slots__ = ("_accounts", "_bits", "_rows")

    def __init__(self, rows: list[int], accounts: list[str], bits: array[int]) -> None:
        self._rows, self._accounts, self._bits = rows, accounts, bits

    def _at(self, row: int) -> int:
        i = bisect_left(self._rows, row)
        return i if i < len(self._rows) and self._rows[i] == row else -1

    def __getitem__(self, row: int) -> tuple[str, int]:
        i = self._at(row)
        if i < 0:
            raise KeyError(row)
        return self._accounts[i], self._bits[i]

    def get(self, row: int, default: Any = None) -> Any:
        i = self._at(row)
        return (self._accounts[i], self._bits[i]) if i >= 0 else default

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and self._at(row) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


BeforeLater = Callable[[list[int]], Before]


def before_later(validation: TableValidation) -> BeforeLater | None:
    """For a big edit: copies of the account column and the bits as they are now (two
    sequential copies, about 10 ms for a million rows, instead of picking 250,000 rows out
    of them on the Qt thread), and what makes the rows' accounts and bits from them in the
    worker. None when the account is not a plain column (then `accounts_and_bits`)."""
    plan = validation.plan
    source = plan.account_source
    if source.kind.value != "column":
        return None
    column, bits = validation.table.column(source.value)[:], array("q", validation.bits)
    trim = plan.mapping.trim_apostrophes

    def make(rows: list[int]) -> Before:
        accounts = list(map(column.__getitem__, rows))
        if trim and "\x1f'" in "\x1f" + "\x1f".join(accounts):  # as `plan.account_at`
            accounts = [t[1:] if t[:1] == "'" else t for t in accounts]
        return RowsBefore(rows, accounts, array("q", map(bits.__getitem__, rows)))

    return make


def accounts_and_bits(validation: TableValidation, rows: list[int]
                      ) -> Mapping[int, tuple[str, int]]:
    """Each row's account ID and bits as they are now (before an edit), at C speed for a
    plain account column: a big edit builds this on the Qt thread before its worker starts.

    `rows` is sorted."""
    plan, bits = validation.plan, validation.bits
    source = plan.account_source
    if source.kind.value == "column":
        column = validation.table.column(source.value)
        accounts: list[str] = []
        picked: array[int] = array("q")
        for start in range(0, len(rows), _SLICE):  # (a slice at a time: see `_SLICE`)
            part = rows[start:start + _SLICE]
            accounts += map(column.__getitem__, part)
            picked.extend(map(bits.__getitem__, part))
        if not plan.mapping.trim_apostrophes or "\x1f'" not in "\x1f" + "\x1f".join(accounts):
            return RowsBefore(rows, accounts, picked)
    account = plan.account_at
    return {r: (account(r), bits[r]) for r in rows}
