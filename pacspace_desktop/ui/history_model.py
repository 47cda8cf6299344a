"""The list of past submissions: a lazily paged table model over the history service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from pacspace_desktop.domain.catalogue import OutcomeKind, entry
from pacspace_desktop.domain.redact import transport_words
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.history_query import Sort, SortColumn
from pacspace_desktop.storage.records import SubmissionRow
from pacspace_desktop.storage.verification import Counts
from pacspace_desktop.ui.style import state_colour, state_icon
from pacspace_desktop.ui.verification_words import (
    verification_colour,
    verification_text,
    verification_tip,
)

COL_TIME = 0
COL_KEY = 1
COL_SOURCE = 2
COL_PROFILE = 3
COL_ITEMS = 4
COL_ACCOUNTS = 5
COL_BITS = 6
COL_OUTCOME = 7
COL_VERIFICATION = 8
COL_REASON = 9
COL_SENT_BY = 10
COL_REQUEST_ID = 11

HEADERS = ("Time", "Record key", "Source", "Profile · environment", "Items", "Accounts", "Bits",
           "Outcome", "Verification", "Reason", "Sent by", "Request ID")
HEADER_TIPS = (
    "When the submission was recorded (your time zone)",
    "The record key (key) of its first item, and how many more it holds",
    "Where the items came from: the form, or the imported file",
    "The profile and environment it was sent with",
    "Items in this request",
    "Different account IDs (accountId) in this request",
    "Sum of the bits of its items",
    "What PacSpace answered",
    "How many of its written items PacSpace has verified (from webhooks and checks)",
    "Why it was not written, or what a check on the server showed",
    "Who sent it: the person and computer, or the name set in Settings → Team history",
    "PacSpace's Request ID (requestId) of an accepted request",
)

_SORT_OF = {COL_TIME: SortColumn.TIME, COL_SOURCE: SortColumn.SOURCE,
            COL_PROFILE: SortColumn.PROFILE, COL_ITEMS: SortColumn.ITEMS,
            COL_ACCOUNTS: SortColumn.ACCOUNTS, COL_BITS: SortColumn.BITS,
            COL_OUTCOME: SortColumn.OUTCOME, COL_REQUEST_ID: SortColumn.REQUEST_ID,
            COL_SENT_BY: SortColumn.SENT_BY}

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""`data(index, ROW_ROLE)` gives the row's `SubmissionRow`."""

_Index = QModelIndex | QPersistentModelIndex


def source_label(source: str) -> str:
    """A source in words: `form` → "Form", `cli:x.json` → "x.json (command line)"."""
    if source == "form":
        return "Form"
    if source.startswith("cli:"):
        return f"{source[4:]} (command line)"
    return source


def local_stamp(value: datetime, seconds: bool = False) -> str:
    """A time in the user's locale and time zone ("" for None).

    Without a locale (LANG=C) Qt's short format reads "1 12 2026 22:18"; then the month is
    spelt out ("1 Dec 2026 22:18"), which no reader can take for another date.
    """
    stamp = QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000))
    locale = QLocale.system()
    if locale.language() == QLocale.Language.C:
        return locale.toString(stamp, "d MMM yyyy HH:mm" + (":ss" if seconds else ""))
    fmt = locale.dateTimeFormat(QLocale.FormatType.ShortFormat)
    if seconds and ":ss" not in fmt and "mm" in fmt:
        fmt = fmt.replace("mm", "mm:ss", 1)
    return locale.toString(stamp, fmt)


def local_time(row: SubmissionRow) -> str:
    """The submission's time in the user's locale and time zone."""
    return local_stamp(row.created_at)


def number(value: int) -> str:
    """A whole number in the user's locale (grouping included)."""
    return QLocale.system().toString(value)


def settled_by_check(row: SubmissionRow) -> bool:
    """True when the outcome was unknown and a check on the server has settled it."""
    return (row.outcome_kind is not None and row.state is not ItemState.UNKNOWN
            and entry(row.outcome_kind).item_state is ItemState.UNKNOWN)


def reason(row: SubmissionRow) -> str:
    """Why a submission was not written, or what a check showed ("" for a plain success)."""
    if settled_by_check(row):
        return ("Checked on the server: it landed" if row.state in (
            ItemState.ACCEPTED, ItemState.VERIFIED)
            else "Checked on the server: it was not written")
    if row.outcome_kind is None or row.outcome_kind is OutcomeKind.ACCEPTED:
        return ""
    title = entry(row.outcome_kind).title
    if row.state in (ItemState.REJECTED, ItemState.NOT_SENT) and row.server_message:
        said = row.server_message if row.status_code else transport_words(row.server_message)
        return f"{title}: {said}"
    return title


def key_text(first: str, count: int) -> str:
    """The Record key cell: the first item's key, and how many more the request holds."""
    if not first:
        return ""
    more = count - 1
    return first if more <= 0 else f"{first} + {number(more)} more"


def column_header(headers: Sequence[str], tips: Sequence[str], section: int,
                  orientation: Qt.Orientation, role: int) -> str | None:
    """`headerData` of a table with named columns: the name, and its tooltip."""
    if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(headers):
        return None
    if role == Qt.ItemDataRole.DisplayRole:
        return headers[section]
    if role == Qt.ItemDataRole.ToolTipRole:
        return tips[section]
    return None


class HistoryTableModel(QAbstractTableModel):
    """Submissions, newest first by default, fetched from the service a page at a time.

    Sorting and filtering happen in SQL through the service; `fetchMore` asks for the next page
    (keyset paging), so a history of any size opens at once.
    """

    def __init__(self, service: HistoryService, page_size: int = 200,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._page_size = page_size
        self._rows: list[SubmissionRow] = []
        self._keys: dict[int, str] = {}
        self._verif: dict[int, Counts] = {}
        self._cursor: Any = None
        service.changed.connect(self.reload)
        service.rows_updated.connect(self._update_rows)
        self.reload()

    def reload(self) -> None:
        """Start again from the first page (after a filter, sort or history change)."""
        self.beginResetModel()
        page = self._service.page(None, self._page_size)
        self._rows = list(page.rows)
        self._keys = self._service.first_keys([r.id for r in self._rows])
        self._verif = self._service.verification_counts([r.id for r in self._rows])
        self._cursor = page.next_cursor
        self.endResetModel()

    def row_at(self, row: int) -> SubmissionRow:
        """The submission shown in a row."""
        return self._rows[row]

    def row_of(self, submission_id: int) -> int:
        """The row showing a submission, or -1 when it is not loaded."""
        return next((n for n, r in enumerate(self._rows) if r.id == submission_id), -1)

    def _update_rows(self, submission_ids: object) -> None:
        ids = set(submission_ids) if isinstance(submission_ids, list) else set()
        positions = {r.id: n for n, r in enumerate(self._rows) if r.id in ids}
        if not positions:
            return
        self._verif.update(self._service.verification_counts(list(positions)))
        for fresh in self._service.rows(list(positions)):
            n = positions[fresh.id]
            self._rows[n] = fresh
            self.dataChanged.emit(self.index(n, 0), self.index(n, len(HEADERS) - 1))

    # --- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: _Index) -> None:
        if parent.isValid() or self._cursor is None:
            return
        page = self._service.page(self._cursor, self._page_size)
        self._cursor = page.next_cursor
        if not page.rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._keys.update(self._service.first_keys([r.id for r in page.rows]))
        self._verif.update(self._service.verification_counts([r.id for r in page.rows]))
        self._rows += page.rows
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column in _SORT_OF:
            self._service.set_sort(Sort(_SORT_OF[column],
                                        order == Qt.SortOrder.DescendingOrder))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(HEADERS, HEADER_TIPS, section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, col)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_ITEMS, COL_ACCOUNTS,
                                                                  COL_BITS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if col == COL_OUTCOME:
            if role == Qt.ItemDataRole.DecorationRole:
                return state_icon(row.state)
            if role == Qt.ItemDataRole.ForegroundRole:
                return state_colour(row.state)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._outcome_tip(row)
        if col == COL_VERIFICATION:
            return self._verification_data(row, role)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_SOURCE:
            return row.source
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_REASON, COL_KEY):
            return self._text(row, col) or None
        return None

    def _text(self, row: SubmissionRow, col: int) -> str:
        if col == COL_TIME:
            return local_time(row)
        if col == COL_SOURCE:
            return source_label(row.source)
        if col == COL_PROFILE:
            return f"{row.profile} · {row.environment.upper()}"
        if col == COL_ITEMS:
            return number(row.item_count)
        if col == COL_ACCOUNTS:
            return number(row.account_count)
        if col == COL_BITS:
            return number(row.bits_sum)
        if col == COL_OUTCOME:
            return f"{row.state.mark} {row.state.label}"
        if col == COL_KEY:
            return key_text(self._keys.get(row.id, ""), row.item_count)
        if col == COL_REASON:
            return reason(row)
        if col == COL_VERIFICATION:
            return verification_text(self._verif.get(row.id))
        if col == COL_SENT_BY:
            return row.sent_by
        return row.request_id or ""

    def _verification_data(self, row: SubmissionRow, role: int) -> Any:
        counts = self._verif.get(row.id)
        if counts is None or not counts.written:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return verification_colour(counts.state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return verification_tip(counts)
        return None

    @staticmethod
    def _outcome_tip(row: SubmissionRow) -> str:
        if row.outcome_kind is None:
            return row.state.label
        lines = [entry(row.outcome_kind).title]
        if settled_by_check(row):
            lines.append(reason(row))
        if row.status_code:
            lines.append(f"HTTP {row.status_code}")
        if row.server_message:
            lines.append(row.server_message if row.status_code
                         else transport_words(row.server_message))
        return "\n".join(lines)
