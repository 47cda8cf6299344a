"""Amounts in every common shape, exactly; and only whole minor units become bits."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacspace_desktop.importing import (
    DecimalSeparator,
    NumberError,
    parse_number,
    to_minor_units,
)
from pacspace_desktop.importing.numbers import detect_number_format

POINT, COMMA, AUTO = DecimalSeparator.POINT, DecimalSeparator.COMMA, DecimalSeparator.AUTO


@pytest.mark.parametrize(("text", "sep", "value"), [
    ("$1,234.50", AUTO, "1234.50"),
    ("1.234,56 €", AUTO, "1234.56"),
    ("1.234,56\u00a0€", COMMA, "1234.56"),
    ("(250.00)", AUTO, "-250.00"),
    ("12.00-", AUTO, "-12.00"),
    ("-5.10", POINT, "-5.10"),
    ("EUR 12.00", AUTO, "12.00"),
    ("12.00 USD", AUTO, "12.00"),
    ("CHF 1'234.50", AUTO, "1234.50"),
    ("£7.25", AUTO, "7.25"),
    ("-$3", AUTO, "-3"),
    ("$-3", AUTO, "-3"),
    ("1 234 567,8", AUTO, "1234567.8"),
    ("1\u202f234,5", COMMA, "1234.5"),
    ("1,234", AUTO, "1234"),
    ("1,234", COMMA, "1.234"),
    ("1.234", COMMA, "1234"),
    ("0,123", AUTO, "0.123"),
    (",5", COMMA, "0.5"),
    ("250.00", POINT, "250.00"),
    ("12,50", COMMA, "12.50"),
    ("¥1000", AUTO, "1000"),
    ("− 4", AUTO, "-4"),
])
def test_parses_exactly(text: str, sep: DecimalSeparator, value: str) -> None:
    result = parse_number(text, sep)
    assert result == Decimal(value)
    assert str(result) == value  # exact text: 250.00 stays 250.00


@pytest.mark.parametrize(("text", "words"), [
    ("1.234,5x", "“1.234,5x” is not a number."),
    ("", "The amount is empty."),
    ("abc", "“abc” is not a number."),
    ("1,23,4", "groups of three"),
    ("(-5)", "more than one sign"),
    ("$5 USD", "currency twice"),
    ("1,234.50", "misplaced"),
])
def test_refuses_with_words(text: str, words: str) -> None:
    sep = COMMA if text == "1,234.50" else AUTO
    with pytest.raises(NumberError) as info:
        parse_number(text, sep)
    assert words in str(info.value)


def test_minor_units() -> None:
    assert to_minor_units(Decimal("12.50"), 100) == 1250
    assert to_minor_units(Decimal("-0.01"), 100) == -1
    assert to_minor_units(Decimal("3"), 1) == 3
    assert to_minor_units(Decimal("1.5"), 1000) == 1500
    assert to_minor_units(Decimal("1E+3"), 1) == 1000
    with pytest.raises(NumberError, match=r"^1.234 × 100 is not a whole number of cents\.$"):
        to_minor_units(Decimal("1.234"), 100)
    with pytest.raises(NumberError, match=r"^1.5 is not a whole number\.$"):
        to_minor_units(Decimal("1.5"), 1)
    with pytest.raises(ValueError, match="power of ten"):
        to_minor_units(Decimal(1), 25)


def test_column_decision_with_evidence() -> None:
    values = ["1.234,56", "12,50", "3,00", "1,234", ""] + ["7,10"] * 36
    found = detect_number_format(values)
    assert found.separator is COMMA and not found.ambiguous
    assert found.evidence == "39 of 40 values end in ,dd → decimal comma"
    found = detect_number_format(["$1,234.50", "2.00"])
    assert found.separator is POINT
    assert detect_number_format(["1,234", "5,678"]).ambiguous
    whole = detect_number_format(["12", "-3"])
    assert not whole.ambiguous and "whole numbers" in whole.evidence


def _format(value: Decimal, style: str) -> str:
    sign = "-" if value < 0 else ""
    units, _, frac = format(abs(value), "f").partition(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    if style == "us":
        return f"{sign}${','.join(groups)}" + (f".{frac}" if frac else "")
    if style == "de":
        return f"{sign}{'.'.join(groups)}" + (f",{frac}" if frac else "") + " €"
    if style == "fr":
        return f"{sign}{chr(0x202f).join(groups)}" + (f",{frac}" if frac else "") + "\u00a0EUR"
    if style == "ch":
        return f"CHF {sign}{chr(39).join(groups)}" + (f".{frac}" if frac else "")
    if style == "paren":
        body = ",".join(groups) + (f".{frac}" if frac else "")
        return f"({body})" if sign else body
    body = ",".join(groups) + (f".{frac}" if frac else "")
    return f"{body}-" if sign else body


decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2,
                       allow_nan=False, allow_infinity=False)


@given(decimals, st.sampled_from(["us", "de", "fr", "ch", "paren", "trailing"]))
def test_round_trip_in_several_locales(value: Decimal, style: str) -> None:
    text = _format(value, style)
    sep = COMMA if style in {"de", "fr"} else POINT
    assert parse_number(text, sep) == value


@given(st.text(max_size=30), st.sampled_from(list(DecimalSeparator)))
def test_random_text_raises_only_number_error(text: str, sep: DecimalSeparator) -> None:
    try:
        result = parse_number(text, sep)
    except NumberError:
        return
    assert isinstance(result, Decimal) and result.is_finite()


@given(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from([1, 10, 100]))
def test_minor_units_exact_or_refused(value: Decimal, factor: int) -> None:
    try:
        whole = to_minor_units(value, factor)
    except NumberError:
        return
    with localcontext() as ctx:
        ctx.prec = 200
        assert Decimal(whole) == value * factor
