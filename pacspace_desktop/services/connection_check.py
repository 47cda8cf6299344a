"""Test connection: what a harmless read of a made-up key says about the key and the address."""

from __future__ import annotations

from dataclasses import dataclass

from pacspace_desktop.domain.catalogue import CatalogueEntry, OutcomeKind, entry
from pacspace_desktop.network.reads import ReadResult


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """The answer to "Test connection".

    Attributes:
        ok: True when the key was accepted.
        title: One line for people.
        explanation: What it means and what to do.
        entry: The catalogue entry when something failed.
        detail: HTTP status and the server's words.
    """

    ok: bool
    title: str
    explanation: str
    entry: CatalogueEntry | None = None
    detail: str = ""


def interpret_connection_check(result: ReadResult) -> ConnectionCheck:
    if result.kind is None:
        # The test reads a record key nobody wrote: PacSpace's "not found" is the answer an
        # accepted key gets, so no status code goes on screen for it.
        return ConnectionCheck(True, "Connected — PacSpace accepted the key",
                               "PacSpace answered and accepted the API key. Records can be "
                               "sent with this profile.")
    e = entry(result.kind)
    detail = f"HTTP {result.status_code}: {result.server_message}" if result.status_code \
        else result.server_message
    if result.kind is OutcomeKind.UNAUTHORIZED:
        return ConnectionCheck(False, "PacSpace did not accept the key", f"{e.explanation} "
                               "Paste a current key from the PacSpace dashboard under “Add or "
                               "replace the key” below, then test again.", e, detail)
    if result.status_code is None:
        return ConnectionCheck(False, "PacSpace could not be reached",
                               f"{e.title}. {e.explanation} {e.next_step_text}", e, detail)
    return ConnectionCheck(False, e.title, f"{e.explanation} {e.next_step_text}", e, detail)
