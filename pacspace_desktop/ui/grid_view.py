"""The import grid's table view: keys as in a spreadsheet (Enter moves down after an edit,
Ctrl+Enter fills the selection with what was typed, Delete clears the selection)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_CTRL = Qt.KeyboardModifier.ControlModifier
_SHIFT = Qt.KeyboardModifier.ShiftModifier


SIZE_SAMPLE = 50
"""Rows beyond those in sight whose cells size a column."""


class GridDelegate(QStyledItemDelegate):
    """The cell editor: Enter commits and moves down; Ctrl+Enter fills the selection.

    Signals:
        fill_requested(str): write this text to every selected cell (Ctrl+Enter).
        move_requested(int): move the current cell by this many rows (after Enter).
    """

    fill_requested = Signal(str)
    move_requested = Signal(int)

    def createEditor(self, parent: QWidget, option: object, index: QModelIndex | object
                     ) -> QWidget:
        editor = super().createEditor(parent, option, index)  # type: ignore[arg-type]
        editor.setAccessibleName("Cell text")
        return editor

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit)
                and isinstance(event, QKeyEvent)):
            key_event = event
            if key_event.key() in _ENTER:
                if key_event.modifiers() & _CTRL:
                    self.fill_requested.emit(editor.text())
                    self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                    return True
                self.commitData.emit(editor)
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                self.move_requested.emit(-1 if key_event.modifiers() & _SHIFT else 1)
                return True
        return super().eventFilter(editor, event)


class GridView(QTableView):
    """A table view that moves and clears like a spreadsheet.

    Signals:
        fill_requested(str): write this text to every selected cell (Ctrl+Enter in an editor).
        clear_requested(): empty the selected cells (Delete).
    """

    fill_requested = Signal(str)
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = GridDelegate(self)
        self.setItemDelegate(self.delegate)
        self.delegate.fill_requested.connect(self.fill_requested)
        self.delegate.move_requested.connect(self.move_by)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        # columns are sized from a sample: the rows in sight and 50 more (Qt's default, 1,000
        # rows, read 168,000 cells of a wide file on the Qt thread: 0.45 s)
        self.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE)

    def move_by(self, rows: int) -> None:
        """Make the cell `rows` below (above, when negative) the current one current."""
        model, current = self.model(), self.currentIndex()
        if model is None or not current.isValid():
            return
        row = min(max(current.row() + rows, 0), model.rowCount() - 1)
        target = model.index(row, current.column())
        self.setCurrentIndex(target)
        self.selectionModel().select(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(target)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            key = event.key()
            if key in _ENTER and not event.modifiers() & _CTRL:
                self.move_by(-1 if event.modifiers() & _SHIFT else 1)
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.clear_requested.emit()
                return
        super().keyPressEvent(event)
