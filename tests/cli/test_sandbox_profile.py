"""The command line with the sandbox profile the app saves, on a computer with no keyring."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backends import fail

from pacspace_desktop.sandbox import SandboxServer
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.settings import SettingsStore
from tests.cli.test_key_cli import _items_file, run, use_keyring


def gui_sandbox_profile(base_url: str = "http://127.0.0.1") -> None:
    """The profile "Try it with the local sandbox" saves: no port, no key."""
    SettingsStore(resolve_paths().settings_file).add_profile(
        "Local sandbox", base_url=base_url, kind="sandbox", make_active=True)


def test_submit_with_the_apps_sandbox_profile_and_no_keyring(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    gui_sandbox_profile()
    with use_keyring(fail.Keyring()):  # type: ignore[no-untyped-call]
        code = run(monkeypatch, "submit", str(_items_file(tmp_path, "gui")))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "3 accepted" in captured.out
    assert "Started the local sandbox for this run" in captured.err
    assert "keyring" not in captured.err.lower()
    assert ":8787" not in captured.out


def test_a_sandbox_profile_with_a_port_sends_to_that_sandbox(
        monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    gui_sandbox_profile(sandbox.base_url)
    with use_keyring(fail.Keyring()):  # type: ignore[no-untyped-call]
        assert run(monkeypatch, "submit", str(_items_file(tmp_path, "port"))) == 0
    assert "Started" not in capsys.readouterr().err
    assert sandbox.state_snapshot()["keys"]["port-0"]["totalWrites"] == 1


def test_profile_add_sandbox_saves_a_profile_that_works(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    with use_keyring(fail.Keyring()):  # type: ignore[no-untyped-call]
        assert run(monkeypatch, "profile", "add", "Demo", "--sandbox") == 0
        assert "no key needs to be stored" in capsys.readouterr().out
        assert run(monkeypatch, "submit", str(_items_file(tmp_path, "added"))) == 0
    assert "3 accepted" in capsys.readouterr().out


def test_no_keyring_says_the_key_cannot_be_read_not_stored(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    SettingsStore(resolve_paths().settings_file).add_profile(
        "Company", base_url="https://balance-api.pacspace.io", make_active=True)
    with use_keyring(fail.Keyring()):  # type: ignore[no-untyped-call]
        assert run(monkeypatch, "submit", str(_items_file(tmp_path, "nokr"))) == 2
    text = capsys.readouterr().err
    assert "no stored API key can be read" in text
    assert "cannot be stored" not in text
    assert "PACSPACE_API_KEY" in text
