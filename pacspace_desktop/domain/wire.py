"""Items as the exact JSON text PacSpace receives, written once per item.

The pure-Python writer in `jsonwire` is the reference (exact decimals, no NaN, limits); it
took ~280 µs an item and a run wrote each item five or six times (splitting, the outbox, the
body, the client). Here each item is written once, strings through the C encoder, and a
request body is joined from those texts: the bytes the outbox keeps are the bytes sent.
The output is the same text as `jsonwire.dumps(item.to_wire())`, to the character (a test
holds them to it).
"""

from __future__ import annotations

import json.encoder
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pacspace_desktop.domain import jsonwire
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits

_quote = json.encoder.encode_basestring  # the C function where available, as json.dumps uses
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_INT_BITS = int(jsonwire.MAX_NUMBER_DIGITS * 3.33)
_OVERHEAD = len('{"items":[]}')


@dataclass(frozen=True, slots=True)
class ItemText:
    """One item's JSON text, and its metadata's alone (what the history keeps).

    Attributes:
        text: `{"key":…,"accountId":…,"bits":…,"metadata":{…}}` as sent.
        metadata: The metadata object's text, or None when the item has none.
        size: The text's length in UTF-8 bytes.
    """

    text: str
    metadata: str | None
    size: int


def _string(value: str) -> str:
    if _SURROGATE.search(value) is not None:
        return jsonwire.dumps(value)  # raises the reference's error, with its words
    return _quote(value)


def _value(value: object) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)  # type: ignore[arg-type]
    if kind is int:
        if value.bit_length() > _MAX_INT_BITS:  # type: ignore[attr-defined]
            return jsonwire.dumps(value)  # raises the reference's limit error
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if kind is Decimal:
        text = str(value)
        # Short plain digits pass every limit; NaN, infinities, exponents and long numbers
        # go through the reference writer's checks (and its words).
        if len(text) <= 40 and text[-1].isdigit() and "E" not in text:
            return text
    # floats, nested values and the rare numbers above: the reference writer.
    return jsonwire.dumps(value)


def _metadata(meta: Mapping[str, object]) -> str:
    parts = []
    for key, value in meta.items():
        if type(key) is not str:
            return jsonwire.dumps(dict(meta))  # raises the reference's error
        parts.append(f"{_string(key)}:{_value(value)}")
    return "{" + ",".join(parts) + "}"


def item_text(item: WriteItem) -> ItemText:
    """The item's JSON text.

    Raises:
        jsonwire.NotJsonError: for a value JSON has no form for (as `jsonwire.dumps` does).
    """
    head = (f'{{"key":{_string(item.key)},"accountId":{_string(item.account_id)},'
            f'"bits":{_value(item.bits)}')
    if item.metadata is None:
        text, meta = head + "}", None
    else:
        meta = _metadata(item.metadata)
        text = f'{head},"metadata":{meta}}}'
    return ItemText(text, meta, len(text.encode("utf-8")))


def texts_of(items: Sequence[WriteItem]) -> list[ItemText]:
    """Every item's text, in order."""
    return [item_text(it) for it in items]


def body_of(texts: Sequence[ItemText]) -> str:
    """The request body for these items: exactly `validation.request_body` of them."""
    return '{"items":[' + ",".join(t.text for t in texts) + "]}"


def split_texts(texts: Sequence[ItemText], batch_size: int, limits: Limits = DEFAULT_LIMITS
                ) -> list[tuple[int, int]]:
    """Where requests start and end (`texts[start:end]`), in order: at most `batch_size`
    items and `limits.max_body_bytes` body bytes each.

    Raises:
        ValueError: when `batch_size` is below 1 or above the per-request maximum.
    """
    if not 1 <= batch_size <= limits.max_items:
        raise ValueError(f"items per request must be between 1 and {limits.max_items}")
    spans: list[tuple[int, int]] = []
    start, size = 0, _OVERHEAD
    for i, t in enumerate(texts):
        extra = t.size + (1 if i > start else 0)
        if i > start and (i - start >= batch_size or size + extra > limits.max_body_bytes):
            spans.append((start, i))
            start, size, extra = i, _OVERHEAD, t.size
        size += extra
    if start < len(texts):
        spans.append((start, len(texts)))
    return spans


__all__ = ["ItemText", "body_of", "item_text", "split_texts", "texts_of"]
