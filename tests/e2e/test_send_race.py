"""Two sends of one file at once on one history: every key reaches PacSpace exactly once.

Real `submit` processes over one data folder and the sandbox on loopback. Before claims, two
runs started together both passed the "sent before?" look-up and wrote every key twice (5 of 15
trials, 7 of 8 in a second series). Now the loser is refused before a byte leaves, with exit
code 2 and the names of the keys and of the send that holds them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.factory import make_http_client
from pacspace_desktop.network.reads import ReadClient
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.history_checks import CheckReport
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.history import HistoryStore

ROUNDS = 20
KEYS = 300
BATCH = 100


def write_file(path: Path, n: int = KEYS, prefix: str = "INV") -> list[str]:
    keys = [f"{prefix}-{i:04d}" for i in range(n)]
    path.write_text(json.dumps([{"key": k, "accountId": f"acct-{i % 7}", "bits": i + 1}
                                for i, k in enumerate(keys)]), encoding="utf-8")
    return keys


def start_submit(work: Path, file: Path, key: str, base_url: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PACSPACE_API_KEY=key, PACSPACE_DATA_DIR=str(work / "data"),
               PACSPACE_CONFIG_DIR=str(work / "config"))
    return subprocess.Popen(
        [sys.executable, "-m", "pacspace_desktop", "submit", str(file), "--base-url", base_url,
         "--batch-size", str(BATCH)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def writes(sandbox: SandboxServer) -> dict[str, int]:
    return {k: v["totalWrites"] for k, v in sandbox.state_snapshot()["keys"].items()}


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=90)
    return proc.returncode, out, err


@pytest.mark.slow
def test_two_submits_of_one_file_started_together_write_every_key_once(
        sandbox: SandboxServer, demo_key: str, tmp_path: Path) -> None:
    seen = {"in flight": 0, "sent before": 0}
    for round_no in range(ROUNDS):
        sandbox.reset()
        sandbox.set_faults([{"delay": 0.03}] * (2 * KEYS // BATCH))
        work = tmp_path / f"round{round_no}"
        work.mkdir()
        keys = write_file(work / "march.json")
        procs = [start_submit(work, work / "march.json", demo_key, sandbox.base_url)
                 for _ in range(2)]
        results = [finish(p) for p in procs]
        assert writes(sandbox) == dict.fromkeys(keys, 1), f"round {round_no}: {results}"
        assert sorted(code for code, _, _ in results) == [0, 2], results
        assert sandbox.state_snapshot()["requestsReceived"] == KEYS // BATCH
        _, _, loser = next(r for r in results if r[0] == 2)
        assert loser.startswith(f"Nothing was sent: {KEYS} record keys of this send are "
                                "already taken"), loser
        assert keys[0] in loser
        if "being sent right now" in loser:
            seen["in flight"] += 1
            assert "started" in loser and " on " in loser, "it names when and who"
        else:
            assert "sent before and accepted by PacSpace" in loser and "Request ID req_" in loser
            seen["sent before"] += 1
    print(f"\nloser found the keys: {seen}")


def check_unknown(qtbot: QtBot, store: HistoryStore, sandbox: SandboxServer, key: str,
                  submission_ids: list[int]) -> dict[str, str]:
    """Check on the server as History's button does (settle time 0: the kill was seconds ago,
    and the sandbox makes writes readable at once). Returns each key's verdict."""
    http = make_http_client(5)
    service = HistoryService(store, ReadClient(http, sandbox.base_url, ApiKey(key)).read_bucket,
                             pace_s=0.0, settle=lambda: timedelta(0))
    with qtbot.waitSignal(service.check_finished, timeout=20000) as sig:
        assert service.check_submissions(submission_ids)
    report: CheckReport = sig.args[0]
    task = asyncio.ensure_future(http.aclose())
    qtbot.waitUntil(task.done)
    return {a.target.key: a.interpretation.verdict.value for a in report.answers}


@pytest.mark.slow
def test_a_send_killed_while_it_holds_its_claims(sandbox: SandboxServer, demo_key: str,
                                                 tmp_path: Path, qtbot: QtBot,
                                                 qloop: object) -> None:
    """SIGKILL mid-way: a second send takes none of its keys; History shows them as
    interrupted; a check on the server settles them; what is left goes once."""
    keys = write_file(tmp_path / "big.json", 600)
    sandbox.set_faults([{"delay": 0.4}] * 6)
    first = start_submit(tmp_path, tmp_path / "big.json", demo_key, sandbox.base_url)
    deadline = time.monotonic() + 30
    while sandbox.state_snapshot()["requestsReceived"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    second = finish(start_submit(tmp_path, tmp_path / "big.json", demo_key, sandbox.base_url))
    assert second[0] == 2 and "being sent right now" in second[2], second
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    time.sleep(0.5)  # the sandbox finishes the request it was answering
    received = sandbox.state_snapshot()["requestsReceived"]
    third = finish(start_submit(tmp_path, tmp_path / "big.json", demo_key, sandbox.base_url))
    assert third[0] == 2, third
    # The request on its way, and the next one if its mark (made ahead, while the first was on
    # its way: submission.outbox) had reached the disk: both unknown, neither sent again.
    left_words = re.search(r"A send that stopped unexpectedly left ([12]) request\(s\) with "
                           r"(\d+) item\(s\)", third[2])
    assert left_words is not None, third[2]
    assert int(left_words[2]) == 100 * int(left_words[1])
    assert "PacSpace's answer was lost" in third[2]
    assert sandbox.state_snapshot()["requestsReceived"] == received, "the others sent nothing"
    assert all(n == 1 for n in writes(sandbox).values())

    store = HistoryStore.open(tmp_path / "data" / "history.sqlite3")
    try:
        interrupted = [s for s in store.list_submissions(limit=100)
                       if s.state is ItemState.UNKNOWN]
        assert len(interrupted) == int(left_words[1])
        assert all(s.outcome_kind is not None and s.outcome_kind.value == "interrupted"
                   for s in interrupted)
        verdicts = check_unknown(qtbot, store, sandbox, demo_key, [s.id for s in interrupted])
        landed = {k for k, v in verdicts.items() if v == "landed"}
        assert set(verdicts.values()) <= {"landed", "not-landed"}
        assert landed == {k for k in verdicts if writes(sandbox).get(k) == 1}
        left = [k for k in keys if k not in store.sightings(keys)]
    finally:
        store.close()
    rest = tmp_path / "rest.json"
    data: list[dict[str, Any]] = [it for it in json.loads((tmp_path / "big.json").read_text())
                                  if it["key"] in set(left)]
    rest.write_text(json.dumps(data), encoding="utf-8")
    fourth = finish(start_submit(tmp_path, rest, demo_key, sandbox.base_url))
    assert fourth[0] == 0, fourth
    assert writes(sandbox) == dict.fromkeys(keys, 1), "every key exactly once in the end"
