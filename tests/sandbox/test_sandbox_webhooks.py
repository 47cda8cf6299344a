"""The sandbox's webhook delivery: signed, after verify_delay, retried on non-2xx, verify-fail."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer

SECRET = "whsec_sandbox_test_00000000000"


class Catcher:
    """A tiny receiver that answers the scripted statuses in turn (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.got: list[tuple[dict[str, str], bytes]] = []
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                catcher.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = catcher.statuses.pop(0) if catcher.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def catcher() -> Iterator[Catcher]:
    c = Catcher([500, 503])
    try:
        yield c
    finally:
        c.close()


def _wait(cond: Any, limit_s: float = 15.0) -> None:
    deadline = time.monotonic() + limit_s
    while not cond():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def _write(sandbox: SandboxServer, keys: list[str]) -> str:
    answer = httpx.post(f"{sandbox.base_url}/api/v1/writes",
                        headers={"X-Api-Key": DEMO_API_KEY},
                        json={"items": [{"key": k, "accountId": "c-1", "bits": 2} for k in keys]})
    assert answer.status_code == 202
    return str(answer.json()["data"]["requestId"])


def test_signed_delivery_retried_until_2xx(catcher: Catcher) -> None:
    with SandboxServer(SandboxConfig(verify_delay=0.05, webhook_url=catcher.url,
                                     webhook_secret=SECRET, webhook_retry_delay=0.02)) as sb:
        request_id = _write(sb, ["inv-1", "inv-2"])
        _wait(lambda: sb.webhooks() and sb.webhooks()[0]["delivered"])
        hook = sb.webhooks()[0]
        state = sb.state_snapshot()
    assert hook["attempts"] == 3 and [a["status"] for a in hook["log"]] == [500, 503, 200]
    assert len(catcher.got) == 3
    ids = {h["x-event-id"] for h, _ in catcher.got}
    assert len(ids) == 1  # the same event each time
    headers, body = catcher.got[-1]
    stamp = headers["x-pacspace-timestamp"]
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-pacspace-signature"] == f"v1={expected}"
    assert headers["x-webhook-event"] == "verification.completed"
    payload = json.loads(body)
    assert payload["event"] == "verification.completed"
    assert payload["data"]["requestId"] == request_id and payload["data"]["status"] == "verified"
    assert [it["key"] for it in payload["data"]["items"]] == ["inv-1", "inv-2"]
    assert state["requests"][0]["status"] == "verified"


def test_verify_fail_fault(catcher: Catcher) -> None:
    catcher.statuses = []
    with SandboxServer(SandboxConfig(verify_delay=0.05, webhook_url=catcher.url,
                                     webhook_secret=SECRET)) as sb:
        sb.set_faults([{"verify": "fail"}])
        _write(sb, ["inv-9"])
        _wait(lambda: catcher.got)
        read = httpx.get(f"{sb.base_url}/api/v1/reads/bucket/inv-9",
                         headers={"X-Api-Key": DEMO_API_KEY}).json()
        state = sb.state_snapshot()
    headers, body = catcher.got[0]
    payload = json.loads(body)
    assert headers["x-webhook-event"] == payload["event"] == "verification.failed"
    assert payload["data"]["status"] == "failed" and "sandbox fault" in payload["data"]["error"]
    assert read["data"]["verified"] is False and read["data"]["totalWrites"] == 1
    assert state["requests"][0]["status"] == "failed"


def test_no_webhook_url_delivers_nothing_and_faults_are_checked() -> None:
    with SandboxServer(SandboxConfig(verify_delay=0.0)) as sb:
        _write(sb, ["inv-1"])
        assert sb.webhooks() == []
        for bad in ({"verify": "maybe"}, {"verify": "fail", "status": 500},
                    {"verifyError": "x"}):
            with pytest.raises(ValueError):
                sb.set_faults([bad])
        with pytest.raises(ValueError, match="loopback"):
            sb.update_settings(webhook_url="http://example.com/hook")
        sb.update_settings(webhook_url="http://127.0.0.1:9/hook", rate_limit_reads=True)
        assert sb.state_snapshot()["faultsQueued"] == 0


def test_reads_can_share_the_rate_limit() -> None:
    with SandboxServer(SandboxConfig(rate_limit=1, rate_limit_reads=True)) as sb:
        url = f"{sb.base_url}/api/v1/reads/bucket/none"
        first = httpx.get(url, headers={"X-Api-Key": DEMO_API_KEY})
        second = httpx.get(url, headers={"X-Api-Key": DEMO_API_KEY})
    assert first.status_code == 404 and second.status_code == 429
    assert second.headers["Retry-After"] == "1"


def test_cli_refuses_a_webhook_url_off_this_computer(capsys: pytest.CaptureFixture[str]) -> None:
    from pacspace_desktop.sandbox import run_cli

    assert run_cli(["--port", "0", "--webhook-url", "http://example.com/hook"]) == 2
    assert "loopback" in capsys.readouterr().err
