"""What the import grid's Edit actions do: undo and redo, copy and paste, fill, clear, put in
and take out rows, filter by a cell — every change a step of one `QUndoStack`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import compress
from operator import eq, itemgetter, ne

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, Signal
from PySide6.QtGui import QClipboard, QGuiApplication, QUndoCommand, QUndoStack

from pacspace_desktop.importing import RowBlock
from pacspace_desktop.ui.grid_clipboard import mime_of, rows_of
from pacspace_desktop.ui.grid_commands import (
    CellsCommand,
    DeleteRowsCommand,
    GridCommand,
    GroupCommand,
    InsertRowsCommand,
)
from pacspace_desktop.ui.grid_view import GridView
from pacspace_desktop.ui.grid_worker import let_go
from pacspace_desktop.ui.import_grid_model import Change, ImportGridModel

Rect = tuple[int, int, int, int]  # top, left, bottom, right (view rows, model columns)
_QUOTE = 24


def quoted(text: str) -> str:
    """A value as named in a step of the history: “short…”."""
    one_line = " ".join(text.split())
    return f"“{one_line if len(one_line) <= _QUOTE else one_line[:_QUOTE - 1] + '…'}”"


def cells(n: int) -> str:
    """ "1 cell", "12 cells"."""
    return f"{n:,} cell{'s' if n != 1 else ''}"


def rows(n: int) -> str:
    """ "1 row", "3 rows"."""
    return plural(n, "row")


def plural(n: int, word: str) -> str:
    """ "1 row", "1,234 rows" (words that add an s)."""
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def _changed(columns: list[list[str]], changes: list[Change]) -> tuple[list[Change], list[str]]:
    """The changes that change a cell, and the texts they replace — at C speed for changes
    in one column (a replace in 250,000 cells, on the Qt thread)."""
    if len(set(map(itemgetter(1), changes))) == 1:
        column = columns[changes[0][1]]
        old = list(map(column.__getitem__, map(itemgetter(0), changes)))
    else:
        old = [columns[c][r] for r, c, _t in changes]
    if not any(map(eq, old, map(itemgetter(2), changes))):  # the usual case: all change
        return changes, old
    differ = list(map(ne, old, map(itemgetter(2), changes)))
    return list(compress(changes, differ)), list(compress(old, differ))


BUSY = "The rows of the last change are still being checked; wait until it ends."


class GridStack(QUndoStack):
    """The undo history, which takes no step (nor undoes or redoes one) while the model checks
    a big edit in a worker thread (its actions are disabled meanwhile)."""

    refused = Signal()

    def __init__(self, model: ImportGridModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def _busy(self) -> bool:
        if self._model.checking:
            self.refused.emit()
            return True
        return False

    def push(self, cmd: QUndoCommand) -> None:
        if not self._busy():
            undone = [self.command(i) for i in range(self.index(), self.count())]
            data = [d for c in undone if isinstance(c, GridCommand) for d in c.take_data()]
            super().push(cmd)  # deletes the undone steps: their big lists are freed in steps
            let_go(data)

    def undo(self) -> None:
        if not self._busy():
            super().undo()

    def redo(self) -> None:
        if not self._busy():
            super().redo()

    def setIndex(self, idx: int) -> None:
        if not self._busy():
            super().setIndex(idx)


class GridEditor(QObject):
    """Turns what a person does in the grid into steps of the undo history.

    Signals:
        said(str): what happened, in words, when it needs saying (cells left out, nothing to
            paste); "" clears the message.
    """

    said = Signal(str)

    def __init__(self, model: ImportGridModel, view: GridView,
                 clipboard: QClipboard | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model, self.view = model, view
        self.stack = GridStack(model, self)
        self.stack.refused.connect(lambda: self.said.emit(BUSY))
        self._clipboard = clipboard
        model.command_sink = self.push_cells
        view.fill_requested.connect(self.fill_selection)
        view.clear_requested.connect(self.clear_selection)

    @property
    def clipboard(self) -> QClipboard:
        """The system clipboard (or the one given)."""
        return self._clipboard or QGuiApplication.clipboard()

    def push(self, command: GridCommand) -> None:
        """Do a step and keep it in the history."""
        self.stack.push(command)

    def push_cells(self, changes: list[Change], text: str) -> int:
        """Change cells as one step, leaving out rows that cannot change (sent, or sending).

        Returns:
            How many cells were left out.
        """
        table = self.model.table
        if table is None:
            return 0
        if self._busy():
            return 0
        columns = table.columns
        if self.model.all_editable() and self.model.defers(len(changes)):
            # a replace in 250,000 cells: the old texts are collected, the cells written and
            # checked in the worker, the grid locked meanwhile (unchanged cells stay in the
            # step: writing a text over itself is undone exactly)
            self.push(CellsCommand(self.model, changes, None, text))
            self.said.emit("")
            return 0
        if self.model.all_editable():  # the usual case: no per-row question (1M rows)
            kept, old = _changed(columns, changes)
            left_out = 0
        else:
            editable = self.model.row_editable
            kept = [c for c in changes if editable(c[0]) and columns[c[1]][c[0]] != c[2]]
            left_out = sum(1 for c in changes if not editable(c[0]))
            old = [columns[c][r] for r, c, _t in kept]
        if kept:
            self.push(CellsCommand(self.model, kept, old, text))
        self.said.emit(f"{cells(left_out)} of rows already sent were left unchanged."
                       if left_out else "")
        return left_out

    def _busy(self) -> bool:
        """True (and said) while a big edit is checked: no new step meanwhile."""
        if self.model.checking:
            self.said.emit(BUSY)
            return True
        return False

    # ---- the selection ----------------------------------------------------------------------

    def selection_rects(self) -> list[Rect]:
        """The selected blocks (view rows, model columns); the current cell when none."""
        selection = self.view.selectionModel().selection()
        rects = [(selection.at(i).top(), selection.at(i).left(), selection.at(i).bottom(),
                  selection.at(i).right()) for i in range(selection.count())]
        if not rects:
            current = self.view.currentIndex()
            if current.isValid():
                rects = [(current.row(), current.column(), current.row(), current.column())]
        return rects

    def _cells_of(self, rects: Sequence[Rect]) -> Iterator[tuple[int, int]]:
        """(table row, table column) of every selected file cell (the status column skipped)."""
        seen: set[tuple[int, int]] = set()
        for top, left, bottom, right in rects:
            for view_row in range(top, bottom + 1):
                row = self.model.table_row(view_row)
                for col in range(max(left, 1), right + 1):
                    if (row, col) not in seen:
                        seen.add((row, col))
                        yield row, col - 1

    def _select(self, top: int, left: int, bottom: int, right: int) -> None:
        model = self.model
        first, last = model.index(top, left), model.index(bottom, right)
        self.view.setCurrentIndex(first)
        self.view.selectionModel().select(
            QItemSelection(first, last), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # ---- clipboard ---------------------------------------------------------------------------

    def copy(self, with_headers: bool = False) -> int:
        """Put the selected block on the clipboard as tab-separated text (and HTML).

        Returns:
            How many cells were copied.
        """
        table, rects = self.model.table, self.selection_rects()
        if table is None or not rects:
            return 0
        top, left = min(r[0] for r in rects), min(r[1] for r in rects)
        bottom, right = max(r[2] for r in rects), max(r[3] for r in rects)
        model = self.model
        out: list[list[str]] = []
        if with_headers:
            out.append([("Status" if c == 0 else table.headers[c - 1])
                        for c in range(left, right + 1)])
        for view_row in range(top, bottom + 1):
            out.append([str(model.data(model.index(view_row, c)) or "")
                        for c in range(left, right + 1)])
        self.clipboard.setMimeData(mime_of(out, header=with_headers))
        n = (bottom - top + 1) * (right - left + 1)
        self.said.emit(f"Copied {cells(n)}" + (" with the column names." if with_headers
                                                else "."))
        return n

    def paste(self) -> None:
        """Paste the clipboard at the selection: one value fills every selected cell; a block
        starts at the top-left selected cell and adds rows when it runs past the end."""
        if self._busy():
            return
        table, model = self.model.table, self.model
        data = rows_of(self.clipboard.mimeData())
        if table is None:
            return
        if not data:
            self.said.emit("The clipboard holds no text to paste.")
            return
        rects = self.selection_rects()
        if not rects:
            rects = [(0, 1, 0, 1)]
        selected = sum((b - t + 1) * (r - max(lf, 1) + 1) for t, lf, b, r in rects)
        if len(data) == 1 and len(data[0]) == 1 and selected > 1:
            value = data[0][0]
            self.push_cells([(r, c, value) for r, c in self._cells_of(rects)],
                            f"Paste {quoted(value)} into {cells(selected)}")
            return
        top, left = min(r[0] for r in rects), max(min(r[1] for r in rects), 1)
        width = len(table.headers)
        cut = max(len(row) for row in data) - (width - left + 1)
        changes: list[Change] = []
        new_rows: list[list[str]] = []
        shown = model.rowCount()
        for i, values in enumerate(data):
            values = values[:width - left + 1]
            if top + i < shown:
                row = model.table_row(top + i)
                changes += [(row, left - 1 + j, v) for j, v in enumerate(values)]
            else:
                new_rows.append([""] * (left - 1) + values)
        n = sum(len(v[:width - left + 1]) for v in data)
        text = f"Paste {cells(n)}" + (f" ({rows(len(new_rows))} added)" if new_rows else "")
        left_out = self._paste(changes, new_rows, text)
        words = []
        if cut > 0:
            words.append(f"{cut} column{'s' if cut != 1 else ''} of the pasted block did not "
                         "fit and were left out.")
        if left_out:
            words.append(f"{cells(left_out)} of rows already sent were left unchanged.")
        bottom = min(top + len(data), model.rowCount()) - 1
        first, last = (table.line_of(model.table_row(v)) for v in (top, bottom))
        if first and last:
            span = f"line {first:,}" if first == last else f"lines {first:,}–{last:,}"
        elif first or last:  # rows of the file and rows added here (line 0) together
            span = f"rows from line {first:,} on" if first else f"rows up to line {last:,}"
        else:
            span = "rows added here" if bottom > top else "a row added here"
        words.insert(0, f"Pasted {cells(n)} into {span}"
                     + (f", adding {rows(len(new_rows))}." if new_rows else ".")
                     + " Undo (Ctrl+Z) puts the cells back.")
        self.said.emit(" ".join(words))
        right = min(left - 1 + max(len(v) for v in data), width)
        self._select(top, left, bottom, right)

    def _paste(self, changes: list[Change], new_rows: list[list[str]], text: str) -> int:
        table = self.model.table
        assert table is not None
        editable = self.model.row_editable
        kept = [c for c in changes if editable(c[0]) and table.cell(c[0], c[1]) != c[2]]
        parts: list[GridCommand] = []
        if kept:
            parts.append(CellsCommand(self.model, kept,
                                      [table.cell(r, c) for r, c, _t in kept], text))
        if new_rows:
            block = RowBlock.of_rows(new_rows, len(table.headers))
            parts.append(InsertRowsCommand(self.model, table.row_count, block, text))
        if len(parts) == 1:
            self.push(parts[0])
        elif parts:
            self.push(GroupCommand(parts, text))
        return sum(1 for c in changes if not editable(c[0]))

    # ---- fill and clear ----------------------------------------------------------------------

    def fill_down(self) -> None:
        """Copy the top row of each selected block into the rows below it (with one row
        selected, the row above is copied into it), as Ctrl+D in Excel."""
        table, model = self.model.table, self.model
        if table is None:
            return
        changes: list[Change] = []
        for top, left, bottom, right in self.selection_rects():
            source, first = (top, top + 1) if bottom > top else (top - 1, top)
            if source < 0:
                continue
            src = model.table_row(source)
            for col in range(max(left, 1), right + 1):
                value = table.cell(src, col - 1)
                changes += [(model.table_row(v), col - 1, value)
                            for v in range(first, bottom + 1)]
        if changes:
            self.push_cells(changes, f"Fill down {cells(len(changes))}")

    def fill_selection(self, text: str) -> None:
        """Write `text` into every selected cell (Ctrl+Enter after typing, as in Excel)."""
        targets = list(self._cells_of(self.selection_rects()))
        if targets:
            self.push_cells([(r, c, text) for r, c in targets],
                            f"Fill {cells(len(targets))} with {quoted(text)}")

    def clear_selection(self) -> None:
        """Empty every selected cell (Delete)."""
        targets = list(self._cells_of(self.selection_rects()))
        if targets:
            self.push_cells([(r, c, "") for r, c in targets], f"Clear {cells(len(targets))}")

    # ---- rows ------------------------------------------------------------------------------

    def _selected_rows(self) -> list[int]:
        """Table rows of the selected view rows, sorted."""
        found: set[int] = set()
        for top, _l, bottom, _r in self.selection_rects():
            found.update(self.model.table_row(v) for v in range(top, bottom + 1))
        return sorted(found)

    def insert_rows(self, below: bool = False) -> None:
        """Put in as many empty rows as are selected, above (or below) the selection."""
        if self._busy():
            return
        table, selected = self.model.table, self._selected_rows()
        if table is None:
            return
        count = max(len(selected), 1)
        at = (selected[-1] + 1 if below else selected[0]) if selected else table.row_count
        block = RowBlock.of_rows([[]] * count, len(table.headers))
        self.push(InsertRowsCommand(self.model, at, block, f"Insert {rows(count)}"))
        view_row = self.model.view_row(at)
        if view_row >= 0:
            self._select(view_row, 1, view_row + count - 1, self.model.columnCount() - 1)

    def delete_rows(self) -> None:
        """Take out the selected rows (not rows already sent)."""
        if self._busy():
            return
        selected = self._selected_rows()
        if self.model.table is None or not selected:
            return
        if not all(self.model.row_editable(r) for r in selected):
            self.said.emit("Rows already sent (or being sent) cannot be deleted.")
            return
        runs: list[tuple[int, int]] = []
        for row in selected:
            if runs and runs[-1][0] + runs[-1][1] == row:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((row, 1))
        self.push(DeleteRowsCommand(self.model, runs, f"Delete {rows(len(selected))}"))
        self.said.emit("")

    # ---- filters -----------------------------------------------------------------------------

    def filter_by_cell(self) -> None:
        """Show only rows with the current cell's value in its column."""
        current = self.view.currentIndex()
        table = self.model.table
        if table is None or not current.isValid() or current.column() < 1:
            return
        value = table.cell(self.model.table_row(current.row()), current.column() - 1)
        self.model.set_filter(current.column(), value)

