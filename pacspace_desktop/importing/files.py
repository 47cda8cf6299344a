"""Opening any supported file: CSV/TSV/TXT as text, XLSX as a workbook."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

from pacspace_desktop.importing.cells import mojibake_sample
from pacspace_desktop.importing.detect import Detection
from pacspace_desktop.importing.mapping import FileSettings
from pacspace_desktop.importing.progress import CancelToken, ImportFileError, ProgressCallback
from pacspace_desktop.importing.readers import ReadOptions, detect_text_file, read_text_file
from pacspace_desktop.importing.table import ImportTable

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

__all__ = ["detect_file", "is_workbook", "list_sheets", "read_file", "read_with_settings",
           "skip_below_header", "text_warnings"]


def list_sheets(path: Path) -> list[str]:
    """The sheet names of a workbook, in order (see `xlsx.list_sheets`)."""
    from pacspace_desktop.importing.xlsx import list_sheets as sheets  # zipfile and xml: ~10 ms

    return sheets(path)


def read_xlsx_file(path: Path, options: ReadOptions | None = None,
                   progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> ImportTable:
    """A workbook's sheet as a table (see `xlsx.read_xlsx_file`), imported when one is opened."""
    from pacspace_desktop.importing.xlsx import read_xlsx_file as read

    return read(path, options, progress, cancel)


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
        table = read_xlsx_file(path, options, progress, cancel)
    else:
        table = read_text_file(path, options, progress, cancel)
        if table.header_line > 1:
            table.preamble = _preamble(path, table)
    table.warnings.extend(text_warnings(table))
    return table


def read_with_settings(path: Path, settings: FileSettings, options: ReadOptions | None = None,
                       progress: ProgressCallback | None = None,
                       cancel: CancelToken | None = None) -> ImportTable:
    """`read_file` with a mapping's file settings; `options` (a person's choice) win.

    Raises:
        ImportFileError: when the file cannot be read at all.
        ImportCancelled: when cancelled.
    """
    given = options or ReadOptions()
    merged = ReadOptions(
        encoding=given.encoding or settings.encoding,
        delimiter=given.delimiter or settings.delimiter,
        header_row=given.header_row if given.header_row is not None else settings.header_line,
        sheet=given.sheet or settings.sheet)
    table = read_file(path, merged, progress, cancel)
    skip_below_header(table, settings.skip_lines)
    return table


def skip_below_header(table: ImportTable, lines: int) -> None:
    """Leave out the `lines` lines right below the header (units, notes: not data)."""
    if lines <= 0:
        return
    last = table.header_line + lines
    count = 0
    while count < table.row_count and 0 < table.line_of(count) <= last:
        count += 1
    if count:
        table.delete_rows(0, count)


def _preamble(path: Path, table: ImportTable) -> list[list[str]]:
    """The fields of the lines above the header (a DATEV file's period line), best effort."""
    detection = table.detection
    try:
        with path.open("r", encoding=detection.encoding or "utf-8", errors="replace",
                       newline="") as fh:
            lines = list(itertools.islice(fh, table.header_line - 1))
    except OSError:
        return []
    delimiter = detection.delimiter or ","
    return [next(csv.reader([line], delimiter=delimiter), []) for line in lines]


def text_warnings(table: ImportTable, sample_rows: int = 2000) -> list[str]:
    """Warnings about the whole file's text: letters that look garbled (mojibake)."""
    warnings = []
    for name, column in zip(table.headers, table.columns, strict=True):
        cell = mojibake_sample([name, *column[:sample_rows]])
        if cell is not None:
            warnings.append(
                f"Some text looks garbled, e.g. “{cell[:40]}” in {name}: the file was probably "
                "saved in one encoding and read in another. Choose another encoding (UTF-8, "
                "Windows-1252, Mac Roman) and check the names before sending.")
            break
    if table.detection.encoding == "latin-1" and any(
            any("\x80" <= ch <= "\x9f" for ch in cell) for column in table.columns
            for cell in column[:sample_rows]):
        warnings.append("Some characters are control codes in Latin-1: the file may be in "
                        "another encoding (Mac Roman, Windows-1252). Check the names before "
                        "sending.")
    return warnings


def detect_file(path: Path, options: ReadOptions | None = None) -> Detection:
    """What would be detected for a text file (sheets are detected while reading).

    Raises:
        ImportFileError: when the file cannot be read.
    """
    options = options or ReadOptions()
    if is_workbook(path):
        return read_xlsx_file(path, options).detection
    return detect_text_file(path, options)
