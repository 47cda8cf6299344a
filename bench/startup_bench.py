"""Benchmark: the whole start (every page made and visited), beside a bare window; and the frozen
bundle beside `python -m pacspace_desktop` when a bundle was built.

`--sandbox --smoke-test` opens the main window, lets everything that starts after the first paint
start (keyring, verification, the sandbox, the HTTP client), waits 300 ms, visits every page
(each is made on its first show) and quits. The baseline is a bare PySide6 script that opens a
`QMainWindow`, waits the same 300 ms after its first paint and quits. Each run has a fresh data
folder; bytecode is cached as an installed app has it (outside the source tree); one warm-up run
of each is discarded, then the runs alternate so that all see the same machine load.

`first_paint_bench.py` measures what a clerk waits for (spawn -> first painted window); this
bench measures the rest of the start, so that deferring work past the first paint cannot hide
a slower start overall. With `dist/pacspace-desktop` (bash packaging/linux/build.sh) it also
times the frozen bundle; without one that row is left out (exit 0).

Run: .venv/bin/python bench/startup_bench.py [--runs 5] [--bundle dist/pacspace-desktop]
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
PYCACHE = tempfile.mkdtemp(prefix="startup-bench-pyc-")

BARE = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Watch(QObject):
    painted = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj is window and not self.painted:
            self.painted = True
            QTimer.singleShot(300, lambda: (sys.stdout.write("smoke test: ok\n"), app.quit()))
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 720)
watch = Watch()
app.installEventFilter(watch)
window.show()
app.exec()
"""


def run_once(command: list[str], extra: tuple[str, ...]) -> float:
    """Seconds from start to exit of one smoke test; raises if it did not pass."""
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PACSPACE_DATA_DIR=data,
                   PACSPACE_CONFIG_DIR=str(Path(data) / "config"), PYTHONPYCACHEPREFIX=PYCACHE)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        done = subprocess.run([*command, *extra], env=env, cwd=data, capture_output=True,
                              text=True, timeout=120, check=False)
        elapsed = time.perf_counter() - start
    if done.returncode != 0 or "smoke test: ok" not in done.stdout:
        raise RuntimeError(f"{command[0]} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def folder_size(path: Path) -> int:
    """Bytes on disk of every file under `path` (what `du -s` counts, in 512-byte blocks)."""
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*") if not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "pacspace-desktop")
    args = parser.parse_args()
    smoke = ("--sandbox", "--smoke-test")
    kinds: dict[str, tuple[list[str], tuple[str, ...]]] = {
        "bare window + 300 ms": ([sys.executable, "-c", BARE], ()),
        "python -m pacspace_desktop": ([sys.executable, "-m", "pacspace_desktop"], smoke),
    }
    frozen = args.bundle / "pacspace-desktop"
    if frozen.is_file():
        kinds["frozen bundle"] = ([str(frozen)], smoke)
    for command, extra in kinds.values():
        run_once(command, extra)  # warm-up: bytecode written, caches filled
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for r in range(args.runs):
        for name in (list(kinds) if r % 2 == 0 else list(reversed(kinds))):
            times[name].append(run_once(*kinds[name]))
    shutil.rmtree(PYCACHE, ignore_errors=True)
    bare = statistics.median(times["bare window + 300 ms"])
    for name, got in times.items():
        med = statistics.median(got)
        print(f"{name:28s} median {med:.2f} s (range {min(got):.2f}-{max(got):.2f}), "
              f"ratio to bare {med / bare:.2f}x")
    if frozen.is_file():
        ratio = (statistics.median(times["frozen bundle"])
                 / statistics.median(times["python -m pacspace_desktop"]))
        print(f"bundle size: {folder_size(args.bundle) / 2**20:.0f} MiB ({args.bundle}); "
              f"ratio frozen / python: {ratio:.2f}")
    else:
        print(f"no bundle at {args.bundle}: frozen row left out (bash packaging/linux/build.sh)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
