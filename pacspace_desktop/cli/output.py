"""Writing to the terminal (the only place the CLI prints)."""

from __future__ import annotations

import sys


def out(line: str = "") -> None:
    """A line on standard output."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def err(line: str = "") -> None:
    """A line on standard error."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
