"""The import grid edits like a spreadsheet: keys, clipboard, fill, rows, sort and filter —
and every step undoes exactly (cells, file lines, problems and totals as they were)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from pacspace_desktop.ui.import_grid_model import ImportGridModel
from pacspace_desktop.ui.import_page import TAB_CHECK, TAB_COLUMNS, ImportPage
from tests.ui import test_import_page as base
from tests.ui.a11y import unnamed_controls
from tests.ui.test_import_grid import PROBLEMS as WITH_REPEAT
from tests.ui.test_import_grid import cell
from tests.ui.test_import_page import open_file, write

Bot = Any
page = base.page
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier

# Edits, not repeated keys, are tested here: line 6 is held back for the space in its account.
PROBLEMS = WITH_REPEAT.replace("A-1,Globex,1.00", "A-5, Globex,1.00")


def state(page: ImportPage) -> tuple[object, ...]:
    """Everything an undo must put back."""
    model, table = page.grid.model, page.grid.model.table
    assert table is not None
    panel = page.grid.problems.model
    totals = page.grid.totals.totals
    return ([list(c) for c in table.columns], list(table.source_lines),
            [model.data(model.index(r, 0)) for r in range(model.rowCount())],
            [panel.data(panel.index(i, 0)) for i in range(panel.rowCount())],
            {a: list(v) for a, v in totals.accounts.items()}, totals.valid, totals.rows,
            page.grid.send_bar.send.text(), page.grid.problems.title.text())


def ready(qtbot: Bot, page: ImportPage, tmp_path: Path, text: str = PROBLEMS) -> ImportGridModel:
    open_file(qtbot, page, write(tmp_path, "p.csv", text))
    page.tabs.setCurrentIndex(TAB_CHECK)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())
    page.grid.view.setFocus()
    return page.grid.model


def select(page: ImportPage, top: int, left: int, bottom: int, right: int) -> None:
    model, view = page.grid.model, page.grid.view
    view.setCurrentIndex(model.index(top, left))
    view.selectionModel().select(QItemSelection(model.index(top, left),
                                                model.index(bottom, right)),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.setFocus()


def type_in(qtbot: Bot, page: ImportPage, text: str) -> None:
    """Type into the grid: the first key opens the cell's editor, the rest go to it."""
    qtbot.keyClicks(page.grid.view, text[0])
    qtbot.keyClicks(QApplication.focusWidget(), text[1:])


NONE = Qt.KeyboardModifier.NoModifier


def key(qtbot: Bot, page: ImportPage, k: Qt.Key, mods: Qt.KeyboardModifier = NONE) -> None:
    widget = QApplication.focusWidget() or page.grid.view
    qtbot.keyClick(widget, k, mods)


def text_of(model: ImportGridModel, row: int, name: str) -> str:
    return str(model.data(cell(model, row, name)))


def test_typing_enter_and_undo_redo_from_the_keyboard(qtbot: Bot, qtmodeltester: Any,
                                                      page: ImportPage, tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path)
    before = state(page)
    page.grid.view.setCurrentIndex(cell(model, 1, "Amount"))
    page.grid.view.setFocus()
    type_in(qtbot, page, "12.50")  # typing starts an edit, as in Excel
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "12.50"
    key(qtbot, page, Qt.Key.Key_Return)
    assert text_of(model, 1, "Amount") == "12.50"
    assert page.grid.view.currentIndex() == cell(model, 2, "Amount")  # Enter moved down
    assert page.grid.totals.totals.valid == 3
    assert page.grid_actions.undo.text() == "Undo Edit Amount"
    after = state(page)
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    key(qtbot, page, Qt.Key.Key_Y, CTRL)
    assert state(page) == after
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    key(qtbot, page, Qt.Key.Key_Z, CTRL | SHIFT)
    assert state(page) == after
    qtmodeltester.check(model)
    # F2 edits the cell as it is; Escape cancels
    page.grid.view.setCurrentIndex(cell(model, 0, "Customer"))
    key(qtbot, page, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "ACME"
    qtbot.keyClicks(editor, "X")
    key(qtbot, page, Qt.Key.Key_Escape)
    assert text_of(model, 0, "Customer") == "ACME" and page.grid.editor.stack.count() == 1


def test_copy_and_paste_like_excel(qtbot: Bot, qtmodeltester: Any, page: ImportPage,
                                   tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path)
    clipboard = QApplication.clipboard()
    select(page, 0, 1, 1, 3)
    key(qtbot, page, Qt.Key.Key_C, CTRL)
    assert clipboard.text() == "A-1\tACME\t10.00\r\nA-2\tACME\t12.x5\r\n"
    assert "<td>12.x5</td>" in clipboard.mimeData().html()
    key(qtbot, page, Qt.Key.Key_C, CTRL | SHIFT)
    assert clipboard.text().startswith("Invoice No\tCustomer\tAmount\r\n")
    before = state(page)
    # an Excel block with a quoted line break that runs a row past the end
    clipboard.setText('A-7\tHooli\t3.00\t"two\nlines"\r\nA-8\tHooli\t4.00\t\r\n'
                      'A-9\tHooli\t5.00\t\r\n')
    select(page, 3, 1, 3, 1)
    key(qtbot, page, Qt.Key.Key_V, CTRL)
    assert model.rowCount() == 6
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in (4, 5)] == ["6", "new"]
    assert text_of(model, 3, "Date") == "two\nlines" and text_of(model, 5, "Customer") == "Hooli"
    assert page.grid_actions.undo.text() == "Undo Paste 12 cells (1 row added)"
    assert page.grid.totals.totals.rows == 6
    assert page.grid.totals.totals.accounts["Hooli"][:2] == [3, 1200]  # no date is sent
    qtmodeltester.check(model)
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before and model.rowCount() == 5
    qtmodeltester.check(model)
    # one value into a selected range fills the range
    clipboard.setText("Globex\r\n")
    select(page, 0, 2, 2, 2)
    key(qtbot, page, Qt.Key.Key_V, CTRL)
    assert [text_of(model, r, "Customer") for r in range(3)] == ["Globex"] * 3
    assert page.grid_actions.undo.text() == "Undo Paste “Globex” into 3 cells"
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before


def test_fill_down_fill_selection_and_delete(qtbot: Bot, qtmodeltester: Any, page: ImportPage,
                                             tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path)
    before = state(page)
    select(page, 0, 3, 2, 3)
    key(qtbot, page, Qt.Key.Key_D, CTRL)
    assert [text_of(model, r, "Amount") for r in range(3)] == ["10.00"] * 3
    assert page.grid_actions.undo.text() == "Undo Fill down 2 cells"
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    # Ctrl+Enter writes what was typed into every selected cell
    select(page, 2, 2, 4, 2)
    type_in(qtbot, page, "Initech")
    key(qtbot, page, Qt.Key.Key_Return, CTRL)
    assert [text_of(model, r, "Customer") for r in (2, 3, 4)] == ["Initech"] * 3
    assert page.grid.editor.stack.count() == 1  # one step, not one per cell
    qtmodeltester.check(model)
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    select(page, 0, 1, 1, 2)
    key(qtbot, page, Qt.Key.Key_Delete)
    assert text_of(model, 0, "Invoice No") == "" and text_of(model, 1, "Customer") == ""
    assert page.grid_actions.undo.text() == "Undo Clear 4 cells"
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before


def test_insert_and_delete_rows_and_undo(qtbot: Bot, qtmodeltester: Any, page: ImportPage,
                                         tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path)
    before = state(page)
    select(page, 1, 1, 2, 1)
    key(qtbot, page, Qt.Key.Key_Plus, CTRL)
    assert model.rowCount() == 7
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(4)] == ["2", "new",
                                                                                "new", "3"]
    qtmodeltester.check(model)
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    # delete the row that repeats "A-1" and the empty-customer row: the repeat is freed
    select(page, 3, 0, 4, 0)
    key(qtbot, page, Qt.Key.Key_Minus, CTRL)
    assert model.rowCount() == 3
    assert page.grid.totals.totals.valid == 2 and page.grid.totals.totals.rows == 3
    assert page.grid.problems.model.rowCount() == 1
    qtmodeltester.check(model)
    assert page.grid_actions.undo.text() == "Undo Delete 2 rows"
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    key(qtbot, page, Qt.Key.Key_Y, CTRL)
    assert model.rowCount() == 3
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before


def test_sort_and_filter_keep_the_file_lines(qtbot: Bot, qtmodeltester: Any, page: ImportPage,
                                             tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path)
    page.grid.view.setCurrentIndex(cell(model, 0, "Amount"))
    page.grid_actions.sort_down.trigger()
    lines = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert lines == ["2", "5", "4", "6", "3"]  # 10.00, 7.00, 5.00, 1.00, then the bad amount
    assert "sorted by Amount" in page.grid.filter_label.text()
    qtmodeltester.check(model)
    # an edit in the sorted view lands on the right row, and undo puts it back
    before = state(page)
    model.setData(model.index(1, model.view_column("Customer")), "Hooli")
    assert page.grid.model.table is not None and page.grid.model.table.cell(3, 1) == "Hooli"
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    page.grid.view.setCurrentIndex(cell(model, 0, "Customer"))  # ACME
    key(qtbot, page, Qt.Key.Key_L, CTRL | SHIFT)
    assert model.rowCount() == 2 and "Customer is “acme”" in page.grid.filter_label.text()
    page.grid.only_problems.setChecked(True)  # combined: ACME rows with problems
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())] \
        == ["3"]
    qtmodeltester.check(model)
    page.grid.show_all.click()
    assert model.rowCount() == 5 and not page.grid.only_problems.isChecked()
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(5)] == \
        ["2", "3", "4", "5", "6"]


def test_find_and_replace_with_a_preview(qtbot: Bot, page: ImportPage, tmp_path: Path) -> None:
    model = ready(qtbot, page, tmp_path)
    before = state(page)
    bar = page.grid.find_bar
    page.grid.view.setCurrentIndex(cell(model, 0, "Customer"))
    key(qtbot, page, Qt.Key.Key_H, CTRL)
    assert bar.isVisible() and bar.replacing and bar.column.currentText() == "Customer"
    assert bar.find_edit.text() == "ACME"  # the current cell's value to start from
    bar.replace_edit.setText("ACME Corp")
    bar.update_preview()
    assert "<b>2 cells</b> will change in “Customer”" in bar.summary.text()
    assert bar.preview.item(0).text() == "Line 2 · Customer: ACME → ACME Corp"
    assert bar.apply.text() == "Replace in 2 cells"
    assert text_of(model, 0, "Customer") == "ACME"  # nothing changed yet
    bar.regex.setChecked(True)
    bar.find_edit.setText("[AC")
    bar.update_preview()
    assert "is not a valid regular expression" in bar.summary.text()
    assert not bar.apply.isEnabled()
    bar.find_edit.setText("^(A)CME$")
    bar.replace_edit.setText(r"\1cme Ltd")
    bar.update_preview()
    qtbot.mouseClick(bar.apply, Qt.MouseButton.LeftButton)
    assert [text_of(model, r, "Customer") for r in (0, 1)] == ["Acme Ltd"] * 2
    assert page.grid_actions.undo.text().startswith("Undo Replace “^(A)CME$” with")
    key(qtbot, page, Qt.Key.Key_Z, CTRL)
    assert state(page) == before
    # Ctrl+F finds without replacing; Find next moves through the matches
    page.grid.view.setFocus()
    key(qtbot, page, Qt.Key.Key_F, CTRL)
    assert not bar.replacing
    bar.regex.setChecked(False)
    bar.column.setCurrentIndex(0)
    bar.find_edit.setText("globex")
    bar.find_next()
    assert page.grid.view.currentIndex() == cell(model, 2, "Customer")
    bar.find_next()
    assert page.grid.view.currentIndex() == cell(model, 4, "Customer")
    assert bar.summary.text() == "Match 2 of 2."
    assert unnamed_controls(page) == []


def test_a_big_preview_is_looked_for_in_a_worker(qtbot: Bot, page: ImportPage, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pacspace_desktop.ui import grid_find

    monkeypatch.setattr(grid_find, "BIG_FIND", 0)  # every table is big
    model = ready(qtbot, page, tmp_path)
    bar = page.grid.find_bar
    page.grid.view.setCurrentIndex(cell(model, 0, "Customer"))
    key(qtbot, page, Qt.Key.Key_H, CTRL)
    bar.replace_edit.setText("ACME Corp")
    bar.update_preview()
    assert bar.summary.text() == "Looking…" and not bar.apply.isEnabled()
    qtbot.waitUntil(lambda: bar.apply.isEnabled(), timeout=5000)
    assert "<b>2 cells</b> will change in “Customer”" in bar.summary.text()
    assert bar.preview.item(0).text() == "Line 2 · Customer: ACME → ACME Corp"
    bar.regex.setChecked(True)
    bar.find_edit.setText("[AC")
    bar.update_preview()
    qtbot.waitUntil(lambda: "is not a valid regular expression" in bar.summary.text(),
                    timeout=5000)
    assert not bar.apply.isEnabled()


def test_mapping_changes_are_steps_too(qtbot: Bot, page: ImportPage, tmp_path: Path) -> None:
    from pacspace_desktop.ui.import_mapping import _select

    ready(qtbot, page, tmp_path)
    page.tabs.setCurrentIndex(TAB_COLUMNS)
    assert page.grid.totals.totals.bits == 1500
    _select(page.mapping.factor, 1000)
    base.remap(qtbot, page)
    assert page.grid.totals.totals.bits == 15000
    assert page.grid_actions.undo.text() == "Undo Change the columns"
    with qtbot.waitSignal(page.imports.finished, timeout=10_000):
        page.grid_actions.undo.trigger()
    assert page.mapping.factor.currentData() == 100 and page.grid.totals.totals.bits == 1500
    with qtbot.waitSignal(page.imports.finished, timeout=10_000):
        page.grid_actions.redo.trigger()
    assert page.mapping.factor.currentData() == 1000


def test_sent_rows_are_left_alone(qtbot: Bot, page: ImportPage, tmp_path: Path) -> None:
    from pacspace_desktop.domain.states import ItemState

    model = ready(qtbot, page, tmp_path)
    model.mark({0: (ItemState.ACCEPTED, "")})
    QApplication.clipboard().setText("X")
    select(page, 0, 2, 1, 2)
    key(qtbot, page, Qt.Key.Key_V, CTRL)
    assert text_of(model, 0, "Customer") == "ACME" and text_of(model, 1, "Customer") == "X"
    assert "1 cell of rows already sent were left unchanged." in page.grid.note.text()
    select(page, 0, 0, 0, 0)
    key(qtbot, page, Qt.Key.Key_Minus, CTRL)
    assert model.rowCount() == 5 and "cannot be deleted" in page.grid.note.text()
