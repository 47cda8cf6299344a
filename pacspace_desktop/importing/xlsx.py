"""Reading one sheet of an Excel workbook (.xlsx) as text cells: dates ISO, numbers exact."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pacspace_desktop.importing.builder import TableBuilder
from pacspace_desktop.importing.detect import (
    Detection,
    FileKind,
    SampleRecord,
    detect_header,
    dominant_width,
)
from pacspace_desktop.importing.progress import CancelToken, ImportFileError, ProgressCallback
from pacspace_desktop.importing.readers import ReadOptions
from pacspace_desktop.importing.table import ImportTable

_ROWS_PER_CHECK = 2000
_SAMPLE_ROWS = 50


def cell_text(value: object) -> str:
    """A cell value as text: ISO for dates, exact digits for numbers (never float noise)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _open(path: Path) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFileError(f"{path.name} is not an Excel workbook (.xlsx), or it is "
                              "damaged. Open it in Excel and save it again.") from exc
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc


def list_sheets(path: Path) -> list[str]:
    """The sheet names of a workbook, in order.

    Raises:
        ImportFileError: when the file is not a readable workbook.
    """
    workbook = _open(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _trimmed(values: tuple[Any, ...]) -> list[str]:
    cells = [cell_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def read_xlsx_file(path: Path, options: ReadOptions | None = None,
                   progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> ImportTable:
    """Read one sheet of a workbook into a table (openpyxl read-only, values only).

    Args:
        path: The workbook.
        options: `sheet` (default: the first sheet) and `header_row`.
        progress: Called with (rows read, rows in the sheet) every few thousand rows.
        cancel: Checked every few thousand rows.

    Raises:
        ImportFileError: when the file is not a workbook or the sheet does not exist.
        ImportCancelled: when `cancel` was set.
    """
    options = options or ReadOptions()
    workbook = _open(path)
    try:
        names = tuple(workbook.sheetnames)
        if options.sheet is not None:
            if options.sheet not in names:
                listed = ", ".join(f"“{n}”" for n in names)
                raise ImportFileError(f"{path.name} has no sheet “{options.sheet}”. "
                                      f"Its sheets are {listed}.")
            sheet, sheet_reason = options.sheet, f"“{options.sheet}”, as you chose"
        else:
            sheet = names[0]
            sheet_reason = (f"“{sheet}”, the only sheet" if len(names) == 1 else
                            f"“{sheet}”, the first of {len(names)} sheets")
        ws = workbook[sheet]
        total = ws.max_row or 0
        rows = ws.iter_rows(values_only=True)
        sample: list[SampleRecord] = []
        for number, values in enumerate(rows, start=1):
            sample.append(SampleRecord(number, _trimmed(values)))
            if number >= _SAMPLE_ROWS:
                break
        width = dominant_width(sample)
        if options.header_row is not None:
            header_line = options.header_row
            header_reason = (f"header on row {header_line}, as you chose" if header_line
                             else "no header row, as you chose")
        else:
            header_line, header_reason = detect_header(sample, width)
            header_reason = header_reason.replace("line", "row")
        detection = Detection(FileKind.XLSX, "", "", "", "", header_line, header_reason,
                              sheet, names, sheet_reason, width)
        builder = _builder(sample, header_line, width)
        for record in sample:
            if record.line > builder.header_line:
                builder.add(record.fields, record.line)
        for number, values in enumerate(rows, start=len(sample) + 1):
            if number % _ROWS_PER_CHECK == 0:
                if cancel is not None:
                    cancel.check()
                if progress is not None:
                    progress(number, max(total, number))
            builder.add(_trimmed(values), number)
        if progress is not None:
            progress(total, total)
        return builder.finish(detection)
    finally:
        workbook.close()


def _builder(sample: list[SampleRecord], header_line: int, width: int) -> TableBuilder:
    if header_line:
        for record in sample:
            if record.line == header_line:
                return TableBuilder(record.fields, header_line, pad_short_rows=True)
        raise ImportFileError(f"Row {header_line} is not among the first {len(sample)} rows.")
    return TableBuilder([""] * max(width, 1), 0, pad_short_rows=True)
