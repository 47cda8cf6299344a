"""One HTTP attempt of a request: what the client reports and the history keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pacspace_desktop.domain.catalogue import OutcomeKind


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP attempt of a request.

    Attributes:
        number: 1 for the first attempt.
        started_at: When it started (UTC).
        duration_ms: How long it took.
        status_code: The HTTP status, or None when no answer came.
        kind: The outcome of this attempt.
        server_message: The server's own words (or the transport error).
        response_text: The raw answer body (at most 64 KB).
    """

    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    kind: OutcomeKind
    server_message: str
    response_text: str
