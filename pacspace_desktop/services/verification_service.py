"""Learning which accepted items PacSpace verified: paced background reads and the receiver.

Background reads ask `GET /api/v1/reads/bucket/{key}` about recent items that still wait, one
key at a time, within the budget the person chose (off / gentle / on demand). They never run
while a send is under way: a read already on its way when a send starts is the most a send can
be held up by. A 429 pauses them for as long as PacSpace asks (`retryAfterSeconds`). The webhook
receiver (off by default) is started and stopped here; its deliveries are checked and stored
by `WebhookIntake` in the receiver's threads, and this service tells the pages what changed.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from pacspace_desktop.domain.catalogue import entry
from pacspace_desktop.network.reads import ReadResult
from pacspace_desktop.network.webhook_server import WebhookServer, is_loopback, tls_context
from pacspace_desktop.network.webhooks import secret_problem
from pacspace_desktop.services.history_checks import check_record, retry_after_seconds
from pacspace_desktop.services.history_service import Reader
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.services.verification_parts import DEFAULT_PACING, Pacing, ReceiverStatus
from pacspace_desktop.services.webhook_intake import (
    WebhookIntake,
    apply_overtaken,
    receiver_warning,
)
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.db import StorageError, connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import HistoryQuery
from pacspace_desktop.storage.keystore import KeyringUnavailable, KeyStore
from pacspace_desktop.storage.verification_settings import (
    ReadBudget,
    ReceiverSettings,
    VerificationSettings,
    VerificationSettingsStore,
)
from pacspace_desktop.storage.webhook_log import DeliveryOutcome, DeliveryRecord, WebhookInbox

log = logging.getLogger(__name__)


class VerificationService(QObject):
    """Background reads and the webhook receiver.

    Signals:
        items_changed(object): `list[int]` submissions whose items' verification changed.
        waiting_changed(int, int): items still waiting for verification, and items failed.
        reads_changed(str): what the background reads are doing, in words.
        warning_found(str): a "written twice?" warning for a record key.
        deliveries_changed(): a delivery was recorded (the log reloads).
        receiver_changed(object): the `ReceiverStatus`.
        failed(str): something could not be done; the message is in plain words.
    """

    items_changed = Signal(object)
    waiting_changed = Signal(int, int)
    reads_changed = Signal(str)
    warning_found = Signal(str)
    deliveries_changed = Signal()
    receiver_changed = Signal(object)
    failed = Signal(str)
    _delivered = Signal(str, object)  # from a receiver thread, queued to this object's thread

    def __init__(self, store: HistoryStore, settings: VerificationSettingsStore, keys: KeyStore,
                 reader: Reader | None = None, environment: str = "", *,
                 pacing: Pacing = DEFAULT_PACING, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._settings_store = settings
        self._settings = settings.load()
        self._keys = keys
        self._reader = reader
        self._environment = environment
        self._pacing = pacing
        self._task: asyncio.Task[None] | None = None
        self._demand = False
        self._started = False  # background reads begin with start(), not while wiring up
        self._holds: set[str] = set()  # what background reads give way to ("send", "check")
        self._idle: asyncio.Event | None = None
        self._server: WebhookServer | None = None
        self._intake: WebhookIntake | None = None
        self._status = ReceiverStatus(False, "", "The receiver is off.")
        self._delivered.connect(self._on_delivered)

    # --- settings ----------------------------------------------------------------------------

    @property
    def settings(self) -> VerificationSettings:
        """The current settings."""
        return self._settings

    def set_read_budget(self, budget: ReadBudget) -> None:
        """Change how much the app reads in the background (saved)."""
        self._save(VerificationSettings(budget, self._settings.receiver))
        self._restart_reads()

    def _save(self, settings: VerificationSettings) -> None:
        self._settings = settings
        try:
            self._settings_store.save(settings)
        except OSError as exc:
            self.failed.emit(f"The verification settings could not be saved: {exc}. They "
                             "apply until the app closes.")

    # --- counts and the log ------------------------------------------------------------------

    def waiting(self) -> tuple[int, int]:
        """Items waiting for verification, and items whose verification failed."""
        try:
            return verification.waiting_total(self._store.connection)
        except sqlite3.Error:  # a count must never break the status bar
            log.exception("could not count waiting items")
            return 0, 0

    def refresh(self) -> None:
        """Recount (after a send), apply webhooks that overtook their 202, and let the
        background reads look for new work."""
        self.apply_overtaken()
        self.waiting_changed.emit(*self.waiting())
        if self._task is None or self._task.done():
            self._restart_reads()

    def apply_overtaken(self) -> None:
        """Apply stored events whose Request ID was not yet recorded when they came."""
        try:
            changed = apply_overtaken(WebhookInbox(self._store.connection))
        except (StorageError, sqlite3.Error) as exc:
            self.failed.emit(f"A webhook could not be applied: {exc}")
            return
        if changed:
            self.items_changed.emit(changed)
            self.deliveries_changed.emit()

    def deliveries(self, limit: int = 500) -> list[DeliveryRecord]:
        """The latest webhook deliveries, newest first."""
        return WebhookInbox(self._store.connection).recent(limit)

    # --- background reads --------------------------------------------------------------------

    def set_reader(self, reader: Reader | None, environment: str) -> None:
        """Read with another profile's key and environment (None: no reads possible)."""
        self._reader, self._environment = reader, environment
        self._restart_reads()

    def send_started(self, reason: str = "send") -> None:
        """A send (or a person's check on the server) begins: background reads hold back."""
        self._holds.add(reason)
        if self._idle is not None:
            self._idle.clear()

    def send_finished(self, reason: str = "send") -> None:
        """It ended (or never started): background reads go on when nothing else holds them."""
        self._holds.discard(reason)
        if self._idle is not None and not self._holds:
            self._idle.set()

    def check_now(self) -> bool:
        """Read every waiting key once now, at a modest pace (whatever the budget)."""
        if self._reader is None:
            self.failed.emit("Checking needs the API key of the active profile. Add a key in "
                             "Settings, then check again.")
            return False
        self._demand = True
        self._restart_reads()
        return True

    @property
    def reading(self) -> bool:
        """True while the background reads run."""
        return self._task is not None and not self._task.done()

    def _restart_reads(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        budget = self._settings.reads
        if self._reader is None or (not self._demand and (
                not self._started or budget in (ReadBudget.OFF, ReadBudget.ON_DEMAND))):
            self.reads_changed.emit(self._idle_words())
            return
        self._task = start_task(self._reads(self._reader, self._environment, self._demand),
                                name="reading verifications")

    def reads_words(self) -> str:
        """What the background checks do now, in words (before any `reads_changed`)."""
        return "Background checks are running." if self.reading else self._idle_words()

    def _idle_words(self) -> str:
        if self._reader is None:
            return "Background checks need the API key of the active profile."
        if self._settings.reads is ReadBudget.OFF:
            return "Background checks are off."
        if self._settings.reads is ReadBudget.ON_DEMAND:
            return "Background checks run when you press Check verifications now."
        return "Background checks are waiting."

    async def _reads(self, reader: Reader, environment: str, demand: bool) -> None:
        if self._idle is None:
            self._idle = asyncio.Event()
            if not self._holds:
                self._idle.set()
        pace = self._pacing.demand_s if demand else self._pacing.gentle_s
        started = datetime.now(UTC)
        done = 0
        try:
            while True:
                await self._idle.wait()  # never while a send runs
                now = datetime.now(UTC)
                before = started if demand else now - self._pacing.min_gap
                targets = verification.read_targets(self._store.connection, environment, now,
                                                    before, self._pacing.window, limit=1)
                if not targets:
                    if demand:
                        self.reads_changed.emit(f"Checked {done} record key(s); nothing else "
                                                "waits to be checked now.")
                        return
                    self.reads_changed.emit("Background checks: nothing waits to be checked.")
                    await asyncio.sleep(self._pacing.idle_s)
                    continue
                target = targets[0]
                self.reads_changed.emit(f"Asking PacSpace about {target.key}…")
                result = await reader(target.key)
                if result.status_code == 429:
                    # PacSpace's limit is shared with sending: back off, and read slower.
                    wait = retry_after_seconds(result, default=pace or 1.0)
                    pace = min(max(pace * 2, 1.0), self._pacing.gentle_s)
                    self.reads_changed.emit(f"PacSpace asked to slow down; background checks "
                                            f"go on in {wait:.0f} s.")
                    await asyncio.sleep(wait)
                    continue
                if result.kind is not None and entry(result.kind).stops_run:
                    self.reads_changed.emit(f"Background checks stopped: "
                                            f"{entry(result.kind).title}.")
                    return
                self._record(target, result)
                done += 1
                await asyncio.sleep(pace)
        finally:
            if demand:
                self._demand = False

    def _record(self, target: verification.ReadTarget, result: ReadResult) -> None:
        bucket = result.bucket
        verified = bool(bucket and bucket.verified)
        warning = verification.twice_warning(bucket.total_writes if bucket else None, target)
        check = check_record(result)
        try:
            if result.found is not None:
                for item_id in target.item_ids:
                    self._store.record_check(item_id, result.checked_at, check,
                                             verified=verified)
            clear = result.found is not None  # no clear answer: keep what was known
            verification.write(self._store.connection, lambda conn: verification.record_read(
                conn, target, result.checked_at, verified, warning if clear else None))
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        if warning:
            self.warning_found.emit(f"{target.key}: {warning}")
        self.items_changed.emit(list(target.submission_ids))
        self.waiting_changed.emit(*self.waiting())

    # --- the receiver ------------------------------------------------------------------------

    @property
    def receiver_status(self) -> ReceiverStatus:
        """Whether the receiver listens, and where."""
        return self._status

    def has_secret(self) -> bool | None:
        """True when a signing secret is stored; None when the keyring cannot be read."""
        try:
            return self._keys.webhook_secret() is not None
        except KeyringUnavailable:
            return None

    def store_secret(self, secret: str) -> bool:
        """Keep the signing secret in the keyring (and use it from now on)."""
        problem = secret_problem(secret)
        if problem:
            self.failed.emit(problem)
            return False
        try:
            self._keys.set_webhook_secret(secret.strip())
        except (ValueError, KeyringUnavailable) as exc:
            self.failed.emit(f"The signing secret was not stored: {exc}")
            return False
        if self._server is not None:
            self.start_receiver()
        return True

    def clear_secret(self) -> None:
        """Remove the signing secret from the keyring (deliveries are refused after that)."""
        try:
            self._keys.clear_webhook_secret()
        except KeyringUnavailable as exc:
            self.failed.emit(f"The signing secret could not be removed: {exc}")
        if self._server is not None:
            self.start_receiver()

    def apply_receiver(self, receiver: ReceiverSettings) -> None:
        """Save the receiver's settings and start or stop it accordingly."""
        self._save(VerificationSettings(self._settings.reads, receiver))
        if receiver.enabled:
            self.start_receiver()
        else:
            self.stop_receiver()

    def start_receiver(self) -> bool:
        """(Re)start listening with the saved settings. False (with the reason) if it cannot."""
        self.stop_receiver(quiet=True)
        rec = self._settings.receiver
        db = HistoryQuery.of(self._store).database_path()
        try:
            secret = self._keys.webhook_secret()
        except KeyringUnavailable as exc:
            return self._not_listening(f"The keyring cannot be read, so no signing secret is "
                                       f"available: {exc}")
        remote = not is_loopback(rec.host)
        if remote and not rec.allow_remote:
            return self._not_listening(f"{rec.host} is not this computer. Tick “Listen on "
                                       "other addresses” to allow it.")
        try:
            tls = tls_context(rec.cert_file, rec.key_file) if rec.cert_file else None
            inbox = WebhookInbox(connect(Path(db)))
        except (OSError, ValueError, StorageError) as exc:
            return self._not_listening(f"The receiver cannot start: {exc}")
        intake = WebhookIntake(inbox, secret, lambda o, s: self._delivered.emit(o.value, s))
        try:
            server = WebhookServer(rec.host, rec.port, intake, allow_remote=rec.allow_remote,
                                   tls=tls).start()
        except (OSError, ValueError) as exc:
            intake.close()
            return self._not_listening(f"The receiver cannot listen on {rec.host}:{rec.port}: "
                                       f"{exc}. Choose another port.")
        self._server, self._intake = server, intake
        self._set_status(ReceiverStatus(True, server.url, f"Listening on {server.url}",
                                        receiver_warning(rec.host, tls is not None,
                                                         bool(secret))))
        return True

    def stop_receiver(self, quiet: bool = False) -> None:
        """Stop listening."""
        server, intake = self._server, self._intake
        self._server = self._intake = None
        if server is not None:
            server.stop()
        if intake is not None:
            intake.close()
        if not quiet:
            self._set_status(ReceiverStatus(False, "", "The receiver is off."))

    def _not_listening(self, why: str) -> bool:
        self._set_status(ReceiverStatus(False, "", why))
        self.failed.emit(why)
        return False

    def _set_status(self, status: ReceiverStatus) -> None:
        self._status = status
        self.receiver_changed.emit(status)

    def _on_delivered(self, outcome: str, submission_ids: object) -> None:
        self.deliveries_changed.emit()
        if outcome == DeliveryOutcome.ACCEPTED.value and isinstance(submission_ids, tuple):
            self.items_changed.emit(list(submission_ids))
            self.waiting_changed.emit(*self.waiting())

    def start(self) -> None:
        """Start what the settings ask for (the receiver, the background reads)."""
        self._started = True
        self.apply_overtaken()
        if self._settings.receiver.enabled:
            self.start_receiver()
        self._restart_reads()
        self.waiting_changed.emit(*self.waiting())

    def shutdown(self) -> None:
        """Stop the receiver and the background reads (at exit)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.stop_receiver(quiet=True)


__all__ = ["Pacing", "ReceiverStatus", "VerificationService"]
