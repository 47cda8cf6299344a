"""`key`, `profile` and `submit` with a profile key, run in-process with a fake keyring."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import InitError

from pacspace_desktop.cli import main
from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.storage.keystore import SERVICE_NAME
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.settings import SettingsStore
from tests.fakes import FailingKeyring, MemoryKeyring

LIVE = "pk_live_abcdef.s3cr3t-part-0123456789"
TEST = "pk_test_zyxwvu.another-secret-9876"


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    """An in-memory keyring as keyring's global backend, restored afterwards."""
    backend = MemoryKeyring()
    with use_keyring(backend):
        yield backend


@contextmanager
def use_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make `backend` keyring's global backend for a while."""
    saved = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.core._keyring_backend = saved


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(list(argv))


def settings_text() -> str:
    path = resolve_paths().settings_file
    return path.read_text("utf-8") if path.exists() else ""


def files_text(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in root.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- key set/status/clear


def test_key_set_creates_the_default_profile(monkeypatch: pytest.MonkeyPatch,
                                             memory: MemoryKeyring,
                                             capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    assert run(monkeypatch, "key", "set", stdin=LIVE + "\n") == 0
    assert memory.items == {(SERVICE_NAME, "default"): LIVE}
    output = capsys.readouterr().out
    assert "pk_live_abc…•••" in output and "“Default”" in output and LIVE not in output
    settings = SettingsStore(resolve_paths().settings_file).load()
    assert settings.active() is not None
    assert settings.active().name == "Default"  # type: ignore[union-attr]
    assert settings.profiles[0].key_hint == "pk_live_abc…•••"
    assert settings.profiles[0].environment_hint == "live"
    assert "s3cr3t" not in files_text(tmp_path)


def test_key_status_and_clear(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, "key", "status") == 1
    assert "no profile yet" in capsys.readouterr().err
    run(monkeypatch, "key", "set", stdin=TEST)
    capsys.readouterr()
    assert run(monkeypatch, "key", "status") == 0
    output = capsys.readouterr().out
    assert "State:    stored" in output and "pk_test_zyx…•••" in output
    assert "another-secret" not in output
    assert run(monkeypatch, "key", "clear") == 0
    assert "was removed" in capsys.readouterr().out
    assert memory.items == {}
    assert "pk_test" not in settings_text()
    assert run(monkeypatch, "key", "status") == 1
    output = capsys.readouterr().out
    assert "State:    not stored" in output and "pacspace-desktop key set" in output
    assert run(monkeypatch, "key", "clear") == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_key_set_replaces(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring) -> None:
    run(monkeypatch, "key", "set", stdin=LIVE)
    assert run(monkeypatch, "key", "set", stdin=TEST + "\r\n") == 0
    assert memory.items == {(SERVICE_NAME, "default"): TEST}
    assert "pk_test_zyx…•••" in settings_text()


@pytest.mark.parametrize(("typed", "words"), [
    ("pk_live_abc def.secret\n", "contains a space"),
    (" " + LIVE + "\n", "starts or ends with a space"),
    (LIVE + " \n", "starts or ends with a space"),
    ("", "Paste the API key"),
    ("sk_live_x.y", "start with pk_live_"),
])
def test_key_set_refuses_a_bad_shape(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                     capsys: pytest.CaptureFixture[str], typed: str,
                                     words: str) -> None:
    assert run(monkeypatch, "key", "set", stdin=typed) == 2
    error = capsys.readouterr().err
    assert words in error and "not stored" in error
    assert memory.items == {}
    assert settings_text() == ""


def test_key_set_on_a_terminal_prompts_hidden(monkeypatch: pytest.MonkeyPatch,
                                              memory: MemoryKeyring) -> None:
    prompts: list[str] = []

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return LIVE

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", Tty(""))
    assert main(["key", "set"]) == 0
    assert prompts and "not be shown" in prompts[0]
    assert memory.items[(SERVICE_NAME, "default")] == LIVE


def test_key_is_never_an_argument(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run(monkeypatch, "key", "set", LIVE)
    assert info.value.code == 2
    capsys.readouterr()
    assert memory.items == {}


def test_key_for_a_named_profile(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, "key", "set", "--profile", "Nope", stdin=LIVE) == 2
    assert "no profile called “Nope”" in capsys.readouterr().err
    run(monkeypatch, "profile", "add", "Live")
    run(monkeypatch, "profile", "add", "Test")
    assert run(monkeypatch, "key", "set", "--profile", "test", stdin=TEST) == 0
    assert memory.items == {(SERVICE_NAME, "test"): TEST}
    assert run(monkeypatch, "key", "status") == 1  # the active profile is "Live"
    assert run(monkeypatch, "key", "status", "--profile", "Test") == 0


def test_no_keyring(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                    tmp_path: Path) -> None:
    with use_keyring(fail.Keyring()):
        assert run(monkeypatch, "key", "set", stdin=LIVE) == 2
        error = capsys.readouterr().err
        assert "No system keyring was found" in error
        assert "never written to a file" in error and "PACSPACE_API_KEY" in error
        assert "s3cr3t" not in files_text(tmp_path)
        run(monkeypatch, "profile", "add", "Default")
        assert run(monkeypatch, "key", "status") == 1
        output = capsys.readouterr().out
        assert "State:    no keyring" in output


def test_locked_keyring(monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    locked = FailingKeyring(InitError("Failed to create the collection: Prompt dismissed.."))
    with use_keyring(locked):
        run(monkeypatch, "profile", "add", "Default")
        assert run(monkeypatch, "key", "status") == 1
        output = capsys.readouterr().out
        assert "State:    keyring locked" in output and "Unlock your keyring" in output
        assert run(monkeypatch, "key", "set", stdin=LIVE) == 2
        assert "Unlock your keyring" in capsys.readouterr().err


# --------------------------------------------------------------------------- profile


def test_profile_commands(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, "profile", "list") == 0
    assert "no profile yet" in capsys.readouterr().out
    assert run(monkeypatch, "profile", "add", "Company live") == 0
    assert run(monkeypatch, "profile", "add", "Company test", "--base-url",
               "https://test.example.com/", "--batch-size", "20", "--timeout", "5") == 0
    assert run(monkeypatch, "profile", "add", "Local", "--sandbox") == 0
    capsys.readouterr()
    assert run(monkeypatch, "profile", "add", "company LIVE") == 2
    assert "already exists" in capsys.readouterr().err
    assert run(monkeypatch, "profile", "add", "X", "--base-url", "http://example.com") == 2
    assert "not encrypted" in capsys.readouterr().err
    assert run(monkeypatch, "profile", "use", "Company test") == 0
    run(monkeypatch, "key", "set", stdin=TEST)
    capsys.readouterr()
    assert run(monkeypatch, "profile", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["name"], p["active"]) for p in listed] == [
        ("Company live", False), ("Company test", True), ("Local", False)]
    assert listed[1]["batch_size"] == 20 and listed[1]["base_url"] == "https://test.example.com"
    assert listed[2]["kind"] == "sandbox"
    run(monkeypatch, "profile", "list")
    assert "* Company test" in capsys.readouterr().out
    assert run(monkeypatch, "profile", "remove", "Company test") == 0
    assert "and its API key" in capsys.readouterr().out
    assert memory.items == {}
    assert run(monkeypatch, "profile", "use", "Gone") == 2


# --------------------------------------------------------------------------- submit


def _items_file(tmp_path: Path, prefix: str) -> Path:
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"key": f"{prefix}-{i}", "accountId": "acct-1", "bits": i + 1}
                                for i in range(3)]), "utf-8")
    return path


def test_submit_with_the_profile_key(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                     sandbox: SandboxServer, demo_key: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    run(monkeypatch, "profile", "add", "Local test", "--base-url", sandbox.base_url,
        "--batch-size", "2")
    run(monkeypatch, "key", "set", stdin=demo_key + "\n")
    capsys.readouterr()
    assert run(monkeypatch, "submit", str(_items_file(tmp_path, "prof"))) == 0
    output = capsys.readouterr().out
    assert "3 accepted" in output and "in 2 requests" in output
    assert run(monkeypatch, "history", "--json") == 0
    history = json.loads(capsys.readouterr().out)
    assert {(h["profile"], h["environment"]) for h in history} == {("Local test", "sandbox")}
    assert memory.calls == ["set", "get"]  # submit read the keyring once


def test_submit_reads_the_keyring_once(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                       sandbox: SandboxServer, demo_key: str,
                                       tmp_path: Path) -> None:
    run(monkeypatch, "profile", "add", "Local test", "--base-url", sandbox.base_url)
    memory.items[(SERVICE_NAME, "local-test")] = demo_key
    assert run(monkeypatch, "submit", str(_items_file(tmp_path, "once"))) == 0
    assert memory.calls == ["get"]


def test_submit_with_a_locked_keyring_sends_nothing(monkeypatch: pytest.MonkeyPatch,
                                                    sandbox: SandboxServer, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    run(monkeypatch, "profile", "add", "Local test", "--base-url", sandbox.base_url)
    locked = FailingKeyring(InitError("Failed to create the collection: Prompt dismissed.."))
    with use_keyring(locked):
        assert run(monkeypatch, "submit", str(_items_file(tmp_path, "locked"))) == 2
    error = capsys.readouterr().err
    assert "locked" in error and "Unlock your keyring" in error and "Nothing was sent" in error
    assert not resolve_paths().history_db.exists()


def test_submit_without_a_stored_key(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = str(_items_file(tmp_path, "none"))
    assert run(monkeypatch, "submit", items) == 2
    assert capsys.readouterr().err.startswith("No API key. Set PACSPACE_API_KEY")
    run(monkeypatch, "profile", "add", "Company")
    assert run(monkeypatch, "submit", items) == 2
    assert "No API key is stored for the profile “Company”" in capsys.readouterr().err
    assert run(monkeypatch, "submit", items, "--profile", "Other") == 2
    assert "no profile called “Other”" in capsys.readouterr().err


def test_env_key_keeps_its_behaviour(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring,
                                     sandbox: SandboxServer, demo_key: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    run(monkeypatch, "profile", "add", "Company")
    monkeypatch.setenv("PACSPACE_API_KEY", demo_key)
    assert run(monkeypatch, "submit", str(_items_file(tmp_path, "env")),
               "--base-url", sandbox.base_url) == 0
    capsys.readouterr()
    run(monkeypatch, "history", "--json")
    history = json.loads(capsys.readouterr().out)
    assert {h["profile"] for h in history} == {"command line"}
    assert memory.calls == []  # the keyring was not touched
    monkeypatch.setenv("PACSPACE_API_KEY", "pk_live_no dot")
    assert run(monkeypatch, "submit", str(_items_file(tmp_path, "env2"))) == 2
    assert "The API key in PACSPACE_API_KEY does not look right" in capsys.readouterr().err


def test_sandbox_profile_uses_the_demo_key(monkeypatch: pytest.MonkeyPatch,
                                           memory: MemoryKeyring, sandbox: SandboxServer,
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    run(monkeypatch, "profile", "add", "Local", "--sandbox")
    assert run(monkeypatch, "submit", str(_items_file(tmp_path, "demo")),
               "--base-url", sandbox.base_url) == 0
    assert "3 accepted" in capsys.readouterr().out
