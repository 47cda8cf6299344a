"""An edit of more cells than `defer_cells` (a replace in 250,000 cells) is made in a worker
thread from the start: the Qt thread only locks the grid; the old texts, the cells and the
check are in place when the check ends, and its undo puts every cell back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pacspace_desktop.ui.grid_editing import BUSY
from pacspace_desktop.ui.grid_worker import write_cells
from pacspace_desktop.ui.import_page import ImportPage
from tests.ui import test_import_page as base
from tests.ui.test_grid_big_edit import (
    BIG,
    ROWS,
    big_changes,
    big_file,
    full_check,
    shown,
    wait_checked,
)
from tests.ui.test_grid_editing import ready, state

Bot = Any
page = base.page
DEFER = 60


def test_a_deferred_replace_and_its_undo_put_back_every_cell(qtbot: Bot, page: ImportPage,
                                                              tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path, big_file())
    model.big_check, model.defer_cells = BIG, DEFER
    table = model.table
    assert table is not None
    before, checked_before = state(page), full_check(page)
    stack = page.grid.editor.stack
    changes = big_changes(table)
    assert len(changes) > DEFER
    expected = [list(c) for c in table.columns]
    for r, c, t in changes:
        expected[c][r] = t

    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        assert page.grid.editor.push_cells(changes, "Replace") == 0
        assert stack.count() == 1 and model.checking  # locked at once, written in the worker
        assert page.grid.check_label.text().startswith(f"Checking {len(changes):,} changed "
                                                       "cells… ")
        assert not page.grid_actions.undo.isEnabled() and not page.grid.history.isEnabled()
    wait_checked(qtbot, model)
    assert [list(c) for c in table.columns] == expected
    after = full_check(page)
    assert after != checked_before and shown(page) == after

    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        stack.undo()
        assert model.checking
    wait_checked(qtbot, model)
    assert state(page) == before  # every cell, the status column, the panels, the totals
    assert shown(page) == full_check(page) == checked_before

    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        stack.redo()
    wait_checked(qtbot, model)
    assert [list(c) for c in table.columns] == expected
    assert shown(page) == full_check(page) == after


def test_edits_while_a_deferred_edit_runs_are_refused_with_words(qtbot: Bot, page: ImportPage,
                                                                 tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path, big_file())
    model.big_check, model.defer_cells = BIG, DEFER
    table = model.table
    assert table is not None
    editor, stack = page.grid.editor, page.grid.editor.stack
    said: list[str] = []
    editor.said.connect(said.append)
    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        editor.push_cells(big_changes(table), "Replace")
        assert editor.push_cells([(0, 2, "1.00")], "Edit Amount") == 0
        assert said[-1] == BUSY
        assert not model.setData(model.index(0, 3), "1.00")
        stack.undo()
        editor.insert_rows()
        editor.delete_rows()
        assert stack.count() == 1 and stack.index() == 1 and said[-1] == BUSY
    wait_checked(qtbot, model)
    assert table.cell(0, 2) != "1.00"  # the refused edit was not made later either
    assert shown(page) == full_check(page)
    assert editor.push_cells([(0, 2, "1.00")], "Edit Amount") == 0
    assert stack.count() == 2 and table.cell(0, 2) == "1.00"


def test_writing_cells_in_slices_keeps_the_old_texts_of_a_cell_named_twice() -> None:
    columns = [[f"a{r}" for r in range(10)], [f"b{r}" for r in range(10)]]
    original = [list(c) for c in columns]
    changes = [(1, 0, "x"), (2, 1, "y"), (1, 0, "z"), (9, 1, "w")]
    old: list[str] = []
    write_cells(columns, changes, old_out=old)
    assert old == ["a1", "b2", "a1", "b9"]
    assert columns[0][1] == "z" and columns[1][2] == "y" and columns[1][9] == "w"
    write_cells(columns, changes, old)  # the undo: the old texts in the same order
    assert columns == original
    one = [(r, 1, f"n{r}") for r in range(0, 10, 3)]  # one column: at C speed
    kept: list[str] = []
    write_cells(columns, one, old_out=kept)
    assert kept == ["b0", "b3", "b6", "b9"] and columns[1][3] == "n3"
    assert ROWS > DEFER


def test_an_undone_big_step_is_let_go_of_when_a_new_step_is_pushed(
        qtbot: Bot, page: ImportPage, tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path, big_file())
    model.big_check, model.defer_cells = BIG, DEFER
    table = model.table
    assert table is not None
    editor, stack = page.grid.editor, page.grid.editor.stack
    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        editor.push_cells(big_changes(table), "Replace")
    wait_checked(qtbot, model)
    undone = stack.command(0)
    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        stack.undo()
    wait_checked(qtbot, model)
    before = state(page)
    assert undone.changed_cells() == len(big_changes(table))
    editor.push_cells([(0, 2, "1.00")], "Edit Amount")  # the undone step is dropped
    assert stack.count() == 1 and stack.index() == 1 and table.cell(0, 2) == "1.00"
    stack.undo()
    assert state(page) == before
    assert shown(page) == full_check(page)
