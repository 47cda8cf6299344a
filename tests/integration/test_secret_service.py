"""The API key in a real Secret Service (gnome-keyring on a private D-Bus), in-process and via
the command line as a subprocess."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import SecretService as SecretServiceBackend
from keyring.backends import fail

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.storage.keystore import SERVICE_NAME, KeyringUnavailable, KeyState, KeyStore
from tests.integration.conftest import SecretService

LIVE = "pk_live_itgabc.integration-secret-0123456789"
TEST = "pk_test_itgxyz.second-integration-secret-42"
SECRETS = ("integration-secret", "second-integration-secret")
ROOT = Path(__file__).resolve().parents[2]

# keyring 25.7's SecretService.get_preferred_collection() opens a D-Bus connection and does not
# close it when the collection is locked or missing (it raises first); the socket is closed by
# the garbage collector with a ResourceWarning (the socket sits in a reference cycle of the
# traceback, so it goes at some later collection). Harmless for the app, but pytest would blame
# whichever test runs then: collect it within the test that caused it, where it is expected.
keyring_leaks_its_connection = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def collect_leaked_sockets() -> Iterator[None]:
    yield
    gc.collect()


def secret_tool(service: SecretService, *args: str) -> subprocess.CompletedProcess[str]:
    if not shutil.which("secret-tool"):
        pytest.skip("needs the apt package libsecret-tools")
    return subprocess.run(["secret-tool", *args], env=service.env, capture_output=True,
                          text=True, timeout=30, check=False)


def lookup(service: SecretService, profile: str) -> str:
    """What `secret-tool` finds under keyring's attribute names (service, username)."""
    return secret_tool(service, "lookup", "service", SERVICE_NAME, "username", profile).stdout


def file_texts(*roots: Path, skip: Path | None = None) -> Iterator[tuple[Path, bytes]]:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and (skip is None or skip not in path.parents):
                yield path, path.read_bytes()


def assert_no_key_in_files(*roots: Path, skip: Path | None = None) -> int:
    count = 0
    for path, data in file_texts(*roots, skip=skip):
        count += 1
        for secret in SECRETS:
            assert secret.encode() not in data, f"the key is in {path}"
    return count


# --------------------------------------------------------------------------- in-process


def test_keystore_store_read_replace_clear(secret_service_env: SecretService) -> None:
    keys = KeyStore(SecretServiceBackend.Keyring())
    profile = "inproc"
    assert keys.status(profile).state is KeyState.NOT_STORED
    keys.set(profile, LIVE)
    status = keys.status(profile)
    assert status.state is KeyState.STORED
    assert status.backend_name == "GNOME Keyring (Secret Service)"
    assert status.masked_key == "pk_live_itg…•••"
    assert lookup(secret_service_env, profile) == LIVE

    fresh = KeyStore(SecretServiceBackend.Keyring())  # a new session reads the keyring
    assert fresh.get(profile) == ApiKey(LIVE)
    keys.set(profile, TEST)
    assert lookup(secret_service_env, profile) == TEST
    fresh.forget_cache()
    assert fresh.get(profile) == ApiKey(TEST)

    search = secret_tool(secret_service_env, "search", "--all", "service", SERVICE_NAME)
    assert f"attribute.username = {profile}" in search.stdout + search.stderr
    assert keys.clear(profile) is True
    assert lookup(secret_service_env, profile) == ""
    assert keys.clear(profile) is False
    assert KeyStore(SecretServiceBackend.Keyring()).status(profile).state is KeyState.NOT_STORED


@keyring_leaks_its_connection
@pytest.mark.usefixtures("collect_leaked_sockets")
def test_never_unlocked_keyring_is_locked(never_unlocked_secret_service: SecretService,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """No login collection and nobody to answer the unlock prompt: keyring raises
    InitError("Failed to create the collection: Prompt dismissed..")."""
    for k, v in never_unlocked_secret_service.env.items():
        monkeypatch.setenv(k, v)
    keys = KeyStore(SecretServiceBackend.Keyring())
    status = keys.status("locked")
    assert status.state is KeyState.LOCKED
    assert status.action == ("Unlock your keyring (log in again or open Passwords and Keys), "
                             "then retry.")
    assert "InitError" in status.detail and "Prompt dismissed" in status.detail
    with pytest.raises(KeyringUnavailable) as info:
        keys.set("locked", LIVE)
    assert info.value.status.state is KeyState.LOCKED


@keyring_leaks_its_connection
@pytest.mark.usefixtures("collect_leaked_sockets")
def test_locked_collection_is_locked(fresh_secret_service: SecretService,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A login collection locked after use: keyring raises KeyringLocked."""
    import secretstorage

    for k, v in fresh_secret_service.env.items():
        monkeypatch.setenv(k, v)
    keys = KeyStore(SecretServiceBackend.Keyring())
    keys.set("was-open", LIVE)
    with secretstorage.dbus_init() as conn:
        secretstorage.Collection(conn).lock()
    keys.forget_cache()
    status = keys.status("was-open")
    assert status.state is KeyState.LOCKED
    assert "KeyringLocked" in status.detail and "Failed to unlock" in status.detail
    assert "locked" in status.message


@keyring_leaks_its_connection
@pytest.mark.usefixtures("collect_leaked_sockets")
def test_no_bus_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Forced Secret Service but no D-Bus: the connection fails (FileNotFoundError)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    status = KeyStore(SecretServiceBackend.Keyring()).status("x")
    assert status.state is KeyState.NO_BACKEND
    assert "not running or cannot be reached" in status.message
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    status = KeyStore(SecretServiceBackend.Keyring()).status("x")
    assert status.state is KeyState.NO_BACKEND
    assert "DBUS_SESSION_BUS_ADDRESS is unset" in status.detail


def test_fail_backend_is_no_backend() -> None:
    status = KeyStore(fail.Keyring()).status("x")
    assert (status.state, status.backend_name) == (KeyState.NO_BACKEND, "none")


# --------------------------------------------------------------------------- the CLI, for real


def cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pacspace_desktop", *args], input=stdin,
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.fixture
def cli_env(secret_service: SecretService, tmp_path: Path) -> dict[str, str]:
    env = dict(secret_service.env)
    env.pop("PACSPACE_API_KEY", None)
    env.update(PACSPACE_DATA_DIR=str(tmp_path / "data"),
               PACSPACE_CONFIG_DIR=str(tmp_path / "config"),
               PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
               PYTHONPATH=str(ROOT))
    return env


def test_cli_store_read_replace_clear(secret_service: SecretService, cli_env: dict[str, str],
                                      tmp_path: Path) -> None:
    r = cli(cli_env, "profile", "add", "CLI live")
    assert r.returncode == 0, r.stderr
    r = cli(cli_env, "key", "set", stdin=LIVE + "\n")
    assert r.returncode == 0, r.stderr
    assert "GNOME Keyring (Secret Service)" in r.stdout and "pk_live_itg…•••" in r.stdout
    assert lookup(secret_service, "cli-live") == LIVE

    r = cli(cli_env, "key", "status")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "State:    stored" in r.stdout and "pk_live_itg…•••" in r.stdout

    r = cli(cli_env, "key", "set", "--profile", "CLI live", stdin=TEST + "\n")
    assert r.returncode == 0, r.stderr
    assert lookup(secret_service, "cli-live") == TEST

    r = cli(cli_env, "key", "set", stdin="pk_live_with space.x\n")
    assert r.returncode == 2 and "contains a space" in r.stderr
    assert lookup(secret_service, "cli-live") == TEST

    scanned = assert_no_key_in_files(tmp_path / "data", tmp_path / "config",
                                     *(Path(secret_service.env[k]) for k in
                                       ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")),
                                     skip=secret_service.keyring_store)
    assert scanned >= 1  # settings.json at least
    settings = (tmp_path / "config" / "settings.json").read_text("utf-8")
    assert "pk_test_itg…•••" in settings

    r = cli(cli_env, "key", "clear")
    assert r.returncode == 0, r.stderr
    assert lookup(secret_service, "cli-live") == ""
    r = cli(cli_env, "key", "status")
    assert r.returncode == 1 and "State:    not stored" in r.stdout
    assert_no_key_in_files(tmp_path / "data", tmp_path / "config")


def test_cli_without_a_keyring(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(cli_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    r = cli(env, "key", "set", stdin=LIVE + "\n")
    assert r.returncode == 2
    assert "No system keyring was found" in r.stderr and "PACSPACE_API_KEY" in r.stderr
    assert_no_key_in_files(tmp_path)


def test_cli_forced_secret_service_without_dbus(cli_env: dict[str, str],
                                                tmp_path: Path) -> None:
    env = {k: v for k, v in cli_env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    r = cli(env, "key", "set", stdin=LIVE + "\n")
    assert r.returncode == 2
    assert "not running or cannot be reached" in r.stderr
    assert "DBUS_SESSION_BUS_ADDRESS is unset" in r.stderr
    assert "Traceback" not in r.stderr
    assert_no_key_in_files(tmp_path)


def test_cli_never_unlocked_keyring(never_unlocked_secret_service: SecretService,
                                    cli_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(cli_env)
    env.update({k: never_unlocked_secret_service.env[k] for k in
                ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR")})
    assert cli(env, "profile", "add", "Default").returncode == 0
    r = cli(env, "key", "set", stdin=LIVE + "\n")
    assert r.returncode == 2
    assert "is locked" in r.stderr and "Unlock your keyring" in r.stderr
    r = cli(env, "key", "status")
    assert r.returncode == 1 and "State:    keyring locked" in r.stdout
    assert_no_key_in_files(tmp_path / "data", tmp_path / "config")
    assert os.environ.get("PACSPACE_API_KEY") is None
