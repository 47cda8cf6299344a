"""`pacspace-desktop history verify`: check the history's seals and name the first broken record."""

from __future__ import annotations

import argparse
import json

from pacspace_desktop.cli.main import EXIT_BAD_INPUT, EXIT_OK, EXIT_REJECTED
from pacspace_desktop.cli.output import err, out
from pacspace_desktop.storage import chain
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import resolve_paths

EXIT_BROKEN = EXIT_REJECTED
"""1: the history is not as it was recorded."""


def run_verify(args: argparse.Namespace) -> int:
    """Check every seal in order; exit 0 when intact, 1 when broken, 2 when unreadable."""
    paths = resolve_paths(args.data_dir)
    if not paths.history_db.exists():
        err(f"There is no history at {paths.history_db}: nothing to check.")
        return EXIT_BAD_INPUT
    try:
        store = HistoryStore.open(paths.history_db)
    except StorageError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    try:
        report = chain.verify(store.connection)
    finally:
        store.close()
    if args.json:
        out(json.dumps({"intact": report.intact, "links": report.links,
                        "brokenLink": report.broken_seq,
                        "brokenSubmission": report.broken_submission, "reason": report.reason,
                        "unsealed": list(report.unsealed), "head": report.head}, indent=2))
        return EXIT_OK if report.intact else EXIT_BROKEN
    if report.broken_seq is not None:
        out(f"The history was changed: the first broken record is submission "
            f"{report.broken_submission} (seal {report.broken_seq} of the chain): "
            f"{report.reason}")
        out(f"Seals 1 to {report.broken_seq - 1} are intact. From this record on, the history "
            "no longer shows what was recorded: compare it with the receipts or audit workbook "
            "handed out before, and with PacSpace (Request IDs).")
        return EXIT_BROKEN
    if report.unsealed:
        shown = ", ".join(str(i) for i in report.unsealed[:10])
        more = f" and {len(report.unsealed) - 10} more" if len(report.unsealed) > 10 else ""
        out(f"All {report.links} seals are intact, but {len(report.unsealed)} finished "
            f"submission(s) have no seal: {shown}{more}. They were added or finished outside "
            "the app; treat them as unverified.")
        return EXIT_BROKEN
    out(f"The history is intact: {report.links} sealed submission(s), each matching its seal "
        "and following the one before.")
    out(f"Last seal: {report.head}")
    return EXIT_OK
