"""Webhook signatures: good, wrong secret, one byte changed, stale, milliseconds, rotation."""

from __future__ import annotations

import json

from pacspace_desktop.network.webhooks import (
    SignatureProblem,
    WebhookEvent,
    check_signature,
    parse_event,
    parse_timestamp,
    secret_problem,
    sign,
)

SECRET = "whsec_test_0123456789abcdef"
NOW = 1_760_000_000.0
BODY = json.dumps({"event": "verification.completed", "timestamp": "2025-10-09T08:53:20Z",
                   "data": {"requestId": "req_1", "status": "verified",
                            "verifiedAt": "2025-10-09T08:53:20Z",
                            "items": [{"key": "inv-1", "accountId": "c-1", "bits": 3}]}}
                  ).encode()


def _header(secret: str, stamp: str, body: bytes) -> str:
    return f"v1={sign(secret, stamp, body)}"


def test_good_signature_is_accepted() -> None:
    stamp = str(int(NOW))
    check = check_signature(SECRET, stamp, _header(SECRET, stamp, BODY), BODY, NOW)
    assert check.ok and check.problem is None


def test_wrong_secret_is_refused() -> None:
    stamp = str(int(NOW))
    check = check_signature(SECRET, stamp, _header("whsec_other_secret_000", stamp, BODY), BODY,
                            NOW)
    assert check.problem is SignatureProblem.MISMATCH
    assert "not signed with this secret" in check.detail


def test_body_changed_by_one_byte_is_refused() -> None:
    stamp = str(int(NOW))
    header = _header(SECRET, stamp, BODY)
    tampered = BODY.replace(b'"bits": 3', b'"bits": 4')
    assert len(tampered) == len(BODY) and tampered != BODY
    assert check_signature(SECRET, stamp, header, tampered, NOW).problem \
        is SignatureProblem.MISMATCH


def test_stale_timestamp_is_refused_even_when_genuine() -> None:
    stamp = str(int(NOW - 301))
    check = check_signature(SECRET, stamp, _header(SECRET, stamp, BODY), BODY, NOW)
    assert check.problem is SignatureProblem.STALE
    future = str(int(NOW + 301))
    assert check_signature(SECRET, future, _header(SECRET, future, BODY), BODY, NOW).problem \
        is SignatureProblem.STALE
    edge = str(int(NOW - 300))
    assert check_signature(SECRET, edge, _header(SECRET, edge, BODY), BODY, NOW).ok


def test_milliseconds_timestamp_is_read_as_milliseconds() -> None:
    stamp = str(int(NOW * 1000))
    assert parse_timestamp(stamp) == NOW
    check = check_signature(SECRET, stamp, _header(SECRET, stamp, BODY), BODY, NOW)
    assert check.ok
    old = str(int((NOW - 301) * 1000))
    assert check_signature(SECRET, old, _header(SECRET, old, BODY), BODY, NOW).problem \
        is SignatureProblem.STALE


def test_any_of_several_values_may_match_during_rotation() -> None:
    stamp = str(int(NOW))
    header = f"v1={'0' * 64}, v1={sign(SECRET, stamp, BODY)}"
    assert check_signature(SECRET, stamp, header, BODY, NOW).ok


def test_missing_and_malformed_headers() -> None:
    stamp = str(int(NOW))
    assert check_signature(SECRET, None, "v1=ab", BODY, NOW).problem is SignatureProblem.MISSING
    assert check_signature(SECRET, stamp, None, BODY, NOW).problem is SignatureProblem.MISSING
    assert check_signature(SECRET, "yesterday", "v1=ab", BODY, NOW).problem \
        is SignatureProblem.MALFORMED
    assert check_signature(SECRET, stamp, "sha256=ab", BODY, NOW).problem \
        is SignatureProblem.MALFORMED
    assert check_signature(SECRET, stamp, "v1=é", BODY, NOW).problem \
        is SignatureProblem.MISMATCH


def test_events_old_and_new_names() -> None:
    event = parse_event(BODY, {"x-event-id": "evt_1"})
    assert isinstance(event, WebhookEvent)
    assert (event.status, event.request_id, event.keys) == ("verified", "req_1", ("inv-1",))
    failed = json.dumps({"event": "delta.failed", "data": {"requestId": "req_2",
                                                            "error": "Ledger rejected it"}})
    event = parse_event(failed.encode(), {"x-event-id": "evt_2"})
    assert isinstance(event, WebhookEvent)
    assert (event.status, event.error, event.event_type) == ("failed", "Ledger rejected it",
                                                             "delta.failed")
    assert "not a verification event" in str(parse_event(b'{"event":"user.created"}',
                                                         {"x-event-id": "e"}))
    assert "event id" in str(parse_event(BODY, {}))
    assert parse_event(b"nope", {}) == "The body is not JSON."


def test_secret_shape() -> None:
    assert secret_problem(SECRET) is None
    assert secret_problem("sk_live_123") is not None
    assert secret_problem("") is not None
