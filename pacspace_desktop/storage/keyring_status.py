"""How the OS keyring stands, in words: its states, its name, and what an error from it means.

Kept apart from `keystore` (the one place that reads and writes the key); nothing here stores
or reads a secret.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from pacspace_desktop.domain.apikey import mask_key

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


class KeyState(StrEnum):
    """Where the key of a profile stands."""

    STORED = "stored"
    NOT_STORED = "not stored"
    LOCKED = "keyring locked"
    NO_BACKEND = "no keyring"
    ERROR = "keyring error"
    SESSION_ONLY = "this session only"


@dataclass(frozen=True)
class KeyStatus:
    """A key's state in words for people.

    Attributes:
        state: The state.
        backend_name: The keyring in human words ("macOS Keychain", "none", ...).
        message: What the state means.
        action: What to do next (empty when nothing is needed).
        detail: The keyring's own error text, for a support report. Never holds the key.
        masked_key: The key in masked form (`pk_live_abc…•••`) when one is known, else "".
    """

    state: KeyState
    backend_name: str
    message: str
    action: str
    detail: str = ""
    masked_key: str = ""

    @property
    def usable(self) -> bool:
        """True when a key can be used now (stored, or held for this session)."""
        return self.state in (KeyState.STORED, KeyState.SESSION_ONLY)


class KeyringUnavailable(Exception):
    """The keyring cannot be used now: locked, missing or failing. `status` says why."""

    def __init__(self, status: KeyStatus) -> None:
        super().__init__(f"{status.message} {status.action}".strip())
        self.status = status


# ----------------------------------------------------------------------------- backend facts

_NAMES = {
    "keyring.backends.SecretService": "GNOME Keyring (Secret Service)",
    "keyring.backends.libsecret": "GNOME Keyring (libsecret)",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Locker",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.fail": "none",
    "keyring.backends.null": "none",
}

_UNLOCK_ACTIONS = {
    "macOS Keychain": "Unlock the login keychain (open Keychain Access), then retry.",
    "KWallet": "Open KWallet and unlock your wallet, then retry.",
}
_DEFAULT_UNLOCK = "Unlock your keyring (log in again or open Passwords and Keys), then retry."
_NO_KEYRING_ACTION = ("Use the key for this session only, or ask IT to set up a system keyring "
                      "(GNOME Keyring, KWallet or KeePassXC) and try again.")


def _effective_backend(backend: KeyringBackend) -> KeyringBackend | None:
    """The backend that really stores keys: the first of a chain, or None for an empty chain."""
    if type(backend).__module__ == "keyring.backends.chainer":
        chained = list(getattr(backend, "backends", []))
        return chained[0] if chained else None
    return backend


def backend_name(backend: KeyringBackend | None) -> str:
    """The keyring's name as people know it ("GNOME Keyring (Secret Service)", "none", ...)."""
    real = _effective_backend(backend) if backend is not None else None
    if real is None:
        return "none"
    module = type(real).__module__
    for prefix, name in _NAMES.items():
        if module == prefix or module.startswith(prefix + "."):
            return name
    if _is_file_keyring(real):
        return "a plaintext file keyring"
    return str(getattr(real, "name", type(real).__name__))


def _is_file_keyring(backend: KeyringBackend) -> bool:
    """keyrings.alt's file backends: base64 or weakly encrypted files, not a keyring."""
    cls = type(backend)
    module = cls.__module__
    if module.startswith(("keyrings.alt.file", "keyrings.alt.pyfs")):
        return True
    return module.startswith("keyrings.alt") and any(
        word in cls.__name__ for word in ("Plaintext", "Encrypted", "File"))


def _platform_errors() -> tuple[type[BaseException], ...]:
    """Exception types that backends let through, without importing anything new."""
    found: list[type[BaseException]] = []
    for module_name, attr in (("secretstorage.exceptions", "SecretStorageException"),
                              ("jeepney.wrappers", "DBusErrorResponse"),
                              ("dbus.exceptions", "DBusException"),
                              ("keyring.backends.macOS.api", "Error"),
                              ("pywintypes", "error")):
        module = sys.modules.get(module_name)
        candidate = getattr(module, attr, None) if module is not None else None
        if isinstance(candidate, type) and issubclass(candidate, BaseException):
            found.append(candidate)
    return tuple(found)


def _describe(exc: BaseException, secret: str = "") -> str:
    text = f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__ or exc.__context__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" ({type(cause).__name__}: {cause})"
    return text.replace(secret, mask_key(secret)) if secret else text


def _status_for_error(exc: BaseException, name: str, secret: str = "") -> KeyStatus:
    """Tell a locked keyring from a missing one from a failing one."""
    from keyring import errors

    detail = _describe(exc, secret)
    lowered = detail.lower()
    cls_name = type(exc).__name__
    if isinstance(exc, errors.NoKeyringError):
        return _no_backend(name, detail)
    if isinstance(exc, errors.KeyringLocked | errors.InitError) or cls_name in (
            "LockedException", "PromptDismissedException") \
            or "prompt dismissed" in lowered or "locked" in lowered:
        return KeyStatus(
            KeyState.LOCKED, name,
            f"{_keyring_words(name)} is locked, so PacSpace Desktop cannot read or save "
            "the API key.",
            _UNLOCK_ACTIONS.get(name, _DEFAULT_UNLOCK), detail)
    unreachable = isinstance(exc, RuntimeError | FileNotFoundError | ConnectionError) \
        and not isinstance(exc, errors.KeyringError)
    if unreachable or cls_name == "SecretServiceNotAvailableException":
        return KeyStatus(
            KeyState.NO_BACKEND, name,
            "The system keyring service is not running or cannot be reached, so the API key "
            "cannot be stored.",
            "Log in to a desktop session with a keyring and retry, or use the key for this "
            "session only.", detail)
    return KeyStatus(
        KeyState.ERROR, name,
        f"{_keyring_words(name)} reported an error, so the API key could not be read or saved.",
        "Try again. If it keeps happening, restart the computer or send the details to IT.",
        detail)


def _keyring_words(name: str) -> str:
    return "The keyring" if name in ("", "none") else name


def _no_backend(name: str, detail: str = "") -> KeyStatus:
    return KeyStatus(
        KeyState.NO_BACKEND, "none" if name in ("", "none") else name,
        "No system keyring was found on this computer, so the API key cannot be stored.",
        _NO_KEYRING_ACTION, detail)
