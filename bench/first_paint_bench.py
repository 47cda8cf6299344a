"""Benchmark: from process start to the first painted main window, beside a bare window.

The app is started as a clerk starts it (`pacspace-desktop --sandbox`, a fresh data folder);
the baseline is a bare PySide6 script that opens a `QMainWindow`. Both run offscreen as their
own processes; the time is from the parent's spawn to the child's first Paint event of its
main window (the child prints it and leaves at once). Bytecode is cached as an installed app
would have it (one warm-up run of each is discarded); runs alternate A/B.

Then, with `--stall-runs` (default 3), the app goes on after its paint with a 5 ms heartbeat
timer on the Qt thread until the start has finished (keyring in a worker, verification, the
sandbox, the HTTP client): the longest gap between beats is the longest stall a clerk who
clicks at once would meet.

Run: .venv/bin/python bench/first_paint_bench.py [--runs 7] [--stall-runs 3]
Goal (issue "Fast where a clerk waits"): app / bare <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import logging, os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

STALL = sys.argv[1] == "stall"  # go on after the paint: heartbeat until the start finished
beats = []

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow) and not self.done:
            self.done = True
            page = obj.centralWidget().findChild(QStackedWidget)
            shown = page.currentWidget() if page is not None else None
            sys.stdout.write(f"painted {obj.windowTitle()!r} showing "
                             f"{type(shown).__name__ if shown else 'nothing'}\n")
            sys.stdout.flush()
            if not STALL:
                os._exit(0)
            beats.append(time.perf_counter())
            heart.start(5)
        return False

def beat():
    beats.append(time.perf_counter())

def report():
    beat()
    gaps = [b - a for a, b in zip(beats, beats[1:])]
    sys.stdout.write(f"stall {max(gaps) * 1000:.0f} ready {(beats[-1] - beats[0]) * 1000:.0f}\n")
    sys.stdout.flush()
    os._exit(0)

class Finished(logging.Handler):
    def emit(self, record):
        if record.getMessage() == "start-up finished":
            QTimer.singleShot(0, report)  # the next turn: after the last of the start's work

app = QApplication(sys.argv[:1])
watch = FirstPaint()
app.installEventFilter(watch)
heart = QTimer()
heart.timeout.connect(beat)
logging.getLogger("pacspace_desktop").addHandler(Finished())
if sys.argv[1] == "bare":
    window = QMainWindow()
    window.setCentralWidget(QWidget())
    window.setWindowTitle("bare")
    window.resize(1180, 800)
    window.show()
    app.exec()
else:
    from pacspace_desktop.cli.main import main
    main(sys.argv[2:])
"""


PYCACHE = tempfile.mkdtemp(prefix="first-paint-pyc-")
"""Where the children keep their bytecode: cached as an installed app has it (pip compiles
on install), but outside the source tree. PYTHONDONTWRITEBYTECODE (set on some machines,
e.g. in CI) would otherwise make every run compile every module of the app again."""


PAINTED: dict[str, str] = {}
"""What each kind's window showed at its first paint (its title and page), for the report."""


def once(kind: str, *args: str) -> float:
    return run(kind, *args)[0]


def run(kind: str, *args: str) -> tuple[float, str]:
    """Seconds from spawn to the child's exit, and the child's last line."""
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6",
                   PACSPACE_DATA_DIR=data, PACSPACE_CONFIG_DIR=str(Path(data) / "config"),
                   PYTHONPYCACHEPREFIX=PYCACHE)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, kind, *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=False)
        elapsed = time.perf_counter() - start
    if "painted" not in done.stdout:
        raise SystemExit(f"{kind} did not paint: {done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines()
    PAINTED[" ".join((kind, *args))] = lines[0].removeprefix("painted ")
    return elapsed, lines[-1]


def stalls(runs: int, *args: str) -> str:
    """The longest Qt-thread stall (a 5 ms heartbeat) from the first paint until the start
    finished (keyring, verification, sandbox, HTTP client), and how long that took."""
    got = [run("stall", *args)[1].split() for _ in range(runs)]
    stall = [float(g[1]) for g in got]
    ready = [float(g[3]) for g in got]
    return (f"longest stall median {statistics.median(stall):.0f} ms (range {min(stall):.0f}-"
            f"{max(stall):.0f}), finished {statistics.median(ready):.0f} ms after the paint")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stall-runs", type=int, default=3,
                        help="runs that go on after the paint with a heartbeat (0: none)")
    args = parser.parse_args()
    kinds = {"bare": ("bare",), "app --sandbox": ("app", "--sandbox"), "app (first start)":
             ("app",)}
    for k in kinds.values():
        once(*k)  # warm-up: bytecode written, caches filled
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for r in range(args.runs):
        order = list(kinds) if r % 2 == 0 else list(reversed(kinds))
        for name in order:
            times[name].append(once(*kinds[name]))
    bare = statistics.median(times["bare"])
    for name, got in times.items():
        med = statistics.median(got)
        ratios = [t / b for t, b in zip(got, times["bare"], strict=True)]
        print(f"{name:18s} median {med * 1000:5.0f} ms (range {min(got) * 1000:.0f}-"
              f"{max(got) * 1000:.0f}), ratio to bare {med / bare:.2f}x "
              f"(per run {min(ratios):.2f}-{max(ratios):.2f})")
    for name, args_of in kinds.items():
        print(f"{name:18s} painted {PAINTED[' '.join(args_of)]}")
    print("goal: app / bare <= 1.5")
    if args.stall_runs:
        for name, extra in (("app --sandbox", ("--sandbox",)), ("app (first start)", ())):
            print(f"{name:18s} after the paint: {stalls(args.stall_runs, *extra)}")
    shutil.rmtree(PYCACHE, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
