"""Limits that PacSpace does not document: settings with the defaults of the reference note."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Client-side limits checked before anything is sent.

    Attributes:
        max_items: Items per request (PacSpace's SDK caps batches at 100).
        max_id_length: Longest `key` or `accountId`, in characters.
        max_abs_bits: Largest allowed absolute value of `bits`.
        max_body_bytes: Largest request body, in bytes of UTF-8 JSON.
    """

    max_items: int = 100
    max_id_length: int = 128
    max_abs_bits: int = 1_000_000_000
    max_body_bytes: int = 1_048_576


DEFAULT_LIMITS = Limits()
