"""Local sandbox server that stands in for PacSpace on loopback.

It shares no code with the client (``pacspace_desktop.network`` & co.) on purpose: an emulator
that used the client's own validator would hide the client's bugs.
"""

from __future__ import annotations

from .cli import run_cli
from .config import DEMO_API_KEY, SandboxConfig
from .server import SandboxServer
from .webhooks import DEMO_WEBHOOK_SECRET

__all__ = ["DEMO_API_KEY", "DEMO_WEBHOOK_SECRET", "SandboxConfig", "SandboxServer", "run_cli"]
