"""What the command line and History say, in words: a request that never left is "not sent"
(not "rejected"), a persistent 429 promises no retry that will not come, and no internal code
or exception name reaches the user."""

from __future__ import annotations

import re

import pytest

from pacspace_desktop.sandbox import SandboxServer
from tests.e2e.test_cli_submit import _free_port, history, items, submit

INTERNAL = re.compile(r"http-\d|[A-Z][a-z]+(Error|Timeout|Exception)\b|Errno|_ssl\.c|"
                      r"connection-refused|timeout-after-send|ProxyError")


def _words(text: str) -> None:
    found = INTERNAL.search(text)
    assert found is None, f"internal word {found.group()!r} in: {text}"


@pytest.mark.parametrize("how", ["refused", "tls"])
def test_a_request_that_never_left_is_counted_and_recorded_as_not_sent(
        tmp_path: pytest.TempPathFactory, sandbox: SandboxServer, demo_key: str,
        how: str) -> None:
    url = (f"http://127.0.0.1:{_free_port()}" if how == "refused"
           else sandbox.base_url.replace("http://", "https://"))
    result = submit(tmp_path, items(2, how), key=demo_key, base_url=url)  # type: ignore[arg-type]
    assert result.returncode == 1
    assert "Done: 0 accepted, 0 rejected, 0 outcome unknown, 2 not sent" in result.stdout
    _words(result.stdout + result.stderr)
    (entry,) = [e for e in history() if e["items"][0]["key"].startswith(how)]
    assert entry["state"] == "not sent"
    assert {it["state"] for it in entry["items"]} == {"not sent"}
    _words(entry["message"])


def test_a_persistent_429_promises_no_automatic_retry(
        tmp_path: pytest.TempPathFactory, sandbox: SandboxServer, demo_key: str) -> None:
    sandbox.set_faults([{"status": 429, "retryAfter": 0}] * 6)
    result = submit(tmp_path, items(1, "rate"), key=demo_key,  # type: ignore[arg-type]
                    base_url=sandbox.base_url)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "PacSpace asked us to slow down; trying again in 0.0 s (attempt 2)" in out
    assert "Wait a minute, then send these items again." in out
    assert "automatic retry" not in out and "sent again automatically" not in out
    _words(out)


def test_no_exception_name_for_a_timeout(tmp_path: pytest.TempPathFactory,
                                         sandbox: SandboxServer, demo_key: str) -> None:
    sandbox.set_faults([{"delay": 3}])
    result = submit(tmp_path, items(1, "slow"), "--timeout", "1",  # type: ignore[arg-type]
                    key=demo_key, base_url=sandbox.base_url)
    assert result.returncode == 3
    out = result.stdout + result.stderr
    assert "did not answer in time after the request was sent" in out
    _words(out)
    (entry,) = [e for e in history() if e["items"][0]["key"].startswith("slow")]
    _words(entry["message"])
