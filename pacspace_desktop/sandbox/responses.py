"""HTTP answers of the sandbox: status, headers and body bytes."""

from __future__ import annotations

import http
import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


def reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    return Response(status, json_bytes(payload), JSON_TYPE, list(headers or []))


def error_response(
    status: int, message: str | list[str], headers: list[tuple[str, str]] | None = None
) -> Response:
    """PacSpace's documented error shape: ``{"statusCode","error","message"}``."""
    payload = {"statusCode": status, "error": reason_phrase(status), "message": message}
    return json_response(status, payload, headers)


def not_found(method: str, path: str) -> Response:
    return error_response(404, f"Cannot {method} {path}")
