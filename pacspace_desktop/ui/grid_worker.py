"""The worker-thread side of a big edit in the import grid: its check, and what follows it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from pacspace_desktop.importing import TableValidation
from pacspace_desktop.importing.validate import StagedRevalidation

Change = tuple[int, int, str]
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
