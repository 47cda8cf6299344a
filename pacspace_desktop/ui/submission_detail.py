"""The detail of one submission: outcome, items with their last check, attempts, raw texts."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.catalogue import NextStep, Written, entry
from pacspace_desktop.domain.redact import transport_words
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.records import ItemRow, SubmissionDetail
from pacspace_desktop.ui.history_items_model import (
    AttemptsTableModel,
    ItemsTableModel,
    server_side,
    when,
)
from pacspace_desktop.ui.history_model import number, source_label
from pacspace_desktop.ui.outcome_card import OutcomeCard, OutcomeView
from pacspace_desktop.ui.verification_words import VerificationNote

WRITES_PATH = "/api/v1/writes"


def redacted_key(environment: str) -> str:
    """The fixed placeholder shown for the API key: history never stores the key."""
    prefix = "pk_live_" if environment == "live" else "pk_test_"
    return f"{prefix}…•••"


def request_text(detail: SubmissionDetail) -> str:
    """The request as sent: method, address, headers (key redacted) and the exact body."""
    if detail.request_body is None:
        return "This request never left the computer, so nothing was sent."
    return (f"POST {detail.base_url}{WRITES_PATH}\n"
            "Content-Type: application/json\n"
            f"X-Api-Key: {redacted_key(detail.row.environment)}   "
            "(the key is never stored; only its environment is known)\n\n"
            f"{detail.request_body}")


def answer_text(detail: SubmissionDetail) -> str:
    """Every attempt's raw answer, then the final one."""
    parts = []
    for a in detail.attempts:
        status = f"HTTP {a.status_code}" if a.status_code is not None else "no answer"
        said = a.server_message if a.status_code is not None \
            else transport_words(a.server_message)
        message = f"Server message: {said}\n" if a.server_message else ""
        parts.append(f"Attempt {a.number} — {status} — {a.duration_ms} ms — "
                     f"{when(a.started_at)}\n{message}{a.response_text or '(no answer text)'}")
    if not parts:
        return detail.response_text or "No answer was received."
    return "\n\n".join(parts)


def settled_view(state: ItemState, was: str, details: tuple[tuple[str, str], ...],
                 request_id: str | None) -> OutcomeView:
    """The card of a request whose unknown outcome a check on the server has settled."""
    details = (("First outcome", was), *details)
    if state in (ItemState.ACCEPTED, ItemState.VERIFIED):
        return OutcomeView(state, "Checked on the server: it landed",
                           "The answer was lost, but PacSpace holds a write for every item "
                           "made after this request was sent, so it counts as accepted. Do not "
                           "send it again: that would count it twice. The check is kept with "
                           "each item.", Written.EVERYTHING, NextStep.NONE, "", details,
                           request_id)
    return OutcomeView(state, "Checked on the server: it was not written",
                       "The answer was lost, and PacSpace still held nothing for these keys "
                       "long after the request was sent, so it counts as not sent. The items "
                       "may be sent again (Send selected again…). The check is kept with each "
                       "item.", Written.NOTHING, NextStep.NONE, "", details, request_id)


def _table(model: ItemsTableModel | AttemptsTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.setTabKeyNavigation(False)
    view.setWordWrap(False)
    return view


def _text_area(name: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setReadOnly(True)
    edit.setAccessibleName(name)
    edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                 | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return edit


class SubmissionDetailPanel(QWidget):
    """One submission in full; everything is selectable and copyable.

    Signals:
        check_submission_requested(int): check every item of this submission on the server.
        check_items_requested(object): `list[int]` item ids to check on the server.
        resubmit_items_requested(object): `list[int]` item ids to send again.
        outcome_action_requested(str): a next step of the outcome card the shell handles
            (a `NextStep` value such as `open-key-settings`).
    """

    check_submission_requested = Signal(int)
    check_items_requested = Signal(object)
    resubmit_items_requested = Signal(object)
    outcome_action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._detail: SubmissionDetail | None = None
        self.heading = QLabel()
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.setAccessibleName("Submission")
        self.heading.setWordWrap(True)
        self.card = OutcomeCard()
        self.card.action_requested.connect(self._card_action)
        self.items_model = ItemsTableModel(self)
        self.items_view = _table(self.items_model, "Items of this submission")
        self.items_view.selectionModel().selectionChanged.connect(self._item_selected)
        self.check_note = QLabel("Select an item to see what PacSpace holds for it.")
        self.check_note.setWordWrap(True)
        self.check_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_note.setAccessibleName("What the check on the server says")
        self.check_selected = QPushButton("Check selected on server")
        self.check_all = QPushButton("Check all on server")
        self.resend = QPushButton("Send selected again…")
        self.copy_rows = QPushButton("Copy selected rows")
        for b, name in ((self.check_selected, "Check the selected items on the server"),
                        (self.check_all, "Check every item of this submission on the server"),
                        (self.resend, "Send the selected items again"),
                        (self.copy_rows, "Copy the selected items")):
            b.setAccessibleName(name)
        self.check_selected.clicked.connect(
            lambda: self.check_items_requested.emit(self.selected_item_ids()))
        self.check_all.clicked.connect(self._check_all)
        self.resend.clicked.connect(
            lambda: self.resubmit_items_requested.emit(self.selected_item_ids()))
        self.copy_rows.clicked.connect(self.copy_selected)
        copy = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self.items_view)
        copy.activated.connect(self.copy_selected)
        self.attempts_model = AttemptsTableModel(self)
        self.attempts_view = _table(self.attempts_model, "Attempts")
        self.request = _text_area("Request as sent")
        self.answer = _text_area("Answers received")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Submission details")
        items_tab = QWidget()
        buttons = QHBoxLayout()
        for b in (self.check_selected, self.check_all, self.resend, self.copy_rows):
            buttons.addWidget(b)
        buttons.addStretch(1)
        items_box = QVBoxLayout(items_tab)
        items_box.addWidget(self.items_view, 1)
        items_box.addWidget(self.check_note)
        items_box.addLayout(buttons)
        self.tabs.addTab(items_tab, "Items")
        self.tabs.addTab(self.attempts_view, "Attempts")
        self.tabs.addTab(self.request, "Request sent")
        self.tabs.addTab(self.answer, "Answers received")
        # In a scroll area: a long outcome on a small screen scrolls here instead of making
        # the window taller than the screen.
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        # Above the card: "Accepted … Nothing to do" must not be read first when PacSpace's
        # verification of the same items failed later.
        self.verification_note = VerificationNote()
        layout.addWidget(self.verification_note)
        layout.addWidget(self.card)
        layout.addWidget(self.tabs, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_detail(None)

    @property
    def detail(self) -> SubmissionDetail | None:
        """The submission shown."""
        return self._detail

    def show_detail(self, detail: SubmissionDetail | None) -> None:
        """Show one submission (None: nothing selected). Keeps the item selection if the same."""
        same = detail is not None and self._detail is not None and \
            detail.row.id == self._detail.row.id
        keep = self.selected_item_ids() if same else []
        self._detail = detail
        self.setVisible(detail is not None)
        if detail is None:
            self.heading.setText("Select a submission to see its details.")
            self.card.hide()
            self.items_model.set_items([])
            self.attempts_model.set_attempts([])
            self.request.clear()
            self.answer.clear()
            return
        row = detail.row
        sent = f"sent {when(detail.sent_at)}" if detail.sent_at else "never sent"
        count = f"{number(row.item_count)} item{'s' if row.item_count != 1 else ''}"
        self.heading.setText(
            f"<b>{html.escape(source_label(row.source))}</b> · {html.escape(row.profile)} · "
            f"{row.environment.upper()} · request {row.seq + 1} of this run · {count} · "
            f"recorded {when(row.created_at)} · {sent}")
        self.card.show_outcome(self._view(detail))
        self.card.toggle.setChecked(bool(self.card.view and self.card.view.details))
        self.items_model.set_items(detail.items)
        self.verification_note.show_items(detail.items)
        self.attempts_model.set_attempts(detail.attempts)
        self.items_view.resizeColumnsToContents()
        self.attempts_view.resizeColumnsToContents()
        self.request.setPlainText(request_text(detail))
        self.answer.setPlainText(answer_text(detail))
        self._select_items(keep)
        self._item_selected()

    def set_check_enabled(self, enabled: bool, why: str = "") -> None:
        """Allow or forbid checks on the server, with the reason when forbidden."""
        for b in (self.check_selected, self.check_all):
            b.setEnabled(enabled)
            b.setToolTip("" if enabled else why)

    def selected_item_ids(self) -> list[int]:
        """The ids of the selected items."""
        rows = sorted({i.row() for i in self.items_view.selectionModel().selectedRows()})
        return [self.items_model.item_at(r).id for r in rows]

    def copy_selected(self) -> None:
        """Copy the selected items (or all) as tab-separated text, with a header line."""
        rows = sorted({i.row() for i in self.items_view.selectionModel().selectedRows()})
        if not rows:
            rows = list(range(self.items_model.rowCount()))
        cols = range(self.items_model.columnCount())
        lines = ["\t".join(str(self.items_model.headerData(c, Qt.Orientation.Horizontal))
                           for c in cols)]
        lines += ["\t".join(str(self.items_model.index(r, c).data()) for c in cols)
                  for r in rows]
        QGuiApplication.clipboard().setText("\n".join(lines))

    def _select_items(self, ids: list[int]) -> None:
        wanted = set(ids)
        selection = self.items_view.selectionModel()
        for r in range(self.items_model.rowCount()):
            if self.items_model.item_at(r).id in wanted:
                selection.select(self.items_model.index(r, 0),
                                 QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)

    def _view(self, detail: SubmissionDetail) -> OutcomeView:
        row = detail.row
        details = tuple((k, v) for k, v in (
            ("HTTP status", str(row.status_code) if row.status_code else ""),
            ("Server message", row.server_message),
            ("Sent", when(detail.sent_at)),
            ("Answered" if row.status_code else "Ended", when(detail.finished_at)),
            ("Attempts", str(len(detail.attempts))),
            ("Address", detail.base_url)) if v)
        if row.outcome_kind is None:
            return OutcomeView(row.state, row.state.label,
                               "This request has not been answered yet.", details=details)
        e = entry(row.outcome_kind)
        if e.item_state is ItemState.UNKNOWN and row.state is not ItemState.UNKNOWN:
            return settled_view(row.state, e.title, details, row.request_id)
        return OutcomeView.from_entry(e, details=details, request_id=row.request_id)

    def _card_action(self, action: str) -> None:
        if self._detail is None:
            return
        if action == NextStep.CHECK_ON_SERVER.value:
            self.check_submission_requested.emit(self._detail.row.id)
        elif action == NextStep.FIX_ITEMS.value:
            self.tabs.setCurrentIndex(0)
            self.items_view.setFocus()
        else:
            self.outcome_action_requested.emit(action)

    def _check_all(self) -> None:
        if self._detail is not None:
            self.check_submission_requested.emit(self._detail.row.id)

    def _item_selected(self, *_args: object) -> None:
        ids = self.selected_item_ids()
        if self._detail is None or len(ids) != 1:
            self.check_note.setText("Select one item to see what PacSpace holds for it."
                                    if not ids else f"{len(ids)} items selected.")
            return
        item = next(it for it in self._detail.items if it.id == ids[0])
        self.check_note.setText(self._explain(item))

    def _explain(self, item: ItemRow) -> str:
        assert self._detail is not None
        sent = when(self._detail.sent_at)
        ours = f"We sent {number(item.bits)} bits" + (f" at {sent}." if sent else " (not sent).")
        kind = self._detail.row.outcome_kind
        was_unknown = kind is not None and entry(kind).item_state is ItemState.UNKNOWN
        # The verdict as it was made: judged for the unknown outcome the check settled.
        meaning = HistoryService.interpret(
            replace(item, state=ItemState.UNKNOWN) if was_unknown else item,
            self._detail.sent_at)
        if meaning is None or item.check_json is None:
            return f"<b>{html.escape(item.key)}</b>: {ours} Not checked on the server yet."
        check = jsonwire.loads(item.check_json)
        last = check.get("lastWriteAt") if isinstance(check, dict) else None
        held = server_side(item) + (f", last write {when(str(last))}" if last else "")
        settled = ""
        if was_unknown:
            if item.state in (ItemState.ACCEPTED, ItemState.VERIFIED):
                settled = ("<br>Its outcome was unknown; this check showed that it landed, so "
                           "it now counts as accepted. Do not send it again.")
            elif item.state is ItemState.NOT_SENT:
                settled = ("<br>Its outcome was unknown; this check showed that it was not "
                           "written, so it now counts as not sent and may be sent again.")
        return (f"<b>{html.escape(item.key)}</b>: {ours} PacSpace held at "
                f"{when(item.checked_at)}: {html.escape(held)}."
                f"<br><b>{meaning.text}</b>{settled}")
