from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacspace_desktop.domain.items import BitsError, WriteItem, bits_from_json, bits_from_text


@pytest.mark.parametrize("value", [0, 1, -5, 10**9])
def test_integers_are_bits(value: int) -> None:
    assert bits_from_json(value) == value


@pytest.mark.parametrize(("value", "words"), [
    (1.5, "decimal point"),
    (Decimal("1.5"), "decimal point"),
    (Decimal("1.0"), "decimal point"),
    ("12abc", "not text"),
    ("12", "not text"),
    (True, "yes/no"),
    (float("nan"), "not a number"),
    (float("inf"), "not a number"),
    (Decimal("1e400"), "far too large"),
    (None, "missing"),
    ([1], "list"),
])
def test_non_integers_are_refused_in_plain_words(value: object, words: str) -> None:
    with pytest.raises(BitsError, match=words):
        bits_from_json(value)


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("-3", -3), ("+7", 7), ("1,234", 1234), ("1.234", 1234), ("1 234", 1234),
    ("1\u00a0234", 1234), ("-1,234,567", -1234567), ("12'345", 12345), ("\u22125", -5),
    ("  42  ", 42),
])
def test_typed_bits_accept_locale_grouping(text: str, expected: int) -> None:
    assert bits_from_text(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("1.5", "fraction"), ("1,50", "fraction"), ("12abc", "not"), ("", "missing"),
    ("1,2,3", "not"), ("1.234,5", "not"), ("--1", "not"),
])
def test_typed_bits_refuse_fractions_and_junk(text: str, words: str) -> None:
    with pytest.raises(BitsError, match=words):
        bits_from_text(text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_grouped_text_round_trips(value: int) -> None:
    assert bits_from_text(f"{value:,}") == value
    assert bits_from_text(f"{value:,}".replace(",", ".")) == value
    assert bits_from_text(f"{value:,}".replace(",", " ")) == value


def test_item_to_wire_uses_api_names() -> None:
    item = WriteItem("inv-1", "acct-1", 3, {"amount": Decimal("250.00")})
    assert item.to_wire() == {"key": "inv-1", "accountId": "acct-1", "bits": 3,
                              "metadata": {"amount": Decimal("250.00")}}
    assert "metadata" not in WriteItem("k", "a", 1).to_wire()
