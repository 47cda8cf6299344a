"""Opening any supported file: CSV/TSV/TXT as text, XLSX as a workbook."""

from __future__ import annotations

from pathlib import Path

from pacspace_desktop.importing.detect import Detection
from pacspace_desktop.importing.progress import CancelToken, ImportFileError, ProgressCallback
from pacspace_desktop.importing.readers import ReadOptions, detect_text_file, read_text_file
from pacspace_desktop.importing.table import ImportTable
from pacspace_desktop.importing.xlsx import list_sheets, read_xlsx_file

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

__all__ = ["detect_file", "is_workbook", "list_sheets", "read_file"]


def is_workbook(path: Path) -> bool:
    """True for an .xlsx workbook, by its first bytes (a zip) or its name.

    Raises:
        ImportFileError: for the old binary .xls format and unreadable files.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(f"{path.name} is in the old Excel 97–2003 format (.xls). Open it "
                              "in Excel and save it as .xlsx or CSV.")
    return head.startswith(b"PK\x03\x04") or path.suffix.lower() in WORKBOOK_SUFFIXES


def read_file(path: Path, options: ReadOptions | None = None,
              progress: ProgressCallback | None = None,
              cancel: CancelToken | None = None) -> ImportTable:
    """Read a CSV/TSV/TXT or XLSX file into a table; run it in a worker thread for big files.

    Args:
        path: The file.
        options: Overrides of what is detected (encoding, separator, header row, sheet).
        progress: Called as `progress(done, total)`: bytes for text files, rows for sheets.
        cancel: Checked between chunks; set `cancel.cancelled` to stop.

    Raises:
        ImportFileError: when the file cannot be read at all (the message says why).
        ImportCancelled: when cancelled.
    """
    options = options or ReadOptions()
    if is_workbook(path):
        return read_xlsx_file(path, options, progress, cancel)
    return read_text_file(path, options, progress, cancel)


def detect_file(path: Path, options: ReadOptions | None = None) -> Detection:
    """What would be detected for a text file (sheets are detected while reading).

    Raises:
        ImportFileError: when the file cannot be read.
    """
    options = options or ReadOptions()
    if is_workbook(path):
        return read_xlsx_file(path, options).detection
    return detect_text_file(path, options)
