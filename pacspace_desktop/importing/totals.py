"""Control totals: rows, valid rows, and per account the number of items and sum of bits."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    plan = validation.plan
    accounts = plan.values(plan.account_source)
    bits = validation.bits
    count: dict[str, int] = {}
    total: dict[str, int] = {}
    for row in validation.valid_rows():
        account = accounts[row]
        count[account] = count.get(account, 0) + 1
        total[account] = total.get(account, 0) + bits[row]
    return ControlTotals(validation.row_count, validation.valid_count,
                         {a: AccountTotal(count[a], total[a]) for a in sorted(count)})
