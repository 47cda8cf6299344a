"""Writing the rows that have problems to a CSV a clerk can open in Excel and fix."""

from __future__ import annotations

import csv
from pathlib import Path

from pacspace_desktop.importing.validate import TableValidation

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """Prefix an apostrophe to a cell that a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_problems_csv(validation: TableValidation, path: Path, *,
                        errors_only: bool = False) -> int:
    """Write every row with a problem, its file line and a "Problem" column, to `path`.

    The file is UTF-8 with a byte order mark (so Excel reads accents right); cells that look
    like formulas are neutralised.

    Args:
        validation: The checked table.
        path: Where to write.
        errors_only: Leave out rows that have only warnings.

    Returns:
        The number of rows written.

    Raises:
        OSError: when the file cannot be written.
    """
    table = validation.table
    rows = validation.error_rows() if errors_only else validation.rows_with_problems()
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralize(h) for h in ["Line", *table.headers, "Problem"]])
        for row in rows:
            problems = validation.row_problems(row)
            text = " ".join(
                (f"{p.column}: " if p.column and not p.message.startswith(p.column) else "")
                + p.message for p in problems)
            writer.writerow([str(table.line_of(row) or "new"),
                             *(neutralize(v) for v in table.row_values(row)),
                             neutralize(text)])
    return len(rows)
