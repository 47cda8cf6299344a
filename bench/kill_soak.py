"""Soak: many random SIGKILLs of a 5,000-item `submit` against the sandbox; nothing may be lost.

Run: .venv/bin/python bench/kill_soak.py [KILLS] [SEED]
Prints one line per kill and a summary; exits 1 when any kill lost or duplicated something.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer
from tests.e2e.test_kill import SEND_S, kill_once


def main() -> int:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else random.randrange(1_000_000)
    rng = random.Random(seed)
    print(f"kill soak: {kills} kills, seed {seed}")
    failures = 0
    totals: dict[str, int] = {}
    with SandboxServer(SandboxConfig(port=0, verify_delay=0.2)) as sandbox, \
            tempfile.TemporaryDirectory() as tmp:
        for n in range(kills):
            moment = rng.uniform(0.0, SEND_S * 1.1)
            r = kill_once(sandbox, DEMO_API_KEY, Path(tmp) / f"run{n}", moment)
            for state, count in r.states.items():
                totals[state] = totals.get(state, 0) + count
            status = "OK " if not r.problems else "FAIL"
            failures += bool(r.problems)
            print(f"{status} kill {n + 1:2d} after {moment:4.2f} s (exit {r.exit_code}): "
                  f"{dict(sorted(r.states.items()))}, recovered as unknown: "
                  f"{r.recovered_unknown} request(s), sandbox writes: {r.sandbox_writes}"
                  + (f" PROBLEMS: {r.problems}" if r.problems else ""))
    print(f"summary: {kills - failures}/{kills} kills left every item accounted for; "
          f"item states over all runs: {dict(sorted(totals.items()))}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
