"""Validation that reports every problem of every item, in words a finance clerk understands."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.items import BitsError, WriteItem, bits_from_json
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.domain.wire import body_of, texts_of

FIELD_LABELS = {"key": "Record key", "accountId": "Account ID", "bits": "Bits",
                "metadata": "Metadata"}


class Severity(StrEnum):
    """An error stops the item from being sent; a warning asks a person to look."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found before sending.

    Attributes:
        index: Position of the item in the list (0-based), or None for the request as a whole.
        field: Wire name of the field (`key`, `accountId`, `bits`, `metadata`) or None.
        code: A stable short code for tests and tools (e.g. `blank`, `not_integer`).
        message: The sentence shown to the user.
        severity: Error (blocks sending) or warning.
    """

    index: int | None
    field: str | None
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def describe(self) -> str:
        """The message with where it is, e.g. `Item 3, Bits: ...`."""
        where = []
        if self.index is not None:
            where.append(f"Item {self.index + 1}")
        if self.field is not None:
            where.append(FIELD_LABELS.get(self.field, self.field))
        return f"{', '.join(where)}: {self.message}" if where else self.message


def check_text_field(value: object, field: str, limits: Limits = DEFAULT_LIMITS,
                     index: int | None = None) -> list[Problem]:
    """Problems of a `key` or `accountId` value."""
    label = FIELD_LABELS[field]
    if value is None:
        return [Problem(index, field, "missing", f"{label} is missing.")]
    if not isinstance(value, str):
        return [Problem(index, field, "not_text", f"{label} must be text.")]
    if not value.strip():
        return [Problem(index, field, "blank", f"{label} is empty.")]
    problems = []
    if value != value.strip():
        problems.append(Problem(index, field, "spaces",
                                f"{label} starts or ends with a space. Remove the space: "
                                "PacSpace would treat it as a different record."))
    if len(value) > limits.max_id_length:
        problems.append(Problem(index, field, "too_long",
                                f"{label} is {len(value)} characters long; "
                                f"the most PacSpace takes is {limits.max_id_length}."))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        problems.append(Problem(index, field, "control_char",
                                f"{label} holds a line break or another invisible character."))
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        problems.append(Problem(index, field, "broken_char",
                                f"{label} holds a broken character (half of a character pair, "
                                "a “lone surrogate”) that is not valid text. Type it again."))
    return problems


def check_bits(value: object, limits: Limits = DEFAULT_LIMITS,
               index: int | None = None) -> list[Problem]:
    """Problems of a `bits` value (an integer within range)."""
    try:
        bits = bits_from_json(value)
    except BitsError as exc:
        code = "missing" if value is None else "not_integer"
        return [Problem(index, "bits", code, str(exc))]
    if bits.bit_length() > 64:
        return [Problem(index, "bits", "out_of_range",
                        f"Bits is far too large; it must be between -{limits.max_abs_bits:,} "
                        f"and {limits.max_abs_bits:,}.")]
    if abs(bits) > limits.max_abs_bits:
        return [Problem(index, "bits", "out_of_range",
                        f"Bits is {bits:,}; it must be between -{limits.max_abs_bits:,} and "
                        f"{limits.max_abs_bits:,}.")]
    return []


def check_metadata(value: object, index: int | None = None) -> list[Problem]:
    """Problems of a `metadata` value (an optional JSON object without NaN/Infinity)."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [Problem(index, "metadata", "not_object",
                        "Metadata must be a set of named values (a JSON object).")]
    depth = jsonwire.nesting_depth(value)
    if depth > jsonwire.MAX_NESTING:
        return [Problem(index, "metadata", "too_deep",
                        f"Metadata is nested more than {jsonwire.MAX_NESTING} levels deep; "
                        f"the most this app sends is {jsonwire.MAX_NESTING}.")]
    bad = _non_finite_path(value)
    if bad is not None:
        return [Problem(index, "metadata", "not_finite",
                        f"Metadata value “{bad}” is not a real number (NaN or infinity).")]
    try:
        jsonwire.dumps(value)
    except jsonwire.NotJsonError as exc:
        return [Problem(index, "metadata", "not_json", f"Metadata cannot be sent: {exc}.")]
    return []


def _non_finite_path(value: object, path: str = "") -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path or "value"
    if isinstance(value, Decimal) and not value.is_finite():
        return path or "value"
    if isinstance(value, Mapping):
        for k, v in value.items():
            found = _non_finite_path(v, f"{path}.{k}" if path else str(k))
            if found is not None:
                return found
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = _non_finite_path(v, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def check_raw_item(raw: object, index: int | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem of one raw item (a JSON object as read from a file or typed)."""
    if not isinstance(raw, Mapping):
        return [Problem(index, None, "not_object",
                        "This entry is not an item with a key, an account ID and bits.")]
    problems = check_text_field(raw.get("key"), "key", limits, index)
    problems += check_text_field(raw.get("accountId"), "accountId", limits, index)
    problems += check_bits(raw.get("bits"), limits, index)
    problems += check_metadata(raw.get("metadata"), index)
    unknown = sorted(set(raw) - {"key", "accountId", "bits", "metadata"})
    if unknown:
        problems.append(Problem(index, None, "unknown_field",
                                f"Unknown field(s) {', '.join(unknown)} will not be sent. "
                                "Put extra values under metadata.", Severity.WARNING))
    return problems


@dataclass(frozen=True, slots=True)
class ParsedItems:
    """Result of reading raw items: the valid items and every problem found.

    Attributes:
        items: Items without errors, in input order.
        positions: For each of `items`, its 0-based position in the input.
        problems: Every problem found, errors and warnings.
    """

    items: list[WriteItem]
    positions: list[int]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """Problems that block sending."""
        return [p for p in self.problems if p.severity is Severity.ERROR]


def parse_raw_items(raw_items: Sequence[object], limits: Limits = DEFAULT_LIMITS) -> ParsedItems:
    """Validate raw items and convert those without errors.

    A key that stands twice is an error on its second and later places. An item is converted
    only when it has no error, so `items` may be shorter than the input.
    """
    problems: list[Problem] = []
    if not raw_items:
        problems.append(Problem(None, None, "empty", "There are no items to send."))
    for index, raw in enumerate(raw_items):
        problems += check_raw_item(raw, index, limits)
    problems += check_duplicate_keys(
        (i, r.get("key")) for i, r in enumerate(raw_items) if isinstance(r, Mapping))
    bad = {p.index for p in problems if p.severity is Severity.ERROR}
    items: list[WriteItem] = []
    positions: list[int] = []
    for index, raw in enumerate(raw_items):
        if index in bad or not isinstance(raw, Mapping):
            continue
        metadata = raw.get("metadata")
        item = WriteItem(key=raw["key"], account_id=raw["accountId"],
                         bits=bits_from_json(raw["bits"]),
                         metadata=dict(metadata) if metadata is not None else None)
        too_large = check_body_size([item], limits, index)
        if too_large:
            problems += too_large
            continue
        items.append(item)
        positions.append(index)
    return ParsedItems(items, positions, problems)


def check_duplicate_keys(keys: Iterable[tuple[int, object]]) -> list[Problem]:
    """The same key twice in one list: PacSpace would add both, counting the record twice."""
    first: dict[str, int] = {}
    problems = []
    for index, key in keys:
        if not isinstance(key, str):
            continue
        if key in first:
            problems.append(Problem(index, "key", "duplicate_key",
                                    f"Record key “{key}” is also item {first[key] + 1}. "
                                    "PacSpace would add both and count the record twice."))
        else:
            first[key] = index
    return problems


def request_body(items: Sequence[WriteItem]) -> str:
    """The exact JSON text of a request for `items` (see `wire`: each item written once)."""
    return body_of(texts_of(items))


def check_request(items: Sequence[WriteItem], limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Problems of one request as a whole: item count, body size, duplicate keys."""
    problems = []
    if not items:
        problems.append(Problem(None, None, "empty", "There are no items to send."))
    if len(items) > limits.max_items:
        problems.append(Problem(None, None, "too_many",
                                f"{len(items):,} items is more than PacSpace takes in one "
                                f"request ({limits.max_items})."))
    problems += check_duplicate_keys(enumerate(it.key for it in items))
    problems += check_body_size(items, limits)
    return problems


def check_body_size(items: Sequence[WriteItem], limits: Limits = DEFAULT_LIMITS,
                    index: int | None = None) -> list[Problem]:
    """A request body over the size limit (usually from large metadata)."""
    size = len(request_body(items).encode("utf-8"))
    if size <= limits.max_body_bytes:
        return []
    what = "This item" if index is not None else "This request"
    return [Problem(index, "metadata" if index is not None else None, "too_large",
                    f"{what} is {size / 1024:,.0f} KB; PacSpace takes at most "
                    f"{limits.max_body_bytes / 1024:,.0f} KB per request. "
                    "Keep metadata lean.")]
