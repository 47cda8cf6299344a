"""Verification tracking: where each accepted item stands between "queued" and "verified".

PacSpace answers a write with 202 "queued" and verifies it later. Two sources tell the history
how that ended, and both land in the same columns of `items`: signed webhook deliveries
(`storage/webhook_log.py`) and paced reads of the item's key (`services/verification_service.py`).
An item's verification state is derived in SQL (`STATE_SQL`) from those columns and the item's
own state, so items recorded before this existed need no rewrite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.dbapi import Db


class Verification(StrEnum):
    """Where an item stands with PacSpace's verification."""

    WAITING = "waiting"  # accepted (202 queued); PacSpace has not said it is verified yet
    VERIFIED = "verified"  # PacSpace verified it (a webhook, a read, or a check said so)
    FAILED = "failed"  # PacSpace's verification failed (with its reason)
    NOT_KNOWN = "not-known"  # the outcome of the send is unknown: nothing is known yet
    NONE = "none"  # nothing was written (rejected, not sent) or it is still being sent

    @property
    def label(self) -> str:
        """Words for finance staff."""
        return _LABELS[self]

    @property
    def mark(self) -> str:
        """A mark that is not colour alone (the same marks as the outcome column)."""
        return _MARKS[self]


_LABELS = {
    Verification.WAITING: "Waiting for verification",
    Verification.VERIFIED: "Verified",
    Verification.FAILED: "Verification failed",
    Verification.NOT_KNOWN: "Not yet known",
    Verification.NONE: "Not written",
}
_MARKS = {Verification.WAITING: "…", Verification.VERIFIED: "✓✓", Verification.FAILED: "✗",
          Verification.NOT_KNOWN: "?", Verification.NONE: "–"}

WARNING_FILTER = "warning"
"""`HistoryFilter.verification` value that finds submissions with a "written twice?" warning."""


def state_sql(alias: str = "i") -> str:
    """The SQL expression of an item's `Verification` value (items aliased `alias`)."""
    a = alias
    return (f"(CASE WHEN {a}.verification = 'failed' THEN 'failed' "
            f"WHEN {a}.verification = 'verified' OR {a}.state = 'verified' THEN 'verified' "
            f"WHEN {a}.state = 'accepted' THEN 'waiting' "
            f"WHEN {a}.state = 'unknown' THEN 'not-known' ELSE 'none' END)")


STATE_SQL = state_sql("i")

def when_sql(alias: str = "i") -> str:
    """When the item was verified or failed: the webhook's or read's time, else (verified by a
    *Check on server*) the time of that check."""
    return (f"COALESCE({alias}.verified_at, CASE WHEN {alias}.state = 'verified' "
            f"THEN {alias}.checked_at END)")


ITEM_COLUMNS = (f"{state_sql('items')}, {when_sql('items')}, verification_reason, "
                "verification_warning")
"""The verification columns `item_extra` reads, for a SELECT over `items` (not aliased)."""


def item_extra(row: Sequence[object]) -> tuple[str, datetime | None, str, str]:
    """`ItemRow`'s verification fields from the `ITEM_COLUMNS` part of a row."""
    state, when, reason, warning = (list(row) + [None] * 4)[:4]
    at = datetime.fromisoformat(str(when)) if when else None
    return str(state or ""), at, str(reason or ""), str(warning or "")


_FAILED_SQL = "state IN ('accepted', 'verified', 'unknown') AND verification = 'failed'"
"""Items whose verification failed, in a form that can use the (state, verification) index."""

_WHERE = {
    Verification.WAITING.value: "state = 'accepted' AND verification IS NULL",
    Verification.FAILED.value: _FAILED_SQL,
    Verification.NOT_KNOWN.value: "state = 'unknown' AND verification IS NULL",
}


def filter_clause(value: str) -> tuple[str, list[str]]:
    """A condition on submissions `s` for a verification filter value (see `HistoryFilter`).

    Written so that SQLite answers it from the `items_verification` (state, verification) and
    `items_submission` indexes rather than by evaluating `STATE_SQL` on every item.
    """
    if value == WARNING_FILTER:
        return ("s.id IN (SELECT submission_id FROM items WHERE verification_warning IS NOT "
                "NULL AND verification_warning <> '')"), []
    if value == Verification.VERIFIED.value:  # every item of the submission verified
        return ("s.state IN ('accepted', 'verified') AND NOT EXISTS (SELECT 1 FROM items v "
                "WHERE v.submission_id = s.id AND v.state <> 'verified' "
                "AND COALESCE(v.verification, '') <> 'verified')"), []
    where = _WHERE.get(value)
    if where is None:
        return f"s.id IN (SELECT i.submission_id FROM items i WHERE {STATE_SQL} = ?)", [value]
    return f"s.id IN (SELECT submission_id FROM items WHERE {where})", []


@dataclass(frozen=True, slots=True)
class Counts:
    """A submission's items by verification state."""

    total: int = 0
    verified: int = 0
    failed: int = 0
    waiting: int = 0
    not_known: int = 0
    warnings: int = 0

    @property
    def written(self) -> int:
        """Items PacSpace accepted or may hold (the ones verification is about)."""
        return self.verified + self.failed + self.waiting + self.not_known

    def text(self) -> str:
        """"38 of 40 verified" (of the items PacSpace accepted), "2 failed", "1 not yet known"
        (outcome unknown), or "" when nothing was written."""
        accepted = self.verified + self.failed + self.waiting
        parts = [f"{self.verified} of {accepted} verified"] if accepted else []
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.not_known:
            parts.append(f"{self.not_known} not yet known")
        if self.warnings:
            parts.append(f"{self.warnings} written twice?")
        return ", ".join(parts)

    @property
    def state(self) -> Verification:
        """The submission's overall state: failed beats waiting beats not known."""
        if not self.written:
            return Verification.NONE
        if self.failed:
            return Verification.FAILED
        if self.waiting:
            return Verification.WAITING
        if self.not_known:
            return Verification.NOT_KNOWN
        return Verification.VERIFIED


def counts(conn: Db, submission_ids: Sequence[int]) -> dict[int, Counts]:
    """Verification counts per submission."""
    out: dict[int, Counts] = {}
    ids = list(submission_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for sub_id, total, ver, fail, wait, unk, warn in conn.execute(
                f"SELECT i.submission_id, COUNT(*), SUM({STATE_SQL} = 'verified'), "
                f"SUM({STATE_SQL} = 'failed'), SUM({STATE_SQL} = 'waiting'), "
                f"SUM({STATE_SQL} = 'not-known'), "
                "SUM(COALESCE(i.verification_warning, '') <> '') FROM items i "
                f"WHERE i.submission_id IN ({','.join('?' * len(chunk))}) "
                "GROUP BY i.submission_id", chunk):
            out[int(sub_id)] = Counts(int(total), int(ver or 0), int(fail or 0), int(wait or 0),
                                      int(unk or 0), int(warn or 0))
    return out


def waiting_total(conn: Db) -> tuple[int, int]:
    """Items still waiting for verification, and items whose verification failed."""
    waiting = conn.execute(f"SELECT COUNT(*) FROM items WHERE "
                           f"{_WHERE[Verification.WAITING.value]}").fetchone()[0]
    failed = conn.execute(f"SELECT COUNT(*) FROM items WHERE {_FAILED_SQL}").fetchone()[0]
    return int(waiting), int(failed)


@dataclass(frozen=True, slots=True)
class ReadTarget:
    """A key to read in the background for items that wait for verification.

    Attributes:
        key: The record key.
        item_ids: The waiting items of that key.
        submission_ids: Their submissions.
        expected_writes: Writes history knows were accepted for the key (in that environment).
        possible_writes: Writes whose outcome is unknown (they may or may not count).
    """

    key: str
    item_ids: tuple[int, ...]
    submission_ids: tuple[int, ...]
    expected_writes: int
    possible_writes: int


def read_targets(conn: Db, environment: str, now: datetime,
                 read_before: datetime, window: timedelta = timedelta(days=7),
                 limit: int = 50) -> list[ReadTarget]:
    """Keys of items sent to `environment` in the last `window` that still wait for
    verification and were not read since `read_before`; least recently read first."""
    since = _ts(now - window)
    before = _ts(read_before)
    rows = conn.execute(
        "SELECT i.key, group_concat(i.id), group_concat(i.submission_id), "
        "MAX(COALESCE(i.verification_read_at, '')) AS last_read FROM items i "
        "JOIN submissions s ON s.id = i.submission_id JOIN runs r ON r.id = s.run_id "
        "WHERE i.state = 'accepted' AND i.verification IS NULL AND r.environment = ? "
        "AND COALESCE(s.sent_at, s.created_at) >= ? "
        "AND (i.verification_read_at IS NULL OR i.verification_read_at < ?) "
        "GROUP BY i.key ORDER BY last_read, MIN(s.created_at) LIMIT ?",
        (environment, since, before, limit)).fetchall()
    out: list[ReadTarget] = []
    for key, item_ids, sub_ids, _last in rows:
        expected, possible = conn.execute(
            "SELECT SUM(i.state IN ('accepted', 'verified')), SUM(i.state = 'unknown') "
            "FROM items i JOIN submissions s ON s.id = i.submission_id "
            "JOIN runs r ON r.id = s.run_id WHERE i.key = ? AND r.environment = ?",
            (key, environment)).fetchone()
        out.append(ReadTarget(str(key), _ints(item_ids), tuple(dict.fromkeys(_ints(sub_ids))),
                              int(expected or 0), int(possible or 0)))
    return out


def twice_warning(total_writes: int | None, target: ReadTarget) -> str:
    """The "written twice?" warning when PacSpace counts more writes than history expects."""
    if total_writes is None or total_writes <= target.expected_writes + target.possible_writes:
        return ""
    return (f"Written twice? PacSpace counts {total_writes} writes for this record key; the "
            f"history knows of {target.expected_writes}. Compare the bits PacSpace holds with "
            "your records before sending anything for this key again.")


def record_read(conn: Db, target: ReadTarget, read_at: datetime,
                verified: bool, warning: str | None) -> None:
    """Store what a background read found (inside the caller's transaction).

    `warning` None (the read got no clear answer) keeps the warning the items had.
    """
    marks = ",".join("?" * len(target.item_ids))
    ids = list(target.item_ids)
    conn.execute(f"UPDATE items SET verification_read_at=? WHERE id IN ({marks})",
                 (_ts(read_at), *ids))
    if warning is not None:
        conn.execute(f"UPDATE items SET verification_warning=? WHERE id IN ({marks})",
                     (warning or None, *ids))
    if verified:
        mark_items(conn, ids, Verification.VERIFIED, read_at, "", "read")


def mark_items(conn: Db, item_ids: Iterable[int], state: Verification,
               when: datetime, reason: str, source: str) -> int:
    """Set the verification of items (inside the caller's transaction). Returns how many."""
    ids = list(item_ids)
    if not ids:
        return 0
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        cur = conn.execute(
            "UPDATE items SET verification=?, verified_at=?, verification_reason=?, "
            f"verification_source=? WHERE id IN ({marks})",
            (state.value, _ts(when), reason or None, source, *chunk))
        changed += cur.rowcount
        if state is Verification.VERIFIED:
            conn.execute(f"UPDATE items SET state='verified' WHERE id IN ({marks}) "
                         "AND state='accepted'", chunk)
    return changed


def items_of_request(conn: Db, request_id: str,
                     keys: Sequence[str] = ()) -> tuple[list[int], list[int]]:
    """The items (and their submissions) a verification event for `request_id` is about.

    When the event lists keys, only those items of the request; otherwise all of them.
    """
    rows = conn.execute(
        "SELECT i.id, i.submission_id, i.key FROM items i JOIN submissions s "
        "ON s.id = i.submission_id WHERE s.request_id = ? ORDER BY i.id", (request_id,)).fetchall()
    wanted = set(keys)
    chosen = [(r[0], r[1]) for r in rows if not wanted or r[2] in wanted]
    return [c[0] for c in chosen], list(dict.fromkeys(c[1] for c in chosen))


def _ints(text: object) -> tuple[int, ...]:
    return tuple(int(x) for x in str(text or "").split(",") if x)


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def write(conn: Db, work: Callable[[Db], None]) -> None:
    """Run `work` in one `BEGIN IMMEDIATE` transaction on `conn`.

    Raises:
        StorageError: when the history cannot be written.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StorageError(f"The history cannot be written: {exc}.") from exc
    try:
        work(conn)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise StorageError(f"The history cannot be written: {exc}.") from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise
