"""Reading a CSV/TSV/TXT file in chunks, with progress, cancel, and line-numbered problems."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pacspace_desktop.importing.builder import TableBuilder, line_breaks
from pacspace_desktop.importing.detect import (
    DELIMITERS,
    ENCODING_NAMES,
    Detection,
    FileKind,
    detect_delimiter,
    detect_encoding,
    detect_header,
    dominant_width,
    sample_records,
)
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.importing.progress import (
    CancelToken,
    ImportFileError,
    ProgressCallback,
)
from pacspace_desktop.importing.table import ImportTable, IssueKind

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
_ERRORS = "pacspace_import_mark"
_MARKED = re.compile("[\ud800-\udfff]")
_marks = [0]  # bytes marked by the error handler so far (any thread): a changed count means
# "look for marks"; a count changed by another thread only costs a needless look
BATCH_ROWS = 512
MAX_COLUMNS = 1_024
"""Most columns a file may have: wider tables (Excel allows 16,384) are refused in words."""
MAX_CELL_CHARS = 131_072
"""Longest cell, in characters (csv's own field limit); a longer cell's line is left out."""
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Choices that override detection; None means "detect it".

    Attributes:
        encoding: Codec name, e.g. `utf-8`, `cp1252`, `utf-16`.
        delimiter: One of `,` `;` tab `|` (or any single character).
        header_row: File line (sheet row) of the header; 0 when the file has no header.
        sheet: Sheet name of a workbook.
    """

    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    sheet: str | None = None


def too_wide(path: Path | None, width: int, line: int | None = None, *,
             at_least: bool = False) -> ImportFileError:
    """The error for a table past `MAX_COLUMNS`, naming the limit."""
    what = path.name if path is not None else "The file"
    where = f" (line {line})" if line else ""
    more = "at least " if at_least else ""
    return ImportFileError(f"{what} has {more}{width:,} columns{where}; this app reads at most "
                           f"{MAX_COLUMNS:,} columns. Remove the columns that are not needed "
                           "(or empty ones at the end), then open it again.")


def _mark_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decode error handler: keep undecodable bytes as lone surrogates, found later per line."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    _marks[0] += 1
    return "".join(chr(0xDC00 + b) for b in bad), exc.end


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    try:
        codecs.lookup_error(_ERRORS)
    except LookupError:
        codecs.register_error(_ERRORS, _mark_bytes)
    try:
        return codecs.getincrementaldecoder(encoding)(errors=_ERRORS)
    except LookupError:
        raise ImportFileError(f"“{encoding}” is not a text encoding this app knows.") from None


class _Lines:
    """Decoded lines of a binary file, read in chunks; notes lines with NUL or bad bytes."""

    def __init__(self, fh: BinaryIO, encoding: str, total: int,
                 progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
        self.fh, self.encoding, self.total = fh, encoding, total
        self.progress, self.cancel = progress, cancel
        self.bad: dict[int, tuple[IssueKind, str]] = {}
        self.recent: deque[str] = deque(maxlen=2)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        # csv pulls lines straight from StringIO objects (C code); Python runs once per chunk.
        return itertools.chain.from_iterable(self._chunks())

    def last_lines(self, count: int) -> list[str] | None:
        """The last `count` lines read, or None when they are no longer kept."""
        lines = io.StringIO("".join(self.recent), newline="").readlines()
        return lines[-count:] if count <= len(lines) else None

    def _chunks(self) -> Iterator[Iterable[str]]:
        decoder = _decoder(self.encoding)
        pending, done, pending_marked = "", 0, False
        while True:
            if self.cancel is not None:
                self.cancel.check()
            data = self.fh.read(CHUNK_BYTES)
            done += len(data)
            if self.progress is not None:
                self.progress(done, self.total)
            marks = _marks[0]
            text = pending + decoder.decode(data, final=not data)
            marked = pending_marked or marks != _marks[0]
            if data:
                cut = max(text.rfind("\n"), text.rfind("\r"))
                if text.endswith("\r"):
                    cut = max(text.rfind("\n", 0, len(text) - 1), text.rfind("\r", 0, cut))
                text, pending = text[: cut + 1], text[cut + 1:]
                pending_marked = marked and _MARKED.search(pending) is not None
            if "\x00" in text or (marked and _MARKED.search(text)):
                text = self._clean(text)
            self.recent.append(text)
            # splitlines also splits at \v, \f, \x1c… which csv keeps inside a line
            if any(ch in text for ch in _OTHER_BREAKS):
                yield io.StringIO(text, newline="")
                breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
            else:
                lines = text.splitlines(keepends=True)
                yield lines
                breaks = len(lines) - (not text.endswith(("\n", "\r")) and bool(text))
            self.count += breaks
            if not data:
                if text and not text.endswith(("\n", "\r")):
                    self.count += 1
                return

    def _clean(self, text: str) -> str:
        """Slow path for a chunk with NUL or undecodable bytes: note each line, fix the text."""
        lines = []
        for n, line in enumerate(io.StringIO(text, newline=""), start=self.count + 1):
            if "\x00" in line:
                self.bad[n] = (IssueKind.NUL_BYTE, f"Line {n} holds NUL bytes (invisible zero "
                               "characters); the file may be damaged or in another encoding.")
                line = line.replace("\x00", "")
            found = _MARKED.search(line)
            if found:
                byte = ord(found.group()) - 0xDC00
                name = ENCODING_NAMES.get(self.encoding, self.encoding)
                self.bad[n] = (IssueKind.UNDECODABLE, f"Line {n} has bytes that are not valid "
                               f"{name} (like 0x{byte:02X}); they are shown as �. Choose "
                               "another encoding if letters look wrong.")
                line = _MARKED.sub("\ufffd", line)
            lines.append(line)
        return "".join(lines)


def _sample_text(sample: bytes, encoding: str, complete: bool) -> str:
    text = _decoder(encoding).decode(sample, final=complete)
    text = text.lstrip("\ufeff")
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1] if cut > 0 else text
    return _MARKED.sub("\ufffd", text.replace("\x00", ""))


def detect_text_file(path: Path, options: ReadOptions | None = None) -> Detection:
    """Detect encoding, separator and header of a text file, honouring `options`.

    Raises:
        ImportFileError: when the file cannot be opened or is empty.
    """
    options = options or ReadOptions()
    try:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
            complete = not fh.read(1)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    if not sample.strip():
        raise ImportFileError(f"{path.name} is empty.")
    if options.encoding:
        encoding = options.encoding
        enc_reason = f"{ENCODING_NAMES.get(encoding.lower(), encoding)}, as you chose"
    else:
        encoding, enc_reason = detect_encoding(sample, complete)
    text = _sample_text(sample, encoding, complete)
    if options.delimiter:
        delimiter = options.delimiter
        name = DELIMITERS.get(delimiter, f"“{delimiter}”")
        records = sample_records(text, delimiter)
        width = dominant_width(records) or 1
        delim_reason = f"{name}, as you chose"
    else:
        delimiter, delim_reason, width = detect_delimiter(text)
        records = sample_records(text, delimiter)
    if options.header_row is not None:
        header_line = options.header_row
        header_reason = (f"header on line {header_line}, as you chose" if header_line
                         else "no header row, as you chose")
    else:
        header_line, header_reason = detect_header(records, width)
    return Detection(FileKind.TEXT, encoding, enc_reason, delimiter, delim_reason, header_line,
                     header_reason, field_count=width)


def read_text_file(path: Path, options: ReadOptions | None = None,
                   progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> ImportTable:
    """Read a CSV/TSV/TXT file into a table, streaming it in chunks.

    Args:
        path: The file.
        options: Overrides of detection.
        progress: Called with (bytes read, file size) after every chunk.
        cancel: Checked before every chunk.

    Raises:
        ImportFileError: when the file cannot be read at all.
        ImportCancelled: when `cancel` was set.
    """
    detection = detect_text_file(path, options)
    try:
        total = path.stat().st_size
        with path.open("rb") as fh, gc_paused():
            lines = _Lines(fh, detection.encoding, total, progress, cancel)
            return _parse(lines, detection)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc


def _parse(lines: _Lines, detection: Detection) -> ImportTable:
    reader = csv.reader(lines, delimiter=detection.delimiter)
    header_line = detection.header_line
    builder: TableBuilder | None = None
    if header_line == 0:
        if detection.field_count > MAX_COLUMNS:
            raise too_wide(None, detection.field_count, at_least=True)
        builder = TableBuilder([""] * max(detection.field_count, 1), 0)
    prev = start = 0
    while builder is None:
        try:
            row = next(reader)
        except StopIteration:
            raise ImportFileError("The file has no header row and no data.") from None
        except csv.Error as exc:
            raise ImportFileError(f"The header could not be read: {_csv_words(exc)}.") from exc
        start, prev = prev + 1, reader.line_num
        if start >= header_line and row:
            if len(row) > MAX_COLUMNS:
                raise too_wide(None, len(row), start)
            if row[0].startswith("\ufeff"):
                row[0] = row[0][1:]
            builder = TableBuilder(row, start)
    width = builder.width
    while True:
        # a batch of records at C speed; Python runs once per batch, not once per row
        batch: list[list[str]] = []
        error: csv.Error | None = None
        try:
            batch.extend(itertools.islice(reader, BATCH_ROWS))
        except csv.Error as exc:
            error = exc
        end = reader.line_num
        if batch:
            if not lines.bad and widths_are(batch, width):
                start, after = builder.add_uniform(batch, prev + 1,
                                                   end - prev if error is None else None)
            else:
                start, after = _add_rows(builder, batch, prev + 1, end, error is None,
                                         lines.bad)
            prev = after - 1
        if error is not None:
            start, prev = prev + 1, end
            builder.issue(start, IssueKind.UNREADABLE_LINE,
                          f"Line {start} could not be read ({_csv_words(error)}); it is left "
                          "out.", lost=True)
            continue
        prev = end
        if len(batch) < BATCH_ROWS:
            break
    if prev > start and start > builder.header_line:
        _check_unclosed(lines, builder, start, prev)
    return builder.finish(detection)


def widths_are(batch: list[list[str]], width: int) -> bool:
    """True when every record of a batch has exactly `width` fields."""
    return len(batch[0]) == width and set(map(len, batch)) == {width}  # one pass, not two


def _add_rows(builder: TableBuilder, batch: list[list[str]], first: int, end: int,
              complete: bool, bad: dict[int, tuple[IssueKind, str]]) -> tuple[int, int]:
    """Add records one by one (ragged or blank rows, or lines with bad bytes in the batch).

    Returns:
        The line where the last record starts, and the line after the batch.
    """
    start = line = first
    last = len(batch) - 1
    for i, row in enumerate(batch):
        start = line
        line += 1 + line_breaks(row)
        builder.add(row, start)
        if bad:
            _note_bad(builder, bad, start, end if complete and i == last else line - 1)
    return start, line


def _note_bad(builder: TableBuilder, bad: dict[int, tuple[IssueKind, str]],
              start: int, end: int) -> None:
    for n in [n for n in bad if n < start]:
        del bad[n]
    for n in range(start, end + 1):
        found = bad.pop(n, None)
        if found is not None:
            builder.issue(n, found[0], found[1])


def _csv_words(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    return text


def _check_unclosed(lines: _Lines, builder: TableBuilder, start: int, end: int) -> None:
    """Was the last record, spanning several lines, left inside an unclosed quote?"""
    span = end - start + 1
    last = lines.last_lines(span)
    if last is not None and "".join(last).count('"') % 2 == 0:
        return
    builder.issue(start, IssueKind.UNCLOSED_QUOTE,
                  f"Line {start} opens a quote (\") that is never closed, so the rest of the "
                  f"file ({span} lines) was read as one cell. Close or remove the quote.")
