"""The problems found in cells and rows, and the per-column format decisions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pacspace_desktop.domain.validation import Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem of one cell, without its row (shared between rows with the same value).

    Attributes:
        column: The source column that caused it, or the field label (`Record key`) when the
            value comes from a pattern or a fixed text; "" for a whole line.
        field: Wire name of the target field (`key`, `accountId`, `bits`, `metadata`) or None.
        code: A stable short code.
        message: The sentence shown to the user.
        severity: Error (the row is held back) or warning.
    """

    column: str
    field: str | None
    code: str
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One problem of one cell (or line), for the grid, the problems panel and the CLI.

    Attributes:
        row: 0-based data row of the table.
        line: The file line where the row starts (header = 1 when it is the first line).
        column: The source column that caused it, or the field label for a pattern or a fixed
            text; "" for a problem of the whole line.
        field: Wire name of the target field, or None.
        code: A stable short code.
        message: The sentence shown to the user.
        severity: Error (the row is held back) or warning (a person should look).
    """

    row: int
    line: int
    column: str
    field: str | None
    code: str
    message: str
    severity: Severity


class FormatKind(StrEnum):
    """What was decided about a column's values."""

    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class ColumnFormat:
    """The decimal separator or date order of a column, with the evidence in words.

    Attributes:
        column: The column name.
        kind: NUMBER or DATE.
        choice: The separator (`point`/`comma`) or order (`day-first`/`month-first`/`auto`).
        evidence: Why, in plain words.
        ambiguous: True when a person must choose.
    """

    column: str
    kind: FormatKind
    choice: str
    evidence: str
    ambiguous: bool = False
