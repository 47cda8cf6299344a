"""Profiles and preferences in a JSON settings file (never the API key)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.urls import base_url_problem, normalise_base_url

FORMAT_VERSION = 1
DEFAULT_BASE_URL = "https://balance-api.pacspace.io"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_BATCH_SIZE = 100
DEFAULT_SETTLE_MINUTES = 10.0  # see history_query.DEFAULT_SETTLE
MAX_SETTLE_MINUTES = 24 * 60
MAX_BATCH_SIZE = 100
MAX_NAME_LENGTH = 60
ProfileKind = Literal["pacspace", "sandbox"]
UiValue = str | int | bool

# Only the masked form of a key may be written: prefix, up to three characters, "…•••".
_MASKED = re.compile(r"^(pk_(live|test)_[^.\s]{0,3})?…?•••$")


class SettingsError(Exception):
    """The settings file cannot be read or written; the message says what to do.

    Attributes:
        backup: Where a copy of an unreadable file was kept, if one was made.
    """

    def __init__(self, message: str, backup: Path | None = None) -> None:
        super().__init__(message)
        self.backup = backup


class ProfileError(ValueError):
    """A profile's fields are not acceptable; the message says what to fix."""


@dataclass
class Profile:
    """Where and how to send: one PacSpace account or the built-in sandbox.

    Attributes:
        id: Stable slug; the keyring account of the profile's key.
        name: What people call it ("Company live").
        base_url: PacSpace's address (ignored for the sandbox, whose address is decided when
            it starts).
        timeout_s: Seconds to wait for an answer.
        batch_size: Items per request, 1-100.
        kind: "pacspace", or "sandbox" for the built-in local sandbox.
        key_hint: The stored key in masked form (`pk_live_abc…•••`) or "". Never the key.
        environment_hint: "live", "test", "sandbox" or "", for the badge without the keyring.
        settle_minutes: How long after a send a check that finds nothing may be taken to mean
            "not written" (PacSpace queues writes before they can be read).
        ca_bundle: A PEM file of extra certificate authorities (a company's TLS-inspecting
            proxy), or "" for none.
        trust_system_store: Also trust the operating system's certificate store.
    """

    id: str
    name: str
    base_url: str = DEFAULT_BASE_URL
    timeout_s: float = DEFAULT_TIMEOUT_S
    batch_size: int = DEFAULT_BATCH_SIZE
    kind: ProfileKind = "pacspace"
    key_hint: str = ""
    environment_hint: str = ""
    settle_minutes: float = DEFAULT_SETTLE_MINUTES
    ca_bundle: str = ""
    trust_system_store: bool = False

    def remember_key(self, key: ApiKey | None) -> None:
        """Note the masked form and environment of the profile's key (None: no key)."""
        self.key_hint = key.masked if key else ""
        if key is None:
            self.environment_hint = "sandbox" if self.kind == "sandbox" else ""
        else:
            self.environment_hint = "sandbox" if self.kind == "sandbox" \
                else key.environment.value


@dataclass
class Settings:
    """Everything in the settings file.

    Attributes:
        profiles: The profiles, in the order people see them.
        active_profile: The id of the profile in use, or None.
        ui: Window geometry and other view state (str, int or bool values).
        format_version: The file format, for later migrations.
    """

    profiles: list[Profile] = field(default_factory=list)
    active_profile: str | None = None
    ui: dict[str, UiValue] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def find(self, name_or_id: str) -> Profile | None:
        """The profile with this id, or with this name (case does not matter)."""
        for p in self.profiles:
            if p.id == name_or_id:
                return p
        wanted = name_or_id.strip().casefold()
        return next((p for p in self.profiles if p.name.casefold() == wanted), None)

    def active(self) -> Profile | None:
        """The profile in use, or None when there is none."""
        if self.active_profile is None:
            return None
        return next((p for p in self.profiles if p.id == self.active_profile), None)


def slugify(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A stable id from a name: lower case, letters, digits and dashes, unique among `taken`."""
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:40] or "profile"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def profile_problem(profile: Profile, others: list[Profile]) -> str | None:
    """What is wrong with a profile, in plain words, or None.

    Args:
        profile: The profile to check.
        others: The other profiles (for unique names).
    """
    name = profile.name.strip()
    if not name:
        return "Give the profile a name, for example “Company live”."
    if len(name) > MAX_NAME_LENGTH:
        return f"Keep the profile name under {MAX_NAME_LENGTH} characters."
    if any(o.name.strip().casefold() == name.casefold() for o in others):
        return f"A profile called “{name}” already exists. Choose another name."
    if profile.kind not in ("pacspace", "sandbox"):
        return "A profile is either for PacSpace or for the local sandbox."
    if profile.kind == "pacspace":
        problem = base_url_problem(profile.base_url)
        if problem:
            return problem
    if isinstance(profile.timeout_s, bool) or not 1 <= profile.timeout_s <= 300:
        return "The time to wait for an answer must be between 1 and 300 seconds."
    if isinstance(profile.batch_size, bool) or not isinstance(profile.batch_size, int) \
            or not 1 <= profile.batch_size <= MAX_BATCH_SIZE:
        return f"Items per request must be a whole number from 1 to {MAX_BATCH_SIZE}."
    if isinstance(profile.settle_minutes, bool) \
            or not isinstance(profile.settle_minutes, int | float) \
            or not 0 <= profile.settle_minutes <= MAX_SETTLE_MINUTES:
        return (f"The time before “not found” counts must be between 0 and "
                f"{MAX_SETTLE_MINUTES:,} minutes.")
    if profile.key_hint and not _MASKED.match(profile.key_hint):
        # A guard against a programming error: only the masked form may reach the file.
        return "Only the masked form of a key may be saved in the settings."
    if profile.environment_hint not in ("", "live", "test", "sandbox"):
        return "The environment must be live, test or sandbox."
    if not isinstance(profile.ca_bundle, str) or not isinstance(profile.trust_system_store, bool):
        return "The certificate settings must be a file name and yes or no."
    return None


class SettingsStore:
    """Reads and atomically writes the settings file.

    The helpers (`add_profile`, ...) read the file, change it, check the result and save it,
    so the file stays the one source of truth for the app and the command line alike.

    Args:
        path: The settings file (usually `AppPaths.settings_file`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"SettingsStore({str(self.path)!r})"

    def load(self) -> Settings:
        """The settings; empty ones when the file does not exist yet.

        Raises:
            SettingsError: when the file cannot be read or makes no sense. A copy of an
                unreadable file is kept beside it (`settings.json.broken-<time>`); the file
                itself is left as it is.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            raise SettingsError(
                f"The settings file {self.path} cannot be read ({exc.strerror or exc}). "
                "Check that the folder belongs to you, then start again.") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
            return _from_json(data)
        except _NewerFormat as exc:
            raise SettingsError(
                f"The settings file {self.path} was written by a newer version of PacSpace "
                f"Desktop (format {exc}). Update PacSpace Desktop to use it.") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            backup = self._keep_copy()
            raise SettingsError(
                f"The settings file {self.path} is damaged and cannot be read ({exc}). "
                f"A copy was kept as {backup.name}. Your profiles must be set up again; "
                "the API keys are still in the keyring.", backup) from exc

    def save(self, settings: Settings) -> None:
        """Write the settings atomically (temporary file, fsync, rename), readable by you only.

        Raises:
            ProfileError: when a profile is not acceptable.
            SettingsError: when the file cannot be written.
        """
        for i, profile in enumerate(settings.profiles):
            problem = profile_problem(profile, settings.profiles[:i])
            if problem:
                raise ProfileError(problem)
        text = json.dumps(_to_json(settings), ensure_ascii=False, indent=2) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp_name = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-",
                                            suffix=".tmp")
        except OSError as exc:
            raise SettingsError(self._write_failed(exc)) from exc
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                if hasattr(os, "fchmod"):
                    os.fchmod(fh.fileno(), 0o600)
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise SettingsError(self._write_failed(exc)) from exc

    # -- helpers: read, change, check, save

    def add_profile(self, name: str, *, base_url: str = DEFAULT_BASE_URL,
                    timeout_s: float = DEFAULT_TIMEOUT_S,
                    batch_size: int = DEFAULT_BATCH_SIZE, kind: ProfileKind = "pacspace",
                    make_active: bool | None = None) -> Profile:
        """Add a profile; the first one becomes active unless `make_active` is False.

        Raises:
            ProfileError: with what to fix. SettingsError: when the file cannot be used.
        """
        settings = self.load()
        profile = Profile(id=slugify(name, {p.id for p in settings.profiles}),
                          name=name.strip(), base_url=normalise_base_url(base_url),
                          timeout_s=timeout_s, batch_size=batch_size, kind=kind)
        if kind == "sandbox":
            profile.environment_hint = "sandbox"
        problem = profile_problem(profile, settings.profiles)
        if problem:
            raise ProfileError(problem)
        settings.profiles.append(profile)
        if make_active or (make_active is None and settings.active() is None):
            settings.active_profile = profile.id
        self.save(settings)
        return profile

    def update_profile(self, profile_id: str, **changes: Any) -> Profile:
        """Change fields of a profile (not its id).

        Raises:
            ProfileError: for an unknown profile, an unknown field or a value to fix.
        """
        settings = self.load()
        profile = self._require(settings, profile_id)
        allowed = {f.name for f in fields(Profile)} - {"id"}
        for key, value in changes.items():
            if key not in allowed:
                raise ProfileError(f"A profile has no setting called “{key}”.")
            if key == "base_url":
                value = normalise_base_url(str(value))
            if key == "ca_bundle" and isinstance(value, str):
                value = value.strip()
                if value and not Path(value).expanduser().is_file():
                    # checked when chosen only: a bundle removed later fails sends, in words
                    raise ProfileError(f"The CA bundle “{value}” is not a file. Choose the "
                                       ".pem file your IT department gave you, or leave it "
                                       "empty.")
            setattr(profile, key, value)
        problem = profile_problem(profile, [p for p in settings.profiles if p is not profile])
        if problem:
            raise ProfileError(problem)
        self.save(settings)
        return profile

    def remove_profile(self, profile_id: str) -> Profile:
        """Remove a profile; if it was active, the first remaining one becomes active.

        The caller removes the profile's key from the keyring.
        """
        settings = self.load()
        profile = self._require(settings, profile_id)
        settings.profiles.remove(profile)
        if settings.active_profile == profile.id:
            settings.active_profile = settings.profiles[0].id if settings.profiles else None
        self.save(settings)
        return profile

    def set_active(self, profile_id: str) -> Profile:
        """Make a profile (by id or name) the one in use."""
        settings = self.load()
        profile = self._require(settings, profile_id)
        settings.active_profile = profile.id
        self.save(settings)
        return profile

    def active(self) -> Profile | None:
        """The profile in use, or None."""
        return self.load().active()

    # -- internals

    @staticmethod
    def _require(settings: Settings, name_or_id: str) -> Profile:
        profile = settings.find(name_or_id)
        if profile is None:
            raise ProfileError(f"There is no profile called “{name_or_id}”.")
        return profile

    def _keep_copy(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        n = 2
        while backup.exists():
            backup = self.path.with_name(f"{self.path.name}.broken-{stamp}-{n}")
            n += 1
        with contextlib.suppress(OSError):
            shutil.copy2(self.path, backup)
        return backup

    def _write_failed(self, exc: OSError) -> str:
        return (f"The settings could not be saved to {self.path} ({exc.strerror or exc}). "
                "Check that the disk is not full and the folder belongs to you, then try "
                "again.")


class _NewerFormat(Exception):
    """The file's format is newer than this version understands."""


def _to_json(settings: Settings) -> dict[str, Any]:
    return {
        "format_version": settings.format_version,
        "active_profile": settings.active_profile,
        "profiles": [asdict(p) for p in settings.profiles],
        "ui": dict(settings.ui),
    }


def _from_json(data: Any) -> Settings:
    if not isinstance(data, dict):
        raise ValueError("the file does not hold settings")
    version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("format_version is not a number")
    if version > FORMAT_VERSION:
        raise _NewerFormat(str(version))
    known = {f.name: f for f in fields(Profile)}
    profiles: list[Profile] = []
    for entry in data.get("profiles", []):
        if not isinstance(entry, dict):
            raise ValueError("a profile is not an object")
        values = {k: v for k, v in entry.items() if k in known}
        profile = Profile(**values)
        if not isinstance(profile.id, str) or not isinstance(profile.name, str) \
                or not isinstance(profile.base_url, str):
            raise ValueError("a profile's id, name or address is not text")
        if isinstance(profile.timeout_s, int) and not isinstance(profile.timeout_s, bool):
            profile.timeout_s = float(profile.timeout_s)
        profiles.append(profile)
    active = data.get("active_profile")
    if active is not None and not isinstance(active, str):
        raise ValueError("active_profile is not text")
    ui = data.get("ui", {})
    if not isinstance(ui, dict) or not all(
            isinstance(v, str | int | bool) for v in ui.values()):
        raise ValueError("the window settings are not simple values")
    return Settings(profiles=profiles, active_profile=active,
                    ui=cast(dict[str, UiValue], ui), format_version=FORMAT_VERSION)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
