"""Starting every asyncio task through one helper, so that no error in a task goes unseen.

A bare `asyncio.ensure_future` keeps its exception inside the task: nothing reports it until
the task is garbage-collected ("Task exception was never retrieved"), and a page waiting for a
signal that never comes stays on "Sending…". `start_task` keeps a reference to every task it
starts and, when one ends with an exception, first lets the caller put its page right
(`on_error`, e.g. emit `failed`) and then hands the exception to `sys.excepthook` — in the app,
the one hook that logs it and shows the copyable crash report.

Used by the services and by the pages (`ui` may import `services`); it imports no Qt.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

ErrorHandler = Callable[[BaseException], None]

_RUNNING: set[asyncio.Task[Any]] = set()
"""Every task started and not yet ended: asyncio itself keeps only weak references."""


def start_task(work: Coroutine[Any, Any, T], *, name: str = "",
               on_error: ErrorHandler | None = None) -> asyncio.Task[T]:
    """Start `work` on the running loop and report an exception that escapes it.

    Args:
        work: A coroutine to run as a task.
        name: What the task does, for the log and the crash report.
        on_error: Called with the exception before it goes to `sys.excepthook`, so the
            owner can leave its busy state ("Sending…") and say that the work broke off.
            An exception raised by `on_error` itself is reported too.

    Returns:
        The task; cancel it to stop the work (a cancellation is not reported).
    """
    task = asyncio.ensure_future(work)
    if name:
        task.set_name(name)
    _RUNNING.add(task)

    def finished(done: asyncio.Task[T]) -> None:
        _RUNNING.discard(done)
        if done.cancelled():
            return
        exc = done.exception()
        if exc is None:
            return
        if on_error is not None:
            try:
                on_error(exc)
            except Exception as handler_exc:  # noqa: BLE001 - reported below, never lost
                report(handler_exc, f"{name or 'task'}: while reporting an error")
        report(exc, name)

    task.add_done_callback(finished)
    return task


def report(exc: BaseException, what: str = "") -> None:
    """Hand an exception to `sys.excepthook` (the app's crash report), logging it first."""
    log.error("unexpected error in %s: %s: %s", what or "a task", type(exc).__name__, exc)
    sys.excepthook(type(exc), exc, exc.__traceback__)


def running_tasks() -> int:
    """How many tasks started here have not ended yet (for tests and shutdown)."""
    return len(_RUNNING)
