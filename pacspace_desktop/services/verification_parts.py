"""Plain settings and states of the verification service (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Pacing:
    """How fast background reads go (tests make it quick)."""

    gentle_s: float = 30.0  # between two reads on the gentle budget
    demand_s: float = 1.0  # between two reads of a "check now" pass (half a 2/s limit)
    idle_s: float = 60.0  # how long the gentle budget waits when nothing waits
    min_gap: timedelta = timedelta(minutes=2)  # a key is not read again sooner
    window: timedelta = timedelta(days=7)  # only items sent this recently


@dataclass(frozen=True, slots=True)
class ReceiverStatus:
    """The receiver in words: listening or not, where, and what to know about it."""

    listening: bool
    url: str
    message: str
    warning: str = ""


DEFAULT_PACING = Pacing()
