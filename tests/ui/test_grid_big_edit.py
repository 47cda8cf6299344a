"""A big edit (a replace touching many rows, or its undo) is checked in a worker thread: the
grid is locked and says how far the check is, the window keeps working, and the result is
exactly what a full check of the edited table gives; no step is taken meanwhile."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from pacspace_desktop.importing import ImportTable, control_totals, validate_table
from pacspace_desktop.ui.grid_editing import BUSY
from pacspace_desktop.ui.import_grid_model import ImportGridModel
from pacspace_desktop.ui.import_page import ImportPage
from tests.ui import test_import_page as base
from tests.ui.test_grid_editing import ready, state

Bot = Any
page = base.page
ROWS = 200
BIG = 50


def big_file() -> str:
    """Keys (a few repeated), customers (every other one a GmbH), amounts (some bad)."""
    lines = ["Invoice No,Customer,Amount,Date"]
    for i in range(ROWS):
        key = f"B-{i % 190}"  # rows 190… repeat the keys of rows 0…
        customer = f"Firma {i % 7}" + (" GmbH" if i % 2 else "")
        amount = f"{i}.x0" if i % 11 == 0 else f"{i}.50"
        lines.append(f"{key},{customer},{amount},2025-03-{1 + i % 28:02}")
    return "\n".join(lines) + "\n"


def big_changes(table: ImportTable) -> list[tuple[int, int, str]]:
    """GmbH → AG in every Customer cell, and new keys for 60 rows (new and lost repeats)."""
    customer = table.headers.index("Customer")
    changes = [(r, customer, table.cell(r, customer).replace("GmbH", "AG"))
               for r in range(ROWS) if "GmbH" in table.cell(r, customer)]
    changes += [(r, 0, f"B-{r % 20}") for r in range(100, 160)]
    return changes


def full_check(page: ImportPage) -> tuple[object, ...]:
    """What a full check of the table as it is now finds: problems, counts, totals."""
    model = page.grid.model
    table, validation = model.table, model.validation
    assert table is not None and validation is not None
    fresh = validate_table(copy.deepcopy(table), validation.mapping, validation.limits,
                           page.known_keys)
    totals = control_totals(fresh)
    return (list(fresh.problems()), fresh.counts_by_column(), fresh.valid_rows(),
            list(fresh.bits), {a: [t.items, t.bits] for a, t in totals.accounts.items()},
            totals.valid_rows)


def shown(page: ImportPage) -> tuple[object, ...]:
    """The same as the grid's check, the problems panel and the totals have it."""
    validation = page.grid.model.validation
    assert validation is not None
    totals = page.grid.totals.totals
    panel = page.grid.problems.model
    assert [panel.problem(i) for i in range(panel.rowCount())] == list(validation.problems())
    return (list(validation.problems()), validation.counts_by_column(), validation.valid_rows(),
            list(validation.bits), {a: v[:2] for a, v in totals.accounts.items()}, totals.valid)


def wait_checked(qtbot: Bot, model: ImportGridModel) -> None:
    qtbot.waitUntil(lambda: not model.checking, timeout=15_000)


def assert_checking(page: ImportPage, rows: int) -> None:
    model, grid = page.grid.model, page.grid
    assert model.checking
    assert grid.check_label.isVisibleTo(grid)
    assert grid.check_label.text().startswith(f"Checking {rows:,} changed rows… ")
    assert grid.check_label.text().endswith("%")
    assert not any(model.row_editable(r) for r in range(ROWS))
    assert not model.flags(model.index(0, 1)) & model.flags(model.index(0, 1)).ItemIsEditable
    assert not page.grid_actions.undo.isEnabled()
    assert not page.grid_actions.redo.isEnabled()
    assert not page.grid_actions.paste.isEnabled()
    assert not grid.history.isEnabled()
    assert not grid.send_bar.send.isEnabled()


def test_a_big_replace_and_its_undo_are_checked_in_a_worker(qtbot: Bot, page: ImportPage,
                                                             tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path, big_file())
    model.big_check = BIG
    table = model.table
    assert table is not None
    before, checked_before = state(page), full_check(page)
    assert shown(page) == checked_before
    stack = page.grid.editor.stack
    changes = big_changes(table)
    rows = len({r for r, _c, _t in changes})
    assert rows > BIG

    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        page.grid.editor.push_cells(changes, "Replace")
        assert stack.count() == 1
        assert table.cell(1, 1) == "Firma 1 AG"  # the cells at once; their check follows
        assert_checking(page, rows)
    wait_checked(qtbot, model)
    assert not page.grid.check_label.isVisibleTo(page.grid)
    assert page.grid_actions.undo.isEnabled() and page.grid.history.isEnabled()
    assert all(model.row_editable(r) for r in range(ROWS))
    after = full_check(page)
    assert after != checked_before
    assert shown(page) == after

    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        stack.undo()  # as big: in the worker too
        assert_checking(page, rows)
    wait_checked(qtbot, model)
    assert state(page) == before
    assert shown(page) == full_check(page) == checked_before

    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        stack.redo()
        assert_checking(page, rows)
    wait_checked(qtbot, model)
    assert shown(page) == full_check(page) == after


def test_nothing_changes_while_a_big_edit_is_checked(qtbot: Bot, page: ImportPage,
                                                     tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path, big_file())
    model.big_check = BIG
    table = model.table
    assert table is not None
    editor, stack = page.grid.editor, page.grid.editor.stack
    said: list[str] = []
    editor.said.connect(said.append)
    with qtbot.waitSignal(model.cells_changed, timeout=15_000):
        editor.push_cells(big_changes(table), "Replace")
        snapshot = [list(c) for c in table.columns]
        assert editor.push_cells([(0, 2, "1.00")], "Edit Amount") == 0  # refused
        assert not model.setData(model.index(0, 3), "1.00")
        stack.undo()
        editor.insert_rows()
        editor.delete_rows()
        page.grid_actions.undo.trigger()
        assert stack.count() == 1 and stack.index() == 1
        assert [list(c) for c in table.columns] == snapshot
        assert said[-1] == BUSY
        with pytest.raises(RuntimeError):
            model.set_cells([(0, 2, "1.00")])
    wait_checked(qtbot, model)
    assert shown(page) == full_check(page)
    assert editor.push_cells([(0, 2, "1.00")], "Edit Amount") == 0
    assert stack.count() == 2 and not model.checking  # a small edit: checked at once
    assert table.cell(0, 2) == "1.00"
    assert shown(page) == full_check(page)
