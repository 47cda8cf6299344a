"""Keeping the Import page's work as a draft, and offering it back: the glue between the page,
its undo history and `DraftKeeper`."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.importing import (
    CellsEdit,
    DeleteEdit,
    Edit,
    InsertEdit,
    RowBlock,
    edit_to_json,
    mapping_to_json,
)
from pacspace_desktop.services.import_service import ImportResult
from pacspace_desktop.ui.grid_commands import (
    CellsCommand,
    DeleteRowsCommand,
    GridCommand,
    GroupCommand,
    InsertRowsCommand,
)
from pacspace_desktop.ui.import_draft import (
    FORMAT,
    SNAPSHOT_CELLS,
    DraftBanner,
    DraftKeeper,
    SavedImport,
    file_stamp,
    table_json,
)

if TYPE_CHECKING:
    from pacspace_desktop.ui.import_page import ImportPage


class DraftController(QObject):
    """Saves the page's import (file, options, mapping, steps) after each change; offers a
    saved one back when the page is built; removes it once everything valid was sent."""

    def __init__(self, page: ImportPage, keeper: DraftKeeper, banner: DraftBanner) -> None:
        super().__init__(page)
        self._page, self.keeper, self.banner = page, keeper, banner
        self.saved: SavedImport | None = None
        self._restoring: SavedImport | None = None
        self._from_cells = False
        self._cells_table: object = None
        stack = page.grid.editor.stack
        stack.indexChanged.connect(self._changed)
        keeper.timer.timeout.connect(self.save_now)
        banner.restore_requested.connect(self.restore)
        banner.restore_cells_requested.connect(self.restore_cells)
        banner.discard_requested.connect(self.discard)
        page.grid.send_bar.run_finished.connect(self._run_finished)

    def _changed(self, _index: int) -> None:
        self.keeper.timer.start()

    def offer(self) -> None:
        """Show the restore offer when a draft was left behind."""
        self.saved = self.keeper.load()
        if self.saved is not None:
            self.banner.offer(self.saved)

    # ---- saving ------------------------------------------------------------------------------

    def save_now(self) -> None:
        """Write the draft now (the timer calls this ≤ 1 s after a change)."""
        self.keeper.timer.stop()
        page = self._page
        result, stack = page.result, page.grid.editor.stack
        if result is None:
            return
        if stack.index() == 0 and not self._from_cells:
            self.keeper.discard()  # every change undone: nothing to keep
            return
        steps: list[dict[str, Any]] = []
        changed = 0
        for i in range(stack.index()):
            command = stack.command(i)
            if isinstance(command, GridCommand) and command.edits():
                steps.append({"text": command.text(),
                              "edits": [edit_to_json(e) for e in command.edits()]})
                changed += command.changed_cells()
        table = result.table
        stamp = file_stamp(result.path)
        data: dict[str, Any] = {
            "format": FORMAT, "version": 1, "path": str(result.path),
            "stamp": list(stamp) if stamp else None, "options": asdict(result.options),
            "mapping": mapping_to_json(page.mapping.mapping()), "steps": steps,
            "from_cells": self._from_cells, "cells": None}
        if self._from_cells or table.row_count * len(table.headers) <= SNAPSHOT_CELLS:
            data["cells"] = table_json(table)
            changed += table.row_count * len(table.headers) // 4
        self.banner.hide()
        self.keeper.save(data, changed)

    def discard(self) -> None:
        """Forget the saved import."""
        self.keeper.discard()
        self.saved = None
        self._from_cells, self._cells_table = False, None
        self.banner.hide()

    def _run_finished(self) -> None:
        model = self._page.grid.model
        if not model.sendable_rows() and model.count_in(ItemState.ACCEPTED, ItemState.VERIFIED):
            self.discard()  # everything valid was sent: the import is done

    # ---- restoring ---------------------------------------------------------------------------

    def restore(self) -> None:
        """Read the file again and make the saved changes (they can be undone as before)."""
        saved = self.saved
        if saved is None:
            return
        page = self._page
        self._restoring = saved
        self.banner.hide()
        edits = [e for _text, step in saved.steps for e in step]
        page.imports.load(saved.path, saved.options, mapping=saved.mapping,
                          library=page.library, known_keys=page.known_keys, edits=edits)

    def restore_cells(self) -> None:
        """Check the cells saved with the draft (the file changed or is gone)."""
        saved = self.saved
        if saved is None or saved.table is None:
            return
        page = self._page
        self._cells_table = saved.table
        self.banner.hide()
        page.imports.check(ImportResult(saved.path, saved.options, saved.table, saved.mapping,
                                        None), saved.mapping, known_keys=page.known_keys)

    def loaded(self, result: ImportResult, new_table: bool) -> None:
        """After the page showed a result: rebuild the history of a restored import."""
        stack = self._page.grid.editor.stack
        saved, self._restoring = self._restoring, None
        if not new_table:
            return
        stack.clear()
        self._from_cells = self._cells_table is not None and result.table is self._cells_table
        if saved is None:
            return
        undo = list(result.restored_undo)
        model = self._page.grid.model
        for text, edits in saved.steps:
            parts = [_command(model, text, e, undo.pop(0)) for e in edits]
            if parts:
                stack.push(parts[0] if len(parts) == 1 else GroupCommand(parts, text))
        self._page.say_restored(saved.changes)


def _command(model: Any, text: str, edit: Edit, undo: Any) -> GridCommand:
    """A step already made (restored), that undo can take back."""
    if isinstance(edit, CellsEdit):
        return CellsCommand(model, edit.changes, undo, text, applied=True)
    if isinstance(edit, InsertEdit):
        width = len(model.table.headers)
        block = RowBlock.of_rows(edit.rows, width)
        block.lines[:] = edit.lines
        return InsertRowsCommand(model, edit.at, block, text, applied=True)
    assert isinstance(edit, DeleteEdit)
    return DeleteRowsCommand(model, [(edit.at, edit.count)], text, blocks=[undo])
