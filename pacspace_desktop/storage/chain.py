"""A tamper-evident chain over finished submissions: each link holds a hash of the submission's
content and of the link before it.

A submission is sealed once, when it ends (accepted, rejected, unknown, not sent), in the same
transaction that records its outcome. What is sealed is what an auditor relies on and what never
changes afterwards: the run (who, where, when, from what), the request as sent (its SHA-256),
PacSpace's answer and every item's key, account, bits and metadata. What may still change later
(an item's verification, the last check on the server) is deliberately outside the seal.

`verify` recomputes every link and names the first that does not match: an edited row changes
its content hash, a deleted row breaks the next link's `prev_hash` (or leaves a link without its
submission), a reordered row breaks the order of `prev_hash` values. The chain cannot stop
someone who rewrites the whole chain from the edit onwards; the receipts and the audit workbook
print each submission's link hash, so a rewritten history no longer matches what was handed out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pacspace_desktop.storage.dbapi import Db

GENESIS = "0" * 64
"""The `prev_hash` of the first link."""

FINAL_STATES = ("accepted", "verified", "rejected", "unknown", "not_sent")


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One sealed submission."""

    seq: int
    submission_id: int
    content_hash: str
    prev_hash: str
    hash: str
    sealed_at: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of `verify`.

    Attributes:
        links: How many links were checked.
        broken_seq: The first link that does not match (None: the chain is intact).
        broken_submission: That link's submission id.
        reason: What is wrong with it, in words.
        unsealed: Finished submissions that have no link (added behind the chain's back, or
            finished by a version of the app without the chain).
        head: The last link's hash (what an auditor may write down).
    """

    links: int
    broken_seq: int | None = None
    broken_submission: int | None = None
    reason: str = ""
    unsealed: tuple[int, ...] = ()
    head: str = GENESIS

    @property
    def intact(self) -> bool:
        """True when every link matches and every finished submission is sealed."""
        return self.broken_seq is None and not self.unsealed


def request_sha256(request_body: str | None) -> str:
    """SHA-256 (hex) of the exact bytes sent (the stored JSON text, UTF-8), "" if none left."""
    if request_body is None:
        return ""
    return hashlib.sha256(request_body.encode("utf-8")).hexdigest()


def content(conn: Db, submission_id: int) -> dict[str, Any] | None:
    """The sealed content of a submission (None when it does not exist)."""
    row = conn.execute(
        "SELECT s.id, s.run_id, s.seq, s.created_at, s.sent_at, s.outcome_kind, s.status_code, "
        "s.request_id, s.accepted_count, s.server_message, s.request_body, s.response_text, "
        "s.item_count, s.bits_sum, r.created_at, r.source, r.profile, r.environment, "
        "r.base_url, r.sent_by, r.key_fingerprint FROM submissions s "
        "JOIN runs r ON r.id = s.run_id WHERE s.id=?", (submission_id,)).fetchone()
    if row is None:
        return None
    items = [list(r) for r in conn.execute(
        "SELECT position, key, account_id, bits, metadata FROM items WHERE submission_id=? "
        "ORDER BY position", (submission_id,))]
    return {
        "submission": row[0], "run": row[1], "seq": row[2], "createdAt": row[3],
        "sentAt": row[4], "outcome": row[5], "status": row[6], "requestId": row[7],
        "acceptedCount": row[8], "serverMessage": row[9],
        "requestSha256": request_sha256(row[10]),
        "responseSha256": hashlib.sha256((row[11] or "").encode("utf-8")).hexdigest(),
        "itemCount": row[12], "bitsSum": row[13], "runCreatedAt": row[14], "source": row[15],
        "profile": row[16], "environment": row[17], "baseUrl": row[18], "sentBy": row[19],
        "keyFingerprint": row[20], "items": items,
    }


def content_hash(conn: Db, submission_id: int) -> str | None:
    """SHA-256 of the canonical JSON of a submission's sealed content."""
    data = content(conn, submission_id)
    if data is None:
        return None
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_hash(seq: int, submission_id: int, content_digest: str, prev: str) -> str:
    """The hash of one link: its place, its submission, its content and the link before."""
    text = f"pacspace-history-chain/v1\n{seq}\n{submission_id}\n{content_digest}\n{prev}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(conn: Db, submission_ids: list[int]) -> None:
    """Append links for these submissions (inside the caller's transaction); sealed ones and
    unfinished ones are skipped."""
    if not submission_ids:
        return
    tail = conn.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(tail[0]), str(tail[1])) if tail else (0, GENESIS)
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    marks = ",".join("?" * len(FINAL_STATES))
    for sub_id in submission_ids:
        final = conn.execute(
            f"SELECT 1 FROM submissions WHERE id=? AND state IN ({marks}) AND id NOT IN "
            "(SELECT submission_id FROM chain)", (sub_id, *FINAL_STATES)).fetchone()
        if final is None:
            continue
        digest = content_hash(conn, sub_id)
        if digest is None:
            continue
        seq += 1
        current = link_hash(seq, sub_id, digest, prev)
        conn.execute("INSERT INTO chain (seq, submission_id, content_hash, prev_hash, hash, "
                     "sealed_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (seq, sub_id, digest, prev, current, now))
        prev = current


def link_of(conn: Db, submission_id: int) -> ChainLink | None:
    """The link of one submission, or None when it is not sealed (yet)."""
    row = conn.execute("SELECT seq, submission_id, content_hash, prev_hash, hash, sealed_at "
                       "FROM chain WHERE submission_id=?", (submission_id,)).fetchone()
    return ChainLink(*row) if row else None


def verify(conn: Db) -> ChainReport:
    """Check every link in order; the report names the first broken one."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for seq, sub_id, digest, prev_hash, stored, _sealed in conn.execute(
            "SELECT seq, submission_id, content_hash, prev_hash, hash, sealed_at FROM chain "
            "ORDER BY seq").fetchall():
        count += 1

        def broken(why: str, seq: int = seq, sub_id: int = sub_id,
                   count: int = count) -> ChainReport:
            return ChainReport(count, seq, sub_id, why)

        if seq != expected_seq:
            return broken(f"link {expected_seq} is missing: a record before submission "
                          f"{sub_id} was deleted.")
        if prev_hash != prev:
            return broken(f"submission {sub_id} does not follow the record before it: a record "
                          "was deleted, inserted or moved here.")
        actual = content_hash(conn, sub_id)
        if actual is None:
            return broken(f"submission {sub_id} was deleted from the history.")
        if actual != digest:
            return broken(f"submission {sub_id} was changed after it was recorded (its "
                          "content no longer matches its seal).")
        if link_hash(seq, sub_id, digest, prev_hash) != stored:
            return broken(f"the seal of submission {sub_id} was altered.")
        prev = stored
        expected_seq += 1
    marks = ",".join("?" * len(FINAL_STATES))
    unsealed = tuple(r[0] for r in conn.execute(
        f"SELECT id FROM submissions WHERE state IN ({marks}) AND id NOT IN "
        "(SELECT submission_id FROM chain) ORDER BY id", FINAL_STATES))
    return ChainReport(count, unsealed=unsealed, head=prev)
