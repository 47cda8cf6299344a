"""The audit pack: a workbook of what was sent and a PDF receipt per submission, in one folder.

The workbook is written in a worker thread on its own connection; receipts are printed on the
event loop one at a time (Qt's text layout belongs to the GUI thread), yielding between them
so the window stays responsive.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.audit_export import AuditSummary, export_xlsx
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.history_query import HistoryQuery
from pacspace_desktop.storage.receipts import Receipt, receipt
from pacspace_desktop.storage.records import HistoryFilter

Renderer = Callable[[Receipt, Path], None]
"""Prints one receipt to a PDF file (`ui.receipt.write_receipt`)."""

WORKBOOK = "audit.xlsx"
MANIFEST = "SHA256SUMS.txt"


def receipt_name(r: Receipt) -> str:
    """`receipt-000012-req_abc.pdf`: sorted like the history, named by the Request ID."""
    tail = re.sub(r"[^A-Za-z0-9_-]", "_", r.request_id or r.state)[:60]
    return f"receipt-{r.submission_id:06d}-{tail}.pdf"


def describe(flt: HistoryFilter) -> str:
    """The History filter in words, for the workbook's "What" line."""
    parts = []
    if flt.since or flt.until:
        start = f"{flt.since.astimezone():%d %B %Y %H:%M}" if flt.since else "the start"
        end = f"{flt.until.astimezone():%d %B %Y %H:%M}" if flt.until else "now"
        parts.append(f"recorded from {start} to {end} (local time)")
    if flt.states:
        parts.append("outcome " + " or ".join(sorted(s.label for s in flt.states)))
    if flt.verification:
        parts.append(f"verification: {flt.verification}")
    for name, value in (("environment", flt.environment), ("profile", flt.profile),
                        ("source containing", flt.source), ("search", flt.search)):
        if value:
            parts.append(f"{name} {value}")
    return ("the submissions " + "; ".join(parts)) if parts else "every submission in the history"


def write_manifest(dest: Path, summary: AuditSummary, stamp: datetime) -> None:
    """`README.txt` (what the folder holds, in words) and `SHA256SUMS.txt` over every file, so
    that an auditor can tell that nothing in the pack was changed after it was written."""
    seal = ("intact: every finished submission matches its seal" if summary.chain.intact
            else f"NOT intact: {summary.chain.reason or 'some submissions are not sealed'}")
    (dest / "README.txt").write_text(
        f"PacSpace audit pack, written by PacSpace Desktop on {stamp:%d %B %Y at %H:%M %Z}.\n\n"
        f"{WORKBOOK}: one sheet of the {summary.submissions} submission(s) (requests sent to "
        f"PacSpace), one of their {summary.items} item(s), and one about this export.\n"
        "receipts/: one PDF receipt per submission, named by its number and Request ID.\n"
        "SHA256SUMS.txt: the SHA-256 of every file here. Check it with\n"
        "    sha256sum -c SHA256SUMS.txt          (Linux)\n"
        "    shasum -a 256 -c SHA256SUMS.txt      (macOS)\n"
        "    Get-FileHash -Algorithm SHA256 FILE  (Windows PowerShell, one file at a time)\n\n"
        f"The history's seals when this was written: {seal}.\n"
        f"Chain head (the last seal): {summary.chain.head}\n", encoding="utf-8")
    lines = []
    for path in sorted(p for p in dest.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(dest).as_posix()}\n")
    (dest / MANIFEST).write_text("".join(lines), encoding="utf-8")


class AuditService(QObject):
    """Writes audit packs.

    Signals:
        progress(str): what is being written, in words.
        finished(str, object): the pack's folder and its `AuditSummary`.
        failed(str): the pack could not be written; the message is in plain words.
    """

    progress = Signal(str)
    finished = Signal(str, object)
    failed = Signal(str)

    def __init__(self, store: HistoryStore, render: Renderer,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._render = render
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """True while a pack is being written."""
        return self._task is not None and not self._task.done()

    def export(self, folder: Path, flt: HistoryFilter,
               submission_ids: Sequence[int] | None = None) -> bool:
        """Write a pack of the filtered list (or of these submissions) into a new subfolder."""
        if self.busy:
            self.failed.emit("An audit pack is already being written. Wait for it to finish.")
            return False
        db = HistoryQuery.of(self._store).database_path()
        if not db:
            self.failed.emit("This history is not kept in a file, so it cannot be exported.")
            return False
        self._task = start_task(
            self._export(db, folder, flt, None if submission_ids is None
                         else list(submission_ids)),
            name="writing an audit pack",
            on_error=lambda _exc: self.failed.emit("The audit pack broke off because of an "
                                                   "unexpected error."))
        return True

    async def _export(self, db: str, folder: Path, flt: HistoryFilter,
                      ids: list[int] | None) -> None:
        stamp = datetime.now(UTC).astimezone()
        dest = folder / f"PacSpace audit {stamp:%Y-%m-%d %H%M%S}"
        what = (f"{len(ids)} selected submission(s)" if ids is not None
                else describe(flt))
        try:
            (dest / "receipts").mkdir(parents=True, exist_ok=False)
            self.progress.emit("Writing the audit workbook…")
            summary: AuditSummary = await asyncio.to_thread(
                export_xlsx, db, dest / WORKBOOK, flt, ids, what)
            total = len(summary.submission_ids)
            for n, sub_id in enumerate(summary.submission_ids, start=1):
                r = receipt(self._store.connection, sub_id)
                if r is not None:
                    self._render(r, dest / "receipts" / receipt_name(r))
                if n % 10 == 0 or n == total:
                    self.progress.emit(f"Printed {n} of {total} receipt(s)…")
                await asyncio.sleep(0)
            await asyncio.to_thread(write_manifest, dest, summary, stamp)
        except StorageError as exc:
            self.failed.emit(f"{exc} The audit pack is incomplete.")
            return
        except OSError as exc:
            self.failed.emit(f"The audit pack could not be written to {dest}: "
                             f"{exc.strerror or exc}.")
            return
        self.finished.emit(str(dest), summary)
