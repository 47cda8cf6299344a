"""The write client: `POST /api/v1/writes` with retries that never risk counting a record twice."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.attempts import Attempt
from pacspace_desktop.domain.catalogue import (
    CatalogueEntry,
    OutcomeKind,
    RetryPolicy,
    entry,
    kind_for_status,
)
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.validation import request_body
from pacspace_desktop.network.factory import trust_used
from pacspace_desktop.network.failures import classify_transport_error, describe_transport_error
from pacspace_desktop.network.responses import (
    Accepted,
    field_at_fault,
    mask_secrets,
    parse_accepted,
    parse_json,
    retry_after_seconds,
    server_message,
)
from pacspace_desktop.network.security import InsecureUrlError, check_base_url

if TYPE_CHECKING:  # imported with the first request, not at the app's start
    import httpx

WRITES_PATH = "/api/v1/writes"
__all__ = ["Attempt", "RetrySettings", "RetryWait", "SendResult", "SendTrace", "Wait",
           "WriteClient"]


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """When and how often the client tries again on its own.

    Attributes:
        base_delay: First backoff wait in seconds; it doubles each time.
        max_delay: Longest backoff wait.
        max_retries: Retries after the first attempt.
        max_wait: A server-requested wait longer than this is not slept: the caller is told
            when to try again instead.
        jitter: Random spread of each backoff wait (0.25 = ±25 %).
    """

    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retries: int = 3
    max_wait: float = 120.0
    jitter: float = 0.25


@dataclass(frozen=True, slots=True)
class Wait:
    """A wait before the next attempt.

    Attributes:
        seconds: How long.
        until: When the next attempt starts (UTC).
        reason: The outcome that caused the wait.
        attempt: The number of the attempt that will follow.
    """

    seconds: float
    until: datetime
    reason: OutcomeKind
    attempt: int


@dataclass(slots=True)
class SendTrace:
    """What the caller can see while a send runs, and after it was cancelled.

    Attributes:
        attempts: Every finished attempt.
        in_flight: True while a request is on its way (cancelling now leaves an unknown outcome).
        ever_sent: True once any attempt got past connecting.
    """

    attempts: list[Attempt] = field(default_factory=list)
    in_flight: bool = False
    ever_sent: bool = False


@dataclass(frozen=True, slots=True)
class SendResult:
    """How one request ended.

    Attributes:
        kind: The final outcome.
        status_code: The last HTTP status, or None.
        accepted: The readable success answer, for ACCEPTED.
        server_message: The server's own words for the last attempt.
        response_text: The last raw answer.
        request_body: The exact JSON text sent.
        attempts: Every attempt.
        retry_at: When to try again, for a wait that was too long to sleep.
    """

    kind: OutcomeKind
    status_code: int | None
    accepted: Accepted | None
    server_message: str
    response_text: str
    request_body: str
    attempts: tuple[Attempt, ...]
    retry_at: datetime | None = None

    @property
    def entry(self) -> CatalogueEntry:
        """The catalogue's words for this outcome."""
        return entry(self.kind)

    @property
    def request_id(self) -> str | None:
        """PacSpace's Request ID, when accepted."""
        return self.accepted.request_id if self.accepted else None

    @property
    def fault(self) -> tuple[int, str | None] | None:
        """The item (0-based in this request) and field the server's message names."""
        return field_at_fault(self.server_message) if self.server_message else None


class RetryWait:
    """A wait between attempts that a person can cut short ("Retry now")."""

    def __init__(self) -> None:
        self._skip: asyncio.Event | None = None

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, or until `skip()` is called."""
        self._skip = asyncio.Event()
        try:
            await asyncio.wait_for(self._skip.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass
        finally:
            self._skip = None

    def skip(self) -> None:
        """End the current wait now."""
        if self._skip is not None:
            self._skip.set()


AttemptHook = Callable[[Attempt], None]
WaitHook = Callable[[Wait], None]
_MAX_KEPT_RESPONSE = 65_536


class WriteClient:
    """Sends write requests to one PacSpace base URL with one API key.

    The client never re-sends a request whose outcome is unknown; it retries only what
    certainly was not written (429, 5xx answers and failures to connect).
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str, api_key: ApiKey,
                 retry: RetrySettings | None = None, *,
                 rng: random.Random | None = None) -> None:
        self._http = http
        self._base_url = base_url
        self._key = api_key
        self._retry = retry or RetrySettings()
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"WriteClient({self._base_url!r}, {self._key!r})"

    @property
    def base_url(self) -> str:
        """The base URL as configured."""
        return self._base_url

    async def send(self, items: Sequence[WriteItem], *, trace: SendTrace | None = None,
                   on_attempt: AttemptHook | None = None, on_wait: WaitHook | None = None,
                   waiter: RetryWait | None = None, body: str | None = None) -> SendResult:
        """Send one request with `items`, retrying only what was certainly not written.

        Args:
            items: At most the per-request maximum; the caller splits long lists.
            trace: Filled in as attempts happen, so a cancelled caller knows what was sent.
            on_attempt: Called after every attempt.
            on_wait: Called before every wait between attempts.
            waiter: Lets a person cut a wait short.
            body: The request's JSON text when the caller wrote it already (the outbox keeps
                it; these exact bytes are sent). Default: written from `items`.

        Returns:
            How the request ended. Transport failures are results, not exceptions.
        """
        trace = trace if trace is not None else SendTrace()
        body = body if body is not None else request_body(items)
        try:
            url = check_base_url(self._base_url) + WRITES_PATH
        except InsecureUrlError as exc:
            return SendResult(OutcomeKind.INSECURE_URL, None, None, str(exc), "", body, ())
        waiter = waiter or RetryWait()
        number = 0
        while True:
            number += 1
            attempt, accepted, headers, parsed = await self._attempt(url, body, number, trace)
            trace.attempts.append(attempt)
            if on_attempt:
                on_attempt(attempt)
            policy = entry(attempt.kind).retry
            if policy is not RetryPolicy.BACKOFF or number > self._retry.max_retries:
                return self._result(attempt, accepted, body, trace)
            delay = self._delay(number, attempt, headers, parsed)
            until = datetime.now(UTC) + timedelta(seconds=delay)
            if delay > self._retry.max_wait:
                return self._result(attempt, accepted, body, trace, retry_at=until)
            if on_wait:
                on_wait(Wait(delay, until, attempt.kind, number + 1))
            await waiter.sleep(delay)

    def _result(self, attempt: Attempt, accepted: Accepted | None, body: str, trace: SendTrace,
                retry_at: datetime | None = None) -> SendResult:
        return SendResult(attempt.kind, attempt.status_code, accepted, attempt.server_message,
                          attempt.response_text, body, tuple(trace.attempts), retry_at)

    def _delay(self, number: int, attempt: Attempt, headers: httpx.Headers | None,
               parsed: Any) -> float:
        if headers is not None:
            asked = retry_after_seconds(headers, parsed)
            if asked is not None:
                return float(asked)
        backoff: float = min(self._retry.max_delay,
                             self._retry.base_delay * 2.0 ** (number - 1))
        spread = backoff * self._retry.jitter
        return max(0.0, backoff + float(self._rng.uniform(-spread, spread)))

    async def _attempt(self, url: str, body: str, number: int, trace: SendTrace
                       ) -> tuple[Attempt, Accepted | None, httpx.Headers | None, Any]:
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        headers = {"X-Api-Key": self._key.reveal(), "Content-Type": "application/json"}
        # in_flight stays True if this await is cancelled: the caller must then treat the
        # request as possibly written.
        trace.in_flight = True
        import httpx  # loaded once: then a dictionary look-up

        try:
            response = await self._http.post(url, content=body.encode("utf-8"), headers=headers)
            # a server or proxy may echo the key (a 401 text, a 502 page listing the request
            # headers): masked here, before anything is parsed, shown or stored
            text = mask_secrets(response.text, self._key)
        except httpx.TransportError as exc:
            trace.in_flight = False
            kind = classify_transport_error(exc)
            if entry(kind).written.value == "unknown":
                trace.ever_sent = True
            message = describe_transport_error(exc, kind, trust_used(self._http))
            return (Attempt(number, started, _ms(t0), None, kind,
                            mask_secrets(message, self._key), ""),
                    None, None, None)
        trace.in_flight = False
        trace.ever_sent = True
        parsed = parse_json(text)
        accepted = None
        if 200 <= response.status_code < 300:
            accepted = parse_accepted(parsed)
            kind = OutcomeKind.ACCEPTED if accepted else OutcomeKind.UNREADABLE_ANSWER
            message = (accepted.message or "") if accepted else server_message(text, parsed)
        else:
            kind = kind_for_status(response.status_code)
            message = server_message(text, parsed)
        attempt = Attempt(number, started, _ms(t0), response.status_code, kind, message,
                          text[:_MAX_KEPT_RESPONSE])
        return attempt, accepted, response.headers, parsed


def _ms(t0: float) -> int:
    return round((time.perf_counter() - t0) * 1000)
