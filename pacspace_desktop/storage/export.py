"""Export of history items to a CSV file that opens cleanly in Excel (UTF-8 with BOM).

One row per item. Text cells that a spreadsheet would read as a formula are neutralised, so a
crafted record key cannot run one; `bits` stays a number (negative ones too).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pacspace_desktop.domain.catalogue import OutcomeKind, entry
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.dbapi import Db
from pacspace_desktop.storage.history_sql import where_clause
from pacspace_desktop.storage.records import HistoryFilter

HEADER = ("Time (UTC, ISO 8601)", "Outcome", "Request ID", "Record key", "Account ID", "Bits",
          "Metadata (JSON)", "Profile", "Environment", "Source", "Reason", "Sent by")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportCancelled(Exception):
    """The export was stopped; no file was left behind."""


class ExportRefused(StorageError):
    """The export would go where it must not (the app's data folder) or cannot be named so."""


_APP_FOLDERS = {"drafts", "logs", "config"}
_APP_FILE = re.compile(r"(history\b.*\.sqlite3.*|settings\.json|mappings\.json|\.settings-.*)",
                       re.IGNORECASE)  # the history, its -wal/-shm/-journal and backups, …
_MAX_NAME_BYTES = 255 - len("..part")  # the usual file-name limit, less the temporary suffix


def check_destination(db_path: str, dest: Path) -> None:
    """Refuse an export onto the history database or any file of the data folder.

    The data folder holds the history, its journal files, backups, drafts, logs and maybe the
    settings: an export may not replace any of them (through a symlink or a hard link
    neither), nor go into the app's own subfolders. Another file there (an earlier export) may
    be replaced.

    Raises:
        ExportRefused: with what to do instead.
    """
    if len(dest.name.encode("utf-8", "surrogateescape")) > _MAX_NAME_BYTES:
        raise ExportRefused(f"The file name is too long ({len(dest.name):,} characters); "
                            f"keep it under {_MAX_NAME_BYTES} characters.")
    db = Path(db_path).resolve()
    folder = db.parent
    try:
        target = dest.expanduser().resolve()
        same = dest.exists() and os.path.samefile(dest, db)
    except OSError as exc:
        raise _too_long(dest) if exc.errno == errno.ENAMETOOLONG else StorageError(
            f"The file {dest} cannot be written: {exc.strerror or exc}.") from exc
    inside = target == folder or folder in target.parents
    onto = same or (inside and (target == folder or _APP_FILE.match(target.name) is not None
                                or (target.parent != folder
                                    and target.relative_to(folder).parts[0] in _APP_FOLDERS)))
    if onto:
        raise ExportRefused(f"{dest} is one of the app's own files in its data folder "
                            f"({folder}), where the history itself is kept; the export would "
                            "overwrite it. Choose another name or folder, for example in "
                            "Documents.")


def _too_long(dest: Path) -> ExportRefused:
    return ExportRefused(f"The file name or folder path is too long for this system "
                         f"({len(str(dest)):,} characters). Choose a shorter name or a folder "
                         "nearer the top.")


def neutralise(text: str) -> str:
    """A text cell that no spreadsheet evaluates: a leading `=`, `+`, `-`, `@`, tab or CR gets `'`.

    Only text cells go through this; numbers are written as numbers.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(db_path: str, dest: Path, flt: HistoryFilter | None = None,
               submission_ids: Sequence[int] | None = None,
               progress: Callable[[int], None] | None = None,
               cancel: threading.Event | None = None, every: int = 5000,
               connect: Callable[[], Db] | None = None) -> int:
    """Write the items of the filtered submissions (or of `submission_ids`) to `dest`.

    Opens its own connection (`connect`, for a team history; else the file at `db_path`), so
    it can run in a worker thread while the app goes on. The file
    is written next to `dest` and renamed at the end: a cancelled or failed export leaves no
    half file.

    Returns:
        The number of item rows written.

    The file is readable by you only (0600): it holds your customers' records.

    Raises:
        ExportCancelled: when `cancel` was set.
        ExportRefused: for a place in the data folder or a name that is too long.
        StorageError: when the history cannot be read or the file cannot be written.
    """
    check_destination(db_path, dest)
    tmp = dest.with_name(f".{dest.name}.part")  # a name check_destination has let through
    try:
        conn: Db = (connect() if connect is not None else
                    sqlite3.connect(db_path, check_same_thread=False, timeout=10.0))
    except sqlite3.Error as exc:
        raise StorageError(f"The history cannot be read for the export: {exc}.") from exc
    rows = 0
    try:
        conn.execute("PRAGMA query_only=ON")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also when a stale part file was there with wider rights
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, dialect="excel")
            writer.writerow(HEADER)
            for record in _rows(conn, flt or HistoryFilter(), submission_ids):
                writer.writerow(record)
                rows += 1
                if rows % every == 0:
                    if cancel is not None and cancel.is_set():
                        raise ExportCancelled
                    if progress is not None:
                        progress(rows)
            fh.flush()
            os.fsync(fh.fileno())
        if cancel is not None and cancel.is_set():
            raise ExportCancelled
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise StorageError(f"The history cannot be read for the export: {exc}.") from exc
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise _too_long(dest) from exc
        raise StorageError(f"The file {dest} cannot be written: {exc.strerror or exc}.") from exc
    finally:
        conn.close()
        with contextlib.suppress(OSError):  # a name too long to create is too long to remove
            tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(rows)
    return rows


_SELECT = ("SELECT s.created_at, i.state, s.request_id, i.key, i.account_id, i.bits, "
           "i.metadata, r.profile, r.environment, r.source, s.outcome_kind, s.server_message, "
           "r.sent_by "
           "FROM items i "
           "JOIN submissions s ON s.id = i.submission_id JOIN runs r ON r.id = s.run_id ")


def _rows(conn: Db, flt: HistoryFilter,
          submission_ids: Sequence[int] | None) -> Iterator[list[Any]]:
    if submission_ids is not None:
        ids = sorted(set(submission_ids), reverse=True)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            yield from _format(conn.execute(
                _SELECT + f"WHERE s.id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY s.created_at DESC, s.id DESC, i.position", chunk))
        return
    clauses, params = where_clause(flt)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    yield from _format(conn.execute(
        _SELECT + f"{where} ORDER BY s.created_at DESC, s.id DESC, i.position", params))


def _format(cursor: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for (created, state, request_id, key, account, bits, metadata, profile, env, source, kind,
         message, sent_by) in cursor:
        when = datetime.fromisoformat(created).isoformat(timespec="seconds")
        yield [when, ItemState(state).label, neutralise(request_id or ""), neutralise(key),
               neutralise(account), int(bits), neutralise(metadata or ""), neutralise(profile),
               neutralise(env), neutralise(source),
               neutralise(_reason(ItemState(state), kind, message or "")),
               neutralise(sent_by or "")]


def _reason(state: ItemState, kind: str | None, message: str) -> str:
    """Why an item was not written, or what a check on the server settled ("" when accepted)."""
    if kind is None:
        return ""
    e = entry(OutcomeKind(kind))
    if e.item_state is ItemState.UNKNOWN and state is not ItemState.UNKNOWN:
        return ("Checked on the server: it landed" if state in (ItemState.ACCEPTED,
                                                               ItemState.VERIFIED)
                else "Checked on the server: it was not written")
    if state in (ItemState.ACCEPTED, ItemState.VERIFIED):
        return ""
    return f"{e.title}: {message}" if message and state is not ItemState.UNKNOWN else e.title
