"""Splitting a long list of items into requests PacSpace accepts."""

from __future__ import annotations

from collections.abc import Sequence

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.domain.validation import request_body


def split_into_requests(items: Sequence[WriteItem], batch_size: int,
                        limits: Limits = DEFAULT_LIMITS) -> list[list[WriteItem]]:
    """Split items, in order, into requests of at most `batch_size` items and body bytes.

    A request is closed early when adding the next item would pass the body size limit, so
    large metadata never produces a request PacSpace refuses.

    Raises:
        ValueError: when `batch_size` is below 1 or above the per-request maximum.
    """
    if not 1 <= batch_size <= limits.max_items:
        raise ValueError(f"items per request must be between 1 and {limits.max_items}")
    overhead = len(b'{"items":[]}')
    requests: list[list[WriteItem]] = []
    current: list[WriteItem] = []
    size = overhead
    for item in items:
        item_size = len(request_body([item]).encode("utf-8")) - overhead
        extra = item_size + (1 if current else 0)
        if current and (len(current) >= batch_size or size + extra > limits.max_body_bytes):
            requests.append(current)
            current, size, extra = [], overhead, item_size
        current.append(item)
        size += extra
    if current:
        requests.append(current)
    return requests
