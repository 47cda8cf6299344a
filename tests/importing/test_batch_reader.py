"""The batched reader gives exactly what a record-by-record reader gives: cells, lines, issues."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacspace_desktop.importing import ImportFileError, ImportTable, read_file, readers
from pacspace_desktop.importing.builder import TableBuilder
from pacspace_desktop.importing.detect import Detection
from pacspace_desktop.importing.readers import (
    _check_unclosed,
    _csv_words,
    _Lines,
    _note_bad,
    detect_text_file,
)
from pacspace_desktop.importing.table import IssueKind


def _reference_parse(lines: _Lines, detection: Detection) -> ImportTable:
    """The former reader: one record at a time, with `reader.line_num` after every record."""
    # as before: csv pulls the lines of each decoded chunk from a StringIO
    chunks = (io.StringIO("".join(chunk), newline="") for chunk in lines._chunks())
    reader = csv.reader(itertools.chain.from_iterable(chunks), delimiter=detection.delimiter)
    builder: TableBuilder | None = None
    if detection.header_line == 0:
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
        if start >= detection.header_line and row:
            if row[0].startswith("\ufeff"):
                row[0] = row[0][1:]
            builder = TableBuilder(row, start)
    while True:
        try:
            for row in reader:
                start, prev = prev + 1, reader.line_num
                builder.add(row, start)
                if lines.bad:
                    _note_bad(builder, lines.bad, start, prev)
            break
        except csv.Error as exc:
            start, prev = prev + 1, reader.line_num
            builder.issue(start, IssueKind.UNREADABLE_LINE,
                          f"Line {start} could not be read ({_csv_words(exc)}); it is left "
                          "out.", lost=True)
    if prev > start and start > builder.header_line:
        _check_unclosed(lines, builder, start, prev)
    return builder.finish(detection)


def _reference_read(path: Path) -> ImportTable:
    detection = detect_text_file(path)
    with path.open("rb") as fh:
        return _reference_parse(_Lines(fh, detection.encoding, 0, None, None), detection)


@contextmanager
def _small_batches(rows: int, chunk: int, field_limit: int) -> Iterator[None]:
    saved = readers.BATCH_ROWS, readers.CHUNK_BYTES, csv.field_size_limit()
    readers.BATCH_ROWS, readers.CHUNK_BYTES = rows, chunk
    csv.field_size_limit(field_limit)
    try:
        yield
    finally:
        readers.BATCH_ROWS, readers.CHUNK_BYTES = saved[:2]
        csv.field_size_limit(saved[2])


def _same(data: bytes, rows: int, chunk: int, field_limit: int = 131072) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(data)
        with _small_batches(rows, chunk, field_limit):
            try:
                expected = _reference_read(path)
            except ImportFileError as exc:
                with pytest.raises(ImportFileError, match="^" + str(exc)[:20]):
                    read_file(path)
                return
            table = read_file(path)
    assert table.headers == expected.headers
    assert table.columns == expected.columns
    assert list(table.source_lines) == list(expected.source_lines)
    assert table.issues == expected.issues


CELLS = ["INV-1", "ACME", "1,5", '"', '""', '"a\nb"', '"x\r\ny\rz"', "\r", "\r\n", "\n", ";",
         "", "", "\x00", "é", "\udcff", "Amount", "1234567890123", '"q"x', "  ", "\x1c", "\v",
         '"\x1d"']
cell = st.sampled_from(CELLS)
plain = st.sampled_from(["K-1", "ACME", "1,5", "x", '"a\nb"', '"x\r\ny\rz"', '""'])
records = st.lists(st.one_of(st.lists(plain, min_size=4, max_size=4),
                             st.lists(plain, min_size=4, max_size=4),
                             st.lists(cell, max_size=6)).map(";".join), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, st.sampled_from(["\n", "\r\n", "\r"]), st.integers(1, 5),
       st.sampled_from([7, 64, 1 << 20]), st.sampled_from([8, 131072]))
def test_batches_match_record_by_record_reading(lines: list[str], newline: str, rows: int,
                                                chunk: int, field_limit: int) -> None:
    text = newline.join(["Invoice;Customer;Amount;Note", *lines])
    _same(text.encode("utf-8", errors="surrogateescape"), rows, chunk, field_limit)


def test_quoted_line_breaks_at_every_batch_position() -> None:
    two = '"two\r\nlines"'
    body = [f"K-{i};A;1,00;{two if i % 3 == 0 else 'n'}" for i in range(40)]
    text = "\r\n".join(["Invoice;Customer;Amount;Note", *body, ";;;", "", 'Z;B;2;"open',
                        "more", "x\x00y", ""])
    for rows in (1, 2, 3, 4, 7, 1024):
        _same(text.encode(), rows, 50)
        _same(text.replace("\x00", "").encode(), rows, 50)


def test_open_quote_at_the_end_after_line_breaks_in_another_column() -> None:
    body = [f'K-{i};"A\r\nB";1,00;n' if i % 2 else f"K-{i};A;1,00;n" for i in range(9)]
    text = "\r\n".join(["Invoice;Customer;Amount;Note", *body, 'Z;B;2;"open', "more", ""])
    for rows in (1, 2, 3, 10, 11, 1024):
        _same(text.encode(), rows, 1 << 20)
