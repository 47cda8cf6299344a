"""The submission runner: records a run in the outbox, sends its requests, records every outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from pacspace_desktop.domain.catalogue import CatalogueEntry, OutcomeKind, entry
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.domain.wire import body_of, split_texts, texts_of
from pacspace_desktop.network.client import (
    Attempt,
    RetryWait,
    SendResult,
    SendTrace,
    Wait,
    WriteClient,
)
from pacspace_desktop.storage.errors import StorageError
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import FinalOutcome, NewRun
from pacspace_desktop.submission.failures import HistoryFailed as HistoryFailed  # re-exported
from pacspace_desktop.submission.failures import Stage as Stage  # re-exported
from pacspace_desktop.submission.outbox import OutboxWriter, forget


@dataclass(frozen=True, slots=True)
class RequestStarted:
    """A request is about to leave."""

    seq: int
    total: int
    items: int


@dataclass(frozen=True, slots=True)
class AttemptFinished:
    """An attempt of a request ended (there may be more)."""

    seq: int
    attempt: Attempt


@dataclass(frozen=True, slots=True)
class Waiting:
    """The runner waits before retrying a request."""

    seq: int
    wait: Wait


@dataclass(frozen=True, slots=True)
class RequestReport:
    """How one request of the run ended.

    Attributes:
        seq: 0-based position of the request in the run.
        submission_id: Its id in the history.
        items: The items it carried.
        kind: The outcome.
        state: The state its items now have.
        request_id: PacSpace's Request ID, when accepted.
        status_code: The last HTTP status.
        server_message: The server's own words.
        retry_at: When to try again (long rate-limit waits).
        attempts: How many attempts were made.
        fault: The item (0-based within the request) and field a 400 names.
    """

    seq: int
    submission_id: int
    items: tuple[WriteItem, ...]
    kind: OutcomeKind
    state: ItemState
    request_id: str | None = None
    status_code: int | None = None
    server_message: str = ""
    retry_at: datetime | None = None
    attempts: int = 0
    fault: tuple[int, str | None] | None = None

    @property
    def entry(self) -> CatalogueEntry:
        """The catalogue's words for this outcome."""
        return entry(self.kind)


RunEvent = RequestStarted | AttemptFinished | Waiting | RequestReport


@dataclass(frozen=True, slots=True)
class PreparedRun:
    """A run recorded in the outbox, ready to send: each request's submission id, items and
    the exact body the outbox keeps and the client sends."""

    run_id: int
    requests: list[tuple[int, list[WriteItem], str]]
EventHook = Callable[[RunEvent], None]


@dataclass(slots=True)
class RunReport:
    """How a whole run ended."""

    run_id: int
    requests: list[RequestReport] = field(default_factory=list)
    broke_off: str = ""  # why the run stopped early on its own (the history failed), in words

    def count(self, *states: ItemState) -> int:
        """Items in any of `states`."""
        return sum(len(r.items) for r in self.requests if r.state in states)

    @property
    def accepted(self) -> int:
        """Items PacSpace accepted."""
        return self.count(ItemState.ACCEPTED)

    @property
    def unknown(self) -> int:
        """Items whose outcome is unknown."""
        return self.count(ItemState.UNKNOWN)

    @property
    def rejected(self) -> int:
        """Items PacSpace refused (nothing written)."""
        return self.count(ItemState.REJECTED)

    @property
    def not_sent(self) -> int:
        """Items that never left (stop, cancel, an earlier request's failure)."""
        return self.count(ItemState.NOT_SENT)

    @property
    def exit_code(self) -> int:
        """0 all accepted, 3 some outcome unknown, 1 some rejected or not sent."""
        if self.unknown:
            return 3
        if self.rejected or self.not_sent:
            return 1
        return 0


class SubmissionRunner:
    """Sends one run at a time through a `WriteClient`, recording everything in a `HistoryStore`.

    Use `request_stop()` for a clean stop after the request in flight (what was not sent stays
    "not sent"), even before `run()` has begun; cancelling the task stops at once and records
    an in-flight request as "outcome unknown". One runner sends one run.
    """

    def __init__(self, store: HistoryStore, client: WriteClient,
                 limits: Limits = DEFAULT_LIMITS,
                 opener: Callable[[], HistoryStore] | None = None) -> None:
        """`opener` gives a new connection to `store`'s history: with it, the outbox writes
        run on a thread of their own (see `submission.outbox`)."""
        self._store = store
        self._opener = opener
        self._writer = OutboxWriter(store)
        self._client = client
        self._limits = limits
        self._stop = False
        self._waiter = RetryWait()

    def request_stop(self) -> None:
        """Send nothing more after the request in flight."""
        self._stop = True
        self._waiter.skip()

    def retry_now(self) -> None:
        """Cut the current wait before a retry short."""
        self._waiter.skip()

    def prepare(self, items: Sequence[WriteItem], run: NewRun, batch_size: int,
                resend: Collection[str] = (), store: HistoryStore | None = None
                ) -> PreparedRun:
        """Write each item's JSON once, split the requests, claim the keys and record the run.

        Needs no event loop: `run` does it on the outbox writer's thread and connection
        (`store`), so a 100,000-item run does not freeze the window.

        Raises:
            KeysClaimed: as `run`.
            HistoryFailed: the run could not be recorded; nothing was sent.
        """
        texts = texts_of(items)
        spans = split_texts(texts, batch_size, self._limits)
        batches = [list(items[start:end]) for start, end in spans]
        try:
            recorded = (store or self._store).record_run(
                run, batches, resend=resend,
                metadata=[[t.metadata for t in texts[start:end]] for start, end in spans])
        except StorageError as exc:
            raise HistoryFailed(exc, RunReport(0), Stage.RECORD, 0, len(batches)) from exc
        bodies = [body_of(texts[start:end]) for start, end in spans]
        return PreparedRun(recorded.run_id,
                           list(zip(recorded.submission_ids, batches, bodies, strict=True)))

    async def run(self, items: Sequence[WriteItem], run: NewRun, batch_size: int,
                  on_event: EventHook | None = None, resend: Collection[str] = (),
                  prepared: PreparedRun | None = None) -> RunReport:
        """Claim the keys and record the run in the outbox, then send it request by request.

        Stops early (the rest recorded as not sent) after an outcome the catalogue marks as
        stopping the run (401, 402, exhausted retries, a rate-limit wait too long to sleep...).

        Args:
            items: What to send (validated).
            run: Where it goes.
            batch_size: Items per request.
            on_event: Called with every `RunEvent`.
            resend: Keys a person chose to send again although they were sent before.
            prepared: The run as `prepare` recorded it already (then `items`, `run`,
                `batch_size` and `resend` are not used again).

        Raises:
            KeysClaimed: another send holds some keys, or they were sent before and are not in
                `resend`; nothing was recorded or sent (see `claim_refusal`).
            HistoryFailed: the history could not be written; the run stopped before anything
                more left (its `text` says what was sent and what to do).
        """
        emit = on_event or (lambda _event: None)
        self._writer = OutboxWriter(self._store, self._opener)
        try:
            if prepared is None:  # recorded where the run's other writes go, off this thread
                try:
                    prepared = await self._writer.later(
                        lambda store: self.prepare(items, run, batch_size, resend, store))
                except StorageError as exc:  # the writer's connection could not be opened
                    raise HistoryFailed(exc, RunReport(0), Stage.RECORD, 0, 0) from exc
            return await self._send_all(prepared, emit)
        finally:
            self._writer.close()

    async def _send_all(self, prepared: PreparedRun, emit: EventHook) -> RunReport:
        report = RunReport(prepared.run_id)
        pending = [(sub_id, batch) for sub_id, batch, _ in prepared.requests]
        bodies = [body for _, _, body in prepared.requests]
        ahead: asyncio.Future[None] | None = None  # this request's mark, made ahead
        for seq, (sub_id, batch) in enumerate(pending):
            if self._stop:
                self._take_back(ahead, sub_id)  # marked ahead, then a stop came: it never left
                self._settle_rest(pending[seq:], seq, report, emit,
                                  "You stopped sending before this request left.")
                break
            emit(RequestStarted(seq, len(pending), len(batch)))
            try:
                request, ahead = await self._send_one(seq, sub_id, batch, bodies, emit,
                                                      pending, ahead)
            except HistoryFailed as failed:
                self._broke_off(failed, seq, sub_id, batch, pending, report, emit)
                raise
            report.requests.append(request)
            emit(request)
            if request.entry.stops_run and seq + 1 < len(pending):
                self._take_back(ahead, pending[seq + 1][0])
                self._settle_rest(pending[seq + 1:], seq + 1, report, emit,
                                  f"Not sent, because the request before it ended with: "
                                  f"{request.entry.title}.")
                break
        return report

    def _take_back(self, ahead: asyncio.Future[None] | None, sub_id: int) -> None:
        """Undo the mark made ahead for a request that will not leave (after the writes
        asked for before it; a mark that failed needs no undoing)."""
        if ahead is not None:
            forget(ahead)
            self._writer.now(lambda store: store.unmark_sending(sub_id))

    async def _send_one(self, seq: int, sub_id: int, batch: list[WriteItem],
                        bodies: list[str], emit: EventHook,
                        pending: list[tuple[int, list[WriteItem]]],
                        ahead: asyncio.Future[None] | None
                        ) -> tuple[RequestReport, asyncio.Future[None] | None]:
        """Send one request; returns its report and the next request's mark, made while
        this one was on its way (None when there is no next one to mark).

        A request leaves only once its mark is on the disk; its outcome and attempts are
        recorded in one commit before the next request leaves.
        """
        writer = self._writer
        body = bodies[seq]
        try:
            if ahead is None:
                await writer.later(lambda store: store.mark_sending(sub_id, body))
            else:
                await ahead
        except StorageError as exc:  # nothing of this request has left
            raise HistoryFailed(exc, RunReport(0), Stage.BEFORE_SEND, seq,
                                len(pending)) from exc
        following: asyncio.Future[None] | None = None
        if seq + 1 < len(pending) and not self._stop:
            next_id, next_body = pending[seq + 1][0], bodies[seq + 1]
            following = writer.later(lambda store: store.mark_sending(next_id, next_body))
        trace = SendTrace()
        unlogged: list[Attempt] = []

        def on_attempt(attempt: Attempt) -> None:
            unlogged.append(attempt)  # written with the outcome, or before a wait
            emit(AttemptFinished(seq, attempt))

        def on_wait(wait: Wait) -> None:
            # An attempt that cannot be logged must not break the request on its way; the
            # outcome below is what matters, and its failure is reported.
            logged = list(unlogged)
            unlogged.clear()
            def log(store: HistoryStore) -> None:
                for attempt in logged:
                    store.record_attempt(sub_id, attempt)

            forget(writer.later(log))
            emit(Waiting(seq, wait))

        try:
            result = await self._client.send(
                batch, trace=trace, on_attempt=on_attempt, on_wait=on_wait,
                waiter=self._waiter, body=body)
        except asyncio.CancelledError:
            kind = OutcomeKind.CANCELLED_IN_FLIGHT if trace.in_flight else OutcomeKind.NOT_SENT
            rest = [s for s, _ in pending[seq + 1:]]

            def cancelled(store: HistoryStore) -> None:
                store.finish(sub_id, FinalOutcome(kind, server_message="Sending was stopped."),
                             unlogged)
                if rest:
                    store.unmark_sending(rest[0])  # marked ahead, never left
                store.finish_not_sent(rest, "You stopped sending before this request left.")

            if following is not None:
                forget(following)
            writer.now(cancelled)
            raise
        try:
            state = await writer.later(
                lambda store: store.finish(sub_id, _final(result), unlogged))
        except StorageError as exc:  # the request left and PacSpace answered
            if following is not None:
                forget(following)
                with suppress(StorageError):  # the next request does not leave
                    writer.now(lambda store: store.unmark_sending(pending[seq + 1][0]))
            raise HistoryFailed(exc, RunReport(0), Stage.AFTER_ANSWER, seq, len(pending),
                                result) from exc
        return self._report(seq, sub_id, batch, result, state), following

    def _broke_off(self, failed: HistoryFailed, seq: int, sub_id: int, batch: list[WriteItem],
                   pending: list[tuple[int, list[WriteItem]]], report: RunReport,
                   emit: EventHook) -> None:
        """Complete the report of a run the history stopped: what each request really did
        (an answer the history could not keep is still what PacSpace answered), the rest not
        sent. The report's `broke_off` says why, in words."""
        first_unsent = seq
        if failed.stage is Stage.AFTER_ANSWER and failed.answer is not None:
            answer = failed.answer
            told = RequestReport(
                seq, sub_id, tuple(batch), answer.kind, entry(answer.kind).item_state,
                answer.request_id, answer.status_code,
                "PacSpace answered, but the history could not record the answer.",
                answer.retry_at, len(answer.attempts), answer.fault)
            report.requests.append(told)
            emit(told)
            first_unsent = seq + 1
        self._settle_rest(pending[first_unsent:], first_unsent, report, emit,
                          "Not sent: the history could not be written.", history_failed=True)
        failed.report = report
        report.broke_off = failed.text

    @staticmethod
    def _report(seq: int, sub_id: int, batch: list[WriteItem], result: SendResult,
                state: ItemState) -> RequestReport:
        return RequestReport(seq, sub_id, tuple(batch), result.kind, state, result.request_id,
                             result.status_code, result.server_message, result.retry_at,
                             len(result.attempts), result.fault)

    def _settle_rest(self, rest: list[tuple[int, list[WriteItem]]], first_seq: int,
                     report: RunReport, emit: EventHook, message: str,
                     history_failed: bool = False) -> None:
        """Record and report the requests that will not be sent. After a history failure,
        recording them may fail too: they were not sent all the same (and a restart settles
        them as not sent)."""
        ids = [sub for sub, _ in rest]
        try:
            self._writer.now(lambda store: store.finish_not_sent(ids, message))
        except StorageError:
            if not history_failed:
                raise
        for offset, (sub_id, batch) in enumerate(rest):
            request = RequestReport(first_seq + offset, sub_id, tuple(batch),
                                    OutcomeKind.NOT_SENT, ItemState.NOT_SENT,
                                    server_message=message)
            report.requests.append(request)
            emit(request)


def _final(result: SendResult) -> FinalOutcome:
    return FinalOutcome(
        kind=result.kind, status_code=result.status_code, request_id=result.request_id,
        accepted_count=result.accepted.item_count if result.accepted else None,
        server_message=result.server_message, request_body=result.request_body,
        response_text=result.response_text, retry_at=result.retry_at)
