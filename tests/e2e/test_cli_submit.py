"""`pacspace-desktop submit` as a user runs it: a subprocess against the sandbox on loopback.

Every row of the catalogue that a server can cause is driven through the fault queue, and each
test checks what the user is told, what history holds, and what the sandbox received.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pacspace_desktop.sandbox import SandboxServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def submit(tmp_path: Path, items: Any, *args: str, key: str | None,
           base_url: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "items.json"
    if isinstance(items, str):
        path.write_text(items, encoding="utf-8")
    else:
        path.write_text(json.dumps(items), encoding="utf-8")
    env = dict(os.environ)
    env.pop("PACSPACE_API_KEY", None)
    if key is not None:
        env["PACSPACE_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "pacspace_desktop", "submit", str(path), "--base-url", base_url,
         *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def history(*args: str) -> list[dict[str, Any]]:
    out = subprocess.run([sys.executable, "-m", "pacspace_desktop", "history", "--json",
                          "--limit", "1000", *args], capture_output=True, text=True,
                         timeout=60, check=True)
    return list(json.loads(out.stdout))


def items(n: int, prefix: str = "inv") -> list[dict[str, Any]]:
    return [{"key": f"{prefix}-{i}", "accountId": f"acct-{i % 2}", "bits": i + 1,
             "metadata": {"amount": 12.50}} for i in range(n)]


# fault queue, exit code, words the user must see, item state in history, writes in the sandbox,
# requests the sandbox received
CASES = [
    ([], 0, "accepted — Request ID req_", "accepted", 1, 1),
    ([{"status": 400, "body": '{"statusCode":400,"error":"Bad Request",'
                              '"message":"Validation failed: items[0].bits must be an integer."}'}],
     1, "PacSpace refused the items", "rejected", 0, 1),
    ([{"status": 401}], 1, "PacSpace did not accept the API key", "rejected", 0, 1),
    ([{"status": 402}], 1, "Your PacSpace plan limit is reached", "rejected", 0, 1),
    ([{"status": 403}], 1, "This key may not record data", "rejected", 0, 1),
    ([{"status": 404}], 1, "PacSpace could not find the address", "rejected", 0, 1),
    ([{"status": 409}], 1, "PacSpace reported a conflict", "rejected", 0, 1),
    ([{"status": 422}], 1, "PacSpace could not process the items", "rejected", 0, 1),
    ([{"status": 418}], 1, "PacSpace refused the request", "rejected", 0, 1),
    ([{"status": 429, "retryAfter": 1}], 0, "accepted — Request ID", "accepted", 1, 2),
    ([{"status": 429, "retryAfter": 3600}], 1, "try again at", "rejected", 0, 1),
    ([{"status": 500}], 0, "accepted — Request ID", "accepted", 1, 2),
    ([{"status": 500}] * 4, 1, "PacSpace had a problem", "rejected", 0, 4),
    ([{"status": 502, "body": "<html><title>502 Bad Gateway</title></html>"}] * 4, 1,
     "(not a PacSpace answer) 502 Bad Gateway", "rejected", 0, 4),
    ([{"status": 503}, {"status": 504}], 0, "accepted — Request ID", "accepted", 1, 3),
    ([{"drop": True}], 3, "The connection broke — outcome unknown", "unknown", 1, 1),
    ([{"garbled": True}], 3, "PacSpace's answer could not be read", "unknown", 1, 1),
    ([{"envelope": "success"}], 0, "accepted — Request ID", "accepted", 1, 1),
    ([{"envelope": "batchId"}], 0, "accepted — Request ID", "accepted", 1, 1),
]


@pytest.mark.parametrize(("faults", "code", "words", "state", "writes", "received"), CASES,
                         ids=[str(c[0][:1]) + f"x{len(c[0])}" for c in CASES])
def test_every_server_outcome(tmp_path: Path, sandbox: SandboxServer, demo_key: str,
                              faults: list[dict[str, Any]], code: int, words: str, state: str,
                              writes: int, received: int) -> None:
    sandbox.set_faults(faults)
    result = submit(tmp_path, items(1), key=demo_key, base_url=sandbox.base_url)
    assert result.returncode == code, result.stdout + result.stderr
    assert words in result.stdout
    assert demo_key not in result.stdout + result.stderr
    [entry] = history()
    assert [it["state"] for it in entry["items"]] == [state]
    assert entry["environment"] == "sandbox"
    snap = sandbox.state_snapshot()
    assert snap["requestsReceived"] == received
    assert snap["keys"].get("inv-0", {}).get("totalWrites", 0) == writes


def test_timeout_after_send_is_unknown(tmp_path: Path, sandbox: SandboxServer,
                                       demo_key: str) -> None:
    sandbox.set_faults([{"delay": 3}])
    result = submit(tmp_path, items(1), "--timeout", "1", key=demo_key,
                    base_url=sandbox.base_url)
    assert result.returncode == 3
    assert "No answer from PacSpace — outcome unknown" in result.stdout
    assert "check on the server" in result.stdout.lower()
    assert sandbox.state_snapshot()["requestsReceived"] == 1


def test_wrong_key_is_401(tmp_path: Path, sandbox: SandboxServer) -> None:
    result = submit(tmp_path, items(1), key="pk_test_other.sk_nope", base_url=sandbox.base_url)
    assert result.returncode == 1
    assert "Open the key settings" in result.stdout


def test_quota_402_stops_and_the_rest_is_not_sent(tmp_path: Path, sandbox: SandboxServer,
                                                  demo_key: str) -> None:
    sandbox.update_settings(quota=150)
    result = submit(tmp_path, items(300), key=demo_key, base_url=sandbox.base_url)
    assert result.returncode == 1
    assert "Done: 100 accepted, 100 rejected, 0 outcome unknown, 100 not sent" in result.stdout
    states = sorted({it["state"] for e in history() for it in e["items"]})
    assert states == ["accepted", "not sent", "rejected"]


def test_connection_refused_and_tls(tmp_path: Path, sandbox: SandboxServer,
                                    demo_key: str) -> None:
    result = submit(tmp_path, items(1), key=demo_key,
                    base_url=f"http://127.0.0.1:{_free_port()}")
    assert result.returncode == 1
    assert "PacSpace refused the connection" in result.stdout
    assert "Written: Nothing" in result.stdout
    https = sandbox.base_url.replace("http://", "https://")
    result = submit(tmp_path, items(1, "tls"), key=demo_key, base_url=https)
    assert result.returncode == 1
    assert "The secure connection to PacSpace failed" in result.stdout
    assert sandbox.state_snapshot()["keys"] == {}


def test_10001_items_go_in_101_requests(tmp_path: Path, sandbox: SandboxServer,
                                        demo_key: str) -> None:
    result = submit(tmp_path, items(10_001), key=demo_key, base_url=sandbox.base_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("accepted — Request ID") == 101
    snap = sandbox.state_snapshot()
    assert snap["requestsReceived"] == 101 and len(snap["keys"]) == 10_001


def test_non_ascii_keys_and_large_metadata(tmp_path: Path, sandbox: SandboxServer,
                                           demo_key: str) -> None:
    data = [{"key": "facture-é-№1-發票", "accountId": "client-Zürich", "bits": -3,
             "metadata": {"note": "ü" * 50_000, "amount": 250.00}}]
    result = submit(tmp_path, data, key=demo_key, base_url=sandbox.base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sandbox.state_snapshot()["keys"]["facture-é-№1-發票"]["currentBits"] == -3


def test_resending_a_known_key_is_refused(tmp_path: Path, sandbox: SandboxServer,
                                          demo_key: str) -> None:
    assert submit(tmp_path, items(2), key=demo_key, base_url=sandbox.base_url).returncode == 0
    again = submit(tmp_path, items(2), key=demo_key, base_url=sandbox.base_url)
    assert again.returncode == 2
    assert "would count twice" in again.stderr and "inv-0" in again.stderr
    assert sandbox.state_snapshot()["requestsReceived"] == 1
    forced = submit(tmp_path, items(2), "--resend-known-keys", key=demo_key,
                    base_url=sandbox.base_url)
    assert forced.returncode == 0
    assert sandbox.state_snapshot()["keys"]["inv-0"]["totalWrites"] == 2


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "is not valid JSON at line 1"),
    ("[]", "There are no items to send"),
    ('[{"key": "a", "accountId": "b", "bits": 1.5}]', "Item 1, Bits"),
    ('[{"key": "a", "accountId": "b", "bits": "12abc"}]', "not text"),
    ('[{"key": "a", "accountId": "b", "bits": NaN}]', "NaN"),
    ('{"items": 5}', "must hold a list of items"),
    ('[{"key": " a", "accountId": "b", "bits": 1}]', "starts or ends with a space"),
])
def test_bad_input_sends_nothing(tmp_path: Path, sandbox: SandboxServer, demo_key: str,
                                 content: str, words: str) -> None:
    result = submit(tmp_path, content, key=demo_key, base_url=sandbox.base_url)
    assert result.returncode == 2
    assert words in result.stderr and "othing was sent" in result.stderr
    assert sandbox.state_snapshot()["requestsReceived"] == 0


def test_plain_http_to_another_host_is_refused(tmp_path: Path, demo_key: str) -> None:
    result = submit(tmp_path, items(1), key=demo_key, base_url="http://pacspace.example.com")
    assert result.returncode == 2
    assert "not encrypted" in result.stderr


def test_no_key_is_explained(tmp_path: Path, sandbox: SandboxServer) -> None:
    result = submit(tmp_path, items(1), key=None, base_url=sandbox.base_url)
    assert result.returncode == 2
    assert "PACSPACE_API_KEY" in result.stderr or "key" in result.stderr.lower()


def test_an_invoice_file_sends_its_valid_rows_like_the_grid(tmp_path: Path,
                                                            sandbox: SandboxServer,
                                                            demo_key: str) -> None:
    csv_path = tmp_path / "march.csv"
    csv_path.write_bytes("Rechnungsnummer;Kunde;Betrag\r\nR-1;K-1;1.234,50\r\n"
                         "R-2;K-2;12,5x\r\nR-3;K-1;(2,00)\r\n".encode("cp1252"))
    env = dict(os.environ, PACSPACE_API_KEY=demo_key)
    result = subprocess.run(
        [sys.executable, "-m", "pacspace_desktop", "submit", str(csv_path), "--base-url",
         sandbox.base_url], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 of 3 rows has problems and is held back" in result.stderr
    assert "line 3" in result.stderr
    assert "1 row(s) with problems were held back and not sent." in result.stdout
    keys = sandbox.state_snapshot()["keys"]
    assert {k: v["currentBits"] for k, v in keys.items()} == {"R-1": 123450, "R-3": -200}
    [entry] = history()
    assert entry["source"] == "march.csv"
