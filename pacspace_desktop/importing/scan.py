"""Checking whole columns fast: C-speed tests for clean columns, shared results otherwise."""

from __future__ import annotations

from array import array
from collections.abc import Callable

from pacspace_desktop.importing.numbers import all_plain_numbers, bulk_minor_units, plain_amount
from pacspace_desktop.importing.plan import Converter, Finding, Plan

__all__ = ["all_clean_ids", "all_plain_numbers", "cell_check", "scan_bits", "scan_column",
           "scan_ids"]

_MEMO_LIMIT = 100_000


def all_clean_ids(values: list[str], longest: int) -> bool:
    """True when no key or account ID of a column can have a problem (checked at C speed)."""
    if "" in values or max(map(len, values)) > longest:
        return False
    if not "".join(values).isprintable():
        return False
    # \x1f never occurs in printable text, so it marks where each value starts and ends
    joined = "\x1f" + "\x1f".join(values) + "\x1f"
    return " \x1f" not in joined and "\x1f " not in joined


def cell_check(convert: Converter) -> Callable[[str], tuple[Finding, ...]]:
    def check(text: str) -> tuple[Finding, ...]:
        return convert(text)[1] if text.strip() else ()
    return check


def scan_column(values: list[str], check: Callable[[str], tuple[Finding, ...]],
          found: dict[int, list[Finding]],
          quick: Callable[[str], object] | None = None) -> None:
    """Check a column, sharing results of repeated values; `quick(text)` truthy means fine."""
    memo: dict[str, tuple[Finding, ...]] = {}
    get = memo.get
    for row, text in enumerate(values):
        if quick is not None and quick(text):
            continue
        findings = get(text)
        if findings is None:
            findings = check(text)
            if len(memo) < _MEMO_LIMIT:
                memo[text] = findings
        if findings:
            found.setdefault(row, []).extend(findings)


def scan_ids(values: list[str], check: Callable[[str], tuple[Finding, ...]],
             found: dict[int, list[Finding]], longest: int) -> None:
    """Keys and account IDs: a quick test for the usual clean value, the rules otherwise."""
    if values and all_clean_ids(values, longest):
        return
    memo: dict[str, tuple[Finding, ...]] = {}
    for row, text in enumerate(values):
        if (text and len(text) <= longest and text.isprintable() and text[0] != " "
                and text[-1] != " "):
            continue
        findings = memo.get(text)
        if findings is None:
            findings = memo[text] = check(text)
        if findings:
            found.setdefault(row, []).extend(findings)

def scan_bits(texts: list[str], plan: Plan, found: dict[int, list[Finding]]) -> array[int]:
    """Bits of every row (0 where there is a problem, noted in `found`)."""
    most = plan.limits.max_abs_bits
    bulk = bulk_minor_units(texts, plan.bits_separator, plan.shift)
    if bulk is not None and max(bulk) <= most >= -min(bulk):
        return array("q", bulk)
    convert, bits = plan.convert_bits, array("q", bytes(8 * len(texts)))
    memo: dict[str, tuple[int | None, tuple[Finding, ...]]] = {}
    fullmatch, group = plain_amount(plan.bits_separator)
    shift = plan.shift
    zeros = "0" * shift
    for row, text in enumerate(texts):
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
                bits[row] = -value if sign else value
                continue
        result = memo.get(text)
        if result is None:
            result = convert(text)
            if len(memo) < _MEMO_LIMIT:
                memo[text] = result
        converted, findings = result
        if converted is None:
            found.setdefault(row, []).extend(findings)
        else:
            bits[row] = converted
    return bits
