"""KeyStore: every key state, the session cache, writes only to a keyring, no key in reprs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import InitError, KeyringError, KeyringLocked

from pacspace_desktop.domain.apikey import ApiKey, key_shape_problem
from pacspace_desktop.storage.keystore import (
    SERVICE_NAME,
    KeyringUnavailable,
    KeyState,
    KeyStatus,
    KeyStore,
    backend_name,
)
from tests.fakes import FailingKeyring, MemoryKeyring

LIVE = "pk_live_abcdef.s3cr3t-part-0123456789"
TEST = "pk_test_zyxwvu.another-secret-9876"


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's base64 file keyring."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


class FakeChainer(MemoryKeyring):
    """Looks like keyring's ChainerBackend over the given backends."""

    def __init__(self, backends: list[KeyringBackend]) -> None:
        super().__init__()
        self.backends = backends

    def get_password(self, service: str, username: str) -> str | None:
        return next((found for b in self.backends
                     if (found := b.get_password(service, username)) is not None), None)


FakeChainer.__module__ = "keyring.backends.chainer"


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def keys(memory: MemoryKeyring) -> KeyStore:
    return KeyStore(memory)


@pytest.fixture
def default_keyring() -> Iterator[None]:
    """Restore keyring's global backend after a test that changes it."""
    saved = keyring.core._keyring_backend
    try:
        yield
    finally:
        keyring.core._keyring_backend = saved


# --------------------------------------------------------------------------- states


def test_not_stored_then_stored(keys: KeyStore, memory: MemoryKeyring) -> None:
    status = keys.status("default")
    assert status.state is KeyState.NOT_STORED
    assert "No API key is stored" in status.message
    assert status.action
    assert not status.usable
    key = keys.set("default", LIVE)
    assert key == ApiKey(LIVE)
    assert memory.items == {(SERVICE_NAME, "default"): LIVE}
    status = keys.status("default")
    assert status.state is KeyState.STORED
    assert status.masked_key == "pk_live_abc…•••"
    assert status.usable


@pytest.mark.parametrize("error", [
    InitError("Failed to create the collection: Prompt dismissed.."),
    KeyringLocked("Failed to unlock the collection!"),
    KeyringError("The collection is locked."),
])
def test_locked_keyring(error: KeyringError) -> None:
    keys = KeyStore(FailingKeyring(error))
    status = keys.status("default")
    assert status.state is KeyState.LOCKED
    assert "locked" in status.message
    assert status.action.startswith("Unlock your keyring")
    assert type(error).__name__ in status.detail
    with pytest.raises(KeyringUnavailable) as info:
        keys.get("default")
    assert info.value.status.state is KeyState.LOCKED
    with pytest.raises(KeyringUnavailable):
        keys.set("default", LIVE)


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), FakeChainer([])],
                         ids=["fail", "null", "empty-chain"])
def test_no_backend(backend: KeyringBackend) -> None:
    keys = KeyStore(backend)
    status = keys.status("default")
    assert status.state is KeyState.NO_BACKEND
    assert status.backend_name == "none"
    assert "No system keyring" in status.message
    assert "session only" in status.action
    with pytest.raises(KeyringUnavailable) as info:
        keys.set("default", LIVE)
    assert info.value.status.state is KeyState.NO_BACKEND


def test_plaintext_file_keyring_is_refused(tmp_path: Path) -> None:
    backend = PlaintextKeyring()
    keys = KeyStore(backend)
    status = keys.status("default")
    assert status.state is KeyState.NO_BACKEND
    assert status.message == ("Only a plaintext file keyring was found; PacSpace Desktop will "
                              "not store the key there.")
    with pytest.raises(KeyringUnavailable):
        keys.set("default", LIVE)
    assert backend.items == {}
    assert backend.calls == []
    assert list(tmp_path.rglob("*")) == []  # and no file of ours either


def test_chain_is_judged_by_its_first_backend() -> None:
    assert KeyStore(FakeChainer([PlaintextKeyring()])).status("p").state is KeyState.NO_BACKEND
    first = MemoryKeyring()
    first.items[(SERVICE_NAME, "p")] = TEST
    assert KeyStore(FakeChainer([first])).status("p").state is KeyState.STORED


@pytest.mark.parametrize("error", [
    RuntimeError("Unable to initialize SecretService: no D-Bus"),
    FileNotFoundError(2, "No such file or directory"),
])
def test_unreachable_service_is_no_backend(error: BaseException) -> None:
    status = KeyStore(FailingKeyring(error)).status("default")
    assert status.state is KeyState.NO_BACKEND
    assert "not running or cannot be reached" in status.message


def test_other_keyring_error() -> None:
    status = KeyStore(FailingKeyring(KeyringError("D-Bus said no"))).status("default")
    assert status.state is KeyState.ERROR
    assert "D-Bus said no" in status.detail
    assert status.action


def test_session_only(tmp_path: Path) -> None:
    keys = KeyStore(fail.Keyring())
    key = keys.set_session_only("default", TEST)
    status = keys.status("default")
    assert status.state is KeyState.SESSION_ONLY
    assert status.usable
    assert status.masked_key == key.masked
    assert "not saved anywhere" in status.message
    assert keys.get("default") == ApiKey(TEST)
    assert keys.clear("default") is True
    assert keys.status("default").state is KeyState.NO_BACKEND
    assert list(tmp_path.rglob("*")) == []


def test_set_replaces_the_session_key(keys: KeyStore, memory: MemoryKeyring) -> None:
    keys.set_session_only("default", TEST)
    keys.set("default", LIVE)
    assert keys.status("default").state is KeyState.STORED
    assert keys.get("default") == ApiKey(LIVE)


# --------------------------------------------------------------------------- cache


def test_keyring_is_read_once_per_profile(keys: KeyStore, memory: MemoryKeyring) -> None:
    memory.items[(SERVICE_NAME, "a")] = LIVE
    assert keys.get("a") == ApiKey(LIVE)
    assert keys.get("a") == ApiKey(LIVE)
    assert keys.status("a").state is KeyState.STORED
    assert keys.get("b") is None
    assert keys.get("b") is None
    assert memory.calls == ["get", "get"]
    keys.forget_cache()
    keys.get("a")
    assert memory.calls == ["get", "get", "get"]


def test_set_updates_the_cache(keys: KeyStore, memory: MemoryKeyring) -> None:
    assert keys.get("a") is None
    keys.set("a", LIVE)
    assert keys.get("a") == ApiKey(LIVE)
    assert memory.calls == ["get", "set"]


def test_errors_are_not_cached() -> None:
    backend = FailingKeyring(KeyringLocked("Failed to unlock the collection!"))
    backend.items[(SERVICE_NAME, "a")] = LIVE
    keys = KeyStore(backend)
    assert keys.status("a").state is KeyState.LOCKED
    backend.error = None  # the person unlocked the keyring
    assert keys.status("a").state is KeyState.STORED


# --------------------------------------------------------------------------- writes


def test_replace_and_clear(keys: KeyStore, memory: MemoryKeyring) -> None:
    keys.set("a", LIVE)
    keys.set("a", TEST)
    assert memory.items == {(SERVICE_NAME, "a"): TEST}
    assert keys.get("a") == ApiKey(TEST)
    assert keys.clear("a") is True
    assert memory.items == {}
    assert keys.get("a") is None
    assert keys.clear("a") is False


def test_clear_on_a_locked_keyring_raises() -> None:
    keys = KeyStore(FailingKeyring(KeyringLocked("Failed to unlock the collection!")))
    with pytest.raises(KeyringUnavailable) as info:
        keys.clear("a")
    assert info.value.status.state is KeyState.LOCKED


@pytest.mark.parametrize("bad", ["", " " + LIVE, LIVE + " ", "pk_live_abc def.x", "sk_live_a.b",
                                 "pk_live_abc"])
def test_shape_errors(keys: KeyStore, memory: MemoryKeyring, bad: str) -> None:
    with pytest.raises(ValueError) as info:
        keys.set("a", bad)
    assert str(info.value) == key_shape_problem(bad)
    with pytest.raises(ValueError):
        keys.set_session_only("a", bad)
    assert memory.calls == []


def test_profile_is_required(keys: KeyStore) -> None:
    with pytest.raises(ValueError, match="profile"):
        keys.set(" ", LIVE)


# --------------------------------------------------------------------------- secrecy


def test_no_key_in_reprs_messages_or_logs(keys: KeyStore,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    keys.set("a", LIVE)
    keys.set_session_only("b", TEST)
    texts = [repr(keys), str(keys), repr(keys.get("a")), repr(keys.status("a")),
             repr(keys.status("b")), caplog.text]
    for text in texts:
        assert "s3cr3t" not in text and "another-secret" not in text, text
    assert "pk_live_abc…•••" in repr(keys.status("a"))


def test_backend_error_text_is_scrubbed_of_the_key() -> None:
    class Leaky(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise KeyringError(f"cannot store {password}")

    with pytest.raises(KeyringUnavailable) as info:
        KeyStore(Leaky()).set("a", LIVE)
    assert "s3cr3t" not in info.value.status.detail
    assert "s3cr3t" not in str(info.value)


# --------------------------------------------------------------------------- default backend


def test_default_backend_is_resolved_lazily(monkeypatch: pytest.MonkeyPatch,
                                            memory: MemoryKeyring) -> None:
    calls: list[int] = []

    def fake_get_keyring() -> Any:
        calls.append(1)
        return memory

    monkeypatch.setattr(keyring, "get_keyring", fake_get_keyring)
    keys = KeyStore()
    assert calls == []
    keys.set("a", LIVE)
    keys.status("a")
    assert calls == [1]
    assert memory.items[(SERVICE_NAME, "a")] == LIVE


@pytest.mark.parametrize("error", [
    RuntimeError("Unable to initialize SecretService: Environment variable "
                 "DBUS_SESSION_BUS_ADDRESS is unset"),
    ModuleNotFoundError("No module named 'keyring.backends.Nope'"),
])
def test_backend_that_cannot_start(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def broken() -> Any:
        raise error

    monkeypatch.setattr(keyring, "get_keyring", broken)
    status = KeyStore().status("a")
    assert status.state is KeyState.NO_BACKEND
    assert str(error) in status.detail


def test_forced_backend_by_environment(monkeypatch: pytest.MonkeyPatch,
                                       default_keyring: None) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None
    assert KeyStore().status("a").state is KeyState.NO_BACKEND


def test_backend_names() -> None:
    assert backend_name(None) == "none"
    assert backend_name(fail.Keyring()) == "none"
    assert backend_name(PlaintextKeyring()) == "a plaintext file keyring"
    from keyring.backends import SecretService

    assert backend_name(SecretService.Keyring()) == "GNOME Keyring (Secret Service)"


def test_unavailable_carries_its_status() -> None:
    status = KeyStatus(KeyState.LOCKED, "KWallet", "It is locked.", "Unlock it.")
    exc = KeyringUnavailable(status)
    assert exc.status is status
    assert str(exc) == "It is locked. Unlock it."
