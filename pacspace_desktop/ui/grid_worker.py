"""The worker-thread side of a big edit in the import grid: its check, and what follows it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pacspace_desktop.importing import TableValidation
from pacspace_desktop.importing.validate import StagedRevalidation

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
    before: dict[int, tuple[str, int]]
    at: int = -1
    delta: int = 0
    removed: tuple[tuple[str, int], ...] = ()
    worked: object = None
WorkerHook = Callable[[StagedRevalidation, dict[int, tuple[str, int]]], object]


def loop_running() -> bool:
    """True on a running asyncio loop (then a big check can go to a worker)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def in_worker(validation: TableValidation, rows: list[int],
               progress: Callable[[int, int], None], before: dict[int, tuple[str, int]],
               follow: WorkerHook | None) -> tuple[StagedRevalidation, object]:
    """The staged check of `rows`, and what `follow` computes from it (in the worker)."""
    staged = validation.staged_revalidation(rows, progress)
    return staged, (follow(staged, before) if follow is not None else None)


def touches_totals(validation: TableValidation, changes: Sequence[Change]) -> bool:
    """True when an edit may change a row's account or bits (else they are as they are)."""
    plan = validation.plan
    sources = [plan.account_source, plan.bits_source]
    columns = {validation.table.column_index(c) for s in sources for c in s.columns()}
    if plan.signed:
        columns.add(validation.table.column_index(plan.sign_column))
    return any(column in columns for _r, column, _t in changes)


def accounts_and_bits(validation: TableValidation, rows: list[int]
                      ) -> dict[int, tuple[str, int]]:
    """Each row's account ID and bits as they are now (before an edit), at C speed for a
    plain account column: a big edit builds this on the Qt thread before its worker starts."""
    plan, bits = validation.plan, validation.bits
    source = plan.account_source
    if source.kind.value == "column":
        column = validation.table.column(source.value)
        accounts = list(map(column.__getitem__, rows))
        if not plan.mapping.trim_apostrophes or "\x1f'" not in "\x1f" + "\x1f".join(accounts):
            return dict(zip(rows, zip(accounts, map(bits.__getitem__, rows), strict=True),
                            strict=True))
    account = plan.account_at
    return {r: (account(r), bits[r]) for r in rows}
