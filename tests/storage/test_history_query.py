"""History queries: keyset pages in every order, filters, search, summary, check verdicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import (
    HistoryQuery,
    Sort,
    SortColumn,
    Verdict,
    interpret_check,
)
from pacspace_desktop.storage.records import (
    AttemptRecord,
    FinalOutcome,
    HistoryFilter,
    NewRun,
)


def send(store: HistoryStore, items: list[WriteItem], kind: OutcomeKind, *,
         source: str = "form", profile: str = "Main", environment: str = "sandbox",
         status: int | None = None, request_id: str | None = None, message: str = "",
         response: str = "") -> int:
    """Record one submission that ended with `kind` (NOT_SENT: never left)."""
    rec = store.record_run(NewRun(source, profile, environment, "http://127.0.0.1:9"), [items])
    sub = rec.submission_ids[0]
    if kind is OutcomeKind.NOT_SENT:
        store.finish_not_sent([sub], "You stopped sending before this request left.")
        return sub
    body = '{"items":[' + ",".join(
        f'{{"key":"{it.key}","accountId":"{it.account_id}","bits":{it.bits}}}'
        for it in items) + "]}"
    store.mark_sending(sub, body)
    store.record_attempt(sub, AttemptRecord(1, datetime.now(UTC), 42, status, kind, message,
                                            response))
    store.finish(sub, FinalOutcome(kind, status, request_id, len(items) if request_id else None,
                                   message, body, response))
    return sub


def sample_history(store: HistoryStore) -> dict[str, int]:
    """A few submissions of each outcome."""
    ids = {}
    ids["accepted"] = send(store, [WriteItem("INV-1042", "acct-7", 1250, {"amount": "12.50"}),
                                   WriteItem("INV-1043", "acct-7", -300)],
                           OutcomeKind.ACCEPTED, status=202, request_id="req_4f2a9c",
                           source="march-invoices.csv", profile="Finance", environment="live",
                           response='{"statusCode":202,"data":{"requestId":"req_4f2a9c"}}')
    ids["rejected"] = send(store, [WriteItem("INV-2001", "acct-9", 5)], OutcomeKind.BAD_REQUEST,
                           status=400, message="Validation failed: items[0].bits must be an "
                           "integer.", response='{"statusCode":400,"error":"Bad Request"}')
    ids["unknown"] = send(store, [WriteItem("INV-3001", "acct-3", 10),
                                  WriteItem("INV-3002", "acct-4", 20)],
                          OutcomeKind.CONNECTION_DROPPED, source="april.xlsx",
                          message="RemoteProtocolError: Server disconnected")
    ids["not_sent"] = send(store, [WriteItem("INV-4001", "acct-5", 7)], OutcomeKind.NOT_SENT)
    return ids


def test_pages_cover_every_row_once_in_every_order(store: HistoryStore) -> None:
    for n in range(23):
        send(store, [WriteItem(f"k-{n}", f"a-{n % 4}", n - 5)],
             [OutcomeKind.ACCEPTED, OutcomeKind.BAD_REQUEST][n % 2], source=f"f{n % 3}.csv",
             request_id=f"req_{n:03d}" if n % 2 == 0 else None)
    q = HistoryQuery.of(store)
    for column in SortColumn:
        for descending in (True, False):
            sort = Sort(column, descending)
            seen, cursor = [], None
            while True:
                page = q.page(HistoryFilter(), sort, cursor, limit=5)
                seen += [r.id for r in page.rows]
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert sorted(seen) == list(range(1, 24)), (column, descending)
            assert len(seen) == 23
    bits = [r.bits_sum for r in q.page(HistoryFilter(), Sort(SortColumn.BITS, False)).rows]
    assert bits == sorted(bits)
    newest = q.page(HistoryFilter(), Sort(), None, 3).rows
    assert [r.id for r in newest] == [23, 22, 21]


def test_filters_and_search(store: HistoryStore) -> None:
    ids = sample_history(store)
    q = HistoryQuery.of(store)

    def found(**kw: object) -> set[int]:
        return {r.id for r in q.page(HistoryFilter(**kw)).rows}  # type: ignore[arg-type]

    assert found(search="INV-3002") == {ids["unknown"]}
    assert found(search="INV-10") == {ids["accepted"]}
    assert found(search="req_4f2") == {ids["accepted"]}
    assert found(search="acct-9") == {ids["rejected"]}
    assert found(search="nothing") == set()
    assert found(states=frozenset({ItemState.UNKNOWN})) == {ids["unknown"]}
    assert found(environment="live") == {ids["accepted"]}
    assert found(profile="Finance") == {ids["accepted"]}
    assert found(source="APRIL") == {ids["unknown"]}
    assert found(since=datetime.now(UTC) + timedelta(hours=1)) == set()
    assert q.count(HistoryFilter(search="INV-")) == (4, 6)
    assert q.choices() == (["Finance", "Main"], ["live", "sandbox"])


def test_summary_counts_items_by_outcome(store: HistoryStore) -> None:
    sample_history(store)
    s = HistoryQuery.of(store).summary(datetime.now(UTC))
    for period in (s.today, s.week):
        assert period.items_in(ItemState.ACCEPTED) == 2
        assert period.items_in(ItemState.REJECTED) == 1
        assert period.items_in(ItemState.UNKNOWN) == 2
        assert period.items_in(ItemState.NOT_SENT) == 1
        assert period.submissions_in(ItemState.UNKNOWN) == 1
    tomorrow = HistoryQuery.of(store).summary(datetime.now(UTC) + timedelta(days=8))
    assert tomorrow.week.items_in(*ItemState) == 0


def test_accepted_submission_shows_verified_once_all_items_are(store: HistoryStore) -> None:
    ids = sample_history(store)
    q = HistoryQuery.of(store)
    for item in store.items_of(ids["accepted"]):
        store.record_check(item.id, datetime.now(UTC), {"found": True}, verified=True)
    assert q.rows_by_id([ids["accepted"]])[0].state is ItemState.VERIFIED
    assert store.submission_row(ids["accepted"]).state is ItemState.ACCEPTED


SENT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("state", "check", "verdict", "may_resend"), [
    (ItemState.UNKNOWN, {"found": True, "totalWrites": 1, "lastWriteAt": "2025-03-01T12:00:01Z"},
     Verdict.LANDED, False),
    (ItemState.UNKNOWN, {"found": True, "totalWrites": 1, "lastWriteAt": "2025-02-01T12:00:01Z"},
     Verdict.EARLIER_ONLY, False),
    (ItemState.UNKNOWN, {"found": False}, Verdict.TOO_SOON, False),
    (ItemState.UNKNOWN, {"found": None, "message": "timeout"}, Verdict.NO_ANSWER, False),
    (ItemState.ACCEPTED, {"found": True, "verified": True}, Verdict.VERIFIED, False),
    (ItemState.ACCEPTED, {"found": True, "verified": False}, Verdict.HELD, False),
    (ItemState.ACCEPTED, {"found": False}, Verdict.MISSING, False),
    (ItemState.REJECTED, {"found": True, "totalWrites": 3}, Verdict.OTHER_WRITES, True),
])
def test_check_verdicts(state: ItemState, check: dict[str, object], verdict: Verdict,
                        may_resend: bool) -> None:
    meaning = interpret_check(state, SENT, check, SENT + timedelta(seconds=1))
    assert (meaning.verdict, meaning.may_resend) == (verdict, may_resend)
    assert "safe" not in meaning.text
    if verdict is Verdict.LANDED:
        assert "most likely landed. Do not resend." in meaning.text


@pytest.mark.parametrize("state", [ItemState.UNKNOWN, ItemState.SENDING])
def test_not_found_needs_the_settle_time_before_it_means_not_written(state: ItemState) -> None:
    """A 404 soon after a send proves nothing: the write may still be in PacSpace's queue."""
    settle = timedelta(minutes=10)
    soon = interpret_check(state, SENT, {"found": False}, SENT + timedelta(seconds=1), settle)
    assert (soon.verdict, soon.may_resend) == (Verdict.TOO_SOON, False)
    assert "1 second before this check" in soon.text and "settle time is 10 minutes" in soon.text
    assert "could count it twice" in soon.text and "safe" not in soon.text
    unknown_time = interpret_check(state, SENT, {"found": False}, None, settle)
    assert unknown_time.verdict is Verdict.TOO_SOON
    edge = interpret_check(state, SENT, {"found": False}, SENT + settle - timedelta(seconds=1),
                           settle)
    assert edge.verdict is Verdict.TOO_SOON
    late = interpret_check(state, SENT, {"found": False}, SENT + timedelta(minutes=12), settle)
    assert (late.verdict, late.may_resend) == (Verdict.NOT_LANDED, True)
    assert "12 minutes after the request left" in late.text
    assert "most likely did not land" in late.text and "safe" not in late.text


def test_not_found_for_a_request_that_never_left_may_be_sent() -> None:
    meaning = interpret_check(ItemState.NOT_SENT, None, {"found": False})
    assert (meaning.verdict, meaning.may_resend) == (Verdict.NOT_LANDED, True)


def test_who_sent_it_is_listed_filtered_and_sorted(store: HistoryStore) -> None:
    from pacspace_desktop.storage.history_query import Sort, SortColumn

    for name, key in (("Ben (PC-FIN-03)", "B"), ("Anna (PC-FIN-02)", "A")):
        store.record_run(NewRun(f"{key}.csv", "Finance", "live", "https://x", name),
                         [[WriteItem(key, "acct-1", 1)]])
    q = HistoryQuery.of(store)
    assert [r.sent_by for r in q.page(HistoryFilter(sent_by="ben")).rows] == ["Ben (PC-FIN-03)"]
    ordered = q.page(HistoryFilter(), Sort(SortColumn.SENT_BY, descending=False), limit=1)
    assert [r.sent_by for r in ordered.rows] == ["Anna (PC-FIN-02)"]
    after = q.page(HistoryFilter(), Sort(SortColumn.SENT_BY, descending=False),
                   after=ordered.next_cursor)
    assert [r.sent_by for r in after.rows] == ["Ben (PC-FIN-03)"]
    assert q.count(HistoryFilter(sent_by="pc-fin")) == (2, 2)
    assert [r.sent_by for r in store.list_submissions(HistoryFilter(sent_by="Anna"))] == [
        "Anna (PC-FIN-02)"]


def test_verification_counts_of_a_list_page(store: HistoryStore) -> None:
    from pacspace_desktop.storage import verification

    run = store.record_run(NewRun("v.csv", "Finance", "live", "https://x"),
                           [[WriteItem(k, "acct-1", 1) for k in ("V1", "V2", "V3")],
                            [WriteItem("V4", "acct-1", 1)]])
    first, second = run.submission_ids
    store.finish(first, FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_v"))
    store.finish(second, FinalOutcome(OutcomeKind.CONNECTION_DROPPED))
    v1 = store.items_of(first)[0]
    store.record_check(v1.id, datetime.now(UTC), {"found": True, "verified": True},
                       verified=True)
    got = verification.counts(store.connection, [first, second])
    assert (got[first].total, got[first].verified, got[first].waiting) == (3, 1, 2)
    assert (got[second].total, got[second].not_known, got[second].verified) == (1, 1, 0)
    assert verification.waiting_total(store.connection) == (2, 0)
