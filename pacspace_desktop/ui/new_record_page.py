"""New record: type records, collect them in a draft batch, check and send them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.catalogue import BUTTON_TEXT, NextStep
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.domain.validation import check_duplicate_keys
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.submission.runner import RequestReport, RunReport
from pacspace_desktop.ui.draft_model import DraftRow, DraftTableModel, merge_items
from pacspace_desktop.ui.metadata_editor import rows_height
from pacspace_desktop.ui.record_form import RecordForm
from pacspace_desktop.ui.review_dialog import ReviewDialog
from pacspace_desktop.ui.sending_panel import (
    SendingPanel,
    make_room,
    route_outcome_action,
    skipped_words,
    unwritten_keys,
)
from pacspace_desktop.ui.style import error_style

log = logging.getLogger(__name__)
DRAFT_NAME = "form"



class _FormArea(QScrollArea):
    """A scroll area that asks for its whole form when there is room, and scrolls when not."""

    def sizeHint(self) -> QSize:
        inner = self.widget()
        return inner.sizeHint() if inner is not None else super().sizeHint()

class NewRecordPage(QWidget):
    """The form, the draft batch and the outcomes of sending it.

    Signals:
        settings_requested(): open the key settings (after a 401).
        check_requested(int): check a submission on the server (after an unknown outcome).
    """

    settings_requested = Signal()
    check_requested = Signal(int)

    def __init__(self, session: SessionService, service: SubmissionService,
                 store: HistoryStore, drafts: DraftStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._service = service
        self._store = store
        self._drafts = drafts
        self._editing: int | None = None
        self._mine = False  # the shared submission service is running a run of this page
        self._review: ReviewDialog | None = None
        self.form = RecordForm(lambda key: store.sightings([key]).get(key, []))
        self.form.set_accounts(store.account_ids())
        self.add = QPushButton("Add to batch")
        self.add.setAccessibleName("Add to batch")
        self.add.setToolTip("Add the record to the batch below (Enter).")
        self.add.clicked.connect(self.add_to_batch)
        self.cancel_edit = QPushButton("Cancel editing")
        self.cancel_edit.setAccessibleName("Cancel editing")
        self.cancel_edit.hide()
        self.cancel_edit.clicked.connect(self._cancel_edit)
        self.form.submitted.connect(self.add_to_batch)
        self.form.changed.connect(self._update_buttons)

        self.model = DraftTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Batch draft")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DraftTableModel.COL_META, QHeaderView.ResizeMode.Stretch)
        # Room for a long number ("-1,250,000"): fitted to contents it was cut to "1,…".
        header.setSectionResizeMode(DraftTableModel.COL_BITS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(DraftTableModel.COL_BITS, 100)
        self.table.setMinimumHeight(rows_height(self.table, 3))
        # The batch takes the room the form leaves (at least three rows), not the other way.
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.table.doubleClicked.connect(lambda idx: self.edit_row(idx.row()))
        self.edit = QPushButton("Edit")
        self.duplicate = QPushButton("Duplicate")
        self.remove = QPushButton("Remove")
        self.submit = QPushButton("Send…")
        self.submit.setToolTip("Check the batch and send it (Ctrl+Enter).")
        for b in (self.edit, self.duplicate, self.remove, self.submit):
            b.setAccessibleName(b.text().rstrip("…"))
        self.edit.clicked.connect(lambda: self.edit_row(self._selected()))
        self.duplicate.clicked.connect(self._duplicate)
        self.remove.clicked.connect(self._remove)
        self.submit.clicked.connect(self.review)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.review)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.review)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self._remove)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.draft_note = QLabel()
        self.draft_note.setAccessibleName("Batch summary")
        self.sending = SendingPanel(service)
        self.sending.action_requested.connect(self._outcome_action)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(error_style())
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        self.problem_action = QPushButton(BUTTON_TEXT[NextStep.OPEN_KEY_SETTINGS])
        self.problem_action.setAccessibleName(BUTTON_TEXT[NextStep.OPEN_KEY_SETTINGS])
        self.problem_action.clicked.connect(self.settings_requested.emit)
        self.problem_action.hide()
        self.notice = QLabel()  # a plain note (not a problem), e.g. items skipped on the way in
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Note")
        self.notice.hide()
        self._last_run: RunReport | None = None
        self._problem_is_about_batch = False

        form_box = QGroupBox("Record")
        fb = QVBoxLayout(form_box)
        fb.addWidget(self.form)
        frow = QHBoxLayout()
        frow.addStretch(1)
        frow.addWidget(self.cancel_edit)
        frow.addWidget(self.add)
        fb.addLayout(frow)
        draft_box = QGroupBox("Batch to send")
        db = QVBoxLayout(draft_box)
        db.addWidget(self.table, 1)
        drow = QHBoxLayout()
        for b in (self.edit, self.duplicate, self.remove):
            drow.addWidget(b)
        drow.addWidget(self.draft_note, 1)
        drow.addWidget(self.submit)
        db.addLayout(drow)
        prow = QHBoxLayout()
        prow.addWidget(self.problem, 1)
        prow.addWidget(self.problem_action, 0, Qt.AlignmentFlag.AlignTop)
        db.addLayout(prow)
        db.addWidget(self.notice)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        # On a small screen, with every message showing, the form scrolls instead of squeezing
        # its fields into each other.
        form_area = _FormArea()
        form_area.setObjectName("RecordFormArea")
        form_area.setWidgetResizable(True)
        form_area.setFrameShape(QFrame.Shape.NoFrame)
        form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_area.setWidget(form_box)
        form_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        tl.addWidget(form_area)
        tl.addWidget(draft_box, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("NewRecordSplitter")  # its divider is remembered (main window)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        self._splitter = splitter
        splitter.addWidget(self.sending)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 360])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.model.rowsInserted.connect(lambda *_: self._changed())
        self.model.rowsRemoved.connect(lambda *_: self._changed())
        self.model.dataChanged.connect(lambda *_: self._changed())
        self.model.modelReset.connect(self._changed)
        service.started.connect(lambda *_: self._update_buttons())
        service.finished.connect(self._finished)
        service.failed.connect(self._failed)
        service.refused.connect(self._refused)
        self._restore_draft()
        self._update_buttons()

    # -- the form -------------------------------------------------------------------------

    def add_to_batch(self) -> None:
        """Add the form's record to the draft (or update the row being edited)."""
        entry = self.form.entry(show_all=True)
        if entry.item is None:
            self.form.focus_field(next(iter(entry.problems), "key"))
            return
        row = DraftRow(entry.key, entry.account_id, entry.bits_text, tuple(entry.meta_fields))
        empty = self.form.metadata.left_out()
        if self._editing is not None:
            self.model.replace_row(self._editing, row)
            self._editing = None
            self.add.setText("Add to batch")
            self.cancel_edit.hide()
        else:
            self.model.append(row)
        names = ", ".join(f"“{n}”" for n in empty)
        were = "they were" if len(empty) > 1 else "it was"
        self.notice.setText(f"{names} had no value, so {were} left out of {entry.key}'s "
                            "metadata." if empty else "")
        self.notice.setVisible(bool(empty))
        if not self._service.busy:
            self.sending.clear()  # the last run's cards are about another batch now
        self.form.clear_for_next()

    def edit_row(self, index: int) -> None:
        """Load a draft row into the form to change it."""
        if not 0 <= index < self.model.rowCount():
            return
        r = self.model.row(index)
        self.form.load(r.key, r.account_id, r.bits_text, list(r.meta))
        self.form.entry(show_all=True)
        self._editing = index
        self.add.setText("Update item")
        self.add.setAccessibleName("Update item")
        self.cancel_edit.show()
        self.form.focus_field(r.field_at_fault)

    def _cancel_edit(self) -> None:
        self._editing = None
        self.add.setText("Add to batch")
        self.add.setAccessibleName("Add to batch")
        self.cancel_edit.hide()
        self.form.clear_for_next()

    def load_items(self, items: Sequence[WriteItem], note: str = "") -> list[str]:
        """Put items into the draft (e.g. rejected items resubmitted from the history).

        An item whose key is already in the batch is skipped (two rows of one key would
        block the send) and the page says so. Returns the skipped keys.
        """
        skipped, added = merge_items(self.model, items, note)
        self.notice.setText(skipped_words(skipped, added))
        self.notice.setVisible(bool(skipped))
        return skipped

    # -- the draft ------------------------------------------------------------------------

    def _selected(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _duplicate(self) -> None:
        i = self._selected()
        if i >= 0:
            r = self.model.row(i)
            self.model.append(DraftRow(r.key, r.account_id, r.bits_text, r.meta))
            self.edit_row(self.model.rowCount() - 1)

    def _remove(self) -> None:
        i = self._selected()
        if i >= 0 and not self._service.busy:
            self.model.remove(i)

    def _changed(self) -> None:
        if self._problem_is_about_batch:
            self._show_problem("")  # the batch changed: the old words may no longer hold
        try:
            self._drafts.save(DRAFT_NAME, [r.to_json() for r in self.model.rows()])
        except StorageError as exc:
            self._show_problem(f"{exc} The batch is still here, but would be lost if the app "
                               "closed.", about_batch=False)
        self._update_buttons()

    def _restore_draft(self) -> None:
        try:
            saved = self._drafts.load(DRAFT_NAME)
        except StorageError as exc:
            self._show_problem(str(exc), about_batch=False)
            return
        if isinstance(saved, list):
            self.model.set_rows([DraftRow.from_json(d) for d in saved if isinstance(d, dict)])

    def _update_buttons(self, busy: bool | None = None) -> None:
        if busy is None:
            busy = self._service.busy
        rows = self.model.rows()
        # An item whose outcome is unknown waits for a check on the server: sending it again
        # could count it twice (and its key is still claimed), so it is not counted as ready.
        unknown = sum(1 for r in rows if r.state is ItemState.UNKNOWN)
        ready = [r for r in rows if r.item() is not None and r.state is not ItemState.UNKNOWN]
        self.submit.setEnabled(bool(ready) and not busy)
        n = len(ready)
        self.submit.setText(f"Send {n} item{'s' if n != 1 else ''}…" if n else "Send…")
        self.add.setEnabled(not busy)
        selected = self._selected() >= 0
        for b in (self.edit, self.duplicate, self.remove):
            b.setEnabled(selected and not busy)
        problems = max(0, len(rows) - n - unknown)
        self.draft_note.setText(
            (f"{len(rows)} in the batch" + (f", {problems} with a problem" if problems else "")
             + (f", {unknown} with an unknown outcome (check on the server first)"
                if unknown else ""))
            if rows else "The batch is empty. Fill in the record and press Enter.")

    # -- sending --------------------------------------------------------------------------

    def review(self) -> None:
        """Check the batch, then show the summary and the duplicate guard before sending."""
        if self._service.busy or self._review is not None:
            return
        items = [it for r in self.model.rows()
                 if r.state is not ItemState.UNKNOWN and (it := r.item()) is not None]
        if not items:
            return
        status = self._session.key_status()
        if not status.usable:
            self._show_problem(f"Nothing was sent: there is no usable API key. {status.message} "
                               f"{status.action}".strip(), key_action=True)
            return
        dups = check_duplicate_keys(enumerate(it.key for it in items))
        if dups:
            self._show_problem(dups[0].message + " Remove one of them first.")
            return
        profile = self._session.active_profile()
        self._review = ReviewDialog(items, self._store.sightings(it.key for it in items),
                                    profile.name if profile else "", self._session.environment(),
                                    self)
        self._review.confirmed.connect(self._send)
        self._review.finished.connect(lambda _c: setattr(self, "_review", None))
        self._review.open()

    def _send(self, items: list[WriteItem]) -> None:
        self._show_problem("")
        self.notice.hide()
        self.sending.reset()
        resend = self._review.resend_keys() if self._review is not None else frozenset()
        if self._service.submit(items, "form", resend):
            self._mine = True
            keys = {it.key for it in items}
            self.model.mark({r.key: (ItemState.SENDING, "", None) for r in self.model.rows()
                             if r.key in keys})
        else:
            self.sending.abandon()  # never "Starting…" for a run that did not start
        self._update_buttons()

    def retry_last(self) -> bool:
        """Send again what the last run did not write (after "Retry now" on its final card).

        Only items the run's outcomes say were not written (a 5xx or gateway answer, or not sent
        after it) and that are still in the batch are sent: nothing of them was written, so
        this cannot count anything twice. False when there is nothing to send or it cannot
        start.
        """
        run = self._last_run
        if run is None or self._service.busy:
            return False
        keys = unwritten_keys(run)
        items = [it for r in self.model.rows() if r.key in keys and (it := r.item()) is not None]
        if not items:
            self._show_problem("Nothing is left to send again: the items are no longer in the "
                               "batch.")
            return False
        self._last_run = None
        self._send(items)
        return self._mine

    def _finished(self, report: RunReport) -> None:
        # The service still counts as busy while it emits; look again once it has returned.
        QTimer.singleShot(0, self._update_buttons)
        if not self._mine:
            return  # another page's run
        self._mine = False
        self._last_run = report
        accepted: set[str] = set()
        marks: dict[str, tuple[ItemState, str, str | None]] = {}
        for r in report.requests:
            if r.state is ItemState.ACCEPTED:
                accepted |= {it.key for it in r.items}
                continue
            fault_key, fault_field = None, None
            if r.fault is not None and 0 <= r.fault[0] < len(r.items):
                fault_key, fault_field = r.items[r.fault[0]].key, r.fault[1]
            note = f"{r.entry.title}. {r.server_message}".strip()
            for it in r.items:
                marks[it.key] = (r.state, note, fault_field if it.key == fault_key else None)
        self.model.drop_keys(accepted)
        self.model.mark(marks)
        QTimer.singleShot(0, self._make_room)
        self.form.set_accounts(self._store.account_ids())
        if report.broke_off:  # the history failed mid-run: the rows show what each one did
            self._show_problem(report.broke_off)
        self._update_buttons(busy=False)

    def _make_room(self) -> None:
        make_room(self._splitter, self.sending)

    def _outcome_action(self, report: RequestReport, action: str) -> None:
        route_outcome_action(action, report, open_settings=self.settings_requested.emit,
                             check=self.check_requested.emit, show_item=self._show_item,
                             retry=self.retry_last)

    def _show_item(self, key: str, _field: str | None) -> None:
        row = self.model.find_key(key)
        if row >= 0:
            self.table.selectRow(row)
            self.edit_row(row)

    def _failed(self, text: str) -> None:
        if not self._mine and self._service.busy:
            return  # another page's run
        was_mine = self._mine
        self._mine = False
        if was_mine:
            self.sending.abandon()
            self.model.mark({r.key: (ItemState.NOT_SENT, "Not sent: see the message below.",
                                     None) for r in self.model.rows()
                             if r.state is ItemState.SENDING})
        self._show_problem(text, key_action=not self._session.key_status().usable)
        self._update_buttons(busy=False)
        QTimer.singleShot(0, self._update_buttons)

    def _refused(self, text: str) -> None:
        if not self._mine:
            return
        self._failed(text)

    def _show_problem(self, text: str, key_action: bool = False,
                      about_batch: bool = True) -> None:
        """Show (or with "" clear) a problem under the batch, with Open key settings if it helps."""
        self._problem_is_about_batch = about_batch and bool(text)
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.problem_action.setVisible(bool(text) and key_action)
