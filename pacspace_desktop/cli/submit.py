"""`pacspace-desktop submit`: send items from a file through the same path the app uses."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from pacspace_desktop.cli.history_location import TeamSettingsError, locate, open_location
from pacspace_desktop.cli.inputs import InputError, read_items
from pacspace_desktop.cli.main import (
    DEFAULT_BASE_URL,
    EXIT_BAD_INPUT,
)
from pacspace_desktop.cli.output import err, out
from pacspace_desktop.cli.profiles import no_profile_message, pick_profile, settings_store
from pacspace_desktop.domain.apikey import ApiKey, Environment, key_shape_problem
from pacspace_desktop.domain.catalogue import entry
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS
from pacspace_desktop.network.client import WriteClient
from pacspace_desktop.network.factory import TlsTrust, make_http_client
from pacspace_desktop.network.security import InsecureUrlError, check_base_url, is_loopback_host
from pacspace_desktop.storage.claims import KeysClaimed
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyState, KeyStore
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.records import NewRun, SubmissionRow
from pacspace_desktop.storage.settings import DEFAULT_TIMEOUT_S, Profile, SettingsError
from pacspace_desktop.submission.refusals import claim_refusal
from pacspace_desktop.submission.runner import (
    AttemptFinished,
    HistoryFailed,
    RequestReport,
    RunEvent,
    SubmissionRunner,
    Waiting,
)

API_KEY_ENV = "PACSPACE_API_KEY"
SANDBOX_BASE_URL = "http://127.0.0.1:8787"  # where `pacspace-desktop sandbox` listens by default


@dataclass(frozen=True)
class Target:
    """Where a run goes and with which key.

    Attributes:
        key: The API key.
        base_url: The checked base URL, without a trailing slash.
        profile: The profile's name ("command line" for PACSPACE_API_KEY without --profile).
        batch_size: Items per request.
        timeout: Seconds to wait for an answer.
        trust: The profile's certificate settings (CA bundle, the OS store), as the app uses.
    """

    key: ApiKey
    base_url: str
    profile: str
    batch_size: int
    timeout: float
    trust: TlsTrust | None = None


def choose_target(args: argparse.Namespace) -> Target | str:
    """The key, address and profile of this run, or what is wrong (in words) when none fits.

    `PACSPACE_API_KEY` wins when set; otherwise the key of the profile (`--profile NAME` or the
    active one) is read from the system keyring. `--base-url`, `--batch-size` and `--timeout`
    override the profile's settings.
    """
    secret = os.environ.get(API_KEY_ENV, "")
    profile: Profile | None = None
    if secret:
        problem = key_shape_problem(secret)
        if problem:
            return (f"The API key in {API_KEY_ENV} does not look right: {problem} "
                    "Nothing was sent.")
        key = ApiKey(secret)
        if args.profile:  # the profile's address and settings, with the key from the variable
            try:
                profile = pick_profile(settings_store(args).load(), args.profile)
            except SettingsError as exc:
                return f"{exc} Nothing was sent."
            if profile is None:
                return f"{no_profile_message(args.profile)} Nothing was sent."
    else:
        found = _profile_key(args)
        if isinstance(found, str):
            return found
        profile, key = found
    if profile is None:
        base_url, name = args.base_url or DEFAULT_BASE_URL, "command line"
        batch, timeout = DEFAULT_LIMITS.max_items, DEFAULT_TIMEOUT_S
    else:
        base_url = args.base_url or profile.base_url
        if profile.kind == "sandbox" and not args.base_url:
            from pacspace_desktop.cli.sandbox import sandbox_base_url

            base_url, note = sandbox_base_url(profile.base_url)
            if note:
                err(note)
        name, batch, timeout = profile.name, profile.batch_size, profile.timeout_s
    try:
        base_url = check_base_url(base_url)
    except InsecureUrlError as exc:
        return f"{exc} Nothing was sent."
    batch_size = args.batch_size or batch
    if not 1 <= batch_size <= DEFAULT_LIMITS.max_items:
        return f"--batch-size must be between 1 and {DEFAULT_LIMITS.max_items}. Nothing was sent."
    trust = (TlsTrust(profile.ca_bundle, profile.trust_system_store) if profile is not None
             else None)
    return Target(key, base_url, name, batch_size,
                  timeout if args.timeout is None else args.timeout, trust)


def _profile_key(args: argparse.Namespace) -> tuple[Profile, ApiKey] | str:
    """The profile and its key from the keyring, or what is wrong."""
    try:
        profile = pick_profile(settings_store(args).load(), args.profile)
    except SettingsError as exc:
        return f"{exc} Nothing was sent."
    if profile is None and args.profile:
        return f"{no_profile_message(args.profile)} Nothing was sent."
    if profile is None:
        return (f"No API key. Set {API_KEY_ENV} (the key is never taken from an argument, where "
                "other users of this computer could see it), or store a key in the system "
                "keyring with 'pacspace-desktop key set'. Nothing was sent.")
    if profile.kind == "sandbox":  # the sandbox's demo key: no keyring is needed
        from pacspace_desktop.sandbox import DEMO_API_KEY

        try:
            stored = KeyStore().get(profile.id)
        except KeyringUnavailable:
            stored = None
        return profile, stored or ApiKey(DEMO_API_KEY)
    try:
        key = KeyStore().get(profile.id)
    except KeyringUnavailable as exc:
        status = exc.status
        if status.state is KeyState.NO_BACKEND:  # this command only reads the key
            return ("No system keyring was found on this computer, so no stored API key can "
                    f"be read. Set {API_KEY_ENV} for this run (it is not stored anywhere). "
                    "Nothing was sent.")
        return (f"{status.message} {status.action} You can also set {API_KEY_ENV} for this "
                "run. Nothing was sent.")
    if key is None:
        return (f"No API key is stored for the profile “{profile.name}”. Store it with "
                f"'pacspace-desktop key set --profile \"{profile.name}\"', or set "
                f"{API_KEY_ENV}. Nothing was sent.")
    problem = key_shape_problem(key.reveal())
    if problem:
        return (f"The API key stored for the profile “{profile.name}” does not look right: "
                f"{problem} Store it again with 'pacspace-desktop key set'. Nothing was sent.")
    return profile, key


def run_submit(args: argparse.Namespace) -> int:
    """Validate, check history for keys sent before, send, and report. Returns the exit code."""
    target = choose_target(args)
    if isinstance(target, str):
        err(target)
        return EXIT_BAD_INPUT
    key, base_url, batch_size = target.key, target.base_url, target.batch_size
    try:
        given = read_items(Path(args.file), args.mapping, data_dir=args.data_dir)
    except InputError as exc:
        err(f"{exc} Nothing was sent.")
        return EXIT_BAD_INPUT
    if not given.items:
        err(f"No row of {args.file} can be sent; nothing was sent.")
        return EXIT_BAD_INPUT
    host = base_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    environment = Environment.SANDBOX if is_loopback_host(host) else key.environment
    try:
        where = locate(args, resolve_paths(args.data_dir).ensure())
        store = open_location(where)
    except TeamSettingsError as exc:
        err(f"{exc} Nothing was sent.")
        return EXIT_BAD_INPUT
    except (StorageError, OSError) as exc:
        err(f"{exc} Nothing was sent.")
        return EXIT_BAD_INPUT
    try:
        try:
            _report_recovered(store.recover_interrupted())
        except StorageError as exc:
            err(f"{exc} Nothing was sent.")
            return EXIT_BAD_INPUT
        run = NewRun(source=given.source, profile=target.profile,
                     environment=environment.value, base_url=base_url,
                     key_fingerprint=key.fingerprint, sent_by=where.sent_by)
        resend = {it.key for it in given.items} if args.resend_known_keys else set()
        try:
            code = asyncio.run(_send(store, key, base_url, given.items, run, batch_size,
                                     target.timeout, resend, target.trust))
        except KeysClaimed as exc:
            err(claim_refusal(exc.conflicts, RESEND_HINT))
            return EXIT_BAD_INPUT
        except HistoryFailed as exc:
            err(exc.text)
            return exc.exit_code
        if given.held_back:
            out(f"{given.held_back} row(s) with problems were held back and not sent.")
            return max(code, 1) if code != 3 else code
        return code
    finally:
        store.close()


RESEND_HINT = ("Remove those keys from the file, or add --resend-known-keys if they must count "
               "again (keys another send holds right now are never sent).")


def _report_recovered(unknown: Sequence[SubmissionRow]) -> None:
    """Say what a send that stopped unexpectedly left behind (it is never settled silently)."""
    if not unknown:
        return
    items = sum(r.item_count for r in unknown)
    err(f"A send that stopped unexpectedly left {len(unknown):,} request(s) with "
        f"{items:,} item(s) whose outcome is unknown; they stay held until they are checked "
        "on the server (the app's History page: Check on server). 'pacspace-desktop "
        "history' lists them.")


async def _send(store: HistoryStore, key: ApiKey, base_url: str, items: list[WriteItem],
                run: NewRun, batch_size: int, answer_timeout: float,
                resend: Collection[str], trust: TlsTrust | None = None) -> int:
    async with make_http_client(answer_timeout, base_url=base_url, trust=trust) as http:
        # the run is recorded, and its outcomes, on a connection and thread of their own: the
        # next request's mark reaches the disk while one is on its way (submission.outbox)
        runner = SubmissionRunner(store, WriteClient(http, base_url, key),
                                  opener=store.opener())
        total_requests = -(-len(items) // batch_size)

        def on_event(event: RunEvent) -> None:
            if isinstance(event, RequestReport):
                out(describe_request(event, total_requests))
            elif isinstance(event, Waiting):
                out(f"request {event.seq + 1}: {entry(event.wait.reason).title}; trying "
                    f"again in {event.wait.seconds:.1f} s (attempt {event.wait.attempt})")
            elif isinstance(event, AttemptFinished) and event.attempt.status_code is None \
                    and event.attempt.server_message:
                err(f"request {event.seq + 1}: {event.attempt.server_message}")

        report = await runner.run(items, run, batch_size, on_event, resend)
    out(f"Done: {report.accepted} accepted, {report.rejected} rejected, "
        f"{report.unknown} outcome unknown, {report.not_sent} not sent "
        f"(of {len(items)} items in {len(report.requests)} requests).")
    if report.unknown:
        out("Some outcomes are unknown: check on the server before sending those items again.")
    return report.exit_code


def describe_request(r: RequestReport, total: int) -> str:
    """One line for one request: its Request ID, or the catalogue's title and next step."""
    head = f"request {r.seq + 1}/{total} ({len(r.items)} items):"
    if r.request_id:
        return f"{head} accepted — Request ID {r.request_id}"
    e = r.entry
    line = f"{head} {e.title}. Written: {e.written.label}. {e.next_step_text}"
    details = []
    if r.status_code:
        details.append(f"HTTP {r.status_code}")
    if r.server_message:
        details.append(r.server_message)
    if r.retry_at:
        details.append(f"try again at {r.retry_at.astimezone():%H:%M}")
    return f"{line} [{'; '.join(details)}]" if details else line
