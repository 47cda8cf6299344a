"""Claims on record keys: taken with the run in one transaction, released only when nothing was
written, and explained in words that name who holds them."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage import db
from pacspace_desktop.storage.claims import ConflictReason, KeysClaimed
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import FinalOutcome, NewRun
from pacspace_desktop.submission.refusals import claim_refusal

RUN = NewRun("march.csv", "Main", "live", "https://balance-api.pacspace.io", "anna on PC-FIN-02")
DEAD = "999999999:1"


def items(*keys: str) -> list[WriteItem]:
    return [WriteItem(k, "acct-1", 10) for k in keys]


def refused(store: HistoryStore, *keys: str, **kwargs: object) -> dict[str, ConflictReason]:
    with pytest.raises(KeysClaimed) as caught:
        store.record_run(RUN, [items(*keys)], **kwargs)  # type: ignore[arg-type]
    return {c.key: c.reason for c in caught.value.conflicts}


def test_a_key_on_its_way_is_refused_even_when_ticked_to_resend(store: HistoryStore) -> None:
    store.record_run(RUN, [items("A", "B")])
    assert refused(store, "B", "C") == {"B": ConflictReason.IN_FLIGHT}
    assert refused(store, "B", resend={"B"}) == {"B": ConflictReason.IN_FLIGHT}
    assert store.count_submissions() == 1, "a refused send records nothing"


def test_sent_and_unknown_keys_need_a_knowing_resend(store: HistoryStore) -> None:
    ok = store.record_run(RUN, [items("A")])
    store.mark_sending(ok.submission_ids[0], "{}")
    store.finish(ok.submission_ids[0], FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_1"))
    lost = store.record_run(RUN, [items("B")])
    store.mark_sending(lost.submission_ids[0], "{}")
    store.finish(lost.submission_ids[0], FinalOutcome(OutcomeKind.CONNECTION_DROPPED))
    assert refused(store, "A", "B") == {"A": ConflictReason.SENT, "B": ConflictReason.UNKNOWN}
    again = store.record_run(RUN, [items("A", "B")], resend={"A", "B"})
    holders = {h.key: h.submission_id for h in store.holders(["A", "B"])}
    assert holders == {"A": again.submission_ids[0], "B": again.submission_ids[0]}


def test_nothing_written_frees_the_keys(store: HistoryStore) -> None:
    bad = store.record_run(RUN, [items("A"), items("B")])
    store.mark_sending(bad.submission_ids[0], "{}")
    store.finish(bad.submission_ids[0], FinalOutcome(OutcomeKind.BAD_REQUEST, 400))
    store.finish_not_sent([bad.submission_ids[1]], "stopped")
    assert store.sightings(["A", "B"]) == {}
    store.record_run(RUN, [items("A", "B")])  # no conflict


def test_a_crashed_send_keeps_its_claims_until_recovery_says_what_happened(
        store: HistoryStore) -> None:
    crashed = store.record_run(RUN, [items("A"), items("B")], owner=DEAD)
    store.mark_sending(crashed.submission_ids[0], "{}")
    assert refused(store, "A", "B") == {"A": ConflictReason.INTERRUPTED,
                                        "B": ConflictReason.INTERRUPTED}
    store.recover_interrupted()
    # A may have been written: held (outcome unknown). B never left: free again.
    assert refused(store, "A", "B") == {"A": ConflictReason.UNKNOWN}
    store.record_run(RUN, [items("B")])


def test_a_check_can_release_an_unknown_key(store: HistoryStore) -> None:
    lost = store.record_run(RUN, [items("A")])
    store.mark_sending(lost.submission_ids[0], "{}")
    store.finish(lost.submission_ids[0], FinalOutcome(OutcomeKind.TIMEOUT_AFTER_SEND))
    item = store.items_of(lost.submission_ids[0])[0]
    store.record_check(item.id, datetime.now(UTC), {"found": False})
    assert set(store.sightings(["A"])) == {"A"}, "a check alone does not release"
    store.record_check(item.id, datetime.now(UTC) + timedelta(hours=1), {"found": False},
                       release=True)
    assert store.sightings(["A"]) == {}


def test_a_key_twice_in_one_send_and_environments_apart(store: HistoryStore) -> None:
    assert refused(store, "A", "A") == {"A": ConflictReason.TWICE}
    store.record_run(RUN, [items("A")])
    sandbox = NewRun("march.csv", "Try-out", "sandbox", "http://127.0.0.1:8787")
    store.record_run(sandbox, [items("A")])  # another PacSpace environment: its own claim
    assert {s.environment for s in store.sightings(["A"])["A"]} == {"live", "sandbox"}
    assert [s.environment for s in store.sightings(["A"], "sandbox")["A"]] == ["sandbox"]


def test_who_sent_it_is_recorded(store: HistoryStore) -> None:
    store.record_run(RUN, [items("A")])
    store.record_run(NewRun("form", "Main", "test", "https://x"), [items("B")])
    by = {h.key: h.sent_by for h in store.holders(["A", "B"])}
    assert by["A"] == "anna on PC-FIN-02"
    assert " on " in by["B"], "the OS user and computer by default"


def test_the_refusal_names_keys_holders_and_what_to_do(store: HistoryStore,
                                                       backend: str) -> None:
    ok = store.record_run(RUN, [items(*(f"K{i}" for i in range(8)))])
    store.finish(ok.submission_ids[0], FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_abc"))
    store.record_run(NewRun("form", "Main", "live", "https://x", "ben on PC-FIN-07"),
                     [items("Z")])
    with pytest.raises(KeysClaimed) as caught:
        store.record_run(RUN, [items("Z", "Y", "Y", *(f"K{i}" for i in range(8)))])
    text = claim_refusal(caught.value.conflicts, "Untick them.")
    lines = text.splitlines()
    assert lines[0] == ("Nothing was sent: 10 record keys of this send are already taken; if "
                        "sent now, their records would count twice.")
    where = "in the team history" if backend == "postgresql" else "on this computer's history"
    assert f"1 key (Z) is being sent right now by another send {where}: " \
           "the form, started" in text and "by ben on PC-FIN-07 with the profile “Main”" in text
    assert "Y stands twice in this send" in text
    assert "8 keys were sent before and accepted by PacSpace: K0 on" in text
    assert "by anna on PC-FIN-02 (Request ID req_abc)" in text and "and 3 more" in text
    assert lines[-1] == "Untick them."
    one = claim_refusal([c for c in caught.value.conflicts if c.key == "Z"], "Untick them.")
    assert one.startswith("Nothing was sent: 1 record key of this send is already taken; if "
                          "sent now, its record would count twice.")
    assert "Untick them." not in one, "no resend hint where nothing can be resent"


def test_upgrading_a_history_claims_what_was_sent_before(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(db, "SCHEMA_VERSION", 1)
    old = HistoryStore(db.connect(path))
    sent = old.connection.execute(
        "INSERT INTO runs (created_at, source, profile, environment, base_url, owner, "
        "item_count) VALUES ('2026-01-01T00:00:00+00:00', 'f', 'Main', 'live', 'u', 'x', 3)")
    run = sent.lastrowid
    for n, (key, state) in enumerate([("A", "accepted"), ("B", "rejected"), ("C", "unknown")]):
        sub = old.connection.execute(
            "INSERT INTO submissions (run_id, seq, created_at, state, item_count, "
            "account_count, bits_sum) VALUES (?, ?, '2026-01-01T00:00:00+00:00', ?, 1, 1, 1)",
            (run, n, state)).lastrowid
        old.connection.execute(
            "INSERT INTO items (submission_id, position, key, account_id, bits, state) "
            "VALUES (?, 0, ?, 'acct', 1, ?)", (sub, key, state))
    old.close()
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(db.MIGRATIONS))
    store = HistoryStore.open(path)
    try:
        assert set(store.sightings(["A", "B", "C"])) == {"A", "C"}
        assert refused(store, "A", "B", "C") == {"A": ConflictReason.SENT,
                                                 "C": ConflictReason.UNKNOWN}
    finally:
        store.close()
    assert list(tmp_path.glob("old.v1.*.bak.sqlite3")), "backed up before the upgrade"


def test_two_processes_opening_a_new_history_at_once(tmp_path: Path) -> None:
    """Both used to run the first migration ("table runs already exists")."""
    path = tmp_path / "new.sqlite3"
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        try:
            db.connect(path).close()
        except (sqlite3.Error, db.StorageError) as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    conn = db.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    conn.close()


def test_states_that_hold_a_claim() -> None:
    """What may have been written holds a key; the rest does not."""
    assert {s for s in ItemState if s.may_be_written} == {
        ItemState.ACCEPTED, ItemState.VERIFIED, ItemState.UNKNOWN, ItemState.SENDING}


def test_a_new_history_held_by_another_connection_is_waited_for(tmp_path: Path) -> None:
    """While another connection reads a new (rollback-mode) file, turning it to WAL does not
    happen; opening waits for it instead of going on in the wrong mode or failing."""
    path = tmp_path / "new.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN")
    other.execute("SELECT * FROM t").fetchall()  # a read lock a WAL switch must wait for
    timer = threading.Timer(0.4, lambda: other.execute("COMMIT"))
    timer.start()
    try:
        conn = db.connect(path, busy_timeout=5)
    finally:
        timer.join()
        other.close()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_looking_a_key_up_in_every_environment_uses_an_index(store: HistoryStore,
                                                              backend: str) -> None:
    """The "sent before?" look-up of a whole file: no scan of every claim per chunk."""
    if backend == "postgresql":  # a planner scans a table this small: ask for the index
        store.connection.execute("SET enable_seqscan = off")
        plan = store.connection.execute(
            "EXPLAIN SELECT item_id FROM claims c WHERE c.key IN ('a', 'b')").fetchall()
        assert any("claims_key" in str(row[0]) for row in plan), plan
        return
    plan = store.connection.execute(
        "EXPLAIN QUERY PLAN SELECT item_id FROM claims c WHERE c.key IN ('a', 'b')").fetchall()
    assert any("claims_key" in str(row[-1]) and "SEARCH" in str(row[-1]) for row in plan), plan
