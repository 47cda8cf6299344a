"""Splitting a long list of items into requests PacSpace accepts."""

from __future__ import annotations

from collections.abc import Sequence

from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.domain.wire import split_texts, texts_of


def split_into_requests(items: Sequence[WriteItem], batch_size: int,
                        limits: Limits = DEFAULT_LIMITS) -> list[list[WriteItem]]:
    """Split items, in order, into requests of at most `batch_size` items and body bytes.

    A request is closed early when adding the next item would pass the body size limit, so
    large metadata never produces a request PacSpace refuses.

    Raises:
        ValueError: when `batch_size` is below 1 or above the per-request maximum.
    """
    spans = split_texts(texts_of(items), batch_size, limits)
    return [list(items[start:end]) for start, end in spans]
