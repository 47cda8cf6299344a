"""What the outcome cards of a run say: one request, or requests that share a card."""

from __future__ import annotations

from pacspace_desktop.domain.catalogue import NextStep, OutcomeKind
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.submission.runner import RequestReport
from pacspace_desktop.ui.outcome_card import OutcomeView, readable


def request_view(r: RequestReport, total: int) -> OutcomeView:
    """The outcome card of one request, with the catalogue's words."""
    e = r.entry
    details: list[tuple[str, str]] = [("Request", f"{r.seq + 1} of {total}"),
                                      ("Items", f"{len(r.items):,}")]
    if r.status_code:
        details.append(("HTTP status", str(r.status_code)))
    if r.server_message:
        details.append(("PacSpace said" if r.status_code else "Connection error",
                        r.server_message))
    if r.attempts:
        details.append(("Attempts", str(r.attempts)))
    if r.retry_at:
        details.append(("Try again at", f"{r.retry_at.astimezone():%H:%M}"))
    title = e.title
    n = len(r.items)
    if r.kind is OutcomeKind.ACCEPTED:
        title = f"Accepted by PacSpace — {n:,} item{'s' if n != 1 else ''}"
    explanation = f"{e.explanation} {e.next_step_text}".strip()
    if r.kind is OutcomeKind.ACCEPTED and r.attempts > 1:
        tries = r.attempts - 1
        explanation = (f"{e.explanation} It was accepted on attempt {r.attempts}, after "
                       f"{tries} earlier attempt{'s' if tries != 1 else ''} that PacSpace did "
                       "not write (they were sent again automatically). "
                       f"{e.next_step_text}").strip()
    if r.retry_at and r.kind is OutcomeKind.RATE_LIMITED:
        explanation = (f"PacSpace asked to wait until {r.retry_at.astimezone():%H:%M}, which "
                       "is too long to wait here. Nothing from this request on was written. "
                       f"Try again at {r.retry_at.astimezone():%H:%M}.")
    step = e.next_step
    if r.kind is OutcomeKind.RATE_LIMITED:
        step = NextStep.NONE
    if r.kind is OutcomeKind.BAD_REQUEST and r.fault is None:
        step = NextStep.NONE
    # Only an answer from the server is "PacSpace said"; connection errors stay in the details.
    said = (readable(r.server_message, [it.key for it in r.items])
            if r.status_code and r.kind is not OutcomeKind.ACCEPTED else "")
    if r.kind is OutcomeKind.RATE_LIMITED and not r.retry_at:
        step = NextStep.RETRY_LATER  # nothing was written: sending again now is safe
    return OutcomeView(r.state, title, explanation, e.written, step, "", tuple(details),
                       r.request_id, (), said)


def groups_with(last: RequestReport, report: RequestReport) -> bool:
    """True when `report` shares the card of `last`, the request before it: both accepted at
    their first attempt, or both not sent for the same reason."""
    if report.kind is OutcomeKind.ACCEPTED:
        return (last.kind is OutcomeKind.ACCEPTED and report.attempts <= 1
                and last.attempts <= 1)
    return (report.kind is OutcomeKind.NOT_SENT and last.kind is OutcomeKind.NOT_SENT
            and report.server_message == last.server_message)


def accepted_group_view(group: list[RequestReport], total: int) -> OutcomeView:
    """One card for requests one after another that share it (see `groups_with`)."""
    if len(group) == 1:
        return request_view(group[0], total)
    first, last = group[0], group[-1]
    e = first.entry
    items = sum(len(r.items) for r in group)
    if first.kind is OutcomeKind.NOT_SENT:
        return OutcomeView(
            ItemState.NOT_SENT, f"Not sent — {items:,} items in {len(group):,} requests",
            f"{first.server_message} {e.explanation}".strip(), e.written, NextStep.NONE, "",
            (("Requests", f"{first.seq + 1}–{last.seq + 1} of {total}"),
             ("Items", f"{items:,}")))
    details = (("Requests", f"{first.seq + 1}–{last.seq + 1} of {total}"),
               ("Items", f"{items:,}"),
               ("Request IDs", f"{first.request_id} … {last.request_id} (each request's ID "
                               "is in History)"))
    return OutcomeView(ItemState.ACCEPTED,
                       f"Accepted by PacSpace — {items:,} items in {len(group):,} requests",
                       f"{e.explanation} {e.next_step_text}".strip(), e.written, NextStep.NONE,
                       "", details, last.request_id)
