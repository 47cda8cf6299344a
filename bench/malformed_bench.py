"""Benchmark: what the worst malformed inputs cost, against a plain pass over the same bytes.

Run `python bench/malformed_bench.py [--repeat 3]`. For each input class of issue 14 (the
makers are in tests/malformed.py) it times the app's path — `pacspace-desktop check` for
CSV/XLSX (read, map, check every cell), the items loader of `submit` for JSON — in this
process, and, on the same bytes in the same run, a baseline: a `csv.reader` pass over the
decoded text (for a workbook: over its unpacked XML). Figures are medians; the ratio is app /
baseline. Before the limits, a 10 KB file of 16,384 columns took 73 s and `1e999999999` 10-17 s
and 2 GB; the goal is that every line here stays in proportion to its input's size.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _baseline(data: bytes, suffix: str) -> float:
    t0 = time.perf_counter()
    if suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    else:
        text = data.decode("utf-8", "replace")
    csv.field_size_limit(sys.maxsize)
    for _row in csv.reader(io.StringIO(text, newline="")):
        pass
    return time.perf_counter() - t0


def _app(path: Path) -> tuple[float, str]:
    from pacspace_desktop.cli.inputs import InputError, read_items
    from pacspace_desktop.cli.main import main

    sink = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        if path.suffix == ".json":
            try:
                read_items(path, None)
                outcome = "read"
            except InputError:
                outcome = "refused"
        else:
            outcome = f"exit {main(['check', str(path)])}"
    return time.perf_counter() - t0, outcome


def main() -> None:
    """Print one line per input class."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from tests import malformed

    classes: list[tuple[str, str, Callable[[], bytes]]] = (
        [(f"xlsx:{k}", ".xlsx", f) for k, f in malformed.XLSX_CLASSES.items()]
        + [(f"csv:{k}", ".csv", f) for k, f in malformed.CSV_CLASSES.items()]
        + [(f"json:{k}", ".json", f) for k, f in malformed.JSON_CLASSES.items()])
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PACSPACE_DATA_DIR"] = str(Path(folder) / "data")
        os.environ["PACSPACE_CONFIG_DIR"] = str(Path(folder) / "config")
        print(f"{'input':32} {'bytes':>10} {'app ms':>9} {'plain ms':>9} {'ratio':>7}  outcome")
        worst = 0.0
        for name, suffix, make in classes:
            data = make()
            path = Path(folder) / f"input{suffix}"
            path.write_bytes(data)
            app, plain, outcome = [], [], ""
            for _ in range(args.repeat):
                plain.append(_baseline(data, suffix))
                seconds, outcome = _app(path)
                app.append(seconds)
            a, p = statistics.median(app), max(statistics.median(plain), 1e-4)
            worst = max(worst, a)
            print(f"{name:32} {len(data):>10,} {a * 1000:>9.1f} {p * 1000:>9.1f} "
                  f"{a / p:>7.1f}  {outcome}")
        print(f"slowest input: {worst * 1000:.0f} ms")


if __name__ == "__main__":
    main()
