"""The sandbox's in-memory state, guarded by one lock."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .config import (
    SandboxConfig,
    check_quota,
    check_rate_limit,
    check_verify_delay,
    check_webhook_url,
)
from .faults import Fault
from .validation import WriteItem
from .webhooks import WebhookDeliverer

MAX_REQUESTS_KEPT = 10_000


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class KeyRecord:
    key: str
    account_id: str
    current_bits: int = 0
    total_writes: int = 0
    last_write_at: str = ""
    last_write_mono: float = 0.0
    first_write_mono: float = 0.0
    verify_error: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    request_id: str
    item_count: int
    received_at: str
    received_mono: float
    keys: tuple[str, ...]
    verify_error: str | None = None
    body_sha256: str = ""


class QuotaExceeded(Exception):
    pass


class TokenBucket:
    """``rate`` requests per second, bursts up to ``max(1, rate)``."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def take(self) -> int | None:
        """Take a token; if none is left, return the whole seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


class SandboxState:
    def __init__(self, config: SandboxConfig, deliverer: WebhookDeliverer | None = None) -> None:
        self._lock = threading.Lock()
        self.config = config
        self.deliverer = deliverer
        self.rate_limit_reads = config.rate_limit_reads
        if deliverer is not None:
            deliverer.url = config.webhook_url
            deliverer.secret = config.webhook_secret
            deliverer.attempts = config.webhook_attempts
            deliverer.retry_delay = config.webhook_retry_delay
            deliverer.timestamp_ms = config.webhook_timestamp_ms
        self.quota = config.quota
        self.rate_limit = config.rate_limit
        self.verify_delay = config.verify_delay
        self.read_delay = config.read_delay
        self._bucket = TokenBucket(config.rate_limit) if config.rate_limit else None
        self._keys: dict[str, KeyRecord] = {}
        self._requests: deque[RequestRecord] = deque(maxlen=MAX_REQUESTS_KEPT)
        self._faults: deque[Fault] = deque()
        self.requests_received = 0
        self.reads_received = 0
        self.items_accepted = 0

    # -- control -------------------------------------------------------------
    def reset(self) -> None:
        """Forget keys, counters, requests and faults; runtime settings stay."""
        with self._lock:
            self._keys.clear()
            self._requests.clear()
            self._faults.clear()
            self.requests_received = self.reads_received = self.items_accepted = 0
            self._bucket = TokenBucket(self.rate_limit) if self.rate_limit else None
        if self.deliverer is not None:
            self.deliverer.reset()

    def set_faults(self, faults: list[Fault]) -> int:
        with self._lock:
            self._faults = deque(faults)
            return len(self._faults)

    def faults_json(self) -> list[Any]:
        with self._lock:
            return [fault.to_json() for fault in self._faults]

    def settings_json(self) -> dict[str, Any]:
        with self._lock:
            return self._settings_locked()

    def _settings_locked(self) -> dict[str, Any]:
        cfg = self.config
        return {
            "quota": self.quota,
            "rateLimit": self.rate_limit,
            "verifyDelay": self.verify_delay,
            "readDelay": self.read_delay,
            "maxItems": cfg.max_items,
            "maxBodyBytes": cfg.max_body_bytes,
            "maxIdLength": cfg.max_id_length,
            "maxAbsBits": cfg.max_abs_bits,
            "rateLimitReads": self.rate_limit_reads,
            "webhookUrl": self.deliverer.url if self.deliverer else None,
            "webhookTimestampMs": self.deliverer.timestamp_ms if self.deliverer else False,
        }

    def patch_settings(self, patch: object) -> dict[str, Any]:
        """Change ``quota``, ``rateLimit``, ``verifyDelay`` and/or ``readDelay`` (snake_case
        accepted too)."""
        if not isinstance(patch, dict):
            raise ValueError("the body must be a JSON object")
        aliases = {"rate_limit": "rateLimit", "verify_delay": "verifyDelay",
                   "read_delay": "readDelay", "webhook_url": "webhookUrl",
                   "webhook_secret": "webhookSecret", "rate_limit_reads": "rateLimitReads",
                   "webhook_timestamp_ms": "webhookTimestampMs"}
        named = {aliases.get(str(k), str(k)): v for k, v in patch.items()}
        unknown = sorted(set(named) - {"quota", "rateLimit", "verifyDelay", "readDelay",
                                       "webhookUrl", "webhookSecret", "rateLimitReads",
                                       "webhookTimestampMs"})
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        quota = check_quota(named["quota"]) if "quota" in named else self.quota
        rate = check_rate_limit(named["rateLimit"]) if "rateLimit" in named else None
        delay = check_verify_delay(named["verifyDelay"]) if "verifyDelay" in named else None
        read = (check_verify_delay(named["readDelay"], "read_delay") if "readDelay" in named
                else None)
        self._patch_webhooks(named)
        with self._lock:
            self.quota = quota
            if "rateLimit" in named:
                self.rate_limit = rate
                self._bucket = TokenBucket(rate) if rate else None
            if delay is not None:
                self.verify_delay = delay
            if read is not None:
                self.read_delay = read
            return self._settings_locked()

    def _patch_webhooks(self, named: dict[str, Any]) -> None:
        for flag in ("rateLimitReads", "webhookTimestampMs"):
            if flag in named and not isinstance(named[flag], bool):
                raise ValueError(f"{flag} must be true or false")
        secret = named.get("webhookSecret")
        if "webhookSecret" in named and (not isinstance(secret, str) or not secret):
            raise ValueError("webhookSecret must be a non-empty string")
        url = (check_webhook_url(named["webhookUrl"], self.config.allow_non_loopback)
               if "webhookUrl" in named else None)
        if "rateLimitReads" in named:
            self.rate_limit_reads = named["rateLimitReads"]
        d = self.deliverer
        if d is None:
            if "webhookUrl" in named or "webhookSecret" in named:
                raise ValueError("this sandbox was started without webhook delivery")
            return
        if "webhookUrl" in named:
            d.url = url
        if isinstance(secret, str) and secret:
            d.secret = secret
        if "webhookTimestampMs" in named:
            d.timestamp_ms = named["webhookTimestampMs"]

    # -- writes --------------------------------------------------------------
    def begin_write(self) -> Fault | None:
        """Count a write request and take the next scripted fault, if any."""
        with self._lock:
            self.requests_received += 1
            return self._faults.popleft() if self._faults else None

    def take_rate_token(self) -> int | None:
        with self._lock:
            return None if self._bucket is None else self._bucket.take()

    def commit(self, items: list[WriteItem], verify_error: str | None = None,
               body_sha256: str = "") -> RequestRecord:
        """Record an accepted write; raise :class:`QuotaExceeded` and write nothing if the
        plan quota would be exceeded."""
        with self._lock:
            if self.quota is not None and self.items_accepted + len(items) > self.quota:
                left = max(0, self.quota - self.items_accepted)
                raise QuotaExceeded(
                    f"Plan limit exceeded: this request has {len(items)} items but only "
                    f"{left} of the plan's {self.quota} remain."
                )
            now_iso, now_mono = utc_now_iso(), time.monotonic()
            for item in items:
                record = self._keys.get(item.key)
                if record is None:
                    record = self._keys[item.key] = KeyRecord(item.key, item.account_id,
                                                              first_write_mono=now_mono)
                record.account_id = item.account_id
                record.current_bits += item.bits
                record.total_writes += 1
                record.last_write_at = now_iso
                record.last_write_mono = now_mono
                record.verify_error = verify_error
                if item.metadata is not None:
                    record.metadata = item.metadata
            self.items_accepted += len(items)
            request = RequestRecord(
                request_id="req_" + secrets.token_hex(12),
                item_count=len(items),
                received_at=now_iso,
                received_mono=now_mono,
                keys=tuple(item.key for item in items),
                verify_error=verify_error,
                body_sha256=body_sha256,
            )
            self._requests.append(request)
            if self.deliverer is not None:
                self.deliverer.schedule(request.request_id,
                                        [(it.key, it.account_id, it.bits) for it in items],
                                        self.verify_delay, verify_error)
            return request

    # -- reads ---------------------------------------------------------------
    def count_read(self) -> None:
        with self._lock:
            self.reads_received += 1

    def _verified(self, since_mono: float) -> bool:
        return time.monotonic() - since_mono >= self.verify_delay

    def read_key(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._keys.get(key)
            if record is None:
                return None
            if time.monotonic() - record.first_write_mono < self.read_delay:
                return None  # still in the queue: PacSpace answers 404 until it is processed
            return {
                "key": record.key,
                "accountId": record.account_id,
                "currentBits": record.current_bits,
                "totalWrites": record.total_writes,
                "lastWriteAt": record.last_write_at,
                "verified": record.verify_error is None
                and self._verified(record.last_write_mono),
                "metadata": record.metadata,
            }

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requestsReceived": self.requests_received,
                "readsReceived": self.reads_received,
                "itemsAccepted": self.items_accepted,
                "quota": self.quota,
                "keys": {
                    key: {
                        "totalWrites": r.total_writes,
                        "currentBits": r.current_bits,
                        "accountId": r.account_id,
                        "verified": r.verify_error is None
                        and self._verified(r.last_write_mono),
                        "lastWriteAt": r.last_write_at,
                    }
                    for key, r in self._keys.items()
                },
                "requests": [
                    {
                        "requestId": r.request_id,
                        "itemCount": r.item_count,
                        "status": _request_status(r, self._verified(r.received_mono)),
                        "receivedAt": r.received_at,
                        "keys": list(r.keys),
                        "bodySha256": r.body_sha256,
                    }
                    for r in self._requests
                ],
                "faultsQueued": len(self._faults),
                "webhooks": self.deliverer.snapshot() if self.deliverer else [],
            }


def _request_status(request: RequestRecord, settled: bool) -> str:
    if not settled:
        return "queued"
    return "failed" if request.verify_error else "verified"
