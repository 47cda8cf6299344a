"""The problems panel: every problem of the import in file order; a click shows the cell."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.domain.validation import Severity
from pacspace_desktop.importing import CellProblem, TableValidation
from pacspace_desktop.importing.validate import StagedRevalidation
from pacspace_desktop.ui.style import state_colour, state_icon

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
LIMIT = 10_000  # the panel lists this many; the CSV export has them all
_RELIST = 2_000  # an edit touching more rows lists every problem again (one reset)


def listing(validation: TableValidation | None) -> list[CellProblem]:
    """The problems the panel lists (one more than `LIMIT` when there are more); safe in a
    worker thread on a staged check."""
    if validation is None:
        return []
    items = [CellProblem(-1, i.line, "", None, i.kind.value, i.message,
                         Severity.ERROR if i.is_error else Severity.WARNING)
             for i in validation.file_problems]
    found: list[CellProblem] = []
    for row in validation.first_problem_rows(LIMIT + 1):  # each has one problem at least
        found += validation.row_problems(row)
        if len(found) > LIMIT:
            break
    items += found[:LIMIT + 1]
    return items


class ProblemListModel(QAbstractListModel):
    """Problems in file order (lines that could not be read first), at most `LIMIT`."""

    ProblemRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[CellProblem] = []
        self._rows: list[int] = []  # the row of each item, for bisecting
        self._capped = False
        self._validation: TableValidation | None = None

    @property
    def capped(self) -> bool:
        """True when there are more problems than the panel lists."""
        return self._capped

    def set_validation(self, validation: TableValidation | None,
                       listed: list[CellProblem] | None = None) -> None:
        """List the problems of a new check (`listed`: as `listing` made them already)."""
        self.beginResetModel()
        self._validation = validation
        items = listed if listed is not None else listing(validation)
        self._capped = len(items) > LIMIT
        self._items = items[:LIMIT]
        self._rows = [p.row for p in self._items]
        self.endResetModel()

    def update_rows(self, rows: Sequence[int]) -> None:
        """Replace the problems of the given rows (after an edit), keeping file order."""
        validation = self._validation
        if validation is None:
            return
        last = self._rows[-1] if self._capped and self._rows else None
        for row in sorted(rows, reverse=True):
            if last is not None and row > last:
                continue  # beyond what the panel lists
            lo, hi = bisect_left(self._rows, row), bisect_right(self._rows, row)
            if hi > lo:
                self.beginRemoveRows(_ROOT, lo, hi - 1)
                del self._items[lo:hi], self._rows[lo:hi]
                self.endRemoveRows()
            new = validation.row_problems(row)
            if new:
                self.beginInsertRows(_ROOT, lo, lo + len(new) - 1)
                self._items[lo:lo] = new
                self._rows[lo:lo] = [row] * len(new)
                self.endInsertRows()

    def problem(self, index: int) -> CellProblem:
        """The problem listed at `index`."""
        return self._items[index]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._items[index.row()]
        left_out = p.code == "total_row"  # left out on purpose: not an error to fix
        error = p.severity is Severity.ERROR and not left_out
        where = f"Line {p.line:,}" if p.line else "New row"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{where}: {p.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = ("Left out — a total of the file, not an item" if left_out else
                    "Error — the row is held back" if error else "Check — the row can be sent")
            column = f", column “{p.column}”" if p.column else ""
            return f"{kind}. {where}{column}.\n{p.message}"
        if role == Qt.ItemDataRole.DecorationRole:
            if left_out:
                return state_icon(ItemState.NOT_SENT)
            return state_icon(ItemState.REJECTED if error else ItemState.UNKNOWN)
        if role == Qt.ItemDataRole.ForegroundRole:
            if left_out:
                return state_colour(ItemState.NOT_SENT)
            return None if error else state_colour(ItemState.UNKNOWN)
        if role == self.ProblemRole:
            return p
        return None


class ProblemsPanel(QWidget):
    """Lists the problems; Enter or a click on one shows its cell in the grid.

    Signals:
        cell_requested(int, str): show the cell of table row and column name ("" = status).
    """

    cell_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ProblemListModel(self)
        self._validation: TableValidation | None = None
        self.title = QLabel()
        self.title.setAccessibleName("Problems summary")
        self.title.setWordWrap(True)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("Problems")
        self.list.setWordWrap(True)  # whole sentences; at most LIMIT items are laid out
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(1)
        self.list.clicked.connect(self._go)
        self.list.activated.connect(self._go)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        self.model.modelReset.connect(self._update_title)
        self.model.rowsInserted.connect(self._update_title)
        self.model.rowsRemoved.connect(self._update_title)
        self._update_title()

    def set_validation(self, validation: TableValidation | None,
                       listed: list[CellProblem] | None = None) -> None:
        """Show the problems of a new check (`listed`: as `listing` made them already)."""
        self._validation = validation
        self.model.set_validation(validation, listed)

    def precompute(self, staged: StagedRevalidation) -> list[CellProblem] | None:
        """In the worker of a big edit: what the panel will list (None: it follows row by
        row)."""
        if len(staged.affected) <= _RELIST:
            return None
        return listing(staged.shadow)  # type: ignore[arg-type]

    def update_rows(self, rows: Sequence[int], moved: bool = False,
                    listed: list[CellProblem] | None = None) -> None:
        """Follow an edit; `moved` when rows were put in or taken out (all is listed again);
        `listed` when the worker of a big edit made the list already."""
        if listed is not None and not moved:
            self.model.set_validation(self._validation, listed)
        elif moved or len(rows) > _RELIST:
            self.model.set_validation(self._validation)
        else:
            self.model.update_rows(rows)

    def _go(self, index: QModelIndex) -> None:
        p = self.model.problem(index.row())
        if p.row >= 0:
            self.cell_requested.emit(p.row, p.column)

    def _update_title(self) -> None:
        validation = self._validation
        if validation is None:
            self.title.setText("Problems are listed here once the file is checked.")
            return
        totals = len(validation.total_rows())  # left out with their reason: not problems
        problems = sum(validation.counts_by_column().values()) - totals
        held = validation.row_count - validation.valid_count - totals
        lost = len(validation.file_problems)
        left_out = (f"<b>{totals:,}</b> total row{'s' if totals != 1 else ''} left out"
                    if totals else "")
        if not (problems or lost):
            self.title.setText(f"<b>No problems.</b> Every row can be sent"
                               f"{'; ' + left_out if left_out else ''}.")
            return
        parts = [f"<b>{problems:,}</b> problem{'s' if problems != 1 else ''}"]
        parts.append(f"<b>{held:,}</b> row{'s' if held != 1 else ''} held back")
        if left_out:
            parts.append(left_out)
        if lost:
            parts.append(f"<b>{lost:,}</b> line{'s' if lost != 1 else ''} could not be read")
        more = (f" The first {LIMIT:,} are listed; export them to see all."
                if self.model.capped else "")
        self.title.setText(", ".join(parts) + "." + more + " Click one to show its cell.")
