from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.db import SCHEMA_VERSION, StorageError, connect
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.owners import process_token, token_alive
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.records import (
    AttemptRecord,
    FinalOutcome,
    HistoryFilter,
    NewRun,
)

RUN = NewRun("form", "Test", "sandbox", "http://127.0.0.1:1")


def _items(n: int, prefix: str = "inv", account: str = "acct-1") -> list[WriteItem]:
    return [WriteItem(f"{prefix}-{i}", account, i + 1) for i in range(n)]


def test_run_is_recorded_as_queued_before_sending(store: HistoryStore) -> None:
    rec = store.record_run(RUN, [_items(2), _items(1, "x", "acct-2")])
    assert len(rec.submission_ids) == 2
    rows = store.run_submissions(rec.run_id)
    assert [r.state for r in rows] == [ItemState.QUEUED, ItemState.QUEUED]
    assert [(r.item_count, r.account_count, r.bits_sum) for r in rows] == [(2, 1, 3), (1, 1, 1)]
    assert all(it.state is ItemState.QUEUED for it in store.items_of(rec.submission_ids[0]))


def test_sending_attempts_and_outcome(store: HistoryStore) -> None:
    rec = store.record_run(RUN, [_items(2)])
    sub = rec.submission_ids[0]
    store.mark_sending(sub, '{"items":[]}')
    assert store.submission_row(sub).state is ItemState.SENDING
    store.record_attempt(sub, AttemptRecord(1, datetime.now(UTC), 12, 500,
                                            OutcomeKind.SERVER_ERROR, "boom", "{}"))
    store.record_attempt(sub, AttemptRecord(2, datetime.now(UTC), 9, 202,
                                            OutcomeKind.ACCEPTED, "", "{}"))
    state = store.finish(sub, FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_9", 2))
    assert state is ItemState.ACCEPTED
    detail = store.detail(sub)
    assert detail.row.request_id == "req_9"
    assert [a.status_code for a in detail.attempts] == [500, 202]
    assert detail.request_body == '{"items":[]}'
    assert {it.state for it in detail.items} == {ItemState.ACCEPTED}


def test_metadata_keeps_exact_decimals(store: HistoryStore) -> None:
    rec = store.record_run(RUN, [[WriteItem("k", "a", 1, {"amount": Decimal("250.00")})]])
    assert store.items_of(rec.submission_ids[0])[0].metadata_json == '{"amount":250.00}'


def test_rejected_unknown_and_not_sent(store: HistoryStore) -> None:
    rec = store.record_run(RUN, [_items(1, "a"), _items(1, "b"), _items(1, "c")])
    a, b, c = rec.submission_ids
    assert store.finish(a, FinalOutcome(OutcomeKind.BAD_REQUEST, 400)) is ItemState.REJECTED
    assert store.finish(b, FinalOutcome(OutcomeKind.CONNECTION_DROPPED)) is ItemState.UNKNOWN
    store.finish_not_sent([c], "stopped")
    assert store.submission_row(c).state is ItemState.NOT_SENT
    assert store.items_of(c)[0].state is ItemState.NOT_SENT


def test_sightings_answer_was_this_key_sent(store: HistoryStore) -> None:
    rec = store.record_run(RUN, [_items(2)])
    store.finish(rec.submission_ids[0], FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_1"))
    rec2 = store.record_run(RUN, [_items(1, "zzz")])
    store.finish(rec2.submission_ids[0], FinalOutcome(OutcomeKind.BAD_REQUEST, 400))
    seen = store.sightings(["inv-0", "inv-1", "zzz-0", "never"])
    assert set(seen) == {"inv-0", "inv-1"}, "rejected keys were not written"
    assert seen["inv-0"][0].request_id == "req_1"
    again = store.record_run(RUN, [_items(1, "zzz")])  # a rejected key is free to send again
    assert set(store.sightings(["zzz-0"])) == {"zzz-0"}
    assert store.sightings(["zzz-0"])["zzz-0"][0].submission_id == again.submission_ids[0]


def test_recover_interrupted_settles_dead_runs_only(store: HistoryStore) -> None:
    dead = store.record_run(RUN, [_items(1, "a"), _items(1, "b")], owner="999999999:1")
    store.mark_sending(dead.submission_ids[0], "{}")
    mine = store.record_run(RUN, [_items(1, "c")])
    store.mark_sending(mine.submission_ids[0], "{}")
    unknown = store.recover_interrupted()
    assert [r.id for r in unknown] == [dead.submission_ids[0]]
    assert unknown[0].state is ItemState.UNKNOWN
    assert unknown[0].outcome_kind is OutcomeKind.INTERRUPTED
    assert store.submission_row(dead.submission_ids[1]).state is ItemState.NOT_SENT
    assert store.submission_row(mine.submission_ids[0]).state is ItemState.SENDING
    assert store.recover_interrupted() == []


def test_a_request_settled_by_another_app_is_never_marked_to_leave(store: HistoryStore) -> None:
    """Another app took this send for a crashed one and settled its queued requests (freeing
    their keys): the sender's next mark fails, so that request never leaves."""
    taken = store.record_run(RUN, [_items(1, "s"), _items(1, "t")], owner="999999999:1")
    store.mark_sending(taken.submission_ids[0], "{}")
    store.recover_interrupted()  # the second request: not sent, its key free again
    with pytest.raises(StorageError, match="settled meanwhile by another PacSpace Desktop"):
        store.mark_sending(taken.submission_ids[1], "{}")
    assert store.submission_row(taken.submission_ids[1]).state is ItemState.NOT_SENT


def test_process_tokens() -> None:
    assert token_alive(process_token())
    assert not token_alive("999999999:1")
    assert not token_alive("garbage")


def test_filters_and_search(store: HistoryStore) -> None:
    r1 = store.record_run(RUN, [_items(1, "alpha", "acct-A")])
    store.finish(r1.submission_ids[0], FinalOutcome(OutcomeKind.ACCEPTED, 202, "req_AAA"))
    r2 = store.record_run(NewRun("march.csv", "Prod", "live", "https://x"),
                          [_items(1, "beta", "acct-B")])
    store.finish(r2.submission_ids[0], FinalOutcome(OutcomeKind.BAD_REQUEST, 400))
    ids = lambda f: [r.id for r in store.list_submissions(f)]  # noqa: E731
    assert ids(HistoryFilter()) == [r2.submission_ids[0], r1.submission_ids[0]]
    assert ids(HistoryFilter(states=frozenset({ItemState.REJECTED}))) == r2.submission_ids
    assert ids(HistoryFilter(environment="sandbox")) == r1.submission_ids
    assert ids(HistoryFilter(profile="Prod")) == r2.submission_ids
    assert ids(HistoryFilter(source="MARCH")) == r2.submission_ids
    assert ids(HistoryFilter(search="alpha-0")) == r1.submission_ids
    assert ids(HistoryFilter(search="acct-B")) == r2.submission_ids
    assert ids(HistoryFilter(search="req_AAA")) == r1.submission_ids
    future = datetime.now(UTC) + timedelta(days=1)
    assert ids(HistoryFilter(since=future)) == []
    assert store.count_submissions(HistoryFilter(until=future)) == 2
    assert store.account_ids("acct") == ["acct-A", "acct-B"]


def test_wal_and_durable(tmp_path: Path) -> None:
    conn = connect(tmp_path / "h.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: survives a kill
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store = HistoryStore(conn)
    rec = store.record_run(RUN, [_items(1)])
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    store.mark_sending(rec.submission_ids[0], "{}")
    conn.set_trace_callback(None)
    # the commit that marks a request as sending, before it leaves, is synced to the disk
    assert seen[0] == "PRAGMA synchronous=FULL" and seen[1] == "BEGIN IMMEDIATE"
    assert seen.index("COMMIT") < seen.index("PRAGMA synchronous=NORMAL")
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    conn.close()


def test_newer_schema_is_refused_with_words(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StorageError, match="newer PacSpace Desktop"):
        connect(path)


def test_damaged_file_is_told(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match=r"damaged|cannot be used"):
        connect(path)


def test_migration_backs_up_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pacspace_desktop.storage import db

    path = tmp_path / "h.sqlite3"
    connect(path).close()

    def v2(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE items ADD COLUMN note TEXT")

    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, v2])
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(db.MIGRATIONS))
    conn = db.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()
    backups = list(tmp_path.glob(f"h.v{SCHEMA_VERSION}.*.bak.sqlite3"))
    assert len(backups) == 1


def test_paths_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PACSPACE_CONFIG_DIR")
    paths = resolve_paths(tmp_path / "d")
    assert paths.history_db == tmp_path / "d" / "history.sqlite3"
    assert paths.settings_file == tmp_path / "d" / "config" / "settings.json"
    assert not (tmp_path / "d").exists(), "nothing is created until ensure()"
