"""A write item and the conversion of raw values (JSON, typed text) into one."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pacspace_desktop.domain.jsonwire import JsonValue


@dataclass(frozen=True, slots=True)
class WriteItem:
    """One item of `POST /api/v1/writes`.

    Attributes:
        key: Unique record identifier (e.g. an invoice number).
        account_id: The account or entity the record belongs to (`accountId` on the wire).
        bits: Integer delta the record adds; negative subtracts.
        metadata: Optional JSON object stored with the record. Numbers are `Decimal` or `int`.
    """

    key: str
    account_id: str
    bits: int
    metadata: Mapping[str, JsonValue] | None = field(default=None, compare=True, hash=False)

    def to_wire(self) -> dict[str, JsonValue]:
        """The item as PacSpace expects it in the request body."""
        wire: dict[str, JsonValue] = {"key": self.key, "accountId": self.account_id,
                                      "bits": self.bits}
        if self.metadata is not None:
            wire["metadata"] = dict(self.metadata)
        return wire


class BitsError(ValueError):
    """A value cannot be an integer `bits`; the message is in a clerk's words."""


_DIGITS = re.compile(r"[0-9]+")


def bits_from_json(value: object) -> int:
    """Convert a raw JSON value into `bits`, refusing anything that is not exactly an integer.

    Raises:
        BitsError: for fractions, text, yes/no values, NaN, infinities or missing values.
    """
    if value is None:
        raise BitsError("Bits is missing. Enter a whole number, like 12.")
    if isinstance(value, bool):
        raise BitsError("Bits must be a whole number, not yes/no (true/false).")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise BitsError("Bits must be a whole number; this value is not a number.")
        if isinstance(value, Decimal) and not value.is_finite():
            raise BitsError("Bits must be a whole number; this value is not a number.")
        if isinstance(value, Decimal) and abs(value.adjusted()) > 30:
            # before format(): "1e999999999" written out would take gigabytes
            raise BitsError("Bits is far too large to be a whole number PacSpace accepts.")
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        raise BitsError(
            f"Bits must be a whole number without a decimal point; {text} is not.")
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise BitsError(f"Bits must be a number, not text (“{shown}”).")
    raise BitsError(f"Bits must be a whole number, not a {_kind(value)}.")


def bits_from_text(text: str, *, group_separators: str = ",. \u00a0\u202f'") -> int:
    """Convert typed text into `bits`: negative numbers and thousands grouping, never a fraction.

    `1,234`, `1.234`, `1 234` and `-1'234` all give 1234 or -1234 when every group after the
    first has exactly three digits. `1.5` or `1,50` are refused: they are fractions.

    Raises:
        BitsError: with words that say what is wrong and how to write it.
    """
    raw = text.strip()
    if not raw:
        raise BitsError("Bits is missing. Enter a whole number, like 12.")
    sign = ""
    if raw[0] in "+-\u2212":
        sign = "-" if raw[0] in "-\u2212" else ""
        raw = raw[1:].strip()
    if _DIGITS.fullmatch(raw):
        return int(sign + raw)
    seps = {ch for ch in raw if not ch.isdigit()}
    if len(seps) == 1 and next(iter(seps)) in group_separators:
        sep = next(iter(seps))
        groups = raw.split(sep)
        digits = all(_DIGITS.fullmatch(g) for g in groups)
        if digits and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            return int(sign + "".join(groups))
        if digits and len(groups) == 2:
            raise BitsError(f"Bits must be a whole number; “{text.strip()}” has a fraction.")
    raise BitsError(f"Bits must be a whole number, like 12 or -3; “{text.strip()}” is not.")


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "group of values"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def as_mapping(value: Any) -> Mapping[str, Any] | None:
    """Return `value` when it is a JSON object, else None."""
    return value if isinstance(value, Mapping) else None
