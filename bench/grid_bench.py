"""Benchmark: the import grid model over a 1,000,000-row table.

Builds a column-oriented table in memory (1% of the rows with a bad amount, a few repeated
keys), checks it, wraps it in `ImportGridModel`, and times what a scrolling view asks for: every
role a delegate reads (display, decoration, background, foreground, tooltip...) for a screenful
of cells (40 rows x all columns) at rows scattered over the table — beside a plain list access
of the same cells in the same run. Also times switching "Show only rows with problems" on, and
an edit (set_cells) with its incremental re-check.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/grid_bench.py [ROWS]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from array import array
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pacspace_desktop.importing import (
    Detection,
    FileKind,
    ImportTable,
    auto_map,
    validate_table,
)
from pacspace_desktop.ui.import_grid_model import ImportGridModel

# A view asks with plain int roles.
ROLES = tuple(r.value for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.ToolTipRole))
SCREEN_ROWS = 40


def build(rows: int) -> ImportTable:
    rng = random.Random(6)
    headers = ["Invoice No", "Customer", "Amount", "Date", "Region", "Note"]
    keys = [f"R-{i:08}" for i in range(rows)]
    for i in range(0, rows, 50_000):
        keys[i + 1] = keys[i]  # a repeated key now and then
    amounts = [f"{rng.randint(1, 99_999)}.{rng.randint(0, 99):02}" for _ in range(rows)]
    for i in rng.sample(range(rows), rows // 100):
        amounts[i] = "12.x5"
    columns = [keys, [f"K{rng.randint(1, 5000):05}" for _ in range(rows)], amounts,
               [f"2025-03-{rng.randint(1, 28):02}" for _ in range(rows)],
               [rng.choice(["Nord", "Süd", "Ost", "West"]) for _ in range(rows)],
               [rng.choice(["", "bezahlt", "Skonto 2 %"]) for _ in range(rows)]]
    detection = Detection(FileKind.TEXT, "utf-8", "UTF-8", ",", "comma", 1, "line 1")
    return ImportTable(headers, columns, array("q", range(2, rows + 2)), detection)


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main(rows: int) -> int:
    app = QApplication(sys.argv[:1])
    t0 = time.perf_counter()
    table = build(rows)
    built = time.perf_counter() - t0
    mapping = auto_map(table.headers, [c[:200] for c in table.columns])
    t0 = time.perf_counter()
    validation = validate_table(table, mapping)
    checked = time.perf_counter() - t0
    model = ImportGridModel()
    t0 = time.perf_counter()
    model.set_table(table, mapping, validation)
    reset = time.perf_counter() - t0
    cols = model.columnCount()
    rng = random.Random(1)
    starts = [rng.randrange(0, rows - SCREEN_ROWS) for _ in range(50)]

    screens = [[model.index(r, c) for r in range(start, start + SCREEN_ROWS)
                for c in range(cols)] for start in starts]  # the view makes its indexes

    def screenful_model() -> None:
        for start, indexes in zip(starts, screens, strict=True):
            model._marks.clear()  # no help from the row cache: a fresh screen each time
            for r in range(start, start + SCREEN_ROWS):
                model.headerData(r, Qt.Orientation.Vertical)
            for index in indexes:
                for role in ROLES:
                    model.data(index, role)

    columns = table.columns

    def screenful_lists() -> None:
        for start in starts:
            for r in range(start, start + SCREEN_ROWS):
                for c in range(cols):
                    for _role in ROLES:
                        _ = columns[c - 1][r]

    model_s = timed(screenful_model)
    plain_s = timed(screenful_lists)
    cells = len(starts) * SCREEN_ROWS * cols
    per_screen_ms = model_s / len(starts) * 1000
    def filter_on_off() -> None:
        model.set_only_problems(True)
        model.set_only_problems(False)

    filter_s = timed(filter_on_off, 3)
    bad = validation.error_rows()[len(validation.error_rows()) // 2]
    amount_col = table.headers.index("Amount")
    edit_s = timed(lambda: model.set_cells([(bad, amount_col, "12.50")]), 1)
    model.set_only_problems(True)
    shown = model.rowCount()
    app.processEvents()

    print(f"rows: {rows:,}; build {built:.2f} s, validate {checked:.2f} s, "
          f"model reset {reset * 1000:.1f} ms")
    print(f"screenful = {SCREEN_ROWS} rows x {cols} columns x {len(ROLES)} roles, "
          f"{len(starts)} screens scattered over the table ({cells:,} cells)")
    print(f"  model.data(): {model_s * 1000:8.1f} ms  ({per_screen_ms:.2f} ms a screen, "
          f"{model_s / (cells * len(ROLES)) * 1e6:.2f} µs a call)")
    print(f"  plain lists:  {plain_s * 1000:8.1f} ms")
    print(f"  ratio model/plain: {model_s / plain_s:.1f}x")
    print(f"show only rows with problems on+off: {filter_s * 1000:.0f} ms "
          f"({shown:,} rows shown)")
    print(f"one edit (set_cells + incremental re-check): {edit_s * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
