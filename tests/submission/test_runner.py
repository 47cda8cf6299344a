"""The runner against the real sandbox on loopback: outbox first, outcomes after, no duplicates."""

from __future__ import annotations

import asyncio

import pytest

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.client import RetrySettings, WriteClient
from pacspace_desktop.network.factory import make_http_client
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.submission.runner import (
    RequestReport,
    RequestStarted,
    RunEvent,
    SubmissionRunner,
    Waiting,
)

FAST = RetrySettings(base_delay=0.01, max_delay=0.05, max_retries=3, max_wait=5)


def _items(n: int, prefix: str = "inv") -> list[WriteItem]:
    return [WriteItem(f"{prefix}-{i}", f"acct-{i % 3}", i + 1) for i in range(n)]


def _run(sandbox: SandboxServer) -> NewRun:
    return NewRun("test", "Sandbox", "sandbox", sandbox.base_url)


async def _send(store: HistoryStore, sandbox: SandboxServer, key: str, items: list[WriteItem],
                batch: int = 100, wait_s: float = 5.0,
                events: list[RunEvent] | None = None) -> tuple[SubmissionRunner, object]:
    async with make_http_client(wait_s) as http:
        runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url, ApiKey(key), FAST))
        report = await runner.run(items, _run(sandbox), batch,
                                  events.append if events is not None else None)
    return runner, report


@pytest.mark.asyncio
async def test_all_accepted_in_batches(store: HistoryStore, sandbox: SandboxServer,
                                       demo_key: str) -> None:
    events: list[RunEvent] = []
    _, report = await _send(store, sandbox, demo_key, _items(250), events=events)
    assert report.accepted == 250 and report.exit_code == 0  # type: ignore[attr-defined]
    assert [e.total for e in events if isinstance(e, RequestStarted)] == [3, 3, 3]
    state = sandbox.state_snapshot()
    assert state["requestsReceived"] == 3 and len(state["keys"]) == 250
    rows = store.list_submissions()
    assert {r.state for r in rows} == {ItemState.ACCEPTED}
    assert {r.request_id for r in rows} == {r.request_id for r in report.requests}  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_500_then_success_is_one_write(store: HistoryStore, sandbox: SandboxServer,
                                             demo_key: str) -> None:
    sandbox.set_faults([{"status": 500}, {"status": 503}])
    events: list[RunEvent] = []
    _, report = await _send(store, sandbox, demo_key, _items(2), events=events)
    assert report.accepted == 2  # type: ignore[attr-defined]
    assert sum(isinstance(e, Waiting) for e in events) == 2
    detail = store.detail(report.requests[0].submission_id)  # type: ignore[attr-defined]
    assert [a.status_code for a in detail.attempts] == [500, 503, 202]
    assert sandbox.state_snapshot()["keys"]["inv-0"]["totalWrites"] == 1


@pytest.mark.asyncio
async def test_dropped_connection_is_unknown_and_not_resent(
        store: HistoryStore, sandbox: SandboxServer, demo_key: str) -> None:
    sandbox.set_faults([{"drop": True}])
    _, report = await _send(store, sandbox, demo_key, _items(3), batch=1)
    kinds = [r.kind for r in report.requests]  # type: ignore[attr-defined]
    assert kinds == [OutcomeKind.CONNECTION_DROPPED, OutcomeKind.ACCEPTED, OutcomeKind.ACCEPTED]
    assert report.exit_code == 3  # type: ignore[attr-defined]
    state = sandbox.state_snapshot()
    assert state["requestsReceived"] == 3, "the dropped request was not sent again"
    assert state["keys"]["inv-0"]["totalWrites"] == 1, "the sandbox did record it"
    assert store.items_of(report.requests[0].submission_id)[0].state is ItemState.UNKNOWN  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_402_stops_the_run_and_says_the_rest_was_not_sent(
        store: HistoryStore, sandbox: SandboxServer, demo_key: str) -> None:
    sandbox.update_settings(quota=3)
    _, report = await _send(store, sandbox, demo_key, _items(6), batch=2)
    states = [r.state for r in report.requests]  # type: ignore[attr-defined]
    assert states == [ItemState.ACCEPTED, ItemState.REJECTED, ItemState.NOT_SENT]
    assert report.requests[1].kind is OutcomeKind.PLAN_LIMIT  # type: ignore[attr-defined]
    assert sandbox.state_snapshot()["requestsReceived"] == 2


@pytest.mark.asyncio
async def test_timeout_after_send_is_unknown(store: HistoryStore, sandbox: SandboxServer,
                                             demo_key: str) -> None:
    sandbox.set_faults([{"delay": 2}])
    _, report = await _send(store, sandbox, demo_key, _items(1), wait_s=0.5)
    assert report.requests[0].kind is OutcomeKind.TIMEOUT_AFTER_SEND  # type: ignore[attr-defined]
    assert report.requests[0].state is ItemState.UNKNOWN  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_request_stop_leaves_the_rest_not_sent(store: HistoryStore, sandbox: SandboxServer,
                                                     demo_key: str) -> None:
    async with make_http_client(5) as http:
        runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url, ApiKey(demo_key),
                                                     FAST))

        def on_event(event: RunEvent) -> None:
            if isinstance(event, RequestReport) and event.seq == 0:
                runner.request_stop()

        report = await runner.run(_items(5), _run(sandbox), 1, on_event)
    assert [r.state for r in report.requests] == [ItemState.ACCEPTED] + [ItemState.NOT_SENT] * 4
    assert sandbox.state_snapshot()["requestsReceived"] == 1


@pytest.mark.asyncio
async def test_cancel_in_flight_records_unknown(store: HistoryStore, sandbox: SandboxServer,
                                                demo_key: str) -> None:
    sandbox.set_faults([{"delay": 3}])
    async with make_http_client(10) as http:
        runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url, ApiKey(demo_key),
                                                     FAST))
        task = asyncio.ensure_future(runner.run(_items(3), _run(sandbox), 1))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if sandbox.state_snapshot()["requestsReceived"]:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    rows = sorted(store.list_submissions(), key=lambda r: r.seq)
    assert [r.state for r in rows] == [ItemState.UNKNOWN, ItemState.NOT_SENT, ItemState.NOT_SENT]
    assert rows[0].outcome_kind is OutcomeKind.CANCELLED_IN_FLIGHT


@pytest.mark.asyncio
async def test_a_stop_before_the_run_begins_is_kept(store: HistoryStore, sandbox: SandboxServer,
                                                    demo_key: str) -> None:
    async with make_http_client(5) as http:
        runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url, ApiKey(demo_key),
                                                     FAST))
        runner.request_stop()
        report = await runner.run(_items(3), _run(sandbox), 1)
    assert [r.state for r in report.requests] == [ItemState.NOT_SENT] * 3
    assert sandbox.state_snapshot()["requestsReceived"] == 0
