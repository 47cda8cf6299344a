"""Background reads through real parts: the sandbox on loopback, the services, the history.

Reads mark items verified, warn "written twice?" when PacSpace counts more writes than history
knows, pause for 429/Retry-After, and hold back while a send runs: under a shared limit of 2
requests a second, a send meets at most one more 429 than it does without background reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxServer
from pacspace_desktop.services.session_service import SandboxHandle, SessionService
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.services.verification_service import Pacing, VerificationService
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.settings import SettingsStore
from pacspace_desktop.storage.verification_settings import (
    ReadBudget,
    VerificationSettingsStore,
)
from tests.fakes import MemoryKeyring

QUICK = Pacing(gentle_s=0.05, demand_s=0.05, idle_s=0.05)


@pytest.fixture
def session(tmp_path: Path, qloop: object, sandbox: SandboxServer) -> Iterator[SessionService]:
    svc = SessionService(SettingsStore(tmp_path / "config" / "settings.json"),
                         KeyStore(MemoryKeyring()),
                         lambda: SandboxHandle(sandbox.base_url, DEMO_API_KEY, lambda: None))
    assert svc.start_sandbox_profile()
    try:
        yield svc
    finally:
        svc.shutdown()


def _service(store: HistoryStore, session: SessionService, tmp_path: Path,
             pacing: Pacing = QUICK, budget: ReadBudget = ReadBudget.ON_DEMAND
             ) -> VerificationService:
    settings = VerificationSettingsStore(tmp_path / "config" / "verification.json")
    svc = VerificationService(store, settings, session.key_store, session.read_bucket,
                              session.environment().value, pacing=pacing)
    svc.set_read_budget(budget)
    return svc


def _send(qtbot: QtBot, submissions: SubmissionService, items: list[WriteItem]) -> None:
    with qtbot.waitSignal(submissions.finished, timeout=30_000):
        assert submissions.submit(items, "march.csv")


def _items(prefix: str, n: int) -> list[WriteItem]:
    return [WriteItem(f"{prefix}-{i}", "customer-1", i + 1) for i in range(n)]


def test_reads_verify_and_warn_written_twice(qtbot: QtBot, tmp_path: Path, store: HistoryStore,
                                             session: SessionService,
                                             sandbox: SandboxServer) -> None:
    submissions = SubmissionService(session, store)
    sandbox.update_settings(verify_delay=0.0)
    _send(qtbot, submissions, _items("inv", 3))
    # Someone else writes inv-1 once more (another computer, a resend outside this history).
    httpx.post(f"{sandbox.base_url}/api/v1/writes", headers={"X-Api-Key": DEMO_API_KEY},
               json={"items": [{"key": "inv-1", "accountId": "customer-1", "bits": 2}]})
    svc = _service(store, session, tmp_path)
    warnings: list[str] = []
    svc.warning_found.connect(warnings.append)
    waiting: list[tuple[int, int]] = []
    svc.waiting_changed.connect(lambda w, f: waiting.append((w, f)))
    assert svc.waiting() == (3, 0)
    with qtbot.waitSignal(svc.reads_changed, timeout=20_000,
                          check_params_cb=lambda t: t.startswith("Checked 3 record key")):
        assert svc.check_now()
    sub = store.list_submissions()[0].id
    counts = verification.counts(store.connection, [sub])[sub]
    assert counts.text() == "3 of 3 verified, 1 written twice?"
    assert waiting[-1] == (0, 0)
    assert len(warnings) == 1 and warnings[0].startswith("inv-1: Written twice? PacSpace "
                                                         "counts 2 writes")
    item = next(it for it in store.items_of(sub) if it.key == "inv-1")
    assert item.verification == "verified" and "history knows of 1" in item.verification_warning
    assert item.check_json  # the read is also the item's last check on the server


def test_off_reads_nothing(qtbot: QtBot, tmp_path: Path, store: HistoryStore,
                           session: SessionService, sandbox: SandboxServer) -> None:
    submissions = SubmissionService(session, store)
    _send(qtbot, submissions, _items("off", 2))
    svc = _service(store, session, tmp_path, budget=ReadBudget.OFF)
    svc.refresh()
    qtbot.wait(200)
    assert not svc.reading and sandbox.state_snapshot()["readsReceived"] == 0
    assert svc.settings.reads is ReadBudget.OFF
    reloaded = VerificationSettingsStore(tmp_path / "config" / "verification.json").load()
    assert reloaded.reads is ReadBudget.OFF


def test_a_429_pauses_the_reads_for_retry_after(qtbot: QtBot, tmp_path: Path,
                                                store: HistoryStore, session: SessionService,
                                                sandbox: SandboxServer) -> None:
    submissions = SubmissionService(session, store)
    sandbox.update_settings(verify_delay=3600)
    _send(qtbot, submissions, _items("slow", 3))
    sandbox.update_settings(rate_limit=1, rate_limit_reads=True)
    svc = _service(store, session, tmp_path)
    said: list[str] = []
    svc.reads_changed.connect(said.append)
    svc.check_now()
    qtbot.waitUntil(lambda: any("slow down" in s for s in said), timeout=20_000)
    assert any("go on in 1 s" in s for s in said)


def _rate_limited_429s(store: HistoryStore) -> int:
    return int(store.connection.execute(
        "SELECT COUNT(*) FROM attempts WHERE status_code = 429").fetchone()[0])


def test_reads_never_delay_a_send_by_more_than_one_request(
        qtbot: QtBot, tmp_path: Path, store: HistoryStore, session: SessionService,
        sandbox: SandboxServer) -> None:
    profile = session.active_profile()
    assert profile is not None
    session.update_profile(profile.id, batch_size=1)
    submissions = SubmissionService(session, store)
    sandbox.update_settings(verify_delay=3600)  # nothing gets verified: reads go on and on
    _send(qtbot, submissions, _items("wait", 12))
    sandbox.update_settings(rate_limit=2, rate_limit_reads=True)  # one limit for both
    qtbot.wait(1100)  # a full bucket, as a fresh day would have

    # Baseline: the same send with no background reads.
    before = _rate_limited_429s(store)
    _send(qtbot, submissions, _items("base", 4))
    baseline = _rate_limited_429s(store) - before
    qtbot.wait(1100)

    svc = _service(store, session, tmp_path, pacing=Pacing(gentle_s=1.0, demand_s=1.0,
                                                           idle_s=1.0))
    submissions.started.connect(lambda _r, _i: svc.send_started())
    submissions.finished.connect(lambda _r: svc.send_finished())
    reads_at: dict[str, int] = {}
    submissions.started.connect(
        lambda _r, _i: reads_at.setdefault("start", sandbox.state_snapshot()["readsReceived"]))
    submissions.finished.connect(
        lambda _r: reads_at.setdefault("end", sandbox.state_snapshot()["readsReceived"]))
    svc.check_now()
    qtbot.waitUntil(lambda: sandbox.state_snapshot()["readsReceived"] >= 3, timeout=20_000)
    before = _rate_limited_429s(store)
    _send(qtbot, submissions, _items("busy", 4))
    with_reads = _rate_limited_429s(store) - before
    print(f"429s met by a send of 4 requests at 2/s: {baseline} alone, {with_reads} with "
          f"background reads; reads during the send: {reads_at['end'] - reads_at['start']}")
    assert reads_at["end"] - reads_at["start"] <= 1
    assert with_reads <= baseline + 1
    qtbot.waitUntil(lambda: sandbox.state_snapshot()["readsReceived"] > reads_at["end"],
                    timeout=20_000)  # and they go on once the send is done
    svc.shutdown()


def test_gentle_reads_begin_with_start(qtbot: QtBot, tmp_path: Path, store: HistoryStore,
                                       session: SessionService,
                                       sandbox: SandboxServer) -> None:
    submissions = SubmissionService(session, store)
    sandbox.update_settings(verify_delay=0.0)
    _send(qtbot, submissions, _items("gentle", 2))
    svc = _service(store, session, tmp_path, budget=ReadBudget.GENTLE)
    svc.refresh()  # wiring and sends before start() read nothing
    qtbot.wait(100)
    assert sandbox.state_snapshot()["readsReceived"] == 0 and not svc.reading
    svc.start()
    qtbot.waitUntil(lambda: svc.waiting() == (0, 0), timeout=20_000)
    assert sandbox.state_snapshot()["readsReceived"] == 2
    svc.shutdown()


def test_reads_wait_for_every_reason_to_end(qtbot: QtBot, tmp_path: Path, store: HistoryStore,
                                            session: SessionService,
                                            sandbox: SandboxServer) -> None:
    submissions = SubmissionService(session, store)
    sandbox.update_settings(verify_delay=0.0)
    _send(qtbot, submissions, _items("hold", 1))
    svc = _service(store, session, tmp_path)
    svc.send_started("send")
    svc.send_started("check")  # a person's Check on server runs at the same time
    svc.check_now()
    qtbot.wait(150)
    svc.send_finished("send")  # the send ended, the check has not: still no reads
    qtbot.wait(150)
    assert sandbox.state_snapshot()["readsReceived"] == 0
    svc.send_finished("check")
    qtbot.waitUntil(lambda: sandbox.state_snapshot()["readsReceived"] == 1, timeout=20_000)
    svc.shutdown()
