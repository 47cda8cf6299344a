"""What a submission's receipt says, as plain data (the PDF is drawn by `ui/receipt.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pacspace_desktop.domain.catalogue import OutcomeKind, entry
from pacspace_desktop.storage import chain, verification
from pacspace_desktop.storage.dbapi import Db


@dataclass(frozen=True, slots=True)
class ReceiptItem:
    """One item on a receipt."""

    key: str
    account_id: str
    bits: int
    verification: str
    when: datetime | None
    reason: str
    warning: str


@dataclass(frozen=True, slots=True)
class ReceiptAttempt:
    """One HTTP attempt of the request (retries after 429 or 5xx show here)."""

    number: int
    started_at: datetime | None
    status_code: int | None
    duration_ms: int
    result: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a receipt for one submission shows.

    Attributes mirror the audit workbook's submission sheet; `link` is None when the submission
    is not sealed in the chain (still open).
    """

    submission_id: int
    request_id: str
    state: str
    status_code: int | None
    created_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    sent_by: str
    profile: str
    environment: str
    base_url: str
    key_fingerprint: str
    source: str
    bits_sum: int
    server_message: str
    request_sha256: str
    link: chain.ChainLink | None
    counts: verification.Counts
    items: list[ReceiptItem] = field(default_factory=list)
    attempts: list[ReceiptAttempt] = field(default_factory=list)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def receipt(conn: Db, submission_id: int) -> Receipt | None:
    """The receipt of one submission, or None when there is no such submission."""
    r = conn.execute(
        "SELECT s.id, s.request_id, s.state, s.status_code, s.created_at, s.sent_at, "
        "s.finished_at, r.sent_by, r.profile, r.environment, r.base_url, r.key_fingerprint, "
        "r.source, s.bits_sum, s.server_message, s.request_body FROM submissions s "
        "JOIN runs r ON r.id = s.run_id WHERE s.id=?", (submission_id,)).fetchone()
    if r is None:
        return None
    items = [ReceiptItem(i[0], i[1], int(i[2]), str(i[3]), _dt(i[4]), i[5] or "", i[6] or "")
             for i in conn.execute(
                 f"SELECT i.key, i.account_id, i.bits, {verification.STATE_SQL}, "
                 f"{verification.when_sql('i')}, "
                 "i.verification_reason, i.verification_warning FROM items i "
                 "WHERE i.submission_id=? ORDER BY i.position", (submission_id,))]
    counts = verification.counts(conn, [submission_id]).get(submission_id, verification.Counts())
    attempts = [ReceiptAttempt(a[0], _dt(a[1]), a[2], int(a[3]), _result(a[4]))
                for a in conn.execute(
                    "SELECT number, started_at, status_code, duration_ms, outcome_kind "
                    "FROM attempts WHERE submission_id=? ORDER BY number", (submission_id,))]
    created = _dt(r[4])
    assert created is not None
    return Receipt(r[0], r[1] or "", r[2], r[3], created, _dt(r[5]), _dt(r[6]), r[7], r[8],
                   r[9], r[10], r[11], r[12], int(r[13]), r[14] or "",
                   chain.request_sha256(r[15]), chain.link_of(conn, submission_id), counts,
                   items, attempts)


def _result(kind: str) -> str:
    try:
        return entry(OutcomeKind(kind)).title
    except ValueError:
        return kind
