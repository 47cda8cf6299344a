"""Fixtures for the desktop app's Qt tests: real stores in tmp_path, an in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.services.session_service import SandboxHandle, SessionService
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.settings import SettingsStore
from tests.fakes import MemoryKeyring


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def session(tmp_path: Path, memory_keyring: MemoryKeyring, qloop: object,
            sandbox: SandboxServer) -> Iterator[SessionService]:
    """A session whose "local sandbox" is the test's sandbox server."""
    from pacspace_desktop.sandbox import DEMO_API_KEY

    svc = SessionService(SettingsStore(tmp_path / "config" / "settings.json"),
                         KeyStore(memory_keyring),
                         lambda: SandboxHandle(sandbox.base_url, DEMO_API_KEY, lambda: None))
    try:
        yield svc
    finally:
        svc.shutdown()
