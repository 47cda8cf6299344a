from __future__ import annotations

from decimal import Decimal

import pytest

from pacspace_desktop.domain import jsonwire


def test_decimals_keep_their_exact_text() -> None:
    text = jsonwire.dumps({"amount": Decimal("250.00"), "n": 3, "s": "é", "ok": True,
                           "none": None, "list": [Decimal("0.10"), 1]})
    assert text == '{"amount":250.00,"n":3,"s":"é","ok":true,"none":null,"list":[0.10,1]}'


def test_loads_keeps_decimals_and_round_trips() -> None:
    data = jsonwire.loads('{"amount": 250.00, "big": 12345678901234567890.12}')
    assert data["amount"] == Decimal("250.00")
    assert jsonwire.dumps(data) == '{"amount":250.00,"big":12345678901234567890.12}'


@pytest.mark.parametrize("text", ['{"a": NaN}', '[Infinity]', '[-Infinity]'])
def test_loads_refuses_nan_and_infinity(text: str) -> None:
    with pytest.raises(jsonwire.NotJsonError):
        jsonwire.loads(text)


@pytest.mark.parametrize("value", [float("nan"), Decimal("NaN"), float("inf"), object()])
def test_dumps_refuses_what_json_cannot_hold(value: object) -> None:
    with pytest.raises(jsonwire.NotJsonError):
        jsonwire.dumps({"x": value})


@pytest.mark.parametrize(("text", "words"), [
    ("[" * 5000 + "]" * 5000, "nested more than 64 levels deep"),
    ("[" * 65 + "]" * 65, "nested more than 64 levels deep"),
    ("[" + "9" * 5000 + "]", "the most this app reads is 100 digits"),
    ("[1e999999999]", "exponent of 999,999,999; the most this app takes is ±100"),
    ("[1e99999999999]", "exponent of 99,999,999,999"),
    ("[1e-999999999]", "exponent of -999,999,999"),
])
def test_loads_refuses_past_its_limits_naming_them(text: str, words: str) -> None:
    with pytest.raises(jsonwire.JsonLimitError, match=words):
        jsonwire.loads(text)


def test_loads_takes_what_is_within_the_limits() -> None:
    assert jsonwire.nesting_depth(jsonwire.loads("[" * 64 + "]" * 64)) == 64
    assert jsonwire.loads("[" + "9" * 100 + ", 1e100]")[1] == Decimal("1e100")


def test_dumps_refuses_lone_surrogates_and_runaway_nesting() -> None:
    with pytest.raises(jsonwire.NotJsonError, match="lone surrogate"):
        jsonwire.dumps({"n": "a\ud800"})
    with pytest.raises(jsonwire.NotJsonError, match="lone surrogate"):
        jsonwire.dumps({"\udc00": 1})
    deep: list[object] = []
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(jsonwire.JsonLimitError, match="nested"):
        jsonwire.dumps(deep)
    with pytest.raises(jsonwire.JsonLimitError, match="digits"):
        jsonwire.dumps(10**400)
