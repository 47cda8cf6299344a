"""Collecting rows into columns in chunks: ragged rows are flagged, repeated values shared."""

from __future__ import annotations

from array import array

from pacspace_desktop.importing.detect import Detection
from pacspace_desktop.importing.numbers import shown
from pacspace_desktop.importing.table import ImportTable, IssueKind, ReadIssue, dedupe_headers

CHUNK_ROWS = 1024
_MEMO_LIMIT = 50_000


class TableBuilder:
    """Turns rows (lists of text) into an `ImportTable`, one chunk of rows at a time.

    Columns whose first chunk repeats values (accounts, currencies, dates) share one string
    object per distinct value, which keeps a million-row file small in memory.
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
        self._memos: list[dict[str, str] | None] | None = None

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
        """Move the collected rows into the columns."""
        if not self.chunk:
            return
        transposed = list(zip(*self.chunk, strict=True))
        self.chunk.clear()
        if self._memos is None:
            self._memos = [{} if len(set(t)) * 4 <= len(t) else None for t in transposed]
        for i, (column, values) in enumerate(zip(self.columns, transposed, strict=True)):
            memo = self._memos[i]
            if memo is None:
                column.extend(values)
                continue
            column.extend(map(memo.setdefault, values, values))
            if len(memo) > _MEMO_LIMIT:
                self._memos[i] = None

    def finish(self, detection: Detection) -> ImportTable:
        """The finished table."""
        self.flush()
        return ImportTable(self.headers, self.columns, self.lines, detection, self.issues,
                           self.header_line)
