"""A real Secret Service for keyring tests: a private D-Bus session bus and gnome-keyring."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmp}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
# No <servicedir>: otherwise an early request makes D-Bus start a second, locked gnome-keyring.

_XDG = ("XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")


@dataclass
class SecretService:
    """A running private bus + gnome-keyring.

    Attributes:
        root: The folder holding the bus socket and the XDG folders.
        env: The environment that reaches this Secret Service (DBUS_SESSION_BUS_ADDRESS and
            XDG_*), on top of os.environ.
        keyring_store: gnome-keyring's own files (`$XDG_DATA_HOME/keyrings`).
    """

    root: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes] | subprocess.Popen[str]] = field(
        default_factory=list)

    @property
    def keyring_store(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "keyrings"

    def stop(self) -> None:
        for p in reversed(self.processes):
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            for stream in (p.stdin, p.stdout, p.stderr):
                if stream is not None:
                    stream.close()


def _need_binaries() -> None:
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("needs the apt packages dbus-daemon and gnome-keyring")


def start_secret_service(root: Path, *, unlock: bool) -> SecretService:
    """Start a private session bus and gnome-keyring's secrets component under `root`.

    With `unlock`, gnome-keyring creates and unlocks a "login" collection (the state after a
    desktop login); without it there is no login collection at all, as on a machine where the
    keyring was never unlocked.
    """
    env = dict(os.environ)
    env.update({k: str(root / k.split("_")[1].lower()) for k in _XDG})
    for k in _XDG:
        os.makedirs(env[k], mode=0o700, exist_ok=True)
    (root / "bus.conf").write_text(_DBUS_CONF.format(tmp=root), "utf-8")
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={root}/bus.conf", "--nofork",
                            "--print-address=1"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=env, text=True)
    service = SecretService(root, env, [bus])
    try:
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
        if unlock:
            args.insert(1, "--unlock")
        gk = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
        service.processes.append(gk)
        assert gk.stdin is not None
        if unlock:
            gk.stdin.write(b"test-pass")  # must be non-empty, else no 'login' collection
        gk.stdin.close()
        _wait_ready(env, gk, unlock)
    except BaseException:
        service.stop()
        raise
    return service


def _wait_ready(env: dict[str, str], gk: subprocess.Popen[bytes], unlock: bool) -> None:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + 15
    while True:
        try:
            with open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
                if unlock:  # the default alias resolves; Collection() does not create one
                    secretstorage.Collection(conn).get_label()
                elif not secretstorage.check_service_availability(conn):
                    raise RuntimeError("gnome-keyring has not taken its bus name yet")
            return
        except Exception:
            if time.monotonic() > deadline or gk.poll() is not None:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    """A private D-Bus session bus with an unlocked gnome-keyring (the real Secret Service).

    os.environ is not changed; use `secret_service_env` (or pass `.env` to a subprocess).
    """
    _need_binaries()
    service = start_secret_service(tmp_path_factory.mktemp("secret-service"), unlock=True)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def secret_service_env(secret_service: SecretService,
                       monkeypatch: pytest.MonkeyPatch) -> SecretService:
    """The unlocked Secret Service, reachable from this process for one test."""
    for k in (*_XDG, "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.setenv(k, secret_service.env[k])
    return secret_service


@pytest.fixture
def fresh_secret_service(tmp_path: Path) -> Iterator[SecretService]:
    """A Secret Service of this test's own, unlocked (for tests that lock it)."""
    _need_binaries()
    service = start_secret_service(tmp_path / "fresh-ss", unlock=True)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def never_unlocked_secret_service(tmp_path: Path) -> Iterator[SecretService]:
    """gnome-keyring started without --unlock: no login collection, nobody to prompt."""
    _need_binaries()
    service = start_secret_service(tmp_path / "locked-ss", unlock=False)
    try:
        yield service
    finally:
        service.stop()
