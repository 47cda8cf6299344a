"""The webhook inbox: every delivery recorded (accepted or refused), events stored once each.

A delivery is recorded in the same transaction that applies its event to the items, and the
receiver answers 2xx only after that transaction has committed. An event id is stored at most
once (a unique index over stored events): a second delivery of it is recorded as a replay and
changes nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pacspace_desktop.storage import verification
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.verification import Verification

BODY_KEPT = 16_384
"""How much of a delivery's body is kept for the log (the SHA-256 covers all of it)."""


class DeliveryOutcome(StrEnum):
    """What the receiver made of one delivery."""

    ACCEPTED = "accepted"  # genuine, stored, applied to the items it names
    UNKNOWN_REQUEST = "unknown-request"  # genuine and stored, but history has no such request
    REPLAY = "replay"  # genuine, but this event id was stored before: nothing changed
    BAD_SIGNATURE = "bad-signature"  # missing, malformed or not matching: refused
    STALE = "stale"  # genuine signature with a time too far from now: refused
    UNUSABLE = "unusable"  # genuine, but not a verification event the app understands
    NO_SECRET = "no-secret"  # no signing secret in the keyring: nothing can be checked

    @property
    def label(self) -> str:
        """Words for the delivery log."""
        return _LABELS[self]


_LABELS = {
    DeliveryOutcome.ACCEPTED: "✓ Accepted",
    DeliveryOutcome.UNKNOWN_REQUEST: "? Unknown Request ID",
    DeliveryOutcome.REPLAY: "– Replay refused",
    DeliveryOutcome.BAD_SIGNATURE: "✗ Bad signature",
    DeliveryOutcome.STALE: "✗ Too old",
    DeliveryOutcome.UNUSABLE: "✗ Not understood",
    DeliveryOutcome.NO_SECRET: "✗ No signing secret",
}


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One delivery in the log."""

    id: int
    received_at: datetime
    remote: str
    outcome: DeliveryOutcome
    http_status: int
    event_id: str
    event_type: str
    request_id: str
    items_matched: int
    detail: str
    body_sha256: str
    body: str = ""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """What storing an event did: its outcome, the items it changed and their submissions."""

    outcome: DeliveryOutcome
    items_matched: int
    submission_ids: tuple[int, ...]


class WebhookInbox:
    """Records deliveries on its own connection (the receiver's threads share it, one at a time).

    Args:
        conn: A connection to the history database (`db.connect`), used only here.
    """

    def __init__(self, conn: Db) -> None:
        self._conn = conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def record_refused(self, received_at: datetime, remote: str, outcome: DeliveryOutcome,
                       http_status: int, detail: str, body: bytes, event_id: str = "",
                       event_type: str = "") -> None:
        """Record a delivery that was refused (or not understood)."""
        self._write(lambda conn: self._insert(conn, received_at, remote, outcome, http_status,
                                              detail, body, event_id, event_type, "", 0, False))

    def store_event(self, received_at: datetime, remote: str, event_id: str, event_type: str,
                    status: str, request_id: str, keys: Sequence[str], when: datetime,
                    error: str, body: bytes) -> StoredEvent:
        """Record a genuine verification event and apply it to the items of its request.

        Returns what was done; a replay (the event id was stored before) changes nothing.

        Raises:
            StorageError: when the history cannot be written (the sender should retry).
        """
        result: list[StoredEvent] = []

        def work(conn: Db) -> None:
            seen = conn.execute("SELECT 1 FROM webhook_deliveries WHERE event_id=? AND "
                                "stored_event=1", (event_id,)).fetchone()
            if seen:
                self._insert(conn, received_at, remote, DeliveryOutcome.REPLAY, 200,
                             "This event was received before; it was not applied again.", body,
                             event_id, event_type, request_id, 0, False)
                result.append(StoredEvent(DeliveryOutcome.REPLAY, 0, ()))
                return
            items, subs = verification.items_of_request(conn, request_id, keys)
            state = Verification.VERIFIED if status == "verified" else Verification.FAILED
            matched = verification.mark_items(conn, items, state, when, error, "webhook")
            outcome = DeliveryOutcome.ACCEPTED if matched else DeliveryOutcome.UNKNOWN_REQUEST
            detail = (f"{state.label}: {matched} item(s) of {request_id}."
                      + (f" PacSpace's reason: {error}" if error else "")) if matched else (
                f"No request {request_id} in this history (sent from another computer or "
                "profile?). Stored; nothing changed.")
            self._insert(conn, received_at, remote, outcome, 200, detail, body, event_id,
                         event_type, request_id, matched, True)
            result.append(StoredEvent(outcome, matched, tuple(subs)))

        self._write(work)
        return result[0]

    def unmatched(self) -> list[tuple[int, str, str, str, bytes]]:
        """Stored events whose Request ID history did not know when they came but knows now
        (a webhook can overtake the 202 it confirms): id, event id, event type, received, body.
        """
        return [(r[0], r[1] or "", r[2] or "", r[3], (r[4] or "").encode("utf-8"))
                for r in self._conn.execute(
                    "SELECT d.id, d.event_id, d.event_type, d.received_at, d.body "
                    "FROM webhook_deliveries d WHERE d.outcome = ? AND d.stored_event = 1 "
                    "AND d.request_id IN (SELECT request_id FROM submissions "
                    "WHERE request_id IS NOT NULL) ORDER BY d.id",
                    (DeliveryOutcome.UNKNOWN_REQUEST.value,))]

    def apply_later(self, delivery_id: int, status: str, request_id: str,
                    keys: Sequence[str], when: datetime, error: str) -> StoredEvent:
        """Apply a stored event whose request became known, and say so in its log line."""
        result: list[StoredEvent] = []

        def work(conn: Db) -> None:
            items, subs = verification.items_of_request(conn, request_id, keys)
            state = Verification.VERIFIED if status == "verified" else Verification.FAILED
            matched = verification.mark_items(conn, items, state, when, error, "webhook")
            conn.execute("UPDATE webhook_deliveries SET outcome=?, items_matched=?, detail=? "
                         "WHERE id=?", (DeliveryOutcome.ACCEPTED.value, matched,
                                        f"{state.label}: {matched} item(s) of {request_id} "
                                        "(applied once the request's answer was recorded).",
                                        delivery_id))
            result.append(StoredEvent(DeliveryOutcome.ACCEPTED, matched, tuple(subs)))

        self._write(work)
        return result[0]

    def recent(self, limit: int = 500) -> list[DeliveryRecord]:
        """The latest deliveries, newest first."""
        return [DeliveryRecord(r[0], datetime.fromisoformat(r[1]), r[2], DeliveryOutcome(r[3]),
                               r[4], r[5] or "", r[6] or "", r[7] or "", r[8], r[9], r[10],
                               r[11] or "")
                for r in self._conn.execute(
                    "SELECT id, received_at, remote, outcome, http_status, event_id, event_type, "
                    "request_id, items_matched, detail, body_sha256, body "
                    "FROM webhook_deliveries ORDER BY id DESC LIMIT ?", (limit,))]

    # --- internals ---------------------------------------------------------------------------

    def _write(self, work: Callable[[Db], None]) -> None:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"The history cannot be written: {exc}.") from exc
        try:
            work(self._conn)
            self._conn.execute("COMMIT")
        except sqlite3.IntegrityError:
            # Two deliveries of one event at once: the other one stored it first.
            self._conn.execute("ROLLBACK")
            raise StorageError("The same event arrived twice at once; it is stored once.") \
                from None
        except sqlite3.Error as exc:
            self._conn.execute("ROLLBACK")
            raise StorageError(f"The history cannot be written: {exc}.") from exc
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _insert(conn: Db, received_at: datetime, remote: str,
                outcome: DeliveryOutcome, http_status: int, detail: str, body: bytes,
                event_id: str, event_type: str, request_id: str, matched: int,
                stored: bool) -> None:
        conn.execute(
            "INSERT INTO webhook_deliveries (received_at, remote, outcome, http_status, "
            "event_id, event_type, request_id, items_matched, detail, body_sha256, body, "
            "stored_event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (received_at.astimezone(UTC).isoformat(timespec="microseconds"), remote[:100],
             outcome.value, http_status, event_id or None, event_type[:100] or None,
             request_id or None, matched, detail[:2000], hashlib.sha256(body).hexdigest(),
             body[:BODY_KEPT].decode("utf-8", "replace"), 1 if stored else 0))


def parse_when(text: str, fallback: datetime) -> datetime:
    """An event's ISO time (with `Z`), or `fallback` when it has none or cannot be read."""
    if not text:
        return fallback
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
