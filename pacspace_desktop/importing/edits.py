"""The edits made to an imported table, as plain data: kept in a draft, applied again to the
file after a restart or a crash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pacspace_desktop.importing.table import ImportTable, RowBlock

CellChange = tuple[int, int, str]
"""(table row, table column, text)."""


class EditLogError(ValueError):
    """A saved edit does not fit the table (the file changed, or the draft is damaged)."""


@dataclass(frozen=True, slots=True)
class CellsEdit:
    """Cells set to new texts (one step: a typed cell, a paste, a fill, a replace)."""

    changes: tuple[CellChange, ...]


@dataclass(frozen=True, slots=True)
class InsertEdit:
    """Whole rows put in before row `at` (row-wise cells; file line 0 for new rows)."""

    at: int
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DeleteEdit:
    """Rows `at`…`at + count - 1` taken out."""

    at: int
    count: int


Edit = CellsEdit | InsertEdit | DeleteEdit


def edit_to_json(edit: Edit) -> dict[str, Any]:
    """The JSON form of an edit."""
    if isinstance(edit, CellsEdit):
        return {"op": "cells", "changes": [list(c) for c in edit.changes]}
    if isinstance(edit, InsertEdit):
        return {"op": "insert", "at": edit.at, "rows": [list(r) for r in edit.rows],
                "lines": list(edit.lines)}
    return {"op": "delete", "at": edit.at, "count": edit.count}


def edit_from_json(data: Any) -> Edit:
    """An edit from its JSON form.

    Raises:
        EditLogError: when the data is not an edit.
    """
    try:
        op = data["op"]
        if op == "cells":
            return CellsEdit(tuple((int(r), int(c), str(t)) for r, c, t in data["changes"]))
        if op == "insert":
            rows = tuple(tuple(str(v) for v in row) for row in data["rows"])
            return InsertEdit(int(data["at"]), rows, tuple(int(n) for n in data["lines"]))
        if op == "delete":
            return DeleteEdit(int(data["at"]), int(data["count"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise EditLogError(f"A saved change cannot be read ({exc}).") from None
    raise EditLogError(f"A saved change has an unknown kind “{op}”.")


def apply_edits(table: ImportTable, edits: Sequence[Edit]) -> list[Any]:
    """Apply edits to a table that has not been checked yet (a draft being restored).

    Returns:
        For each edit, what undoing it needs: the old texts of a `CellsEdit` (in its order),
        the `RowBlock` a `DeleteEdit` took out, None for an `InsertEdit`.

    Raises:
        EditLogError: when an edit names a row or column the table does not have.
    """
    undo: list[Any] = []
    width = len(table.headers)
    for edit in edits:
        rows = table.row_count
        if isinstance(edit, CellsEdit):
            if any(not (0 <= r < rows and 0 <= c < width) for r, c, _t in edit.changes):
                raise EditLogError("A saved change names a cell the file does not have.")
            undo.append([table.cell(r, c) for r, c, _t in edit.changes])
            for r, c, t in edit.changes:
                table.set_cell(r, c, t)
        elif isinstance(edit, InsertEdit):
            if not 0 <= edit.at <= rows:
                raise EditLogError("A saved new row is beyond the end of the file.")
            block = RowBlock.of_rows(edit.rows, width)
            block.lines[:] = edit.lines
            table.insert_rows(edit.at, block)
            undo.append(None)
        else:
            if not (edit.at >= 0 and edit.at + edit.count <= rows):
                raise EditLogError("A saved deletion names rows the file does not have.")
            undo.append(table.delete_rows(edit.at, edit.count))
    return undo
