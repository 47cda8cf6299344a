"""The import grid's Edit actions (shortcuts as in Excel), for the grid's context menu and the
window's Edit menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from pacspace_desktop.ui.grid_editing import GridEditor
from pacspace_desktop.ui.grid_find import FindBar

Keys = QKeySequence.StandardKey | str
_LOCAL = Qt.ShortcutContext.WidgetWithChildrenShortcut


class GridActions(QObject):
    """Every Edit action of the grid. Page-wide ones (undo, redo, find) work while the focus is
    anywhere on the page; cell ones (copy, paste, fill, rows) while it is in the grid."""

    def __init__(self, editor: GridEditor, find: FindBar, page: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._editor, self._page = editor, page
        self._active = True
        view, stack = editor.view, editor.stack
        self.undo = self._make("Undo", [QKeySequence.StandardKey.Undo], stack.undo, page)
        self.redo = self._make("Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], stack.redo,
                               page)
        self.find = self._make("Find…", [QKeySequence.StandardKey.Find],
                               lambda: find.open(replace=False), page)
        self.replace = self._make("Find and replace…", ["Ctrl+H"],
                                  lambda: find.open(replace=True), page)
        self.copy = self._make("Copy", [QKeySequence.StandardKey.Copy], editor.copy, view)
        self.copy_headers = self._make("Copy with column names", ["Ctrl+Shift+C"],
                                       lambda: editor.copy(with_headers=True), view)
        self.paste = self._make("Paste", [QKeySequence.StandardKey.Paste], editor.paste, view)
        self.fill_down = self._make("Fill down", ["Ctrl+D"], editor.fill_down, view)
        self.clear = self._make("Clear cells (Delete)", [], editor.clear_selection, view)
        self.insert_above = self._make("Insert rows above", ["Ctrl++", "Ctrl+Shift+="],
                                       editor.insert_rows, view)
        self.insert_below = self._make("Insert rows below", [],
                                       lambda: editor.insert_rows(below=True), view)
        self.delete_rows = self._make("Delete rows", ["Ctrl+-"], editor.delete_rows, view)
        self.filter_cell = self._make("Show only rows with this value", ["Ctrl+Shift+L"],
                                      editor.filter_by_cell, view)
        self.clear_filters = self._make("Show all rows", [], editor.model.clear_filters, view)
        self.sort_up = self._make("Sort by this column, A → Z", [],
                                  lambda: self._sort(Qt.SortOrder.AscendingOrder), view)
        self.sort_down = self._make("Sort by this column, Z → A", [],
                                    lambda: self._sort(Qt.SortOrder.DescendingOrder), view)
        self.file_order = self._make("Show in the file's order", [],
                                     lambda: editor.model.sort(-1), view)
        self.undo.setToolTip("Undo the last change in the grid or the columns (Ctrl+Z)")
        self.fill_down.setToolTip("Copy the top cell of the selection into the cells below "
                                  "(Ctrl+D). Ctrl+Enter while typing fills the whole selection.")
        stack.indexChanged.connect(self._stack_changed)
        editor.model.checking_changed.connect(self._stack_changed)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in self.menu_actions():
            if action is not None and action not in (self.find, self.replace):
                view.addAction(action)
        self.update()

    def _make(self, text: str, keys: list[Keys], slot: Callable[[], object],
              owner: QWidget) -> QAction:
        action = QAction(text, owner)
        sequences: list[QKeySequence] = []
        for k in keys:  # a standard key brings the platform's bindings; no sequence twice
            found = (QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey)
                     else [QKeySequence(k)])
            sequences += [s for s in found if s not in sequences]
        action.setShortcuts(sequences)
        action.setShortcutContext(_LOCAL)
        action.triggered.connect(lambda _checked=False: slot() if self._active else None)
        owner.addAction(action)
        return action

    def _sort(self, order: Qt.SortOrder) -> None:
        current = self._editor.view.currentIndex()
        if current.isValid():
            self._editor.model.sort(current.column(), order)

    def menu_actions(self) -> list[QAction | None]:
        """The actions for an Edit menu, None where a separator goes."""
        return [self.undo, self.redo, None, self.copy, self.copy_headers, self.paste,
                self.fill_down, self.clear, None, self.insert_above, self.insert_below,
                self.delete_rows, None, self.find, self.replace, None, self.filter_cell,
                self.clear_filters, self.sort_up, self.sort_down, self.file_order]

    def set_active(self, active: bool) -> None:
        """Only while the import page is shown (the Edit menu serves every page)."""
        self._active = active
        self.update()

    @property
    def _edits(self) -> tuple[QAction, ...]:
        """The actions that make a step of the history."""
        return (self.paste, self.fill_down, self.clear, self.insert_above, self.insert_below,
                self.delete_rows)

    def _stack_changed(self, _index: object) -> None:
        self.update()

    def update(self) -> None:
        """Texts and enabled states, after a step or when the page shows or hides."""
        stack, model = self._editor.stack, self._editor.model
        can = self._active and model.table is not None
        free = not model.checking  # no step while a big edit is checked
        self.undo.setEnabled(can and free and stack.canUndo())
        self.redo.setEnabled(can and free and stack.canRedo())
        self.undo.setText(f"Undo {stack.undoText()}" if stack.canUndo() else "Undo")
        self.redo.setText(f"Redo {stack.redoText()}" if stack.canRedo() else "Redo")
        for action in self.menu_actions():
            if action is not None and action not in (self.undo, self.redo):
                action.setEnabled(can and (free or action not in self._edits))
