"""The import grid model: every change of a cell or of the rows takes one path here, is checked
again incrementally and announced by `cells_changed`; and the view's order and filters, which
never change the rows' file line numbers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal

from pacspace_desktop.importing import ImportTable, Mapping, RowBlock, TableValidation
from pacspace_desktop.importing.release import release_steps
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.ui.grid_base import (
    _LOCKED,
    HELD_BACK,
    NOT_CHECKED,
    READY,
    GridModelBase,
    Index,
)
from pacspace_desktop.ui.grid_worker import (
    Before,
    BeforeLater,
    CellEdit,
    Worked,
    WorkerHook,
    accounts_and_bits,
    before_later,
    by_bits,
    filtered,
    in_worker_rows,
    loop_running,
    moved_view,
    rows_of,
    touches_totals,
    write_cells,
    written_in_worker,
)

__all__ = ["BIG_CHECK", "HELD_BACK", "NOT_CHECKED", "READY", "CellEdit", "Change",
           "ImportGridModel"]

Change = tuple[int, int, str]
"""(table row, table column, text) of one cell."""
CommandSink = Callable[[list[Change], str], object]
_ROOT = QModelIndex()
_REPAINT_ALL = 256
BIG_CHECK = 20_000
"""An edit of cells in more rows than this is checked again in a worker thread (the grid is
locked and says how far the check is meanwhile); smaller ones at once, on the Qt thread."""
DEFER_CELLS = 65_536
"""An edit of more cells than this is written in the worker thread too (see `set_cells`)."""
_POLL_MS = 100


class ImportGridModel(GridModelBase):
    """The grid's model with edits, rows put in and taken out, sorting and filters.

    An editor in the view calls `setData`; when a `command_sink` is set (the undo stack's
    owner), the change goes there as a step that can be undone, and comes back through
    `set_cells`, the one path that changes cells.

    An edit of cells in more than `big_check` rows (and with a running asyncio loop) is
    checked again in a worker thread: `set_cells` writes the cells, locks the grid
    (`checking`) and returns; the check fills copies of the row state, which are put in place
    at once when it ends (so `data()` shows each row either as checked before or after, never
    half-way); then `cells_changed` follows as for a small edit and the grid unlocks. No other
    edit may start meanwhile (`set_cells`, `insert_rows`, `delete_rows` raise). An edit of
    more than `defer_cells` cells is written there too (`defers`): the Qt thread only locks.

    Signals:
        cells_changed(object): a `CellEdit` after cells were edited (or rows put in or taken
            out) and checked again.
        check_progress(str): while a big edit is checked: "Checking 249,375 changed rows… 40%";
            "" when the check ended.
        checking_changed(bool): a check in a worker thread started (True) or ended (False).
    """

    check_progress = Signal(str)
    checking_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, big_check: int = BIG_CHECK,
                 defer_cells: int = DEFER_CELLS) -> None:
        super().__init__(parent)
        self.command_sink: CommandSink | None = None
        self.big_check = big_check
        self.defer_cells = defer_cells
        self._sort: tuple[int, bool] | None = None  # (model column, descending)
        self._filters: dict[int, str] = {}  # table column → value (trimmed, casefolded)
        self._check: asyncio.Future[None] | None = None
        self._check_rows = ""  # "249,375 changed rows"
        self._done = (0, 1)  # written by the worker, read by the poll: one tuple, swapped
        self._text = ""
        self._poll = QTimer(self)
        self._poll.setInterval(_POLL_MS)
        self._poll.timeout.connect(self._say_progress)

    def set_table(self, table: ImportTable | None, mapping: Mapping | None,
                  validation: TableValidation | None, keep_states: bool = False) -> None:
        if table is not self._table:
            self._sort, self._filters = None, {}
        super().set_table(table, mapping, validation, keep_states)

    # ---- editing ------------------------------------------------------------------------

    def row_editable(self, row: int) -> bool:
        """False for rows being sent or already written, while sending and while checking."""
        return not self._locked and self._check is None and self._state[row] not in _LOCKED

    def all_editable(self) -> bool:
        """True when every row may change (nothing sent, sending or checking)."""
        if self._locked or self._check is not None:
            return False
        state = self._state
        return not any(state.count(code) for code in _LOCKED)

    @property
    def checking(self) -> bool:
        """True while a big edit is checked in a worker thread (no edits meanwhile)."""
        return self._check is not None

    @property
    def check_text(self) -> str:
        """How far the check of a big edit is ("" when none runs)."""
        return self._text

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self._check is not None:
            flags &= ~Qt.ItemFlag.ItemIsEditable
        return flags

    @contextmanager
    def checks_at_once(self) -> Iterator[None]:
        """Check every edit made meanwhile at once, on this thread (for steps made of several
        edits, where the next needs the check of the one before)."""
        big, self.big_check = self.big_check, sys.maxsize
        try:
            yield
        finally:
            self.big_check = big

    def _refuse_while_checking(self) -> None:
        if self._check is not None:
            raise RuntimeError("The rows of the last edit are still being checked.")

    def setData(self, index: Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        table = self._table
        if table is None or role != Qt.ItemDataRole.EditRole or not (
                self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        row, col = self.table_row(index.row()), index.column() - 1
        text = str(value)
        if table.cell(row, col) == text:
            return True
        if self.command_sink is not None:
            self.command_sink([(row, col, text)], f"Edit {table.headers[col]}")
        else:
            self.set_cells([(row, col, text)])
        return True

    in_worker: WorkerHook | None = None
    """Called in the worker after the check of a big edit, with the staged check and the rows'
    accounts and bits before the edit; its result reaches `cells_changed` as `worked`."""

    def defers(self, cells: int) -> bool:
        """True when an edit of this many cells is made in a worker thread from the start."""
        return cells > self.defer_cells and self._validation is not None and loop_running()

    def set_cells(self, changes: Sequence[Change], texts: Sequence[str] | None = None,
                  old_out: list[str] | None = None) -> list[int]:
        """Change cells (table row, table column, text), check them again, repaint;
        `texts`, when given, are written instead of the changes' own texts (an undo writes
        the old texts at the same cells without a new list of changes); `old_out`, when
        given, gets the texts written over, in the changes' order (for the undo). A big edit
        is made in a worker thread (see the class): it returns no rows when even its cells
        are written there.

        Returns:
            The rows whose problems may have changed (the edited rows for a big edit).

        Raises:
            RuntimeError: while the check of a big edit runs.
        """
        table, validation = self._table, self._validation
        if table is None or not changes:
            return []
        self._refuse_while_checking()
        if texts is not None and len(texts) != len(changes):
            raise ValueError("one text for each changed cell")
        if validation is not None and self.defers(len(changes)):
            self._start_check(validation, f"{len(changes):,} changed cells", partial(
                written_in_worker, validation, changes, texts, old_out, self._progress,
                self.in_worker))
            return []
        rows = rows_of(changes)
        before: Before = {}
        later: BeforeLater | None = None
        big = validation is not None and len(rows) > self.big_check and loop_running()
        if validation is not None and touches_totals(validation, changes):
            later = before_later(validation) if big else None
            if later is None:
                before = accounts_and_bits(validation, rows)
        write_cells(table.columns, changes, texts, old_out)
        if validation is not None and big:
            self._start_check(validation, f"{len(rows):,} changed rows", partial(
                in_worker_rows, validation, rows, self._progress, later or before,
                self.in_worker))
            self._repaint(rows)  # the new texts; their problems follow when the check ends
            return rows
        affected = validation.revalidate_rows(rows) if validation is not None else rows
        self._after_change(affected)
        self.cells_changed.emit(CellEdit(tuple(rows), tuple(affected), before))
        return list(affected)

    # ---- big edits: the check in a worker thread ------------------------------------------------

    def _start_check(self, validation: TableValidation, rows: str,
                     work: Callable[[], Worked]) -> None:
        self._check_rows, self._done = rows, (0, 1)
        self._check = start_task(self._run_check(validation, work),
                                 name="checking changed rows")
        self._say_progress()
        self._poll.start()
        self.checking_changed.emit(True)

    def _progress(self, done: int, total: int) -> None:  # in the worker thread
        self._done = (done, max(total, 1))

    def _say_progress(self) -> None:
        done, total = self._done
        self._text = (f"Checking {self._check_rows}… "
                      f"{min(100 * done // total, 99)}%")
        self.check_progress.emit(self._text)

    async def _run_check(self, validation: TableValidation,
                         work: Callable[[], Worked]) -> None:
        staged: Worked | None = None
        try:
            await asyncio.sleep(0)  # the window gets its turn before the worker's first copies
            rows, done, worked, before = staged = await asyncio.to_thread(work)
            # a new table (or mapping) shown meanwhile makes the result moot
            if self._validation is validation:
                self._after_change(validation.apply_staged(done))  # the grid, at once
                await asyncio.sleep(0)  # a turn for the window before the panels follow
                if self._validation is validation:
                    self.cells_changed.emit(CellEdit(tuple(rows), tuple(done.affected),
                                                     before, worked=worked))
        finally:
            self._check = None
            self._poll.stop()
            self._text = ""
            self.check_progress.emit("")
            self.checking_changed.emit(False)
        if staged is not None:  # the state the check replaced, freed a piece at a time
            parts: list[object] = [staged[1].shadow]
            del staged, done
            for _step in release_steps(parts):
                await asyncio.sleep(0)

    def _after_change(self, affected: Sequence[int]) -> None:
        table, validation = self._table, self._validation
        assert table is not None
        if len(affected) > _REPAINT_ALL:
            self._marks.clear()
        else:
            for row in affected:
                self._marks.pop(row, None)
        if validation is not None:
            self._counts = validation.counts_by_column()
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(table.headers))
        self._repaint(affected)

    def insert_rows(self, at: int, block: RowBlock) -> None:
        """Put whole rows before table row `at` (`row_count` appends) and check them."""
        table, validation = self._table, self._validation
        n = len(block)
        if table is None or not n:
            return
        self._refuse_while_checking()
        plain = self._rows is None
        if plain:
            self.beginInsertRows(_ROOT, at, at + n - 1)
        else:
            self.beginResetModel()
        if validation is not None:
            affected = validation.insert_rows(at, block)
        else:
            table.insert_rows(at, block)
            affected = list(range(at, at + n))
        self._state[at:at] = bytes(n)
        self._reason = {r + n if r >= at else r: t for r, t in self._reason.items()}
        self._marks.clear()
        if plain:
            self.endInsertRows()
        else:
            self._set_rows(self._moved_view(at, n), self._ascending)
            self.endResetModel()
        self._after_change(affected)
        self.cells_changed.emit(CellEdit((), tuple(affected), {}, at, n))

    def delete_rows(self, at: int, count: int) -> RowBlock:
        """Take out table rows `at`…`at + count - 1`; returns them, to put back."""
        table, validation = self._table, self._validation
        assert table is not None and count > 0
        self._refuse_while_checking()
        stop = at + count
        removed: tuple[tuple[str, int], ...] = ()
        if validation is not None:
            account, bits = validation.plan.account_at, validation.bits
            removed = tuple((account(r), bits[r]) for r in range(at, stop))
        plain = self._rows is None
        if plain:
            self.beginRemoveRows(_ROOT, at, stop - 1)
        else:
            self.beginResetModel()
        affected: list[int] = []
        if validation is not None:
            block, affected = validation.delete_rows(at, count)
        else:
            block = table.delete_rows(at, count)
        del self._state[at:stop]
        self._reason = {r - count if r >= stop else r: t for r, t in self._reason.items()
                        if not at <= r < stop}
        self._marks.clear()
        if plain:
            self.endRemoveRows()
        else:
            self._set_rows(self._moved_view(at, -count), self._ascending)
            self.endResetModel()
        before: Before = {}
        if validation is not None:
            before = {r: (validation.plan.account_at(r), validation.bits[r]) for r in affected}
        self._after_change(affected)
        self.cells_changed.emit(CellEdit((), tuple(affected), before, at, -count, removed))
        return block

    def _moved_view(self, at: int, delta: int) -> list[int] | None:
        """The rows shown after `delta` rows were put in (> 0) or taken out at table row `at`."""
        return None if self._rows is None else moved_view(self._rows, at, delta, self._ascending)

    # ---- order and filters ----------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Show the rows ordered by a column (the file's line numbers stay with the rows);
        a negative column goes back to the file's order."""
        if self._table is None:
            return
        self._sort = (column, order == Qt.SortOrder.DescendingOrder) if column >= 0 else None
        self.refresh_rows()

    @property
    def sort_column(self) -> int:
        """The model column the rows are ordered by, or -1 for the file's order."""
        return self._sort[0] if self._sort is not None else -1

    def set_filter(self, column: int, value: str | None) -> None:
        """Show only rows whose cell in a model column is `value` (case and surrounding spaces
        ignored); None removes that column's filter."""
        if self._table is None or column < 1:
            return
        if value is None:
            self._filters.pop(column - 1, None)
        else:
            self._filters[column - 1] = value.strip().casefold()
        self.refresh_rows()

    def clear_filters(self) -> None:
        """Show every row again (the problems switch stays as it is)."""
        self._filters = {}
        self.refresh_rows()

    @property
    def filters(self) -> dict[str, str]:
        """The filters in force: column name → value."""
        table = self._table
        return {table.headers[c]: v for c, v in self._filters.items()} if table else {}

    def _build_rows(self) -> list[int] | None:
        rows = super()._build_rows()
        table = self._table
        if table is None:
            return None
        rows = filtered(table.columns, rows, self._filters)
        if self._sort is None:
            return rows
        column, descending = self._sort
        base: Sequence[int] = rows if rows is not None else range(table.row_count)
        validation = self._validation
        if (column >= 1 and validation is not None
                and validation.plan.bits_column == table.headers[column - 1]):
            return by_bits(validation, base, descending)
        return sorted(base, key=self._sort_key(column), reverse=descending)

    def _set_rows(self, rows: list[int] | None, ascending: bool = True) -> None:
        super()._set_rows(rows, ascending and self._sort is None)

    def _sort_key(self, column: int) -> Callable[[int], Any]:
        table, validation = self._table, self._validation
        assert table is not None
        if column == self.COL_STATUS:
            state = self._state
            if validation is None:
                return state.__getitem__
            return lambda r: (state[r], validation.is_valid(r))
        cells = table.columns[column - 1]
        return lambda r: cells[r].casefold()
