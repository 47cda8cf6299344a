"""The tamper-evident chain: intact, and an edited, a deleted and a reordered row found."""

from __future__ import annotations

import itertools
from pathlib import Path

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.storage import chain
from pacspace_desktop.storage.db import connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import FinalOutcome, NewRun

RUN = NewRun("march.csv", "Company", "test", "https://balance-api.pacspace.io",
             key_fingerprint="pk_test_abc · 0123456789ab")


def _history(store: HistoryStore, n: int = 4) -> list[int]:
    ids: list[int] = []
    for i in range(n):
        rec = store.record_run(RUN, [[WriteItem(f"inv-{i}-{j}", "acct-1", j + 1)
                                      for j in range(3)]])
        sub = rec.submission_ids[0]
        store.mark_sending(sub, f'{{"items":[{i}]}}')
        store.finish(sub, FinalOutcome(OutcomeKind.ACCEPTED, 202, f"req_{i}", 3))
        ids.append(sub)
    return ids


def test_every_finished_submission_is_sealed_in_order(store: HistoryStore) -> None:
    ids = _history(store)
    report = chain.verify(store.connection)
    assert report.intact and report.links == 4
    links = [chain.link_of(store.connection, i) for i in ids]
    assert [link.seq for link in links if link] == [1, 2, 3, 4]
    assert links[0] is not None and links[0].prev_hash == chain.GENESIS
    assert all(b is not None and a is not None and b.prev_hash == a.hash
               for a, b in itertools.pairwise(links))
    assert report.head == links[-1].hash if links[-1] else False


def test_an_edited_row_is_found(store: HistoryStore) -> None:
    ids = _history(store)
    store.connection.execute("UPDATE items SET bits = bits + 100 WHERE submission_id=? AND "
                             "position=1", (ids[2],))
    report = chain.verify(store.connection)
    assert not report.intact
    assert (report.broken_seq, report.broken_submission) == (3, ids[2])
    assert "changed after it was recorded" in report.reason


def test_an_edited_answer_is_found(store: HistoryStore) -> None:
    ids = _history(store)
    store.connection.execute("UPDATE submissions SET request_id='req_forged' WHERE id=?",
                             (ids[1],))
    assert chain.verify(store.connection).broken_submission == ids[1]


def test_a_deleted_row_is_found(store: HistoryStore) -> None:
    ids = _history(store)
    conn = store.connection
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DELETE FROM chain WHERE submission_id=?", (ids[1],))
    conn.execute("DELETE FROM claims WHERE item_id IN (SELECT id FROM items WHERE "
                 "submission_id=?)", (ids[1],))
    conn.execute("DELETE FROM items WHERE submission_id=?", (ids[1],))
    conn.execute("DELETE FROM submissions WHERE id=?", (ids[1],))
    report = chain.verify(conn)
    assert not report.intact and report.broken_seq == 3
    assert "missing" in report.reason


def test_a_deleted_submission_with_its_link_left_is_found(store: HistoryStore) -> None:
    ids = _history(store)
    conn = store.connection
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DELETE FROM items WHERE submission_id=?", (ids[3],))
    conn.execute("DELETE FROM submissions WHERE id=?", (ids[3],))
    report = chain.verify(conn)
    assert report.broken_submission == ids[3] and "deleted" in report.reason


def test_a_reordered_row_is_found(store: HistoryStore) -> None:
    _history(store)
    conn = store.connection
    # Swap the places of links 2 and 3 (as if the records had been sent in the other order).
    conn.execute("UPDATE chain SET seq = -2 WHERE seq = 2")
    conn.execute("UPDATE chain SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE chain SET seq = 3 WHERE seq = -2")
    report = chain.verify(conn)
    assert not report.intact and report.broken_seq == 2
    assert "does not follow" in report.reason


def test_a_finished_submission_without_a_link_is_named(store: HistoryStore) -> None:
    ids = _history(store, 2)
    store.connection.execute("DELETE FROM chain WHERE submission_id=?", (ids[1],))
    report = chain.verify(store.connection)
    assert report.broken_seq is None and report.unsealed == (ids[1],) and not report.intact


def test_the_upgrade_seals_what_was_there(tmp_path: Path) -> None:
    import sqlite3

    from pacspace_desktop.storage.db import MIGRATIONS

    path = tmp_path / "h.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    for migrate in MIGRATIONS[:2]:  # a history written by the version before the chain
        migrate(old)
    old.execute("INSERT INTO runs (id, created_at, source, profile, environment, base_url, "
                "owner, item_count) VALUES (1, '2025-03-01T10:00:00+00:00', 'form', 'P', "
                "'test', 'https://x', 'gone', 1)")
    old.execute("INSERT INTO submissions (id, run_id, seq, created_at, state, outcome_kind, "
                "request_id, request_body, item_count, account_count, bits_sum) VALUES "
                "(1, 1, 0, '2025-03-01T10:00:00+00:00', 'accepted', 'accepted', 'req_1', "
                "'{}', 1, 1, 5)")
    old.execute("INSERT INTO items (submission_id, position, key, account_id, bits, state) "
                "VALUES (1, 0, 'inv-1', 'a', 5, 'accepted')")
    old.execute("PRAGMA user_version=2")
    old.close()
    conn = connect(path)
    report = chain.verify(conn)
    assert report.intact and report.links == 1
    assert list(tmp_path.glob("h.v2.*.bak.sqlite3"))  # backed up before the change
    conn.close()


def test_request_sha256_is_of_the_bytes_sent() -> None:
    import hashlib

    body = '{"items":[{"key":"ä","accountId":"a","bits":1}]}'
    assert chain.request_sha256(body) == hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert chain.request_sha256(None) == ""
