"""Find and replace in the cells of a table: plain text or a regular expression, one column or
all, and the list of changes before anything is changed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress

from pacspace_desktop.importing.table import ImportTable

Change = tuple[int, int, str, str]
"""(row, column, old text, new text) of one cell."""


class FindError(ValueError):
    """The search cannot be run (an invalid regular expression); the message says why."""


@dataclass(frozen=True, slots=True)
class FindSpec:
    """What to look for.

    Attributes:
        text: The text (or regular expression) to find.
        regex: `text` is a Python regular expression.
        match_case: Upper and lower case must match.
        whole_cell: The whole cell must match, not a part of it.
    """

    text: str
    regex: bool = False
    match_case: bool = False
    whole_cell: bool = False

    def pattern(self) -> re.Pattern[str]:
        """The compiled search.

        Raises:
            FindError: when `text` is not a valid regular expression, in words.
        """
        if not self.text:
            raise FindError("Type what to find.")
        source = self.text if self.regex else re.escape(self.text)
        try:
            return re.compile(source, 0 if self.match_case else re.IGNORECASE)
        except re.error as exc:
            where = f" at character {exc.pos + 1}" if exc.pos is not None else ""
            raise FindError(f"“{self.text}” is not a valid regular expression: "
                            f"{exc.msg}{where}.") from None

    def matcher(self) -> Callable[[str], bool]:
        """A test of one cell."""
        pattern = self.pattern()
        if not self.regex and self.match_case:
            text = self.text
            if self.whole_cell:
                return text.__eq__
            return lambda cell: text in cell
        probe = pattern.fullmatch if self.whole_cell else pattern.search
        return lambda cell: probe(cell) is not None

    def replacer(self, replacement: str) -> Callable[[str], str]:
        """The new text of one cell (unchanged when it does not match).

        Raises:
            FindError: when the pattern or a group named in `replacement` is wrong.
        """
        pattern = self.pattern()
        template = replacement if self.regex else replacement.replace("\\", "\\\\")
        if self.whole_cell:
            def whole(cell: str) -> str:
                m = pattern.fullmatch(cell)
                return cell if m is None else m.expand(template)
            return whole
        if not self.regex and self.match_case:
            text = self.text
            return lambda cell: cell.replace(text, replacement) if text in cell else cell
        return lambda cell: pattern.sub(template, cell)


def find_changes(table: ImportTable, spec: FindSpec, replacement: str,
                 columns: Sequence[int] | None = None,
                 skip: Callable[[int], bool] | None = None) -> list[Change]:
    """Every cell a replace would change, column by column in row order.

    Each distinct value is looked at once (repeated values share the answer), so a million-row
    column with a few hundred customers costs one pass at C speed.

    Args:
        table: The cells.
        spec: What to find.
        replacement: What to put instead (`\\1` names a group of a regular expression).
        columns: Table columns to search (default: all).
        skip: Rows not to change (e.g. rows already sent).

    Raises:
        FindError: when the search or the replacement is not valid.
    """
    replace = spec.replacer(replacement)
    changes: list[Change] = []
    for col in range(len(table.headers)) if columns is None else columns:
        cells = table.columns[col]
        try:
            new = {v: n for v in set(cells) if (n := replace(v)) != v}
        except (re.error, IndexError) as exc:
            raise FindError(f"The replacement “{replacement}” does not fit the pattern: "
                            f"{exc}.") from None
        if not new:
            continue
        rows = compress(range(len(cells)), map(new.__contains__, cells))
        changes += [(r, col, cells[r], new[cells[r]]) for r in rows
                    if skip is None or not skip(r)]
    changes.sort(key=lambda c: (c[0], c[1]))
    return changes


def find_cells(table: ImportTable, spec: FindSpec, columns: Sequence[int] | None = None,
               rows: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """(row, column) of every cell that matches, in row order (`rows` gives the order)."""
    match = spec.matcher()
    wanted = range(len(table.headers)) if columns is None else columns
    hits: set[tuple[int, int]] = set()
    for col in wanted:
        cells = table.columns[col]
        found = {v for v in set(cells) if match(v)}
        if found:
            hits.update((r, col) for r in compress(range(len(cells)),
                                                   map(found.__contains__, cells)))
    return sorted(hits)
