"""Verification states in words and colours, the same on every view (list, items, log, receipt)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtGui import QColor

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
    """A time in the user's locale and time zone, short form."""
    if value is None:
        return ""
    stamp = QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000))
    return QLocale.system().toString(stamp, QLocale.FormatType.ShortFormat)


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
