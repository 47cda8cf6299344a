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
from pacspace_desktop.ui.import_review import review_notes
from pacspace_desktop.ui.import_totals import TotalsPanel
from pacspace_desktop.ui.review_dialog import ReviewDialog
from pacspace_desktop.ui.sending_panel import SendingPanel, route_outcome_action, unwritten_keys

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
        self._rows_by_key: dict[str, list[int]] = {}  # an invoice added up has several
        self._resend: frozenset[str] = frozenset()  # keys ticked to send again, for Resume
        self._last_run: RunReport | None = None  # for "Retry now" on its final card
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

    def ready_count(self) -> int:
        """Valid rows not written yet."""
        if self._model.validation is None:
            return 0
        return max(0, self._totals.totals.valid - self._written)

    def update_state(self) -> None:
        """Button texts and what is held back, after a check, an edit or a run."""
        validation = self._model.validation
        totals = self._totals.totals
        ready = self.ready_count()
        again = bool(self._model.count_in(ItemState.REJECTED, ItemState.NOT_SENT))
        plural = "s" if ready != 1 else ""
        records = totals.records - (totals.valid - ready)
        also = (f" ({records:,} record{'s' if records != 1 else ''})"
                if ready and 0 < records != ready else "")
        if again:
            self.send.setText(f"Send the {ready:,} row{plural} that were not written{also}…")
        else:
            self.send.setText(f"Send {ready:,} valid row{plural}{also}…" if ready else "Send…")
        self.send.setEnabled(ready > 0 and not self._mine)
        self.pause.setVisible(self._mine)
        self.resume.setVisible(self._paused and not self._mine)
        if validation is None:
            self.held.setText("Choose the columns first; then every row is checked.")
            return
        left_out = len(validation.total_rows())
        held = totals.held_back - left_out
        lost = len(validation.file_problems)
        parts = []
        if left_out:
            parts.append(f"{left_out:,} total row{'s' if left_out != 1 else ''} of the file "
                         f"{'are' if left_out != 1 else 'is'} left out.")
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
            self._open_review(validation, *self._whole(validation, rows))
            return
        # Building a million items takes seconds: in a worker, with edits held meanwhile.
        self._model.set_locked(True)
        self.send.setEnabled(False)
        self.held.setText(f"Preparing {len(rows):,} rows for the check before sending…")
        self._preparing = start_task(self._prepare(validation, rows), name="preparing rows")

    @staticmethod
    def _whole(validation: TableValidation, rows: list[int]
               ) -> tuple[list[tuple[WriteItem, list[int]]], str]:
        """The items of `rows`, without invoices of which only some lines would go (a line
        added after the others were sent), and what to say about those (nothing of them goes).
        """
        partial: list[str] = []
        pairs = validation.items_with_rows(rows, partial)
        if not partial:
            return pairs, ""
        names = ", ".join(f"“{k}”" for k in partial[:5])
        whose = "its" if len(partial) == 1 else "their"
        return pairs, (f"Not sent: {names} — some of {whose} lines were sent before, and an "
                       "invoice added up is sent whole or not at all. Send the new lines under "
                       "a key of their own.")

    async def _prepare(self, validation: TableValidation, rows: list[int]) -> None:
        try:
            pairs, said = await asyncio.to_thread(self._whole, validation, rows)
        finally:
            self._model.set_locked(False)
            self.update_state()
        if validation is self._model.validation:
            self._open_review(validation, pairs, said)

    def _open_review(self, validation: TableValidation,
                     pairs: list[tuple[WriteItem, list[int]]], said: str = "") -> None:
        if said:
            self._show_problem(said)
        if not pairs:
            return
        self._rows_by_key.update((it.key, rows) for it, rows in pairs)
        items = [it for it, _rows in pairs]
        flagged = [it.key for it, rows in pairs
                   if any(p.code == "sent_before" for r in rows
                          for p in validation.row_problems(r))]
        profile = self._session.active_profile()
        self.review_dialog = ReviewDialog(items, self._store.sightings(flagged),
                                          profile.name if profile else "",
                                          self._session.environment(), self,
                                          notes=review_notes(validation),
                                          amount=(self._totals.totals.amount
                                                  if self._totals.totals.factor != 1 else None))
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
        self._model.mark({row: (ItemState.SENDING, "") for it in items
                          for row in self._rows_by_key[it.key]})
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
        pairs, said = self._whole(validation, rows)
        if said:
            self._show_problem(said)
        self._rows_by_key.update((it.key, group) for it, group in pairs)
        if pairs:
            self._send([it for it, _group in pairs])

    def retry_last(self) -> bool:
        """Send again the rows the last run certainly did not write ("Retry now" on its final
        card: a 5xx or gateway answer after its own retries, and what was not sent after it).

        The rows are built again from the grid as it is now, so an edit since is what goes;
        nothing of them was written, so this cannot count anything twice.
        """
        run, validation = self._last_run, self._model.validation
        if run is None or validation is None or self._mine or self._service.busy:
            return False
        keys = unwritten_keys(run)
        rows = sorted({row for key in keys for row in self._rows_by_key.get(key, ())
                       if validation.is_valid(row)
                       and self._model.state(row) in (ItemState.REJECTED,
                                                         ItemState.NOT_SENT)})
        pairs, said = self._whole(validation, rows)
        if not pairs:
            self._show_problem(said or "Nothing is left to send again: those rows were changed "
                               "or are no longer ready.")
            return False
        if said:
            self._show_problem(said)
        self._last_run = None
        self._rows_by_key.update((it.key, group) for it, group in pairs)
        self._send([it for it, _group in pairs])
        return True

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
            text = reason
            if report.fault is not None and report.fault[0] == i:
                text = f"PacSpace named this row. {reason}"
            for row in self._rows_by_key.get(it.key, ()):
                marks[row] = (report.state, text)
        self._model.mark(marks)
        if accepted:
            self._accepted += report.items
            self._totals.add_accepted(report.items)

    def _finished(self, report: RunReport) -> None:
        if not self._mine:
            return
        self._mine = False
        self._last_run = report
        self.pause.setEnabled(True)
        self._model.set_locked(False)
        self._written = self._model.count_in(ItemState.ACCEPTED, ItemState.UNKNOWN,
                                             ItemState.VERIFIED)
        if self._paused:
            left = report.not_sent
            self.panel.summary.setText(
                f"Paused. {left:,} row{'s' if left != 1 else ''} not sent yet; press "
                "“Resume sending” to send them. Nothing is sent twice.")
        else:
            held = self._sent_and_held(report)
            if held:
                self.panel.summary.setText(held)
        if report.broke_off:  # the history failed mid-run: rows show what each request did
            self._show_problem(report.broke_off)
        self.update_state()
        self.run_finished.emit()

    def _sent_and_held(self, report: RunReport) -> str:
        """What was sent and what was held back (the cards only speak of what was sent)."""
        validation = self._model.validation
        if validation is None:
            return ""
        held = len(validation.error_rows()) - len(validation.total_rows())
        if held <= 0:
            return ""
        sent = sum(len(r.items) for r in report.requests)
        accepted = sum(len(r.items) for r in report.requests if r.state is ItemState.ACCEPTED)
        first = (f"{accepted:,} of the {sent:,} records sent were accepted."
                 if accepted != sent else
                 f"All {sent:,} record{'s' if sent != 1 else ''} sent were accepted.")
        return (f"{first} {held:,} row{'s' if held != 1 else ''} of the file "
                f"{'were' if held != 1 else 'was'} held back and not sent — nothing of "
                f"{'them' if held != 1 else 'it'} was written: fix "
                f"{'them' if held != 1 else 'it'} in the grid or export "
                f"{'them' if held != 1 else 'it'}.")

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
                             check=self.check_requested.emit, show_item=self._show_item,
                             retry=self.retry_last)

    def _show_item(self, key: str, field: str | None) -> None:
        rows = self._rows_by_key.get(key)
        if rows:
            self.row_requested.emit(rows[0], field or "")



def _reason(report: RequestReport) -> str:
    title = report.entry.title
    said = report.server_message
    return f"{title}. PacSpace said: {said}" if said and report.status_code else \
        f"{title}. {said}".strip()
