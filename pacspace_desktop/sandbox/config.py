"""Configuration of the local sandbox server (no imports from the client side)."""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass

DEMO_API_KEY = "pk_test_sandbox.sk_demo_0000000000000000"
API_KEY_RE = re.compile(r"^pk_(live|test)_[^.\s]+\.\S+$")


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and literal loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def mask_api_key(api_key: str | None) -> str:
    """A loggable form of an API key: its public part only, never the secret."""
    if not api_key:
        return "<none>"
    if API_KEY_RE.match(api_key) is None:
        return "<malformed>"
    return api_key.split(".", 1)[0] + "…"


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Settings fixed for the server's life (quota, rate limit and verify delay are only the
    starting values: ``POST /_sandbox/config`` can change them at runtime).

    An empty ``api_keys`` tuple accepts any key of the PacSpace shape.
    """

    host: str = "127.0.0.1"
    port: int = 0
    api_keys: tuple[str, ...] = (DEMO_API_KEY,)
    quota: int | None = None
    rate_limit: float | None = None
    verify_delay: float = 2.0
    read_delay: float = 0.0
    max_items: int = 100
    max_body_bytes: int = 1_048_576
    max_id_length: int = 128
    max_abs_bits: int = 1_000_000_000
    allow_non_loopback: bool = False
    webhook_url: str | None = None
    webhook_secret: str = "whsec_sandbox_demo_0000000000000000"
    webhook_attempts: int = 5
    webhook_retry_delay: float = 1.0
    webhook_timestamp_ms: bool = False
    rate_limit_reads: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_keys", tuple(self.api_keys))
        for index, key in enumerate(self.api_keys):
            if not isinstance(key, str) or API_KEY_RE.match(key) is None:
                raise ValueError(
                    f"api_keys[{index}] does not have the PacSpace key shape "
                    "pk_(live|test)_<public>.<secret>"
                )
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0..65535, got {self.port}")
        check_quota(self.quota)
        check_rate_limit(self.rate_limit)
        check_verify_delay(self.verify_delay)
        check_verify_delay(self.read_delay, "read_delay")
        if self.webhook_url is not None:
            check_webhook_url(self.webhook_url, self.allow_non_loopback)
        check_verify_delay(self.webhook_retry_delay, "webhook_retry_delay")
        if not self.webhook_secret:
            raise ValueError("webhook_secret must not be empty")
        for name in ("max_items", "max_body_bytes", "max_id_length", "max_abs_bits",
                     "webhook_attempts"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")


def check_quota(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"quota must be a non-negative integer or null, got {value!r}")
    return value


def check_rate_limit(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"rate_limit must be a positive number or null, got {value!r}")
    return float(value)


def check_verify_delay(value: object, name: str = "verify_delay") -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return float(value)


def check_webhook_url(value: object, allow_non_loopback: bool = False) -> str | None:
    """A webhook URL: http(s) on loopback (any host with ``allow_non_loopback``), or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError(f"webhook_url must be an http:// or https:// URL, got {value!r}")
    host = value.split("://", 1)[1].split("/", 1)[0]
    host = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    if not allow_non_loopback and not is_loopback_host(host):
        raise ValueError(f"webhook_url must point at this computer (loopback), got {value!r}")
    return value
