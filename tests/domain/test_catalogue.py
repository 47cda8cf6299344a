from __future__ import annotations

import pytest

from pacspace_desktop.domain.catalogue import (
    OutcomeKind,
    RetryPolicy,
    Written,
    all_entries,
    entry,
    entry_for_status,
    kind_for_status,
)
from pacspace_desktop.domain.states import ItemState


def test_every_kind_has_an_entry_with_words() -> None:
    assert {e.kind for e in all_entries()} == set(OutcomeKind)
    for e in all_entries():
        assert e.title and e.explanation and e.next_step_text
        assert e.title[0].isupper()
        assert "HTTP" not in e.title, "status codes belong in the details, not the headline"


@pytest.mark.parametrize(("status", "kind", "retry", "written"), [
    (400, OutcomeKind.BAD_REQUEST, RetryPolicy.NONE, Written.NOTHING),
    (401, OutcomeKind.UNAUTHORIZED, RetryPolicy.NONE, Written.NOTHING),
    (402, OutcomeKind.PLAN_LIMIT, RetryPolicy.NONE, Written.NOTHING),
    (403, OutcomeKind.FORBIDDEN, RetryPolicy.NONE, Written.NOTHING),
    (404, OutcomeKind.NOT_FOUND, RetryPolicy.NONE, Written.NOTHING),
    (409, OutcomeKind.CONFLICT, RetryPolicy.NONE, Written.NOTHING),
    (422, OutcomeKind.UNPROCESSABLE, RetryPolicy.NONE, Written.NOTHING),
    (429, OutcomeKind.RATE_LIMITED, RetryPolicy.BACKOFF, Written.NOTHING),
    (500, OutcomeKind.SERVER_ERROR, RetryPolicy.BACKOFF, Written.NOTHING),
    (502, OutcomeKind.BAD_GATEWAY, RetryPolicy.BACKOFF, Written.NOTHING),
    (503, OutcomeKind.UNAVAILABLE, RetryPolicy.BACKOFF, Written.NOTHING),
    (504, OutcomeKind.GATEWAY_TIMEOUT, RetryPolicy.BACKOFF, Written.NOTHING),
    (418, OutcomeKind.OTHER_CLIENT_ERROR, RetryPolicy.NONE, Written.NOTHING),
    (599, OutcomeKind.OTHER_SERVER_ERROR, RetryPolicy.NONE, Written.NOTHING),
    (408, OutcomeKind.UNEXPECTED_STATUS, RetryPolicy.NEVER_UNKNOWN, Written.UNKNOWN),
    (302, OutcomeKind.UNEXPECTED_STATUS, RetryPolicy.NEVER_UNKNOWN, Written.UNKNOWN),
])
def test_status_rows(status: int, kind: OutcomeKind, retry: RetryPolicy,
                     written: Written) -> None:
    assert kind_for_status(status) is kind
    e = entry_for_status(status)
    assert (e.retry, e.written) == (retry, written)


def test_unknown_outcomes_are_never_retried_and_say_why() -> None:
    for e in all_entries():
        if e.written is Written.UNKNOWN:
            assert e.retry is not RetryPolicy.BACKOFF
            assert e.item_state is ItemState.UNKNOWN
            assert "count it twice" in e.explanation


def test_item_states() -> None:
    assert entry(OutcomeKind.ACCEPTED).item_state is ItemState.ACCEPTED
    assert entry(OutcomeKind.BAD_REQUEST).item_state is ItemState.REJECTED
    assert entry(OutcomeKind.NOT_SENT).item_state is ItemState.NOT_SENT
    assert entry(OutcomeKind.CONNECTION_DROPPED).item_state is ItemState.UNKNOWN


def test_402_says_nothing_after_this_point_was_written() -> None:
    e = entry(OutcomeKind.PLAN_LIMIT)
    assert "Nothing from this request on was written" in e.explanation
    assert e.stops_run


def test_never_sent_failures_are_not_sent_and_refusals_are_rejected() -> None:
    from pacspace_desktop.domain.catalogue import OutcomeKind, entry
    from pacspace_desktop.domain.states import ItemState

    for kind in (OutcomeKind.CONNECTION_REFUSED, OutcomeKind.HOST_NOT_FOUND,
                 OutcomeKind.TLS_ERROR, OutcomeKind.TIMEOUT_BEFORE_SEND,
                 OutcomeKind.CONNECT_FAILED, OutcomeKind.INSECURE_URL, OutcomeKind.NOT_SENT):
        assert entry(kind).item_state is ItemState.NOT_SENT, kind
        assert not entry(kind).left_the_computer
    for kind in (OutcomeKind.BAD_REQUEST, OutcomeKind.UNAUTHORIZED, OutcomeKind.RATE_LIMITED,
                 OutcomeKind.SERVER_ERROR):
        assert entry(kind).item_state is ItemState.REJECTED, kind
    assert entry(OutcomeKind.TIMEOUT_AFTER_SEND).item_state is ItemState.UNKNOWN
    rate = entry(OutcomeKind.RATE_LIMITED)
    assert "automatically after" not in rate.explanation
    assert "automatic retry" not in rate.next_step_text
