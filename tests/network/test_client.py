"""Unit tests of the write client over httpx.MockTransport (the sandbox tests cover the wire)."""

from __future__ import annotations

import asyncio
import json
import random
import ssl
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.network.client import (
    Attempt,
    RetrySettings,
    SendTrace,
    Wait,
    WriteClient,
)
from pacspace_desktop.network.factory import USER_AGENT, make_http_client
from pacspace_desktop.network.failures import classify_transport_error

KEY = ApiKey("pk_test_pub.sk_very_secret_value")
ITEMS = [WriteItem("inv-1", "acct-1", 5)]
FAST = RetrySettings(base_delay=0.001, max_delay=0.002, max_retries=3, max_wait=5)
OK = {"statusCode": 202, "data": {"requestId": "req_1", "itemCount": 1, "status": "queued"}}

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, retry: RetrySettings = FAST,
            base_url: str = "https://pacspace.test") -> tuple[WriteClient, httpx.AsyncClient]:
    http = make_http_client(5, transport=httpx.MockTransport(handler))
    return WriteClient(http, base_url, KEY, retry, rng=random.Random(1)), http


def _script(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        nxt = queue.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        return nxt

    return handler, seen


@pytest.mark.asyncio
async def test_accepted_sends_the_documented_request() -> None:
    handler, seen = _script(httpx.Response(202, json=OK))
    client, http = _client(handler)
    async with http:
        result = await client.send(ITEMS)
    assert result.kind is OutcomeKind.ACCEPTED and result.request_id == "req_1"
    req = seen[0]
    assert req.method == "POST" and req.url.path == "/api/v1/writes"
    assert req.headers["X-Api-Key"] == KEY.reveal()
    assert req.headers["User-Agent"] == USER_AGENT
    assert req.headers["Content-Type"] == "application/json"
    assert json.loads(req.content) == {"items": [{"key": "inv-1", "accountId": "acct-1",
                                                  "bits": 5}]}


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried_then_succeed(status: int) -> None:
    handler, seen = _script(httpx.Response(status, json={"message": "busy"}),
                            httpx.Response(202, json=OK))
    client, http = _client(handler)
    waits: list[Wait] = []
    async with http:
        result = await client.send(ITEMS, on_wait=waits.append)
    assert result.kind is OutcomeKind.ACCEPTED
    assert [a.status_code for a in result.attempts] == [status, 202]
    assert len(seen) == 2 and len(waits) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422])
async def test_final_statuses_are_never_retried(status: int) -> None:
    handler, seen = _script(httpx.Response(status, json={"message": "no"}))
    client, http = _client(handler)
    async with http:
        result = await client.send(ITEMS)
    assert len(seen) == 1 and result.status_code == status
    assert result.server_message == "no"


@pytest.mark.asyncio
async def test_retries_stop_after_the_limit() -> None:
    handler, seen = _script(*[httpx.Response(500) for _ in range(4)])
    client, http = _client(handler)
    async with http:
        result = await client.send(ITEMS)
    assert result.kind is OutcomeKind.SERVER_ERROR
    assert len(seen) == 4 and [a.number for a in result.attempts] == [1, 2, 3, 4]


@pytest.mark.asyncio
async def test_retry_after_is_honoured_and_long_waits_are_handed_back() -> None:
    handler, _ = _script(httpx.Response(429, headers={"Retry-After": "1"}),
                         httpx.Response(202, json=OK))
    client, http = _client(handler, RetrySettings(base_delay=0.001, max_wait=5))
    waits: list[Wait] = []
    async with http:
        result = await client.send(ITEMS, on_wait=waits.append)
    assert result.kind is OutcomeKind.ACCEPTED and waits[0].seconds == 1.0

    handler, seen = _script(httpx.Response(429, json={"retryAfterSeconds": 3600}))
    client, http = _client(handler)
    async with http:
        result = await client.send(ITEMS)
    assert len(seen) == 1 and result.kind is OutcomeKind.RATE_LIMITED
    assert result.retry_at is not None


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    client = WriteClient(httpx.AsyncClient(), "https://x", KEY,
                         RetrySettings(base_delay=0.5, max_delay=8, jitter=0.25),
                         rng=random.Random(3))
    a = Attempt(1, datetime.now(UTC), 1, 500, OutcomeKind.SERVER_ERROR, "", "")
    delays = [client._delay(n, a, httpx.Headers(), None) for n in range(1, 8)]
    for n, d in enumerate(delays, start=1):
        nominal = min(8.0, 0.5 * 2 ** (n - 1))
        assert nominal * 0.75 <= d <= nominal * 1.25


@pytest.mark.asyncio
@pytest.mark.parametrize(("exc", "kind", "attempts"), [
    (httpx.ConnectError("[Errno 111] Connection refused"), OutcomeKind.CONNECTION_REFUSED, 4),
    (httpx.ConnectError("[Errno -2] Name or service not known"), OutcomeKind.HOST_NOT_FOUND, 4),
    (httpx.ConnectTimeout("timed out"), OutcomeKind.TIMEOUT_BEFORE_SEND, 4),
    (httpx.ReadTimeout("timed out"), OutcomeKind.TIMEOUT_AFTER_SEND, 1),
    (httpx.WriteTimeout("timed out"), OutcomeKind.TIMEOUT_AFTER_SEND, 1),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     OutcomeKind.CONNECTION_DROPPED, 1),
    (httpx.ReadError("reset"), OutcomeKind.CONNECTION_DROPPED, 1),
])
async def test_transport_failures(exc: Exception, kind: OutcomeKind, attempts: int) -> None:
    handler, seen = _script(*[exc] * 4)
    client, http = _client(handler)
    async with http:
        result = await client.send(ITEMS)
    assert result.kind is kind and len(seen) == attempts
    assert KEY.reveal() not in result.server_message


def test_tls_failure_is_told_apart() -> None:
    exc = httpx.ConnectError("handshake")
    exc.__cause__ = ssl.SSLCertVerificationError("CERTIFICATE_VERIFY_FAILED")
    assert classify_transport_error(exc) is OutcomeKind.TLS_ERROR
    assert classify_transport_error(httpx.ConnectError("boom")) is OutcomeKind.CONNECT_FAILED


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "body", "kind"), [
    (202, "<html>hello proxy</html>", OutcomeKind.UNREADABLE_ANSWER),
    (200, "", OutcomeKind.UNREADABLE_ANSWER),
    (202, '{"data": {"requestId": ', OutcomeKind.UNREADABLE_ANSWER),
    (502, "<html><title>Bad gateway</title></html>", OutcomeKind.BAD_GATEWAY),
])
async def test_answers_that_are_not_json(status: int, body: str, kind: OutcomeKind) -> None:
    handler, _ = _script(*[httpx.Response(status, text=body)] * 4)
    client, http = _client(handler)
    async with http:
        result = await client.send(ITEMS)
    assert result.kind is kind


@pytest.mark.asyncio
async def test_plain_http_is_refused_except_on_loopback() -> None:
    handler, seen = _script(httpx.Response(202, json=OK))
    client, http = _client(handler, base_url="http://pacspace.example.com")
    async with http:
        result = await client.send(ITEMS)
    assert result.kind is OutcomeKind.INSECURE_URL and seen == []
    client, http = _client(handler, base_url="http://127.0.0.1:9")
    async with http:
        assert (await client.send(ITEMS)).kind is OutcomeKind.ACCEPTED


@pytest.mark.asyncio
async def test_cancel_while_in_flight_is_visible_in_the_trace() -> None:
    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(10)
        return httpx.Response(202, json=OK)

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    client = WriteClient(http, "https://x.test", KEY, FAST)
    trace = SendTrace()
    async with http:
        task = asyncio.ensure_future(client.send(ITEMS, trace=trace))
        await started.wait()
        assert trace.in_flight
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_key_not_in_repr() -> None:
    client = WriteClient(httpx.AsyncClient(), "https://x", KEY)
    assert KEY.reveal() not in repr(client)
