"""`pacspace-desktop profile list|add|use|remove`: profiles for scripts and tests."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from pacspace_desktop.cli.main import EXIT_BAD_INPUT, EXIT_OK
from pacspace_desktop.cli.output import err, out

if TYPE_CHECKING:
    from pacspace_desktop.cli.main import Subparsers
    from pacspace_desktop.storage.settings import Profile, Settings, SettingsStore


def register(sub: Subparsers) -> None:
    """Add the `profile` command and its subcommands to the parser."""
    p = sub.add_parser("profile", help="list, add, choose or remove profiles")
    p.set_defaults(handler="pacspace_desktop.cli.profiles:run_profile")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = actions.add_parser("list", help="show the profiles (* marks the active one)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q = actions.add_parser("add", help="add a profile")
    q.add_argument("name")
    q.add_argument("--base-url", default=None, help="PacSpace's address")
    q.add_argument("--batch-size", type=int, default=None, help="items per request (1-100)")
    q.add_argument("--timeout", type=float, default=None, help="seconds to wait for an answer")
    q.add_argument("--sandbox", action="store_true", dest="for_sandbox",
                   help="a profile for the built-in local sandbox")
    q = actions.add_parser("use", help="make a profile the active one")
    q.add_argument("name")
    q = actions.add_parser("remove", help="remove a profile and its key in the keyring")
    q.add_argument("name")


def settings_store(args: argparse.Namespace) -> SettingsStore:
    """The settings file of this run (`--data-dir`, the environment, or the user folders)."""
    from pacspace_desktop.storage.paths import resolve_paths
    from pacspace_desktop.storage.settings import SettingsStore

    return SettingsStore(resolve_paths(getattr(args, "data_dir", None)).settings_file)


def pick_profile(settings: Settings, name: str | None) -> Profile | None:
    """The profile called `name` (or with that id), else the active profile when no name."""
    return settings.find(name) if name else settings.active()


def no_profile_message(name: str | None) -> str:
    """Why no profile was found, and what to do."""
    if name:
        return (f"There is no profile called “{name}”. See them with 'pacspace-desktop profile "
                "list', or add it with 'pacspace-desktop profile add NAME'.")
    return ("There is no profile yet. Store a key with 'pacspace-desktop key set' (it creates "
            "the profile “Default”), or add one with 'pacspace-desktop profile add NAME'.")


def describe_profile(profile: Profile, active: bool) -> str:
    """One line for `profile list`."""
    where = "built-in sandbox" if profile.kind == "sandbox" else profile.base_url
    key = profile.key_hint or "no key noted"
    env = f" ({profile.environment_hint.upper()})" if profile.environment_hint else ""
    return (f"{'*' if active else ' '} {profile.name}  [{profile.id}]  {where}  "
            f"{profile.batch_size} per request, {profile.timeout_s:g} s  key {key}{env}")


def run_profile(args: argparse.Namespace) -> int:
    """Run `profile ACTION`. Returns the exit code."""
    from pacspace_desktop.storage.settings import ProfileError, SettingsError

    store = settings_store(args)
    try:
        if args.action == "list":
            return _list(store, args.json)
        if args.action == "add":
            return _add(store, args)
        if args.action == "use":
            profile = store.set_active(args.name)
            out(f"“{profile.name}” is now the active profile.")
            return EXIT_OK
        return _remove(store, args.name)
    except (ProfileError, SettingsError) as exc:
        err(f"{exc} Nothing was changed.")
        return EXIT_BAD_INPUT


def _list(store: SettingsStore, as_json: bool) -> int:
    from dataclasses import asdict

    settings = store.load()
    if as_json:
        out(json.dumps([asdict(p) | {"active": p.id == settings.active_profile}
                        for p in settings.profiles], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not settings.profiles:
        out(no_profile_message(None))
        return EXIT_OK
    for p in settings.profiles:
        out(describe_profile(p, p.id == settings.active_profile))
    return EXIT_OK


def _add(store: SettingsStore, args: argparse.Namespace) -> int:
    from pacspace_desktop.cli.sandbox import SANDBOX_PROFILE_URL
    from pacspace_desktop.storage.settings import (
        DEFAULT_BASE_URL,
        DEFAULT_BATCH_SIZE,
        DEFAULT_TIMEOUT_S,
    )

    default_url = SANDBOX_PROFILE_URL if args.for_sandbox else DEFAULT_BASE_URL
    profile = store.add_profile(
        args.name, base_url=args.base_url or default_url,
        batch_size=DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size,
        timeout_s=DEFAULT_TIMEOUT_S if args.timeout is None else args.timeout,
        kind="sandbox" if args.for_sandbox else "pacspace")
    active = store.load().active_profile == profile.id
    if args.for_sandbox:
        out(f"Added the profile “{profile.name}”{' (active)' if active else ''}. It uses the "
            "sandbox's demo key; no key needs to be stored.")
        return EXIT_OK
    out(f"Added the profile “{profile.name}”{' (active)' if active else ''}. Store its key "
        f"with 'pacspace-desktop key set --profile \"{profile.name}\"'.")
    return EXIT_OK


def _remove(store: SettingsStore, name: str) -> int:
    from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyStore
    from pacspace_desktop.storage.settings import ProfileError

    settings = store.load()
    profile = settings.find(name)
    if profile is None:
        raise ProfileError(no_profile_message(name))
    keys = KeyStore()
    try:
        removed = keys.clear(profile.id)
    except KeyringUnavailable as exc:
        removed = False
        if profile.key_hint:
            err(f"The profile's key could not be removed from the keyring: {exc}")
    store.remove_profile(profile.id)
    note = " and its API key" if removed else ""
    out(f"Removed the profile “{profile.name}”{note}.")
    return EXIT_OK
