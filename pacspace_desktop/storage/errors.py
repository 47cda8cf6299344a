"""Storage errors by kind: the environment's fault (full, read-only, locked, damaged, a failing
disk) told apart from our own bug, each in words a clerk can act on.

Every `sqlite3.Error` that leaves the storage layer becomes a `StorageError` with a `fault`;
the words never name SQLite's own codes.
"""

from __future__ import annotations

import errno
import sqlite3
from enum import StrEnum
from pathlib import Path


class StorageFault(StrEnum):
    """Why the history could not be used."""

    FULL = "full"  # the disk (or the database's size limit) is full
    READ_ONLY = "read-only"  # the file or its folder may not be written
    LOCKED = "locked"  # another program holds the history for too long
    DAMAGED = "damaged"  # the file is not a sound database
    DISK = "disk"  # the disk reported an error (removed, failing)
    NEWER = "newer"  # written by a newer version of the app
    UNREACHABLE = "unreachable"  # the team's history database cannot be reached
    BUG = "bug"  # a mistake in the app itself


class StorageError(Exception):
    """The history could not be read or written. The message says why in plain words; `fault`
    says which kind of problem it is (see `StorageFault`)."""

    def __init__(self, message: str, fault: StorageFault = StorageFault.BUG) -> None:
        super().__init__(message)
        self.fault = fault


# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB, _PERM = (
    5, 6, 8, 10, 11, 13, 14, 26, 3)


def fault_of(exc: sqlite3.Error | OSError) -> StorageFault:
    """Which kind of problem an error from SQLite (or the file system) is."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageFault.FULL
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return StorageFault.READ_ONLY
        return StorageFault.DISK
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF
        if primary == _FULL:
            return StorageFault.FULL
        if primary in (_READONLY, _PERM, _CANTOPEN):
            return StorageFault.READ_ONLY
        if primary in (_BUSY, _LOCKED):
            return StorageFault.LOCKED
        if primary in (_CORRUPT, _NOTADB):
            return StorageFault.DAMAGED
        if primary == _IOERR:
            return StorageFault.DISK
    text = str(exc).lower()  # errors raised before a statement ran carry no code
    for words, fault in ((("readonly", "read-only"), StorageFault.READ_ONLY),
                         (("full",), StorageFault.FULL),
                         (("locked", "busy"), StorageFault.LOCKED),
                         (("not a database", "malformed"), StorageFault.DAMAGED),
                         (("disk i/o",), StorageFault.DISK)):
        if any(w in text for w in words):
            return fault
    return StorageFault.BUG


def storage_error(exc: sqlite3.Error | OSError, path: Path | str | None = None,
                  verb: str = "written") -> StorageError:
    """The `StorageError` for an error from SQLite or the file system, in a clerk's words.

    `verb` is what was being done: "written" or "read".
    """
    fault = fault_of(exc)
    where = f"The history ({path})" if path else "The history"
    words = {
        StorageFault.FULL: f"{where} cannot be written because the disk is full. Free some "
                           "space on it, then try again.",
        StorageFault.READ_ONLY: f"{where} cannot be written: the file or its folder is "
                                "read-only for this app (permissions, or a write-protected "
                                "drive). Make the data folder writable, then try again.",
        StorageFault.LOCKED: f"{where} is in use by another program and stayed locked. Wait "
                             "for other PacSpace Desktop windows or commands to finish "
                             "sending, then try again.",
        StorageFault.DAMAGED: f"{where} is damaged and cannot be used safely. Keep the file "
                              "(a backup may lie next to it) and contact support.",
        StorageFault.DISK: f"{where} cannot be {verb}: the disk reported an error (it may "
                           "have been removed, or be failing). Check the disk, then try again.",
        StorageFault.BUG: f"{where} cannot be {verb} because of an error in PacSpace "
                          f"Desktop itself ({exc}). Please report it.",
    }.get(fault, f"{where} cannot be used: {exc}.")
    return StorageError(words, fault)
