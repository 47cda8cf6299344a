"""Benchmark: spreadsheet edits in a 1,000,000-row import grid, through the undo history.

Same table as `grid_bench.py` (6 columns; the "Customer" column holds 5,000 account names, a
quarter of them ending in "GmbH"). Times, each with the model's incremental re-check, the
problems panel and the control totals following (as in the app):

* paste 10,000 cells (2,500 rows × 4 columns) from tab-separated text into the middle;
* replace "GmbH" with "AG" in the Customer column (preview + one step);
* undo both;
* insert 100 rows in the middle and delete them again (structural edits: no full re-check);

and, as the baseline in the same run, a plain Python loop setting the same cells in lists.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/grid_edit_bench.py [ROWS]
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QApplication

from bench.grid_bench import build
from pacspace_desktop.importing import FindSpec, auto_map, find_changes, validate_table
from pacspace_desktop.ui.grid_clipboard import to_tsv
from pacspace_desktop.ui.grid_editing import GridEditor
from pacspace_desktop.ui.grid_view import GridView
from pacspace_desktop.ui.import_grid_model import ImportGridModel
from pacspace_desktop.ui.import_problems import ProblemsPanel
from pacspace_desktop.ui.import_totals import TotalsPanel


def timed(label: str, fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    print(f"  {label:<58} {took * 1000:9.1f} ms")
    return took


def main(rows: int) -> int:
    app = QApplication(sys.argv[:1])
    table = build(rows)
    accounts = table.columns[1]
    for i in range(0, rows, 4):  # a quarter of the customers are a GmbH
        accounts[i] = f"{accounts[i]} GmbH"
    mapping = auto_map(table.headers, [c[:200] for c in table.columns])
    t0 = time.perf_counter()
    validation = validate_table(table, mapping)
    print(f"{rows:,} rows checked in {time.perf_counter() - t0:.2f} s "
          f"({validation.valid_count:,} valid)")
    model = ImportGridModel()
    model.set_table(table, mapping, validation)
    view = GridView()
    view.setModel(model)
    editor = GridEditor(model, view)
    problems, totals = ProblemsPanel(), TotalsPanel()
    problems.set_validation(validation)
    totals.set_validation(validation)

    def follow(edit: object) -> None:  # what ImportGrid does after every edit
        problems.update_rows(edit.affected, moved=edit.delta != 0)  # type: ignore[attr-defined]
        totals.apply(edit)  # type: ignore[arg-type]

    model.cells_changed.connect(follow)
    before = [list(c) for c in table.columns]

    # ---- paste 10,000 cells --------------------------------------------------------------
    top, height, width = rows // 2, 2500, 4
    block = [[f"P-{top + r:08}", f"K{r % 97:05}", f"{r}.{r % 100:02}", "2025-04-01"]
             for r in range(height)]
    app.clipboard().setText(to_tsv(block))
    first, last = model.index(top, 1), model.index(top + height - 1, width)
    view.setCurrentIndex(first)
    view.selectionModel().select(QItemSelection(first, last),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    print("Edits (each: model + incremental re-check + problems panel + totals):")
    paste_s = timed(f"paste {height * width:,} cells (Ctrl+V)", editor.paste)
    assert table.columns[0][top] == f"P-{top:08}"

    cols = [list(c) for c in before]
    changes = [(top + r, c, v) for r, row in enumerate(block) for c, v in enumerate(row)]

    def plain_loop() -> None:
        for r, c, v in changes:
            cols[c][r] = v

    base_paste = timed("baseline: plain loop setting the same cells in lists", plain_loop)

    # ---- replace in a 1M-row column ------------------------------------------------------
    found: list[tuple[int, int, str, str]] = []

    def preview() -> None:
        found[:] = find_changes(table, FindSpec("GmbH", match_case=True), "AG", columns=[1])

    preview_s = timed("replace preview: find every “GmbH” in Customer", preview)
    replace_s = timed(f"replace “GmbH” → “AG” in {len(found):,} cells (one step)",
                      lambda: editor.push_cells([(r, c, n) for r, c, _o, n in found],
                                                "Replace"))

    def plain_replace() -> None:
        column = cols[1]
        for r, _c, _o, n in found:
            column[r] = n

    base_replace = timed("baseline: plain loop setting the same cells in lists",
                         plain_replace)

    # ---- undo both -------------------------------------------------------------------------
    undo_replace_s = timed("undo the replace", editor.stack.undo)
    undo_paste_s = timed("undo the paste", editor.stack.undo)
    assert [list(c) for c in table.columns] == before
    assert totals.totals.valid == validation.valid_count

    # ---- rows in and out ---------------------------------------------------------------------
    view.setCurrentIndex(model.index(top, 1))
    view.selectionModel().select(QItemSelection(model.index(top, 0),
                                                model.index(top + 99, 0)),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    insert_s = timed("insert 100 rows in the middle (Ctrl++)", editor.insert_rows)
    view.selectionModel().select(QItemSelection(model.index(top, 0),
                                                model.index(top + 99, 0)),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    delete_s = timed("delete them again (Ctrl+-)", editor.delete_rows)
    undo_delete_s = timed("undo the delete", editor.stack.undo)
    assert table.row_count == rows + 100
    print("Ratios against the plain loop (same run):")
    print(f"  paste   {paste_s / base_paste:8.1f}×   replace {replace_s / base_replace:8.1f}×   "
          f"undo paste {undo_paste_s / base_paste:8.1f}×   undo replace "
          f"{undo_replace_s / base_replace:8.1f}×")
    print(f"  (replace preview {preview_s * 1000:.0f} ms; insert {insert_s * 1000:.0f} ms, "
          f"delete {delete_s * 1000:.0f} ms, undo delete {undo_delete_s * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
