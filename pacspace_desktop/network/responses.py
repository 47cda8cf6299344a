"""Reading PacSpace's answers: the documented body, its variants, and what proxies send."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.redact import redact


@dataclass(frozen=True, slots=True)
class Accepted:
    """A readable 2xx answer.

    Attributes:
        request_id: `requestId` (or the older `batchId`).
        item_count: `itemCount` when the server gave it.
        status: `status`, usually `queued`.
        message: The server's message.
    """

    request_id: str
    item_count: int | None
    status: str | None
    message: str | None


def mask_secrets(text: str, key: ApiKey) -> str:
    """An answer's text with the key masked, and its bare secret part, wherever they appear."""
    return redact(text, [key.reveal()])


def parse_json(text: str) -> Any | None:
    """Decode JSON, returning None for empty, HTML or garbled text (or JSON nested so deep
    that Python gives up)."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def parse_accepted(body: Any) -> Accepted | None:
    """Read a success body in any of its three shapes, or None when it has no Request ID.

    Shapes: `{"statusCode":202,"data":{"requestId":...}}`, `{"success":true,"data":{...}}`,
    and the older `batchId` in place of `requestId`.
    """
    if not isinstance(body, Mapping):
        return None
    data = body.get("data", body)
    if not isinstance(data, Mapping):
        return None
    if body.get("success") is False:
        return None
    request_id = data.get("requestId") or data.get("batchId")
    if not isinstance(request_id, str) or not request_id:
        return None
    count = data.get("itemCount")
    status = data.get("status")
    message = data.get("message")
    return Accepted(request_id=request_id,
                    item_count=count if isinstance(count, int) and not isinstance(count, bool)
                    else None,
                    status=status if isinstance(status, str) else None,
                    message=message if isinstance(message, str) else None)


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def server_message(body_text: str, body: Any | None = None) -> str:
    """The server's own words, from any known error shape, or a short excerpt of a non-JSON body.

    Handles `message` as a string or a list of strings, and the nested
    `{"error": {"message": ..., "code": ...}}`. HTML is reduced to its text.
    """
    if body is None:
        body = parse_json(body_text)
    if isinstance(body, Mapping):
        found = _message_of(body)
        if found:
            return found
        return _excerpt(json.dumps(body, ensure_ascii=False))
    if not body_text.strip():
        return ""
    if "<" in body_text and ">" in body_text:
        title = re.search(r"<title[^>]*>(.*?)</title>", body_text, re.I | re.S)
        text = title.group(1) if title else _TAG.sub(" ", body_text)
        return "(not a PacSpace answer) " + _excerpt(html.unescape(text))
    return _excerpt(body_text)


def _message_of(body: Mapping[str, Any]) -> str:
    parts: list[str] = []
    message = body.get("message")
    if isinstance(message, str):
        parts.append(message)
    elif isinstance(message, list):
        parts.extend(str(m) for m in message if m is not None)
    error = body.get("error")
    if isinstance(error, Mapping):
        inner = error.get("message")
        code = error.get("code")
        if isinstance(inner, str):
            parts.append(inner)
        if isinstance(code, str | int) and not isinstance(code, bool):
            parts.append(f"(code {code})")
    elif isinstance(error, str) and not parts:
        parts.append(error)
    return _excerpt("; ".join(parts).replace("; (code", " (code"), limit=2000) if parts else ""


def _excerpt(text: str, limit: int = 300) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_after_seconds(headers: Mapping[str, str], body: Any | None,
                        now: datetime | None = None) -> float | None:
    """The wait the server asked for: `Retry-After` (seconds or HTTP date) or `retryAfterSeconds`.

    Returns None when the server named no wait.
    """
    value = headers.get("retry-after") or headers.get("Retry-After")
    if value:
        value = value.strip()
        try:
            return max(0.0, float(int(value)))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    for holder in (body, body.get("error") if isinstance(body, Mapping) else None,
                   body.get("data") if isinstance(body, Mapping) else None):
        if isinstance(holder, Mapping):
            seconds = holder.get("retryAfterSeconds")
            if isinstance(seconds, int | float) and not isinstance(seconds, bool) \
                    and seconds >= 0 and seconds == seconds:
                return float(seconds)
    return None


_FIELD_REF = re.compile(r"items\[(\d+)\]\.?(key|accountId|bits|metadata)?")


def field_at_fault(message: str) -> tuple[int, str | None] | None:
    """The item (0-based, in the request) and field a 400 message names, e.g. `items[3].bits`."""
    match = _FIELD_REF.search(message)
    if not match:
        return None
    return int(match.group(1)), match.group(2)
