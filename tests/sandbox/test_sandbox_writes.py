"""POST /api/v1/writes: success, validation, auth, quota, rate limit; reads; state."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import httpx
import pytest
from conftest import SSL_CONTEXT, VERIFY_DELAY, item

from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxServer

WRITES = "/api/v1/writes"


def write(client: httpx.Client, *items: Any) -> httpx.Response:
    return client.post(WRITES, json={"items": list(items)})


def raw_write(client: httpx.Client, body: bytes) -> httpx.Response:
    return client.post(WRITES, content=body, headers={"Content-Type": "application/json"})


def test_202_shape_exact(client: httpx.Client) -> None:
    response = write(client, item("order-1", bits=1), item("order-2", bits=3))
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"statusCode", "data"}
    assert body["statusCode"] == 202
    data = body["data"]
    assert set(data) == {"requestId", "itemCount", "status", "message"}
    assert re.fullmatch(r"req_[0-9a-f]+", data["requestId"])
    assert data["itemCount"] == 2
    assert data["status"] == "queued"
    assert data["message"] == "Write accepted. Items are queued for verification."
    assert response.headers["content-type"].startswith("application/json")


def test_request_ids_are_fresh(client: httpx.Client) -> None:
    ids = {write(client, item()).json()["data"]["requestId"] for _ in range(5)}
    assert len(ids) == 5


def test_writes_accumulate_and_read_back(client: httpx.Client, sandbox: SandboxServer) -> None:
    write(client, item("inv-1", "acc-1", 5, metadata={"amount": 250.0}))
    write(client, item("inv-1", "acc-1", -2))
    response = client.get("/api/v1/reads/bucket/inv-1")
    assert response.status_code == 200
    body = response.json()
    assert body["statusCode"] == 200
    data = body["data"]
    assert data["key"] == "inv-1"
    assert data["accountId"] == "acc-1"
    assert data["currentBits"] == 3
    assert data["totalWrites"] == 2
    assert data["metadata"] == {"amount": 250.0}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", data["lastWriteAt"])
    assert data["verified"] is False
    state = sandbox.state_snapshot()
    assert state["keys"]["inv-1"]["currentBits"] == 3
    assert state["itemsAccepted"] == 2


def test_verified_flips_after_delay(client: httpx.Client, sandbox: SandboxServer) -> None:
    write(client, item("v-1"))
    assert client.get("/api/v1/reads/bucket/v-1").json()["data"]["verified"] is False
    assert sandbox.state_snapshot()["requests"][0]["status"] == "queued"
    time.sleep(VERIFY_DELAY + 0.05)
    assert client.get("/api/v1/reads/bucket/v-1").json()["data"]["verified"] is True
    state = sandbox.state_snapshot()
    assert state["requests"][0]["status"] == "verified"
    assert state["keys"]["v-1"]["verified"] is True
    assert state["requests"][0]["keys"] == ["v-1"]


def test_read_unknown_key_404_and_url_decoding(
    client: httpx.Client, sandbox: SandboxServer
) -> None:
    response = client.get("/api/v1/reads/bucket/order-99999")
    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "No record found for key: order-99999",
    }
    write(client, item("a b/c"))
    assert client.get("/api/v1/reads/bucket/a%20b%2Fc").json()["data"]["key"] == "a b/c"
    assert sandbox.state_snapshot()["readsReceived"] == 2


def test_read_needs_api_key(anon: httpx.Client) -> None:
    response = anon.get("/api/v1/reads/bucket/x")
    assert response.status_code == 401


VALIDATION_CASES: list[tuple[str, bytes, str]] = [
    ("non-json", b"{not json", "not valid JSON"),
    ("not-object", b"[1, 2]", "must be a JSON object"),
    ("missing-items", b"{}", "Validation failed: 'items' must be a non-empty array."),
    ("empty-items", b'{"items": []}', "Validation failed: 'items' must be a non-empty array."),
    ("items-object", b'{"items": {}}', "Validation failed: 'items' must be a non-empty array."),
    ("item-not-object", b'{"items": [3]}', "items[0] must be an object."),
    ("missing-key", b'{"items": [{"accountId": "a", "bits": 1}]}', "items[0].key is required."),
    (
        "missing-account",
        b'{"items": [{"key": "k", "bits": 1}]}',
        "items[0].accountId is required.",
    ),
    ("missing-bits", b'{"items": [{"key": "k", "accountId": "a"}]}', "items[0].bits is required."),
    ("bits-float", b'{"items": [{"key": "k", "accountId": "a", "bits": 1.5}]}', "bits must be"),
    ("bits-1.0", b'{"items": [{"key": "k", "accountId": "a", "bits": 1.0}]}', "bits must be"),
    ("bits-string", b'{"items": [{"key": "k", "accountId": "a", "bits": "12"}]}', "bits must"),
    ("bits-bool", b'{"items": [{"key": "k", "accountId": "a", "bits": true}]}', "bits must be"),
    ("bits-1e400", b'{"items": [{"key": "k", "accountId": "a", "bits": 1e400}]}', "bits must"),
    ("bits-nan", b'{"items": [{"key": "k", "accountId": "a", "bits": NaN}]}', "NaN"),
    ("bits-inf", b'{"items": [{"key": "k", "accountId": "a", "bits": -Infinity}]}', "Infinity"),
    (
        "bits-range",
        b'{"items": [{"key": "k", "accountId": "a", "bits": 1000000001}]}',
        "items[0].bits must be between -1000000000 and 1000000000.",
    ),
    (
        "metadata-list",
        b'{"items": [{"key": "k", "accountId": "a", "bits": 1, "metadata": []}]}',
        "items[0].metadata must be an object.",
    ),
    (
        "metadata-huge",
        b'{"items": [{"key": "k", "accountId": "a", "bits": 1, "metadata": {"x": 1e999}}]}',
        "items[0].metadata contains a number",
    ),
    ("blank-key", b'{"items": [{"key": "  ", "accountId": "a", "bits": 1}]}', "must not be blank"),
    ("key-number", b'{"items": [{"key": 5, "accountId": "a", "bits": 1}]}', "key must be a string"),
    ("not-utf8", b'{"items": ["\xff"]}', "UTF-8"),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    [case[1:] for case in VALIDATION_CASES],
    ids=[case[0] for case in VALIDATION_CASES],
)
def test_400_cases(
    client: httpx.Client, sandbox: SandboxServer, body: bytes, expected: str
) -> None:
    response = raw_write(client, body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["statusCode"] == 400
    assert payload["error"] == "Bad Request"
    assert isinstance(payload["message"], str)
    assert payload["message"].startswith("Validation failed: ")
    assert expected in payload["message"]
    state = sandbox.state_snapshot()
    assert state["keys"] == {}
    assert state["requestsReceived"] == 1


def test_400_names_item_index(client: httpx.Client) -> None:
    response = write(client, item("a"), item("b"), item("c"), item("d", bits=1.5))
    assert response.json()["message"] == "Validation failed: items[3].bits must be an integer."


def test_400_several_problems_is_a_list(client: httpx.Client, sandbox: SandboxServer) -> None:
    response = write(client, item(""), item("ok"), item("x", bits="1"))
    assert response.status_code == 400
    message = response.json()["message"]
    assert message == ["items[0].key must not be blank.", "items[2].bits must be an integer."]
    assert sandbox.state_snapshot()["keys"] == {}  # all-or-nothing


def test_id_length_limit(client: httpx.Client) -> None:
    assert write(client, item("k" * 128, "a" * 128)).status_code == 202
    response = write(client, item("k" * 129))
    assert response.status_code == 400
    assert "items[0].key must be at most 128 characters." in response.json()["message"]
    response = write(client, item("k", "a" * 129))
    assert "items[0].accountId must be at most 128" in response.json()["message"]


def test_bits_limits_inclusive_and_negative(client: httpx.Client) -> None:
    assert (
        write(client, item("a", bits=1_000_000_000), item("b", bits=-1_000_000_000)).status_code
        == 202
    )
    assert write(client, item("c", bits=-1_000_000_001)).status_code == 400


def test_too_many_items(client: httpx.Client) -> None:
    assert write(client, *[item(f"k{i}") for i in range(100)]).status_code == 202
    response = write(client, *[item(f"k{i}") for i in range(101)])
    assert response.status_code == 400
    assert "at most 100 items" in response.json()["message"]


def test_body_too_large_keeps_connection_usable(client: httpx.Client) -> None:
    big = {"items": [item("big", metadata={"pad": "x" * 1_100_000})]}
    response = client.post(WRITES, json=big)
    assert response.status_code == 400
    assert "larger than 1048576 bytes" in response.json()["message"]
    assert write(client, item("after")).status_code == 202


def test_content_type_must_be_json(client: httpx.Client) -> None:
    body = json.dumps({"items": [item()]}).encode()
    response = client.post(WRITES, content=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert "Content-Type" in response.json()["message"]


def test_chunked_body_accepted(client: httpx.Client) -> None:
    body = json.dumps({"items": [item("chunked")]}).encode()
    response = client.post(
        WRITES, content=iter([body[:10], body[10:]]), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 202


UNAUTHORIZED = {"statusCode": 401, "error": "Unauthorized", "message": "Invalid or missing API key"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Api-Key": ""},
        {"X-Api-Key": "pk_test_other.sk_unknown"},
        {"X-Api-Key": "not-a-key"},
        {"X-Api-Key": "pk_prod_sandbox.sk_demo_0000000000000000"},
    ],
    ids=["missing", "empty", "unknown", "malformed", "bad-env"],
)
def test_401(anon: httpx.Client, sandbox: SandboxServer, headers: dict[str, str]) -> None:
    response = anon.post(WRITES, json={"items": [item()]}, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert sandbox.state_snapshot()["keys"] == {}


def test_402_quota_writes_nothing(client: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.update_settings(quota=3)
    assert write(client, item("a"), item("b")).status_code == 202
    response = write(client, item("c"), item("d"))
    assert response.status_code == 402
    body = response.json()
    assert body["statusCode"] == 402
    assert body["error"] == "Payment Required"
    assert body["message"].startswith("Plan limit exceeded: ")
    state = sandbox.state_snapshot()
    assert set(state["keys"]) == {"a", "b"}
    assert state["itemsAccepted"] == 2
    assert state["quota"] == 3
    assert write(client, item("c")).status_code == 202
    assert write(client, item("e")).status_code == 402


def test_429_rate_limit(client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer) -> None:
    response = anon.post("/_sandbox/config", json={"rateLimit": 2})
    assert response.json()["rateLimit"] == 2
    codes = [write(client, item(f"r{i}")).status_code for i in range(3)]
    assert codes == [202, 202, 429]
    response = write(client, item("r9"))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    body = response.json()
    assert body["statusCode"] == 429
    assert body["error"] == "Too Many Requests"
    assert body["retryAfterSeconds"] == 1
    assert "r9" not in sandbox.state_snapshot()["keys"]
    for _ in range(3):  # reads are not rate limited
        assert client.get("/api/v1/reads/bucket/r0").status_code == 200
    time.sleep(0.55)
    assert write(client, item("r10")).status_code == 202


def test_requests_received_counts_every_write_request(
    client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer
) -> None:
    write(client, item())
    raw_write(client, b"nope")
    anon.post(WRITES, json={"items": [item()]})
    sandbox.set_faults([{"status": 500}])
    write(client, item())
    client.get("/api/v1/reads/bucket/order-1")
    anon.get("/_sandbox/state")
    state = anon.get("/_sandbox/state").json()
    assert state["requestsReceived"] == 4
    assert state["readsReceived"] == 1
    assert len(state["requests"]) == 1
    assert state == sandbox.state_snapshot() | {"keys": state["keys"]}


def test_reset(client: httpx.Client, anon: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.update_settings(quota=10)
    write(client, item())
    sandbox.set_faults([{"status": 500}])
    assert anon.post("/_sandbox/reset").status_code == 200
    state = sandbox.state_snapshot()
    assert state["keys"] == {}
    assert state["requests"] == []
    assert state["requestsReceived"] == state["readsReceived"] == state["itemsAccepted"] == 0
    assert state["quota"] == 10  # settings stay
    assert anon.get("/_sandbox/faults").json() == {"queue": []}


def test_config_endpoint_validation(anon: httpx.Client) -> None:
    assert anon.post("/_sandbox/config", json={"quota": -1}).status_code == 400
    assert anon.post("/_sandbox/config", json={"bogus": 1}).status_code == 400
    response = anon.post("/_sandbox/config", json={"verify_delay": 0, "quota": None})
    assert response.status_code == 200
    assert response.json()["verifyDelay"] == 0
    assert anon.get("/_sandbox/config").json()["maxItems"] == 100


def test_unknown_paths_404_json(client: httpx.Client) -> None:
    for method, path in [
        ("GET", "/"),
        ("GET", "/api/v1/writes"),
        ("POST", "/nope"),
        ("DELETE", "/x"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json()["statusCode"] == 404


def test_keep_alive_latency(client: httpx.Client) -> None:
    write(client, item())
    started = time.perf_counter()
    for _ in range(20):
        write(client, item())
    per_request = (time.perf_counter() - started) / 20
    assert per_request < 0.03  # Nagle + delayed ACK would add ~40 ms each


def test_concurrent_writes_are_all_counted(sandbox: SandboxServer) -> None:
    def worker() -> None:
        with httpx.Client(
            base_url=sandbox.base_url, headers={"X-Api-Key": DEMO_API_KEY}, verify=SSL_CONTEXT
        ) as http:
            for _ in range(20):
                assert write(http, item("shared", bits=2)).status_code == 202

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    state = sandbox.state_snapshot()
    assert state["keys"]["shared"]["totalWrites"] == 160
    assert state["keys"]["shared"]["currentBits"] == 320
    assert state["requestsReceived"] == 160
