"""`pacspace-desktop sandbox`, and where a run with a sandbox profile is sent."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from pacspace_desktop.domain.urls import is_loopback_host
from pacspace_desktop.sandbox import run_cli

SANDBOX_PROFILE_URL = "http://127.0.0.1"
"""What a sandbox profile stores when it names no port: the sandbox starts where it may."""

_STARTED: list[object] = []  # the sandbox started for this command, kept alive until it ends


def run_sandbox(args: argparse.Namespace) -> int:
    """Start the sandbox with the options given and serve until interrupted."""
    argv = ["--host", args.host, "--port", str(args.port),
            "--verify-delay", str(args.verify_delay)]
    for key in args.api_keys or []:
        argv += ["--api-key", key]
    if args.quota is not None:
        argv += ["--quota", str(args.quota)]
    if args.rate_limit is not None:
        argv += ["--rate-limit", str(args.rate_limit)]
    if args.allow_remote:
        argv.append("--allow-remote")
    return run_cli(argv)


def sandbox_base_url(profile_url: str) -> tuple[str, str]:
    """Where a run with a sandbox profile goes, and a sentence saying so ("" when obvious).

    A profile that names a loopback address with a port (`profile add --sandbox --base-url
    http://127.0.0.1:8787`) sends there: a sandbox started with `pacspace-desktop sandbox`.
    The profile the app saves names no port, because the app's own sandbox takes a free port
    each time it starts and is gone when the app closes; for such a profile the built-in
    sandbox starts in this process for the run, exactly as the app does.
    """
    parts = urlsplit(profile_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and is_loopback_host(parts.hostname or ""):
        return profile_url.rstrip("/"), ""
    from pacspace_desktop.sandbox import SandboxConfig, SandboxServer

    server = SandboxServer(SandboxConfig(port=0))
    server.start()
    _STARTED.append(server)
    return server.base_url, (
        f"Started the local sandbox for this run at {server.base_url} (nothing reaches "
        "PacSpace; it stops when the command ends). To send to a sandbox started with "
        "'pacspace-desktop sandbox', pass --base-url http://127.0.0.1:8787.")
