"""Export of history items to a CSV file that opens cleanly in Excel (UTF-8 with BOM).

One row per item. Text cells that a spreadsheet would read as a formula are neutralised, so a
crafted record key cannot run one; `bits` stays a number (negative ones too).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.history import where_clause
from pacspace_desktop.storage.records import HistoryFilter

HEADER = ("Time (UTC, ISO 8601)", "Outcome", "Request ID", "Record key", "Account ID", "Bits",
          "Metadata (JSON)", "Profile", "Environment", "Source")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportCancelled(Exception):
    """The export was stopped; no file was left behind."""


def neutralise(text: str) -> str:
    """A text cell that no spreadsheet evaluates: a leading `=`, `+`, `-`, `@`, tab or CR gets `'`.

    Only text cells go through this; numbers are written as numbers.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(db_path: str, dest: Path, flt: HistoryFilter | None = None,
               submission_ids: Sequence[int] | None = None,
               progress: Callable[[int], None] | None = None,
               cancel: threading.Event | None = None, every: int = 5000) -> int:
    """Write the items of the filtered submissions (or of `submission_ids`) to `dest`.

    Opens its own connection, so it can run in a worker thread while the app goes on. The file
    is written next to `dest` and renamed at the end: a cancelled or failed export leaves no
    half file.

    Returns:
        The number of item rows written.

    Raises:
        ExportCancelled: when `cancel` was set.
        StorageError: when the history cannot be read or the file cannot be written.
    """
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        conn = sqlite3.connect(db_path, check_same_thread=False, timeout=10.0)
    except sqlite3.Error as exc:
        raise StorageError(f"The history cannot be read for the export: {exc}.") from exc
    rows = 0
    try:
        conn.execute("PRAGMA query_only=ON")
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
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
        raise StorageError(f"The file {dest} cannot be written: {exc.strerror or exc}.") from exc
    finally:
        conn.close()
        tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(rows)
    return rows


_SELECT = ("SELECT s.created_at, i.state, s.request_id, i.key, i.account_id, i.bits, "
           "i.metadata, r.profile, r.environment, r.source FROM items i "
           "JOIN submissions s ON s.id = i.submission_id JOIN runs r ON r.id = s.run_id ")


def _rows(conn: sqlite3.Connection, flt: HistoryFilter,
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
    for created, state, request_id, key, account, bits, metadata, profile, env, source in cursor:
        when = datetime.fromisoformat(created).isoformat(timespec="seconds")
        yield [when, ItemState(state).label, neutralise(request_id or ""), neutralise(key),
               neutralise(account), int(bits), neutralise(metadata or ""), neutralise(profile),
               neutralise(env), neutralise(source)]
