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
        return ConnectionCheck(True, "Connected — the key was accepted",
                               "PacSpace answered and accepted the API key.",
                               detail=f"HTTP {result.status_code}")
    e = entry(result.kind)
    detail = f"HTTP {result.status_code}: {result.server_message}" if result.status_code \
        else result.server_message
    if result.kind is OutcomeKind.UNAUTHORIZED:
        return ConnectionCheck(False, "The key was rejected", f"{e.explanation} "
                               f"{e.next_step_text}", e, detail)
    if result.status_code is None:
        return ConnectionCheck(False, "PacSpace could not be reached",
                               f"{e.title}. {e.explanation} {e.next_step_text}", e, detail)
    return ConnectionCheck(False, e.title, f"{e.explanation} {e.next_step_text}", e, detail)
