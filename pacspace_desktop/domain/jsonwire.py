"""JSON as it goes over the wire: exact decimals, no NaN or Infinity, compact and stable."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

JsonValue = Any  # str | int | Decimal | bool | None | list[JsonValue] | dict[str, JsonValue]


MAX_NESTING = 64
"""Deepest nesting of lists and objects read or written (Python's own limit is ~1,000)."""
MAX_NUMBER_DIGITS = 100
"""Most characters in one JSON number (Python refuses integers past 4,300 digits)."""
MAX_EXPONENT = 100
"""Largest power of ten a JSON number may have (`1e999999999` would take gigabytes)."""


class NotJsonError(ValueError):
    """A value cannot be written as standard JSON (NaN, Infinity, or an unknown type)."""


class JsonLimitError(NotJsonError):
    """JSON that goes past one of this app's limits; the message names the limit."""


def dumps(value: JsonValue) -> str:
    """Write `value` as compact JSON, keeping `Decimal` numbers exactly as written.

    `Decimal("250.00")` is written `250.00`: metadata amounts keep their decimal text,
    which `float` would round or shorten.

    Raises:
        NotJsonError: for NaN, Infinity or a type JSON has no form for.
    """
    parts: list[str] = []
    _write(value, parts, 0)
    return "".join(parts)


def _write(value: JsonValue, out: list[str], depth: int) -> None:
    if value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, str):
        if _SURROGATE.search(value):
            raise NotJsonError(f"“{_shown(value)}” holds a broken character (a lone "
                               "surrogate) that is not valid text")
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        if value.bit_length() > _MAX_INT_BITS:
            raise JsonLimitError(f"a number has more than {MAX_NUMBER_DIGITS} digits, the most "
                                 "this app writes")
        out.append(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NotJsonError(f"{value} is not a number JSON can hold")
        _check_decimal(value)
        out.append(_decimal_text(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NotJsonError(f"{value} is not a number JSON can hold")
        out.append(repr(value))
    elif isinstance(value, Mapping | Sequence) and depth >= _WRITE_NESTING:
        # far below Python's recursion limit; validation refuses past MAX_NESTING first
        raise JsonLimitError(f"values are nested more than {MAX_NESTING} levels deep, the most "
                             "this app takes")
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if not isinstance(k, str):
                raise NotJsonError(f"metadata names must be text, not {type(k).__name__}")
            if i:
                out.append(",")
            _write(k, out, depth)
            out.append(":")
            _write(v, out, depth + 1)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _write(v, out, depth + 1)
        out.append("]")
    else:
        raise NotJsonError(f"a {type(value).__name__} cannot be written as JSON")


def _decimal_text(value: Decimal) -> str:
    text = str(value)
    if "E" in text or "e" in text:
        # JSON allows exponents, but keep plain digits where Decimal chose scientific form.
        text = format(value, "f")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")
_WRITE_NESTING = 2 * MAX_NESTING
_MAX_INT_BITS = int(MAX_NUMBER_DIGITS * 3.33)  # ~ MAX_NUMBER_DIGITS decimal digits, cheaply


def _shown(text: str) -> str:
    text = _SURROGATE.sub("\ufffd", text)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_decimal(value: Decimal) -> None:
    if len(value.as_tuple().digits) > MAX_NUMBER_DIGITS:
        raise JsonLimitError(f"a number has more than {MAX_NUMBER_DIGITS} digits, the most "
                             "this app takes")
    if abs(value.adjusted()) > MAX_EXPONENT:
        raise JsonLimitError(f"a number has an exponent of {value.adjusted():,}; the most this "
                             f"app takes is ±{MAX_EXPONENT} (numbers up to 1e{MAX_EXPONENT})")


def _reject_constant(name: str) -> Any:
    raise NotJsonError(f"{name} is not a number JSON can hold")


def _number_text(text: str) -> str:
    if len(text) > MAX_NUMBER_DIGITS + 8:  # sign, point and exponent marks on top
        raise JsonLimitError(f"a number is {len(text):,} characters long; the most this app "
                             f"reads is {MAX_NUMBER_DIGITS} digits")
    return text


def _parse_int(text: str) -> int:
    return int(_number_text(text))


def _parse_decimal(text: str) -> Decimal:
    value = Decimal(_number_text(text))
    _check_decimal(value)
    return value


def loads(text: str | bytes) -> JsonValue:
    """Read JSON keeping decimals exact (`Decimal`) and refusing NaN and Infinity.

    The work is bounded by the size of the text: numbers past `MAX_NUMBER_DIGITS` digits or
    `MAX_EXPONENT`, and nesting past `MAX_NESTING`, are refused before they cost anything.

    Raises:
        JsonLimitError: past one of the limits (the message names it).
        NotJsonError: for NaN or Infinity.
        ValueError: for text that is not JSON (`json.JSONDecodeError`).
    """
    try:
        value = json.loads(text, parse_float=_parse_decimal, parse_int=_parse_int,
                           parse_constant=_reject_constant)
    except RecursionError:
        raise JsonLimitError(f"values are nested more than {MAX_NESTING} levels deep, the most "
                             "this app takes") from None
    if nesting_depth(value) > MAX_NESTING:
        raise JsonLimitError(f"values are nested more than {MAX_NESTING} levels deep, the most "
                             "this app takes")
    return value


_NESTED = (Mapping, list, tuple)


def nesting_depth(value: JsonValue, stop: int = MAX_NESTING) -> int:
    """How deep lists and objects nest in `value` (0 for a plain value), counted without
    recursion; counting stops just past `stop`."""
    depth = 0
    level: list[JsonValue] = [value]
    while level and depth <= stop:
        inner: list[JsonValue] = []
        for v in level:
            if isinstance(v, Mapping):
                inner.extend(x for x in v.values() if isinstance(x, _NESTED))
            elif isinstance(v, list | tuple):
                inner.extend(x for x in v if isinstance(x, _NESTED))
        if not inner and not any(isinstance(v, _NESTED) for v in level):
            break
        depth += 1
        level = inner
    return depth
