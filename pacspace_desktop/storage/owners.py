"""Which process owns a run: a token that tells a running sender from one that is gone."""

from __future__ import annotations

import os
from pathlib import Path


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), so a reused pid is told apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def process_token(pid: int | None = None) -> str:
    """An id of a running process that a later process with the same pid does not share."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{_start_ticks(pid)}"


def token_alive(token: str) -> bool:
    """True when the process a token names still runs on this computer."""
    pid_text, _, ticks = token.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    return not ticks or _start_ticks(pid) in ("", ticks)
