"""One vocabulary of states for an item or a submission, used by every page and the CLI."""

from __future__ import annotations

from enum import StrEnum


class ItemState(StrEnum):
    """Where one item stands. The value is what history stores and the CLI prints."""

    QUEUED = "queued"  # recorded locally, its request has not left yet
    SENDING = "sending"  # its request left; no answer yet
    ACCEPTED = "accepted"  # PacSpace answered 202 with a Request ID
    VERIFIED = "verified"  # a check on the server said verified: true
    REJECTED = "rejected"  # PacSpace refused it: nothing was written
    UNKNOWN = "unknown"  # the connection broke after sending: check before resending
    NOT_SENT = "not_sent"  # stopped (cancel, plan limit, crash) before its request left

    @property
    def label(self) -> str:
        """Words for finance staff."""
        return _LABELS[self]

    @property
    def mark(self) -> str:
        """A mark that is not colour alone."""
        return _MARKS[self]

    @property
    def cli_word(self) -> str:
        """The word the command line prints: accepted, rejected, unknown or pending."""
        if self in (ItemState.QUEUED, ItemState.SENDING):
            return "pending"
        if self is ItemState.NOT_SENT:
            return "not sent"
        return self.value

    @property
    def is_final(self) -> bool:
        """True when nothing more will happen to this item without a person."""
        return self not in (ItemState.QUEUED, ItemState.SENDING)

    @property
    def may_be_written(self) -> bool:
        """True when PacSpace may hold this write: resending could count it twice."""
        return self in (ItemState.ACCEPTED, ItemState.VERIFIED, ItemState.UNKNOWN,
                        ItemState.SENDING)


_LABELS = {
    ItemState.QUEUED: "Waiting to send",
    ItemState.SENDING: "Sending",
    ItemState.ACCEPTED: "Accepted",
    ItemState.VERIFIED: "Verified",
    ItemState.REJECTED: "Rejected",
    ItemState.UNKNOWN: "Outcome unknown",
    ItemState.NOT_SENT: "Not sent",
}

_MARKS = {
    ItemState.QUEUED: "…",
    ItemState.SENDING: "…",
    ItemState.ACCEPTED: "✓",
    ItemState.VERIFIED: "✓✓",
    ItemState.REJECTED: "✗",
    ItemState.UNKNOWN: "?",
    ItemState.NOT_SENT: "–",
}
