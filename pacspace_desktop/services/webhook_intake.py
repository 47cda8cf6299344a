"""What the receiver does with one delivery: check it, store it, then say what to answer.

Runs in the receiver's server threads (no Qt here); one lock keeps the inbox's connection to
one delivery at a time. The answer is decided only after the delivery (and its event) is
committed, so a 2xx always means "stored".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pacspace_desktop.network.webhook_server import Answer, Incoming, is_loopback
from pacspace_desktop.network.webhooks import (
    SignatureProblem,
    WebhookEvent,
    check_signature,
    parse_event,
)
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.webhook_log import DeliveryOutcome, WebhookInbox, parse_when

log = logging.getLogger(__name__)

Notify = Callable[[DeliveryOutcome, tuple[int, ...]], None]
"""Told (from the server thread) of every recorded delivery and the submissions it changed."""


class WebhookIntake:
    """Checks and stores deliveries.

    Args:
        inbox: Where deliveries are recorded (its own connection).
        secret: The signing secret, or None when none is stored (every delivery is refused).
        notify: Called after each delivery is recorded.
        clock: Unix time now (tests pass a fixed one).
    """

    def __init__(self, inbox: WebhookInbox, secret: str | None, notify: Notify,
                 clock: Callable[[], float] = time.time) -> None:
        self._inbox = inbox
        self._secret = secret
        self._notify = notify
        self._clock = clock
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the inbox's connection."""
        with self._lock:
            self._inbox.close()

    def __call__(self, incoming: Incoming) -> Answer:
        """Handle one POST (the `WebhookServer`'s handler)."""
        received = datetime.now(UTC)
        h = incoming.headers
        event_id, event_type = h.get("x-event-id", ""), h.get("x-webhook-event", "")
        try:
            with self._lock:
                return self._handle(incoming, received, event_id, event_type)
        except StorageError as exc:
            log.error("a webhook delivery could not be stored: %s", exc)
            return Answer(503, "The delivery could not be stored; send it again later.\n")

    def _handle(self, incoming: Incoming, received: datetime, event_id: str,
                event_type: str) -> Answer:
        h = incoming.headers
        if not self._secret:
            return self._refuse(incoming, received, DeliveryOutcome.NO_SECRET, 503,
                                "No signing secret is stored in this computer's keyring, so "
                                "no delivery can be checked. Add it in Verification settings.",
                                event_id, event_type)
        check = check_signature(self._secret, h.get("x-pacspace-timestamp"),
                                h.get("x-pacspace-signature"), incoming.body, self._clock())
        if not check.ok:
            stale = check.problem is SignatureProblem.STALE
            return self._refuse(incoming, received,
                                DeliveryOutcome.STALE if stale else DeliveryOutcome.BAD_SIGNATURE,
                                400 if stale else 401, check.detail, event_id, event_type)
        event = parse_event(incoming.body, h)
        if not isinstance(event, WebhookEvent):
            return self._refuse(incoming, received, DeliveryOutcome.UNUSABLE, 400, event,
                                event_id, event_type)
        stored = self._inbox.store_event(
            received, incoming.remote, event.event_id, event.event_type, event.status,
            event.request_id, event.keys, parse_when(event.verified_at, received), event.error,
            incoming.body)
        self._notify(stored.outcome, stored.submission_ids)
        if stored.outcome is DeliveryOutcome.REPLAY:
            return Answer(200, "Already received; not applied again.\n")
        return Answer(200, "Stored.\n")

    def _refuse(self, incoming: Incoming, received: datetime, outcome: DeliveryOutcome,
                status: int, detail: str, event_id: str, event_type: str) -> Answer:
        self._inbox.record_refused(received, incoming.remote, outcome, status, detail,
                                   incoming.body, event_id, event_type)
        self._notify(outcome, ())
        return Answer(status, detail + "\n")


def receiver_warning(host: str, tls: bool, has_secret: bool) -> str:
    """What a listening receiver must warn about, in words ("" when nothing)."""
    warning = ""
    if not is_loopback(host) and not tls:
        warning = (f"Listening on {host} without TLS: others on the network can read what "
                   "PacSpace sends here (record keys, Request IDs). Signatures still stop "
                   "forged deliveries. Add a certificate, or keep the receiver on this "
                   "computer behind a TLS relay or tunnel.")
    if not has_secret:
        warning = ("No signing secret is stored: every delivery will be refused until you "
                   "add it. " + warning).strip()
    return warning


def apply_overtaken(inbox: WebhookInbox) -> list[int]:
    """Apply stored events whose Request ID history learnt after they came (a webhook can
    overtake the 202 it confirms). Returns the submissions whose items changed.

    Raises:
        StorageError: when the history cannot be written.
    """
    changed: list[int] = []
    for delivery_id, event_id, event_type, received, body in inbox.unmatched():
        event = parse_event(body, {"x-event-id": event_id, "x-webhook-event": event_type})
        if isinstance(event, WebhookEvent):
            when = parse_when(event.verified_at, datetime.fromisoformat(received))
            done = inbox.apply_later(delivery_id, event.status, event.request_id, event.keys,
                                     when, event.error)
            changed += done.submission_ids
    return sorted(set(changed))
