"""``python -m pacspace_desktop.sandbox``: run the sandbox until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from .config import DEMO_API_KEY, SandboxConfig
from .server import SandboxServer
from .webhooks import DEMO_WEBHOOK_SECRET


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pacspace_desktop.sandbox",
        description="Local sandbox server that stands in for PacSpace's write API.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accepted API key (repeatable; default: the demo key)",
    )
    parser.add_argument("--quota", type=int, default=None, help="items accepted before 402")
    parser.add_argument("--rate-limit", type=float, default=None, metavar="N_PER_S")
    parser.add_argument("--verify-delay", type=float, default=2.0, metavar="SECONDS")
    parser.add_argument(
        "--read-delay", type=float, default=0.0, metavar="SECONDS",
        help="a new key is not readable (404) for this long after its first write, as with "
        "PacSpace's queue",
    )
    parser.add_argument("--max-items", type=int, default=100)
    parser.add_argument(
        "--webhook-url", default=None, metavar="URL",
        help="POST signed verification webhooks here (loopback unless --allow-remote)",
    )
    parser.add_argument(
        "--webhook-secret", default=None, metavar="WHSEC",
        help="the whsec_ secret webhooks are signed with (default: the demo secret); "
        "prefer PACSANDBOX_WEBHOOK_SECRET in the environment",
    )
    parser.add_argument("--webhook-attempts", type=int, default=5, metavar="N")
    parser.add_argument(
        "--webhook-ms", action="store_true", help="sign with a milliseconds timestamp"
    )
    parser.add_argument(
        "--rate-limit-reads", action="store_true",
        help="reads take tokens from the same rate limit as writes",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow binding a non-loopback host"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def run_cli(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    try:
        config = SandboxConfig(
            host=args.host,
            port=args.port,
            api_keys=tuple(args.api_keys or (DEMO_API_KEY,)),
            quota=args.quota,
            rate_limit=args.rate_limit,
            verify_delay=args.verify_delay,
            read_delay=args.read_delay,
            max_items=args.max_items,
            allow_non_loopback=args.allow_remote,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret
            or os.environ.get("PACSANDBOX_WEBHOOK_SECRET")
            or DEMO_WEBHOOK_SECRET,
            webhook_attempts=args.webhook_attempts,
            webhook_timestamp_ms=args.webhook_ms,
            rate_limit_reads=args.rate_limit_reads,
        )
        server = SandboxServer(config)
        server.start()
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"sandbox: {exc}\n")
        return 2

    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, _on_signal)
        except ValueError:  # not in the main thread: rely on KeyboardInterrupt
            break
    try:
        sys.stdout.write(f"PacSpace sandbox (NOT PacSpace) listening on {server.base_url}\n")
        if DEMO_API_KEY in config.api_keys:
            sys.stdout.write(f"Demo API key: {DEMO_API_KEY}\n")
        if config.webhook_url:
            shown = ("the demo secret " + DEMO_WEBHOOK_SECRET
                     if config.webhook_secret == DEMO_WEBHOOK_SECRET else "your secret")
            sys.stdout.write(f"Webhooks go to {config.webhook_url}, signed with {shown}\n")
        sys.stdout.write("Press Ctrl+C to stop.\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
