"""Parsing the command line and dispatching to the commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pacspace_desktop import __version__

EXIT_OK, EXIT_REJECTED, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
EXIT_CRASH = 70  # sysexits' EX_SOFTWARE: a bug in this program, never "some rows rejected"
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it
CRASH_LOG = "pacspace-desktop-cli-crash.log"
DEFAULT_BASE_URL = "https://balance-api.pacspace.io"

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _app_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _register_submit(sub)
    _register_history(sub)
    _register_sandbox(sub)
    # Command modules that are cheap to import add their own parsers; their heavy imports
    # happen inside their run functions.
    from pacspace_desktop.cli import check_args, key, profiles

    check_args.register(sub)
    key.register(sub)
    profiles.register(sub)
    return parser


_APP_FLAGS = ("--sandbox", "--smoke-test", "--version")


def _app_launch(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options of a plain app launch (`pacspace-desktop [--sandbox] [--data-dir DIR]`),
    parsed without making every command's parser (that imports the command modules, which
    the clerk's window waits for); None when `argv` holds anything else (a command, --help)."""
    words = list(sys.argv[1:] if argv is None else argv)
    rest = iter(words)
    for word in rest:
        if word == "--data-dir":
            if next(rest, "-").startswith("-"):
                return None  # the full parser says what is missing
        elif word not in _APP_FLAGS and not word.startswith("--data-dir="):
            return None
    parser = _app_parser()
    parser.set_defaults(command=None)
    return parser.parse_args(words)


def _app_parser() -> argparse.ArgumentParser:
    """The parser of the options that come before a command (or open the app)."""
    parser = argparse.ArgumentParser(
        prog="pacspace-desktop",
        description="Record data in PacSpace's verification layer. Without a command, the "
                    "desktop app opens.",
        epilog="The API key is never taken from an argument: set PACSPACE_API_KEY or store it "
               "in the system keyring with 'pacspace-desktop key set'.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="folder for the history, and for the settings "
                                           "unless PACSPACE_CONFIG_DIR is set (default: the "
                                           "user folders, or PACSPACE_DATA_DIR)")
    parser.add_argument("--sandbox", action="store_true",
                        help="open the app against the built-in local sandbox")
    parser.add_argument("--smoke-test", action="store_true",
                        help="open the app, visit every page, and quit (for install checks)")
    return parser


_HISTORY_HELP = ("the history to use: a team's PostgreSQL database "
                 "(postgresql://user@server/database; password from the system keyring, "
                 "PGPASSWORD or ~/.pgpass) or a local file (default: the team history chosen "
                 "in Settings, else the local history)")


def _register_submit(sub: Subparsers) -> None:
    p = sub.add_parser("submit", help="send items from a JSON or invoice file to PacSpace")
    p.add_argument("file", help="a JSON list of items (or {\"items\": [...]}), or a CSV, TSV, "
                                "TXT or XLSX file of invoices")
    p.add_argument("--mapping", metavar="MAPPING.json",
                   help="how the file's columns become items (see docs/importing.md); "
                        "without it, columns are matched by their names")
    p.add_argument("--profile", metavar="NAME",
                   help="the profile to use (default: the active profile); ignored for the "
                        "key when PACSPACE_API_KEY is set")
    p.add_argument("--base-url", help=f"PacSpace address (default: the profile's, or "
                                      f"{DEFAULT_BASE_URL})")
    p.add_argument("--batch-size", type=int, default=None,
                   help="items per request (1-100, default: the profile's, or 100)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds to wait for an answer (default: the profile's, or 30)")
    p.add_argument("--resend-known-keys", action="store_true",
                   help="send keys that history says were already sent (they will count twice)")
    p.add_argument("--history", metavar="postgresql://…", help=_HISTORY_HELP)
    p.set_defaults(handler="pacspace_desktop.cli.submit:run_submit")


def _register_history(sub: Subparsers) -> None:
    p = sub.add_parser("history", help="list past submissions, newest first")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=20, help="how many submissions (default 20)")
    p.add_argument("action", nargs="?", choices=["verify", "audit"],
                   help="verify: check the history's seals (a hash chain over every finished "
                        "submission) and name the first record that was changed, deleted or "
                        "moved; exit 0 intact, 1 broken, 2 cannot be read. audit FILE.xlsx: "
                        "write the audit workbook (the app also prints PDF receipts)")
    p.add_argument("target", nargs="?", metavar="FILE.xlsx", help="audit: the workbook to write")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="audit: from this day (local time)")
    p.add_argument("--until", metavar="YYYY-MM-DD",
                   help="audit: up to and including this day (local time)")
    p.add_argument("--history", metavar="postgresql://…", help=_HISTORY_HELP)
    p.set_defaults(handler="pacspace_desktop.cli.history:run_history")


def _register_sandbox(sub: Subparsers) -> None:
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
    p.set_defaults(handler="pacspace_desktop.cli.sandbox:run_sandbox")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pacspace-desktop` command.

    An unexpected exception (a bug) never ends in a bare traceback and exit 1, which would read
    like "some items were rejected": it prints one paragraph, writes the report (API keys
    masked) to the log folder, and exits with `EXIT_CRASH` (70).
    """
    args = _app_launch(argv) or build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        _err("Stopped (Ctrl+C). If a send was under way, 'pacspace-desktop history' shows what "
             "each request did.")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the documented crash exit, with a report
        return _crashed(exc, args)


def _dispatch(args: argparse.Namespace) -> int:
    handler: str | Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        # No command: the desktop app (imported only now: Qt is heavy).
        app = importlib.import_module("pacspace_desktop.app")
        code: int = app.run_app(args)
        return code
    if callable(handler):
        return handler(args)
    # "module:function": import the command's module only now, so that `--help` or one command
    # does not pay for every other command's imports (httpx, the sandbox, ...).
    module_name, _, function_name = handler.partition(":")
    run: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(module_name), function_name)
    return run(args)


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _crashed(exc: BaseException, args: argparse.Namespace) -> int:
    """Say in words that this is a bug, keep the report, and return `EXIT_CRASH`."""
    from pacspace_desktop.domain.redact import redact

    secrets = [os.environ.get("PACSPACE_API_KEY", "")]
    report = redact("".join(traceback.format_exception(exc)), secrets)
    where = _write_report(report, getattr(args, "data_dir", None))
    kept = (f"The report is in {where}." if where else
            "The report could not be saved: " + redact(f"{type(exc).__name__}: {exc}", secrets))
    _err("pacspace-desktop stopped because of an unexpected error in the program (not a "
         f"problem in your file or your records). {kept} What was sent before is in "
         "'pacspace-desktop history'. Please send the report to support.")
    return EXIT_CRASH


def _write_report(report: str, data_dir: str | None) -> Path | None:
    try:
        from pacspace_desktop.storage.paths import resolve_paths

        folder = resolve_paths(data_dir).log_dir
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / CRASH_LOG
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(report + "\n")
    except (OSError, ValueError):
        return None
    return path
