"""Reading one sheet of an Excel workbook (.xlsx) as text cells: dates ISO, numbers exact."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from pacspace_desktop.importing.builder import TableBuilder
from pacspace_desktop.importing.detect import (
    Detection,
    FileKind,
    SampleRecord,
    detect_header,
    dominant_width,
)
from pacspace_desktop.importing.progress import CancelToken, ImportFileError, ProgressCallback
from pacspace_desktop.importing.readers import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    ReadOptions,
    too_wide,
)
from pacspace_desktop.importing.table import ImportTable, IssueKind

_ROWS_PER_CHECK = 2000
_SAMPLE_ROWS = 50
MAX_UNPACKED_BYTES = 2 << 30
"""Largest workbook once unpacked (2 GiB); more, or a ratio past `MAX_PACKING`, is refused."""
MAX_PACKING = 200
"""Most a workbook's parts may shrink in the zip: beyond it, a few KB would unpack to GBs."""

# What openpyxl raises for damaged parts of a workbook (broken XML in the workbook, a sheet or
# the styles; a shared-string index that points nowhere; a part missing from the zip).
_DAMAGED = (ParseError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError,
            ValueError, TypeError, AttributeError)


def _damaged(path: Path, what: str = "") -> ImportFileError:
    part = f" ({what})" if what else ""
    return ImportFileError(f"{path.name} is damaged{part}: Excel's own data inside it cannot be "
                           "read. Open it in Excel and save it again, or save it as CSV.")


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


def _check_packing(path: Path) -> None:
    """Refuse a zip bomb before openpyxl unpacks it: the work must stay in proportion."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ImportFileError(f"{path.name} is not an Excel workbook (.xlsx), or it is "
                              "damaged. Open it in Excel and save it again.") from exc
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    unpacked = sum(p.file_size for p in parts)
    packed = sum(p.compress_size for p in parts)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_PACKING * max(packed, 4096):
        raise ImportFileError(f"{path.name} would unpack to {unpacked / 2**20:,.0f} MB from "
                              f"{packed / 2**20:,.1f} MB; this app reads workbooks of at most "
                              f"{MAX_UNPACKED_BYTES // 2**30} GB unpacked, packed at most "
                              f"{MAX_PACKING}:1. Save it as CSV instead.")


@contextmanager
def _open(path: Path) -> Iterator[Any]:
    """The workbook, read-only; the file is closed after use, also when opening fails."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_packing(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    with fh:
        try:
            workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile) as exc:
            raise ImportFileError(f"{path.name} is not an Excel workbook (.xlsx), or it is "
                                  "damaged. Open it in Excel and save it again.") from exc
        except OSError as exc:
            raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
        except _DAMAGED as exc:
            raise _damaged(path, "its list of sheets or its styles") from exc
        try:
            yield workbook
        finally:
            workbook.close()


def _sheet_names(path: Path, workbook: Any) -> tuple[str, ...]:
    try:
        names = tuple(str(n) for n in workbook.sheetnames)
    except _DAMAGED as exc:
        raise _damaged(path, "its list of sheets") from exc
    if not names:
        raise ImportFileError(f"{path.name} has no sheets. Open it in Excel, check that it "
                              "holds the invoices, and save it again.")
    return names


def _rows(path: Path, rows: Iterator[tuple[Any, ...]], sheet: str) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, with openpyxl's errors for damaged sheet data put in words."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except _DAMAGED as exc:
            raise _damaged(path, f"the cells of the sheet “{sheet}”") from exc
        yield values


def list_sheets(path: Path) -> list[str]:
    """The sheet names of a workbook, in order.

    Raises:
        ImportFileError: when the file is not a readable workbook.
    """
    with _open(path) as workbook:
        return list(_sheet_names(path, workbook))


def _trimmed(values: tuple[Any, ...]) -> list[str]:
    cells = [cell_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _fits(cells: list[str], number: int, builder: TableBuilder) -> bool:
    """False (and a note) for a row past the column or cell-size limits: it is left out."""
    if len(cells) > MAX_COLUMNS:
        builder.issue(number, IssueKind.UNREADABLE_LINE,
                      f"Line {number} has {len(cells):,} cells; this app reads at most "
                      f"{MAX_COLUMNS:,} columns. It is left out.", lost=True)
        return False
    if cells and max(map(len, cells)) > MAX_CELL_CHARS:
        builder.issue(number, IssueKind.UNREADABLE_LINE,
                      f"Line {number} could not be read (a cell is longer than "
                      f"{MAX_CELL_CHARS:,} characters); it is left out.", lost=True)
        return False
    return True


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
    with _open(path) as workbook:
        names = _sheet_names(path, workbook)
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
        try:
            ws = workbook[sheet]
            total = ws.max_row or 0
            # the cells as they are: a dimension claiming A1:XFD1048576 must not pad every row
            ws.reset_dimensions()
            rows = _rows(path, ws.iter_rows(values_only=True), sheet)
        except _DAMAGED as exc:
            raise _damaged(path, f"the sheet “{sheet}”") from exc
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
            wide = [r for r in sample if len(r.fields) > MAX_COLUMNS]
            if not header_line and wide:  # a stray cell far right hides the header
                raise too_wide(path, len(wide[0].fields), wide[0].line)
        detection = Detection(FileKind.XLSX, "", "", "", "", header_line, header_reason,
                              sheet, names, sheet_reason, width)
        if width > MAX_COLUMNS:
            raise too_wide(path, width)
        builder = _builder(sample, header_line, width)
        for record in sample:
            if record.line > builder.header_line and _fits(record.fields, record.line, builder):
                builder.add(record.fields, record.line)
        for number, values in enumerate(rows, start=len(sample) + 1):
            if number % _ROWS_PER_CHECK == 0:
                if cancel is not None:
                    cancel.check()
                if progress is not None:
                    progress(number, max(total, number))
            cells = _trimmed(values)
            if _fits(cells, number, builder):
                builder.add(cells, number)
        if progress is not None:
            progress(total, total)
        return builder.finish(detection)


def _builder(sample: list[SampleRecord], header_line: int, width: int) -> TableBuilder:
    if header_line:
        for record in sample:
            if record.line == header_line:
                if len(record.fields) > MAX_COLUMNS:
                    raise ImportFileError(f"Row {header_line}, the header, has more than "
                                          f"{MAX_COLUMNS:,} columns; this app reads at most "
                                          f"{MAX_COLUMNS:,}.")
                return TableBuilder(record.fields, header_line, pad_short_rows=True)
        raise ImportFileError(f"Row {header_line} is not among the first {len(sample)} rows.")
    return TableBuilder([""] * max(width, 1), 0, pad_short_rows=True)
