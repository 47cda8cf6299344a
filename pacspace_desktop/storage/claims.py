"""Claims on record keys: a send takes its keys in the transaction that records it, or not at all.

A key is held by at most one item per PacSpace environment (the `claims` table's primary key).
The item that holds it decides whether another send may take it:

- queued or sending: another send has it right now (or had it, when its process is gone);
- accepted, verified or outcome unknown: it was sent; only a person who knowingly sends it again
  ("resend") may take it over;
- rejected or not sent: nothing was written, the claim is stale and free.

A submission that ends with nothing written releases its items' claims; an unknown outcome keeps
its claim until a check on the server shows that the write did not land. Because the check of
every key and the recording of the run are one `BEGIN IMMEDIATE` transaction, two sends of one
file on one history (two windows, the app and the command line) cannot both take a key.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.dbapi import Db

IN_FLIGHT_STATES = (ItemState.QUEUED, ItemState.SENDING)
SENT_STATES = (ItemState.ACCEPTED, ItemState.VERIFIED, ItemState.UNKNOWN)
_CHUNK = 500


class ConflictReason(StrEnum):
    """Why a key cannot be taken by a new send."""

    IN_FLIGHT = "in-flight"  # another send holds it and its process runs
    INTERRUPTED = "interrupted"  # a send holds it whose process stopped before it finished
    SENT = "sent"  # PacSpace accepted it before
    UNKNOWN = "unknown"  # it was sent and the answer was lost: check on the server first
    TWICE = "twice"  # the key stands twice in this very send


@dataclass(frozen=True, slots=True)
class ClaimHolder:
    """The item that holds a key's claim, with what a person needs to know about it.

    Attributes:
        key: The record key.
        scope: The PacSpace environment the claim is for (live, test, sandbox).
        item_id: The holding item.
        submission_id: Its submission.
        state: The holding item's state.
        claimed_at: When the claim was taken.
        sent_at: When its request left, if it did.
        request_id: PacSpace's Request ID, when accepted.
        profile: The profile it was sent with.
        source: What was sent (`form`, a file's name, `cli:<file>`).
        sent_by: Who sent it ("anna on PC-FIN-02").
        owner: The process token of the send (see `history.process_token`).
    """

    key: str
    scope: str
    item_id: int
    submission_id: int
    state: ItemState
    claimed_at: datetime
    sent_at: datetime | None
    request_id: str | None
    profile: str
    source: str
    sent_by: str
    owner: str


@dataclass(frozen=True, slots=True)
class ClaimConflict:
    """A key a new send may not take, and who holds it (None for a key twice in one send)."""

    key: str
    reason: ConflictReason
    holder: ClaimHolder | None = None


class KeysClaimed(Exception):
    """A send was refused before anything was recorded or sent: some keys are held elsewhere."""

    def __init__(self, conflicts: Sequence[ClaimConflict]) -> None:
        super().__init__(f"{len(conflicts)} record key(s) are held by another send")
        self.conflicts = list(conflicts)


def who_am_i() -> str:
    """The person and computer a send is recorded under ("anna on PC-FIN-02")."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = "unknown user"
    return f"{user} on {socket.gethostname() or 'this computer'}"


_HOLDER_SQL = """
    SELECT c.key, c.scope, c.item_id, i.submission_id, i.state, c.claimed_at, s.sent_at,
           s.request_id, r.profile, r.source, r.sent_by, r.owner
    FROM claims c JOIN items i ON i.id = c.item_id
    JOIN submissions s ON s.id = i.submission_id JOIN runs r ON r.id = s.run_id
"""


def holders(conn: Db, keys: Iterable[str], scope: str | None = None
            ) -> list[ClaimHolder]:
    """The holders of these keys' claims (in every scope, or in one)."""
    key_list = list(dict.fromkeys(keys))
    found: list[ClaimHolder] = []
    for start in range(0, len(key_list), _CHUNK):
        chunk = key_list[start:start + _CHUNK]
        where = f"c.key IN ({','.join('?' * len(chunk))})"
        params: list[object] = list(chunk)
        if scope is not None:
            where += " AND c.scope = ?"
            params.append(scope)
        for r in conn.execute(f"{_HOLDER_SQL} WHERE {where} ORDER BY c.claimed_at, c.item_id",
                              params):
            found.append(ClaimHolder(r[0], r[1], r[2], r[3], ItemState(r[4]), _dt(r[5]),
                                     _dt(r[6]) if r[6] else None, r[7], r[8], r[9],
                                     r[10] or "", r[11]))
    return found


def conflicts_for(conn: Db, scope: str, keys: Sequence[str],
                  resend: Collection[str], is_alive: Callable[[str], bool]
                  ) -> list[ClaimConflict]:
    """What stops a send of `keys` in `scope` from taking them (empty: it may).

    Args:
        conn: A connection inside the transaction that will record the send.
        scope: The environment the send goes to.
        keys: Its keys, in order.
        resend: Keys a person chose to send again although they were sent before. They never
            take a key another send holds right now.
        is_alive: Whether a process token names a running process.
    """
    conflicts: list[ClaimConflict] = []
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            conflicts.append(ClaimConflict(key, ConflictReason.TWICE))
        seen.add(key)
    for holder in holders(conn, seen, scope):
        if holder.state in IN_FLIGHT_STATES:
            reason = (ConflictReason.IN_FLIGHT if is_alive(holder.owner)
                      else ConflictReason.INTERRUPTED)
        elif holder.state in SENT_STATES and holder.key not in resend:
            reason = (ConflictReason.UNKNOWN if holder.state is ItemState.UNKNOWN
                      else ConflictReason.SENT)
        else:
            continue
        conflicts.append(ClaimConflict(holder.key, reason, holder))
    return conflicts


def take_run(conn: Db, scope: str, claimed_at: str, run_id: int) -> None:
    """Make a run's items the holders of their keys (after `conflicts_for`, which refuses a
    key twice in one run), in one statement: a team database is a round trip away."""
    conn.execute(
        "INSERT INTO claims (scope, key, item_id, claimed_at) SELECT ?, i.key, i.id, ? "
        "FROM items i JOIN submissions s ON s.id = i.submission_id WHERE s.run_id = ? "
        "ON CONFLICT(scope, key) DO UPDATE SET item_id=excluded.item_id, "
        "claimed_at=excluded.claimed_at", (scope, claimed_at, run_id))


def release_submissions(conn: Db, submission_ids: Sequence[int]) -> None:
    """Free the claims these submissions' items hold (nothing of them was written)."""
    for start in range(0, len(submission_ids), _CHUNK):
        chunk = list(submission_ids[start:start + _CHUNK])
        conn.execute(
            "DELETE FROM claims WHERE item_id IN (SELECT id FROM items WHERE submission_id "
            f"IN ({','.join('?' * len(chunk))}))", chunk)


def release_item(conn: Db, item_id: int) -> None:
    """Free one item's claim (a check on the server showed its write did not land)."""
    conn.execute("DELETE FROM claims WHERE item_id=?", (item_id,))


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)
