"""The command line: `pacspace-desktop [submit|history|sandbox|...]`; no arguments opens the app."""

from __future__ import annotations

from pacspace_desktop.cli.main import main

__all__ = ["main"]
