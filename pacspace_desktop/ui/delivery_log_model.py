"""The log of webhook deliveries: every one, accepted or refused, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.webhook_log import DeliveryOutcome, DeliveryRecord
from pacspace_desktop.ui.history_model import column_header
from pacspace_desktop.ui.style import state_colour
from pacspace_desktop.ui.verification_words import short_time

_Index = QModelIndex | QPersistentModelIndex

COL_TIME, COL_RESULT, COL_EVENT, COL_REQUEST, COL_ITEMS, COL_FROM, COL_DETAIL = range(7)
HEADERS = ("Received", "Result", "Event", "Request ID", "Items", "From", "What happened")
TIPS = ("When the delivery arrived (your time zone)",
        "Accepted and stored, or why it was refused",
        "The event PacSpace sent (X-Webhook-Event)",
        "The Request ID the event is about",
        "How many items of the history it changed",
        "The address the delivery came from (a relay or tunnel shows as this computer)",
        "The receiver's words; the HTTP status it answered is in the tooltip")

_COLOUR = {DeliveryOutcome.ACCEPTED: ItemState.VERIFIED,
           DeliveryOutcome.UNKNOWN_REQUEST: ItemState.UNKNOWN,
           DeliveryOutcome.REPLAY: ItemState.NOT_SENT}


class DeliveryLogModel(QAbstractTableModel):
    """Deliveries as the receiver recorded them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DeliveryRecord] = []

    def set_rows(self, rows: list[DeliveryRecord]) -> None:
        """Show these deliveries."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DeliveryRecord:
        """The delivery shown in a row."""
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(HEADERS, TIPS, section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        d = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(d, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{d.detail}\nAnswered HTTP {d.http_status}. Body SHA-256: {d.body_sha256}"
                    if col in (COL_RESULT, COL_DETAIL) else self._text(d, col) or None)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_RESULT:
            return state_colour(_COLOUR.get(d.outcome, ItemState.REJECTED))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_ITEMS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(d: DeliveryRecord, col: int) -> str:
        if col == COL_TIME:
            return short_time(d.received_at)
        if col == COL_RESULT:
            return d.outcome.label
        if col == COL_EVENT:
            return d.event_type or "—"
        if col == COL_REQUEST:
            return d.request_id or "—"
        if col == COL_ITEMS:
            return str(d.items_matched)
        if col == COL_FROM:
            return d.remote
        return d.detail
