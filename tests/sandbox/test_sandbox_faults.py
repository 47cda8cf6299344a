"""The scripted fault queue (POST /_sandbox/faults)."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from conftest import item

from pacspace_desktop.sandbox import SandboxServer

WRITES = "/api/v1/writes"


def write(client: httpx.Client, *items: Any) -> httpx.Response:
    return client.post(WRITES, json={"items": list(items) or [item()]})


def queue(anon: httpx.Client, *entries: Any) -> None:
    response = anon.post("/_sandbox/faults", json={"queue": list(entries)})
    assert response.status_code == 200
    assert response.json() == {"queued": len(entries)}


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 504])
def test_status_fault_writes_nothing(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer, status: int
) -> None:
    queue(anon, {"status": status})
    response = write(client, item("f"))
    assert response.status_code == status
    body = response.json()
    assert body["statusCode"] == status
    assert isinstance(body["error"], str)
    assert isinstance(body["message"], str)
    state = sandbox.state_snapshot()
    assert state["keys"] == {}
    assert state["requestsReceived"] == 1
    assert write(client, item("f")).status_code == 202  # queue consumed


def test_faults_apply_in_order_and_get_lists_remaining(
    client: httpx.Client, anon: httpx.Client
) -> None:
    queue(anon, {"status": 500}, {}, {"status": 503})
    assert anon.get("/_sandbox/faults").json()["queue"] == [{"status": 500}, {}, {"status": 503}]
    assert write(client).status_code == 500
    assert anon.get("/_sandbox/faults").json()["queue"] == [{}, {"status": 503}]
    assert client.get("/api/v1/reads/bucket/x").status_code == 404  # reads take no fault
    assert write(client).status_code == 202
    assert write(client).status_code == 503
    assert write(client).status_code == 202


def test_post_replaces_queue(client: httpx.Client, anon: httpx.Client) -> None:
    queue(anon, {"status": 500}, {"status": 500})
    queue(anon, {"status": 502})
    assert write(client).status_code == 502
    assert write(client).status_code == 202


def test_html_body_retry_after_and_headers(client: httpx.Client, anon: httpx.Client) -> None:
    html = "<html><body>502 Bad Gateway</body></html>"
    queue(anon, {"status": 502, "body": html, "retryAfter": 7, "headers": {"X-Proxy": "nginx"}})
    response = write(client)
    assert response.status_code == 502
    assert response.text == html
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-proxy"] == "nginx"


def test_empty_body_fault(client: httpx.Client, anon: httpx.Client) -> None:
    queue(anon, {"status": 503, "body": ""})
    response = write(client)
    assert response.status_code == 503
    assert response.content == b""


def test_retry_after_seconds_nested_form(client: httpx.Client, anon: httpx.Client) -> None:
    queue(anon, {"status": 429, "retryAfterSeconds": 3, "message": "slow down"})
    response = write(client)
    assert response.status_code == 429
    assert "retry-after" not in response.headers
    body = response.json()
    assert body["error"]["retryAfterSeconds"] == 3
    assert body["error"]["message"] == "slow down"
    assert isinstance(body["error"]["code"], str)


def test_delay_then_success(client: httpx.Client, anon: httpx.Client) -> None:
    queue(anon, {"delay": 0.3})
    started = time.perf_counter()
    assert write(client).status_code == 202
    assert time.perf_counter() - started >= 0.3


def test_delay_with_status(client: httpx.Client, anon: httpx.Client) -> None:
    queue(anon, {"delay": 0.2, "status": 500})
    started = time.perf_counter()
    assert write(client).status_code == 500
    assert time.perf_counter() - started >= 0.2


def test_client_timeout_during_delay_leaves_write_recorded(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer
) -> None:
    queue(anon, {"delay": 0.5})
    with pytest.raises(httpx.ReadTimeout):
        client.post(WRITES, json={"items": [item("slow")]}, timeout=0.1)
    assert sandbox.state_snapshot()["keys"]["slow"]["totalWrites"] == 1  # outcome unknown!


def test_drop_records_write_then_closes(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer
) -> None:
    queue(anon, {"drop": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        write(client, item("dropped", bits=4))
    state = sandbox.state_snapshot()
    assert state["keys"]["dropped"]["currentBits"] == 4
    assert state["requestsReceived"] == 1
    assert len(state["requests"]) == 1
    assert write(client, item("after")).status_code == 202  # the client reconnects


def test_drop_with_status_writes_nothing(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer
) -> None:
    queue(anon, {"status": 500, "drop": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        write(client, item("gone"))
    assert sandbox.state_snapshot()["keys"] == {}


def test_envelope_success(client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer) -> None:
    queue(anon, {"envelope": "success"})
    response = write(client, item("e"))
    assert response.status_code == 202
    body = response.json()
    assert body["success"] is True
    assert body["data"]["requestId"].startswith("req_")
    assert body["data"]["itemCount"] == 1
    assert "e" in sandbox.state_snapshot()["keys"]


def test_envelope_batch_id(client: httpx.Client, anon: httpx.Client) -> None:
    queue(anon, {"envelope": "batchId"})
    data = write(client).json()["data"]
    assert data["batchId"].startswith("req_")
    assert "requestId" not in data
    assert data["status"] == "queued"


def test_garbled_is_written_but_unparseable(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer
) -> None:
    queue(anon, {"garbled": True})
    response = write(client, item("g"))
    assert response.status_code == 202
    with pytest.raises(ValueError):
        response.json()
    assert sandbox.state_snapshot()["keys"]["g"]["totalWrites"] == 1


def test_fault_does_not_bypass_validation(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer
) -> None:
    queue(anon, {"envelope": "success"})
    response = write(client, item("bad", bits=1.5))
    assert response.status_code == 400
    assert sandbox.state_snapshot()["keys"] == {}


@pytest.mark.parametrize(
    "bad",
    [
        {"queue": [{"status": 99}]},
        {"queue": [{"stauts": 500}]},
        {"queue": [{"body": "x"}]},
        {"queue": [{"status": 500, "garbled": True}]},
        {"queue": [{"envelope": "other"}]},
        {"queue": [{"delay": -1}]},
        {"queue": [{"status": 500, "headers": {"Content-Length": "3"}}]},
        {"queue": "nope"},
    ],
)
def test_invalid_fault_queue_is_400(anon: httpx.Client, bad: Any) -> None:
    response = anon.post("/_sandbox/faults", json=bad)
    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_set_faults_python_api(client: httpx.Client, sandbox: SandboxServer) -> None:
    assert sandbox.set_faults([{"status": 503}]) == 1
    with pytest.raises(ValueError):
        sandbox.set_faults([{"status": "500"}])
    assert write(client).status_code == 503


def test_stop_interrupts_delay(client: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.set_faults([{"delay": 30}])
    errors: list[Exception] = []

    def slow_write() -> None:
        try:
            write(client, item("late"))
        except httpx.TransportError as exc:
            errors.append(exc)

    started = time.perf_counter()
    worker = threading.Thread(target=slow_write)
    worker.start()
    time.sleep(0.1)
    sandbox.stop()
    sandbox.stop()  # idempotent
    worker.join(5)
    assert time.perf_counter() - started < 5
    assert len(errors) == 1  # no answer: the outcome is unknown to the client
    assert "late" in sandbox.state_snapshot()["keys"]
