"""Collecting rows into columns in batches: ragged rows are flagged, repeated values shared."""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

from pacspace_desktop.importing.detect import Detection
from pacspace_desktop.importing.gcpause import promote_young
from pacspace_desktop.importing.numbers import shown
from pacspace_desktop.importing.table import ImportTable, IssueKind, ReadIssue, dedupe_headers

CHUNK_ROWS = 1024
_MEMO_LIMIT = 50_000
_MEMO_SAMPLE = 16_384
_BREAK = re.compile(r"\r\n|\r|\n")


def line_breaks(row: Sequence[str]) -> int:
    """Line breaks inside the cells of one record (`\\r\\n`, `\\r` and `\\n` count once)."""
    text = "\x00".join(row)
    if "\n" not in text and "\r" not in text:
        return 0
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _extra_lines(columns: Sequence[Sequence[str]], order: list[int],
                 expected: int | None) -> dict[int, int]:
    """Rows (batch positions) whose cells hold line breaks, and how many each holds.

    Args:
        columns: The batch, column by column.
        order: Column positions, those that held line breaks before first (moved up here).
        expected: The number of line breaks in the batch when known: the search stops there.
    """
    extra: dict[int, int] = {}
    found = 0
    for index in list(order):
        if expected is not None and found >= expected:
            break
        # the reader removes NUL characters, so NUL safely separates the cells
        text = "\x00".join(columns[index])
        if "\n" not in text and "\r" not in text:
            continue
        order.remove(index)
        order.insert(0, index)
        row = pos = 0
        last = len(columns[index]) - 1
        for m in _BREAK.finditer(text):
            row += text.count("\x00", pos, m.start())
            pos = m.start()
            extra[row] = extra.get(row, 0) + 1
            # a last record left open at the end of the file may count one break too many;
            # the lines of the records before it are exact
            found += row != last
    return extra


def row_starts(first: int, count: int, extra: dict[int, int]) -> list[int]:
    """File lines where `count` records start, the first on line `first`; record `i` spans
    `1 + extra.get(i, 0)` lines."""
    starts: list[int] = []
    line = first
    done = 0
    for i in sorted(extra):
        starts.extend(range(line, line + i - done + 1))
        line += i - done + 1 + extra[i]
        done = i + 1
    starts.extend(range(line, line + count - done))
    return starts


class TableBuilder:
    """Turns rows (lists of text) into an `ImportTable`, a batch of rows at a time.

    Columns whose values repeat (accounts, currencies, dates) share one string object per
    distinct value, which keeps a million-row file small in memory: every column is shared
    while the first rows are read, and a column with many distinct values stops sharing.
    """

    def __init__(self, header: list[str], header_line: int, *,
                 pad_short_rows: bool = False) -> None:
        """Start a table.

        Args:
            header: Header cells as read (names are made unique and non-empty).
            header_line: File line of the header, 0 when there is none.
            pad_short_rows: Fill short rows with empty cells without a warning (a sheet leaves
                out empty cells at the end of a row).
        """
        self.pad_short_rows = pad_short_rows
        self.headers = dedupe_headers(header)
        self.width = len(self.headers)
        self.header_line = header_line
        self.columns: list[list[str]] = [[] for _ in self.headers]
        self.lines: array[int] = array("q")
        self.issues: list[ReadIssue] = []
        self.chunk: list[list[str]] = []
        self._memos: list[dict[str, str] | None] = [{} for _ in self.headers]
        self._break_order = list(range(self.width))
        promote_young()  # the columns will be huge: let collections of young objects skip them

    @property
    def row_count(self) -> int:
        """Rows added so far."""
        return len(self.lines)

    def add(self, row: list[str], line: int) -> None:
        """Add one data row that starts on file line `line` (blank rows are skipped)."""
        if len(row) != self.width:
            row = self._fit(row, line)
            if not row:
                return
        elif not row[0] and not any(row):
            return
        self.chunk.append(row)
        self.lines.append(line)
        if len(self.chunk) >= CHUNK_ROWS:
            self.flush()

    def add_uniform(self, rows: list[list[str]], first: int,
                    spanned: int | None) -> tuple[int, int]:
        """Add a batch of rows that all have the header's width.

        Args:
            rows: The records, in file order.
            first: File line where the first record starts.
            spanned: How many file lines the records span, when known.

        Returns:
            The file line where the last record starts, and the line after the batch (where
            the next record starts).
        """
        self.flush()
        columns = list(zip(*rows, strict=True))
        count = len(rows)
        extra = {} if spanned == count else _extra_lines(
            columns, self._break_order, None if spanned is None else spanned - count)
        if not extra:
            starts: Sequence[int] = range(first, first + count)
        else:
            starts = row_starts(first, count, extra)
        last, after = starts[-1], first + count + sum(extra.values())
        if "" in columns[0]:
            keep = [i for i, row in enumerate(rows) if row[0] or any(row)]
            if len(keep) < count:
                rows = [rows[i] for i in keep]
                starts = [starts[i] for i in keep]
                if not rows:
                    return last, after
                columns = list(zip(*rows, strict=True))
        self.lines.extend(starts)
        self._extend(columns)
        return last, after

    def issue(self, line: int, kind: IssueKind, message: str, *, error: bool = True,
              on_next_row: bool = False, lost: bool = False) -> None:
        """Record a reading problem at `line`.

        Args:
            line: The file line.
            kind: What went wrong.
            message: The sentence shown to the user.
            error: False for a warning.
            on_next_row: Tie it to the row about to be added instead of the last one added.
            lost: The line could not be kept as a row: tie it to no row.
        """
        row: int | None = len(self.lines) - (0 if on_next_row else 1)
        if lost or (row is not None and row < 0):
            row = None
        self.issues.append(ReadIssue(line, row, kind, message, error))

    def _fit(self, row: list[str], line: int) -> list[str]:
        n = len(row)
        if not any(cell.strip() for cell in row):
            return []
        if n > self.width:
            extra = [c for c in row[self.width:] if c.strip()]
            if not extra:
                return row[: self.width]
            values = ", ".join(f"“{shown(c)}”" for c in extra[:3])
            self.issue(line, IssueKind.TOO_MANY_FIELDS,
                       f"Line {line} has {n} fields; the header has {self.width}. The extra "
                       f"values ({values}) are not imported: a value may hold the separator "
                       "without quotes.", on_next_row=True)
            return row[: self.width]
        if self.pad_short_rows:
            return row + [""] * (self.width - n)
        self.issue(line, IssueKind.TOO_FEW_FIELDS,
                   f"Line {line} has {n} field{'s' if n != 1 else ''}; the header has "
                   f"{self.width}. The missing cells are left empty.", error=False,
                   on_next_row=True)
        return row + [""] * (self.width - n)

    def flush(self) -> None:
        """Move the rows collected by `add` into the columns."""
        if not self.chunk:
            return
        transposed = list(zip(*self.chunk, strict=True))
        self.chunk.clear()
        self._extend(transposed)

    def _extend(self, transposed: Sequence[Sequence[str]]) -> None:
        memos = self._memos
        for i, (column, values) in enumerate(zip(self.columns, transposed, strict=True)):
            memo = memos[i]
            if memo is None:
                column.extend(values)
            else:
                column.extend(map(memo.setdefault, values, values))
        done = len(self.columns[0]) if self.columns else 0
        if done >= _MEMO_SAMPLE:
            # keep sharing where distinct values stay few; values seen so far stay shared
            for i, memo in enumerate(memos):
                if memo is not None and (len(memo) * 2 > done or len(memo) > _MEMO_LIMIT):
                    memos[i] = None

    def finish(self, detection: Detection) -> ImportTable:
        """The finished table."""
        self.flush()
        return ImportTable(self.headers, self.columns, self.lines, detection, self.issues,
                           self.header_line)
