"""PacSpace's signed webhooks: checking `X-PacSpace-Signature` and reading the event (pure).

The signature is `v1=<hex HMAC-SHA256 of "{X-PacSpace-Timestamp}.{raw body}">` keyed with the
`whsec_…` secret; during a secret rotation the header holds several comma-separated `v1=`
values and any one may match. Timestamps are Unix seconds, or milliseconds when ≥ 1e12, and must
be within `TOLERANCE_S` of now. Comparison is constant-time (`hmac.compare_digest`), and every
candidate is compared, so the time taken says nothing about which one nearly matched.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

TOLERANCE_S = 300.0
SECRET_PREFIX = "whsec_"
MAX_BODY_BYTES = 1_048_576

EVENT_STATUS = {
    "verification.completed": "verified",
    "verification.failed": "failed",
    "delta.verified": "verified",
    "delta.failed": "failed",
}
"""The events the receiver accepts, and the verification state each reports."""


class SignatureProblem(StrEnum):
    """Why a delivery's signature is not accepted."""

    MISSING = "missing"  # no signature or no timestamp header
    MALFORMED = "malformed"  # a header that cannot be read
    MISMATCH = "mismatch"  # no `v1=` value matches: wrong secret, or the body was changed
    STALE = "stale"  # the signature matches, but the timestamp is too far from now


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The result of `check_signature`: `problem` is None when the delivery is genuine."""

    problem: SignatureProblem | None
    detail: str
    timestamp: float | None = None

    @property
    def ok(self) -> bool:
        """True when the signature matches and the timestamp is fresh."""
        return self.problem is None


def secret_problem(secret: str) -> str | None:
    """Why a text is not a webhook signing secret (None when it looks right)."""
    text = secret.strip()
    if not text:
        return "Paste the signing secret from the PacSpace dashboard."
    if not text.startswith(SECRET_PREFIX) or len(text) < len(SECRET_PREFIX) + 8:
        return ("A webhook signing secret starts with whsec_ followed by at least 8 "
                "characters. Copy it again from the PacSpace dashboard.")
    if any(ch.isspace() for ch in text):
        return "The signing secret must not contain spaces."
    return None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `{timestamp}.{body}` keyed with the secret (for tests, tools)."""
    return hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                    hashlib.sha256).hexdigest()


def parse_timestamp(text: str) -> float | None:
    """Unix seconds from a timestamp header (milliseconds when ≥ 1e12), or None."""
    value = text.strip()
    if not value or len(value) > 20 or not value.isdigit():
        return None
    number = int(value)
    return number / 1000.0 if number >= 1_000_000_000_000 else float(number)


def check_signature(secret: str, timestamp: str | None, signature: str | None, body: bytes,
                    now: float, tolerance: float = TOLERANCE_S) -> SignatureCheck:
    """Is this delivery genuine (signed with `secret`) and fresh (within `tolerance` of `now`)?"""
    if not signature or not timestamp:
        missing = "X-PacSpace-Signature" if not signature else "X-PacSpace-Timestamp"
        return SignatureCheck(SignatureProblem.MISSING, f"The {missing} header is missing.")
    when = parse_timestamp(timestamp)
    if when is None:
        return SignatureCheck(SignatureProblem.MALFORMED,
                              "The X-PacSpace-Timestamp header is not a Unix time.")
    candidates = [part.strip()[3:] for part in signature.split(",")
                  if part.strip().startswith("v1=")]
    if not candidates:
        return SignatureCheck(SignatureProblem.MALFORMED,
                              "The X-PacSpace-Signature header has no v1= value.", when)
    expected = sign(secret, timestamp.strip(), body).encode("ascii")
    matched = False
    for candidate in candidates:  # compare all: the time taken must not depend on which
        matched |= hmac.compare_digest(expected, candidate.lower().encode("ascii", "replace"))
    if not matched:
        return SignatureCheck(SignatureProblem.MISMATCH,
                              "The signature does not match: the delivery was not signed with "
                              "this secret, or its body was changed on the way.", when)
    age = now - when
    if abs(age) > tolerance:
        direction = "old" if age > 0 else "in the future"
        return SignatureCheck(SignatureProblem.STALE,
                              f"The signature is genuine but its time is {abs(age):.0f} s "
                              f"{direction} (more than {tolerance:.0f} s): refused as a "
                              "possible replay.", when)
    return SignatureCheck(None, "Signature and time are good.", when)


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verification event as PacSpace sends it.

    Attributes:
        event_id: `X-Event-ID` (or the body's `id`), the key for refusing replays.
        event_type: `verification.completed`, `verification.failed`, `delta.verified`, ….
        status: "verified" or "failed".
        request_id: The write's Request ID.
        verified_at: When PacSpace verified it (as it wrote it), or "".
        error: PacSpace's reason for a failed verification, or "".
        keys: The record keys the event names (empty: every item of the request).
    """

    event_id: str
    event_type: str
    status: str
    request_id: str
    verified_at: str
    error: str
    keys: tuple[str, ...]


def parse_event(body: bytes, headers: Mapping[str, str]) -> WebhookEvent | str:
    """The event in a (genuine) delivery, or the reason it cannot be used, in words."""
    try:
        payload: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "The body is not JSON."
    if not isinstance(payload, dict):
        return "The body is not a JSON object."
    event_type = str(payload.get("event") or headers.get("x-webhook-event") or "")
    if event_type not in EVENT_STATUS:
        return f"The event {event_type or '(none)'} is not a verification event."
    event_id = str(headers.get("x-event-id") or payload.get("id") or "").strip()
    if not event_id:
        return "The delivery has no event id (X-Event-ID), so a replay could not be told apart."
    data = payload.get("data")
    if not isinstance(data, dict):
        return "The event has no data object."
    request_id = data.get("requestId") or data.get("batchId")
    if not isinstance(request_id, str) or not request_id:
        return "The event names no Request ID."
    keys: list[str] = []
    items = data.get("items")
    if isinstance(items, list):
        keys = [str(it["key"]) for it in items if isinstance(it, dict) and "key" in it]
    error = data.get("error") or ""
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error)
    return WebhookEvent(event_id[:200], event_type, EVENT_STATUS[event_type], request_id[:200],
                        str(data.get("verifiedAt") or data.get("failedAt") or "")[:64],
                        str(error)[:2000], tuple(k[:128] for k in keys))
