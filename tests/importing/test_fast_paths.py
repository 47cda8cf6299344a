"""The C-speed shortcuts decide exactly what the value-by-value code decides."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pacspace_desktop.importing.dates import _PARTS, detect_date_order
from pacspace_desktop.importing.keyindex import KeyIndex
from pacspace_desktop.importing.numbers import (
    DecimalSeparator,
    NumberError,
    NumberFormat,
    _cell_pattern,
    _evidence,
    _split,
    all_plain_numbers,
    bulk_minor_units,
    detect_number_format,
    fast_minor_units,
)


def _number_counts(values: list[str], limit: int) -> tuple[int, int, int]:
    """The former loop of `detect_number_format`: (comma, point, seen)."""
    comma = point = seen = 0
    for text in values:
        if not text:
            continue
        try:
            _, body = _split(text)
        except NumberError:
            continue
        seen += 1
        found = _evidence(body)
        comma += found == "comma"
        point += found == "point"
        if seen >= limit:
            break
    return comma, point, seen


NUMBERS = ["1.234,56", "1,234.56", "12,5", "12.5", "1,234", "1.234", "-3,00", "+4.10", "x",
           "", " 7,25", "1,234,567", "1.2.3", "€ 5,00", "0,001", "(2.00)", "−1,5", "12"]


def _expected_format(values: list[str], limit: int) -> NumberFormat:
    comma, point, seen = _number_counts(values, limit)
    c, p = DecimalSeparator.COMMA, DecimalSeparator.POINT
    if comma > point:
        if point:
            return NumberFormat(c, f"values disagree: {comma} of {seen} end in ,dd and {point} "
                                   "in .dd → decimal comma")
        return NumberFormat(c, f"{comma} of {seen} values end in ,dd → decimal comma")
    if point > comma:
        if comma:
            return NumberFormat(p, f"values disagree: {point} of {seen} end in .dd and {comma} "
                                   "in ,dd → decimal point")
        return NumberFormat(p, f"{point} of {seen} values end in .dd → decimal point")
    if comma:
        return NumberFormat(p, f"values disagree: {comma} end in ,dd and {point} in .dd; read "
                               "with a decimal point — please check", ambiguous=True)
    return detect_number_format(values, limit)  # no evidence at all: unchanged code


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(NUMBERS), max_size=25), st.integers(1, 12))
def test_number_format_counts_like_the_value_loop(values: list[str], limit: int) -> None:
    assert detect_number_format(values, limit) == _expected_format(values, limit)


def _date_counts(values: list[str], limit: int) -> tuple[int, int, int, int, str]:
    """The former loop of `detect_date_order`."""
    day_first = month_first = undecided = seen = 0
    example = ""
    for text in values:
        if not text:
            continue
        m = _PARTS.fullmatch(text.strip())
        seen += 1
        if m is None:
            continue
        first, second = int(m[1]), int(m[3])
        if first > 12 >= second:
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
        elif first != second:
            undecided += 1
            example = example or text.strip()
        if seen >= limit:
            break
    return day_first, month_first, undecided, seen, example


DATES = ["01.02.2025", "13.02.2025", "02/13/2025", "2025-01-01", "", "x", " 05/06/2025 ",
         "07/07/2025"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(DATES), max_size=25), st.integers(1, 10))
def test_date_order_counts_like_the_value_loop(values: list[str], limit: int) -> None:
    day, month, undecided, seen, example = _date_counts(values, limit)
    found = detect_date_order(values, limit)
    if day >= month and day:
        assert found.evidence.startswith(f"{day} of {seen} " if not month else "values")
    elif month:
        assert found.evidence.startswith(f"{month} of {seen} " if not day else "values")
    elif undecided:
        assert f"“{example}”" in found.evidence and found.ambiguous
    else:
        assert found.evidence.startswith("dates need no order")


AMOUNTS = ["1.234,56", "12,50", "-0,01", "7", "1.234", "12,5", "", "1,5\n2,50", "9.99",
           "1234567,00", "12,345", "-5"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(AMOUNTS), min_size=1, max_size=12), st.sampled_from([0, 2]))
def test_bulk_amounts_agree_with_each_cell(texts: list[str], shift: int) -> None:
    comma = DecimalSeparator.COMMA
    bulk = bulk_minor_units(texts, comma, shift)
    each = [fast_minor_units(t, comma, shift) for t in texts]
    exact = all(_cell_pattern(comma, shift).fullmatch(t) for t in texts)
    whole = all(_cell_pattern(comma, 0).fullmatch(t) for t in texts)
    if (shift and exact) or whole:
        assert bulk == each
    else:
        assert bulk is None
    plain = all(not t or _cell_pattern(comma, None).fullmatch(t) for t in texts)
    assert all_plain_numbers(texts, comma) is plain


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["A", "B", "C", "", "D"]), max_size=20))
def test_key_index_finds_first_rows_and_repeats(keys: list[str]) -> None:
    index = KeyIndex.of(keys)
    first: dict[str, int] = {}
    more: dict[str, list[int]] = {}
    for row, key in enumerate(keys):
        if key:
            if key in first:
                more.setdefault(key, []).append(row)
            else:
                first[key] = row
    assert list(index.first) == list(first)
    assert {k: index.head(k) for k in first} == first
    assert index.repeats() == more


def test_key_index_follows_edits() -> None:
    rng = random.Random(5)
    keys = [f"K{i}" for i in range(50)]
    index = KeyIndex.of(keys)
    for _ in range(300):
        row, new = rng.randrange(50), rng.choice(["K1", "K2", "", f"K{rng.randrange(60)}"])
        index.change(row, new)
        keys[row] = new
        for key in set(keys) - {""}:
            assert index.rows_of(key) == [r for r, k in enumerate(keys) if k == key]
