"""Control totals: rows, valid rows, and per account the number of items and sum of bits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pacspace_desktop.importing.cells import is_balance_label
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.importing.scan import SLICE
from pacspace_desktop.importing.validate import TableValidation


@dataclass(frozen=True, slots=True)
class AccountTotal:
    """Valid items of one account and the sum of their bits."""

    items: int
    bits: int


@dataclass(frozen=True, slots=True)
class ControlTotals:
    """What a clerk compares with the source system before sending.

    Attributes:
        rows: Data rows in the file.
        valid_rows: Rows without errors (they would be sent).
        accounts: For each account ID (sorted), the valid items and their bits.
    """

    rows: int
    valid_rows: int
    accounts: dict[str, AccountTotal] = field(default_factory=dict)

    @property
    def bits(self) -> int:
        """Sum of bits of all valid rows."""
        return sum(t.bits for t in self.accounts.values())

    @property
    def items(self) -> int:
        """Items that would be sent (lines added up count once)."""
        return sum(t.items for t in self.accounts.values())


@dataclass(frozen=True, slots=True)
class FileTotal:
    """A total or subtotal row of the file, compared with the lines above it.

    Attributes:
        line: Its file line.
        label: Its label ("Total", "Summe").
        bits: Its amount in bits, or None when it has none that reads.
        lines: The item lines it is compared with (since the previous total row, or all).
        lines_bits: Their bits (the lines whose amount reads, valid or not).
        matches: True when the amounts agree (with the lines since the previous total, or
            with all lines above it).
    """

    line: int
    label: str
    bits: int | None
    lines: int
    lines_bits: int
    matches: bool | None

    def describe(self) -> str:
        """One sentence for the review and the CLI."""
        if self.bits is None:
            return (f"Line {self.line} is a total row (“{self.label}”) without an amount to "
                    "compare.")
        above = f"the {self.lines:,} line{'s' if self.lines != 1 else ''} above it"
        if self.matches:
            return (f"The file's total on line {self.line} (“{self.label}”, {self.bits:,} "
                    f"bits) equals {above}.")
        return (f"The file's total on line {self.line} (“{self.label}”, {self.bits:,} bits) "
                f"differs from {above} ({self.lines_bits:,} bits) by "
                f"{self.bits - self.lines_bits:,} bits: check the file before sending.")


def file_totals(validation: TableValidation) -> list[FileTotal]:
    """The file's own total rows, each compared with the item lines above it."""
    plan = validation.plan
    totals = validation.total_rows()
    marks = set(totals)
    totals = [r for r in totals if not is_balance_label(plan.total_row_label(r) or "")]
    if not totals:
        return []
    found = []
    bad_bits = {r for r in validation.rows_with_problems()
                if any(p.field == "bits" and p.severity.value == "error"
                       for p in validation.row_problems(r))}
    bits_ok = [r not in bad_bits for r in range(validation.row_count)]
    start, everything, count_all = 0, 0, 0
    for row in totals:
        section = [r for r in range(start, row) if r not in marks and bits_ok[r]]
        section_bits = sum(validation.bits[r] for r in section)
        everything += section_bits
        count_all += len(section)
        value, _problems = plan.row_bits(row)
        label = plan.total_row_label(row) or ""
        matches = None if value is None else value in (section_bits, everything)
        whole = not section or (value is not None and value == everything != section_bits)
        lines, lines_bits = (count_all, everything) if whole else (len(section), section_bits)
        found.append(FileTotal(validation.table.line_of(row), label, value, lines,
                               lines_bits, matches))
        start = row + 1
    return found


def control_totals(validation: TableValidation) -> ControlTotals:
    """Totals of the valid rows, as they stand now (edits included)."""
    with gc_paused():
        return _totals(validation)


def _totals(validation: TableValidation) -> ControlTotals:
    plan = validation.plan
    accounts = plan.values(plan.account_source)
    bits = validation.bits
    every = validation.valid_count == validation.row_count
    valid = range(validation.row_count) if every else validation.valid_rows()
    count: Counter[str] = Counter()
    total: dict[str, int] = {}
    get = total.get
    for start in range(0, len(valid), SLICE):
        rows = valid[start:start + SLICE]
        if every:
            names: list[str] = accounts[start:start + SLICE]
            amounts: Iterable[int] = bits[start:start + SLICE]
        else:
            names = list(map(accounts.__getitem__, rows))
            amounts = map(bits.__getitem__, rows)
        count.update(names)
        for account, amount in zip(names, amounts, strict=True):
            total[account] = get(account, 0) + amount
    for record in validation.combined():  # the lines of an invoice added up: one item
        count[record.account_id] -= len(record.rows) - 1
    return ControlTotals(validation.row_count, validation.valid_count,
                         {a: AccountTotal(count[a], total[a]) for a in sorted(count)})
