"""A submission killed with SIGKILL at a random moment loses nothing.

The command line sends 5,000 items (50 requests) to the sandbox, which answers each request
after 50 ms; the process is killed at a random time. Then the history is opened as the app does
at start (`recover_interrupted` with the real process check) and compared with what the sandbox
holds: every item is accepted (with a Request ID), rejected, not sent or unknown, and the
sandbox holds no write that the history does not know about.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.storage.history import HistoryStore

ITEMS = 5000
BATCH = 100
DELAY = 0.05
SEND_S = 3.5  # measured: about 3.5 s from the history file's creation to the end of the run
SETTLED = {ItemState.ACCEPTED, ItemState.REJECTED, ItemState.NOT_SENT, ItemState.UNKNOWN}


@dataclass
class KillResult:
    """What one kill left behind."""

    kill_after: float
    exit_code: int | None
    states: dict[str, int]
    recovered_unknown: int
    sandbox_writes: int
    problems: list[str]


def make_items(path: Path) -> list[str]:
    keys = [f"INV-{n:05d}" for n in range(ITEMS)]
    items = [{"key": k, "accountId": f"acct-{n % 37}", "bits": n - 2500}
             for n, k in enumerate(keys)]
    path.write_text(json.dumps(items), encoding="utf-8")
    return keys


def kill_once(sandbox: SandboxServer, key: str, work: Path, kill_after: float) -> KillResult:
    """Run `submit` as a subprocess and SIGKILL it `kill_after` s after its history file appears.

    Counting from the history file (not from the start of the process) makes every kill land
    in the sending, whatever the start-up time on a busy machine.
    """
    sandbox.reset()
    sandbox.set_faults([{"delay": DELAY}] * (ITEMS // BATCH))
    work.mkdir(parents=True)
    keys = make_items(work / "items.json")
    db = work / "data" / "history.sqlite3"
    env = dict(os.environ, PACSPACE_API_KEY=key, PACSPACE_DATA_DIR=str(work / "data"),
               PACSPACE_CONFIG_DIR=str(work / "config"))
    with (work / "stderr.txt").open("w") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pacspace_desktop", "submit", str(work / "items.json"),
             "--base-url", sandbox.base_url, "--batch-size", str(BATCH)],
            env=env, stdout=subprocess.DEVNULL, stderr=errors)
        deadline = time.monotonic() + 30
        while not db.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(kill_after)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(30)
    time.sleep(DELAY * 4)  # let the sandbox finish a request it was answering
    result = check_aftermath(sandbox, db, keys, kill_after, code)
    if code != -signal.SIGKILL and code != 0:
        result.problems.append(f"exited by itself with code {code}: "
                               f"{(work / 'stderr.txt').read_text()[-500:]}")
    return result


def check_aftermath(sandbox: SandboxServer, db: Path, keys: list[str], kill_after: float,
                    code: int | None) -> KillResult:
    problems: list[str] = []
    snap = sandbox.state_snapshot()
    written = {k for k, v in snap["keys"].items() if v["totalWrites"] >= 1}
    request_ids = {r["requestId"] for r in snap["requests"]}
    if not db.exists():  # killed before the history was even created: nothing may be sent
        if written:
            problems.append(f"no history, but the sandbox holds {len(written)} writes")
        return KillResult(kill_after, code, {}, 0, len(written), problems)
    store = HistoryStore.open(db)
    try:
        unknown = store.recover_interrupted()  # the real process check: the pid is dead
        rows = store.connection.execute(
            "SELECT i.key, i.state, s.request_id FROM items i "
            "JOIN submissions s ON s.id = i.submission_id").fetchall()
    finally:
        store.close()
    states: dict[str, int] = {}
    by_key: dict[str, tuple[ItemState, str | None]] = {}
    for k, state, rid in rows:
        by_key[k] = (ItemState(state), rid)
        states[state] = states.get(state, 0) + 1
    if rows and sorted(by_key) != sorted(keys):
        problems.append(f"history holds {len(by_key)} distinct keys of {len(keys)}")
    if rows and len(rows) != len(keys):
        problems.append(f"history holds {len(rows)} items, expected {len(keys)}")
    if not rows and written:
        problems.append(f"empty history, but the sandbox holds {len(written)} writes")
    for k, (state, rid) in by_key.items():
        if state not in SETTLED:
            problems.append(f"{k} is still {state.value} after recovery")
        elif state is ItemState.ACCEPTED:
            if not rid:
                problems.append(f"{k} accepted without a Request ID")
            elif rid not in request_ids:
                problems.append(f"{k} accepted with {rid}, which the sandbox never issued")
            if k not in written:
                problems.append(f"{k} accepted, but the sandbox holds nothing for it")
    for k in written:
        state = by_key.get(k, (None, None))[0]
        if state not in (ItemState.ACCEPTED, ItemState.UNKNOWN):
            problems.append(f"the sandbox holds {k}, history says {state}")
        if snap["keys"][k]["totalWrites"] != 1:
            problems.append(f"{k} was written {snap['keys'][k]['totalWrites']} times")
    return KillResult(kill_after, code, states, len(unknown), len(written), problems[:20])


@pytest.mark.slow
def test_random_kills_lose_nothing(sandbox: SandboxServer, demo_key: str,
                                   tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    moments = [rng.uniform(0.0, SEND_S * 0.9) for _ in range(3)]
    for n, moment in enumerate(moments):
        result = kill_once(sandbox, demo_key, tmp_path / f"run{n}", moment)
        assert not result.problems, f"seed {seed}, kill after {moment:.2f} s: {result}"
        assert result.exit_code == -signal.SIGKILL or sum(result.states.values()) == ITEMS
