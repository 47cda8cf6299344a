"""Shared fixtures: offscreen Qt, an in-memory keyring, the sandbox on loopback, a temp history."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import
os.environ.setdefault("QT_API", "pyside6")  # qasync prefers PyQt if present

from collections.abc import Iterator
from pathlib import Path

import pytest

from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer
from pacspace_desktop.storage.history import HistoryStore

pytest_plugins = ["tests.pg_cluster"]  # a private PostgreSQL for the team-history tests


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the developer's real data, config or keyring."""
    monkeypatch.setenv("PACSPACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PACSPACE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PACSPACE_API_KEY", raising=False)


@pytest.fixture(autouse=True)
def _memory_keyring() -> Iterator[None]:
    """No test may touch the developer's real keychain: the default keyring is in memory."""
    import keyring
    import keyring.core

    from tests.fakes import MemoryKeyring

    saved = keyring.core._keyring_backend
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.core._keyring_backend = saved


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox server on a free loopback port (verification after 0.2 s)."""
    server = SandboxServer(SandboxConfig(port=0, verify_delay=0.2))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo_key() -> str:
    """The sandbox's demo API key."""
    return DEMO_API_KEY


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    """A history in a real SQLite file."""
    s = HistoryStore.open(tmp_path / "history.sqlite3")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def qloop(qapp: object) -> Iterator[object]:
    """A fresh qasync loop that asyncio sees as running, for synchronous Qt tests.

    Tests click buttons or call async slots, then wait with `qtbot.waitUntil`/`waitSignal`,
    which pump Qt events that drive the asyncio tasks. Teardown cancels leftover tasks and
    closes the loop without `stop()` (which would poison later Qt waits; see toolchain.md).
    """
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        for _ in range(200):
            if all(t.done() for t in pending):
                break
            qapp.processEvents()  # type: ignore[attr-defined]
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()
