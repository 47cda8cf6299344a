"""Benchmark: the import grid model over a 1,000,000-row table.

Builds a column-oriented table in memory (1% of the rows with a bad amount, a few repeated
keys), checks it, wraps it in `ImportGridModel`, and times what a scrolling view asks for: every
role a delegate reads (display, decoration, background, foreground, tooltip...) for a screenful
of cells (40 rows x all columns) at rows scattered over the table — beside a plain list access
of the same cells in the same run. Also times switching "Show only rows with problems" on, and
an edit (set_cells) with its incremental re-check.

`--page` measures issue 16's grid rows on the real Import page instead (`ImportPage` with its
grid, problems panel and totals, each run in its own process): a wide export (20 columns,
~80,000 accounts, invoices on one to three lines) opened with `page.open_file` while a 5 ms
QTimer beats on the Qt thread — the longest gap until the rows are in the grid (and 0.5 s
after), the longest gap while that table is dropped for a 50-row file, the idle page's longest
gap in the same run as the baseline, and the peak memory. Each row is printed as a ratio to its
goal (≤ 100 ms; 1.5 GB for a million rows), medians with min–max.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/grid_bench.py [ROWS]
     .venv/bin/python bench/grid_bench.py --page [--sizes 100000,1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
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


GOAL_GAP_MS = 100
GOAL_PEAK_MB = 1536


def _page_child(path: Path) -> None:
    from bench.import_bench import child_page  # the page as the import bench drives it

    result = child_page(path)
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _page_runs(path: Path, repeat: int) -> list[dict[str, float]]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child-page", str(path)],
                             capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return runs


def _ms(runs: list[dict[str, float]], key: str) -> list[float]:
    return [r[key] * 1000 for r in runs]


def _row(label: str, values: list[float], goal: float, unit: str) -> str:
    values = sorted(values)
    med = statistics.median(values)
    verdict = "met" if med <= goal else "NOT met"
    return (f"  {label:<44} {med:7.0f} {unit} ({values[0]:.0f}–{values[-1]:.0f}) = "
            f"{med / goal:4.2f}× the goal (≤ {goal:,.0f} {unit}): {verdict}")


def page_main(sizes: list[int], repeat: int) -> int:
    from bench.import_bench import WIDE_EXTRA, generate_wide

    with tempfile.TemporaryDirectory(prefix="grid-bench-") as folder:
        for rows in sizes:
            path = Path(folder) / f"wide_{rows}.csv"
            generate_wide(path, rows)
            runs = _page_runs(path, repeat if rows < 1_000_000 else min(repeat, 3))
            print(f"{rows:,} rows, {WIDE_EXTRA + 8} columns "
                  f"({path.stat().st_size / 1e6:,.0f} MB), the real Import page, "
                  f"{len(runs)} runs, medians (min–max); 5 ms heartbeat on the Qt thread:")
            print(f"  open → rows in the grid: "
                  f"{statistics.median(r['seconds'] for r in runs):.1f} s")
            print(_row(f"longest stall while {rows:,} rows land", _ms(runs, "open_gap"),
                       GOAL_GAP_MS, "ms"))
            print(_row(f"longest stall while {rows:,} rows are dropped", _ms(runs, "drop_gap"),
                       GOAL_GAP_MS, "ms"))
            print(_row("baseline: the idle page, same run", _ms(runs, "idle_gap"), GOAL_GAP_MS,
                       "ms"))
            print(_row("peak memory (the whole process)", [r["maxrss_mb"] for r in runs],
                       GOAL_PEAK_MB, "MB"), flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--page", action="store_true", help="issue 16's rows on the page")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child-page", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_page:
        _page_child(Path(args.child_page))
        sys.exit(0)
    if args.page:
        sys.exit(page_main([int(s) for s in args.sizes.split(",")], args.repeat))
    sys.exit(main(args.rows))
