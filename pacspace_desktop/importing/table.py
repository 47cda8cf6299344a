"""The imported table: column-oriented text cells with the file line of every row."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from pacspace_desktop.importing.detect import Detection


class IssueKind(StrEnum):
    """What went wrong while reading a line of the file."""

    TOO_FEW_FIELDS = "too_few_fields"
    TOO_MANY_FIELDS = "too_many_fields"
    NUL_BYTE = "nul_byte"
    UNDECODABLE = "undecodable"
    UNCLOSED_QUOTE = "unclosed_quote"
    UNREADABLE_LINE = "unreadable_line"


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """A problem found while reading, tied to a file line and, when kept, a table row.

    Attributes:
        line: File line number (1-based) where the problem is.
        row: 0-based data row in the table, or None when the line could not be kept.
        kind: What went wrong.
        message: The sentence shown to the user.
        is_error: True when the row cannot be trusted (it is held back); False for a warning.
    """

    line: int
    row: int | None
    kind: IssueKind
    message: str
    is_error: bool = True


def dedupe_headers(names: Sequence[str]) -> list[str]:
    """Unique, non-empty column names: `Amount`, `Amount (2)`; a blank name becomes `Column 3`.

    Args:
        names: Raw header cells in file order.
    """
    seen: set[str] = set()
    out: list[str] = []
    for position, raw in enumerate(names, start=1):
        base = " ".join(raw.split()) or f"Column {position}"
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name.casefold())
        out.append(name)
    return out


@dataclass(slots=True)
class RowBlock:
    """Whole rows taken out of (or to be put into) a table: the cells column by column, the
    file line of each row (0 for a row added by hand) and the reading issues of those rows
    (their `row` counted from the block's first row).
    """

    columns: list[list[str]]
    lines: list[int]
    issues: list[ReadIssue] = field(default_factory=list)

    @classmethod
    def of_rows(cls, rows: Sequence[Sequence[str]], width: int) -> RowBlock:
        """New rows (file line 0) from row-wise cells, padded or cut to `width` columns."""
        padded = [[*row[:width], *([""] * (width - len(row)))] for row in rows]
        return cls([list(col) for col in zip(*padded, strict=True)] if padded
                   else [[] for _ in range(width)], [0] * len(rows))

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(slots=True)
class ImportTable:
    """Cells of a file as text, one list per column (no per-row objects: 1M rows fit).

    Attributes:
        headers: Unique column names in file order.
        columns: One list of raw text cells per header; every list has `row_count` cells.
        source_lines: For each row, the file line where it starts (header line 1 ⇒ first row 2).
        detection: What was detected about the file and why.
        issues: Problems found while reading (ragged rows, bad bytes, unclosed quotes).
        header_line: File line of the header row, or 0 when the file has none.
        preamble: The fields of the lines above the header (a DATEV file's period line).
        warnings: What a person should know about the whole file (text that looks garbled).
    """

    headers: list[str]
    columns: list[list[str]]
    source_lines: array[int]
    detection: Detection
    issues: list[ReadIssue] = field(default_factory=list)
    header_line: int = 1
    preamble: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        """Number of data rows."""
        return len(self.source_lines)

    def column_index(self, name: str) -> int:
        """Position of the column `name`.

        Raises:
            KeyError: when there is no such column.
        """
        try:
            return self.headers.index(name)
        except ValueError:
            raise KeyError(name) from None

    def column(self, name: str) -> list[str]:
        """The cells of column `name` (the live list: do not change it directly)."""
        return self.columns[self.column_index(name)]

    def cell(self, row: int, column: int) -> str:
        """The text of one cell."""
        return self.columns[column][row]

    def set_cell(self, row: int, column: int, text: str) -> None:
        """Change one cell (an edit in the grid); then call `revalidate_rows([row])`."""
        self.columns[column][row] = text

    def insert_rows(self, at: int, block: RowBlock) -> None:
        """Put whole rows before row `at` (`row_count` appends); later rows move down.

        Use `TableValidation.insert_rows` instead when the table has been checked.
        """
        n = len(block)
        for column, cells in zip(self.columns, block.columns, strict=True):
            column[at:at] = cells  # in place: checks hold the column lists
        self.source_lines[at:at] = array("q", block.lines)
        moved = [replace(i, row=i.row + n) if i.row is not None and i.row >= at else i
                 for i in self.issues]
        self.issues[:] = moved + [replace(i, row=(i.row or 0) + at) for i in block.issues]

    def delete_rows(self, at: int, count: int) -> RowBlock:
        """Take out `count` rows from row `at` (later rows move up); returns them, to put back.

        Use `TableValidation.delete_rows` instead when the table has been checked.
        """
        stop = at + count
        block = RowBlock([column[at:stop] for column in self.columns],
                         list(self.source_lines[at:stop]))
        for column in self.columns:
            del column[at:stop]
        del self.source_lines[at:stop]
        kept: list[ReadIssue] = []
        for issue in self.issues:
            row = issue.row
            if row is not None and at <= row < stop:
                block.issues.append(replace(issue, row=row - at))
            elif row is not None and row >= stop:
                kept.append(replace(issue, row=row - count))
            else:
                kept.append(issue)
        self.issues[:] = kept
        return block

    def row_values(self, row: int) -> list[str]:
        """All cells of one row, in column order."""
        return [col[row] for col in self.columns]

    def line_of(self, row: int) -> int:
        """The file line where data row `row` starts (0 for a row added in the grid)."""
        return self.source_lines[row]

    def issues_by_row(self) -> dict[int, list[ReadIssue]]:
        """Reading issues tied to kept rows, grouped by row."""
        grouped: dict[int, list[ReadIssue]] = {}
        for issue in self.issues:
            if issue.row is not None:
                grouped.setdefault(issue.row, []).append(issue)
        return grouped
