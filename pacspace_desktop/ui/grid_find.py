"""Find and replace over the import grid, with a preview of what a replace would change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from operator import itemgetter

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.importing import (
    FindError,
    FindSpec,
    ImportTable,
    find_cells,
    find_changes,
)
from pacspace_desktop.importing.find import Change
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.ui.grid_editing import cells, quoted
from pacspace_desktop.ui.grid_view import GridView
from pacspace_desktop.ui.grid_worker import let_go, loop_running
from pacspace_desktop.ui.import_grid_model import ImportGridModel

PREVIEW = 20  # changes listed before a replace
BIG_FIND = 200_000
"""Cells to look through above which the preview is made in a worker thread (a million
cells: 0.17 s on the Qt thread)."""
_PROBLEM = "color: #cf222e;"


_CHANGE = itemgetter(0, 1, 3)  # at C speed: 250,000 changes
_COLUMN = itemgetter(1)
Found = tuple[list[Change], list[tuple[int, int, str]], list[str]]
"""A replace's preview: the changes (row, column, old, new), the step's (row, column, new),
and the names of the columns they are in."""


class FindBar(QWidget):
    """A bar above the grid: find (Ctrl+F) and replace (Ctrl+H) in one column or all.

    Signals:
        replace_requested(object, str): the `Change`s of a replace and the step's name.
    """

    replace_requested = Signal(object, str)

    def __init__(self, model: ImportGridModel, view: GridView,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model, self._view = model, view
        self._changes: list[Change] = []
        self._ready: list[tuple[int, int, str]] = []  # the step's (row, column, new text)
        self._job = 0  # the preview asked for last (a worker's older answer is dropped)
        self.find_edit = QLineEdit()
        self.find_edit.setAccessibleName("Find")
        self.find_edit.setPlaceholderText("Text to find")
        self.replace_edit = QLineEdit()
        self.replace_edit.setAccessibleName("Replace with")
        self.replace_edit.setPlaceholderText("New text (may be empty)")
        self.replace_edit.setToolTip("With a regular expression, \\1 puts back what the first "
                                "(…) group found.")
        self.column = QComboBox()
        self.column.setAccessibleName("Search in")
        self.match_case = QCheckBox("Match case")
        self.whole_cell = QCheckBox("Whole cell")
        self.whole_cell.setToolTip("Only cells whose whole text matches.")
        self.regex = QCheckBox("Regular expression")
        self.regex.setToolTip("A Python regular expression, e.g. GmbH$ for “ends in GmbH”.")
        self.next = QPushButton("Find next")
        self.next.setAccessibleName("Find next")
        self.next.setDefault(True)
        self.apply = QPushButton("Replace…")
        self.apply.setAccessibleName("Replace all")
        self.apply.setEnabled(False)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close find and replace")
        self.close_button.setToolTip("Close (Escape)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Find result")
        self.preview = QListWidget()
        self.preview.setAccessibleName("Cells that will change")
        self.preview.setMaximumHeight(150)
        self.replace_label = QLabel("Replace with:")
        self.replace_label.setBuddy(self.replace_edit)
        find_label = QLabel("Find:")
        find_label.setBuddy(self.find_edit)
        in_label = QLabel("In:")
        in_label.setBuddy(self.column)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(find_label, 0, 0)
        grid.addWidget(self.find_edit, 0, 1)
        grid.addWidget(in_label, 0, 2)
        grid.addWidget(self.column, 0, 3)
        grid.addWidget(self.next, 0, 4)
        grid.addWidget(self.close_button, 0, 5)
        grid.addWidget(self.replace_label, 1, 0)
        grid.addWidget(self.replace_edit, 1, 1)
        grid.addWidget(self.apply, 1, 4)
        grid.setColumnStretch(1, 1)
        options = QHBoxLayout()
        options.addWidget(self.match_case)
        options.addWidget(self.whole_cell)
        options.addWidget(self.regex)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addLayout(grid)
        layout.addLayout(options)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.update_preview)
        for edit in (self.find_edit, self.replace_edit):
            edit.textChanged.connect(self._timer.start)
        for box in (self.match_case, self.whole_cell, self.regex):
            box.toggled.connect(self._timer.start)
        self.column.currentIndexChanged.connect(self._timer.start)
        self.find_edit.returnPressed.connect(self.find_next)
        self.next.clicked.connect(self.find_next)
        self.apply.clicked.connect(self.replace_all)
        self.close_button.clicked.connect(self.hide)
        model.cells_changed.connect(self._cells_changed)
        self.hide()

    def _cells_changed(self, _edit: object) -> None:
        if self.isVisible():
            self._timer.start()

    @property
    def replacing(self) -> bool:
        """True when the replace row is shown."""
        return self.replace_edit.isVisibleTo(self)

    def open(self, replace: bool) -> None:
        """Show the bar (with the replace row for Ctrl+H), the current column chosen."""
        table = self._model.table
        if table is None:
            return
        names = ["All columns", *table.headers]
        if [self.column.itemText(i) for i in range(self.column.count())] != names:
            self.column.clear()
            self.column.addItems(names)
        current = self._view.currentIndex()
        if current.isValid() and current.column() >= 1:
            self.column.setCurrentIndex(current.column())
            if not self.find_edit.text():
                self.find_edit.setText(table.cell(self._model.table_row(current.row()),
                                             current.column() - 1))
        for w in (self.replace_label, self.replace_edit, self.apply, self.preview):
            w.setVisible(replace)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self.update_preview()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            self._view.setFocus()
            return
        super().keyPressEvent(event)

    def spec(self) -> FindSpec:
        """What is being looked for."""
        return FindSpec(self.find_edit.text(), self.regex.isChecked(), self.match_case.isChecked(),
                        self.whole_cell.isChecked())

    def _columns(self) -> list[int] | None:
        i = self.column.currentIndex()
        return None if i <= 0 else [i - 1]

    def _say(self, text: str, problem: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(_PROBLEM if problem else "")

    def update_preview(self) -> None:
        """Count (and, when replacing, list) what would change; over more than `BIG_FIND`
        cells the looking runs in a worker thread and the preview follows."""
        self._timer.stop()
        self._job += 1
        table = self._model.table
        self._changes, self._ready = [], []
        self.preview.clear()
        self.apply.setEnabled(False)
        self.apply.setText("Replace…")
        if table is None or not self.find_edit.text():
            self._say("Type what to find.")
            return
        spec, replacement, columns = self.spec(), self.replace_edit.text(), self._columns()
        replacing, locked = self.replacing, self._model.row_editable

        def look() -> Found | int:
            if not replacing:
                return len(find_cells(table, spec, columns))
            found = find_changes(table, spec, replacement, columns, skip=lambda r: not locked(r))
            # the step's changes and the columns' names made here too (in the worker of a big
            # preview): 250,000 of each took the Qt thread 30–110 ms when the button was pressed
            return found, list(map(_CHANGE, found)), sorted({table.headers[c] for c in
                                                             set(map(_COLUMN, found))})

        width = len(columns) if columns is not None else len(table.headers)
        if table.row_count * width > BIG_FIND and loop_running():
            self._say("Looking…")
            start_task(self._look_in_worker(look, self._job, table),
                       name="find and replace preview")
            return
        try:
            found = look()
        except FindError as exc:
            self._say(str(exc), problem=True)
            return
        self._show(found)

    async def _look_in_worker(self, look: Callable[[], Found | int], job: int,
                              table: ImportTable) -> None:
        found: Found | int | FindError
        try:
            found = await asyncio.to_thread(look)
        except FindError as exc:
            found = exc
        if job != self._job or self._model.table is not table:
            return  # asked again meanwhile, or another table is shown: this answer is moot
        if isinstance(found, FindError):
            self._say(str(found), problem=True)
        else:
            self._show(found)

    def _show(self, found: Found | int) -> None:
        table = self._model.table
        if isinstance(found, int) or table is None:
            count = found if isinstance(found, int) else 0
            self._say("No cell matches." if not count else "1 cell matches." if count == 1
                      else f"{count:,} cells match.")
            return
        changes, self._ready, names = found
        self._changes = changes
        if not changes:
            self._say("No cell would change.")
            return
        where = (f" in {len(names)} columns" if len(names) > 1 else f" in “{names[0]}”")
        fields = [f"“{n}” is sent as {role}" for n in names
                  if (role := self._model.column_role(n)) != "left out"]
        consequence = (f" {'; '.join(fields)}: the rows are checked again and the totals "
                       "follow." if fields else "")
        self._say(f"<b>{cells(len(changes))}</b> will change{where}.{consequence} Nothing "
                  "changes until you press the button; Undo (Ctrl+Z) puts them back.")
        for row, col, old, new in changes[:PREVIEW]:
            line = table.line_of(row)
            self.preview.addItem(f"{'Line ' + format(line, ',') if line else 'New row'} · "
                                 f"{table.headers[col]}: {old} → {new}")
        if len(changes) > PREVIEW:
            self.preview.addItem(f"… and {len(changes) - PREVIEW:,} more")
        self.apply.setText(f"Replace in {cells(len(changes))}")
        self.apply.setEnabled(True)

    def replace_all(self) -> None:
        """Make the previewed changes, as one step."""
        if not self._changes:
            return
        changes, spec = self._changes, self.spec()
        text = (f"Replace {quoted(spec.text)} with {quoted(self.replace_edit.text())} in "
                f"{cells(len(changes))}")
        self.replace_requested.emit(self._ready, text)  # (row, column, new)
        self._say(f"Replaced in {cells(len(changes))}. Undo (Ctrl+Z) puts them back.")
        let_go([self._changes, self._ready])  # the preview's 250,000 tuples, in steps
        self._changes, self._ready = [], []
        self.preview.clear()
        self.apply.setEnabled(False)

    def find_next(self) -> None:
        """Make the next matching cell (after the current one, in the order shown) current."""
        table, model = self._model.table, self._model
        if table is None:
            return
        try:
            hits = find_cells(table, self.spec(), self._columns())
        except FindError as exc:
            self._say(str(exc), problem=True)
            return
        spots = sorted((v, c + 1) for r, c in hits if (v := model.view_row(r)) >= 0)
        if not spots:
            self._say("No cell matches" + (" among the rows shown." if hits else "."))
            return
        current = self._view.currentIndex()
        here = (current.row(), current.column()) if current.isValid() else (-1, -1)
        target = next((s for s in spots if s > here), spots[0])
        index = model.index(*target)
        self._view.setCurrentIndex(index)
        self._view.selectionModel().select(index,
                                           QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._view.scrollTo(index)
        self._say(f"Match {spots.index(target) + 1:,} of {len(spots):,}.")
