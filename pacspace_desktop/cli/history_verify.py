"""`pacspace-desktop history verify` (the seals, the first broken record) and `history audit`."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pacspace_desktop.cli.history_location import TeamSettingsError, locate, open_location
from pacspace_desktop.cli.main import EXIT_BAD_INPUT, EXIT_OK, EXIT_REJECTED
from pacspace_desktop.cli.output import err, out
from pacspace_desktop.storage import chain
from pacspace_desktop.storage.audit_export import export_xlsx
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.records import HistoryFilter

EXIT_BROKEN = EXIT_REJECTED
"""1: the history is not as it was recorded."""


def run_verify(args: argparse.Namespace) -> int:
    """Check every seal in order; exit 0 when intact, 1 when broken, 2 when unreadable."""
    paths = resolve_paths(args.data_dir)
    try:
        where = locate(args, paths)  # the team history too: its chain is the same
    except TeamSettingsError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    if not where.is_team and not where.path.exists():
        err(f"There is no history at {where.path}: nothing to check.")
        return EXIT_BAD_INPUT
    try:
        store = open_location(where)
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


def _day(text: str | None, what: str) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"{what} must be a date like 2025-03-31, not {text!r}.") from None
    return day.astimezone().astimezone(UTC)  # local midnight


def run_audit(args: argparse.Namespace) -> int:
    """Write the audit workbook of a date range (or the whole history) to `args.target`."""
    if not args.target or not str(args.target).lower().endswith(".xlsx"):
        err("Name the workbook to write: pacspace-desktop history audit march.xlsx "
            "[--since 2025-03-01 --until 2025-03-31]")
        return EXIT_BAD_INPUT
    try:
        since = _day(args.since, "--since")
        until = _day(args.until, "--until")
    except ValueError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    paths = resolve_paths(args.data_dir)
    if not paths.history_db.exists():
        err(f"There is no history at {paths.history_db}: nothing to export.")
        return EXIT_BAD_INPUT
    flt = HistoryFilter(since=since, until=until + timedelta(days=1) if until else None)
    what = "the whole history" if not (since or until) else (
        f"submissions recorded {args.since or 'from the start'} to {args.until or 'today'} "
        "(local days)")
    try:
        HistoryStore.open(paths.history_db).close()  # migrate (and seal) before reading
        summary = export_xlsx(str(paths.history_db), Path(args.target), flt, what=what)
    except StorageError as exc:
        err(f"{exc} Nothing was exported.")
        return EXIT_BAD_INPUT
    seal = "the history's seals are intact" if summary.chain.intact else \
        "the history's seals are NOT intact (run 'pacspace-desktop history verify')"
    out(f"Wrote {args.target}: {summary.submissions} submission(s), {summary.items} item(s); "
        f"{seal}.")
    return EXIT_OK if summary.chain.intact else EXIT_BROKEN
