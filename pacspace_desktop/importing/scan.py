"""Checking whole columns fast: C-speed tests for clean columns, shared results otherwise.

Columns are checked in slices of `SLICE` rows: each C-level call then takes a few
milliseconds, so a worker thread lets the UI thread run (a long C call holds the GIL), the
slice stays in the CPU cache between the tests, and one odd cell only sends its own slice
down the per-cell path.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from itertools import compress
from operator import not_

from pacspace_desktop.importing.numbers import all_plain_numbers, bulk_minor_units, plain_amount
from pacspace_desktop.importing.plan import Converter, Finding, Plan

__all__ = ["SLICE", "all_clean_ids", "all_plain_numbers", "cell_check", "longest", "odd_bits",
           "scan_bits", "scan_column", "scan_ids", "scan_odd_ids", "slices"]

SLICE = 1 << 12
_MEMO_LIMIT = 100_000

Check = Callable[[str], tuple[Finding, ...]]
Found = dict[int, list[Finding]]


def slices(values: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(first row, cells) of each slice of a column."""
    for start in range(0, len(values), SLICE):
        yield start, values[start:start + SLICE]


def longest(values: list[str]) -> int:
    """Length of the longest cell of a column (in slices: each C call stays short)."""
    sample = values[:SLICE]
    if len(set(sample)) * 2 <= len(sample):
        # few distinct texts (currencies, regions, dates), shared by the reader: measuring
        # each once is twice as fast as measuring every cell (the hashes are kept)
        return max((max(map(len, set(part))) for _, part in slices(values)), default=0)
    return max((max(map(len, part)) for _, part in slices(values)), default=0)


def all_clean_ids(values: list[str], longest: int) -> bool:
    """True when no key or account ID of a column can have a problem (checked at C speed)."""
    if "" in values or max(map(len, values)) > longest:
        return False
    if not "".join(values).isprintable():
        return False
    # \x1f never occurs in printable text, so it marks where each value starts and ends
    joined = "\x1f" + "\x1f".join(values) + "\x1f"
    return " \x1f" not in joined and "\x1f " not in joined


def cell_check(convert: Converter) -> Check:
    """The problems of one cell under a converter (none for an empty cell)."""
    def check(text: str) -> tuple[Finding, ...]:
        return convert(text)[1] if text.strip() else ()
    return check


class _Shared:
    """Results of a check shared by every cell with the same text."""

    def __init__(self, check: Check) -> None:
        self.check = check
        self.bad: dict[str, tuple[Finding, ...]] = {}
        self.seen: set[str] = set()

    def note(self, start: int, cells: list[str], found: Found,
             rows: Iterator[int] | None = None) -> None:
        """Check the distinct texts of `cells` (first row `start`) once; note bad rows.

        Args:
            start: Row of `cells[0]`.
            cells: The cells.
            found: Problems by row, added to.
            rows: Positions in `cells` to look at (default: all).
        """
        picked = cells if rows is None else [cells[i] for i in rows]
        if rows is not None and not picked:
            return
        distinct = set(picked)
        new = distinct - self.seen
        for text in new:
            findings = self.check(text)
            if findings:
                self.bad[text] = findings
        if len(self.seen) < _MEMO_LIMIT:
            self.seen |= new
        bad = self.bad
        if not bad or bad.keys().isdisjoint(distinct):
            return
        for i in compress(range(len(cells)), map(bad.__contains__, cells)):
            found.setdefault(start + i, []).extend(bad[cells[i]])


def scan_column(values: list[str], check: Check, found: Found,
                quick: Callable[[str], object] | None = None,
                plain: Callable[[list[str]], bool] | None = None) -> int:
    """Check a column, sharing results of repeated values.

    Args:
        values: The column.
        check: The problems of one cell.
        found: Problems by row, added to.
        quick: `quick(text)` truthy means the cell is fine.
        plain: `plain(cells)` True means every cell of a slice is fine.

    Returns:
        The length of the longest cell.
    """
    shared = _Shared(check)
    most = 0
    for start, part in slices(values):
        if plain is None or not plain(part):
            picked = None
            if quick is not None:
                picked = compress(range(len(part)), map(not_, map(quick, part)))
            shared.note(start, part, found, picked)
        most = max(most, max(map(len, part)))
    return most


def scan_ids(values: list[str], check: Check, found: Found, longest: int,
             each: Callable[[list[str]], None] | None = None) -> int:
    """Keys and account IDs: a C-speed test of each slice, the rules for odd slices.

    Args:
        values: The column.
        check: The problems of one value.
        found: Problems by row, added to.
        longest: The longest allowed value.
        each: Called with every slice after its check (while it is in the CPU cache).

    Returns:
        The length of the longest cell.
    """
    most = 0
    for start, part in slices(values):
        if not all_clean_ids(part, longest):
            scan_odd_ids(start, part, check, found, longest)
        most = max(most, max(map(len, part)))
        if each is not None:
            each(part)
    return most


def scan_odd_ids(start: int, part: list[str], check: Check, found: Found,
                 longest: int) -> None:
    """The rules for each cell of a slice of keys or account IDs that is not all clean."""
    memo: dict[str, tuple[Finding, ...]] = {}
    for row, text in enumerate(part, start):
        if (text and len(text) <= longest and text.isprintable() and text[0] != " "
                and text[-1] != " "):
            continue
        findings = memo.get(text)
        if findings is None:
            findings = memo[text] = check(text)
        if findings:
            found.setdefault(row, []).extend(findings)


def scan_bits(texts: list[str], plan: Plan, found: Found) -> tuple[array[int], int]:
    """Bits of every row (0 where there is a problem, noted in `found`).

    Returns:
        The bits, and the length of the longest cell.
    """
    most = plan.limits.max_abs_bits
    bits: array[int] = array("q")
    memo: dict[str, tuple[int | None, tuple[Finding, ...]]] = {}
    longest = 0
    for start, part in slices(texts):
        bulk = bulk_minor_units(part, plan.bits_separator, plan.shift)
        if bulk is not None and max(bulk) <= most >= -min(bulk):
            bits.extend(bulk)
        else:
            bits.extend(odd_bits(start, part, plan, found, memo))
        longest = max(longest, max(map(len, part)))
    return bits, longest


def odd_bits(start: int, texts: list[str], plan: Plan, found: Found,
             memo: dict[str, tuple[int | None, tuple[Finding, ...]]]) -> array[int]:
    """Bits of a slice that is not all plain amounts, cell by cell (answers kept in `memo`)."""
    most = plan.limits.max_abs_bits
    convert, bits = plan.convert_bits, array("q", bytes(8 * len(texts)))
    fullmatch, group = plain_amount(plan.bits_separator)
    shift = plan.shift
    zeros = "0" * shift
    for i, text in enumerate(texts):
        # inline fast path for a plain amount with exactly `shift` decimals (or none)
        m = fullmatch(text) if fullmatch is not None else None
        if m is not None:
            sign, head, frac = m.groups()
            digits = head.replace(group, "") if len(head) > 3 else head
            if frac is None:
                value = int(digits + zeros)
            elif len(frac) == shift:
                value = int(digits + frac)
            else:
                value = most + 1
            if value <= most:
                bits[i] = -value if sign else value
                continue
        result = memo.get(text)
        if result is None:
            result = convert(text)
            if len(memo) < _MEMO_LIMIT:
                memo[text] = result
        converted, findings = result
        if converted is None:
            found.setdefault(start + i, []).extend(findings)
        else:
            bits[i] = converted
    return bits
