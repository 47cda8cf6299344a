"""Benchmark: start time of the frozen Linux bundle beside `python -m pacspace_desktop`.

Both run `--sandbox --smoke-test` offscreen (open the main window, visit every page, quit) with a
fresh data folder each run; the time is from process start to its exit after "smoke test: ok".
Both include the smoke test's fixed 300 ms wait before it visits the pages. One warm-up run of
each is discarded, then the runs alternate so that both see the same machine load.

Run: .venv/bin/python bench/startup_bench.py [--runs 5] [--bundle dist/pacspace-desktop]
(build the bundle first: bash packaging/linux/build.sh)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(command: list[str]) -> float:
    """Seconds from start to exit of one smoke test; raises if it did not pass."""
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PACSPACE_DATA_DIR=data,
                   PACSPACE_CONFIG_DIR=str(Path(data) / "config"))
        start = time.perf_counter()
        done = subprocess.run([*command, "--sandbox", "--smoke-test"], env=env, cwd=data,
                              capture_output=True, text=True, timeout=120, check=False)
        elapsed = time.perf_counter() - start
    if done.returncode != 0 or "smoke test: ok" not in done.stdout:
        raise RuntimeError(f"{command[0]} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def folder_size(path: Path) -> int:
    """Bytes on disk of every file under `path` (what `du -s` counts, in 512-byte blocks)."""
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*") if not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description="Frozen bundle vs. python -m start time.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "pacspace-desktop")
    args = parser.parse_args()
    frozen = [str(args.bundle / "pacspace-desktop")]
    python = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pacspace_desktop"]
    if not Path(frozen[0]).is_file():
        print(f"no bundle at {args.bundle}: run bash packaging/linux/build.sh first")
        return 2
    times: dict[str, list[float]] = {"frozen": [], "python": []}
    run_once(frozen)
    run_once(python)
    for _ in range(args.runs):
        times["frozen"].append(run_once(frozen))
        times["python"].append(run_once(python))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"bundle size: {folder_size(args.bundle) / 2**20:.0f} MiB ({args.bundle})")
    for name, label in (("python", "python -m pacspace_desktop"), ("frozen", "frozen bundle")):
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"{label:28s} median {med[name]:.2f} s  (runs: {runs})")
    print(f"ratio frozen / python: {med['frozen'] / med['python']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
