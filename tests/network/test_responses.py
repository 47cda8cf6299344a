from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pacspace_desktop.network.responses import (
    field_at_fault,
    parse_accepted,
    parse_json,
    retry_after_seconds,
    server_message,
)


@pytest.mark.parametrize("body", [
    {"statusCode": 202, "data": {"requestId": "req_1", "itemCount": 2, "status": "queued"}},
    {"success": True, "data": {"requestId": "req_1", "itemCount": 2}},
    {"statusCode": 202, "data": {"batchId": "req_1", "itemCount": 2}},
])
def test_three_success_shapes(body: object) -> None:
    accepted = parse_accepted(body)
    assert accepted is not None and accepted.request_id == "req_1"
    assert accepted.item_count == 2


@pytest.mark.parametrize("body", [None, [], {"data": {}}, {"success": False, "data":
                                                          {"requestId": "r"}}, "x"])
def test_no_request_id_is_not_accepted(body: object) -> None:
    assert parse_accepted(body) is None


@pytest.mark.parametrize(("text", "expected"), [
    ('{"statusCode":400,"error":"Bad Request","message":"Validation failed: x"}',
     "Validation failed: x"),
    ('{"message":["items[0].key is empty","items[1].bits must be an integer"]}',
     "items[0].key is empty; items[1].bits must be an integer"),
    ('{"error":{"message":"Slow down","code":"rate_limited","retryAfterSeconds":5}}',
     "Slow down (code rate_limited)"),
    ("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
     "(not a PacSpace answer) 502 Bad Gateway"),
    ("", ""),
    ("garbled{", "garbled{"),
])
def test_server_message_shapes(text: str, expected: str) -> None:
    assert server_message(text) == expected


def test_parse_json_tolerates_junk() -> None:
    assert parse_json("") is None
    assert parse_json("<html>") is None
    assert parse_json('{"a":1}') == {"a": 1}


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"retry-after": "7"}, None) == 7.0
    assert retry_after_seconds({"retry-after": "Thu, 01 Jan 2026 12:00:30 GMT"}, None,
                               now=now) == 30.0
    assert retry_after_seconds({}, {"retryAfterSeconds": 4}) == 4.0
    assert retry_after_seconds({}, {"error": {"retryAfterSeconds": 2.5}}) == 2.5
    assert retry_after_seconds({}, {"retryAfterSeconds": True}) is None
    assert retry_after_seconds({"retry-after": "soon"}, None) is None


def test_field_at_fault() -> None:
    assert field_at_fault("Validation failed: items[3].bits must be an integer.") == (3, "bits")
    assert field_at_fault("items[0] is not an object") == (0, None)
    assert field_at_fault("something else") is None
