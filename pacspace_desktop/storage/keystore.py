"""The API key in the operating system's keyring: the one place that reads and writes it."""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING

from pacspace_desktop.domain.apikey import ApiKey, key_shape_problem
from pacspace_desktop.storage.keyring_status import (
    _NO_KEYRING_ACTION,
    KeyringUnavailable,
    KeyState,
    KeyStatus,
    _describe,
    _effective_backend,
    _is_file_keyring,
    _no_backend,
    _platform_errors,
    _status_for_error,
    backend_name,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE_NAME = "PacSpace Desktop"
WEBHOOK_ACCOUNT = "webhook:signing-secret"
"""The keyring account of the webhook signing secret (profile ids never contain ':')."""


__all__ = ["SERVICE_NAME", "WEBHOOK_ACCOUNT", "KeyState", "KeyStatus", "KeyStore",
           "KeyringUnavailable", "backend_name"]


# ----------------------------------------------------------------------------- the store


class KeyStore:
    """Reads and writes API keys in the OS keyring; one account per profile id.

    A key is read from the keyring at most once per session per profile and kept in memory.
    There is no plaintext fallback: with no usable keyring, `set_session_only` keeps a key in
    memory until the app closes.

    Args:
        backend: A keyring backend. None means `keyring.get_keyring()`, resolved on first use.
        service: The keyring service name the accounts are stored under.
    """

    def __init__(self, backend: KeyringBackend | None = None,
                 service: str = SERVICE_NAME) -> None:
        self._backend = backend
        self._service = service
        self._cache: dict[str, ApiKey | None] = {}
        self._session: dict[str, ApiKey] = {}
        self._secret_cache: dict[str, str | None] = {}
        self._lock = threading.RLock()
        self._found = backend is not None  # the backend was looked for (see `_resolve`)

    def __repr__(self) -> str:
        return (f"KeyStore(service={self._service!r}, backend={self.backend_name!r}, "
                f"cached={sorted(self._cache)!r}, session_only={sorted(self._session)!r})")

    @property
    def service(self) -> str:
        """The keyring service name."""
        return self._service

    @property
    def backend_name(self) -> str:
        """The keyring's name as people know it, or "none"."""
        backend, _ = self._resolve()
        return backend_name(backend)

    @property
    def found(self) -> bool:
        """True once the keyring backend was looked for (asking for it now is quick)."""
        return self._found

    def storage_problem(self) -> KeyStatus | None:
        """Why no key can be stored on this computer (no keyring, a plaintext file one), or
        None when the keyring can store keys. Reads no key."""
        _, problem = self._resolve()
        return problem

    # -- reading

    def status(self, profile: str) -> KeyStatus:
        """Where the key of `profile` stands; never raises for keyring trouble."""
        with self._lock:
            session = self._session.get(profile)
            if session is not None:
                return self._session_status(session)
            try:
                key = self.get(profile)
            except KeyringUnavailable as exc:
                return exc.status
            name = self.backend_name
            if key is None:
                return KeyStatus(
                    KeyState.NOT_STORED, name,
                    f"No API key is stored for this profile in {name}.",
                    "Add the API key from the PacSpace dashboard.")
            return KeyStatus(KeyState.STORED, name,
                             f"The API key is stored in {name}.", "", "", key.masked)

    def known_status(self, profile: str) -> KeyStatus | None:
        """`status(profile)` if it is known without asking the keyring (a key held for this
        session, or the keyring found and this key read already), else None. Never waits
        for a worker that is asking the keyring right now (it holds the lock meanwhile)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if profile in self._session or (self._found and profile in self._cache):
                return self.status(profile)
            return None
        finally:
            self._lock.release()

    def get(self, profile: str) -> ApiKey | None:
        """The key of `profile`, or None when none is stored.

        Raises:
            KeyringUnavailable: when the keyring is locked, missing or failing.
        """
        _check_profile(profile)
        with self._lock:
            if profile in self._session:
                return self._session[profile]
            if profile in self._cache:
                return self._cache[profile]
            backend = self._usable_backend()
            try:
                secret = backend.get_password(self._service, profile)
            except self._errors() as exc:
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend))) from None
            key = ApiKey(secret) if secret else None
            self._cache[profile] = key
            log.info("read the key of profile %r from %s: %s", profile,
                     backend_name(backend), "found" if key else "none stored")
            return key

    # -- writing

    def set(self, profile: str, secret: str) -> ApiKey:
        """Store `secret` as the key of `profile` in the keyring (replacing any earlier key).

        Raises:
            ValueError: when the key's shape is wrong (the message says what to fix).
            KeyringUnavailable: when there is no usable keyring; nothing is written anywhere.
        """
        _check_profile(profile)
        problem = key_shape_problem(secret)
        if problem:
            raise ValueError(problem)
        with self._lock:
            backend = self._usable_backend()
            try:
                backend.set_password(self._service, profile, secret)
            except self._errors() as exc:
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend), secret)) from None
            key = ApiKey(secret)
            self._cache[profile] = key
            self._session.pop(profile, None)
            log.info("stored a key for profile %r in %s", profile, backend_name(backend))
            return key

    def set_session_only(self, profile: str, secret: str) -> ApiKey:
        """Keep `secret` in memory only, until the app closes. Nothing is written anywhere.

        Raises:
            ValueError: when the key's shape is wrong.
        """
        _check_profile(profile)
        problem = key_shape_problem(secret)
        if problem:
            raise ValueError(problem)
        with self._lock:
            key = ApiKey(secret)
            self._session[profile] = key
            log.info("holding a key for profile %r for this session only", profile)
            return key

    def clear(self, profile: str) -> bool:
        """Remove the key of `profile` from the keyring and from memory.

        Returns:
            True when a key was removed, False when none was stored.

        Raises:
            KeyringUnavailable: when the keyring cannot be reached (a session-only key is
                still forgotten).
        """
        from keyring.errors import PasswordDeleteError

        _check_profile(profile)
        with self._lock:
            removed = self._session.pop(profile, None) is not None
            self._cache.pop(profile, None)
            backend, problem = self._resolve()
            if backend is None or problem is not None:
                if removed:
                    return True
                raise KeyringUnavailable(problem or _no_backend("none"))
            try:
                backend.delete_password(self._service, profile)
            except PasswordDeleteError:
                return removed
            except self._errors() as exc:
                if removed:
                    return True
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend))) from None
            log.info("removed the key of profile %r from %s", profile, backend_name(backend))
            return True

    # -- the webhook signing secret (one per computer; not an API key)

    def webhook_secret(self) -> str | None:
        """The `whsec_…` secret the webhook receiver checks signatures with, or None.

        Read from the keyring at most once per session, like the keys.

        Raises:
            KeyringUnavailable: when the keyring is locked, missing or failing.
        """
        with self._lock:
            if WEBHOOK_ACCOUNT in self._secret_cache:
                return self._secret_cache[WEBHOOK_ACCOUNT]
            backend = self._usable_backend()
            try:
                secret = backend.get_password(self._service, WEBHOOK_ACCOUNT)
            except self._errors() as exc:
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend))) from None
            self._secret_cache[WEBHOOK_ACCOUNT] = secret or None
            return secret or None

    def set_webhook_secret(self, secret: str) -> None:
        """Store the webhook signing secret in the keyring (never anywhere else).

        Raises:
            ValueError: when `secret` does not start with `whsec_`.
            KeyringUnavailable: when there is no usable keyring; nothing is written anywhere.
        """
        if not secret.startswith("whsec_") or any(ch.isspace() for ch in secret):
            raise ValueError("A webhook signing secret starts with whsec_ and has no spaces.")
        with self._lock:
            backend = self._usable_backend()
            try:
                backend.set_password(self._service, WEBHOOK_ACCOUNT, secret)
            except self._errors() as exc:
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend), secret)) from None
            self._secret_cache[WEBHOOK_ACCOUNT] = secret
            log.info("stored the webhook signing secret in %s", backend_name(backend))

    def clear_webhook_secret(self) -> bool:
        """Remove the webhook signing secret. True when one was removed.

        Raises:
            KeyringUnavailable: when the keyring cannot be reached.
        """
        from keyring.errors import PasswordDeleteError

        with self._lock:
            self._secret_cache.pop(WEBHOOK_ACCOUNT, None)
            backend = self._usable_backend()
            try:
                backend.delete_password(self._service, WEBHOOK_ACCOUNT)
            except PasswordDeleteError:
                return False
            except self._errors() as exc:
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend))) from None
            return True

    # -- a team history database's password (account from `team_settings.keyring_account`)

    def team_password(self, account: str) -> str | None:
        """The password of a team history connection, or None (read once per session).

        Raises:
            KeyringUnavailable: when the keyring is locked, missing or failing.
        """
        with self._lock:
            if account not in self._secret_cache:
                backend = self._usable_backend()
                try:
                    self._secret_cache[account] = backend.get_password(self._service,
                                                                       account) or None
                except self._errors() as exc:
                    raise KeyringUnavailable(
                        _status_for_error(exc, backend_name(backend))) from None
            return self._secret_cache[account]

    def set_team_password(self, account: str, password: str | None) -> None:
        """Store (or, with None, remove) a team history password in the keyring only.

        Raises:
            KeyringUnavailable: when there is no usable keyring; nothing is written anywhere.
        """
        from keyring.errors import PasswordDeleteError

        with self._lock:
            backend = self._usable_backend()
            try:
                if password:
                    backend.set_password(self._service, account, password)
                else:
                    with contextlib.suppress(PasswordDeleteError):
                        backend.delete_password(self._service, account)
            except self._errors() as exc:
                raise KeyringUnavailable(
                    _status_for_error(exc, backend_name(backend), password or "")) from None
            self._secret_cache[account] = password or None

    def forget_cache(self) -> None:
        """Forget keys read from the keyring (the next `get` reads it again)."""
        with self._lock:
            self._cache.clear()
            self._secret_cache.clear()

    # -- internals

    def _session_status(self, key: ApiKey) -> KeyStatus:
        return KeyStatus(
            KeyState.SESSION_ONLY, self.backend_name,
            "The API key is kept only until PacSpace Desktop closes; it is not saved "
            "anywhere.",
            "Enter it again next time, or set up a system keyring to store it.",
            "", key.masked)

    def _resolve(self) -> tuple[KeyringBackend | None, KeyStatus | None]:
        """The backend, and why it cannot be used (None when it can).

        Finding the backend is slow (keyring loads every backend it knows; the macOS one
        looks for its libraries even on Linux), so the app does it off the Qt thread right
        after its first paint (`storage_problem` in a worker); the lock makes anyone who
        asks meanwhile wait for that answer instead of finding it a second time."""
        with self._lock:
            found = self._resolve_locked()
            self._found = True
            return found

    def _resolve_locked(self) -> tuple[KeyringBackend | None, KeyStatus | None]:
        if self._backend is None:
            import keyring

            startup_errors: tuple[type[BaseException], ...] = (
                RuntimeError, OSError, *_platform_errors())
            try:
                self._backend = keyring.get_keyring()
            except (ImportError, AttributeError) as exc:
                # PYTHON_KEYRING_BACKEND or keyringrc.cfg names a backend that does not exist.
                return None, _no_backend("none", _describe(exc))
            except startup_errors as exc:
                # The configured backend exists but cannot start here (e.g. no D-Bus).
                return None, _status_for_error(exc, "none")
        backend = self._backend
        real = _effective_backend(backend)
        module = type(real).__module__ if real is not None else ""
        if real is None or module in ("keyring.backends.fail", "keyring.backends.null"):
            return backend, _no_backend("none")
        if _is_file_keyring(real):
            return backend, KeyStatus(
                KeyState.NO_BACKEND, "a plaintext file keyring",
                "Only a plaintext file keyring was found; PacSpace Desktop will not store "
                "the key there.", _NO_KEYRING_ACTION, f"{module}.{type(real).__name__}")
        return backend, None

    def _usable_backend(self) -> KeyringBackend:
        backend, problem = self._resolve()
        if problem is not None or backend is None:
            raise KeyringUnavailable(problem or _no_backend("none"))
        return backend

    @staticmethod
    def _errors() -> tuple[type[BaseException], ...]:
        from keyring.errors import KeyringError

        return (KeyringError, RuntimeError, OSError, *_platform_errors())


def _check_profile(profile: str) -> None:
    if not profile or not profile.strip():
        raise ValueError("A profile is needed to store an API key.")
