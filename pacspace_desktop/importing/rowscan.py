"""Row-wide checks over many rows at once — sign rules, Excel error values, total rows — for
the full check and for big re-checks after an edit, which go through the same column scans
on the edited rows only.

`found` maps a position in `rows` to its findings; for the full check `rows` is every row.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterator, Sequence

from pacspace_desktop.importing.cells import (
    has_excel_errors,
    is_balance_label,
    may_hold_total_label,
)
from pacspace_desktop.importing.findings import Finding
from pacspace_desktop.importing.mapping import MetadataColumn, MetadataType
from pacspace_desktop.importing.numbers import plain_amount, shown
from pacspace_desktop.importing.plan import Plan
from pacspace_desktop.importing.scan import (
    all_plain_numbers,
    cell_check,
    scan_bits,
    scan_column,
    scan_ids,
    slices,
)

Found = dict[int, list[Finding]]


def gathered(column: list[str], rows: Sequence[int] | None) -> list[str]:
    """The column itself (every row), or its cells of `rows`."""
    return column if rows is None else [column[r] for r in rows]


def signed_bits(plan: Plan, rows: Sequence[int], found: Found) -> array[int]:
    """Bits with the sign rule applied, row by row (answers shared for repeated pairs)."""
    bits: array[int] = array("q", bytes(8 * len(rows)))
    memo: dict[tuple[str, str], tuple[int | None, tuple[Finding, ...]]] = {}
    for pos, row in enumerate(rows):
        pair = (plan.bits_at(row), plan.sign_at(row))
        result = memo.get(pair)
        if result is None:
            result = memo[pair] = plan.row_bits(row)
        value, findings = result
        if value is None:
            found.setdefault(pos, []).extend(findings)
        else:
            bits[pos] = value
    return bits


def excel_first(found: list[Finding], errors: list[Finding]) -> list[Finding]:
    """The Excel error of a cell instead of "“#DIV/0!” is not a number" for the same cell."""
    columns = {f.column for f in errors}
    return [*(f for f in found if f.column not in columns), *errors]


def excel_errors(plan: Plan, rows: Sequence[int] | None, found: Found) -> None:
    """Excel error values (`#N/A`, `#REF!`, …) in any mapped column are problems."""
    columns = plan.table.columns
    positions: set[int] = set()
    for index in plan.mapped_columns:
        for start, part in slices(gathered(columns[index], rows)):
            if has_excel_errors(part):
                positions.update(excel_positions(start, part))
    apply_excel_errors(plan, rows, found, positions)


def excel_positions(start: int, part: list[str]) -> Iterator[int]:
    """Positions of the cells of a slice (first at `start`) that may hold an error value."""
    return (start + i for i, text in enumerate(part) if text[:2].strip()[:1] == "#")


def apply_excel_errors(plan: Plan, rows: Sequence[int] | None, found: Found,
                       positions: set[int]) -> None:
    """The Excel error of each cell at `positions` instead of the findings of that cell."""
    for pos in sorted(positions):
        extra = plan.cell_findings(pos if rows is None else rows[pos])
        if extra:
            found[pos] = excel_first(found.get(pos, []), extra)


def total_finding(plan: Plan, row: int) -> Finding | None:
    """The finding of a total or balance row, or None for an ordinary row."""
    label = plan.total_row_label(row)
    if label is None:
        return None
    kind = "balance" if is_balance_label(label) else "total"
    return Finding("", None, "total_row",
                   f"A {kind} row (“{shown(label)}”), not an item: it is left out of what "
                   "is sent.")


def total_rows(plan: Plan, rows: Sequence[int] | None, found: Found, keys: list[str],
               accounts: list[str]) -> None:
    """Total and subtotal rows are left out of the items, with their own reason."""
    labelled: list[range] = []
    for values in (keys, accounts):
        for start, part in slices(values):
            if may_hold_total_label(part):
                labelled.append(range(start, start + len(part)))
    apply_total_rows(plan, rows, found, labelled)


def apply_total_rows(plan: Plan, rows: Sequence[int] | None, found: Found,
                     labelled: list[range]) -> None:
    """`total_rows` with the slices whose keys or accounts may hold a label already found."""
    candidates = {pos for pos, fs in found.items()
                  if any(f.field in ("key", "accountId") for f in fs)}
    for positions in labelled:
        candidates.update(positions)
    for pos in sorted(candidates):
        finding = total_finding(plan, pos if rows is None else rows[pos])
        if finding is not None:
            kept = [f for f in found.get(pos, ()) if f.field is None]
            found[pos] = [*kept, finding]


def cell_checks(plan: Plan, rows: Sequence[int] | None, found: Found, keys: list[str],
                lengths: dict[int, int] | None = None) -> array[int]:
    """Accounts, bits, metadata, Excel errors and total rows of `rows` (keys already scanned
    into `found`), column by column; returns the bits of each position."""
    longest = plan.limits.max_id_length
    table = plan.table
    # the rows of a big edit row by row (short calls: the Qt thread keeps the GIL turning);
    # every row through the whole column
    account_at = plan.account_at
    accounts = (plan.values(plan.account_source) if rows is None
                else [account_at(r) for r in rows])
    most = scan_ids(accounts, plan.account_findings, found, longest)
    if lengths is not None and plan.account_source.kind.value == "column":
        lengths[table.column_index(plan.account_source.value)] = most
    if plan.signed:
        bits = signed_bits(plan, range(table.row_count) if rows is None else rows, found)
    else:
        bits_at = plan.bits_at
        texts = plan.bits_values() if rows is None else [bits_at(r) for r in rows]
        bits, most = scan_bits(texts, plan, found)
        if lengths is not None and plan.bits_source.kind.value == "column":
            lengths[table.column_index(plan.bits_source.value)] = most
    for meta, index, convert in plan.metadata:
        if meta.type is MetadataType.TEXT:
            continue  # any text is fine
        most = scan_column(gathered(table.columns[index], rows), cell_check(convert), found,
                           *number_fast_paths(plan, meta))
        if lengths is not None:
            lengths[index] = most
    excel_errors(plan, rows, found)
    total_rows(plan, rows, found, keys, accounts)
    return bits


def number_fast_paths(plan: Plan, meta: MetadataColumn
                      ) -> tuple[Callable[[str], object] | None,
                                 Callable[[list[str]], bool] | None]:
    """`scan_column`'s C-speed tests for a metadata column: one cell, and a whole slice of
    plain numbers (none for a column that is not a number)."""
    if meta.type is not MetadataType.NUMBER:
        return None, None
    separator = plan.separators[meta.column]
    return (plain_amount(separator)[0],
            functools.partial(all_plain_numbers, separator=separator))
