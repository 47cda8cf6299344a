"""The HTTP request handler: routing, body reading, and the write pipeline."""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import unquote

from .config import API_KEY_RE, SandboxConfig, mask_api_key
from .faults import Fault, extra_headers, fault_error_response, parse_fault_queue, shape_success
from .responses import Response, error_response, json_response, not_found
from .state import QuotaExceeded, SandboxState
from .validation import ValidationError, parse_json, validate_write_body

log = logging.getLogger("pacspace_desktop.sandbox")

WRITES_PATH = "/api/v1/writes"
READS_PREFIX = "/api/v1/reads/bucket/"
DISCARD_LIMIT = 16 * 1_048_576
ACCEPTED_MESSAGE = "Write accepted. Items are queued for verification."


@dataclass(slots=True)
class SandboxContext:
    config: SandboxConfig
    state: SandboxState
    stopping: threading.Event


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PacSpaceSandbox/1.0"
    sys_version = ""
    timeout = 120
    error_content_type = "application/json"
    error_message_format = '{"statusCode":%(code)d,"error":"%(message)s","message":"%(explain)s"}'

    def version_string(self) -> str:
        return self.server_version

    @property
    def ctx(self) -> SandboxContext:
        return cast(SandboxContext, getattr(self.server, "context"))  # noqa: B009

    # -- logging -------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    # -- plumbing ------------------------------------------------------------
    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _discard(self, count: int) -> None:
        while count > 0:
            chunk = self.rfile.read(min(count, 65536))
            if not chunk:
                self.close_connection = True
                return
            count -= len(chunk)

    def _read_chunked(self, limit: int) -> bytes | None:
        parts: list[bytes] = []
        size_total, too_large = 0, False
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                return None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return None if too_large else b"".join(parts)
            size_total += size
            if size_total > DISCARD_LIMIT:
                self.close_connection = True
                return None
            chunk = self.rfile.read(size)
            self.rfile.readline(65537)
            if size_total > limit:
                too_large, parts = True, []
            elif not too_large:
                parts.append(chunk)

    def _read_body(self, limit: int) -> bytes | None:
        """The request body, or None when it is larger than ``limit`` (or unreadable)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return None
        if length > limit:
            if length > DISCARD_LIMIT:
                self.close_connection = True
            else:
                self._discard(length)
            return None
        return self.rfile.read(length)

    def _wait(self, seconds: float) -> bool:
        """Sleep for a delay fault; False (and close, unanswered) if the server stops."""
        if seconds > 0 and self.ctx.stopping.wait(seconds):
            self.close_connection = True
            return False
        return True

    # -- verbs ---------------------------------------------------------------
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self._read_body(self.ctx.config.max_body_bytes)  # keep the connection in step
        state = self.ctx.state
        if path == "/_sandbox/state":
            self._send(json_response(200, state.snapshot()))
        elif path == "/_sandbox/faults":
            self._send(json_response(200, {"queue": state.faults_json()}))
        elif path == "/_sandbox/config":
            self._send(json_response(200, state.settings_json()))
        elif path.startswith(READS_PREFIX) and len(path) > len(READS_PREFIX):
            self._send(self._read_bucket(unquote(path[len(READS_PREFIX) :])))
        else:
            self._send(not_found("GET", path))

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self._read_body(self.ctx.config.max_body_bytes)
        if path == WRITES_PATH:
            self._handle_write(body)
        elif path.startswith("/_sandbox/"):
            self._send(self._control(path, body))
        else:
            self._send(not_found("POST", path))

    def _other(self) -> None:
        path = self.path.split("?", 1)[0]
        self._read_body(self.ctx.config.max_body_bytes)
        self._send(not_found(self.command, path))

    do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _other

    # -- reads ---------------------------------------------------------------
    def _authorized(self) -> bool:
        api_key = (self.headers.get("X-Api-Key") or "").strip()
        if API_KEY_RE.match(api_key) is None:
            return False
        keys = self.ctx.config.api_keys
        return not keys or api_key in keys

    def _unauthorized(self) -> Response:
        return error_response(401, "Invalid or missing API key")

    def _read_bucket(self, key: str) -> Response:
        state = self.ctx.state
        state.count_read()
        if not self._authorized():
            return self._unauthorized()
        if state.rate_limit_reads:
            wait = state.take_rate_token()
            if wait is not None:
                return self._too_many(wait)
        data = state.read_key(key)
        if data is None:
            return error_response(404, f"No record found for key: {key}")
        return json_response(200, {"statusCode": 200, "data": data})

    # -- control -------------------------------------------------------------
    def _control(self, path: str, body: bytes | None) -> Response:
        state = self.ctx.state
        if path == "/_sandbox/webhooks/redeliver":
            return self._redeliver(body)
        if path == "/_sandbox/reset":
            state.reset()
            log.info("sandbox state reset")
            return json_response(200, {"reset": True})
        if path not in ("/_sandbox/faults", "/_sandbox/config"):
            return not_found("POST", path)
        try:
            if body is None:
                raise ValueError("the body is too large")
            payload = parse_json(body)
            if path == "/_sandbox/faults":
                count = state.set_faults(parse_fault_queue(payload))
                log.info("fault queue replaced: %d entries", count)
                return json_response(200, {"queued": count})
            return json_response(200, state.patch_settings(payload))
        except ValidationError as exc:
            return error_response(400, exc.payload_message)
        except ValueError as exc:
            return error_response(400, str(exc))

    # -- writes --------------------------------------------------------------
    def _handle_write(self, body: bytes | None) -> None:
        state = self.ctx.state
        fault = state.begin_write()
        masked = mask_api_key((self.headers.get("X-Api-Key") or "").strip())
        if fault is not None and fault.status is not None:
            if not self._wait(fault.delay):
                return
            if fault.drop:
                log.info("write from %s: injected %d then dropped", masked, fault.status)
                self.close_connection = True
                return
            log.info("write from %s: injected status %d", masked, fault.status)
            self._send(fault_error_response(fault))
            return
        response, data = self._process_write(body, masked,
                                             fault.verify_error if fault else None)
        if fault is None:
            self._send(response)
            return
        if not self._wait(fault.delay):
            return
        if fault.drop:
            log.info("write from %s: connection dropped after processing", masked)
            self.close_connection = True
            return
        self._send(self._shape(fault, response, data))

    def _shape(self, fault: Fault, response: Response, data: dict[str, Any] | None) -> Response:
        if data is not None:
            return shape_success(fault, response, data)
        content_type, headers = extra_headers(fault)
        response.headers.extend(headers)
        if content_type is not None:
            response.content_type = content_type
        return response

    def _too_many(self, wait: int) -> Response:
        message = f"Rate limit exceeded: {self.ctx.state.rate_limit:g} requests per second."
        payload = {
            "statusCode": 429,
            "error": "Too Many Requests",
            "message": message,
            "retryAfterSeconds": wait,
        }
        return json_response(429, payload, [("Retry-After", str(wait))])

    def _redeliver(self, body: bytes | None) -> Response:
        deliverer = self.ctx.state.deliverer
        try:
            payload = parse_json(body or b"")
        except ValidationError as exc:
            return error_response(400, exc.payload_message)
        event_id = payload.get("eventId") if isinstance(payload, dict) else None
        if deliverer is None or not isinstance(event_id, str):
            return error_response(400, 'the body must be {"eventId": "evt_..."}')
        if not deliverer.redeliver(event_id):
            return error_response(404, f"No webhook event {event_id}")
        return json_response(200, {"redelivered": event_id})

    def _process_write(
        self, body: bytes | None, masked: str, verify_error: str | None = None
    ) -> tuple[Response, dict[str, Any] | None]:
        ctx = self.ctx
        if not self._authorized():
            log.info("write from %s: 401", masked)
            return self._unauthorized(), None
        wait = ctx.state.take_rate_token()
        if wait is not None:
            log.info("write from %s: 429 (retry after %d s)", masked, wait)
            return self._too_many(wait), None
        try:
            if body is None:
                limit = ctx.config.max_body_bytes
                raise ValidationError(
                    [f"Validation failed: the request body is larger than {limit} bytes."]
                )
            content_type = self.headers.get("Content-Type", "")
            if content_type.split(";", 1)[0].strip().lower() != "application/json":
                raise ValidationError(["Validation failed: Content-Type must be application/json."])
            items = validate_write_body(body, ctx.config)
            record = ctx.state.commit(items, verify_error, hashlib.sha256(body).hexdigest())
        except ValidationError as exc:
            log.info("write from %s: 400 %s", masked, exc)
            return error_response(400, exc.payload_message), None
        except QuotaExceeded as exc:
            log.info("write from %s: 402", masked)
            return error_response(402, str(exc)), None
        data = {
            "requestId": record.request_id,
            "itemCount": record.item_count,
            "status": "queued",
            "message": ACCEPTED_MESSAGE,
        }
        log.info("write from %s: 202 %s (%d items)", masked, record.request_id, len(items))
        return json_response(202, {"statusCode": 202, "data": data}), data


__all__ = ["SandboxContext", "SandboxRequestHandler"]
