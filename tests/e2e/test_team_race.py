"""Two clerks, two computers, one team history: every key reaches PacSpace exactly once.

Real `submit` processes with different data and config folders (two people's computers),
one PostgreSQL database (a private cluster, tests/pg_cluster) chosen in each one's Settings
file, and the sandbox on loopback. The loser is refused before a byte leaves and is told who
has the keys; a clerk killed mid-way leaves claims that nobody else sends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.storage.team import open_team
from pacspace_desktop.storage.team_settings import TeamSettings, save
from tests.e2e.test_send_race import finish, write_file, writes
from tests.pg_cluster import CLERK_PASSWORD, Cluster

ROUNDS = 20
KILL_ROUNDS = 10
KEYS = 300
BATCH = 100
CLERKS = ("Anna (PC-FIN-02)", "Ben (PC-FIN-03)")


def computer(work: Path, name: str, url: str) -> Path:
    """A clerk's own data and config folders, with the team history chosen in Settings."""
    home = work / name.split()[0].lower()
    (home / "data").mkdir(parents=True)
    save(home / "config", TeamSettings(url=url, display_name=name))
    return home


def start_submit(home: Path, file: Path, key: str, base_url: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PACSPACE_API_KEY=key, PACSPACE_DATA_DIR=str(home / "data"),
               PACSPACE_CONFIG_DIR=str(home / "config"), PGPASSWORD=CLERK_PASSWORD)
    return subprocess.Popen(
        [sys.executable, "-m", "pacspace_desktop", "submit", str(file), "--base-url", base_url,
         "--batch-size", str(BATCH)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_clerks_sending_one_file_at_once_write_every_key_once(
        sandbox: SandboxServer, demo_key: str, tmp_path: Path, pg_cluster: Cluster) -> None:
    seen = {"in flight": 0, "sent before": 0}
    for round_no in range(ROUNDS):
        db = pg_cluster.create_db()
        try:
            sandbox.reset()
            sandbox.set_faults([{"delay": 0.03}] * (2 * KEYS // BATCH))
            work = tmp_path / f"round{round_no}"
            homes = [computer(work, name, pg_cluster.clerk_url(db)) for name in CLERKS]
            keys = write_file(work / "march.json")
            procs = [start_submit(h, work / "march.json", demo_key, sandbox.base_url)
                     for h in homes]
            results = [finish(p) for p in procs]
        finally:
            pg_cluster.drop_db(db)
        assert writes(sandbox) == dict.fromkeys(keys, 1), f"round {round_no}: {results}"
        assert sorted(code for code, _, _ in results) == [0, 2], results
        assert sandbox.state_snapshot()["requestsReceived"] == KEYS // BATCH
        winner = CLERKS[[code for code, _, _ in results].index(0)]
        _, _, loser = next(r for r in results if r[0] == 2)
        assert loser.startswith(f"Nothing was sent: {KEYS} record keys of this send are "
                                "already taken"), loser
        assert keys[0] in loser and f"by {winner}" in loser, "the loser is told who has them"
        if "being sent right now" in loser:
            seen["in flight"] += 1
            assert "started" in loser
        else:
            assert "sent before and accepted by PacSpace" in loser and "Request ID req_" in loser
            seen["sent before"] += 1
    print(f"\nloser found the keys: {seen}")


@pytest.mark.slow
def test_a_clerk_killed_while_holding_claims(sandbox: SandboxServer, demo_key: str,
                                            tmp_path: Path, pg_cluster: Cluster) -> None:
    """SIGKILL mid-way, 10 times: the other clerk sends none of the killed one's keys, and
    the team history shows the killed send's claims as interrupted."""
    for round_no in range(KILL_ROUNDS):
        db = pg_cluster.create_db()
        url = pg_cluster.clerk_url(db)
        try:
            sandbox.reset()
            sandbox.set_faults([{"delay": 0.8}] * (2 * KEYS // BATCH))
            work = tmp_path / f"round{round_no}"
            anna, ben = (computer(work, name, url) for name in CLERKS)
            keys = write_file(work / "big.json", 2 * KEYS)
            first = start_submit(anna, work / "big.json", demo_key, sandbox.base_url)
            deadline = time.monotonic() + 30
            while (sandbox.state_snapshot()["requestsReceived"] < 1
                   and time.monotonic() < deadline):
                time.sleep(0.01)
            second = finish(start_submit(ben, work / "big.json", demo_key, sandbox.base_url))
            assert second[0] == 2 and "being sent right now" in second[2], second
            assert f"by {CLERKS[0]}" in second[2], "Ben is told that Anna has them"
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=30)
            time.sleep(0.4)  # the sandbox finishes the request it was answering
            received = sandbox.state_snapshot()["requestsReceived"]
            third = finish(start_submit(ben, work / "big.json", demo_key, sandbox.base_url))
            assert third[0] == 2, third
            assert "A send that stopped unexpectedly left" in third[2], third
            assert sandbox.state_snapshot()["requestsReceived"] == received, \
                f"round {round_no}: Ben sent none of Anna's keys"
            assert all(n == 1 for n in writes(sandbox).values())
            store = open_team(url, CLERK_PASSWORD)
            try:
                rows = store.list_submissions(limit=100)
                interrupted = [s for s in rows if s.state is ItemState.UNKNOWN]
                assert interrupted, f"round {round_no}: {rows}"
                assert all(s.outcome_kind is not None and s.outcome_kind.value == "interrupted"
                           and s.sent_by == CLERKS[0] for s in interrupted)
                held = store.sightings(keys)
                assert all(h[0].sent_by == CLERKS[0] for h in held.values())
                assert {k for k in keys if k in held} >= set(writes(sandbox)), \
                    "every key that reached PacSpace stays claimed"
            finally:
                store.close()
        finally:
            pg_cluster.drop_db(db)


def test_an_unreachable_team_history_refuses_to_send(sandbox: SandboxServer, demo_key: str,
                                                     tmp_path: Path) -> None:
    """Never a silent fallback to the local file: nothing is sent, the words say why."""
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once it is closed
    home = computer(tmp_path, "Anna (PC-FIN-02)", f"postgresql://clerk@127.0.0.1:{port}/team")
    write_file(tmp_path / "march.json", 5)
    code, _out, err = finish(start_submit(home, tmp_path / "march.json", demo_key,
                                          sandbox.base_url))
    assert code == 2, err
    assert "The team history (postgresql://clerk@127.0.0.1:" in err
    assert "cannot be reached" in err and "Nothing was sent." in err
    assert "The local history is not used instead" in err
    assert sandbox.state_snapshot()["requestsReceived"] == 0
    assert not (home / "data" / "history.sqlite3").exists(), "no local history was written"


def test_cli_history_option_names_the_team_database(demo_key: str, sandbox: SandboxServer,
                                                    tmp_path: Path, team_url: str) -> None:
    """`--history postgresql://…` works without Settings; `history` lists who sent what."""
    write_file(tmp_path / "april.json", 3, prefix="APR")
    env = dict(os.environ, PACSPACE_API_KEY=demo_key, PGPASSWORD=CLERK_PASSWORD,
               PACSPACE_DATA_DIR=str(tmp_path / "data"),
               PACSPACE_CONFIG_DIR=str(tmp_path / "config"))
    sent = subprocess.run([sys.executable, "-m", "pacspace_desktop", "submit",
                           str(tmp_path / "april.json"), "--base-url", sandbox.base_url,
                           "--history", team_url], env=env, capture_output=True, text=True,
                          timeout=60)
    assert sent.returncode == 0, sent.stderr
    listed = subprocess.run([sys.executable, "-m", "pacspace_desktop", "history", "--json",
                             "--history", team_url], env=env, capture_output=True, text=True,
                            timeout=60)
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert [e["state"] for e in entries] == ["accepted"]
    assert entries[0]["sentBy"] and " on " in entries[0]["sentBy"]
    sealed = subprocess.run([sys.executable, "-m", "pacspace_desktop", "history", "verify",
                             "--history", team_url], env=env, capture_output=True, text=True,
                            timeout=60)
    assert sealed.returncode == 0 and "The history is intact: 1 sealed" in sealed.stdout, sealed
    assert not (tmp_path / "data" / "history.sqlite3").exists()
