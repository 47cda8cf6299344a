"""The full check's column passes: each mapped column is read once, a slice at a time, and
every test of a slice runs while its cells are in the CPU cache — its field's rules, a leading
apostrophe, Excel error values, total labels and the longest cell.

A column of 100,000 distinct keys costs ~13 ms for every pass over its cells (they lie all
over memory); the tests on one joined text of a slice cost next to nothing. The re-check of
edited rows (`rowscan.cell_checks` with rows) finds exactly the same: tests compare the two.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain

from pacspace_desktop.importing.cells import has_excel_errors, may_hold_total_label, total_label_in
from pacspace_desktop.importing.findings import Finding
from pacspace_desktop.importing.mapping import FieldSource, MetadataType, SourceKind
from pacspace_desktop.importing.numbers import PLAIN_LONGEST, bulk_minor_units
from pacspace_desktop.importing.plan import Plan, trimmed
from pacspace_desktop.importing.rowscan import (
    apply_excel_errors,
    apply_total_rows,
    excel_positions,
    number_fast_paths,
    signed_bits,
)
from pacspace_desktop.importing.scan import (
    cell_check,
    odd_bits,
    scan_bits,
    scan_column,
    scan_ids,
    scan_odd_ids,
    slices,
)

__all__ = ["Marks", "full_checks", "id_column"]

Found = dict[int, list[Finding]]
Check = Callable[[str], tuple[Finding, ...]]


@dataclass(slots=True)
class Marks:
    """What the column passes note for the row-wide rules that come after them.

    Attributes:
        lengths: The longest cell of each column a pass went through (by column index).
        excel: Rows whose cell in a mapped column may hold an Excel error value.
        labelled: Slices of rows whose key or account may be a total label.
        covered: Columns already looked at for Excel error values.
    """

    lengths: dict[int, int]
    excel: set[int] = field(default_factory=set)
    labelled: list[range] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)


def _bar(part: list[str]) -> str:
    """The cells of a slice joined, each between two `\\x1f` (which no clean cell holds)."""
    return "\x1f" + "\x1f".join(part) + "\x1f"


def _clean(part: list[str], bar: str, most: int, longest: int) -> bool:
    """`scan.all_clean_ids` of a slice from its joined text: no empty cell, none too long,
    all printable, no space at either end of a cell."""
    return (most <= longest and "\x1f\x1f" not in bar and " \x1f" not in bar
            and "\x1f " not in bar and "".join(part).isprintable())


def id_column(plan: Plan, source: FieldSource, check: Check, found: Found, marks: Marks,
              each: Callable[[list[str]], None] | None = None) -> list[str]:
    """Keys or account IDs: every row's value (apostrophes trimmed as the mapping says), its
    problems into `found`; Excel errors, total labels and the longest cell into `marks`.

    Args:
        plan: The plan.
        source: `plan.key_source` or `plan.account_source`.
        check: The problems of one value.
        found: Problems by row, added to.
        marks: Added to.
        each: Called with every slice of values after its check.
    """
    longest = plan.limits.max_id_length
    if source.kind is not SourceKind.COLUMN:  # a pattern or a constant: made row by row
        values = plan.values(source)
        scan_ids(values, check, found, longest, each)
        marks.labelled.extend(range(start, start + len(part)) for start, part in slices(values)
                              if may_hold_total_label(part))
        return values
    index = plan.table.column_index(source.value)
    raw = plan.table.columns[index]
    trim = plan.mapping.trim_apostrophes
    pieces: list[list[str]] = []
    changed = False
    most = 0
    for start, part in slices(raw):
        bar = _bar(part)
        if "\x1f#" in bar:
            marks.excel.update(excel_positions(start, part))
        if trim and "\x1f'" in bar:
            part = [trimmed(text) for text in part]
            bar = _bar(part)
            changed = True
        n = max(map(len, part))
        if not _clean(part, bar, n, longest):
            scan_odd_ids(start, part, check, found, longest)
        most = max(most, n)
        if total_label_in(bar):
            marks.labelled.append(range(start, start + len(part)))
        pieces.append(part)
        if each is not None:
            each(part)
    marks.covered.add(index)
    marks.lengths[index] = most
    return list(chain.from_iterable(pieces)) if changed else raw


def _bits(plan: Plan, found: Found, marks: Marks) -> array[int]:
    """Every row's bits (0 where there is a problem, noted in `found`)."""
    if plan.signed:
        return signed_bits(plan, range(plan.table.row_count), found)
    source = plan.bits_source
    if source.kind is not SourceKind.COLUMN:
        return scan_bits(plan.bits_values(), plan, found)[0]
    index = plan.table.column_index(source.value)
    trim, default = plan.mapping.trim_apostrophes, plan.mapping.bits_default
    separator, shift, most = plan.bits_separator, plan.shift, plan.limits.max_abs_bits
    bits: array[int] = array("q")
    memo: dict[str, tuple[int | None, tuple[Finding, ...]]] = {}
    longest = 0
    bound = PLAIN_LONGEST + 1 + shift  # an upper bound is all `_check_sizes` needs
    for start, part in slices(plan.table.columns[index]):
        bulk = bulk_minor_units(part, separator, shift)
        if bulk is None or not max(bulk) <= most >= -min(bulk):
            # not all plain amounts (which start with a digit or a minus): as `scan_bits`
            # on `plan.bits_values()`
            bar = _bar(part)
            if "\x1f#" in bar:
                marks.excel.update(excel_positions(start, part))
            changed = bool(default)
            if trim and "\x1f'" in bar:
                part = [trimmed(text) for text in part]
                changed = True
            if default:
                part = [text if text.strip() else default for text in part]
            if changed:
                bulk = bulk_minor_units(part, separator, shift)
            if bulk is not None and max(bulk) <= most >= -min(bulk):
                bits.extend(bulk)
            else:
                bits.extend(odd_bits(start, part, plan, found, memo))
            longest = max(longest, max(map(len, part)))
        else:
            bits.extend(bulk)
            longest = max(longest, bound)  # no need to measure plain amounts
    marks.covered.add(index)
    marks.lengths[index] = longest
    return bits


def full_checks(plan: Plan, found: Found, marks: Marks) -> array[int]:
    """Accounts, bits, metadata, Excel errors and total rows of every row (the keys already
    went through `id_column` into `found` and `marks`); returns the bits of each row."""
    table = plan.table
    id_column(plan, plan.account_source, plan.account_findings, found, marks)
    bits = _bits(plan, found, marks)
    for meta, index, convert in plan.metadata:
        if meta.type is MetadataType.TEXT:
            continue  # any text is fine
        marks.lengths[index] = scan_column(table.columns[index], cell_check(convert), found,
                                           *number_fast_paths(plan, meta))
    for index in plan.mapped_columns:
        if index not in marks.covered:
            for start, part in slices(table.columns[index]):
                if has_excel_errors(part):
                    marks.excel.update(excel_positions(start, part))
    apply_excel_errors(plan, None, found, marks.excel)
    apply_total_rows(plan, None, found, marks.labelled)
    return bits
