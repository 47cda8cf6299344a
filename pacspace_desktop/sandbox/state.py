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

from .config import SandboxConfig, check_quota, check_rate_limit, check_verify_delay
from .faults import Fault
from .validation import WriteItem

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
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    request_id: str
    item_count: int
    received_at: str
    received_mono: float
    keys: tuple[str, ...]


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
    def __init__(self, config: SandboxConfig) -> None:
        self._lock = threading.Lock()
        self.config = config
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
        }

    def patch_settings(self, patch: object) -> dict[str, Any]:
        """Change ``quota``, ``rateLimit``, ``verifyDelay`` and/or ``readDelay`` (snake_case
        accepted too)."""
        if not isinstance(patch, dict):
            raise ValueError("the body must be a JSON object")
        aliases = {"rate_limit": "rateLimit", "verify_delay": "verifyDelay",
                   "read_delay": "readDelay"}
        named = {aliases.get(str(k), str(k)): v for k, v in patch.items()}
        unknown = sorted(set(named) - {"quota", "rateLimit", "verifyDelay", "readDelay"})
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        quota = check_quota(named["quota"]) if "quota" in named else self.quota
        rate = check_rate_limit(named["rateLimit"]) if "rateLimit" in named else None
        delay = check_verify_delay(named["verifyDelay"]) if "verifyDelay" in named else None
        read = (check_verify_delay(named["readDelay"], "read_delay") if "readDelay" in named
                else None)
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

    # -- writes --------------------------------------------------------------
    def begin_write(self) -> Fault | None:
        """Count a write request and take the next scripted fault, if any."""
        with self._lock:
            self.requests_received += 1
            return self._faults.popleft() if self._faults else None

    def take_rate_token(self) -> int | None:
        with self._lock:
            return None if self._bucket is None else self._bucket.take()

    def commit(self, items: list[WriteItem]) -> RequestRecord:
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
                if item.metadata is not None:
                    record.metadata = item.metadata
            self.items_accepted += len(items)
            request = RequestRecord(
                request_id="req_" + secrets.token_hex(12),
                item_count=len(items),
                received_at=now_iso,
                received_mono=now_mono,
                keys=tuple(item.key for item in items),
            )
            self._requests.append(request)
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
                "verified": self._verified(record.last_write_mono),
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
                        "verified": self._verified(r.last_write_mono),
                        "lastWriteAt": r.last_write_at,
                    }
                    for key, r in self._keys.items()
                },
                "requests": [
                    {
                        "requestId": r.request_id,
                        "itemCount": r.item_count,
                        "status": "verified" if self._verified(r.received_mono) else "queued",
                        "receivedAt": r.received_at,
                        "keys": list(r.keys),
                    }
                    for r in self._requests
                ],
                "faultsQueued": len(self._faults),
            }
