"""The import grid's reading side: a table model over the column-oriented `ImportTable`, fast
for 1M rows (`ImportGridModel` adds edits, view orders and filters)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.domain.validation import FIELD_LABELS, Severity
from pacspace_desktop.importing import ImportTable, Mapping, SourceKind, TableValidation
from pacspace_desktop.importing.groups import added_up_note
from pacspace_desktop.ui.style import is_dark, state_colour, state_icon

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

# Send states kept per row in a bytearray (1 byte a row); 0 = not sent in this session.
_STATES: tuple[ItemState | None, ...] = (None, ItemState.SENDING, ItemState.ACCEPTED,
                                         ItemState.REJECTED, ItemState.UNKNOWN,
                                         ItemState.NOT_SENT, ItemState.VERIFIED)
_CODE = {s: i for i, s in enumerate(_STATES) if s is not None}
_LOCKED = {_CODE[ItemState.SENDING], _CODE[ItemState.ACCEPTED], _CODE[ItemState.UNKNOWN],
           _CODE[ItemState.VERIFIED]}
_NOT_WRITTEN = {_CODE[ItemState.REJECTED], _CODE[ItemState.NOT_SENT], _CODE[ItemState.UNKNOWN]}
# (light, dark) backgrounds of problem cells; the icon and the tooltip say which kind.
_ERROR_BG = ("#ffebe9", "#5a1e1e")
_WARNING_BG = ("#fff3c4", "#4a3b00")
# data() runs for every role of every painted cell: compare plain ints, not Qt enum members.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_EDIT = Qt.ItemDataRole.EditRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole.value
_TEXT_ROLES = frozenset((_DISPLAY, _EDIT))
_MARK_ROLES = frozenset((_TOOLTIP, _BACKGROUND, _DECORATION, _DESCRIPTION))
_STATUS_ROLES = frozenset((_DISPLAY, _TOOLTIP, _DESCRIPTION, _FOREGROUND, _DECORATION))
HELD_BACK = "– Held back"
READY = "Ready to send"
READY_ADDED_UP = "Ready (added up)"
LEFT_OUT = "– Left out (a total)"
NOT_CHECKED = "Not checked yet"
_CACHE_ROWS = 4096
_REPAINT_MANY = 4096  # rows changed: more repaint everything with one signal


@dataclass(frozen=True, slots=True)
class _Mark:
    error: bool
    text: str


class GridModelBase(QAbstractTableModel):
    """Column 0 is the row's status; columns 1… are the file's columns; the vertical header
    shows the file's line numbers ("new" for rows added in the grid). Every `data()` call is
    O(1) in the size of the table.

    Signals:
        cells_changed(object): a `CellEdit` after cells were edited (or rows put in or taken
            out) and checked again.
    """

    COL_STATUS = 0
    cells_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: ImportTable | None = None
        self._validation: TableValidation | None = None
        self._roles: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._rows: list[int] | None = None  # table rows shown, when filtered or sorted
        self._ascending = True  # `_rows` in table order (else `_pos` finds a row's place)
        self._pos: dict[int, int] | None = None
        self._only = False
        self._state = bytearray()
        self._reason: dict[int, str] = {}
        self._marks: dict[int, dict[int, _Mark]] = {}
        self._locked = False
        self._icons: dict[bool, QIcon] = {}

    # ---- contents ---------------------------------------------------------------------------

    @property
    def table(self) -> ImportTable | None:
        """The table shown."""
        return self._table

    @property
    def validation(self) -> TableValidation | None:
        """The check of the table shown (None while the mapping is incomplete)."""
        return self._validation

    def set_table(self, table: ImportTable | None, mapping: Mapping | None,
                  validation: TableValidation | None, keep_states: bool = False) -> None:
        """Show a table (and its check); the send states are cleared unless `keep_states`."""
        self.beginResetModel()
        same = table is self._table and keep_states
        self._table, self._validation = table, validation
        self._roles = _roles(mapping) if mapping is not None else {}
        self._counts = validation.counts_by_column() if validation is not None else {}
        self._marks.clear()
        if not same:
            self._state = bytearray(table.row_count if table is not None else 0)
            self._reason.clear()
        self._set_rows(self._build_rows())
        self.endResetModel()

    def set_only_problems(self, on: bool) -> None:
        """Show only rows with a problem or not written (an index list: fast for 1M rows)."""
        self._only = on
        self.refresh_rows()

    @property
    def only_problems(self) -> bool:
        """True when only rows with problems are shown."""
        return self._only

    def refresh_rows(self) -> None:
        """Choose the rows shown again (after the filter or the order changed)."""
        self.beginResetModel()
        self._set_rows(self._build_rows())
        self.endResetModel()

    def _build_rows(self) -> list[int] | None:
        """The table rows to show, in order; None for all of them in table order."""
        return self._problem_rows() if self._only and self._table is not None else None

    def _set_rows(self, rows: list[int] | None, ascending: bool = True) -> None:
        self._rows, self._ascending, self._pos = rows, ascending, None

    def _problem_rows(self) -> list[int]:
        rows = set(self._validation.rows_with_problems()) if self._validation else set()
        rows.update(r for r in self._reason if self._state[r] in _NOT_WRITTEN)
        return sorted(rows)

    def set_locked(self, locked: bool) -> None:
        """No edits while rows are being sent."""
        self._locked = locked

    # ---- rows and columns -------------------------------------------------------------------

    def table_row(self, view_row: int) -> int:
        """The table row shown at `view_row`."""
        return self._rows[view_row] if self._rows is not None else view_row

    def view_row(self, table_row: int) -> int:
        """Where a table row is shown, or -1 when the filter hides it."""
        rows = self._rows
        if rows is None:
            return table_row
        if not self._ascending:
            if self._pos is None:
                self._pos = {r: i for i, r in enumerate(rows)}
            return self._pos.get(table_row, -1)
        i = bisect_left(rows, table_row)
        return i if i < len(rows) and rows[i] == table_row else -1

    def view_column(self, name: str) -> int:
        """The model column of a file column (the status column for a field label or "")."""
        if self._table is not None and name in self._table.headers:
            return self._table.headers.index(name) + 1
        return self.COL_STATUS

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self._table is None:
            return 0
        return len(self._rows) if self._rows is not None else self._table.row_count

    def columnCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.headers) + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        row = self.table_row(index.row())
        if index.column() == self.COL_STATUS or self._locked or self._state[row] in _LOCKED:
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    # ---- data -------------------------------------------------------------------------------

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        table = self._table
        if table is None or not index.isValid():
            return None
        role = int(role)
        col = index.column()
        row = index.row() if self._rows is None else self._rows[index.row()]
        if col == 0:
            return self._status(row, role) if role in _STATUS_ROLES else None
        if role in _TEXT_ROLES:
            return table.columns[col - 1][row]
        if role not in _MARK_ROLES:
            return None
        mark = self._row_marks(row).get(col)
        if mark is None:
            return None
        if role == _BACKGROUND:
            light, dark = _ERROR_BG if mark.error else _WARNING_BG
            return QColor(dark if is_dark() else light)
        if role == _DECORATION:
            return self._icon(mark.error)
        return mark.text

    def _icon(self, error: bool) -> QIcon:
        if error not in self._icons:
            self._icons[error] = state_icon(ItemState.REJECTED if error else ItemState.UNKNOWN)
        return self._icons[error]

    def _status(self, row: int, role: int) -> Any:
        state = _STATES[self._state[row]]
        valid = self._validation is None or self._validation.is_valid(row)
        if role == _DISPLAY:
            if state is not None:
                return f"{state.mark} {state.label}"
            if self._validation is None:
                return NOT_CHECKED
            if valid:
                return READY_ADDED_UP if self._validation.added_up_with(row) else READY
            return LEFT_OUT if self._validation.is_total_row(row) else HELD_BACK
        if role in (_TOOLTIP, _DESCRIPTION):
            lines = [self._reason[row]] if row in self._reason else []
            if self._validation is not None and valid:
                lines += added_up_note(self._validation, row)
            if self._validation is not None:
                lines += [_prefix(p.code, p.severity) + p.message
                          for p in self._validation.row_problems(row)]
            return "\n".join(lines) or None
        if role == _FOREGROUND:
            if state is not None:
                return state_colour(state)
            return None if valid else state_colour(ItemState.NOT_SENT)
        if state is not None:  # the decoration
            return state_icon(state)
        marks = self._row_marks(row)
        if not valid and self._validation is not None and self._validation.is_total_row(row):
            return None  # left out on purpose: not an error to fix
        if not valid or any(m.error for m in marks.values()):
            return self._icon(True)
        return self._icon(False) if marks else None

    def _row_marks(self, row: int) -> dict[int, _Mark]:
        cached = self._marks.get(row)
        if cached is not None:
            return cached
        marks: dict[int, _Mark] = {}
        if self._validation is not None:
            for p in self._validation.row_problems(row):
                col = self.view_column(p.column)
                old = marks.get(col)
                error = p.severity is Severity.ERROR or (old is not None and old.error)
                kind = "Error" if p.severity is Severity.ERROR else "Check"
                text = f"{old.text}\n{kind}: {p.message}" if old else f"{kind}: {p.message}"
                marks[col] = _Mark(error, text)
        if len(self._marks) >= _CACHE_ROWS:
            self._marks.clear()
        self._marks[row] = marks
        return marks

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        table = self._table
        if table is None or section < 0:
            return None
        if orientation == Qt.Orientation.Vertical:
            if section >= self.rowCount():
                return None
            line = table.line_of(self.table_row(section))
            if role == Qt.ItemDataRole.DisplayRole:
                return str(line) if line else "new"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Line {line:,} of the file" if line else "A row added in the grid"
            return None
        if section > len(table.headers):
            return None
        if section == self.COL_STATUS:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Status"
            if role == Qt.ItemDataRole.ToolTipRole:
                return ("Ready to send, held back because of a problem, or how PacSpace "
                        "answered.")
            return None
        name = table.headers[section - 1]
        count = self._counts.get(name, 0)
        role_text = self._roles.get(name, "left out")
        if role == Qt.ItemDataRole.DisplayRole:
            problems = f"  ⚠ {count:,}" if count else ""
            return f"{name}{problems}\n→ {role_text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            said = (f"{count:,} problem{'s' if count != 1 else ''} in this column."
                    if count else "No problems in this column.")
            return f"Column “{name}” → {role_text}. {said}"
        return None

    def column_role(self, name: str) -> str:
        """What a file column becomes ("Account ID", "metadata “date”", "left out")."""
        return self._roles.get(name, "left out")

    def problem_count(self, name: str) -> int:
        """Problems counted in a file column."""
        return self._counts.get(name, 0)

    def _repaint(self, rows: Sequence[int], first_col: int = 0) -> None:
        last = self.columnCount() - 1
        if last < 0:
            return
        if len(rows) > _REPAINT_MANY:  # one signal for a big change (no row looked up)
            self.dataChanged.emit(self.index(0, first_col),
                                  self.index(max(self.rowCount() - 1, 0), last))
            return
        shown = [v for r in rows if (v := self.view_row(r)) >= 0]
        if len(shown) > 256:  # one signal for a big change
            shown = [min(shown), max(shown)]
        for v in shown:
            self.dataChanged.emit(self.index(v, first_col), self.index(v, last))

    # ---- outcomes of sending ----------------------------------------------------------------

    def mark(self, states: dict[int, tuple[ItemState, str]]) -> None:
        """Set the send state (and the reason, for states other than accepted) of rows."""
        for row, (state, reason) in states.items():
            self._state[row] = _CODE[state]
            if reason:
                self._reason[row] = reason
            else:
                self._reason.pop(row, None)
        self._repaint(sorted(states))

    def state(self, row: int) -> ItemState | None:
        """The send state of a row in this session, or None."""
        return _STATES[self._state[row]]

    def rows_in(self, *states: ItemState) -> list[int]:
        """Rows in any of the given send states."""
        codes = bytes(_CODE[s] for s in states)
        data = self._state
        out: list[int] = []
        for code in codes:
            start = data.find(code)
            while start >= 0:
                out.append(start)
                start = data.find(code, start + 1)
        return sorted(out)

    def count_in(self, *states: ItemState) -> int:
        """How many rows are in any of the given send states (C speed, for 1M rows)."""
        return sum(self._state.count(_CODE[s]) for s in states)

    def sendable_rows(self) -> list[int]:
        """Valid rows not (possibly) written yet: never sent, rejected, or not sent."""
        if self._validation is None:
            return []
        state = self._state
        return [r for r in self._validation.valid_rows() if state[r] not in _LOCKED]


def _prefix(code: str, severity: Severity) -> str:
    if code == "total_row":
        return "Left out: "
    return "Error: " if severity is Severity.ERROR else "Check: "


def _roles(mapping: Mapping) -> dict[str, str]:
    """What each column becomes, in words, for the column headers."""
    roles: dict[str, str] = {}
    for meta in mapping.metadata:
        roles[meta.column] = f"metadata “{meta.name}”"
    for wire, source in mapping.sources().items():
        if source is None:
            continue
        label = FIELD_LABELS[wire]
        if wire == "bits" and mapping.amount.factor != 1:
            label = f"Bits (× {mapping.amount.factor:,})"
        for column in source.columns():
            part = label if source.kind is SourceKind.COLUMN else f"part of {label}"
            roles[column] = f"{part}, {roles[column]}" if column in roles else part
    return roles
