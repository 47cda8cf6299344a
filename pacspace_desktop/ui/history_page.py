"""The History page: past submissions, their detail, checks on the server, export and resend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.history_service import (
    CheckReport,
    HistoryService,
    ItemCheck,
    ResubmitPlan,
)
from pacspace_desktop.storage.history_query import Verdict
from pacspace_desktop.storage.records import HistoryFilter
from pacspace_desktop.ui.history_filters import HistoryFilterBar, SummaryStrip
from pacspace_desktop.ui.history_model import COL_REQUEST_ID, COL_TIME, HistoryTableModel, number
from pacspace_desktop.ui.recovery_banner import RecoveryBanner
from pacspace_desktop.ui.submission_detail import SubmissionDetailPanel

EMPTY_TEXT = "No submissions yet. Enter a record or import a file."
NO_MATCH_TEXT = "No submissions match these filters."
NO_READER_WHY = ("Checking needs the API key of the active profile. Add a key in Settings to "
                 "check on the server.")


def items(n: int) -> str:
    """"1 item", "1,250 items"."""
    return f"{number(n)} item{'s' if n != 1 else ''}"


def _button(text: str, name: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    return b


def _message_page(text: str, *buttons: QPushButton) -> QWidget:
    """A page with a centred sentence and the buttons that lead on from it."""
    page = QWidget()
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    row = QHBoxLayout()
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    box = QVBoxLayout(page)
    box.addStretch(1)
    box.addWidget(label)
    box.addLayout(row)
    box.addStretch(2)
    return page


class HistoryPage(QWidget):
    """Past submissions with filters, a summary, details, checks, export and resend.

    Signals:
        new_record_requested(): the person wants to enter a record (empty state).
        import_requested(): the person wants to import a file (empty state).
        resubmit_requested(object, str): `list[WriteItem]` to send again and their source; the
            shell routes them to the form page, where validation and the duplicate guard run.
        outcome_action_requested(str): a next step of an outcome card the shell handles
            (a `NextStep` value, e.g. `open-key-settings`).
        verification_requested(): the person wants the verification settings and the log of
            webhook deliveries.
        audit_requested(object): `list[int]` selected submissions (empty: the filtered list)
            to export as an audit pack.
    """

    new_record_requested = Signal()
    import_requested = Signal()
    resubmit_requested = Signal(object, str)
    outcome_action_requested = Signal(str)
    verification_requested = Signal()
    audit_requested = Signal(object)

    def __init__(self, service: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.ask_export_path: Callable[[], str] = self._ask_export_path
        self.summary = SummaryStrip()
        self.banner = RecoveryBanner()
        self.filters = HistoryFilterBar()
        self.model = HistoryTableModel(service, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Past submissions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(COL_TIME, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("How many submissions are shown")
        self.details_button = _button("Show details", "Show the selected submission's details")
        self.check_button = _button("Check on server", "Check the selected submissions on server")
        self.resend_button = _button("Send again…", "Send the selected submissions' items again")
        self.export_button = _button("Export to CSV…", "Export the list, or the selection, to CSV")
        self.audit_button = _button("Audit pack…", "Export a workbook and a PDF receipt per "
                                    "submission for an auditor")
        self.verification_button = _button("Verification…", "Verification settings and the log "
                                           "of webhook deliveries")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName("Status of the last action")
        self.cancel_button = _button("Cancel", "Cancel the running check or export")
        self.cancel_button.hide()
        self.detail = SubmissionDetailPanel()
        self._count_text = ""
        self.stack = QStackedWidget()
        self.empty = self._empty_page()
        self.no_match = self._no_match_page()
        self._build()
        self._connect()
        self.filters.set_choices(*service.choices())
        self._reader_changed(service.has_reader)
        self._changed()

    # --- layout ------------------------------------------------------------------------------

    def _empty_page(self) -> QWidget:
        self.new_record_button = _button("New record", "Enter a new record")
        self.import_button = _button("Import file", "Import a file")
        self.new_record_button.clicked.connect(self.new_record_requested)
        self.import_button.clicked.connect(self.import_requested)
        return _message_page(EMPTY_TEXT, self.new_record_button, self.import_button)

    def _no_match_page(self) -> QWidget:
        clear = _button("Clear filters", "Clear filters and show every submission")
        clear.clicked.connect(self.filters.clear_filters)
        return _message_page(NO_MATCH_TEXT, clear)

    def _build(self) -> None:
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        for b in (self.details_button, self.check_button, self.resend_button, self.export_button,
                  self.audit_button, self.verification_button):
            actions.addWidget(b)
        list_box = QWidget()
        lay = QVBoxLayout(list_box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(actions)
        lay.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("HistorySplitter")  # its divider is remembered (main window)
        split.addWidget(list_box)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.stack.addWidget(split)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.no_match)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        layout.addWidget(self.filters)
        layout.addWidget(self.stack, 1)
        layout.addLayout(status_row)

    def _connect(self) -> None:
        s = self.service
        s.changed.connect(self._changed)
        s.rows_updated.connect(self._rows_updated)
        s.interrupted_found.connect(self.banner.show_rows)
        s.reader_changed.connect(self._reader_changed)
        s.check_started.connect(self._check_started)
        s.check_progress.connect(self._check_progress)
        s.check_paused.connect(lambda secs: self._say(
            f"PacSpace asked to slow down; the check goes on in {secs:.0f} s."))
        s.check_finished.connect(self._check_finished)
        s.export_progress.connect(lambda n: self._say(f"Exporting… {number(n)} items written."))
        s.export_finished.connect(self._export_finished)
        s.failed.connect(self._failed)
        self.filters.filter_changed.connect(self._filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(self._show_current)
        self.details_button.clicked.connect(self._show_current)
        self.check_button.clicked.connect(
            lambda: self.service.check_submissions(self.selected_ids()))
        self.resend_button.clicked.connect(lambda: self.resubmit(self.selected_ids(), []))
        self.export_button.clicked.connect(self._export_clicked)
        self.audit_button.clicked.connect(lambda: self.audit_requested.emit(self.selected_ids()))
        self.verification_button.clicked.connect(self.verification_requested)
        self.cancel_button.clicked.connect(self._cancel)
        self.banner.check_requested.connect(self.service.check_submissions)
        self.detail.check_submission_requested.connect(
            lambda sub_id: self.service.check_submissions([sub_id]))
        self.detail.check_items_requested.connect(self.service.check_items)
        self.detail.resubmit_items_requested.connect(lambda ids: self.resubmit([], ids))
        self.detail.outcome_action_requested.connect(self.outcome_action_requested)
        self.banner.show_rows(self.service.interrupted)

    # --- what the page does ------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The ids of the selected submissions, in list order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r).id for r in rows]

    def show_submission(self, submission_id: int) -> None:
        """Show one submission's detail (and select it when it is loaded)."""
        row = self.model.row_of(submission_id)
        if row >= 0:
            self.table.selectRow(row)
        self.detail.show_detail(self.service.detail(submission_id))

    def resubmit(self, submission_ids: list[int], item_ids: list[int]) -> ResubmitPlan | None:
        """Hand the items that may be sent again to the form; say why others may not."""
        if not submission_ids and not item_ids:
            self._say("Select the submissions or items to send again.")
            return None
        plan = self.service.resubmit_plan(submission_ids, item_ids)
        refused = ""
        if plan.refused:
            reasons: dict[str, int] = {}
            for _item, why in plan.refused:
                reasons[why] = reasons.get(why, 0) + 1
            refused = " ".join(f"{items(n)} left out: {why}" for why, n in reasons.items())
        if not plan.items:
            self._say(f"Nothing to send again. {refused}")
            return plan
        self._say(f"{items(len(plan.items))} handed to the form to send again. {refused}")
        self.resubmit_requested.emit(plan.items, plan.source)
        return plan

    def export_to(self, path: str, selection_only: bool) -> bool:
        """Export the filtered list, or only the selected submissions, to `path`."""
        ids = self.selected_ids() if selection_only else None
        started = self.service.export(path, ids)
        if started:
            self.cancel_button.show()
            self._say("Exporting…")
        return started

    # --- reactions ---------------------------------------------------------------------------

    def _changed(self) -> None:
        total = self.service.total()
        count, items = self.service.count()
        self.summary.show_summary(self.service.summary())
        if total == 0:
            self.stack.setCurrentWidget(self.empty)
        elif count == 0:
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentIndex(0)
        self._count_text = f"{number(count)} submissions · {number(items)} items"
        self.filters.set_choices(*self.service.choices())
        for col in range(COL_REQUEST_ID):
            self.table.resizeColumnToContents(col)
            # A long reason or file name is cut (its tooltip has it all), so the Request ID
            # stays in view.
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 180))
        if self.detail.detail is not None:
            shown = self.detail.detail.row.id
            # A submission the filters now hide is not left on show below the list.
            self.detail.show_detail(self.service.detail(shown)
                                    if self.model.row_of(shown) >= 0 else None)
        self._selection_changed()

    def _filter_changed(self, flt: object) -> None:
        if isinstance(flt, HistoryFilter):
            self.service.set_filter(flt)

    def _rows_updated(self, ids: object) -> None:
        # A check may have settled unknown outcomes: the banner and the counts follow it.
        waiting = self.banner.submission_ids
        if waiting:
            self.banner.show_rows([r for r in self.service.rows(waiting)
                                   if r.state is ItemState.UNKNOWN])
        self.summary.show_summary(self.service.summary())
        current = self.detail.detail
        if current is not None and isinstance(ids, list) and current.row.id in ids:
            self.detail.show_detail(self.service.detail(current.row.id))

    def _selection_changed(self, *_args: QItemSelection) -> None:
        ids = self.selected_ids()
        hint = "" if ids else " — select one to see its details"
        self.count_label.setText(self._count_text + hint)
        self.details_button.setEnabled(len(ids) == 1)
        self.resend_button.setEnabled(bool(ids))
        self.check_button.setEnabled(bool(ids) and self.service.has_reader)
        self.export_button.setText("Export selected to CSV…" if ids else "Export list to CSV…")
        if len(ids) == 1:
            self.detail.show_detail(self.service.detail(ids[0]))

    def _show_current(self, *_args: QModelIndex) -> None:
        ids = self.selected_ids()
        if ids:
            self.show_submission(ids[0])
            self.detail.tabs.setFocus()

    def _reader_changed(self, available: bool) -> None:
        why = "" if available else NO_READER_WHY
        self.check_button.setToolTip(why)
        self.banner.set_check_enabled(available, why)
        self.detail.set_check_enabled(available, why)
        self._selection_changed()

    def _check_started(self, total: int) -> None:
        self.cancel_button.show()
        self._say(f"Checking {items(total)} on PacSpace…")

    def _check_progress(self, done: int, total: int) -> None:
        self._say(f"Checked {number(done)} of {items(total)} on PacSpace…")

    def _check_finished(self, report: object) -> None:
        self.cancel_button.setVisible(self.service.exporting)
        if not isinstance(report, CheckReport):
            return
        if report.stopped:
            return
        head = "Check cancelled" if report.cancelled else "Check finished"
        if len(report.answers) == 1:
            answer: ItemCheck = report.answers[0]
            self._say(f"{head}: {answer.target.key}: {answer.interpretation.text}")
            return
        words = [(Verdict.VERIFIED, "verified"), (Verdict.HELD, "held, not yet verified"),
                 (Verdict.LANDED, "most likely landed (do not resend)"),
                 (Verdict.NOT_LANDED, "not found long after sending (may be sent again)"),
                 (Verdict.TOO_SOON, "not found yet (too soon after sending to tell; do not "
                                    "resend yet)"),
                 (Verdict.EARLIER_ONLY, "most likely did not land (compare before resending)"),
                 (Verdict.MISSING, "accepted but not found yet"),
                 (Verdict.OTHER_WRITES, "not written by this request"),
                 (Verdict.NO_ANSWER, "no answer")]
        parts = [f"{number(report.count(v))} {w}" for v, w in words if report.count(v)]
        self._say(f"{head}: {number(len(report.answers))} of {items(report.total)} "
                  f"checked — " + ", ".join(parts) + ".")

    def _export_finished(self, path: str, rows: int) -> None:
        self.cancel_button.setVisible(self.service.checking)
        self._say(f"Exported {items(rows)} to {path}.")

    def _failed(self, message: str) -> None:
        self.cancel_button.setVisible(self.service.checking or self.service.exporting)
        self._say(message)

    def _cancel(self) -> None:
        self.service.cancel_check()
        self.service.cancel_export()

    def _export_clicked(self) -> None:
        path = self.ask_export_path()
        if path:
            self.export_to(path, bool(self.selected_ids()))

    def _ask_export_path(self) -> str:
        name = str(Path.home() / "pacspace-history.csv")
        path, _ = QFileDialog.getSaveFileName(self, "Export history to CSV", name,
                                              "CSV files (*.csv)")
        return path

    def _say(self, text: str) -> None:
        self.status.setText(text.strip())
        self.status.setAccessibleDescription(text.strip())
