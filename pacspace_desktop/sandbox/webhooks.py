"""Signed webhook delivery from the sandbox, as PacSpace documents it (its own code: no client).

`verify_delay` seconds after a write is accepted, the sandbox POSTs `verification.completed`
(or `verification.failed` after a `{"verify": "fail"}` fault) to the configured URL, signed
`X-PacSpace-Signature: v1=<hex HMAC-SHA256 of "{timestamp}.{body}">` with the `whsec_` secret.
A non-2xx answer or a failed connection is retried after `retry_delay`, doubling, up to
`attempts` tries. Each attempt is signed afresh with the time of that attempt.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("pacspace_desktop.sandbox")

DEMO_WEBHOOK_SECRET = "whsec_sandbox_demo_0000000000000000"
MAX_DELIVERIES_KEPT = 10_000


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-PacSpace-Signature` value for one attempt."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                      hashlib.sha256).hexdigest()
    return f"v1={digest}"


@dataclass(slots=True)
class Delivery:
    """One event and how its delivery went."""

    event_id: str
    event: str
    request_id: str
    body: bytes
    attempts: int = 0
    last_status: int | None = None
    last_error: str = ""
    delivered: bool = False
    gave_up: bool = False
    log: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"eventId": self.event_id, "event": self.event, "requestId": self.request_id,
                "attempts": self.attempts, "lastStatus": self.last_status,
                "lastError": self.last_error, "delivered": self.delivered,
                "gaveUp": self.gave_up, "log": list(self.log)}


def event_body(event: str, request_id: str, keys: list[tuple[str, str, int]],
               error: str | None, event_id: str) -> bytes:
    """The JSON body of a verification event (assumed shape, see the API reference §3)."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    data: dict[str, Any] = {"requestId": request_id, "itemCount": len(keys),
                            "status": "failed" if error else "verified",
                            "items": [{"key": k, "accountId": a, "bits": b} for k, a, b in keys]}
    if error:
        data["failedAt"] = now
        data["error"] = error
    else:
        data["verifiedAt"] = now
    return json.dumps({"id": event_id, "event": event, "timestamp": now, "data": data},
                      separators=(",", ":")).encode("utf-8")


class WebhookDeliverer:
    """A thread that delivers due events in time order and retries the ones that fail."""

    def __init__(self, stopping: threading.Event) -> None:
        self._stopping = stopping
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, Delivery]] = []
        self._seq = 0
        self._deliveries: list[Delivery] = []
        self.url: str | None = None
        self.secret = DEMO_WEBHOOK_SECRET
        self.attempts = 5
        self.retry_delay = 1.0
        self.timestamp_ms = False
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    # -- scheduling ----------------------------------------------------------
    def schedule(self, request_id: str, keys: list[tuple[str, str, int]], delay: float,
                 error: str | None) -> None:
        """Deliver the verification event of a request `delay` seconds from now."""
        if not self.url:
            return
        event = "verification.failed" if error else "verification.completed"
        event_id = "evt_" + secrets.token_hex(12)
        delivery = Delivery(event_id, event, request_id,
                            event_body(event, request_id, keys, error, event_id))
        with self._cond:
            self._deliveries.append(delivery)
            del self._deliveries[:-MAX_DELIVERIES_KEPT]
            self._push(time.monotonic() + delay, delivery)

    def redeliver(self, event_id: str) -> bool:
        """Send an event again now, with the same id and body (a replay, for tests)."""
        with self._cond:
            found = next((d for d in self._deliveries if d.event_id == event_id), None)
            if found is None:
                return False
            found.delivered = found.gave_up = False
            self._push(time.monotonic(), found)
            return True

    def _push(self, due: float, delivery: Delivery) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (due, self._seq, delivery))
        self._cond.notify()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._cond:
            return [d.to_json() for d in self._deliveries]

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def reset(self) -> None:
        with self._cond:
            self._queue.clear()
            self._deliveries.clear()

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._thread.join(5.0)

    # -- the thread ------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._cond:
                while not self._stopping.is_set():
                    wait = (self._queue[0][0] - time.monotonic()) if self._queue else None
                    if wait is not None and wait <= 0:
                        break
                    self._cond.wait(wait if wait is not None else 1.0)
                if self._stopping.is_set():
                    return
                _due, _seq, delivery = heapq.heappop(self._queue)
                url, secret = self.url, self.secret
            if url:
                self._attempt(delivery, url, secret)

    def _attempt(self, delivery: Delivery, url: str, secret: str) -> None:
        stamp = str(int(time.time() * 1000) if self.timestamp_ms else int(time.time()))
        request = urllib.request.Request(url, data=delivery.body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "PacSpaceSandbox/1.0",
            "X-PacSpace-Signature": signature(secret, stamp, delivery.body),
            "X-PacSpace-Timestamp": stamp, "X-Webhook-Event": delivery.event,
            "X-Event-ID": delivery.event_id})
        status: int | None = None
        error = ""
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = int(answer.status)
        except urllib.error.HTTPError as exc:
            status = int(exc.code)
        except (urllib.error.URLError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        with self._cond:
            delivery.attempts += 1
            delivery.last_status, delivery.last_error = status, error
            delivery.log.append({"status": status, "error": error})
            if status is not None and 200 <= status < 300:
                delivery.delivered = True
                log.info("webhook %s %s delivered (%d)", delivery.event, delivery.event_id,
                         status)
                return
            if delivery.attempts >= self.attempts:
                delivery.gave_up = True
                log.info("webhook %s gave up after %d attempts", delivery.event_id,
                         delivery.attempts)
                return
            backoff = self.retry_delay * (2 ** (delivery.attempts - 1))
            log.info("webhook %s answered %s; retry in %.1f s", delivery.event_id,
                     status or error, backoff)
            self._push(time.monotonic() + backoff, delivery)
