"""What a check on the server found, in plain data: used by the History service and page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.catalogue import OutcomeKind, entry
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.network.reads import ReadResult
from pacspace_desktop.storage.history_query import (
    DEFAULT_SETTLE,
    CheckTarget,
    Interpretation,
    Verdict,
)
from pacspace_desktop.storage.records import ItemRow
from pacspace_desktop.storage.settings import Profile

MAX_RATE_RETRIES = 5


@dataclass(frozen=True, slots=True)
class ItemCheck:
    """The answer for one item: what PacSpace holds (`check`, as stored) and what it means."""

    target: CheckTarget
    check: dict[str, Any]
    interpretation: Interpretation


@dataclass(slots=True)
class CheckReport:
    """How a check on the server ended.

    Attributes:
        total: Items to check.
        answers: One per item checked, in order.
        cancelled: True when the person pressed Cancel.
        stopped: Why the check stopped early (in words), or "".
    """

    total: int
    answers: list[ItemCheck] = field(default_factory=list)
    cancelled: bool = False
    stopped: str = ""

    def count(self, *verdicts: Verdict) -> int:
        """Answers with any of these verdicts."""
        return sum(1 for a in self.answers if a.interpretation.verdict in verdicts)


@dataclass(frozen=True, slots=True)
class ResubmitPlan:
    """Which items may be sent again, and why the others may not.

    Attributes:
        items: The items to hand to the form (validation and the duplicate guard run again).
        refused: Each refused item with the reason in words.
        source: Where the items come from, for the new run.
    """

    items: list[WriteItem]
    refused: list[tuple[ItemRow, str]]
    source: str


def check_record(result: ReadResult) -> dict[str, Any]:
    """What history stores for a read's answer (the `check` of `interpret_check`)."""
    b = result.bucket
    return {"found": result.found, "statusCode": result.status_code,
            "message": result.server_message or (entry(result.kind).title if result.kind else ""),
            "currentBits": b.current_bits if b else None,
            "totalWrites": b.total_writes if b else None,
            "lastWriteAt": b.last_write_at if b else None,
            "verified": b.verified if b else None,
            "accountId": b.account_id if b else None}


def retry_after_seconds(result: ReadResult, default: float = 2.0) -> float:
    """The wait a 429 answer asks for (`retryAfterSeconds` in its body), at most a minute."""
    wait: Any = None
    try:
        body = jsonwire.loads(result.response_text) if result.response_text else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        wait = body.get("retryAfterSeconds")
        error = body.get("error")
        if wait is None and isinstance(error, dict):
            wait = error.get("retryAfterSeconds")
    try:
        seconds = float(wait) if wait is not None else default
    except (TypeError, ValueError):
        seconds = default
    return min(max(seconds, 0.0), 60.0)


def stop_words(result: ReadResult) -> str:
    kind = result.kind or OutcomeKind.UNEXPECTED_STATUS
    e = entry(kind)
    return f"The check on the server stopped: {e.title}. {e.next_step_text}"


def settle_of(check: dict[str, Any]) -> timedelta:
    """The settle time a stored check was judged with (older checks: the default)."""
    seconds = check.get("settleSeconds")  # jsonwire reads numbers back as exact Decimals
    if isinstance(seconds, int | float | Decimal) and not isinstance(seconds, bool) \
            and seconds >= 0:
        return timedelta(seconds=float(seconds))
    return DEFAULT_SETTLE


def settle_time(profile: Profile | None) -> timedelta:
    """How long after a send a check that finds nothing means "not written", for a profile."""
    return timedelta(minutes=profile.settle_minutes) if profile else DEFAULT_SETTLE


def resolution(state: ItemState, verdict: Verdict) -> ItemState | None:
    """The state a check settles an unknown item with, or None when it settles nothing.

    LANDED: PacSpace holds a write made after ours, so it is accepted (a later check marks it
    verified). NOT_LANDED (only after the settle time): nothing was written, so it counts as not
    sent. Every other verdict leaves the outcome unknown.
    """
    if state is not ItemState.UNKNOWN:
        return None
    if verdict is Verdict.LANDED:
        return ItemState.ACCEPTED
    if verdict is Verdict.NOT_LANDED:
        return ItemState.NOT_SENT
    return None
