"""`pacspace-desktop sandbox`: the local stand-in for PacSpace."""

from __future__ import annotations

import argparse

from pacspace_desktop.sandbox import run_cli


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
