"""Sandbox → signed webhook → receiver → history, end to end over loopback (no Qt)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.network.client import RetrySettings, WriteClient
from pacspace_desktop.network.factory import make_http_client
from pacspace_desktop.network.webhook_server import WebhookServer
from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer
from pacspace_desktop.services.webhook_intake import WebhookIntake
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.db import connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.storage.verification import Verification
from pacspace_desktop.storage.webhook_log import DeliveryOutcome, WebhookInbox
from pacspace_desktop.submission.runner import SubmissionRunner

SECRET = "whsec_e2e_test_0000000000000000"
FAST = RetrySettings(base_delay=0.01, max_delay=0.05, max_retries=3, max_wait=5)


class Receiver:
    """The app's receiver on a free loopback port, storing into the history file."""

    def __init__(self, db: Path, secret: str | None) -> None:
        self.seen: list[tuple[DeliveryOutcome, tuple[int, ...]]] = []
        self.intake = WebhookIntake(WebhookInbox(connect(db)), secret,
                                    lambda o, s: self.seen.append((o, s)))
        self.server = WebhookServer("127.0.0.1", 0, self.intake).start()

    def close(self) -> None:
        self.server.stop()
        self.intake.close()


@pytest.fixture
def receiver(tmp_path: Path, store: HistoryStore) -> Iterator[Receiver]:
    r = Receiver(tmp_path / "history.sqlite3", SECRET)
    try:
        yield r
    finally:
        r.close()


def _sandbox(url: str, secret: str = SECRET, **extra: Any) -> SandboxServer:
    return SandboxServer(SandboxConfig(port=0, verify_delay=0.05, webhook_url=url,
                                       webhook_secret=secret, webhook_retry_delay=0.05,
                                       **extra)).start()


async def _send(store: HistoryStore, sandbox: SandboxServer, items: list[WriteItem],
                batch: int) -> None:
    async with make_http_client(5.0) as http:
        runner = SubmissionRunner(store, WriteClient(http, sandbox.base_url,
                                                     ApiKey(DEMO_API_KEY), FAST))
        await runner.run(items, NewRun("march.csv", "Sandbox", "sandbox", sandbox.base_url),
                         batch)


async def _until(cond: Callable[[], bool], what: str, limit_s: float = 15.0) -> None:
    deadline = time.monotonic() + limit_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.02)


def _items(prefix: str, n: int) -> list[WriteItem]:
    return [WriteItem(f"{prefix}-{i}", "customer-1", i + 1) for i in range(n)]


@pytest.mark.asyncio
async def test_verified_and_failed_reach_the_history(store: HistoryStore,
                                                     receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.server.url)
    try:
        sandbox.set_faults([{}, {"verify": "fail", "verifyError": "Ledger closed for March"}])
        await _send(store, sandbox, _items("inv", 5), batch=3)
        await _until(lambda: len(receiver.seen) == 2, "two deliveries")
        # The sandbox marks a delivery delivered once it has read the receiver's answer,
        # a moment after the receiver has seen it.
        await _until(lambda: all(h["delivered"] for h in sandbox.webhooks()),
                     "the sandbox to note both as delivered")
        hooks = sandbox.webhooks()
        assert {h["event"] for h in hooks} == {"verification.completed", "verification.failed"}
        assert all(h["delivered"] and h["attempts"] == 1 for h in hooks)
    finally:
        sandbox.stop()
    subs = [r.id for r in reversed(store.list_submissions())]
    counts = verification.counts(store.connection, subs)
    assert counts[subs[0]].text() == "3 of 3 verified"
    assert counts[subs[1]].text() == "0 of 2 verified, 2 failed"
    assert counts[subs[1]].state is Verification.FAILED
    failed = store.connection.execute(
        "SELECT verification_reason, verification_source FROM items WHERE submission_id=?",
        (subs[1],)).fetchall()
    assert failed == [("Ledger closed for March", "webhook")] * 2
    assert {it.state.value for it in store.items_of(subs[0])} == {"verified"}
    log = WebhookInbox(store.connection).recent()
    assert [d.outcome for d in log] == [DeliveryOutcome.ACCEPTED] * 2
    assert all(d.http_status == 200 and d.event_id.startswith("evt_") for d in log)


@pytest.mark.asyncio
async def test_a_replayed_event_is_refused_and_changes_nothing(store: HistoryStore,
                                                               receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.server.url)
    try:
        await _send(store, sandbox, _items("rep", 2), batch=2)
        await _until(lambda: len(receiver.seen) == 1, "the delivery")
        before = store.connection.execute(
            "SELECT id, verification, verified_at FROM items ORDER BY id").fetchall()
        event_id = sandbox.webhooks()[0]["eventId"]
        assert sandbox.redeliver(event_id)
        await _until(lambda: len(receiver.seen) == 2, "the replay")
        assert sandbox.webhooks()[0]["log"][-1]["status"] == 200  # acknowledged, so no retries
    finally:
        sandbox.stop()
    assert receiver.seen[1] == (DeliveryOutcome.REPLAY, ())
    after = store.connection.execute(
        "SELECT id, verification, verified_at FROM items ORDER BY id").fetchall()
    assert after == before
    outcomes = [d.outcome for d in WebhookInbox(store.connection).recent()]
    assert outcomes == [DeliveryOutcome.REPLAY, DeliveryOutcome.ACCEPTED]


@pytest.mark.asyncio
async def test_wrong_secret_is_refused_retried_and_logged(store: HistoryStore,
                                                          receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.server.url, secret="whsec_not_the_one_000000000",
                       webhook_attempts=2)
    try:
        await _send(store, sandbox, _items("bad", 1), batch=1)
        await _until(lambda: sandbox.webhooks() and sandbox.webhooks()[0]["gaveUp"], "give up")
        hook = sandbox.webhooks()[0]
        assert hook["attempts"] == 2 and hook["lastStatus"] == 401
    finally:
        sandbox.stop()
    log = WebhookInbox(store.connection).recent()
    assert [d.outcome for d in log] == [DeliveryOutcome.BAD_SIGNATURE] * 2
    assert verification.counts(store.connection, [store.list_submissions()[0].id]) \
        [store.list_submissions()[0].id].waiting == 1


@pytest.mark.asyncio
async def test_milliseconds_timestamps_from_the_sandbox(store: HistoryStore,
                                                        receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.server.url, webhook_timestamp_ms=True)
    try:
        await _send(store, sandbox, _items("ms", 1), batch=1)
        await _until(lambda: len(receiver.seen) == 1, "the delivery")
    finally:
        sandbox.stop()
    assert receiver.seen[0][0] is DeliveryOutcome.ACCEPTED


def test_stale_one_byte_and_unknown_request_over_http(store: HistoryStore,
                                                      receiver: Receiver) -> None:
    from pacspace_desktop.network.webhooks import sign

    body = (b'{"event":"verification.completed","data":{"requestId":"req_nobody",'
            b'"status":"verified"}}')

    def post(stamp: str, payload: bytes, event_id: str) -> int:
        headers = {"X-PacSpace-Signature": f"v1={sign(SECRET, stamp, body)}",
                   "X-PacSpace-Timestamp": stamp, "X-Event-ID": event_id,
                   "Content-Type": "application/json"}
        return httpx.post(receiver.server.url, content=payload, headers=headers).status_code

    now = int(time.time())
    assert post(str(now - 400), body, "evt_a") == 400
    assert post(str(now), body.replace(b"nobody", b"nobodz"), "evt_b") == 401
    assert post(str(now), body, "evt_c") == 200
    assert [o for o, _ in receiver.seen] == [DeliveryOutcome.STALE,
                                            DeliveryOutcome.BAD_SIGNATURE,
                                            DeliveryOutcome.UNKNOWN_REQUEST]
    detail = WebhookInbox(store.connection).recent()[0].detail
    assert "No request req_nobody" in detail


def test_no_secret_refuses_with_a_retryable_answer(tmp_path: Path, store: HistoryStore) -> None:
    r = Receiver(tmp_path / "history.sqlite3", None)
    try:
        answer = httpx.post(r.server.url, content=b"{}", headers={"X-Event-ID": "e"})
        assert answer.status_code == 503
    finally:
        r.close()
    assert WebhookInbox(store.connection).recent()[0].outcome is DeliveryOutcome.NO_SECRET


def test_the_receiver_stays_on_loopback_unless_asked() -> None:
    with pytest.raises(ValueError, match="only on this computer"):
        WebhookServer("0.0.0.0", 0, lambda _i: None)  # type: ignore[arg-type,return-value]


def test_the_receiver_speaks_tls_with_a_certificate(tmp_path: Path, store: HistoryStore) -> None:
    import shutil
    import ssl
    import subprocess

    from pacspace_desktop.network.webhook_server import tls_context
    from pacspace_desktop.network.webhooks import sign

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    seen: list[DeliveryOutcome] = []
    intake = WebhookIntake(WebhookInbox(connect(tmp_path / "history.sqlite3")), SECRET,
                           lambda o, _s: seen.append(o))
    server = WebhookServer("127.0.0.1", 0, intake, tls=tls_context(str(cert), str(key))).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        import socket

        silent = socket.create_connection(("127.0.0.1", server.port))  # says nothing
        body = b'{"event":"delta.verified","data":{"requestId":"req_x"}}'
        stamp = str(int(time.time()))
        trust = ssl.create_default_context(cafile=str(cert))
        answer = httpx.post(server.url, content=body, verify=trust, headers={
            "X-PacSpace-Signature": f"v1={sign(SECRET, stamp, body)}",
            "X-PacSpace-Timestamp": stamp, "X-Event-ID": "evt_tls"})
        assert answer.status_code == 200
        with pytest.raises(httpx.TransportError):  # plain HTTP is not answered
            httpx.post(server.url.replace("https", "http"), content=body, timeout=2)
    finally:
        silent.close()
        server.stop()
        intake.close()
    assert seen == [DeliveryOutcome.UNKNOWN_REQUEST]


def test_a_webhook_that_overtakes_its_202_is_applied_later(store: HistoryStore,
                                                           receiver: Receiver) -> None:
    from pacspace_desktop.domain.catalogue import OutcomeKind
    from pacspace_desktop.network.webhooks import sign
    from pacspace_desktop.services.webhook_intake import apply_overtaken
    from pacspace_desktop.storage.records import FinalOutcome

    rec = store.record_run(NewRun("f", "P", "sandbox", "http://127.0.0.1:1"),
                           [[WriteItem("fast-1", "c", 1), WriteItem("fast-2", "c", 2)]])
    sub = rec.submission_ids[0]
    store.mark_sending(sub, "{}")
    body = (b'{"event":"verification.completed","data":{"requestId":"req_fast",'
            b'"status":"verified","verifiedAt":"2026-03-31T17:00:00Z"}}')
    stamp = str(int(time.time()))
    answer = httpx.post(receiver.server.url, content=body, headers={
        "X-PacSpace-Signature": f"v1={sign(SECRET, stamp, body)}",
        "X-PacSpace-Timestamp": stamp, "X-Event-ID": "evt_fast"})
    assert answer.status_code == 200  # before the 202 was recorded: stored, not matched
    assert receiver.seen == [(DeliveryOutcome.UNKNOWN_REQUEST, ())]
    inbox = WebhookInbox(store.connection)
    assert apply_overtaken(inbox) == []  # still unknown: nothing to do
    store.finish(sub, FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_fast", 2))
    assert apply_overtaken(inbox) == [sub]
    assert {(it.verification, it.verified_at.isoformat() if it.verified_at else "")
            for it in store.items_of(sub)} == {("verified", "2026-03-31T17:00:00+00:00")}
    log = inbox.recent()[0]
    assert log.outcome is DeliveryOutcome.ACCEPTED and log.items_matched == 2
    assert "applied once the request's answer was recorded" in log.detail
    assert apply_overtaken(inbox) == []  # once
