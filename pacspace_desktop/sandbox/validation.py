"""Validation of ``POST /api/v1/writes`` bodies, written independently of the client."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from .config import SandboxConfig

MAX_LISTED_PROBLEMS = 20
ITEMS_MESSAGE = "Validation failed: 'items' must be a non-empty array."


@dataclass(frozen=True, slots=True)
class WriteItem:
    key: str
    account_id: str
    bits: int
    metadata: dict[str, Any] | None


class ValidationError(Exception):
    """A 400 answer: ``messages`` holds one or more human-readable problems."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages

    @property
    def payload_message(self) -> str | list[str]:
        """One string (prefixed ``Validation failed:``) or, for several problems, a list."""
        if len(self.messages) == 1:
            return self.messages[0]
        return self.messages


class _NonFiniteConstant(ValueError):
    pass


class _HugeFloat:
    """Stands for a JSON number that overflows a float (e.g. ``1e400``)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_float(text: str) -> float | _HugeFloat:
    value = float(text)
    return value if math.isfinite(value) else _HugeFloat(text)


def _reject_constant(name: str) -> Any:
    raise _NonFiniteConstant(name)


def _fail(message: str) -> ValidationError:
    return ValidationError([f"Validation failed: {message}"])


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity tokens. Overflowing floats become markers."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("the body is not valid UTF-8 JSON.") from None
    try:
        return json.loads(text, parse_float=_parse_float, parse_constant=_reject_constant)
    except _NonFiniteConstant as exc:
        raise _fail(f"the body contains {exc}, which JSON does not allow.") from None
    except RecursionError:
        raise _fail("the body is nested too deeply.") from None
    except ValueError as exc:
        raise _fail(f"the body is not valid JSON ({exc}).") from None


def _contains_huge(value: Any) -> bool:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, _HugeFloat):
            return True
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def _check_id(item: dict[str, Any], field: str, where: str, cfg: SandboxConfig) -> list[str]:
    if field not in item:
        return [f"{where}.{field} is required."]
    value = item[field]
    if not isinstance(value, str):
        return [f"{where}.{field} must be a string."]
    if not value.strip():
        return [f"{where}.{field} must not be blank."]
    if len(value) > cfg.max_id_length:
        return [f"{where}.{field} must be at most {cfg.max_id_length} characters."]
    return []


def _check_bits(item: dict[str, Any], where: str, cfg: SandboxConfig) -> list[str]:
    if "bits" not in item:
        return [f"{where}.bits is required."]
    value = item["bits"]
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{where}.bits must be an integer."]
    if abs(value) > cfg.max_abs_bits:
        return [f"{where}.bits must be between -{cfg.max_abs_bits} and {cfg.max_abs_bits}."]
    return []


def _check_metadata(item: dict[str, Any], where: str) -> list[str]:
    if "metadata" not in item:
        return []
    value = item["metadata"]
    if not isinstance(value, dict):
        return [f"{where}.metadata must be an object."]
    if _contains_huge(value):
        return [f"{where}.metadata contains a number too large to represent."]
    return []


def validate_write_body(raw: bytes, cfg: SandboxConfig) -> list[WriteItem]:
    """Parse and check a write body; raise :class:`ValidationError` on any problem."""
    if len(raw) > cfg.max_body_bytes:
        raise _fail(f"the request body is larger than {cfg.max_body_bytes} bytes.")
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise _fail("the body must be a JSON object.")
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise ValidationError([ITEMS_MESSAGE])
    if len(items) > cfg.max_items:
        raise _fail(f"'items' must contain at most {cfg.max_items} items (got {len(items)}).")
    problems: list[str] = []
    accepted: list[WriteItem] = []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object.")
            continue
        found = (
            _check_id(item, "key", where, cfg)
            + _check_id(item, "accountId", where, cfg)
            + _check_bits(item, where, cfg)
            + _check_metadata(item, where)
        )
        if found:
            problems.extend(found)
            continue
        accepted.append(
            WriteItem(
                key=item["key"],
                account_id=item["accountId"],
                bits=item["bits"],
                metadata=item.get("metadata"),
            )
        )
    if not problems:
        return accepted
    if len(problems) == 1:
        raise _fail(problems[0])
    if len(problems) > MAX_LISTED_PROBLEMS:
        extra = len(problems) - MAX_LISTED_PROBLEMS
        problems = [*problems[:MAX_LISTED_PROBLEMS], f"... and {extra} more problems."]
    raise ValidationError(problems)
