"""Verification in storage: states derived from the columns, read targets, warnings, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import HistoryQuery
from pacspace_desktop.storage.records import FinalOutcome, HistoryFilter, NewRun
from pacspace_desktop.storage.verification import Verification

NOW = datetime.now(UTC)


def _sub(store: HistoryStore, keys: list[str], kind: OutcomeKind = OutcomeKind.ACCEPTED,
         env: str = "live") -> int:
    rec = store.record_run(NewRun("f.csv", "P", env, "https://x"),
                           [[WriteItem(k, "a", 1) for k in keys]], resend=set(keys))
    sub = rec.submission_ids[0]
    store.mark_sending(sub, "{}")
    store.finish(sub, FinalOutcome(kind, 202 if kind is OutcomeKind.ACCEPTED else None,
                                   f"req_{sub}" if kind is OutcomeKind.ACCEPTED else None))
    return sub


def test_states_counts_and_filters(store: HistoryStore) -> None:
    ok = _sub(store, ["a", "b"])
    bad = _sub(store, ["c"])
    unknown = _sub(store, ["d"], OutcomeKind.INTERRUPTED)
    conn = store.connection
    items = {it.key: it.id for s in (ok, bad) for it in store.items_of(s)}
    verification.write(conn, lambda c: verification.mark_items(
        c, [items["a"], items["b"]], Verification.VERIFIED, NOW, "", "webhook"))
    verification.write(conn, lambda c: verification.mark_items(
        c, [items["c"]], Verification.FAILED, NOW, "Ledger closed", "webhook"))
    counts = verification.counts(conn, [ok, bad, unknown])
    assert counts[ok].text() == "2 of 2 verified" and counts[ok].state is Verification.VERIFIED
    assert counts[bad].text() == "0 of 1 verified, 1 failed"
    assert counts[unknown].text() == "1 not yet known"
    assert verification.waiting_total(conn) == (0, 1)
    q = HistoryQuery(conn)

    def ids(value: str) -> set[int]:
        return {r.id for r in q.page(HistoryFilter(verification=value)).rows}

    assert ids("verified") == {ok} and ids("failed") == {bad}
    assert ids("not-known") == {unknown} and ids("waiting") == set()
    item = next(it for it in store.items_of(bad))
    assert (item.verification, item.verification_reason) == ("failed", "Ledger closed")


def test_read_targets_and_the_twice_warning(store: HistoryStore) -> None:
    first = _sub(store, ["k1", "k2"])
    _sub(store, ["k1"])  # k1 sent twice, knowingly
    _sub(store, ["other-env"], env="test")
    conn = store.connection
    targets = {t.key: t for t in verification.read_targets(conn, "live", NOW,
                                                           NOW + timedelta(seconds=1))}
    assert set(targets) == {"k1", "k2"}
    assert targets["k1"].expected_writes == 2 and len(targets["k1"].item_ids) == 2
    assert verification.twice_warning(2, targets["k1"]) == ""
    assert verification.twice_warning(3, targets["k1"]).startswith("Written twice? PacSpace "
                                                                   "counts 3 writes")
    t = targets["k2"]
    verification.write(conn, lambda c: verification.record_read(c, t, NOW, False, "careful"))
    verification.write(conn, lambda c: verification.record_read(c, t, NOW, False, None))
    assert store.items_of(first)[1].verification_warning == "careful"  # no answer keeps it
    assert verification.counts(conn, [first])[first].warnings == 1
    assert {r.id for r in HistoryQuery(conn).page(HistoryFilter(verification="warning")).rows} \
        == {first}
    later = verification.read_targets(conn, "live", NOW, NOW - timedelta(minutes=2))
    assert {x.key for x in later} == {"k1"}  # k2 was just read
    assert verification.read_targets(conn, "live", NOW + timedelta(days=8),
                                     NOW + timedelta(days=8)) == []  # too old


def test_a_check_on_the_server_gives_the_verification_its_time(store: HistoryStore) -> None:
    sub = _sub(store, ["chk"])
    item = store.items_of(sub)[0]
    checked = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    store.record_check(item.id, checked, {"found": True, "verified": True}, verified=True)
    again = store.items_of(sub)[0]
    assert (again.verification, again.verified_at) == ("verified", checked)
    from pacspace_desktop.storage import receipts

    r = receipts.receipt(store.connection, sub)
    assert r is not None and r.items[0].when == checked
