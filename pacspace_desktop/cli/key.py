"""`pacspace-desktop key set|status|clear`: the API key of a profile in the system keyring."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from pacspace_desktop.cli.main import EXIT_BAD_INPUT, EXIT_OK, EXIT_REJECTED
from pacspace_desktop.cli.output import err, out
from pacspace_desktop.cli.profiles import no_profile_message, pick_profile, settings_store

if TYPE_CHECKING:
    from pacspace_desktop.cli.main import Subparsers
    from pacspace_desktop.storage.keystore import KeyStatus

DEFAULT_PROFILE_NAME = "Default"


def register(sub: Subparsers) -> None:
    """Add the `key` command and its subcommands to the parser."""
    p = sub.add_parser("key", help="store, check or remove the API key in the system keyring")
    p.set_defaults(handler="pacspace_desktop.cli.key:run_key")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("set", "store the key, read from standard input (hidden when typed)"),
                       ("status", "show whether a key is stored (exit 0 only when it is)"),
                       ("clear", "remove the key from the keyring")):
        q = actions.add_parser(name, help=text)
        q.add_argument("--profile", metavar="NAME",
                       help="the profile (default: the active profile)")


def run_key(args: argparse.Namespace) -> int:
    """Run `key ACTION`. Returns the exit code."""
    if args.action == "set":
        return _set(args)
    if args.action == "status":
        return _status(args)
    return _clear(args)


def read_secret() -> str:
    """The key from standard input: a hidden prompt on a terminal, else one line.

    Only the line break at the end is removed, so that a stray space is reported, not hidden.
    """
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Paste the API key (it will not be shown) and press Enter: ")
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


def _set(args: argparse.Namespace) -> int:
    from pacspace_desktop.domain.apikey import key_shape_problem
    from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyStore
    from pacspace_desktop.storage.settings import (
        Profile,
        ProfileError,
        SettingsError,
        slugify,
    )

    store = settings_store(args)
    try:
        settings = store.load()
    except SettingsError as exc:
        err(f"{exc} The key was not stored.")
        return EXIT_BAD_INPUT
    profile = pick_profile(settings, args.profile)
    if profile is None and (args.profile or settings.profiles):
        err(f"{no_profile_message(args.profile)} The key was not stored.")
        return EXIT_BAD_INPUT
    if profile is None:
        profile = Profile(id=slugify(DEFAULT_PROFILE_NAME), name=DEFAULT_PROFILE_NAME)
        settings.profiles.append(profile)
    try:
        secret = read_secret()
    except (EOFError, KeyboardInterrupt):
        err("No key was entered. The key was not stored.")
        return EXIT_BAD_INPUT
    problem = key_shape_problem(secret)
    if problem:
        err(f"{problem} The key was not stored.")
        return EXIT_BAD_INPUT
    keys = KeyStore()
    try:
        key = keys.set(profile.id, secret)
    except KeyringUnavailable as exc:
        _explain(exc.status, "The key was not stored (it is never written to a file).")
        return EXIT_BAD_INPUT
    profile.remember_key(key)
    if settings.active() is None:
        settings.active_profile = profile.id
    try:
        store.save(settings)
    except (SettingsError, ProfileError) as exc:
        err(f"The key is stored in the keyring, but the settings could not be saved: {exc}")
        return EXIT_BAD_INPUT
    out(f"The API key {key.masked} ({key.environment.label}) is stored in "
        f"{keys.backend_name} for the profile “{profile.name}”.")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from pacspace_desktop.storage.keystore import KeyState, KeyStore
    from pacspace_desktop.storage.settings import SettingsError

    try:
        profile = pick_profile(settings_store(args).load(), args.profile)
    except SettingsError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    if profile is None:
        err(no_profile_message(args.profile))
        return EXIT_REJECTED
    status = KeyStore().status(profile.id)
    out(f"Profile:  {profile.name}")
    out(f"Keyring:  {status.backend_name}")
    out(f"State:    {status.state.value}")
    if status.masked_key:
        out(f"Key:      {status.masked_key}")
    out(status.message)
    if status.state is KeyState.NOT_STORED:
        out("Store it with 'pacspace-desktop key set"
            f"{_profile_flag(args.profile)}' (the key is read from standard input).")
    elif status.state is KeyState.NO_BACKEND:
        out(ENV_HINT)
    elif status.action:
        out(status.action)
    if status.detail:
        out(f"Details:  {status.detail}")
    return EXIT_OK if status.state is KeyState.STORED else EXIT_REJECTED


def _clear(args: argparse.Namespace) -> int:
    from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyStore
    from pacspace_desktop.storage.settings import ProfileError, SettingsError

    store = settings_store(args)
    try:
        settings = store.load()
    except SettingsError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    profile = pick_profile(settings, args.profile)
    if profile is None:
        err(no_profile_message(args.profile))
        return EXIT_BAD_INPUT
    keys = KeyStore()
    try:
        removed = keys.clear(profile.id)
    except KeyringUnavailable as exc:
        _explain(exc.status, "The key was not removed.")
        return EXIT_BAD_INPUT
    if profile.key_hint:
        profile.remember_key(None)
        try:
            store.save(settings)
        except (SettingsError, ProfileError) as exc:
            err(f"The key was removed, but the settings could not be saved: {exc}")
            return EXIT_BAD_INPUT
    if removed:
        out(f"The API key of the profile “{profile.name}” was removed from "
            f"{keys.backend_name}.")
    else:
        out(f"No API key was stored for the profile “{profile.name}”; nothing to remove.")
    return EXIT_OK


ENV_HINT = ("Ask IT to set up a system keyring (GNOME Keyring, KWallet or KeePassXC). Until "
            "then, set PACSPACE_API_KEY for a single run of 'pacspace-desktop submit'; it is "
            "not stored anywhere.")


def _explain(status: KeyStatus, outcome: str) -> None:
    from pacspace_desktop.storage.keystore import KeyState

    err(f"{status.message} {outcome}")
    # The app's "use it for this session only" means nothing to a command that ends now.
    err(ENV_HINT if status.state is KeyState.NO_BACKEND else status.action)
    if status.detail:
        err(f"Details: {status.detail}")


def _profile_flag(name: str | None) -> str:
    return f' --profile "{name}"' if name else ""
