"""Sending the valid rows of an import: review, send in requests, mark every row with its
outcome, pause and resume, and send again what was not written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.importing import TableValidation
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.submission.runner import RequestReport, RunReport
from pacspace_desktop.ui.import_grid_model import ImportGridModel
from pacspace_desktop.ui.import_totals import TotalsPanel
from pacspace_desktop.ui.review_dialog import ReviewDialog
from pacspace_desktop.ui.sending_panel import SendingPanel, route_outcome_action

_PROBLEM = "color: #cf222e;"
_QUICK_ROWS = 5000  # more rows than this are prepared for review in a worker thread


class ImportSender(QWidget):
    """The send bar under the grid and the outcomes of each request.

    Signals:
        settings_requested(): open the key settings (after a 401).
        check_requested(int): check a submission on the server (after an unknown outcome).
        row_requested(int, str): show a table row; the field PacSpace named (wire name) or "".
        run_started(): a run of this page began (the outcomes panel is shown).
        run_finished(): a run of this page ended (rows are marked).
    """

    settings_requested = Signal()
    check_requested = Signal(int)
    row_requested = Signal(int, str)
    run_started = Signal()
    run_finished = Signal()

    def __init__(self, session: SessionService, service: SubmissionService, store: HistoryStore,
                 model: ImportGridModel, totals: TotalsPanel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session, self._service, self._store = session, service, store
        self._model, self._totals = model, totals
        self._source = "import"
        self._mine = False
        self._starting = False
        self._paused = False
        self._rows_by_key: dict[str, int] = {}
        self._resend: frozenset[str] = frozenset()  # keys ticked to send again, for Resume
        self._written = 0
        self._accepted: list[WriteItem] = []
        self.review_dialog: ReviewDialog | None = None
        self._preparing: asyncio.Future[None] | None = None
        self.held = QLabel()
        self.held.setWordWrap(True)
        self.held.setAccessibleName("Rows held back")
        self.send = QPushButton("Send…")
        self.send.setAccessibleName("Send the valid rows")
        self.send.setToolTip("Check the totals and send every row without an error. Rows with "
                             "errors are held back.")
        self.pause = QPushButton("Pause")
        self.pause.setAccessibleName("Pause sending")
        self.pause.setToolTip("Send nothing more after the request on its way; resume later. "
                              "Nothing is sent twice.")
        self.resume = QPushButton("Resume sending")
        self.resume.setAccessibleName("Resume sending")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(_PROBLEM)
        self.problem.setAccessibleName("Sending problem")
        self.problem.hide()
        self.panel = SendingPanel(service)
        self.panel.action_requested.connect(self._outcome_action)
        self.panel.hide()  # shown from the first run on
        bar = QHBoxLayout()
        bar.addWidget(self.held, 1)
        bar.addWidget(self.resume)
        bar.addWidget(self.pause)
        bar.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.problem)  # the page places `panel` (the outcomes) itself
        self.send.clicked.connect(self.review)
        self.pause.clicked.connect(self.pause_sending)
        self.resume.clicked.connect(self.resume_sending)
        service.request_finished.connect(self._request_finished)
        service.finished.connect(self._finished)
        service.failed.connect(self._failed)
        service.refused.connect(self._refused)
        self.update_state()

    @property
    def sending(self) -> bool:
        """True while a run of this page is under way."""
        return self._mine

    def accepted_items(self) -> list[WriteItem]:
        """Items of this file PacSpace accepted in this session."""
        return list(self._accepted)

    def set_source(self, name: str) -> None:
        """The file name, recorded as the source of the runs in the history."""
        self._source = name

    def reset(self) -> None:
        """A new file: forget the last run's counts."""
        self._written = 0
        self._accepted = []
        self._paused = False
        self.problem.hide()
        self.panel.reset()
        self.panel.hide()
        self.update_state()

    def update_state(self) -> None:
        """Button texts and what is held back, after a check, an edit or a run."""
        validation = self._model.validation
        totals = self._totals.totals
        ready = max(0, totals.valid - self._written) if validation is not None else 0
        again = bool(self._model.count_in(ItemState.REJECTED, ItemState.NOT_SENT))
        plural = "s" if ready != 1 else ""
        if again:
            self.send.setText(f"Send the {ready:,} row{plural} that were not written…")
        else:
            self.send.setText(f"Send {ready:,} valid row{plural}…" if ready else "Send…")
        self.send.setEnabled(ready > 0 and not self._mine)
        self.pause.setVisible(self._mine)
        self.resume.setVisible(self._paused and not self._mine)
        if validation is None:
            self.held.setText("Choose the columns first; then every row is checked.")
            return
        held = totals.held_back
        lost = len(validation.file_problems)
        parts = []
        if held:
            parts.append(f"{held:,} row{'s' if held != 1 else ''} with problems "
                         f"{'are' if held != 1 else 'is'} held back and will not be sent: fix "
                         "them in the grid, or export them.")
        if lost:
            parts.append(f"{lost:,} line{'s' if lost != 1 else ''} of the file could not be "
                         "read.")
        if self._paused and not self._mine:
            parts.append("Sending is paused.")
        self.held.setText(" ".join(parts) or "Every row can be sent.")

    # ---- review and send --------------------------------------------------------------------

    def review(self) -> None:
        """Show the totals and the duplicate guard, then send the valid rows not yet written."""
        validation = self._model.validation
        preparing = self._preparing is not None and not self._preparing.done()
        if validation is None or self._mine or self.review_dialog or preparing:
            return
        if self._service.busy:
            self._show_problem("Another submission is still running. Wait for it to end or "
                               "stop it, then send these rows.")
            return
        rows = self._model.sendable_rows()
        if not rows:
            return
        if len(rows) <= _QUICK_ROWS:
            self._open_review(validation, rows, validation.build_items(rows))
            return
        # Building a million items takes seconds: in a worker, with edits held meanwhile.
        self._model.set_locked(True)
        self.send.setEnabled(False)
        self.held.setText(f"Preparing {len(rows):,} rows for the check before sending…")
        self._preparing = start_task(self._prepare(validation, rows), name="preparing rows")

    async def _prepare(self, validation: TableValidation, rows: list[int]) -> None:
        try:
            items = await asyncio.to_thread(validation.build_items, rows)
        finally:
            self._model.set_locked(False)
            self.update_state()
        if validation is self._model.validation:
            self._open_review(validation, rows, items)

    def _open_review(self, validation: TableValidation, rows: list[int],
                     items: list[WriteItem]) -> None:
        self._rows_by_key.update((it.key, row) for it, row in zip(items, rows, strict=True))
        flagged = [it.key for it, row in zip(items, rows, strict=True)
                   if any(p.code == "sent_before" for p in validation.row_problems(row))]
        profile = self._session.active_profile()
        self.review_dialog = ReviewDialog(items, self._store.sightings(flagged),
                                          profile.name if profile else "",
                                          self._session.environment(), self)
        self.review_dialog.confirmed.connect(self._send)
        self.review_dialog.finished.connect(lambda _c: setattr(self, "review_dialog", None))
        self.review_dialog.open()

    def _send(self, items: Sequence[WriteItem]) -> None:
        self.problem.hide()
        self.panel.reset()
        self.panel.show()
        if self.review_dialog is not None:
            self._resend = self.review_dialog.resend_keys()
        self._starting = True
        started = self._service.submit(list(items), self._source, self._resend)
        self._starting = False
        if not started:
            return
        self._mine = True
        self._paused = False
        self._model.set_locked(True)
        self._model.mark({self._rows_by_key[it.key]: (ItemState.SENDING, "") for it in items})
        self.update_state()
        self.run_started.emit()

    def pause_sending(self) -> None:
        """Stop after the request on its way; the rest stays "not sent" for Resume."""
        if self._mine:
            self._paused = True
            self._service.stop()
            self.pause.setEnabled(False)
            self.panel.label.setText("Pausing after the request on its way…")

    def resume_sending(self) -> None:
        """Send the rows a pause left unsent (they were confirmed before)."""
        validation = self._model.validation
        if validation is None or self._mine:
            return
        if self._service.busy:
            self._show_problem("Another submission is still running. Wait for it to end, then "
                               "resume.")
            return
        rows = [r for r in self._model.rows_in(ItemState.NOT_SENT) if validation.is_valid(r)]
        items = validation.build_items(rows)
        self._rows_by_key.update((it.key, row) for it, row in zip(items, rows, strict=True))
        if items:
            self._send(items)

    # ---- outcomes ---------------------------------------------------------------------------

    def _request_finished(self, report: RequestReport) -> None:
        if not self._mine:
            return
        if self._paused:
            self._service.stop()  # a pause clicked before the run began is not lost
        accepted = report.state is ItemState.ACCEPTED
        reason = "" if accepted else _reason(report)
        marks = {}
        for i, it in enumerate(report.items):
            row = self._rows_by_key.get(it.key)
            if row is None:
                continue
            text = reason
            if report.fault is not None and report.fault[0] == i:
                text = f"PacSpace named this row. {reason}"
            marks[row] = (report.state, text)
        self._model.mark(marks)
        if accepted:
            self._accepted += report.items
            self._totals.add_accepted(report.items)

    def _finished(self, report: RunReport) -> None:
        if not self._mine:
            return
        self._mine = False
        self.pause.setEnabled(True)
        self._model.set_locked(False)
        self._written = self._model.count_in(ItemState.ACCEPTED, ItemState.UNKNOWN,
                                             ItemState.VERIFIED)
        if self._paused:
            left = report.not_sent
            self.panel.summary.setText(
                f"Paused. {left:,} row{'s' if left != 1 else ''} not sent yet; press "
                "“Resume sending” to send them. Nothing is sent twice.")
        self.update_state()
        self.run_finished.emit()

    def _refused(self, text: str) -> None:
        if self._mine:  # nothing was recorded or sent: the keys are held by another send
            self._model.mark({r: (ItemState.NOT_SENT, "Not sent: see the message above.")
                              for r in self._model.rows_in(ItemState.SENDING)})
            self._failed(text)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _failed(self, text: str) -> None:
        if self._starting or self._mine:
            self._show_problem(text)
            self._mine = False
            self._model.set_locked(False)
            self.update_state()

    def _outcome_action(self, report: RequestReport, action: str) -> None:
        route_outcome_action(action, report, open_settings=self.settings_requested.emit,
                             check=self.check_requested.emit, show_item=self._show_item)

    def _show_item(self, key: str, field: str | None) -> None:
        row = self._rows_by_key.get(key)
        if row is not None:
            self.row_requested.emit(row, field or "")


def _reason(report: RequestReport) -> str:
    title = report.entry.title
    said = report.server_message
    return f"{title}. PacSpace said: {said}" if said and report.status_code else \
        f"{title}. {said}".strip()
