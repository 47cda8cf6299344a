"""When the history cannot be written: a full disk, a read-only file or folder, a history locked
by another process, a damaged file. Each is named in words, hides nothing, loses nothing, and a
send is refused before anything leaves."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.client import WriteClient
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.storage.db import StorageError, StorageFault, connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.submission.runner import (
    AttemptFinished,
    HistoryFailed,
    RequestStarted,
    RunEvent,
    Stage,
    SubmissionRunner,
)
from tests.services.test_history_service import http  # noqa: F401 - the fixture

RUN = NewRun("march.csv", "Main", "sandbox", "http://127.0.0.1:9")


def items(n: int, prefix: str = "INV", pad: int = 0) -> list[WriteItem]:
    meta = {"note": "x" * pad} if pad else None
    return [WriteItem(f"{prefix}-{i}", "acct-1", i + 1, meta) for i in range(n)]


def clamp(store: HistoryStore) -> None:
    """Let the database grow no further: SQLite answers SQLITE_FULL, as on a full disk."""
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count={pages}")



@pytest.fixture
def backend() -> str:
    """These tests are about the local file (its disk, its folder): SQLite only."""
    return "sqlite"

def test_a_full_disk_is_named_not_hidden_by_a_second_rollback(store: HistoryStore) -> None:
    clamp(store)
    with pytest.raises(StorageError) as caught:
        store.record_run(RUN, [items(100, pad=2000)])
    assert caught.value.fault is StorageFault.FULL
    assert "the disk is full" in str(caught.value) and "rollback" not in str(caught.value)
    assert store.count_submissions() == 0, "nothing half-written"
    assert store.sightings(["INV-0"]) == {}, "no claim left behind"
    store.connection.execute("PRAGMA max_page_count=1073741823")
    store.record_run(RUN, [items(100, pad=2000)])  # works again once there is room


def run(qtbot: QtBot, runner: SubmissionRunner, batch: list[WriteItem], size: int,
        on_event: object = None) -> asyncio.Future[object]:
    task = asyncio.ensure_future(runner.run(batch, RUN, size, on_event))  # type: ignore[arg-type]
    qtbot.waitUntil(task.done, timeout=15000)
    return task


def test_full_disk_mid_run_stops_before_the_next_request_leaves(
        qtbot: QtBot, store: HistoryStore, sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient) -> None:  # noqa: F811 - the fixture
    runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url, ApiKey(demo_key)))

    def on_event(event: RunEvent) -> None:
        if isinstance(event, AttemptFinished) and event.seq == 0:
            clamp(store)  # the disk fills up while the first request is answered

    task = run(qtbot, runner, items(30, pad=3000), 10, on_event)
    failed = task.exception()
    assert isinstance(failed, HistoryFailed) and failed.stage is Stage.AFTER_ANSWER
    assert failed.error.fault is StorageFault.FULL and failed.exit_code == 3
    assert failed.text.startswith("The history (") and "the disk is full" in failed.text
    assert "PacSpace accepted request 1 of 3 (Request ID req_" in failed.text
    assert "Nothing more was sent." in failed.text
    assert sandbox.state_snapshot()["requestsReceived"] == 1


def test_full_disk_before_the_first_request_sends_nothing(
        qtbot: QtBot, store: HistoryStore, sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient) -> None:  # noqa: F811 - the fixture
    runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url, ApiKey(demo_key)))

    def on_event(event: RunEvent) -> None:
        if isinstance(event, RequestStarted) and event.seq == 0:
            clamp(store)

    failed = run(qtbot, runner, items(30, pad=3000), 10, on_event).exception()
    assert isinstance(failed, HistoryFailed) and failed.stage is Stage.BEFORE_SEND
    assert failed.exit_code == 2 and "the disk is full" in failed.text
    assert "Sending stopped before request 1 of 3 left: it and any after it were not sent." \
        in failed.text
    assert sandbox.state_snapshot()["requestsReceived"] == 0


class MarkFails(HistoryStore):
    """The first request can be marked and its answer written; the next ones cannot be
    marked as sending (their mark is made ahead, while the first is on its way)."""

    def mark_sending(self, submission_id: int, request_body: str) -> None:
        seq = self.connection.execute("SELECT seq FROM submissions WHERE id=?",
                                      (submission_id,)).fetchone()[0]
        if seq > 0:
            raise StorageError("The history cannot be written: test.", StorageFault.FULL)
        super().mark_sending(submission_id, request_body)


def test_an_answer_is_kept_when_only_the_next_mark_fails(
        qtbot: QtBot, store: HistoryStore, sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient) -> None:  # noqa: F811 - the fixture
    runner = SubmissionRunner(MarkFails(store.connection),
                              WriteClient(http, sandbox.base_url, ApiKey(demo_key)))
    failed = run(qtbot, runner, items(30), 10).exception()
    assert isinstance(failed, HistoryFailed) and failed.stage is Stage.BEFORE_SEND
    assert failed.exit_code == 1
    assert "Sending stopped before request 2 of 3 left: it and any after it were not sent. " \
           "The 10 item(s) sent before it are recorded." in failed.text
    assert [r.state for r in failed.report.requests] == [ItemState.ACCEPTED,
                                                         ItemState.NOT_SENT, ItemState.NOT_SENT]
    assert failed.report.broke_off == failed.text
    states = [s.state for s in store.list_submissions()]
    assert sorted(s.value for s in states) == ["accepted", "not_sent", "not_sent"]
    assert sandbox.state_snapshot()["requestsReceived"] == 1


def test_an_answer_that_cannot_be_recorded_is_still_told(
        qtbot: QtBot, store: HistoryStore, sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    """Another program holds the history while PacSpace answers: the Request ID is shown."""
    locked = HistoryStore.open(tmp_path / "history.sqlite3", busy_timeout=0.2)
    runner = SubmissionRunner(locked, WriteClient(http, sandbox.base_url, ApiKey(demo_key)))
    sandbox.set_faults([{"delay": 0.6}])
    other = sqlite3.connect(tmp_path / "history.sqlite3", isolation_level=None,
                            check_same_thread=False)
    holding = threading.Event()

    def hold_lock() -> None:
        while sandbox.state_snapshot()["requestsReceived"] < 1:
            time.sleep(0.005)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(1.5)
        other.execute("ROLLBACK")

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        task = run(qtbot, runner, items(3), 10)
    finally:
        thread.join()
        other.close()
    failed = task.exception()
    assert holding.is_set()
    assert isinstance(failed, HistoryFailed) and failed.stage is Stage.AFTER_ANSWER
    assert failed.error.fault is StorageFault.LOCKED and failed.exit_code == 3
    assert "is in use by another program" in failed.text
    assert "PacSpace accepted request 1 of 1 (Request ID req_" in failed.text
    assert "they show as “outcome unknown” until a check on the server" in failed.text
    locked.close()
    store.recover_interrupted(lambda _token: False)  # as the next start does
    assert [s.state.value for s in store.list_submissions()] == ["unknown"]


def test_a_read_only_history_is_named(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    connect(path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    store = HistoryStore(conn)
    with pytest.raises(StorageError) as caught:
        store.record_run(RUN, [items(1)])
    assert caught.value.fault is StorageFault.READ_ONLY
    assert "read-only for this app" in str(caught.value) and str(path) in str(caught.value)
    store.close()


HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@pytest.fixture
def locked_by_another_process(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "h.sqlite3"
    connect(path).close()
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "5"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    yield path
    proc.kill()
    proc.wait()
    proc.stdout.close()


def test_a_history_locked_by_another_process(locked_by_another_process: Path) -> None:
    store = HistoryStore.open(locked_by_another_process, busy_timeout=0.3)  # reading works
    with pytest.raises(StorageError) as caught:
        store.record_run(RUN, [items(1)])
    store.close()
    assert caught.value.fault is StorageFault.LOCKED
    assert "in use by another program and stayed locked" in str(caught.value)


def test_a_damaged_history(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(StorageError) as caught:
        connect(path)
    assert caught.value.fault is StorageFault.DAMAGED
    assert "is damaged and cannot be used safely" in str(caught.value)


@pytest.mark.skipif(os.name != "posix" or not shutil.which("unshare"),
                    reason="needs POSIX permissions or mounts")
def test_submit_from_a_read_only_data_folder_sends_nothing(
        sandbox: SandboxServer, demo_key: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A data folder the app may not write (a read-only mount when running as root)."""
    root = Path(tmp_path_factory.mktemp("ro", numbered=True))
    data = root / "data"
    data.mkdir()
    connect(data / "history.sqlite3").close()
    file = root / "items.json"
    file.write_text(json.dumps([{"key": "INV-1", "accountId": "a", "bits": 1}]))
    for p in (root, data):
        p.chmod(0o755)
    (data / "history.sqlite3").chmod(0o644)
    file.chmod(0o644)
    cmd = [sys.executable, "-m", "pacspace_desktop", "submit", str(file), "--base-url",
           sandbox.base_url]
    env = dict(os.environ, PACSPACE_API_KEY=demo_key, PACSPACE_DATA_DIR=str(data),
               PACSPACE_CONFIG_DIR=str(root / "config"), HOME=str(root))
    if os.geteuid() == 0:  # root writes anywhere: a read-only mount of the folder instead
        probe = subprocess.run(["unshare", "-m", "sh", "-c",
                                f"mount --bind {data} {data} && "
                                f"mount -o remount,ro,bind {data}"],
                               capture_output=True, check=False)
        if probe.returncode != 0:
            pytest.skip("no way to make a read-only folder for root here")
        cmd = ["unshare", "-m", "sh", "-c",
               f'mount --bind {data} {data} && mount -o remount,ro,bind {data} && exec "$@"',
               "sh", *cmd]
    else:
        data.chmod(0o555)
        (data / "history.sqlite3").chmod(0o444)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "read-only for this app" in done.stderr and "Nothing was sent." in done.stderr
    assert "Traceback" not in done.stderr
    assert sandbox.state_snapshot()["requestsReceived"] == 0
