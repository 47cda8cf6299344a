"""Control totals: rows, valid rows, and per account the number of items and sum of bits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

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
    return ControlTotals(validation.row_count, validation.valid_count,
                         {a: AccountTotal(count[a], total[a]) for a in sorted(count)})
