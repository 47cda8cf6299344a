"""The scripted fault queue: each entry shapes the answer to the next write request."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from .responses import JSON_TYPE, Response, error_response, json_bytes, reason_phrase

ENVELOPES = ("success", "batchId")
DEFAULT_VERIFY_ERROR = "Verification failed: the record could not be committed (sandbox fault)."
_KNOWN_FIELDS = frozenset(
    {
        "status",
        "body",
        "message",
        "retryAfter",
        "retryAfterSeconds",
        "headers",
        "delay",
        "drop",
        "envelope",
        "garbled",
        "verify",
        "verifyError",
    }
)
_NEEDS_STATUS = ("body", "message", "retryAfterSeconds")
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
_DEFAULT_MESSAGES = {
    400: "Validation failed: injected by the sandbox fault queue.",
    401: "Invalid or missing API key",
    402: "Plan limit exceeded: injected by the sandbox fault queue.",
    429: "Rate limit exceeded: injected by the sandbox fault queue.",
    500: "Internal server error (injected by the sandbox fault queue).",
}


@dataclass(frozen=True, slots=True)
class Fault:
    status: int | None = None
    body: str | None = None
    message: str | None = None
    retry_after: str | None = None
    retry_after_seconds: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    drop: bool = False
    envelope: str | None = None
    garbled: bool = False
    verify_error: str | None = None
    source: str = "{}"

    def to_json(self) -> Any:
        """The entry as it was given (for ``GET /_sandbox/faults``)."""
        return json.loads(self.source)


def _is_number(value: object) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value >= 0
    )


def parse_fault(raw: object, index: int) -> Fault:
    where = f"queue[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    unknown = sorted(set(raw) - _KNOWN_FIELDS)
    if unknown:
        raise ValueError(f"{where} has unknown fields: {', '.join(unknown)}")
    status = raw.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599
    ):
        raise ValueError(f"{where}.status must be an integer HTTP status 200..599")
    for name in _NEEDS_STATUS:
        if name in raw and status is None:
            raise ValueError(f"{where}.{name} needs a 'status'")
    body, message = raw.get("body"), raw.get("message")
    if body is not None and not isinstance(body, str):
        raise ValueError(f"{where}.body must be a string (sent verbatim)")
    if message is not None and not isinstance(message, str):
        raise ValueError(f"{where}.message must be a string")
    retry_after = raw.get("retryAfter")
    if retry_after is not None:
        if isinstance(retry_after, bool) or not isinstance(retry_after, int | str):
            raise ValueError(f"{where}.retryAfter must be an integer (seconds) or a string")
        retry_after = str(retry_after)
    retry_seconds = raw.get("retryAfterSeconds")
    if retry_seconds is not None and not _is_number(retry_seconds):
        raise ValueError(f"{where}.retryAfterSeconds must be a non-negative number")
    headers = raw.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise ValueError(f"{where}.headers must be an object of strings")
    if any(k.lower() in _FRAMING_HEADERS for k in headers):
        raise ValueError(f"{where}.headers may not set Content-Length/Transfer-Encoding/Connection")
    delay = raw.get("delay", 0)
    if not _is_number(delay):
        raise ValueError(f"{where}.delay must be a non-negative number of seconds")
    drop, garbled = raw.get("drop", False), raw.get("garbled", False)
    if not isinstance(drop, bool) or not isinstance(garbled, bool):
        raise ValueError(f"{where}.drop and {where}.garbled must be true or false")
    envelope = raw.get("envelope")
    if envelope is not None and envelope not in ENVELOPES:
        raise ValueError(f"{where}.envelope must be one of {', '.join(ENVELOPES)}")
    verify, verify_error = raw.get("verify"), raw.get("verifyError")
    if verify is not None and verify not in ("fail", "pass"):
        raise ValueError(f"{where}.verify must be \"fail\" (or \"pass\")")
    if verify_error is not None and (not isinstance(verify_error, str) or verify != "fail"):
        raise ValueError(f"{where}.verifyError must be a string and needs \"verify\": \"fail\"")
    if status is not None and verify is not None:
        raise ValueError(f"{where}: 'verify' shapes an accepted write and cannot go with 'status'")
    if status is not None and (envelope is not None or garbled):
        raise ValueError(f"{where}: 'envelope'/'garbled' shape a 202 and cannot go with 'status'")
    return Fault(
        status=status,
        body=body,
        message=message,
        retry_after=retry_after,
        retry_after_seconds=None if retry_seconds is None else retry_seconds,
        headers=tuple(headers.items()),
        delay=float(delay),
        drop=drop,
        envelope=envelope,
        garbled=garbled,
        verify_error=(verify_error or DEFAULT_VERIFY_ERROR) if verify == "fail" else None,
        source=json.dumps(raw),
    )


def parse_fault_queue(raw: object) -> list[Fault]:
    """Accept ``{"queue": [...]}`` or a bare list of entries."""
    if isinstance(raw, dict):
        if set(raw) != {"queue"}:
            raise ValueError('the body must be {"queue": [...]}')
        raw = raw["queue"]
    if not isinstance(raw, list):
        raise ValueError("'queue' must be an array of fault entries")
    return [parse_fault(entry, index) for index, entry in enumerate(raw)]


def extra_headers(fault: Fault) -> tuple[str | None, list[tuple[str, str]]]:
    content_type: str | None = None
    headers: list[tuple[str, str]] = []
    if fault.retry_after is not None:
        headers.append(("Retry-After", fault.retry_after))
    for name, value in fault.headers:
        if name.lower() == "content-type":
            content_type = value
        else:
            headers.append((name, value))
    return content_type, headers


def fault_error_response(fault: Fault) -> Response:
    """The answer for an entry with ``status``: nothing is written."""
    assert fault.status is not None
    status = fault.status
    content_type, headers = extra_headers(fault)
    if fault.body is not None:
        text = fault.body
        if text.lstrip().startswith("<"):
            guessed = "text/html; charset=utf-8"
        else:
            try:
                json.loads(text)
                guessed = JSON_TYPE
            except ValueError:
                guessed = "text/plain; charset=utf-8"
        return Response(status, text.encode("utf-8"), content_type or guessed, headers)
    message = fault.message or _DEFAULT_MESSAGES.get(
        status, f"{reason_phrase(status)} (injected by the sandbox fault queue)."
    )
    if fault.retry_after_seconds is not None:
        seconds: float | int = fault.retry_after_seconds
        if float(seconds).is_integer():
            seconds = int(seconds)
        code = reason_phrase(status).lower().replace(" ", "_").replace("-", "_")
        payload = {
            "statusCode": status,
            "error": {"message": message, "code": code, "retryAfterSeconds": seconds},
        }
        response = Response(status, json_bytes(payload), JSON_TYPE, headers)
    else:
        response = error_response(status, message, headers)
    if content_type is not None:
        response.content_type = content_type
    return response


def shape_success(fault: Fault, response: Response, data: dict[str, Any]) -> Response:
    """Apply ``envelope``/``garbled``/``headers``/``retryAfter`` to a 202 answer."""
    content_type, headers = extra_headers(fault)
    if fault.envelope == "success":
        payload: dict[str, Any] = {"success": True, "data": data}
    elif fault.envelope == "batchId":
        renamed = {("batchId" if k == "requestId" else k): v for k, v in data.items()}
        payload = {"statusCode": response.status, "data": renamed}
    else:
        payload = {"statusCode": response.status, "data": data}
    body = json_bytes(payload)
    if fault.garbled:
        body = body[: max(1, len(body) // 2)]
    return Response(response.status, body, content_type or JSON_TYPE, response.headers + headers)
