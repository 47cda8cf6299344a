"""Rules of a whole row beyond its cells: the sign of the amount (a debit/credit column or two
columns), Excel error values in any mapped column, and total or subtotal rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacspace_desktop.domain.limits import Limits
from pacspace_desktop.domain.validation import check_bits
from pacspace_desktop.importing.cells import (
    excel_error,
    excel_error_message,
    total_cell,
    total_label,
)
from pacspace_desktop.importing.findings import Finding
from pacspace_desktop.importing.mapping import Mapping, SignKind
from pacspace_desktop.importing.numbers import (
    DecimalSeparator,
    NumberError,
    parse_number,
    shown,
    to_minor_units,
)
from pacspace_desktop.importing.table import ImportTable

if TYPE_CHECKING:
    from collections.abc import Callable


class RowRules:
    """The row-wide rules of a `Plan` (its base class; the state is set up there)."""

    table: ImportTable
    mapping: Mapping
    limits: Limits
    mapped_columns: list[int]
    sign_column: str
    bits_column: str
    credit_separator: DecimalSeparator
    _positive: set[str]
    _negative: set[str]
    key_at: Callable[[int], str]
    account_at: Callable[[int], str]
    bits_at: Callable[[int], str]
    sign_at: Callable[[int], str]

    def convert_bits(self, text: str) -> tuple[int | None, tuple[Finding, ...]]:
        raise NotImplementedError

    def cell_findings(self, row: int) -> list[Finding]:
        """Excel error values in the row's mapped columns, as findings."""
        found = []
        for index in self.mapped_columns:
            error = excel_error(self.table.columns[index][row])
            if error is not None:
                name = self.table.headers[index]
                found.append(Finding(name, self._field_of(name), "excel_error",
                                     excel_error_message(name, error)))
        return found

    def _field_of(self, column: str) -> str | None:
        for wire, src in self.mapping.sources().items():
            if src is not None and column in src.columns():
                return wire
        return "bits" if column == self.sign_column else "metadata"

    def total_row_label(self, row: int) -> str | None:
        """The label when a row is a total or subtotal line (`Total`, `Summe`, `Gesamt`,
        `Closing balance`), else None.

        With both a key and an account, one of them must be only the label (a customer
        called "Sum Logistics" with an invoice number is an invoice); with one of them empty,
        the other may read like one ("Total invoice 1003"); with both empty, the row's first
        filled cell may, or any cell that is only the label."""
        key, account = self.key_at(row).strip(), self.account_at(row).strip()
        if key and account:
            return key if total_cell(key) else account if total_cell(account) else None
        for text in (key, account):
            if total_label(text):
                return text
        first = True
        for column in self.table.columns:  # the first filled cell, or any that is only a label
            text = column[row].strip()
            if text and (total_label(text) if first else total_cell(text)):
                return text
            first = first and not text
        return None

    def row_bits(self, row: int) -> tuple[int | None, tuple[Finding, ...]]:
        """Bits of one row with the sign rule applied (a debit/credit column, two columns)."""
        text = self.bits_at(row)
        kind = self.mapping.sign.kind
        if kind is SignKind.NONE:
            return self.convert_bits(text)
        other = self.sign_at(row)
        if kind is SignKind.TWO_COLUMNS:
            return self._two_columns(text, other)
        value, findings = self.convert_bits(text)
        if value is None:
            return value, findings
        marker = other.strip().casefold()
        column = self.sign_column
        if not marker:
            return None, (Finding(column, "bits", "sign_missing",
                                  f"{column} is empty: it must say whether “{shown(text)}” "
                                  f"adds ({'/'.join(self.mapping.sign.positive)}) or "
                                  f"subtracts ({'/'.join(self.mapping.sign.negative)})."),)
        if marker not in self._positive and marker not in self._negative:
            sign = self.mapping.sign
            sign = self.mapping.sign
            return None, (Finding(column, "bits", "sign_unknown",
                                  f"{column} “{shown(other)}” is neither {sign.positive[0]} "
                                  f"nor {sign.negative[0]}: the sign of the amount is "
                                  "unknown."),)
        if value < 0:
            return None, (Finding(self.bits_column, "bits", "sign_twice",
                                  f"{self.bits_column} “{shown(text)}” already has a minus "
                                  f"sign, and {column} gives the sign too: correct the file "
                                  "so that only one of them says it."),)
        return (-value if marker in self._negative else value), ()

    def _two_columns(self, debit: str, credit: str) -> tuple[int | None, tuple[Finding, ...]]:
        column, credit_column = self.bits_column, self.sign_column
        if not debit.strip() and not credit.strip():
            return None, (Finding(column, "bits", "missing",
                                  f"{column} and {credit_column} are both empty."),)
        add, found = self.convert_bits(debit) if debit.strip() else (0, ())
        if add is None:
            return None, found
        take, found = ((self._convert(credit, self.credit_separator, credit_column))
                       if credit.strip() else (0, ()))
        if take is None:
            return None, found
        if add < 0 or take < 0:
            return None, (Finding(column if add < 0 else credit_column, "bits", "sign_twice",
                                  f"“{shown(debit if add < 0 else credit)}” has a minus sign "
                                  f"in a column that only adds or only subtracts."),)
        if add and take:
            return None, (Finding(column, "bits", "both_sides",
                                  f"{column} and {credit_column} both hold an amount "
                                  f"(“{shown(debit)}” and “{shown(credit)}”): only one of "
                                  "them may."),)
        return add - take, ()

    def _convert(self, text: str, separator: DecimalSeparator, column: str
                 ) -> tuple[int | None, tuple[Finding, ...]]:
        try:
            bits = to_minor_units(parse_number(text, separator), self.mapping.amount.factor)
        except NumberError as exc:
            return None, (Finding(column, "bits", "not_integer", _sentence(column, exc)),)
        if abs(bits) > self.limits.max_abs_bits:
            problem = check_bits(bits, self.limits)[0]
            return None, (Finding(column, "bits", problem.code, problem.message),)
        return bits, ()


def _sentence(column: str, exc: ValueError) -> str:
    text = str(exc)
    return f"{column} {text}" if text.startswith("“") else f"{column}: {text}"
