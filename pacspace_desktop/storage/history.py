"""The history and outbox: every submission is written before it is sent, and its outcome after.

A submission is one request to PacSpace; a run is one user action (a form batch, a file, a CLI
call) split into submissions. A kill at any moment leaves every item of a run accepted,
rejected, not sent, or pending/unknown — never missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.catalogue import OutcomeKind, entry
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage import chain, claims, verification
from pacspace_desktop.storage.claims import KeysClaimed
from pacspace_desktop.storage.db import connect
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.errors import StorageError, storage_error
from pacspace_desktop.storage.history_sql import (
    _dt,
    _ts,
    insert_attempt,
    mark_sending,
    now_utc,
    resolve_unknown,
    where_sql,
)
from pacspace_desktop.storage.owners import process_token, token_alive
from pacspace_desktop.storage.records import (
    AttemptRecord,
    FinalOutcome,
    HistoryFilter,
    ItemRow,
    KeySighting,
    NewRun,
    SubmissionDetail,
    SubmissionRow,
)

_SUB_COLS = """s.id, s.run_id, s.seq, s.created_at, r.source, r.profile, r.environment, s.state,
    s.outcome_kind, s.status_code, s.request_id, s.item_count, s.account_count, s.bits_sum,
    s.server_message, r.sent_by"""


@dataclass(frozen=True, slots=True)
class RecordedRun:
    """The ids given to a run and its submissions, in sending order."""

    run_id: int
    submission_ids: list[int]


class HistoryStore:
    """Reads and writes the history. One store per connection; safe to use from one thread.

    The connection is a local SQLite file's or a team's PostgreSQL database's (`dbapi.Db`);
    each says who owns a run and whether that owner still runs (`owners` for a file).
    """

    def __init__(self, conn: Db) -> None:
        self._conn = conn
        self._owner: Callable[[], str] = getattr(conn, "owner_token", process_token)
        self._alive: Callable[[str], bool] = getattr(conn, "is_alive", token_alive)
        self.sent_by = ""  # the display name from Settings for runs that name nobody
        files = [r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"]
        self.path = files[0] if files and files[0] else ""  # for messages; "" in memory

    @classmethod
    def open(cls, path: Path, busy_timeout: float = 10.0) -> HistoryStore:
        """Open the history at `path`, creating and migrating it as needed.

        `busy_timeout` is how long a write waits for another program's write to end.
        """
        return cls(connect(path, busy_timeout))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def opener(self) -> Callable[[], HistoryStore] | None:
        """Opens a second store on the same history for a worker thread (None in memory).

        Its runs are recorded under this store's owner, so that they count as running for as
        long as this store's process (or, in a team history, its connection) lives.
        """
        reopen = getattr(self._conn, "reopen", None)
        if reopen is None and not self.path:
            return None

        def open_again() -> HistoryStore:
            kind = type(self)  # a subclass's own open (tests) opens the second one too
            store = kind(reopen()) if reopen is not None else kind.open(Path(self.path))
            store._owner, store.sent_by = self._owner, self.sent_by
            return store

        return open_again

    @property
    def connection(self) -> Db:
        """The connection, for the read-only query helpers of this package (`history_query`)."""
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[Db]:
        """One write transaction; any SQLite error leaves as a typed `StorageError`."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            # On a full disk SQLite rolls back by itself: a second ROLLBACK would fail and
            # hide the real error.
            if self._conn.in_transaction:
                with suppress(sqlite3.Error, StorageError):  # the first error says why
                    self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise storage_error(exc, self.path) from exc
            raise

    # --- writing -------------------------------------------------------------------------

    def record_run(self, run: NewRun, batches: Sequence[Sequence[WriteItem]],
                   owner: str | None = None, resend: Collection[str] = (),
                   is_alive: Callable[[str], bool] | None = None,
                   metadata: Sequence[Sequence[str | None]] | None = None) -> RecordedRun:
        """Claim every key and write the run, its submissions and items as queued, in one
        transaction, before anything is sent.

        Args:
            run: Where the run goes.
            batches: Its requests' items, in sending order.
            owner: The sending process's token (default: this process).
            resend: Keys a person chose to send again although history says they were sent.
            is_alive: Tells a running sender from one that is gone (default: the backend's).
            metadata: Each item's metadata JSON text when the caller wrote it already (see
                `domain.wire`), batch by batch; default: written here.

        Raises:
            KeysClaimed: some keys are held by another send (or were sent before and are not
                in `resend`); nothing was recorded.
            StorageError: the history cannot be written.
        """
        created = _ts(now_utc())
        total = sum(len(b) for b in batches)
        keys = [it.key for b in batches for it in b]
        with self._tx() as conn:
            found = claims.conflicts_for(conn, run.environment, keys, frozenset(resend),
                                         is_alive or self._alive)
            if found:
                raise KeysClaimed(found)
            cur = conn.execute(
                "INSERT INTO runs (created_at, source, profile, environment, base_url, owner, "
                "item_count, sent_by, key_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (created, run.source, run.profile, run.environment, run.base_url,
                 self._owner() if owner is None else owner, total,
                 run.sent_by or self.sent_by or claims.who_am_i(), run.key_fingerprint))
            run_id = int(cur.lastrowid or 0)
            ids = []
            rows: list[tuple[Any, ...]] = []
            for seq, batch in enumerate(batches):
                cur = conn.execute(
                    "INSERT INTO submissions (run_id, seq, created_at, state, item_count, "
                    "account_count, bits_sum) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (run_id, seq, created, ItemState.QUEUED.value, len(batch),
                     len({it.account_id for it in batch}), sum(it.bits for it in batch)))
                sub_id = int(cur.lastrowid or 0)
                ids.append(sub_id)
                metas = (metadata[seq] if metadata is not None else
                         [jsonwire.dumps(dict(it.metadata)) if it.metadata is not None else None
                          for it in batch])
                rows += [(sub_id, pos, it.key, it.account_id, it.bits, meta,
                          ItemState.QUEUED.value)
                         for pos, (it, meta) in enumerate(zip(batch, metas, strict=True))]
            # All items and claims in one statement each (a team database is a round trip
            # away: three per request made 10,000 claims take a second).
            conn.executemany(
                "INSERT INTO items (submission_id, position, key, account_id, bits, "
                "metadata, state) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            claims.take_run(conn, run.environment, created or "", run_id)
        return RecordedRun(run_id, ids)

    def mark_sending(self, submission_id: int, request_body: str) -> None:
        """Record that a submission's request is about to leave (committed before it does).

        This commit is synced to the disk (`synchronous=FULL`), so that even a power cut
        cannot leave a request that left recorded as one that never did.
        """
        self._conn.execute("PRAGMA synchronous=FULL")
        try:
            with self._tx() as conn:
                mark_sending(conn, submission_id, request_body)
        finally:
            self._conn.execute("PRAGMA synchronous=NORMAL")

    def unmark_sending(self, submission_id: int) -> None:
        """Take back a mark made for a request that then never left (a stop came first)."""
        with self._tx() as conn:
            conn.execute("UPDATE submissions SET state=?, sent_at=NULL, request_body=NULL "
                         "WHERE id=? AND state=?", (ItemState.QUEUED.value, submission_id,
                                                    ItemState.SENDING.value))
            conn.execute("UPDATE items SET state=? WHERE submission_id=? AND state=?",
                         (ItemState.QUEUED.value, submission_id, ItemState.SENDING.value))

    def record_attempt(self, submission_id: int, attempt: AttemptRecord) -> None:
        """Record one HTTP attempt."""
        with self._tx() as conn:
            insert_attempt(conn, submission_id, attempt)

    def finish(self, submission_id: int, outcome: FinalOutcome,
               attempts: Sequence[AttemptRecord] = (),
               then_sending: tuple[int, str] | None = None) -> ItemState:
        """Record how a submission ended; its items take the state the catalogue gives.

        Args:
            submission_id: The submission.
            outcome: How it ended.
            attempts: Its attempts not recorded yet, written in the same commit.
            then_sending: The next request (submission id, body) to mark as sending in the
                same commit — one commit per request, synced to the disk as `mark_sending`.
        """
        state = entry(outcome.kind).item_state
        if then_sending is not None:
            self._conn.execute("PRAGMA synchronous=FULL")
        try:
            self._finish(submission_id, outcome, state, attempts, then_sending)
        finally:
            if then_sending is not None:
                self._conn.execute("PRAGMA synchronous=NORMAL")
        return state

    def _finish(self, submission_id: int, outcome: FinalOutcome, state: ItemState,
                attempts: Sequence[AttemptRecord], then_sending: tuple[int, str] | None
                ) -> None:
        with self._tx() as conn:
            for attempt in attempts:
                insert_attempt(conn, submission_id, attempt)
            conn.execute(
                "UPDATE submissions SET state=?, outcome_kind=?, status_code=?, request_id=?, "
                "accepted_count=?, server_message=?, request_body=COALESCE(?, request_body), "
                "response_text=?, retry_at=?, finished_at=? WHERE id=?",
                (state.value, outcome.kind.value, outcome.status_code, outcome.request_id,
                 outcome.accepted_count, outcome.server_message, outcome.request_body,
                 outcome.response_text, _ts(outcome.retry_at), _ts(now_utc()), submission_id))
            conn.execute("UPDATE items SET state=? WHERE submission_id=?",
                         (state.value, submission_id))
            if not state.may_be_written:
                claims.release_submissions(conn, [submission_id])
            chain.seal(conn, [submission_id])  # the outcome is final: seal it in the chain
            if then_sending is not None:
                mark_sending(conn, *then_sending)

    def finish_not_sent(self, submission_ids: Iterable[int], message: str) -> None:
        """Mark queued submissions that will not be sent (cancel, plan limit, stop)."""
        ids = list(submission_ids)
        if not ids:
            return
        now = _ts(now_utc())
        with self._tx() as conn:
            for sub_id in ids:
                conn.execute(
                    "UPDATE submissions SET state=?, outcome_kind=?, server_message=?, "
                    "finished_at=? WHERE id=? AND state=?",
                    (ItemState.NOT_SENT.value, OutcomeKind.NOT_SENT.value, message, now, sub_id,
                     ItemState.QUEUED.value))
                conn.execute("UPDATE items SET state=? WHERE submission_id=? AND state=?",
                             (ItemState.NOT_SENT.value, sub_id, ItemState.QUEUED.value))
            claims.release_submissions(conn, [
                r[0] for r in conn.execute(
                    f"SELECT id FROM submissions WHERE id IN ({','.join('?' * len(ids))}) "
                    "AND state=?", (*ids, ItemState.NOT_SENT.value))])
            chain.seal(conn, ids)

    def recover_interrupted(self, is_alive: Callable[[str], bool] | None = None
                            ) -> list[SubmissionRow]:
        """Settle submissions left open by a process that is gone (a crash or a kill).

        Sending ones become "outcome unknown" (they may have been written); queued ones become
        "not sent". They are never re-sent. Returns the submissions that became unknown.
        """
        rows = self._conn.execute(
            "SELECT DISTINCT r.id, r.owner FROM runs r JOIN submissions s ON s.run_id = r.id "
            "WHERE s.state IN (?, ?)",
            (ItemState.QUEUED.value, ItemState.SENDING.value)).fetchall()
        alive = is_alive or self._alive
        dead = [run_id for run_id, owner in rows if not alive(owner)]
        unknown_ids: list[int] = []
        for run_id in dead:
            sending = [r[0] for r in self._conn.execute(
                "SELECT id FROM submissions WHERE run_id=? AND state=?",
                (run_id, ItemState.SENDING.value))]
            for sub_id in sending:
                self.finish(sub_id, FinalOutcome(
                    OutcomeKind.INTERRUPTED,
                    server_message="The app stopped before PacSpace answered."))
            unknown_ids += sending
            queued = [r[0] for r in self._conn.execute(
                "SELECT id FROM submissions WHERE run_id=? AND state=?",
                (run_id, ItemState.QUEUED.value))]
            self.finish_not_sent(queued, "The app stopped before this request was sent.")
        return [self.submission_row(i) for i in unknown_ids]

    def record_check(self, item_id: int, checked_at: datetime, check: dict[str, Any],
                     verified: bool | None = None, release: bool = False,
                     resolve: ItemState | None = None) -> None:
        """Store what the server said about an item's key (and mark it verified if it is).

        `release` frees the item's claim on its key: a check long enough after the send found
        that the write did not land, so the key may be sent again.

        `resolve` settles an item whose outcome was unknown with the state the check showed
        (accepted or verified: it landed, its claim stays; not sent: it did not land). The
        check stays stored as the evidence. Once every item of its submission is settled the
        same way, the submission takes that state too, so its row, counts and export follow.
        """
        with self._tx() as conn:
            conn.execute("UPDATE items SET checked_at=?, check_json=? WHERE id=?",
                         (_ts(checked_at), jsonwire.dumps(check), item_id))
            if verified:
                conn.execute("UPDATE items SET state=? WHERE id=? AND state=?",
                             (ItemState.VERIFIED.value, item_id, ItemState.ACCEPTED.value))
            if resolve is not None:
                resolve_unknown(conn, item_id, resolve)
            if release:
                claims.release_item(conn, item_id)

    # --- reading -------------------------------------------------------------------------

    def submission_row(self, submission_id: int) -> SubmissionRow:
        """One submission."""
        row = self._conn.execute(
            f"SELECT {_SUB_COLS} FROM submissions s JOIN runs r ON r.id = s.run_id "
            "WHERE s.id=?", (submission_id,)).fetchone()
        if row is None:
            raise KeyError(submission_id)
        return _submission(row)

    def list_submissions(self, flt: HistoryFilter | None = None, limit: int = 100,
                         offset: int = 0) -> list[SubmissionRow]:
        """Submissions matching the filter, newest first."""
        where, params = where_sql(flt or HistoryFilter())
        rows = self._conn.execute(
            f"SELECT {_SUB_COLS} FROM submissions s JOIN runs r ON r.id = s.run_id {where} "
            "ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset)).fetchall()
        return [_submission(r) for r in rows]

    def count_submissions(self, flt: HistoryFilter | None = None) -> int:
        """How many submissions match the filter."""
        where, params = where_sql(flt or HistoryFilter())
        return int(self._conn.execute(
            f"SELECT COUNT(*) FROM submissions s JOIN runs r ON r.id = s.run_id {where}",
            params).fetchone()[0])

    def items_of(self, submission_id: int) -> list[ItemRow]:
        """The items of one submission, in request order."""
        rows = self._conn.execute(
            "SELECT id, submission_id, position, key, account_id, bits, metadata, state, "
            f"checked_at, check_json, {verification.ITEM_COLUMNS} FROM items "
            "WHERE submission_id=? ORDER BY position", (submission_id,)).fetchall()
        return [ItemRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], ItemState(r[7]), _dt(r[8]),
                        r[9], *verification.item_extra(r[10:])) for r in rows]

    def detail(self, submission_id: int) -> SubmissionDetail:
        """A submission with its items, attempts and raw texts."""
        row = self.submission_row(submission_id)
        extra = self._conn.execute(
            "SELECT r.base_url, s.sent_at, s.finished_at, s.request_body, s.response_text, "
            "s.retry_at FROM submissions s JOIN runs r ON r.id = s.run_id WHERE s.id=?",
            (submission_id,)).fetchone()
        attempts = [AttemptRecord(a[0], _dt(a[1]) or now_utc(), a[2], a[3], OutcomeKind(a[4]),
                                  a[5] or "", a[6] or "")
                    for a in self._conn.execute(
                        "SELECT number, started_at, duration_ms, status_code, outcome_kind, "
                        "server_message, response_text FROM attempts WHERE submission_id=? "
                        "ORDER BY number", (submission_id,))]
        return SubmissionDetail(row, extra[0], _dt(extra[1]), _dt(extra[2]), extra[3], extra[4],
                                _dt(extra[5]), self.items_of(submission_id), attempts)

    def sightings(self, keys: Iterable[str], scope: str | None = None
                  ) -> dict[str, list[KeySighting]]:
        """Who holds each key ("was key X sent, when, with what result" — or is it on its way).

        A key is listed while a send holds its claim: on its way, accepted, verified, or with an
        unknown outcome not yet shown by a check to have missed. One sighting per environment
        (`scope` None), or only in `scope`.
        """
        found: dict[str, list[KeySighting]] = {}
        bits: dict[int, int] = {}
        held = claims.holders(self._conn, keys, scope)
        for start in range(0, len(held), 500):
            chunk = [h.item_id for h in held[start:start + 500]]
            bits.update(self._conn.execute(
                f"SELECT id, bits FROM items WHERE id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall())
        for h in held:
            found.setdefault(h.key, []).append(KeySighting(
                h.key, h.submission_id, h.sent_at or h.claimed_at, h.state, h.request_id,
                h.profile, h.scope, bits.get(h.item_id, 0), h.sent_by))
        return found

    def holders(self, keys: Iterable[str], scope: str | None = None) -> list[claims.ClaimHolder]:
        """The items that hold these keys' claims."""
        return claims.holders(self._conn, keys, scope)

    def run_submissions(self, run_id: int) -> list[SubmissionRow]:
        """The submissions of one run, in sending order."""
        rows = self._conn.execute(
            f"SELECT {_SUB_COLS} FROM submissions s JOIN runs r ON r.id = s.run_id "
            "WHERE s.run_id=? ORDER BY s.seq", (run_id,)).fetchall()
        return [_submission(r) for r in rows]

    def account_ids(self, prefix: str = "", limit: int = 50) -> list[str]:
        """Account IDs used before, for completion."""
        rows = self._conn.execute(
            "SELECT DISTINCT account_id FROM items WHERE account_id >= ? AND account_id < ? "
            "ORDER BY account_id LIMIT ?", (prefix, prefix + "\U0010ffff", limit)).fetchall()
        return [r[0] for r in rows]



def _submission(r: Sequence[Any]) -> SubmissionRow:
    return SubmissionRow(r[0], r[1], r[2], _dt(r[3]) or now_utc(), r[4], r[5], r[6],
                         ItemState(r[7]), OutcomeKind(r[8]) if r[8] else None, r[9], r[10],
                         r[11], r[12], r[13], r[14] or "", r[15] or "")
