"""Sending a run from the form or the import grid, with progress, pause/stop, and outcomes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.claims import KeysClaimed
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.submission.refusals import claim_refusal
from pacspace_desktop.submission.runner import (
    AttemptFinished,
    HistoryFailed,
    RequestReport,
    RequestStarted,
    RunEvent,
    RunReport,
    SubmissionRunner,
    Waiting,
)

log = logging.getLogger(__name__)
BROKE_OFF = ("Sending broke off because of an unexpected error; the report shows what "
             "happened. Nothing more is sent. History shows what each request did.")

RESEND_HINT = ("To send keys that were sent before again, press Send again and tick them in the "
               "check before sending (keys another send holds right now are never sent).")


class SubmissionService(QObject):
    """Runs one submission at a time through the core `SubmissionRunner`.

    Signals:
        started(int, int): requests and items in the run.
        progress(int, int, int, int, float): requests done, requests in all, items done, items
            in all, and seconds left (estimate; -1 when not known yet).
        request_finished(object): a `RequestReport`.
        waiting(object): a `Waiting` event (a retry after a wait; for countdowns).
        attempt_finished(object): an `AttemptFinished` event.
        finished(object): the `RunReport` of a run that ran to its end or was stopped, or that
            the history stopped mid-way (then its `broke_off` says why, in words).
        failed(str): the run could not start or broke off; the text says what to do.
        refused(str): nothing was recorded or sent, because another send holds some of the keys
            (or they were sent before and not ticked to send again); the text names them.
    """

    started = Signal(int, int)
    progress = Signal(int, int, int, int, float)
    request_finished = Signal(object)
    waiting = Signal(object)
    attempt_finished = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    refused = Signal(str)

    def __init__(self, session: SessionService, store: HistoryStore,
                 limits: Limits = DEFAULT_LIMITS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._store = store
        self._limits = limits
        self._runner: SubmissionRunner | None = None
        self._task: asyncio.Task[RunReport | None] | None = None

    @property
    def busy(self) -> bool:
        """True while a run is under way."""
        return self._task is not None and not self._task.done()

    def submit(self, items: Sequence[WriteItem], source: str,
               resend: Collection[str] = ()) -> bool:
        """Start sending `items` (already validated and confirmed). False when it cannot start.

        `resend` names the keys the person ticked to send again although they were sent before.
        The keys are claimed when the run is recorded (in a worker); if another send holds
        some of them, `refused` says who, and nothing is sent.
        """
        if self.busy:
            self.failed.emit("A submission is still running. Wait for it to end or stop it.")
            return False
        profile = self._session.active_profile()
        client = self._session.write_client()
        if profile is None or client is None:
            status = self._session.key_status()
            self.failed.emit(f"Nothing was sent: there is no usable API key. {status.message} "
                             f"{status.action}".strip())
            return False
        key = self._session.api_key()
        run = NewRun(source=source, profile=profile.name,
                     environment=self._session.environment().value, base_url=client.base_url,
                     key_fingerprint=key.fingerprint if key else "")
        # the runner records the run and its outcomes on a connection and thread of its own
        self._runner = SubmissionRunner(self._store, client, self._limits, self._store.opener())
        batch = max(1, min(int(profile.batch_size), self._limits.max_items))
        self._task = start_task(self._run(list(items), run, batch, frozenset(resend)),
                                name="sending a run",
                                on_error=lambda _exc: self.failed.emit(BROKE_OFF))
        return True

    def stop(self) -> None:
        """Send nothing more after the request in flight (its outcome is still recorded)."""
        if self._runner is not None:
            self._runner.request_stop()

    def abort(self) -> None:
        """Stop at once; a request on its way is recorded as outcome unknown."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def retry_now(self) -> None:
        """Cut a wait before a retry short."""
        if self._runner is not None:
            self._runner.retry_now()

    async def _run(self, items: list[WriteItem], run: NewRun, batch: int,
                   resend: frozenset[str]) -> RunReport | None:
        total_items = len(items)
        total_requests = -(-total_items // batch)
        done = {"requests": 0, "items": 0}
        t0 = time.monotonic()

        def on_event(event: RunEvent) -> None:
            if isinstance(event, RequestStarted):
                return
            if isinstance(event, Waiting):
                self.waiting.emit(event)
            elif isinstance(event, AttemptFinished):
                self.attempt_finished.emit(event)
            elif isinstance(event, RequestReport):
                done["requests"] += 1
                done["items"] += len(event.items)
                elapsed = time.monotonic() - t0
                left = (elapsed / done["items"] * (total_items - done["items"])
                        if done["items"] else -1.0)
                self.request_finished.emit(event)
                self.progress.emit(done["requests"], total_requests, done["items"],
                                   total_items, left)
                self._session.note_last_request(datetime.now(UTC), event.state.label)

        self.started.emit(total_requests, total_items)
        self.progress.emit(0, total_requests, 0, total_items, -1.0)
        assert self._runner is not None
        try:
            # 100,000 items are a million objects: a full garbage collection walking them
            # holds the Qt thread 40-70 ms; nothing here makes reference cycles.
            with gc_paused():
                report = await self._runner.run(items, run, batch, on_event, resend)
        except KeysClaimed as exc:
            # Said once the run has ended, so that pages see `busy` False and free their
            # buttons: nothing was sent, the clerk may fix the batch and send again.
            asyncio.get_running_loop().call_soon(
                self.refused.emit, claim_refusal(exc.conflicts, RESEND_HINT))
            return None
        except HistoryFailed as exc:
            log.error("history could not be written (%s): %s", exc.error.fault, exc)
            if not exc.report.requests:  # nothing was sent at all
                asyncio.get_running_loop().call_soon(self.failed.emit, exc.text)
                return None
            # The run ends with what each request really did; `broke_off` carries the words.
            asyncio.get_running_loop().call_soon(self.finished.emit, exc.report)
            return exc.report
        self.finished.emit(report)
        return report
