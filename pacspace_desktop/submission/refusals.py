"""Why a send was refused before anything left: keys held by another send, in a clerk's words.

The command line and the app show the same text (`claim_refusal`), so a clerk who meets it in
either knows who has the keys, since when, and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pacspace_desktop.storage.claims import ClaimConflict, ClaimHolder, ConflictReason

_SHOWN = 5  # keys named per group; the rest are counted


def claim_refusal(conflicts: Sequence[ClaimConflict], override_hint: str = "") -> str:
    """The whole refusal: a headline that says nothing was sent, one paragraph per kind of
    conflict, and what to do.

    Args:
        conflicts: From `KeysClaimed.conflicts`.
        override_hint: How this front end lets a person send keys again knowingly (the CLI's
            flag, the app's tick boxes); shown only when some keys were sent before.
    """
    keys = len({c.key for c in conflicts})
    lines = [f"Nothing was sent: {_count(keys, 'record key')} of this send "
             f"{'is' if keys == 1 else 'are'} already taken; if sent now, "
             f"{'its record' if keys == 1 else 'their records'} would count twice."]
    by_reason: dict[ConflictReason, list[ClaimConflict]] = {}
    for c in conflicts:
        by_reason.setdefault(c.reason, []).append(c)
    for reason in ConflictReason:
        group = by_reason.get(reason)
        if group:
            lines.append(_paragraph(reason, group))
    if override_hint and (ConflictReason.SENT in by_reason or ConflictReason.UNKNOWN in by_reason):
        lines.append(override_hint)
    return "\n".join(lines)


def _paragraph(reason: ConflictReason, group: list[ClaimConflict]) -> str:
    n = len(group)
    if reason is ConflictReason.TWICE:
        return (f"- {_names(group)} {'stands' if n == 1 else 'stand'} twice in this send: "
                "PacSpace would add both.")
    holder = group[0].holder
    assert holder is not None
    if reason is ConflictReason.IN_FLIGHT:
        return (f"- {_count(n, 'key')} ({_names(group)}) {'is' if n == 1 else 'are'} being "
                f"sent right now by another send {_where(holder)}: {_run(holder)}. "
                "Wait for it to finish, then look at History before sending anything again.")
    if reason is ConflictReason.INTERRUPTED:
        return (f"- {_count(n, 'key')} ({_names(group)}) belong to a send that stopped "
                f"unexpectedly: {_run(holder)}. Open History (or restart the app) to see "
                "them as interrupted, and check them on the server before sending again.")
    if reason is ConflictReason.UNKNOWN:
        return (f"- {_count(n, 'key')} ({_names(group)}) {'was' if n == 1 else 'were'} sent, "
                f"but PacSpace's answer was lost: {_run(holder)}. Check "
                f"{'it' if n == 1 else 'them'} on the server (History → Check on server) "
                "before sending again.")
    return (f"- {_count(n, 'key')} {'was' if n == 1 else 'were'} sent before and accepted by "
            f"PacSpace: {_sent_list(group)}.")


def _where(holder: ClaimHolder) -> str:
    # A run recorded in a team history carries its connection's token (`pg:`; see storage/pg).
    return ("in the team history" if holder.owner.startswith("pg:")
            else "on this computer's history")


def _run(holder: ClaimHolder) -> str:
    source = holder.source.removeprefix("cli:")
    what = "the form" if source == "form" else f"“{source}”"
    return (f"{what}, started {_when(holder.claimed_at)} by {holder.sent_by or 'someone'} "
            f"with the profile “{holder.profile}”")


def _sent_list(group: list[ClaimConflict]) -> str:
    shown = []
    for c in group[:_SHOWN]:
        h = c.holder
        assert h is not None
        rid = f"Request ID {h.request_id}" if h.request_id else "no Request ID"
        shown.append(f"{c.key} on {_when(h.sent_at or h.claimed_at)} by "
                     f"{h.sent_by or 'someone'} ({rid})")
    more = len(group) - len(shown)
    return "; ".join(shown) + (f"; and {more:,} more" if more > 0 else "")


def _names(group: list[ClaimConflict]) -> str:
    names = ", ".join(c.key for c in group[:_SHOWN])
    more = len(group) - _SHOWN
    return names + (f" and {more:,} more" if more > 0 else "")


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _when(moment: datetime) -> str:
    return f"{moment.astimezone():%d %b %Y at %H:%M}"
