"""Who the app talks to and with which key: the active profile, its key, its clients.

The one place the UI asks for the base URL, the environment, the key's state, and the
HTTP clients bound to the active profile.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from pacspace_desktop.domain.apikey import ApiKey, Environment
from pacspace_desktop.services.profile_http import HttpFactory, ProfileHttp
from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyState, KeyStatus, KeyStore
from pacspace_desktop.storage.settings import (
    Profile,
    ProfileError,
    Settings,
    SettingsError,
    SettingsStore,
)

if TYPE_CHECKING:  # httpx and the clients are imported on first use, not at start-up
    import httpx

    from pacspace_desktop.network.client import WriteClient
    from pacspace_desktop.network.reads import ReadClient, ReadResult
    from pacspace_desktop.services.connection_check import ConnectionCheck

log = logging.getLogger(__name__)

SANDBOX_PROFILE_NAME = "Local sandbox"


@dataclass(frozen=True, slots=True)
class SandboxHandle:
    """A running built-in sandbox: where it listens, its demo key, and how to stop it."""

    base_url: str
    api_key: str
    stop: Callable[[], None]


SandboxStarter = Callable[[], SandboxHandle]


class SessionService(QObject):
    """Holds the active profile and everything bound to it.

    Signals:
        profile_changed(): the active profile, a profile's settings or the list changed.
        key_state_changed(object): the active profile's `KeyStatus` changed.
        connection_checked(object): a `ConnectionCheck` finished.
        last_request_changed(str): the status bar line ("Last request 14:02 — Accepted").
        failed(str): a settings or keyring operation failed; the text says what to do.
    """

    profile_changed = Signal()
    key_state_changed = Signal(object)
    connection_checked = Signal(object)
    last_request_changed = Signal(str)
    failed = Signal(str)

    def __init__(self, settings: SettingsStore, keys: KeyStore,
                 sandbox_starter: SandboxStarter | None = None,
                 http_factory: HttpFactory | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings_store = settings
        self._keys = keys
        self._sandbox_starter = sandbox_starter
        self._http = ProfileHttp(http_factory)
        self._sandbox: SandboxHandle | None = None
        try:
            self._settings = settings.load()
        except SettingsError as exc:
            log.warning("settings could not be read: %s", exc)
            self._settings = Settings()
            self._load_error = str(exc)
        else:
            self._load_error = ""

    # -- profiles -------------------------------------------------------------------------

    @property
    def load_error(self) -> str:
        """Why the settings file could not be read at start ("" when it could)."""
        return self._load_error

    @property
    def settings(self) -> Settings:
        """The settings as last loaded or saved."""
        return self._settings

    def profiles(self) -> list[Profile]:
        """Every profile, in order."""
        return list(self._settings.profiles)

    def active_profile(self) -> Profile | None:
        """The profile in use."""
        return self._settings.active()

    def has_profile(self) -> bool:
        """True once the first profile exists."""
        return bool(self._settings.profiles)

    def set_active(self, profile_id: str) -> None:
        """Switch to another profile."""
        current = self.active_profile()
        if current is not None and current.id == profile_id:
            return
        self._apply(lambda: self._settings_store.set_active(profile_id))

    def add_profile(self, name: str, base_url: str, timeout_s: float, batch_size: int,
                    make_active: bool = True) -> Profile | None:
        """Add a PacSpace profile. Returns None (and emits `failed`) when a field is wrong."""
        result: list[Profile] = []
        self._apply(lambda: result.append(self._settings_store.add_profile(
            name, base_url=base_url, timeout_s=timeout_s, batch_size=batch_size,
            make_active=make_active)))
        return result[0] if result else None

    def update_profile(self, profile_id: str, **changes: object) -> bool:
        """Change a profile's settings; False (and `failed`) when a value is wrong."""
        return self._apply(lambda: self._settings_store.update_profile(profile_id, **changes))

    def remove_profile(self, profile_id: str) -> bool:
        """Remove a profile and its key."""
        profile = self._settings.find(profile_id)
        if profile is None:
            return False
        try:
            self._keys.clear(profile.id)
        except KeyringUnavailable as exc:
            self.failed.emit(f"The profile was not removed: {exc}")
            return False
        return self._apply(lambda: self._settings_store.remove_profile(profile_id))

    def _apply(self, change: Callable[[], object]) -> bool:
        try:
            change()
            self._settings = self._settings_store.load()
        except (ProfileError, SettingsError) as exc:
            self.failed.emit(str(exc))
            return False
        self._http.drop()
        self.profile_changed.emit()
        self.key_state_changed.emit(self.key_status())
        return True

    def save_ui_state(self, values: dict[str, str | int | bool]) -> None:
        """Remember window geometry and layout (never anything secret)."""
        try:
            settings = self._settings_store.load()
            settings.ui.update(values)
            self._settings_store.save(settings)
            self._settings = settings
        except SettingsError as exc:
            log.warning("window layout not saved: %s", exc)

    # -- environment, key -----------------------------------------------------------------

    def environment(self) -> Environment:
        """LIVE, TEST or SANDBOX for the active profile (from the key prefix, or the sandbox)."""
        profile = self.active_profile()
        if profile is None:
            return Environment.UNKNOWN
        if profile.kind == "sandbox":
            return Environment.SANDBOX
        try:
            return Environment(profile.environment_hint)
        except ValueError:
            return Environment.UNKNOWN

    @property
    def key_store(self) -> KeyStore:
        """The one keyring reader (for the webhook signing secret)."""
        return self._keys

    def key_status(self, profile_id: str | None = None) -> KeyStatus:
        """Where a profile's key stands (default: the active profile's)."""
        profile = (self._settings.find(profile_id) if profile_id is not None
                   else self.active_profile())
        if profile is None:
            return KeyStatus(KeyState.NOT_STORED, self._keys.backend_name,
                             "No profile yet.", "Add your PacSpace API key, or try the sandbox.")
        if profile.kind == "sandbox":
            return KeyStatus(KeyState.SESSION_ONLY, "not needed",
                             "The local sandbox uses its demo key; nothing is stored.", "",
                             "", ApiKey(self._sandbox.api_key).masked if self._sandbox else "")
        return self._keys.status(profile.id)

    def known_key_status(self) -> KeyStatus | None:
        """`key_status()` if known without asking the keyring, else None (the first paint
        does not wait for the keyring)."""
        profile = self.active_profile()
        if profile is not None and profile.kind == "sandbox":
            return self.key_status()
        if profile is None:  # its words name the keyring
            return self.key_status() if self._keys.found else None
        return self._keys.known_status(profile.id)

    async def read_keyring(self) -> None:
        """`read_keyring_now` with every keyring call (finding it, reading the key, its status) in a
        worker thread, off the Qt thread."""
        def read() -> KeyStatus:
            self._find_keyring()
            return self.key_status()  # a failing keyring is asked here, not on the Qt thread

        self.key_state_changed.emit(await asyncio.to_thread(read))

    def read_keyring_now(self) -> None:
        """Find the keyring and read the active profile's key (once), then say where the
        key stands (`key_state_changed`)."""
        self._find_keyring()
        self.key_state_changed.emit(self.key_status())

    def _find_keyring(self) -> None:
        self._keys.storage_problem()
        profile = self.active_profile()
        if profile is not None and profile.kind != "sandbox":
            with suppress(KeyringUnavailable, ValueError):
                self._keys.get(profile.id)

    def key_storage_problem(self) -> KeyStatus | None:
        """Why keys cannot be stored on this computer (no system keyring), or None when they
        can. A key can then only be used for this session."""
        return self._keys.storage_problem()

    def keyring_words(self) -> str:
        """The keyring in words for a sentence: its name, or that there is none."""
        problem = self.key_storage_problem()
        if problem is not None:
            return ("no system keyring" if problem.backend_name in ("", "none")
                    else problem.backend_name)
        return self._keys.backend_name

    def api_key(self) -> ApiKey | None:
        """The active profile's key, or None when there is none (never raises)."""
        profile = self.active_profile()
        if profile is None:
            return None
        if profile.kind == "sandbox":
            handle = self.ensure_sandbox()
            return ApiKey(handle.api_key) if handle else None
        try:
            return self._keys.get(profile.id)
        except KeyringUnavailable:
            return None

    def store_key(self, secret: str, session_only: bool = False) -> bool:
        """Store (or replace) the active profile's key; False and `failed` on a problem."""
        profile = self.active_profile()
        if profile is None:
            self.failed.emit("Create a profile first.")
            return False
        try:
            key = (self._keys.set_session_only(profile.id, secret) if session_only
                   else self._keys.set(profile.id, secret))
        except ValueError as exc:
            self.failed.emit(str(exc))
            return False
        except KeyringUnavailable as exc:
            # A key held for this session stays in use: say where the key stands now.
            self.key_state_changed.emit(self.key_status())
            self.failed.emit(str(exc))
            return False
        self._remember_key(profile, key)
        return True

    def clear_key(self) -> bool:
        """Remove the active profile's key from the keyring."""
        profile = self.active_profile()
        if profile is None:
            return False
        try:
            self._keys.clear(profile.id)
        except KeyringUnavailable as exc:
            self.failed.emit(str(exc))
            return False
        self._remember_key(profile, None)
        return True

    def retry_keyring(self) -> None:
        """Forget what was read and ask the keyring again (after unlocking it)."""
        self._keys.forget_cache()
        status = self.key_status()
        profile = self.active_profile()
        if profile is not None and status.state is KeyState.STORED:
            key = self.api_key()
            if key is not None and key.masked != profile.key_hint:
                self._remember_key(profile, key)
                return
        self.key_state_changed.emit(status)

    def _remember_key(self, profile: Profile, key: ApiKey | None) -> None:
        hint = {"key_hint": key.masked if key else "",
                "environment_hint": key.environment.value if key else ""}
        self._apply(lambda: self._settings_store.update_profile(profile.id, **hint))

    # -- sandbox --------------------------------------------------------------------------

    def start_sandbox_profile(self, start_now: bool = True) -> bool:
        """Start the built-in sandbox and make a "Local sandbox" profile the active one.

        With `start_now=False` (the app's `--sandbox` start) the profile is made at once and
        the sandbox starts on first use, so that the window does not wait for it."""
        if self._sandbox_starter is None:
            self.failed.emit("The local sandbox is not available in this build.")
            return False
        if start_now and self.ensure_sandbox() is None:
            return False
        existing = next((p for p in self._settings.profiles if p.kind == "sandbox"), None)
        if existing is not None:
            self.set_active(existing.id)
            return True
        return self._apply(lambda: self._settings_store.add_profile(
            SANDBOX_PROFILE_NAME, base_url="http://127.0.0.1", kind="sandbox",
            make_active=True))

    def ensure_sandbox(self) -> SandboxHandle | None:
        """The running sandbox, started on first use."""
        if self._sandbox is None and self._sandbox_starter is not None:
            try:
                self._sandbox = self._sandbox_starter()
            except OSError as exc:
                self.failed.emit(f"The local sandbox could not start: {exc}.")
                return None
        return self._sandbox

    def base_url(self) -> str | None:
        """Where the active profile's requests go."""
        profile = self.active_profile()
        if profile is None:
            return None
        if profile.kind == "sandbox":
            handle = self.ensure_sandbox()
            return handle.base_url if handle else None
        return profile.base_url

    # -- clients --------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient | None:
        profile = self.active_profile()
        return None if profile is None else self._http.client(profile, self.base_url() or "")

    def write_client(self) -> WriteClient | None:
        """A write client for the active profile, or None when there is no usable key."""
        from pacspace_desktop.network.client import WriteClient

        key, url, http = self.api_key(), self.base_url(), self._client()
        if key is None or url is None or http is None:
            return None
        return WriteClient(http, url, key)

    def read_client(self) -> ReadClient | None:
        """A read client for the active profile, or None when there is no usable key."""
        from pacspace_desktop.network.reads import ReadClient

        key, url, http = self.api_key(), self.base_url(), self._client()
        if key is None or url is None or http is None:
            return None
        return ReadClient(http, url, key)

    async def read_bucket(self, key: str) -> ReadResult:
        """Ask PacSpace what it holds for `key`, with the active profile."""
        client = self.read_client()
        if client is None:
            raise KeyringUnavailable(self.key_status())
        return await client.read_bucket(key)

    async def test_connection(self) -> ConnectionCheck:
        """A harmless read of a key that does not exist: 404 means the key was accepted."""
        from pacspace_desktop.services.connection_check import (
            ConnectionCheck,
            interpret_connection_check,
        )

        client = self.read_client()
        if client is None:
            status = self.key_status()
            check = ConnectionCheck(False, "No usable API key",
                                    f"{status.message} {status.action}".strip())
            self.connection_checked.emit(check)
            return check
        probe = f"pacspace-desktop-connection-test-{uuid.uuid4().hex[:12]}"
        result = await client.read_bucket(probe)
        check = interpret_connection_check(result)
        self.connection_checked.emit(check)
        return check

    def note_last_request(self, when: datetime, outcome: str) -> None:
        """Update the status bar's "Last request" line."""
        self.last_request_changed.emit(f"Last request {when.astimezone():%H:%M} — {outcome}")

    def shutdown(self) -> None:
        """Close connections and stop the sandbox (at exit)."""
        self._http.close()
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
