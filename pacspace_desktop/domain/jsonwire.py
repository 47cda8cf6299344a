"""JSON as it goes over the wire: exact decimals, no NaN or Infinity, compact and stable."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

JsonValue = Any  # str | int | Decimal | bool | None | list[JsonValue] | dict[str, JsonValue]


class NotJsonError(ValueError):
    """A value cannot be written as standard JSON (NaN, Infinity, or an unknown type)."""


def dumps(value: JsonValue) -> str:
    """Write `value` as compact JSON, keeping `Decimal` numbers exactly as written.

    `Decimal("250.00")` is written `250.00`: metadata amounts keep their decimal text,
    which `float` would round or shorten.

    Raises:
        NotJsonError: for NaN, Infinity or a type JSON has no form for.
    """
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: JsonValue, out: list[str]) -> None:
    if value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NotJsonError(f"{value} is not a number JSON can hold")
        out.append(_decimal_text(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NotJsonError(f"{value} is not a number JSON can hold")
        out.append(repr(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if not isinstance(k, str):
                raise NotJsonError(f"metadata names must be text, not {type(k).__name__}")
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            _write(v, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _write(v, out)
        out.append("]")
    else:
        raise NotJsonError(f"a {type(value).__name__} cannot be written as JSON")


def _decimal_text(value: Decimal) -> str:
    text = str(value)
    if "E" in text or "e" in text:
        # JSON allows exponents, but keep plain digits where Decimal chose scientific form.
        text = format(value, "f")
    return text


def _reject_constant(name: str) -> Any:
    raise NotJsonError(f"{name} is not a number JSON can hold")


def loads(text: str | bytes) -> JsonValue:
    """Read JSON keeping decimals exact (`Decimal`) and refusing NaN and Infinity."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
