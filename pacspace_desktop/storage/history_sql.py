"""The SQL the history store shares: timestamps, the filter of a list, and the row writes that
run inside the store's transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.errors import StorageError, StorageFault
from pacspace_desktop.storage.records import AttemptRecord, HistoryFilter


def now_utc() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _ts(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None

def resolve_unknown(conn: Db, item_id: int, state: ItemState) -> None:
    """Settle an unknown item with what a check showed, and its submission once all are."""
    cur = conn.execute("UPDATE items SET state=? WHERE id=? AND state=?",
                       (state.value, item_id, ItemState.UNKNOWN.value))
    if not cur.rowcount:
        return
    sub_id = conn.execute("SELECT submission_id FROM items WHERE id=?", (item_id,)).fetchone()[0]
    states = {ItemState(r[0]) for r in conn.execute(
        "SELECT DISTINCT state FROM items WHERE submission_id=?", (sub_id,))}
    if states == {ItemState.NOT_SENT}:
        settled = ItemState.NOT_SENT
    elif states <= {ItemState.ACCEPTED, ItemState.VERIFIED}:
        settled = ItemState.VERIFIED if states == {ItemState.VERIFIED} else ItemState.ACCEPTED
    else:
        return  # still unknown, or checks that disagree: the request stays for a person
    conn.execute("UPDATE submissions SET state=? WHERE id=? AND state=?",
                 (settled.value, sub_id, ItemState.UNKNOWN.value))


def mark_sending(conn: Db, submission_id: int, body: str) -> None:
    """Mark a queued submission as sending. A submission that is not queued any more (an app
    that took this send for a crashed one settled it, and may have freed its keys) is never
    sent: the mark fails instead."""
    cur = conn.execute("UPDATE submissions SET state=?, sent_at=?, request_body=? "
                       "WHERE id=? AND state=?", (ItemState.SENDING.value, _ts(now_utc()),
                                                  body, submission_id, ItemState.QUEUED.value))
    if not cur.rowcount:
        raise StorageError(
            "This send's remaining requests were settled meanwhile by another PacSpace "
            "Desktop, which took it for a send that had stopped; so they are not sent from "
            "here. Look at History before sending them again.", StorageFault.LOCKED)
    conn.execute("UPDATE items SET state=? WHERE submission_id=?",
                 (ItemState.SENDING.value, submission_id))


def insert_attempt(conn: Db, submission_id: int,
                    attempt: AttemptRecord) -> None:
    conn.execute(
        "INSERT INTO attempts (submission_id, number, started_at, duration_ms, status_code, "
        "outcome_kind, server_message, response_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (submission_id, attempt.number, _ts(attempt.started_at), attempt.duration_ms,
         attempt.status_code, attempt.kind.value, attempt.server_message,
         attempt.response_text))

def where_clause(flt: HistoryFilter) -> tuple[list[str], list[Any]]:
    """SQL conditions (on `s` submissions and `r` runs) and their parameters for a filter.

    The search finds a Request ID, an item key or an account ID by exact text or prefix
    (case-sensitive), through indexes.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if flt.states:
        clauses.append(f"s.state IN ({','.join('?' * len(flt.states))})")
        params += sorted(s.value for s in flt.states)
    if flt.since:
        clauses.append("s.created_at >= ?")
        params.append(_ts(flt.since))
    if flt.until:
        clauses.append("s.created_at < ?")
        params.append(_ts(flt.until))
    if flt.environment:
        clauses.append("r.environment = ?")
        params.append(flt.environment)
    if flt.profile:
        clauses.append("r.profile = ?")
        params.append(flt.profile)
    if flt.source:
        clauses.append("instr(lower(r.source), lower(?)) > 0")
        params.append(flt.source)
    if flt.sent_by:
        clauses.append("instr(lower(r.sent_by), lower(?)) > 0")
        params.append(flt.sent_by)
    term = (flt.search or "").strip()
    if term:
        hi = term + "\U0010ffff"
        clauses.append(
            "s.id IN (SELECT id FROM submissions WHERE request_id >= ? AND request_id < ? "
            "UNION SELECT submission_id FROM items WHERE key >= ? AND key < ? "
            "UNION SELECT submission_id FROM items WHERE account_id >= ? AND account_id < ?)")
        params += [term, hi, term, hi, term, hi]
    if flt.verification:
        clause, extra = verification.filter_clause(flt.verification)
        clauses.append(clause)
        params += extra
    return clauses, params


def where_sql(flt: HistoryFilter) -> tuple[str, list[Any]]:
    clauses, params = where_clause(flt)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
