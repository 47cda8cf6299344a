"""Every task goes through `start_task`: an exception that escapes it reaches the excepthook,
and the page that waits for the task is told, so nothing stays on "Sending…"."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.services import tasks
from pacspace_desktop.services.session_service import SandboxHandle, SessionService
from pacspace_desktop.services.submission_service import BROKE_OFF, SubmissionService
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.settings import SettingsStore
from pacspace_desktop.submission.runner import SubmissionRunner
from tests.fakes import MemoryKeyring

Bot = object
Hooked = list[tuple[type[BaseException], BaseException]]


@pytest.fixture
def hooked(monkeypatch: pytest.MonkeyPatch) -> Hooked:
    """What reaches `sys.excepthook` (the app's crash report) during the test."""
    seen: Hooked = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        seen.append((kind, exc))

    monkeypatch.setattr(sys, "excepthook", hook)
    return seen


async def _boom(message: str) -> None:
    await asyncio.sleep(0)
    raise RuntimeError(message)


def test_an_exception_in_a_task_reaches_the_excepthook_and_the_owner(
        qtbot: Bot, qloop: object, hooked: Hooked) -> None:
    told: list[BaseException] = []
    task = start_task(_boom("lost?"), name="a task that raises", on_error=told.append)
    assert tasks.running_tasks() >= 1
    qtbot.waitUntil(lambda: bool(hooked), timeout=5000)  # type: ignore[attr-defined]
    assert task.get_name() == "a task that raises"
    assert [str(e) for e in told] == ["lost?"]
    assert [(k, str(e)) for k, e in hooked] == [(RuntimeError, "lost?")]
    assert task not in tasks._RUNNING


def test_a_failing_error_handler_is_reported_too(qtbot: Bot, qloop: object,
                                                 hooked: Hooked) -> None:
    def bad_handler(exc: BaseException) -> None:
        raise ValueError("the handler broke")

    start_task(_boom("first"), on_error=bad_handler)
    qtbot.waitUntil(lambda: len(hooked) == 2, timeout=5000)  # type: ignore[attr-defined]
    assert sorted(str(e) for _k, e in hooked) == ["first", "the handler broke"]


def test_cancelling_and_finishing_are_not_reported(qtbot: Bot, qloop: object,
                                                   hooked: Hooked) -> None:
    done: list[int] = []

    async def fine() -> int:
        done.append(1)
        return 1

    async def forever() -> None:
        await asyncio.Event().wait()

    ok = start_task(fine())
    stuck = start_task(forever())
    qtbot.waitUntil(ok.done, timeout=5000)  # type: ignore[attr-defined]
    stuck.cancel()
    qtbot.waitUntil(stuck.done, timeout=5000)  # type: ignore[attr-defined]
    assert ok.result() == 1 and stuck.cancelled() and hooked == []


@pytest.fixture
def session(tmp_path: Path, qloop: object, sandbox: object) -> Iterator[SessionService]:
    from pacspace_desktop.sandbox import DEMO_API_KEY

    url = sandbox.base_url  # type: ignore[attr-defined]
    svc = SessionService(SettingsStore(tmp_path / "config" / "settings.json"),
                         KeyStore(MemoryKeyring()),
                         lambda: SandboxHandle(url, DEMO_API_KEY, lambda: None))
    svc.start_sandbox_profile()
    try:
        yield svc
    finally:
        svc.shutdown()


def test_a_run_that_breaks_with_a_bug_leaves_sending_and_says_so(
        qtbot: Bot, session: SessionService, store: HistoryStore, hooked: Hooked,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_run(self: SubmissionRunner, *args: object, **kw: object) -> None:
        raise KeyError("a bug in the runner")

    monkeypatch.setattr(SubmissionRunner, "run", broken_run)
    service = SubmissionService(session, store)
    with qtbot.waitSignal(service.failed, timeout=5000) as blocker:  # type: ignore[attr-defined]
        assert service.submit([WriteItem("k-1", "acct", 1)], "test")
    assert blocker.args == [BROKE_OFF]
    assert not service.busy  # the page may send again: it is not stuck on "Sending…"
    qtbot.waitUntil(lambda: bool(hooked), timeout=5000)  # type: ignore[attr-defined]
    assert hooked[0][0] is KeyError
