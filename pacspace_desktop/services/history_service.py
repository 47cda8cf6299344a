"""The History page's service: filter state, crash recovery, checks on the server, CSV export."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.catalogue import entry
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.reads import ReadResult
from pacspace_desktop.services.history_checks import (
    MAX_RATE_RETRIES,
    CheckReport,
    ItemCheck,
    ResubmitPlan,
    check_record,
    resolution,
    retry_after_seconds,
    settle_of,
    stop_words,
)
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.errors import storage_error
from pacspace_desktop.storage.export import ExportCancelled, export_csv
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import (
    DEFAULT_SETTLE,
    CheckTarget,
    HistoryQuery,
    Interpretation,
    Page,
    Sort,
    Summary,
    interpret_check,
    resubmit_refusal,
)
from pacspace_desktop.storage.records import (
    HistoryFilter,
    ItemRow,
    SubmissionDetail,
    SubmissionRow,
)
from pacspace_desktop.storage.verification import Counts

__all__ = ["CheckReport", "HistoryService", "ItemCheck", "Reader", "ResubmitPlan"]

Reader = Callable[[str], Awaitable[ReadResult]]
"""Asks PacSpace what it holds for a key (`ReadClient.read_bucket` of the active profile)."""

_T = TypeVar("_T")


class HistoryService(QObject):
    """Wraps the history for the History page. Storage problems become `failed` in plain words.

    Signals:
        changed(): the history or the filter changed; lists, counts and summaries reload.
        rows_updated(object): `list[int]` submission ids whose items changed (after a check).
        interrupted_found(object): `list[SubmissionRow]` left "outcome unknown" by a crash.
        reader_changed(bool): a check on the server became possible (True) or impossible.
        check_started(int): a check began, with the number of items to check.
        check_progress(int, int): items checked so far, and in all.
        item_checked(object): the `ItemCheck` of one item.
        check_paused(float): PacSpace asked to slow down; the check waits this many seconds.
        check_finished(object): the `CheckReport` (also after Cancel).
        export_progress(int): item rows written so far.
        export_finished(str, int): the exported file and its number of item rows.
        failed(str): something could not be done; the message is in plain words.
    """

    changed = Signal()
    rows_updated = Signal(object)
    interrupted_found = Signal(object)
    reader_changed = Signal(bool)
    check_started = Signal(int)
    check_progress = Signal(int, int)
    item_checked = Signal(object)
    check_paused = Signal(float)
    check_finished = Signal(object)
    export_progress = Signal(int)
    export_finished = Signal(str, int)
    failed = Signal(str)

    def __init__(self, store: HistoryStore, reader: Reader | None = None, *,
                 pace_s: float = 0.2, is_alive: Callable[[str], bool] | None = None,
                 settle: Callable[[], timedelta] = lambda: DEFAULT_SETTLE,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settle = settle
        self._store = store
        self._query = HistoryQuery.of(store)
        self._reader = reader
        self._pace = pace_s
        self._is_alive = is_alive  # None: the history's own test (a team's: its locks)
        self._filter = HistoryFilter()
        self._sort = Sort()
        self._check_task: asyncio.Task[None] | None = None
        self._export_task: asyncio.Task[None] | None = None
        self._export_cancel = threading.Event()
        self._interrupted: list[SubmissionRow] = []

    # --- filter, sort and reading ------------------------------------------------------------

    @property
    def filter(self) -> HistoryFilter:
        """What the list shows."""
        return self._filter

    @property
    def sort(self) -> Sort:
        """The list's order."""
        return self._sort

    def set_filter(self, flt: HistoryFilter) -> None:
        """Show another part of the history."""
        if flt != self._filter:
            self._filter = flt
            self.changed.emit()

    def set_sort(self, sort: Sort) -> None:
        """Order the list differently (done in SQL)."""
        if sort != self._sort:
            self._sort = sort
            self.changed.emit()

    def refresh(self) -> None:
        """Reload everything (the shell calls this after a submission)."""
        self.changed.emit()

    def page(self, after: Any = None, limit: int = 200) -> Page:
        """A page of the filtered, sorted list (`after` is the previous page's cursor)."""
        return self._guard(lambda: self._query.page(self._filter, self._sort, after, limit),
                           Page([], None))

    def rows(self, submission_ids: Sequence[int]) -> list[SubmissionRow]:
        """Submissions as the list shows them (to update rows after a check)."""
        return self._guard(lambda: self._query.rows_by_id(submission_ids), [])

    def verification_counts(self, submission_ids: Sequence[int]) -> dict[int, Counts]:
        """Each submission's items by verification state (the list's Verification column)."""
        return self._guard(lambda: verification.counts(self._store.connection, submission_ids),
                           {})

    def verification_changed(self, submission_ids: Sequence[int]) -> None:
        """Items of these submissions learnt their verification: their rows reload."""
        if submission_ids:
            self.rows_updated.emit(sorted(set(submission_ids)))

    def first_keys(self, submission_ids: Sequence[int]) -> dict[int, str]:
        """The record key of each submission's first item (the list's Record key column)."""
        return self._guard(lambda: self._query.first_keys(submission_ids), {})

    def count(self) -> tuple[int, int]:
        """Submissions matching the filter, and their items."""
        return self._guard(lambda: self._query.count(self._filter), (0, 0))

    def total(self) -> int:
        """Submissions in the whole history (to tell "empty" from "nothing matches")."""
        return self._guard(lambda: self._query.count(HistoryFilter())[0], 0)

    def summary(self) -> Summary | None:
        """Today's and this week's counts."""
        return self._guard(lambda: self._query.summary(datetime.now(UTC)), None)

    def choices(self) -> tuple[list[str], list[str]]:
        """Profiles and environments in the history."""
        empty: tuple[list[str], list[str]] = ([], [])
        return self._guard(self._query.choices, empty)

    def detail(self, submission_id: int) -> SubmissionDetail | None:
        """One submission with its items and attempts, or None."""
        return self._guard(lambda: self._store.detail(submission_id), None)

    @staticmethod
    def interpret(item: ItemRow, sent_at: datetime | None) -> Interpretation | None:
        """What the item's last check on the server means, or None when never checked."""
        if not item.check_json:
            return None
        try:
            check = jsonwire.loads(item.check_json)
        except ValueError:
            return None
        if not isinstance(check, dict):
            return None
        return interpret_check(item.state, sent_at, check, item.checked_at, settle_of(check))

    def _guard(self, fn: Callable[[], _T], fallback: _T) -> _T:
        try:
            return fn()
        except KeyError:
            return fallback
        except StorageError as exc:
            self.failed.emit(str(exc))
        except sqlite3.Error as exc:  # a read outside the store's transactions
            self.failed.emit(str(storage_error(exc, self._store.path, "read")))
        return fallback

    # --- crash recovery ----------------------------------------------------------------------

    def recover(self) -> list[SubmissionRow]:
        """Settle what a crashed or killed app left open; never re-sends anything.

        Emits `interrupted_found` with the submissions whose outcome became unknown.
        """
        rows: list[SubmissionRow] = self._guard(
            lambda: self._store.recover_interrupted(self._is_alive), [])
        self._interrupted = rows
        if rows:
            self.interrupted_found.emit(rows)
            self.changed.emit()
        return rows

    @property
    def interrupted(self) -> list[SubmissionRow]:
        """What the last `recover()` found (for a page built after it ran)."""
        return list(self._interrupted)

    # --- resubmitting ------------------------------------------------------------------------

    def resubmit_plan(self, submission_ids: Iterable[int] = (),
                      item_ids: Iterable[int] = ()) -> ResubmitPlan:
        """Which of these items may be sent again (rejected, not sent, or checked as not landed).

        Accepted items are refused; items with an unknown outcome need a check on the server
        that found nothing first, because a resend could count them twice.
        """
        def load() -> tuple[list[ItemRow], dict[int, CheckTarget], list[SubmissionRow]]:
            subs = list(submission_ids)
            ids = self._query.item_ids_of(subs) + list(item_ids)
            items = self._query.items_by_id(dict.fromkeys(ids))
            targets = {t.item_id: t for t in self._query.check_targets(item_ids=ids)}
            rows = [self._store.submission_row(i)
                    for i in dict.fromkeys(it.submission_id for it in items)]
            return items, targets, rows

        nothing: tuple[list[ItemRow], dict[int, CheckTarget], list[SubmissionRow]] = ([], {}, [])
        items, targets, rows = self._guard(load, nothing)
        plan: list[WriteItem] = []
        refused: list[tuple[ItemRow, str]] = []
        for it in items:
            target = targets.get(it.id)
            reason = resubmit_refusal(it, self.interpret(it, target.sent_at if target else None))
            if reason:
                refused.append((it, reason))
                continue
            meta = jsonwire.loads(it.metadata_json) if it.metadata_json else None
            plan.append(WriteItem(it.key, it.account_id, it.bits,
                                  meta if isinstance(meta, dict) else None))
        sources = sorted({r.source for r in rows})
        source = "Sent again from history" + (f": {sources[0]}" if len(sources) == 1 else "")
        return ResubmitPlan(plan, refused, source)

    # --- checks on the server ----------------------------------------------------------------

    @property
    def has_reader(self) -> bool:
        """True when a check on the server is possible (a key for the active profile)."""
        return self._reader is not None

    @property
    def checking(self) -> bool:
        """True while a check runs."""
        return self._check_task is not None and not self._check_task.done()

    def set_reader(self, reader: Reader | None) -> None:
        """Use another profile's reader (None: no key, so no checks). Stops a running check."""
        self.cancel_check()
        self._reader = reader
        self.reader_changed.emit(reader is not None)

    def check_submissions(self, submission_ids: Iterable[int]) -> bool:
        """Check every item of these submissions, one key at a time. False if it cannot start."""
        return self._start_check(lambda: self._query.check_targets(submission_ids=submission_ids))

    def check_items(self, item_ids: Iterable[int]) -> bool:
        """Check single items. False if the check cannot start."""
        return self._start_check(lambda: self._query.check_targets(item_ids=item_ids))

    def cancel_check(self) -> None:
        """Stop the running check after the key being read (what was read stays recorded)."""
        if self._check_task is not None and not self._check_task.done():
            self._check_task.cancel()

    def _start_check(self, load: Callable[[], list[CheckTarget]]) -> bool:
        if self._reader is None:
            self.failed.emit("Checking needs the API key of the active profile. Add a key in "
                             "Settings, then check again.")
            return False
        if self.checking:
            self.failed.emit("A check on the server is already running. Wait for it or cancel it.")
            return False
        none: list[CheckTarget] = []
        targets = self._guard(load, none)
        if not targets:
            return False
        self._check_task = start_task(self._check(self._reader, targets),
                                      name="checking on the server")
        return True

    async def _check(self, reader: Reader, targets: list[CheckTarget]) -> None:
        report = CheckReport(len(targets))
        by_key: dict[str, list[CheckTarget]] = {}
        for t in targets:
            by_key.setdefault(t.key, []).append(t)
        self.check_started.emit(len(targets))
        touched: set[int] = set()
        try:
            for n, (key, group) in enumerate(by_key.items()):
                if n:
                    await asyncio.sleep(self._pace)
                result = await self._read(reader, key)
                if result.kind is not None and entry(result.kind).stops_run:
                    report.stopped = stop_words(result)
                    break
                self._record(result, group, report, touched)
                self.check_progress.emit(len(report.answers), report.total)
        except asyncio.CancelledError:
            report.cancelled = True
        finally:
            if touched:
                self.rows_updated.emit(sorted(touched))
            self.check_finished.emit(report)
            if report.stopped:
                self.failed.emit(report.stopped)

    async def _read(self, reader: Reader, key: str) -> ReadResult:
        result = await reader(key)
        for _ in range(MAX_RATE_RETRIES):
            if result.status_code != 429:
                break
            wait = retry_after_seconds(result)
            self.check_paused.emit(wait)
            await asyncio.sleep(wait)
            result = await reader(key)
        return result

    def _record(self, result: ReadResult, group: list[CheckTarget], report: CheckReport,
                touched: set[int]) -> None:
        settle = self._settle()
        check = check_record(result)
        check["settleSeconds"] = settle.total_seconds()  # the verdict is kept as it was made
        verified = bool(result.bucket and result.bucket.verified)
        for target in group:
            meaning = interpret_check(target.state, target.sent_at, check, result.checked_at,
                                      settle)
            if result.found is not None:
                # An unknown outcome whose key PacSpace still lacks after the settle time did
                # not land: its claim goes, so the key may be sent again.
                release = meaning.may_resend and target.state is ItemState.UNKNOWN
                try:
                    self._store.record_check(target.item_id, result.checked_at, check,
                                             verified=verified, release=release,
                                             resolve=resolution(target.state, meaning.verdict))
                except StorageError as exc:
                    self.failed.emit(str(exc))
                touched.add(target.submission_id)
            answer = ItemCheck(target, check, meaning)
            report.answers.append(answer)
            self.item_checked.emit(answer)

    # --- export ------------------------------------------------------------------------------

    @property
    def exporting(self) -> bool:
        """True while an export runs."""
        return self._export_task is not None and not self._export_task.done()

    def export(self, path: str, submission_ids: Sequence[int] | None = None) -> bool:
        """Export the filtered list (or these submissions) to a CSV file, off the event loop."""
        if self.exporting:
            self.failed.emit("An export is already running. Wait for it or cancel it.")
            return False
        db = self._query.database_path()
        if not db:
            self.failed.emit("This history is not kept in a file, so it cannot be exported.")
            return False
        self._export_cancel = threading.Event()
        self._export_task = start_task(self._export(
            db, Path(path), self._filter, None if submission_ids is None else list(submission_ids),
            self._export_cancel), name="exporting history",
            on_error=lambda _exc: self.failed.emit("The export broke off because of an unexpected "
                                                   "error; no file was written."))
        return True

    def cancel_export(self) -> None:
        """Stop the running export; no file is left behind."""
        self._export_cancel.set()

    async def _export(self, db: str, dest: Path, flt: HistoryFilter, ids: list[int] | None,
                      cancel: threading.Event) -> None:
        loop = asyncio.get_running_loop()

        def progress(rows: int) -> None:
            loop.call_soon_threadsafe(self.export_progress.emit, rows)

        try:
            reopen = getattr(self._store.connection, "reopen", None)  # a team history's
            rows = await asyncio.to_thread(export_csv, db, dest, flt, ids, progress, cancel,
                                           5000, reopen)
        except ExportCancelled:
            self.failed.emit("The export was cancelled; no file was written.")
        except StorageError as exc:
            self.failed.emit(f"{exc} Nothing was exported.")
        except asyncio.CancelledError:
            cancel.set()
            raise
        else:
            self.export_finished.emit(str(dest), rows)

