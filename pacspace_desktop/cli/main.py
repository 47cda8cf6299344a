"""Parsing the command line and dispatching to the commands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pacspace_desktop import __version__

EXIT_OK, EXIT_REJECTED, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
DEFAULT_BASE_URL = "https://balance-api.pacspace.io"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="pacspace-desktop",
        description="Record data in PacSpace's verification layer. Without a command, the "
                    "desktop app opens.",
        epilog="The API key is never taken from an argument: set PACSPACE_API_KEY or store it "
               "in the system keyring with 'pacspace-desktop key set'.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="folder for the history (default: the user data "
                                           "folder, or PACSPACE_DATA_DIR)")
    parser.add_argument("--sandbox", action="store_true",
                        help="open the app against the built-in local sandbox")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("submit", help="send items from a JSON file to PacSpace")
    p.add_argument("file", help="a JSON list of items, or {\"items\": [...]}")
    p.add_argument("--base-url", help=f"PacSpace address (default {DEFAULT_BASE_URL})")
    p.add_argument("--batch-size", type=int, default=None,
                   help="items per request (1-100, default 100)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    p.add_argument("--resend-known-keys", action="store_true",
                   help="send keys that history says were already sent (they will count twice)")

    p = sub.add_parser("history", help="list past submissions, newest first")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=20, help="how many submissions (default 20)")

    p = sub.add_parser("sandbox", help="run the local stand-in for PacSpace")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                   help="a key the sandbox accepts (repeatable; default: the demo key)")
    p.add_argument("--quota", type=int, default=None, help="items accepted before 402")
    p.add_argument("--rate-limit", type=float, default=None, metavar="N_PER_S",
                   help="requests per second before 429")
    p.add_argument("--verify-delay", type=float, default=2.0, metavar="SECONDS")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a host other than this computer")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pacspace-desktop` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "submit":
        from pacspace_desktop.cli.submit import run_submit

        return run_submit(args)
    if args.command == "history":
        from pacspace_desktop.cli.history import run_history

        return run_history(args)
    if args.command == "sandbox":
        from pacspace_desktop.cli.sandbox import run_sandbox

        return run_sandbox(args)
    parser.print_help()
    return EXIT_OK
