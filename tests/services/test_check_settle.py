"""Check on server after an unknown outcome: a 404 soon after the send never reads "safe".

The sandbox models PacSpace's queue with `read_delay` (a new key answers 404 for a while after
its first write) and verification with `verify_delay`. Two unknown outcomes are made for real:
one whose write landed before the connection broke, one that never reached the store.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.client import WriteClient
from pacspace_desktop.network.reads import ReadClient
from pacspace_desktop.sandbox import SandboxConfig, SandboxServer
from pacspace_desktop.services.history_checks import CheckReport
from pacspace_desktop.services.history_service import HistoryService
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import Verdict
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.submission.runner import RunReport, SubmissionRunner
from tests.services.test_history_service import http  # noqa: F401 - the fixture

READ_DELAY = 2.0
SETTLE = timedelta(seconds=3)


@pytest.fixture
def queued_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(port=0, verify_delay=1.0, read_delay=READ_DELAY)) as srv:
        yield srv


def send(qtbot: QtBot, store: HistoryStore, client: WriteClient, key: str) -> RunReport:
    runner = SubmissionRunner(store, client)
    task = asyncio.ensure_future(runner.run(
        [WriteItem(key, "acct-1", 7)], NewRun("form", "Sandbox", "sandbox", client.base_url), 1))
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


def check(qtbot: QtBot, service: HistoryService, submission_ids: list[int]) -> dict[str, object]:
    with qtbot.waitSignal(service.check_finished, timeout=10000) as sig:
        assert service.check_submissions(submission_ids)
    report: CheckReport = sig.args[0]
    return {a.target.key: a.interpretation for a in report.answers}


def test_not_found_soon_after_the_send_waits_for_the_settle_time(
        qtbot: QtBot, store: HistoryStore, queued_sandbox: SandboxServer, demo_key: str,
        http: httpx.AsyncClient) -> None:  # noqa: F811 - the fixture
    client = WriteClient(http, queued_sandbox.base_url, ApiKey(demo_key))
    queued_sandbox.set_faults([{"drop": True}])  # written, then the connection breaks
    landed = send(qtbot, store, client, "INV-LANDED")
    queued_sandbox.set_faults([{"status": 500, "drop": True}])  # broken before it is written
    lost = send(qtbot, store, client, "INV-LOST")
    sent = time.monotonic()
    assert landed.unknown == 1 and lost.unknown == 1
    subs = [landed.requests[0].submission_id, lost.requests[0].submission_id]
    reader = ReadClient(http, queued_sandbox.base_url, ApiKey(demo_key)).read_bucket
    service = HistoryService(store, reader, pace_s=0.0, settle=lambda: SETTLE)

    qtbot.wait(1000)  # one second after the send: PacSpace may still have both in its queue
    soon = check(qtbot, service, subs)
    for key in ("INV-LANDED", "INV-LOST"):
        meaning = soon[key]
        assert meaning.verdict is Verdict.TOO_SOON and not meaning.may_resend, meaning  # type: ignore[attr-defined]
        assert "safe" not in meaning.text and "Check again after" in meaning.text  # type: ignore[attr-defined]
    assert service.resubmit_plan(subs).items == []
    assert set(store.sightings(["INV-LANDED", "INV-LOST"])) == {"INV-LANDED", "INV-LOST"}

    qtbot.wait(int((SETTLE.total_seconds() - (time.monotonic() - sent)) * 1000) + 300)
    later = check(qtbot, service, subs)
    assert later["INV-LANDED"].verdict is Verdict.LANDED  # type: ignore[attr-defined]
    assert later["INV-LOST"].verdict is Verdict.NOT_LANDED  # type: ignore[attr-defined]
    assert "most likely did not land" in later["INV-LOST"].text  # type: ignore[attr-defined]
    plan = service.resubmit_plan(subs)
    assert [it.key for it in plan.items] == ["INV-LOST"]
    assert set(store.sightings(["INV-LANDED", "INV-LOST"])) == {"INV-LANDED"}
    items = {it.key: it for s in subs for it in store.items_of(s)}
    assert items["INV-LANDED"].state is ItemState.UNKNOWN or \
        items["INV-LANDED"].state is ItemState.ACCEPTED  # a check may settle it as landed

    again = send(qtbot, store, client, "INV-LOST")  # the freed key goes once
    assert again.accepted == 1
    keys = queued_sandbox.state_snapshot()["keys"]
    assert {k: v["totalWrites"] for k, v in keys.items()} == {"INV-LANDED": 1, "INV-LOST": 1}
    refused = SubmissionRunner(store, client)
    task = asyncio.ensure_future(refused.run(
        [WriteItem("INV-LANDED", "acct-1", 7)],
        NewRun("form", "Sandbox", "sandbox", client.base_url), 1))
    qtbot.waitUntil(task.done, timeout=10000)
    assert type(task.exception()).__name__ == "KeysClaimed", "a landed write keeps its claim"
