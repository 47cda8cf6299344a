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
