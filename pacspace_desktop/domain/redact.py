"""Removing API keys from any text before it is logged, reported or shown."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pacspace_desktop.domain.apikey import mask_key

_KEY_LIKE = re.compile(r"pk_(?:live|test)_[^\s\"'<>,;]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every API key (known ones, and anything shaped like a key) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask_key(secret))
    return _KEY_LIKE.sub(lambda m: mask_key(m.group(0)), text)
