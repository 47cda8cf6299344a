"""Verification states in words and colours, the same on every view (list, items, log, receipt)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.records import ItemRow
from pacspace_desktop.storage.verification import Counts, Verification
from pacspace_desktop.ui.style import state_colour

_COLOUR_OF = {Verification.VERIFIED: ItemState.VERIFIED, Verification.FAILED: ItemState.REJECTED,
              Verification.WAITING: ItemState.QUEUED, Verification.NOT_KNOWN: ItemState.UNKNOWN,
              Verification.NONE: ItemState.NOT_SENT}


def verification_colour(state: Verification) -> QColor:
    """The colour of a verification state (the palette of the outcome states)."""
    return state_colour(_COLOUR_OF[state])


def short_time(value: datetime | None) -> str:
    """A time in the user's locale and time zone, short form (as the history list shows)."""
    from pacspace_desktop.ui.history_model import local_stamp  # history_model imports us

    return local_stamp(value) if value is not None else ""


def verification_text(counts: Counts | None) -> str:
    """A submission's cell: "✓✓ 40 of 40 verified", "… 38 of 40 verified", "" if none written."""
    if counts is None or not counts.written:
        return ""
    return f"{counts.state.mark} {counts.text()}"


def verification_tip(counts: Counts) -> str:
    """A submission's breakdown, one state a line."""
    lines = [f"{counts.verified} verified", f"{counts.waiting} waiting for verification"]
    if counts.failed:
        lines.append(f"{counts.failed} failed verification (see the items for PacSpace's reason)")
    if counts.not_known:
        lines.append(f"{counts.not_known} not yet known (the send's outcome is unknown)")
    if counts.warnings:
        lines.append(f"{counts.warnings} with a “written twice?” warning")
    return "\n".join(lines)


def item_verification(item: ItemRow) -> str:
    """One item's cell: "✓✓ Verified 02/12/2026 14:02", "✗ Verification failed: reason"."""
    try:
        state = Verification(item.verification)
    except ValueError:
        return ""
    if state is Verification.NONE:
        return ""
    text = f"{state.mark} {state.label}"
    if state is Verification.VERIFIED and item.verified_at is not None:
        text += f" {short_time(item.verified_at)}"
    if state is Verification.FAILED and item.verification_reason:
        text += f": {item.verification_reason}"
    if item.verification_warning:
        text = "⚠ " + text + " — written twice?"
    return text


def item_verification_tip(item: ItemRow) -> str:
    """The item's verification in full (with the warning's advice)."""
    parts = [item_verification(item)]
    if item.verification_warning:
        parts.append(item.verification_warning)
    return "\n".join(p for p in parts if p)


def note_for(items: list[ItemRow]) -> tuple[str, str]:
    """A sentence on a submission's verification for its detail, and its kind ("failed",
    "warning", or "" when there is nothing the outcome card and the items do not say)."""
    states = [Verification(it.verification) for it in items if it.verification in
              {v.value for v in Verification}]
    failed = [it for it in items if it.verification == Verification.FAILED.value]
    written = [s for s in states if s is not Verification.NONE]
    twice = sum(1 for it in items if it.verification_warning)
    tail = (f" {twice} record key(s) have more writes on PacSpace than this history knows: "
            "written twice? Compare before sending anything for them again." if twice else "")
    if failed:
        reasons = sorted({it.verification_reason for it in failed if it.verification_reason})
        why = f" PacSpace's reason: {'; '.join(reasons)}." if reasons else ""
        return (f"✗ PacSpace accepted these items but its verification failed for "
                f"{len(failed)} of {len(written)}.{why} They are not confirmed: give PacSpace "
                "support the Request ID before sending them again." + tail, "failed")
    # Waiting and verified need no words here: the outcome card says "queued for
    # verification", the Items tab and the list's Verification column say the rest, and the
    # page must fit a laptop screen.
    return tail.strip(), "warning" if tail else ""


class VerificationNote(QLabel):
    """One line under the outcome card: how PacSpace's verification of the items stands."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAccessibleName("Verification of these items")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_items(self, items: list[ItemRow]) -> None:
        """Say how these items' verification stands (hidden when there is nothing to say)."""
        text, kind = note_for(items)
        self.setText(text)
        self.setVisible(bool(text))
        colour = {"failed": ItemState.REJECTED, "warning": ItemState.UNKNOWN}.get(kind)
        self.setStyleSheet(f"color: {state_colour(colour).name()}; font-weight: bold;"
                           if colour else "")
