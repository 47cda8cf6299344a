"""HistoryService: recovery, checks on the real sandbox, pacing, 429, cancel, resend, export."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.factory import make_http_client
from pacspace_desktop.network.reads import Bucket, ReadClient, ReadResult
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.history_service import CheckReport, HistoryService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import Verdict
from pacspace_desktop.storage.records import NewRun
from tests.storage.test_history_query import sample_history, send


def write_to_sandbox(sandbox: SandboxServer, key: str, items: list[dict[str, Any]]) -> None:
    r = httpx.post(f"{sandbox.base_url}/api/v1/writes", json={"items": items},
                   headers={"X-Api-Key": key}, timeout=5)
    assert r.status_code == 202, r.text


@pytest.fixture
def http(qloop: object) -> Iterator[httpx.AsyncClient]:
    client = make_http_client(5)
    yield client
    loop = asyncio.get_event_loop()
    task = loop.create_task(client.aclose())
    while not task.done():
        from PySide6.QtCore import QCoreApplication
        QCoreApplication.processEvents()
    gc.collect()  # collect Qt wrappers while the loop and QApplication still exist


def crashed_run(store: HistoryStore, keys: list[str]) -> int:
    """A run left by a process that is gone: one request in flight, one still queued."""
    rec = store.record_run(NewRun("crash.csv", "Main", "sandbox", "http://127.0.0.1:9"),
                           [[WriteItem(k, "acct-1", 10) for k in keys],
                            [WriteItem("never-sent", "acct-1", 1)]], owner="999999999:1")
    store.mark_sending(rec.submission_ids[0], '{"items":[]}')
    return rec.submission_ids[0]


def test_recover_reports_what_was_in_flight(store: HistoryStore, qtbot: QtBot) -> None:
    sub = crashed_run(store, ["a", "b"])
    service = HistoryService(store)
    with qtbot.waitSignal(service.interrupted_found) as sig:
        rows = service.recover()
    assert [r.id for r in rows] == [sub] == [r.id for r in sig.args[0]]
    assert store.submission_row(sub).state is ItemState.UNKNOWN
    assert store.submission_row(sub + 1).state is ItemState.NOT_SENT
    assert service.interrupted == rows
    assert service.recover() == []  # settled once; never re-sent


def test_check_on_the_real_sandbox(store: HistoryStore, sandbox: SandboxServer, demo_key: str,
                                   qtbot: QtBot, http: httpx.AsyncClient) -> None:
    unknown = crashed_run(store, ["landed-1", "lost-1"])
    HistoryService(store).recover()
    write_to_sandbox(sandbox, demo_key, [{"key": "landed-1", "accountId": "acct-1", "bits": 10}])
    accepted = send(store, [WriteItem("acc-1", "acct-2", 5)], OutcomeKind.ACCEPTED,
                    request_id="req_1", status=202)
    write_to_sandbox(sandbox, demo_key, [{"key": "acc-1", "accountId": "acct-2", "bits": 5}])
    time.sleep(0.3)  # the sandbox verifies after 0.2 s
    reader = ReadClient(http, sandbox.base_url, ApiKey(demo_key)).read_bucket
    service = HistoryService(store, reader, pace_s=0.05)
    progress: list[tuple[int, int]] = []
    service.check_progress.connect(lambda d, t: progress.append((d, t)))
    with qtbot.waitSignal(service.check_finished, timeout=10000) as sig:
        assert service.check_submissions([unknown, accepted])
    report: CheckReport = sig.args[0]
    verdicts = {a.target.key: a.interpretation for a in report.answers}
    assert verdicts["landed-1"].verdict is Verdict.LANDED
    assert verdicts["landed-1"].text.startswith(
        "PacSpace holds a write for this key after this request was sent: it most likely landed."
        " Do not resend.")
    # Checked right after the send: PacSpace may still have it queued, so nothing is "safe".
    assert verdicts["lost-1"].verdict is Verdict.TOO_SOON
    assert not verdicts["lost-1"].may_resend and "safe" not in verdicts["lost-1"].text
    assert verdicts["acc-1"].verdict is Verdict.VERIFIED
    assert progress[-1] == (3, 3)
    items = {it.key: it for it in store.items_of(unknown) + store.items_of(accepted)}
    assert items["acc-1"].state is ItemState.VERIFIED
    assert all(it.checked_at is not None for it in items.values())
    assert sandbox.state_snapshot()["readsReceived"] == 3
    assert service.resubmit_plan([unknown]).items == []
    assert store.sightings(["lost-1"]), "the unknown item keeps its claim on the key"
    later = HistoryService(store, reader, pace_s=0.05, settle=lambda: timedelta(0))
    with qtbot.waitSignal(later.check_finished, timeout=10000) as sig:
        assert later.check_submissions([unknown])
    verdicts = {a.target.key: a.interpretation for a in sig.args[0].answers}
    assert verdicts["lost-1"].verdict is Verdict.NOT_LANDED and verdicts["lost-1"].may_resend
    # The first check settled landed-1 (PacSpace had verified it by then): now it is verified.
    assert verdicts["landed-1"].verdict is Verdict.VERIFIED
    plan = service.resubmit_plan([unknown])
    assert [it.key for it in plan.items] == ["lost-1"]
    assert store.sightings(["lost-1"]) == {}, "a check past the settle time frees the key"
    assert set(store.sightings(["landed-1"])) == {"landed-1"}
    assert [(it.key, why) for it, why in plan.refused] == [
        ("landed-1", "PacSpace already accepted it: sending it again would count it twice.")]


def _found(key: str) -> ReadResult:
    return ReadResult(key, True, Bucket(key, "a", 1, 1, "2999-01-01T00:00:00Z", False), None,
                      200, "", "{}", datetime.now(UTC))


def test_check_is_paced_and_waits_after_429(store: HistoryStore, qtbot: QtBot,
                                            qloop: object) -> None:
    sub = send(store, [WriteItem(f"k{n}", "a", 1) for n in range(3)], OutcomeKind.ACCEPTED,
               request_id="req_1")
    calls: list[tuple[str, float]] = []

    async def reader(key: str) -> ReadResult:
        calls.append((key, time.monotonic()))
        if len(calls) == 2:
            return ReadResult(key, None, None, OutcomeKind.RATE_LIMITED, 429, "slow down",
                              '{"statusCode":429,"retryAfterSeconds":0.3}', datetime.now(UTC))
        return _found(key)

    service = HistoryService(store, reader, pace_s=0.2)
    paused: list[float] = []
    service.check_paused.connect(paused.append)
    with qtbot.waitSignal(service.check_finished, timeout=10000) as sig:
        service.check_submissions([sub])
    assert [k for k, _ in calls] == ["k0", "k1", "k1", "k2"]
    assert paused == [0.3]
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(calls)]
    assert gaps[0] >= 0.15 and gaps[1] >= 0.25 and gaps[2] >= 0.15  # Qt timers are coarse
    assert len(sig.args[0].answers) == 3


def test_cancel_and_stop_on_bad_key(store: HistoryStore, qtbot: QtBot, qloop: object) -> None:
    sub = send(store, [WriteItem(f"k{n}", "a", 1) for n in range(5)], OutcomeKind.ACCEPTED,
               request_id="req_1")

    async def slow(key: str) -> ReadResult:
        await asyncio.sleep(0.05)
        return _found(key)

    service = HistoryService(store, slow, pace_s=0.2)
    service.check_progress.connect(lambda done, _t: service.cancel_check())
    with qtbot.waitSignal(service.check_finished, timeout=5000) as sig:
        service.check_submissions([sub])
    assert sig.args[0].cancelled and len(sig.args[0].answers) == 1

    async def refused(key: str) -> ReadResult:
        return ReadResult(key, None, None, OutcomeKind.UNAUTHORIZED, 401, "Invalid", "{}",
                          datetime.now(UTC))

    service.set_reader(refused)
    with qtbot.waitSignal(service.failed) as failed:
        service.check_submissions([sub])
    assert "PacSpace did not accept the API key" in failed.args[0]
    assert not service.checking


def test_no_reader_means_no_check(store: HistoryStore, qtbot: QtBot) -> None:
    ids = sample_history(store)
    service = HistoryService(store, None)
    with qtbot.waitSignal(service.reader_changed) as sig:
        service.set_reader(None)
    assert sig.args == [False]
    with qtbot.waitSignal(service.failed) as failed:
        assert not service.check_submissions([ids["unknown"]])
    assert "API key" in failed.args[0]


def test_resubmit_rules(store: HistoryStore) -> None:
    ids = sample_history(store)
    service = HistoryService(store)
    plan = service.resubmit_plan(list(ids.values()))
    assert sorted(it.key for it in plan.items) == ["INV-2001", "INV-4001"]
    why = {it.key: reason for it, reason in plan.refused}
    assert "count it twice" in why["INV-1042"]
    assert why["INV-3001"].startswith("Its outcome is unknown: check it on the server first.")
    only = service.resubmit_plan([ids["accepted"]])
    assert only.items == [] and len(only.refused) == 2
    item = store.items_of(ids["unknown"])[0]
    store.record_check(item.id, datetime.now(UTC), {"found": False})
    soon = service.resubmit_plan([ids["unknown"]])
    assert soon.items == [] and "Check again after" in soon.refused[0][1]
    store.record_check(item.id, datetime.now(UTC) + timedelta(minutes=11), {"found": False})
    after = service.resubmit_plan([ids["unknown"]])
    assert [it.key for it in after.items] == [item.key]
    meta = service.resubmit_plan([ids["accepted"], ids["rejected"]])
    assert meta.source == "Sent again from history"
    assert service.resubmit_plan([ids["rejected"]]).source == "Sent again from history: form"


def test_export_and_storage_errors(store: HistoryStore, qtbot: QtBot, qloop: object,
                                   tmp_path: Path) -> None:
    sample_history(store)
    service = HistoryService(store)
    dest = tmp_path / "x.csv"
    with qtbot.waitSignal(service.export_finished, timeout=10000) as sig:
        assert service.export(str(dest))
    assert sig.args == [str(dest), 6]
    with qtbot.waitSignal(service.failed) as failed:
        service.export(str(tmp_path / "missing-dir" / "x.csv"))
    assert "cannot be written" in failed.args[0]
    store.close()
    with qtbot.waitSignal(service.failed) as failed:
        assert service.count() == (0, 0)
    assert "cannot be read" in failed.args[0]
