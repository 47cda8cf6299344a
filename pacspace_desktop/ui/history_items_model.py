"""Small table models of one submission: its items (with the last check) and its attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.catalogue import entry
from pacspace_desktop.domain.redact import transport_words
from pacspace_desktop.storage.records import AttemptRecord, ItemRow
from pacspace_desktop.storage.verification import Verification
from pacspace_desktop.ui.history_model import column_header, local_stamp, number
from pacspace_desktop.ui.style import state_colour, state_icon
from pacspace_desktop.ui.verification_words import (
    item_verification,
    item_verification_tip,
    verification_colour,
)

_Index = QModelIndex | QPersistentModelIndex

(ITEM_KEY, ITEM_ACCOUNT, ITEM_BITS, ITEM_METADATA, ITEM_STATE, ITEM_CHECKED, ITEM_SERVER,
 ITEM_VERIFICATION) = range(8)
ITEM_HEADERS = ("Record key", "Account ID", "Bits sent", "Metadata", "State", "Last checked",
                "On PacSpace", "Verification")
ITEM_TIPS = ("key", "accountId", "bits: the whole number this record added",
             "metadata (JSON)", "Where the item stands",
             "When PacSpace was last asked about this key",
             "What PacSpace held for this key at the last check",
             "Whether PacSpace has verified it, and when (or why it failed)")

ATT_NUMBER, ATT_TIME, ATT_STATUS, ATT_DURATION, ATT_RESULT, ATT_MESSAGE = range(6)
ATT_HEADERS = ("Attempt", "Time", "HTTP status", "Duration", "Result", "Server message")

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


def when(value: datetime | str | None) -> str:
    """A time in the user's locale and time zone, with seconds (ISO text is read first)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value is None:
        return ""
    return local_stamp(value, seconds=True)


def server_side(item: ItemRow) -> str:
    """What PacSpace held at the last check, in a few words."""
    if not item.check_json:
        return "Not checked"
    try:
        check = jsonwire.loads(item.check_json)
    except ValueError:
        return ""
    if not isinstance(check, dict):
        return ""
    if check.get("found") is False:
        return "Nothing for this key"
    if check.get("found") is None:
        return "No answer"
    parts = [f"{number(int(check.get('currentBits') or 0))} bits",
             writes_text(int(check.get("totalWrites") or 0))]
    if check.get("verified") is True:
        parts.append("verified")
    return ", ".join(parts)


def writes_text(n: int) -> str:
    """"1 write", "3 writes"."""
    return f"{number(n)} write{'s' if n != 1 else ''}"


def _verification_colour(item: ItemRow) -> QColor | None:
    try:
        state = Verification(item.verification)
    except ValueError:
        return None
    return verification_colour(state)


class ItemsTableModel(QAbstractTableModel):
    """The items of one submission."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ItemRow] = []

    def set_items(self, items: list[ItemRow]) -> None:
        """Show these items."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> ItemRow:
        """The item in a row."""
        return self._items[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ITEM_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(ITEM_HEADERS, ITEM_TIPS, section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        col = index.column()
        if col == ITEM_VERIFICATION and role == Qt.ItemDataRole.ToolTipRole:
            return item_verification_tip(item)
        if col == ITEM_VERIFICATION and role == Qt.ItemDataRole.ForegroundRole:
            return _verification_colour(item)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            return self._text(item, col)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.TextAlignmentRole and col == ITEM_BITS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if col == ITEM_STATE and role == Qt.ItemDataRole.DecorationRole:
            return state_icon(item.state)
        if col == ITEM_STATE and role == Qt.ItemDataRole.ForegroundRole:
            return state_colour(item.state)
        return None

    @staticmethod
    def _text(item: ItemRow, col: int) -> str:
        if col == ITEM_KEY:
            return item.key
        if col == ITEM_ACCOUNT:
            return item.account_id
        if col == ITEM_BITS:
            return number(item.bits)
        if col == ITEM_METADATA:
            return item.metadata_json or ""
        if col == ITEM_STATE:
            return f"{item.state.mark} {item.state.label}"
        if col == ITEM_VERIFICATION:
            return item_verification(item)
        if col == ITEM_CHECKED:
            return when(item.checked_at) or "Never"
        return server_side(item)


class AttemptsTableModel(QAbstractTableModel):
    """The HTTP attempts of one submission."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._attempts: list[AttemptRecord] = []

    def set_attempts(self, attempts: list[AttemptRecord]) -> None:
        """Show these attempts."""
        self.beginResetModel()
        self._attempts = list(attempts)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._attempts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ATT_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(ATT_HEADERS)):
            return ATT_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._attempts):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                        Qt.ItemDataRole.ToolTipRole):
            return None
        a = self._attempts[index.row()]
        col = index.column()
        if col == ATT_NUMBER:
            return str(a.number)
        if col == ATT_TIME:
            return when(a.started_at)
        if col == ATT_STATUS:
            return str(a.status_code) if a.status_code is not None else "no answer"
        if col == ATT_DURATION:
            return f"{number(a.duration_ms)} ms"
        if col == ATT_RESULT:
            return entry(a.kind).title
        return a.server_message if a.status_code is not None \
            else transport_words(a.server_message)
