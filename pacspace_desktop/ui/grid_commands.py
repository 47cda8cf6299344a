"""Steps of the import grid's undo history: each calls the model's one edit path both ways."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack

from PySide6.QtGui import QUndoCommand

from pacspace_desktop.importing import (
    CellsEdit,
    DeleteEdit,
    Edit,
    InsertEdit,
    Mapping,
    RowBlock,
)
from pacspace_desktop.ui.import_grid_model import Change, ImportGridModel


class GridCommand(QUndoCommand):
    """A step of the history that the draft can log (`edits`) and replay."""

    def edits(self) -> list[Edit]:
        """The step as plain edits, in the order they are made (none for a mapping)."""
        return []

    def changed_cells(self) -> int:
        """How many cells the step writes (to size the draft)."""
        return 0

    def take_data(self) -> list[object]:
        """The step's big lists, taken out of it (it is about to be deleted: the history
        drops undone steps when a new one is pushed), to be freed a piece at a time."""
        return []


class CellsCommand(GridCommand):
    """Cells set to new texts: a typed cell, a paste, a fill, a clear, a replace."""

    def __init__(self, model: ImportGridModel, changes: Sequence[Change],
                 old: Sequence[str] | None, text: str, applied: bool = False) -> None:
        """`old`: the texts at the same cells before (None: the first redo collects them, in
        the worker of a big edit); `applied`: the change is made already (restored from a
        draft); the first redo is skipped."""
        super().__init__(text)
        self._model = model
        self._new = list(changes)
        self._old = list(old) if old is not None else []  # no second list of 250k changes
        self._collect = old is None
        if old is not None and len(self._old) != len(self._new):
            raise ValueError("one old text for each changed cell")
        self._skip = applied

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        if self._collect:  # the step cannot be undone before the model has filled them
            self._collect = False
            self._model.set_cells(self._new, old_out=self._old)
            return
        self._model.set_cells(self._new)

    def undo(self) -> None:
        self._model.set_cells(self._new, self._old)

    def edits(self) -> list[Edit]:
        return [CellsEdit(tuple(self._new))]

    def take_data(self) -> list[object]:
        data: list[object] = [self._new, self._old]
        self._new, self._old = [], []
        return data

    def changed_cells(self) -> int:
        return len(self._new)


class InsertRowsCommand(GridCommand):
    """Rows put in before table row `at`."""

    def __init__(self, model: ImportGridModel, at: int, block: RowBlock, text: str,
                 applied: bool = False) -> None:
        super().__init__(text)
        self._model, self._at, self._block = model, at, block
        self._rows = [tuple(cells) for cells in zip(*block.columns, strict=True)]
        self._lines = tuple(block.lines)
        self._skip = applied

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self._model.insert_rows(self._at, self._block)

    def undo(self) -> None:
        self._block = self._model.delete_rows(self._at, len(self._lines))

    def edits(self) -> list[Edit]:
        return [InsertEdit(self._at, tuple(self._rows), self._lines)]

    def changed_cells(self) -> int:
        return len(self._rows) * len(self._block.columns)


class DeleteRowsCommand(GridCommand):
    """Runs of rows taken out; undo puts them back exactly (cells, file lines, issues)."""

    def __init__(self, model: ImportGridModel, runs: Sequence[tuple[int, int]], text: str,
                 blocks: Sequence[RowBlock] | None = None) -> None:
        """`runs`: (first table row, count), any order; `blocks`: the rows already taken out
        (restored from a draft), in the order of `runs` from the last to the first."""
        super().__init__(text)
        self._model = model
        self._runs = sorted(runs, reverse=True)  # from the end: earlier rows keep their numbers
        self._blocks: list[RowBlock] = list(blocks or [])
        self._skip = blocks is not None

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self._blocks = [self._model.delete_rows(at, n) for at, n in self._runs]

    def undo(self) -> None:
        for (at, _n), block in zip(reversed(self._runs), reversed(self._blocks), strict=True):
            self._model.insert_rows(at, block)

    def edits(self) -> list[Edit]:
        return [DeleteEdit(at, n) for at, n in self._runs]

    def changed_cells(self) -> int:
        return sum(n for _at, n in self._runs)


class GroupCommand(GridCommand):
    """Several steps as one (a paste that adds rows at the end, then fills them)."""

    def __init__(self, parts: Sequence[GridCommand], text: str) -> None:
        super().__init__(text)
        self._parts = list(parts)
        # each part needs the check of the one before: no part is checked in a worker
        self._models = list({id(m): m for p in self._parts
                             if isinstance(m := getattr(p, "_model", None), ImportGridModel)
                             }.values())

    def redo(self) -> None:
        with ExitStack() as stack:
            for model in self._models:
                stack.enter_context(model.checks_at_once())
            for part in self._parts:
                part.redo()

    def undo(self) -> None:
        with ExitStack() as stack:
            for model in self._models:
                stack.enter_context(model.checks_at_once())
            for part in reversed(self._parts):
                part.undo()

    def edits(self) -> list[Edit]:
        return [e for part in self._parts for e in part.edits()]

    def take_data(self) -> list[object]:
        return [data for part in self._parts for data in part.take_data()]

    def changed_cells(self) -> int:
        return sum(part.changed_cells() for part in self._parts)


class MappingCommand(GridCommand):
    """The columns chosen for the fields changed; undo chooses the old ones again (every
    cell is checked again under the mapping, in the background)."""

    def __init__(self, apply: Callable[[Mapping, bool], None], old: Mapping, new: Mapping,
                 text: str = "Change the columns") -> None:
        """`apply(mapping, show)`: check under `mapping`; `show` also puts it on screen (the
        first time it is already there, as the person chose it)."""
        super().__init__(text)
        self._apply, self._old, self._new = apply, old, new
        self._first = True

    def redo(self) -> None:
        self._apply(self._new, not self._first)
        self._first = False

    def undo(self) -> None:
        self._apply(self._old, True)
