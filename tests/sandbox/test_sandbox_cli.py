"""Lifecycle, loopback refusal and the ``python -m pacspace_desktop.sandbox`` entry point."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import SSL_CONTEXT, item

from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer, run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_demo_key_shape() -> None:
    assert re.fullmatch(r"pk_(live|test)_[^.\s]+\.\S+", DEMO_API_KEY)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "", "::"])
def test_non_loopback_refused(host: str) -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        SandboxServer(SandboxConfig(host=host))


def test_non_loopback_allowed_explicitly() -> None:
    SandboxServer(SandboxConfig(host="0.0.0.0", allow_non_loopback=True))  # not started


def test_bad_config_values() -> None:
    with pytest.raises(ValueError):
        SandboxConfig(api_keys=("not-a-key",))
    with pytest.raises(ValueError):
        SandboxConfig(max_items=0)
    with pytest.raises(ValueError):
        SandboxConfig(rate_limit=0)


def test_lifecycle() -> None:
    server = SandboxServer(SandboxConfig(port=0))
    with pytest.raises(RuntimeError):
        _ = server.base_url
    server.start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
        with pytest.raises(RuntimeError):
            server.start()
    finally:
        server.stop()
    server.stop()
    with pytest.raises(httpx.ConnectError), httpx.Client(verify=SSL_CONTEXT) as http:
        http.get(server.base_url + "/_sandbox/state")


def test_any_key_of_the_right_shape_when_no_keys_configured() -> None:
    with (
        SandboxServer(SandboxConfig(api_keys=())) as server,
        httpx.Client(base_url=server.base_url, verify=SSL_CONTEXT) as http,
    ):
        headers = {"X-Api-Key": "pk_live_abc.sk_whatever"}
        assert http.post("/api/v1/writes", json={"items": [item()]}, headers=headers).is_success
        headers = {"X-Api-Key": "garbage"}
        response = http.post("/api/v1/writes", json={"items": [item()]}, headers=headers)
        assert response.status_code == 401


def test_ipv6_loopback() -> None:
    try:
        server = SandboxServer(SandboxConfig(host="::1")).start()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with server, httpx.Client(verify=SSL_CONTEXT) as http:
        assert server.base_url.startswith("http://[::1]:")
        assert http.get(server.base_url + "/_sandbox/state").status_code == 200


def test_run_cli_refuses_remote_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--host", "0.0.0.0", "--port", "0"]) == 2
    assert "non-loopback" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics differ on Windows")
def test_cli_subprocess_serves_and_exits_0_on_sigterm() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [
        sys.executable,
        "-m",
        "pacspace_desktop.sandbox",
        "--port",
        "0",
        "--verify-delay",
        "0",
        "--quota",
        "5",
    ]
    with subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)", first)
            assert match, first
            assert int(match.group(1)) > 0
            assert DEMO_API_KEY in process.stdout.readline()
            with httpx.Client(
                base_url=match.group(0), headers={"X-Api-Key": DEMO_API_KEY}, verify=SSL_CONTEXT
            ) as http:
                response = http.post("/api/v1/writes", json={"items": [item("cli")]})
                assert response.status_code == 202
                data = http.get("/api/v1/reads/bucket/cli").json()["data"]
                assert data["verified"] is True
                assert http.get("/_sandbox/state").json()["quota"] == 5
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
            assert process.stderr is not None
            assert DEMO_API_KEY not in process.stderr.read()  # the key is never logged
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
