"""The outbox writes of one run, in order, on a thread of their own.

A request may leave only once its mark as sending is on the disk (a synced commit, see
`HistoryStore.mark_sending`). Made on the sending thread, that commit would sit between every
answer and the next request. Here the next request's mark is written on the writer's own
thread and connection while the current request is on its way, so the sync costs the run
nothing; SQLite lets other threads run while it writes.

The price is bounded and on the safe side: a run killed mid-way leaves at most two requests
marked as sending (the one on its way and the next, marked ahead), and each one so marked is
"outcome unknown" until a check on the server settles it, never sent again on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pacspace_desktop.storage.history import HistoryStore

T = TypeVar("T")
Job = Callable[[HistoryStore], T]


class OutboxWriter:
    """Runs a run's history writes one after another, in the order they were asked for.

    With an `opener` (a new connection to the same history) the writes run on one thread of
    their own; without one (a history in memory, which has no second connection) they run
    at once on the caller's thread, on `store`.
    """

    def __init__(self, store: HistoryStore,
                 opener: Callable[[], HistoryStore] | None = None) -> None:
        self._store = store
        self._opener = opener
        self._own: HistoryStore | None = None
        self._pool = (ThreadPoolExecutor(1, thread_name_prefix="outbox")
                      if opener is not None else None)

    def later(self, job: Job[T]) -> asyncio.Future[T]:
        """Start `job`; its result (or its error) comes with the returned future."""
        if self._pool is None:
            future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            try:
                future.set_result(job(self._store))
            except Exception as exc:  # noqa: BLE001 - handed to whoever awaits it
                future.set_exception(exc)
            return future
        return asyncio.wrap_future(self._pool.submit(self._call, job))

    def now(self, job: Job[T]) -> T:
        """Run `job` after everything asked for before it and wait for it (for the paths
        that cannot await: a cancelled run, a settled rest)."""
        if self._pool is None:
            return job(self._store)
        return self._pool.submit(self._call, job).result()

    def close(self) -> None:
        """Wait for what was asked for, then close the writer's connection."""
        if self._pool is None:
            return
        self._pool.submit(self._close_own).result()
        self._pool.shutdown(wait=True)

    def _call(self, job: Job[T]) -> T:
        if self._own is None:
            assert self._opener is not None
            self._own = self._opener()  # a StorageError here goes to the job's future
        return job(self._own)

    def _close_own(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


def forget(future: asyncio.Future[Any]) -> None:
    """Let `future`'s error go unsaid (a write whose failure the run reports another way)."""
    def consume(done: asyncio.Future[Any]) -> None:
        if not done.cancelled():
            done.exception()
    future.add_done_callback(consume)
